"""Everyone's strength at once: the arithmetic of ``score_rows`` over numpy columns, for the whole network.

``score_rows`` (and behind it ``strength``, which ``dunbar strength --explain`` shows) stays the definition; this
is the same sum, operation for operation, done on whole columns (30,000 people in a few milliseconds instead of
a Python loop over them). numpy's ``power`` may differ from Python's ``**`` in the last bit, so a total within
``BOUNDARY`` of a half point (where rounding could go the other way) is worked out again with ``score_rows``:
the scores are then exactly those of the scalar function (tests/test_strength_arrays.py checks it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
import numpy.typing as npt

from dunbar.scoring.stats import days_since_epoch
from dunbar.scoring.strength import StrengthParams, score_rows, weight_vectors

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]

BOUNDARY = 1e-9  # a total this close to k + 0.5 is rounded by the scalar function instead


@dataclass(frozen=True)
class Columns:
    """One value per person, in the order of ``score_rows``' rows; NaN where a row holds None (``first``,
    ``last``, ``met``, ``closeness``). A person without interactions has ``n_them = 0, decay_sum = 0.0,
    kinds_mask = 0``, the half-life of the settings and NaN times."""

    person_id: Ints
    n_them: Floats
    decay_sum: Floats
    half_life_days: Floats
    kinds_mask: Ints
    first: Floats
    last: Floats
    met: Floats
    closeness: Floats

    def rows(
        self, index: Ints
    ) -> list[tuple[int, int, float, float, int, float | None, float | None, float | None, int | None]]:
        """The rows at ``index`` as ``score_rows`` takes them."""

        def opt(v: float) -> float | None:
            return None if v != v else v

        return [
            (
                int(self.person_id[i]),
                int(self.n_them[i]),
                float(self.decay_sum[i]),
                float(self.half_life_days[i]),
                int(self.kinds_mask[i]),
                opt(float(self.first[i])),
                opt(float(self.last[i])),
                opt(float(self.met[i])),
                None if self.closeness[i] != self.closeness[i] else int(self.closeness[i]),
            )
            for i in index.tolist()
        ]


def _popcount(mask: Ints) -> Floats:
    bits = np.zeros(mask.shape, dtype=np.float64)
    m = mask.copy()
    while m.any():
        bits += m & 1
        m >>= 1
    return bits


def _clip(x: Floats) -> Floats:
    return np.where(x < 0.0, 0.0, np.where(x > 1.0, 1.0, x))


def score_columns(c: Columns, *, now: datetime, params: StrengthParams | None = None) -> Ints:
    """Every person's 0–100 score, the same as ``score_rows`` gives for the same rows."""
    p = params or StrengthParams()
    now_d = days_since_epoch(now)
    w_rated, w_unrated, t_rated, t_unrated = weight_vectors(p)
    wi, wr, wc, wd, wm, wk = w_unrated[:6]
    ki = w_rated[5]
    with np.errstate(all="ignore"):
        level = c.decay_sum * np.power(2.0, -now_d / c.half_life_days)
        intensity = np.where(c.decay_sum > 0.0, level / (level + p.intensity_scale), 0.0 / (0.0 + p.intensity_scale))
        since = now_d - c.last
        since = np.where(since > 0.0, since, 0.0)
        recency = np.where(np.isnan(c.last), 0.0, np.power(2.0, -since / p.recency_half_life_days))
        reciprocity = 1.0 - np.power(2.0, -c.n_them / p.reciprocity_scale)
        has_met = ~np.isnan(c.met)
        first = np.where(has_met & (np.isnan(c.first) | (c.met < c.first)), c.met, c.first)
        last = np.where(has_met & (np.isnan(c.last) | (c.met > c.last)), c.met, c.last)
        span = np.where(now_d < last, now_d, last) - first
        span = np.where(np.isnan(span) | ~(span > 0.0), 0.0, span)
        duration = span / (span + p.duration_scale_days)
        channels = _popcount(c.kinds_mask) / p.channels_full
        multiplexity = np.where(channels < 1.0, channels, 1.0)
        is_rated = ~np.isnan(c.closeness)
        whole = np.where(is_rated, np.trunc(c.closeness), 0.0)
        close = np.where(whole < 0, 0.0, np.where(whole > 100, 100.0, whole)) / 100.0
        total = np.where(is_rated, t_rated, t_unrated)
        wk_ = np.where(is_rated, ki, wk)
        points = 100.0 * wi * _clip(intensity) / total
        points += 100.0 * wr * _clip(recency) / total
        points += 100.0 * wc * _clip(reciprocity) / total
        points += 100.0 * wd * _clip(duration) / total
        points += 100.0 * wm * multiplexity / total
        points += 100.0 * wk_ * close / total
    out = np.clip(np.rint(points), 0, 100).astype(np.int64)
    near = np.flatnonzero(np.abs(points - np.floor(points) - 0.5) < BOUNDARY)
    if near.size:
        exact = score_rows(c.rows(near), now=now, params=p)
        out[near] = [exact[int(pid)] for pid in c.person_id[near].tolist()]
    return out

"""Tie strength: a 0–100 score from a person's running totals, with an explanation of every point.

The score is a weighted mean of components, each a value in 0..1:

- intensity: the decayed frequency (weighted interactions, each counted ``2^(−age / half-life)``), saturating:
  ``I / (I + intensity_scale)``;
- recency: ``2^(−days since last contact / recency_half_life_days)``;
- reciprocity: how often *they* start the conversation, ``1 − 2^(−n_them / reciprocity_scale)``. It counts
  their initiatives rather than a ratio on purpose: reaching out must never lower a score;
- duration: how long the relationship has been active, from the first contact (or "Connected On", whichever is
  earlier) to the last one, ``d / (d + duration_scale_days)``. It ends at the last contact, not at ``now``, so
  that a relationship never grows stronger by silence;
- multiplexity: the number of channels (kinds of interaction), ``min(1, channels / channels_full)``;
- closeness: the user's own 0–100 judgement, blended in only when it is set.

``points = 100 · weight · value / Σ weights`` and the score is the rounded sum of points. Every value is
non-decreasing when an interaction is added and non-increasing as ``now`` advances without contact, so the
score has both properties too (tests/test_scoring.py checks them with Hypothesis).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, NamedTuple

from dunbar.errors import InvalidInput
from dunbar.scoring.stats import (
    EPOCH,
    MAX_HALF_LIFE_DAYS,
    MIN_HALF_LIFE_DAYS,
    Stats,
    add,
    channels,
    days_since_epoch,
    empty,
)

COMPONENTS = ("intensity", "recency", "reciprocity", "duration", "multiplexity", "closeness")

Event = tuple[datetime, float, str | None, str]  # (at, weight, initiator, kind)


@dataclass(frozen=True, slots=True)
class StrengthParams:
    """The knobs of the score; stored as JSON under the setting "strength" (any subset of these keys)."""

    half_life_days: float = 90.0
    intensity_scale: float = 4.0
    recency_half_life_days: float = 30.0
    reciprocity_scale: float = 3.0
    duration_scale_days: float = 365.0
    channels_full: float = 3.0
    weight_intensity: float = 35.0
    weight_recency: float = 30.0
    weight_reciprocity: float = 10.0
    weight_duration: float = 10.0
    weight_multiplexity: float = 5.0
    weight_closeness: float = 15.0

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value):
                raise InvalidInput(f"strength setting {f.name} is not a number: {value!r}")
            if value < 0 or (value == 0 and not f.name.startswith("weight_")):
                raise InvalidInput(f"strength setting {f.name} must be positive: {value!r}")
        if not MIN_HALF_LIFE_DAYS <= self.half_life_days <= MAX_HALF_LIFE_DAYS:
            raise InvalidInput(
                f"half-life of {self.half_life_days:g} days is out of range",
                hint=f"use {MIN_HALF_LIFE_DAYS:g} to {MAX_HALF_LIFE_DAYS:g} days",
            )
        if sum(self.weights(closeness=True).values()) <= 0:
            raise InvalidInput("every strength weight is zero", hint="give at least one component a weight")

    def weights(self, *, closeness: bool) -> dict[str, float]:
        w = {name: float(getattr(self, f"weight_{name}")) for name in COMPONENTS}
        if not closeness:
            w["closeness"] = 0.0
        return w

    def to_dict(self) -> dict[str, float]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> StrengthParams:
        if not data:
            return cls()
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise InvalidInput(
                f"unknown strength setting {unknown[0]!r}", hint=f"known settings: {', '.join(sorted(known))}"
            )
        return cls(**dict(data))


class Component(NamedTuple):
    name: str
    value: float  # 0..1
    weight: float
    points: float  # this component's share of the 0–100 score
    sentence: str


@dataclass(frozen=True, slots=True)
class Explanation:
    score: int
    components: list[Component]

    def as_dict(self) -> dict[str, Any]:
        return {"score": self.score, "components": [c._asdict() for c in self.components]}


def _days(delta: timedelta) -> float:
    return delta.total_seconds() / 86400.0


def _ago(days: float) -> str:
    whole = int(days)
    if whole <= 0:
        return "today"
    if whole == 1:
        return "yesterday"
    return f"{whole} days ago"


def _span(days: float) -> str:
    if days >= 365:
        return f"{days / 365.25:.1f} years"
    if days >= 60:
        return f"{days / 30.44:.0f} months"
    return f"{int(days)} days"


def _start_of(d: date) -> datetime:
    return datetime.combine(d, time(), UTC)


_EPOCH_ORDINAL = EPOCH.toordinal()


def day_of(d: date) -> float:
    """A calendar date as days since the epoch (its start, UTC)."""
    return float(d.toordinal() - _EPOCH_ORDINAL)


def _values(
    n_them: int,
    decay_sum: float,
    half_life: float,
    kinds_mask: int,
    first: float | None,
    last: float | None,
    met: float | None,
    closeness: int | None,
    now: float,
    p: StrengthParams,
) -> tuple[float, ...]:
    """(intensity level, days since last contact or -1, span in days, then the six component values).

    Times are days since the epoch, so the same arithmetic serves one person (``strength``) and everyone
    (``score_rows``) and both give the very same score.
    """
    level = decay_sum * 2.0 ** (-now / half_life) if decay_sum > 0.0 else 0.0
    intensity = level / (level + p.intensity_scale)
    if last is None:
        since, recency = -1.0, 0.0
    else:
        since = now - last
        since = since if since > 0.0 else 0.0
        recency = 2.0 ** (-since / p.recency_half_life_days)
    reciprocity = 1.0 - 2.0 ** (-n_them / p.reciprocity_scale)
    # duration: from the earliest known start to the latest known contact, never past now
    if met is not None:
        first = met if first is None or met < first else first
        last = met if last is None or met > last else last
    span = 0.0
    if first is not None and last is not None:
        span = (now if now < last else last) - first
        span = span if span > 0.0 else 0.0
    duration = span / (span + p.duration_scale_days)
    multiplexity = min(1.0, kinds_mask.bit_count() / p.channels_full)
    close = max(0, min(100, int(closeness))) / 100.0 if closeness is not None else 0.0
    return level, since, span, intensity, recency, reciprocity, duration, multiplexity, close


def _stats_values(
    s: Stats, now: datetime, connected_on: date | None, closeness: int | None, p: StrengthParams
) -> tuple[float, ...]:
    return _values(
        s.n_them,
        s.decay_sum,
        s.half_life_days,
        s.kinds_mask,
        None if s.first_at is None else days_since_epoch(s.first_at),
        None if s.last_at is None else days_since_epoch(s.last_at),
        None if connected_on is None else day_of(connected_on),
        closeness,
        days_since_epoch(now),
        p,
    )


def _total(values: Sequence[float], weights: Sequence[float], total_weight: float) -> int:
    points = 0.0
    for w, value in zip(weights, values, strict=True):
        points += 100.0 * w * (0.0 if value < 0.0 else 1.0 if value > 1.0 else value) / total_weight
    return max(0, min(100, round(points)))


def weight_vectors(p: StrengthParams) -> tuple[list[float], list[float], float, float]:
    """The component weights in ``COMPONENTS`` order with closeness rated and without, and their sums."""
    rated, unrated = p.weights(closeness=True), p.weights(closeness=False)
    w_rated, w_unrated = [rated[c] for c in COMPONENTS], [unrated[c] for c in COMPONENTS]
    return w_rated, w_unrated, sum(w_rated), sum(w_unrated)


def score_rows(
    rows: Iterable[tuple[int, int, float, float, int, float | None, float | None, float | None, int | None]],
    *,
    now: datetime,
    params: StrengthParams | None = None,
) -> dict[int, int]:
    """Everyone's score from plain rows ``(person_id, n_them, decay_sum, half_life_days, kinds_mask, first,
    last, connected_on, closeness)``, times as days since the epoch (``days_since_epoch``, ``day_of``); a person
    without interactions has ``n_them = 0, decay_sum = 0.0, kinds_mask = 0`` and no times. Same as ``score``."""
    p = params or StrengthParams()
    now_d = days_since_epoch(now)
    w_rated, w_unrated, t_rated, t_unrated = weight_vectors(p)
    out: dict[int, int] = {}
    # The arithmetic of ``_values`` and ``_total`` inlined (a function call per person costs more than the
    # score itself at 30,000 people); tests/test_scoring.py checks both give the same scores.
    wi, wr, wc, wd, wm, wk = w_unrated[:6]
    ki = w_rated[5]
    i_scale, r_half, c_scale = p.intensity_scale, p.recency_half_life_days, p.reciprocity_scale
    d_scale, full = p.duration_scale_days, p.channels_full
    factors: dict[float, float] = {}
    for pid, n_them, decay_sum, hl, mask, first, last, met, closeness in rows:
        if decay_sum > 0.0:
            f = factors.get(hl)
            if f is None:
                f = factors[hl] = 2.0 ** (-now_d / hl)
            level = decay_sum * f
            intensity = level / (level + i_scale)
        else:
            intensity = 0.0 / (0.0 + i_scale)
        if last is None:
            recency = 0.0
        else:
            since = now_d - last
            recency = 2.0 ** (-(since if since > 0.0 else 0.0) / r_half)
        reciprocity = 1.0 - 2.0 ** (-n_them / c_scale)
        if met is not None:
            first = met if first is None or met < first else first
            last = met if last is None or met > last else last
        span = 0.0
        if first is not None and last is not None:
            span = (now_d if now_d < last else last) - first
            span = span if span > 0.0 else 0.0
        duration = span / (span + d_scale)
        channels = mask.bit_count() / full
        multiplexity = channels if channels < 1.0 else 1.0
        if closeness is None:
            total, close, wk_ = t_unrated, 0.0, wk
        else:
            c = int(closeness)
            total, close, wk_ = t_rated, (0 if c < 0 else 100 if c > 100 else c) / 100.0, ki
        points = 0.0
        points += 100.0 * wi * (0.0 if intensity < 0.0 else 1.0 if intensity > 1.0 else intensity) / total
        points += 100.0 * wr * (0.0 if recency < 0.0 else 1.0 if recency > 1.0 else recency) / total
        points += 100.0 * wc * (0.0 if reciprocity < 0.0 else 1.0 if reciprocity > 1.0 else reciprocity) / total
        points += 100.0 * wd * (0.0 if duration < 0.0 else 1.0 if duration > 1.0 else duration) / total
        points += 100.0 * wm * multiplexity / total
        points += 100.0 * wk_ * close / total
        value = round(points)
        out[pid] = 0 if value < 0 else 100 if value > 100 else value
    return out


def strength(
    stats: Stats | None,
    *,
    now: datetime,
    connected_on: date | None = None,
    closeness: int | None = None,
    params: StrengthParams | None = None,
) -> Explanation:
    """The score at ``now`` and how it adds up."""
    p = params or StrengthParams()
    s = stats or empty(p.half_life_days)
    level, since, span, *values = _stats_values(s, now, connected_on, closeness, p)
    hl = s.half_life_days
    sentences = [f"{level:.1f} weighted interactions in the last ~{hl:.0f} days (half-life {hl:.0f} d)"]
    sentences.append("no contact yet" if since < 0 else f"last contact {_ago(since)}")
    if s.n_total == 0:
        sentences.append("no interactions yet")
    elif s.n_me + s.n_them == 0:
        sentences.append(f"who started the {s.n_total} interactions is not recorded")
    else:
        sentences.append(f"they started {s.n_them} of {s.n_total}")
    if s.last_at is not None:
        begin = min(t for t in (s.first_at, _start_of(connected_on) if connected_on else None) if t is not None)
        sentences.append(f"in touch over {_span(span)} (since {begin.date().isoformat()})")
    elif connected_on is not None:
        sentences.append(f"connected on {connected_on.isoformat()}, no contact since")
    else:
        sentences.append("no history yet")
    kinds = channels(s.kinds_mask)
    if kinds:
        sentences.append(f"{len(kinds)} {'channel' if len(kinds) == 1 else 'channels'}: {', '.join(kinds)}")
    else:
        sentences.append("no channels yet")
    if closeness is not None:
        sentences.append(f"you rated them {max(0, min(100, int(closeness)))}/100")
    else:
        sentences.append("not rated (set a closeness to blend your own judgement in)")

    weights = p.weights(closeness=closeness is not None)
    w = [weights[c] for c in COMPONENTS]
    total_weight = sum(w)
    components = []
    for name, value, sentence in zip(COMPONENTS, values, sentences, strict=True):
        value = max(0.0, min(1.0, value))
        points = 100.0 * weights[name] * value / total_weight
        components.append(Component(name, value, weights[name], points, sentence))
    return Explanation(score=_total(values, w, total_weight), components=components)


def score(
    stats: Stats | None,
    *,
    now: datetime,
    connected_on: date | None = None,
    closeness: int | None = None,
    params: StrengthParams | None = None,
) -> int:
    """``strength(...).score`` without the sentences."""
    p = params or StrengthParams()
    s = stats or empty(p.half_life_days)
    values = _stats_values(s, now, connected_on, closeness, p)[3:]
    weights = p.weights(closeness=closeness is not None)
    w = [weights[c] for c in COMPONENTS]
    return _total(values, w, sum(w))


def history(
    events: Iterable[Event],
    *,
    start: date,
    end: date,
    step_days: int = 7,
    params: StrengthParams | None = None,
    connected_on: date | None = None,
    closeness: int | None = None,
) -> list[tuple[date, int]]:
    """The score at the end of every ``step_days``-th day from ``start`` to ``end`` (``end`` always included)."""
    if step_days < 1:
        raise InvalidInput(f"bad step of {step_days} days", hint="use 1 or more")
    p = params or StrengthParams()
    ordered = sorted(events, key=lambda e: e[0])
    days: list[date] = []
    d = start
    while d < end:
        days.append(d)
        d += timedelta(days=step_days)
    if start <= end:
        days.append(end)
    out: list[tuple[date, int]] = []
    stats: Stats | None = None
    i = 0
    for day in days:
        moment = datetime.combine(day + timedelta(days=1), time(), UTC) - timedelta(microseconds=1)
        while i < len(ordered) and ordered[i][0] <= moment:
            at, weight, initiator, kind = ordered[i]
            stats = add(stats, at=at, weight=weight, initiator=initiator, kind=kind, half_life_days=p.half_life_days)
            i += 1
        out.append((day, score(stats, now=moment, connected_on=connected_on, closeness=closeness, params=p)))
    return out

"""Running totals of a person's interaction history (the ``person_stats`` row), as a pure value.

The decayed intensity is kept as ``decay_sum = Σ weight · 2^((t − EPOCH) / half_life)``: adding an interaction is
O(1) (no need to re-read the history) and the intensity at any moment ``now`` is
``decay_sum · 2^(−(now − EPOCH) / half_life)``. The exponent grows with time, so the half-life has a floor
(``MIN_HALF_LIFE_DAYS``) that keeps ``2^((t − EPOCH) / half_life)`` a finite float until the 2080s.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from dunbar.vocabulary import INTERACTION_KINDS

EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
DAY_SECONDS = 86400.0
MIN_HALF_LIFE_DAYS = 30.0
MAX_HALF_LIFE_DAYS = 3650.0

KIND_BITS = {kind: 1 << i for i, kind in enumerate(INTERACTION_KINDS)}


def days_since_epoch(at: datetime) -> float:
    if at.tzinfo is None:
        raise ValueError("scoring needs timezone-aware times")
    return (at - EPOCH).total_seconds() / DAY_SECONDS


def decay_term(at: datetime, weight: float, half_life_days: float) -> float:
    """One interaction's share of ``decay_sum``; every writer uses this so that sums agree to the last bit."""
    return weight * 2.0 ** (days_since_epoch(at) / half_life_days)


EPOCH_MICROS = (EPOCH - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)


def decay_term_micros(micros: int, weight: float, half_life_days: float) -> float:
    """``decay_term`` of the time ``micros`` (microseconds since 1970, UTC), to the same last bit: a timedelta's
    ``total_seconds()`` is its microseconds divided by 10⁶, which is what this divides."""
    return weight * 2.0 ** (((micros - EPOCH_MICROS) / 1_000_000) / DAY_SECONDS / half_life_days)


def decay_factor(now: datetime, half_life_days: float) -> float:
    """What turns ``decay_sum`` into the decayed intensity at ``now``."""
    return 2.0 ** (-days_since_epoch(now) / half_life_days)


def kind_bit(kind: str) -> int:
    return KIND_BITS.get(kind, 0)


def channels(kinds_mask: int) -> list[str]:
    return [kind for kind, bit in KIND_BITS.items() if kinds_mask & bit]


@dataclass(frozen=True, slots=True)
class Stats:
    """Mirrors a ``person_stats`` row (without the person id)."""

    n_total: int = 0
    n_me: int = 0
    n_them: int = 0
    weight_total: float = 0.0
    decay_sum: float = 0.0
    half_life_days: float = 90.0
    kinds_mask: int = 0
    first_at: datetime | None = None
    last_at: datetime | None = None

    def intensity(self, now: datetime) -> float:
        """Weighted interactions, each counted ``2^(−age / half-life)``: the decayed frequency at ``now``."""
        if self.decay_sum <= 0.0:
            return 0.0
        return self.decay_sum * decay_factor(now, self.half_life_days)


def empty(half_life_days: float) -> Stats:
    return Stats(half_life_days=half_life_days)


def add(
    stats: Stats | None,
    *,
    at: datetime,
    weight: float,
    initiator: str | None,
    kind: str,
    half_life_days: float | None = None,
) -> Stats:
    """``stats`` with one more interaction. ``half_life_days`` must match the stats' own (or start new ones)."""
    if stats is None:
        stats = empty(half_life_days if half_life_days is not None else 90.0)
    elif half_life_days is not None and not math.isclose(half_life_days, stats.half_life_days):
        raise ValueError("these stats were summed with another half-life; recompute them")
    return replace(
        stats,
        n_total=stats.n_total + 1,
        n_me=stats.n_me + (initiator == "me"),
        n_them=stats.n_them + (initiator == "them"),
        weight_total=stats.weight_total + weight,
        decay_sum=stats.decay_sum + decay_term(at, weight, stats.half_life_days),
        kinds_mask=stats.kinds_mask | kind_bit(kind),
        first_at=at if stats.first_at is None or at < stats.first_at else stats.first_at,
        last_at=at if stats.last_at is None or at > stats.last_at else stats.last_at,
    )

"""Cadence: how often the user wants to be in touch with a person, and how overdue they are.

Each circle has a default cadence, an *ideal* interval (when a touch becomes welcome) and a *maximum* one (when
the tie starts to suffer). The defaults follow Dunbar's layers: the closer the layer, the more often:

======== ===== ======= ====================================================
circle   ideal maximum why
======== ===== ======= ====================================================
inner        7      14 the few people one talks to every week
close       21      45 every few weeks; a month and a half is a long silence
active      45      90 about every other month
network     90     180 a quarterly touch keeps a professional tie alive
acquaint.  180     365 twice a year; once a year at the least
dormant      —       — no cadence: dormant ties come back through ``dunbar dormant``
======== ===== ======= ====================================================

People without a circle have no cadence either (the agenda still brings them up for a birthday, a new job or a
promise). The setting "cadence" (JSON ``{circle: [ideal, max]}``, or ``null`` for no cadence) replaces the
defaults of the circles it names; a person's own ``cadence_ideal_days``/``cadence_max_days`` win over both.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from dunbar.errors import InvalidInput
from dunbar.vocabulary import CIRCLES

SETTING_KEY = "cadence"

DEFAULT_CADENCES: dict[str, tuple[int, int] | None] = {
    "inner": (7, 14),
    "close": (21, 45),
    "active": (45, 90),
    "network": (90, 180),
    "acquaintance": (180, 365),
    "dormant": None,
}

# How a circle is named in a reason: "every 3 weeks for close friends".
CIRCLE_PHRASES = {
    "inner": "your inner circle",
    "close": "close friends",
    "active": "active contacts",
    "network": "your network",
    "acquaintance": "acquaintances",
    "dormant": "dormant ties",
}

CadenceTable = Mapping[str, tuple[int, int] | None]


@dataclass(frozen=True, slots=True)
class Cadence:
    ideal_days: int
    max_days: int
    circle: str | None  # the circle it comes from; None when set for the person
    own: bool = False  # set for this person rather than taken from their circle

    def describe(self) -> str:
        """``every 3 weeks for close friends``; ``every 2 weeks, as you set for them``."""
        every = interval(self.ideal_days)
        if self.own or self.circle is None:
            return f"{every}, as you set for them"
        return f"{every} for {CIRCLE_PHRASES.get(self.circle, self.circle)}"


def interval(days: int) -> str:
    """``every week``, ``every 3 weeks``, ``every 2 months``, ``every year``, ``every 10 days``."""
    for unit, size in (("year", 365), ("month", 30), ("week", 7)):
        if days >= size and days % size == 0:
            n = days // size
            return f"every {unit}" if n == 1 else f"every {n} {unit}s"
    return "every day" if days == 1 else f"every {days} days"


def _pair(circle: str, value: Any) -> tuple[int, int] | None:
    if value is None:
        return None
    bad = InvalidInput(
        f"the cadence of {circle!r} must be [ideal days, maximum days], not {value!r}",
        hint='e.g. {"close": [21, 45]}, or null for no cadence',
    )
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise bad
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        raise bad
    ideal, most = int(value[0]), int(value[1])
    check(ideal, most)
    return ideal, most


def check(ideal: int | None, most: int | None) -> None:
    """A cadence must be at least a day and its maximum no shorter than its ideal."""
    if (ideal is not None and ideal < 1) or (most is not None and most < 1):
        raise InvalidInput("a cadence is at least 1 day", hint="give the number of days, like 21")
    if ideal is not None and most is not None and most < ideal:
        raise InvalidInput(
            f"the maximum interval ({most} days) is shorter than the ideal one ({ideal} days)",
            hint="the maximum is the longest silence you accept; make it at least the ideal",
        )


def table(setting: Mapping[str, Any] | None) -> dict[str, tuple[int, int] | None]:
    """The cadence of every circle: the defaults with the setting "cadence" laid over them."""
    out = dict(DEFAULT_CADENCES)
    if not setting:
        return out
    if not isinstance(setting, Mapping):
        raise InvalidInput("the cadence setting must be a JSON object", hint='like {"close": [21, 45]}')
    for circle, value in setting.items():
        if circle not in CIRCLES:
            raise InvalidInput(f"unknown circle {circle!r} in the cadence setting", hint=f"use {', '.join(CIRCLES)}")
        out[circle] = _pair(circle, value)
    return out


def cadence_for(
    circle: str | None, ideal_days: int | None, max_days: int | None, circles: CadenceTable | None = None
) -> Cadence | None:
    """A person's cadence: their own days where set (a missing half taken from the circle, or doubled/halved),
    else their circle's; None when neither gives one."""
    base = (circles if circles is not None else DEFAULT_CADENCES).get(circle) if circle else None
    if ideal_days is None and max_days is None:
        return None if base is None else Cadence(base[0], base[1], circle)
    ideal = ideal_days if ideal_days is not None else (base[0] if base else max(1, int(max_days or 2) // 2))
    most = max_days if max_days is not None else (base[1] if base else ideal * 2)
    return Cadence(ideal, max(ideal, most), circle, own=True)


def due(last_contact: date | None, cadence: Cadence, today: date) -> tuple[int | None, int, int]:
    """(days since the last contact, days overdue against the ideal, days overdue against the maximum).

    Overdue counts are never negative; with no contact at all there is nothing to be overdue from
    (callers may pass the day the relationship started instead).
    """
    if last_contact is None:
        return None, 0, 0
    since = max(0, (today - last_contact).days)
    return since, max(0, since - cadence.ideal_days), max(0, since - cadence.max_days)


def pressure(days_since: int | None, cadence: Cadence) -> float:
    """How pressing the next touch is: 0 up to the ideal interval, 1 at the maximum, growing slowly past it
    (capped at 2, so a tie silent for years does not drown everything else)."""
    if days_since is None or days_since <= cadence.ideal_days:
        return 0.0
    span = max(1, cadence.max_days - cadence.ideal_days)
    over = (days_since - cadence.ideal_days) / span
    if over <= 1.0:
        return over
    # past the maximum: another full span adds half a point, up to 2
    return min(2.0, 1.0 + 0.5 * (over - 1.0))

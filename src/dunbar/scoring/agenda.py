"""The daily agenda and dormant ties, as pure ranking: who to reach out to today, why, and what reviving a quiet
tie is worth. No I/O; ``today`` is always a parameter (the service in ``dunbar.agenda`` gathers the facts).

A suggestion's priority adds up what makes *now* the moment, scaled by how much the person matters:

- overdue: ``40 × pressure`` against their cadence (0 up to the ideal interval, 40 at the maximum, up to 80);
- strength at risk: a strong tie that is overdue loses the most (``0.4 × strength × min(1, pressure)``), and a
  score that fell in the last month counts its fall, with a bonus for crossing below ``STRENGTH_FLOOR``;
- events: a promise due (``FOLLOW_UP_POINTS``; such people always make the list), an important date within a
  week (more the sooner), a new job in the last two months, a work anniversary, a favour not given back, a
  connection made in the last month with no contact since;
- importance: ``0.4 + `` the circle's weight, blended half and half with the user's closeness when set.

It does not nag: someone suggested before and not contacted since is pushed down (priority × ``NAG_FACTOR``)
for ``backoff_days(times_suggested)`` days — 3, 6, 12, … up to 30 — after which they may come back.
Ties are broken by a hash of (date, person id): the same day gives the same order, another day shuffles them.
"""

from __future__ import annotations

import calendar
import hashlib
import heapq
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from dunbar.scoring.cadence import Cadence, due, pressure

STRENGTH_FLOOR = 30
STRENGTH_LOOKBACK_DAYS = 30
DATE_WINDOW_DAYS = 7
NEW_JOB_DAYS = 60
NEW_CONNECTION_DAYS = 30
OVERDUE_POINTS = 40.0
FOLLOW_UP_POINTS = 100.0
NAG_FACTOR = 0.25

CIRCLE_WEIGHT = {
    "inner": 1.0,
    "close": 0.85,
    "active": 0.65,
    "network": 0.45,
    "acquaintance": 0.3,
    "dormant": 0.15,
}
NO_CIRCLE_WEIGHT = 0.2


@dataclass(frozen=True, slots=True)
class DueFollowUp:
    id: int
    text: str
    due_on: date


@dataclass(frozen=True, slots=True)
class DateEvent:
    """An important date coming up: a birthday, an anniversary, a work anniversary (``organization`` set)."""

    kind: str
    on: date
    label: str | None = None
    years: int | None = None  # how many years it will be, when the year is known
    organization: str | None = None


@dataclass(frozen=True, slots=True)
class NewJob:
    organization: str
    title: str | None
    started_on: date


@dataclass(slots=True)
class Candidate:
    """What the agenda knows about one person."""

    person_id: int
    circle: str | None = None
    closeness: int | None = None
    cadence: Cadence | None = None
    last_contact: date | None = None
    connected_on: date | None = None
    strength: int = 0
    strength_before: int | None = None  # ``STRENGTH_LOOKBACK_DAYS`` ago, where it may have fallen since
    follow_ups: list[DueFollowUp] = field(default_factory=list)
    dates: list[DateEvent] = field(default_factory=list)
    new_job: NewJob | None = None
    favour: str | None = None  # a favour I have not given back, said as a sentence
    new_connection: bool = False  # connected lately (``connected_on``) and not in touch since
    times_suggested: int = 0
    last_suggested_on: date | None = None


@dataclass(frozen=True, slots=True)
class Suggestion:
    person_id: int
    priority: float
    reasons: list[str]
    overdue_days: int  # against the ideal interval; 0 when not overdue
    must: bool  # a promise is due: always on the list
    backed_off: bool  # suggested lately and pushed down so as not to nag


# Calendar helpers ----------------------------------------------------------------------------------------


def occurrence(month: int, day: int, year: int) -> date:
    """(month, day) in ``year``; 29 February falls on the 28th in other years."""
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(day, last))


def next_occurrence(month: int, day: int, today: date) -> date:
    """The next time (month, day) comes round, today included."""
    this_year = occurrence(month, day, today.year)
    return this_year if this_year >= today else occurrence(month, day, today.year + 1)


def day_phrase(on: date, today: date) -> str:
    """``today``, ``tomorrow``, ``on Friday`` (within the week ahead), else ``on 2026-12-03``."""
    days = (on - today).days
    if days == 0:
        return "today"
    if days == 1:
        return "tomorrow"
    if 1 < days < 7:
        return f"on {on.strftime('%A')}"
    return f"on {on.isoformat()}"


def ago(days: int) -> str:
    """``today``, ``yesterday``, ``5 days ago``, ``3 weeks ago``, ``4 months ago``, ``2 years ago``."""
    if days <= 0:
        return "today"
    if days == 1:
        return "yesterday"
    if days < 14:
        return f"{days} days ago"
    if days < 60:
        return f"{days // 7} weeks ago"
    if days < 730:
        return f"{days // 30} months ago"
    return f"{days // 365} years ago"


def tiebreak(today: date, person_id: int) -> int:
    """A per-day shuffle that is the same on every run and machine (unlike ``hash``)."""
    digest = hashlib.blake2b(f"{today.isoformat()}:{person_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def backoff_days(times_suggested: int) -> int:
    """How long someone suggested ``times_suggested`` times in a row without a touch stays pushed down."""
    if times_suggested <= 0:
        return 0
    return min(30, 3 * 2 ** min(times_suggested - 1, 4))


def importance(circle: str | None, closeness: int | None) -> float:
    weight = CIRCLE_WEIGHT.get(circle, NO_CIRCLE_WEIGHT) if circle else NO_CIRCLE_WEIGHT
    if closeness is None:
        return weight
    return 0.5 * weight + 0.5 * max(0, min(100, closeness)) / 100.0


# Sentences ------------------------------------------------------------------------------------------------


def promise(text: str, due_on: date, today: date) -> str:
    """``you promised to send the article (due today)``."""
    clean = " ".join(text.split()).rstrip(".")
    lowered = clean[:1].lower() + clean[1:]
    if lowered.startswith("to "):
        sentence = f"you promised {lowered}"
    elif clean[:1].islower():
        sentence = f"you promised to {clean}"
    else:
        sentence = f"follow-up: {clean}"
    days = (today - due_on).days
    when = "due today" if days == 0 else "due yesterday" if days == 1 else f"due {days} days ago"
    return f"{sentence} ({when})"


def date_reason(event: DateEvent, today: date) -> str:
    when = day_phrase(event.on, today)
    if event.organization is not None:
        years = f"{event.years} years" if event.years and event.years != 1 else "a year"
        return f"{years} at {event.organization} {when}"
    if event.kind == "birthday":
        turns = f" (turns {event.years})" if event.years else ""
        return f"birthday {when}{turns}"
    name = event.label or event.kind
    return f"{name} {when}"


# The agenda -----------------------------------------------------------------------------------------------


def assess(c: Candidate, today: date) -> Suggestion:
    """Why now, and how pressing: a priority of 0 means there is nothing to say today."""
    reasons: list[str] = []
    points = 0.0
    overdue_days = 0
    press = 0.0
    for f in sorted(c.follow_ups, key=lambda f: (f.due_on, f.id)):
        reasons.append(promise(f.text, f.due_on, today))
    must = bool(c.follow_ups)
    if must:
        points += FOLLOW_UP_POINTS
    if c.cadence is not None:
        since_contact = c.last_contact if c.last_contact is not None else c.connected_on
        since, overdue_days, _ = due(since_contact, c.cadence, today)
        press = pressure(since, c.cadence)
        if overdue_days > 0:
            if c.last_contact is None:
                reasons.append(f"no contact since you connected {ago(since or 0)} ({c.cadence.describe()})")
            else:
                reasons.append(f"overdue by {overdue_days} days ({c.cadence.describe()})")
            points += OVERDUE_POINTS * press
            # A strong tie that goes quiet has the most to lose.
            points += 0.4 * c.strength * min(1.0, press)
    if c.strength_before is not None and c.strength_before > c.strength:
        fall = c.strength_before - c.strength
        points += fall
        if c.strength < STRENGTH_FLOOR <= c.strength_before:
            points += 10.0
            reasons.append(f"strength fell below {STRENGTH_FLOOR} (from {c.strength_before} a month ago)")
    for event in sorted(c.dates, key=lambda e: (e.on, e.kind)):
        soon = DATE_WINDOW_DAYS - (event.on - today).days
        points += (10.0 if event.organization else 20.0) + 2.0 * max(0, soon)
        reasons.append(date_reason(event, today))
    if c.new_job is not None:
        points += 20.0
        job = c.new_job
        title = f" as {job.title}" if job.title else ""
        reasons.append(f"started a new job at {job.organization}{title} ({ago((today - job.started_on).days)})")
    if c.favour:
        points += 15.0
        reasons.append(c.favour)
    if c.new_connection and c.connected_on is not None:
        # Connected is not the end: a first message while they still remember the meeting.
        points += 15.0
        reasons.append(f"connected {ago((today - c.connected_on).days)} and not in touch since")
    priority = points * (0.4 + importance(c.circle, c.closeness))
    backed_off = False
    if not must and c.last_suggested_on is not None and c.last_suggested_on < today:
        untouched = c.last_contact is None or c.last_contact < c.last_suggested_on
        if untouched and (today - c.last_suggested_on).days <= backoff_days(c.times_suggested):
            priority *= NAG_FACTOR
            backed_off = True
    if not reasons:
        priority = 0.0
    return Suggestion(c.person_id, round(priority, 3), reasons, overdue_days, must, backed_off)


def rank(candidates: Iterable[Candidate], *, today: date, limit: int, pinned: Sequence[int] = ()) -> list[Suggestion]:
    """The day's list: everyone with a promise due, those already chosen today (``pinned``, so that a rerun
    gives the same people), then the most pressing others up to ``limit`` people in all.

    The pinned keep their place even if their priority changed since; someone acted on (done, snoozed,
    skipped) is simply not a candidate any more, which frees a slot for the next.
    """
    assessed = [assess(c, today) for c in candidates]
    by_id = {s.person_id: s for s in assessed}
    order = sorted(
        (s for s in assessed if s.priority > 0),
        key=lambda s: (not s.must, -s.priority, tiebreak(today, s.person_id)),
    )
    chosen: dict[int, Suggestion] = {s.person_id: s for s in order if s.must}
    for pid in pinned:
        s = by_id.get(pid)
        if s is not None and s.reasons and pid not in chosen:
            chosen[pid] = s
    for s in order:
        if len(chosen) >= limit:
            break
        chosen.setdefault(s.person_id, s)
    return sorted(chosen.values(), key=lambda s: (not s.must, -s.priority, tiebreak(today, s.person_id)))


# Dormant ties ---------------------------------------------------------------------------------------------

NEVER = "never-contacted"
QUIET = "quiet-weak-tie"
WEAK_CIRCLES = (None, "network", "acquaintance", "dormant")
QUIET_FROM_DAYS = 182  # six months
QUIET_TO_DAYS = 730  # two years


@dataclass(frozen=True, slots=True)
class Tie:
    """What ``dunbar dormant`` knows about a person who might be worth reviving."""

    person_id: int
    circle: str | None
    closeness: int | None
    connected_on: date | None
    last_contact: date | None
    n_them: int = 0  # how often they started a conversation
    n_total: int = 0
    organization: str | None = None  # where they work now
    colleagues: int = 0  # my other contacts who work there now


@dataclass(frozen=True, slots=True)
class Revival:
    person_id: int
    kind: str  # NEVER or QUIET
    value: float  # 0..100: what reviving the tie is worth
    reasons: list[str]


def novelty(organization: str | None, colleagues: int) -> float:
    """Weak ties carry new information when they sit where the rest of my network does not: 1 when nobody
    else I know works there, falling as more do; an unknown employer counts as middling."""
    if organization is None:
        return 0.4
    return 1.0 / (1.0 + colleagues / 4.0)


def kind_of(t: Tie, today: date) -> str | None:
    """Whether a person is a dormant tie, and which kind: connected and never contacted since, or a weak tie
    with some past reciprocity gone quiet 6–24 months ago."""
    if (
        t.connected_on is not None
        and t.connected_on <= today
        and (t.last_contact is None or t.last_contact < t.connected_on)
    ):
        return NEVER
    if t.last_contact is None or t.circle not in WEAK_CIRCLES or t.n_them < 1:
        return None
    quiet = (today - t.last_contact).days
    return QUIET if QUIET_FROM_DAYS <= quiet <= QUIET_TO_DAYS else None


def _worth(t: Tie, today: date) -> tuple[str, float] | None:
    """A dormant tie's kind and what reviving it is worth (0..100); None when it is not a dormant tie."""
    kind = kind_of(t, today)
    if kind is None:
        return None
    new = novelty(t.organization, t.colleagues)
    matters = importance(t.circle, t.closeness)
    if kind == NEVER:
        assert t.connected_on is not None
        age = (today - t.connected_on).days
        # A fresh connection still remembers you; after a couple of years a first message is a cold one.
        fresh = 1.0 if age <= 90 else 2.0 ** (-(age - 90) / 365.0)
        value = 0.4 * fresh + 0.3 * new + 0.3 * matters
    else:
        assert t.last_contact is not None
        quiet = (today - t.last_contact).days
        reciprocity = 1.0 - 2.0 ** (-t.n_them / 3.0)
        ease = 1.0 - (quiet - QUIET_FROM_DAYS) / (QUIET_TO_DAYS - QUIET_FROM_DAYS)
        value = 0.35 * reciprocity + 0.3 * new + 0.15 * ease + 0.2 * matters
    return kind, round(100.0 * max(0.0, min(1.0, value)), 1)


def revival(t: Tie, today: date) -> Revival | None:
    """What reviving a dormant tie is worth (0..100) and why; None when it is not a dormant tie."""
    worth = _worth(t, today)
    if worth is None:
        return None
    kind, value = worth
    new = novelty(t.organization, t.colleagues)
    reasons: list[str] = []
    if kind == NEVER:
        assert t.connected_on is not None
        age = (today - t.connected_on).days
        reasons.append(f"connected {ago(age)} ({t.connected_on.isoformat()}) and never in touch since")
    else:
        assert t.last_contact is not None
        reasons.append(f"went quiet: last contact {ago((today - t.last_contact).days)}")
        started = "once" if t.n_them == 1 else f"{t.n_them} times"
        reasons.append(f"they reached out {started} before")
    if t.organization is not None and new >= 0.5:
        others = "none of your other contacts" if t.colleagues == 0 else f"only {t.colleagues} of your contacts"
        reasons.append(f"at {t.organization}, where {others} work: a window on new information")
    return Revival(t.person_id, kind, value, reasons)


def rank_dormant(ties: Iterable[Tie], *, today: date, limit: int) -> list[Revival]:
    """The dormant ties most worth reviving first (ties broken per day, as on the agenda).

    Every tie is valued, but only those that can make the list (a value at least the ``limit``-th highest) get
    their per-day tiebreak, and only the listed get their reasons."""
    valued = [(w[1], t) for t in ties if (w := _worth(t, today)) is not None]
    if 0 < limit < len(valued):
        last = heapq.nlargest(limit, (v for v, _ in valued))[-1]
        valued = [(v, t) for v, t in valued if v >= last]
    valued.sort(key=lambda vt: (-vt[0], tiebreak(today, vt[1].person_id)))
    found = [revival(t, today) for _, t in valued[:limit]]
    return [r for r in found if r is not None]


def upcoming_dates(
    rows: Iterable[tuple[str, str | None, int | None, int, int]], today: date, days: int = DATE_WINDOW_DAYS
) -> list[DateEvent]:
    """Important dates ``(kind, label, year, month, day)`` that come round within ``days`` from today."""
    out = []
    end = today + timedelta(days=days)
    for kind, label, year, month, day in rows:
        try:
            on = next_occurrence(int(month), int(day), today)
        except ValueError:
            continue  # an impossible stored date (month 13) is not worth failing the agenda for
        if on <= end:
            years = on.year - int(year) if year else None
            out.append(DateEvent(kind, on, label, years if years and years > 0 else None))
    return out


def work_anniversary(
    organization: str, started_on: date, today: date, days: int = DATE_WINDOW_DAYS
) -> DateEvent | None:
    """A current job's anniversary within ``days`` (a year or more in), else None."""
    on = next_occurrence(started_on.month, started_on.day, today)
    years = on.year - started_on.year
    if years < 1 or (on - today).days > days:
        return None
    return DateEvent("work anniversary", on, None, years, organization)

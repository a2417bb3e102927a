"""The favour balance: who owes whom, and why, from a person's favours (pure: no I/O, ``today`` is a parameter).

How a favour counts:

- its **weight**: small 1, medium 2, large 3;
- its **status**: done counts in full; promised half (the promise itself is worth something, and is owed);
  asked a quarter (asking spends goodwill even before anything is given); declined not at all;
- its **age**: halved every ``half_life_days`` (365 by default), from the day it was done, promised or asked, so
  that ancient history counts less but never quite vanishes.

``given`` and ``received`` are the sums of the favours in each direction; ``net = given - received``. A positive
net means they owe me, a negative one that I owe them; within ``EVEN_BELOW`` of zero we are even (one small
favour a year and a half old is not a debt worth a reminder).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date

HALF_LIFE_DAYS = 365.0
STATUS_SHARE = {"done": 1.0, "promised": 0.5, "asked": 0.25, "declined": 0.0}
EVEN_BELOW = 0.5
WEIGHT_WORDS = {1: "small", 2: "medium", 3: "large"}

# What each kind of favour is called in a sentence; unknown kinds read "a favour (KIND)".
_NOUNS = {
    "introduction": "an introduction",
    "referral": "a referral",
    "advice": "advice",
    "recommendation": "a recommendation",
    "feedback": "feedback",
    "job-lead": "a job lead",
    "time": "some of their time",
    "other": "a favour",
}
# Kinds whose "to X" names where the favour led (the people introduced to, or the note: "Acme").
_TARGETED = frozenset({"introduction", "referral"})


@dataclass(frozen=True)
class Entry:
    """One favour as the balance sees it. ``on`` is the day it was done, promised or asked (by its status);
    ``target`` says what it led to (names of the people introduced to, or a short note), if anything."""

    direction: str  # given, received
    kind: str
    status: str
    weight: int
    on: date
    target: str | None = None
    id: int = 0


@dataclass(frozen=True)
class Tally:
    given: float
    received: float

    @property
    def net(self) -> float:
        return self.given - self.received

    @property
    def owed_by(self) -> str | None:
        """``"me"`` when I owe them, ``"them"`` when they owe me, ``None`` when we are even."""
        if self.net <= -EVEN_BELOW:
            return "me"
        if self.net >= EVEN_BELOW:
            return "them"
        return None


def value(entry: Entry, *, today: date, half_life_days: float = HALF_LIFE_DAYS) -> float:
    """What one favour counts today: weight × status share × 2^(−age / half-life); a future date counts as today."""
    age = max(0, (today - entry.on).days)
    return entry.weight * STATUS_SHARE.get(entry.status, 0.0) * 0.5 ** (age / half_life_days)


def tally(entries: Iterable[Entry], *, today: date, half_life_days: float = HALF_LIFE_DAYS) -> Tally:
    given = received = 0.0
    for e in entries:
        v = value(e, today=today, half_life_days=half_life_days)
        if e.direction == "given":
            given += v
        else:
            received += v
    return Tally(given=given, received=received)


def swapped(entry: Entry) -> Entry:
    """The same favour in the other direction (for tests and for reading a favour from the other side)."""
    return replace(entry, direction="received" if entry.direction == "given" else "given")


def ago(days: int) -> str:
    """``today``, ``yesterday``, ``5 days ago``, ``3 weeks ago``, ``4 months ago``, ``2 years ago``."""
    if days <= 0:
        return "today"
    if days == 1:
        return "yesterday"
    if days < 14:
        return f"{days} days ago"
    if days < 60:
        return f"{round(days / 7)} weeks ago"
    if days < 365:
        months = round(days / 30.44)
        return f"{months} months ago" if months < 12 else "a year ago"
    years = round(days / 365.25)
    return "a year ago" if years <= 1 else f"{years} years ago"


def noun(entry: Entry) -> str:
    base = _NOUNS.get(entry.kind, f"a favour ({entry.kind})")
    if entry.target and entry.kind in _TARGETED:
        return f"{base} to {entry.target}"
    return base


def phrase(entry: Entry, name: str) -> str:
    """The favour as a clause about ``name`` and "you": "Ana introduced you to Acme", "you asked Ana for advice"."""
    received = entry.direction == "received"
    target = f" to {entry.target}" if entry.target else ""
    if entry.status == "asked":
        return f"you asked {name} for {noun(entry)}" if received else f"{name} asked you for {noun(entry)}"
    if entry.status == "promised":
        return f"{name} promised you {noun(entry)}" if received else f"you promised {name} {noun(entry)}"
    if entry.status == "declined":
        return (
            f"{name} declined your ask for {noun(entry)}"
            if received
            else f"you declined {name}'s ask for {noun(entry)}"
        )
    if entry.kind == "introduction":
        return f"{name} introduced you{target}" if received else f"you introduced {name}{target}"
    if entry.kind == "referral":
        return f"{name} referred you{target}" if received else f"you referred {name}{target}"
    if entry.kind == "recommendation":
        return f"{name} recommended you" if received else f"you recommended {name}"
    if entry.kind == "time":
        return f"{name} gave you their time" if received else f"you gave {name} your time"
    if entry.kind == "job-lead":
        return f"{name} passed you a job lead" if received else f"you passed {name} a job lead"
    if entry.kind == "other" or entry.kind not in _NOUNS:
        extra = "" if entry.kind == "other" else f" ({entry.kind})"
        return f"{name} did you a favour{extra}" if received else f"you did {name} a favour{extra}"
    return f"{name} gave you {noun(entry)}" if received else f"you gave {name} {noun(entry)}"


def told(entry: Entry, name: str, *, today: date) -> str:
    """The clause with its age: "Ana introduced you to Acme 3 months ago"."""
    return f"{phrase(entry, name)} {ago((today - entry.on).days)}"


def _counts(e: Entry) -> bool:
    return STATUS_SHARE.get(e.status, 0.0) > 0


def reason(entries: Sequence[Entry], owed_by: str | None) -> Entry | None:
    """The favour that best explains the balance: the newest one that counts in the owing direction (any that
    counts when even), a done one before one only asked or promised."""
    want = {"me": "received", "them": "given"}.get(owed_by or "")
    pool = [e for e in entries if _counts(e) and (want is None or e.direction == want)]
    return max(pool, key=lambda e: (e.status == "done", e.on, e.id), default=None)


def sentence(name: str, t: Tally, why: Entry | None, *, today: date) -> str:
    """ "you owe Ana (Ana introduced you to Acme 3 months ago)", "Bo owes you (…)", "you and Ana are even"."""
    because = f" ({told(why, name, today=today)})" if why is not None else ""
    if t.owed_by == "me":
        return f"you owe {name}{because}"
    if t.owed_by == "them":
        return f"{name} owes you{because}"
    if why is None:
        return f"no favours with {name} yet"
    return f"you and {name} are even{because}"


def unreturned(entries: Sequence[Entry], *, today: date, min_age_days: int = 30) -> tuple[Entry, bool] | None:
    """The received favour to give back for, and whether I have given nothing since it: among done favours
    received at least ``min_age_days`` ago, those after my last done favour to them come first, then the
    largest, then the oldest. None when no received favour is that old."""
    last_given = max((e.on for e in entries if e.direction == "given" and e.status == "done"), default=None)
    old = [
        e for e in entries if e.direction == "received" and e.status == "done" and (today - e.on).days >= min_age_days
    ]
    if not old:
        return None

    def since(e: Entry) -> bool:
        return last_given is None or e.on > last_given

    best = min(old, key=lambda e: (not since(e), -e.weight, e.on, e.id))
    return best, since(best)

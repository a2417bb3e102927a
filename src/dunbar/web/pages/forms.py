"""Turning what a form sent into the values the services take: blanks are "not given", never errors."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from dunbar.errors import InvalidInput
from dunbar.web.deps import Clock

# "Not contacted in …" choices of the people filter, in days.
OVERDUE_CHOICES = (("", "any time"), ("30", "a month"), ("90", "3 months"), ("180", "6 months"), ("365", "a year"))


def blank(value: str | None) -> str | None:
    """The text, stripped, or None when nothing was typed."""
    if value is None:
        return None
    text = value.strip()
    return text or None


def optional_int(value: str | None, what: str) -> int | None:
    text = blank(value)
    if text is None:
        return None
    try:
        return int(text)
    except ValueError:
        raise InvalidInput(f"{what} must be a whole number, not {text!r}") from None


def optional_date(value: str | None, what: str) -> date | None:
    text = blank(value)
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"{what} is not a date: {text!r}", hint="use YYYY-MM-DD") from None


def since(overdue: str | None, clock: Clock) -> date | None:
    """The day of "not contacted since" for an overdue choice such as "90"."""
    days = optional_int(overdue, "overdue")
    return None if days is None else clock.today - timedelta(days=days)


def moment(day: date | None, clock: Clock) -> datetime:
    """When something logged for ``day`` happened: now for today (or no day), else noon of that day locally."""
    if day is None or day == clock.today:
        return clock.now
    return datetime.combine(day, time(12, 0)).astimezone().astimezone(clock.now.tzinfo)


def split_list(value: str | None) -> list[str]:
    """Comma- or line-separated values, each stripped, blanks dropped."""
    if not value:
        return []
    return [part.strip() for part in value.replace("\n", ",").split(",") if part.strip()]

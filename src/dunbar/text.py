"""Pure text helpers: folding for search and name matching, parsing of durations and dates."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, timedelta

from dunbar.errors import InvalidInput

_WORD = re.compile(r"[0-9a-z]+")


def fold(text: str) -> str:
    """Case- and accent-insensitive form used for matching: "Łukasz Żółw" -> "lukasz zolw".

    ``anyascii`` transliterates letters that have no Unicode decomposition (ł, ø, ß, đ) which NFKD alone
    leaves alone; pure ASCII takes the fast path because imports fold hundreds of thousands of strings.
    """
    if not text:
        return ""
    if not text.isascii():
        from anyascii import anyascii

        text = anyascii(unicodedata.normalize("NFC", text))
    return " ".join(text.lower().split())


def words(text: str) -> list[str]:
    """The folded alphanumeric words of a text."""
    return _WORD.findall(fold(text))


def search_body(text: str) -> str:
    """The form a text is indexed in for search: its folded words, space-separated (see ``dunbar.search``)."""
    return " ".join(_WORD.findall(fold(text)))


_DURATION = re.compile(r"^\s*(\d+)\s*(d|day|days|w|wk|week|weeks|m|mo|month|months|y|yr|year|years)\s*$", re.I)


def parse_duration(text: str) -> timedelta:
    """``3d``, ``2w``, ``1m`` (30 days), ``1y`` (365 days)."""
    m = _DURATION.match(text or "")
    if not m:
        raise InvalidInput(f"not a duration: {text!r}", hint="use a number and a unit, like 3d, 2w, 1m or 1y")
    n, unit = int(m.group(1)), m.group(2).lower()
    days = {"d": 1, "w": 7, "m": 30, "y": 365}[unit[0]]
    return timedelta(days=n * days)


def parse_date(text: str, *, today: date | None = None) -> date:
    """An ISO date, or ``today``/``yesterday``, or a relative ``3d ago``."""
    s = (text or "").strip().lower()
    base = today or date.today()
    if s == "today":
        return base
    if s == "yesterday":
        return base - timedelta(days=1)
    if s.endswith(" ago"):
        return base - parse_duration(s[:-4])
    try:
        return date.fromisoformat(s)
    except ValueError:
        raise InvalidInput(f"not a date: {text!r}", hint="use YYYY-MM-DD, today, yesterday or like 3d ago") from None

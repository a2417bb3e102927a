"""The iCalendar reminder feed (RFC 5545): follow-ups, important dates and today's agenda, for any calendar app.

- every open follow-up due within the next ``days`` (overdue ones too) is an all-day event on its day with a
  reminder at 9:00;
- every birthday and anniversary is a yearly all-day event (``RRULE:FREQ=YEARLY``; 29 February falls on the
  last day of February in other years);
- today's agenda suggestions are all-day events today.

UIDs come from what the event is about (the follow-up's uid, the person's uid and the kind of date), never
from the run, so a calendar that subscribes to the file updates its events instead of adding copies. Lines
end in CRLF and are folded at 75 octets without splitting a UTF-8 sequence; text values are escaped.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any, TextIO

from dunbar.store.db import Db, to_date
from dunbar.text import words

PRODID = "-//dunbar//dunbar reminders 1.0//EN"
DOMAIN = "dunbar.local"
CRLF = "\r\n"
REMINDER = "PT9H"  # all-day events start at midnight: remind at nine that morning


def escape(value: str) -> str:
    """TEXT escaping (RFC 5545 3.3.11): backslash, semicolon, comma and line breaks."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold(line: str) -> str:
    """A content line folded at 75 octets (RFC 5545 3.1); continuations start with one space."""
    data = line.encode("utf-8")
    if len(data) <= 75:
        return line
    parts: list[str] = []
    start, limit = 0, 75
    while start < len(data):
        end = min(start + limit, len(data))
        # Never cut a UTF-8 sequence: back off over continuation bytes (0b10xxxxxx).
        while end < len(data) and data[end] & 0xC0 == 0x80:
            end -= 1
        parts.append(data[start:end].decode("utf-8"))
        start, limit = end, 74  # the leading space of a continuation counts towards its 75
    return (CRLF + " ").join(parts)


def _stamp(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _day(d: date) -> str:
    return d.strftime("%Y%m%d")


def _uid_part(text: str | None) -> str:
    """A kind or label as a UID part: ``wedding-anniversary``."""
    return "-".join(words(text or ""))


class _Feed:
    def __init__(self, out: TextIO) -> None:
        self.out = out

    def line(self, name: str, value: str) -> None:
        self.out.write(fold(f"{name}:{value}") + CRLF)

    def event(
        self,
        *,
        uid: str,
        stamp: str,
        on: date,
        summary: str,
        description: str | None = None,
        rrule: str | None = None,
        alarm: str | None = None,
        categories: str | None = None,
    ) -> None:
        self.line("BEGIN", "VEVENT")
        self.line("UID", uid)
        self.line("DTSTAMP", stamp)
        self.line("DTSTART;VALUE=DATE", _day(on))
        self.line("DTEND;VALUE=DATE", _day(on + timedelta(days=1)))
        if rrule:
            self.line("RRULE", rrule)
        self.line("SUMMARY", escape(summary))
        if description:
            self.line("DESCRIPTION", escape(description))
        if categories:
            self.line("CATEGORIES", categories)  # a list: its commas separate the values
        self.line("TRANSP", "TRANSPARENT")  # a reminder does not make the user busy
        if alarm:
            self.line("BEGIN", "VALARM")
            self.line("ACTION", "DISPLAY")
            self.line("DESCRIPTION", escape(alarm))
            self.line("TRIGGER;RELATED=START", REMINDER)
            self.line("END", "VALARM")
        self.line("END", "VEVENT")


def _important_dates(db: Db) -> Iterable[tuple[Any, ...]]:
    return db.rows(
        "SELECT d.id, p.uid, p.display_name, d.kind, d.label, d.year, d.month, d.day FROM important_date d "
        "JOIN person p ON p.id = d.person_id "
        "WHERE p.deleted_at IS NULL AND p.merged_into_id IS NULL AND p.is_me = :f ORDER BY p.id, d.id",
        {"f": False},
    )


def _date_title(name: str, kind: str, label: str | None) -> str:
    if kind == "birthday":
        return f"{name}'s birthday"
    return f"{name}: {label or kind}"


def write_ics(
    db: Db, out: TextIO, *, today: date, days: int = 90, now: datetime | None = None, agenda: bool = True
) -> dict[str, int]:
    """Write the feed; the number of follow-ups, important dates and suggestions written."""
    stamp = _stamp(now or datetime.now(UTC))
    feed = _Feed(out)
    feed.line("BEGIN", "VCALENDAR")
    feed.line("VERSION", "2.0")
    feed.line("PRODID", PRODID)
    feed.line("CALSCALE", "GREGORIAN")
    feed.line("METHOD", "PUBLISH")
    feed.line("X-WR-CALNAME", "dunbar reminders")

    n_follow_ups = 0
    for fid_uid, name, text, due_on in db.rows(
        "SELECT f.uid, p.display_name, f.text, f.due_on FROM follow_up f JOIN person p ON p.id = f.person_id "
        "WHERE f.status = 'open' AND f.due_on <= :until AND p.deleted_at IS NULL ORDER BY f.due_on, f.id",
        {"until": today + timedelta(days=days)},
    ):
        due = to_date(due_on)
        assert due is not None
        feed.event(
            uid=f"follow-up-{fid_uid}@{DOMAIN}",
            stamp=stamp,
            on=due,
            summary=f"{name}: {text}",
            description=f"Follow-up with {name}: {text}",
            alarm=f"Follow-up with {name}: {text}",
            categories="dunbar,follow-up",
        )
        n_follow_ups += 1

    n_dates = 0
    seen: set[str] = set()
    for _, person_uid, name, kind, label, year, month, day in _important_dates(db):
        month, day = int(month), int(day)
        uid = "-".join(part for part in (_uid_part(kind), _uid_part(label), person_uid) if part) + f"@{DOMAIN}"
        if uid in seen:
            continue  # the same kind of date twice for one person: one event is enough
        seen.add(uid)
        try:
            known = int(year) if year and 1800 <= int(year) <= today.year else None
            if (month, day) == (2, 29):
                # Yearly on the last day of February: the 29th in leap years, the 28th in the others.
                start = date(known if known and calendar.isleap(known) else 2000, 2, 29)
                rule = "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=-1"
            else:
                start = date(known or 2000, month, day)
                rule = "FREQ=YEARLY"
        except ValueError:
            continue  # an impossible stored date has no place in a calendar
        feed.event(
            uid=uid,
            stamp=stamp,
            on=start,
            summary=_date_title(name, kind, label),
            rrule=rule,
            alarm=_date_title(name, kind, label),
            categories=f"dunbar,{kind}",
        )
        n_dates += 1

    n_suggestions = 0
    if agenda:
        from dunbar import agenda as service

        uids = {}
        items = service.today(db, today=today, now=now or datetime.now(UTC), remember=False)
        ids = [item["person"]["id"] for item in items]
        if ids:
            uids = {int(r[0]): r[1] for r in db.rows("SELECT id, uid FROM person WHERE id IN :ids", {"ids": ids})}
        for item in items:
            who = item["person"]
            lines = [f"Why now: {'; '.join(item['reasons'])}."]
            if item["hook"]:
                lines.append(f"To talk about: {item['hook']}")
            lines.append(f'When done: dunbar done "{who["name"]}"')
            feed.event(
                uid=f"agenda-{uids[who['id']]}@{DOMAIN}",
                stamp=stamp,
                on=today,
                summary=f"Reach out to {who['name']}",
                description="\n".join(lines),
                categories="dunbar,agenda",
            )
            n_suggestions += 1
    feed.line("END", "VCALENDAR")
    return {"follow_up": n_follow_ups, "important_date": n_dates, "suggestion": n_suggestions}

"""A generated calendar shaped like a Google Calendar export, for import benchmarks.

Like a real export: one VTIMEZONE, X-WR- properties, most events without attendees (reminders, blocked time),
some meetings with an organizer and attendees in Google's parameter style (one of them declined, one a
room), some weekly series with EXDATEs and moved or cancelled occurrences (RECURRENCE-ID overrides), all-day
events, e-mail alarms with an ATTENDEE of their own, and long folded descriptions.

    from benchmarks.gen_calendar import write_calendar
    write_calendar(Path("/tmp/cal.ics"), events=5000)
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from pathlib import Path

_VTIMEZONE = """BEGIN:VTIMEZONE
TZID:Europe/Berlin
X-LIC-LOCATION:Europe/Berlin
BEGIN:DAYLIGHT
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
TZNAME:CEST
DTSTART:19700329T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
TZNAME:CET
DTSTART:19701025T030000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
END:STANDARD
END:VTIMEZONE"""

_WORDS = [
    "sync",
    "review",
    "lunch",
    "coffee",
    "planning",
    "retro",
    "standup",
    "interview",
    "call",
    "demo",
    "intro",
    "catch-up",
    "budget",
    "offsite",
]
_FIRST = [
    "Ana",
    "Bo",
    "Chen",
    "Dana",
    "Emil",
    "Farah",
    "Greta",
    "Hugo",
    "Ines",
    "Jon",
    "Kemal",
    "Lena",
    "Malik",
    "Nora",
    "Omar",
    "Pia",
    "Quinn",
    "Rosa",
    "Sven",
    "Tara",
]
_LAST = [
    "Meyer",
    "Novak",
    "Silva",
    "Tanaka",
    "Okafor",
    "Larsen",
    "Rossi",
    "Kowalski",
    "Haddad",
    "Berg",
    "Moreau",
    "Costa",
    "Weber",
    "Ivanova",
]


def _fold(line: str) -> str:
    """RFC 5545 folding at 75 octets (ASCII content here, so characters are octets)."""
    if len(line) <= 75:
        return line
    parts = [line[:75]]
    rest = line[75:]
    while rest:
        parts.append(" " + rest[:74])
        rest = rest[74:]
    return "\r\n".join(parts)


def _utc(dt: datetime) -> str:
    return dt.strftime("%Y%m%dT%H%M%SZ")


def _local(dt: datetime) -> str:
    return dt.strftime("%Y%m%dT%H%M%S")


def _person(rng: random.Random, i: int) -> tuple[str, str]:
    first, last = rng.choice(_FIRST), rng.choice(_LAST)
    return f"{first} {last}", f"{first.lower()}.{last.lower()}{i % 97}@example.com"


def generate_calendar(
    events: int = 5000,
    *,
    seed: int = 7,
    start: date = date(2019, 1, 1),
    end: date = date(2026, 1, 1),
    invited_share: float = 0.12,
    recurring_share: float = 0.04,
    me: str = "me@example.com",
) -> str:
    """The text of an .ics file with ``events`` VEVENT components (overrides included), CRLF line ends."""
    rng = random.Random(seed)
    span = (end - start).days
    out = [
        "BEGIN:VCALENDAR",
        "PRODID:-//Google Inc//Google Calendar 70.9054//EN",
        "VERSION:2.0",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{me}",
        "X-WR-TIMEZONE:Europe/Berlin",
        _VTIMEZONE.replace("\n", "\r\n"),
    ]
    stamp = _utc(datetime(2026, 1, 2, 9, 0, 0))
    made = 0
    i = 0
    while made < events:
        i += 1
        uid = f"{rng.getrandbits(96):024x}@google.com"
        day = start + timedelta(days=rng.randrange(span))
        begin = datetime(day.year, day.month, day.day, rng.randrange(7, 19), rng.choice((0, 15, 30)))
        length = timedelta(minutes=rng.choice((15, 30, 45, 60, 90)))
        summary = f"{rng.choice(_WORDS).title()} {rng.choice(_WORDS)}"
        invited = rng.random() < invited_share
        recurring = rng.random() < recurring_share
        all_day = not invited and rng.random() < 0.1
        lines = ["BEGIN:VEVENT"]
        if all_day:
            lines += [f"DTSTART;VALUE=DATE:{day:%Y%m%d}", f"DTEND;VALUE=DATE:{day + timedelta(days=1):%Y%m%d}"]
        elif rng.random() < 0.5:
            lines += [
                f"DTSTART;TZID=Europe/Berlin:{_local(begin)}",
                f"DTEND;TZID=Europe/Berlin:{_local(begin + length)}",
            ]
        else:
            lines += [f"DTSTART:{_utc(begin)}", f"DTEND:{_utc(begin + length)}"]
        if recurring:
            until = begin + timedelta(weeks=rng.randrange(4, 120))
            lines.append(f"RRULE:FREQ=WEEKLY;WKST=MO;UNTIL={_utc(until)};BYDAY={begin.strftime('%a')[:2].upper()}")
            if rng.random() < 0.5:
                lines.append(f"EXDATE;TZID=Europe/Berlin:{_local(begin + timedelta(weeks=2))}")
        lines += [f"DTSTAMP:{stamp}", f"UID:{uid}"]
        attendees: list[str] = []
        if invited:
            organizer_name, organizer = ("Me", me) if rng.random() < 0.5 else _person(rng, i)
            lines.append(_fold(f"ORGANIZER;CN={organizer_name}:mailto:{organizer}"))
            for k in range(rng.choice((1, 1, 2, 3, 5, 12))):
                name, addr = _person(rng, i + k)
                state = "DECLINED" if k == 2 else rng.choice(("ACCEPTED", "ACCEPTED", "NEEDS-ACTION", "TENTATIVE"))
                attendees.append(
                    _fold(
                        f"ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT={state};CN={name};"
                        f"X-NUM-GUESTS=0:mailto:{addr}"
                    )
                )
            attendees.append(
                _fold(
                    f"ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED;CN={me};X-NUM-GUESTS=0:mailto:{me}"
                )
            )
            if rng.random() < 0.2:
                attendees.append(
                    _fold(
                        "ATTENDEE;CUTYPE=RESOURCE;ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED;CN=Room 4.1;X-NUM-GUESTS=0:"
                        "mailto:c_1889abc@resource.calendar.google.com"
                    )
                )
            lines += attendees
        description = " ".join(rng.choice(_WORDS) for _ in range(rng.randrange(0, 40)))
        lines += [
            "CREATED:20180101T000000Z",
            _fold(f"DESCRIPTION:{description}"),
            f"LAST-MODIFIED:{stamp}",
            "LOCATION:" + (rng.choice(("", "Berlin", "https://meet.google.com/abc-defg-hij")) or ""),
            "SEQUENCE:0",
            "STATUS:CONFIRMED",
            f"SUMMARY:{summary}",
            "TRANSP:OPAQUE",
        ]
        if rng.random() < 0.3:
            lines += ["BEGIN:VALARM", "ACTION:EMAIL", "DESCRIPTION:Reminder", f"ATTENDEE:mailto:{me}", "SUMMARY:Alarm"]
            lines += ["TRIGGER:-P0DT0H10M0S", "END:VALARM"]
        lines.append("END:VEVENT")
        out.extend(lines)
        made += 1
        if recurring and made < events and rng.random() < 0.6:
            moved = begin + timedelta(weeks=1)
            override = [
                "BEGIN:VEVENT",
                f"DTSTART;TZID=Europe/Berlin:{_local(moved + timedelta(hours=1))}",
                f"DTEND;TZID=Europe/Berlin:{_local(moved + timedelta(hours=1) + length)}",
                f"DTSTAMP:{stamp}",
                f"UID:{uid}",
                f"RECURRENCE-ID;TZID=Europe/Berlin:{_local(moved)}",
                *attendees,
                "SEQUENCE:1",
                "STATUS:" + ("CANCELLED" if rng.random() < 0.3 else "CONFIRMED"),
                f"SUMMARY:{summary} (moved)",
                "END:VEVENT",
            ]
            out.extend(override)
            made += 1
    return "\r\n".join(line for line in out if line) + "\r\nEND:VCALENDAR\r\n"


def write_calendar(path: Path, events: int = 5000, **kwargs: object) -> Path:
    """Write a generated calendar to ``path`` (see ``generate_calendar``) and return the path."""
    path.write_text(generate_calendar(events, **kwargs), encoding="utf-8", newline="")  # type: ignore[arg-type]
    return path

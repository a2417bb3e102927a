"""iCalendar (.ics) parser: meetings with other people, as ``InteractionRecord(kind="meeting")``.

Why a line scan before ``icalendar``: in a real calendar export most events have no attendees (a Google export
of 4,778 events had a few hundred with any) and become nothing here, yet ``icalendar`` would spend most of the
import building full objects for them. So the file is first split into components by a cheap scan of its
lines, events are grouped by UID (a recurring series and its RECURRENCE-ID overrides), and only the groups in
which someone is invited are handed to ``icalendar`` (with the VTIMEZONEs they name) and, when they recur,
to ``recurring-ical-events``. The grouping needs the whole file, so the file is read at once rather than
streamed; the records still come out in file order (a series at the place of its first component, its
occurrences by start time).

Times: TZID with its VTIMEZONE, UTC, floating times in the local zone of this machine, all-day dates at local
midnight; ``occurred_at`` is always timezone-aware. Only what happened up to ``ctx.today`` is yielded:
recurring events are expanded up to that day, and meetings after it have not happened yet.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from dunbar.errors import ImportProblem
from dunbar.importers.records import InteractionRecord, ParseContext, ParticipantRef, Record, Rejected, Warning

FORMAT = "ics"
SUFFIXES = (".ics", ".ical", ".ifb", ".icalendar")
MAX_OCCURRENCES = 5_000  # per series: a daily rule since 1900 is a broken file, not 45,000 meetings

_TZID = re.compile(r";TZID=(\"[^\"]*\"|[^;:]*)", re.I)
_LINE_END = re.compile(r"\r\n|\r|\n")
_SKIPPED_ROLES = frozenset({"RESOURCE", "ROOM"})
# Google lists calendars and rooms as attendees under these domains: they are not people.
_NOT_PEOPLE = ("calendar.google.com",)


# -- entry points -------------------------------------------------------------------------------------------


def sniff(path: Path, head: bytes) -> float:
    """How sure we are that ``head`` (the first bytes of ``path``) starts an iCalendar file, from 0 to 1."""
    text = _decode(head[:4096]).lstrip("\ufeff \t\r\n").upper()
    if text.startswith("BEGIN:VCALENDAR"):
        return 1.0
    if "BEGIN:VCALENDAR" in text:
        return 0.8
    if "BEGIN:VEVENT" in text:
        return 0.5
    return 0.2 if path.suffix.lower() in SUFFIXES else 0.0


def parse(path: Path, ctx: ParseContext | None = None) -> Iterator[Record]:
    """The meetings of a calendar file, in file order; see the module documentation."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImportProblem(f"cannot read the file: {exc.strerror or exc}", path=str(path)) from exc
    return parse_text(_decode(data), ctx or ParseContext(), source=str(path))


def parse_text(text: str, ctx: ParseContext, *, source: str = "<text>") -> Iterator[Record]:
    scan = _scan(text)
    if not scan.seen_calendar and not scan.events:
        if scan.components:
            raise ImportProblem(
                f"no events in this file, only {', '.join(sorted(scan.components))}",
                path=source,
                hint="meetings come from the VEVENTs of a calendar export (.ics)",
            )
        raise ImportProblem(
            "not an iCalendar file (no BEGIN:VCALENDAR or BEGIN:VEVENT line)",
            path=source,
            hint="export the calendar as .ics",
        )
    return _records(scan, ctx)


# -- the line scan ------------------------------------------------------------------------------------------


def _decode(data: bytes) -> str:
    """UTF-8, or UTF-16 with or without a byte-order mark (as some Outlook exports are)."""
    from dunbar.importers.vcard import sniff_encoding

    encoding = sniff_encoding(data[:512])
    return data.decode("utf-8-sig" if encoding == "utf-8" else encoding, errors="replace")


@dataclass(slots=True)
class _Event:
    line: int
    lines: list[str] = field(default_factory=list)  # unfolded content lines, BEGIN and END included
    uid: str = ""
    invited: bool = False  # has an ATTENDEE of its own (not one of an e-mail alarm)
    recurs: bool = False  # RRULE or RDATE
    override: str | None = None  # RECURRENCE-ID value
    tzids: set[str] = field(default_factory=set)


@dataclass(slots=True)
class _Scan:
    seen_calendar: bool = False
    events: list[_Event] = field(default_factory=list)
    timezones: dict[str, list[str]] = field(default_factory=dict)
    problems: list[Rejected] = field(default_factory=list)
    components: set[str] = field(default_factory=set)  # names of the components met, for messages


def _unfolded(text: str) -> Iterator[tuple[int, str]]:
    current: list[str] = []
    start = 0
    # only CR and LF end a line: str.splitlines() would also split at U+2028, U+001E… inside values
    for number, line in enumerate(_LINE_END.split(text), 1):
        if line[:1] in (" ", "\t") and current:
            current.append(line[1:])
            continue
        if current:
            yield start, "".join(current)
        current, start = ([line], number) if line.strip() else ([], number)
    if current:
        yield start, "".join(current)


def _scan(text: str) -> _Scan:
    """Components by a look at the first word of each line: cheap, and enough to pick the events that matter."""
    scan = _Scan()
    stack: list[str] = []
    event: _Event | None = None
    tz_lines: list[str] | None = None
    tzid = ""
    for number, line in _unfolded(text):
        head = line[:16].upper()
        if head.startswith("BEGIN:"):
            name = line[6:].strip().upper()
            if len(scan.components) < 20 and name.isascii() and name.isalnum():
                scan.components.add(name)
            if name == "VCALENDAR":
                scan.seen_calendar = True
            elif name == "VEVENT" and event is None:
                event = _Event(line=number)
            elif name == "VTIMEZONE" and event is None:
                tz_lines, tzid = [], ""
            stack.append(name)
        elif head.startswith("END:"):
            name = line[4:].strip().upper()
            if name in stack:
                while stack and stack.pop() != name:
                    pass  # components left open inside: closed with their parent
            if name == "VEVENT" and event is not None:
                event.lines.append(line)
                scan.events.append(event)
                event = None
                continue
            if name == "VTIMEZONE" and tz_lines is not None:
                tz_lines.append(line)
                if tzid:
                    scan.timezones[tzid] = tz_lines
                tz_lines = None
                continue
        if event is not None:
            event.lines.append(line)
            if stack and stack[-1] == "VEVENT":  # the event's own properties, not those of its alarms
                _note_property(event, head, line)
        elif tz_lines is not None:
            tz_lines.append(line)
            if head.startswith("TZID") and stack and stack[-1] == "VTIMEZONE":
                tzid = line.partition(":")[2].strip()
    if event is not None:
        scan.problems.append(Rejected(event.line, "event not closed: the file ends before END:VEVENT"))
    return scan


def _note_property(event: _Event, head: str, line: str) -> None:
    if head.startswith("ATTENDEE"):
        event.invited = True
    elif head.startswith("UID"):
        if head[3:4] in (":", ";"):
            event.uid = line.partition(":")[2].strip()
    elif head.startswith(("RRULE", "RDATE")):
        event.recurs = True
    elif head.startswith("RECURRENCE-ID"):
        event.override = line.partition(":")[2].strip()
    if ";TZID=" in line.upper():
        for m in _TZID.finditer(line):
            event.tzids.add(m.group(1).strip('"'))


# -- records ------------------------------------------------------------------------------------------------


def _records(scan: _Scan, ctx: ParseContext) -> Iterator[Record]:
    today = ctx.today or date.today()
    cutoff = datetime.combine(today + timedelta(days=1), time.min).astimezone()  # end of today, local zone
    groups: dict[str, list[_Event]] = {}
    for ev in scan.events:
        key = ev.uid or f"line-{ev.line}"  # without a UID an event stands alone
        groups.setdefault(key, []).append(ev)
    counts = {"no attendees": 0, "cancelled": 0, "after today": 0, "nobody else": 0}
    problems = iter(sorted(scan.problems, key=lambda r: r.line or 0))
    pending = next(problems, None)
    for key, group in groups.items():
        while pending is not None and (pending.line or 0) < group[0].line:
            yield pending
            pending = next(problems, None)
        if not any(ev.invited for ev in group):
            counts["no attendees"] += 1
            continue
        try:
            yield from _group_records(key, group, scan, ctx, cutoff, counts)
        except Exception as exc:  # one unreadable event must not stop the calendar; report it with its line
            yield Rejected(group[0].line, f"event cannot be read: {type(exc).__name__}: {exc}", _excerpt(group[0]))
    while pending is not None:
        yield pending
        pending = next(problems, None)
    skipped = ", ".join(f"{n} {why}" for why, n in counts.items() if n)
    if not scan.events:
        yield Warning("no events in this calendar")
    elif skipped:
        yield Warning(f"events skipped: {skipped}")


def _excerpt(ev: _Event) -> str:
    return "\n".join(line for line in ev.lines[:8] if len(line) < 200)[:300]


def _group_records(
    key: str, group: list[_Event], scan: _Scan, ctx: ParseContext, cutoff: datetime, counts: dict[str, int]
) -> Iterator[Record]:
    import icalendar

    tzids = set().union(*(ev.tzids for ev in group))
    body = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//dunbar//import//EN"]
    for tzid in sorted(tzids):
        body.extend(scan.timezones.get(tzid, ()))
    for ev in group:
        body.extend(ev.lines)
    body.append("END:VCALENDAR")
    cal = icalendar.Calendar.from_ical("\r\n".join(body) + "\r\n")
    lines = {ev.override: ev.line for ev in group if ev.override}
    master_line = next((ev.line for ev in group if not ev.override), group[0].line)

    if len(group) == 1 and not group[0].recurs:
        occurrences: Iterator[Any] = iter(cal.walk("VEVENT"))
    else:
        import recurring_ical_events

        occurrences = recurring_ical_events.of(cal, skip_bad_series=True).all()

    seen = 0
    for occ in occurrences:
        start = occ.get("DTSTART")
        if start is None:
            yield Rejected(master_line, "event has no start time (DTSTART)", _excerpt(group[0]))
            continue
        when = aware(start.dt)
        if when > cutoff:
            counts["after today"] += 1
            if when > cutoff + timedelta(days=2):  # occurrences come in start order: the rest is later still
                break
            continue
        seen += 1
        if seen > MAX_OCCURRENCES:
            yield Warning(
                f"series {key!r} has more than {MAX_OCCURRENCES} occurrences: the rest is left out", master_line
            )
            break
        if str(occ.get("STATUS", "")).upper() == "CANCELLED":
            counts["cancelled"] += 1
            continue
        rid = occ.get("RECURRENCE-ID")
        line = lines.get(_raw(rid), master_line) if rid is not None else master_line
        record = _meeting(occ, when, start.dt, line, ctx)
        if record is None:
            counts["nobody else"] += 1
            continue
        yield record


def _raw(prop: Any) -> str:
    try:
        return str(prop.to_ical().decode())
    except Exception:
        return str(prop)


def aware(value: date | datetime) -> datetime:
    """A DTSTART value as a timezone-aware datetime: floating and all-day values in the local zone."""
    if not isinstance(value, datetime):
        return datetime.combine(value, time.min).astimezone()
    if value.tzinfo is None:
        return value.astimezone()
    return value


def _stamp(value: date | datetime) -> str:
    """The occurrence start as it goes into external ids: stable whatever zone this machine is in."""
    if not isinstance(value, datetime):
        return value.strftime("%Y%m%d")
    if value.tzinfo is None:
        return value.strftime("%Y%m%dT%H%M%S")
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _person(prop: Any, role: str) -> ParticipantRef | None:
    value = str(prop).strip()
    params = getattr(prop, "params", {}) or {}
    address = value[7:] if value.lower().startswith("mailto:") else value
    email = address.strip() if "@" in address else None
    if email and email.lower().endswith(_NOT_PEOPLE):
        return None
    name = str(params.get("CN", "")).strip().strip('"') or None
    if name and email and name.lower() == email.lower():
        name = None
    if not (email or name):
        return None
    return ParticipantRef(name=name, email=email, role=role)


def _meeting(
    occ: Any, when: datetime, start: date | datetime, line: int, ctx: ParseContext
) -> InteractionRecord | None:
    organizer = occ.get("ORGANIZER")
    sender = _person(organizer, "organizer") if organizer is not None else None
    attendees = occ.get("ATTENDEE") or []
    if not isinstance(attendees, list):
        attendees = [attendees]
    participants: list[ParticipantRef] = []
    seen: set[str] = set()
    if sender is not None:
        seen.add((sender.email or sender.name or "").lower())
    for prop in attendees:
        params = getattr(prop, "params", {}) or {}
        if str(params.get("PARTSTAT", "")).upper() == "DECLINED":
            continue
        if str(params.get("CUTYPE", "")).upper() in _SKIPPED_ROLES:
            continue  # meeting rooms and projectors are not people
        person = _person(prop, "attendee")
        if person is None:
            continue
        key = (person.email or person.name or "").lower()
        if key in seen:
            continue  # the organizer listed among the attendees, or someone invited twice
        seen.add(key)
        participants.append(person)
    everyone = [*participants, *([sender] if sender else [])]
    others = [p for p in everyone if not (p.email and p.email.lower() in ctx.me_emails)]
    if not participants or not others:
        return None
    uid = str(occ.get("UID", "")).strip()
    summary = str(occ.get("SUMMARY", "")).strip()
    if not uid:
        uid = "nouid-" + hashlib.sha1(f"{summary}|{_stamp(start)}".encode(), usedforsecurity=False).hexdigest()[:16]
    return InteractionRecord(
        occurred_at=when,
        kind="meeting",
        line=line,
        summary=summary,
        external_id=f"{uid}/{_stamp(start)}",
        sender=sender,
        participants=participants,
        attendee_count=len(everyone),
    )

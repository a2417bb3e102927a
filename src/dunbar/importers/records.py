"""Neutral records: what every format parser yields, and what the import pipeline consumes.

A parser only reads its format. It never touches the database, never decides who a person is, and never
guesses (an organization is never derived from an e-mail domain). It yields ``PersonRecord``,
``InteractionRecord`` and ``Rejected`` in file order, each with the line (or message/card number) it came from.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any


@dataclass(slots=True)
class EmploymentRecord:
    organization: str
    title: str | None = None
    start: date | None = None
    end: date | None = None


@dataclass(slots=True)
class DateRecord:
    kind: str  # birthday, anniversary, other
    month: int
    day: int
    year: int | None = None
    label: str | None = None


@dataclass(slots=True)
class PersonRecord:
    line: int | None = None  # where in the file (line, card or row number), for reports
    ref: str | None = None  # a stable id inside the source (a vCard UID, a CSV row key), if any
    display_name: str | None = None
    given_name: str | None = None
    family_name: str | None = None
    nickname: str | None = None
    emails: list[tuple[str, str | None]] = field(default_factory=list)  # (address, label)
    phones: list[tuple[str, str | None]] = field(default_factory=list)  # (number as given, label)
    links: list[tuple[str, str | None]] = field(default_factory=list)  # (url, label); LinkedIn URLs included
    employments: list[EmploymentRecord] = field(default_factory=list)
    location: str | None = None
    connected_on: date | None = None  # when the relationship started (LinkedIn "Connected On")
    dates: list[DateRecord] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    fields: dict[str, str] = field(default_factory=dict)  # anything else worth keeping, by name
    has_photo: bool = False


@dataclass(slots=True)
class ParticipantRef:
    """Someone on an interaction, as the source names them; the pipeline resolves them to a person."""

    name: str | None = None
    email: str | None = None
    linkedin: str | None = None
    role: str | None = None  # from, to, cc, attendee, organizer


@dataclass(slots=True)
class InteractionRecord:
    occurred_at: datetime  # timezone-aware
    kind: str  # meeting, call, email, message, event…
    line: int | None = None
    summary: str = ""
    external_id: str | None = None  # Message-ID, calendar UID(+recurrence), conversation id + time…
    thread: str | None = None
    sender: ParticipantRef | None = None  # who started it (the From of a mail, the organizer of a meeting)
    participants: list[ParticipantRef] = field(default_factory=list)  # everyone else involved
    initiator: str | None = None  # "me" / "them" when the source says so (LinkedIn's Direction column)
    attendee_count: int | None = None  # meetings: how many took part (large ones weigh little)
    bulk: bool = False  # automated or mailing-list mail: creates no people


@dataclass(slots=True)
class Rejected:
    line: int | None
    reason: str
    text: str | None = None  # the raw record, shortened, for the rejects file


@dataclass(slots=True)
class Warning:
    message: str
    line: int | None = None


# One message as a mail reader digests it in a worker process: plain tuples, cheap to send between processes and
# to plan without building an object per message. The pipeline plans these rows exactly as it plans the
# ``InteractionRecord`` they stand for (``mail.to_records`` turns them back into records).
#   ("I", stamp, micros, offset, summary, body, external_id, thread, parts, initiator, bulk, warnings)
#       stamp: the time as SQLite stores it (UTC text); micros: microseconds since 1970-01-01 UTC; offset: the
#       sender's UTC offset in seconds; summary: the subject with its whitespace collapsed (at most 1,000
#       characters); body: its search words; parts: (name, e-mail as written, e-mail normalized or None, role)
#       for the sender (role "from") and then everyone else; warnings: messages about this one.
#   ("R", reason, text, warnings)  a rejected message
DigestRow = tuple[Any, ...]


def is_bulk_row(row: DigestRow) -> bool:
    return row[0] == "I" and bool(row[10])


@dataclass(slots=True)
class Digested:
    """Messages read in bulk: row ``i`` is message number ``first + i`` of the stream, or ``numbers[i]`` when the
    rows are not consecutive (the pipeline sets bulk mail apart)."""

    first: int
    rows: list[DigestRow]
    kind: str = "email"
    numbers: list[int] | None = None

    def numbered(self) -> Iterable[tuple[int, DigestRow]]:
        if self.numbers is not None:
            return zip(self.numbers, self.rows, strict=True)
        return enumerate(self.rows, self.first)


Record = PersonRecord | InteractionRecord | Rejected | Warning | Digested


@dataclass(slots=True)
class ParseContext:
    """What a parser may know about the user: their own addresses and names (to tell mine from theirs)."""

    me_emails: frozenset[str] = frozenset()
    me_names: frozenset[str] = frozenset()  # folded
    me_linkedin: frozenset[str] = frozenset()
    today: date | None = None  # recurring events are expanded only up to today
    large_meeting: int = 10  # more attendees than this: kept, marked to weigh little

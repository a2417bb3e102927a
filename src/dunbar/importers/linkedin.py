"""LinkedIn data export: ``Connections.csv``, ``messages.csv`` and ``Invitations.csv``, alone or as a whole export.

One module reads all three files; ``parse`` tells them apart by their header, so ``FORMAT`` names the export as a
whole and ``KINDS`` the file kinds. Every layout LinkedIn has shipped is read by column name:

- Connections: with or without the ``Notes:`` preamble and the URL column; ``Connected On`` as ``15 Mar 2024``,
  ``6-Feb-26`` (re-saved by a spreadsheet) or ``1/8/18, 6:14 PM``.
- messages: 2018 ``From,To,Date,Subject,Content,Direction,Folder``; 2022+ ``CONVERSATION ID … FOLDER`` with
  optional ``RECIPIENT PROFILE URLS``, ``ATTACHMENTS`` and ``IS MESSAGE DRAFT``.
- Invitations: ``From,To,Sent At,Message,Direction`` and the newer profile URL columns.

Times without a zone (``1/8/18, 6:14 PM``) are taken as UTC, which is what LinkedIn writes.
"""

from __future__ import annotations

import hashlib
import html
import os
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path, PurePosixPath

from dunbar.errors import ImportProblem
from dunbar.importers import csvread
from dunbar.importers.records import (
    EmploymentRecord,
    InteractionRecord,
    ParseContext,
    ParticipantRef,
    PersonRecord,
    Record,
    Rejected,
    Warning,
)
from dunbar.text import fold

FORMAT = "linkedin"
CONNECTIONS = "linkedin-connections"
MESSAGES = "linkedin-messages"
INVITATIONS = "linkedin-invitations"
KINDS = (CONNECTIONS, INVITATIONS, MESSAGES)  # the order a whole export is read in

# The member files of an export, by lower-cased base name, in reading order.
EXPORT_FILES = {"connections.csv": CONNECTIONS, "invitations.csv": INVITATIONS, "messages.csv": MESSAGES}
MAX_MEMBER_BYTES = 256 * 1024 * 1024
SUMMARY_CHARS = 200


# --- header recognition -------------------------------------------------------------------------------------


def kind_of(keys: list[str]) -> str | None:
    """Which export file a header (``column_key`` forms) belongs to, if any."""
    have = set(keys)
    if {"first name", "last name", "connected on"} <= have or {
        "first name",
        "last name",
        "company",
        "position",
    } <= have:
        return CONNECTIONS
    if {"conversation id", "from", "to", "date", "content"} <= have:
        return MESSAGES
    if {"from", "to", "date", "content", "direction"} <= have:
        return MESSAGES
    if {"from", "to", "sent at", "direction"} <= have:
        return INVITATIONS
    return None


def _is_header(keys: list[str]) -> bool:
    return kind_of(keys) is not None


_EXPECTED = "First Name, Last Name, Connected On (Connections) or FROM, TO, DATE, CONTENT (messages)"


def sniff(path: Path, head: bytes) -> float:
    """Confidence that ``path`` is a LinkedIn export file (or a folder or .zip of one) from its header."""
    if path.is_dir() or path.suffix.lower() == ".zip":
        try:
            return 0.9 if _export_members(path) else 0.0
        except ImportProblem:
            return 0.0
    for row in csvread.head_rows(head):
        kind = kind_of([csvread.column_key(title) for title in row])
        if kind is not None:
            named = path.name.lower() in EXPORT_FILES
            return 0.95 if named or kind != CONNECTIONS else 0.9
    return 0.0


# --- dates ----------------------------------------------------------------------------------------------------

_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
_DAY_MON_YEAR = re.compile(r"(\d{1,2})[ \-/.]([A-Za-z]{3,9})\.?[ \-/.,]+(\d{2}|\d{4})")
_US = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})(?:,?\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?)?")
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?\s*(?:UTC|Z|\+00:?00)?")

_when_cache: dict[str, datetime | None] = {}


def _year(text: str) -> int:
    year = int(text)
    if len(text) == 2:  # LinkedIn exists since 2003; spreadsheets write 26 for 2026
        year += 2000 if year < 70 else 1900
    return year


def parse_when(text: str) -> datetime | None:
    """A LinkedIn date or time in any layout, as an aware UTC datetime; None when unreadable. Cached by text."""
    try:
        return _when_cache[text]
    except KeyError:
        pass
    value = _parse_when(text.strip())
    if len(_when_cache) < 100_000:
        _when_cache[text] = value
    return value


def _parse_when(s: str) -> datetime | None:
    try:
        m = _DAY_MON_YEAR.fullmatch(s)
        if m:
            month = _MONTHS.get(m.group(2).lower())
            if month is None:
                return None
            return datetime(_year(m.group(3)), month, int(m.group(1)), tzinfo=UTC)
        m = _US.fullmatch(s)
        if m:
            month, day, year = int(m.group(1)), int(m.group(2)), _year(m.group(3))
            hour = int(m.group(4) or 0)
            minute = int(m.group(5) or 0)
            second = int(m.group(6) or 0)
            meridian = (m.group(7) or "").lower()
            if meridian:
                if not 1 <= hour <= 12:
                    return None
                hour = hour % 12 + (12 if meridian == "pm" else 0)
            return datetime(year, month, day, hour, minute, second, tzinfo=UTC)
        m = _ISO.fullmatch(s)
        if m:
            parts = [int(g) if g else 0 for g in m.groups()]
            return datetime(parts[0], parts[1], parts[2], parts[3], parts[4], parts[5], tzinfo=UTC)
    except ValueError:  # 31 Feb, hour 25…
        return None
    return None


def parse_date(text: str) -> date | None:
    when = parse_when(text)
    return when.date() if when is not None else None


# --- helpers --------------------------------------------------------------------------------------------------

_TAG = re.compile(r"<[^>]*>")
_SPACES = re.compile(r"\s+")


def short_text(*parts: str, limit: int = SUMMARY_CHARS) -> str:
    """Plain one-line text from HTML-ish parts: tags dropped, entities unescaped, joined by ': ', shortened."""
    cleaned = []
    for part in parts:
        if not part:
            continue
        text = _SPACES.sub(" ", html.unescape(_TAG.sub(" ", part))).strip()
        if text and text not in cleaned:
            cleaned.append(text)
    text = ": ".join(cleaned)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def profile_key(url: str) -> str:
    """A LinkedIn profile URL reduced for comparison: no scheme, no www, no trailing slash, lower case."""
    s = url.strip().lower()
    for prefix in ("https://", "http://"):
        if s.startswith(prefix):
            s = s[len(prefix) :]
    if s.startswith("www."):
        s = s[4:]
    return s.split("?", 1)[0].rstrip("/")


def _cell(row: list[str], index: int | None) -> str:
    return row[index].strip() if index is not None else ""


def _direction(text: str) -> str | None:
    value = text.strip().upper()
    if value == "OUTGOING":
        return "me"
    if value == "INCOMING":
        return "them"
    return None


# --- Connections.csv ------------------------------------------------------------------------------------------


def parse_connections(table: csvread.CsvTable) -> Iterator[Record]:
    first_i = table.col("First Name")
    last_i = table.col("Last Name")
    url_i = table.col("URL", "Profile URL")
    email_i = table.col("Email Address", "E-mail Address", "Email")
    company_i = table.col("Company")
    position_i = table.col("Position")
    on_i = table.col("Connected On")
    for item in table.rows():
        if type(item) is Rejected:
            yield item
            continue
        line, row = item  # type: ignore[misc]
        first = _cell(row, first_i)
        last = _cell(row, last_i)
        if not first and not last:
            yield Rejected(line, "no first or last name", ",".join(row)[:300])
            continue
        person = PersonRecord(
            line=line,
            display_name=f"{first} {last}" if first and last else first or last,
            given_name=first or None,
            family_name=last or None,
        )
        url = _cell(row, url_i)
        if url:
            person.links.append((url, "linkedin"))
            person.ref = url
        email = _cell(row, email_i)
        if email:
            person.emails.append((email, None))
        company = _cell(row, company_i)
        position = _cell(row, position_i)
        if company:
            person.employments.append(EmploymentRecord(company, position or None))
        elif position:
            person.fields["position"] = position
        on = _cell(row, on_i)
        if on:
            person.connected_on = parse_date(on)
            if person.connected_on is None:
                yield Warning(f"unreadable Connected On date {on!r}", line)
        yield person


# --- messages.csv ---------------------------------------------------------------------------------------------


def _split_list(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _recipients(names: str, urls: str) -> list[ParticipantRef]:
    url_list = _split_list(urls)
    name_list = _split_list(names)
    if len(url_list) > 1 and len(name_list) != len(url_list):
        # A name holding a comma breaks the pairing; keep the URLs, which identify people better.
        return [ParticipantRef(linkedin=url, role="to") for url in url_list]
    if len(url_list) <= 1 and len(name_list) > 1 and not url_list:
        return [ParticipantRef(name=name, role="to") for name in name_list]
    if len(url_list) <= 1:
        return [ParticipantRef(name=names.strip() or None, linkedin=url_list[0] if url_list else None, role="to")]
    return [ParticipantRef(name=n, linkedin=u, role="to") for n, u in zip(name_list, url_list, strict=True)]


class _Me:
    """Tells whether a participant is the exporting member."""

    def __init__(self, names: Iterable[str], urls: Iterable[str]) -> None:
        self.names = {fold(n) for n in names if n}
        self.urls = {profile_key(u) for u in urls if u}

    def __bool__(self) -> bool:
        return bool(self.names or self.urls)

    def is_me(self, ref: ParticipantRef) -> bool:
        if ref.linkedin and profile_key(ref.linkedin) in self.urls:
            return True
        return bool(ref.name) and fold(ref.name or "") in self.names


def _guess_me(table: csvread.CsvTable) -> tuple[_Me, int]:
    """The member who sends or receives in every conversation, by profile URL when the file has them, else by name.

    Returns the guess (possibly empty) and the number of conversations it rests on; with one conversation
    both sides qualify, so nothing is guessed.
    """
    conv_i = table.col("Conversation ID")
    from_i, to_i = table.col("From"), table.col("To")
    furl_i, turl_i = table.col("Sender Profile URL"), table.col("Recipient Profile URLs")
    by_url = furl_i is not None and turl_i is not None
    conversations: dict[str, set[str]] = {}
    for item in table.rows():
        if type(item) is Rejected:
            continue
        _, row = item  # type: ignore[misc]
        if by_url:
            people = {profile_key(_cell(row, furl_i))} | {profile_key(u) for u in _split_list(_cell(row, turl_i))}
        else:
            people = {fold(_cell(row, from_i))} | {fold(n) for n in _split_list(_cell(row, to_i))}
        people.discard("")
        key = _cell(row, conv_i) if conv_i is not None else "|".join(sorted(people))
        conversations.setdefault(key, set()).update(people)
    common: set[str] | None = None
    for people in conversations.values():
        common = set(people) if common is None else common & people
    if not common or len(common) != 1 or len(conversations) < 2:
        return _Me((), ()), len(conversations)
    (only,) = common
    return (_Me((), (only,)) if by_url else _Me((only,), ())), len(conversations)


def parse_messages(table: csvread.CsvTable, ctx: ParseContext) -> Iterator[Record]:
    conv_i = table.col("Conversation ID")
    title_i = table.col("Conversation Title")
    from_i, to_i = table.col("From"), table.col("To")
    furl_i, turl_i = table.col("Sender Profile URL"), table.col("Recipient Profile URLs")
    date_i = table.col("Date")
    subject_i, content_i = table.col("Subject"), table.col("Content")
    direction_i = table.col("Direction")
    folder_i, draft_i = table.col("Folder"), table.col("Is Message Draft")

    me = _Me(ctx.me_names, ctx.me_linkedin)
    if direction_i is None and not me:
        me, conversations = _guess_me(table)
        if not me and conversations:
            yield Warning(
                "cannot tell which member is you, so no message says who started it; "
                "set your name or LinkedIn URL (or import the whole export) to fix that"
            )
    seen: dict[str, dict[str, int]] = {}
    for item in table.rows():
        if type(item) is Rejected:
            yield item
            continue
        line, row = item  # type: ignore[misc]
        if _cell(row, draft_i).lower() in ("yes", "true") or _cell(row, folder_i).upper() == "DRAFTS":
            yield Warning("draft message skipped", line)
            continue
        raw_date = _cell(row, date_i)
        when = parse_when(raw_date)
        if when is None:
            yield Rejected(line, f"unreadable date {raw_date!r}", ",".join(row)[:300])
            continue
        sender = ParticipantRef(name=_cell(row, from_i) or None, linkedin=_cell(row, furl_i) or None, role="from")
        recipients = _recipients(_cell(row, to_i), _cell(row, turl_i))
        thread = _cell(row, conv_i)
        if not thread:
            # The 2018 layout has no conversation id: the set of people stands in for it.
            names = {fold(sender.name or "")} | {fold(r.name or r.linkedin or "") for r in recipients}
            names.discard("")
            thread = "people:" + "|".join(sorted(names))
        subject = _cell(row, subject_i)
        content = _cell(row, content_i)
        initiator = _direction(_cell(row, direction_i)) if direction_i is not None else None
        if initiator is None and me:
            initiator = "me" if me.is_me(sender) else "them"
        key = f"linkedin:{thread}:{when.isoformat()}:{fold(sender.linkedin or sender.name or '')}"
        # Two different messages from one sender in the same minute (the 2018 layout has no seconds) must not
        # share an id; an exact duplicate row keeps the id of its twin.
        digest = hashlib.blake2b(f"{subject}\x1f{content}".encode(), digest_size=6).hexdigest()
        variants = seen.setdefault(key, {})
        number = variants.setdefault(digest, len(variants) + 1)
        yield InteractionRecord(
            occurred_at=when,
            kind="message",
            line=line,
            summary=short_text(subject, content) or short_text(_cell(row, title_i)),
            external_id=key if number == 1 else f"{key}#{number}",
            thread=thread,
            sender=sender,
            participants=recipients,
            initiator=initiator,
        )


# --- Invitations.csv ------------------------------------------------------------------------------------------


def parse_invitations(table: csvread.CsvTable) -> Iterator[Record]:
    from_i, to_i = table.col("From"), table.col("To")
    at_i, message_i, direction_i = table.col("Sent At"), table.col("Message"), table.col("Direction")
    furl_i, turl_i = table.col("inviterProfileUrl"), table.col("inviteeProfileUrl")
    for item in table.rows():
        if type(item) is Rejected:
            yield item
            continue
        line, row = item  # type: ignore[misc]
        raw = _cell(row, at_i)
        when = parse_when(raw)
        if when is None:
            yield Rejected(line, f"unreadable Sent At date {raw!r}", ",".join(row)[:300])
            continue
        inviter = ParticipantRef(name=_cell(row, from_i) or None, linkedin=_cell(row, furl_i) or None, role="from")
        invitee = ParticipantRef(name=_cell(row, to_i) or None, linkedin=_cell(row, turl_i) or None, role="to")
        message = short_text(_cell(row, message_i))
        who = f"{inviter.name or inviter.linkedin or '?'} invited {invitee.name or invitee.linkedin or '?'} to connect"
        yield InteractionRecord(
            occurred_at=when,
            kind="message",
            line=line,
            summary=f"{who}: {message}" if message else who,
            external_id="linkedin-invitation:"
            f"{fold(inviter.linkedin or inviter.name or '')}>{fold(invitee.linkedin or invitee.name or '')}:"
            f"{when.isoformat()}",
            thread=None,
            sender=inviter,
            participants=[invitee],
            initiator=_direction(_cell(row, direction_i)),
        )


# --- entry points ---------------------------------------------------------------------------------------------


def parse_bytes(data: bytes, ctx: ParseContext, *, name: str) -> Iterator[Record]:
    """Any one export file's records, told apart by its header. Raises ``ImportProblem`` for an unreadable file."""
    table = csvread.open_table(data, _is_header, name=name, expected=_EXPECTED)
    yield from table.warnings
    kind = kind_of([csvread.column_key(title) for title in table.header])
    if kind == CONNECTIONS:
        yield from parse_connections(table)
    elif kind == MESSAGES:
        yield from parse_messages(table, ctx)
    else:
        yield from parse_invitations(table)


def parse(path: Path, ctx: ParseContext) -> Iterator[Record]:
    """Records of one LinkedIn file (Connections, messages or Invitations), in file order."""
    if path.is_dir() or path.suffix.lower() == ".zip":
        for _, record in parse_export(path, ctx):
            yield record
        return
    yield from parse_bytes(csvread.read_bytes(path), ctx, name=str(path))


def _export_members(path: Path) -> dict[str, str]:
    """Kind -> member name (a file path for folders, a zip entry name for zips) of the export files present."""
    found: dict[str, str] = {}
    if not path.exists():
        raise ImportProblem("no such file or folder", path=str(path))
    if path.is_dir():
        # An export holds its files at the top or in one folder: no need to walk a whole tree (a Maildir, say).
        candidates = []
        for entry in sorted(os.scandir(path), key=lambda e: e.name):
            if entry.is_file() and entry.name.lower() in EXPORT_FILES:
                candidates.append(entry.path)
            elif entry.is_dir():
                candidates += sorted(
                    e.path for e in os.scandir(entry.path) if e.name.lower() in EXPORT_FILES and e.is_file()
                )
        names = [(c, Path(c).name.lower()) for c in candidates]
    else:
        try:
            with zipfile.ZipFile(path) as archive:
                names = [(i.filename, PurePosixPath(i.filename).name.lower()) for i in archive.infolist()]
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise ImportProblem(f"not a readable zip file ({exc})", path=str(path)) from None
    for member, base in names:
        kind = EXPORT_FILES.get(base)
        # The shallowest copy wins: exports hold each file once, at the top or in one folder.
        if kind and (kind not in found or member.count("/") < found[kind].count("/")):
            found[kind] = member
    return found


def _read_member(path: Path, member: str) -> bytes:
    if path.is_dir():
        return csvread.read_bytes(Path(member))
    try:
        with zipfile.ZipFile(path) as archive:
            info = archive.getinfo(member)
            if info.file_size > MAX_MEMBER_BYTES:
                raise ImportProblem(f"{member} is too large to import", path=str(path))
            return archive.read(member)
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError) as exc:
        raise ImportProblem(f"cannot read {member} from the zip file ({exc})", path=str(path)) from None


def _learn_me(records: list[Record], ctx: ParseContext) -> ParseContext:
    """Who the exporting member is, from invitations whose Direction says so; ctx wins where it knows."""
    names: set[str] = set()
    urls: set[str] = set()
    for record in records:
        if isinstance(record, InteractionRecord) and record.initiator and record.sender and record.participants:
            me = record.sender if record.initiator == "me" else record.participants[0]
            if me.name:
                names.add(fold(me.name))
            if me.linkedin:
                urls.add(me.linkedin)
    if len(names) != 1 and not urls:
        return ctx
    return replace(
        ctx,
        me_names=ctx.me_names or frozenset(names if len(names) == 1 else ()),
        me_linkedin=ctx.me_linkedin or frozenset(urls),
    )


def parse_export(path: Path, ctx: ParseContext) -> Iterator[tuple[str, Record]]:
    """Every record of an export folder or .zip, as ``(member name, record)``: Connections, Invitations, messages.

    Member names are found case-insensitively anywhere in the folder or zip. What the invitations say about who
    the exporting member is (their Direction column) tells the messages file who "me" is when ``ctx`` does not.
    Raises ``ImportProblem`` when no export file is present or one cannot be read.
    """
    members = _export_members(path)
    if not members:
        raise ImportProblem(
            "no Connections.csv, Invitations.csv or messages.csv in it",
            path=str(path),
            hint="point at the folder or .zip LinkedIn sent (Settings > Data privacy > Get a copy of your data)",
        )
    for kind in KINDS:
        member = members.get(kind)
        if member is None:
            continue
        label = PurePosixPath(member).name if not path.is_dir() else Path(member).name
        data = _read_member(path, member)
        name = member if path.is_dir() else f"{path}/{member}"
        if kind == INVITATIONS:
            records = list(parse_bytes(data, ctx, name=name))
            ctx = _learn_me(records, ctx)
            for record in records:
                yield label, record
        else:
            for record in parse_bytes(data, ctx, name=name):
                yield label, record

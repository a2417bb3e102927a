"""Pure functions over one message's raw header block: split, decode, and turn it into an interaction record.

Everything here works on ``bytes`` that the format readers in ``mail.py`` cut out of a file; nothing here does
I/O. The functions are tolerant by design: mail in the wild carries 8-bit garbage, unknown charsets, broken
encoded-words and unparseable dates, and each of those must degrade to a usable value or a clear reason.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from email.header import decode_header, make_header
from email.utils import getaddresses, parsedate_to_datetime

from dunbar import normalize
from dunbar.importers.records import DigestRow, InteractionRecord, ParticipantRef, Rejected, Warning
from dunbar.store.db import sqlite_ts, to_micros
from dunbar.text import search_body

# Only these headers are ever looked at; the rest of the block (Received chains, DKIM signatures) is skipped
# by the regular expression below without being copied into Python objects.
WANTED = frozenset(
    {
        "from",
        "sender",
        "to",
        "cc",
        "bcc",
        "date",
        "subject",
        "message-id",
        "in-reply-to",
        "references",
        "list-id",
        "list-unsubscribe",
        "precedence",
        "auto-submitted",
        "x-autoreply",
        "x-autorespond",
    }
)
_WANTED_RE = b"|".join(re.escape(n.encode()) for n in sorted(WANTED, key=len, reverse=True))
# Lower-case names, and the spellings clients actually write, to the key: one dict look-up per field, with
# ``bytes.lower`` only for an odd spelling ("MESSAGE-ID", "cC").
_KEYS = {
    spelling.encode(): name
    for name in WANTED
    for spelling in (name, name.upper(), "-".join(p.capitalize() for p in name.split("-")), name.capitalize())
}
_KEYS.update({b"Message-ID": "message-id", b"List-ID": "list-id", b"Message-id": "message-id"})
# A wanted field right after a newline, with its folded continuation lines. Case-blind on bytes is ASCII-only,
# so this matches exactly where the same pattern matches the lower-cased block; ``findall`` hands back the
# (name, value) pairs from C, and sre rejects the dozens of Received/DKIM/X- lines without building anything.
# A line that cannot start a wanted name is given up on its first letter; the possessive repeats (nothing after
# them could match what they gave back) spare sre its backtracking records.
_FIRSTS = "".join(sorted({n[0] for n in WANTED} | {n[0].upper() for n in WANTED})).encode()
_FIELD = re.compile(
    rb"\n(?=[" + _FIRSTS + rb"])(" + _WANTED_RE + rb")[ \t]*+:[ \t]*+([^\n]*+(?:\n[ \t][^\n]*+)*+)", re.IGNORECASE
)
_NEWLINE_INDENT = re.compile(rb"\n[ \t]*")
_RECEIVED = re.compile(rb"\nreceived[ \t]*:([^\n]*(?:\n[ \t][^\n]*)*)")
_CONTENT_TYPE = re.compile(rb"\ncontent-type[ \t]*:([^\n]*(?:\n[ \t][^\n]*)*)")
_SPACES = re.compile(r"\s+")
_MSGID = re.compile(r"<([^<>\s]+)>")
_CHARSET = re.compile(rb"charset\s*=\s*\"?([A-Za-z0-9_.:+-]+)", re.IGNORECASE)

HEAD_MAX = 256 * 1024  # a header block longer than this is cut: no real mail needs more, and memory stays flat


def header_end(data: bytes, start: int = 0) -> tuple[int, int] | None:
    """(end of the header block, start of the body) in ``data``, or None when the blank line is not there.

    Two substring searches (C fast search) instead of a regular expression: "\n\n" ends LF headers,
    "\n\r\n" ends CRLF (and mixed) ones; the second search stops where the first found something.
    """
    lf = data.find(b"\n\n", start)
    crlf = data.find(b"\n\r\n", start, lf + 1 if lf >= 0 else len(data))
    if crlf >= 0:
        return crlf, crlf + 3
    if lf >= 0:
        return lf, lf + 2
    return None


def _unfold(value: bytes) -> bytes:
    """A header value with each line break (CRLF, LF, or a lone CR) and the indent after it made one space.

    The same as substituting ``\\r?\\n[ \\t]*|\\r`` with a space, in three passes that each start from a literal
    byte: that pattern has none, so sre tries it at every position, several times slower on a folded address list.
    """
    return _NEWLINE_INDENT.sub(b" ", value.replace(b"\r\n", b"\n")).replace(b"\r", b" ")


def split_fields(block: bytes) -> dict[str, list[bytes]]:
    """The wanted header fields of a raw header block, unfolded, in order, by lower-case name.

    Lines without a colon (broken headers, a stray envelope line) are skipped: their name is never wanted.
    """
    fields: dict[str, list[bytes]] = {}
    keys = _KEYS
    for name, raw in _FIELD.findall(b"\n" + block):
        key = keys.get(name)
        if key is None:
            key = keys[name.lower()]
        # Stripping before unfolding gives the same value (a fold is all whitespace, so it never straddles
        # the first or last visible character) and leaves the usual CRLF "\r" nothing to unfold. Looking for
        # a byte as an int is a plain memchr; a one-byte ``bytes`` needle costs ten times as much.
        value = raw.strip()
        if 10 in value or 13 in value:
            value = _unfold(value)
        got = fields.get(key)
        if got is None:
            fields[key] = [value]
        else:
            got.append(value)
    return fields


def _first_of(pattern: re.Pattern[bytes], block: bytes) -> bytes | None:
    """The first value of a header that is needed only rarely (Received, Content-Type), found on demand."""
    text = b"\n" + block
    m = pattern.search(text.lower())
    if m is None:
        return None
    return _unfold(text[m.start(1) : m.end(1)]).strip()


def charset_of(block: bytes) -> str | None:
    """The charset the message declares, used to read raw 8-bit header bytes that are not UTF-8."""
    ctype = _first_of(_CONTENT_TYPE, block)
    if ctype is None:
        return None
    m = _CHARSET.search(ctype)
    return m.group(1).decode("ascii") if m else None


def to_text(raw: bytes, block: bytes | None = None) -> str:
    """Header bytes as text: ASCII and UTF-8 as they are, else the charset ``block`` declares, else cp1252."""
    try:
        return raw.decode("ascii")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    charset = charset_of(block) if block is not None else None
    if charset:
        with contextlib.suppress(Exception):  # unknown, non-text or broken codecs all mean: not this charset
            return raw.decode(charset)
    return raw.decode("cp1252", errors="replace")


_WORDS_CACHE: dict[str, str] = {}


def decode_words(text: str) -> str:
    """Decode RFC 2047 encoded-words (only when present) and collapse whitespace."""
    if "=?" in text:
        cached = _WORDS_CACHE.get(text)
        if cached is not None:
            return cached
        raw = text
        with contextlib.suppress(Exception):  # the stdlib raises several unrelated types on broken words
            text = str(make_header(decode_header(text)))
        text = _SPACES.sub(" ", text).strip()
        if len(_WORDS_CACHE) > 2048:  # names repeat across a mailbox; the cache stays small all the same
            _WORDS_CACHE.clear()
        _WORDS_CACHE[raw] = text
        return text
    if "  " in text or "\t" in text or "\n" in text:
        text = _SPACES.sub(" ", text)
    return text.strip()


# --- dates -------------------------------------------------------------------------------------------------

_MONTHS = {
    m: i for i, m in enumerate(["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1)
}
# The shape nearly every client writes: "Thu, 31 Jul 2008 14:57:25 -0400" (weekday optional, seconds optional).
_FAST_DATE = re.compile(
    r"(?:[A-Za-z]{3},?\s+)?(\d{1,2})\s+([A-Za-z]{3})\s+(\d{4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s+([+-])(\d{2})(\d{2})\b"
)
_ZONES: dict[str, timezone] = {}
_DATE_CACHE: dict[str, datetime | None] = {}
# The exact shape of the fast pattern's commonest case, "Thu, 31 Jul 2008 14:57:25 -0400", with every field in
# its range, so that ``datetime.fromisoformat`` (in C) builds the same value the slow path would. The day part
# repeats across a mailbox and is checked once, then kept as its ISO form ("2008-07-31T").
_ISO_SHAPE = re.compile(
    r"(?:[A-Za-z]{3}, )?([0-9]{1,2} [A-Za-z]{3} [0-9]{4}) ((?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]) "
    r"([+-](?:[01][0-9]|2[0-3])[0-5][0-9])"
)
_ISO_DAYS: dict[str, str] = {}
_from_iso = datetime.fromisoformat
_MIN_YEAR, _MAX_YEAR = 1950, 2100  # outside: a broken clock or a typo, not a real sending time


def _zone(sign: str, hh: str, mm: str) -> timezone:
    key = sign + hh + mm
    zone = _ZONES.get(key)
    if zone is None:
        minutes = int(hh) * 60 + int(mm)
        zone = timezone(timedelta(minutes=-minutes if sign == "-" else minutes))
        _ZONES[key] = zone
    return zone


def _iso_day(day: str) -> str:
    """ "31 Jul 2008" as "2008-07-31T", or "" where the fast path would not return it (no such day, a year out
    of range): such dates take the slow path, which decides as before."""
    d, mon, year = day.split(" ")
    month = _MONTHS.get(mon.lower())
    iso = ""
    if month is not None and _MIN_YEAR <= int(year) <= _MAX_YEAR:
        with contextlib.suppress(ValueError):
            iso = datetime(int(year), month, int(d)).strftime("%Y-%m-%dT")
    if len(_ISO_DAYS) > 4096:
        _ISO_DAYS.clear()
    _ISO_DAYS[day] = iso
    return iso


def parse_date(text: str) -> datetime | None:
    """A timezone-aware datetime from a Date header value, or None when it is unusable."""
    m = _ISO_SHAPE.fullmatch(text)
    if m is not None:
        day, hms, zone = m.groups()
        iso = _ISO_DAYS.get(day)
        if iso is None:
            iso = _iso_day(day)
        if iso:
            return _from_iso(iso + hms + zone)
    text = text.strip()
    if not text:
        return None
    m = _FAST_DATE.match(text)
    if m is not None:
        day, mon, year, hh, mi, ss, sign, zh, zm = m.groups()
        month = _MONTHS.get(mon.lower())
        if month is not None:
            try:
                got = datetime(int(year), month, int(day), int(hh), int(mi), int(ss or 0), tzinfo=_zone(sign, zh, zm))
            except ValueError:
                got = None
            if got is not None and _MIN_YEAR <= got.year <= _MAX_YEAR:
                return got
    cached = _DATE_CACHE.get(text, False)
    if cached is not False:
        return cached  # type: ignore[return-value]
    result: datetime | None
    try:
        result = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        result = None
    if result is not None:
        if result.tzinfo is None:  # "-0000" or no zone: RFC 5322 says the time is UTC
            result = result.replace(tzinfo=UTC)
        if not _MIN_YEAR <= result.year <= _MAX_YEAR:
            result = None
    if len(_DATE_CACHE) > 4096:  # a cache, not an archive: memory stays flat on any mailbox
        _DATE_CACHE.clear()
    _DATE_CACHE[text] = result
    return result


_ASCTIME = re.compile(r"([A-Za-z]{3})\s+(\d{1,2})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s+(?:[A-Z]{3,4}\s+)?(\d{4})")


def parse_envelope_date(line: str) -> datetime | None:
    """The date of an mbox "From sender Thu Jul 31 14:57:25 2008" line, as UTC (the line carries no zone)."""
    m = _ASCTIME.search(line)
    if m is None:
        return None
    mon, day, hh, mi, ss, year = m.groups()
    month = _MONTHS.get(mon.lower())
    if month is None:
        return None
    try:
        got = datetime(int(year), month, int(day), int(hh), int(mi), int(ss or 0), tzinfo=UTC)
    except ValueError:
        return None
    return got if _MIN_YEAR <= got.year <= _MAX_YEAR else None


# --- addresses and bulk ------------------------------------------------------------------------------------

_NOREPLY = re.compile(
    r"^(?:no[-_.]?reply|do[-_.]?not[-_.]?reply|dont[-_.]?reply|mailer[-_.]?daemon|postmaster|bounces?\b|"
    r"notifications?\b|notify\b|automated|auto[-_.]?confirm|.*\bno[-_.]?reply)",
    re.IGNORECASE,
)
_AUTO_SUBJECT = re.compile(
    r"^(?:out of (?:the )?office|automatic reply|auto(?:matic)?[- ]?(?:reply|response)|autoreply|"
    r"abwesenheitsnotiz|abwesend|r[ée]ponse automatique|absence|away from (?:the )?office|on vacation|"
    r"vacation reply|delivery status notification|undeliverable|undelivered mail|returned mail|"
    r"mail delivery (?:failed|failure|subsystem))",
    re.IGNORECASE,
)


# The common shapes of an address list entry, matched in C: `Name <a@b>`, `"Last, First" <a@b>`, `a@b`. A display
# name is matched whole and never backtracked into (possessive ``*+``, ``++``): a quoted one ends only at its
# closing quote, a plain one at its last visible character before "<" (the spaces before "<" are not part of
# it). Giving back characters could never let the rest match, so this finds what a lazy name would, without
# sre trying every shorter name first. ``{o}`` opens a group: capturing to read an entry, not to cut a list.
_ENTRY = (
    r'(?:"{o}(?:[^"\\]++|\\.)*+)"|{o}(?:[^",<>()\\;:@\s]++|\s++(?=[^",<>()\\;:@\s]))*+))'
    r'\s*<\s*{o}[^<>\s@,;:"()]+@[^<>\s,;:"()@]+)\s*>'
    r"|{o}[^\s<>\",;:()@]+@[^\s<>\",;:()@]+)"
)
_ENTRY_PARTS = re.compile(_ENTRY.format(o="("))
# An entry with the spaces around it and the comma after it (or the end of the value). ``split`` cuts a value
# into what lies between entries and the entries themselves: the value is a list of the common shapes exactly
# when nothing lies between them.
_ADDR_SPLIT = re.compile(r"\s*(" + _ENTRY.format(o="(?:") + r")\s*(?:,|\Z)")
_UNQUOTE = re.compile(r"\\(.)")
_AT_WORD = re.compile(r"\s*([\w.+-]+) at ([\w-]+(?:\.[\w-]+)+)\s*(?:\((.*)\))?\s*$")
_BARE_ADDR = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def _odd_addresses(value: str) -> list[tuple[str, str]]:
    """(raw name, raw address) pairs of an address list that is not of the common shapes."""
    pairs = getaddresses([value])  # comments, groups, quoted local parts, garbage
    if any("@" in addr and " " not in addr.strip() for _, addr in pairs):
        return pairs
    # Archives write "ana at example.com (Ana Lima)" (pipermail); broken clients "Ana Lima ana@example.com".
    at = _AT_WORD.match(value)
    if at is not None:
        return [(at.group(3) or "", f"{at.group(1)}@{at.group(2)}")]
    bare = _BARE_ADDR.search(value)
    if bare is not None:
        return [((value[: bare.start()] + value[bare.end() :]).strip(" <>\"'"), bare.group(0))]
    return pairs


_Address = tuple[str | None, str, str, str | None]  # display name, address, lower-cased, normalized (or None)


def _address(name: str, addr: str) -> _Address | None:
    """One raw entry finished, or None when it has no usable address."""
    addr = addr.strip().strip("<>").strip()
    if "@" not in addr or " " in addr or len(addr) > 320:
        return None
    name = decode_words(name).strip(" \"'") if name else ""
    low = addr.lower()
    return (name if name and name.lower() != low else None, addr, low, normalize.email(addr))


# One entry of the common shapes, as its text without the spaces and comma around it, to its finished address
# (none when dropped). The same people turn up in ever new To/Cc combinations, so an entry recurs far more
# often than a whole value; the cache is emptied when full.
_ENTRY_CACHE: dict[str, tuple[_Address, ...]] = {}


def _entry(text: str) -> tuple[_Address, ...]:
    got = None
    # ``text`` was cut by the same pattern, so it always matches, with the groups it had in its list.
    m = _ENTRY_PARTS.fullmatch(text)
    if m is not None:
        quoted, plain, addr, bare = m.groups()
        if bare is not None:
            got = _address("", bare)
        else:
            name = quoted if quoted is not None else plain
            if quoted is not None and "\\" in quoted:
                name = _UNQUOTE.sub(r"\1", quoted)
            got = _address(name, addr)
    entry = () if got is None else (got,)
    if len(_ENTRY_CACHE) > 4096:
        _ENTRY_CACHE.clear()
    _ENTRY_CACHE[text] = entry
    return entry


def _common_list(value: str) -> list[_Address] | None:
    """The addresses of a list of the common shapes, or None when ``value`` is not one."""
    parts = _ADDR_SPLIT.split(value)
    if len(parts) < 3 or any(parts[::2]):
        return None
    out: list[_Address] = []
    cache = _ENTRY_CACHE
    for text in parts[1::2]:
        got = cache.get(text)
        out.extend(_entry(text) if got is None else got)
    return out


def _addresses(value: str) -> list[_Address]:
    out = _common_list(value)
    if out is not None:
        return out
    try:
        pairs = _odd_addresses(value)
    except Exception:  # the stdlib parser raises on some hostile inputs (deep nesting, odd quoting)
        return []
    out = []
    for name, addr in pairs:
        got = _address(name, addr)
        if got is not None:
            out.append(got)
    return out


def address_pairs(value: str) -> list[tuple[str | None, str]]:
    """(display name, address) pairs of one address header; names decoded after splitting, so that an
    encoded comma stays inside its name. Entries without a usable address (groups, garbage) are dropped."""
    return [(name, addr) for name, addr, _, _ in _addresses(value)]


def addresses(value: str, role: str) -> list[ParticipantRef]:
    """Participants from one address header, each with ``role``."""
    return [ParticipantRef(name=name, email=addr, role=role) for name, addr in address_pairs(value)]


# Address headers repeat across a mailbox (the same correspondents, the user's own From), so the parsed pairs
# are kept by raw value, each with its address lower-cased; the cache is emptied when full, so memory stays
# flat on any mailbox. Its size and keys are part of the results: a value with 8-bit bytes is read in the
# charset of the message that first brings it, and keeps that reading while it stays cached.
_PAIRS_CACHE: dict[bytes, list[_Address]] = {}


def _cached_pairs(raw: bytes, block: bytes) -> list[_Address]:
    pairs = _PAIRS_CACHE.get(raw)
    if pairs is None:
        pairs = _addresses(to_text(raw, block))
        if len(_PAIRS_CACHE) > 4096:
            _PAIRS_CACHE.clear()
        _PAIRS_CACHE[raw] = pairs
    return pairs


def is_noreply(addr: str) -> bool:
    return _NOREPLY.match(addr.partition("@")[0]) is not None


def is_bulk(fields: dict[str, list[bytes]], sender: str, subject: str) -> bool:
    """Mailing-list and automated mail, by its headers, its sender and auto-reply subjects."""
    if "list-id" in fields or "list-unsubscribe" in fields or "x-autoreply" in fields or "x-autorespond" in fields:
        return True
    for value in fields.get("precedence", ()):
        if value.strip().lower() in (b"bulk", b"list", b"junk"):
            return True
    for value in fields.get("auto-submitted", ()):
        if value.strip().lower() not in (b"no", b""):
            return True
    return is_noreply(sender) or _AUTO_SUBJECT.match(subject) is not None


# --- the record --------------------------------------------------------------------------------------------


# "<id>" at the very start, up to the first ">", with no space inside: the id as it stands.
_ANGLE_ID = re.compile(rb"<([^> ]+)>")


def _first_id_raw(raw: bytes) -> str | None:
    """The first message id of a Message-ID/References/In-Reply-To value, without its angle brackets."""
    m = _ANGLE_ID.match(raw)
    if m is not None and raw.isascii():
        return m.group(1).decode("ascii")
    return _first_id(to_text(raw))


def _first_id(value: str) -> str | None:
    m = _MSGID.search(value)
    if m is not None:
        return m.group(1)
    token = value.strip().split()
    return token[0].strip("<>") if token and len(token[0]) > 2 else None


def _received_date(block: bytes) -> datetime | None:
    """The time the nearest server took the message: the date after the ";" of the first Received field."""
    raw = _first_of(_RECEIVED, block)
    if raw is None:
        return None
    _, sep, tail = raw.rpartition(b";")
    return parse_date(tail.decode("latin-1")) if sep else None


# (subject, reads as an automatic reply, the summary stored for it, the summary's search words)
_Subject = tuple[str, bool, str, str]
_NO_SUBJECT: _Subject = ("", False, "", "")
# Subjects recur (threads, notifications), and each is kept with whether it reads as an automatic reply. Only
# values that read as UTF-8 (ASCII included) are kept: the reading of any other depends on its message's charset.
_SUBJECTS: dict[bytes, _Subject] = {}
_NOREPLY_SEEN: dict[str, bool] = {}  # by the sender's lower-cased address
_BULK_FIELDS = frozenset(
    {"list-id", "list-unsubscribe", "x-autoreply", "x-autorespond", "precedence", "auto-submitted"}
)


def _subject(raw: bytes, block: bytes) -> _Subject:
    subject = decode_words(to_text(raw, block))
    summary = " ".join(subject.split())[:1000]
    got = (subject, _AUTO_SUBJECT.match(subject) is not None, summary, search_body(summary) if summary else "")
    keep = raw.isascii()
    if not keep:
        try:
            raw.decode("utf-8")
            keep = True
        except UnicodeDecodeError:
            pass
    if keep:
        if len(_SUBJECTS) > 4096:
            _SUBJECTS.clear()
        _SUBJECTS[raw] = got
    return got


def _noreply(addr: str) -> bool:
    got = is_noreply(addr)
    if len(_NOREPLY_SEEN) > 4096:
        _NOREPLY_SEEN.clear()
    _NOREPLY_SEEN[addr] = got
    return got


# What ``_parse`` makes of a message: (time, subject, message id, thread, sender, [(someone, role)…], initiator,
# bulk), the sender first among the addresses and not repeated.
_Parsed = tuple[datetime, _Subject, str, str, _Address, list[tuple[_Address, str]], str | None, bool]


def build_record(
    block: bytes,
    *,
    number: int,
    line: int | None,
    where: str,
    me_emails: frozenset[str],
    fallback_date: datetime | Callable[[], datetime | None] | None = None,
    fallback_label: str = "",
) -> tuple[InteractionRecord | Rejected, list[Warning]]:
    """One message's record from its raw header block.

    ``number`` is the message's position (1-based) and ``line`` its first line in the file (mbox) or None;
    ``where`` names it in messages (a file name or "message 12"); ``fallback_date`` is the delivery time that
    replaces a missing or bad Date (the Maildir file name's timestamp, the mbox "From " line).
    """
    pos = line if line is not None else number
    parsed, warnings = _parse(block, pos, where, me_emails, fallback_date, fallback_label)
    if isinstance(parsed, Rejected):
        return parsed, warnings
    occurred, subject, msgid, thread, sender, others, initiator, bulk = parsed
    # Positional arguments: keywords more than double what building records costs
    # (tests/importers/test_mail_headers.py holds the field order to what is passed here).
    record = InteractionRecord(
        occurred,
        "email",
        pos,
        subject[0],
        msgid,
        thread,
        ParticipantRef(sender[0], sender[1], None, "from"),
        [ParticipantRef(a[0], a[1], None, role) for a, role in others],
        initiator,
        None,
        bulk,
    )
    return record, warnings


def build_row(
    block: bytes,
    *,
    where: str,
    me_emails: frozenset[str],
    fallback_date: datetime | Callable[[], datetime | None] | None = None,
    fallback_label: str = "",
) -> DigestRow:
    """What ``build_record`` makes of a message, as a digest row (see ``records.DigestRow``): the form in which
    worker processes hand messages to the import pipeline."""
    parsed, warnings = _parse(block, 0, where, me_emails, fallback_date, fallback_label)
    said = tuple(w.message for w in warnings)
    if isinstance(parsed, Rejected):
        return ("R", parsed.reason, parsed.text, said)
    occurred, subject, msgid, thread, sender, others, initiator, bulk = parsed
    utc = occurred.astimezone(UTC)
    offset = occurred.utcoffset()
    return (
        "I",
        sqlite_ts(utc),
        to_micros(utc),
        int(offset.total_seconds()) if offset is not None else 0,
        subject[2],
        subject[3],
        msgid,
        thread,
        ((sender[0], sender[1], sender[3], "from"), *[(a[0], a[1], a[3], role) for a, role in others]),
        initiator,
        bulk,
        said,
    )


def _parse(
    block: bytes,
    pos: int | None,
    where: str,
    me_emails: frozenset[str],
    fallback_date: datetime | Callable[[], datetime | None] | None,
    fallback_label: str,
) -> tuple[_Parsed | Rejected, list[Warning]]:
    # This runs once a message on every import: what recurs across a mailbox (address lists, subjects, days)
    # is looked up in caches.
    warnings: list[Warning] = []
    fields = split_fields(block)
    get = fields.get
    pairs_cache = _PAIRS_CACHE

    froms = get("from", ())
    if len(froms) > 1:
        warnings.append(Warning(f"{where}: {len(froms)} From headers; used the first", pos))
    first = None
    # In order, stopping at the first with an address: each value looked up may enter the cache.
    for raw in froms if "sender" not in fields else (*froms, *fields["sender"]):
        got = pairs_cache.get(raw)
        if got is None:
            got = _cached_pairs(raw, block)
        if got:
            first = got[0]
            break
    if first is None:
        reason = "no From header" if not froms else "From has no usable e-mail address"
        return Rejected(pos, f"{where}: {reason}", _snippet(block)), warnings
    sender_addr = first[2]

    subject_raw = get("subject")
    if subject_raw:
        raw = subject_raw[0]
        cached = _SUBJECTS.get(raw)
        subject = _subject(raw, block) if cached is None else cached
    else:
        subject = _NO_SUBJECT

    occurred: datetime | None = None
    date_raw = get("date")
    if date_raw:
        raw = date_raw[0]
        occurred = parse_date(raw.decode("ascii") if raw.isascii() else to_text(raw))
    if occurred is None:
        problem = "bad Date" if date_raw else "no Date"
        fallback = fallback_date() if callable(fallback_date) else fallback_date
        label = fallback_label
        if fallback is None:
            fallback, label = _received_date(block), "the Received header"
        if fallback is None:
            return Rejected(pos, f"{where}: {problem} and no delivery time to use instead", _snippet(block)), warnings
        shown = f" {to_text(date_raw[0])[:60]!r}" if date_raw else ""
        warnings.append(Warning(f"{where}: {problem}{shown}; used {label} ({fallback.isoformat()})", pos))
        occurred = fallback

    others: list[tuple[_Address, str]] = []
    seen = {sender_addr}
    for role in ("to", "cc", "bcc"):
        raws = get(role)
        if raws:
            for raw in raws:
                got = pairs_cache.get(raw)
                if got is None:
                    got = _cached_pairs(raw, block)
                for entry in got:
                    if entry[2] not in seen:
                        seen.add(entry[2])
                        others.append((entry, role))

    msgid_raw = get("message-id")
    msgid = _first_id_raw(msgid_raw[0]) if msgid_raw else None
    if msgid is None:
        digest = hashlib.sha1(usedforsecurity=False)
        for name in ("from", "date", "subject"):
            for raw in get(name, ()):
                digest.update(raw + b"\0")
        msgid = "sha1:" + digest.hexdigest()

    thread = None
    for name in ("references", "in-reply-to"):
        raw_list = get(name)
        if raw_list:
            thread = _first_id_raw(raw_list[0])
            if thread:
                break

    if subject[1]:
        bulk = True
    elif _BULK_FIELDS.isdisjoint(fields):
        noreply = _NOREPLY_SEEN.get(sender_addr)
        bulk = _noreply(sender_addr) if noreply is None else noreply
    else:
        bulk = is_bulk(fields, sender_addr, subject[0])

    initiator = ("me" if sender_addr in me_emails else "them") if me_emails else None
    return (occurred, subject, msgid, thread or msgid, first, others, initiator, bulk), warnings


def _snippet(block: bytes) -> str:
    return block[:300].decode("utf-8", errors="replace")

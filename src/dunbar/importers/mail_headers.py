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

from dunbar.importers.records import InteractionRecord, ParticipantRef, Rejected, Warning

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
_KEYS = {name.encode(): name for name in WANTED}
# A wanted field right after a newline, with its folded continuation lines, matched on the lower-cased block
# (names are case-insensitive) and cut from the original by position. sre finds the "\n" candidates in C and
# rejects the dozens of Received/DKIM/X- lines without building a Python object for them.
_FIELD = re.compile(rb"\n(" + _WANTED_RE + rb")[ \t]*:[ \t]*([^\n]*(?:\n[ \t][^\n]*)*)")
_FOLD = re.compile(rb"\r?\n[ \t]*|\r")
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


def split_fields(block: bytes) -> dict[str, list[bytes]]:
    """The wanted header fields of a raw header block, unfolded, in order, by lower-case name.

    Lines without a colon (broken headers, a stray envelope line) are skipped: their name is never wanted.
    """
    fields: dict[str, list[bytes]] = {}
    text = b"\n" + block
    keys = _KEYS
    for m in _FIELD.finditer(text.lower()):
        start, end = m.span(2)
        value = text[start:end]
        if b"\n" in value or b"\r" in value:
            value = _FOLD.sub(b" ", value)
        key = keys[m.group(1)]
        got = fields.get(key)
        if got is None:
            fields[key] = [value.strip()]
        else:
            got.append(value.strip())
    return fields


def _first_of(pattern: re.Pattern[bytes], block: bytes) -> bytes | None:
    """The first value of a header that is needed only rarely (Received, Content-Type), found on demand."""
    text = b"\n" + block
    m = pattern.search(text.lower())
    if m is None:
        return None
    return _FOLD.sub(b" ", text[m.start(1) : m.end(1)]).strip()


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
_MIN_YEAR, _MAX_YEAR = 1950, 2100  # outside: a broken clock or a typo, not a real sending time


def _zone(sign: str, hh: str, mm: str) -> timezone:
    key = sign + hh + mm
    zone = _ZONES.get(key)
    if zone is None:
        minutes = int(hh) * 60 + int(mm)
        zone = timezone(timedelta(minutes=-minutes if sign == "-" else minutes))
        _ZONES[key] = zone
    return zone


def parse_date(text: str) -> datetime | None:
    """A timezone-aware datetime from a Date header value, or None when it is unusable."""
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


# The common shapes of an address list, matched in C: `Name <a@b>`, `"Last, First" <a@b>`, `a@b`, comma-separated.
_ENTRY = (
    r'\s*(?:(?:"((?:[^"\\]|\\.)*)"|([^",<>()\\;:@]*?))\s*<\s*([^<>\s@,;:"()]+@[^<>\s,;:"()@]+)\s*>'
    r'|([^\s<>",;:()@]+@[^\s<>",;:()@]+))\s*'
)
_ADDR_LIST = re.compile(rf"(?:{_ENTRY},)*{_ENTRY},?")
_ADDR_ENTRY = re.compile(rf"{_ENTRY},?")
_UNQUOTE = re.compile(r"\\(.)")
_AT_WORD = re.compile(r"\s*([\w.+-]+) at ([\w-]+(?:\.[\w-]+)+)\s*(?:\((.*)\))?\s*$")
_BARE_ADDR = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def _split_addresses(value: str) -> list[tuple[str, str]]:
    if _ADDR_LIST.fullmatch(value) is not None:
        out = []
        for m in _ADDR_ENTRY.finditer(value):
            quoted, plain, addr, bare = m.groups()
            if bare is not None:
                out.append(("", bare))
            else:
                name = quoted if quoted is not None else plain
                if quoted is not None and "\\" in quoted:
                    name = _UNQUOTE.sub(r"\1", quoted)
                out.append((name, addr))
        return out
    pairs = getaddresses([value])  # the rare odd shape: comments, groups, quoted local parts, garbage
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


def address_pairs(value: str) -> list[tuple[str | None, str]]:
    """(display name, address) pairs of one address header; names decoded after splitting, so that an
    encoded comma stays inside its name. Entries without a usable address (groups, garbage) are dropped."""
    try:
        pairs = _split_addresses(value)
    except Exception:  # the stdlib parser raises on some hostile inputs (deep nesting, odd quoting)
        return []
    out: list[tuple[str | None, str]] = []
    for name, addr in pairs:
        addr = addr.strip().strip("<>").strip()
        if "@" not in addr or " " in addr or len(addr) > 320:
            continue
        name = decode_words(name).strip(" \"'") if name else ""
        out.append((name if name and name.lower() != addr.lower() else None, addr))
    return out


def addresses(value: str, role: str) -> list[ParticipantRef]:
    """Participants from one address header, each with ``role``."""
    return [ParticipantRef(name=name, email=addr, role=role) for name, addr in address_pairs(value)]


# Address headers repeat across a mailbox (the same correspondents, the user's own From), so the parsed pairs
# are kept by raw value; the cache is emptied when full, so memory stays flat on any mailbox.
_PAIRS_CACHE: dict[bytes, list[tuple[str | None, str]]] = {}


def _cached_pairs(raw: bytes, block: bytes) -> list[tuple[str | None, str]]:
    pairs = _PAIRS_CACHE.get(raw)
    if pairs is None:
        pairs = address_pairs(to_text(raw, block))
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


def _first_id_raw(raw: bytes) -> str | None:
    """The first message id of a Message-ID/References/In-Reply-To value, without its angle brackets."""
    if raw[:1] == b"<":
        end = raw.find(b">")
        if end > 1 and raw.find(b" ", 1, end) < 0 and raw.isascii():
            return raw[1:end].decode("ascii")
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
    warnings: list[Warning] = []
    fields = split_fields(block)

    froms = fields.get("from", ())
    if len(froms) > 1:
        warnings.append(Warning(f"{where}: {len(froms)} From headers; used the first", pos))
    sender = None
    for raw in (*froms, *fields.get("sender", ())):
        got = _cached_pairs(raw, block)
        if got:
            sender = ParticipantRef(name=got[0][0], email=got[0][1], role="from")
            break
    if sender is None or sender.email is None:
        reason = "no From header" if not froms else "From has no usable e-mail address"
        return Rejected(pos, f"{where}: {reason}", _snippet(block)), warnings

    subject_raw = fields.get("subject")
    subject = decode_words(to_text(subject_raw[0], block)) if subject_raw else ""

    occurred: datetime | None = None
    date_raw = fields.get("date")
    if date_raw:
        occurred = parse_date(to_text(date_raw[0]))
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

    participants: list[ParticipantRef] = []
    seen = {sender.email.lower()}
    for role in ("to", "cc", "bcc"):
        for raw in fields.get(role, ()):
            for name, addr in _cached_pairs(raw, block):
                key = addr.lower()
                if key not in seen:
                    seen.add(key)
                    participants.append(ParticipantRef(name=name, email=addr, role=role))

    msgid_raw = fields.get("message-id")
    msgid = _first_id_raw(msgid_raw[0]) if msgid_raw else None
    if msgid is None:
        digest = hashlib.sha1(usedforsecurity=False)
        for name in ("from", "date", "subject"):
            for raw in fields.get(name, ()):
                digest.update(raw + b"\0")
        msgid = "sha1:" + digest.hexdigest()

    thread = None
    for name in ("references", "in-reply-to"):
        raw_list = fields.get(name)
        if raw_list:
            thread = _first_id_raw(raw_list[0])
            if thread:
                break

    sender_addr = sender.email.lower()
    record = InteractionRecord(
        occurred_at=occurred,
        kind="email",
        line=pos,
        summary=subject,
        external_id=msgid,
        thread=thread or msgid,
        sender=sender,
        participants=participants,
        initiator=("me" if sender_addr in me_emails else "them") if me_emails else None,
        bulk=is_bulk(fields, sender_addr, subject),
    )
    return record, warnings


def _snippet(block: bytes) -> str:
    return block[:300].decode("utf-8", errors="replace")

"""Mail parsers for ``dunbar import``: mbox files, Maildirs (with sub-folders) and folders of ``.eml`` files.

Each message becomes one ``InteractionRecord(kind="email")``; see ``mail_headers.build_record`` for what is
taken from which header. ``parse`` gives records; ``parse_digested``, what the import pipeline reads, gives the
messages of a Maildir or an mbox as ``Digested`` rows instead: plain tuples made in worker processes (the stored
time, the normalized addresses, the summary and its search words already computed there), which the pipeline plans
without an object a message. Both give the same messages in the same order with the same numbers.

Why this is hand-written rather than ``mailbox`` + ``email``: the standard library's classes parse whole
messages. ``mailbox.Maildir`` opens every file through buffered text layers and builds a ``Message`` object,
``mailbox.mbox`` reads each message completely (bodies and attachments) into memory to hand it out, and
``email.parser`` splits and stores every header field (dozens of Received and DKIM lines) as Python
objects. An import needs eight or so headers and never a body. So this module reads only the header block:
for a file, one bounded ``os.read`` (more only when the block is longer), for an mbox, large buffered reads in
which it finds "From " separators and blank lines with C-level searches, skipping bodies without decoding them;
one regular expression then pulls out the wanted fields. The standard library is still used where it is good
and only when needed: ``email.header`` for RFC 2047 words (only when "=?" occurs), ``email.utils.getaddresses``
for address lists and ``parsedate_to_datetime`` for dates that are not in the common shape. Memory is flat in
the mailbox size: one buffer of at most a few MiB is alive at any time.
"""

from __future__ import annotations

import itertools
import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime, timedelta, timezone
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from dunbar.errors import ImportProblem
from dunbar.importers.mail_headers import HEAD_MAX, build_record, build_row, header_end, parse_envelope_date
from dunbar.importers.records import (
    Digested,
    DigestRow,
    InteractionRecord,
    ParseContext,
    ParticipantRef,
    Record,
    Rejected,
    Warning,
)
from dunbar.store.db import from_micros

FORMAT_MBOX = "mbox"
FORMAT_MAILDIR = "maildir"
FORMAT_EML = "eml"

_FIRST_READ = 4096  # most header blocks fit (the page cache hands out 4 KiB pages); longer ones read on
_CHUNK = 1024 * 1024  # mbox read size
_MAIL_HEADERS = re.compile(
    rb"^(?:return-path|received|from|to|cc|date|subject|message-id|mime-version|delivered-to|x-[a-z-]+|"
    rb"reply-to|sender|in-reply-to|references|content-type|dkim-signature|x-original-to|user-agent)[ \t]*:",
    re.IGNORECASE | re.MULTILINE,
)
# An mbox envelope line: "From " then a sender token and something with a time in it (asctime, as written
# by every mbox writer). A body line "From here on…" that a writer forgot to quote does not look like that.
_ENVELOPE = re.compile(rb"From \S+ +[^\n]*?\b\d{1,2}:\d\d")
_MAILDIR_TIME = re.compile(r"^(\d{9,10})[._]")


def _is_maildir(path: Path) -> bool:
    return (path / "cur").is_dir() or (path / "new").is_dir()


def sniff(path: Path, head: bytes) -> float:
    """How sure we are (0..1) that ``path`` (with its first bytes ``head``) is mail this module reads."""
    if path.is_dir():
        if _is_maildir(path):
            return 1.0 if (path / "tmp").is_dir() or ((path / "cur").is_dir() and (path / "new").is_dir()) else 0.9
        try:
            with os.scandir(path) as it:
                for i, entry in enumerate(it):
                    if entry.name.endswith(".eml") or (entry.is_dir() and _is_maildir(Path(entry.path))):
                        return 0.7
                    if i > 200:
                        break
        except OSError:
            return 0.0
        return 0.0
    text = head.lstrip(b"\r\n")
    if text.startswith(b"From "):
        first = text.split(b"\n", 1)[0]
        return 0.95 if _ENVELOPE.match(first) else 0.6
    hits = len(_MAIL_HEADERS.findall(text[:4096]))
    if path.suffix.lower() == ".eml":
        return 0.95 if hits else 0.5
    if hits >= 3:
        return 0.8
    if hits >= 2:
        return 0.5
    return 0.0


def parse(path: Path, ctx: ParseContext) -> Iterator[Record]:
    """Records from an mbox file, a single message file, a Maildir, or a folder of message files (recursive)."""
    for item in parse_digested(path, ctx):
        if isinstance(item, Digested):
            yield from to_records(item)
        else:
            yield item


def parse_digested(path: Path, ctx: ParseContext) -> Iterator[Record]:
    """What ``parse`` gives, with the messages of Maildirs as ``Digested`` rows: what the import pipeline reads."""
    me = frozenset(e.lower() for e in ctx.me_emails)
    if path.is_dir():
        yield from _parse_folder(path, me, [0])
        return
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError as exc:
        raise ImportProblem(f"cannot read: {exc.strerror}", path=str(path)) from exc
    try:
        head = os.read(fd, 64)
    finally:
        os.close(fd)
    if head.lstrip(b"\r\n").startswith(b"From "):
        yield from _mbox_digested(path, me)
    else:
        # A single file out of a Maildir still has its delivery time in its name.
        delivered = _maildir_time(path.name) if path.parent.name in ("cur", "new") else None
        yield from _parse_file(path, path.name, me, [0], delivered)


_Head = tuple[int, int, bytes, bytes]  # (message number, line of its "From " line, that line, its header block)


def _mbox_digested(
    path: Path, me: frozenset[str], *, counter: list[int] | None = None, where: str | None = None
) -> Iterator[Digested]:
    """The messages of an mbox as digests: header blocks are cut here (fast, C-level searches; bodies are skipped
    unread) and parsed in worker processes. Messages are numbered on from ``counter`` (named as "``where``: message
    N (line L)"); each row stands at the line of its "From " line."""
    counter = counter if counter is not None else [0]
    label = where or path.name
    heads = ((n, line, env, block) for n, (line, env, block) in enumerate(iter_mbox_heads(path), counter[0] + 1))
    jobs = ((chunk, (label, me, chunk)) for chunk in _chunked(heads, CHUNK_NAMES))
    for chunk, rows in _in_order(_digest_heads, jobs, str(path)):
        counter[0] = chunk[-1][0]
        yield Digested(chunk[0][1], rows, numbers=[line for _, line, _, _ in chunk])


def _digest_heads(label: str, me: frozenset[str], heads: list[_Head]) -> list[DigestRow]:
    return [
        build_row(
            block,
            where=f"{label}: message {number} (line {line})",
            me_emails=me,
            fallback_date=partial(parse_envelope_date, envelope.decode("latin-1")),
            fallback_label='the mbox "From " line',
        )
        for number, line, envelope, block in heads
    ]


# --- single files, Maildirs and folders ---------------------------------------------------------------------


def read_head(path: str, dir_fd: int | None = None) -> bytes:
    """The header block of one message file (without the blank line), read with as few syscalls as possible.

    With ``dir_fd``, ``path`` is a name inside that open directory: the kernel then skips the path walk.
    """
    fd = os.open(path, os.O_RDONLY, dir_fd=dir_fd)
    try:
        data = os.read(fd, _FIRST_READ)
        end = header_end(data)
        if end is not None:
            return data[: end[0]]
        if len(data) < _FIRST_READ:
            return data  # the whole file is a header block (no body)
        parts = [data]
        size = len(data)
        while size < HEAD_MAX:
            more = os.read(fd, 64 * 1024)
            if not more:
                break
            parts.append(more)
            size += len(more)
            joined = b"".join(parts)
            # The blank line may straddle two reads: search a little before the new part.
            end = header_end(joined, max(0, size - len(more) - 4))
            if end is not None:
                return joined[: end[0]]
        return b"".join(parts)[:HEAD_MAX]
    finally:
        os.close(fd)


def _maildir_time(name: str) -> datetime | None:
    m = _MAILDIR_TIME.match(name)
    if m is None:
        return None
    return datetime.fromtimestamp(int(m.group(1)), UTC)


def _parse_file(
    path: Path | str,
    where: str,
    me: frozenset[str],
    counter: list[int],
    delivered: datetime | None,
    number: int | None = None,
) -> Iterator[Record]:
    """One message file (or a file that turns out to be an mbox)."""
    if number is None:
        counter[0] += 1
        number = counter[0]
    try:
        block = read_head(str(path))
    except OSError as exc:
        yield Rejected(number, f"{where}: cannot read ({exc.strerror})")
        return
    if not block.strip():
        yield Rejected(number, f"{where}: empty file, no headers")
        return
    if block.lstrip(b"\r\n").startswith(b"From ") and _ENVELOPE.match(block.lstrip(b"\r\n")):
        # A file in a folder that is itself an mbox (or a message saved with its envelope line): read it as one.
        counter[0] -= 1
        yield from parse_mbox(Path(path), me, counter=counter, where=where)
        return
    record, warnings = build_record(
        block,
        number=number,
        line=None,
        where=where,
        me_emails=me,
        fallback_date=delivered,
        fallback_label="the Maildir delivery time",
    )
    yield from warnings
    yield record


def _parse_maildir_files(folder: Path, rel: str, me: frozenset[str], counter: list[int]) -> Iterator[Record]:
    """The messages in a Maildir's cur/ and new/ (never tmp/, where deliveries are still being written)."""
    for sub in ("cur", "new"):
        directory = folder / sub
        try:
            listing = os.scandir(directory)
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise ImportProblem(f"cannot list: {exc.strerror}", path=str(directory)) from exc
        prefix = f"{rel}{sub}/"
        try:
            # The listing is streamed in directory order, not sorted: a sorted list of a million names would make
            # memory grow with the mailbox, and a Maildir has no order anyway (reports name the file).
            names = (e.name for e in listing if not e.name.startswith(".") and e.is_file())
            yield from _parse_names(directory, prefix, names, me, counter)
        finally:
            listing.close()


# Parsing in worker processes. A large Maildir is read by ``WORKERS`` processes, each given chunks of file names,
# while this process resolves identities and writes the database: the two overlap. Why processes and not
# threads: parsing is Python code, which threads would run one at a time. At most 3 chunks a worker
# are in flight and results come back in order, so memory stays flat and the records (and the numbers in
# reports) are exactly those of a single-process read.
PARALLEL_FROM = 4000  # messages in one folder: fewer are read here (starting workers costs more than it saves)
CHUNK_NAMES = 500


def _workers(cores: int) -> int:
    """Reading processes for a machine with ``cores``: none on one core (nothing to overlap); else one a core
    beside the one this process writes on, at least two (parsing costs more than writing), at most eight."""
    return 0 if cores < 2 else max(2, min(cores - 1, 8))


WORKERS = _workers(os.cpu_count() or 1)


def _parse_names(
    directory: Path, prefix: str, names: Iterator[str], me: frozenset[str], counter: list[int]
) -> Iterator[Record]:
    folder = str(directory)
    chunks = _chunked(names, CHUNK_NAMES)
    for chunk, items in _in_order(_read_chunk, ((c, (folder, prefix, c, me)) for c in chunks), folder):
        yield from _digests(directory, prefix, chunk, items, me, counter)


_I = TypeVar("_I")
_C = TypeVar("_C", bound=list[Any])


def _in_order(
    work: Callable[..., list[Any]], jobs: Iterator[tuple[_C, tuple[Any, ...]]], path: str
) -> Iterator[tuple[_C, list[Any]]]:
    """(messages, ``work(*args)``) for each job (messages, args), in order: in ``WORKERS`` processes once the jobs
    reach ``PARALLEL_FROM`` messages, else in this process. At most 3 jobs a worker are in flight, so memory stays
    flat."""
    first: list[tuple[_C, tuple[Any, ...]]] = []
    size = 0
    for job in jobs:
        first.append(job)
        size += len(job[0])
        if size >= PARALLEL_FROM:
            break
    pool = _pool() if size >= PARALLEL_FROM else None
    if pool is None:
        for items, args in itertools.chain(first, jobs):
            yield items, work(*args)
        return
    from collections import deque
    from concurrent.futures import BrokenExecutor, Future

    pending: deque[tuple[_C, Future[list[Any]]]] = deque()
    try:
        for items, args in itertools.chain(first, jobs):
            pending.append((items, pool.submit(work, *args)))
            if len(pending) >= 3 * WORKERS:
                done, fut = pending.popleft()
                yield done, fut.result()
        while pending:
            done, fut = pending.popleft()
            yield done, fut.result()
    except BrokenExecutor as exc:  # a worker was killed (out of memory, a signal): the batch stops, nothing lands
        raise ImportProblem(f"a reading process stopped unexpectedly ({exc})", path=path) from exc
    finally:
        for _, fut in pending:
            fut.cancel()
        pool.shutdown(wait=True, cancel_futures=True)


def _pool() -> Any:
    """A pool of worker processes, or None where they cannot be had cheaply and safely (fork on Linux only)."""
    if WORKERS < 1 or sys.platform != "linux":
        return None
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    try:
        return ProcessPoolExecutor(WORKERS, mp_context=multiprocessing.get_context("fork"))
    except (OSError, ValueError):
        return None


def _chunked(items: Iterable[_I], size: int) -> Iterator[list[_I]]:
    chunk: list[_I] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _read_chunk(directory: str, prefix: str, names: list[str], me: frozenset[str]) -> list[Any]:
    """Parse the messages ``names`` in ``directory`` into digest rows (see ``records.DigestRow``), or ("F",) for a
    file to read whole in the calling process (an mbox, an empty file).

    What the pipeline would otherwise compute once a message in the process that writes the database is computed
    here, in parallel: the stored time, normalized addresses, the summary and its search words.
    """
    out: list[Any] = []
    dir_fd = os.open(directory, os.O_RDONLY)
    try:
        for name in names:
            try:
                block = read_head(name, dir_fd)
            except OSError as exc:
                out.append(("R", f"{prefix}{name}: cannot read ({exc.strerror})", None, ()))
                continue
            if block[:5] == b"From " or not block.strip():
                out.append(("F",))
                continue
            out.append(
                build_row(
                    block,
                    where=prefix + name,
                    me_emails=me,
                    fallback_date=partial(_maildir_time, name),
                    fallback_label="the Maildir delivery time",
                )
            )
    finally:
        os.close(dir_fd)
    return out


_ZONES: dict[int, timezone] = {0: UTC}


def to_records(digest: Digested) -> Iterator[Record]:
    """The records a digest stands for, numbered from ``digest.first``."""
    for number, row in digest.numbered():
        for message in row[-1]:
            yield Warning(message, number)
        if row[0] == "R":
            yield Rejected(number, row[1], row[2])
            continue
        _, _, micros, offset, summary, _, ext, thread, parts, initiator, bulk, _ = row
        zone = _ZONES.get(offset)
        if zone is None:
            zone = _ZONES[offset] = timezone(timedelta(seconds=offset))
        sender_name, sender_email, _, _ = parts[0]
        yield InteractionRecord(
            from_micros(micros).astimezone(zone),
            digest.kind,
            number,
            summary,
            ext,
            thread,
            ParticipantRef(sender_name, sender_email, None, "from"),
            [ParticipantRef(n, e, None, r) for n, e, _, r in parts[1:]],
            initiator,
            None,
            bulk,
        )


def _digests(
    directory: Path, prefix: str, names: list[str], items: list[Any], me: frozenset[str], counter: list[int]
) -> Iterator[Record]:
    """Digests of the ``_read_chunk`` rows of the files ``names``, numbered in order; a file the workers left
    ("F") is read here, between the digests before and after it."""
    rows: list[DigestRow] = []
    first = counter[0] + 1
    for name, item in zip(names, items, strict=True):
        if item[0] == "F":
            if rows:
                yield Digested(first, rows)
                rows = []
            yield from _parse_file(directory / name, prefix + name, me, counter, _maildir_time(name))
            first = counter[0] + 1
            continue
        counter[0] += 1
        rows.append(item)
    if rows:
        yield Digested(first, rows)


def _parse_folder(
    folder: Path, me: frozenset[str], counter: list[int], rel: str = "", visited: set[tuple[int, int]] | None = None
) -> Iterator[Record]:
    """A Maildir (its cur/ and new/), its sub-folders (.Sent, Archive…) and any loose message files, recursively."""
    visited = set() if visited is None else visited
    try:
        # A symbolic link back up the tree must not send the walk round in circles.
        st = folder.stat()
        if (st.st_dev, st.st_ino) in visited:
            return
        visited.add((st.st_dev, st.st_ino))
        with os.scandir(folder) as it:
            entries = sorted((e.name, e.is_dir()) for e in it if not e.name.startswith(".") or e.is_dir())
    except OSError as exc:
        raise ImportProblem(f"cannot list: {exc.strerror}", path=str(folder)) from exc
    maildir = _is_maildir(folder)
    if maildir:
        yield from _parse_maildir_files(folder, rel, me, counter)
    for name, is_dir in entries:
        if is_dir:
            if maildir and name in ("cur", "new", "tmp"):
                continue
            if name in (".notmuch", ".git", ".mu"):
                continue
            yield from _parse_folder(folder / name, me, counter, f"{rel}{name}/", visited)
        elif not name.startswith("."):
            yield from _parse_file(folder / name, rel + name, me, counter, None)


# --- mbox ----------------------------------------------------------------------------------------------------


def parse_mbox(
    path: Path, me: frozenset[str], *, counter: list[int] | None = None, where: str | None = None
) -> Iterator[Record]:
    """The messages of an mbox as records (see ``_mbox_digested``)."""
    for digest in _mbox_digested(path, me, counter=counter, where=where):
        yield from to_records(digest)


def iter_mbox_heads(path: Path, chunk: int = _CHUNK) -> Iterator[tuple[int, bytes, bytes]]:
    """(line of the "From " line, the "From " line, the header block) for each message of an mbox.

    The file is read in large chunks; at most one chunk plus one header block is held at a time. A message
    starts at a line "From …" that looks like an envelope line and that starts the file or follows a newline.
    """
    try:
        f = path.open("rb", buffering=0)
    except OSError as exc:
        raise ImportProblem(f"cannot read: {exc.strerror}", path=str(path)) from exc
    with f:
        buf = f.read(chunk)
        eof = len(buf) < chunk
        newlines = 0  # newlines in the file before buf[counted]
        counted = 0
        pos = len(buf) - len(buf.lstrip(b"\r\n"))  # the file may start with blank lines
        if not buf.startswith(b"From ", pos):
            raise ImportProblem("not an mbox file: it does not start with a 'From ' line", path=str(path))
        while True:
            # Invariant: buf[pos:] starts with an envelope line. Get its header block into buf.
            end = _find_head_end(buf, pos)
            while end is None and not eof and len(buf) - pos < HEAD_MAX:
                newlines += buf.count(b"\n", counted, pos)
                buf, pos, counted = buf[pos:], 0, 0
                more = f.read(chunk)
                eof = len(more) < chunk
                buf += more
                end = _find_head_end(buf, pos)
            newlines += buf.count(b"\n", counted, pos)
            counted = pos
            nl = buf.find(b"\n", pos)
            if nl < 0:
                nl = len(buf)
            envelope = buf[pos:nl].rstrip(b"\r")
            head_stop, body_start = end if end is not None else (min(len(buf), pos + HEAD_MAX),) * 2
            block = buf[nl + 1 : head_stop] if head_stop > nl else b""
            yield newlines + 1, envelope, block
            # Skip the body: find the next envelope line, reading on as needed.
            search_from = max(body_start - 1, nl)
            while True:
                nxt = _next_envelope(buf, search_from)
                if nxt is not None:
                    pos = nxt
                    break
                if eof:
                    return
                # Keep a tail that may hold a separator cut in two by the read.
                keep = max(search_from, len(buf) - 512)
                newlines += buf.count(b"\n", counted, keep)
                buf, counted, search_from = buf[keep:], 0, 0
                more = f.read(chunk)
                eof = len(more) < chunk
                buf += more


def _find_head_end(buf: bytes, pos: int) -> tuple[int, int] | None:
    """End of the header block of the message whose "From " line is at ``pos``.

    A message without a body has no blank line before the next separator: the next envelope line ends it.
    """
    nl = buf.find(b"\n", pos)
    if nl < 0:
        return None
    end = header_end(buf, nl)
    if end is not None and end[0] == nl:
        # The envelope line is followed directly by a blank line: an empty header block.
        return nl, nl
    nxt = _next_envelope(buf, nl, end[0] if end is not None else len(buf))
    if nxt is not None:
        return nxt - 1, nxt - 1
    return end


def _next_envelope(buf: bytes, start: int, stop: int | None = None) -> int | None:
    """Position of the next "From " envelope line after ``start`` (a newline precedes it), or None."""
    stop = len(buf) if stop is None else stop
    i = start
    while True:
        i = buf.find(b"\nFrom ", i, stop)
        if i < 0:
            return None
        if _ENVELOPE.match(buf, i + 1, min(len(buf), i + 400)):
            return i + 1
        i += 6

"""Which parser reads a file: detected from its content (``--format`` to force), then run through the pipeline."""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from dunbar.errors import ImportProblem
from dunbar.importers.records import ParseContext, Record
from dunbar.store.db import Db


@dataclass(frozen=True)
class Format:
    name: str
    module: str
    description: str


FORMATS: tuple[Format, ...] = (
    Format(
        "linkedin",
        "dunbar.importers.linkedin",
        "LinkedIn data export: the folder or .zip, or Connections.csv, messages.csv, Invitations.csv",
    ),
    Format("contacts-csv", "dunbar.importers.contacts_csv", "Google, Outlook or Thunderbird contacts CSV"),
    Format("vcard", "dunbar.importers.vcard", "vCard 2.1, 3.0 or 4.0: a .vcf file or a folder of them"),
    Format("ics", "dunbar.importers.ics", "iCalendar .ics: meetings with attendees"),
    Format("mail", "dunbar.importers.mail", "Mail: an mbox file, a Maildir, or a folder of .eml files"),
)
MAPPED_CSV = "csv"  # any other CSV, with --map
NAMES = [f.name for f in FORMATS] + [MAPPED_CSV, "dunbar-json"]
HEAD_BYTES = 64 * 1024


def _module(fmt: Format) -> Any:
    return importlib.import_module(fmt.module)


def read_head(path: Path) -> bytes:
    if path.is_dir():
        return b""
    try:
        with path.open("rb") as fh:
            return fh.read(HEAD_BYTES)
    except OSError as exc:
        raise ImportProblem(f"cannot read it: {exc.strerror or exc}", path=str(path)) from exc


def is_dunbar_json(path: Path, head: bytes) -> bool:
    return path.is_file() and head.lstrip()[:1] == b"{" and b"dunbar-export" in head[:4096]


def detect(path: Path) -> str:
    """The format of ``path`` from its content; ``ImportProblem`` with a hint when nothing reads it."""
    if not path.exists():
        raise ImportProblem("no such file or folder", path=str(path))
    head = read_head(path)
    if is_dunbar_json(path, head):
        return "dunbar-json"
    if path.is_file() and not head.strip():
        raise ImportProblem("the file is empty", path=str(path))
    scored = []
    for fmt in FORMATS:
        try:
            score = float(_module(fmt).sniff(path, head))
        except ImportProblem:
            score = 0.0
        scored.append((score, fmt.name))
    best, name = max(scored)
    if best < 0.3:
        raise ImportProblem(
            "cannot tell what kind of file this is",
            path=str(path),
            hint=f"dunbar reads: {', '.join(NAMES)}; use --format NAME, or --map for another CSV",
        )
    return name


def parse_context(db: Db, *, today: date, large_meeting: int = 10) -> ParseContext:
    from dunbar.people import me_identity
    from dunbar.text import fold

    me = me_identity(db)
    return ParseContext(
        me_emails=frozenset(me["emails"]),
        me_names=frozenset(fold(n) for n in me["names"]),
        me_linkedin=frozenset(me["linkedin"]),
        today=today,
        large_meeting=large_meeting,
    )


def records(
    path: Path,
    fmt: str,
    ctx: ParseContext,
    *,
    mapping: dict[str, str] | None = None,
) -> Iterable[Record | tuple[str, Record]]:
    """The parser's record stream for ``path`` in format ``fmt``."""
    if fmt == MAPPED_CSV or mapping:
        from dunbar.importers import contacts_csv

        if not mapping:
            raise ImportProblem(
                "a plain CSV needs --map",
                path=str(path),
                hint='--map "Given=given_name,Surname=family_name,Mail=email"',
            )
        return contacts_csv.parse_mapped(path, mapping, ctx)
    found = next((f for f in FORMATS if f.name == fmt), None)
    if found is None:
        raise ImportProblem(f"unknown format {fmt!r}", hint=f"one of: {', '.join(NAMES)}")
    module = _module(found)
    if fmt == "linkedin" and (path.is_dir() or path.suffix.lower() == ".zip"):
        return module.parse_export(path, ctx)
    if fmt == "mail":
        return module.parse_digested(path, ctx)  # Maildir messages as digests, planned without a record each
    return module.parse(path, ctx)


def guarded(stream: Iterable[Any], path: Path) -> Iterator[Any]:
    """A parser's stream with any unexpected failure turned into an ``ImportProblem`` for that file."""
    try:
        yield from stream
    except ImportProblem:
        raise
    except (UnicodeError, ValueError, OSError, EOFError) as exc:
        raise ImportProblem(f"cannot be read: {exc}", path=str(path)) from exc


def run_import(
    db: Db,
    path: Path,
    *,
    now: datetime,
    today: date,
    fmt: str | None = None,
    mapping: dict[str, str] | None = None,
    dry_run: bool = False,
    large_meeting: int = 10,
    progress: Any = None,
) -> Any:
    """Import one file or folder: detect, parse, resolve identities, apply as one batch. Returns the ``Report``;
    a ``dunbar-json`` document is restored instead (into an empty database) and its counts returned as a dict."""
    from dunbar.importers.pipeline import apply_records, fingerprint

    path = path.expanduser()
    if fmt is not None and fmt not in NAMES:
        raise ImportProblem(f"unknown format {fmt!r}", hint=f"one of: {', '.join(NAMES)}")
    fmt = fmt or (MAPPED_CSV if mapping else detect(path))
    if fmt == "dunbar-json":
        from dunbar.importers.json_restore import restore

        return restore(db, path)
    ctx = parse_context(db, today=today, large_meeting=large_meeting)
    stream = guarded(records(path, fmt, ctx, mapping=mapping), path)
    report = apply_records(
        db,
        stream,
        fmt=fmt,
        path=path,
        now=now,
        dry_run=dry_run,
        large_meeting=large_meeting,
        progress=progress,
        fp=fingerprint(path),
    )
    if report.batch_id is not None and report.created + report.merged > 1000:
        from dunbar.store import refresh_statistics

        refresh_statistics(db)  # a large batch changes what the query planner should know
    return report

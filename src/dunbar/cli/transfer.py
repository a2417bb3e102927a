"""``dunbar import`` and ``dunbar export``: moving data in and out, one registry entry per file format.

To add a format to ``dunbar import``, append an ``ImportFormat`` to ``IMPORT_FORMATS`` (a ``sniff`` that looks
at the file name and its first bytes, and a ``run`` that calls the library and returns counts). To add one to
``dunbar export``, add an option to ``export_command`` and an entry to ``EXPORT_WRITERS``. The commands
themselves stay the same: they pick the format, open the database, call the entry and print the summary.
"""

import io
import os
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Annotated, Any, TextIO

import typer

from dunbar.cli.app import State, app, state
from dunbar.cli.output import JsonFlag, console, emit_json, err_console, escape, table
from dunbar.errors import DunbarError, ImportProblem
from dunbar.store.db import Db

SNIFF_BYTES = 4096


@dataclass(frozen=True)
class ImportRequest:
    """What ``dunbar import`` was asked to do, handed to a format's ``run``."""

    path: Path | None  # None: standard input, already read into ``stdin_text``
    label: str  # how the file is named in messages
    head: bytes  # the first bytes, for sniffing
    dry_run: bool
    stdin_text: str | None = None

    def source(self) -> Path | TextIO:
        return self.path if self.path is not None else io.StringIO(self.stdin_text or "")


@dataclass(frozen=True)
class ImportFormat:
    name: str
    description: str
    sniff: Callable[[str, bytes], bool]  # (file name, first bytes) -> is it mine?
    run: Callable[[State, ImportRequest], dict[str, int]]  # -> rows by table; opens the database it needs
    restores: bool = False  # fills an empty database rather than adding to one


def _sniff_json(name: str, head: bytes) -> bool:
    if name.lower().endswith(".json"):
        return True
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    return text.startswith(b"{") and b'"format"' in text and b'"dunbar-export"' in text


def _existing_db(st: State) -> Db | None:
    """The database if it is already there: a dry run does not create one."""
    from dunbar.store import sqlite_path

    path = sqlite_path(st.url)
    if path is not None and not (Path(path).exists() and Path(path).stat().st_size > 0):
        return None
    return st.db()


def _run_json(st: State, req: ImportRequest) -> dict[str, int]:
    from dunbar.importers.json_restore import check, refuse_non_empty, restore

    if req.dry_run:
        plan = check(req.source(), name=req.label)
        db = _existing_db(st)
        if db is not None:
            refuse_non_empty(db)
        return plan.counts()
    return restore(st.db(create=True), req.source(), name=req.label)


IMPORT_FORMATS: list[ImportFormat] = [
    ImportFormat(
        "json",
        "a full dunbar export (dunbar export --json), restored into an empty database",
        _sniff_json,
        _run_json,
        restores=True,
    ),
]


def format_names() -> str:
    return ", ".join(f.name for f in IMPORT_FORMATS)


def choose_format(name: str, head: bytes, wanted: str | None) -> ImportFormat:
    """The format named by ``--format``, or the first whose sniff recognises the file."""
    if wanted is not None:
        for fmt in IMPORT_FORMATS:
            if fmt.name == wanted.lower():
                return fmt
        raise DunbarError(f"unknown import format {wanted!r}", hint=f"formats: {format_names()}")
    for fmt in IMPORT_FORMATS:
        if fmt.sniff(name, head):
            return fmt
    raise ImportProblem(
        "cannot tell what kind of file this is",
        path=name,
        hint=f"name the format with --format; formats: {format_names()}",
    )


def _read_head(path: Path) -> bytes:
    try:
        with path.open("rb") as fh:
            return fh.read(SNIFF_BYTES)
    except FileNotFoundError:
        raise ImportProblem("no such file", path=str(path)) from None
    except IsADirectoryError:
        raise ImportProblem("is a folder; give a file", path=str(path)) from None
    except OSError as exc:
        raise ImportProblem(f"cannot be read: {exc.strerror}", path=str(path)) from None


_PLURALS = {
    "batch": "batches",
    "person": "people",
    "person_tag": "person tags",
    "important_date": "important dates",
    "follow_up": "follow-ups",
}


def describe(counts: dict[str, int]) -> str:
    """``3 people, 12 interactions`` from rows by table (tables with none left out)."""
    shown = []
    for name, n in counts.items():
        if n:
            one = name.replace("_", " ").replace("follow up", "follow-up")
            shown.append(f"{n} {one if n == 1 else _PLURALS.get(name, one + 's')}")
    return ", ".join(shown) or "nothing"


def _progress() -> tuple[Any, Any]:
    """A Rich progress line on stderr (records read so far), only when a person is watching."""
    if not sys.stderr.isatty():
        return None, None
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    bar = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TextColumn("{task.completed:,} records"),
        TimeElapsedColumn(),
        transient=True,
        console=err_console(),
    )
    task = bar.add_task("Importing", total=None)
    return bar, lambda n: bar.update(task, advance=n)


def _report_folder(st: State) -> Path:
    from dunbar.config import data_dir
    from dunbar.store import sqlite_path

    path = sqlite_path(st.url)
    return (Path(path).parent if path else data_dir()) / "imports"


def _show_report(report: Any, as_json: bool) -> None:
    if as_json:
        emit_json(report.as_dict())
        return
    c = console()
    head = "Would import" if report.dry_run else "Imported"
    c.print(
        f"{head} {escape(report.path)} ({report.format}): read {report.read:,}: "
        f"{report.created:,} new, {report.merged:,} merged, {report.unchanged:,} unchanged, "
        f"{report.rejected:,} rejected."
    )
    extra = []
    if report.people_created:
        extra.append(f"{report.people_created:,} people added")
    if report.interactions_created:
        extra.append(f"{report.interactions_created:,} interactions")
    if report.review_queued:
        extra.append(f"{report.review_queued:,} possible duplicates to review with `dunbar dedupe`")
    if report.ignored_bulk:
        extra.append(f"{report.ignored_bulk:,} automated or bulk messages ignored")
    if extra:
        c.print("  " + "; ".join(extra) + ".")
    for w in report.warnings[:5]:
        where = f"line {w['line']}: " if w.get("line") else ""
        c.print(f"  [yellow]warning[/yellow] {escape(where + w['message'])}")
    for r in report.rejects[:5]:
        c.print(f"  [red]rejected[/red] {escape(r['file'])}:{r['line'] or '?'}: {escape(r['reason'])}")
    if len(report.rejects) > 5:
        c.print(f"  … and {len(report.rejects) - 5:,} more rejected.")
    if report.rejects_file:
        c.print(f"  Rejected records: {escape(report.rejects_file)}")
    if report.dry_run:
        c.print("Nothing was written (dry run).")
    elif not report.changed:
        also = f" (it was imported as batch {report.already_imported})" if report.already_imported else ""
        c.print(f"Nothing changed{also}.")
    else:
        c.print(f"Batch {report.batch_id}. Take it back with `dunbar import undo {report.batch_id}`.")


@app.command("import")
def import_command(
    ctx: typer.Context,
    path: Annotated[
        str,
        typer.Argument(
            metavar="PATH",
            help="A file or folder to import ('-' reads a JSON export "
            "from standard input); `undo BATCH` takes a batch back.",
        ),
    ],
    batch: Annotated[str | None, typer.Argument(metavar="[BATCH]", help="With `undo`: the batch number.")] = None,
    format_name: Annotated[
        str | None,
        typer.Option("--format", metavar="NAME", help="The format, when it cannot be told from the content."),
    ] = None,
    mapping: Annotated[
        str | None, typer.Option("--map", metavar="COLUMN=FIELD,...", help="Read any CSV with this column mapping.")
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Read and check everything; write nothing.")] = False,
    large_meeting: Annotated[
        int, typer.Option("--large-meeting", help="Meetings with more attendees than this weigh little.")
    ] = 10,
    as_json: JsonFlag = False,
) -> None:
    """Import people and interactions: LinkedIn, Google/Outlook CSV, vCard, iCalendar, mail, or a dunbar export."""
    st = state(ctx)
    if path == "undo":
        _undo(st, batch, as_json)
        return
    if path == "history":
        _history(st, as_json)
        return
    if batch is not None:
        raise DunbarError(f"unexpected argument {batch!r}", hint="import one path at a time")
    if path == "-":
        data = sys.stdin.buffer.read() if hasattr(sys.stdin, "buffer") else sys.stdin.read().encode()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ImportProblem(f"not UTF-8 text (byte {exc.start})", path="<stdin>") from None
        req = ImportRequest(None, "<stdin>", data[:SNIFF_BYTES], dry_run, stdin_text=text)
        _restore(st, req, as_json)
        return
    file = Path(path).expanduser()
    if file.is_file() and (format_name in (None, "json")) and _sniff_json(file.name, _read_head(file)):
        _restore(st, ImportRequest(file, str(path), _read_head(file), dry_run), as_json)
        return
    from dunbar.importers.formats import run_import
    from dunbar.importers.pipeline import write_rejects

    cols = None
    if mapping:
        from dunbar.importers.contacts_csv import parse_map_option

        cols = parse_map_option(mapping)
    bar, advance = _progress()
    db = st.db()
    try:
        if bar is not None:
            bar.start()
        report = run_import(
            db,
            file,
            now=st.now(),
            today=st.today,
            fmt=format_name,
            mapping=cols,
            dry_run=dry_run,
            large_meeting=large_meeting,
            progress=advance,
        )
    finally:
        if bar is not None:
            bar.stop()
    write_rejects(report, _report_folder(st))
    _show_report(report, as_json)


def _restore(st: State, req: ImportRequest, as_json: bool) -> None:
    counts = _run_json(st, req)
    if as_json:
        emit_json({"format": "json", "path": req.label, "dry_run": req.dry_run, "database": st.url, "counts": counts})
        return
    if req.dry_run:
        typer.echo(f"Checked {req.label}: it would be restored: {describe(counts)}. Nothing was written.")
    else:
        typer.echo(f"Restored {describe(counts)} from {req.label}.")


def _undo(st: State, batch: str | None, as_json: bool) -> None:
    from dunbar.importers.pipeline import undo_batch

    if batch is None or not (batch.isascii() and batch.lstrip("#").isdigit()):
        raise DunbarError("which batch?", hint="dunbar import undo BATCH (see `dunbar import history`)")
    counts = undo_batch(st.db(), int(batch.lstrip("#")), now=st.now())
    if as_json:
        emit_json({"batch": int(batch.lstrip("#")), "removed": counts})
        return
    removed = ", ".join(f"{n:,} {name.replace('_', ' ')}" for name, n in counts.items() if n) or "nothing"
    typer.echo(f"Undid batch {batch}: removed {removed}.")


def _history(st: State, as_json: bool) -> None:
    from dunbar.importers.pipeline import history

    rows = history(st.db())
    if as_json:
        emit_json(rows)
        return
    if not rows:
        typer.echo("No imports yet.")
        return
    t = table("batch", "when", "format", "path", "status", "read", "new", "merged", "rejected")
    for r in rows:
        c = r["counts"]
        t.add_row(
            str(r["id"]),
            str(r["started_at"])[:16],
            r["format"] or "",
            escape(Path(r["path"] or "").name),
            r["status"],
            *(str(c.get(k) if c.get(k) is not None else "") for k in ("read", "created", "merged", "rejected")),
        )
    console().print(t)


# Export ------------------------------------------------------------------------------------------------------


def _write_json(db: Db, out: TextIO) -> dict[str, int]:
    from dunbar.exporters.json_export import write_json

    return write_json(db, out)


def _write_vcard(db: Db, out: TextIO, version: str = "3.0") -> dict[str, int]:
    from dunbar.exporters.vcard import write_all

    return write_all(db, out, version)


def _write_ics(db: Db, out: TextIO, **options: Any) -> dict[str, int]:
    """Follow-ups, important dates and today's agenda as an iCalendar feed a calendar app can subscribe to."""
    from dunbar.exporters.ics import write_ics

    return write_ics(db, out, **options)


def _write_graphml(db: Db, out: TextIO, **options: Any) -> dict[str, int]:
    """People and ties as GraphML, for Gephi, yEd or networkx."""
    from dunbar.exporters.graph import write_graphml

    return write_graphml(db, out, **options)


def _write_gexf(db: Db, out: TextIO, **options: Any) -> dict[str, int]:
    """People and ties as GEXF, Gephi's own format."""
    from dunbar.exporters.graph import write_gexf

    return write_gexf(db, out, **options)


# One writer per export option: (db, text stream, **options) -> counts.
EXPORT_WRITERS: dict[str, Callable[..., dict[str, int]]] = {
    "json": _write_json,
    "vcard": _write_vcard,
    "ics": _write_ics,
    "graphml": _write_graphml,
    "gexf": _write_gexf,
}
VCARD_VERSIONS = ("3.0", "4.0")


def write_to(target: str, writer: Callable[[TextIO], dict[str, int]]) -> dict[str, int]:
    """Run ``writer`` into ``target`` ('-' = standard output); a file appears whole or not at all."""
    if target == "-":
        return writer(sys.stdout)
    path = Path(target).expanduser()
    if path.is_dir():
        raise DunbarError(f"{target} is a folder", hint="give a file name, e.g. dunbar-export.json")
    if not path.parent.exists():
        raise DunbarError(f"no folder {path.parent} to write {path.name} in", hint="create the folder first")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as out:
            counts = writer(out)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return counts


@app.command("export")
def export_command(
    ctx: typer.Context,
    json_file: Annotated[
        str | None,
        typer.Option("--json", metavar="FILE", help="Everything, full fidelity, restorable with `dunbar import`."),
    ] = None,
    vcard_file: Annotated[
        str | None,
        typer.Option("--vcard", metavar="FILE", help="Your people as vCards, for an address book or phone."),
    ] = None,
    vcard_version: Annotated[
        str, typer.Option("--vcard-version", metavar="3.0|4.0", help="The vCard version to write.")
    ] = "3.0",
    ics_file: Annotated[
        str | None,
        typer.Option(
            "--ics",
            metavar="FILE",
            help="Follow-ups, birthdays and today's agenda as an iCalendar feed for your calendar app.",
        ),
    ] = None,
    graphml_file: Annotated[
        str | None,
        typer.Option("--graphml", metavar="FILE", help="People and ties as GraphML (Gephi, yEd, networkx)."),
    ] = None,
    gexf_file: Annotated[
        str | None, typer.Option("--gexf", metavar="FILE", help="People and ties as GEXF (Gephi).")
    ] = None,
) -> None:
    """Export your data ('-' as FILE writes to standard output)."""
    if vcard_version not in VCARD_VERSIONS:
        raise DunbarError(f"no vCard version {vcard_version!r}", hint="--vcard-version 3.0 (the default) or 4.0")
    st = state(ctx)
    options: dict[str, dict[str, Any]] = {
        "vcard": {"version": vcard_version},
        "ics": {"today": st.today, "now": st.now()},
        "graphml": {"now": st.now()},
        "gexf": {"now": st.now()},
    }
    given = (("json", json_file), ("vcard", vcard_file), ("ics", ics_file), ("graphml", graphml_file),
             ("gexf", gexf_file))  # fmt: skip
    targets = {name: file for name, file in given if file is not None}
    if not targets:
        raise DunbarError("nothing to export to", hint="name a file, e.g. dunbar export --json dunbar-export.json")
    if list(targets.values()).count("-") > 1:
        raise DunbarError("only one export can go to standard output")
    db = st.db()
    for name, target in targets.items():
        counts = write_to(target, partial(EXPORT_WRITERS[name], db, **options.get(name, {})))
        if target != "-":
            typer.echo(f"Exported {describe(counts)} to {target}.")

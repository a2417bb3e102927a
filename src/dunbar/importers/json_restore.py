"""Restore a full-fidelity JSON export (``dunbar export --json``) into an empty database.

Three stages: ``read_document`` parses the file, ``validate`` (pure, no database) checks the whole document and
turns it into rows per table, and ``restore`` writes those rows in one transaction with set-based inserts,
keeping the ids, then rebuilds the derived search index in the same transaction. Nothing is written unless
everything is valid; every problem names the JSON path of the value at fault.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TextIO

from dunbar.errors import Conflict, DunbarError, ImportProblem, InvalidInput
from dunbar.exporters.json_export import (
    BOOL,
    DATE,
    FLOAT,
    INT,
    PERSON_TAGS,
    SECTIONS,
    SETTINGS,
    TAGS,
    TEXT,
    TIME,
    TOP_LEVEL,
    VERSION,
    Column,
    Section,
    children,
)
from dunbar.exporters.json_export import FORMAT as EXPORT_FORMAT
from dunbar.store.db import Db, chunks

Progress = Callable[[str, int, int], None]  # (table, rows written so far, rows in all)

_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1  # PostgreSQL's integer
# Lists an export always has; the others may be left out of a hand-made document and count as empty.
_REQUIRED_LISTS = ("people", "interactions")
_HINT = "the file may be damaged or edited by hand; export it again with `dunbar export --json FILE`"


# Reading -----------------------------------------------------------------------------------------------------


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def read_document(source: Path | TextIO, *, name: str | None = None) -> Any:
    """The parsed JSON of ``source``; an ``ImportProblem`` with the line and column when it is not JSON."""
    if isinstance(source, Path):
        name = name or str(source)
        try:
            text = source.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise ImportProblem("no such file", path=name) from None
        except IsADirectoryError:
            raise ImportProblem("is a folder, not an export file", path=name) from None
        except UnicodeDecodeError as exc:
            raise ImportProblem(f"not UTF-8 text (byte {exc.start})", path=name, hint=_HINT) from None
        except OSError as exc:
            raise ImportProblem(f"cannot be read: {exc.strerror}", path=name) from None
    else:
        name = name or getattr(source, "name", None) or "<input>"
        try:
            text = source.read()
        except UnicodeDecodeError as exc:
            raise ImportProblem(f"not UTF-8 text (byte {exc.start})", path=name, hint=_HINT) from None
    if not text.strip():
        raise ImportProblem("the file is empty", path=name, hint="is this the file `dunbar export --json` wrote?")
    try:
        return json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        where = f"{exc.msg.removesuffix(' at')} at column {exc.colno}"
        # An export cut short (a full disk, an interrupted copy) fails at its very end, or in a string never closed.
        unclosed = exc.msg.startswith("Unterminated string") and '"' not in text[exc.pos + 1 :]
        if exc.pos >= len(text.rstrip()) or unclosed:
            reason = f"the file ends too soon: is it truncated? ({where})"
        else:
            reason = f"not valid JSON: {where}"
        raise ImportProblem(reason, path=name, line=exc.lineno, hint=_HINT) from None
    except ValueError as exc:
        raise ImportProblem(f"not valid JSON: {exc}", path=name, hint=_HINT) from None


# Validating --------------------------------------------------------------------------------------------------


@dataclass
class Plan:
    """What a valid document holds: rows per table, ready to insert, in insertion order."""

    schema: str
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: {s.table: [] for s in SECTIONS})

    def counts(self) -> dict[str, int]:
        return {table: len(rows) for table, rows in self.rows.items()}


def _problem(path: str, message: str) -> InvalidInput:
    return InvalidInput(f"{path}: {message}", hint=_HINT)


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    return {
        bool: "a boolean",
        int: "a number",
        float: "a number",
        str: "a string",
        list: "a list",
        dict: "an object",
    }.get(type(value), type(value).__name__)


def _time(value: str) -> datetime:
    dt = datetime.fromisoformat(value)
    if dt.tzinfo is None:
        raise ValueError("no time zone")
    return dt.astimezone(UTC)


def _value(column: Column, value: Any, path: str) -> Any:
    """One document value checked against its column, as the Python value to store."""
    if value is None:
        if column.nullable:
            return None
        raise _problem(path, "must not be null")
    kind = column.kind
    if kind == INT:
        if type(value) is not int:
            raise _problem(path, f"expected a whole number, got {_type_name(value)}")
        if not _INT_MIN <= value <= _INT_MAX:
            raise _problem(path, f"{value} is out of range")
        return value
    if kind == FLOAT:
        if type(value) not in (int, float) or not math.isfinite(value):
            raise _problem(path, f"expected a number, got {_type_name(value)}")
        return float(value) + 0.0  # -0.0 becomes 0.0, as SQLite stores it
    if kind == BOOL:
        if type(value) is not bool:
            raise _problem(path, f"expected true or false, got {_type_name(value)}")
        return value
    if not isinstance(value, str):
        raise _problem(path, f"expected a string, got {_type_name(value)}")
    if kind == TEXT:
        if column.length is not None and len(value) > column.length:
            raise _problem(path, f"longer than {column.length} characters")
        if "\x00" in value:
            raise _problem(path, "contains a NUL character")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise _problem(path, "contains an unpaired surrogate (\\ud800-\\udfff)") from None
        return value
    if kind == DATE:
        try:
            day = date.fromisoformat(value)
        except ValueError:
            day = None
        if day is None or day.isoformat() != value:
            raise _problem(path, f"not a date: {value!r} (use YYYY-MM-DD)")
        return day
    if kind == TIME:
        try:
            return _time(value)
        except (ValueError, OverflowError):
            raise _problem(path, f"not a time with a time zone: {value!r} (use 2026-11-20T09:30:00Z)") from None
    raise AssertionError(f"unknown column kind {kind}")


def _record(section: Section, record: Any, path: str, extra: Iterable[str] = ()) -> dict[str, Any]:
    """A record checked against its section: known keys only, required ones present, values of the right type."""
    if not isinstance(record, dict):
        raise _problem(path, f"expected an object, got {_type_name(record)}")
    allowed = {c.name for c in section.fields} | set(extra)
    unknown = sorted(set(record) - allowed)
    if unknown:
        raise _problem(f"{path}.{unknown[0]}", f"unknown key (not a column of {section.table})")
    row: dict[str, Any] = {}
    for column in section.fields:
        if column.name not in record and not column.nullable:
            raise _problem(path, f"missing key {column.name!r}")
        row[column.name] = _value(column, record.get(column.name), f"{path}.{column.name}")
    return row


def _list(doc: Mapping[str, Any], key: str, path: str, *, required: bool) -> list[Any]:
    if key not in doc:
        if required:
            raise _problem(path or "document", f"missing key {key!r}")
        return []
    value = doc[key]
    if not isinstance(value, list):
        raise _problem(f"{path}.{key}" if path else key, f"expected a list, got {_type_name(value)}")
    return value


class _Unique:
    """Remembers values that must not repeat (ids, uids, folded names) and where each was first seen."""

    def __init__(self, what: str) -> None:
        self.what = what
        self.seen: dict[Any, str] = {}

    def add(self, value: Any, path: str) -> None:
        if value in self.seen:
            raise _problem(path, f"{self.what} {value!r} is used twice (also at {self.seen[value]})")
        self.seen[value] = path

    def __contains__(self, value: Any) -> bool:
        return value in self.seen


def check_header(doc: Any, name: str) -> str:
    """The schema revision of a dunbar export document; an ``ImportProblem`` when it is something else."""
    from dunbar.store import KNOWN_REVISIONS

    if not isinstance(doc, dict) or doc.get("format") != EXPORT_FORMAT:
        raise ImportProblem(
            'not a dunbar export (no "format": "dunbar-export")',
            path=name,
            hint="only files written by `dunbar export --json` can be restored this way",
        )
    version = doc.get("version")
    if type(version) is not int:
        raise ImportProblem(f'"version" must be a whole number, got {_type_name(version)}', path=name, hint=_HINT)
    if version != VERSION:
        newer = version > VERSION
        raise ImportProblem(
            f"export format version {version} is {'newer than' if newer else 'unknown to'} this dunbar "
            f"(it reads version {VERSION})",
            path=name,
            hint="upgrade dunbar: pip install -U dunbar" if newer else _HINT,
        )
    schema = doc.get("schema")
    if not isinstance(schema, str):
        raise ImportProblem(f'"schema" must be a string, got {_type_name(schema)}', path=name, hint=_HINT)
    if schema not in KNOWN_REVISIONS:
        raise ImportProblem(
            f"written by a newer dunbar (schema {schema})", path=name, hint="upgrade dunbar: pip install -U dunbar"
        )
    return schema


class _Checker:
    """Walks a document section by section, turning records into rows and checking keys and references."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.ids = {s.table: _Unique(f"{s.table} id") for s in SECTIONS if s.has_id}
        self.unique = {(s.table, cols): _Unique(" and ".join(cols)) for s in SECTIONS for cols in s.unique}
        self.done: set[str] = set()  # tables whose every id is known
        self.pending: list[tuple[str, int, str]] = []  # references to a table not read in full yet
        self.tag_ids: dict[str, int] = {}

    def ref(self, table: str, value: Any, path: str) -> None:
        if value is None:
            return
        if table not in self.done:
            self.pending.append((table, value, path))
        elif value not in self.ids[table]:
            raise _problem(path, f"no {table.replace('_', ' ')} with id {value} in the document")

    def add(self, section: Section, row: dict[str, Any], path: str) -> None:
        if section.has_id:
            self.ids[section.table].add(row["id"], f"{path}.id")
        for cols in section.unique:
            key = tuple(row[c] for c in cols)
            self.unique[(section.table, cols)].add(key[0] if len(key) == 1 else key, path)
        for column in section.columns:
            if column.ref is not None and not column.implied:
                self.ref(column.ref, row[column.name], f"{path}.{column.name}")
        self.plan.rows[section.table].append(row)

    def tag(self, name: Any, person_id: int, path: str) -> dict[str, Any]:
        if not isinstance(name, str):
            raise _problem(path, f"expected a tag name, got {_type_name(name)}")
        if name not in self.tag_ids:
            raise _problem(path, f"no tag named {name!r} in the document's tags")
        return {"person_id": person_id, "tag_id": self.tag_ids[name]}

    def section(self, doc: Mapping[str, Any], section: Section) -> None:
        nested = children(section)
        extra = [child.key for child in nested]
        required = section.key in _REQUIRED_LISTS
        for i, record in enumerate(_list(doc, section.key, "", required=required)):
            path = f"{section.key}[{i}]"
            row = _record(section, record, path, extra)
            self.add(section, row, path)
            for child in nested:
                parent_column = child.parent_column
                assert parent_column is not None
                for j, item in enumerate(_list(record, child.key, path, required=False)):
                    item_path = f"{path}.{child.key}[{j}]"
                    if child is PERSON_TAGS:
                        crow = self.tag(item, row["id"], item_path)
                    else:
                        crow = _record(child, item, item_path)
                        crow[parent_column] = row["id"]
                    self.add(child, crow, item_path)
        self.done.update({section.table, *(child.table for child in nested)})
        if section is TAGS:
            for row in self.plan.rows[TAGS.table]:
                if self.tag_ids.setdefault(row["name"], row["id"]) != row["id"]:
                    raise _problem("tags", f"two tags are named {row['name']!r}: a person's tags could not say which")

    def finish(self) -> None:
        for table, value, path in self.pending:
            self.ref(table, value, path)


def validate(doc: Any, *, name: str = "<document>") -> Plan:
    """Check a whole export document and turn it into rows per table. Pure: touches no database."""
    plan = Plan(check_header(doc, name))
    allowed = {"format", "version", "schema", SETTINGS.key, *(s.key for s in TOP_LEVEL)}
    unknown = sorted(set(doc) - allowed)
    if unknown:
        raise _problem(unknown[0], f"unknown key (an export has {', '.join(sorted(allowed))})")

    settings = doc.get(SETTINGS.key, {})
    if not isinstance(settings, dict):
        raise _problem(SETTINGS.key, f"expected an object, got {_type_name(settings)}")
    key_col, value_col = SETTINGS.fields
    for key, value in settings.items():
        path = f"settings.{key}"
        plan.rows[SETTINGS.table].append(
            {"key": _value(key_col, key, f"{path} (the key)"), "value": _value(value_col, value, path)}
        )

    checker = _Checker(plan)
    for section in TOP_LEVEL:
        checker.section(doc, section)
    checker.finish()
    return plan


# Writing -----------------------------------------------------------------------------------------------------


def _stored(value: Any, dialect: str) -> Any:
    # SQLite keeps times as naive UTC text and dates as ISO text (what the models write); PostgreSQL takes the
    # typed values. Formatting here (not in the driver adapter) keeps years below 1000 zero-padded.
    if dialect == "sqlite":
        if isinstance(value, datetime):
            return value.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
        if isinstance(value, date):
            return value.isoformat()
    return value


def _counts(db: Db) -> dict[str, int]:
    return {s.table: int(db.scalar(f"SELECT count(*) FROM {s.table}")) for s in SECTIONS}


def refuse_non_empty(db: Db) -> None:
    """A restore keeps ids, so it only goes into a database that holds nothing yet."""
    held = {table: n for table, n in _counts(db).items() if n}
    if held:
        shown = ", ".join(f"{n} {table}" for table, n in list(held.items())[:4])
        raise Conflict(
            f"the database is not empty (it holds {shown}); a restore goes into an empty database",
            hint="restore into a new one: dunbar --db NEW.db import FILE.json",
        )


_SERIAL_TABLES = tuple(s.table for s in SECTIONS if s.has_id)
BATCH = 5000


def _self_refs(section: Section) -> list[str]:
    """Columns that point into their own table (a person merged into another): filled in after the insert."""
    return [c.name for c in section.columns if c.ref == section.table]


def _insert(db: Db, section: Section, rows: Sequence[dict[str, Any]], progress: Progress | None) -> None:
    later = _self_refs(section)
    columns = [c.name for c in section.columns]
    names = ", ".join(f'"{c}"' for c in columns)
    values = ", ".join("NULL" if c in later else f":{c}" for c in columns)
    sql = f"INSERT INTO {section.table} ({names}) VALUES ({values})"
    bound = [c for c in columns if c not in later]
    done = 0
    for part in chunks(rows, BATCH):
        db.executemany(sql, [{c: _stored(r[c], db.dialect) for c in bound} for r in part])
        done += len(part)
        if progress is not None:
            progress(section.table, done, len(rows))
    for column in later:
        filled = [{"id": r["id"], "v": r[column]} for r in rows if r[column] is not None]
        for part in chunks(filled, BATCH):
            db.executemany(f'UPDATE {section.table} SET "{column}" = :v WHERE id = :id', part)


def write(db: Db, plan: Plan, *, progress: Progress | None = None) -> None:
    """Insert a validated plan into an empty database, keeping ids, and rebuild the search index."""
    from dunbar import search

    with db.transaction():
        refuse_non_empty(db)
        for section in SECTIONS:
            _insert(db, section, plan.rows[section.table], progress)
        if db.dialect == "postgresql":
            # Explicit ids leave the sequences behind; the next person added must not collide with a restored one.
            for table in _SERIAL_TABLES:
                db.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) FROM {table}")
        search.rebuild(db)
        from dunbar import stats

        stats.recompute(db)  # the running totals are derived from the history, never taken from the document


def _label(source: Path | TextIO, name: str | None) -> str:
    if name:
        return name
    return str(source) if isinstance(source, Path) else str(getattr(source, "name", None) or "<input>")


def check(source: Path | TextIO, *, name: str | None = None) -> Plan:
    """Read and validate an export document without touching any database."""
    label = _label(source, name)
    doc = read_document(source, name=label)
    try:
        return validate(doc, name=label)
    except InvalidInput as exc:
        raise InvalidInput(f"{label}: {exc.message}", hint=exc.hint) from None


def restore(
    db: Db, source: Path | TextIO, *, progress: Progress | None = None, dry_run: bool = False, name: str | None = None
) -> dict[str, int]:
    """Restore an export document into the empty database ``db``, all or nothing; the rows of each table.

    With ``dry_run`` the document is read and checked and the database only checked for emptiness.
    """
    plan = check(source, name=name)
    if dry_run:
        refuse_non_empty(db)
        return plan.counts()
    try:
        write(db, plan, progress=progress)
    except DunbarError:
        raise
    except Exception as exc:
        # Validation checks every constraint it knows of; this is a last line for any it does not.
        if type(exc).__name__ != "IntegrityError":
            raise
        raise ImportProblem(f"the database refused the data: {exc}", path=_label(source, name), hint=_HINT) from exc
    return plan.counts()

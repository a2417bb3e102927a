"""The full-fidelity JSON export: every table and column, ids kept, so a restore rebuilds the same database.

The document's shape is described in docs/export-format.md. ``SECTIONS`` below is the single description of it
that both this exporter and ``dunbar.importers.json_restore`` follow; tests/test_json_roundtrip.py fails when a
table or column of ``dunbar.model`` is missing from it, so a migration cannot silently drop a field.

The output is deterministic (rows ordered by id, keys in column order, no export time), so exporting, restoring
and exporting again gives the same bytes. It is written one record per line and read page by page, so exporting
a million interactions holds one page in memory, not the whole database.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, TextIO

from dunbar.store.db import Db, to_datetime

FORMAT = "dunbar-export"
VERSION = 1

# Column kinds as they appear in the document.
INT, FLOAT, TEXT, BOOL, DATE, TIME = "int", "float", "text", "bool", "date", "datetime"


@dataclass(frozen=True)
class Column:
    name: str
    kind: str
    nullable: bool = False
    length: int | None = None  # a String(n) limit, which PostgreSQL enforces
    ref: str | None = None  # the table a foreign key points at
    implied: bool = False  # not a key of the record: given by where it sits (a person's notes carry no person_id)


def _c(name: str, kind: str, *, null: bool = False, length: int | None = None, ref: str | None = None) -> Column:
    return Column(name, kind, null, length, ref)


def _implied(name: str, ref: str) -> Column:
    return Column(name, INT, ref=ref, implied=True)


@dataclass(frozen=True)
class Section:
    """One table in the document: where it sits (``key``, under ``parent``) and its columns in output order."""

    table: str
    key: str
    columns: tuple[Column, ...]
    parent: str | None = None  # the key of the section that nests this one
    order: tuple[str, ...] = ("id",)
    unique: tuple[tuple[str, ...], ...] = ()  # besides the id: column sets that may not repeat

    @property
    def fields(self) -> tuple[Column, ...]:
        """The columns written as keys of each record."""
        return tuple(c for c in self.columns if not c.implied)

    @property
    def parent_column(self) -> str | None:
        """The implied column that points at the nesting record."""
        return self.columns[[c.implied for c in self.columns].index(True)].name if self.parent else None

    @property
    def has_id(self) -> bool:
        return any(c.name == "id" for c in self.columns)


def _source() -> Column:
    return _c("source_id", INT, null=True, ref="source")


def _person_child(table: str, key: str, *columns: Column, order: tuple[str, ...] = ("id",)) -> Section:
    return Section(table, key, columns, parent="people", order=order)


SETTINGS = Section("setting", "settings", (_c("key", TEXT, length=64), _c("value", TEXT)), order=("key",))
BATCHES = Section(
    "batch",
    "batches",
    (
        _c("id", INT),
        _c("kind", TEXT, length=32),
        _c("format", TEXT, null=True, length=32),
        _c("path", TEXT, null=True),
        _c("fingerprint", TEXT, null=True, length=64),
        _c("started_at", TIME),
        _c("finished_at", TIME, null=True),
        _c("status", TEXT, length=16),
        _c("report", TEXT, null=True),
    ),
)
BATCH_CHANGES = Section(
    "batch_change",
    "changes",
    (
        _c("id", INT),
        _implied("batch_id", "batch"),
        _c("table_name", TEXT, length=32),
        _c("row_id", INT),
        _c("column_name", TEXT, length=64),
        _c("old_value", TEXT, null=True),
    ),
    parent="batches",
)
SOURCES = Section(
    "source",
    "sources",
    (
        _c("id", INT),
        _c("batch_id", INT, null=True, ref="batch"),
        _c("kind", TEXT, length=32),
        _c("label", TEXT),
        _c("created_at", TIME),
    ),
)
ORGANIZATIONS = Section(
    "organization",
    "organizations",
    (_c("id", INT), _c("name", TEXT), _c("name_fold", TEXT), _c("created_at", TIME)),
    unique=(("name_fold",),),
)
TAGS = Section("tag", "tags", (_c("id", INT), _c("name", TEXT), _c("name_fold", TEXT)), unique=(("name_fold",),))
PEOPLE = Section(
    "person",
    "people",
    (
        _c("id", INT),
        _c("uid", TEXT, length=32),
        _c("display_name", TEXT),
        _c("name_fold", TEXT),
        _c("given_name", TEXT, null=True),
        _c("family_name", TEXT, null=True),
        _c("nickname", TEXT, null=True),
        _c("location", TEXT, null=True),
        _c("how_met", TEXT, null=True),
        _c("circle", TEXT, null=True, length=16),
        _c("cadence_ideal_days", INT, null=True),
        _c("cadence_max_days", INT, null=True),
        _c("closeness", INT, null=True),
        _c("connected_on", DATE, null=True),
        _c("last_contact_at", TIME, null=True),
        _c("is_me", BOOL),
        _source(),
        _c("created_at", TIME),
        _c("updated_at", TIME),
        _c("deleted_at", TIME, null=True),
        _c("merged_into_id", INT, null=True, ref="person"),
    ),
    unique=(("uid",),),
)
IDENTIFIERS = _person_child(
    "identifier",
    "identifiers",
    _c("id", INT),
    _implied("person_id", "person"),
    _c("kind", TEXT, length=16),
    _c("value", TEXT),
    _c("norm", TEXT),
    _c("label", TEXT, null=True, length=32),
    _c("is_primary", BOOL),
    _source(),
)
EMPLOYMENTS = _person_child(
    "employment",
    "employments",
    _c("id", INT),
    _implied("person_id", "person"),
    _c("organization_id", INT, ref="organization"),
    _c("title", TEXT, null=True),
    _c("start_date", DATE, null=True),
    _c("end_date", DATE, null=True),
    _source(),
)
IMPORTANT_DATES = _person_child(
    "important_date",
    "important_dates",
    _c("id", INT),
    _implied("person_id", "person"),
    _c("kind", TEXT, length=32),
    _c("label", TEXT, null=True),
    _c("year", INT, null=True),
    _c("month", INT),
    _c("day", INT),
    _source(),
)
FIELDS = _person_child(
    "field", "fields", _c("id", INT), _implied("person_id", "person"), _c("key", TEXT), _c("value", TEXT), _source()
)
# A person's tags are written as the tags' names (the tag_id is implied by the name): easier to read and edit.
PERSON_TAGS = Section(
    "person_tag",
    "tags",
    (_implied("person_id", "person"), _implied("tag_id", "tag")),
    parent="people",
    order=("tag_id",),
    unique=(("person_id", "tag_id"),),
)
NOTES = _person_child(
    "note",
    "notes",
    _c("id", INT),
    _implied("person_id", "person"),
    _c("body", TEXT),
    _c("created_at", TIME),
    _source(),
)
ALTERNATES = _person_child(
    "alternate",
    "alternates",
    _c("id", INT),
    _implied("person_id", "person"),
    _c("attribute", TEXT, length=64),
    _c("value", TEXT),
    _source(),
)
INTERACTIONS = Section(
    "interaction",
    "interactions",
    (
        _c("id", INT),
        _c("uid", TEXT, length=32),
        _c("occurred_at", TIME),
        _c("kind", TEXT, length=16),
        _c("initiator", TEXT, null=True, length=8),
        _c("summary", TEXT),
        _c("weight", FLOAT),
        _c("external_id", TEXT, null=True),
        _c("thread", TEXT, null=True),
        _source(),
        _c("created_at", TIME),
    ),
    unique=(("uid",),),
)
PARTICIPANTS = Section(
    "participant",
    "participants",
    (
        _implied("interaction_id", "interaction"),
        _c("person_id", INT, ref="person"),
        _c("role", TEXT, null=True, length=16),
    ),
    parent="interactions",
    order=("person_id",),
    unique=(("interaction_id", "person_id"),),
)
FOLLOW_UPS = Section(
    "follow_up",
    "follow_ups",
    (
        _c("id", INT),
        _c("uid", TEXT, length=32),
        _c("person_id", INT, ref="person"),
        _c("interaction_id", INT, null=True, ref="interaction"),
        _c("due_on", DATE),
        _c("text", TEXT),
        _c("status", TEXT, length=16),
        _c("done_at", TIME, null=True),
        _c("created_at", TIME),
    ),
    unique=(("uid",),),
)
MERGE_CANDIDATES = Section(
    "merge_candidate",
    "merge_candidates",
    (
        _c("id", INT),
        _c("person_a_id", INT, ref="person"),
        _c("person_b_id", INT, ref="person"),
        _c("score", FLOAT),
        _c("evidence", TEXT),
        _c("status", TEXT, length=16),
        _c("batch_id", INT, null=True, ref="batch"),
        _c("created_at", TIME),
        _c("decided_at", TIME, null=True),
    ),
    unique=(("person_a_id", "person_b_id"),),
)
MERGES = Section(
    "merge",
    "merges",
    (
        _c("id", INT),
        _c("survivor_id", INT, ref="person"),
        _c("merged_id", INT, ref="person"),
        _c("moved", TEXT),
        _c("created_at", TIME),
        _c("undone_at", TIME, null=True),
    ),
)
FAVOURS = Section(
    "favour",
    "favours",
    (
        _c("id", INT),
        _c("uid", TEXT, length=32),
        _c("person_id", INT, ref="person"),
        _c("direction", TEXT, length=16),
        _c("kind", TEXT, length=32),
        _c("status", TEXT, length=16),
        _c("weight", INT),
        _c("asked_on", DATE, null=True),
        _c("promised_on", DATE, null=True),
        _c("done_on", DATE, null=True),
        _c("note", TEXT, null=True),
        _c("interaction_id", INT, null=True, ref="interaction"),
        _source(),
        _c("created_at", TIME),
        _c("updated_at", TIME),
    ),
    unique=(("uid",),),
)
FAVOUR_PARTIES = Section(
    "favour_party",
    "parties",
    (_implied("favour_id", "favour"), _c("person_id", INT, ref="person"), _c("role", TEXT, length=32)),
    parent="favours",
    order=("person_id",),
    unique=(("favour_id", "person_id"),),
)
OFFERS_NEEDS = _person_child(
    "offer_need",
    "offers_needs",
    _c("id", INT),
    _implied("person_id", "person"),
    _c("kind", TEXT, length=8),
    _c("text", TEXT),
    _c("status", TEXT, length=16),
    _c("since", DATE, null=True),
    _c("expires_on", DATE, null=True),
    _source(),
    _c("created_at", TIME),
)
TIES = Section(
    "tie",
    "ties",
    (
        _c("id", INT),
        _c("person_a_id", INT, ref="person"),
        _c("person_b_id", INT, ref="person"),
        _c("kind", TEXT, length=16),
        _c("how", TEXT, null=True),
        _c("strength", FLOAT),
        _c("evidence", TEXT, null=True),
        _c("status", TEXT, length=16),
        _c("since", DATE, null=True),
        _c("last_seen", DATE, null=True),
        _source(),
        _c("created_at", TIME),
        _c("updated_at", TIME),
    ),
    unique=(("person_a_id", "person_b_id"),),
)

TARGETS = Section(
    "target",
    "targets",
    (
        _c("id", INT),
        _c("organization_id", INT, ref="organization"),
        _c("why", TEXT, null=True),
        _c("status", TEXT, length=16),
        _c("created_at", TIME),
    ),
    unique=(("organization_id",),),
)
OPPORTUNITIES = Section(
    "opportunity",
    "opportunities",
    (
        _c("id", INT),
        _c("uid", TEXT, length=32),
        _c("organization_id", INT, ref="organization"),
        _c("role", TEXT),
        _c("link", TEXT, null=True),
        _c("channel", TEXT, length=32),
        _c("stage", TEXT, length=16),
        _c("note", TEXT, null=True),
        _c("created_at", TIME),
        _c("updated_at", TIME),
    ),
    unique=(("uid",),),
)
OPPORTUNITY_STAGES = Section(
    "opportunity_stage",
    "stages",
    (
        _c("id", INT),
        _implied("opportunity_id", "opportunity"),
        _c("stage", TEXT, length=16),
        _c("on", DATE),
        _c("note", TEXT, null=True),
    ),
    parent="opportunities",
)
OPPORTUNITY_PEOPLE = Section(
    "opportunity_person",
    "people",
    (_implied("opportunity_id", "opportunity"), _c("person_id", INT, ref="person"), _c("role", TEXT, length=32)),
    parent="opportunities",
    order=("person_id",),
    unique=(("opportunity_id", "person_id"),),
)

AGENDA_STATE = Section(
    "agenda_state",
    "agenda",
    (
        _implied("person_id", "person"),
        _c("snoozed_until", DATE, null=True),
        _c("skipped_on", DATE, null=True),
        _c("last_suggested_on", DATE, null=True),
        _c("times_suggested", INT),
    ),
    parent="people",
    order=("person_id",),
)

# Every exported table, each after the tables it points at (but for a person's merged_into_id, which a restore
# fills in once every person is there): the order a restore inserts them in.
SECTIONS: tuple[Section, ...] = (
    SETTINGS,
    BATCHES,
    BATCH_CHANGES,
    SOURCES,
    ORGANIZATIONS,
    TAGS,
    PEOPLE,
    IDENTIFIERS,
    EMPLOYMENTS,
    IMPORTANT_DATES,
    FIELDS,
    PERSON_TAGS,
    NOTES,
    ALTERNATES,
    OFFERS_NEEDS,
    AGENDA_STATE,
    INTERACTIONS,
    PARTICIPANTS,
    FOLLOW_UPS,
    FAVOURS,
    FAVOUR_PARTIES,
    TIES,
    TARGETS,
    OPPORTUNITIES,
    OPPORTUNITY_STAGES,
    OPPORTUNITY_PEOPLE,
    MERGE_CANDIDATES,
    MERGES,
)
# The lists of the document, in order; settings (an object) comes before them.
TOP_LEVEL: tuple[Section, ...] = tuple(s for s in SECTIONS if s.parent is None and s is not SETTINGS)


def children(section: Section) -> tuple[Section, ...]:
    """The sections nested in each record of ``section``, in output order."""
    return tuple(s for s in SECTIONS if s.parent == section.key)


# Derived data that a restore rebuilds instead of copying.
NOT_EXPORTED = frozenset({"search_doc", "person_stats"})

PAGE = 2000


# Values ------------------------------------------------------------------------------------------------------


def format_time(value: datetime) -> str:
    """``2026-11-20T09:30:00Z``, with microseconds only when there are some."""
    naive = value.astimezone(UTC).replace(tzinfo=None)
    return naive.isoformat(timespec="microseconds" if naive.microsecond else "seconds") + "Z"


def to_document(kind: str, value: Any) -> Any:
    """A stored value (as either driver reads it) in its document form."""
    if value is None:
        return None
    if kind == BOOL:
        return bool(value)  # SQLite gives 0/1
    if kind == TIME:
        dt = to_datetime(value)
        assert dt is not None
        return format_time(dt)
    if kind == DATE:
        return value.isoformat() if isinstance(value, date) else date.fromisoformat(value).isoformat()
    if kind == FLOAT:
        return float(value)
    if kind == INT:
        return int(value)
    return value


def quoted(columns: Sequence[Column]) -> str:
    # Quoted because "key", "value", "text", "year"… are (or may become) keywords on one backend or the other.
    return ", ".join(f'"{c.name}"' for c in columns)


# Reading ------------------------------------------------------------------------------------------------------


@contextmanager
def _snapshot(db: Db) -> Iterator[None]:
    """Read everything from one consistent state, without blocking writers for the length of the export."""
    if db.in_transaction:
        yield
    elif db.dialect == "sqlite":
        # A deferred transaction: in WAL mode readers see one snapshot and writers carry on.
        db.execute("BEGIN")
        try:
            yield
        finally:
            db.execute("COMMIT")
    else:
        with db.transaction():
            db.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield


def _records(section: Section, rows: Sequence[Sequence[Any]]) -> list[dict[str, Any]]:
    cols = section.fields
    return [{c.name: to_document(c.kind, v) for c, v in zip(cols, row, strict=True)} for row in rows]


def _children(db: Db, section: Section, lo: int, hi: int) -> dict[int, list[Any]]:
    """The nested records of the parents with ids in ``lo..hi``, by parent id: one query per page."""
    parent = section.parent_column
    out: dict[int, list[Any]] = {}
    if section is PERSON_TAGS:
        for pid, name in db.rows(
            "SELECT pt.person_id, t.name FROM person_tag pt JOIN tag t ON t.id = pt.tag_id "
            "WHERE pt.person_id BETWEEN :lo AND :hi ORDER BY pt.person_id, pt.tag_id",
            {"lo": lo, "hi": hi},
        ):
            out.setdefault(pid, []).append(name)
        return out
    order = ", ".join(f'"{c}"' for c in section.order)
    rows = db.rows(
        f'SELECT "{parent}", {quoted(section.fields)} FROM {section.table} '
        f'WHERE "{parent}" BETWEEN :lo AND :hi ORDER BY "{parent}", {order}',
        {"lo": lo, "hi": hi},
    )
    for row, record in zip(rows, _records(section, [r[1:] for r in rows]), strict=True):
        out.setdefault(row[0], []).append(record)
    return out


def _pages(db: Db, section: Section, nested_sections: Sequence[Section] = ()) -> Iterator[dict[str, Any]]:
    """The records of a top-level section in id order, a page at a time, with their nested records."""
    after = 0
    while True:
        rows = db.rows(
            f"SELECT {quoted(section.fields)} FROM {section.table} WHERE id > :after ORDER BY id LIMIT :n",
            {"after": after, "n": PAGE},
        )
        if not rows:
            return
        lo, hi = rows[0][0], rows[-1][0]
        nested = [(child, _children(db, child, lo, hi)) for child in nested_sections]
        for record in _records(section, rows):
            for child, by_parent in nested:
                record[child.key] = by_parent.get(record["id"], [])
            yield record
        after = hi
        if len(rows) < PAGE:
            return


def _settings(db: Db) -> dict[str, str]:
    # Values are kept as the JSON text stored, so a value is restored byte for byte. Sorted here, not in SQL:
    # PostgreSQL would order by its collation, SQLite by code point, and both backends must write the same file.
    return dict(sorted(db.rows('SELECT "key", "value" FROM setting')))


def _schema(db: Db) -> str:
    from dunbar.store import schema_revision

    revision = schema_revision(db)
    assert revision is not None
    return revision


def _lists(db: Db) -> Iterator[tuple[Section, Iterator[dict[str, Any]]]]:
    for section in TOP_LEVEL:
        yield section, _pages(db, section, children(section))


def _header(db: Db) -> dict[str, Any]:
    return {"format": FORMAT, "version": VERSION, "schema": _schema(db), "settings": _settings(db)}


# Writing ------------------------------------------------------------------------------------------------------


def export_all(db: Db) -> dict[str, Any]:
    """The whole export document in memory (for small databases and tests; ``write_json`` streams)."""
    with _snapshot(db):
        doc = _header(db)
        for section, records in _lists(db):
            doc[section.key] = list(records)
    return doc


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, allow_nan=False)


def write_json(db: Db, out: TextIO) -> dict[str, int]:
    """Write the export document to ``out``, one record per line; the number of rows of each table written."""
    counts = {s.table: 0 for s in SECTIONS}
    with _snapshot(db):
        header = _header(db)
        out.write("{\n")
        for key, value in header.items():
            out.write(f"{_dump(key)}: {_dump(value)},\n")
        counts[SETTINGS.table] = len(header[SETTINGS.key])
        for i, (section, records) in enumerate(_lists(db)):
            nested = children(section)
            out.write(f"{_dump(section.key)}: [")
            n = 0
            for record in records:
                out.write(",\n" if n else "\n")
                out.write(_dump(record))
                n += 1
                for child in nested:
                    counts[child.table] += len(record[child.key])
            counts[section.table] = n
            out.write("\n]" if n else "]")
            out.write(",\n" if i < len(TOP_LEVEL) - 1 else "\n")
        out.write("}\n")
    return counts


def dumps(doc: Mapping[str, Any]) -> str:
    """A document held in memory, in exactly the layout ``write_json`` streams."""
    parts = ["{\n"]
    keys = list(doc)
    for i, key in enumerate(keys):
        value = doc[key]
        comma = ",\n" if i < len(keys) - 1 else "\n"
        if isinstance(value, list):
            body = ",\n".join(_dump(r) for r in value)
            parts.append(f"{_dump(key)}: [\n{body}\n]{comma}" if value else f"{_dump(key)}: []{comma}")
        else:
            parts.append(f"{_dump(key)}: {_dump(value)}{comma}")
    parts.append("}\n")
    return "".join(parts)

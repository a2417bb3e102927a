"""The full-fidelity JSON export and its restore, on SQLite and PostgreSQL: export → restore → export is exact."""

from __future__ import annotations

import io
import json
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dunbar import search
from dunbar.errors import Conflict, ImportProblem, InvalidInput
from dunbar.exporters.json_export import (
    NOT_EXPORTED,
    SECTIONS,
    children,
    dumps,
    export_all,
    format_time,
    write_json,
)
from dunbar.importers.json_restore import restore
from dunbar.store import SCHEMA_HEAD, Db, open_db
from tests.conftest import Cli, pg_copy

# The schema and the export agree ------------------------------------------------------------------------------


def _kind(column: Any) -> str:
    from sqlalchemy import Boolean, Date, DateTime, Float, Integer, String, Text

    from dunbar.model import UTCDateTime

    for types, kind in (
        ((Boolean,), "bool"),
        ((UTCDateTime, DateTime), "datetime"),
        ((Date,), "date"),
        ((Float,), "float"),
        ((Integer,), "int"),
        ((String, Text), "text"),
    ):
        if isinstance(column.type, types):
            return kind
    raise AssertionError(f"no export kind for {column.table.name}.{column.name} ({column.type!r})")


def test_sections_cover_every_table_and_column_of_the_model() -> None:
    """A migration that adds a table or a column fails here until the export (and so the restore) carries it."""
    from dunbar.model import Base

    tables = {name: table for name, table in Base.metadata.tables.items() if name not in NOT_EXPORTED}
    by_table = {s.table: s for s in SECTIONS}
    assert set(by_table) == set(tables)
    assert len(by_table) == len(SECTIONS)
    for name, table in tables.items():
        section = by_table[name]
        assert {c.name for c in section.columns} == set(table.columns.keys()), name
        for col in section.columns:
            model_col = table.columns[col.name]
            assert col.kind == _kind(model_col), f"{name}.{col.name}"
            assert col.nullable == bool(model_col.nullable) or col.implied, f"{name}.{col.name} nullability"
            assert col.length == getattr(model_col.type, "length", None), f"{name}.{col.name} length"
            refs = {fk.column.table.name for fk in model_col.foreign_keys}
            assert refs == ({col.ref} if col.ref else set()), f"{name}.{col.name} points at {refs}"
        unique = {
            tuple(c.name for c in con.columns) for con in table.constraints if type(con).__name__ == "UniqueConstraint"
        }
        unique |= {(c.name,) for c in table.columns if c.unique}
        assert unique <= set(section.unique), f"{name}: unique {unique - set(section.unique)} not checked"


def test_nested_sections_sit_under_the_table_they_point_at() -> None:
    keys = {s.key: s for s in SECTIONS if s.parent is None}
    for section in SECTIONS:
        if section.parent is not None:
            parent = keys[section.parent]
            implied = [c for c in section.columns if c.implied]
            assert implied[0].ref == parent.table
            assert section in children(parent)


# A hand-built database with a row in every table -------------------------------------------------------------

T0 = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
T1 = datetime(2025, 12, 31, 23, 59, 59, 123456, tzinfo=UTC)
T2 = datetime(1999, 7, 1, 8, 0, 0, 500, tzinfo=UTC)


def fill(db: Db) -> None:
    """Rows in every exported table, inserted with plain SQL: unicode, nulls, booleans, dates, exact times."""

    def d(day: date) -> Any:
        return day.isoformat() if db.dialect == "sqlite" else day

    def run(sql: str, **params: Any) -> None:
        db.execute(sql, params)

    with db.transaction():
        run("INSERT INTO setting (key, value) VALUES ('me', :v)", v=json.dumps({"person_id": 1}))
        run("INSERT INTO setting (key, value) VALUES ('cadence.close', '30')")
        run(
            "INSERT INTO batch (id, kind, format, path, fingerprint, started_at, finished_at, status, report) "
            "VALUES (4, 'import', 'vcard', '/home/ana/Контакты.vcf', 'abc123', :t0, :t1, 'applied', '{\"n\": 2}')",
            t0=T0,
            t1=T1,
        )
        run(
            "INSERT INTO batch (id, kind, format, path, fingerprint, started_at, finished_at, status, report) "
            "VALUES (9, 'restore', NULL, NULL, NULL, :t0, NULL, 'undone', NULL)",
            t0=T2,
        )
        run(
            "INSERT INTO batch_change (id, batch_id, table_name, row_id, column_name, old_value) "
            "VALUES (1, 4, 'person', 2, 'location', NULL), (2, 4, 'person', 2, 'nickname', '\"Bo\"')"
        )
        run(
            "INSERT INTO source (id, batch_id, kind, label, created_at) VALUES (5, 4, 'vcard', 'Контакты.vcf', :t)",
            t=T0,
        )
        run("INSERT INTO source (id, batch_id, kind, label, created_at) VALUES (6, NULL, 'manual', 'typed', :t)", t=T1)
        run(
            "INSERT INTO organization (id, name, name_fold, created_at) VALUES (3, 'Zürich Labs', 'zurich labs', :t)",
            t=T0,
        )
        run("INSERT INTO organization (id, name, name_fold, created_at) VALUES (8, 'Acme', 'acme', :t)", t=T1)
        run("INSERT INTO tag (id, name, name_fold) VALUES (2, 'mentor', 'mentor'), (7, 'Ünïcode 🎉', 'unicode')")
        person = (
            "INSERT INTO person (id, uid, display_name, name_fold, given_name, family_name, nickname, location, "
            "how_met, circle, cadence_ideal_days, cadence_max_days, closeness, connected_on, last_contact_at, is_me, "
            "source_id, created_at, updated_at, deleted_at, merged_into_id) VALUES (:id, :uid, :name, :fold, :given, "
            ":family, :nick, :loc, :how, :circle, :ideal, :max, :close, :on, :last, :me, :src, :c, :u, :del, NULL)"
        )
        run(
            person, id=1, uid="a" * 32, name="Jordan Avery", fold="jordan avery", given="Jordan", family="Avery",
            nick=None, loc=None, how=None, circle=None, ideal=None, max=None, close=None, on=None, last=None, me=True,
            src=None, c=T0, u=T0, **{"del": None},
        )  # fmt: skip
        run(
            person, id=2, uid="b" * 32, name="Łukasz Żółw", fold="lukasz zolw", given="Łukasz", family="Żółw",
            nick="Łuki", loc="Kraków", how="PyCon \"2019\"\nsecond line", circle="close", ideal=30, max=60, close=85,
            on=d(date(2019, 5, 4)), last=T1, me=False, src=5, c=T1, u=T2, **{"del": None},
        )  # fmt: skip
        run(
            person, id=5, uid="c" * 32, name="Bo Chen", fold="bo chen", given=None, family=None, nick=None, loc="",
            how=None, circle="dormant", ideal=None, max=None, close=0, on=d(date(1, 1, 1)), last=None, me=False,
            src=6, c=T2, u=T2, **{"del": T1},
        )  # fmt: skip
        run("UPDATE person SET merged_into_id = 2 WHERE id = 5")
        run(
            "INSERT INTO identifier (id, person_id, kind, value, norm, label, is_primary, source_id) VALUES "
            "(1, 1, 'email', 'jordan@example.org', 'jordan@example.org', NULL, :t, NULL), "
            "(2, 2, 'email', 'Lukasz@Example.PL', 'lukasz@example.pl', 'work', :t, 5), "
            "(3, 2, 'phone', '+48 12 345 67 89', '+48123456789', 'mobile', :f, 5)",
            t=True,
            f=False,
        )
        run(
            "INSERT INTO employment (id, person_id, organization_id, title, start_date, end_date, source_id) VALUES "
            "(1, 2, 3, 'Główny inżynier', :s, :e, 5), (2, 2, 8, NULL, NULL, NULL, NULL)",
            s=d(date(2020, 2, 29)),
            e=d(date(2024, 12, 31)),
        )
        run(
            "INSERT INTO important_date (id, person_id, kind, label, year, month, day, source_id) VALUES "
            "(1, 2, 'birthday', NULL, NULL, 2, 29, NULL), (2, 2, 'anniversary', 'ślub', 2015, 6, 20, 5)"
        )
        run("INSERT INTO field (id, person_id, key, value, source_id) VALUES (1, 2, 'pronouns', 'he/him', 5)")
        run("INSERT INTO person_tag (person_id, tag_id) VALUES (2, 7), (2, 2), (5, 2)")
        run(
            "INSERT INTO note (id, person_id, body, created_at, source_id) VALUES (1, 2, :b, :t, NULL)",
            b='Likes 🍣 and "quotes"; tab\there',
            t=T1,
        )
        run(
            "INSERT INTO alternate (id, person_id, attribute, value, source_id) VALUES "
            "(1, 2, 'name', 'Lukasz Zolw', 5), (2, 5, 'location', 'Berlin', NULL)"
        )
        run(
            "INSERT INTO offer_need (id, person_id, kind, text, status, since, expires_on, source_id, created_at) "
            "VALUES (1, 2, 'need', 'a job in data science', 'active', :d, NULL, NULL, :t)",
            d=date(2026, 10, 1),
            t=T1,
        )
        run(
            "INSERT INTO tie (id, person_a_id, person_b_id, kind, how, strength, evidence, status, since, last_seen, "
            "source_id, created_at, updated_at) VALUES (1, 2, 5, 'explicit', 'worked together at Initech', 0.8, "
            "NULL, 'confirmed', NULL, NULL, NULL, :t, :t)",
            t=T1,
        )
        run(
            "INSERT INTO agenda_state (person_id, snoozed_until, skipped_on, last_suggested_on, times_suggested) "
            "VALUES (2, :d, NULL, :d, 3)",
            d=date(2026, 12, 1),
        )
        interaction = (
            "INSERT INTO interaction (id, uid, occurred_at, kind, initiator, summary, weight, external_id, thread, "
            "source_id, created_at) VALUES (:id, :uid, :at, :kind, :init, :summary, :w, :ext, :thread, :src, :c)"
        )
        run(
            interaction, id=10, uid="d" * 32, at=T1, kind="meeting", init="me", summary="Kawa w Krakowie ☕",
            w=0.25, ext="<msg-1@example.pl>", thread="t-1", src=5, c=T0,
        )  # fmt: skip
        run(
            interaction, id=11, uid="e" * 32, at=T0, kind="note", init=None, summary="", w=1.0, ext=None,
            thread=None, src=None, c=T2,
        )  # fmt: skip
        run("INSERT INTO participant (interaction_id, person_id, role) VALUES (10, 2, 'attendee'), (10, 1, NULL)")
        run(
            "INSERT INTO follow_up (id, uid, person_id, interaction_id, due_on, text, status, done_at, created_at) "
            "VALUES (1, :u1, 2, 10, :due, 'Send the paper', 'done', :done, :c), "
            "(2, :u2, 5, NULL, :due2, 'Ask about Berlin', 'open', NULL, :c)",
            u1="f" * 32,
            u2="0" * 32,
            due=d(date(2026, 1, 9)),
            due2=d(date(2026, 3, 1)),
            done=T0,
            c=T1,
        )
        run(
            "INSERT INTO favour (id, uid, person_id, direction, kind, status, weight, asked_on, promised_on, done_on, "
            "note, interaction_id, source_id, created_at, updated_at) VALUES (1, :u, 2, 'received', 'introduction', "
            "'done', 3, NULL, NULL, :done, 'Introduced me to Acme', 10, NULL, :c, :c)",
            u="a1" * 16,
            done=d(date(2026, 2, 1)),
            c=T1,
        )
        run("INSERT INTO favour_party (favour_id, person_id, role) VALUES (1, 5, 'introduced-to')")
        run("INSERT INTO target (id, organization_id, why, status, created_at) VALUES (1, 8, 'great team', 'active', :c)",
            c=T1)  # fmt: skip
        run(
            "INSERT INTO opportunity (id, uid, organization_id, role, link, channel, stage, note, created_at, "
            "updated_at) VALUES (1, :u, 3, 'Data Scientist', NULL, 'referral', 'interview', NULL, :c, :c)",
            u="b2" * 16,
            c=T1,
        )
        run(
            'INSERT INTO opportunity_stage (id, opportunity_id, stage, "on", note) VALUES '
            "(1, 1, 'applied', :a, NULL), (2, 1, 'interview', :b, 'with the hiring manager')",
            a=d(date(2026, 2, 1)),
            b=d(date(2026, 2, 10)),
        )
        run("INSERT INTO opportunity_person (opportunity_id, person_id, role) VALUES (1, 2, 'referrer')")
        run(
            "INSERT INTO merge_candidate (id, person_a_id, person_b_id, score, evidence, status, batch_id, "
            "created_at, decided_at) VALUES (1, 2, 5, 0.875, '[\"same e-mail\"]', 'merged', 4, :c, :d)",
            c=T0,
            d=T1,
        )
        run(
            "INSERT INTO merge (id, survivor_id, merged_id, moved, created_at, undone_at) "
            "VALUES (3, 2, 5, '{\"note\": []}', :c, NULL)",
            c=T1,
        )
        search.rebuild(db)


def _text(db: Db) -> str:
    out = io.StringIO()
    write_json(db, out)
    return out.getvalue()


def _counts(db: Db) -> dict[str, int]:
    return {s.table: int(db.scalar(f"SELECT count(*) FROM {s.table}")) for s in SECTIONS}


@pytest.fixture
def other_url(db_url: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """A second, not yet used database on the same backend as ``db_url``."""
    if db_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'restored' / 'dunbar.db'}"  # open_db(create=True) makes it
        return
    admin, template = request.getfixturevalue("pg_template")
    with pg_copy(admin, template, prefix="dunbar_r") as url:
        yield url


@pytest.fixture
def filled(db: Db) -> Db:
    fill(db)
    return db


def test_every_table_has_rows_in_the_hand_built_database(filled: Db) -> None:
    empty = [table for table, n in _counts(filled).items() if n == 0]
    assert empty == [], "fill() must cover every exported table"


def test_export_shape_and_values(filled: Db) -> None:
    doc = export_all(filled)
    assert (doc["format"], doc["version"], doc["schema"]) == ("dunbar-export", 1, SCHEMA_HEAD)
    assert doc["settings"] == {"cadence.close": "30", "me": '{"person_id": 1}'}
    assert [p["id"] for p in doc["people"]] == [1, 2, 5]
    me, lukasz, bo = doc["people"]
    assert me["is_me"] is True
    assert lukasz["is_me"] is False
    assert me["nickname"] is None
    assert bo["location"] == ""
    assert lukasz["display_name"] == "Łukasz Żółw"
    assert lukasz["connected_on"] == "2019-05-04"
    assert bo["connected_on"] == "0001-01-01"
    assert me["created_at"] == "2026-01-02T03:04:05Z"
    assert lukasz["last_contact_at"] == "2025-12-31T23:59:59.123456Z"
    assert lukasz["updated_at"] == "1999-07-01T08:00:00.000500Z"
    assert bo["merged_into_id"] == 2
    assert bo["deleted_at"] == "2025-12-31T23:59:59.123456Z"
    assert lukasz["tags"] == ["mentor", "Ünïcode 🎉"]  # by tag id
    assert [i["id"] for i in lukasz["identifiers"]] == [2, 3]
    assert lukasz["identifiers"][0] == {
        "id": 2,
        "kind": "email",
        "value": "Lukasz@Example.PL",
        "norm": "lukasz@example.pl",
        "label": "work",
        "is_primary": True,
        "source_id": 5,
    }
    assert lukasz["employments"][0]["start_date"] == "2020-02-29"
    assert lukasz["employments"][0]["organization_id"] == 3
    assert lukasz["important_dates"][0] == {
        "id": 1,
        "kind": "birthday",
        "label": None,
        "year": None,
        "month": 2,
        "day": 29,
        "source_id": None,
    }
    assert bo["alternates"] == [{"id": 2, "attribute": "location", "value": "Berlin", "source_id": None}]
    meeting = doc["interactions"][0]
    assert meeting["participants"] == [{"person_id": 1, "role": None}, {"person_id": 2, "role": "attendee"}]
    assert meeting["weight"] == 0.25
    assert doc["interactions"][1]["weight"] == 1.0
    assert doc["batches"][0]["changes"][1]["old_value"] == '"Bo"'
    assert doc["follow_ups"][0]["done_at"] == "2026-01-02T03:04:05Z"
    assert doc["merge_candidates"][0]["score"] == 0.875
    assert doc["merges"][0]["undone_at"] is None


def test_streamed_text_is_the_document(filled: Db) -> None:
    text = _text(filled)
    assert json.loads(text) == export_all(filled)
    assert text == dumps(export_all(filled))
    assert text.count("\n") > 20  # one record per line, not one huge line


def test_export_restore_export_is_identical(filled: Db, other_url: str) -> None:
    first = _text(filled)
    target = open_db(other_url, create=True)
    try:
        counts = restore(target, io.StringIO(first))
        assert counts == _counts(filled)
        assert _text(target) == first
        # The derived search index is rebuilt, not copied.
        hits = search.search(target, "lukasz")
        assert any(h.kind == "person" and h.ref_id == 2 for h in hits)
        assert any(h.kind == "interaction" for h in search.search(target, "krakowie"))
        # New rows get fresh ids after the kept ones (PostgreSQL sequences were moved on).
        new_id = target.insert(
            "INSERT INTO tag (name, name_fold) VALUES ('new', 'new') RETURNING id",
        )
        assert new_id == 8
        new_person = target.insert(
            "INSERT INTO person (uid, display_name, name_fold, is_me, created_at, updated_at) "
            "VALUES (:u, 'New', 'new', :f, :t, :t) RETURNING id",
            {"u": "9" * 32, "f": False, "t": T0},
        )
        assert new_person == 6
    finally:
        target.close()


def test_restore_from_a_file_path(filled: Db, other_url: str, tmp_path: Path) -> None:
    path = tmp_path / "export.json"
    with path.open("w", encoding="utf-8") as out:
        write_json(filled, out)
    target = open_db(other_url, create=True)
    try:
        progress: list[tuple[str, int, int]] = []
        restore(target, path, progress=lambda table, done, total: progress.append((table, done, total)))
        assert _text(target) == path.read_text(encoding="utf-8")
        assert ("person", 3, 3) in progress
        assert ("interaction", 2, 2) in progress
    finally:
        target.close()


def test_pages_cover_many_rows_in_order(db: Db, monkeypatch: pytest.MonkeyPatch) -> None:
    from dunbar.exporters import json_export

    monkeypatch.setattr(json_export, "PAGE", 7)  # many pages from a small database
    with db.transaction():
        db.executemany(
            "INSERT INTO person (id, uid, display_name, name_fold, is_me, created_at, updated_at) "
            "VALUES (:id, :uid, :n, :n, :f, :t, :t)",
            [{"id": i * 3, "uid": f"u{i}", "n": f"p{i}", "f": False, "t": T0} for i in range(1, 41)],
        )
        db.executemany(
            "INSERT INTO interaction (id, uid, occurred_at, kind, summary, weight, created_at) "
            "VALUES (:id, :uid, :t, 'call', '', 1.0, :t)",
            [{"id": i, "uid": f"i{i}", "t": T0} for i in range(1, 51)],
        )
        db.executemany(
            "INSERT INTO participant (interaction_id, person_id, role) VALUES (:i, :p, NULL)",
            [{"i": i, "p": p * 3} for i in range(1, 51) for p in {1 + i % 40, 1 + (i * 7) % 40}],
        )
    doc = export_all(db)
    assert [p["id"] for p in doc["people"]] == [i * 3 for i in range(1, 41)]
    assert [i["id"] for i in doc["interactions"]] == list(range(1, 51))
    for record in doc["interactions"]:
        ids = sorted({3 * (1 + record["id"] % 40), 3 * (1 + (record["id"] * 7) % 40)})
        assert [p["person_id"] for p in record["participants"]] == ids


# Refusals: nothing is written ---------------------------------------------------------------------------------


def test_non_empty_database_is_refused(filled: Db) -> None:
    before = _counts(filled)
    with pytest.raises(Conflict, match="not empty") as info:
        restore(filled, io.StringIO(_text(filled)))
    assert "--db" in (info.value.hint or "")
    assert _counts(filled) == before


def _minimal() -> dict[str, Any]:
    return {
        "format": "dunbar-export",
        "version": 1,
        "schema": SCHEMA_HEAD,
        "settings": {},
        "tags": [{"id": 1, "name": "vip", "name_fold": "vip"}],
        "people": [
            {
                "id": 1,
                "uid": "u1",
                "display_name": "Ana",
                "name_fold": "ana",
                "is_me": False,
                "created_at": "2026-01-01T00:00:00Z",
                "updated_at": "2026-01-01T00:00:00Z",
                "tags": ["vip"],
                "notes": [{"id": 1, "body": "hello", "created_at": "2026-01-01T00:00:00Z"}],
            }
        ],
        "interactions": [
            {
                "id": 1,
                "uid": "i1",
                "occurred_at": "2026-01-02T10:00:00+02:00",
                "kind": "call",
                "summary": "hi",
                "weight": 1,
                "created_at": "2026-01-02T10:00:00Z",
                "participants": [{"person_id": 1, "role": "to"}],
            }
        ],
    }


def test_a_minimal_hand_written_document_is_restored_and_normalized(db: Db) -> None:
    counts = restore(db, io.StringIO(json.dumps(_minimal())))
    assert counts["person"] == 1
    assert counts["participant"] == 1
    assert counts["note"] == 1
    doc = export_all(db)
    assert doc["interactions"][0]["occurred_at"] == "2026-01-02T08:00:00Z"  # to UTC
    assert doc["interactions"][0]["weight"] == 1.0
    assert doc["people"][0]["given_name"] is None  # absent nullable keys are null
    assert doc["people"][0]["tags"] == ["vip"]
    assert doc["merges"] == []
    assert doc["batches"] == []


def _set(doc: dict[str, Any], path: str, value: Any) -> None:
    """Set ``a.b[0].c`` in a document; ``...=DELETE`` removes the key."""
    import re

    parts: list[Any] = [int(p) if p.isdigit() else p for p in re.findall(r"[^.\[\]]+", path)]
    node: Any = doc
    for part in parts[:-1]:
        node = node[part]
    if value is DELETE:
        del node[parts[-1]]
    else:
        node[parts[-1]] = value


DELETE = object()

BAD_DOCUMENTS = [
    ("format", "vcard", ImportProblem, "not a dunbar export"),
    ("version", 2, ImportProblem, "version 2 is newer"),
    ("version", "1", ImportProblem, '"version" must be a whole number'),
    ("schema", "9999", ImportProblem, "newer dunbar"),
    ("people", DELETE, InvalidInput, "missing key 'people'"),
    ("people", {}, InvalidInput, "people: expected a list, got an object"),
    ("people[0].display_name", DELETE, InvalidInput, "people[0]: missing key 'display_name'"),
    ("people[0].display_name", None, InvalidInput, "people[0].display_name: must not be null"),
    ("people[0].id", "1", InvalidInput, "people[0].id: expected a whole number, got a string"),
    ("people[0].id", 2**40, InvalidInput, "out of range"),
    ("people[0].is_me", 0, InvalidInput, "people[0].is_me: expected true or false"),
    ("people[0].uid", "x" * 33, InvalidInput, "longer than 32 characters"),
    ("people[0].connected_on", "2026-02-30", InvalidInput, "not a date"),
    ("people[0].connected_on", "20260101", InvalidInput, "not a date"),
    ("people[0].created_at", "2026-01-01T00:00:00", InvalidInput, "not a time with a time zone"),
    ("people[0].nickname", "a\x00b", InvalidInput, "NUL"),
    ("people[0].shoe_size", 44, InvalidInput, "people[0].shoe_size: unknown key"),
    ("people[0].tags[0]", "nope", InvalidInput, "people[0].tags[0]: no tag named 'nope'"),
    ("people[0].notes[0].id", "x", InvalidInput, "people[0].notes[0].id: expected a whole number"),
    ("people[0].source_id", 4, InvalidInput, "people[0].source_id: no source with id 4"),
    ("people[0].merged_into_id", 3, InvalidInput, "people[0].merged_into_id: no person with id 3"),
    ("interactions[0].participants[0].person_id", 99, InvalidInput, "no person with id 99"),
    ("interactions[0].weight", "heavy", InvalidInput, "interactions[0].weight: expected a number"),
    ("interactions[0].uid", "u1", None, None),  # the same uid in another table is fine
    ("tags[0].name_fold", 5, InvalidInput, "tags[0].name_fold: expected a string"),
    ("follow_ups", [{"id": 1}], InvalidInput, "follow_ups[0]: missing key 'uid'"),
    ("surprise", [], InvalidInput, "surprise: unknown key"),
]


@pytest.mark.parametrize(("path", "value", "error", "message"), BAD_DOCUMENTS)
def test_malformed_documents_are_refused_with_the_json_path(
    sqlite_db: Db, path: str, value: Any, error: type[Exception] | None, message: str | None
) -> None:
    doc = _minimal()
    _set(doc, path, value)
    source = io.StringIO(json.dumps(doc))
    if error is None:
        restore(sqlite_db, source)
        return
    with pytest.raises(error) as info:
        restore(sqlite_db, source, name="export.json")
    assert message is not None
    assert message in str(info.value)
    assert str(info.value).startswith("export.json")
    assert info.value.hint  # type: ignore[attr-defined]
    assert sum(_counts(sqlite_db).values()) == 0


def test_duplicates_are_refused(db: Db) -> None:
    doc = _minimal()
    doc["people"].append({**doc["people"][0], "uid": "u2", "tags": [], "notes": []})
    with pytest.raises(InvalidInput, match=r"people\[1\]\.id: person id 1 is used twice \(also at people\[0\]\.id\)"):
        restore(db, io.StringIO(json.dumps(doc)))
    doc = _minimal()
    doc["interactions"][0]["participants"].append({"person_id": 1, "role": "cc"})
    with pytest.raises(InvalidInput, match=r"interactions\[0\]\.participants\[1\]"):
        restore(db, io.StringIO(json.dumps(doc)))
    doc = _minimal()
    doc["tags"].append({"id": 2, "name": "VIP", "name_fold": "vip"})
    with pytest.raises(InvalidInput, match=r"tags\[1\]: name_fold 'vip' is used twice"):
        restore(db, io.StringIO(json.dumps(doc)))
    assert sum(_counts(db).values()) == 0


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        ('{\n"format": "dunbar-export",\n"version": 1,\n"people": [\n{"id": 1,', 5, "ends too soon"),
        ('{\n"format": "dunbar-export",\n"version": 1 "schema": "0002"\n}\n', 3, "not valid JSON"),
        ('{"format": "dunbar-export", "weight": NaN}', None, "not a number JSON allows"),
        ("", None, "empty"),
    ],
)
def test_not_json_is_an_import_problem_with_the_line(sqlite_db: Db, text: str, line: int | None, reason: str) -> None:
    with pytest.raises(ImportProblem, match=reason) as info:
        restore(sqlite_db, io.StringIO(text), name="broken.json")
    assert info.value.line == line
    assert str(info.value).startswith("broken.json")


def test_a_failure_while_writing_leaves_nothing(db: Db) -> None:
    """All or nothing: a failure after some tables were written rolls every one of them back."""
    source = io.StringIO(json.dumps(_minimal()))

    def fail_at_interactions(table: str, done: int, total: int) -> None:
        if table == "interaction":
            raise RuntimeError("the disk is full")

    with pytest.raises(RuntimeError):
        restore(db, source, progress=fail_at_interactions)
    assert sum(_counts(db).values()) == 0
    assert db.scalar("SELECT count(*) FROM search_doc") == 0


# Property: any valid document comes back exactly ---------------------------------------------------------------

_text_st = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12)
_times = st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2100, 1, 1)).map(
    lambda dt: format_time(dt.replace(tzinfo=UTC))
)
_whole_seconds = st.datetimes(min_value=datetime(1970, 1, 1), max_value=datetime(2100, 1, 1)).map(
    lambda dt: format_time(dt.replace(microsecond=0, tzinfo=UTC))
)
_dates = st.dates(min_value=date(1, 1, 1)).map(date.isoformat)
_opt = st.none

_SMALL = st.integers(min_value=-(2**31), max_value=2**31 - 1)


@st.composite
def documents(draw: st.DrawFn) -> dict[str, Any]:
    counter = iter(range(1, 10_000))
    tag_ids = sorted(draw(st.sets(st.integers(1, 500), max_size=4)))
    tags = [{"id": t, "name": f"{draw(_text_st)}#{t}", "name_fold": f"tag {t}"} for t in tag_ids]
    people_ids = sorted(draw(st.sets(st.integers(1, 10**6), max_size=5)))
    people = []
    for pid in people_ids:
        person: dict[str, Any] = {
            "id": pid,
            "uid": uuid.UUID(int=pid).hex,
            "display_name": draw(_text_st),
            "name_fold": draw(_text_st),
            "given_name": draw(_opt() | _text_st),
            "family_name": draw(_opt() | _text_st),
            "nickname": draw(_opt() | _text_st),
            "location": draw(_opt() | _text_st),
            "how_met": draw(_opt() | _text_st),
            "circle": draw(_opt() | st.sampled_from(["inner", "close", "dormant"])),
            "cadence_ideal_days": draw(_opt() | _SMALL),
            "cadence_max_days": draw(_opt() | _SMALL),
            "closeness": draw(_opt() | st.integers(0, 100)),
            "connected_on": draw(_opt() | _dates),
            "last_contact_at": draw(_opt() | _times),
            "is_me": draw(st.booleans()),
            "source_id": None,
            "created_at": draw(_times),
            "updated_at": draw(_whole_seconds),
            "deleted_at": draw(_opt() | _times),
            "merged_into_id": draw(_opt() | st.sampled_from(people_ids)),
            "identifiers": [
                {
                    "id": next(counter),
                    "kind": draw(st.sampled_from(["email", "phone", "url"])),
                    "value": draw(_text_st),
                    "norm": draw(_text_st),
                    "label": draw(_opt() | _text_st),
                    "is_primary": draw(st.booleans()),
                    "source_id": None,
                }
                for _ in range(draw(st.integers(0, 2)))
            ],
            "employments": [],
            "important_dates": [
                {
                    "id": next(counter),
                    "kind": "birthday",
                    "label": draw(_opt() | _text_st),
                    "year": draw(_opt() | st.integers(1900, 2100)),
                    "month": draw(st.integers(1, 12)),
                    "day": draw(st.integers(1, 28)),
                    "source_id": None,
                }
                for _ in range(draw(st.integers(0, 1)))
            ],
            "fields": [
                {"id": next(counter), "key": draw(_text_st), "value": draw(_text_st), "source_id": None}
                for _ in range(draw(st.integers(0, 2)))
            ],
            "tags": [t["name"] for t in tags if draw(st.booleans())],
            "notes": [
                {"id": next(counter), "body": draw(_text_st), "created_at": draw(_times), "source_id": None}
                for _ in range(draw(st.integers(0, 2)))
            ],
            "alternates": [],
            "offers_needs": [],
            "agenda": (
                [
                    {
                        "snoozed_until": draw(st.none() | _dates),
                        "skipped_on": None,
                        "last_suggested_on": None,
                        "times_suggested": draw(st.integers(0, 5)),
                    }
                ]
                if draw(st.booleans())
                else []
            ),
        }
        people.append(person)
    interactions = []
    for iid in sorted(draw(st.sets(st.integers(1, 10**9), max_size=5))):
        with_them = sorted(draw(st.sets(st.sampled_from(people_ids), max_size=3))) if people_ids else []
        interactions.append(
            {
                "id": iid,
                "uid": uuid.UUID(int=iid).hex,
                "occurred_at": draw(_times),
                "kind": draw(st.sampled_from(["call", "email", "meeting"])),
                "initiator": draw(_opt() | st.sampled_from(["me", "them"])),
                "summary": draw(_text_st),
                "weight": draw(st.floats(allow_nan=False, allow_infinity=False)) + 0.0,  # no -0.0: stored as 0.0
                "external_id": draw(_opt() | _text_st),
                "thread": draw(_opt() | _text_st),
                "source_id": None,
                "created_at": draw(_times),
                "participants": [
                    {"person_id": p, "role": draw(_opt() | st.sampled_from(["from", "to", "cc"]))} for p in with_them
                ],
            }
        )
    follow_ups = []
    if people_ids:
        for n in range(draw(st.integers(0, 2))):
            follow_ups.append(
                {
                    "id": n + 1,
                    "uid": f"fu{n}",
                    "person_id": draw(st.sampled_from(people_ids)),
                    "interaction_id": draw(_opt() | st.sampled_from([i["id"] for i in interactions] or [None])),
                    "due_on": draw(_dates),
                    "text": draw(_text_st),
                    "status": "open",
                    "done_at": draw(_opt() | _times),
                    "created_at": draw(_times),
                }
            )
    return {
        "format": "dunbar-export",
        "version": 1,
        "schema": SCHEMA_HEAD,
        "settings": dict(
            sorted(draw(st.dictionaries(st.text("abc.", min_size=1, max_size=8), _text_st, max_size=3)).items())
        ),
        "batches": [],
        "sources": [],
        "organizations": [],
        "tags": tags,
        "people": people,
        "interactions": interactions,
        "follow_ups": follow_ups,
        "favours": [],
        "ties": [],
        "targets": [],
        "opportunities": [],
        "merge_candidates": [],
        "merges": [],
    }


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(doc=documents())
def test_any_valid_document_round_trips(sqlite_template: Path, doc: dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "dunbar.db"
        shutil.copy(sqlite_template, path)
        db = open_db(f"sqlite:///{path}")
        try:
            restore(db, io.StringIO(dumps(doc)))
            assert export_all(db) == doc
            assert _text(db) == dumps(doc)
        finally:
            db.close()


# The command line ---------------------------------------------------------------------------------------------


@pytest.fixture
def filled_cli(filled: Db, db_url: str) -> Cli:
    return Cli(db_url)


def test_cli_export_import_export(filled_cli: Cli, other_url: str, tmp_path: Path) -> None:
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    res = filled_cli("export", "--json", str(first))
    assert res.stdout.startswith("Exported ")
    assert "3 people" in res.stdout
    assert str(first) in res.stdout
    into = Cli(other_url)
    res = into("import", str(first))
    assert res.stdout.strip() == (
        f"Restored 2 settings, 2 batches, 2 batch changes, 2 sources, 2 organizations, 2 tags, 3 people, "
        f"3 identifiers, 2 employments, 2 important dates, 1 field, 3 person tags, 1 note, 2 alternates, "
        f"1 offer need, 1 agenda state, 2 interactions, 2 participants, 2 follow-ups, 1 favour, 1 favour party, 1 tie, 1 target, 1 opportunity, 2 opportunity stages, 1 opportunity person, 1 merge candidate, 1 merge from {first}."
    )
    into("export", "--json", str(second))
    assert second.read_bytes() == first.read_bytes()
    assert not list(tmp_path.glob(".*.part"))  # the temporary file was renamed into place


def test_cli_export_to_stdout_and_import_json_counts(filled_cli: Cli, tmp_path: Path) -> None:
    res = filled_cli("export", "--json", "-")
    assert json.loads(res.stdout)["people"][1]["display_name"] == "Łukasz Żółw"
    # A file without the .json suffix is recognised by its content.
    path = tmp_path / "backup.txt"
    path.write_text(res.stdout, encoding="utf-8")
    target = tmp_path / "new.db"
    out = Cli(str(target))("import", str(path), "--json").json()
    assert out["format"] == "json"
    assert out["dry_run"] is False
    assert out["counts"]["person"] == 3
    assert out["counts"]["interaction"] == 2


def test_cli_import_from_stdin(filled_cli: Cli, tmp_path: Path) -> None:
    text = filled_cli("export", "--json", "-").stdout
    res = Cli(str(tmp_path / "new.db"))("import", "-", input=text)
    assert "3 people" in res.stdout


def test_cli_dry_run_writes_nothing(filled_cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "e.json"
    filled_cli("export", "--json", str(path))
    target = tmp_path / "never.db"
    res = Cli(str(target))("import", str(path), "--dry-run")
    assert "Nothing was written" in res.stdout
    assert "3 people" in res.stdout
    assert not target.exists()
    # On the database it came from, a dry run already says it is not empty.
    res = filled_cli("import", str(path), "--dry-run", ok=False)
    assert res.exit_code == 2
    assert "not empty" in res.stderr


def _one_error(res: Any) -> str:
    lines = res.stderr.strip().splitlines()
    assert res.exit_code == 2, res.stderr
    assert lines[0].startswith("dunbar: error: ")
    assert len(lines) <= 2
    assert all(not line.startswith("Traceback") for line in lines)
    return str(res.stderr)


def test_cli_bad_input(filled_cli: Cli, tmp_path: Path) -> None:
    good = tmp_path / "good.json"
    filled_cli("export", "--json", str(good))
    fresh = Cli(str(tmp_path / "fresh.db"))

    truncated = tmp_path / "cut.json"
    truncated.write_text(good.read_text(encoding="utf-8")[:500], encoding="utf-8")
    err = _one_error(fresh("import", str(truncated), ok=False))
    assert f"{truncated}:" in err
    assert "truncated" in err

    wrong = tmp_path / "wrong.json"
    doc = json.loads(good.read_text(encoding="utf-8"))
    doc["interactions"][0]["participants"][0]["person_id"] = 404
    wrong.write_text(json.dumps(doc), encoding="utf-8")
    err = _one_error(fresh("import", str(wrong), ok=False))
    assert "interactions[0].participants[0].person_id: no person with id 404" in err

    notes = tmp_path / "notes.txt"
    notes.write_text("just some notes\n", encoding="utf-8")
    err = _one_error(fresh("import", str(notes), ok=False))
    assert "cannot tell what kind of file this is" in err
    assert "dunbar-json" in err

    err = _one_error(fresh("import", str(tmp_path / "missing.json"), ok=False))
    assert "no such file" in err
    err = _one_error(fresh("import", str(good), "--format", "cuneiform", ok=False))
    assert "unknown format" in err
    err = _one_error(filled_cli("import", str(good), ok=False))
    assert "not empty" in err
    err = _one_error(filled_cli("export", ok=False))
    assert "nothing to export" in err
    err = _one_error(filled_cli("export", "--json", str(tmp_path / "no" / "such" / "dir.json"), ok=False))
    assert "no folder" in err
    # Nothing was restored by any of the failures.
    if (tmp_path / "fresh.db").exists():
        with open_db(f"sqlite:///{tmp_path / 'fresh.db'}") as check:
            assert sum(_counts(check).values()) == 0

"""Undo reads table and column names back from stored records (a merge's ``moved``, an import's ``batch_change``),
and a restored JSON backup can hold anything there: such names never become SQL text unchecked."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from dunbar import merge, people
from dunbar.importers.pipeline import apply_records, undo_batch
from dunbar.importers.records import PersonRecord
from dunbar.people import PersonChanges
from dunbar.store.db import Db

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def test_undoing_a_merge_recreates_rows_from_plain_column_names_only(db: Db) -> None:
    a = people.add_person(db, PersonChanges(name="Ana Lima"), now=NOW)
    b = people.add_person(db, PersonChanges(name="Ana Lima"), now=NOW)
    for pid in (a, b):
        db.execute(
            "INSERT INTO important_date (person_id, kind, month, day) VALUES (:p, 'birthday', 3, 14)", {"p": pid}
        )
    mid = merge.merge_people(db, a, b, now=NOW)
    moved = json.loads(db.scalar("SELECT moved FROM merge WHERE id = :id", {"id": mid}))
    [dropped] = moved["important_date"]["dropped"]
    dropped["label) VALUES (:label); UPDATE person SET display_name = 'Mallory' --"] = "x"
    db.execute("UPDATE merge SET moved = :m WHERE id = :id", {"m": json.dumps(moved), "id": mid})

    merge.undo_merge(db, mid, now=NOW + timedelta(hours=1))

    assert db.rows("SELECT kind, month, day FROM important_date WHERE person_id = :p", {"p": b}) == [
        ("birthday", 3, 14)
    ]
    assert {r[0] for r in db.rows("SELECT display_name FROM person")} == {"Ana Lima"}


def test_undoing_an_import_puts_back_only_what_an_import_fills(db: Db) -> None:
    ana = people.add_person(db, PersonChanges(name="Ana Lima", emails=["ana@example.com"]), now=NOW)
    record = PersonRecord(line=1, display_name="Ana Lima", emails=[("ana@example.com", None)], location="Berlin")
    report = apply_records(db, [record], fmt="t", path=Path("x"), now=NOW)
    assert report.batch_id is not None
    db.execute(
        "INSERT INTO batch_change (batch_id, table_name, row_id, column_name, old_value) "
        "VALUES (:b, 'person', :r, :c, :o)",
        {"b": report.batch_id, "r": ana, "c": "display_name = 'Mallory', location", "o": json.dumps(None)},
    )

    undo_batch(db, report.batch_id, now=NOW)

    person = people.get_person(db, ana)
    assert (person["name"], person["location"]) == ("Ana Lima", None)

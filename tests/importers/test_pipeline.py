"""The import pipeline: identity resolution, batches, re-imports, dry runs, undo, on both backends."""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from dunbar import people
from dunbar.errors import ImportProblem, InvalidInput, NotFound
from dunbar.identity import IdentityIndex
from dunbar.importers.formats import detect, run_import
from dunbar.importers.pipeline import apply_records, undo_batch, write_rejects
from dunbar.importers.records import (
    EmploymentRecord,
    InteractionRecord,
    ParticipantRef,
    PersonRecord,
    Rejected,
)
from tests.conftest import SAMPLES

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)
TODAY = date(2026, 11, 25)
LINKEDIN = SAMPLES / "linkedin"


def counts(db) -> dict[str, int]:  # type: ignore[no-untyped-def]
    return {
        t: db.scalar(f"SELECT count(*) FROM {t}")
        for t in ("person", "identifier", "employment", "interaction", "participant", "note", "search_doc")
    }


def test_identity_rules() -> None:
    idx = IdentityIndex()
    idx.add_person(1, "ana lima")
    idx.add_key(1, ("email", "ana@example.com"))
    idx.add_org(1, "acme")
    idx.add_person(2, "bo chen")
    assert idx.match([("email", "ana@example.com")], "Someone Else").person_id == 1
    assert idx.match([], "Ána Lima", ["ACME"]).person_id == 1  # same name and organization: certain
    uncertain = idx.match([], "Ana Lima", ["Initech"])
    assert uncertain.person_id is None
    assert uncertain.candidates[0].person_id == 1
    similar = idx.match([], "Ana P. Lima", ["Acme"])
    assert similar.person_id is None
    assert [c.person_id for c in similar.candidates] == [1]
    assert idx.match([], "Bob Chen", []).candidates == []  # similar but not enough without an organization
    assert idx.match([], "Zed", []).candidates == []


def person(name: str, line: int, **kw) -> PersonRecord:  # type: ignore[no-untyped-def]
    return PersonRecord(line=line, display_name=name, **kw)


def test_people_merge_on_identifiers_and_counts_add_up(db) -> None:  # type: ignore[no-untyped-def]
    people.set_me(db, name="Jordan Avery", emails=["me@example.org"], now=NOW)
    existing = people.add_person(db, people.PersonChanges(name="Ana Lima", emails=["ana@example.com"]), now=NOW)
    recs = [
        person(
            "Ana Lima",
            2,
            emails=[("ANA@example.com", "work")],
            phones=[("+1 415 555 0100", "mobile")],
            employments=[EmploymentRecord("Acme", "CTO")],
            connected_on=date(2020, 1, 5),
        ),
        person("Bo Chen", 3, emails=[("bo@example.com", None)], employments=[EmploymentRecord("Initech")]),
        person("Bo Chen", 4, emails=[("bo@example.com", None)], employments=[EmploymentRecord("Initech")]),
        person("", 5),
        Rejected(6, "broken quote"),
    ]
    report = apply_records(db, recs, fmt="test", path=Path("contacts.csv"), now=NOW)
    assert (report.read, report.created, report.merged, report.unchanged, report.rejected) == (5, 1, 1, 1, 2)
    ana = people.get_person(db, existing)
    assert [p["number"] for p in ana["phones"]] == ["+14155550100"]
    assert ana["phones"][0]["source"] == "contacts.csv"
    assert ana["connected_on"] == date(2020, 1, 5)
    assert ana["employments"][0]["organization"] == "Acme"
    assert [r["line"] for r in report.rejects] == [5, 6]


def test_interactions_resolve_people_and_directions(db) -> None:  # type: ignore[no-untyped-def]
    people.set_me(db, name="Jordan Avery", emails=["me@example.org"], now=NOW)
    when = datetime(2026, 3, 1, 9, tzinfo=UTC)
    recs = [
        InteractionRecord(
            when,
            "email",
            line=1,
            summary="Intro",
            external_id="<m1@x>",
            sender=ParticipantRef("Jordan Avery", "me@example.org", role="from"),
            participants=[ParticipantRef("Ana Lima", "ana@example.com", role="to")],
        ),
        InteractionRecord(
            when,
            "email",
            line=2,
            summary="Re: Intro",
            external_id="<m2@x>",
            sender=ParticipantRef("Ana Lima", "ana@example.com", role="from"),
            participants=[ParticipantRef(None, "me@example.org", role="to")],
        ),
        InteractionRecord(
            when,
            "email",
            line=3,
            summary="Newsletter",
            external_id="<m3@x>",
            bulk=True,
            sender=ParticipantRef("News", "news@list.example", role="from"),
            participants=[ParticipantRef(None, "me@example.org", role="to")],
        ),
        InteractionRecord(
            when,
            "email",
            line=4,
            summary="Note to self",
            external_id="<m4@x>",
            sender=ParticipantRef(None, "me@example.org", role="from"),
            participants=[ParticipantRef(None, "me@example.org", role="to")],
        ),
        InteractionRecord(
            when,
            "meeting",
            line=5,
            summary="All hands",
            external_id="ev1",
            attendee_count=40,
            participants=[ParticipantRef("Ana Lima", "ana@example.com", role="attendee")],
        ),
    ]
    report = apply_records(db, recs, fmt="mail", path=Path("inbox.mbox"), now=NOW)
    assert (report.created, report.unchanged, report.rejected, report.ignored_bulk) == (3, 1, 1, 1)
    assert report.people_created == 1  # Ana; the newsletter creates nobody
    rows = db.all("SELECT external_id, initiator, weight FROM interaction ORDER BY external_id")
    assert [(r["external_id"], r["initiator"], r["weight"]) for r in rows] == [
        ("<m1@x>", "me", 1.0),
        ("<m2@x>", "them", 1.0),
        ("ev1", None, 0.1),
    ]
    ana = people.resolve(db, "ana@example.com")
    assert people.get_person(db, ana)["last_contact_at"] == when
    again = apply_records(db, recs, fmt="mail", path=Path("inbox.mbox"), now=NOW)
    assert again.created == 0
    assert again.batch_id is None  # nothing changed: no batch recorded


def test_dry_run_writes_nothing(db) -> None:  # type: ignore[no-untyped-def]
    before = counts(db)
    report = apply_records(
        db, [person("Ana", 1, emails=[("a@example.com", None)])], fmt="t", path=Path("x"), now=NOW, dry_run=True
    )
    assert report.created == 1
    assert report.batch_id is None
    assert counts(db) == before
    assert db.scalar("SELECT count(*) FROM batch") == 0


def test_a_failing_parser_leaves_nothing_half_written(db) -> None:  # type: ignore[no-untyped-def]
    def stream():  # type: ignore[no-untyped-def]
        yield person("Ana", 1, emails=[("a@example.com", None)])
        raise ImportProblem("truncated file", path="x.vcf", line=2)

    with pytest.raises(ImportProblem):
        apply_records(db, stream(), fmt="vcard", path=Path("x.vcf"), now=NOW)
    assert db.scalar("SELECT count(*) FROM person") == 0
    assert db.scalar("SELECT count(*) FROM batch") == 0


def test_uncertain_matches_go_to_the_review_queue(db) -> None:  # type: ignore[no-untyped-def]
    people.add_person(db, people.PersonChanges(name="Ana Lima", organization="Acme"), now=NOW)
    report = apply_records(
        db, [person("Ana Lima", 1, employments=[EmploymentRecord("Initech")])], fmt="t", path=Path("x"), now=NOW
    )
    assert report.created == 1
    assert report.review_queued == 1
    row = db.one("SELECT score, evidence, status FROM merge_candidate")
    assert row is not None
    assert row["status"] == "pending"
    assert "same name" in row["evidence"]


def test_linkedin_export_imports_reimports_and_undoes(db, tmp_path) -> None:  # type: ignore[no-untyped-def]
    if not LINKEDIN.exists():
        pytest.skip("shared samples are absent")
    people.set_me(db, name="Jordan Avery", emails=["jordan.avery@example.com"], now=NOW)
    before = counts(db)
    folder = LINKEDIN / "export-2024"
    assert detect(folder) == "linkedin"
    first = run_import(db, folder, now=NOW, today=TODAY)
    assert first.batch_id is not None
    assert first.read == first.created + first.merged + first.unchanged + first.rejected
    assert first.people_created > 100
    again = run_import(db, folder, now=NOW, today=TODAY)
    assert (again.created, again.merged, again.rejected) == (0, 0, 0)
    assert again.unchanged == again.read
    assert again.already_imported == first.batch_id
    zipped = shutil.make_archive(str(tmp_path / "export"), "zip", folder)
    from_zip = run_import(db, Path(zipped), now=NOW, today=TODAY)
    assert from_zip.created == 0
    undone = undo_batch(db, first.batch_id, now=NOW)
    assert undone["people"] == first.people_created
    assert counts(db) == before
    with pytest.raises(InvalidInput):
        undo_batch(db, first.batch_id, now=NOW)
    with pytest.raises(NotFound):
        undo_batch(db, 999, now=NOW)


def test_undo_keeps_what_came_from_elsewhere(db) -> None:  # type: ignore[no-untyped-def]
    ana = people.add_person(db, people.PersonChanges(name="Ana Lima", emails=["ana@example.com"]), now=NOW)
    report = apply_records(
        db,
        [
            person(
                "Ana Lima",
                1,
                emails=[("ana@example.com", None)],
                location="Berlin",
                employments=[EmploymentRecord("Acme")],
            )
        ],
        fmt="t",
        path=Path("x"),
        now=NOW,
    )
    assert report.merged == 1
    assert people.get_person(db, ana)["location"] == "Berlin"
    undo_batch(db, report.batch_id, now=NOW)
    p = people.get_person(db, ana)
    assert p["location"] is None
    assert p["employments"] == []
    assert [e["address"] for e in p["emails"]] == ["ana@example.com"]


def test_rejects_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from dunbar.importers.pipeline import Report

    report = Report(
        format="t",
        path="x.csv",
        batch_id=3,
        rejects=[{"file": "x.csv", "line": 7, "reason": "broken quote", "text": 'a,"b'}],
    )
    out = write_rejects(report, tmp_path)
    assert out is not None
    assert out.read_text().splitlines()[1] == 'x.csv,7,broken quote,"a,""b"'


def test_unknown_files_are_a_clear_problem(tmp_path) -> None:  # type: ignore[no-untyped-def]
    junk = tmp_path / "junk.bin"
    junk.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(ImportProblem, match="cannot tell"):
        detect(junk)
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(ImportProblem, match="empty"):
        detect(empty)
    with pytest.raises(ImportProblem, match="no such"):
        detect(tmp_path / "missing.csv")


def test_same_name_and_organization_but_different_addresses_is_only_a_candidate() -> None:
    idx = IdentityIndex()
    idx.add_person(1, "john smith")
    idx.add_key(1, ("email", "john.smith@ibm.example"))
    idx.add_org(1, "ibm")
    certain = idx.match([], "John Smith", ["IBM"])
    assert certain.person_id == 1
    two = idx.match([("email", "jsmith2@ibm.example")], "John Smith", ["IBM"])
    assert two.person_id is None
    assert two.candidates[0].person_id == 1
    assert "different e-mail" in two.candidates[0].evidence[0]


def test_a_batch_bounds_the_sqlite_page_cache_and_puts_it_back(db, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    if db.dialect != "sqlite":
        pytest.skip("a SQLite setting")
    from dunbar.importers import pipeline

    before = db.scalar("PRAGMA cache_size")
    seen = []
    real_flush = pipeline.Writer.flush

    def flush(self, plan) -> None:  # type: ignore[no-untyped-def]
        seen.append(db.scalar("PRAGMA cache_size"))
        real_flush(self, plan)

    monkeypatch.setattr(pipeline.Writer, "flush", flush)
    report = apply_records(db, [person("Ana Lima", 1)], fmt="vcard", path=Path("x.vcf"), now=NOW)
    assert report.created == 1
    assert seen == [-pipeline.IMPORT_CACHE_KIB]
    assert db.scalar("PRAGMA cache_size") == before

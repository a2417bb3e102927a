"""Strength on both backends: running totals kept in step by every writer, the service, and the CLI."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from dunbar import interactions, people, stats
from dunbar import strength as service
from dunbar.errors import InvalidInput, NotFound
from dunbar.importers.pipeline import apply_records, undo_batch
from dunbar.importers.records import InteractionRecord, ParticipantRef
from dunbar.merge import merge_people, undo_merge
from dunbar.people import PersonChanges
from dunbar.scoring import StrengthParams
from dunbar.store import Db

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)


def _add(db: Db, name: str, email: str, **kw: object) -> int:
    return people.add_person(db, PersonChanges(name=name, emails=[email], **kw), now=NOW)  # type: ignore[arg-type]


def _same_as_recompute(db: Db) -> None:
    """The incrementally kept totals equal a rebuild from the history (sums within 1e-9 relative)."""
    kept = stats.load(db)
    stats.recompute(db)
    fresh = stats.load(db)
    assert set(kept) == set(fresh)
    for pid, a in kept.items():
        b = fresh[pid]
        assert (a.n_total, a.n_me, a.n_them, a.kinds_mask, a.first_at, a.last_at) == (
            b.n_total,
            b.n_me,
            b.n_them,
            b.kinds_mask,
            b.first_at,
            b.last_at,
        ), pid
        assert a.weight_total == pytest.approx(b.weight_total, rel=1e-9)
        assert a.decay_sum == pytest.approx(b.decay_sum, rel=1e-9)
        assert a.half_life_days == b.half_life_days


def _mail(ext: str, when: datetime, *, sender: ParticipantRef, to: list[ParticipantRef]) -> InteractionRecord:
    return InteractionRecord(when, "email", summary=f"mail {ext}", external_id=ext, sender=sender, participants=to)


def test_running_totals_stay_exact_through_log_import_delete_merge_and_undo(db: Db) -> None:
    people.set_me(db, name="Jordan Avery", emails=["jordan@example.org"], now=NOW)
    me = ParticipantRef("Jordan Avery", "jordan@example.org", role="from")
    ana = _add(db, "Ana Lima", "ana@example.com")
    bo = _add(db, "Bo Chen", "bo@example.com")
    bo2 = _add(db, "Bo Chen (work)", "bo.chen@work.example")
    ids = [
        interactions.log_interaction(
            db,
            summary=f"coffee {k}",
            people=[ana, bo] if k % 3 == 0 else [ana],
            kind=("meeting", "call", "message")[k % 3],
            occurred_at=NOW - timedelta(days=5 * k, hours=k),
            initiator=("me", "them", None)[k % 3],
            weight=(1.0, 0.3, 0.1)[k % 3],
            now=NOW,
        )
        for k in range(12)
    ]
    _same_as_recompute(db)

    ana_ref = ParticipantRef("Ana Lima", "ana@example.com", role="to")
    recs = [
        _mail("<a1@x>", NOW - timedelta(days=30), sender=me, to=[ana_ref]),
        _mail("<a2@x>", NOW - timedelta(days=29), sender=ParticipantRef("Ana Lima", "ana@example.com"), to=[]),
        _mail("<c1@x>", NOW - timedelta(days=400), sender=me, to=[ParticipantRef("Cy Dee", "cy@example.com")]),
        _mail("<b1@x>", NOW - timedelta(days=3), sender=me, to=[ParticipantRef("Bo Chen", "bo.chen@work.example")]),
    ]
    report = apply_records(db, recs, fmt="mail", path=Path("inbox.mbox"), now=NOW)
    assert report.interactions_created == 4
    _same_as_recompute(db)
    cy = people.resolve(db, "cy@example.com")
    assert stats.load(db, [cy])[cy].n_me == 1

    interactions.delete_interaction(db, ids[0])
    interactions.delete_interaction(db, ids[3])
    _same_as_recompute(db)

    merge_id = merge_people(db, bo, bo2, now=NOW)
    _same_as_recompute(db)
    assert stats.load(db, [bo])[bo].n_total == 3  # k = 6 and 9 (0 and 3 were deleted), and the work mail
    undo_merge(db, merge_id, now=NOW)
    _same_as_recompute(db)

    assert report.batch_id is not None
    undo_batch(db, report.batch_id, now=NOW)
    _same_as_recompute(db)
    assert cy not in stats.load(db)

    interactions.log_interaction(
        db, summary="dinner", people=[ana], kind="meeting", occurred_at=NOW, initiator="them", now=NOW
    )
    _same_as_recompute(db)


def test_me_and_bulk_mail_leave_no_totals(db: Db) -> None:
    me_id = people.set_me(db, name="Jordan Avery", emails=["jordan@example.org"], now=NOW)
    assert stats.apply(db, [(me_id, NOW, 1.0, "me", "email")]) == 0
    assert stats.load(db) == {}


def test_a_large_meeting_weighs_little(db: Db) -> None:
    recs = [
        InteractionRecord(
            NOW - timedelta(days=1),
            "meeting",
            summary="All hands",
            external_id="ev1",
            attendee_count=40,
            participants=[ParticipantRef("Ana Lima", "ana@example.com", role="attendee")],
        ),
        InteractionRecord(
            NOW - timedelta(days=1),
            "meeting",
            summary="One to one",
            external_id="ev2",
            attendee_count=2,
            participants=[ParticipantRef("Bo Chen", "bo@example.com", role="attendee")],
        ),
    ]
    apply_records(db, recs, fmt="ics", path=Path("cal.ics"), now=NOW)
    ana, bo = people.resolve(db, "ana@example.com"), people.resolve(db, "bo@example.com")
    got = stats.load(db)
    assert got[ana].weight_total == pytest.approx(0.1)
    assert got[bo].weight_total == pytest.approx(1.0)
    scores = service.scores(db, now=NOW)
    assert scores[bo] > scores[ana]


def test_scores_explain_history_and_circles(db: Db) -> None:
    ana = _add(db, "Ana Lima", "ana@example.com", closeness=80, connected_on=date(2019, 5, 1))
    bo = _add(db, "Bo Chen", "bo@example.com")
    quiet = _add(db, "Cy Dee", "cy@example.com")
    for k in range(20):
        interactions.log_interaction(
            db,
            summary="call",
            people=[ana],
            kind="call" if k % 2 else "email",
            occurred_at=NOW - timedelta(days=9 * k),
            initiator="them" if k % 2 else "me",
            now=NOW,
        )
    interactions.log_interaction(
        db, summary="hello", people=[bo], kind="email", occurred_at=NOW - timedelta(days=200), now=NOW
    )
    scores = service.scores(db, now=NOW)
    assert set(scores) == {ana, bo, quiet}
    assert scores[ana] > scores[bo] > scores[quiet] == 0
    assert service.scores(db, now=NOW, person_ids=[bo]) == {bo: scores[bo]}
    later = service.scores(db, now=NOW + timedelta(days=60))
    assert later[ana] < scores[ana]

    why = service.explain(db, ana, now=NOW)
    assert why["score"] == scores[ana]
    assert [c["name"] for c in why["components"]] == [
        "intensity",
        "recency",
        "reciprocity",
        "duration",
        "multiplexity",
        "closeness",
    ]
    by = {c["name"]: c for c in why["components"]}
    assert by["recency"]["sentence"] == "last contact today"
    assert by["reciprocity"]["sentence"] == "they started 10 of 20"
    assert "since 2019-05-01" in by["duration"]["sentence"]
    assert by["closeness"]["sentence"] == "you rated them 80/100"
    assert why["suggested_circle"] in ("inner", "close", "active")
    assert why["interactions"] == 20

    series = service.history(db, ana, now=NOW, days=365, step=7)
    assert series[-1] == {"date": NOW.date(), "score": scores[ana]}
    assert series[0]["date"] == NOW.date() - timedelta(days=365)
    assert all(0 <= p["score"] <= 100 for p in series)

    suggestions = service.suggest_circles(db, now=NOW)
    assert [s["person_id"] for s in suggestions] == [ana, bo]  # Cy has no history, closeness or circle
    changes = {s["person_id"]: s["suggested"] for s in suggestions if s["changed"]}
    assert service.apply_circles(db, changes, now=NOW) == 2
    assert all(not s["changed"] for s in service.suggest_circles(db, now=NOW))
    with pytest.raises(InvalidInput, match="unknown circle"):
        service.apply_circles(db, {ana: "bestie"}, now=NOW)
    with pytest.raises(NotFound):
        service.explain(db, 99999, now=NOW)


def test_a_new_half_life_rebuilds_the_totals(db: Db) -> None:
    ana = _add(db, "Ana Lima", "ana@example.com")
    interactions.log_interaction(
        db, summary="call", people=[ana], kind="call", occurred_at=NOW - timedelta(days=60), now=NOW
    )
    before = service.explain(db, ana, now=NOW)["components"][0]["value"]
    stats.save_params(db, StrengthParams(half_life_days=30))
    assert service.load_params(db).half_life_days == 30
    assert stats.load(db)[ana].half_life_days == 30
    assert stats.load(db)[ana].intensity(NOW) == pytest.approx(0.25)
    assert service.explain(db, ana, now=NOW)["components"][0]["value"] < before
    _same_as_recompute(db)


def test_a_broken_setting_is_reported(db: Db) -> None:
    db.execute("INSERT INTO setting (key, value) VALUES ('strength', :v)", {"v": '{"half_life_days": 2}'})
    with pytest.raises(InvalidInput, match="out of range"):
        service.scores(db, now=NOW)
    db.execute("UPDATE setting SET value = 'nope' WHERE key = 'strength'")
    with pytest.raises(InvalidInput, match="not valid JSON"):
        service.scores(db, now=NOW)


def test_restore_rebuilds_the_totals(db: Db, tmp_path: Path) -> None:
    from dunbar.exporters.json_export import export_all
    from dunbar.importers.json_restore import restore
    from dunbar.store import open_db

    ana = _add(db, "Ana Lima", "ana@example.com")
    interactions.log_interaction(db, summary="call", people=[ana], kind="call", occurred_at=NOW, now=NOW)
    doc = export_all(db)
    target = open_db(f"sqlite:///{tmp_path / 'restored.db'}", create=True)
    try:
        restore(target, __import__("io").StringIO(json.dumps(doc, default=str)))
        got = stats.load(target)
        assert got[ana].n_total == 1
        assert got[ana].decay_sum == pytest.approx(stats.load(db)[ana].decay_sum, rel=1e-12)
    finally:
        target.close()


def test_cli_strength_and_circles(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cli("add", "Ana Lima", "--email", "ana@example.com")
    for day in ("2026-11-20", "2026-10-01", "2026-09-01"):
        cli("log", "coffee", "--with", "Ana Lima", "--on", day, "--kind", "call")
    out = cli("strength", "Ana Lima", "--explain", "--history").stdout
    assert "Ana Lima: strength" in out
    assert "last contact 5 days ago" in out
    assert "intensity" in out
    assert "total" in out
    assert any(ch in out for ch in "▁▂▃▄▅▆▇█")
    png = tmp_path / "ana.png"
    data = cli("strength", "Ana Lima", "--plot", str(png), "--json").json()
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert 0 < data["score"] <= 100
    assert data["history"][-1]["score"] == data["score"]
    assert {c["name"] for c in data["components"]} >= {"intensity", "recency", "reciprocity"}

    out = cli("circles", "--suggest").stdout
    assert "Ana Lima" in out
    assert "dunbar circles --suggest --apply" in out
    applied = cli("circles", "--suggest", "--apply", "--json").json()
    assert applied["applied"] == 1
    assert cli("circles", "--suggest", "--json").json()["changes"] == 0
    bad = cli("strength", "Nobody Here", ok=False)
    assert bad.exit_code == 2
    bad = cli("strength", "Ana Lima", "--plot", str(tmp_path / "missing" / "x.png"), ok=False)
    assert bad.exit_code == 2
    assert "cannot write" in bad.stderr + bad.stdout

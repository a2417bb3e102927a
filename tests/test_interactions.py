"""Interactions: logging, timelines, last contact; ``dunbar log`` and ``dunbar timeline`` on both backends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from dunbar import interactions, search
from dunbar.errors import InvalidInput, NotFound
from dunbar.store import Db, open_db
from dunbar.store.db import to_datetime
from dunbar.text import fold

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def add(db: Db, name: str, *, email: str | None = None, me: bool = False) -> int:
    """A person written straight into the store (this module tests interactions, not people.py)."""
    with db.transaction():
        pid = db.insert(
            "INSERT INTO person (uid, display_name, name_fold, is_me, created_at, updated_at) "
            "VALUES (:uid, :name, :fold, :me, :now, :now) RETURNING id",
            {"uid": fold(name).replace(" ", "-"), "name": name, "fold": fold(name), "me": me, "now": NOW},
        )
        if email:
            db.execute(
                "INSERT INTO identifier (person_id, kind, value, norm, is_primary) VALUES (:p, 'email', :v, :n, :t)",
                {"p": pid, "v": email, "n": email.lower(), "t": True},
            )
        search.index_people(db, [pid])
    return pid


def last_contact(db: Db, pid: int) -> datetime | None:
    return to_datetime(db.scalar("SELECT last_contact_at FROM person WHERE id = :id", {"id": pid}))


def log(db: Db, people: list[int], days_ago: float, summary: str = "coffee", **kw: object) -> int:
    return interactions.log_interaction(
        db,
        summary=summary,
        people=people,
        occurred_at=NOW - timedelta(days=days_ago),
        now=NOW,
        **kw,  # type: ignore[arg-type]
    )


# The service ------------------------------------------------------------------------------------------------


def test_the_vocabulary_agrees_with_the_model_and_needs_no_sqlalchemy() -> None:
    import subprocess
    import sys

    from dunbar import model

    assert interactions.INTERACTION_KINDS == model.INTERACTION_KINDS
    assert interactions.INITIATORS == model.INITIATORS
    # The hot commands cannot afford SQLAlchemy's import time.
    code = "import sys, dunbar.interactions, dunbar.cli.interactions, dunbar.cli.search; print('sqlalchemy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_log_with_several_people_stores_participants_and_last_contact(db: Db) -> None:
    me, ana, bo = add(db, "Jordan Avery", me=True), add(db, "Ana Lima"), add(db, "Bo Chen")
    iid = log(db, [ana, bo, me, ana], 2, "Lunch about the Lisbon office", kind="meeting", initiator="them")
    got = interactions.get_interaction(db, iid)
    assert got["kind"] == "meeting"
    assert got["initiator"] == "them"
    assert got["summary"] == "Lunch about the Lisbon office"
    assert got["occurred_at"] == NOW - timedelta(days=2)
    assert got["created_at"] == NOW
    assert len(got["uid"]) == 32
    assert [p["name"] for p in got["with"]] == ["Ana Lima", "Bo Chen"]
    # Me is never a participant; duplicates collapse.
    rows = db.rows("SELECT person_id, role FROM participant WHERE interaction_id = :i ORDER BY person_id", {"i": iid})
    assert rows == [(ana, "with"), (bo, "with")]
    assert last_contact(db, ana) == NOW - timedelta(days=2)
    assert last_contact(db, me) is None


def test_last_contact_only_moves_forward_and_follows_deletes(db: Db) -> None:
    ana, bo = add(db, "Ana Lima"), add(db, "Bo Chen")
    newer = log(db, [ana], 1)
    log(db, [ana, bo], 10)  # logged later, happened earlier: must not move Ana's last contact back
    assert last_contact(db, ana) == NOW - timedelta(days=1)
    assert last_contact(db, bo) == NOW - timedelta(days=10)
    interactions.delete_interaction(db, newer)
    assert last_contact(db, ana) == NOW - timedelta(days=10)
    only = interactions.timeline(db, bo)[0]["id"]
    interactions.delete_interaction(db, only)
    assert last_contact(db, ana) is None
    assert last_contact(db, bo) is None
    assert db.scalar("SELECT count(*) FROM participant") == 0
    with pytest.raises(NotFound):
        interactions.delete_interaction(db, only)


def test_recompute_last_contact_repairs_a_stale_cache(db: Db) -> None:
    ana = add(db, "Ana Lima")
    log(db, [ana], 3)
    db.execute("UPDATE person SET last_contact_at = NULL")
    interactions.recompute_last_contact(db, [ana])
    assert last_contact(db, ana) == NOW - timedelta(days=3)


@pytest.mark.parametrize(
    ("change", "message", "hint"),
    [
        ({"kind": "lunch"}, "unknown interaction kind 'lunch'", "meeting, call, video, email, message, event, note"),
        ({"initiator": "someone"}, "unknown initiator", "'me', 'them'"),
        ({"people": []}, "at least one person", "--with"),
        ({"summary": "   "}, "summary is empty", "what happened"),
        ({"occurred_at": NOW + timedelta(days=3)}, "2026-11-28 is in the future", "follow-up"),
        ({"weight": -1.0}, "bad weight", "0 or more"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(
    db: Db, change: dict[str, object], message: str, hint: str
) -> None:
    ana = add(db, "Ana Lima")
    args: dict[str, object] = {"summary": "coffee", "people": [ana], "occurred_at": NOW, "now": NOW, **change}
    with pytest.raises(InvalidInput, match=message) as info:
        interactions.log_interaction(db, **args)  # type: ignore[arg-type]
    assert hint in (info.value.hint or "")
    assert db.scalar("SELECT count(*) FROM interaction") == 0
    assert db.scalar("SELECT count(*) FROM search_doc WHERE kind = 'interaction'") == 0


def test_later_today_is_allowed_but_unknown_and_trashed_people_are_not(db: Db) -> None:
    me, ana, gone = add(db, "Jordan Avery", me=True), add(db, "Ana Lima"), add(db, "Cy Trashed")
    log(db, [ana], -0.5)  # tonight's dinner, logged at noon
    db.execute("UPDATE person SET deleted_at = :t WHERE id = :id", {"t": NOW, "id": gone})
    with pytest.raises(NotFound, match="no person #999"):
        log(db, [ana, 999], 1)
    with pytest.raises(InvalidInput, match="in the trash"):
        log(db, [gone], 1)
    with pytest.raises(InvalidInput, match="besides you"):
        log(db, [me], 1)
    assert db.scalar("SELECT count(*) FROM interaction") == 1


def test_timeline_is_newest_first_with_the_other_participants(db: Db) -> None:
    me, ana, bo, cy = add(db, "Jordan Avery", me=True), add(db, "Ana Lima"), add(db, "Bo Chen"), add(db, "Cy Diaz")
    a = log(db, [ana], 30, "old call", kind="call")
    b = log(db, [ana, bo, cy], 5, "team dinner", kind="event", initiator=None)
    c = log(db, [ana], 1, "quick message", kind="message")
    log(db, [bo], 2, "not Ana's")
    items = interactions.timeline(db, ana)
    assert [i["id"] for i in items] == [c, b, a]
    assert items[1] == {
        "id": b,
        "uid": items[1]["uid"],
        "occurred_at": NOW - timedelta(days=5),
        "kind": "event",
        "initiator": None,
        "summary": "team dinner",
        "weight": 1.0,
        "with": [{"id": bo, "name": "Bo Chen"}, {"id": cy, "name": "Cy Diaz"}],
    }
    assert items[0]["with"] == []
    assert [i["id"] for i in interactions.timeline(db, ana, limit=2)] == [c, b]
    assert [i["id"] for i in interactions.timeline(db, ana, before=items[1]["occurred_at"])] == [a]
    assert [i["id"] for i in interactions.recent(db, ana, limit=1)] == [c]
    # My own timeline is everything, with everyone.
    mine = interactions.timeline(db, me)
    assert len(mine) == 4
    assert [p["name"] for p in mine[2]["with"]] == ["Ana Lima", "Bo Chen", "Cy Diaz"]
    with pytest.raises(NotFound):
        interactions.timeline(db, 12345)


def test_timeline_reads_one_page_and_one_participant_query(sqlite_db: Db) -> None:
    ana, bo = add(sqlite_db, "Ana Lima"), add(sqlite_db, "Bo Chen")
    for day in range(60):
        log(sqlite_db, [ana, bo], day + 1)
    statements: list[str] = []
    sqlite_db.conn.set_trace_callback(statements.append)  # type: ignore[attr-defined]
    items = interactions.timeline(sqlite_db, ana, limit=50)
    sqlite_db.conn.set_trace_callback(None)  # type: ignore[attr-defined]
    assert len(items) == 50
    assert all(i["with"] == [{"id": bo, "name": "Bo Chen"}] for i in items)
    assert len(statements) == 3  # who the person is, the page, its participants


def test_the_timeline_query_uses_the_participant_index(sqlite_db: Db) -> None:
    plan = " ".join(
        str(r[-1])
        for r in sqlite_db.rows(
            "EXPLAIN QUERY PLAN SELECT i.id FROM participant pa JOIN interaction i ON i.id = pa.interaction_id "
            "WHERE pa.person_id = 1 ORDER BY i.occurred_at DESC, i.id DESC LIMIT 50"
        )
    )
    assert "ix_participant_person" in plan


def test_logged_summaries_are_searchable_and_deletes_unindex(db: Db) -> None:
    ana = add(db, "Ana Lima")
    iid = log(db, [ana], 1, "Talked about the Zürich relocation")
    hits = search.search(db, "zurich")
    assert [(h.kind, h.ref_id) for h in hits] == [("interaction", iid)]
    assert hits[0].people == [{"id": ana, "name": "Ana Lima"}]
    interactions.delete_interaction(db, iid)
    assert search.search(db, "zurich") == []


# The CLI ------------------------------------------------------------------------------------------------------


@pytest.fixture
def crew(cli) -> dict[str, int]:  # type: ignore[no-untyped-def]
    handle = open_db(cli.url)
    try:
        return {
            "ana": add(handle, "Ana Lima", email="ana@lima.example"),
            "bo": add(handle, "Bo Chen"),
            "cy": add(handle, "Cy Diaz"),
        }
    finally:
        handle.close()


def counts(cli) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    handle = open_db(cli.url)
    try:
        return handle.scalar("SELECT count(*) FROM interaction"), handle.scalar("SELECT count(*) FROM participant")
    finally:
        handle.close()


def test_cli_log_with_several_people(cli, crew) -> None:  # type: ignore[no-untyped-def]
    res = cli("log", "Lunch at the harbour", "--with", "Ana Lima", "--with", "bo", "--on", "2026-11-20")
    assert res.stdout.strip() == "Logged meeting with Ana Lima, Bo Chen on 2026-11-20."
    data = cli("timeline", "ana@lima.example", "--json").json()
    item = data["interactions"][0]
    assert item["initiator"] == "me"
    assert item["with"] == [{"id": crew["bo"], "name": "Bo Chen"}]


def test_cli_log_they_started_kind_time_and_json(cli, crew) -> None:  # type: ignore[no-untyped-def]
    data = cli(
        "log", "They asked about [bold]roles[/bold]", "-w", f"#{crew['cy']}", "--kind", "call",
        "--on", "yesterday", "--at", "09:30", "--they-started", "--json",
    ).json()  # fmt: skip
    assert data["kind"] == "call"
    assert data["initiator"] == "them"
    assert data["summary"] == "They asked about [bold]roles[/bold]"
    assert data["with"] == [{"id": crew["cy"], "name": "Cy Diaz"}]
    local = datetime.fromisoformat(data["occurred_at"].replace("Z", "+00:00")).astimezone()
    assert (local.date().isoformat(), local.strftime("%H:%M")) == ("2026-11-24", "09:30")
    assert set(data) >= {"id", "uid", "occurred_at", "kind", "initiator", "summary", "weight", "with", "created_at"}
    # Contact data is never markup: the table shows the brackets as typed.
    table = cli("timeline", "Cy Diaz").stdout
    assert "[bold]roles[/bold]" in table
    assert "them" in table
    assert "yesterday" in table


def test_cli_log_defaults_to_now_and_accepts_relative_dates(cli, crew) -> None:  # type: ignore[no-untyped-def]
    assert "on 2026-11-25." in cli("log", "Quick hello", "--with", "Ana").stdout
    assert "on 2026-11-22." in cli("log", "Coffee", "--with", "Ana", "--on", "3d ago").stdout
    assert "on 2026-11-21." in cli("log", "Walk", "--with", "Ana", "--on", "2026-11-21T08:15").stdout
    items = cli("timeline", "Ana", "--json").json()["interactions"]
    assert [i["summary"] for i in items] == ["Quick hello", "Coffee", "Walk"]


@pytest.mark.parametrize(
    ("args", "message", "hint"),
    [
        (["--kind", "lunch"], "unknown interaction kind 'lunch'", "use one of: meeting, call"),
        (["--on", "next tuesday"], "not a date", "YYYY-MM-DD"),
        (["--on", "2026-12-24"], "is in the future", "follow-up"),
        (["--at", "25:99"], "not a time", "HH:MM"),
        (["--with", "Nobody Known"], "nobody called 'Nobody Known'", "hint:"),
    ],
)
def test_cli_log_bad_input_is_one_line_with_a_hint_and_writes_nothing(  # type: ignore[no-untyped-def]
    cli, crew, args: list[str], message: str, hint: str
) -> None:
    res = cli("log", "Coffee", "--with", "Ana", *args, ok=False)
    assert res.exit_code == 2
    lines = res.stderr.strip().splitlines()
    assert lines[0].startswith("dunbar: error: ")
    assert message in lines[0]
    assert lines[1].startswith("hint: ")
    assert hint in res.stderr
    assert "Traceback" not in res.stderr
    assert counts(cli) == (0, 0)


def test_cli_timeline_order_limit_and_json_shape(cli, crew) -> None:  # type: ignore[no-untyped-def]
    for day, text in [("2026-11-01", "first"), ("2026-11-10", "second"), ("2026-11-20", "third")]:
        cli("log", text, "--with", "Ana", "--with", "Bo", "--on", day)
    data = cli("timeline", "Ana", "--json", "--limit", "2").json()
    assert data["person"] == {"id": crew["ana"], "name": "Ana Lima"}
    assert [i["summary"] for i in data["interactions"]] == ["third", "second"]
    first = data["interactions"][0]
    assert set(first) == {"id", "uid", "occurred_at", "kind", "initiator", "summary", "weight", "with"}
    assert first["occurred_at"].endswith("Z")
    assert first["with"] == [{"id": crew["bo"], "name": "Bo Chen"}]
    text = cli("timeline", "Ana").stdout
    assert text.index("third") < text.index("second") < text.index("first")
    assert "Bo Chen" in text


def test_cli_timeline_empty_and_unknown(cli, crew) -> None:  # type: ignore[no-untyped-def]
    assert "No interactions with Cy Diaz yet" in cli("timeline", "Cy").stdout
    res = cli("timeline", "Zed Nobody", ok=False)
    assert res.exit_code == 2
    assert "nobody called" in res.stderr

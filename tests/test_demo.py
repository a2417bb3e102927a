"""The demo network: consistent, deterministic, searchable, on both backends; and the `dunbar demo` command."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dunbar import normalize, search
from dunbar.cli.app import app
from dunbar.demo import generate
from dunbar.store import Db, open_db
from dunbar.store.db import to_datetime
from dunbar.text import fold

from .conftest import Cli

TODAY = date(2026, 11, 25)


def _make(db: Db, seed: int = 3) -> dict[str, int]:
    return generate(db, people=150, interactions=2000, seed=seed, today=TODAY)


def test_generated_network_is_consistent(db: Db) -> None:
    stages: list[str] = []
    counts = generate(db, people=150, interactions=2000, seed=3, today=TODAY, progress=lambda s, d, t: stages.append(s))
    assert {"people", "interactions"} <= set(stages)
    assert counts["people"] == 150
    assert counts["interactions"] == 2000
    assert db.scalar("SELECT COUNT(*) FROM person WHERE is_me = :f", {"f": False}) == 150
    assert db.scalar("SELECT COUNT(*) FROM interaction") == 2000
    assert db.scalar("SELECT COUNT(*) FROM participant") == counts["participants"] >= 2000
    assert db.scalar("SELECT COUNT(*) FROM organization") == counts["organizations"] > 10
    assert db.scalar("SELECT COUNT(*) FROM employment") == counts["employments"] >= 150

    me = db.one("SELECT id, display_name FROM person WHERE is_me = :t", {"t": True})
    assert me is not None
    assert json.loads(db.scalar("SELECT value FROM setting WHERE key = 'me'")) == {"person_id": me["id"]}

    # Dunbar's layers, scaled down: each inner layer no bigger than the next.
    circles = Counter(r[0] for r in db.rows("SELECT circle FROM person WHERE is_me = :f", {"f": False}))
    layers = [circles[c] for c in ("inner", "close", "active", "network", "acquaintance")]
    assert layers[0] >= 1
    assert layers == sorted(layers)
    assert circles["dormant"] > 0
    assert circles[None] > 0
    assert sum(circles.values()) == 150

    # Every interaction names someone; last contact is the latest interaction that names the person.
    assert (
        db.scalar(
            "SELECT COUNT(*) FROM interaction i WHERE NOT EXISTS "
            "(SELECT 1 FROM participant pa WHERE pa.interaction_id = i.id)"
        )
        == 0
    )
    latest = {
        pid: to_datetime(at)
        for pid, at in db.rows(
            "SELECT pa.person_id, MAX(i.occurred_at) FROM participant pa "
            "JOIN interaction i ON i.id = pa.interaction_id GROUP BY pa.person_id"
        )
    }
    stored = {pid: to_datetime(at) for pid, at in db.rows("SELECT id, last_contact_at FROM person")}
    assert {pid: at for pid, at in stored.items() if at is not None} == latest
    assert any(at is None for pid, at in stored.items() if pid != me["id"])  # connected, never talked since
    assert all(at.date() < TODAY for at in latest.values())

    kinds = {r[0] for r in db.rows("SELECT DISTINCT kind FROM interaction")}
    assert kinds == {"meeting", "call", "video", "email", "message", "event"}
    assert {r[0] for r in db.rows("SELECT DISTINCT initiator FROM interaction")} == {"me", "them"}
    assert db.scalar("SELECT COUNT(*) FROM interaction WHERE weight < 1") > 0  # group interactions

    # Identifiers are stored in their canonical forms.
    for kind, value, norm in db.rows("SELECT kind, value, norm FROM identifier"):
        if kind == "email":
            assert normalize.email(value) == norm
        elif kind == "phone":
            assert normalize.phone(value) == norm, value
        elif kind == "linkedin":
            assert normalize.linkedin(value) == norm

    # Search: a name with accents, found by its folded spelling; and the summaries.
    accented = [
        (pid, name)
        for pid, name in db.rows("SELECT id, display_name FROM person WHERE is_me = :f ORDER BY id", {"f": False})
        if not name.isascii()
    ]
    assert accented
    pid, name = accented[0]
    hits = search.search(db, fold(name), limit=50)
    assert (search.PERSON, pid) in {(h.kind, h.ref_id) for h in hits}
    assert any(h.kind == search.INTERACTION for h in search.search(db, "berlin", limit=50))
    assert db.scalar("SELECT COUNT(*) FROM search_doc") == counts["search_docs"] == 151 + counts["notes"] + 2000

    # Ids were given explicitly; the backend still hands out new ones that do not collide.
    new_id = db.insert(
        "INSERT INTO organization (name, name_fold, created_at) VALUES ('Fresh Co', 'fresh co', :now) RETURNING id",
        {"now": to_datetime("2026-11-25 10:00:00")},
    )
    assert new_id > counts["organizations"]


def test_sqlite_load_leaves_schema_and_settings_as_they_were(sqlite_db: Db) -> None:
    # sqlite_stat* are the query planner's statistics, which a bulk load refreshes on purpose.
    shape = "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_stat%'"
    schema = sorted(sqlite_db.rows(shape))
    _make(sqlite_db)
    assert sorted(sqlite_db.rows(shape)) == schema
    assert sqlite_db.scalar("PRAGMA journal_mode") == "wal"
    assert sqlite_db.scalar("PRAGMA foreign_keys") == 1
    assert sqlite_db.rows("PRAGMA foreign_key_check") == []
    sqlite_db.execute("INSERT INTO search_fts(search_fts) VALUES ('integrity-check')")
    # The search trigger is back: a new document is searchable at once.
    doc = sqlite_db.insert(
        "INSERT INTO search_doc (kind, ref_id, body) VALUES ('note', 99999, 'zanzibar') RETURNING id"
    )
    assert sqlite_db.rows("SELECT rowid FROM search_fts WHERE search_fts MATCH 'zanzibar'") == [(doc,)]


def test_refuses_a_database_with_people(sqlite_db: Db) -> None:
    from dunbar.errors import Conflict

    _make(sqlite_db)
    with pytest.raises(Conflict):
        _make(sqlite_db)


def _fingerprint(db: Db) -> list[tuple[object, ...]]:
    return [
        *db.rows("SELECT uid, display_name, circle, location, connected_on, last_contact_at FROM person ORDER BY id"),
        *db.rows("SELECT uid, occurred_at, kind, initiator, summary FROM interaction ORDER BY id"),
        *db.rows("SELECT interaction_id, person_id FROM participant ORDER BY 1, 2"),
        *db.rows("SELECT person_id, body FROM note ORDER BY id"),
    ]


def test_same_seed_same_network(sqlite_template: Path, tmp_path: Path) -> None:
    prints = []
    for name, seed in (("a", 5), ("b", 5), ("c", 6)):
        path = tmp_path / f"{name}.db"
        shutil.copy(sqlite_template, path)
        with open_db(f"sqlite:///{path}") as db:
            _make(db, seed=seed)
            prints.append(_fingerprint(db))
    assert prints[0] == prints[1]
    assert prints[0] != prints[2]


def test_demo_command_makes_a_database_to_explore(sqlite_url: str, tmp_path: Path) -> None:
    target = tmp_path / "demo-here.db"
    cli = Cli(sqlite_url)
    out = cli("demo", "--db", str(target), "--people", "40", "--interactions", "300", "--json").json()
    assert out["people"] == 40
    assert out["interactions"] == 300
    with open_db(f"sqlite:///{target}") as db:
        assert db.scalar("SELECT COUNT(*) FROM interaction") == 300
    # A demo made before is simply made again.
    res = cli("demo", "--db", str(target), "--people", "30", "--interactions", "200")
    assert "30 people" in res.stdout
    assert f"dunbar --db {target} show " in res.stdout
    assert "search berlin" in res.stdout
    with open_db(f"sqlite:///{target}") as db:
        assert db.scalar("SELECT COUNT(*) FROM interaction") == 200


def test_demo_command_uses_the_demo_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    monkeypatch.setenv("HOME", str(tmp_path))
    runner = CliRunner()
    for _ in range(2):
        res = runner.invoke(app, ["--today", "2026-11-25", "demo", "--people", "25", "--interactions", "100"])
        assert res.exit_code == 0, res.stderr
        assert "dunbar --demo show " in res.stdout
    demo_files = list(tmp_path.rglob("demo.db"))
    assert len(demo_files) == 1
    with open_db(f"sqlite:///{demo_files[0]}") as db:
        assert db.scalar("SELECT COUNT(*) FROM person") == 26


def test_demo_command_keeps_other_data_unless_forced(db_url: str) -> None:
    cli = Cli(db_url)
    with open_db(db_url) as db:
        db.execute(
            "INSERT INTO person (uid, display_name, name_fold, is_me, created_at, updated_at) "
            "VALUES ('u1', 'Ana Lima', 'ana lima', :f, :now, :now)",
            {"f": False, "now": to_datetime("2026-11-25 10:00:00")},
        )
    res = cli("demo", "--people", "20", "--interactions", "50", ok=False)
    assert res.exit_code == 2
    assert "not a demo network" in res.stderr
    assert "--force" in res.stderr
    with open_db(db_url) as db:
        assert db.scalar("SELECT COUNT(*) FROM person") == 1
    out = cli("demo", "--people", "20", "--interactions", "50", "--force", "--json").json()
    assert out["people"] == 20
    with open_db(db_url) as db:
        assert db.scalar("SELECT COUNT(*) FROM person WHERE display_name = 'Ana Lima'") == 0
        assert db.scalar("SELECT COUNT(*) FROM interaction") == 50

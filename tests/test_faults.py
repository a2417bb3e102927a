"""The fault drill, small: ``kill -9`` of an import and of the web app at random moments, on both stores.

The full drill (50 rounds and more) is ``python -m benchmarks.drills.faults``; see docs/operations.md.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from benchmarks.drills.faults import Acked, Store, check, postgresql_available, run_drill, write_connections

from dunbar.store import sqlite_path
from tests.conftest import PG_ADMIN_URL, Cli

ROUNDS = 4  # per store; about 15 s each


@pytest.mark.parametrize("store", ["sqlite", "postgresql"])
def test_kill_9_of_import_and_server_loses_nothing(store: str) -> None:
    if store == "postgresql" and not postgresql_available():
        pytest.skip(f"no PostgreSQL reachable at {PG_ADMIN_URL}")
    [res] = run_drill([store], rounds=ROUNDS, rows=300, seed=3, server_window=(0.2, 1.2))
    assert res.problems == []
    assert res.violations == 0
    assert res.rounds == ROUNDS
    assert res.server_kills == ROUNDS
    assert res.import_kills + res.imports_finished == ROUNDS
    assert res.import_kills >= 1  # the stratified moments put most kills inside the import's run
    assert res.acked_writes > 0  # the clients wrote, and every acknowledged write was looked for
    assert res.api_errors == 0


def test_the_checks_find_what_a_crash_could_break(sqlite_url: str, tmp_path: Path) -> None:
    """The drill's checker is not a rubber stamp: a half batch, a lost write, an orphan and a stray index entry
    are each reported."""
    cli = Cli(sqlite_url)
    cli("init", "--name", "Drill Owner", "--email", "owner@example.org")
    whole = write_connections(tmp_path, 0, 30, [])
    cli("import", str(whole.path))
    pid = cli("add", "Api Person", "--email", "api@example.org", "--json").json()["id"]
    path = sqlite_path(sqlite_url)
    assert path is not None
    store = Store("sqlite", sqlite_url, Path(path))
    acked = Acked(people={pid: ("Api Person", "api@example.org")})
    assert check(store, [whole], acked)[0] == []

    never = write_connections(tmp_path, 1, 30, [])  # a batch row that claims a file none of whose people are there
    lost = Acked(people={**acked.people, 999_999: ("Never Stored", "never@example.org")})
    with sqlite3.connect(path) as conn:
        conn.execute(
            "DELETE FROM person WHERE id = (SELECT max(p.id) FROM person p JOIN source s ON s.id = p.source_id "
            "WHERE s.batch_id IS NOT NULL)"
        )
        conn.execute(
            "INSERT INTO batch (kind, format, path, started_at, finished_at, status, report) "
            "VALUES ('import', 'linkedin', ?, '2026-01-01', '2026-01-01', 'applied', ?)",
            (str(never.path), json.dumps({"read": 30, "people_created": 30, "merged": 0})),
        )
        conn.execute("INSERT INTO search_doc (kind, ref_id, person_id, body) VALUES ('note', 424242, NULL, 'stray')")
    problems = "\n".join(check(store, [whole, never], lost)[0])
    assert "foreign_key_check" in problems  # the deleted person's identifiers and job point at no one
    assert "drill000: batch 1 is there but people created (rows) is 29, not 30" in problems
    assert "drill001: batch 2 is there but people created (rows) is 0, not 30" in problems
    assert "1 acknowledged people lost" in problems
    assert "orphans: " in problems
    assert "search index: 1 note documents for 0 rows (1 orphaned" in problems

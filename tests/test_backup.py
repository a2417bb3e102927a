"""``dunbar backup`` / ``dunbar restore``: a backup restores to the very same export, on both stores."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from dunbar.store import sqlite_path
from tests.conftest import Cli

CONNECTIONS = (
    "First Name,Last Name,URL,Email Address,Company,Position,Connected On\r\n"
    'Ana,Lima,https://www.linkedin.com/in/ana-lima,ana@example.org,"Acme, Inc.",Engineer,03 Mar 2021\r\n'
    "Bo,Chen,https://www.linkedin.com/in/bo-chen,,Globex,CTO,12 Jan 2019\r\n"
    "Chidi,Okafor,https://www.linkedin.com/in/chidi,,Initech,Designer,01 Feb 2024\r\n"
)


def _fill(cli: Cli, tmp_path: Path) -> None:
    csv = tmp_path / "Connections.csv"
    csv.write_text(CONNECTIONS, encoding="utf-8")
    cli("import", str(csv))
    cli("add", "Dana Park", "--email", "dana@example.org", "--org", "Acme")
    cli("log", "coffee with Ana and Dana about the launch", "--with", "Ana Lima", "--with", "Dana Park")
    cli("note", "Bo Chen", "prefers mornings")


def _export(cli: Cli) -> str:
    return cli("export", "--json", "-").stdout


def _round_trip(cli: Cli, tmp_path: Path, backup_name: str) -> None:
    _fill(cli, tmp_path)
    before = _export(cli)
    dest = tmp_path / backup_name
    made = cli("backup", str(dest), "--json").json()
    assert made["backup"] == str(dest)
    assert dest.stat().st_size == made["bytes"] > 0
    assert made["schema"]
    assert made["integrity"] == "ok"
    assert made["people"] == 5
    cli("add", "Eve Added Later")
    cli("log", "a call after the backup", "--with", "Bo Chen")
    assert _export(cli) != before

    refused = cli("restore", str(dest), ok=False)
    assert refused.exit_code == 2
    assert "--force" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert "Eve Added Later" in _export(cli)

    done = cli("restore", str(dest), "--force", "--json").json()
    assert done["schema"] == made["schema"]
    assert done["people"] == 5
    assert done["kept"]
    assert _export(cli) == before
    assert Path(done["kept"]).exists()


def test_sqlite_backup_restores_to_an_identical_export(sqlite_cli: Cli, tmp_path: Path) -> None:
    _round_trip(sqlite_cli, tmp_path, "backup.db")
    db_file = sqlite_path(sqlite_cli.url)
    assert db_file is not None
    kept = Path(f"{db_file}.before-restore")
    with sqlite3.connect(kept) as conn:
        assert conn.execute("SELECT count(*) FROM person WHERE display_name = 'Eve Added Later'").fetchone()[0] == 1


def test_postgresql_backup_restores_to_an_identical_export(pg_url: str, tmp_path: Path) -> None:
    if shutil.which("pg_dump") is None or shutil.which("pg_restore") is None:
        pytest.skip("pg_dump/pg_restore are not on PATH")
    cli = Cli(pg_url)
    cli("init", "--name", "Jordan Avery", "--email", "jordan@example.org")
    _round_trip(cli, tmp_path, "backup.dump")
    assert (tmp_path / f"{pg_url.rsplit('/', 1)[-1]}.before-restore.dump").exists()


def test_backup_is_online_and_takes_only_what_is_committed(sqlite_cli: Cli, tmp_path: Path) -> None:
    """A writer holds the write lock with rows not yet committed (an import under way): the backup neither waits
    for it nor copies its rows."""
    db_file = sqlite_path(sqlite_cli.url)
    assert db_file is not None
    sqlite_cli("add", "Committed Person")
    writer = sqlite3.connect(db_file, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute(
            "INSERT INTO person (uid, display_name, name_fold, is_me, created_at, updated_at) "
            "VALUES ('u-uncommitted', 'Not Yet', 'not yet', 0, '2026-01-01', '2026-01-01')"
        )
        made = sqlite_cli("backup", str(tmp_path / "b.db"), "--json").json()
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    with sqlite3.connect(tmp_path / "b.db") as conn:
        names = {r[0] for r in conn.execute("SELECT display_name FROM person")}
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # one self-contained file
    assert "Committed Person" in names
    assert "Not Yet" not in names
    assert made["people"] == 2


def test_restore_reaches_a_process_that_holds_the_database_open(sqlite_cli: Cli, tmp_path: Path) -> None:
    """The web app keeps handles open: after a restore they read the restored data, not the replaced file."""
    db_file = sqlite_path(sqlite_cli.url)
    assert db_file is not None
    sqlite_cli("backup", str(tmp_path / "b.db"))
    sqlite_cli("add", "Gone After Restore")
    reader = sqlite3.connect(db_file)
    try:
        assert reader.execute("SELECT count(*) FROM person").fetchone()[0] == 2
        sqlite_cli("restore", str(tmp_path / "b.db"), "--force")
        assert reader.execute("SELECT count(*) FROM person").fetchone()[0] == 1
        assert reader.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        reader.close()


def _bad_sources(tmp_path: Path, template: Path) -> dict[str, tuple[Path, str]]:
    text = tmp_path / "notes.txt"
    text.write_text("not a database\n")
    foreign = tmp_path / "other.db"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE t (x)")
    newer = tmp_path / "newer.db"
    shutil.copy(template, newer)
    with sqlite3.connect(newer) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    return {
        "text": (text, "not a SQLite file"),
        "foreign": (foreign, "not a dunbar database"),
        "newer": (newer, "newer dunbar (schema 9999"),
        "missing": (tmp_path / "nothing-here.db", "no such file"),
    }


def test_restore_checks_the_source_before_touching_anything(
    sqlite_cli: Cli, sqlite_template: Path, tmp_path: Path
) -> None:
    before = _export(sqlite_cli)
    for name, (path, says) in _bad_sources(tmp_path, sqlite_template).items():
        res = sqlite_cli("restore", str(path), "--force", ok=False)
        assert res.exit_code == 2, name
        assert says in res.stderr, (name, res.stderr)
        assert "Traceback" not in res.stderr
        assert res.stderr.count("\n") <= 2, res.stderr  # one line and a hint at most
    db_file = sqlite_path(sqlite_cli.url)
    assert not Path(f"{db_file}.before-restore").exists()
    assert _export(sqlite_cli) == before


def test_restore_into_a_new_file_and_backup_into_a_folder(sqlite_cli: Cli, tmp_path: Path) -> None:
    sqlite_cli("add", "Ana Lima")
    made = sqlite_cli("backup", str(tmp_path), "--json").json()
    assert Path(made["backup"]).parent == tmp_path
    assert made["backup"].endswith(".db")
    fresh = Cli(f"sqlite:///{tmp_path / 'elsewhere' / 'restored.db'}")
    done = fresh("restore", made["backup"], "--json").json()
    assert done["kept"] is None
    assert done["people"] == 2
    assert _export(fresh) == _export(sqlite_cli)


def test_backup_of_a_missing_database_is_a_clear_error(tmp_path: Path) -> None:
    res = Cli(f"sqlite:///{tmp_path / 'none.db'}")("backup", str(tmp_path / "b.db"), ok=False)
    assert res.exit_code == 2
    assert "no dunbar database" in res.stderr
    assert not (tmp_path / "b.db").exists()


def test_postgresql_backup_without_pg_dump_says_so(
    pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no pg_dump there
    res = Cli(pg_url)("backup", str(tmp_path / "b.dump"), ok=False)
    assert res.exit_code == 2
    assert "pg_dump is not on PATH" in res.stderr
    assert list(tmp_path.iterdir()) == []

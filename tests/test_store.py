"""The store: migrations match the models on both backends, the version check, the pragmas, bad files."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dunbar.errors import StoreError
from dunbar.store import SCHEMA_HEAD, open_db, sqlite_path
from dunbar.store.db import sqlite_ts
from dunbar.store.migrate import head_revision


def test_schema_head_constant_matches_the_migrations() -> None:
    assert head_revision() == SCHEMA_HEAD


def test_models_and_migrations_agree(db_url: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlalchemy import create_engine

    from dunbar.model import Base
    from dunbar.store.migrations_filter import include_object

    engine = create_engine(db_url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"include_object": include_object, "compare_type": True})
        diff = compare_metadata(ctx, Base.metadata)
    engine.dispose()
    assert diff == []


def test_sqlite_pragmas(sqlite_db) -> None:  # type: ignore[no-untyped-def]
    assert sqlite_db.scalar("PRAGMA journal_mode") == "wal"
    assert sqlite_db.scalar("PRAGMA foreign_keys") == 1
    assert sqlite_db.scalar("PRAGMA busy_timeout") == 30000


def test_missing_database_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no dunbar database") as info:
        open_db(f"sqlite:///{tmp_path / 'nothing.db'}")
    assert "dunbar init" in (info.value.hint or "")


def test_not_a_database(tmp_path: Path) -> None:
    bad = tmp_path / "notes.db"
    bad.write_text("these are my notes, not a database\n" * 100)
    with pytest.raises(StoreError):
        open_db(f"sqlite:///{bad}")


def test_newer_schema_is_refused(sqlite_url: str) -> None:
    db = open_db(sqlite_url)
    db.execute("UPDATE alembic_version SET version_num = '9999'")
    db.close()
    with pytest.raises(StoreError, match="newer dunbar"):
        open_db(sqlite_url)


def test_transaction_rolls_back_whole(db) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(RuntimeError), db.transaction():
        db.execute("INSERT INTO setting (key, value) VALUES ('a', '1')")
        raise RuntimeError("boom")
    assert db.scalar("SELECT count(*) FROM setting") == 0
    with db.transaction():
        db.execute("INSERT INTO setting (key, value) VALUES ('a', '1')")
    assert db.scalar("SELECT value FROM setting WHERE key = :k", {"k": "a"}) == "1"


def test_in_list_expansion(db) -> None:  # type: ignore[no-untyped-def]
    with db.transaction():
        db.executemany(
            "INSERT INTO setting (key, value) VALUES (:k, :v)", [{"k": f"k{i}", "v": str(i)} for i in range(5)]
        )
    got = db.rows("SELECT key FROM setting WHERE key IN :keys ORDER BY key", {"keys": ["k1", "k3"]})
    assert [r[0] for r in got] == ["k1", "k3"]
    assert db.rows("SELECT key FROM setting WHERE key IN :keys", {"keys": []}) == []


def test_sqlite_path() -> None:
    assert sqlite_path("sqlite:////tmp/x.db") == "/tmp/x.db"
    assert sqlite_path("postgresql://h/db") is None


def test_an_older_database_is_upgraded_in_place_and_kept(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from dunbar.store.db import SqliteDb
    from dunbar.store.migrate import upgrade

    path = tmp_path / "old.db"
    old = SqliteDb(str(path), url=f"sqlite:///{path}")
    upgrade(old, "0001")
    now = datetime(2026, 1, 1, tzinfo=UTC)
    old.execute(
        "INSERT INTO person (uid, display_name, name_fold, is_me, created_at, updated_at) "
        "VALUES ('u1', 'Ana Lima', 'ana lima', 0, :t, :t)",
        {"t": now},
    )
    old.close()
    db = open_db(f"sqlite:///{path}")
    assert db.scalar("SELECT version_num FROM alembic_version") == SCHEMA_HEAD
    assert db.scalar("SELECT display_name FROM person") == "Ana Lima"
    db.close()
    assert (tmp_path / f"old.db.before-{SCHEMA_HEAD}").exists()


def test_a_database_path_may_hold_url_characters(tmp_path: Path) -> None:
    # '?' and '#' would start a URL's query or fragment if the path were pasted into one for the migrations.
    folder = tmp_path / "a?b#c"
    folder.mkdir()
    db = open_db(f"sqlite:///{folder / 'x.db'}", create=True)
    try:
        assert db.scalar("SELECT count(*) FROM person") == 0
    finally:
        db.close()


@given(
    st.datetimes(min_value=datetime(1001, 1, 2), max_value=datetime(9998, 12, 30)),
    st.integers(min_value=-23 * 60, max_value=23 * 60),
)
def test_stored_times_are_the_text_sqlalchemy_writes(at: datetime, offset_minutes: int) -> None:
    aware = at.replace(tzinfo=timezone(timedelta(minutes=offset_minutes)))
    assert sqlite_ts(aware) == aware.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")

"""Opening the user's database: SQLite embedded by default, PostgreSQL for a server.

``open_db`` checks the schema version with a single cheap query and runs the Alembic migrations only when the
database is new or older than this release, so the hot read commands never import Alembic or SQLAlchemy.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

from dunbar.errors import StoreError
from dunbar.store.db import Db, SqlAlchemyDb, SqliteDb

# The newest migration in dunbar/store/migrations/versions; tests/test_store.py checks that they agree.
SCHEMA_HEAD = "0005"
KNOWN_REVISIONS = ("0001", "0002", "0003", "0004", "0005")

__all__ = ["KNOWN_REVISIONS", "SCHEMA_HEAD", "Db", "open_db", "refresh_statistics", "sqlite_path"]


def sqlite_path(url: str) -> str | None:
    """The file of a ``sqlite:///`` URL, or None for any other store."""
    if url.startswith("sqlite:///"):
        return url[len("sqlite:///") :]
    return None


def _pg_engine(url: str) -> object:
    from sqlalchemy import create_engine

    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    elif url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url[len("postgres://") :]
    return create_engine(url, pool_pre_ping=True, pool_size=int(os.environ.get("DUNBAR_POOL_SIZE", "5")))


def open_db(url: str, *, create: bool = False, migrate: bool = True) -> Db:
    """Open (and with ``create``, make) the database at ``url``, upgraded to this release's schema."""
    path = sqlite_path(url)
    if path is not None:
        exists = Path(path).exists() and Path(path).stat().st_size > 0
        if not exists and not create:
            raise StoreError(f"no dunbar database at {path}", hint="run `dunbar init` first (or pass --db PATH)")
        if not exists:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        db: Db = SqliteDb(path, url=url)
        if not exists:
            db.execute("PRAGMA journal_mode = WAL")
    elif url.startswith(("postgresql", "postgres")):
        try:
            db = SqlAlchemyDb(_pg_engine(url))
            db.scalar("SELECT 1")
        except StoreError:
            raise
        except Exception as exc:
            raise StoreError(
                f"cannot connect to the server store: {exc.__class__.__name__}",
                hint="check DUNBAR_DATABASE_URL and that PostgreSQL is running",
            ) from exc
    else:
        raise StoreError(f"unsupported database URL: {url}", hint="use a file path or a postgresql:// URL")
    if migrate:
        try:
            ensure_schema(db)
        except BaseException:
            db.close()
            raise
    return db


def schema_revision(db: Db) -> str | None:
    try:
        return db.scalar("SELECT version_num FROM alembic_version")
    except sqlite3.DatabaseError as exc:
        if "no such table" in str(exc):
            return None
        raise StoreError(f"{db.url} is not a dunbar database ({exc})") from exc
    except Exception as exc:
        if "alembic_version" in str(exc):
            return None
        raise


def ensure_schema(db: Db) -> None:
    revision = schema_revision(db)
    if revision == SCHEMA_HEAD:
        return
    if revision is not None and revision not in KNOWN_REVISIONS:
        raise StoreError(
            f"this database was written by a newer dunbar (schema {revision})",
            hint="upgrade dunbar: pip install -U dunbar",
        )
    path = sqlite_path(db.url)
    if revision is not None and path:
        # The user's database is the only copy of their data: keep the old file before changing its shape.
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        shutil.copy2(path, f"{path}.before-{SCHEMA_HEAD}")
    from dunbar.store.migrate import upgrade

    upgrade(db)


def refresh_statistics(db: Db) -> None:
    """Give SQLite's query planner statistics (after a bulk load, or once per web app start).

    Without them it may join a page of interactions to their people by scanning every person (0.4 s instead of
    0.1 ms at 30,000 people). A sampled ANALYZE costs a fraction of a second; ``PRAGMA optimize`` refreshes the
    statistics only when tables changed a lot. Busy with another writer: skipped, the next chance makes them.
    """
    if db.dialect != "sqlite":
        return
    try:
        db.execute("PRAGMA analysis_limit = 400")
        if db.scalar("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'") is None:
            db.execute("ANALYZE")
        else:
            db.execute("PRAGMA optimize")
    except (StoreError, sqlite3.OperationalError):
        pass

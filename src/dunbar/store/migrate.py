"""Run the Alembic migrations on an open ``Db`` (imported only when the schema must change)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dunbar.store.db import Db, SqlAlchemyDb, SqliteDb

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config() -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def _sqlalchemy_engine(db: Db) -> Any:
    from sqlalchemy import create_engine, event

    if isinstance(db, SqlAlchemyDb):
        return db.engine
    assert isinstance(db, SqliteDb)
    from sqlalchemy.engine import URL

    # URL.create, not an f-string: a path may hold '?' or '#', which a URL string would read as its query.
    engine = create_engine(URL.create("sqlite", database=db.path))

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.execute("PRAGMA busy_timeout = 30000")

    return engine


def upgrade(db: Db, revision: str = "head") -> None:
    from alembic import command

    cfg = alembic_config()
    engine = _sqlalchemy_engine(db)
    try:
        with engine.begin() as conn:
            if isinstance(db, SqlAlchemyDb) and db.schema is not None:
                # A team-server user's schema: the tables and Alembic's own version table go there.
                conn.exec_driver_sql(f'SET LOCAL search_path TO "{db.schema}"')
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
    finally:
        if isinstance(db, SqliteDb):
            engine.dispose()


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    return str(ScriptDirectory.from_config(alembic_config()).get_current_head())

"""The team server: many users on one PostgreSQL database, each with a private network in a schema of its own.

``open_server`` connects and makes sure the accounts tables exist; ``dunbar.server.accounts`` holds users,
sessions and API tokens; ``dunbar.server.teams`` what teammates share with each other.
"""

from __future__ import annotations

from typing import Any

from dunbar.store.db import Db, SqlAlchemyDb


def open_server(url: str) -> SqlAlchemyDb:
    """The team server's database: PostgreSQL, with its accounts tables made or upgraded."""
    from dunbar.errors import StoreError
    from dunbar.server.schema import ensure_server_schema
    from dunbar.store import open_db, sqlite_path

    if sqlite_path(url) is not None:
        raise StoreError(
            "the team server needs PostgreSQL",
            hint="set DUNBAR_DATABASE_URL=postgresql://… (an embedded SQLite file is single-user)",
        )
    db = open_db(url, migrate=False)
    assert isinstance(db, SqlAlchemyDb)
    try:
        ensure_server_schema(db)
    except BaseException:
        db.close()
        raise
    return db


def users_behind(server: Db) -> list[Any]:
    """The accounts whose network is older than this release's schema."""
    from dunbar.server.accounts import list_users, user_db
    from dunbar.store import SCHEMA_HEAD, schema_revision

    return [a for a in list_users(server) if schema_revision(user_db(server, a)) != SCHEMA_HEAD]


def upgrade_users(server: Db) -> list[str]:
    """Bring every user's network to this release's schema; the user names whose network changed."""
    from dunbar.server.accounts import user_db
    from dunbar.store import ensure_schema

    behind = users_behind(server)
    for account in behind:
        ensure_schema(user_db(server, account))
    return [a.username for a in behind]


__all__ = ["open_server", "upgrade_users", "users_behind"]

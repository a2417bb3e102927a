"""The team server's own tables: accounts, sessions, API tokens, teams and introduction requests.

They live in the PostgreSQL schema ``dunbar_server``; each user's network lives in a schema of its own
(``u_<id>``), made by the same Alembic migrations as an embedded SQLite file. Keeping the accounts apart means
that no query of a user's network can ever name another user's rows, and that the per-user migrations stay the
single definition of a network's shape.

These few tables are written here as plain DDL, versioned by ``SERVER_SCHEMA_VERSION`` below: they exist only on
PostgreSQL, and a change to them ships as one more step in ``STEPS``.
"""

from __future__ import annotations

from dunbar.store.db import Db

SERVER_SCHEMA = "dunbar_server"

# Each step runs once, in order, inside one transaction guarded by an advisory lock (several worker processes
# start at the same moment).
STEPS: tuple[str, ...] = (
    f"""
    CREATE TABLE {SERVER_SCHEMA}.account (
        id SERIAL PRIMARY KEY,
        username TEXT NOT NULL UNIQUE,
        display_name TEXT NOT NULL,
        email TEXT,
        password_hash TEXT NOT NULL,
        is_admin BOOLEAN NOT NULL DEFAULT FALSE,
        disabled BOOLEAN NOT NULL DEFAULT FALSE,
        schema_name TEXT NOT NULL UNIQUE,
        created_at TIMESTAMPTZ NOT NULL,
        password_changed_at TIMESTAMPTZ NOT NULL
    );
    CREATE TABLE {SERVER_SCHEMA}.session (
        token_hash TEXT PRIMARY KEY,
        account_id INTEGER NOT NULL REFERENCES {SERVER_SCHEMA}.account(id) ON DELETE CASCADE,
        created_at TIMESTAMPTZ NOT NULL,
        last_seen_at TIMESTAMPTZ NOT NULL,
        expires_at TIMESTAMPTZ NOT NULL
    );
    CREATE INDEX session_account ON {SERVER_SCHEMA}.session(account_id);
    CREATE TABLE {SERVER_SCHEMA}.api_token (
        id SERIAL PRIMARY KEY,
        account_id INTEGER NOT NULL REFERENCES {SERVER_SCHEMA}.account(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        prefix TEXT NOT NULL,
        token_hash TEXT NOT NULL UNIQUE,
        created_at TIMESTAMPTZ NOT NULL,
        last_used_at TIMESTAMPTZ,
        revoked_at TIMESTAMPTZ
    );
    CREATE INDEX api_token_account ON {SERVER_SCHEMA}.api_token(account_id);
    CREATE TABLE {SERVER_SCHEMA}.login_failure (
        id BIGSERIAL PRIMARY KEY,
        username TEXT NOT NULL,
        address TEXT NOT NULL,
        at TIMESTAMPTZ NOT NULL
    );
    CREATE INDEX login_failure_username ON {SERVER_SCHEMA}.login_failure(username, at);
    CREATE INDEX login_failure_address ON {SERVER_SCHEMA}.login_failure(address, at);
    CREATE TABLE {SERVER_SCHEMA}.team (
        id SERIAL PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        created_at TIMESTAMPTZ NOT NULL
    );
    CREATE TABLE {SERVER_SCHEMA}.team_member (
        team_id INTEGER NOT NULL REFERENCES {SERVER_SCHEMA}.team(id) ON DELETE CASCADE,
        account_id INTEGER NOT NULL REFERENCES {SERVER_SCHEMA}.account(id) ON DELETE CASCADE,
        shares BOOLEAN NOT NULL DEFAULT FALSE,
        joined_at TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (team_id, account_id)
    );
    CREATE INDEX team_member_account ON {SERVER_SCHEMA}.team_member(account_id);
    CREATE TABLE {SERVER_SCHEMA}.intro_request (
        id SERIAL PRIMARY KEY,
        team_id INTEGER NOT NULL REFERENCES {SERVER_SCHEMA}.team(id) ON DELETE CASCADE,
        requester_id INTEGER NOT NULL REFERENCES {SERVER_SCHEMA}.account(id) ON DELETE CASCADE,
        introducer_id INTEGER NOT NULL REFERENCES {SERVER_SCHEMA}.account(id) ON DELETE CASCADE,
        target_uid TEXT NOT NULL,
        target_name TEXT NOT NULL,
        target_organization TEXT,
        message TEXT NOT NULL DEFAULT '',
        status TEXT NOT NULL DEFAULT 'pending',
        created_at TIMESTAMPTZ NOT NULL,
        decided_at TIMESTAMPTZ,
        done_at TIMESTAMPTZ
    );
    CREATE INDEX intro_request_requester ON {SERVER_SCHEMA}.intro_request(requester_id);
    CREATE INDEX intro_request_introducer ON {SERVER_SCHEMA}.intro_request(introducer_id);
    CREATE TABLE {SERVER_SCHEMA}.setting (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    """,
    # 2: an introduction marked done names the favour it became in each network.
    f"""
    ALTER TABLE {SERVER_SCHEMA}.intro_request ADD COLUMN introducer_favour_id INTEGER;
    ALTER TABLE {SERVER_SCHEMA}.intro_request ADD COLUMN requester_favour_id INTEGER
    """,
)
SERVER_SCHEMA_VERSION = len(STEPS)
_LOCK_KEY = 0x64756E626172  # "dunbar": the advisory lock that serialises schema changes across processes


def server_schema_version(db: Db) -> int | None:
    """The version of the accounts tables, or None where this database holds no team server."""
    if db.scalar("SELECT to_regclass(:name)", {"name": f"{SERVER_SCHEMA}.version"}) is None:
        return None
    return int(db.scalar(f"SELECT version FROM {SERVER_SCHEMA}.version"))


def ensure_server_schema(db: Db) -> None:
    """Create or upgrade the accounts tables (idempotent; safe when several workers start at once)."""
    if db.dialect != "postgresql":
        from dunbar.errors import StoreError

        raise StoreError(
            "the team server needs PostgreSQL",
            hint="set DUNBAR_DATABASE_URL=postgresql://… (an embedded SQLite file is single-user)",
        )
    if server_schema_version(db) == SERVER_SCHEMA_VERSION:
        return
    with db.transaction():
        db.execute("SELECT pg_advisory_xact_lock(:k)", {"k": _LOCK_KEY})
        db.execute(f"CREATE SCHEMA IF NOT EXISTS {SERVER_SCHEMA}")
        db.execute(f"CREATE TABLE IF NOT EXISTS {SERVER_SCHEMA}.version (version INTEGER NOT NULL)")
        current = db.scalar(f"SELECT version FROM {SERVER_SCHEMA}.version")
        if current is None:
            db.execute(f"INSERT INTO {SERVER_SCHEMA}.version (version) VALUES (0)")
            current = 0
        if current > SERVER_SCHEMA_VERSION:
            from dunbar.errors import StoreError

            raise StoreError(
                f"this server's accounts were written by a newer dunbar (version {current})",
                hint="upgrade dunbar on this machine",
            )
        for step in STEPS[current:]:
            for statement in (s.strip() for s in step.split(";")):
                if statement:
                    db.execute(statement)
        db.execute(f"UPDATE {SERVER_SCHEMA}.version SET version = :v", {"v": SERVER_SCHEMA_VERSION})

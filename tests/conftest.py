"""Shared fixtures: every test gets its own throwaway database, on SQLite and (where reachable) PostgreSQL.

Databases are copied from a template migrated once per run, so a test costs a file copy (SQLite) or a
``CREATE DATABASE … TEMPLATE`` (PostgreSQL), never a migration and never a clean-up by deleting rows.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from dunbar.store import Db, open_db

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
CORPORA = SHARED / "corpora"
SAMPLES = SHARED / "samples"
PG_ADMIN_URL = os.environ.get("DUNBAR_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


def _pg_admin() -> Any:
    """An autocommit engine on the maintenance database, or None when no PostgreSQL answers."""
    try:
        from sqlalchemy import create_engine

        engine = create_engine(
            PG_ADMIN_URL.replace("postgresql://", "postgresql+psycopg://", 1),
            isolation_level="AUTOCOMMIT",
            connect_args={"connect_timeout": 3},
        )
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
        return engine
    except Exception:
        return None


def _pg_url(name: str) -> str:
    base, _, _ = PG_ADMIN_URL.rpartition("/")
    return f"{base}/{name}"


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    open_db(f"sqlite:///{path}", create=True).close()
    return path


@pytest.fixture(scope="session")
def pg_template() -> Iterator[tuple[Any, str] | None]:
    admin = _pg_admin()
    if admin is None:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is not reachable at {PG_ADMIN_URL}; .ci/run should have started it")
        yield None
        return
    name = f"dunbar_tpl_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    db = open_db(_pg_url(name), create=True)
    db.close()
    yield admin, name
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    path = tmp_path / "dunbar.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


@contextmanager
def pg_copy(admin: Any, template: str, prefix: str = "dunbar_t") -> Iterator[str]:
    """The URL of a fresh copy of the ``template`` database, dropped afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    try:
        yield _pg_url(name)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def pg_url(pg_template: tuple[Any, str] | None) -> Iterator[str]:
    if pg_template is None:
        pytest.skip(f"no PostgreSQL reachable at {PG_ADMIN_URL}")
    with pg_copy(*pg_template) as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest) -> str:
    """A fresh, migrated database URL on each backend."""
    fixture = "sqlite_url" if request.param == "sqlite" else "pg_url"
    return str(request.getfixturevalue(fixture))


@pytest.fixture
def db(db_url: str) -> Iterator[Db]:
    handle = open_db(db_url)
    yield handle
    handle.close()


@pytest.fixture
def sqlite_db(sqlite_url: str) -> Iterator[Db]:
    handle = open_db(sqlite_url)
    yield handle
    handle.close()


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        import json

        return json.loads(self.stdout)


class Cli:
    """Runs ``dunbar`` in-process against one database, like a user at a terminal would."""

    def __init__(self, url: str, today: str | None = "2026-11-25") -> None:
        self.url = url
        self.today = today

    def __call__(self, *args: str, input: str | None = None, ok: bool = True) -> Result:
        from typer.testing import CliRunner

        from dunbar.cli.app import app

        argv = ["--db", self.url]
        if self.today:
            argv += ["--today", self.today]
        runner = CliRunner()
        res = runner.invoke(app, [*argv, *args], input=input, catch_exceptions=False)
        out = Result(res.exit_code, res.stdout, res.stderr)
        if ok and res.exit_code != 0:
            raise AssertionError(f"dunbar {' '.join(args)} exited {res.exit_code}:\n{res.stdout}\n{res.stderr}")
        return out


@pytest.fixture
def cli(db_url: str) -> Cli:
    """The CLI on a fresh database of each backend, with "me" set up."""
    c = Cli(db_url)
    c("init", "--name", "Jordan Avery", "--email", "jordan@example.org")
    return c


@pytest.fixture
def sqlite_cli(sqlite_url: str) -> Cli:
    c = Cli(sqlite_url)
    c("init", "--name", "Jordan Avery", "--email", "jordan@example.org")
    return c

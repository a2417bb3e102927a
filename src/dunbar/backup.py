"""Backing up and restoring the user's database.

SQLite: SQLite's online backup API (``sqlite3.Connection.backup``), so a backup taken while the web app serves or an
import runs is a consistent snapshot of the last committed state. The copy is written to a temporary file beside
the destination, checked (``PRAGMA integrity_check``, a known schema revision) and only then renamed into place, so
a backup file is whole or absent. A restore checks its source the same way before anything is touched, keeps the
current database as ``<db>.before-restore`` and copies the backup into the live database with the same API, in one
write transaction (other processes holding the file open see the restored data, never half of it).

PostgreSQL: ``pg_dump --format=custom`` and ``pg_restore --clean --if-exists --single-transaction``; the dump is
checked with ``pg_restore --list`` and its ``alembic_version`` before it is reported.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess  # nosec B404  # pg_dump and pg_restore, run with argument lists and no shell
import tempfile
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

from dunbar.errors import InvalidInput, StoreError
from dunbar.store import KNOWN_REVISIONS, SCHEMA_HEAD, sqlite_path

SQLITE_MAGIC = b"SQLite format 3\x00"
BEFORE_RESTORE = ".before-restore"


# Checking a copy ------------------------------------------------------------------------------------------------


def _revision_ok(revision: str | None, where: str) -> str:
    if revision is None:
        raise InvalidInput(f"{where} is not a dunbar database (it has no schema version)")
    if revision not in KNOWN_REVISIONS:
        raise InvalidInput(
            f"{where} was written by a newer dunbar (schema {revision}, this one knows up to {SCHEMA_HEAD})",
            hint="upgrade dunbar first: pip install -U dunbar",
        )
    return revision


def check_sqlite_file(path: Path, *, label: str | None = None) -> dict[str, Any]:
    """The schema revision and size of a SQLite dunbar database, or a clear error when it is not one we can use."""
    where = label or str(path)
    if not path.exists():
        raise InvalidInput(f"{where}: no such file")
    if not path.is_file():
        raise InvalidInput(f"{where} is a folder; give a backup file")
    with path.open("rb") as fh:
        if fh.read(len(SQLITE_MAGIC)) != SQLITE_MAGIC:
            raise InvalidInput(f"{where} is not a dunbar database (not a SQLite file)")
    try:
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as conn:
            return _check_conn(conn, where)
    except sqlite3.DatabaseError as exc:
        raise InvalidInput(f"{where} cannot be read as a database: {exc}") from exc


def _check_conn(conn: sqlite3.Connection, where: str) -> dict[str, Any]:
    try:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):
            row = None
        else:
            raise
    revision = _revision_ok(row[0] if row else None, where)
    problems = [r[0] for r in conn.execute("PRAGMA integrity_check(20)")]
    if problems != ["ok"]:
        raise StoreError(f"{where} fails its integrity check: {problems[0]}", hint="use another backup")
    people = conn.execute("SELECT count(*) FROM person").fetchone()[0]
    return {"schema": revision, "integrity": "ok", "people": int(people)}


# SQLite ---------------------------------------------------------------------------------------------------------


@contextmanager
def _temp_beside(target: Path) -> Iterator[Path]:
    """A temporary file name in ``target``'s folder (so the final rename is atomic), removed unless renamed."""
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
    finally:
        tmp.unlink(missing_ok=True)
        for extra in ("-journal", "-wal", "-shm"):
            Path(f"{tmp}{extra}").unlink(missing_ok=True)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _snapshot(source: sqlite3.Connection, target: Path, *, label: str) -> dict[str, Any]:
    """Copy the committed state of ``source`` into a new file ``target``: written beside it, checked, renamed."""
    with _temp_beside(target) as tmp:
        with closing(sqlite3.connect(tmp, isolation_level=None)) as copy:
            # One step (pages=-1): the copy is one read transaction on the source, a consistent snapshot even
            # while other processes write (WAL lets them go on).
            source.backup(copy)
            # A backup is one self-contained file: no -wal beside it to lose when it is moved.
            copy.execute("PRAGMA journal_mode = DELETE")
            checked = _check_conn(copy, label)
        _fsync(tmp)
        os.replace(tmp, target)
    _fsync(target.parent)
    return checked


def _open_source(path: str) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, timeout=30)
    conn.execute("PRAGMA busy_timeout = 30000")
    return conn


def _sqlite_db_file(url: str) -> Path:
    path = sqlite_path(url)
    assert path is not None
    return Path(path)


def _has_database(path: Path) -> bool:
    return path.exists() and path.stat().st_size > 0


def backup_sqlite(url: str, dest: Path) -> dict[str, Any]:
    db_file = _sqlite_db_file(url)
    if not _has_database(db_file):
        raise StoreError(f"no dunbar database at {db_file}", hint="check --db (or DUNBAR_DB); nothing to back up")
    if dest.resolve() == db_file.resolve():
        raise InvalidInput("the backup cannot be the database itself", hint="give another file name")
    check_sqlite_file(db_file)  # a file that is not a dunbar database is said so before anything is written
    started = time.perf_counter()
    with closing(_open_source(str(db_file))) as source:
        checked = _snapshot(source, dest, label=f"the backup of {db_file}")
    return {
        "store": "sqlite",
        "database": url,
        "backup": str(dest),
        "bytes": dest.stat().st_size,
        **checked,
        "seconds": round(time.perf_counter() - started, 3),
    }


def restore_sqlite(url: str, src: Path, *, force: bool) -> dict[str, Any]:
    db_file = _sqlite_db_file(url)
    checked = check_sqlite_file(src)  # the source first: nothing is touched for a file we cannot use
    if src.resolve() == db_file.resolve():
        raise InvalidInput("the backup to restore is the database itself", hint="give a backup file")
    exists = _has_database(db_file)
    kept: Path | None = None
    if exists and not force:
        raise InvalidInput(
            f"{db_file} already holds a database; restoring would replace it",
            hint=f"pass --force to replace it (the current one is kept as {db_file.name}{BEFORE_RESTORE})",
        )
    started = time.perf_counter()
    if not exists:
        db_file.parent.mkdir(parents=True, exist_ok=True)
        with closing(_open_source(str(src))) as source:
            _snapshot(source, db_file, label=str(src))
        with closing(sqlite3.connect(db_file, isolation_level=None)) as conn:
            conn.execute("PRAGMA journal_mode = WAL")
    else:
        kept = Path(f"{db_file}{BEFORE_RESTORE}")
        with closing(_open_source(str(db_file))) as current:
            _snapshot_any(current, kept)
            with closing(_open_source(str(src))) as source:
                # Into the live database, in one write transaction: a web app or CLI holding the file open
                # sees the old data or the restored data, never a mix; the file keeps its journal mode (WAL).
                source.backup(current)
    with closing(sqlite3.connect(db_file, isolation_level=None)) as conn:
        after = _check_conn(conn, str(db_file))
    if after["schema"] != checked["schema"]:
        raise StoreError(f"the restored database says schema {after['schema']}, the backup {checked['schema']}")
    return {
        "store": "sqlite",
        "database": url,
        "source": str(src),
        "kept": str(kept) if kept else None,
        **after,
        "seconds": round(time.perf_counter() - started, 3),
    }


def _snapshot_any(source: sqlite3.Connection, target: Path) -> None:
    """Keep the current database whatever state it is in (even one that is not dunbar's or fails its checks)."""
    with _temp_beside(target) as tmp:
        with closing(sqlite3.connect(tmp, isolation_level=None)) as copy:
            source.backup(copy)
            copy.execute("PRAGMA journal_mode = DELETE")
        _fsync(tmp)
        os.replace(tmp, target)
    _fsync(target.parent)


# PostgreSQL -----------------------------------------------------------------------------------------------------


def libpq_url(url: str) -> str:
    """The URL as libpq (pg_dump, psql) spells it."""
    return re.sub(r"^postgres(ql)?(\+\w+)?://", "postgresql://", url)


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise StoreError(
            f"{name} is not on PATH; it is needed to back up or restore a PostgreSQL database",
            hint="install the PostgreSQL client tools (e.g. apt install postgresql-client) in the server's version",
        )
    return found


def _run(argv: list[str], what: str) -> str:
    proc = subprocess.run(argv, capture_output=True, text=True, check=False)  # noqa: S603 - fixed tools, no shell  # nosec B603
    if proc.returncode != 0:
        lines = [ln for ln in proc.stderr.strip().splitlines() if ln.strip()]
        first = lines[0] if lines else f"exit status {proc.returncode}"
        raise StoreError(f"{what} failed: {first.removeprefix(Path(argv[0]).name + ': ')}")
    return proc.stdout


def dump_revision(path: Path, *, label: str | None = None) -> str:
    """The schema revision a pg_dump custom-format file holds (its ``alembic_version`` row)."""
    where = label or str(path)
    if not path.is_file():
        raise InvalidInput(f"{where}: no such file")
    proc = subprocess.run(  # noqa: S603  # nosec B603  # pg_restore --list on a file, no shell
        [_tool("pg_restore"), "--list", str(path)], capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        raise InvalidInput(f"{where} is not a PostgreSQL dump (pg_dump --format=custom)")
    if not re.search(r"TABLE DATA \S+ alembic_version ", proc.stdout):
        raise InvalidInput(f"{where} is not a dunbar database dump (it has no schema version)")
    data = _run([_tool("pg_restore"), "--data-only", "--table=alembic_version", "--file=-", str(path)], "pg_restore")
    found = re.search(r"COPY \S*alembic_version \(version_num\) FROM stdin;\n([^\n]*)\n", data)
    return _revision_ok(found.group(1).strip() if found and found.group(1) != "\\." else None, where)


def _pg_state(url: str) -> tuple[str | None, int]:
    """The schema revision of the database at ``url`` (None when it holds no dunbar schema) and its people."""
    from dunbar.store import open_db, schema_revision

    with open_db(url, migrate=False) as db:
        revision = schema_revision(db)
        people = int(db.scalar("SELECT count(*) FROM person")) if revision is not None else 0
    return revision, people


def backup_postgresql(url: str, dest: Path) -> dict[str, Any]:
    pg_dump = _tool("pg_dump")
    started = time.perf_counter()
    with _temp_beside(dest) as tmp:
        _run([pg_dump, "--format=custom", f"--file={tmp}", f"--dbname={libpq_url(url)}"], "pg_dump")
        revision = dump_revision(tmp, label=f"the dump of {url}")
        _fsync(tmp)
        os.replace(tmp, dest)
    _fsync(dest.parent)
    return {
        "store": "postgresql",
        "database": url,
        "backup": str(dest),
        "bytes": dest.stat().st_size,
        "schema": revision,
        "integrity": "ok",
        "people": _pg_state(url)[1],
        "seconds": round(time.perf_counter() - started, 3),
    }


def restore_postgresql(url: str, src: Path, *, force: bool) -> dict[str, Any]:
    pg_restore = _tool("pg_restore")
    revision = dump_revision(src)
    current, _ = _pg_state(url)
    kept: Path | None = None
    if current is not None and not force:
        raise InvalidInput(
            f"{url} already holds a dunbar database; restoring would replace it",
            hint="pass --force to replace it (the current one is first dumped beside the backup)",
        )
    started = time.perf_counter()
    if current is not None:
        name = libpq_url(url).rsplit("/", 1)[-1].split("?")[0] or "dunbar"
        kept = src.parent / f"{name}{BEFORE_RESTORE}.dump"
        backup_postgresql(url, kept)
    _run(
        [
            pg_restore,
            "--clean",
            "--if-exists",
            "--single-transaction",
            "--exit-on-error",
            "--no-owner",
            f"--dbname={libpq_url(url)}",
            str(src),
        ],
        "pg_restore",
    )
    after, people = _pg_state(url)
    if after != revision:
        raise StoreError(f"the restored database says schema {after}, the dump {revision}")
    return {
        "store": "postgresql",
        "database": url,
        "source": str(src),
        "kept": str(kept) if kept else None,
        "schema": revision,
        "integrity": "ok",
        "people": people,
        "seconds": round(time.perf_counter() - started, 3),
    }


# Either store ---------------------------------------------------------------------------------------------------


def _is_postgresql(url: str) -> bool:
    return url.startswith(("postgresql", "postgres"))


def backup(url: str, dest: Path) -> dict[str, Any]:
    """Back up the database at ``url`` to the file ``dest`` (a folder: a dated file in it)."""
    pg = _is_postgresql(url)
    if sqlite_path(url) is None and not pg:
        raise StoreError(f"unsupported database URL: {url}", hint="use a file path or a postgresql:// URL")
    if dest.is_dir():
        dest = dest / time.strftime(f"dunbar-%Y%m%d-%H%M%S.{'dump' if pg else 'db'}")
    if not dest.parent.is_dir():
        raise InvalidInput(f"no folder {dest.parent} to write {dest.name} in", hint="create the folder first")
    return backup_postgresql(url, dest) if pg else backup_sqlite(url, dest)


def restore(url: str, src: Path, *, force: bool = False) -> dict[str, Any]:
    """Replace the database at ``url`` by the backup ``src`` (which is checked first)."""
    if _is_postgresql(url):
        return restore_postgresql(url, src, force=force)
    if sqlite_path(url) is None:
        raise StoreError(f"unsupported database URL: {url}", hint="use a file path or a postgresql:// URL")
    return restore_sqlite(url, src, force=force)

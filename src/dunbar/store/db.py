"""One small query interface over the two stores.

Every service runs its SQL through ``Db``: named ``:param`` SQL that is valid on SQLite and PostgreSQL alike.

Why not SQLAlchemy sessions everywhere: on this kind of machine ``import sqlalchemy`` alone costs ~0.37 s, more
than the whole budget of the hot read commands (``show``, ``search``, ``list``: 0.3 s whole process at 30,000
people). So the embedded store is read and written with the standard library's ``sqlite3`` driver, while the
schema itself is defined once, by the SQLAlchemy models in ``dunbar.model`` and the Alembic migrations generated
from them. The server store (PostgreSQL) runs the same SQL text through a pooled SQLAlchemy engine (psycopg 3),
where import time does not matter.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any

from dunbar.errors import StoreError

Params = Mapping[str, Any] | None

_PARAM = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")
_SQLITE_TS = "%Y-%m-%d %H:%M:%S.%f"
_SCHEMA_NAME = re.compile(r"[a-z][a-z0-9_]{0,62}")


def _expand(sql: str, params: Params) -> tuple[str, dict[str, Any]]:
    """Expand list values into ``(:p_0, :p_1, …)`` so ``IN :ids`` works on both drivers."""
    if not params:
        return sql, {}
    if not any(isinstance(v, list | tuple | set | frozenset) for v in params.values()):
        return sql, dict(params)
    out: dict[str, Any] = {}
    for k, v in params.items():
        if isinstance(v, list | tuple | set | frozenset):
            items = list(v)
            names = [f"{k}__{i}" for i in range(len(items))]
            out.update(zip(names, items, strict=True))
            repl = "(" + ", ".join(f":{n}" for n in names) + ")" if names else "(NULL)"
            sql = re.sub(rf"(?<![:\w]):{k}\b", repl, sql)
        else:
            out[k] = v
    return sql, out


def to_datetime(value: Any) -> datetime | None:
    """A stored time as an aware UTC datetime, whichever driver read it."""
    if value is None or isinstance(value, datetime):
        return value if value is None or value.tzinfo else value.replace(tzinfo=UTC)
    dt = datetime.fromisoformat(value)
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def to_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


_UNIX = datetime(1970, 1, 1, tzinfo=UTC)
_MICRO = timedelta(microseconds=1)


def to_micros(dt: datetime) -> int:
    """An aware time as whole microseconds since 1970 (UTC): how imports hand times between processes and how
    strength's running totals compare them (exact, unlike a float timestamp)."""
    return (dt - _UNIX) // _MICRO


def from_micros(micros: int) -> datetime:
    """The aware UTC time of ``to_micros``."""
    return _UNIX + micros * _MICRO


def sqlite_ts(dt: datetime) -> str:
    """How an aware datetime is stored on SQLite (the same text SQLAlchemy writes)."""
    utc = dt.astimezone(UTC)
    if utc.year >= 1000:  # the same text as strftime, in half the time (imports stamp every interaction)
        return utc.isoformat(" ", "microseconds")[:26]
    return utc.strftime(_SQLITE_TS)


def defer_indexes(db: Db, tables: Sequence[str], *, fewer_than: int = 1) -> list[str]:
    """Drop the secondary indexes of those of these SQLite tables that hold fewer than ``fewer_than`` rows (empty
    ones by default); the SQL that builds them again, for the caller to run when its rows are in.

    Building an index once over a million rows sorts them; keeping it up to date row by row writes pages in
    random order (``participant (person_id, …)``, for one, is filled in time order, not person order).
    Within the caller's transaction, so a failure puts the indexes back with everything else.
    """
    if db.dialect != "sqlite":
        return []
    assert db.in_transaction
    out = []
    for table in tables:
        if db.scalar(f"SELECT count(*) FROM (SELECT 1 FROM {table} LIMIT {int(fewer_than)})") >= fewer_than:
            continue
        for name, sql in db.rows(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = :t AND sql IS NOT NULL",
            {"t": table},
        ):
            db.execute(f'DROP INDEX "{name}"')
            out.append(str(sql))
    return out


def _literal(value: str) -> str:
    """A constant of our own as an SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


@lru_cache(maxsize=256)
def _stamp(dt: datetime) -> str:
    # A batch stamps thousands of rows with the same ``now``.
    return sqlite_ts(dt)


class Db:
    """A database handle: ``all``/``one``/``scalar`` for reads, ``execute``/``executemany`` for writes,
    ``transaction()`` for all-or-nothing work."""

    dialect: str
    url: str

    def all(self, sql: str, params: Params = None) -> list[dict[str, Any]]:
        raise NotImplementedError

    def rows(self, sql: str, params: Params = None) -> list[tuple[Any, ...]]:
        raise NotImplementedError

    def execute(self, sql: str, params: Params = None) -> int:
        """Run a statement; the number of rows it changed."""
        raise NotImplementedError

    def executemany(self, sql: str, seq: Iterable[Mapping[str, Any]]) -> None:
        raise NotImplementedError

    def insert_rows(
        self,
        table: str,
        columns: Sequence[str],
        rows: list[tuple[Any, ...]],
        *,
        constants: Mapping[str, str] | None = None,
    ) -> None:
        """Insert positional ``rows`` (values in the order of ``columns``, times as the database takes them:
        text from ``sqlite_ts`` on SQLite, aware datetimes on PostgreSQL); ``constants`` are the same in every row."""
        raise NotImplementedError

    def transaction(self, *, check_references: bool = True) -> Any:
        """All or nothing. ``check_references=False`` lets a writer that made every reference itself, under the
        write lock (an import: rows point at ids it handed out or people it read in this transaction), skip
        SQLite's per-row foreign key lookups; PostgreSQL checks them all the same."""
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    @property
    def in_transaction(self) -> bool:
        raise NotImplementedError

    # Shared conveniences ------------------------------------------------------------------------------------

    def one(self, sql: str, params: Params = None) -> dict[str, Any] | None:
        found = self.all(sql, params)
        return found[0] if found else None

    def scalar(self, sql: str, params: Params = None) -> Any:
        found = self.rows(sql, params)
        return found[0][0] if found else None

    def insert(self, sql: str, params: Params = None) -> int:
        """Run an ``INSERT … RETURNING id`` and give the new id."""
        value = self.scalar(sql, params)
        assert value is not None
        return int(value)

    def __enter__(self) -> Db:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class SqliteDb(Db):
    dialect = "sqlite"

    def __init__(self, path: str, *, url: str) -> None:
        self.path = path
        self.url = url
        try:
            # isolation_level=None: the driver never opens transactions behind our back; ``transaction()``
            # says BEGIN IMMEDIATE so a writer waits for the lock up front instead of failing half-way.
            self.conn = sqlite3.connect(path, isolation_level=None, timeout=30, check_same_thread=False)
            self.conn.execute("PRAGMA foreign_keys = ON")
            self.conn.execute("PRAGMA busy_timeout = 30000")
            self.conn.execute("PRAGMA synchronous = NORMAL")
            # 64 MiB of page cache: a large import touches every index of every table it writes.
            self.conn.execute("PRAGMA cache_size = -65536")
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot open {path}: {exc}", hint="is it a dunbar database?") from exc
        self._depth = 0

    @staticmethod
    def _adapt(params: dict[str, Any]) -> dict[str, Any]:
        for k, v in params.items():
            if isinstance(v, date):
                if isinstance(v, datetime):
                    if v.tzinfo is None:
                        raise ValueError(f"naive datetime for :{k}")
                    params[k] = sqlite_ts(v)
                else:
                    params[k] = v.isoformat()
        return params

    def _run(self, sql: str, params: Params) -> sqlite3.Cursor:
        sql, p = _expand(sql, params)
        try:
            return self.conn.execute(sql, self._adapt(p))
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise StoreError("the database is busy", hint="another dunbar is writing; try again") from exc
            raise

    def all(self, sql: str, params: Params = None) -> list[dict[str, Any]]:
        cur = self._run(sql, params)
        names = [d[0] for d in cur.description or ()]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]

    def rows(self, sql: str, params: Params = None) -> list[tuple[Any, ...]]:
        return self._run(sql, params).fetchall()

    def execute(self, sql: str, params: Params = None) -> int:
        return self._run(sql, params).rowcount

    def executemany(self, sql: str, seq: Iterable[Mapping[str, Any]]) -> None:
        rows = seq if isinstance(seq, list) else list(seq)
        if not rows:
            return
        # Rows of one statement share their shape: adapt only the columns that hold dates in the first row (a
        # per-value check of every row costs more than the insert itself on large imports).
        timed = [k for k, v in rows[0].items() if isinstance(v, date)]
        if not timed:
            self.conn.executemany(sql, rows)
            return
        self.conn.executemany(sql, (self._adapt_columns(dict(p), timed) for p in rows))

    def insert_rows(
        self,
        table: str,
        columns: Sequence[str],
        rows: list[tuple[Any, ...]],
        *,
        constants: Mapping[str, str] | None = None,
    ) -> None:
        if not rows:
            return
        fixed = dict(constants or {})
        names = ", ".join([*columns, *fixed])
        marks = ", ".join(["?"] * len(columns) + [_literal(v) for v in fixed.values()])
        self.conn.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)

    @staticmethod
    def _adapt_columns(params: dict[str, Any], columns: list[str]) -> dict[str, Any]:
        for k in columns:
            v = params[k]
            if isinstance(v, datetime):
                if v.tzinfo is None:
                    raise ValueError(f"naive datetime for :{k}")
                params[k] = _stamp(v)
            elif isinstance(v, date):
                params[k] = v.isoformat()
        return params

    @property
    def in_transaction(self) -> bool:
        return self._depth > 0

    @contextmanager
    def transaction(self, *, check_references: bool = True) -> Iterator[SqliteDb]:
        if self._depth:
            self._depth += 1
            try:
                yield self
            finally:
                self._depth -= 1
            return
        if not check_references:
            self.conn.execute("PRAGMA foreign_keys = OFF")  # only outside a transaction does this take effect
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if not check_references:
                self.conn.execute("PRAGMA foreign_keys = ON")
            raise StoreError("the database is busy", hint="another dunbar is writing; try again") from exc
        self._depth = 1
        try:
            yield self
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("COMMIT")
        finally:
            self._depth = 0
            if not check_references:
                self.conn.execute("PRAGMA foreign_keys = ON")

    def close(self) -> None:
        self.conn.close()


_PATH_SET = "dunbar_search_path"


def _reset_search_path(dbapi_connection: Any, record: Any, reset_state: Any) -> None:
    """Pool ``reset`` hook: a connection that a held handle gave a search path goes back to the pool without it.
    Should this fail, the pool closes the connection instead of lending it again."""
    if dbapi_connection is None or not record.info.pop(_PATH_SET, False):
        return
    dbapi_connection.rollback()  # autocommit can change only outside a transaction
    autocommit = dbapi_connection.autocommit
    dbapi_connection.autocommit = True
    try:
        cursor = dbapi_connection.cursor()
        cursor.execute("RESET search_path")
        cursor.close()
    finally:
        dbapi_connection.autocommit = autocommit


class SqlAlchemyDb(Db):
    """The server store: the same SQL through a pooled SQLAlchemy engine.

    With ``schema``, every statement runs with only that PostgreSQL schema on its search path: in the team
    server each user's network lives in a schema of its own, so a query can reach no other user's rows (a table
    missing from the schema is an error, never a fall-through to another one).

    By default each statement (or ``transaction()``) borrows a pooled connection and sets the path with
    ``SET LOCAL``, so it ends with the transaction and a pooled connection never carries one user's path to the
    next borrower. A handle made with ``hold=True`` (one web request's) instead keeps one connection from its
    first statement until ``release()``: in autocommit between transactions, its schema set once on the
    session's path and reset by the pool when the connection goes back. A statement then costs one round trip to
    PostgreSQL instead of five (pool check, BEGIN, SET LOCAL, the statement, COMMIT).
    """

    def __init__(self, engine: Any, *, schema: str | None = None, owns_engine: bool = True, hold: bool = False) -> None:
        self.engine = engine
        self.url = engine.url.render_as_string(hide_password=True)
        self.dialect = engine.dialect.name
        if schema is not None and not _SCHEMA_NAME.fullmatch(schema):
            raise ValueError(f"not a schema name dunbar makes: {schema!r}")
        self.schema = schema
        self.owns_engine = owns_engine
        self._conn: Any = None
        self._shared = False  # riding another handle's transaction (``in_schema``): set the path per statement
        self._hold = hold
        self._held: Any = None
        if hold and schema is not None:
            from sqlalchemy import event

            if not event.contains(engine.pool, "reset", _reset_search_path):
                event.listen(engine.pool, "reset", _reset_search_path)

    def _enter(self, conn: Any) -> None:
        if self.schema is not None:
            conn.exec_driver_sql(f'SET LOCAL search_path TO "{self.schema}"')

    def _held_connection(self) -> Any:
        if self._held is None:
            conn = self.engine.connect()
            try:
                conn.execution_options(isolation_level="AUTOCOMMIT")
                if self.schema is not None:
                    conn.info[_PATH_SET] = True  # first: the pool resets the path even if the SET fails half-way
                    conn.exec_driver_sql(f'SET search_path TO "{self.schema}"')
                    conn.commit()
            except BaseException:
                conn.close()
                raise
            self._held = conn
        return self._held

    def in_schema(self, schema: str) -> SqlAlchemyDb:
        """A handle on ``schema`` riding this handle's open transaction, so that writes to several users' networks
        commit or roll back together. Each of its statements sets its own search path first (the handles share
        one connection); it is usable only until the transaction ends."""
        if self._conn is None:
            raise RuntimeError("in_schema() needs an open transaction()")
        handle = SqlAlchemyDb(self.engine, schema=schema, owns_engine=False)
        handle._conn = self._conn
        handle._shared = True
        return handle

    @contextmanager
    def _connection(self) -> Iterator[Any]:
        if self._conn is not None:
            if self._shared:
                self._enter(self._conn)
            yield self._conn
        elif self._hold:
            conn = self._held_connection()
            try:
                yield conn
            except BaseException:
                conn.rollback()
                raise
            conn.commit()  # the statement committed itself (autocommit); this ends SQLAlchemy's own bookkeeping
        else:
            with self.engine.connect() as conn:
                self._enter(conn)
                yield conn
                conn.commit()

    def _run(self, conn: Any, sql: str, params: Params) -> Any:
        from sqlalchemy import text
        from sqlalchemy.exc import DataError

        sql, p = _expand(sql, params)
        try:
            return conn.execute(text(sql), p)
        except DataError as exc:
            raise _nul_or(exc) from None

    def all(self, sql: str, params: Params = None) -> list[dict[str, Any]]:
        with self._connection() as conn:
            return [dict(r._mapping) for r in self._run(conn, sql, params)]

    def rows(self, sql: str, params: Params = None) -> list[tuple[Any, ...]]:
        with self._connection() as conn:
            return [tuple(r) for r in self._run(conn, sql, params)]

    def execute(self, sql: str, params: Params = None) -> int:
        with self._connection() as conn:
            return int(self._run(conn, sql, params).rowcount)

    def insert_rows(
        self,
        table: str,
        columns: Sequence[str],
        rows: list[tuple[Any, ...]],
        *,
        constants: Mapping[str, str] | None = None,
    ) -> None:
        fixed = dict(constants or {})
        names = [*columns, *fixed]
        sql = f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join(':' + c for c in names)})"
        self.executemany(sql, [dict(zip(columns, row, strict=True)) | fixed for row in rows])

    def executemany(self, sql: str, seq: Iterable[Mapping[str, Any]]) -> None:
        from sqlalchemy import text
        from sqlalchemy.exc import DataError

        batch = [dict(p) for p in seq]
        if batch:
            with self._connection() as conn:
                try:
                    conn.execute(text(sql), batch)
                except DataError as exc:
                    raise _nul_or(exc) from None

    @property
    def in_transaction(self) -> bool:
        return self._conn is not None

    @contextmanager
    def transaction(self, *, check_references: bool = True) -> Iterator[SqlAlchemyDb]:
        if self._conn is not None:
            yield self
            return
        if self._hold:
            conn = self._held_connection()
            conn.execution_options(isolation_level=self.engine.dialect.default_isolation_level or "READ COMMITTED")
            try:
                with conn.begin():
                    self._conn = conn
                    try:
                        yield self
                    finally:
                        self._conn = None
            finally:
                if conn.in_transaction():  # a COMMIT that failed
                    conn.rollback()
                conn.execution_options(isolation_level="AUTOCOMMIT")
            return
        with self.engine.begin() as conn:
            self._enter(conn)
            self._conn = conn
            try:
                yield self
            finally:
                self._conn = None

    def release(self) -> None:
        """Give back the connection a ``hold`` handle kept; any later statement borrows one of its own."""
        self._hold = False
        held, self._held = self._held, None
        if held is not None:
            held.close()

    def close(self) -> None:
        self.release()
        if self.owns_engine:
            self.engine.dispose()


def _nul_or(exc: Exception) -> Exception:
    """PostgreSQL text cannot hold NUL characters (SQLite can): that is the user's input, not a fault of ours."""
    if "NUL" in str(exc):
        from dunbar.errors import InvalidInput

        return InvalidInput("text cannot contain NUL characters", hint="remove the \\x00 from it")
    return exc


def chunks(items: Sequence[Any], size: int = 2000) -> Iterator[Sequence[Any]]:
    """Slices small enough for an ``IN`` list on every backend."""
    for i in range(0, len(items), size):
        yield items[i : i + size]

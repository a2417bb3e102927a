"""What every route of the web app may depend on: the database, the clock and the request guards.

Pages and the REST API share these, so both see the same database handle per request, the same "today" (which
tests and demos may override) and the same protection against other web sites driving the local server (a Host
check against DNS rebinding and a CSRF token on every change).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import sqlite3
import threading
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

from fastapi import Request, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from dunbar.errors import DunbarError
from dunbar.store.db import Db, SqlAlchemyDb

CSRF_COOKIE = "dunbar_csrf"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


class CsrfRejected(DunbarError):
    """A change arrived without the token the app handed out, so it may come from another web site."""

    status = 403
    code = "csrf"


@dataclass(frozen=True)
class Clock:
    """The moment a request is served: ``now`` (aware, UTC) and the user's ``today``."""

    now: datetime
    today: date


class HandlePool:
    """Open SQLite handles kept between requests: opening and closing one cost ~0.7 ms, a third of a page.

    Each handle is lent to one request at a time (WAL lets many readers and one writer share the file), so a
    route may use it from the event loop or from a worker thread. At most ``keep`` idle handles stay open.
    """

    def __init__(self, url: str, *, keep: int = 8) -> None:
        self.url = url
        self.keep = keep
        self._idle: list[Db] = []
        self._lock = threading.Lock()

    def acquire(self) -> Db:
        with self._lock:
            if self._idle:
                return self._idle.pop()
        from dunbar.store import open_db

        return open_db(self.url, migrate=False)

    def release(self, db: Db) -> None:
        conn = getattr(db, "conn", None)
        if isinstance(conn, sqlite3.Connection) and conn.in_transaction:
            # A request that failed half-way must not hand its open transaction (and its locks) to the next.
            conn.rollback()
        with self._lock:
            if len(self._idle) < self.keep:
                self._idle.append(db)
                return
        db.close()

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for db in idle:
            db.close()


class ChangeWatch:
    """Whether the database changed since a value was computed, by this app or by another process (the CLI).

    SQLite's ``PRAGMA data_version`` on one connection changes whenever any *other* connection commits, so a
    connection of its own that never writes sees every change to the file.
    """

    def __init__(self, path: str) -> None:
        self._conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._lock = threading.Lock()

    def version(self) -> int:
        with self._lock:
            return int(self._conn.execute("PRAGMA data_version").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            self._conn.close()


@dataclass
class WebConfig:
    """What ``create_app`` decided, kept on ``app.state.dunbar`` for the dependencies (no global state)."""

    url: str
    secret: bytes
    today: date | None = None
    engine: Any = None  # the shared pooled engine of a PostgreSQL store; None for SQLite
    pool: HandlePool | None = None  # the embedded store's open handles
    watch: ChangeWatch | None = None  # the embedded store's change counter; None where values are not cached
    cache: dict[Any, Any] = field(default_factory=dict)  # values worth keeping while the data does not change
    cache_lock: threading.Lock = field(default_factory=threading.Lock)  # one request computes a missing value
    server: bool = False  # the team server: every request signs in and sees only its user's network
    secure_cookies: bool = True  # the team server's cookies only over HTTPS (off for a plain-HTTP trial)

    def open(self, schema: str | None = None) -> Db:
        if self.engine is not None:
            # One engine (and its pool) per app; each request gets its own handle so transactions never mix.
            if self.server and schema is None:
                raise AssertionError("the team server opens a network only for a signed-in user")
            return SqlAlchemyDb(self.engine, schema=schema, owns_engine=False, hold=True)
        if self.pool is not None:
            return self.pool.acquire()
        from dunbar.store import open_db

        return open_db(self.url, migrate=False)

    def done(self, db: Db) -> None:
        """Give back a handle from ``open``."""
        if self.engine is not None:
            # A PostgreSQL handle holds one pooled connection for the request; it goes back to the pool here
            # (closing the handle would dispose the app's engine).
            assert isinstance(db, SqlAlchemyDb)
            db.release()
            return
        if self.pool is not None:
            self.pool.release(db)
        else:
            db.close()

    def data_version(self) -> int | None:
        """A number that changes whenever the database does; None when the store cannot tell."""
        return self.watch.version() if self.watch is not None else None

    def close(self) -> None:
        if self.pool is not None:
            self.pool.close()
        if self.watch is not None:
            self.watch.close()


def config(request: Request) -> WebConfig:
    cfg = request.app.state.dunbar
    assert isinstance(cfg, WebConfig)
    return cfg


async def get_db(request: Request) -> AsyncIterator[Db]:
    """A database handle for this request, given back when the request is done.

    On the team server, the handle reaches only the signed-in user's network; without a valid session or API
    token the request is refused (401; pages send the browser to the sign-in page).

    An async dependency: taking a pooled handle is cheap, and a sync one would cost two hops to the thread pool
    per request."""
    cfg = config(request)
    schema = None
    if cfg.server:
        schema = (await current_account(request)).schema_name
    db = cfg.open(schema)
    try:
        yield db
    finally:
        cfg.done(db)


# Team server sign-in ------------------------------------------------------------------------------------------

SESSION_COOKIE = "dunbar_session"


def server_db(request: Request) -> SqlAlchemyDb:
    """A handle on the team server's accounts (qualified table names; no user's network on its path)."""
    cfg = config(request)
    return SqlAlchemyDb(cfg.engine, owns_engine=False)


def bearer_token(request: Request) -> str | None:
    value = request.headers.get("authorization", "")
    scheme, _, token = value.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    if request.url.path == "/calendar.ics":
        # A calendar app subscribing to the feed cannot sign in: the feed alone takes a token in its address.
        return request.query_params.get("token")
    return None


def _lookup_account(request: Request) -> Any:
    from dunbar.server.accounts import session_account, token_account

    # One pooled connection for the look-up (a statement or two), not one per statement.
    server = SqlAlchemyDb(config(request).engine, owns_engine=False, hold=True)
    try:
        now = datetime.now(UTC)
        token = bearer_token(request)
        if token is not None:
            return token_account(server, token, now=now)
        cookie = request.cookies.get(SESSION_COOKIE)
        if cookie:
            return session_account(server, cookie, now=now)
        return None
    finally:
        server.release()


async def optional_account(request: Request) -> Any:
    """The signed-in account of this request on the team server, or None (always None when embedded)."""
    if not config(request).server:
        return None
    if not hasattr(request.state, "account"):
        from starlette.concurrency import run_in_threadpool

        request.state.account = await run_in_threadpool(_lookup_account, request)
    return request.state.account


async def current_account(request: Request) -> Any:
    """The signed-in account, or a refusal: 401 for the API, the sign-in page for a browser."""
    account = await optional_account(request)
    if account is None:
        from dunbar.errors import NotSignedIn

        if bearer_token(request) is not None:
            raise NotSignedIn("this API token is not valid", hint="it may have been revoked; make a new one")
        raise NotSignedIn("please sign in first", hint="sign in on the server's /login page, or send an API token")
    return account


def clock_for(today: date | None) -> Clock:
    """Now, or noon of the overridden day in the local time zone (as the CLI's ``--today`` does)."""
    if today is None:
        now = datetime.now(UTC)
        return Clock(now=now, today=date.today())
    return Clock(now=datetime.combine(today, time(12, 0)).astimezone().astimezone(UTC), today=today)


async def get_clock(request: Request) -> Clock:
    return clock_for(config(request).today)


# CSRF -------------------------------------------------------------------------------------------------------
#
# A signed double-submit token: the app signs a random nonce with its secret and hands the token out in a cookie;
# every change must send the same token back in the X-CSRF-Token header or the csrf_token form field. Another
# site can make the browser send the cookie but can neither read it nor forge a token the secret signs.


def _sign(secret: bytes, nonce: str) -> str:
    return hmac.new(secret, nonce.encode(), hashlib.sha256).hexdigest()


def make_token(secret: bytes) -> str:
    nonce = secrets.token_urlsafe(18)
    return f"{nonce}.{_sign(secret, nonce)}"


def token_valid(secret: bytes, token: str | None) -> bool:
    if not token or token.count(".") != 1:
        return False
    nonce, sig = token.split(".")
    return hmac.compare_digest(sig, _sign(secret, nonce))


def csrf_secret(request: Request) -> bytes:
    """The key of this browser's tokens: the app's secret, bound on the team server to the sign-in session, so a
    token taken from one session (or from before signing in) is worth nothing in another."""
    cfg = config(request)
    if not cfg.server:
        return cfg.secret
    session = request.cookies.get(SESSION_COOKIE, "")
    return cfg.secret + hashlib.sha256(session.encode()).digest()


def csrf_token(request: Request) -> str:
    """This request's token: the browser's cookie if this app signed it, else a fresh one (set by the caller)."""
    cached = getattr(request.state, "csrf_token", None)
    if cached:
        return str(cached)
    secret = csrf_secret(request)
    token = request.cookies.get(CSRF_COOKIE)
    if not token_valid(secret, token):
        token = make_token(secret)
        request.state.csrf_new = True
    request.state.csrf_token = token
    return str(token)


def set_csrf_cookie(request: Request, response: Response) -> None:
    """Set the cookie when ``csrf_token`` had to make a new token for this request."""
    if getattr(request.state, "csrf_new", False):
        cfg = config(request)
        response.set_cookie(
            CSRF_COOKIE,
            csrf_token(request),
            httponly=True,
            samesite="strict",
            path="/",
            secure=cfg.server and cfg.secure_cookies,
        )
        request.state.csrf_new = False


def issue_csrf_token(request: Request, response: Response) -> str:
    """The token a client must send back on changes; sets the cookie on ``response`` when it is new."""
    token = csrf_token(request)
    set_csrf_cookie(request, response)
    return token


async def csrf_protect(request: Request) -> None:
    """Refuse a state-changing request whose token is missing, forged or not the one in its cookie."""
    if request.method in SAFE_METHODS:
        return
    if config(request).server and bearer_token(request) is not None and await optional_account(request) is not None:
        # A valid API token is sent by its client on purpose, never by a browser on another site's behalf.
        return
    secret = csrf_secret(request)
    cookie = request.cookies.get(CSRF_COOKIE)
    sent = request.headers.get(CSRF_HEADER)
    if sent is None:
        ctype = request.headers.get("content-type", "")
        if ctype.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get(CSRF_FIELD)
            sent = value if isinstance(value, str) else None
    if not (token_valid(secret, cookie) and sent is not None and hmac.compare_digest(sent, cookie or "")):
        raise CsrfRejected(
            "this change was refused because it did not carry the page's security token",
            hint="reload the page and try again; API clients get a token from GET /api/v1/csrf",
        )


# Host check ---------------------------------------------------------------------------------------------------


def loopback_hosts(port: int) -> list[str]:
    """The Host values a browser sends for this machine's server on ``port``."""
    names = ["127.0.0.1", "localhost", "[::1]"]
    hosts = [f"{n}:{port}" for n in names]
    if port == 80:
        hosts += names
    return hosts


class HostCheckMiddleware:
    """Answer 400 to a request whose Host is not one of ours: a page of another site that rebinds its DNS
    name to 127.0.0.1 still sends its own name, so it cannot read or drive the local server."""

    def __init__(self, app: ASGIApp, *, allowed: Iterable[str]) -> None:
        self.app = app
        self.allowed = frozenset(h.lower() for h in allowed)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        host = ""
        for name, value in scope.get("headers", ()):
            if name == b"host":
                host = value.decode("latin-1").lower()
                break
        if host in self.allowed:
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        body = b"This server only answers requests addressed to its own local address.\n"
        await send(
            {
                "type": "http.response.start",
                "status": 400,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", b"%d" % len(body))],
            }
        )
        await send({"type": "http.response.body", "body": body})

"""What every route of the web app may depend on: the database, the clock and the request guards.

Pages and the REST API share these, so both see the same database handle per request, the same "today" (which
tests and demos may override) and the same protection against other web sites driving the local server (a Host
check against DNS rebinding and a CSRF token on every change).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
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


@dataclass
class WebConfig:
    """What ``create_app`` decided, kept on ``app.state.dunbar`` for the dependencies (no global state)."""

    url: str
    secret: bytes
    today: date | None = None
    engine: Any = None  # the shared pooled engine of a PostgreSQL store; None for SQLite

    def open(self) -> Db:
        if self.engine is not None:
            # One engine (and its pool) per app; each request gets its own handle so transactions never mix.
            return SqlAlchemyDb(self.engine)
        from dunbar.store import open_db

        return open_db(self.url, migrate=False)


def config(request: Request) -> WebConfig:
    cfg = request.app.state.dunbar
    assert isinstance(cfg, WebConfig)
    return cfg


def get_db(request: Request) -> Iterator[Db]:
    """A database handle for this request, closed when the request is done."""
    cfg = config(request)
    db = cfg.open()
    try:
        yield db
    finally:
        if cfg.engine is None:
            db.close()
        # A PostgreSQL handle borrows connections from the shared pool per statement; closing it would dispose
        # the app's engine, so it is simply dropped.


def clock_for(today: date | None) -> Clock:
    """Now, or noon of the overridden day in the local time zone (as the CLI's ``--today`` does)."""
    if today is None:
        now = datetime.now(UTC)
        return Clock(now=now, today=date.today())
    return Clock(now=datetime.combine(today, time(12, 0)).astimezone().astimezone(UTC), today=today)


def get_clock(request: Request) -> Clock:
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


def csrf_token(request: Request) -> str:
    """This request's token: the browser's cookie if this app signed it, else a fresh one (set by the caller)."""
    cached = getattr(request.state, "csrf_token", None)
    if cached:
        return str(cached)
    secret = config(request).secret
    token = request.cookies.get(CSRF_COOKIE)
    if not token_valid(secret, token):
        token = make_token(secret)
        request.state.csrf_new = True
    request.state.csrf_token = token
    return str(token)


def set_csrf_cookie(request: Request, response: Response) -> None:
    """Set the cookie when ``csrf_token`` had to make a new token for this request."""
    if getattr(request.state, "csrf_new", False):
        response.set_cookie(CSRF_COOKIE, csrf_token(request), httponly=True, samesite="strict", path="/")
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
    secret = config(request).secret
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

"""The application factory: one FastAPI app over one database, with the pages, the REST API and the guards.

Nothing is created at import time; ``create_app`` migrates the database once, keeps what it decided on
``app.state.dunbar`` and every request borrows a handle through ``dunbar.web.deps.get_db`` (on SQLite, from a
small pool of open handles, given back after the request).
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from dunbar.errors import Ambiguous, DunbarError, StoreError
from dunbar.store.db import Db, SqlAlchemyDb
from dunbar.web.deps import ChangeWatch, HandlePool, HostCheckMiddleware, WebConfig, csrf_protect, loopback_hosts

HERE = Path(__file__).parent
DEFAULT_PORT = 8765
PROBLEM_TYPE = "application/problem+json"
log = logging.getLogger("dunbar.web")

TITLES = {
    400: "That did not work",
    401: "Please sign in",
    429: "Too many attempts",
    403: "Not allowed",
    404: "Not found",
    405: "Not allowed",
    409: "Conflict",
    422: "Invalid request",
    503: "The database is unavailable",
    500: "Something went wrong",
}
CODES = {
    400: "invalid",
    401: "unauthorized",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    422: "validation",
}


def create_app(
    url: str,
    *,
    today: date | None = None,
    port: int = DEFAULT_PORT,
    allowed_hosts: Sequence[str] | None = None,
    secret: bytes | None = None,
    server: bool = False,
    secure_cookies: bool = True,
) -> FastAPI:
    """The web app over the database at ``url``.

    ``today`` pretends the date (tests, demos); ``allowed_hosts`` replaces the Host values the app answers
    (by default the loopback names with ``port``; tests pass ``["testserver"]``); ``secret`` signs the CSRF
    tokens (a fresh random one per app by default, so a restart invalidates old pages' tokens).

    ``server`` makes the multi-user team server over PostgreSQL: accounts, sign-in and one private network per
    user (see ``dunbar.server``); ``secure_cookies`` sends its cookies over HTTPS only.
    """
    from dunbar.store import open_db, sqlite_path

    engine = None
    db: Db
    if server:
        from dunbar.server import open_server, users_behind

        db = open_server(url)
        # Each worker process builds its own app: migrating here would race between them. `dunbar serve
        # --server` and `dunbar db upgrade` migrate once, before any worker starts.
        behind = users_behind(db)
        if behind:
            db.close()
            raise StoreError(
                f"{len(behind)} user network(s) are older than this release",
                hint="run `dunbar db upgrade`, then start the server",
            )
        if secret is None:
            from dunbar.server.accounts import server_secret

            secret = server_secret(db)
    else:
        db = open_db(url, create=sqlite_path(url) is not None)
    if isinstance(db, SqlAlchemyDb):
        engine = db.engine
    else:
        try:
            _planner_statistics(db)
        finally:
            db.close()

    app = FastAPI(
        title="dunbar",
        summary="Keep your professional relationships warm: the local REST API.",
        openapi_url="/api/v1/openapi.json",
        docs_url="/api/v1/docs",
        redoc_url=None,
        dependencies=[Depends(csrf_protect)],
    )
    cfg = WebConfig(
        url=url,
        secret=secret or secrets.token_bytes(32),
        today=today,
        engine=engine,
        server=server,
        secure_cookies=secure_cookies,
    )
    path = sqlite_path(url)
    if path is not None:
        cfg.pool = HandlePool(url)
        cfg.watch = ChangeWatch(path)
    app.state.dunbar = cfg
    app.router.add_event_handler("shutdown", engine.dispose if engine is not None else cfg.close)

    hosts = list(allowed_hosts) if allowed_hosts is not None else loopback_hosts(port)
    app.add_middleware(HostCheckMiddleware, allowed=hosts)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    _install_error_handlers(app)

    from dunbar.web.api import router as api_router
    from dunbar.web.pages import router as pages_router

    if server:
        from dunbar.web.api.account import router as account_api
        from dunbar.web.api.teams import router as teams_api
        from dunbar.web.pages.account import router as account_pages
        from dunbar.web.pages.team import router as team_pages

        app.include_router(account_pages)
        app.include_router(team_pages)
        app.include_router(account_api, prefix="/api/v1")
        app.include_router(teams_api, prefix="/api/v1")
    # Pages first: a page request then matches within a few routes; the API's paths all start with /api/v1.
    app.include_router(pages_router)
    app.include_router(api_router)
    return app


def _planner_statistics(db: Db) -> None:
    from dunbar.store import refresh_statistics

    refresh_statistics(db)


# Errors ---------------------------------------------------------------------------------------------------------


def _wants_problem(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def error_response(request: Request, status: int, detail: str, *, hint: str | None = None, code: str = "") -> Response:
    """The one shape of every failure: a problem document under /api/, a calm page everywhere else."""
    title = TITLES.get(status, "Something went wrong")
    if _wants_problem(request):
        body = {
            "type": f"urn:dunbar:problem:{code or CODES.get(status, 'error')}",
            "title": title,
            "status": status,
            "detail": detail,
            "hint": hint,
        }
        return JSONResponse(body, status_code=status, media_type=PROBLEM_TYPE)
    from dunbar.web.pages.render import render

    return render(
        request,
        "error.html",
        {"title": title, "status": status, "detail": detail, "hint": hint},
        status_code=status,
    )


def _to_sign_in(request: Request) -> Response:
    """A browser without a session goes to the sign-in page, and comes back here afterwards (htmx follows the
    ``HX-Redirect`` header instead of swapping the sign-in page into a fragment)."""
    from urllib.parse import quote

    from fastapi.responses import RedirectResponse

    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    target = "/login" if request.method != "GET" or here == "/" else f"/login?next={quote(here, safe='')}"
    if request.headers.get("HX-Request") == "true":
        return Response(status_code=204, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


def _install_error_handlers(app: FastAPI) -> None:
    async def dunbar_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, DunbarError)
        if exc.status == 401 and not _wants_problem(request):
            return _to_sign_in(request)
        hint = exc.hint
        if isinstance(exc, Ambiguous) and hint is None:
            hint = "be more specific, or pick the person from the list"
        response = error_response(request, exc.status, exc.message, hint=hint, code=exc.code)
        response.headers.update(exc.headers)
        return response

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        if exc.status_code == 404:
            detail = "there is nothing at this address"
            hint = "check the link, or start from the people list"
        else:
            detail = str(exc.detail)
            hint = None
        response = error_response(request, exc.status_code, detail, hint=hint)
        if exc.headers:
            response.headers.update(exc.headers)
        return response

    async def validation_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()) if p not in ("body", "query", "path", "form"))
        msg = str(first.get("msg", "invalid request"))
        detail = f"{where}: {msg}" if where else msg
        return error_response(request, 422, detail, hint="check the values you entered")

    async def unexpected(request: Request, exc: Exception) -> Response:
        # A bug: log it for whoever runs the server, never show the traceback to the person using the page.
        log.exception("unexpected error serving %s", request.url.path)
        return error_response(
            request,
            500,
            "dunbar met an unexpected problem and did not finish this request",
            hint="your data is safe; try again, and if it keeps happening, report it with the server's log",
            code="internal",
        )

    app.add_exception_handler(DunbarError, dunbar_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(Exception, unexpected)

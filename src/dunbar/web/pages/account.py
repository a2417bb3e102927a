"""Signing in and out of the team server, and the account page: password and personal API tokens.

Mounted only by ``create_app(server=True)``; an embedded app has no accounts.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from dunbar.errors import DunbarError
from dunbar.server import accounts
from dunbar.web.deps import SESSION_COOKIE, config, current_account, optional_account, server_db
from dunbar.web.pages.render import render

router = APIRouter(include_in_schema=False)

AccountDep = Annotated[Any, Depends(current_account)]


def safe_next(target: str | None) -> str:
    """Only a path on this server: an address elsewhere (``//evil``, ``https://…``) becomes the start page."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@router.get("/login", response_class=HTMLResponse)
async def login_page(request: Request, next: str = "/") -> Response:
    if await optional_account(request) is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return render(request, "account/login.html", {"next": safe_next(next), "username": "", "hide_nav": True})


@router.post("/login", response_class=HTMLResponse)
def login(  # nosec B107  # the form's empty default, not a password
    request: Request,
    username: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    server = server_db(request)
    now = datetime.now(UTC)
    try:
        account = accounts.authenticate(server, username, password, address=client_address(request), now=now)
    except DunbarError as exc:
        ctx = {"next": safe_next(next), "username": username, "error": exc.message, "hint": exc.hint, "hide_nav": True}
        return render(request, "account/login.html", ctx, status_code=exc.status, headers=exc.headers)
    token = accounts.start_session(server, account, now=now)
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(accounts.SESSION_MAX.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=config(request).secure_cookies,
        path="/",
    )
    return response


@router.post("/logout")
def logout(request: Request) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        accounts.end_session(server_db(request), token)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def _account_page(request: Request, account: Any, *, status: int = 200, **extra: Any) -> HTMLResponse:
    server = server_db(request)
    ctx = {"nav": "account", "account": account, "tokens": accounts.list_tokens(server, account), **extra}
    return render(request, "account/account.html", ctx, status_code=status)


@router.get("/account", response_class=HTMLResponse)
def account_page(request: Request, account: AccountDep) -> HTMLResponse:
    return _account_page(request, account)


@router.post("/account/password", response_class=HTMLResponse)
def change_password(
    request: Request,
    account: AccountDep,
    current: Annotated[str, Form(max_length=1000)] = "",
    new: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    server = server_db(request)
    now = datetime.now(UTC)
    try:
        accounts.authenticate(server, account.username, current, address=client_address(request), now=now)
        accounts.set_password(server, account.username, new, now=now)
    except DunbarError as exc:
        return _account_page(request, account, password_error=exc.message, status=exc.status)
    # Every session ended with the old password, this one too: sign in again with the new one.
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.post("/account/tokens", response_class=HTMLResponse)
def new_token(request: Request, account: AccountDep, name: Annotated[str, Form(max_length=200)] = "") -> Response:
    try:
        record, secret = accounts.create_token(server_db(request), account, name, now=datetime.now(UTC))
    except DunbarError as exc:
        return _account_page(request, account, token_error=exc.message, status=exc.status)
    return _account_page(request, account, new_secret=secret, new_token=record)


@router.post("/account/tokens/{token_id}/revoke", response_class=HTMLResponse)
def revoke(request: Request, account: AccountDep, token_id: Annotated[int, Path(ge=1, le=2**31 - 1)]) -> Response:
    accounts.revoke_token(server_db(request), account, token_id, now=datetime.now(UTC))
    return RedirectResponse("/account#tokens", status_code=303)

"""The Team page of the team server: my teams and whether I share with each, "who on my team knows someone at …",
and introduction requests (asked of me: accept, decline, done; asked by me: cancel).

Mounted only by ``create_app(server=True)``. Every form carries the CSRF token; a request that is not mine to act
on is not found (404), as in the API.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from dunbar.errors import DunbarError
from dunbar.server import teams
from dunbar.web.api.common import MAX_ID
from dunbar.web.deps import current_account, server_db
from dunbar.web.pages.render import render

router = APIRouter(include_in_schema=False)

AccountDep = Annotated[Any, Depends(current_account)]
Id = Annotated[int, Path(ge=1, le=MAX_ID)]


def _page(request: Request, account: Any, *, org: str = "", status: int = 200, **extra: Any) -> HTMLResponse:
    server = server_db(request)
    now = datetime.now(UTC)
    found = None
    search_error = None
    if org.strip():
        try:
            found = teams.team_who_knows(server, account, org, now=now)
        except DunbarError as exc:
            search_error = exc.message
    ctx = {
        "nav": "team",
        "account": account,
        "teams": teams.my_teams(server, account),
        "org": org,
        "found": found,
        "search_error": search_error,
        "intros": teams.list_intros(server, account),
        **extra,
    }
    return render(request, "team/team.html", ctx, status_code=status)


@router.get("/team", response_class=HTMLResponse)
def team_page(request: Request, account: AccountDep, org: str = "") -> HTMLResponse:
    return _page(request, account, org=org[:200])


@router.post("/team/{team_id}/sharing")
def sharing(
    request: Request, account: AccountDep, team_id: Id, shares: Annotated[Literal["on", "off"], Form()] = "off"
) -> Response:
    teams.set_sharing(server_db(request), account, team_id, shares == "on")
    return RedirectResponse("/team#teams", status_code=303)


@router.post("/team/intros", response_class=HTMLResponse)
def ask(
    request: Request,
    account: AccountDep,
    ref: Annotated[str, Form(max_length=64)] = "",
    message: Annotated[str, Form(max_length=teams.MAX_MESSAGE)] = "",
    org: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    try:
        teams.ask_intro(server_db(request), account, ref, message, now=datetime.now(UTC))
    except DunbarError as exc:
        return _page(request, account, org=org, ask_error=exc.message, status=exc.status)
    return RedirectResponse("/team#outbox", status_code=303)


@router.post("/team/intros/{request_id}/{action}")
def act(
    request: Request,
    account: AccountDep,
    request_id: Id,
    action: Literal["accept", "decline", "done", "cancel"],
) -> Response:
    teams.act_on_intro(server_db(request), account, request_id, action, now=datetime.now(UTC))
    return RedirectResponse("/team#outbox" if action == "cancel" else "/team#inbox", status_code=303)

"""Two sections of the person page loaded after it (like the strength panel): their open follow-ups, with done
and snooze, and the give-and-take sentence of the favour ledger.

They live apart from ``person`` so the page itself stays as fast as it is: each is one small request of its own.
Without JavaScript the page links to them; their buttons then redirect back to the person's page.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from dunbar import followups, ledger, people
from dunbar.errors import NotFound
from dunbar.store.db import Db
from dunbar.web.deps import Clock, get_clock, get_db
from dunbar.web.pages.render import is_htmx, render

router = APIRouter()

MAX_ID = 2**31 - 1
# "Snooze for …" choices, in days.
SNOOZES = ((7, "a week"), (14, "two weeks"), (30, "a month"))

DbDep = Annotated[Db, Depends(get_db)]
ClockDep = Annotated[Clock, Depends(get_clock)]
Id = Annotated[int, Path(ge=1, le=MAX_ID)]


def _follow_ups(request: Request, db: Db, pid: int, message: str = "") -> HTMLResponse:
    p = people.get_person(db, pid, deleted=False)
    items = followups.list_(db, person_id=pid)
    return render(request, "person/followups.html", {"p": p, "items": items, "snoozes": SNOOZES, "message": message})


def _after(request: Request, db: Db, pid: int, message: str) -> Response:
    if not is_htmx(request):
        return RedirectResponse(f"/people/{pid}#follow-ups", status_code=303)
    return _follow_ups(request, db, pid, message)


def _own(db: Db, pid: int, fid: int) -> None:
    """A follow-up acted on from a person's page must be theirs."""
    if followups.get(db, fid)["person"]["id"] != pid:
        raise NotFound(f"no follow-up #{fid} for person #{pid}")


@router.get("/people/{pid}/follow-ups", response_class=HTMLResponse)
def follow_ups_section(request: Request, pid: Id, db: DbDep) -> HTMLResponse:
    return _follow_ups(request, db, pid)


@router.post("/people/{pid}/follow-ups/{fid}/done", response_class=HTMLResponse)
def follow_up_done(request: Request, pid: Id, fid: Id, db: DbDep, clock: ClockDep) -> Response:
    _own(db, pid, fid)
    followups.done(db, fid, now=clock.now)
    return _after(request, db, pid, "Done.")


@router.post("/people/{pid}/follow-ups/{fid}/snooze", response_class=HTMLResponse)
def follow_up_snooze(
    request: Request, pid: Id, fid: Id, db: DbDep, clock: ClockDep, days: Annotated[int, Form(ge=1, le=3650)] = 7
) -> Response:
    _own(db, pid, fid)
    until = clock.today + timedelta(days=days)
    followups.snooze(db, fid, until)
    return _after(request, db, pid, f"Moved to {until.isoformat()}.")


@router.get("/people/{pid}/give", response_class=HTMLResponse)
def give_section(request: Request, pid: Id, db: DbDep, clock: ClockDep) -> HTMLResponse:
    p = people.get_person(db, pid, deleted=False)
    found = None if p["is_me"] else ledger.balance(db, pid, today=clock.today)
    return render(request, "person/give.html", {"p": p, "balance": found})

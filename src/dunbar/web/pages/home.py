"""The start: a calm first-run page while the network is empty, then the day's agenda."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from dunbar import people
from dunbar.store.db import Db
from dunbar.web.deps import Clock, get_clock, get_db
from dunbar.web.pages.render import render

router = APIRouter()

DbDep = Annotated[Db, Depends(get_db)]
ClockDep = Annotated[Clock, Depends(get_clock)]


def is_empty(db: Db) -> bool:
    """No one in the network yet (me aside)."""
    return not people.list_people(db, people.ListQuery(limit=1))


def _welcome(request: Request, db: Db) -> HTMLResponse:
    # The demo fills only a database with nobody in it, not even "me" (as after `dunbar init`): offer it only then.
    return render(request, "welcome.html", {"nav": "", "demo_possible": people.get_me(db) is None and is_empty(db)})


@router.get("/", response_class=HTMLResponse)
def home(request: Request, db: DbDep, clock: ClockDep) -> Response:
    if is_empty(db):
        return _welcome(request, db)
    from dunbar.web.pages.today import today_page

    return today_page(request, db, clock)


@router.get("/welcome", response_class=HTMLResponse)
def welcome(request: Request, db: DbDep) -> HTMLResponse:
    return _welcome(request, db)


@router.post("/demo", response_class=HTMLResponse)
def make_demo(request: Request, db: DbDep, clock: ClockDep) -> Response:
    """Fill this (empty) database with the demo network; the service refuses a database with people in it."""
    from dunbar import demo

    demo.generate(db, today=clock.today)
    return RedirectResponse("/today", status_code=303)

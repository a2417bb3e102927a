"""Today: the agenda with its reasons and conversation hooks; done, snooze and skip in one click; follow-ups due;
and a few dormant ties worth reviving."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from dunbar import agenda, followups
from dunbar.store.db import Db
from dunbar.web.deps import Clock, get_clock, get_db
from dunbar.web.pages import memo
from dunbar.web.pages.forms import blank
from dunbar.web.pages.render import is_htmx, render

router = APIRouter()

MAX_ID = 2**31 - 1
DORMANT = 5
# "Snooze for …" choices, in days.
SNOOZES = ((7, "a week"), (14, "two weeks"), (30, "a month"), (90, "three months"))

DbDep = Annotated[Db, Depends(get_db)]
ClockDep = Annotated[Clock, Depends(get_clock)]
Id = Annotated[int, Path(ge=1, le=MAX_ID)]


def todays_items(request: Request, db: Db, clock: Clock) -> list[dict[str, Any]]:
    """``agenda.today`` for this request: ~7 ms at 30,000 people, so kept per day while the data stays the same
    (SQLite's change counter sees the app's own writes and those of the CLI alike; see ``memo``)."""
    return memo.remember(request, db, clock, "agenda", lambda: agenda.today(db, today=clock.today, now=clock.now))


def _agenda(request: Request, db: Db, clock: Clock, message: str = "") -> dict[str, Any]:
    return {"nav": "today", "items": todays_items(request, db, clock), "snoozes": SNOOZES, "message": message}


def _answer(request: Request, db: Db, clock: Clock, message: str) -> Response:
    """After an action: the refreshed list (the next in line takes the freed slot), or back to the page."""
    if not is_htmx(request):
        return RedirectResponse("/today", status_code=303)
    return render(request, "today_list.html", _agenda(request, db, clock, message))


def today_page(request: Request, db: Db, clock: Clock) -> HTMLResponse:
    """The Today page (also the start page once there are people); may write, so called off the event loop."""
    return render(request, "today.html", _agenda(request, db, clock))


@router.get("/today", response_class=HTMLResponse)
async def today_route(request: Request, db: DbDep, clock: ClockDep) -> HTMLResponse:
    # The usual case, the day's list already computed, is rendered on the event loop; computing it records
    # the list (a write that may wait for another writer), so that goes to the thread pool.
    if memo.known(request, db, clock, "agenda"):
        return today_page(request, db, clock)
    return await run_in_threadpool(today_page, request, db, clock)


@router.get("/today/dormant", response_class=HTMLResponse)
def dormant(request: Request, db: DbDep, clock: ClockDep) -> HTMLResponse:
    """Ties worth reviving: loaded after the agenda, so the list itself shows as soon as it can."""
    found = memo.remember(
        request, db, clock, "dormant", lambda: agenda.dormant(db, today=clock.today, now=clock.now, limit=DORMANT)
    )
    return render(request, "today_dormant.html", {"dormant": found})


@router.post("/today/{pid}/done", response_class=HTMLResponse)
def done(request: Request, pid: Id, db: DbDep, clock: ClockDep, note: Annotated[str, Form()] = "") -> Response:
    agenda.done(db, pid, now=clock.now, note=blank(note))
    return _answer(request, db, clock, "Done: logged that you were in touch.")


@router.post("/today/{pid}/snooze", response_class=HTMLResponse)
def snooze(
    request: Request, pid: Id, db: DbDep, clock: ClockDep, days: Annotated[int, Form(ge=1, le=3650)] = 7
) -> Response:
    until = clock.today + timedelta(days=days)
    agenda.snooze(db, pid, until, today=clock.today)
    return _answer(request, db, clock, f"Snoozed until {until.isoformat()}.")


@router.post("/today/{pid}/skip", response_class=HTMLResponse)
def skip(request: Request, pid: Id, db: DbDep, clock: ClockDep) -> Response:
    agenda.skip(db, pid, today=clock.today)
    return _answer(request, db, clock, "Skipped for today.")


@router.post("/follow-ups/{fid}/done", response_class=HTMLResponse)
def follow_up_done(request: Request, fid: Id, db: DbDep, clock: ClockDep) -> Response:
    followups.done(db, fid, now=clock.now)
    return _answer(request, db, clock, "Follow-up done.")

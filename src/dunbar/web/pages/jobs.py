"""Jobs: the board of opportunities by stage, adding one and moving it along, what the numbers honestly say
about channels, target organizations, and what to do next.

Forms post, call one service and redirect back to the board (post/redirect/get) with a fixed message key.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from dunbar import jobs, people
from dunbar.scoring.jobstats import ACTIVE_STAGES, CHANNELS, STAGES
from dunbar.store.db import Db
from dunbar.web.deps import Clock, get_clock, get_db
from dunbar.web.pages.forms import blank, optional_date
from dunbar.web.pages.render import render

router = APIRouter()

MAX_ID = 2**31 - 1

DbDep = Annotated[Db, Depends(get_db)]
ClockDep = Annotated[Clock, Depends(get_clock)]
Id = Annotated[int, Path(ge=1, le=MAX_ID)]

MESSAGES = {
    "added": "Opportunity added.",
    "moved": "Moved.",
    "target": "Target added.",
}


@router.get("/jobs", response_class=HTMLResponse)
def jobs_page(request: Request, db: DbDep, clock: ClockDep, ok: str | None = None) -> HTMLResponse:
    board = jobs.board(db)
    return render(
        request,
        "jobs/board.html",
        {
            "nav": "jobs",
            "message": MESSAGES.get(ok or "", ""),
            "board": board,
            "count": sum(len(v) for v in board.values()),
            "active": ACTIVE_STAGES,
            "stages": STAGES,
            "channels": CHANNELS,
            "roles": jobs.PERSON_ROLES,
            "stats": jobs.stats(db, today=clock.today),
            "suggestions": jobs.suggestions(db, today=clock.today),
            "targets": jobs.list_targets(db),
        },
    )


@router.post("/jobs")
def add_opportunity(
    db: DbDep,
    clock: ClockDep,
    org: Annotated[str, Form()] = "",
    role: Annotated[str, Form()] = "",
    channel: Annotated[str, Form()] = "cold",
    stage: Annotated[str, Form()] = "saved",
    link: Annotated[str, Form()] = "",
    on: Annotated[str, Form()] = "",
    person: Annotated[str, Form()] = "",
    person_role: Annotated[str, Form()] = "referrer",
    note: Annotated[str, Form()] = "",
) -> RedirectResponse:
    who = blank(person)
    linked = [(people.resolve(db, who), person_role)] if who else []
    jobs.add(
        db,
        org=org,
        role=role,
        channel=channel,
        link=blank(link),
        stage=stage,
        on=optional_date(on, "the day") or clock.today,
        people=linked,
        note=blank(note),
        now=clock.now,
    )
    return RedirectResponse("/jobs?ok=added", status_code=303)


@router.post("/jobs/{opp_id}/move")
def move_opportunity(
    opp_id: Id,
    db: DbDep,
    clock: ClockDep,
    stage: Annotated[str, Form()],
    on: Annotated[str, Form()] = "",
) -> RedirectResponse:
    jobs.move(db, opp_id, stage, on=optional_date(on, "the day") or clock.today, now=clock.now)
    return RedirectResponse("/jobs?ok=moved", status_code=303)


@router.post("/jobs/targets")
def add_target(
    db: DbDep, clock: ClockDep, org: Annotated[str, Form()] = "", why: Annotated[str, Form()] = ""
) -> RedirectResponse:
    jobs.add_target(db, org, why=blank(why), now=clock.now)
    return RedirectResponse("/jobs?ok=target", status_code=303)

"""/follow-ups: promises to people, due on a day; list, add, done, snooze, cancel."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Response

from dunbar import followups
from dunbar.web.api.agenda import until
from dunbar.web.api.common import (
    MAX_ID,
    PROBLEM_RESPONSES,
    ClockDep,
    DbDep,
    Limit,
    Offset,
    Page,
    ProblemRoute,
    window,
)
from dunbar.web.api.models import FollowUp, FollowUpInput, IsoDate, SnoozeInput

router = APIRouter(tags=["follow-ups"], route_class=ProblemRoute, responses=PROBLEM_RESPONSES)

FollowUpId = Annotated[int, Path(ge=1, le=MAX_ID, description="A follow-up's id")]


@router.get("/follow-ups", response_model=Page[FollowUp], summary="Follow-ups by due day")
def list_follow_ups(
    db: DbDep,
    limit: Limit = 50,
    offset: Offset = 0,
    status: Literal["open", "done", "cancelled", "all"] = "open",
    due_before: Annotated[IsoDate | None, Query(description="Only those due on or before this day")] = None,
    person_id: Annotated[int | None, Query(ge=1, le=MAX_ID, description="Only this person's")] = None,
) -> dict[str, Any]:
    rows = followups.list_(db, status=None if status == "all" else status, due_before=due_before, person_id=person_id)
    return window(rows, limit=limit, offset=offset)


@router.post("/follow-ups", response_model=FollowUp, status_code=201, summary="Promise something by a day")
def add_follow_up(body: FollowUpInput, db: DbDep, clock: ClockDep, response: Response) -> dict[str, Any]:
    due = until(clock.today, body.due_on, body.in_)
    fid = followups.add(db, body.person_id, body.text, due, now=clock.now)
    response.headers["Location"] = f"/api/v1/follow-ups/{fid}"
    return followups.get(db, fid)


@router.get("/follow-ups/{follow_up_id}", response_model=FollowUp, summary="One follow-up")
def get_follow_up(follow_up_id: FollowUpId, db: DbDep) -> dict[str, Any]:
    return followups.get(db, follow_up_id)


@router.post("/follow-ups/{follow_up_id}/done", response_model=FollowUp, summary="The promise is kept")
def follow_up_done(follow_up_id: FollowUpId, db: DbDep, clock: ClockDep) -> dict[str, Any]:
    followups.done(db, follow_up_id, now=clock.now)
    return followups.get(db, follow_up_id)


@router.post("/follow-ups/{follow_up_id}/snooze", response_model=FollowUp, summary="Move it to another day")
def follow_up_snooze(follow_up_id: FollowUpId, body: SnoozeInput, db: DbDep, clock: ClockDep) -> dict[str, Any]:
    followups.snooze(db, follow_up_id, until(clock.today, body.until, body.duration))
    return followups.get(db, follow_up_id)


@router.post("/follow-ups/{follow_up_id}/cancel", response_model=FollowUp, summary="The promise no longer stands")
def follow_up_cancel(follow_up_id: FollowUpId, db: DbDep, clock: ClockDep) -> dict[str, Any]:
    followups.cancel(db, follow_up_id, now=clock.now)
    return followups.get(db, follow_up_id)

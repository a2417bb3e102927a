"""/agenda and /dormant: who to reach out to today, what I did about it, and ties worth reviving; /circles:
the circles strength suggests, and applying them."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from dunbar import agenda, people, strength
from dunbar.errors import InvalidInput, NotFound
from dunbar.text import parse_duration
from dunbar.web.api.common import PROBLEM_RESPONSES, ClockDep, DbDep, PersonId, ProblemRoute
from dunbar.web.api.models import (
    AgendaDoneInput,
    AgendaItem,
    CirclesInput,
    CircleSuggestion,
    Count,
    DormantTie,
    Logged,
    SnoozeInput,
)

router = APIRouter(tags=["agenda"], route_class=ProblemRoute, responses=PROBLEM_RESPONSES)

Many = Annotated[int, Query(ge=1, le=500, description="How many people at most")]


def until(today: date, day: date | None, duration: str | None) -> date:
    """The day of a snooze body: ``until`` itself, or ``duration`` from today; exactly one of the two."""
    if (day is None) == (duration is None):
        raise InvalidInput("give either until or duration", hint='like {"until": "2026-12-24"} or {"duration": "2w"}')
    if day is not None:
        return day
    assert duration is not None
    try:
        return today + parse_duration(duration)
    except OverflowError:  # "99999999y": past the last day a calendar holds
        raise InvalidInput(f"{duration} is too far ahead", hint="use a span of a few years at most") from None


@router.get("/agenda", response_model=list[AgendaItem], summary="Today's agenda, most pressing first")
def get_agenda(
    db: DbDep,
    clock: ClockDep,
    limit: Annotated[int | None, Query(ge=1, le=500, description="How many people (the setting when omitted)")] = None,
) -> list[dict[str, Any]]:
    return agenda.today(db, today=clock.today, now=clock.now, limit=limit)


@router.post("/agenda/{person_id}/done", response_model=Logged, status_code=201, summary="I reached out")
def agenda_done(person_id: PersonId, body: AgendaDoneInput, db: DbDep, clock: ClockDep) -> dict[str, Any]:
    return {"interaction_id": agenda.done(db, person_id, now=clock.now, note=body.note, kind=body.kind)}


@router.post("/agenda/{person_id}/snooze", status_code=204, summary="Keep a person off the agenda for a while")
def agenda_snooze(person_id: PersonId, body: SnoozeInput, db: DbDep, clock: ClockDep) -> Response:
    agenda.snooze(db, person_id, until(clock.today, body.until, body.duration), today=clock.today)
    return Response(status_code=204)


@router.post("/agenda/{person_id}/skip", status_code=204, summary="Not today")
def agenda_skip(person_id: PersonId, db: DbDep, clock: ClockDep) -> Response:
    agenda.skip(db, person_id, today=clock.today)
    return Response(status_code=204)


@router.get("/dormant", response_model=list[DormantTie], summary="Ties worth reviving, most valuable first")
def get_dormant(db: DbDep, clock: ClockDep, limit: Many = 20) -> list[dict[str, Any]]:
    return agenda.dormant(db, today=clock.today, now=clock.now, limit=limit)


@router.get(
    "/circles/suggestions", response_model=list[CircleSuggestion], summary="The circle strength suggests for each"
)
def circle_suggestions(
    db: DbDep,
    clock: ClockDep,
    changed: Annotated[bool, Query(description="Only people whose circle would change")] = False,
) -> list[dict[str, Any]]:
    found = strength.suggest_circles(db, now=clock.now)
    return [s for s in found if s["changed"]] if changed else found


@router.post("/circles", response_model=Count, summary="Set people's circles")
def apply_circles(body: CirclesInput, db: DbDep, clock: ClockDep) -> dict[str, Any]:
    changes = {c.person_id: c.circle for c in body.changes}
    missing = sorted(set(changes) - set(people.summary(db, list(changes))))
    if missing:
        raise NotFound(f"no person #{missing[0]}", hint="GET /api/v1/circles/suggestions lists the people")
    return {"count": strength.apply_circles(db, changes, now=clock.now)}

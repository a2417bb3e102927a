"""/targets and /jobs: organizations I want to work at, and the opportunities of a job search."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response

from dunbar import jobs
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
from dunbar.web.api.models import (
    JobPersonInput,
    Line,
    MoveInput,
    Name,
    Opportunity,
    OpportunityInput,
    Report,
    Target,
    TargetInput,
)

router = APIRouter(tags=["jobs"], route_class=ProblemRoute, responses=PROBLEM_RESPONSES)

JobId = Annotated[int, Path(ge=1, le=MAX_ID, description="An opportunity's id")]


@router.get("/targets", response_model=Page[Target], summary="Target organizations, by name")
def list_targets(
    db: DbDep,
    limit: Limit = 50,
    offset: Offset = 0,
    include_dropped: Annotated[bool, Query(description="Dropped targets too")] = False,
) -> dict[str, Any]:
    return window(jobs.list_targets(db, include_dropped=include_dropped), limit=limit, offset=offset)


@router.post("/targets", response_model=Target, status_code=201, summary="Make an organization a target")
def add_target(body: TargetInput, db: DbDep, clock: ClockDep) -> dict[str, Any]:
    tid = jobs.add_target(db, body.org, why=body.why, now=clock.now)
    return next(t for t in jobs.list_targets(db, include_dropped=True) if t["id"] == tid)


@router.delete("/targets/{org}", status_code=204, summary="Drop a target")
def drop_target(org: Annotated[Name, Path(description="The organization's name")], db: DbDep) -> Response:
    jobs.drop_target(db, org)
    return Response(status_code=204)


@router.get("/jobs", response_model=Page[Opportunity], summary="Opportunities")
def list_jobs(
    db: DbDep,
    limit: Limit = 50,
    offset: Offset = 0,
    stage: Annotated[Line | None, Query(description="Only those at this stage")] = None,
    org: Annotated[Line | None, Query(description="Only those at this organization")] = None,
    active: Annotated[bool, Query(description="Only those still in play")] = False,
) -> dict[str, Any]:
    rows = jobs.list_(db, stage=stage or None, org=org or None, active_only=active)
    return window(rows, limit=limit, offset=offset)


@router.post("/jobs", response_model=Opportunity, status_code=201, summary="Record an opportunity")
def add_job(body: OpportunityInput, db: DbDep, clock: ClockDep, response: Response) -> dict[str, Any]:
    oid = jobs.add(
        db,
        org=body.org,
        role=body.role,
        channel=body.channel,
        link=body.link,
        stage=body.stage,
        on=body.on or clock.today,
        people=[(p.person_id, p.role) for p in body.people],
        note=body.note,
        now=clock.now,
    )
    response.headers["Location"] = f"/api/v1/jobs/{oid}"
    return jobs.get(db, oid)


@router.get("/jobs/board", response_model=dict[str, list[Opportunity]], summary="Opportunities by stage")
def board(db: DbDep) -> dict[str, list[dict[str, Any]]]:
    return jobs.board(db)


@router.get("/jobs/stats", response_model=Report, summary="How each channel does")
def stats(db: DbDep, clock: ClockDep) -> dict[str, Any]:
    return jobs.stats(db, today=clock.today)


@router.get("/jobs/suggestions", response_model=list[Report], summary="What to do next, each with its reason")
def suggestions(db: DbDep, clock: ClockDep) -> list[dict[str, Any]]:
    return jobs.suggestions(db, today=clock.today)


@router.get("/jobs/{job_id}", response_model=Opportunity, summary="One opportunity")
def get_job(job_id: JobId, db: DbDep) -> dict[str, Any]:
    return jobs.get(db, job_id)


@router.post("/jobs/{job_id}/move", response_model=Opportunity, summary="Move an opportunity to a stage")
def move_job(job_id: JobId, body: MoveInput, db: DbDep, clock: ClockDep) -> dict[str, Any]:
    jobs.move(db, job_id, body.stage, on=body.on or clock.today, note=body.note, now=clock.now)
    return jobs.get(db, job_id)


@router.post("/jobs/{job_id}/people", response_model=Opportunity, summary="Attach a person to an opportunity")
def link_person(job_id: JobId, body: JobPersonInput, db: DbDep, clock: ClockDep) -> dict[str, Any]:
    jobs.link_person(db, job_id, body.person_id, body.role, on=clock.today, now=clock.now)
    return jobs.get(db, job_id)

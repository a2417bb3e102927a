"""/ties, /who-knows, /paths and /network: who knows whom, who can get me in, and the shape of my network."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from dunbar import graph, people, ties
from dunbar.web.api.common import MAX_ID, PROBLEM_RESPONSES, ClockDep, DbDep, PersonId, ProblemRoute
from dunbar.web.api.models import Name, Report, Tie, TieInput

router = APIRouter(tags=["network"], route_class=ProblemRoute, responses=PROBLEM_RESPONSES)

TieId = Annotated[int, Path(ge=1, le=MAX_ID, description="A tie's id")]


@router.post("/ties", response_model=Tie, status_code=201, summary="State that two people know each other")
def add_tie(body: TieInput, db: DbDep, clock: ClockDep) -> dict[str, Any]:
    tid = ties.link(db, body.a, body.b, how=body.how, strength=body.strength, now=clock.now)
    return ties.get(db, tid)


@router.post("/ties/infer", response_model=dict[str, int], summary="Infer ties from interactions, jobs, intros")
def infer_ties(db: DbDep, clock: ClockDep) -> dict[str, int]:
    return ties.infer(db, now=clock.now)


@router.post("/ties/{tie_id}/confirm", response_model=Tie, summary="Confirm an inferred tie")
def confirm_tie(tie_id: TieId, db: DbDep, clock: ClockDep) -> dict[str, Any]:
    ties.confirm(db, tie_id, now=clock.now)
    return ties.get(db, tie_id)


@router.post("/ties/{tie_id}/reject", response_model=Tie, summary="Reject an inferred tie")
def reject_tie(tie_id: TieId, db: DbDep, clock: ClockDep) -> dict[str, Any]:
    ties.reject(db, tie_id, now=clock.now)
    return ties.get(db, tie_id)


@router.get("/people/{person_id}/ties", response_model=list[Tie], summary="A person's ties, strongest first")
def person_ties(
    person_id: PersonId,
    db: DbDep,
    rejected: Annotated[bool, Query(description="Rejected ties too")] = False,
) -> list[dict[str, Any]]:
    people.get_person(db, person_id)  # no such person is a 404, not an empty list
    return ties.ties_of(db, person_id, include_rejected=rejected)


@router.get("/who-knows", response_model=Report, summary="Who can tell me about, or get me into, an organization")
def who_knows(
    db: DbDep,
    clock: ClockDep,
    org: Annotated[Name, Query(description="The organization (its name or the start of it)")],
    limit: Annotated[int, Query(ge=1, le=500, description="How many people of each degree")] = 20,
) -> dict[str, Any]:
    return graph.who_knows(db, org, now=clock.now, today=clock.today, limit=limit)


@router.get("/paths", response_model=list[Report], summary="The warmest paths from me to a person or organization")
def paths(
    db: DbDep,
    clock: ClockDep,
    to: Annotated[Name, Query(description='A person ("#12", an e-mail, a name) or an organization')],
    k: Annotated[int, Query(ge=1, le=20, description="How many paths")] = 3,
    max_hops: Annotated[int, Query(ge=1, le=6, description="The longest path")] = 3,
) -> list[dict[str, Any]]:
    what, target = graph.resolve_target(db, to)
    if what == "person":
        return graph.paths(db, to_person=target, k=k, max_hops=max_hops, now=clock.now, today=clock.today)
    return graph.paths(db, to_org=target, k=k, max_hops=max_hops, now=clock.now, today=clock.today)


@router.get("/network", response_model=Report, summary="The shape of my network: clusters and brokers")
def network(
    db: DbDep,
    clock: ClockDep,
    brokers: Annotated[int, Query(ge=0, le=100, description="How many brokers")] = 10,
) -> dict[str, Any]:
    return graph.network(db, now=clock.now, brokers=brokers)

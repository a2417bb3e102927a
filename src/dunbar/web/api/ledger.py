"""/favours and balances: the favour ledger, who owes whom, and whether to ask someone for a favour."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Response

from dunbar import ledger
from dunbar.web.api.common import (
    MAX_ID,
    PROBLEM_RESPONSES,
    ClockDep,
    DbDep,
    Limit,
    Offset,
    Page,
    PersonId,
    ProblemRoute,
    window,
)
from dunbar.web.api.models import Advice, Balance, Favour, FavourChange, FavourInput, Line

router = APIRouter(tags=["favours"], route_class=ProblemRoute, responses=PROBLEM_RESPONSES)

FavourId = Annotated[int, Path(ge=1, le=MAX_ID, description="A favour's id")]


@router.get("/favours", response_model=Page[Favour], summary="Favours, newest first")
def list_favours(
    db: DbDep,
    limit: Limit = 50,
    offset: Offset = 0,
    person_id: Annotated[int | None, Query(ge=1, le=MAX_ID, description="Only this person's")] = None,
    status: Literal["asked", "promised", "done", "declined"] | None = None,
    direction: Literal["given", "received"] | None = None,
) -> dict[str, Any]:
    rows = ledger.list_(db, person_id=person_id, status=status, direction=direction)
    return window(rows, limit=limit, offset=offset)


@router.post("/favours", response_model=Favour, status_code=201, summary="Record a favour")
def add_favour(body: FavourInput, db: DbDep, clock: ClockDep, response: Response) -> dict[str, Any]:
    fid = ledger.record(
        db,
        person_id=body.person_id,
        direction=body.direction,
        kind=body.kind,
        status=body.status,
        weight=body.weight,
        on=body.on or clock.today,
        note=body.note,
        parties=[(p.person_id, p.role) for p in body.parties],
        now=clock.now,
    )
    response.headers["Location"] = f"/api/v1/favours/{fid}"
    return ledger.get(db, fid)


@router.get("/favours/{favour_id}", response_model=Favour, summary="One favour")
def get_favour(favour_id: FavourId, db: DbDep) -> dict[str, Any]:
    return ledger.get(db, favour_id)


@router.patch("/favours/{favour_id}", response_model=Favour, summary="Change a favour's status, day or note")
def edit_favour(favour_id: FavourId, body: FavourChange, db: DbDep, clock: ClockDep) -> dict[str, Any]:
    ledger.update(db, favour_id, status=body.status, done_on=body.done_on, note=body.note, now=clock.now)
    return ledger.get(db, favour_id)


@router.delete("/favours/{favour_id}", status_code=204, summary="Delete a favour")
def delete_favour(favour_id: FavourId, db: DbDep) -> Response:
    ledger.delete(db, favour_id)
    return Response(status_code=204)


@router.get("/balance", response_model=list[Balance], summary="Everyone's balance, the largest amounts first")
def all_balances(db: DbDep, clock: ClockDep) -> list[dict[str, Any]]:
    return ledger.balances(db, today=clock.today)


@router.get("/people/{person_id}/balance", response_model=Balance, summary="Who owes whom with one person")
def person_balance(person_id: PersonId, db: DbDep, clock: ClockDep) -> dict[str, Any]:
    return ledger.balance(db, person_id, today=clock.today)


@router.get("/people/{person_id}/ask-advice", response_model=Advice, summary="Before asking a person for a favour")
def ask_advice(
    person_id: PersonId,
    db: DbDep,
    clock: ClockDep,
    kind: Annotated[Line | None, Query(description="The kind of favour (introduction, referral, ...)")] = None,
) -> dict[str, Any]:
    return ledger.ask_advice(db, person_id, today=clock.today, kind=kind or None)

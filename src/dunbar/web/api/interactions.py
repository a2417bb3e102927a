"""/interactions: log one with several people, show one, delete one."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Response

from dunbar import interactions, people
from dunbar.web.api.common import MAX_ID, PROBLEM_RESPONSES, ClockDep, DbDep, ProblemRoute
from dunbar.web.api.models import InteractionDetail, InteractionInput

router = APIRouter(tags=["interactions"], route_class=ProblemRoute, responses=PROBLEM_RESPONSES)

InteractionId = Annotated[int, Path(ge=1, le=MAX_ID, description="An interaction's id")]


@router.post("/interactions", response_model=InteractionDetail, status_code=201, summary="Log an interaction")
def log_interaction(body: InteractionInput, db: DbDep, clock: ClockDep, response: Response) -> dict[str, Any]:
    ids = [ref if isinstance(ref, int) else people.resolve(db, ref) for ref in body.people]
    iid = interactions.log_interaction(
        db,
        summary=body.summary,
        people=ids,
        kind=body.kind,
        occurred_at=body.occurred_at or clock.now,
        initiator=body.initiator,
        weight=body.weight,
        now=clock.now,
    )
    response.headers["Location"] = f"/api/v1/interactions/{iid}"
    return interactions.get_interaction(db, iid)


@router.get("/interactions/{interaction_id}", response_model=InteractionDetail, summary="One interaction")
def get_interaction(interaction_id: InteractionId, db: DbDep) -> dict[str, Any]:
    return interactions.get_interaction(db, interaction_id)


@router.delete("/interactions/{interaction_id}", status_code=204, summary="Delete an interaction")
def delete_interaction(interaction_id: InteractionId, db: DbDep) -> Response:
    interactions.delete_interaction(db, interaction_id)
    return Response(status_code=204)

"""/people/{id}/strength: a person's tie strength, why, and how it went over time."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from dunbar import strength
from dunbar.web.api.common import PROBLEM_RESPONSES, ClockDep, DbDep, PersonId, ProblemRoute
from dunbar.web.api.models import Strength

router = APIRouter(tags=["strength"], route_class=ProblemRoute, responses=PROBLEM_RESPONSES)


@router.get("/people/{person_id}/strength", response_model=Strength, summary="Strength, explained, with history")
def get_strength(
    person_id: PersonId,
    db: DbDep,
    clock: ClockDep,
    days: Annotated[int, Query(ge=1, le=3660, description="How far back the history goes")] = 365,
    step: Annotated[int, Query(ge=1, le=366, description="Days between two points of the history")] = 7,
) -> dict[str, Any]:
    out = strength.explain(db, person_id, now=clock.now)
    out["history"] = strength.history(db, person_id, now=clock.now, days=days, step=step)
    return out

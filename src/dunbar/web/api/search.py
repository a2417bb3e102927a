"""/search: people, notes and interactions ranked for a few words."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from dunbar import search as search_service
from dunbar.web.api.common import PROBLEM_RESPONSES, DbDep, Limit, Page, ProblemRoute, window
from dunbar.web.api.models import Hit, Short

router = APIRouter(tags=["search"], route_class=ProblemRoute, responses=PROBLEM_RESPONSES)


@router.get("/search", response_model=Page[Hit], summary="Search everything")
def search(
    db: DbDep,
    q: Annotated[Short, Query(description="Words that must all match (as prefixes)")],
    limit: Limit = 20,
    offset: Annotated[int, Query(ge=0, le=1000, description="How many hits to skip")] = 0,
) -> dict[str, Any]:
    hits = search_service.search(db, q, limit=offset + limit + 1)
    return window([h.as_dict() for h in hits], limit=limit, offset=offset)

"""/dedupe and /merges: the review queue of possible duplicates, merging two people and undoing a merge."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Response

from dunbar import merge
from dunbar.web.api.common import MAX_ID, PROBLEM_RESPONSES, ClockDep, DbDep, Limit, Offset, Page, ProblemRoute, window
from dunbar.web.api.models import Candidate, Decision, DecisionInput, Merge, MergeInput

router = APIRouter(tags=["dedupe"], route_class=ProblemRoute, responses=PROBLEM_RESPONSES)

CandidateId = Annotated[int, Path(ge=1, le=MAX_ID, description="A candidate pair's id")]
MergeId = Annotated[int, Path(ge=1, le=MAX_ID, description="A merge's id")]


@router.get("/dedupe", response_model=Page[Candidate], summary="Possible duplicates, best match first")
def candidates(
    db: DbDep,
    limit: Limit = 50,
    offset: Offset = 0,
    status: Annotated[Literal["pending", "merged", "apart"], Query(description="Which pairs")] = "pending",
) -> dict[str, Any]:
    return window(merge.candidates(db, status=status, limit=offset + limit + 1), limit=limit, offset=offset)


@router.post("/dedupe/{candidate_id}", response_model=Decision, summary="Merge a pair or keep them apart")
def decide(candidate_id: CandidateId, body: DecisionInput, db: DbDep, clock: ClockDep) -> dict[str, Any]:
    return merge.decide(db, candidate_id, body.decision, now=clock.now, keep=body.keep)


@router.post("/merges", response_model=Merge, status_code=201, summary="Merge one person into another")
def merge_people(body: MergeInput, db: DbDep, clock: ClockDep, response: Response) -> dict[str, Any]:
    merge_id = merge.merge_people(db, body.survivor, body.merged, now=clock.now)
    response.headers["Location"] = f"/api/v1/merges/{merge_id}"
    return merge.get_merge(db, merge_id)


@router.get("/merges/{merge_id}", response_model=Merge, summary="What a merge did")
def get_merge(merge_id: MergeId, db: DbDep) -> dict[str, Any]:
    return merge.get_merge(db, merge_id)


@router.post("/merges/{merge_id}/undo", response_model=Merge, summary="Undo a merge")
def undo_merge(merge_id: MergeId, db: DbDep, clock: ClockDep) -> dict[str, Any]:
    merge.undo_merge(db, merge_id, now=clock.now)
    return merge.get_merge(db, merge_id)

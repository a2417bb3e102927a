"""/offers-needs, /match and /intros: what people can give and need, who could help whom, and introductions."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Response

from dunbar import matching, offers
from dunbar.errors import InvalidInput
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
from dunbar.web.api.models import Count, IntroInput, Match, OfferNeed, OfferNeedInput, Report

router = APIRouter(tags=["offers and needs"], route_class=ProblemRoute, responses=PROBLEM_RESPONSES)

ItemId = Annotated[int, Path(ge=1, le=MAX_ID, description="An offer's or a need's id")]
Mode = Literal["help-others", "help-me", "intros"]


@router.get("/offers-needs", response_model=Page[OfferNeed], summary="Offers and needs, by person and kind")
def list_offers_needs(
    db: DbDep,
    clock: ClockDep,
    limit: Limit = 50,
    offset: Offset = 0,
    person_id: Annotated[int | None, Query(ge=1, le=MAX_ID, description="Only this person's")] = None,
    kind: Literal["offer", "need"] | None = None,
    status: Literal["active", "suggested", "dismissed", "done"] = "active",
    include_expired: Annotated[bool, Query(description="Expired needs too")] = False,
) -> dict[str, Any]:
    rows = offers.list_(
        db, person_id=person_id, kind=kind, status=status, include_expired=include_expired, today=clock.today
    )
    return window(rows, limit=limit, offset=offset)


@router.post("/offers-needs", response_model=OfferNeed, status_code=201, summary="Record an offer or a need")
def add_offer_need(body: OfferNeedInput, db: DbDep, clock: ClockDep, response: Response) -> dict[str, Any]:
    try:
        iid = offers.add(
            db, body.person_id, body.kind, body.text, since=body.since, expires_on=body.expires_on, now=clock.now
        )
    except OverflowError:  # a need's default lifetime, counted from a day at the end of the calendar
        raise InvalidInput("that need would expire past the last day of the calendar", hint="give expires_on") from None
    response.headers["Location"] = f"/api/v1/offers-needs/{iid}"
    return offers.get(db, iid, today=clock.today)


@router.post("/offers-needs/suggest", response_model=Count, summary="Suggest offers and needs from jobs and notes")
def suggest_offers_needs(db: DbDep, clock: ClockDep) -> dict[str, Any]:
    return {"count": offers.suggest(db, today=clock.today, now=clock.now)}


@router.post("/offers-needs/{item_id}/confirm", response_model=OfferNeed, summary="Accept a suggested one")
def confirm_offer_need(item_id: ItemId, db: DbDep, clock: ClockDep) -> dict[str, Any]:
    offers.confirm(db, item_id)
    return offers.get(db, item_id, today=clock.today)


@router.post("/offers-needs/{item_id}/dismiss", response_model=OfferNeed, summary="Set one aside")
def dismiss_offer_need(item_id: ItemId, db: DbDep, clock: ClockDep) -> dict[str, Any]:
    offers.dismiss(db, item_id)
    return offers.get(db, item_id, today=clock.today)


@router.post("/offers-needs/{item_id}/done", response_model=OfferNeed, summary="A need is met, an offer is used")
def done_offer_need(item_id: ItemId, db: DbDep, clock: ClockDep) -> dict[str, Any]:
    offers.done(db, item_id)
    return offers.get(db, item_id, today=clock.today)


@router.get("/match/{mode}", response_model=list[Match], summary="Who could help whom, best first")
def match(
    mode: Mode,
    db: DbDep,
    clock: ClockDep,
    limit: Annotated[int, Query(ge=1, le=500, description="How many matches at most")] = 20,
) -> list[dict[str, Any]]:
    # Lexical matching only: the semantic model is a large optional download a request should not wait for.
    return matching.run(db, mode, today=clock.today, limit=limit, semantic=False)


@router.post("/intros", response_model=Report, status_code=201, summary="Record that I introduced two people")
def introduce(body: IntroInput, db: DbDep, clock: ClockDep) -> dict[str, Any]:
    return matching.introduce(db, body.a, body.b, note=body.note, today=clock.today, now=clock.now)

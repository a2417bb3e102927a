"""/me: who the user is (their name, e-mail addresses and LinkedIn URL), so imports tell mine from theirs."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from dunbar import people
from dunbar.errors import NotFound
from dunbar.web.api.common import PROBLEM_RESPONSES, ClockDep, DbDep, ProblemRoute
from dunbar.web.api.models import MeInput, Person

router = APIRouter(tags=["me"], route_class=ProblemRoute, responses=PROBLEM_RESPONSES)


@router.get("/me", response_model=Person, summary="Who I am")
def get_me(db: DbDep) -> dict[str, Any]:
    me = people.get_me(db)
    if me is None:
        raise NotFound("you have not said who you are yet", hint="PUT /api/v1/me with your name and e-mails")
    return me


@router.put("/me", response_model=Person, summary="Say who I am")
def set_me(body: MeInput, db: DbDep, clock: ClockDep) -> dict[str, Any]:
    pid = people.set_me(db, name=body.name, emails=body.emails, linkedin=body.linkedin, now=clock.now)
    return people.get_person(db, pid)

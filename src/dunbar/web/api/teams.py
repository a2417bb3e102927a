"""/teams and /teams/intros on the team server: my teams and my sharing, who on my teams knows someone somewhere, and
introduction requests.

The response models name every key a teammate may see (``ContactOut``), so even the documented shape cannot
carry more than ``dunbar.server.teams.CONTACT_KEYS``. Changing teams is for administrators (403 for others).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, Field

from dunbar.server import teams
from dunbar.web.api.common import MAX_ID, PROBLEM_RESPONSES, ProblemRoute
from dunbar.web.deps import current_account, server_db

router = APIRouter(tags=["teams"], route_class=ProblemRoute, responses=PROBLEM_RESPONSES)
AccountDep = Annotated[Any, Depends(current_account)]
TeamId = Annotated[int, Path(ge=1, le=MAX_ID, description="A team's id")]
RequestId = Annotated[int, Path(ge=1, le=MAX_ID, description="An introduction request's id")]


class MemberOut(BaseModel):
    username: str
    name: str
    shares: bool = Field(description="Whether they share their relationships with this team")


class TeamOut(BaseModel):
    id: int
    name: str
    members: list[MemberOut]


class MyTeamOut(TeamOut):
    shares: bool = Field(description="Whether I share my relationships with this team")


class TeamInput(BaseModel):
    name: str = Field(min_length=1, max_length=teams.MAX_TEAM_NAME)


class MemberInput(BaseModel):
    username: str = Field(min_length=1, max_length=64)


class SharingInput(BaseModel):
    shares: bool = Field(description="Share that I know someone and how well (never notes, interactions, favours)")


class Teammate(BaseModel):
    username: str
    name: str


class ContactOut(BaseModel):
    """All a teammate ever sees of one of my contacts."""

    teammate: Teammate
    ref: str = Field(description="Opaque: pass it to POST /teams/intros to ask for an introduction")
    name: str
    organization: str | None
    title: str | None
    strength: int = Field(ge=0, le=100)


class TeamWhoKnows(BaseModel):
    organization: str = Field(description="The organization as asked")
    results: list[ContactOut]
    count: int


class TeamPath(ContactOut):
    rank: int
    kind: Literal["person", "organization"]
    text: str


class TeamPaths(BaseModel):
    to: str
    paths: list[TeamPath]


class IntroInput(BaseModel):
    ref: str = Field(min_length=1, max_length=64, description="A contact's ref from /teams/who-knows or /paths")
    message: str = Field(default="", max_length=teams.MAX_MESSAGE)


class IntroTarget(BaseModel):
    ref: str
    name: str
    organization: str | None


class TeamRef(BaseModel):
    id: int
    name: str


class IntroOut(BaseModel):
    id: int
    team: TeamRef
    requester: Teammate
    introducer: Teammate
    target: IntroTarget
    message: str
    status: Literal["pending", "accepted", "declined", "done", "cancelled"]
    direction: Literal["incoming", "outgoing"]
    actions: list[Literal["accept", "decline", "done", "cancel"]] = Field(
        description="What I may do to it now (POST /teams/intros/{id}/{action})"
    )
    created_at: datetime
    decided_at: datetime | None
    done_at: datetime | None
    favour_id: int | None = Field(description="The favour it became, in my own network")


class IntroList(BaseModel):
    incoming: list[IntroOut]
    outgoing: list[IntroOut]


def _now() -> datetime:
    return datetime.now(UTC)


@router.get("/teams", response_model=list[MyTeamOut], summary="My teams and whether I share with each")
def get_teams(request: Request, account: AccountDep) -> list[dict[str, Any]]:
    return teams.my_teams(server_db(request), account)


@router.post("/teams", response_model=TeamOut, status_code=201, summary="Make a team (administrators)")
def post_team(request: Request, body: TeamInput, account: AccountDep) -> dict[str, Any]:
    teams.require_admin(account)
    return teams.create_team(server_db(request), body.name, now=_now())


@router.post("/teams/{team_id}/members", response_model=TeamOut, summary="Put a user on a team (administrators)")
def post_member(request: Request, team_id: TeamId, body: MemberInput, account: AccountDep) -> dict[str, Any]:
    teams.require_admin(account)
    return teams.add_member(server_db(request), team_id, body.username, now=_now())


@router.delete(
    "/teams/{team_id}/members/{username}", response_model=TeamOut, summary="Take a user off a team (administrators)"
)
def delete_member(
    request: Request, team_id: TeamId, username: Annotated[str, Path(max_length=64)], account: AccountDep
) -> dict[str, Any]:
    teams.require_admin(account)
    return teams.remove_member(server_db(request), team_id, username)


@router.put("/teams/{team_id}/sharing", response_model=MyTeamOut, summary="Share with one of my teams, or stop")
def put_sharing(request: Request, team_id: TeamId, body: SharingInput, account: AccountDep) -> dict[str, Any]:
    return teams.set_sharing(server_db(request), account, team_id, body.shares)


@router.get("/teams/who-knows", response_model=TeamWhoKnows, summary="Who on my teams knows someone at an organization")
def get_team_who_knows(
    request: Request, account: AccountDep, org: Annotated[str, Query(min_length=1, max_length=200)]
) -> dict[str, Any]:
    return teams.team_who_knows(server_db(request), account, org, now=_now())


@router.get("/teams/paths", response_model=TeamPaths, summary="Me → a teammate → their contact at a person or org")
def get_team_paths(
    request: Request, account: AccountDep, to: Annotated[str, Query(min_length=1, max_length=200)]
) -> dict[str, Any]:
    return teams.team_paths(server_db(request), account, to, now=_now())


@router.get("/teams/intros", response_model=IntroList, summary="Introduction requests to me and from me")
def get_intros(request: Request, account: AccountDep) -> dict[str, Any]:
    return teams.list_intros(server_db(request), account)


@router.post("/teams/intros", response_model=IntroOut, status_code=201, summary="Ask a teammate for an introduction")
def post_intro(request: Request, body: IntroInput, account: AccountDep) -> dict[str, Any]:
    return teams.ask_intro(server_db(request), account, body.ref, body.message, now=_now())


@router.get("/teams/intros/{request_id}", response_model=IntroOut, summary="One introduction request")
def get_intro(request: Request, request_id: RequestId, account: AccountDep) -> dict[str, Any]:
    return teams.get_intro(server_db(request), account, request_id)


@router.post(
    "/teams/intros/{request_id}/{action}",
    response_model=IntroOut,
    summary="Accept, decline or mark done (the introducer), or cancel (the requester)",
)
def post_intro_action(
    request: Request,
    request_id: RequestId,
    action: Literal["accept", "decline", "done", "cancel"],
    account: AccountDep,
) -> dict[str, Any]:
    return teams.act_on_intro(server_db(request), account, request_id, action, now=_now())

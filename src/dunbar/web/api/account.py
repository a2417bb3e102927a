"""/account and /tokens on the team server: who is signed in, and their personal API tokens."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from pydantic import BaseModel, Field

from dunbar.server import accounts
from dunbar.web.api.common import PROBLEM_RESPONSES, ProblemRoute
from dunbar.web.deps import current_account, server_db

router = APIRouter(tags=["account"], route_class=ProblemRoute, responses=PROBLEM_RESPONSES)
AccountDep = Annotated[Any, Depends(current_account)]
TokenId = Annotated[int, Path(ge=1, le=2**31 - 1, description="A token's id")]


class AccountOut(BaseModel):
    id: int
    username: str
    display_name: str
    email: str | None
    is_admin: bool
    disabled: bool


class TokenOut(BaseModel):
    id: int
    name: str
    prefix: str = Field(description="The first characters of the token, to recognise it")
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenInput(BaseModel):
    name: str = Field(min_length=1, max_length=80, description="What uses the token")


class NewToken(BaseModel):
    token: TokenOut
    secret: str = Field(description="The token itself: shown this once, never again")


@router.get("/account", response_model=AccountOut, summary="Who is signed in")
def get_account(account: AccountDep) -> dict[str, Any]:
    return dict(account.as_json())


@router.get("/tokens", response_model=list[TokenOut], summary="My API tokens")
def get_tokens(request: Request, account: AccountDep) -> list[dict[str, Any]]:
    return accounts.list_tokens(server_db(request), account)


@router.post("/tokens", response_model=NewToken, status_code=201, summary="Make an API token")
def post_token(request: Request, body: TokenInput, account: AccountDep) -> dict[str, Any]:
    record, secret = accounts.create_token(server_db(request), account, body.name, now=datetime.now(UTC))
    return {"token": record, "secret": secret}


@router.delete("/tokens/{token_id}", response_model=TokenOut, summary="Revoke an API token")
def delete_token(request: Request, token_id: TokenId, account: AccountDep) -> dict[str, Any]:
    return accounts.revoke_token(server_db(request), account, token_id, now=datetime.now(UTC))

"""/csrf: the token a client sends back on every change (the OpenAPI document is served by the app itself at
/api/v1/openapi.json)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from dunbar.web.api.common import ProblemRoute
from dunbar.web.api.models import CsrfToken
from dunbar.web.deps import issue_csrf_token

router = APIRouter(tags=["meta"], route_class=ProblemRoute)


@router.get("/csrf", response_model=CsrfToken, summary="A CSRF token for the changes that follow")
def csrf(request: Request, response: Response) -> dict[str, Any]:
    """The token, also set as the ``dunbar_csrf`` cookie: send both with every POST, PUT, PATCH and DELETE."""
    return {"token": issue_csrf_token(request, response)}

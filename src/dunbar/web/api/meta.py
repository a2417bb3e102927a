"""/csrf and /openapi.json: what a client needs before it starts."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.openapi.utils import get_openapi

from dunbar import __version__
from dunbar.web.api.common import ProblemRoute
from dunbar.web.api.models import CsrfToken
from dunbar.web.deps import issue_csrf_token

router = APIRouter(tags=["meta"], route_class=ProblemRoute)

PREFIX = "/api/v1"
DESCRIPTION = (
    "The REST API of dunbar, a local-first relationship manager. JSON in and out; every change needs the "
    "token of GET /api/v1/csrf in the X-CSRF-Token header (and its cookie); errors are application/problem+json. "
    "See docs/api.md."
)


@router.get("/csrf", response_model=CsrfToken, summary="A CSRF token for the changes that follow")
def csrf(request: Request, response: Response) -> dict[str, Any]:
    return {"token": issue_csrf_token(request, response)}


def api_document(app: Any) -> dict[str, Any]:
    """The OpenAPI document of the routes under /api/v1 (the web pages are not part of the API)."""
    doc = get_openapi(title="dunbar API", version=__version__, description=DESCRIPTION, routes=app.routes)
    doc["paths"] = {path: item for path, item in doc["paths"].items() if path.startswith(PREFIX + "/")}
    return doc


@router.get("/openapi.json", include_in_schema=False)
def openapi(request: Request) -> dict[str, Any]:
    app = request.app
    cached = getattr(app.state, "dunbar_api_openapi", None)
    if cached is None:
        cached = app.state.dunbar_api_openapi = api_document(app)
    return cached

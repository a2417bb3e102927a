"""What every resource of the API shares: the problem document, the error translation, pagination and the
typed dependencies.

Errors: a ``DunbarError`` from a service and a request FastAPI cannot validate both become an
``application/problem+json`` document (RFC 9457) with the error's status, so a client reads one shape for every
failure. The translation lives in the route class, so every route of ``/api/v1`` answers the same way whatever
error handlers the application around it installs.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Sequence
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Path, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, Field

from dunbar.errors import Ambiguous, DunbarError
from dunbar.store.db import Db
from dunbar.web.deps import get_clock, get_db

PROBLEM_TYPE = "application/problem+json"
MAX_LIMIT = 500
DEFAULT_LIMIT = 50
# Ids are 32-bit on PostgreSQL; anything larger cannot name a row, so it is a validation error, not a 500.
MAX_ID = 2**31 - 1
MAX_OFFSET = 10**9

T = TypeVar("T")


class Problem(BaseModel):
    """An error, as RFC 9457 describes it, with dunbar's hint and (for an ambiguous name) the candidates."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(description="A URI naming the kind of problem, e.g. urn:dunbar:problem:not-found")
    title: str = Field(description="The kind of problem in words")
    status: int = Field(description="The HTTP status code")
    detail: str = Field(description="What went wrong, for a person")
    hint: str | None = Field(default=None, description="What to do about it")
    candidates: list[str] | None = Field(default=None, description="Who an ambiguous reference could mean")
    errors: list[dict[str, Any]] | None = Field(default=None, description="Each invalid part of the request")


TITLES = {
    400: "Invalid input",
    401: "Sign-in required",
    429: "Too many attempts",
    403: "Not allowed",
    404: "Not found",
    409: "Conflict",
    422: "Invalid request",
    503: "Store unavailable",
}


def problem(status: int, code: str, detail: str, **extra: Any) -> JSONResponse:
    body: dict[str, Any] = {
        "type": f"urn:dunbar:problem:{code}",
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
    }
    body.update({k: v for k, v in extra.items() if v is not None})
    return JSONResponse(body, status_code=status, media_type=PROBLEM_TYPE)


def problem_from_error(exc: DunbarError) -> JSONResponse:
    extra: dict[str, Any] = {"hint": exc.hint}
    if isinstance(exc, Ambiguous):
        extra["candidates"] = exc.candidates
    response = problem(exc.status, exc.code, exc.message, **extra)
    response.headers.update(exc.headers)
    return response


def _jsonable_errors(errors: Sequence[Any]) -> list[dict[str, Any]]:
    # Pydantic puts the offending input and sometimes an exception object in each error: keep what a client
    # can act on (where, what) and nothing that may not serialize.
    out = []
    for e in errors:
        out.append({"loc": [str(p) for p in e.get("loc", ())], "msg": str(e.get("msg", "")), "type": e.get("type")})
    return out


def validation_problem(exc: RequestValidationError) -> JSONResponse:
    errors = _jsonable_errors(exc.errors())
    first = errors[0] if errors else {"loc": [], "msg": "invalid request"}
    where = ".".join(p for p in first["loc"] if p not in ("body", "query", "path"))
    detail = f"{where}: {first['msg']}" if where else str(first["msg"])
    return problem(422, "validation", detail, errors=errors)


class ProblemRoute(APIRoute):
    """A route whose library errors and validation errors come back as problem documents."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                return await handler(request)
            except RequestValidationError as exc:
                return validation_problem(exc)
            except DunbarError as exc:
                return problem_from_error(exc)

        return route


def _problem_response(description: str) -> dict[str, Any]:
    return {"model": Problem, "description": description, "content": {PROBLEM_TYPE: {}}}


# Declared on every route, so the document says what a client may meet and schemathesis can check it.
PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: _problem_response("The input cannot be used"),
    401: _problem_response("The team server needs a signed-in session or an API token (Authorization: Bearer)"),
    403: _problem_response("A change without the CSRF token of GET /api/v1/csrf"),
    404: _problem_response("No such record"),
    409: _problem_response("Ambiguous reference or conflicting state"),
    422: _problem_response("The request does not match the schema"),
    503: _problem_response("The database is busy or unavailable"),
}


# Dependencies ----------------------------------------------------------------------------------------------

DbDep = Annotated[Db, Depends(get_db)]
ClockDep = Annotated[Any, Depends(get_clock)]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="How many items at most")]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="How many items to skip")]
PersonId = Annotated[int, Path(ge=1, le=MAX_ID, description="A person's id")]


class Page(BaseModel, Generic[T]):
    """One page of a list: ``next`` is the offset of the following page, or null on the last one."""

    items: list[T]
    limit: int
    offset: int
    next: int | None


def page(rows: Sequence[Any], *, limit: int, offset: int) -> dict[str, Any]:
    """A page from ``rows`` fetched with ``limit + 1`` (the extra row only says that more follow)."""
    more = len(rows) > limit
    return {"items": list(rows[:limit]), "limit": limit, "offset": offset, "next": offset + limit if more else None}


def window(rows: Sequence[Any], *, limit: int, offset: int) -> dict[str, Any]:
    """A page from the first ``offset + limit + 1`` rows, for services that take a limit but no offset."""
    return page(rows[offset:], limit=limit, offset=offset)

"""The size limit of an upload: refused with 413 before its body is read (a calm page, or a problem document under
/api/), however the client sends it.

The limit is checked by the route itself, ahead of FastAPI's reading of the form: ``Content-Length`` first, and
for a body sent in chunks, the bytes as they arrive. ``app.state.max_upload_bytes`` replaces the default.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException
from starlette.types import Message

MAX_UPLOAD_BYTES = 256 * 1024 * 1024
PROBLEM_TYPE = "application/problem+json"


class UploadTooLarge(Exception):
    """The body grew past the limit while it was being read."""


def max_upload_bytes(request: Request) -> int:
    value = getattr(request.app.state, "max_upload_bytes", None)
    return int(value) if value is not None else MAX_UPLOAD_BYTES


def _size(n: int) -> str:
    for unit, scale in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if n >= scale:
            return f"{n / scale:.0f} {unit}" if n % scale == 0 else f"{n / scale:.1f} {unit}"
    return f"{n} bytes"


def too_large(request: Request, limit: int, sent: int | None) -> Response:
    detail = f"this file is larger than the {_size(limit)} the web app takes" + (
        f" ({_size(sent)} sent)" if sent else ""
    )
    hint = "import it from the command line instead: dunbar import FILE (it has no size limit)"
    if request.url.path.startswith("/api/"):
        body = {"type": "urn:dunbar:problem:too-large", "title": "Too large", "status": 413, "detail": detail}
        return JSONResponse({**body, "hint": hint}, status_code=413, media_type=PROBLEM_TYPE)
    from dunbar.web.pages.render import render

    return render(
        request,
        "error.html",
        {"title": "That file is too large", "status": 413, "detail": detail, "hint": hint},
        status_code=413,
    )


def _caused_by_size(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    for _ in range(10):
        if seen is None:
            return False
        if isinstance(seen, UploadTooLarge):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


Handler = Callable[[Request], Coroutine[Any, Any, Response]]


def limited(base: type[APIRoute] = APIRoute) -> type[APIRoute]:
    """A route class like ``base`` whose requests may carry at most ``max_upload_bytes`` of body."""

    class LimitedUpload(base):  # type: ignore[valid-type, misc]
        def get_route_handler(self) -> Handler:
            handler: Handler = super().get_route_handler()

            async def guarded(request: Request) -> Response:
                limit = max_upload_bytes(request)
                declared = request.headers.get("content-length", "")
                if declared.isascii() and declared.isdigit() and int(declared) > limit:
                    return too_large(request, limit, int(declared))
                receive = request.receive
                seen = 0

                async def counting() -> Message:
                    nonlocal seen
                    message = await receive()
                    seen += len(message.get("body", b""))
                    if seen > limit:
                        raise UploadTooLarge
                    return message

                request._receive = counting  # Starlette reads the body through it
                try:
                    return await handler(request)
                except UploadTooLarge:
                    return too_large(request, limit, None)
                except HTTPException as exc:
                    # FastAPI reports any failure while it parses a form as "error parsing the body" (400).
                    if _caused_by_size(exc):
                        return too_large(request, limit, None)
                    raise

            return guarded

    return LimitedUpload

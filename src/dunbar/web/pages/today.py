"""Today: the agenda, once ``dunbar.agenda`` exists; until then, the people list."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import RedirectResponse

router = APIRouter()


@router.get("/today")
def today_page() -> RedirectResponse:
    return RedirectResponse("/people", status_code=303)

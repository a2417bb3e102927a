"""People: the list with search as you type, filters, sorting and bulk tagging."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from dunbar.web.pages.render import render

router = APIRouter()


@router.get("/")
def home() -> RedirectResponse:
    return RedirectResponse("/people", status_code=303)


@router.get("/people", response_class=HTMLResponse)
def people_page(request: Request) -> HTMLResponse:
    return render(request, "people.html", {"nav": "people"})

"""Settings: who "me" is, and exporting everything."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse

from dunbar import people
from dunbar.store.db import Db
from dunbar.web.deps import Clock, get_clock, get_db
from dunbar.web.pages.forms import blank, split_list
from dunbar.web.pages.render import render

router = APIRouter()

DbDep = Annotated[Db, Depends(get_db)]
ClockDep = Annotated[Clock, Depends(get_clock)]


@router.get("/settings", response_class=HTMLResponse)
def settings_page(request: Request, db: DbDep) -> HTMLResponse:
    return render(request, "settings.html", {"nav": "settings", "me": people.get_me(db), "message": ""})


@router.post("/settings/me", response_class=HTMLResponse)
def save_me(
    request: Request,
    db: DbDep,
    clock: ClockDep,
    name: Annotated[str, Form()] = "",
    emails: Annotated[str, Form()] = "",
    linkedin: Annotated[str, Form()] = "",
) -> HTMLResponse:
    people.set_me(db, name=name, emails=split_list(emails), linkedin=blank(linkedin), now=clock.now)
    return render(request, "settings.html", {"nav": "settings", "me": people.get_me(db), "message": "Saved."})

"""Settings: who "me" is, exporting everything, circles and their cadences, and the calendar feed."""

from __future__ import annotations

import io
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from dunbar import agenda, people, strength
from dunbar.errors import InvalidInput, NotFound
from dunbar.exporters.ics import write_ics
from dunbar.scoring import cadence as cad
from dunbar.store.db import Db
from dunbar.vocabulary import CIRCLES
from dunbar.web.deps import Clock, get_clock, get_db
from dunbar.web.pages import memo
from dunbar.web.pages.forms import blank, optional_int, split_list
from dunbar.web.pages.render import render

router = APIRouter()

DbDep = Annotated[Db, Depends(get_db)]
ClockDep = Annotated[Clock, Depends(get_clock)]


SAVED = {"cadences": "Cadences saved.", "reset": "Cadences back to the defaults."}


@router.get("/settings", response_class=HTMLResponse)
def settings_page(request: Request, db: DbDep, ok: str | None = None) -> HTMLResponse:
    return _settings_page(request, db, SAVED.get(ok or "", ""))


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
    ctx = _circles_context(db)
    ctx["message"] = "Saved."
    ctx["calendar_url"] = str(request.url_for("calendar_feed"))
    return render(request, "settings.html", ctx)


# Circles and cadences --------------------------------------------------------------------------------------

SUGGESTIONS_SHOWN = 200


def _circles_context(db: Db, message: str = "") -> dict[str, Any]:
    table = agenda.cadences(db)
    return {
        "nav": "settings",
        "me": people.get_me(db),
        "message": "",
        "cadence_message": message,
        "cadences": [(c, table.get(c), cad.DEFAULT_CADENCES.get(c), cad.CIRCLE_PHRASES.get(c, c)) for c in CIRCLES],
    }


def _settings_page(request: Request, db: Db, message: str = "") -> HTMLResponse:
    ctx = _circles_context(db, message)
    ctx["calendar_url"] = str(request.url_for("calendar_feed"))
    return render(request, "settings.html", ctx)


@router.post("/settings/cadences", response_class=HTMLResponse)
async def save_cadence_form(request: Request, db: DbDep) -> Response:
    """Each circle's ideal and maximum days; both blank means no cadence for that circle."""
    form = await request.form()
    table: dict[str, tuple[int, int] | None] = {}
    for circle in CIRCLES:
        ideal = optional_int(str(form.get(f"{circle}_ideal", "")), f"the ideal interval of {circle}")
        most = optional_int(str(form.get(f"{circle}_max", "")), f"the longest interval of {circle}")
        if ideal is None and most is None:
            table[circle] = None
            continue
        if ideal is None or most is None:
            raise InvalidInput(f"give both intervals of {circle}, or neither", hint="leave both blank for no cadence")
        cad.check(ideal, most)
        table[circle] = (ideal, most)
    agenda.save_cadences(db, table)
    return RedirectResponse("/settings?ok=cadences#circles", status_code=303)


@router.post("/settings/cadences/reset", response_class=HTMLResponse)
def reset_cadences(db: DbDep) -> Response:
    agenda.save_cadences(db, dict(cad.DEFAULT_CADENCES))
    return RedirectResponse("/settings?ok=reset#circles", status_code=303)


@router.get("/settings/circles", response_class=HTMLResponse)
def suggest_circles_page(request: Request, db: DbDep, clock: ClockDep, ok: str | None = None) -> HTMLResponse:
    """Circles suggested from strength: only the people whose circle would change, strongest first."""

    everyone = memo.everyone(request, db, clock)

    def changes() -> tuple[list[dict[str, Any]], int]:
        return strength.circle_changes(db, now=clock.now, limit=SUGGESTIONS_SHOWN, everyone=everyone)

    shown, changed = memo.remember(request, db, clock, "circles", changes)
    return render(
        request,
        "settings_circles.html",
        {
            "nav": "settings",
            "suggestions": shown,
            "more": max(changed - SUGGESTIONS_SHOWN, 0),
            "message": "Circles updated." if ok == "applied" else "",
        },
    )


@router.post("/settings/circles", response_class=HTMLResponse)
async def apply_circles(request: Request, db: DbDep, clock: ClockDep) -> Response:
    """Apply the suggestions left ticked: each sent as ``person id:circle``."""
    form = await request.form()
    changes: dict[int, str] = {}
    for value in form.getlist("apply"):
        pid, _, circle = str(value).partition(":")
        person_id = optional_int(pid, "a person id")
        if person_id is None or not circle:
            raise InvalidInput(f"not a suggestion: {str(value)[:40]!r}")
        changes[person_id] = circle
    missing = sorted(set(changes) - set(people.summary(db, list(changes))))
    if missing:
        raise NotFound(f"no person #{missing[0]}", hint="reload the suggestions and apply them again")
    strength.apply_circles(db, changes, now=clock.now)
    return RedirectResponse("/settings/circles?ok=applied", status_code=303)


# The calendar feed -----------------------------------------------------------------------------------------


@router.get("/calendar.ics", name="calendar_feed")
def calendar_feed(db: DbDep, clock: ClockDep) -> Response:
    """Follow-ups, important dates and suggested catch-ups as an iCalendar feed a calendar app can subscribe to."""
    out = io.StringIO()
    write_ics(db, out, today=clock.today, now=clock.now)
    return Response(
        out.getvalue(),
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": 'inline; filename="dunbar.ics"', "Cache-Control": "no-store"},
    )

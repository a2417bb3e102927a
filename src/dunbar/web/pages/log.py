"""Log: the quick form, opened from any page with the L key, to log an interaction with one or more people."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from dunbar import interactions, people, search
from dunbar.errors import InvalidInput
from dunbar.store.db import Db
from dunbar.web.deps import Clock, get_clock, get_db
from dunbar.web.pages.forms import blank, moment, optional_date
from dunbar.web.pages.render import is_htmx, render

router = APIRouter()

SUGGESTIONS = 8

DbDep = Annotated[Db, Depends(get_db)]
ClockDep = Annotated[Clock, Depends(get_clock)]


@router.get("/log", response_class=HTMLResponse)
def log_page(request: Request, db: DbDep) -> HTMLResponse:
    # The form shows nothing of the network, but on the team server only a signed-in user gets it (get_db).
    return render(request, "log.html", {"nav": "log"})


@router.get("/log/suggest", response_class=HTMLResponse)
def suggest(request: Request, db: DbDep, who: str = "") -> HTMLResponse:
    """People whose name (or details) match what was typed so far, for the picker."""
    found = []
    if blank(who):
        hits = search.search(db, who, limit=SUGGESTIONS * 2)
        ids = [h.ref_id for h in hits if h.kind == "person"][:SUGGESTIONS]
        info = people.summary(db, ids)
        found = [info[i] for i in ids if i in info]
    return render(request, "log_suggest.html", {"found": found, "who": who})


@router.post("/log", response_class=HTMLResponse)
def log(
    request: Request,
    db: DbDep,
    clock: ClockDep,
    person: Annotated[list[int], Form()] = [],  # noqa: B006 - FastAPI copies defaults
    who: Annotated[str, Form()] = "",
    summary: Annotated[str, Form()] = "",
    kind: Annotated[str, Form()] = "meeting",
    day: Annotated[str, Form()] = "",
    initiator: Annotated[str, Form()] = "",
) -> Response:
    chosen = list(person)
    if blank(who):
        # A name typed but not picked: the same "who do you mean" as the CLI (ambiguity is reported).
        chosen.append(people.resolve(db, who))
    if not chosen:
        raise InvalidInput("who was it with?", hint="type a name and pick the person from the list")
    iid = interactions.log_interaction(
        db,
        summary=summary,
        people=chosen,
        kind=kind,
        occurred_at=moment(optional_date(day, "the date"), clock),
        initiator=blank(initiator),
        now=clock.now,
    )
    if not is_htmx(request):
        return RedirectResponse(f"/people/{chosen[0]}#timeline", status_code=303)
    logged = interactions.get_interaction(db, iid)
    return render(request, "log_done.html", {"logged": logged}, headers={"HX-Trigger": "interaction-logged"})

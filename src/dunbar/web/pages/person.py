"""Person: everything about one person on one page, each section edited in place.

Every form posts to a small route that calls one service function and answers with the section it changed (for
htmx) or a redirect back to the page (without JavaScript).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from dunbar import interactions, people
from dunbar.errors import NotFound
from dunbar.store.db import Db
from dunbar.vocabulary import CIRCLES, INITIATORS, INTERACTION_KINDS
from dunbar.web.deps import Clock, get_clock, get_db
from dunbar.web.pages import memo
from dunbar.web.pages.forms import blank, moment, optional_date, optional_int, split_list
from dunbar.web.pages.render import is_htmx, render

router = APIRouter()

TIMELINE_PAGE = 20
SECTIONS = ("details", "contact", "work", "dates", "tags", "notes")
MAX_ID = 2**31 - 1

DbDep = Annotated[Db, Depends(get_db)]
ClockDep = Annotated[Clock, Depends(get_clock)]
PersonId = Annotated[int, Path(ge=1, le=MAX_ID)]


def _timeline(db: Db, pid: int, before: datetime | None = None) -> dict[str, Any]:
    items = interactions.timeline(db, pid, limit=TIMELINE_PAGE + 1, before=before)
    more = len(items) > TIMELINE_PAGE
    items = items[:TIMELINE_PAGE]
    return {"items": items, "before": items[-1]["occurred_at"].isoformat() if more and items else None}


def _choices() -> dict[str, Any]:
    return {"circles": CIRCLES, "kinds": INTERACTION_KINDS, "initiators": INITIATORS}


def section(request: Request, db: Db, pid: int, name: str, *, edit: bool = False, message: str = "") -> Response:
    """One section of the person page, for htmx; the whole page, at that section, otherwise."""
    if not is_htmx(request):
        return RedirectResponse(f"/people/{pid}#{name}", status_code=303)
    p = people.get_person(db, pid, deleted=False)
    return render(request, f"person/{name}.html", {"p": p, "edit": edit, "message": message, **_choices()})


# The page and its read-only pieces are ``async def``: a few milliseconds of SQLite reads (WAL readers never wait
# for a writer) cost less on the event loop than a hop to the thread pool, where 16 clients' threads would fight
# over the GIL. Routes that write stay sync, so a writer waiting for the lock never stalls the loop.
@router.get("/people/{pid}", response_class=HTMLResponse)
async def person_page(request: Request, pid: PersonId, db: DbDep) -> HTMLResponse:
    p = people.get_person(db, pid, deleted=False)
    return render(
        request,
        "person.html",
        {"nav": "people", "p": p, "edit": False, "message": "", "timeline": _timeline(db, pid), **_choices()},
    )


@router.get("/people/{pid}/section/{name}", response_class=HTMLResponse)
async def show_section(request: Request, pid: PersonId, name: str, db: DbDep, edit: bool = False) -> Response:
    if name not in SECTIONS:
        raise NotFound(f"no section {name!r} on a person's page")
    return section(request, db, pid, name, edit=edit)


@router.post("/people/{pid}/details", response_class=HTMLResponse)
def save_details(
    request: Request,
    pid: PersonId,
    db: DbDep,
    clock: ClockDep,
    name: Annotated[str, Form()] = "",
    nickname: Annotated[str, Form()] = "",
    location: Annotated[str, Form()] = "",
    how_met: Annotated[str, Form()] = "",
    circle: Annotated[str, Form()] = "",
    closeness: Annotated[str, Form()] = "",
    cadence_ideal_days: Annotated[str, Form()] = "",
    cadence_max_days: Annotated[str, Form()] = "",
    connected_on: Annotated[str, Form()] = "",
) -> Response:
    # Text fields are sent whole: "" clears them. Numbers and dates left blank are left alone.
    changes = people.PersonChanges(
        name=blank(name),
        nickname=nickname,
        location=location,
        how_met=how_met,
        circle=circle,
        closeness=optional_int(closeness, "closeness"),
        cadence_ideal_days=optional_int(cadence_ideal_days, "the ideal interval"),
        cadence_max_days=optional_int(cadence_max_days, "the longest interval"),
        connected_on=optional_date(connected_on, "connected on"),
    )
    people.edit_person(db, pid, changes, now=clock.now)
    return section(request, db, pid, "details", message="Saved.")


@router.post("/people/{pid}/contact", response_class=HTMLResponse)
def add_contact(
    request: Request,
    pid: PersonId,
    db: DbDep,
    clock: ClockDep,
    email: Annotated[str, Form()] = "",
    phone: Annotated[str, Form()] = "",
    link: Annotated[str, Form()] = "",
) -> Response:
    changes = people.PersonChanges(emails=split_list(email), phones=split_list(phone), links=split_list(link))
    people.edit_person(db, pid, changes, now=clock.now)
    return section(request, db, pid, "contact", message="Saved.")


@router.post("/people/{pid}/contact/remove", response_class=HTMLResponse)
def remove_contact(
    request: Request, pid: PersonId, db: DbDep, clock: ClockDep, value: Annotated[str, Form()]
) -> Response:
    people.edit_person(db, pid, people.PersonChanges(remove_identifiers=[value]), now=clock.now)
    return section(request, db, pid, "contact", message=f"Removed {value}.")


@router.post("/people/{pid}/work", response_class=HTMLResponse)
def add_job(
    request: Request,
    pid: PersonId,
    db: DbDep,
    clock: ClockDep,
    organization: Annotated[str, Form()] = "",
    title: Annotated[str, Form()] = "",
    start: Annotated[str, Form()] = "",
) -> Response:
    changes = people.PersonChanges(
        organization=blank(organization), title=blank(title), job_start=optional_date(start, "the start")
    )
    people.edit_person(db, pid, changes, now=clock.now)
    return section(request, db, pid, "work", message="Saved.")


@router.post("/people/{pid}/work/end", response_class=HTMLResponse)
def end_job(
    request: Request, pid: PersonId, db: DbDep, clock: ClockDep, organization: Annotated[str, Form()]
) -> Response:
    people.edit_person(db, pid, people.PersonChanges(left_organization=organization), now=clock.now)
    return section(request, db, pid, "work", message=f"Marked as having left {organization}.")


@router.post("/people/{pid}/dates", response_class=HTMLResponse)
def save_birthday(
    request: Request, pid: PersonId, db: DbDep, clock: ClockDep, birthday: Annotated[str, Form()] = ""
) -> Response:
    people.edit_person(db, pid, people.PersonChanges(birthday=blank(birthday)), now=clock.now)
    return section(request, db, pid, "dates", message="Saved.")


@router.post("/people/{pid}/tags", response_class=HTMLResponse)
def add_tags(request: Request, pid: PersonId, db: DbDep, tags: Annotated[str, Form()] = "") -> Response:
    people.get_person(db, pid, deleted=False)
    names = split_list(tags)
    if names:
        people.add_tags(db, [pid], names)
    return section(request, db, pid, "tags")


@router.post("/people/{pid}/tags/remove", response_class=HTMLResponse)
def remove_tag(request: Request, pid: PersonId, db: DbDep, tag: Annotated[str, Form()]) -> Response:
    people.remove_tags(db, [pid], [tag])
    return section(request, db, pid, "tags", message=f"Removed {tag}.")


@router.post("/people/{pid}/notes", response_class=HTMLResponse)
def add_note(
    request: Request, pid: PersonId, db: DbDep, clock: ClockDep, body: Annotated[str, Form()] = ""
) -> Response:
    people.add_note(db, pid, body, now=clock.now)
    return section(request, db, pid, "notes", message="Note added.")


@router.get("/people/{pid}/timeline", response_class=HTMLResponse)
async def timeline_page(request: Request, pid: PersonId, db: DbDep, before: datetime | None = None) -> HTMLResponse:
    return render(request, "person/timeline_items.html", {"p": {"id": pid}, "timeline": _timeline(db, pid, before)})


@router.post("/people/{pid}/log", response_class=HTMLResponse)
def log_here(
    request: Request,
    pid: PersonId,
    db: DbDep,
    clock: ClockDep,
    summary: Annotated[str, Form()] = "",
    kind: Annotated[str, Form()] = "meeting",
    day: Annotated[str, Form()] = "",
    initiator: Annotated[str, Form()] = "",
) -> Response:
    interactions.log_interaction(
        db,
        summary=summary,
        people=[pid],
        kind=kind,
        occurred_at=moment(optional_date(day, "the date"), clock),
        initiator=blank(initiator),
        now=clock.now,
    )
    if not is_htmx(request):
        return RedirectResponse(f"/people/{pid}#timeline", status_code=303)
    p = people.get_person(db, pid, deleted=False)
    return render(
        request,
        "person/timeline.html",
        {"p": p, "timeline": _timeline(db, pid), "message": "Logged.", **_choices()},
        headers={"HX-Trigger": "interaction-logged"},
    )


@router.get("/people/{pid}/strength", response_class=HTMLResponse)
def strength_panel(request: Request, pid: PersonId, db: DbDep, clock: ClockDep) -> HTMLResponse:
    """The strength, its explanation and its history: loaded after the page, so the page itself stays fast."""
    from dunbar import strength

    p = people.get_person(db, pid, deleted=False)
    if p["is_me"]:
        return render(request, "person/strength.html", {"p": p, "why": None, "history": []})
    why = strength.explain(db, pid, now=clock.now, everyone=memo.everyone(request, db, clock))
    history = strength.history(db, pid, now=clock.now, days=365, step=7)
    return render(request, "person/strength.html", {"p": p, "why": why, "history": history})

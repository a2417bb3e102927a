"""Network: who knows an organization, the warmest paths to a person or an organization, and a person's ties.

These pages only read, so their forms are GET forms: a question and its answer have an address one can keep.
A name that matches nobody (or several people) is an answer too, shown on the page with its hint.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse

from dunbar import graph, people, ties
from dunbar.errors import Ambiguous, DunbarError
from dunbar.store.db import Db
from dunbar.web.deps import Clock, get_clock, get_db
from dunbar.web.pages import memo
from dunbar.web.pages.render import render

router = APIRouter()

MAX_ID = 2**31 - 1
MAX_QUERY = 200
PATHS = 3

DbDep = Annotated[Db, Depends(get_db)]
ClockDep = Annotated[Clock, Depends(get_clock)]
PersonId = Annotated[int, Path(ge=1, le=MAX_ID)]
Text = Annotated[str, Query(max_length=MAX_QUERY)]


def problem(error: DunbarError) -> dict[str, Any]:
    """What the page says when a question cannot be answered: the message, its hint, and the candidates."""
    return {
        "message": error.message,
        "hint": error.hint,
        "candidates": error.candidates if isinstance(error, Ambiguous) else [],
    }


@router.get("/network", response_class=HTMLResponse)
def network_page(request: Request, db: DbDep, clock: ClockDep, org: Text = "", to: Text = "") -> HTMLResponse:
    """Two questions on one page: "who knows ORG?" and "how do I reach X?"."""
    ctx: dict[str, Any] = {"nav": "network", "org": org, "to": to, "knows": None, "paths": None, "target": None}
    if org.strip():
        try:
            ctx["knows"] = graph.who_knows(db, org, now=clock.now, today=clock.today)
        except DunbarError as e:
            ctx["knows_error"] = problem(e)
    if to.strip():

        def warm() -> dict[int, int]:
            # My first hops, kept like everyone's strength they come from.
            everyone = memo.everyone(request, db, clock)
            return memo.remember(
                request, db, clock, "contacts", lambda: graph.warm_contacts(db, now=clock.now, ranked=everyone)
            )

        try:
            kind, target_id = graph.resolve_target(db, to)
            if kind == "person":
                ctx["target"] = {"kind": kind, "name": people.summary(db, [target_id])[target_id]["name"]}
                found = graph.paths(
                    db, to_person=target_id, k=PATHS, now=clock.now, today=clock.today, known_contacts=warm()
                )
            else:
                ctx["target"] = {"kind": kind, "name": graph.resolve_organization(db, to)["name"]}
                found = graph.paths(
                    db, to_org=target_id, k=PATHS, now=clock.now, today=clock.today, known_contacts=warm()
                )
            ctx["paths"] = found
        except DunbarError as e:
            ctx["paths_error"] = problem(e)
    return render(request, "network/index.html", ctx)


@router.get("/network/ties/{pid}", response_class=HTMLResponse)
def ties_page(request: Request, pid: PersonId, db: DbDep) -> HTMLResponse:
    """Whom a person knows (as far as dunbar can tell), strongest first, with the evidence for each tie."""
    p = people.get_person(db, pid, deleted=False)
    return render(request, "network/ties.html", {"nav": "network", "p": p, "ties": ties.ties_of(db, pid)})

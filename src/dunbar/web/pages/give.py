"""Give and take: the favour ledger, offers and needs, and the matches between them.

Every form posts, changes one thing through a service and redirects back to the page (post/redirect/get), with a
fixed message key in the address so a reload never repeats the change and no address can put words on the page.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from dunbar import ledger, matching, offers, people
from dunbar.store.db import Db
from dunbar.vocabulary import FAVOUR_DIRECTIONS, FAVOUR_KINDS, FAVOUR_STATUSES, FAVOUR_WEIGHTS
from dunbar.web.deps import Clock, get_clock, get_db
from dunbar.web.pages.forms import blank, optional_date
from dunbar.web.pages.render import render

router = APIRouter()

MAX_ID = 2**31 - 1
MATCHES = 10
# A long ledger or list of offers would make a page of megabytes: the largest first, the rest counted.
SHOWN = 50

DbDep = Annotated[Db, Depends(get_db)]
ClockDep = Annotated[Clock, Depends(get_clock)]
Id = Annotated[int, Path(ge=1, le=MAX_ID)]

MESSAGES = {
    "favour": "Favour recorded.",
    "offer": "Added.",
    "confirmed": "Confirmed: it is now active.",
    "dismissed": "Dismissed: it will not be suggested again.",
    "suggested": "Looked for offers and needs in jobs and notes.",
    "introduced": "Introduction recorded, with a follow-up in two weeks to ask how it went.",
}


def _back(path: str, key: str) -> RedirectResponse:
    return RedirectResponse(f"{path}?ok={key}", status_code=303)


def _message(ok: str | None) -> str:
    return MESSAGES.get(ok or "", "")


@router.get("/give", response_class=HTMLResponse)
def give_page(request: Request, db: DbDep, clock: ClockDep, ok: str | None = None) -> HTMLResponse:
    """The ledger: who I owe and who owes me, each with the sentence that explains it, and a form to record one."""
    found = ledger.balances(db, today=clock.today)
    i_owe = [b for b in found if b["owed_by"] == "me"]
    owe_me = [b for b in found if b["owed_by"] == "them"]
    even = [b for b in found if b["owed_by"] is None]
    return render(
        request,
        "give/ledger.html",
        {
            "nav": "give",
            "tab": "ledger",
            "message": _message(ok),
            "i_owe": i_owe[:SHOWN],
            "owe_me": owe_me[:SHOWN],
            "even": even[:SHOWN],
            "more": {"i_owe": len(i_owe) - SHOWN, "owe_me": len(owe_me) - SHOWN, "even": len(even) - SHOWN},
            "kinds": FAVOUR_KINDS,
            "directions": FAVOUR_DIRECTIONS,
            "statuses": FAVOUR_STATUSES,
            "weights": FAVOUR_WEIGHTS,
        },
    )


@router.post("/give/favours")
def record_favour(
    db: DbDep,
    clock: ClockDep,
    person: Annotated[str, Form()] = "",
    direction: Annotated[str, Form()] = "given",
    kind: Annotated[str, Form()] = "advice",
    status: Annotated[str, Form()] = "done",
    weight: Annotated[str, Form()] = "2",
    on: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
) -> RedirectResponse:
    pid = people.resolve(db, person)
    ledger.record(
        db,
        person_id=pid,
        direction=direction,
        kind=kind,
        status=status,
        weight=weight,
        on=optional_date(on, "the day") or clock.today,
        note=blank(note),
        now=clock.now,
    )
    return _back("/give", "favour")


@router.get("/give/offers", response_class=HTMLResponse)
def offers_page(request: Request, db: DbDep, clock: ClockDep, ok: str | None = None) -> HTMLResponse:
    active = offers.list_(db, today=clock.today)
    offered = [o for o in active if o["kind"] == "offer"]
    needed = [o for o in active if o["kind"] == "need"]
    suggested = offers.list_(db, status="suggested", today=clock.today)
    return render(
        request,
        "give/offers.html",
        {
            "nav": "give",
            "tab": "offers",
            "message": _message(ok),
            "offers": offered[:SHOWN],
            "needs": needed[:SHOWN],
            "suggested": suggested[:SHOWN],
            "more": {"offers": len(offered) - SHOWN, "needs": len(needed) - SHOWN, "suggested": len(suggested) - SHOWN},
            "kinds": offers.KINDS,
        },
    )


@router.post("/give/offers")
def add_offer(
    db: DbDep,
    clock: ClockDep,
    person: Annotated[str, Form()] = "",
    kind: Annotated[str, Form()] = "offer",
    text: Annotated[str, Form()] = "",
) -> RedirectResponse:
    offers.add(db, people.resolve(db, person), kind, text, now=clock.now)
    return _back("/give/offers", "offer")


@router.post("/give/offers/suggest")
def suggest_offers(db: DbDep, clock: ClockDep) -> RedirectResponse:
    offers.suggest(db, today=clock.today, now=clock.now)
    return _back("/give/offers", "suggested")


@router.post("/give/offers/{item_id}/confirm")
def confirm_offer(item_id: Id, db: DbDep) -> RedirectResponse:
    offers.confirm(db, item_id)
    return _back("/give/offers", "confirmed")


@router.post("/give/offers/{item_id}/dismiss")
def dismiss_offer(item_id: Id, db: DbDep) -> RedirectResponse:
    offers.dismiss(db, item_id)
    return _back("/give/offers", "dismissed")


@router.get("/give/matches", response_class=HTMLResponse)
def matches_page(request: Request, db: DbDep, clock: ClockDep, ok: str | None = None) -> HTMLResponse:
    """Whom I can help, who can help me, and introductions worth making, each with why."""
    ctx: dict[str, Any] = {
        "nav": "give",
        "tab": "matches",
        "message": _message(ok),
        "help_others": matching.help_others(db, today=clock.today, limit=MATCHES),
        "help_me": matching.help_me(db, today=clock.today, limit=MATCHES),
        "intros": matching.intros(db, today=clock.today, limit=MATCHES),
    }
    return render(request, "give/matches.html", ctx)


@router.post("/give/introduce")
def introduce(
    db: DbDep,
    clock: ClockDep,
    a: Annotated[int, Form(ge=1, le=MAX_ID)],
    b: Annotated[int, Form(ge=1, le=MAX_ID)],
    note: Annotated[str, Form()] = "",
) -> RedirectResponse:
    matching.introduce(db, a, b, note=blank(note), today=clock.today, now=clock.now)
    return _back("/give/matches", "introduced")

"""People: the list with search as you type, filters, sorting and bulk tagging."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse

from dunbar import people, search
from dunbar.errors import NotFound
from dunbar.store.db import Db
from dunbar.vocabulary import CIRCLES
from dunbar.web.deps import Clock, get_clock, get_db
from dunbar.web.pages import memo
from dunbar.web.pages.forms import OVERDUE_CHOICES, blank, since, split_list
from dunbar.web.pages.render import is_htmx, render

router = APIRouter()

PAGE = 50
# Marks for matched words that cannot occur in contact data, so a "[" in a note is never taken for one.
MARK = ("\x02", "\x03")
SORTS = (("name", "Name"), ("last-contact", "Last contact"), ("strength", "Strength"))

DbDep = Annotated[Db, Depends(get_db)]
ClockDep = Annotated[Clock, Depends(get_clock)]


def _filters(
    q: str | None, circle: str | None, tag: str | None, organization: str | None, overdue: str | None, sort: str
) -> dict[str, Any]:
    return {
        "q": blank(q) or "",
        "circle": blank(circle) or "",
        "tag": blank(tag) or "",
        "organization": blank(organization) or "",
        "overdue": blank(overdue) or "",
        "sort": sort if sort in dict(SORTS) else "name",
    }


def results(request: Request, db: Db, clock: Clock, f: dict[str, Any], offset: int) -> dict[str, Any]:
    """What the list shows for these filters: a page of people, or the search hits for ``q``."""
    if f["q"]:
        hits = search.search(db, f["q"], limit=PAGE, mark=MARK)
        found = [h.as_dict() for h in hits]
        ids = [h["id"] for h in found if h["kind"] == "person"]
        info = people.summary(db, ids)
        return {
            "mode": "search",
            "people": [info[i] for i in ids if i in info],
            "mentions": [h for h in found if h["kind"] != "person"],
            "next": None,
        }
    query = people.ListQuery(
        circle=f["circle"] or None,
        tag=f["tag"] or None,
        organization=f["organization"] or None,
        not_contacted_since=since(f["overdue"], clock),
    )
    if f["sort"] == "strength":
        from dunbar import strength

        everyone = memo.everyone(request, db, clock)

        def strongest() -> list[dict[str, Any]]:
            return strength.strongest(db, query, now=clock.now, limit=PAGE + 1, offset=offset, everyone=everyone)

        # A page of the ranking is kept like the ranking itself (the same filters and offset, the same data).
        key = (f["circle"], f["tag"], f["organization"], f["overdue"], offset)
        rows = memo.remember(request, db, clock, "strongest", strongest, *key)
    else:
        query.sort, query.limit, query.offset = f["sort"], PAGE + 1, offset
        rows = people.list_people(db, query)
    return {
        "mode": "list",
        "people": rows[:PAGE],
        "mentions": [],
        "next": offset + PAGE if len(rows) > PAGE else None,
    }


def _context(request: Request, db: Db, clock: Clock, f: dict[str, Any], offset: int) -> dict[str, Any]:
    return {
        "nav": "people",
        "f": f,
        "offset": offset,
        "circles": CIRCLES,
        "sorts": SORTS,
        "overdue_choices": OVERDUE_CHOICES,
        "mark": MARK,
        **results(request, db, clock, f, offset),
    }


@router.get("/people", response_class=HTMLResponse)
def people_page(
    request: Request,
    db: DbDep,
    clock: ClockDep,
    q: str | None = None,
    circle: str | None = None,
    tag: str | None = None,
    organization: str | None = None,
    overdue: str | None = None,
    sort: str = "name",
    offset: Annotated[int, Query(ge=0)] = 0,
) -> HTMLResponse:
    f = _filters(q, circle, tag, organization, overdue, sort)
    ctx = _context(request, db, clock, f, offset)
    target = request.headers.get("HX-Target")
    if is_htmx(request) and target == "people-results":
        return render(request, "people_results.html", ctx)
    if is_htmx(request) and offset:
        return render(request, "people_rows.html", ctx)
    return render(request, "people.html", ctx)


@router.post("/people/tag", response_class=HTMLResponse)
def bulk_tag(
    request: Request,
    db: DbDep,
    clock: ClockDep,
    ids: Annotated[list[int], Form()] = [],  # noqa: B006 - FastAPI copies defaults
    bulk_tag: Annotated[str, Form()] = "",
    q: Annotated[str, Form()] = "",
    circle: Annotated[str, Form()] = "",
    tag: Annotated[str, Form()] = "",
    organization: Annotated[str, Form()] = "",
    overdue: Annotated[str, Form()] = "",
    sort: Annotated[str, Form()] = "name",
) -> HTMLResponse:
    names = split_list(bulk_tag)
    if not ids:
        message = "Tick the people to tag first."
    elif not names:
        message = "Type a tag to add."
    else:
        # Ids another network (or nobody) has are not found, as on every route; the store would refuse them.
        missing = sorted(set(ids) - set(people.summary(db, ids)))
        if missing:
            raise NotFound(f"no person #{missing[0]}", hint="tick the people in the list")
        added = people.add_tags(db, ids, names)
        message = f"Tagged {len(ids)} {'person' if len(ids) == 1 else 'people'} with {', '.join(names)}."
        if not added:
            message = f"They already had {', '.join(names)}."
    f = _filters(q, circle, tag, organization, overdue, sort)
    ctx = _context(request, db, clock, f, 0)
    ctx["message"] = message
    return render(request, "people_results.html" if is_htmx(request) else "people.html", ctx)

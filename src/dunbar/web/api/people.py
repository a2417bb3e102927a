"""/people and /resolve: list, add, show, edit, trash, restore, tag, note, timeline, and "who do you mean"."""

from __future__ import annotations

from dataclasses import fields
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response

from dunbar import interactions, people
from dunbar.web.api.common import (
    PROBLEM_RESPONSES,
    ClockDep,
    DbDep,
    Limit,
    Offset,
    Page,
    PersonId,
    ProblemRoute,
    page,
)
from dunbar.web.api.models import (
    Circle,
    IsoDate,
    IsoDateTime,
    NewPerson,
    Note,
    NoteInput,
    Person,
    PersonDetail,
    PersonInput,
    PersonListItem,
    Short,
    TagsInput,
    TagsResult,
    Timeline,
    Word,
)

router = APIRouter(tags=["people"], route_class=ProblemRoute, responses=PROBLEM_RESPONSES)

RECENT = 5
_CHANGE_FIELDS = {f.name for f in fields(people.PersonChanges)}


def changes(body: PersonInput) -> people.PersonChanges:
    """The service's ``PersonChanges`` from a request body (only what the client sent)."""
    sent = body.model_dump(exclude_unset=True)
    return people.PersonChanges(**{k: v for k, v in sent.items() if k in _CHANGE_FIELDS and v is not None})


@router.get("/people", response_model=Page[PersonListItem], summary="List people")
def list_people(
    db: DbDep,
    limit: Limit = 50,
    offset: Offset = 0,
    tag: Annotated[Short | None, Query(description="Only people with this tag")] = None,
    organization: Annotated[Short | None, Query(description="Only people who worked at a matching org")] = None,
    circle: Circle | None = None,
    not_contacted_since: Annotated[IsoDate | None, Query(description="No contact since this day")] = None,
    sort: Literal["name", "last-contact", "added"] = "name",
    trashed: Annotated[bool, Query(description="List the trash instead")] = False,
) -> dict[str, Any]:
    q = people.ListQuery(
        tag=tag,
        organization=organization,
        circle=circle,
        not_contacted_since=not_contacted_since,
        trashed=trashed,
        sort=sort,
        limit=limit + 1,
        offset=offset,
    )
    return page(people.list_people(db, q), limit=limit, offset=offset)


@router.post("/people", response_model=Person, status_code=201, summary="Add a person")
def add_person(body: NewPerson, db: DbDep, clock: ClockDep, response: Response) -> dict[str, Any]:
    pid = people.add_person(db, changes(body), now=clock.now)
    response.headers["Location"] = f"/api/v1/people/{pid}"
    return people.get_person(db, pid)


@router.get("/people/{person_id}", response_model=PersonDetail, summary="Everything about one person")
def get_person(person_id: PersonId, db: DbDep) -> dict[str, Any]:
    person = people.get_person(db, person_id)
    person["recent"] = interactions.recent(db, person_id, RECENT)
    return person


@router.patch("/people/{person_id}", response_model=Person, summary="Change a person")
def edit_person(person_id: PersonId, body: PersonInput, db: DbDep, clock: ClockDep) -> dict[str, Any]:
    people.edit_person(db, person_id, changes(body), now=clock.now)
    return people.get_person(db, person_id)


@router.delete("/people/{person_id}", status_code=204, summary="Move a person to the trash")
def trash_person(person_id: PersonId, db: DbDep, clock: ClockDep) -> Response:
    people.trash(db, person_id, now=clock.now)
    return Response(status_code=204)


@router.post("/people/{person_id}/restore", response_model=Person, summary="Bring a person back from the trash")
def restore_person(person_id: PersonId, db: DbDep, clock: ClockDep) -> dict[str, Any]:
    people.restore(db, person_id, now=clock.now)
    return people.get_person(db, person_id)


@router.post("/people/{person_id}/tags", response_model=TagsResult, summary="Tag a person")
def add_tags(person_id: PersonId, body: TagsInput, db: DbDep) -> dict[str, Any]:
    people.get_person(db, person_id, deleted=False)
    added = people.add_tags(db, [person_id], body.tags)
    return {"changed": added, "tags": people.get_person(db, person_id)["tags"]}


@router.delete("/people/{person_id}/tags", response_model=TagsResult, summary="Remove tags from a person")
def remove_tags(
    person_id: PersonId,
    db: DbDep,
    tag: Annotated[list[Word], Query(min_length=1, max_length=100, description="A tag to remove (repeatable)")],
) -> dict[str, Any]:
    people.get_person(db, person_id, deleted=False)
    removed = people.remove_tags(db, [person_id], tag)
    return {"changed": removed, "tags": people.get_person(db, person_id)["tags"]}


@router.post("/people/{person_id}/notes", response_model=Note, status_code=201, summary="Add a note")
def add_note(person_id: PersonId, body: NoteInput, db: DbDep, clock: ClockDep) -> dict[str, Any]:
    nid = people.add_note(db, person_id, body.body, now=clock.now)
    return next(n for n in people.get_person(db, person_id)["notes"] if n["id"] == nid)


@router.get("/people/{person_id}/timeline", response_model=Timeline, summary="A person's interactions")
def timeline(
    person_id: PersonId,
    db: DbDep,
    limit: Limit = 50,
    before: Annotated[
        IsoDateTime | None, Query(description="Only interactions before this time (the previous next_before)")
    ] = None,
) -> dict[str, Any]:
    items = interactions.timeline(db, person_id, limit=limit + 1, before=before)
    more = len(items) > limit
    items = items[:limit]
    last: datetime | None = items[-1]["occurred_at"] if more and items else None
    return {"items": items, "limit": limit, "before": before, "next_before": last}


@router.get("/resolve", response_model=Person, summary='The one person a reference means ("who do you mean")')
def resolve(
    db: DbDep,
    ref: Annotated[Word, Query(description='"#12", an e-mail, a LinkedIn URL, a phone, "me" or a name')],
) -> dict[str, Any]:
    return people.get_person(db, people.resolve(db, ref))

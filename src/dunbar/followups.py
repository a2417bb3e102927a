"""Follow-ups: promises and reminders tied to a person and a day ("send the article", in two weeks).

Open follow-ups that are due (today or earlier) always make the daily agenda; ``dunbar export --ics`` puts the
upcoming ones in the calendar. A follow-up is ``open`` until it is ``done`` or ``cancelled``; snoozing moves
its day.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from dunbar.errors import InvalidInput, NotFound
from dunbar.store.db import Db, to_date, to_datetime
from dunbar.vocabulary import new_uid

__all__ = ["STATUSES", "add", "cancel", "done", "get", "list_", "snooze"]

STATUSES = ("open", "done", "cancelled")
MAX_TEXT = 500

_SELECT = (
    "SELECT f.id, f.uid, f.person_id, p.display_name, f.interaction_id, f.due_on, f.text, f.status, f.done_at, "
    "f.created_at FROM follow_up f JOIN person p ON p.id = f.person_id "
)


def _row(r: tuple[Any, ...]) -> dict[str, Any]:
    return {
        "id": int(r[0]),
        "uid": r[1],
        "person": {"id": int(r[2]), "name": r[3]},
        "interaction_id": None if r[4] is None else int(r[4]),
        "due_on": to_date(r[5]),
        "text": r[6],
        "status": r[7],
        "done_at": to_datetime(r[8]),
        "created_at": to_datetime(r[9]),
    }


def add(db: Db, person_id: int, text: str, due_on: date, *, now: datetime, interaction_id: int | None = None) -> int:
    """Promise something to a person by a day; the new follow-up's id."""
    clean = " ".join((text or "").split())
    if not clean:
        raise InvalidInput("the follow-up says nothing", hint='say what to do, like "send the article"')
    if len(clean) > MAX_TEXT:
        raise InvalidInput(f"the follow-up is {len(clean)} characters long", hint=f"keep it under {MAX_TEXT}")
    person = db.one("SELECT id, is_me, deleted_at FROM person WHERE id = :id", {"id": person_id})
    if person is None:
        raise NotFound(f"no person #{person_id}", hint="`dunbar list` shows who is in your network")
    if person["deleted_at"] is not None:
        raise InvalidInput(f"person #{person_id} is in the trash", hint="restore them first: dunbar restore")
    if person["is_me"]:
        raise InvalidInput("a follow-up is with someone in your network, not you", hint="name who it is for")
    with db.transaction():
        return db.insert(
            "INSERT INTO follow_up (uid, person_id, interaction_id, due_on, text, status, created_at) "
            "VALUES (:uid, :p, :i, :due, :text, 'open', :now) RETURNING id",
            {"uid": new_uid(), "p": person_id, "i": interaction_id, "due": due_on, "text": clean, "now": now},
        )


def get(db: Db, follow_up_id: int) -> dict[str, Any]:
    """One follow-up: ``{id, uid, person: {id, name}, interaction_id, due_on, text, status, done_at, created_at}``."""
    found = db.rows(_SELECT + "WHERE f.id = :id", {"id": follow_up_id})
    if not found:
        raise NotFound(f"no follow-up #{follow_up_id}", hint="`dunbar follow-ups --all` lists them with their ids")
    return _row(found[0])


def list_(
    db: Db, *, status: str | None = "open", due_before: date | None = None, person_id: int | None = None
) -> list[dict[str, Any]]:
    """Follow-ups by due day (then id): ``status`` None for all; ``due_before`` keeps those due on or before
    that day; people in the trash are left out."""
    if status is not None and status not in STATUSES:
        raise InvalidInput(f"unknown follow-up status {status!r}", hint=f"use one of: {', '.join(STATUSES)}")
    where = ["p.deleted_at IS NULL"]
    params: dict[str, Any] = {}
    if status is not None:
        where.append("f.status = :status")
        params["status"] = status
    if due_before is not None:
        where.append("f.due_on <= :due")
        params["due"] = due_before
    if person_id is not None:
        where.append("f.person_id = :p")
        params["p"] = person_id
    return [_row(r) for r in db.rows(_SELECT + "WHERE " + " AND ".join(where) + " ORDER BY f.due_on, f.id", params)]


def _open(db: Db, follow_up_id: int, action: str) -> dict[str, Any]:
    item = get(db, follow_up_id)
    if item["status"] != "open":
        raise InvalidInput(
            f"follow-up #{follow_up_id} is already {item['status']}", hint=f"only an open follow-up can be {action}"
        )
    return item


def done(db: Db, follow_up_id: int, *, now: datetime) -> None:
    """The promise is kept."""
    _open(db, follow_up_id, "done")
    with db.transaction():
        db.execute(
            "UPDATE follow_up SET status = 'done', done_at = :now WHERE id = :id", {"now": now, "id": follow_up_id}
        )


def snooze(db: Db, follow_up_id: int, until: date) -> None:
    """Move an open follow-up to another day."""
    _open(db, follow_up_id, "snoozed")
    with db.transaction():
        db.execute("UPDATE follow_up SET due_on = :d WHERE id = :id", {"d": until, "id": follow_up_id})


def cancel(db: Db, follow_up_id: int, *, now: datetime) -> None:
    """The promise no longer stands (kept, marked cancelled, out of the agenda and the calendar)."""
    _open(db, follow_up_id, "cancelled")
    with db.transaction():
        db.execute(
            "UPDATE follow_up SET status = 'cancelled', done_at = :now WHERE id = :id",
            {"now": now, "id": follow_up_id},
        )

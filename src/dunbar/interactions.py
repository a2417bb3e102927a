"""Logging and listing interactions: what happened between me and the people in my network.

Every function runs plain SQL through ``Db`` so the CLI's hot paths need neither SQLAlchemy nor a session.
"Me" is never stored as a participant: every interaction is, by definition, between me and its participants.
``person.last_contact_at`` is a cache of the newest interaction of each person, kept in step by these functions
(and by ``recompute_last_contact`` for writers that bypass them).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from dunbar import search
from dunbar.errors import InvalidInput, NotFound
from dunbar.store.db import Db, chunks, to_datetime
from dunbar.vocabulary import INITIATORS, INTERACTION_KINDS, new_uid

# A little slack for clocks and time zones: "tonight's dinner" logged in the afternoon is fine, next week is not.
FUTURE_SLACK = timedelta(days=1)

_COLUMNS = "i.id, i.uid, i.occurred_at, i.kind, i.initiator, i.summary, i.weight"


def check_kind(kind: str) -> str:
    value = (kind or "").strip().lower()
    if value not in INTERACTION_KINDS:
        raise InvalidInput(f"unknown interaction kind {kind!r}", hint=f"use one of: {', '.join(INTERACTION_KINDS)}")
    return value


def check_initiator(initiator: str | None) -> str | None:
    if initiator is not None and initiator not in INITIATORS:
        raise InvalidInput(f"unknown initiator {initiator!r}", hint="who started it: 'me', 'them', or leave it unknown")
    return initiator


def _participants(db: Db, person_ids: Sequence[int]) -> list[int]:
    """The distinct, existing, live people of ``person_ids`` in the order given, without me."""
    wanted = list(dict.fromkeys(int(p) for p in person_ids))
    if not wanted:
        raise InvalidInput("an interaction needs at least one person", hint="say who it was with: --with NAME")
    found = {
        int(r["id"]): r for r in db.all("SELECT id, is_me, deleted_at FROM person WHERE id IN :ids", {"ids": wanted})
    }
    missing = [p for p in wanted if p not in found]
    if missing:
        raise NotFound(f"no person #{missing[0]}", hint="`dunbar list` shows who is in your network")
    trashed = [p for p in wanted if found[p]["deleted_at"] is not None]
    if trashed:
        raise InvalidInput(f"person #{trashed[0]} is in the trash", hint="restore them first: dunbar restore")
    others = [p for p in wanted if not found[p]["is_me"]]
    if not others:
        raise InvalidInput("an interaction needs at least one person besides you", hint="add --with NAME")
    return others


def log_interaction(
    db: Db,
    *,
    summary: str,
    people: Sequence[int],
    kind: str = "meeting",
    occurred_at: datetime,
    initiator: str | None = "me",
    weight: float = 1.0,
    external_id: str | None = None,
    thread: str | None = None,
    source_id: int | None = None,
    now: datetime,
) -> int:
    """Record an interaction with ``people`` and return its id."""
    kind = check_kind(kind)
    initiator = check_initiator(initiator)
    text = (summary or "").strip()
    if not text:
        raise InvalidInput("the summary is empty", hint="say in a few words what happened")
    if occurred_at.tzinfo is None or now.tzinfo is None:
        raise ValueError("log_interaction needs timezone-aware times")
    if occurred_at > now + FUTURE_SLACK:
        raise InvalidInput(
            f"{occurred_at.date().isoformat()} is in the future",
            hint="log what has happened; for something to do later, add a follow-up",
        )
    if not math.isfinite(weight) or weight < 0:
        raise InvalidInput(f"bad weight {weight!r}", hint="a weight is a number of 0 or more (1 is normal)")
    with db.transaction():
        others = _participants(db, people)
        iid = db.insert(
            "INSERT INTO interaction (uid, occurred_at, kind, initiator, summary, weight, external_id, thread, "
            "source_id, created_at) VALUES (:uid, :at, :kind, :init, :summary, :weight, :ext, :thread, :src, :now) "
            "RETURNING id",
            {
                "uid": new_uid(),
                "at": occurred_at,
                "kind": kind,
                "init": initiator,
                "summary": text,
                "weight": float(weight),
                "ext": external_id,
                "thread": thread,
                "src": source_id,
                "now": now,
            },
        )
        db.executemany(
            "INSERT INTO participant (interaction_id, person_id, role) VALUES (:i, :p, 'with')",
            [{"i": iid, "p": p} for p in others],
        )
        # Both backends compare stored times correctly: PostgreSQL as timestamptz, SQLite as fixed-width UTC text.
        db.execute(
            "UPDATE person SET last_contact_at = :at "
            "WHERE id IN :ids AND (last_contact_at IS NULL OR last_contact_at < :at)",
            {"at": occurred_at, "ids": others},
        )
        search.index_interactions(db, [iid])
        from dunbar import stats

        stats.apply(db, [(p, occurred_at, float(weight), initiator, kind) for p in others])
    return iid


def _row(r: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": int(r["id"]),
        "uid": r["uid"],
        "occurred_at": to_datetime(r["occurred_at"]),
        "kind": r["kind"],
        "initiator": r["initiator"],
        "summary": r["summary"],
        "weight": float(r["weight"]),
        "with": [],
    }


def _attach_people(db: Db, items: list[dict[str, Any]], *, exclude: int | None = None) -> None:
    """Fill each item's ``with`` list in one query per 500 interactions (never one per row)."""
    by_id = {item["id"]: item for item in items}
    for ids in chunks(list(by_id)):
        for iid, pid, name in db.rows(
            # CROSS JOIN: participants first (by interaction), whatever the planner's statistics say.
            "SELECT pa.interaction_id, p.id, p.display_name FROM participant pa "
            "CROSS JOIN person p "
            "WHERE p.id = pa.person_id AND pa.interaction_id IN :ids AND pa.person_id <> :ex AND p.deleted_at IS NULL "
            "ORDER BY p.display_name, p.id",
            {"ids": list(ids), "ex": -1 if exclude is None else exclude},
        ):
            by_id[iid]["with"].append({"id": int(pid), "name": name})


def timeline(db: Db, person_id: int, *, limit: int = 50, before: datetime | None = None) -> list[dict[str, Any]]:
    """A person's interactions, newest first: ``{id, uid, occurred_at, kind, initiator, summary, weight, with}``.

    ``with`` lists the other participants. For me, the timeline is every interaction. ``before`` pages back:
    pass the ``occurred_at`` of the last item of the previous page.
    """
    person = db.one("SELECT id, is_me FROM person WHERE id = :id", {"id": person_id})
    if person is None:
        raise NotFound(f"no person #{person_id}", hint="`dunbar list` shows who is in your network")
    if limit < 1:
        raise InvalidInput(f"bad limit {limit}", hint="use a positive number")
    params: dict[str, Any] = {"p": person_id, "n": limit}
    when = ""
    if before is not None:
        when = "AND i.occurred_at < :before "
        params["before"] = before
    if person["is_me"]:
        sql = f"SELECT {_COLUMNS} FROM interaction i WHERE 1 = 1 {when}"
    else:
        # ix_participant_person gives this person's interaction ids; sorting them is cheap (tens, at most a few
        # thousand per person even in a million-interaction database).
        sql = (
            f"SELECT {_COLUMNS} FROM participant pa JOIN interaction i ON i.id = pa.interaction_id "
            f"WHERE pa.person_id = :p {when}"
        )
    items = [_row(r) for r in db.all(sql + "ORDER BY i.occurred_at DESC, i.id DESC LIMIT :n", params)]
    _attach_people(db, items, exclude=None if person["is_me"] else person_id)
    return items


def recent(db: Db, person_id: int, limit: int = 5) -> list[dict[str, Any]]:
    """The last few interactions with a person (for ``show`` and the agenda)."""
    return timeline(db, person_id, limit=limit)


def get_interaction(db: Db, interaction_id: int) -> dict[str, Any]:
    """One interaction: the timeline fields plus ``external_id``, ``thread``, ``source_id``, ``created_at``."""
    r = db.one(
        f"SELECT {_COLUMNS}, i.external_id, i.thread, i.source_id, i.created_at FROM interaction i WHERE i.id = :id",
        {"id": interaction_id},
    )
    if r is None:
        raise NotFound(f"no interaction #{interaction_id}")
    item = _row(r)
    item.update(
        external_id=r["external_id"],
        thread=r["thread"],
        source_id=r["source_id"],
        created_at=to_datetime(r["created_at"]),
    )
    _attach_people(db, [item])
    return item


def recompute_last_contact(db: Db, person_ids: Iterable[int]) -> None:
    """Set ``last_contact_at`` of these people from their interactions (NULL when none are left)."""
    with db.transaction():
        for ids in chunks(sorted(set(person_ids))):
            db.execute(
                "UPDATE person SET last_contact_at = ("
                "SELECT max(i.occurred_at) FROM participant pa JOIN interaction i ON i.id = pa.interaction_id "
                "WHERE pa.person_id = person.id) WHERE id IN :ids",
                {"ids": list(ids)},
            )


def delete_interaction(db: Db, interaction_id: int) -> None:
    """Remove an interaction, its participants and its search document; fix its people's last contact."""
    with db.transaction():
        if db.scalar("SELECT id FROM interaction WHERE id = :id", {"id": interaction_id}) is None:
            raise NotFound(f"no interaction #{interaction_id}")
        people = [
            r[0]
            for r in db.rows("SELECT person_id FROM participant WHERE interaction_id = :id", {"id": interaction_id})
        ]
        # Participants first: the store does not rely on ON DELETE CASCADE being enforced by every connection.
        db.execute("DELETE FROM participant WHERE interaction_id = :id", {"id": interaction_id})
        db.execute("UPDATE follow_up SET interaction_id = NULL WHERE interaction_id = :id", {"id": interaction_id})
        db.execute("DELETE FROM interaction WHERE id = :id", {"id": interaction_id})
        search.unindex(db, search.INTERACTION, [interaction_id])
        recompute_last_contact(db, people)
        from dunbar import stats

        stats.recompute(db, people)

"""Merging two people into one (and undoing it), and the dedupe review queue.

A merge moves every row of the merged person to the survivor in one transaction and records in ``merge.moved``
exactly what it did (row ids moved, duplicate rows removed with their full values, the survivor's columns it
filled with their old values, the alternates it created), so that ``undo_merge`` can put everything back. The
merged person is kept (trashed, with ``merged_into_id``) for that reason.

Conflicting values are never silently overwritten: a different name, location or custom field value of the
merged person becomes an ``alternate`` of the survivor.

The review queue (``merge_candidate``) holds pairs that may be one person, from imports (``queue_candidate``)
and from ``scan``; a decision ("merged" or "apart") is remembered so the same pair is never proposed again.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from dunbar import search
from dunbar.errors import Conflict, InvalidInput, NotFound
from dunbar.store.db import Db, chunks, to_date, to_datetime
from dunbar.text import fold

DECISIONS = ("merge", "apart")
STATUSES = ("pending", "merged", "apart")

# Columns whose JSON form (ISO text) must be turned back into dates and times before writing.
_DATE_COLUMNS = frozenset({"start_date", "end_date", "connected_on", "due_on", "since", "last_seen"})
_TIME_COLUMNS = frozenset({"created_at", "decided_at", "last_contact_at", "updated_at", "done_at", "deleted_at"})
_BOOL_COLUMNS = frozenset({"is_primary"})

# Scalar columns that fill the survivor's empty ones; text ones that differ are kept as alternates.
_FILL_COLUMNS = ("given_name", "family_name", "nickname", "location", "how_met", "circle", "closeness")
_ALTERNATE_COLUMNS = {"location": "location", "nickname": "nickname", "how_met": "how_met"}

_KIND_WORDS = {"email": "e-mail", "phone": "phone", "linkedin": "LinkedIn"}


# JSON round trip of stored values -------------------------------------------------------------------------


def _enc(value: Any) -> Any:
    if isinstance(value, datetime):
        dt = to_datetime(value)
        assert dt is not None
        return dt.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def _enc_row(row: dict[str, Any]) -> dict[str, Any]:
    return {k: _enc(v) for k, v in row.items()}


def _dec(column: str, value: Any) -> Any:
    if value is None:
        return None
    if column in _DATE_COLUMNS:
        return to_date(value)
    if column in _TIME_COLUMNS:
        return to_datetime(value)
    if column in _BOOL_COLUMNS:
        return bool(value)
    return value


def _same(column: str, a: Any, b: Any) -> bool:
    """Stored values compared across drivers (SQLite gives text for dates and times, PostgreSQL objects)."""
    return _enc(_dec(column, a)) == _enc(_dec(column, b))


# Merging ---------------------------------------------------------------------------------------------------


def _person(db: Db, person_id: int) -> dict[str, Any]:
    row = db.one("SELECT * FROM person WHERE id = :id", {"id": person_id})
    if row is None:
        raise NotFound(f"no person #{person_id}", hint="`dunbar list` shows everyone with their ids")
    return row


def _check_mergeable(survivor: dict[str, Any], merged: dict[str, Any]) -> None:
    if survivor["id"] == merged["id"]:
        raise InvalidInput(f"cannot merge {merged['display_name']} (#{merged['id']}) with themself")
    if merged["is_me"]:
        raise InvalidInput(
            "you cannot be merged into someone else",
            hint=f"merge the other way round: `dunbar merge me #{survivor['id']}`",
        )
    for p in (survivor, merged):
        if p["deleted_at"] is not None:
            if p["merged_into_id"] is not None:
                raise InvalidInput(
                    f"{p['display_name']} (#{p['id']}) was already merged into #{p['merged_into_id']}",
                    hint="`dunbar merge --undo ID` undoes a merge",
                )
            raise InvalidInput(
                f"{p['display_name']} (#{p['id']}) is in the trash", hint=f"`dunbar restore #{p['id']}` first"
            )


def _alternate(
    db: Db, person_id: int, attribute: str, value: str | None, source_id: int | None, created: list[int]
) -> None:
    """Keep ``value`` as an alternate of the person unless they already have it (folded)."""
    if value is None or not str(value).strip():
        return
    have = db.rows(
        "SELECT value FROM alternate WHERE person_id = :p AND attribute = :a", {"p": person_id, "a": attribute}
    )
    if any(fold(str(v[0])) == fold(str(value)) for v in have):
        return
    created.append(
        db.insert(
            "INSERT INTO alternate (person_id, attribute, value, source_id) VALUES (:p, :a, :v, :s) RETURNING id",
            {"p": person_id, "a": attribute, "v": str(value), "s": source_id},
        )
    )


def _move(db: Db, table: str, ids: Sequence[int], to: int) -> None:
    for part in chunks(list(ids)):
        db.execute(f"UPDATE {table} SET person_id = :to WHERE id IN :ids", {"to": to, "ids": list(part)})


def _move_identifiers(db: Db, sid: int, mid: int, moved: dict[str, Any]) -> None:
    have = {
        (r["kind"], r["norm"]) for r in db.all("SELECT kind, norm FROM identifier WHERE person_id = :p", {"p": sid})
    }
    primary_kinds = {
        r[0]
        for r in db.rows("SELECT kind FROM identifier WHERE person_id = :p AND is_primary = :t", {"p": sid, "t": True})
    }
    out: list[dict[str, Any]] = []
    dropped: list[dict[str, Any]] = []
    for row in db.all("SELECT * FROM identifier WHERE person_id = :p ORDER BY id", {"p": mid}):
        if (row["kind"], row["norm"]) in have:
            dropped.append(_enc_row(row))
            continue
        was_primary = bool(row["is_primary"])
        # One primary per kind: the survivor's stays primary; a moved one becomes primary only when there was none.
        now_primary = was_primary and row["kind"] not in primary_kinds
        if now_primary:
            primary_kinds.add(row["kind"])
        db.execute(
            "UPDATE identifier SET person_id = :s, is_primary = :pr WHERE id = :id",
            {"s": sid, "pr": now_primary, "id": row["id"]},
        )
        have.add((row["kind"], row["norm"]))
        out.append({"id": row["id"], "is_primary": was_primary})
    if dropped:
        db.execute("DELETE FROM identifier WHERE id IN :ids", {"ids": [r["id"] for r in dropped]})
    moved["identifier"] = {"moved": out, "dropped": dropped}


def _move_deduplicated(db: Db, table: str, key: tuple[str, ...], sid: int, mid: int, moved: dict[str, Any]) -> None:
    """Move rows of ``table`` whose ``key`` columns the survivor does not have yet; drop (and remember) the rest."""
    cols = ", ".join(key)
    have = {tuple(_enc(v) for v in r) for r in db.rows(f"SELECT {cols} FROM {table} WHERE person_id = :p", {"p": sid})}
    out: list[int] = []
    dropped: list[dict[str, Any]] = []
    for row in db.all(f"SELECT * FROM {table} WHERE person_id = :p ORDER BY id", {"p": mid}):
        k = tuple(_enc(row[c]) for c in key)
        if k in have:
            dropped.append(_enc_row(row))
        else:
            have.add(k)
            out.append(row["id"])
    _move(db, table, out, sid)
    if dropped:
        db.execute(f"DELETE FROM {table} WHERE id IN :ids", {"ids": [r["id"] for r in dropped]})
    moved[table] = {"moved": out, "dropped": dropped}


def _move_fields(db: Db, sid: int, mid: int, moved: dict[str, Any], alternates: list[int]) -> None:
    have: dict[str, list[str]] = defaultdict(list)
    for key, value in db.rows("SELECT key, value FROM field WHERE person_id = :p", {"p": sid}):
        have[key].append(value)
    out: list[int] = []
    dropped: list[dict[str, Any]] = []
    for row in db.all("SELECT * FROM field WHERE person_id = :p ORDER BY id", {"p": mid}):
        key, value = row["key"], row["value"]
        if key not in have:
            have[key].append(value)
            out.append(row["id"])
            continue
        dropped.append(_enc_row(row))
        if all(value.strip() != v.strip() for v in have[key]):
            _alternate(db, sid, f"field:{key}", value, row["source_id"], alternates)
    _move(db, "field", out, sid)
    if dropped:
        db.execute("DELETE FROM field WHERE id IN :ids", {"ids": [r["id"] for r in dropped]})
    moved["field"] = {"moved": out, "dropped": dropped}


def _move_tags(db: Db, sid: int, mid: int, moved: dict[str, Any]) -> None:
    have = {r[0] for r in db.rows("SELECT tag_id FROM person_tag WHERE person_id = :p", {"p": sid})}
    mine = [r[0] for r in db.rows("SELECT tag_id FROM person_tag WHERE person_id = :p ORDER BY tag_id", {"p": mid})]
    out = [t for t in mine if t not in have]
    dropped = [t for t in mine if t in have]
    if out:
        db.execute(
            "UPDATE person_tag SET person_id = :s WHERE person_id = :m AND tag_id IN :t", {"s": sid, "m": mid, "t": out}
        )
    if dropped:
        db.execute("DELETE FROM person_tag WHERE person_id = :m AND tag_id IN :t", {"m": mid, "t": dropped})
    moved["person_tag"] = {"moved": out, "dropped": dropped}


def _move_participants(db: Db, sid: int, mid: int, moved: dict[str, Any]) -> None:
    have = {r[0] for r in db.rows("SELECT interaction_id FROM participant WHERE person_id = :p", {"p": sid})}
    rows = db.all(
        "SELECT interaction_id, role FROM participant WHERE person_id = :p ORDER BY interaction_id", {"p": mid}
    )
    out = [r["interaction_id"] for r in rows if r["interaction_id"] not in have]
    # Both were on the same interaction: (interaction, person) is the key, so the merged one's row goes.
    dropped = [r for r in rows if r["interaction_id"] in have]
    for part in chunks(out):
        db.execute(
            "UPDATE participant SET person_id = :s WHERE person_id = :m AND interaction_id IN :ids",
            {"s": sid, "m": mid, "ids": list(part)},
        )
    for part in chunks([r["interaction_id"] for r in dropped]):
        db.execute(
            "DELETE FROM participant WHERE person_id = :m AND interaction_id IN :ids", {"m": mid, "ids": list(part)}
        )
    moved["participant"] = {"moved": out, "dropped": dropped}


def _move_favours(db: Db, sid: int, mid: int, moved: dict[str, Any]) -> None:
    """The merged person's favours, and their part in others' favours, go to the survivor; a part in a favour
    the survivor already has a part in (or owns) is dropped, as (favour, person) is the key."""
    ids = [r[0] for r in db.rows("SELECT id FROM favour WHERE person_id = :p ORDER BY id", {"p": mid})]
    _move(db, "favour", ids, sid)
    moved["favour"] = {"moved": ids, "dropped": []}
    have = {r[0] for r in db.rows("SELECT favour_id FROM favour_party WHERE person_id = :p", {"p": sid})}
    have |= {r[0] for r in db.rows("SELECT id FROM favour WHERE person_id = :p", {"p": sid})}
    rows = db.all(
        "SELECT favour_id, person_id, role FROM favour_party WHERE person_id = :p ORDER BY favour_id", {"p": mid}
    )
    out = [r["favour_id"] for r in rows if r["favour_id"] not in have]
    dropped = [r for r in rows if r["favour_id"] in have]
    for part in chunks(out):
        db.execute(
            "UPDATE favour_party SET person_id = :s WHERE person_id = :m AND favour_id IN :ids",
            {"s": sid, "m": mid, "ids": list(part)},
        )
    for part in chunks([r["favour_id"] for r in dropped]):
        db.execute("DELETE FROM favour_party WHERE person_id = :m AND favour_id IN :ids", {"m": mid, "ids": list(part)})
    moved["favour_party"] = {"moved": out, "dropped": dropped}


def _move_opportunity_people(db: Db, sid: int, mid: int, moved: dict[str, Any]) -> None:
    """The merged person's links to opportunities go to the survivor; where both were linked to one opportunity,
    (opportunity, person) is the key, so the merged one's link is dropped (and kept here for undo)."""
    have = {r[0] for r in db.rows("SELECT opportunity_id FROM opportunity_person WHERE person_id = :p", {"p": sid})}
    rows = db.all(
        "SELECT opportunity_id, person_id, role FROM opportunity_person WHERE person_id = :p ORDER BY opportunity_id",
        {"p": mid},
    )
    out = [r["opportunity_id"] for r in rows if r["opportunity_id"] not in have]
    dropped = [r for r in rows if r["opportunity_id"] in have]
    for part in chunks(out):
        db.execute(
            "UPDATE opportunity_person SET person_id = :s WHERE person_id = :m AND opportunity_id IN :ids",
            {"s": sid, "m": mid, "ids": list(part)},
        )
    for part in chunks([r["opportunity_id"] for r in dropped]):
        db.execute(
            "DELETE FROM opportunity_person WHERE person_id = :m AND opportunity_id IN :ids",
            {"m": mid, "ids": list(part)},
        )
    moved["opportunity_person"] = {"moved": out, "dropped": dropped}


def _move_ties(db: Db, sid: int, mid: int, moved: dict[str, Any]) -> None:
    """The merged person's ties go to the survivor (the pair re-ordered so that a < b). A tie between the two
    would tie the survivor to themself, and a pair the survivor already has would be a duplicate: both are
    removed and kept here, whole, for undo."""
    rows = db.all("SELECT * FROM tie WHERE person_a_id = :m OR person_b_id = :m ORDER BY id", {"m": mid})
    pairs = {
        (r[0], r[1])
        for r in db.rows(
            "SELECT person_a_id, person_b_id FROM tie WHERE person_a_id = :s OR person_b_id = :s", {"s": sid}
        )
    }
    out: list[dict[str, Any]] = []
    dropped: list[dict[str, Any]] = []
    for row in rows:
        other = row["person_b_id"] if row["person_a_id"] == mid else row["person_a_id"]
        pair = (min(sid, other), max(sid, other))
        if other == sid or pair in pairs:
            dropped.append(_enc_row(row))
            db.execute("DELETE FROM tie WHERE id = :id", {"id": row["id"]})
            continue
        pairs.add(pair)
        out.append({"id": row["id"], "person_a_id": row["person_a_id"], "person_b_id": row["person_b_id"]})
        db.execute(
            "UPDATE tie SET person_a_id = :a, person_b_id = :b WHERE id = :id",
            {"a": pair[0], "b": pair[1], "id": row["id"]},
        )
    moved["tie"] = {"moved": out, "dropped": dropped}


def _move_candidates(db: Db, sid: int, mid: int, moved: dict[str, Any], *, now: datetime) -> None:
    rows = db.all("SELECT * FROM merge_candidate WHERE person_a_id = :m OR person_b_id = :m ORDER BY id", {"m": mid})
    pairs = {
        (r[0], r[1])
        for r in db.rows(
            "SELECT person_a_id, person_b_id FROM merge_candidate WHERE person_a_id = :s OR person_b_id = :s",
            {"s": sid},
        )
    }
    out: list[dict[str, Any]] = []
    dropped: list[dict[str, Any]] = []
    decided: list[dict[str, Any]] = []
    for row in rows:
        other = row["person_b_id"] if row["person_a_id"] == mid else row["person_a_id"]
        if other == sid:
            if row["status"] == "pending":
                decided.append({"id": row["id"], "status": row["status"], "decided_at": _enc(row["decided_at"])})
                db.execute(
                    "UPDATE merge_candidate SET status = 'merged', decided_at = :t WHERE id = :id",
                    {"t": now, "id": row["id"]},
                )
            continue
        pair = (min(sid, other), max(sid, other))
        if pair in pairs:
            dropped.append(_enc_row(row))
            db.execute("DELETE FROM merge_candidate WHERE id = :id", {"id": row["id"]})
            continue
        pairs.add(pair)
        out.append({"id": row["id"], "person_a_id": row["person_a_id"], "person_b_id": row["person_b_id"]})
        db.execute(
            "UPDATE merge_candidate SET person_a_id = :a, person_b_id = :b WHERE id = :id",
            {"a": pair[0], "b": pair[1], "id": row["id"]},
        )
    moved["merge_candidate"] = {"moved": out, "dropped": dropped, "decided": decided}


def _fill_columns(
    db: Db, survivor: dict[str, Any], merged: dict[str, Any], alternates: list[int], *, now: datetime
) -> dict[str, list[Any]]:
    """The survivor's empty columns filled from the merged person: {column: [old, new]} (JSON forms)."""
    sets: dict[str, Any] = {}
    for col in _FILL_COLUMNS:
        if survivor[col] in (None, "") and merged[col] not in (None, ""):
            sets[col] = merged[col]
    if survivor["cadence_ideal_days"] is None and survivor["cadence_max_days"] is None:
        for col in ("cadence_ideal_days", "cadence_max_days"):
            if merged[col] is not None:
                sets[col] = merged[col]
    s_on, m_on = to_date(survivor["connected_on"]), to_date(merged["connected_on"])
    if m_on is not None and (s_on is None or m_on < s_on):
        sets["connected_on"] = m_on
    s_last, m_last = to_datetime(survivor["last_contact_at"]), to_datetime(merged["last_contact_at"])
    if m_last is not None and (s_last is None or m_last > s_last):
        sets["last_contact_at"] = m_last
    src = merged["source_id"]
    if fold(survivor["display_name"]) != fold(merged["display_name"]):
        _alternate(db, survivor["id"], "name", merged["display_name"], src, alternates)
    for col, attribute in _ALTERNATE_COLUMNS.items():
        if col not in sets and merged[col] and fold(survivor[col] or "") != fold(merged[col]):
            _alternate(db, survivor["id"], attribute, merged[col], src, alternates)
    filled = {col: [_enc(survivor[col]), _enc(value)] for col, value in sets.items()}
    sets["updated_at"] = now
    assignments = ", ".join(f"{col} = :{col}" for col in sets)
    db.execute(f"UPDATE person SET {assignments} WHERE id = :id", {**sets, "id": survivor["id"]})
    return filled


def merge_people(db: Db, survivor_id: int, merged_id: int, *, now: datetime) -> int:
    """Merge ``merged_id`` into ``survivor_id``; the merge's id (for ``undo_merge``)."""
    with db.transaction():
        survivor, merged = _person(db, survivor_id), _person(db, merged_id)
        _check_mergeable(survivor, merged)
        sid, mid = survivor["id"], merged["id"]
        moved: dict[str, Any] = {}
        alternates: list[int] = []
        _move_identifiers(db, sid, mid, moved)
        _move_deduplicated(db, "employment", ("organization_id", "title", "start_date", "end_date"), sid, mid, moved)
        _move_deduplicated(db, "important_date", ("kind", "label", "year", "month", "day"), sid, mid, moved)
        _move_fields(db, sid, mid, moved, alternates)
        _move_tags(db, sid, mid, moved)
        for table in ("note", "follow_up", "alternate", "offer_need"):
            ids = [r[0] for r in db.rows(f"SELECT id FROM {table} WHERE person_id = :p ORDER BY id", {"p": mid})]
            _move(db, table, ids, sid)
            moved[table] = {"moved": ids, "dropped": []}
        _move_participants(db, sid, mid, moved)
        _move_favours(db, sid, mid, moved)
        _move_opportunity_people(db, sid, mid, moved)
        _move_ties(db, sid, mid, moved)
        _move_candidates(db, sid, mid, moved, now=now)
        moved["filled"] = _fill_columns(db, survivor, merged, alternates, now=now)
        moved["alternates_created"] = alternates
        moved["updated_at"] = {"survivor": _enc(survivor["updated_at"]), "merged": _enc(merged["updated_at"])}
        db.execute(
            "UPDATE person SET deleted_at = :t, merged_into_id = :s, updated_at = :t WHERE id = :m",
            {"t": now, "s": sid, "m": mid},
        )
        merge_id = db.insert(
            "INSERT INTO merge (survivor_id, merged_id, moved, created_at, undone_at) "
            "VALUES (:s, :m, :moved, :t, NULL) RETURNING id",
            {"s": sid, "m": mid, "moved": json.dumps(moved), "t": now},
        )
        search.index_people(db, [sid, mid])
        search.index_notes(db, moved["note"]["moved"])
        from dunbar import stats

        stats.recompute(db, [sid, mid])
    return merge_id


# Undoing ---------------------------------------------------------------------------------------------------

# Parents a re-created row needs: when one is gone since the merge, a nullable link is cleared and a required
# one means the row has nothing left to belong to (it would have been deleted with its parent anyway).
_OPTIONAL_PARENTS = {"source_id": "source", "batch_id": "batch"}
_REQUIRED_PARENTS = {
    "organization_id": "organization",
    "interaction_id": "interaction",
    "tag_id": "tag",
    "person_a_id": "person",
    "person_b_id": "person",
}


def _exists(db: Db, table: str, row_id: Any) -> bool:
    return db.scalar(f"SELECT 1 FROM {table} WHERE id = :id", {"id": row_id}) is not None


def _recreate(db: Db, table: str, row: dict[str, Any]) -> None:
    values = {k: _dec(k, v) for k, v in row.items() if k.isascii() and k.isidentifier()}  # stored: names only
    for col, parent in _REQUIRED_PARENTS.items():
        if values.get(col) is not None and not _exists(db, parent, values[col]):
            return
    for col, parent in _OPTIONAL_PARENTS.items():
        if values.get(col) is not None and not _exists(db, parent, values[col]):
            values[col] = None
    # The original id keeps the original order (lists are ordered by id); it is only lost if reused since.
    if "id" in values and _exists(db, table, values["id"]):
        del values["id"]
    cols = ", ".join(values)
    params = ", ".join(f":{c}" for c in values)
    db.execute(f"INSERT INTO {table} ({cols}) VALUES ({params})", values)


def undo_merge(db: Db, merge_id: int, *, now: datetime) -> None:
    """Put everything a merge moved back where it was, and bring the merged person back."""
    with db.transaction():
        m = db.one("SELECT * FROM merge WHERE id = :id", {"id": merge_id})
        if m is None:
            raise NotFound(f"no merge #{merge_id}", hint="`dunbar merge A B` prints the id of the merge it made")
        if m["undone_at"] is not None:
            raise InvalidInput(f"merge #{merge_id} was already undone")
        sid, mid = m["survivor_id"], m["merged_id"]
        survivor, merged = _person(db, sid), _person(db, mid)
        if survivor["merged_into_id"] is not None and survivor["deleted_at"] is not None:
            later = db.scalar(
                "SELECT id FROM merge WHERE merged_id = :s AND undone_at IS NULL ORDER BY id DESC LIMIT 1", {"s": sid}
            )
            raise Conflict(
                f"{survivor['display_name']} (#{sid}) was merged into #{survivor['merged_into_id']} since",
                hint=f"undo that merge first: `dunbar merge --undo {later}`" if later else None,
            )
        if merged["merged_into_id"] != sid:
            raise Conflict(f"{merged['display_name']} (#{mid}) is no longer merged into #{sid}")
        moved = json.loads(m["moved"])

        if moved["alternates_created"]:
            db.execute("DELETE FROM alternate WHERE id IN :ids", {"ids": moved["alternates_created"]})
        for table in ("employment", "important_date", "field", "note", "follow_up", "alternate", "offer_need"):
            ids = moved.get(table, {"moved": []})["moved"]  # merges made before offers and needs moved have none
            for part in chunks(ids):
                db.execute(
                    f"UPDATE {table} SET person_id = :m WHERE person_id = :s AND id IN :ids",
                    {"m": mid, "s": sid, "ids": list(part)},
                )
            for row in moved[table]["dropped"]:
                _recreate(db, table, row)
        for item in moved["identifier"]["moved"]:
            db.execute(
                "UPDATE identifier SET person_id = :m, is_primary = :pr WHERE id = :id AND person_id = :s",
                {"m": mid, "pr": bool(item["is_primary"]), "id": item["id"], "s": sid},
            )
        for row in moved["identifier"]["dropped"]:
            _recreate(db, "identifier", row)
        tags = moved["person_tag"]
        if tags["moved"]:
            db.execute(
                "UPDATE person_tag SET person_id = :m WHERE person_id = :s AND tag_id IN :t",
                {"m": mid, "s": sid, "t": tags["moved"]},
            )
        for tag in tags["dropped"]:
            _recreate(db, "person_tag", {"person_id": mid, "tag_id": tag})
        part_moved = moved["participant"]
        for part in chunks(part_moved["moved"]):
            db.execute(
                "UPDATE participant SET person_id = :m WHERE person_id = :s AND interaction_id IN :ids",
                {"m": mid, "s": sid, "ids": list(part)},
            )
        for row in part_moved["dropped"]:
            if not db.scalar(
                "SELECT 1 FROM participant WHERE interaction_id = :i AND person_id = :m",
                {"i": row["interaction_id"], "m": mid},
            ):
                _recreate(db, "participant", {**row, "person_id": mid})
        # Merges made before the ledger existed moved no favours.
        for part in chunks(moved.get("favour", {}).get("moved", [])):
            db.execute(
                "UPDATE favour SET person_id = :m WHERE person_id = :s AND id IN :ids",
                {"m": mid, "s": sid, "ids": list(part)},
            )
        parties = moved.get("favour_party", {"moved": [], "dropped": []})
        for part in chunks(parties["moved"]):
            db.execute(
                "UPDATE favour_party SET person_id = :m WHERE person_id = :s AND favour_id IN :ids",
                {"m": mid, "s": sid, "ids": list(part)},
            )
        for row in parties["dropped"]:
            if _exists(db, "favour", row["favour_id"]) and not db.scalar(
                "SELECT 1 FROM favour_party WHERE favour_id = :f AND person_id = :m", {"f": row["favour_id"], "m": mid}
            ):
                _recreate(db, "favour_party", {**row, "person_id": mid})
        # Merges made before the job search existed moved no opportunity links.
        links = moved.get("opportunity_person", {"moved": [], "dropped": []})
        for part in chunks(links["moved"]):
            db.execute(
                "UPDATE opportunity_person SET person_id = :m WHERE person_id = :s AND opportunity_id IN :ids",
                {"m": mid, "s": sid, "ids": list(part)},
            )
        for row in links["dropped"]:
            if _exists(db, "opportunity", row["opportunity_id"]) and not db.scalar(
                "SELECT 1 FROM opportunity_person WHERE opportunity_id = :o AND person_id = :m",
                {"o": row["opportunity_id"], "m": mid},
            ):
                _recreate(db, "opportunity_person", {**row, "person_id": mid})
        # Merges made before ties existed moved none.
        ties = moved.get("tie", {"moved": [], "dropped": []})
        for item in ties["moved"]:
            db.execute(
                "UPDATE tie SET person_a_id = :a, person_b_id = :b WHERE id = :id",
                {"a": item["person_a_id"], "b": item["person_b_id"], "id": item["id"]},
            )
        for row in ties["dropped"]:
            if not db.scalar(
                "SELECT 1 FROM tie WHERE person_a_id = :a AND person_b_id = :b",
                {"a": row["person_a_id"], "b": row["person_b_id"]},
            ):
                _recreate(db, "tie", row)
        cands = moved["merge_candidate"]
        for item in cands["moved"]:
            db.execute(
                "UPDATE merge_candidate SET person_a_id = :a, person_b_id = :b WHERE id = :id",
                {"a": item["person_a_id"], "b": item["person_b_id"], "id": item["id"]},
            )
        for row in cands["dropped"]:
            _recreate(db, "merge_candidate", row)
        for item in cands["decided"]:
            db.execute(
                "UPDATE merge_candidate SET status = :st, decided_at = :d WHERE id = :id",
                {"st": item["status"], "d": _dec("decided_at", item["decided_at"]), "id": item["id"]},
            )
        # A filled column goes back only if it still holds what the merge put there (not changed by hand since).
        resets = {col: _dec(col, old) for col, (old, new) in moved["filled"].items() if _same(col, survivor[col], new)}
        resets["updated_at"] = _dec("updated_at", moved["updated_at"]["survivor"])
        assignments = ", ".join(f"{col} = :{col}" for col in resets)
        db.execute(f"UPDATE person SET {assignments} WHERE id = :id", {**resets, "id": sid})
        db.execute(
            "UPDATE person SET deleted_at = NULL, merged_into_id = NULL, updated_at = :u WHERE id = :m",
            {"u": _dec("updated_at", moved["updated_at"]["merged"]), "m": mid},
        )
        db.execute("UPDATE merge SET undone_at = :t WHERE id = :id", {"t": now, "id": merge_id})
        search.index_people(db, [sid, mid])
        search.index_notes(db, moved["note"]["moved"])
        from dunbar import stats

        stats.recompute(db, [sid, mid])


def get_merge(db: Db, merge_id: int) -> dict[str, Any]:
    """What a merge did, in counts: {id, survivor, merged, created_at, undone_at, moved, removed, filled,
    alternates}."""
    m = db.one("SELECT * FROM merge WHERE id = :id", {"id": merge_id})
    if m is None:
        raise NotFound(f"no merge #{merge_id}")
    moved = json.loads(m["moved"])
    names = dict(
        db.rows("SELECT id, display_name FROM person WHERE id IN :ids", {"ids": [m["survivor_id"], m["merged_id"]]})
    )
    tables = ("identifier", "employment", "important_date", "field", "person_tag", "note", "participant",
              "follow_up", "alternate", "merge_candidate", "favour", "favour_party", "opportunity_person", "tie")  # fmt: skip
    alternates = []
    if moved["alternates_created"]:
        alternates = db.all(
            "SELECT attribute, value FROM alternate WHERE id IN :ids ORDER BY id", {"ids": moved["alternates_created"]}
        )
    return {
        "id": m["id"],
        "survivor": {"id": m["survivor_id"], "name": names.get(m["survivor_id"])},
        "merged": {"id": m["merged_id"], "name": names.get(m["merged_id"])},
        "created_at": to_datetime(m["created_at"]),
        "undone_at": to_datetime(m["undone_at"]),
        "moved": {t: len(moved[t]["moved"]) for t in tables if moved.get(t, {}).get("moved")},
        "removed": {t: len(moved[t]["dropped"]) for t in tables if moved.get(t, {}).get("dropped")},
        "filled": sorted(moved["filled"]),
        "alternates": alternates,
    }


# The review queue ------------------------------------------------------------------------------------------


def _candidate_dict(db: Db, row: dict[str, Any]) -> dict[str, Any]:
    from dunbar import people

    return {
        "id": row["id"],
        "score": round(float(row["score"]), 3),
        "evidence": json.loads(row["evidence"] or "[]"),
        "status": row["status"],
        "a": people.get_person(db, row["person_a_id"]),
        "b": people.get_person(db, row["person_b_id"]),
        "batch_id": row["batch_id"],
        "created_at": to_datetime(row["created_at"]),
        "decided_at": to_datetime(row["decided_at"]),
    }


def candidates(db: Db, *, status: str = "pending", limit: int | None = None) -> list[dict[str, Any]]:
    """Candidate pairs of this status, best score first: each {id, score, evidence, status, a, b, batch_id,
    created_at, decided_at}, ``a``/``b`` in the shape of ``people.get_person``. Pending pairs with someone in the
    trash are left out (they cannot be merged)."""
    if status not in STATUSES:
        raise InvalidInput(f"unknown status {status!r}", hint=f"one of: {', '.join(STATUSES)}")
    live = ""
    if status == "pending":
        live = " AND pa.deleted_at IS NULL AND pb.deleted_at IS NULL"
    page = ""
    params: dict[str, Any] = {"st": status}
    if limit is not None:
        page = " LIMIT :limit"
        params["limit"] = limit
    rows = db.all(
        "SELECT c.* FROM merge_candidate c JOIN person pa ON pa.id = c.person_a_id "
        f"JOIN person pb ON pb.id = c.person_b_id WHERE c.status = :st{live} ORDER BY c.score DESC, c.id{page}",
        params,
    )
    return [_candidate_dict(db, r) for r in rows]


def get_candidate(db: Db, candidate_id: int) -> dict[str, Any]:
    row = db.one("SELECT * FROM merge_candidate WHERE id = :id", {"id": candidate_id})
    if row is None:
        raise NotFound(f"no candidate pair #{candidate_id}", hint="`dunbar dedupe` lists the pending pairs")
    return _candidate_dict(db, row)


def decide(db: Db, candidate_id: int, decision: str, *, now: datetime, keep: str = "a") -> dict[str, Any]:
    """Merge a candidate pair (``keep`` names the survivor) or keep them apart for good.

    Returns {id, status, merge_id, survivor_id, merged_id}."""
    if decision not in DECISIONS:
        raise InvalidInput(f"unknown decision {decision!r}", hint="merge or apart")
    if keep not in ("a", "b"):
        raise InvalidInput(f"keep must be a or b, not {keep!r}")
    with db.transaction():
        row = db.one("SELECT * FROM merge_candidate WHERE id = :id", {"id": candidate_id})
        if row is None:
            raise NotFound(f"no candidate pair #{candidate_id}", hint="`dunbar dedupe` lists the pending pairs")
        if row["status"] != "pending":
            raise Conflict(f"candidate pair #{candidate_id} was already decided: {row['status']}")
        a, b = row["person_a_id"], row["person_b_id"]
        if decision == "apart":
            db.execute(
                "UPDATE merge_candidate SET status = 'apart', decided_at = :t WHERE id = :id",
                {"t": now, "id": candidate_id},
            )
            return {"id": candidate_id, "status": "apart", "merge_id": None, "survivor_id": None, "merged_id": None}
        survivor, merged = (a, b) if keep == "a" else (b, a)
        if db.scalar("SELECT is_me FROM person WHERE id = :id", {"id": merged}):
            raise InvalidInput(
                "you cannot be merged into someone else", hint=f"keep yourself: --keep {'b' if keep == 'a' else 'a'}"
            )
        merge_id = merge_people(db, survivor, merged, now=now)
    return {"id": candidate_id, "status": "merged", "merge_id": merge_id, "survivor_id": survivor, "merged_id": merged}


def queue_candidate(
    db: Db,
    a_id: int,
    b_id: int,
    score: float,
    evidence: Sequence[str],
    *,
    batch_id: int | None = None,
    now: datetime,
) -> int | None:
    """Propose that two people may be one; the new pair's id, or None when the pair is already pending or was
    decided (or is one person, or someone in it is gone)."""
    if a_id == b_id:
        return None
    a, b = min(a_id, b_id), max(a_id, b_id)
    with db.transaction():
        if db.scalar("SELECT 1 FROM merge_candidate WHERE person_a_id = :a AND person_b_id = :b", {"a": a, "b": b}):
            return None
        live = db.scalar("SELECT count(*) FROM person WHERE id IN :ids AND deleted_at IS NULL", {"ids": [a, b]})
        if live != 2:
            return None
        return db.insert(
            "INSERT INTO merge_candidate (person_a_id, person_b_id, score, evidence, status, batch_id, created_at) "
            "VALUES (:a, :b, :s, :e, 'pending', :batch, :t) RETURNING id",
            {"a": a, "b": b, "s": _clamp(score), "e": json.dumps(list(evidence)), "batch": batch_id, "t": now},
        )


def _clamp(score: float) -> float:
    return round(min(1.0, max(0.0, float(score))), 3)


# Scanning for candidate pairs ------------------------------------------------------------------------------

SIMILAR_CUTOFF = 90  # rapidfuzz token_sort_ratio at or above which two names in one block look alike
INITIALS_FACTOR = 0.95  # names equal but for a middle initial count as this much of their likeness
BLOCK_LIMIT = 3000  # a family-name block larger than this is fuzzed no further (cost grows with its square)


@dataclass
class _Pair:
    score: float = 0.0
    evidence: list[str] = field(default_factory=list)

    def add(self, score: float, why: str) -> None:
        self.score = max(self.score, score)
        if why not in self.evidence:
            self.evidence.append(why)


def _tokens(name_fold: str) -> list[str]:
    return [t for t in name_fold.replace("-", " ").replace(".", " ").replace(",", " ").split() if t]


def _without_initials(name: str) -> str:
    """ "ana p lima" -> "ana lima": a middle initial is often missing from one source."""
    toks = name.split()
    kept = [t for t in toks[1:-1] if len(t) > 1]
    return " ".join([toks[0], *kept, toks[-1]]) if len(toks) > 2 else name


def _initials_agree(a: str, b: str) -> bool:
    """Different middle initials tell two people apart ("Ana P. Lima" / "Ana Q. Lima"), however alike the rest."""
    ia = [t for t in a.split()[1:-1] if len(t) == 1]
    ib = [t for t in b.split()[1:-1] if len(t) == 1]
    return not ia or not ib or ia == ib


def similar_score(ratio: float, shared_organization: bool) -> float:
    """Score of two similar names (ratio 90–100 → 0.6–0.75), more with a shared organization, at most 0.85."""
    base = 0.6 + max(0.0, min(ratio, 100.0) - SIMILAR_CUTOFF) * 0.015
    return round(min(0.85, base + (0.1 if shared_organization else 0.0)), 3)


def find_pairs(
    names: dict[int, str],
    keys: Iterable[tuple[str, str, Sequence[int]]],
    orgs: dict[int, dict[int, str]],
) -> dict[tuple[int, int], _Pair]:
    """The candidate pairs among people (pure: no database).

    ``names`` is {person id: display name}; ``keys`` yields (kind, norm, person ids sharing it); ``orgs`` is
    {person id: {organization id: organization name}}.
    """
    pairs: dict[tuple[int, int], _Pair] = defaultdict(_Pair)
    for kind, norm, ids in keys:
        uniq = sorted(set(ids))
        for i, a in enumerate(uniq):
            for b in uniq[i + 1 :]:
                pairs[(a, b)].add(1.0, f"same {_KIND_WORDS.get(kind, kind)} {norm}")
    folded = {pid: fold(name) for pid, name in names.items()}
    blocks: dict[str, list[int]] = defaultdict(list)
    for pid, nf in folded.items():
        toks = _tokens(nf)
        if len(toks) >= 2:  # a lone given name is too weak to match on
            blocks[toks[-1]].append(pid)
    from rapidfuzz import fuzz, process

    for block in blocks.values():
        if len(block) < 2 or len(block) > BLOCK_LIMIT:
            continue
        block.sort()
        full = [" ".join(_tokens(folded[p])) for p in block]
        ratios: dict[tuple[int, int], float] = {}
        for texts, factor in ((full, 1.0), ([_without_initials(t) for t in full], INITIALS_FACTOR)):
            for i, text in enumerate(texts):
                # extract() runs the comparisons in C; each pair is met twice, so only j > i is kept.
                for _, ratio, j in process.extract(
                    text, texts, scorer=fuzz.token_sort_ratio, score_cutoff=SIMILAR_CUTOFF / factor, limit=None
                ):
                    if j > i and _initials_agree(full[i], full[j]):
                        ratios[(i, j)] = max(ratios.get((i, j), 0.0), float(ratio) * factor)
        for (i, j), ratio in ratios.items():
            _similar(pairs, names, orgs, block[i], block[j], ratio, same=full[i] == full[j])
    return dict(pairs)


def _similar(
    pairs: dict[tuple[int, int], _Pair],
    names: dict[int, str],
    orgs: dict[int, dict[int, str]],
    a: int,
    b: int,
    ratio: float,
    *,
    same: bool,
) -> None:
    common = sorted(orgs.get(a, {}).keys() & orgs.get(b, {}).keys())
    org_name = orgs[a][common[0]] if common else None
    if same and org_name:
        pairs[(a, b)].add(0.9, f"same name and organization ({org_name})")
        return
    if same:
        pairs[(a, b)].add(similar_score(ratio, False), f"same name: {names[a]}")
    else:
        pairs[(a, b)].add(similar_score(ratio, bool(common)), f"similar names: {names[a]} / {names[b]} ({ratio:.0f})")
    if org_name:
        pairs[(a, b)].add(similar_score(ratio, True), f"same organization ({org_name})")


def scan(db: Db, *, now: datetime) -> int:
    """Find candidate pairs among all live people and queue the new ones; how many were queued."""
    names = dict(db.rows("SELECT id, display_name FROM person WHERE deleted_at IS NULL"))
    keys: dict[tuple[str, str], list[int]] = defaultdict(list)
    for kind, norm, pid in db.rows(
        "SELECT i.kind, i.norm, i.person_id FROM identifier i JOIN person p ON p.id = i.person_id "
        "WHERE p.deleted_at IS NULL AND i.kind IN ('email', 'phone', 'linkedin') AND EXISTS ("
        "SELECT 1 FROM identifier j JOIN person q ON q.id = j.person_id WHERE j.kind = i.kind AND j.norm = i.norm "
        "AND j.person_id <> i.person_id AND q.deleted_at IS NULL)"
    ):
        keys[(kind, norm)].append(pid)
    orgs: dict[int, dict[int, str]] = defaultdict(dict)
    for pid, oid, oname in db.rows(
        "SELECT e.person_id, o.id, o.name FROM employment e JOIN organization o ON o.id = e.organization_id "
        "JOIN person p ON p.id = e.person_id WHERE p.deleted_at IS NULL"
    ):
        orgs[pid][oid] = oname
    pairs = find_pairs(names, ((k, n, ids) for (k, n), ids in keys.items()), orgs)
    if not pairs:
        return 0
    with db.transaction():
        known = {(a, b) for a, b in db.rows("SELECT person_a_id, person_b_id FROM merge_candidate")}
        new = [
            {"a": a, "b": b, "s": _clamp(p.score), "e": json.dumps(p.evidence), "t": now}
            for (a, b), p in sorted(pairs.items())
            if (a, b) not in known
        ]
        db.executemany(
            "INSERT INTO merge_candidate (person_a_id, person_b_id, score, evidence, status, batch_id, created_at) "
            "VALUES (:a, :b, :s, :e, 'pending', NULL, :t)",
            new,
        )
    return len(new)

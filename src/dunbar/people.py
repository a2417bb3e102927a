"""People: add, edit, find, list, trash and restore, tag, note, and resolve "who do you mean".

Every function takes a ``Db`` and, where it writes, runs in one transaction; ``now`` is always a parameter.
The JSON shape of a person (``get_person``) is documented in docs/json.md.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

from dunbar import normalize, search
from dunbar.errors import Ambiguous, Conflict, InvalidInput, NotFound
from dunbar.store.db import Db, to_date, to_datetime
from dunbar.text import fold
from dunbar.vocabulary import CIRCLES, new_uid

MANUAL_SOURCE = "typed by hand"
SORTS = ("name", "last-contact", "added")


# Sources ---------------------------------------------------------------------------------------------------


def manual_source(db: Db, *, now: datetime) -> int:
    """The source of everything typed by hand (created once)."""
    found = db.scalar("SELECT id FROM source WHERE kind = 'manual' AND batch_id IS NULL ORDER BY id LIMIT 1")
    if found is not None:
        return int(found)
    return db.insert(
        "INSERT INTO source (batch_id, kind, label, created_at) VALUES (NULL, 'manual', :l, :t) RETURNING id",
        {"l": MANUAL_SOURCE, "t": now},
    )


# Organizations and tags ------------------------------------------------------------------------------------


def organization_id(db: Db, name: str, *, now: datetime) -> int:
    """The organization of this name (case- and accent-insensitive), created when new."""
    clean = " ".join(name.split())
    if not clean:
        raise InvalidInput("an organization needs a name")
    key = fold(clean)
    found = db.scalar("SELECT id FROM organization WHERE name_fold = :k", {"k": key})
    if found is not None:
        return int(found)
    return db.insert(
        "INSERT INTO organization (name, name_fold, created_at) VALUES (:n, :k, :t) RETURNING id",
        {"n": clean, "k": key, "t": now},
    )


def tag_id(db: Db, name: str) -> int:
    clean = " ".join(name.strip().lstrip("#").split())
    if not clean:
        raise InvalidInput("a tag needs a name")
    key = fold(clean)
    found = db.scalar("SELECT id FROM tag WHERE name_fold = :k", {"k": key})
    if found is not None:
        return int(found)
    return db.insert("INSERT INTO tag (name, name_fold) VALUES (:n, :k) RETURNING id", {"n": clean, "k": key})


# Input -----------------------------------------------------------------------------------------------------


@dataclass
class PersonChanges:
    """What ``add_person``/``edit_person`` may set. ``None`` leaves a value alone; "" clears a text field."""

    name: str | None = None
    given_name: str | None = None
    family_name: str | None = None
    nickname: str | None = None
    location: str | None = None
    how_met: str | None = None
    circle: str | None = None
    cadence_ideal_days: int | None = None
    cadence_max_days: int | None = None
    closeness: int | None = None
    connected_on: date | None = None
    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    remove_identifiers: list[str] = field(default_factory=list)
    organization: str | None = None  # a current job at this organization
    title: str | None = None
    job_start: date | None = None
    left_organization: str | None = None  # end the current job there
    birthday: str | None = None  # YYYY-MM-DD or --MM-DD / MM-DD
    fields: dict[str, str | None] = field(default_factory=dict)  # None removes the field
    tags: list[str] = field(default_factory=list)


TEXT_COLUMNS = ("given_name", "family_name", "nickname", "location", "how_met")


def _check_circle(circle: str | None) -> str | None:
    if circle in (None, ""):
        return None
    c = circle.strip().lower()
    if c not in CIRCLES:
        raise InvalidInput(f"unknown circle {circle!r}", hint=f"one of: {', '.join(CIRCLES)}")
    return c


def _check_closeness(value: int | None) -> None:
    if value is not None and not 0 <= value <= 100:
        raise InvalidInput(f"closeness must be between 0 and 100, not {value}")


def parse_birthday(text: str) -> tuple[int | None, int, int]:
    """``1990-04-12``, ``--04-12`` or ``04-12`` -> (year or None, month, day)."""
    s = text.strip()
    try:
        if s.startswith("--"):
            s = s[2:]
        parts = s.split("-")
        if len(parts) == 3:
            d = date.fromisoformat(s)
            return d.year, d.month, d.day
        if len(parts) == 2:
            month, day = int(parts[0]), int(parts[1])
            date(2000, month, day)  # validates (2000 is a leap year, so 02-29 is allowed)
            return None, month, day
    except ValueError:
        pass
    raise InvalidInput(f"not a birthday: {text!r}", hint="use YYYY-MM-DD, or MM-DD when the year is unknown")


def _identifier_rows(values: Iterable[str], kind: str) -> list[tuple[str, str, str, str | None]]:
    """(kind, value, norm, label) for each value; ``label:value`` gives a label (``work:ana@acme.com``)."""
    out = []
    for raw in values:
        label, value = None, raw.strip()
        head, sep, tail = value.partition(":")
        if sep and head.isalpha() and len(head) <= 12 and not tail.startswith("//") and head.lower() != "mailto":
            label, value = head.lower(), tail.strip()
        k = kind
        if kind == "url" and normalize.linkedin(value):
            k = "linkedin"
        norm = normalize.identifier(k, value)
        if norm is None:
            what = {"email": "an e-mail address", "phone": "a phone number", "url": "a link"}.get(kind, kind)
            raise InvalidInput(f"not {what}: {value!r}")
        shown = norm if k == "phone" else value
        out.append((k, shown, norm, label))
    return out


def _insert_identifiers(db: Db, person_id: int, rows: list[tuple[str, str, str, str | None]], source_id: int) -> None:
    for kind, value, norm, label in rows:
        owner = db.scalar(
            "SELECT p.display_name FROM identifier i JOIN person p ON p.id = i.person_id "
            "WHERE i.kind = :k AND i.norm = :n AND i.person_id <> :p AND p.deleted_at IS NULL LIMIT 1",
            {"k": kind, "n": norm, "p": person_id},
        )
        if owner is not None:
            raise Conflict(f"{value} already belongs to {owner}", hint="use `dunbar merge` if they are the same person")
        if db.scalar(
            "SELECT 1 FROM identifier WHERE person_id = :p AND kind = :k AND norm = :n",
            {"p": person_id, "k": kind, "n": norm},
        ):
            continue
        first = not db.scalar(
            "SELECT 1 FROM identifier WHERE person_id = :p AND kind = :k", {"p": person_id, "k": kind}
        )
        db.execute(
            "INSERT INTO identifier (person_id, kind, value, norm, label, is_primary, source_id) "
            "VALUES (:p, :k, :v, :n, :l, :pr, :s)",
            {"p": person_id, "k": kind, "v": value, "n": norm, "l": label, "pr": first, "s": source_id},
        )


def _split_name(name: str) -> tuple[str | None, str | None]:
    parts = name.split()
    if len(parts) < 2:
        return (parts[0] if parts else None), None
    return " ".join(parts[:-1]), parts[-1]


# Writing ---------------------------------------------------------------------------------------------------


def add_person(db: Db, changes: PersonChanges, *, now: datetime, source_id: int | None = None) -> int:
    """Add a person; their e-mails, phones and links must not belong to anyone else yet."""
    name = " ".join((changes.name or "").split())
    if not name:
        raise InvalidInput("a person needs a name", hint='dunbar add "Ana Lima" --email ana@example.com')
    circle = _check_circle(changes.circle)
    _check_closeness(changes.closeness)
    given, family = changes.given_name, changes.family_name
    if given is None and family is None:
        given, family = _split_name(name)
    ident_rows = (
        _identifier_rows(changes.emails, "email")
        + _identifier_rows(changes.phones, "phone")
        + _identifier_rows(changes.links, "url")
    )
    with db.transaction():
        src = source_id if source_id is not None else manual_source(db, now=now)
        pid = db.insert(
            "INSERT INTO person (uid, display_name, name_fold, given_name, family_name, nickname, location, how_met, "
            "circle, cadence_ideal_days, cadence_max_days, closeness, connected_on, is_me, source_id, created_at, "
            "updated_at) VALUES (:uid, :name, :fold, :given, :family, :nick, :loc, :met, :circle, :ideal, :max, "
            ":close, :conn, :me, :src, :now, :now) RETURNING id",
            {
                "uid": new_uid(),
                "name": name,
                "fold": fold(name),
                "given": given or None,
                "family": family or None,
                "nick": changes.nickname or None,
                "loc": changes.location or None,
                "met": changes.how_met or None,
                "circle": circle,
                "ideal": changes.cadence_ideal_days,
                "max": changes.cadence_max_days,
                "close": changes.closeness,
                "conn": changes.connected_on,
                "me": False,
                "src": src,
                "now": now,
            },
        )
        _insert_identifiers(db, pid, ident_rows, src)
        _apply_details(db, pid, changes, src, now=now)
        search.index_people(db, [pid])
    return pid


def _apply_details(db: Db, pid: int, changes: PersonChanges, src: int, *, now: datetime) -> None:
    if changes.organization:
        org = organization_id(db, changes.organization, now=now)
        current = db.one(
            "SELECT id, title FROM employment WHERE person_id = :p AND organization_id = :o AND end_date IS NULL",
            {"p": pid, "o": org},
        )
        if current is None:
            db.execute(
                "INSERT INTO employment (person_id, organization_id, title, start_date, end_date, source_id) "
                "VALUES (:p, :o, :t, :s, NULL, :src)",
                {"p": pid, "o": org, "t": changes.title or None, "s": changes.job_start, "src": src},
            )
        elif changes.title is not None or changes.job_start is not None:
            db.execute(
                "UPDATE employment SET title = COALESCE(:t, title), start_date = COALESCE(:s, start_date) "
                "WHERE id = :id",
                {"t": changes.title or None, "s": changes.job_start, "id": current["id"]},
            )
    elif changes.title is not None:
        updated = db.execute(
            "UPDATE employment SET title = :t WHERE id = (SELECT max(id) FROM employment "
            "WHERE person_id = :p AND end_date IS NULL)",
            {"t": changes.title or None, "p": pid},
        )
        if not updated:
            raise InvalidInput("a title needs an organization", hint="add --org NAME")
    if changes.left_organization:
        org_key = fold(changes.left_organization)
        ended = db.execute(
            "UPDATE employment SET end_date = :d WHERE person_id = :p AND end_date IS NULL AND organization_id IN "
            "(SELECT id FROM organization WHERE name_fold = :k)",
            {"d": now.date(), "p": pid, "k": org_key},
        )
        if not ended:
            raise NotFound(f"no current job at {changes.left_organization!r}")
    if changes.birthday:
        year, month, day = parse_birthday(changes.birthday)
        db.execute("DELETE FROM important_date WHERE person_id = :p AND kind = 'birthday'", {"p": pid})
        db.execute(
            "INSERT INTO important_date (person_id, kind, label, year, month, day, source_id) "
            "VALUES (:p, 'birthday', NULL, :y, :m, :d, :s)",
            {"p": pid, "y": year, "m": month, "d": day, "s": src},
        )
    for key, value in changes.fields.items():
        k = key.strip()
        if not k:
            raise InvalidInput("a custom field needs a name", hint="--field key=value")
        db.execute("DELETE FROM field WHERE person_id = :p AND key = :k", {"p": pid, "k": k})
        if value not in (None, ""):
            db.execute(
                "INSERT INTO field (person_id, key, value, source_id) VALUES (:p, :k, :v, :s)",
                {"p": pid, "k": k, "v": value, "s": src},
            )
    if changes.tags:
        add_tags(db, [pid], changes.tags)


def edit_person(db: Db, person_id: int, changes: PersonChanges, *, now: datetime) -> None:
    """Change what ``changes`` sets; add the e-mails, phones and links it lists, remove those in
    ``remove_identifiers``."""
    sets: dict[str, Any] = {}
    if changes.name is not None:
        name = " ".join(changes.name.split())
        if not name:
            raise InvalidInput("a person needs a name")
        sets["display_name"] = name
        sets["name_fold"] = fold(name)
    for col in TEXT_COLUMNS:
        value = getattr(changes, col)
        if value is not None:
            sets[col] = value.strip() or None
    if changes.circle is not None:
        sets["circle"] = _check_circle(changes.circle)
    if changes.closeness is not None:
        _check_closeness(changes.closeness)
        sets["closeness"] = changes.closeness
    for col in ("cadence_ideal_days", "cadence_max_days", "connected_on"):
        if getattr(changes, col) is not None:
            sets[col] = getattr(changes, col)
    ideal = sets.get("cadence_ideal_days")
    most = sets.get("cadence_max_days")
    if ideal is not None and most is not None and ideal > most:
        raise InvalidInput("the ideal interval cannot be longer than the maximum")
    ident_rows = (
        _identifier_rows(changes.emails, "email")
        + _identifier_rows(changes.phones, "phone")
        + _identifier_rows(changes.links, "url")
    )
    with db.transaction():
        _require(db, person_id)
        src = manual_source(db, now=now)
        sets["updated_at"] = now
        assignments = ", ".join(f"{col} = :{col}" for col in sets)
        db.execute(f"UPDATE person SET {assignments} WHERE id = :id", {**sets, "id": person_id})
        _insert_identifiers(db, person_id, ident_rows, src)
        for raw in changes.remove_identifiers:
            kind = normalize.guess_kind(raw)
            norm = normalize.identifier(kind if kind != "name" else "handle", raw) or raw.strip().lower()
            gone = db.execute("DELETE FROM identifier WHERE person_id = :p AND norm = :n", {"p": person_id, "n": norm})
            if not gone:
                raise NotFound(f"{raw!r} is not one of this person's e-mails, phones or links")
        _apply_details(db, person_id, changes, src, now=now)
        search.index_people(db, [person_id])


def _require(db: Db, person_id: int, *, deleted: bool = False) -> dict[str, Any]:
    row = db.one("SELECT id, display_name, deleted_at FROM person WHERE id = :id", {"id": person_id})
    if row is None or (row["deleted_at"] is not None and not deleted):
        raise NotFound(f"no person #{person_id}", hint="`dunbar list` shows everyone; `dunbar trash` the deleted")
    return row


def add_tags(db: Db, person_ids: Sequence[int], names: Iterable[str]) -> int:
    """Tag these people; the number of new (person, tag) pairs."""
    added = 0
    with db.transaction():
        for name in names:
            tid = tag_id(db, name)
            have = {
                r[0]
                for r in db.rows(
                    "SELECT person_id FROM person_tag WHERE tag_id = :t AND person_id IN :ids",
                    {"t": tid, "ids": list(person_ids)},
                )
            }
            new = [{"p": p, "t": tid} for p in dict.fromkeys(person_ids) if p not in have]
            db.executemany("INSERT INTO person_tag (person_id, tag_id) VALUES (:p, :t)", new)
            added += len(new)
    return added


def remove_tags(db: Db, person_ids: Sequence[int], names: Iterable[str]) -> int:
    removed = 0
    with db.transaction():
        for name in names:
            removed += db.execute(
                "DELETE FROM person_tag WHERE person_id IN :ids AND tag_id IN "
                "(SELECT id FROM tag WHERE name_fold = :k)",
                {"ids": list(person_ids), "k": fold(name.strip().lstrip("#"))},
            )
    return removed


def add_note(db: Db, person_id: int, body: str, *, now: datetime) -> int:
    text = body.strip()
    if not text:
        raise InvalidInput("a note cannot be empty")
    with db.transaction():
        _require(db, person_id)
        nid = db.insert(
            "INSERT INTO note (person_id, body, created_at, source_id) VALUES (:p, :b, :t, :s) RETURNING id",
            {"p": person_id, "b": text, "t": now, "s": manual_source(db, now=now)},
        )
        search.index_notes(db, [nid])
    return nid


def trash(db: Db, person_id: int, *, now: datetime) -> None:
    """Move a person to the trash: hidden everywhere, restorable with everything they had."""
    with db.transaction():
        row = _require(db, person_id)
        if db.scalar("SELECT is_me FROM person WHERE id = :id", {"id": person_id}):
            raise InvalidInput("you cannot delete yourself", hint="`dunbar init` changes who you are")
        db.execute("UPDATE person SET deleted_at = :t, updated_at = :t WHERE id = :id", {"t": now, "id": row["id"]})


def restore(db: Db, person_id: int, *, now: datetime) -> None:
    with db.transaction():
        row = _require(db, person_id, deleted=True)
        if row["deleted_at"] is None:
            raise InvalidInput(f"{row['display_name']} is not in the trash")
        db.execute("UPDATE person SET deleted_at = NULL, updated_at = :t WHERE id = :id", {"t": now, "id": person_id})


# "Me" ------------------------------------------------------------------------------------------------------


def get_me(db: Db) -> dict[str, Any] | None:
    pid = db.scalar("SELECT id FROM person WHERE is_me = :t ORDER BY id LIMIT 1", {"t": True})
    return None if pid is None else get_person(db, int(pid))


def me_identity(db: Db) -> dict[str, Any]:
    """The user's own e-mail addresses, LinkedIn URLs and folded names (to tell mine from theirs in imports)."""
    pid = db.scalar("SELECT id FROM person WHERE is_me = :t ORDER BY id LIMIT 1", {"t": True})
    if pid is None:
        return {"person_id": None, "emails": [], "linkedin": [], "names": []}
    idents = db.rows("SELECT kind, norm FROM identifier WHERE person_id = :p", {"p": pid})
    name = db.scalar("SELECT name_fold FROM person WHERE id = :p", {"p": pid})
    return {
        "person_id": int(pid),
        "emails": [n for k, n in idents if k == "email"],
        "linkedin": [n for k, n in idents if k == "linkedin"],
        "names": [name] if name else [],
    }


def set_me(db: Db, *, name: str, emails: Sequence[str] = (), linkedin: str | None = None, now: datetime) -> int:
    """Record who the user is; running it again updates the same person."""
    with db.transaction():
        pid = db.scalar("SELECT id FROM person WHERE is_me = :t ORDER BY id LIMIT 1", {"t": True})
        links = [linkedin] if linkedin else []
        if pid is None:
            pid = add_person(db, PersonChanges(name=name, emails=list(emails), links=links), now=now)
            db.execute("UPDATE person SET is_me = :t WHERE id = :id", {"t": True, "id": pid})
        else:
            have = {r[0] for r in db.rows("SELECT norm FROM identifier WHERE person_id = :p", {"p": pid})}
            new_emails = [e for e in emails if normalize.email(e) not in have]
            new_links = [u for u in links if normalize.linkedin(u) not in have]
            edit_person(db, int(pid), PersonChanges(name=name, emails=new_emails, links=new_links), now=now)
        db.execute("DELETE FROM setting WHERE key = 'me'")
        db.execute("INSERT INTO setting (key, value) VALUES ('me', :v)", {"v": json.dumps({"person_id": int(pid)})})
    return int(pid)


# Reading ---------------------------------------------------------------------------------------------------


def _bool(value: Any) -> bool:
    return bool(value)


def get_person(db: Db, person_id: int, *, deleted: bool = True) -> dict[str, Any]:
    """Everything about one person, in the documented JSON shape."""
    p = get_people(db, [person_id]).get(person_id)
    if p is None or (p["deleted_at"] is not None and not deleted):
        raise NotFound(f"no person #{person_id}")
    return p


def _grouped(rows: list[dict[str, Any]]) -> dict[int, list[dict[str, Any]]]:
    out: dict[int, list[dict[str, Any]]] = {}
    for r in rows:
        out.setdefault(r.pop("person_id"), []).append(r)
    return out


def get_people(db: Db, ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """Everything about each of these people (as ``get_person``): seven queries, however many people."""
    if not ids:
        return {}
    q = {"ids": list(ids)}
    persons = db.all(
        "SELECT p.*, s.label AS source_label FROM person p LEFT JOIN source s ON s.id = p.source_id WHERE p.id IN :ids",
        q,
    )
    idents = _grouped(db.all(
        "SELECT i.person_id, i.kind, i.value, i.norm, i.label, i.is_primary, s.label AS source FROM identifier i "
        "LEFT JOIN source s ON s.id = i.source_id WHERE i.person_id IN :ids ORDER BY i.person_id, i.id",
        q,
    ))  # fmt: skip
    jobs = _grouped(db.all(
        "SELECT e.person_id, o.name AS organization, e.title, e.start_date, e.end_date, s.label AS source "
        "FROM employment e JOIN organization o ON o.id = e.organization_id LEFT JOIN source s ON s.id = e.source_id "
        "WHERE e.person_id IN :ids "
        "ORDER BY e.person_id, e.end_date IS NULL DESC, e.end_date DESC, e.start_date DESC, e.id DESC",
        q,
    ))  # fmt: skip
    dates = _grouped(db.all(
        "SELECT person_id, kind, label, year, month, day FROM important_date WHERE person_id IN :ids "
        "ORDER BY person_id, month, day, id",
        q,
    ))  # fmt: skip
    fields = _grouped(db.all(
        "SELECT person_id, key, value FROM field WHERE person_id IN :ids ORDER BY person_id, key, id", q
    ))  # fmt: skip
    tags = _grouped(db.all(
        "SELECT pt.person_id, t.name FROM person_tag pt JOIN tag t ON t.id = pt.tag_id WHERE pt.person_id IN :ids "
        "ORDER BY pt.person_id, t.name_fold",
        q,
    ))  # fmt: skip
    notes = _grouped(db.all(
        "SELECT n.person_id, n.id, n.body, n.created_at, s.label AS source FROM note n "
        "LEFT JOIN source s ON s.id = n.source_id WHERE n.person_id IN :ids "
        "ORDER BY n.person_id, n.created_at DESC, n.id DESC",
        q,
    ))  # fmt: skip
    return {
        p["id"]: _person_shape(
            p,
            idents.get(p["id"], []),
            jobs.get(p["id"], []),
            dates.get(p["id"], []),
            fields.get(p["id"], []),
            tags.get(p["id"], []),
            notes.get(p["id"], []),
        )
        for p in persons
    }


def _person_shape(
    p: dict[str, Any],
    idents: list[dict[str, Any]],
    jobs: list[dict[str, Any]],
    dates: list[dict[str, Any]],
    fields: list[dict[str, Any]],
    tags: list[dict[str, Any]],
    notes: list[dict[str, Any]],
) -> dict[str, Any]:
    return {
        "id": p["id"],
        "uid": p["uid"],
        "name": p["display_name"],
        "given_name": p["given_name"],
        "family_name": p["family_name"],
        "nickname": p["nickname"],
        "is_me": _bool(p["is_me"]),
        "location": p["location"],
        "how_met": p["how_met"],
        "circle": p["circle"],
        "cadence": {"ideal_days": p["cadence_ideal_days"], "max_days": p["cadence_max_days"]},
        "closeness": p["closeness"],
        "connected_on": to_date(p["connected_on"]),
        "last_contact_at": to_datetime(p["last_contact_at"]),
        "emails": [
            {"address": i["value"], "label": i["label"], "primary": _bool(i["is_primary"]), "source": i["source"]}
            for i in idents
            if i["kind"] == "email"
        ],
        "phones": [
            {"number": i["norm"], "label": i["label"], "primary": _bool(i["is_primary"]), "source": i["source"]}
            for i in idents
            if i["kind"] == "phone"
        ],
        "links": [
            {"url": i["value"], "kind": i["kind"], "label": i["label"], "source": i["source"]}
            for i in idents
            if i["kind"] not in ("email", "phone", "ref")
        ],
        "employments": [
            {
                "organization": j["organization"],
                "title": j["title"],
                "start": to_date(j["start_date"]),
                "end": to_date(j["end_date"]),
                "current": j["end_date"] is None,
                "source": j["source"],
            }
            for j in jobs
        ],
        "dates": dates,
        "fields": {f["key"]: f["value"] for f in fields},
        "tags": [t["name"] for t in tags],
        "notes": [
            {"id": n["id"], "body": n["body"], "created_at": to_datetime(n["created_at"]), "source": n["source"]}
            for n in notes
        ],
        "source": p["source_label"],
        "created_at": to_datetime(p["created_at"]),
        "updated_at": to_datetime(p["updated_at"]),
        "deleted_at": to_datetime(p["deleted_at"]),
    }


def summary(db: Db, ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """Name and current job of each person, for lists and mentions: {id: {id, name, organization, title}}."""
    out: dict[int, dict[str, Any]] = {}
    if not ids:
        return out
    for pid, name in db.rows("SELECT id, display_name FROM person WHERE id IN :ids", {"ids": list(ids)}):
        out[pid] = {"id": pid, "name": name, "organization": None, "title": None}
    for pid, org, title in db.rows(
        "SELECT e.person_id, o.name, e.title FROM employment e JOIN organization o ON o.id = e.organization_id "
        "WHERE e.person_id IN :ids AND e.end_date IS NULL ORDER BY e.start_date, e.id",
        {"ids": list(ids)},
    ):
        out[pid]["organization"], out[pid]["title"] = org, title
    return out


@dataclass
class ListQuery:
    tag: str | None = None
    organization: str | None = None
    circle: str | None = None
    not_contacted_since: date | None = None
    trashed: bool = False
    sort: str = "name"
    limit: int | None = None
    offset: int = 0
    ids: Sequence[int] | None = None  # only these people (at most a page of them)


def _where(db: Db, q: ListQuery) -> tuple[str, dict[str, Any], str] | None:
    """The WHERE clause, its parameters and the ORDER BY of a listing; None when it can match nobody."""
    where = ["p.deleted_at IS NOT NULL" if q.trashed else "p.deleted_at IS NULL", "p.is_me = :f"]
    params: dict[str, Any] = {"f": False}
    if q.ids is not None:
        where.append("p.id IN :only")
        params["only"] = [int(i) for i in q.ids]
    if q.tag:
        tid = db.scalar("SELECT id FROM tag WHERE name_fold = :k", {"k": fold(q.tag.lstrip("#"))})
        if tid is None:
            return None
        where.append("p.id IN (SELECT person_id FROM person_tag WHERE tag_id = :tag)")
        params["tag"] = tid
    if q.organization:
        where.append(
            "p.id IN (SELECT e.person_id FROM employment e JOIN organization o ON o.id = e.organization_id "
            "WHERE o.name_fold LIKE :org)"
        )
        params["org"] = f"%{_like(fold(q.organization))}%"
    if q.circle:
        where.append("p.circle = :circle")
        params["circle"] = _check_circle(q.circle)
    if q.not_contacted_since:
        where.append("(p.last_contact_at IS NULL OR p.last_contact_at < :since)")
        params["since"] = datetime.combine(q.not_contacted_since, time.min, UTC)
    if q.sort not in SORTS:
        raise InvalidInput(f"cannot sort by {q.sort!r}", hint=f"one of: {', '.join(SORTS)}")
    order = {
        "name": "p.name_fold, p.id",
        "last-contact": "p.last_contact_at IS NULL, p.last_contact_at DESC, p.name_fold",
        "added": "p.created_at DESC, p.id DESC",
    }[q.sort]
    return " AND ".join(where), params, order


def matching_ids(db: Db, q: ListQuery) -> list[int]:
    """The ids of everyone a listing would show (in no order): for a caller that ranks them by something else
    (strength) before it lists a page of them."""
    found = _where(db, q)
    if found is None:
        return []
    where_sql, params, _ = found
    return [int(r[0]) for r in db.rows(f"SELECT p.id FROM person p WHERE {where_sql}", params)]


def list_people(db: Db, q: ListQuery) -> list[dict[str, Any]]:
    """People matching every filter given, each {id, name, circle, organization, title, last_contact_at, tags}."""
    found = _where(db, q)
    if found is None:
        return []
    where_sql, params, order = found
    page = ""
    if q.limit is not None:
        page = " LIMIT :limit OFFSET :offset"
        params.update(limit=q.limit, offset=q.offset)
    rows = db.rows(
        f"SELECT p.id, p.display_name, p.circle, p.last_contact_at FROM person p WHERE {where_sql} "
        f"ORDER BY {order}{page}",
        params,
    )
    # Jobs and tags of the listed people: by the same filter as a subquery when listing everyone who matches
    # (one query each, however many), by id when a page was asked for.
    if q.limit is None:
        who, who_params = f"IN (SELECT p.id FROM person p WHERE {where_sql})", params
    else:
        who, who_params = "IN :ids", {"ids": [r[0] for r in rows]}
    jobs: dict[int, tuple[str, str | None]] = {}
    tags: dict[int, list[str]] = {}
    if rows:
        for pid, org, title in db.rows(
            "SELECT e.person_id, o.name, e.title FROM employment e JOIN organization o ON o.id = e.organization_id "
            f"WHERE e.end_date IS NULL AND e.person_id {who} ORDER BY e.start_date, e.id",
            who_params,
        ):
            jobs[pid] = (org, title)
        for pid, name in db.rows(
            "SELECT pt.person_id, t.name FROM person_tag pt JOIN tag t ON t.id = pt.tag_id "
            f"WHERE pt.person_id {who} ORDER BY t.name_fold",
            who_params,
        ):
            tags.setdefault(pid, []).append(name)
    return [
        {
            "id": pid,
            "name": name,
            "circle": circle,
            "organization": jobs.get(pid, (None, None))[0],
            "title": jobs.get(pid, (None, None))[1],
            "last_contact_at": to_datetime(last),
            "tags": tags.get(pid, []),
        }
        for pid, name, circle, last in rows
    ]


# Resolving "who do you mean" -------------------------------------------------------------------------------


def _label(db: Db, ids: Sequence[int]) -> list[str]:
    info = summary(db, ids)
    out = []
    for pid in ids:
        s = info.get(pid)
        if s is None:
            continue
        at = f", {s['organization']}" if s["organization"] else ""
        out.append(f"{s['name']} (#{pid}{at})")
    return out


def resolve(db: Db, ref: str, *, trashed: bool = False) -> int:
    """The one person ``ref`` means: ``#12``/``12``, an e-mail, a LinkedIn URL, a phone, ``me``, or a name.

    Names match case- and accent-insensitively: whole name, then the start of the name or of a word in it, then
    fuzzy (rapidfuzz). More than one candidate is ``Ambiguous`` (listing them); none is ``NotFound`` with the
    closest names as a hint.
    """
    text = (ref or "").strip()
    if not text:
        raise InvalidInput("who? (an empty name)")
    live = "p.deleted_at IS NOT NULL" if trashed else "p.deleted_at IS NULL"
    if text.lower() == "me":
        pid = db.scalar("SELECT id FROM person WHERE is_me = :t ORDER BY id LIMIT 1", {"t": True})
        if pid is None:
            raise NotFound("you have not said who you are yet", hint='dunbar init --name "Your Name" --email ...')
        return int(pid)
    digits = text[1:] if text.startswith("#") else text
    # isascii: str.isdigit() also accepts '²' or '٣', which int() refuses (or reads as another number).
    if digits.isascii() and digits.isdigit() and len(digits) < 12:
        found = db.scalar(f"SELECT id FROM person p WHERE p.id = :id AND {live}", {"id": int(digits)})
        if found is None:
            raise NotFound(
                f"no person #{digits}" + (" in the trash" if trashed else ""),
                hint="`dunbar list` shows everyone with their ids",
            )
        return int(found)
    kind = normalize.guess_kind(text)
    if kind != "name":
        norm = normalize.identifier(kind, text)
        ids = [
            r[0]
            for r in db.rows(
                f"SELECT DISTINCT p.id FROM identifier i JOIN person p ON p.id = i.person_id "
                f"WHERE i.kind = :k AND i.norm = :n AND {live}",
                {"k": kind, "n": norm},
            )
        ]
        if len(ids) == 1:
            return int(ids[0])
        if len(ids) > 1:
            raise Ambiguous(f"{text} belongs to several people", _label(db, ids), hint="use an id like #12")
        if kind != "phone":
            raise NotFound(f"nobody has {kind} {text}", hint="`dunbar search` looks everywhere")
    return _resolve_name(db, text, live, trashed=trashed)


def _resolve_name(db: Db, text: str, live: str, *, trashed: bool) -> int:
    key = fold(text)
    exact = [r[0] for r in db.rows(f"SELECT id FROM person p WHERE p.name_fold = :k AND {live}", {"k": key})]
    if len(exact) == 1:
        return int(exact[0])
    if len(exact) > 1:
        raise Ambiguous(f"{len(exact)} people are called {text!r}", _label(db, exact), hint="use an id like #12")
    prefix = [
        r[0]
        for r in db.rows(
            f"SELECT id FROM person p WHERE (p.name_fold LIKE :start OR p.name_fold LIKE :word) AND {live} "
            "ORDER BY p.name_fold LIMIT 50",
            {"start": f"{_like(key)}%", "word": f"% {_like(key)}%"},
        )
    ]
    if len(prefix) == 1:
        return int(prefix[0])
    if len(prefix) > 1:
        raise Ambiguous(f"{text!r} matches several people", _label(db, prefix), hint="say more of the name, or an id")
    from rapidfuzz import fuzz, process, utils

    names = dict(db.rows(f"SELECT id, name_fold FROM person p WHERE {live}"))
    best = process.extract(key, names, scorer=fuzz.WRatio, processor=utils.default_process, limit=5, score_cutoff=60)
    strong = [(pid, score) for _, score, pid in best if score >= 86]
    if strong and (len(strong) == 1 or strong[0][1] - strong[1][1] >= 6):
        return int(strong[0][0])
    if strong:
        raise Ambiguous(
            f"{text!r} could be several people",
            _label(db, [p for p, _ in strong]),
            hint="say more of the name, or an id",
        )
    where = " in the trash" if trashed else ""
    close = _label(db, [pid for _, _, pid in best[:3]])
    hint = f"did you mean {' or '.join(close)}?" if close else "`dunbar add` adds someone new"
    raise NotFound(f"nobody called {text!r}{where}", hint=hint)


def _like(text: str) -> str:
    """Text for a LIKE pattern: the user's % and _ are not wildcards."""
    return " ".join(text.replace("%", " ").replace("_", " ").split())

"""The favour ledger: favours given and received, the balance of who owes whom, asking well, and the favours
not yet given back (for the agenda).

Each favour belongs to one person (the one who did it for me, or for whom I did it) with a direction from my side:
``given`` (by me to them) or ``received`` (by me from them). Other people it involves (the one an introduction was
to) are its parties. How favours add up to a balance is pure and lives in ``dunbar.scoring.balance``.

Plain SQL through ``Db``: ``dunbar show`` reads the balance on its hot path.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from dunbar.errors import InvalidInput, NotFound
from dunbar.scoring import balance as bal
from dunbar.store.db import Db, to_date, to_datetime
from dunbar.vocabulary import FAVOUR_DIRECTIONS, FAVOUR_KINDS, FAVOUR_STATUSES, FAVOUR_WEIGHTS, new_uid

OPEN_STATUSES = ("asked", "promised")
DEFAULT_PARTY_ROLE = "introduced-to"
# Asking someone I already owe this much (one recent medium favour) draws a warning.
OWE_WARNING = 2.0
# A note short enough to name where an introduction or referral led ("Acme") is used in sentences.
_TARGET_NOTE_MAX = 40

_COLUMNS = (
    "f.id, f.uid, f.person_id, f.direction, f.kind, f.status, f.weight, f.asked_on, f.promised_on, f.done_on, "
    "f.note, f.interaction_id, f.created_at, f.updated_at, p.display_name, p.given_name"
)


# Checking input --------------------------------------------------------------------------------------------


def check_direction(direction: str) -> str:
    value = (direction or "").strip().lower()
    if value not in FAVOUR_DIRECTIONS:
        raise InvalidInput(
            f"unknown direction {direction!r}", hint="given (you did it for them) or received (they did it for you)"
        )
    return value


def check_status(status: str) -> str:
    value = (status or "").strip().lower()
    if value not in FAVOUR_STATUSES:
        raise InvalidInput(f"unknown favour status {status!r}", hint=f"use one of: {', '.join(FAVOUR_STATUSES)}")
    return value


def check_kind(kind: str) -> str:
    """The kind as stored: lower case, words joined by hyphens ("Job lead" -> "job-lead"). Unknown kinds are
    allowed (``is_known_kind`` tells the faces to say so)."""
    value = "-".join((kind or "").strip().lower().replace("_", " ").split())
    if not value:
        raise InvalidInput("a favour needs a kind", hint=f"for example: {', '.join(FAVOUR_KINDS)}")
    if len(value) > 32:
        raise InvalidInput(f"kind {kind!r} is too long", hint="at most 32 characters; put details in --note")
    return value


def is_known_kind(kind: str) -> bool:
    return kind in FAVOUR_KINDS


def check_weight(weight: int | str) -> int:
    """1, 2, 3 or small, medium, large."""
    if isinstance(weight, str):
        word = weight.strip().lower()
        if word in FAVOUR_WEIGHTS:
            return FAVOUR_WEIGHTS[word]
        if not (word.isascii() and word.isdigit()):
            raise InvalidInput(f"unknown weight {weight!r}", hint="small, medium or large (or 1, 2, 3)")
        weight = int(word)
    if isinstance(weight, bool) or weight not in (1, 2, 3):
        raise InvalidInput(f"bad weight {weight!r}", hint="small, medium or large (or 1, 2, 3)")
    return int(weight)


def _live_people(db: Db, ids: Sequence[int], *, what: str) -> dict[int, dict[str, Any]]:
    found = {
        int(r["id"]): r
        for r in db.all("SELECT id, display_name, is_me, deleted_at FROM person WHERE id IN :ids", {"ids": list(ids)})
    }
    for pid in ids:
        row = found.get(pid)
        if row is None:
            raise NotFound(f"no person #{pid}", hint="`dunbar list` shows who is in your network")
        if row["deleted_at"] is not None:
            raise InvalidInput(f"{row['display_name']} (#{pid}) is in the trash", hint="restore them first")
        if row["is_me"]:
            raise InvalidInput(f"you cannot be {what}", hint="a favour is between you and someone else")
    return found


# Writing ---------------------------------------------------------------------------------------------------


def record(
    db: Db,
    *,
    person_id: int,
    direction: str,
    kind: str,
    status: str = "done",
    weight: int | str = 2,
    on: date,
    note: str | None = None,
    parties: Iterable[tuple[int, str]] = (),
    interaction_id: int | None = None,
    now: datetime,
) -> int:
    """Record a favour with ``person_id`` and return its id. ``on`` is the day it was asked, promised or done
    (by ``status``); ``parties`` are (person id, role) pairs of others it involves."""
    direction = check_direction(direction)
    kind = check_kind(kind)
    status = check_status(status)
    size = check_weight(weight)
    if now.tzinfo is None:
        raise ValueError("record needs a timezone-aware now")
    if on > now.astimezone().date() + timedelta(days=1):
        raise InvalidInput(f"{on.isoformat()} is in the future", hint="record what was asked, promised or done")
    text = (note or "").strip() or None
    party_roles: dict[int, str] = {}
    for pid, role in parties:
        party_roles.setdefault(int(pid), (role or DEFAULT_PARTY_ROLE).strip().lower() or DEFAULT_PARTY_ROLE)
    if person_id in party_roles:
        raise InvalidInput("the favour's person cannot also be one of its parties", hint="--with names someone else")
    dates: dict[str, date | None] = {"asked": None, "promised": None, "done": None}
    dates["asked" if status == "declined" else status] = on
    with db.transaction():
        _live_people(db, [person_id], what="the person of a favour")
        if party_roles:
            _live_people(db, list(party_roles), what="a party to your own favour")
        if (
            interaction_id is not None
            and db.scalar("SELECT id FROM interaction WHERE id = :id", {"id": interaction_id}) is None
        ):
            raise NotFound(f"no interaction #{interaction_id}")
        from dunbar.people import manual_source

        fid = db.insert(
            "INSERT INTO favour (uid, person_id, direction, kind, status, weight, asked_on, promised_on, done_on, "
            "note, interaction_id, source_id, created_at, updated_at) VALUES (:uid, :p, :dir, :kind, :st, :w, "
            ":asked, :promised, :done, :note, :i, :src, :now, :now) RETURNING id",
            {
                "uid": new_uid(),
                "p": person_id,
                "dir": direction,
                "kind": kind,
                "st": status,
                "w": size,
                "asked": dates["asked"],
                "promised": dates["promised"],
                "done": dates["done"],
                "note": text,
                "i": interaction_id,
                "src": manual_source(db, now=now),
                "now": now,
            },
        )
        db.executemany(
            "INSERT INTO favour_party (favour_id, person_id, role) VALUES (:f, :p, :r)",
            [{"f": fid, "p": pid, "r": role} for pid, role in party_roles.items()],
        )
    return fid


def update(
    db: Db,
    favour_id: int,
    *,
    status: str | None = None,
    done_on: date | None = None,
    note: str | None = None,
    now: datetime,
) -> None:
    """Change a favour's status (a done favour gets today as its done date unless ``done_on`` says otherwise; a
    ``done_on`` alone marks it done) or its note (an empty note removes it)."""
    if status is None and done_on is None and note is None:
        raise InvalidInput("nothing to change", hint="give a new status, a done date or a note")
    new_status = check_status(status) if status is not None else ("done" if done_on is not None else None)
    today = now.astimezone().date()
    if done_on is not None and done_on > today + timedelta(days=1):
        raise InvalidInput(f"{done_on.isoformat()} is in the future", hint="mark it done once it is")
    with db.transaction():
        row = db.one("SELECT status, asked_on, promised_on, done_on FROM favour WHERE id = :id", {"id": favour_id})
        if row is None:
            raise NotFound(f"no favour #{favour_id}", hint="`dunbar favour --list` shows favours with their ids")
        sets: dict[str, Any] = {"updated_at": now}
        if new_status is not None:
            sets["status"] = new_status
            if new_status == "done":
                sets["done_on"] = done_on or to_date(row["done_on"]) or today
            elif new_status == "promised" and row["promised_on"] is None:
                sets["promised_on"] = today
            elif new_status == "asked" and row["asked_on"] is None:
                sets["asked_on"] = today
        if note is not None:
            sets["note"] = note.strip() or None
        assignments = ", ".join(f"{col} = :{col}" for col in sets)
        db.execute(f"UPDATE favour SET {assignments} WHERE id = :id", {**sets, "id": favour_id})


def delete(db: Db, favour_id: int) -> None:
    with db.transaction():
        if db.scalar("SELECT id FROM favour WHERE id = :id", {"id": favour_id}) is None:
            raise NotFound(f"no favour #{favour_id}", hint="`dunbar favour --list` shows favours with their ids")
        # Parties first: the store does not rely on ON DELETE CASCADE being enforced by every connection.
        db.execute("DELETE FROM favour_party WHERE favour_id = :id", {"id": favour_id})
        db.execute("DELETE FROM favour WHERE id = :id", {"id": favour_id})


# Reading ---------------------------------------------------------------------------------------------------


def _short(row: dict[str, Any]) -> str:
    """How a person is named in a sentence: their given name when known."""
    return str(row["given_name"] or row["display_name"])


def _on(row: dict[str, Any]) -> date:
    """The day that dates a favour for its status (done → done, promised → promised, else asked), falling back to
    any date it has, then to the day it was recorded."""
    asked, promised, done = (to_date(row[c]) for c in ("asked_on", "promised_on", "done_on"))
    order = {"done": (done, promised, asked), "promised": (promised, asked, done)}.get(
        row["status"], (asked, promised, done)
    )
    for d in order:
        if d is not None:
            return d
    created = to_datetime(row["created_at"])
    assert created is not None
    return created.date()


def _parties(db: Db, where: str, params: dict[str, Any]) -> dict[int, list[dict[str, Any]]]:
    """The parties of the favours ``where`` selects, in one query (the same filter as a subquery)."""
    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for fid, pid, name, role in db.rows(
        "SELECT fp.favour_id, q.id, q.display_name, fp.role FROM favour_party fp JOIN person q ON q.id = fp.person_id "
        f"WHERE fp.favour_id IN (SELECT f.id FROM favour f JOIN person p ON p.id = f.person_id {where}) "
        "ORDER BY fp.favour_id, q.display_name",
        params,
    ):
        out[int(fid)].append({"id": int(pid), "name": name, "role": role})
    return out


def _target(row: dict[str, Any], parties: list[dict[str, Any]]) -> str | None:
    if parties:
        return " and ".join(p["name"] for p in parties)
    note = (row["note"] or "").strip()
    if row["kind"] in ("introduction", "referral") and note and len(note) <= _TARGET_NOTE_MAX:
        return note
    return None


class _Favour:
    """A stored favour read once: its JSON form and its entry for the balance."""

    __slots__ = ("entry", "parties", "row")

    def __init__(self, row: dict[str, Any], parties: list[dict[str, Any]]) -> None:
        self.row = row
        self.parties = parties
        self.entry = bal.Entry(
            direction=row["direction"],
            kind=row["kind"],
            status=row["status"],
            weight=int(row["weight"]),
            on=_on(row),
            target=_target(row, parties),
            id=int(row["id"]),
        )

    @property
    def person_id(self) -> int:
        return int(self.row["person_id"])

    @property
    def short(self) -> str:
        return _short(self.row)

    def as_dict(self) -> dict[str, Any]:
        r = self.row
        return {
            "id": int(r["id"]),
            "uid": r["uid"],
            "person": {"id": int(r["person_id"]), "name": r["display_name"]},
            "direction": r["direction"],
            "kind": r["kind"],
            "status": r["status"],
            "weight": int(r["weight"]),
            "size": bal.WEIGHT_WORDS.get(int(r["weight"]), str(r["weight"])),
            "on": self.entry.on,
            "asked_on": to_date(r["asked_on"]),
            "promised_on": to_date(r["promised_on"]),
            "done_on": to_date(r["done_on"]),
            "note": r["note"],
            "parties": self.parties,
            "interaction_id": r["interaction_id"],
            "text": bal.phrase(self.entry, self.short),
            "created_at": to_datetime(r["created_at"]),
            "updated_at": to_datetime(r["updated_at"]),
        }


def _load(db: Db, where: str = "", params: dict[str, Any] | None = None) -> list[_Favour]:
    rows = db.all(
        f"SELECT {_COLUMNS} FROM favour f JOIN person p ON p.id = f.person_id {where} ORDER BY f.id", params or {}
    )
    parties = _parties(db, where, params or {}) if rows else {}
    return [_Favour(r, parties.get(int(r["id"]), [])) for r in rows]


def _newest_first(items: list[_Favour]) -> list[_Favour]:
    return sorted(items, key=lambda f: (f.entry.on, f.entry.id), reverse=True)


def get(db: Db, favour_id: int) -> dict[str, Any]:
    """One favour: {id, uid, person, direction, kind, status, weight, size, on, asked_on, promised_on, done_on,
    note, parties, interaction_id, text, created_at, updated_at}."""
    found = _load(db, "WHERE f.id = :id", {"id": favour_id})
    if not found:
        raise NotFound(f"no favour #{favour_id}", hint="`dunbar favour --list` shows favours with their ids")
    return found[0].as_dict()


def list_(
    db: Db, *, person_id: int | None = None, status: str | None = None, direction: str | None = None
) -> list[dict[str, Any]]:
    """Favours, newest first (by the day that dates them), in the shape of ``get``; without ``person_id``, only
    those of people not in the trash."""
    conds: list[str] = []
    params: dict[str, Any] = {}
    if person_id is not None:
        conds.append("f.person_id = :p")
        params["p"] = person_id
    else:
        conds.append("p.deleted_at IS NULL")
    if status is not None:
        conds.append("f.status = :st")
        params["st"] = check_status(status)
    if direction is not None:
        conds.append("f.direction = :dir")
        params["dir"] = check_direction(direction)
    return [f.as_dict() for f in _newest_first(_load(db, "WHERE " + " AND ".join(conds), params))]


# The balance -----------------------------------------------------------------------------------------------


def _balance(
    pid: int, name: str, short: str, items: list[_Favour], *, today: date, half_life_days: float
) -> dict[str, Any]:
    entries = [f.entry for f in items]
    t = bal.tally(entries, today=today, half_life_days=half_life_days)
    why = bal.reason(entries, t.owed_by)
    by_id = {f.entry.id: f for f in items}
    return {
        "person": {"id": pid, "name": name},
        "given": round(t.given, 2),
        "received": round(t.received, 2),
        "net": round(t.net, 2),
        "owed_by": t.owed_by,
        "sentence": bal.sentence(short, t, why, today=today),
        "reason": by_id[why.id].as_dict() if why is not None else None,
        "open": [f.as_dict() for f in _newest_first(items) if f.entry.status in OPEN_STATUSES],
    }


def balance(db: Db, person_id: int, *, today: date, half_life_days: float = bal.HALF_LIFE_DAYS) -> dict[str, Any]:
    """Who owes whom with one person: {person, given, received, net, owed_by ("me" | "them" | null), sentence,
    reason (the favour that explains it), open (favours asked or promised, newest first)}. ``net`` is given minus
    received, weighted and aged as ``dunbar.scoring.balance`` says."""
    p = db.one("SELECT id, display_name, given_name FROM person WHERE id = :id", {"id": person_id})
    if p is None:
        raise NotFound(f"no person #{person_id}", hint="`dunbar list` shows who is in your network")
    items = _load(db, "WHERE f.person_id = :p", {"p": person_id})
    return _balance(person_id, p["display_name"], _short(p), items, today=today, half_life_days=half_life_days)


def _by_person(db: Db) -> dict[int, list[_Favour]]:
    """Every favour of people not in the trash, by person: two queries whatever the size of the ledger."""
    out: dict[int, list[_Favour]] = defaultdict(list)
    for f in _load(db, "WHERE p.deleted_at IS NULL"):
        out[f.person_id].append(f)
    return out


def balances(db: Db, *, today: date, half_life_days: float = bal.HALF_LIFE_DAYS) -> list[dict[str, Any]]:
    """The balance of everyone with any favour, in the shape of ``balance``, the largest amounts first."""
    out = [
        _balance(pid, items[0].row["display_name"], items[0].short, items, today=today, half_life_days=half_life_days)
        for pid, items in _by_person(db).items()
    ]
    out.sort(key=lambda b: (-abs(b["net"]), b["person"]["name"], b["person"]["id"]))
    return out


# Asking well -----------------------------------------------------------------------------------------------


def _colleagues(db: Db, person_id: int) -> tuple[list[str], dict[int, str]]:
    """The organizations ``person_id`` works at now, and everyone else who works at one of them now."""
    orgs = dict(
        db.rows(
            "SELECT o.id, o.name FROM employment e JOIN organization o ON o.id = e.organization_id "
            "WHERE e.person_id = :p AND e.end_date IS NULL ORDER BY e.id",
            {"p": person_id},
        )
    )
    if not orgs:
        return [], {}
    others: dict[int, str] = {}
    for pid, oid in db.rows(
        "SELECT e.person_id, e.organization_id FROM employment e WHERE e.end_date IS NULL "
        "AND e.organization_id IN :orgs AND e.person_id <> :p ORDER BY e.id",
        {"orgs": list(orgs), "p": person_id},
    ):
        others.setdefault(int(pid), orgs[oid])
    return list(orgs.values()), others


def _closeness(db: Db, ids: list[int], *, today: date) -> dict[int, int]:
    """How strong each tie is (0–100), to rank people to ask."""
    if not ids:
        return {}
    from dunbar import strength

    return strength.scores(db, now=datetime.combine(today, time(12), UTC), person_ids=ids)


def ask_advice(db: Db, person_id: int, *, today: date, kind: str | None = None, limit: int = 3) -> dict[str, Any]:
    """Before asking ``person_id`` for a favour: {ok, warnings, better}.

    Warns when I already owe them ``OWE_WARNING`` or more, when I have never given them anything (done or
    promised), and when an ask of mine to them is still open. ``better`` lists up to ``limit`` people who owe me
    ({person, why}): for an introduction or referral, those at the same organization as ``person_id`` when there
    are any, else everyone who owes me, the strongest ties first.
    """
    everyone = _by_person(db)
    p = db.one("SELECT id, display_name, given_name, is_me FROM person WHERE id = :id", {"id": person_id})
    if p is None:
        raise NotFound(f"no person #{person_id}", hint="`dunbar list` shows who is in your network")
    if p["is_me"]:
        raise InvalidInput("you cannot ask yourself for a favour")
    name = _short(p)
    mine = everyone.get(person_id, [])
    own = _balance(person_id, p["display_name"], name, mine, today=today, half_life_days=bal.HALF_LIFE_DAYS)
    warnings: list[str] = []
    if own["net"] <= -OWE_WARNING:
        warnings.append(f"{own['sentence']}; give something back before asking again")
    if not any(f.entry.direction == "given" and f.entry.status in ("done", "promised") for f in mine):
        warnings.append(f"you have never given {name} anything; consider helping them first")
    asks = [f for f in _newest_first(mine) if f.entry.direction == "received" and f.entry.status == "asked"]
    if asks:
        warnings.append(f"an ask is still open: {bal.told(asks[0].entry, name, today=today)}")

    owe_me: dict[int, dict[str, Any]] = {}
    for pid, items in everyone.items():
        # The tally alone first: only the few who owe me need their favours in words.
        if pid == person_id or bal.tally([f.entry for f in items], today=today).owed_by != "them":
            continue
        owe_me[pid] = _balance(
            pid, items[0].row["display_name"], items[0].short, items, today=today, half_life_days=bal.HALF_LIFE_DAYS
        )
    pool = list(owe_me)
    place: dict[int, str] = {}
    if kind is not None and check_kind(kind) in ("introduction", "referral"):
        _, colleagues = _colleagues(db, person_id)
        at_org = [pid for pid in pool if pid in colleagues]
        if at_org:
            pool, place = at_org, {pid: colleagues[pid] for pid in at_org}
    ties = _closeness(db, pool, today=today)
    pool.sort(key=lambda pid: (-ties.get(pid, 0), -owe_me[pid]["net"], pid))
    better = []
    for pid in pool[:limit]:
        why = [f"also at {place[pid]}"] if pid in place else []
        why.append(owe_me[pid]["sentence"])
        if ties.get(pid):
            why.append(f"strength {ties[pid]}")
        better.append({"person": owe_me[pid]["person"], "why": "; ".join(why)})
    return {"ok": not warnings, "warnings": warnings, "better": better}


# The agenda ------------------------------------------------------------------------------------------------


def unreturned(db: Db, *, today: date, min_age_days: int = 30) -> dict[int, str]:
    """People I owe, with a reason to give back: {person id: "Ana introduced you to Acme 3 months ago; you have
    not given back"}, the oldest such favour first, then the largest debt. Only people whose balance says I owe
    them and who did me a favour at least ``min_age_days`` ago are listed."""
    found: list[tuple[date, float, int, str]] = []
    for pid, items in _by_person(db).items():
        entries = [f.entry for f in items]
        t = bal.tally(entries, today=today)
        if t.owed_by != "me":
            continue
        picked = bal.unreturned(entries, today=today, min_age_days=min_age_days)
        if picked is None:
            continue
        entry, nothing_since = picked
        tail = "you have not given back" if nothing_since else "you have given back less since"
        found.append((entry.on, t.net, pid, f"{bal.told(entry, items[0].short, today=today)}; {tail}"))
    found.sort()
    return {pid: text for _, _, pid, text in found}

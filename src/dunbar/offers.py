"""Offers and needs: what a person (me included) can help with, and what they are looking for now.

Typed by hand (status ``active``) or suggested from imported data for the user to confirm (status
``suggested``): offers from current job titles and employers, needs from notes ("looking for", "hiring",
"wants an intro to"). Needs expire (90 days unless told); an expired need is kept but no longer matched.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any

from dunbar.errors import Conflict, InvalidInput, NotFound
from dunbar.store.db import Db, to_date, to_datetime

KINDS = ("offer", "need")
STATUSES = ("active", "suggested", "dismissed", "done")
NEED_LIFETIME = timedelta(days=90)
MAX_TEXT = 500

_LIVE = "p.deleted_at IS NULL AND p.merged_into_id IS NULL"
_COLUMNS = (
    "o.id, o.person_id, p.display_name, p.is_me, o.kind, o.text, o.status, o.since, o.expires_on, o.source_id, "
    "o.created_at"
)


def _row(r: dict[str, Any], today: date | None = None) -> dict[str, Any]:
    expires = to_date(r["expires_on"])
    return {
        "id": int(r["id"]),
        "person": {"id": int(r["person_id"]), "name": r["display_name"]},
        "is_me": bool(r["is_me"]),
        "kind": r["kind"],
        "text": r["text"],
        "status": r["status"],
        "since": to_date(r["since"]),
        "expires_on": expires,
        "expired": bool(today and expires and expires < today),
        "source_id": r["source_id"],
        "created_at": to_datetime(r["created_at"]),
    }


def _check(kind: str, text: str) -> str:
    if kind not in KINDS:
        raise InvalidInput(f"unknown kind {kind!r}", hint="an offer or a need")
    clean = " ".join((text or "").split())
    if not clean:
        raise InvalidInput(f"an empty {kind}", hint='say what, like "Kubernetes" or "an intro to someone at Acme"')
    if len(clean) > MAX_TEXT:
        raise InvalidInput(f"this {kind} is {len(clean)} characters long", hint=f"keep it under {MAX_TEXT}")
    return clean


def get(db: Db, item_id: int, *, today: date | None = None) -> dict[str, Any]:
    r = db.one(
        f"SELECT {_COLUMNS} FROM offer_need o JOIN person p ON p.id = o.person_id WHERE o.id = :id", {"id": item_id}
    )
    if r is None:
        raise NotFound(f"no offer or need #{item_id}", hint="`dunbar offers` lists them with their ids")
    return _row(r, today)


def add(
    db: Db,
    person_id: int,
    kind: str,
    text: str,
    *,
    since: date | None = None,
    expires_on: date | None = None,
    now: datetime,
) -> int:
    """Record an offer or a need (active); a need expires after 90 days unless ``expires_on`` says otherwise."""
    clean = _check(kind, text)
    start = since or now.date()
    if kind == "need" and expires_on is None:
        expires_on = start + NEED_LIFETIME
    if expires_on is not None and expires_on < start:
        raise InvalidInput(f"this {kind} would expire ({expires_on}) before it starts ({start})")
    with db.transaction():
        found = db.one(f"SELECT p.id, p.display_name FROM person p WHERE p.id = :id AND {_LIVE}", {"id": person_id})
        if found is None:
            raise NotFound(f"no person #{person_id}", hint="`dunbar list` shows everyone with their ids")
        same = db.scalar(
            "SELECT id FROM offer_need WHERE person_id = :p AND kind = :k AND text = :t AND status IN ('active', "
            "'suggested')",
            {"p": person_id, "k": kind, "t": clean},
        )
        if same is not None:
            raise Conflict(
                f"{found['display_name']} already has this {kind} (#{same})",
                hint=f"`dunbar offers --confirm {same}` makes a suggestion active",
            )
        from dunbar.people import manual_source

        src = manual_source(db, now=now)
        return db.insert(
            "INSERT INTO offer_need (person_id, kind, text, status, since, expires_on, source_id, created_at) "
            "VALUES (:p, :k, :t, 'active', :s, :e, :src, :now) RETURNING id",
            {"p": person_id, "k": kind, "t": clean, "s": start, "e": expires_on, "src": src, "now": now},
        )


def list_(
    db: Db,
    *,
    person_id: int | None = None,
    kind: str | None = None,
    status: str = "active",
    include_expired: bool = False,
    today: date,
) -> list[dict[str, Any]]:
    """Offers and needs of one person or of everyone, by person and kind; expired needs only when asked."""
    if kind is not None and kind not in KINDS:
        raise InvalidInput(f"unknown kind {kind!r}", hint="offer or need")
    if status not in STATUSES:
        raise InvalidInput(f"unknown status {status!r}", hint=f"one of: {', '.join(STATUSES)}")
    where = [_LIVE, "o.status = :status"]
    params: dict[str, Any] = {"status": status, "today": today}
    if person_id is not None:
        where.append("o.person_id = :pid")
        params["pid"] = person_id
    if kind is not None:
        where.append("o.kind = :kind")
        params["kind"] = kind
    if not include_expired:
        where.append("(o.expires_on IS NULL OR o.expires_on >= :today)")
    rows = db.all(
        f"SELECT {_COLUMNS} FROM offer_need o JOIN person p ON p.id = o.person_id WHERE {' AND '.join(where)} "
        "ORDER BY p.is_me DESC, p.name_fold, p.id, o.kind DESC, o.id",
        params,
    )
    return [_row(r, today) for r in rows]


def _set_status(db: Db, item_id: int, status: str, allowed: tuple[str, ...]) -> dict[str, Any]:
    with db.transaction():
        item = get(db, item_id)
        if item["status"] not in allowed:
            raise Conflict(
                f"#{item_id} is {item['status']}, not {' or '.join(allowed)}",
                hint="`dunbar offers --suggested` lists the suggestions",
            )
        db.execute("UPDATE offer_need SET status = :s WHERE id = :id", {"s": status, "id": item_id})
        item["status"] = status
        return item


def confirm(db: Db, item_id: int) -> dict[str, Any]:
    """A suggestion becomes active."""
    return _set_status(db, item_id, "active", ("suggested",))


def dismiss(db: Db, item_id: int) -> dict[str, Any]:
    """Set aside a suggestion or an offer or need: it is no longer matched, and never suggested again."""
    return _set_status(db, item_id, "dismissed", ("suggested", "active"))


def done(db: Db, item_id: int) -> dict[str, Any]:
    """A need was met (or an offer is no longer given)."""
    return _set_status(db, item_id, "done", ("active",))


# Suggestions from imported data ----------------------------------------------------------------------------

# Where a note says someone wants something: the words from the asking on to the end of the sentence.
_NEED = re.compile(
    r"\b(?:is |are |am |was )?(looking for|searching for|in search of|hiring|recruiting|wants? an? intro(?:duction)? to|"
    r"would like an? intro(?:duction)? to|wants? to meet|wants? to (?:move|switch|get) into|needs?|seeking|"
    r"raising|fundraising for|open to)\s+(.{3,120}?)(?=[.;!?\n]|\s+but\s|$)",
    re.IGNORECASE,
)
_TRAILING = re.compile(r"[\s,:-]+$")


def needs_in(note: str) -> list[str]:
    """The needs a note states, as short phrases ("hiring a data scientist"); pure, for testing by hand."""
    out: list[str] = []
    for m in _NEED.finditer(note or ""):
        phrase = _TRAILING.sub("", f"{m.group(1)} {m.group(2)}".strip())
        phrase = " ".join(phrase.split())
        if phrase.lower() not in {p.lower() for p in out}:
            out.append(phrase[0].lower() + phrase[1:])
    return out


def offers_for_job(title: str | None, organization: str) -> list[str]:
    """What a job lets someone offer: advice on its field (the table's concepts in the title), and access to its
    organization; a title the table does not know is offered as experience."""
    from dunbar.scoring import match

    out: list[str] = []
    if title and title.strip():
        table = match.default_table()
        found = [table.name(c) for c, m in match.concepts(title).items() if m.strength == 1.0 and c in table.names]
        out.append("advice on " + ", ".join(found[:3]) if found else f"{' '.join(title.split())} experience")
    out.append(f"access to {' '.join(organization.split())}")
    return out


def suggest(db: Db, *, today: date, now: datetime | None = None) -> int:
    """Suggest offers from current jobs and needs from recent notes, for everyone (me included); the number of new
    suggestions. Nothing already suggested, entered or dismissed for that person is suggested again."""
    from datetime import UTC, time

    stamp = now or datetime.combine(today, time(12, 0), tzinfo=UTC)
    have = {(int(p), k, t.lower()) for p, k, t in db.rows("SELECT o.person_id, o.kind, o.text FROM offer_need o")}
    new: list[dict[str, Any]] = []

    def propose(pid: int, kind: str, text: str, since: date | None, expires: date | None, src: Any) -> None:
        key = (pid, kind, text.lower())
        if key not in have and len(text) <= MAX_TEXT:
            have.add(key)
            new.append({"p": pid, "k": kind, "t": text, "s": since, "e": expires, "src": src, "now": stamp})

    jobs = db.rows(
        "SELECT e.person_id, e.title, org.name, e.start_date, e.source_id FROM employment e "
        "JOIN organization org ON org.id = e.organization_id JOIN person p ON p.id = e.person_id "
        f"WHERE {_LIVE} AND (e.end_date IS NULL OR e.end_date >= :today) ORDER BY e.person_id, e.id",
        {"today": today},
    )
    for pid, title, org, start, src in jobs:
        for text in offers_for_job(title, org):
            propose(int(pid), "offer", text, to_date(start), None, src)
    cutoff = datetime.combine(today - NEED_LIFETIME, datetime.min.time()).astimezone()
    notes = db.rows(
        "SELECT n.person_id, n.body, n.created_at, n.source_id FROM note n JOIN person p ON p.id = n.person_id "
        f"WHERE {_LIVE} AND n.created_at >= :cutoff ORDER BY n.person_id, n.id",
        {"cutoff": cutoff},
    )
    for pid, body, created, src in notes:
        written = to_datetime(created)
        since = written.date() if written else today
        for text in needs_in(body):
            propose(int(pid), "need", text, since, since + NEED_LIFETIME, src)
    if new:
        with db.transaction():
            db.executemany(
                "INSERT INTO offer_need (person_id, kind, text, status, since, expires_on, source_id, created_at) "
                "VALUES (:p, :k, :t, 'suggested', :s, :e, :src, :now)",
                new,
            )
    return len(new)

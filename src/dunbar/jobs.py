"""The job search: target organizations, opportunities with dated stages and linked people, what it measures,
and what to do next.

An opportunity's current stage (``opportunity.stage``) is always its newest stage by date, then by id, so a
stage typed in late with an earlier date goes into the history without moving the card backwards.

A referral or a warm introduction recorded with a referrer is also a favour received in the ledger, and thanking
the referrer becomes a follow-up due two days later.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from dunbar.errors import InvalidInput, NotFound
from dunbar.scoring import jobstats
from dunbar.scoring.jobstats import ACTIVE_STAGES, CHANNELS, STAGES
from dunbar.store.db import Db, to_date, to_datetime
from dunbar.text import fold
from dunbar.vocabulary import new_uid

PERSON_ROLES = ("referrer", "hiring-manager", "interviewer", "recruiter", "other")
TARGET_STATUSES = ("active", "dropped")

# Suggestions: an application with no news for this long is going cold; a contact unheard of this long is stale.
COLD_AFTER_DAYS = 14
STALE_CONTACT_DAYS = 60
THANK_WITHIN_DAYS = 2

_CHANNEL_ALIASES = {
    "referral": "referral",
    "referred": "referral",
    "warm-intro": "warm-intro",
    "warm": "warm-intro",
    "intro": "warm-intro",
    "introduction": "warm-intro",
    "warm-introduction": "warm-intro",
    "recruiter": "recruiter",
    "cold": "cold",
    "cold-application": "cold",
    "online": "cold",
    "other": "other",
}

# A referrer's favour: a referral stakes their name (large), an introduction less so (medium).
_FAVOUR = {"referral": ("referral", 3), "warm-intro": ("introduction", 2)}


# Words -----------------------------------------------------------------------------------------------------


def check_channel(channel: str) -> str:
    key = "-".join(fold(channel or "").replace("_", " ").split())
    found = _CHANNEL_ALIASES.get(key)
    if found is None:
        raise InvalidInput(f"unknown channel {channel!r}", hint=f"one of: {', '.join(CHANNELS)}")
    return found


def check_stage(stage: str) -> str:
    key = fold(stage or "")
    if key not in STAGES:
        raise InvalidInput(f"unknown stage {stage!r}", hint=f"one of: {', '.join(STAGES)}")
    return key


def check_role(role: str) -> str:
    key = "-".join(fold(role or "").replace("_", " ").split())
    if key not in PERSON_ROLES:
        raise InvalidInput(f"unknown role {role!r}", hint=f"one of: {', '.join(PERSON_ROLES)}")
    return key


def via_role(channel: str) -> str:
    """The role of the person an opportunity came through (``--via``): referrer, recruiter, or other."""
    return {"referral": "referrer", "warm-intro": "referrer", "recruiter": "recruiter"}.get(channel, "other")


def _local_day(now: datetime) -> date:
    return now.astimezone().date()


# Organizations and targets ---------------------------------------------------------------------------------


def find_organization(db: Db, name: str) -> dict[str, Any]:
    """An existing organization by name (case- and accent-insensitive); NotFound otherwise."""
    key = fold(" ".join((name or "").split()))
    if not key:
        raise InvalidInput("an organization needs a name")
    row = db.one("SELECT id, name FROM organization WHERE name_fold = :k", {"k": key})
    if row is None:
        raise NotFound(f"no organization called {name!r}", hint="`dunbar target list` and `dunbar jobs list` show them")
    return row


def add_target(db: Db, org: str, *, why: str | None = None, now: datetime) -> int:
    """Make ``org`` a target (created when new). Adding it again brings a dropped target back and replaces
    ``why`` when one is given. The target's id."""
    from dunbar.people import organization_id

    with db.transaction():
        oid = organization_id(db, org, now=now)
        found = db.one("SELECT id, why FROM target WHERE organization_id = :o", {"o": oid})
        if found is not None:
            db.execute(
                "UPDATE target SET status = 'active', why = :why WHERE id = :id",
                {"why": why if why is not None else found["why"], "id": found["id"]},
            )
            return int(found["id"])
        return db.insert(
            "INSERT INTO target (organization_id, why, status, created_at) VALUES (:o, :why, 'active', :t) RETURNING id",
            {"o": oid, "why": why, "t": now},
        )


def drop_target(db: Db, org: str) -> None:
    """Stop targeting ``org`` (the row stays, as dropped, with its reason)."""
    o = find_organization(db, org)
    with db.transaction():
        changed = db.execute(
            "UPDATE target SET status = 'dropped' WHERE organization_id = :o AND status = 'active'", {"o": o["id"]}
        )
    if not changed:
        raise NotFound(f"{o['name']} is not a target", hint="`dunbar target list` shows your targets")


def _people_at(db: Db, org_ids: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
    """People (not me, not in the trash) who work at each organization now."""
    out: dict[int, list[dict[str, Any]]] = {o: [] for o in org_ids}
    if not org_ids:
        return out
    rows = db.all(
        "SELECT e.organization_id AS org, p.id, p.display_name AS name, e.title, p.last_contact_at "
        "FROM employment e JOIN person p ON p.id = e.person_id "
        "WHERE e.organization_id IN :orgs AND e.end_date IS NULL AND p.deleted_at IS NULL AND p.is_me = :f "
        "ORDER BY p.id",
        {"orgs": list(org_ids), "f": False},
    )
    seen: set[tuple[int, int]] = set()
    for r in rows:
        if (r["org"], r["id"]) in seen:
            continue
        seen.add((r["org"], r["id"]))
        out[r["org"]].append(
            {
                "id": r["id"],
                "name": r["name"],
                "title": r["title"],
                "last_contact_at": to_datetime(r["last_contact_at"]),
            }
        )
    # Most recent contact first, never last: sorted here since the backends put NULLs at opposite ends.
    for people in out.values():
        people.sort(key=_recent_first)
    return out


def _recent_first(p: dict[str, Any]) -> tuple[bool, float, int]:
    at = p["last_contact_at"]
    return (at is None, -at.timestamp() if at else 0.0, p["id"])


def list_targets(db: Db, *, include_dropped: bool = False) -> list[dict[str, Any]]:
    """Targets, by organization name: {id, organization: {id, name}, why, status, created_at, people_there,
    opportunities}."""
    rows = db.all(
        "SELECT t.id, t.organization_id, o.name, t.why, t.status, t.created_at FROM target t "
        "JOIN organization o ON o.id = t.organization_id "
        + ("" if include_dropped else "WHERE t.status = 'active' ")
        + "ORDER BY o.name_fold",
    )
    org_ids = [r["organization_id"] for r in rows]
    there = _people_at(db, org_ids)
    opps: dict[int, int] = {}
    if org_ids:
        opps = dict(
            db.rows(
                "SELECT organization_id, count(*) FROM opportunity WHERE organization_id IN :o GROUP BY organization_id",
                {"o": org_ids},
            )
        )
    return [
        {
            "id": r["id"],
            "organization": {"id": r["organization_id"], "name": r["name"]},
            "why": r["why"],
            "status": r["status"],
            "created_at": to_datetime(r["created_at"]),
            "people_there": [
                {"id": p["id"], "name": p["name"], "title": p["title"]} for p in there[r["organization_id"]]
            ],
            "opportunities": int(opps.get(r["organization_id"], 0)),
        }
        for r in rows
    ]


# Opportunities ---------------------------------------------------------------------------------------------


def _require(db: Db, opp_id: int) -> dict[str, Any]:
    row = db.one(
        "SELECT op.*, o.name AS organization FROM opportunity op JOIN organization o ON o.id = op.organization_id "
        "WHERE op.id = :id",
        {"id": opp_id},
    )
    if row is None:
        raise NotFound(f"no opportunity #{opp_id}", hint="`dunbar jobs list` shows them with their ids")
    return row


def _refresh_stage(db: Db, opp_id: int, *, now: datetime) -> str:
    current = db.scalar(
        'SELECT stage FROM opportunity_stage WHERE opportunity_id = :id ORDER BY "on" DESC, id DESC LIMIT 1',
        {"id": opp_id},
    )
    db.execute(
        "UPDATE opportunity SET stage = :s, updated_at = :t WHERE id = :id", {"s": current, "t": now, "id": opp_id}
    )
    return str(current)


def _record_favour(
    db: Db, opp: dict[str, Any], person_id: int, *, on: date, now: datetime, parties: Sequence[int] = ()
) -> None:
    """The referrer's favour in the ledger, and the follow-up to thank them."""
    from dunbar import followups, ledger

    kind, weight = _FAVOUR[opp["channel"]]
    # The ledger names where a referral led from a short note ("Ana referred you to Acme").
    target = f"{opp['organization']} ({opp['role']})"
    ledger.record(
        db,
        person_id=person_id,
        direction="received",
        kind=kind,
        status="done",
        weight=weight,
        on=on,
        note=target if len(target) <= 40 else opp["organization"],
        parties=[(p, "introduced-to") for p in parties if p != person_id],
        now=now,
    )
    due = max(on, _local_day(now)) + timedelta(days=THANK_WITHIN_DAYS)
    text = f"Thank them for the {kind}: {opp['role']} at {opp['organization']} (job #{opp['id']})"
    followups.add(db, person_id, text, due, now=now)


def _link(
    db: Db, opp: dict[str, Any], person_id: int, role: str, *, on: date, now: datetime, introduced: Sequence[int] = ()
) -> bool:
    """Link a person (or change their role); True when they became the referrer of a referral or introduction."""
    live = db.one("SELECT is_me FROM person WHERE id = :p AND deleted_at IS NULL", {"p": person_id})
    if live is None:
        raise NotFound(f"no person #{person_id}", hint="`dunbar list` shows everyone with their ids")
    if live["is_me"]:
        raise InvalidInput("you cannot be linked to your own opportunity", hint="name the person who helped")
    before = db.scalar(
        "SELECT role FROM opportunity_person WHERE opportunity_id = :o AND person_id = :p",
        {"o": opp["id"], "p": person_id},
    )
    if before is None:
        db.execute(
            "INSERT INTO opportunity_person (opportunity_id, person_id, role) VALUES (:o, :p, :r)",
            {"o": opp["id"], "p": person_id, "r": role},
        )
    elif before != role:
        db.execute(
            "UPDATE opportunity_person SET role = :r WHERE opportunity_id = :o AND person_id = :p",
            {"o": opp["id"], "p": person_id, "r": role},
        )
    became_referrer = role == "referrer" and before != "referrer" and opp["channel"] in _FAVOUR
    if became_referrer:
        _record_favour(db, opp, person_id, on=on, now=now, parties=introduced if opp["channel"] == "warm-intro" else ())
    return became_referrer


def add(
    db: Db,
    *,
    org: str,
    role: str,
    channel: str,
    link: str | None = None,
    stage: str = "saved",
    on: date,
    people: Iterable[tuple[int, str]] = (),
    note: str | None = None,
    now: datetime,
) -> int:
    """Record an opportunity at ``org`` (created when new) at ``stage`` on ``on``; its id.

    A referrer among ``people`` of a referral or warm introduction is a favour received and a thank-you
    follow-up (see the module's notes).
    """
    from dunbar.people import organization_id

    title = " ".join((role or "").split())
    if not title:
        raise InvalidInput("an opportunity needs a role", hint='dunbar jobs add ACME "Staff Engineer" --channel cold')
    ch = check_channel(channel)
    st = check_stage(stage)
    linked = [(pid, check_role(r)) for pid, r in people]
    with db.transaction():
        oid = organization_id(db, org, now=now)
        opp_id = db.insert(
            "INSERT INTO opportunity (uid, organization_id, role, link, channel, stage, note, created_at, updated_at) "
            "VALUES (:uid, :o, :role, :link, :ch, :st, :note, :t, :t) RETURNING id",
            {
                "uid": new_uid(),
                "o": oid,
                "role": title,
                "link": (link or "").strip() or None,
                "ch": ch,
                "st": st,
                "note": note or None,
                "t": now,
            },
        )
        db.execute(
            'INSERT INTO opportunity_stage (opportunity_id, stage, "on", note) VALUES (:o, :s, :on, NULL)',
            {"o": opp_id, "s": st, "on": on},
        )
        opp = _require(db, opp_id)
        # Whom a warm introduction was to: the hiring manager or recruiter recorded with it.
        introduced = [pid for pid, r in linked if r in ("hiring-manager", "recruiter")]
        for pid, r in linked:
            _link(db, opp, pid, r, on=on, now=now, introduced=introduced)
    return opp_id


def move(db: Db, opp_id: int, stage: str, *, on: date, note: str | None = None, now: datetime) -> str:
    """Add a stage on ``on``; the opportunity's current stage afterwards (the newest by date, then id)."""
    st = check_stage(stage)
    with db.transaction():
        _require(db, opp_id)
        db.execute(
            'INSERT INTO opportunity_stage (opportunity_id, stage, "on", note) VALUES (:o, :s, :on, :note)',
            {"o": opp_id, "s": st, "on": on, "note": note or None},
        )
        return _refresh_stage(db, opp_id, now=now)


def link_person(db: Db, opp_id: int, person_id: int, role: str, *, on: date, now: datetime) -> bool:
    """Link a person to an opportunity in a role (or change their role). True when this recorded a favour (a new
    referrer of a referral or warm introduction)."""
    r = check_role(role)
    with db.transaction():
        opp = _require(db, opp_id)
        recorded = _link(db, opp, person_id, r, on=on, now=now)
        db.execute("UPDATE opportunity SET updated_at = :t WHERE id = :id", {"t": now, "id": opp_id})
    return recorded


def _stages(db: Db, ids: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
    out: dict[int, list[dict[str, Any]]] = {i: [] for i in ids}
    if not ids:
        return out
    for r in db.all(
        'SELECT id, opportunity_id, stage, "on", note FROM opportunity_stage WHERE opportunity_id IN :ids '
        'ORDER BY "on", id',
        {"ids": list(ids)},
    ):
        out[r["opportunity_id"]].append({"stage": r["stage"], "on": to_date(r["on"]), "note": r["note"]})
    return out


def _people(db: Db, ids: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
    out: dict[int, list[dict[str, Any]]] = {i: [] for i in ids}
    if not ids:
        return out
    for r in db.all(
        "SELECT op.opportunity_id, p.id, p.display_name, op.role FROM opportunity_person op "
        "JOIN person p ON p.id = op.person_id WHERE op.opportunity_id IN :ids ORDER BY op.opportunity_id, p.id",
        {"ids": list(ids)},
    ):
        out[r["opportunity_id"]].append({"id": r["id"], "name": r["display_name"], "role": r["role"]})
    return out


def _shape(r: dict[str, Any], stages: list[dict[str, Any]], people: list[dict[str, Any]]) -> dict[str, Any]:
    applied = [s["on"] for s in stages if s["stage"] in jobstats.APPLIED_STAGES]
    own = [s["on"] for s in stages if s["stage"] == "applied"]
    return {
        "id": r["id"],
        "uid": r["uid"],
        "organization": {"id": r["organization_id"], "name": r["organization"]},
        "role": r["role"],
        "link": r["link"],
        "channel": r["channel"],
        "stage": r["stage"],
        "stage_on": max((s["on"] for s in stages), default=None),
        "applied_on": min(own) if own else min(applied, default=None),
        "note": r["note"],
        "stages": stages,
        "people": people,
        "created_at": to_datetime(r["created_at"]),
        "updated_at": to_datetime(r["updated_at"]),
    }


def _query(db: Db, where: str = "", params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    rows = db.all(
        "SELECT op.*, o.name AS organization FROM opportunity op JOIN organization o ON o.id = op.organization_id "
        + where
        + " ORDER BY op.updated_at DESC, op.id DESC",
        params or {},
    )
    ids = [r["id"] for r in rows]
    stages, people = _stages(db, ids), _people(db, ids)
    return [_shape(r, stages[r["id"]], people[r["id"]]) for r in rows]


def get(db: Db, opp_id: int) -> dict[str, Any]:
    """One opportunity with its stages (oldest first) and people; the shape of ``dunbar jobs list --json``."""
    _require(db, opp_id)
    return _query(db, "WHERE op.id = :id", {"id": opp_id})[0]


def list_(
    db: Db, *, stage: str | None = None, org: str | None = None, active_only: bool = False
) -> list[dict[str, Any]]:
    """Opportunities, most recently changed first; ``active_only`` leaves out accepted, rejected, withdrawn and
    ghosted ones."""
    clauses: list[str] = []
    params: dict[str, Any] = {}
    if stage is not None:
        clauses.append("op.stage = :stage")
        params["stage"] = check_stage(stage)
    if org is not None:
        clauses.append("op.organization_id = :org")
        params["org"] = find_organization(db, org)["id"]
    if active_only:
        clauses.append("op.stage IN :active")
        params["active"] = list(ACTIVE_STAGES)
    return _query(db, ("WHERE " + " AND ".join(clauses)) if clauses else "", params)


def board(db: Db) -> dict[str, list[dict[str, Any]]]:
    """Every stage (in ``STAGES`` order) with its opportunities, longest waiting first within a column."""
    cols: dict[str, list[dict[str, Any]]] = {s: [] for s in STAGES}
    for opp in list_(db):
        cols.setdefault(opp["stage"], []).append(opp)
    for items in cols.values():
        items.sort(key=lambda o: (o["stage_on"] or date.max, o["id"]))
    return cols


# What it measures ------------------------------------------------------------------------------------------


def histories(db: Db) -> list[jobstats.History]:
    """Every opportunity's channel and stages, for ``jobstats``."""
    stages: dict[int, list[tuple[str, date]]] = {}
    for oid, stage, on in db.rows('SELECT opportunity_id, stage, "on" FROM opportunity_stage ORDER BY id'):
        d = to_date(on)
        assert d is not None
        stages.setdefault(oid, []).append((stage, d))
    return [
        jobstats.History(channel=ch, stages=stages.get(oid, []))
        for oid, ch in db.rows("SELECT id, channel FROM opportunity ORDER BY id")
    ]


def stats(db: Db, *, today: date) -> dict[str, Any]:
    """Per channel: applications, share reaching interview, median days to it, offers; and what that says.

    {today, channels: [...], network: {...}, sentences: [...], min_applications, min_interviews}; the definitions
    are in ``dunbar.scoring.jobstats``.
    """
    per = jobstats.channel_stats(histories(db), today=today)
    network = jobstats.combine("network", [per[c] for c in jobstats.NETWORK_CHANNELS])
    return {
        "today": today,
        "channels": [s.as_dict() for s in per.values()],
        "network": network.as_dict(),
        "sentences": jobstats.sentences(per),
        "min_applications": jobstats.MIN_APPLICATIONS,
        "min_interviews": jobstats.MIN_INTERVIEWS,
    }


# What to do next -------------------------------------------------------------------------------------------


def _age(then: datetime | None, today: date) -> int | None:
    return None if then is None else (today - then.astimezone().date()).days


def suggestions(db: Db, *, today: date) -> list[dict[str, Any]]:
    """What to do next, each with its reason: {kind, reason, organization, opportunity_id, people}.

    ``warm-path``: a target where I know someone who works there now and have not applied yet;
    ``going-cold``: an application with no news for more than 14 days and nobody attached to it;
    ``reconnect``: someone at a target I have not been in touch with for more than 60 days (or ever).
    """
    out: list[dict[str, Any]] = []
    targets = db.all(
        "SELECT t.organization_id AS id, o.name FROM target t JOIN organization o ON o.id = t.organization_id "
        "WHERE t.status = 'active' ORDER BY o.name_fold"
    )
    there = _people_at(db, [t["id"] for t in targets])
    applied_orgs = {
        r[0]
        for r in db.rows(
            "SELECT DISTINCT op.organization_id FROM opportunity op JOIN opportunity_stage s ON s.opportunity_id = op.id "
            "WHERE s.stage IN :applied",
            {"applied": sorted(jobstats.APPLIED_STAGES)},
        )
    }
    for t in targets:
        known = there[t["id"]]
        if known and t["id"] not in applied_orgs:
            names = _names([p["name"] for p in known])
            out.append(
                {
                    "kind": "warm-path",
                    "reason": f"You know {names} at {t['name']} and have not applied there yet: ask about openings "
                    "or a referral.",
                    "organization": {"id": t["id"], "name": t["name"]},
                    "opportunity_id": None,
                    "people": [_mini(p, today) for p in known],
                }
            )

    waiting = [
        (opp, (today - opp["stage_on"]).days)
        for opp in list_(db, stage="applied")
        if not opp["people"] and opp["stage_on"] is not None and (today - opp["stage_on"]).days > COLD_AFTER_DAYS
    ]
    waiting.sort(key=lambda w: (-w[1], w[0]["id"]))
    known_at = _people_at(db, sorted({opp["organization"]["id"] for opp, _ in waiting}))
    for opp, waited in waiting:
        known = known_at[opp["organization"]["id"]]
        where = f"{opp['role']} at {opp['organization']['name']}"
        ask = (
            f"ask {_names([p['name'] for p in known])}, who works there, to put in a word"
            if known
            else "find someone there (a hiring manager, a recruiter) and attach them with `dunbar jobs link`"
        )
        out.append(
            {
                "kind": "going-cold",
                "reason": f"Applied for {where} {waited} days ago with no news and nobody attached: {ask}.",
                "organization": opp["organization"],
                "opportunity_id": opp["id"],
                "people": [_mini(p, today) for p in known],
            }
        )

    for t in targets:
        for p in there[t["id"]]:
            days = _age(p["last_contact_at"], today)
            if days is not None and days <= STALE_CONTACT_DAYS:
                continue
            since = "no contact on record" if days is None else f"last in touch {days} days ago"
            out.append(
                {
                    "kind": "reconnect",
                    "reason": f"{p['name']} works at {t['name']}, one of your targets; {since}: catch up before "
                    "you need them.",
                    "organization": {"id": t["id"], "name": t["name"]},
                    "opportunity_id": None,
                    "people": [_mini(p, today)],
                }
            )
    return out


def _mini(p: dict[str, Any], today: date) -> dict[str, Any]:
    return {
        "id": p["id"],
        "name": p["name"],
        "title": p["title"],
        "last_contact_at": p["last_contact_at"],
        "days_since_contact": _age(p["last_contact_at"], today),
    }


def _names(names: Sequence[str], limit: int = 3) -> str:
    shown = list(names[:limit])
    if len(names) > limit:
        shown.append(f"{len(names) - limit} more")
    if len(shown) == 1:
        return shown[0]
    return ", ".join(shown[:-1]) + " and " + shown[-1]

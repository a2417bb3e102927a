"""Teams on the team server: who shares what with whom, "who on my team knows someone at …", and introductions.

A member of a team may opt in (per team; off by default) to share that a relationship exists and how strong it
is. A teammate then sees, for an organization or a person, which of their contacts are there: the contact's
name, organization, title and strength, and an opaque reference to ask for an introduction with. Nothing else of
a network ever leaves it: every answer is *built* here from a fixed list of keys (``CONTACT_KEYS``), never passed
through from the single-network services, so notes, interactions, favours, e-mail addresses and phone numbers
cannot reach a teammate even if those services grow new fields. A teammate who stops sharing disappears from the
answers at once (nothing is copied or cached).

An introduction request goes from a requester to an introducer (a sharing teammate) about one of the
introducer's contacts. Only the introducer may accept, decline or mark it done; only the requester may cancel
it; anyone else is told there is no such request (404). Done, it becomes a favour in both networks, in one
transaction: in the introducer's network an introduction given to the requester (found by e-mail, or added), in
the requester's an introduction received from the introducer.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from dunbar.errors import Conflict, DunbarError, InvalidInput, NotFound
from dunbar.server.accounts import Account, get_user, user_db
from dunbar.server.schema import SERVER_SCHEMA as S
from dunbar.store.db import Db, SqlAlchemyDb

# What a teammate may see of a contact; the projection below builds exactly these keys.
CONTACT_KEYS = ("teammate", "ref", "name", "organization", "title", "strength")
INTRO_STATUSES = ("pending", "accepted", "declined", "done", "cancelled")
# What may be done to an introduction request: action -> (who may, the statuses it may be done in).
INTRO_ACTIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "accept": ("introducer", ("pending",)),
    "decline": ("introducer", ("pending", "accepted")),
    "done": ("introducer", ("pending", "accepted")),
    "cancel": ("requester", ("pending", "accepted")),
}
MAX_TEAM_NAME = 80
MAX_MESSAGE = 2000
_REF = re.compile(r"(\d{1,10})-([0-9a-f]{32})")


class Forbidden(DunbarError):
    status = 403
    code = "forbidden"


def require_admin(account: Account) -> None:
    if not account.is_admin:
        raise Forbidden("only an administrator can change teams", hint="ask whoever runs this server")


# Teams ----------------------------------------------------------------------------------------------------------


def _team_row(server: Db, team: str | int) -> dict[str, Any]:
    """A team by id (``7``, ``#7``) or by name (case-insensitive)."""
    text = str(team).strip()
    digits = text[1:] if text.startswith("#") else text
    row = None
    if digits.isascii() and digits.isdigit() and len(digits) < 10:
        row = server.one(f"SELECT id, name, created_at FROM {S}.team WHERE id = :id", {"id": int(digits)})
    if row is None and text:
        row = server.one(f"SELECT id, name, created_at FROM {S}.team WHERE lower(name) = lower(:n)", {"n": text})
    if row is None:
        raise NotFound(f"no team called {text!r}", hint="`dunbar teams list` shows them")
    return row


def create_team(server: Db, name: str, *, now: datetime) -> dict[str, Any]:
    clean = " ".join((name or "").split())
    if not clean or len(clean) > MAX_TEAM_NAME:
        raise InvalidInput(f"a team needs a name of 1 to {MAX_TEAM_NAME} characters", hint='e.g. "Recruiting"')
    if clean.lstrip("#").isdigit():
        raise InvalidInput(f"a team's name cannot be a number: {clean!r}", hint="numbers are team ids")
    with server.transaction():
        if server.scalar(f"SELECT 1 FROM {S}.team WHERE lower(name) = lower(:n)", {"n": clean}):
            raise Conflict(f"there is already a team called {clean}", hint="pick another name")
        tid = server.insert(
            f"INSERT INTO {S}.team (name, created_at) VALUES (:n, :now) RETURNING id", {"n": clean, "now": now}
        )
    return team_info(server, tid)


def team_info(server: Db, team: str | int) -> dict[str, Any]:
    """{id, name, created_at, members: [{username, name, shares}]} (no e-mail addresses)."""
    row = _team_row(server, team)
    members = server.all(
        f"SELECT a.username, a.display_name AS name, m.shares FROM {S}.team_member m"
        f" JOIN {S}.account a ON a.id = m.account_id WHERE m.team_id = :t ORDER BY a.username",
        {"t": row["id"]},
    )
    return {"id": row["id"], "name": row["name"], "created_at": row["created_at"], "members": members}


def list_teams(server: Db) -> list[dict[str, Any]]:
    """Every team of the server, with its members (for an administrator)."""
    ids = [int(r[0]) for r in server.rows(f"SELECT id FROM {S}.team ORDER BY lower(name), id")]
    return [team_info(server, i) for i in ids]


def add_member(server: Db, team: str | int, username: str, *, now: datetime) -> dict[str, Any]:
    """Put a user on a team; they share nothing until they opt in."""
    row = _team_row(server, team)
    account = get_user(server, username)
    server.execute(
        f"INSERT INTO {S}.team_member (team_id, account_id, shares, joined_at) VALUES (:t, :a, :f, :now)"
        " ON CONFLICT (team_id, account_id) DO NOTHING",
        {"t": row["id"], "a": account.id, "f": False, "now": now},
    )
    return team_info(server, row["id"])


def remove_member(server: Db, team: str | int, username: str) -> dict[str, Any]:
    row = _team_row(server, team)
    account = get_user(server, username)
    removed = server.execute(
        f"DELETE FROM {S}.team_member WHERE team_id = :t AND account_id = :a", {"t": row["id"], "a": account.id}
    )
    if not removed:
        raise NotFound(f"{account.username} is not on the team {row['name']}")
    return team_info(server, row["id"])


def my_teams(server: Db, account: Account) -> list[dict[str, Any]]:
    """The teams I am on: {id, name, shares (mine), members: [{username, name, shares}]}."""
    out = []
    for tid, shares in server.rows(
        f"SELECT t.id, m.shares FROM {S}.team t JOIN {S}.team_member m ON m.team_id = t.id"
        " WHERE m.account_id = :a ORDER BY lower(t.name), t.id",
        {"a": account.id},
    ):
        info = team_info(server, int(tid))
        out.append({"id": info["id"], "name": info["name"], "shares": bool(shares), "members": info["members"]})
    return out


def _my_team(server: Db, account: Account, team: str | int) -> dict[str, Any]:
    """One of my teams; a team I am not on is not found (its existence is not mine to learn)."""
    try:
        row = _team_row(server, team)
    except NotFound:
        row = None
    if row is None or not server.scalar(
        f"SELECT 1 FROM {S}.team_member WHERE team_id = :t AND account_id = :a", {"t": row["id"], "a": account.id}
    ):
        raise NotFound(f"you are not on a team called {str(team).strip()!r}", hint="`dunbar teams list` shows yours")
    return row


def set_sharing(server: Db, account: Account, team: str | int, shares: bool) -> dict[str, Any]:
    """Opt in to (or out of) sharing with one of my teams; the change is seen at once."""
    row = _my_team(server, account, team)
    server.execute(
        f"UPDATE {S}.team_member SET shares = :s WHERE team_id = :t AND account_id = :a",
        {"s": bool(shares), "t": row["id"], "a": account.id},
    )
    return next(t for t in my_teams(server, account) if t["id"] == row["id"])


def sharing_teammates(server: Db, account: Account) -> list[tuple[Account, list[str]]]:
    """The teammates who share with a team I am on (enabled accounts, not me), each with those teams' names."""
    teams: dict[int, list[str]] = {}
    people: dict[int, Account] = {}
    for row in server.all(
        f"SELECT a.id, a.username, a.display_name, a.email, a.is_admin, a.disabled, a.schema_name, t.name AS team"
        f" FROM {S}.team_member mine"
        f" JOIN {S}.team_member theirs ON theirs.team_id = mine.team_id AND theirs.account_id <> mine.account_id"
        f" JOIN {S}.account a ON a.id = theirs.account_id"
        f" JOIN {S}.team t ON t.id = mine.team_id"
        " WHERE mine.account_id = :me AND theirs.shares AND NOT a.disabled ORDER BY a.username, t.name",
        {"me": account.id},
    ):
        team = row.pop("team")
        people.setdefault(row["id"], Account(**row))
        teams.setdefault(row["id"], []).append(team)
    return [(people[i], teams[i]) for i in people]


# What a teammate may see ----------------------------------------------------------------------------------------


def _teammate(account: Account) -> dict[str, Any]:
    return {"username": account.username, "name": account.display_name}


def _project(teammate: Account, uid: str, name: Any, organization: Any, title: Any, strength: Any) -> dict[str, Any]:
    """The whole of what leaves a teammate's network about one contact (``CONTACT_KEYS``)."""
    return {
        "teammate": _teammate(teammate),
        "ref": f"{teammate.id}-{uid}",
        "name": str(name),
        "organization": None if organization is None else str(organization),
        "title": None if title is None else str(title),
        "strength": int(strength),
    }


def _uids(db: Db, ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    return {int(pid): str(uid) for pid, uid in db.rows("SELECT id, uid FROM person WHERE id IN :ids", {"ids": ids})}


def _their_contacts_at(db: Db, teammate: Account, org: str, *, now: datetime) -> list[dict[str, Any]]:
    """The teammate's direct contacts who work at ``org`` now (by the teammate's own who-knows), projected."""
    from dunbar import graph

    try:
        found = graph.who_knows(db, org, now=now, today=now.astimezone().date(), limit=100)
    except DunbarError:
        # No such organization in their network (or several): nothing to show, and nothing of the reason either.
        return []
    current = [f for f in found["first_degree"] if f["current"]]
    uids = _uids(db, [int(f["person"]["id"]) for f in current])
    org_name = found["organization"]["name"]
    out = []
    for f in current:
        pid = int(f["person"]["id"])
        if pid in uids:
            out.append(_project(teammate, uids[pid], f["person"]["name"], org_name, f["title"], f["strength"]))
    return out


def _order(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(results, key=lambda r: (-r["strength"], r["teammate"]["username"], r["name"].lower(), r["ref"]))


def _clean(text: str | None) -> str:
    clean = " ".join((text or "").split())
    if "\x00" in clean:
        raise InvalidInput("text cannot contain NUL characters", hint="remove the \\x00 from it")
    return clean


def team_who_knows(server: Db, account: Account, org: str, *, now: datetime) -> dict[str, Any]:
    """Who on my teams knows someone at ``org`` now: {organization (as asked), results: [CONTACT_KEYS], count},
    the strongest first, from every teammate who shares with a team I am on."""
    text = _clean(org)
    if not text:
        raise InvalidInput("which organization? (an empty name)")
    results: list[dict[str, Any]] = []
    for teammate, _teams in sharing_teammates(server, account):
        results += _their_contacts_at(user_db(server, teammate), teammate, text, now=now)
    ordered = _order(results)
    return {"organization": text, "results": ordered, "count": len(ordered)}


def _their_person(db: Db, text: str) -> int | None:
    """A person of a teammate's network that ``text`` names exactly (an e-mail, a LinkedIn URL, a whole name):
    never the start of a name or a close spelling, so a guess cannot walk through their address book."""
    from dunbar import normalize
    from dunbar.text import fold

    kind = normalize.guess_kind(text)
    if kind not in ("name", "phone"):
        norm = normalize.identifier(kind, text)
        ids = {
            int(r[0])
            for r in db.rows(
                "SELECT p.id FROM identifier i JOIN person p ON p.id = i.person_id WHERE i.kind = :k AND i.norm = :n"
                " AND p.deleted_at IS NULL AND p.is_me = :f",
                {"k": kind, "n": norm, "f": False},
            )
        }
    else:
        ids = {
            int(r[0])
            for r in db.rows(
                "SELECT id FROM person WHERE name_fold = :k AND deleted_at IS NULL AND is_me = :f",
                {"k": fold(" ".join(text.split())), "f": False},
            )
        }
    return ids.pop() if len(ids) == 1 else None


def team_paths(server: Db, account: Account, target: str, *, now: datetime) -> dict[str, Any]:
    """Paths into a person or an organization through one teammate: me → teammate → their contact.

    {to (as asked), paths: [{rank, kind ("person" | "organization"), CONTACT_KEYS…, text}]}: in each sharing
    teammate's network the target is a person named exactly (e-mail or whole name) whom they have a relationship
    with, else their contacts at the organization of that name; the strongest first."""
    from dunbar import people, strength

    text = _clean(target)
    if not text:
        raise InvalidInput("a path to whom? (an empty name)")
    found: list[tuple[str, dict[str, Any]]] = []
    for teammate, _teams in sharing_teammates(server, account):
        db = user_db(server, teammate)
        pid = _their_person(db, text)
        if pid is not None:
            score = strength.scores(db, now=now, person_ids=[pid]).get(pid)
            if score is not None:
                info = people.summary(db, [pid])[pid]
                uid = _uids(db, [pid])[pid]
                found.append(
                    ("person", _project(teammate, uid, info["name"], info["organization"], info["title"], score))
                )
            continue
        found += [("organization", r) for r in _their_contacts_at(db, teammate, text, now=now)]
    kinds = {id(r): k for k, r in found}
    paths = []
    for rank, r in enumerate(_order([r for _, r in found]), 1):
        from dunbar.graph import strength_word

        where = " ".join(x for x in (r["title"], f"at {r['organization']}" if r["organization"] else None) if x)
        paths.append(
            {
                "rank": rank,
                "kind": kinds[id(r)],
                **r,
                "text": f"you → {r['teammate']['name']} (teammate) → {r['name']} "
                f"({strength_word(r['strength'])}, {r['strength']})" + (f", {where}" if where else ""),
            }
        )
    return {"to": text, "paths": paths}


# Introductions --------------------------------------------------------------------------------------------------

_INTRO_COLUMNS = (
    "r.id, r.team_id, t.name AS team_name, r.requester_id, r.introducer_id, r.target_uid, r.target_name,"
    " r.target_organization, r.message, r.status, r.created_at, r.decided_at, r.done_at,"
    " r.introducer_favour_id, r.requester_favour_id,"
    " q.username AS requester_username, q.display_name AS requester_name,"
    " i.username AS introducer_username, i.display_name AS introducer_name"
)
_INTRO_FROM = (
    f" FROM {S}.intro_request r JOIN {S}.team t ON t.id = r.team_id"
    f" JOIN {S}.account q ON q.id = r.requester_id JOIN {S}.account i ON i.id = r.introducer_id"
)


def _intro(row: dict[str, Any], viewer: Account) -> dict[str, Any]:
    """A request as ``viewer`` may see it: the favour id is only ever the one in the viewer's own network."""
    mine = row["introducer_favour_id"] if viewer.id == row["introducer_id"] else row["requester_favour_id"]
    return {
        "id": row["id"],
        "team": {"id": row["team_id"], "name": row["team_name"]},
        "requester": {"username": row["requester_username"], "name": row["requester_name"]},
        "introducer": {"username": row["introducer_username"], "name": row["introducer_name"]},
        "target": {
            "ref": f"{row['introducer_id']}-{row['target_uid']}",
            "name": row["target_name"],
            "organization": row["target_organization"],
        },
        "message": row["message"],
        "status": row["status"],
        "direction": "incoming" if viewer.id == row["introducer_id"] else "outgoing",
        "actions": [
            action
            for action, (role, statuses) in INTRO_ACTIONS.items()
            if viewer.id == row[f"{role}_id"] and row["status"] in statuses
        ],
        "created_at": row["created_at"],
        "decided_at": row["decided_at"],
        "done_at": row["done_at"],
        "favour_id": mine,
    }


def _parse_ref(ref: str) -> tuple[int, str]:
    m = _REF.fullmatch((ref or "").strip().lower())
    if m is None:
        raise InvalidInput(
            f"not a contact reference: {ref!r}", hint="copy the ref from `dunbar who-knows ORG` or `dunbar path`"
        )
    return int(m.group(1)), m.group(2)


def ask_intro(server: Db, requester: Account, ref: str, message: str = "", *, now: datetime) -> dict[str, Any]:
    """Ask the teammate behind ``ref`` (from team_who_knows or team_paths) to introduce me to that contact."""
    introducer_id, uid = _parse_ref(ref)
    text = (message or "").strip()
    if len(text) > MAX_MESSAGE:
        raise InvalidInput(f"a message has at most {MAX_MESSAGE} characters", hint="say the gist; talk later")
    if introducer_id == requester.id:
        raise InvalidInput("that contact is in your own network", hint="no introduction needed: get in touch")
    sharing = {t.id: t for t, _ in sharing_teammates(server, requester)}
    introducer = sharing.get(introducer_id)
    unknown = NotFound("no such contact among your teammates' shared relationships",
                       hint="`dunbar who-knows ORG` lists them; the teammate may have stopped sharing")  # fmt: skip
    if introducer is None:
        raise unknown
    db = user_db(server, introducer)
    row = db.one(
        "SELECT id, display_name FROM person WHERE uid = :u AND deleted_at IS NULL AND is_me = :f",
        {"u": uid, "f": False},
    )
    if row is None:
        raise unknown
    from dunbar import people

    info = people.summary(db, [int(row["id"])])[int(row["id"])]
    team_id = server.scalar(
        f"SELECT min(mine.team_id) FROM {S}.team_member mine JOIN {S}.team_member theirs"
        " ON theirs.team_id = mine.team_id WHERE mine.account_id = :me AND theirs.account_id = :them AND theirs.shares",
        {"me": requester.id, "them": introducer.id},
    )
    with server.transaction():
        if server.scalar(
            f"SELECT 1 FROM {S}.intro_request WHERE requester_id = :q AND introducer_id = :i AND target_uid = :u"
            " AND status IN ('pending', 'accepted')",
            {"q": requester.id, "i": introducer.id, "u": uid},
        ):
            raise Conflict(
                f"you have already asked {introducer.display_name} for this introduction",
                hint="`dunbar teams intro list` shows where it stands",
            )
        rid = server.insert(
            f"INSERT INTO {S}.intro_request (team_id, requester_id, introducer_id, target_uid, target_name,"
            " target_organization, message, status, created_at)"
            " VALUES (:t, :q, :i, :u, :n, :o, :m, 'pending', :now) RETURNING id",
            {
                "t": team_id,
                "q": requester.id,
                "i": introducer.id,
                "u": uid,
                "n": info["name"],
                "o": info["organization"],
                "m": text,
                "now": now,
            },
        )
    return get_intro(server, requester, rid)


def get_intro(server: Db, account: Account, request_id: int) -> dict[str, Any]:
    """One request I made or was asked; anyone else's is not found."""
    row = server.one(
        f"SELECT {_INTRO_COLUMNS}{_INTRO_FROM} WHERE r.id = :id AND (r.requester_id = :a OR r.introducer_id = :a)",
        {"id": request_id, "a": account.id},
    )
    if row is None:
        raise NotFound(f"no introduction request #{request_id}", hint="`dunbar teams intro list` shows yours")
    return _intro(row, account)


def list_intros(server: Db, account: Account) -> dict[str, list[dict[str, Any]]]:
    """{incoming: requests to me, outgoing: requests I made}, newest first."""
    rows = server.all(
        f"SELECT {_INTRO_COLUMNS}{_INTRO_FROM} WHERE r.requester_id = :a OR r.introducer_id = :a"
        " ORDER BY r.created_at DESC, r.id DESC",
        {"a": account.id},
    )
    out: dict[str, list[dict[str, Any]]] = {"incoming": [], "outgoing": []}
    for row in rows:
        item = _intro(row, account)
        out[item["direction"]].append(item)
    return out


def _claim(server: Db, account: Account, request_id: int, action: str) -> dict[str, Any]:
    """The request, locked, if ``account`` may do ``action`` to it (else not found, or a conflict for its status)."""
    role, allowed = INTRO_ACTIONS[action]
    row = server.one(
        f"SELECT {_INTRO_COLUMNS}{_INTRO_FROM} WHERE r.id = :id AND r.{role}_id = :a FOR UPDATE OF r",
        {"id": request_id, "a": account.id},
    )
    if row is None:
        raise NotFound(f"no introduction request #{request_id}", hint="`dunbar teams intro list` shows yours")
    if row["status"] not in allowed:
        raise Conflict(f"introduction request #{request_id} is already {row['status']}")
    return row


def _decide(
    server: Db, account: Account, request_id: int, action: str, status: str, *, now: datetime
) -> dict[str, Any]:
    with server.transaction():
        _claim(server, account, request_id, action)
        server.execute(
            f"UPDATE {S}.intro_request SET status = :s, decided_at = :now WHERE id = :id",
            {"s": status, "now": now, "id": request_id},
        )
    return get_intro(server, account, request_id)


def accept_intro(server: Db, account: Account, request_id: int, *, now: datetime) -> dict[str, Any]:
    return _decide(server, account, request_id, "accept", "accepted", now=now)


def decline_intro(server: Db, account: Account, request_id: int, *, now: datetime) -> dict[str, Any]:
    return _decide(server, account, request_id, "decline", "declined", now=now)


def cancel_intro(server: Db, account: Account, request_id: int, *, now: datetime) -> dict[str, Any]:
    return _decide(server, account, request_id, "cancel", "cancelled", now=now)


@contextmanager
def _one_transaction(server: Db) -> Iterator[Callable[[Account], SqlAlchemyDb]]:
    """One transaction over the accounts and several users' networks: ``on(account)`` is a handle on that user's
    schema riding the same transaction, so all the writes commit or none."""
    assert isinstance(server, SqlAlchemyDb)
    with server.transaction():
        yield lambda account: server.in_schema(account.schema_name)


def _person_for(db: Db, account: Account, *, now: datetime) -> int:
    """The person in ``db`` that is ``account``: by their e-mail, else by their whole name, else added."""
    from dunbar import normalize, people
    from dunbar.text import fold

    if account.email:
        norm = normalize.identifier("email", account.email)
        ids = {
            int(r[0])
            for r in db.rows(
                "SELECT p.id FROM identifier i JOIN person p ON p.id = i.person_id WHERE i.kind = 'email'"
                " AND i.norm = :n AND p.deleted_at IS NULL AND p.is_me = :f",
                {"n": norm, "f": False},
            )
        }
        if ids:
            return min(ids)
    else:
        ids = {
            int(r[0])
            for r in db.rows(
                "SELECT id FROM person WHERE name_fold = :k AND deleted_at IS NULL AND is_me = :f",
                {"k": fold(account.display_name), "f": False},
            )
        }
        if len(ids) == 1:
            return ids.pop()
    changes = people.PersonChanges(name=account.display_name, emails=[account.email] if account.email else [])
    return people.add_person(db, changes, now=now)


def done_intro(server: Db, account: Account, request_id: int, *, now: datetime) -> dict[str, Any]:
    """The introducer made the introduction: the request is done, and it is a favour in both networks."""
    from dunbar import ledger
    from dunbar.server.accounts import get_user_by_id

    today = now.astimezone().date()
    with _one_transaction(server) as on:
        row = _claim(server, account, request_id, "done")
        requester = get_user_by_id(server, int(row["requester_id"]))
        if requester is None:  # pragma: no cover - the request goes with the account (ON DELETE CASCADE)
            raise NotFound(f"no introduction request #{request_id}")
        about = row["target_name"] + (f" ({row['target_organization']})" if row["target_organization"] else "")
        mine = on(account)
        target = mine.scalar(
            "SELECT id FROM person WHERE uid = :u AND deleted_at IS NULL AND is_me = :f",
            {"u": row["target_uid"], "f": False},
        )
        given = ledger.record(
            mine,
            person_id=_person_for(mine, requester, now=now),
            direction="given",
            kind="introduction",
            on=today,
            note=f"Introduced them to {about} (team request #{request_id})",
            parties=[(int(target), "introduced-to")] if target is not None else (),
            now=now,
        )
        theirs = on(requester)
        received = ledger.record(
            theirs,
            person_id=_person_for(theirs, account, now=now),
            direction="received",
            kind="introduction",
            on=today,
            note=f"Introduced me to {about} (team request #{request_id})",
            now=now,
        )
        server.execute(
            f"UPDATE {S}.intro_request SET status = 'done', done_at = :now, decided_at = coalesce(decided_at, :now),"
            " introducer_favour_id = :g, requester_favour_id = :r WHERE id = :id",
            {"now": now, "g": given, "r": received, "id": request_id},
        )
    return get_intro(server, account, request_id)


def act_on_intro(server: Db, account: Account, request_id: int, action: str, *, now: datetime) -> dict[str, Any]:
    """Do ``action`` (one of ``INTRO_ACTIONS``) to an introduction request; the request after it."""
    do = {"accept": accept_intro, "decline": decline_intro, "done": done_intro, "cancel": cancel_intro}.get(action)
    if do is None:
        raise InvalidInput(f"not an action on an introduction: {action!r}", hint=f"one of: {', '.join(INTRO_ACTIONS)}")
    return do(server, account, request_id, now=now)

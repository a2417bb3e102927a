"""Who knows whom: who-knows for an organization, warm paths to a person or an organization, and the network view.

The graph has two kinds of edges. Mine, from me to the people I am in touch with, weigh my relationship strength
(``dunbar.strength``), how recently we were in touch and the favour balance (``dunbar.ledger``'s arithmetic in
``dunbar.scoring.balance``). Ties between the people I know are ``tie`` rows (``dunbar.ties``); a rejected tie is
no edge.

The hot paths (``who_knows``, ``paths``) never load the whole tie graph: a 3-hop path from me needs only my
contacts (hop 1), the ties between them and the people next to the target (hop 2) and the ties of the target's
people (hop 3). Those are a few indexed queries (``tie`` is indexed on both ends), whatever the size of the
network. The search itself is pure (``dunbar.scoring.paths``). The network view (``network``, ``plot``) reads
every tie and uses networkx, imported lazily.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from dunbar.errors import Ambiguous, InvalidInput, NotFound
from dunbar.scoring import paths as P
from dunbar.store.db import Db, chunks, to_date, to_datetime
from dunbar.text import fold

if TYPE_CHECKING:
    from dunbar.strength import Everyone

# A contact weaker than this is not someone to ask (a name in an address book, not a relationship).
MIN_FIRST_HOP_STRENGTH = 1
STRENGTH_WORDS = ((70, "strong"), (40, "good"), (15, "weak"), (0, "faint"))


def strength_word(score: int) -> str:
    return next(word for floor, word in STRENGTH_WORDS if score >= floor)


def _me(db: Db) -> int:
    pid = db.scalar("SELECT id FROM person WHERE is_me = :t ORDER BY id LIMIT 1", {"t": True})
    if pid is None:
        raise NotFound("you have not said who you are yet", hint='dunbar init --name "Your Name" --email ...')
    return int(pid)


def resolve_organization(db: Db, text: str) -> dict[str, Any]:
    """The organization ``text`` names: its whole name (case- and accent-insensitive), else the one organization
    whose name starts with it."""
    key = fold(" ".join((text or "").split()))
    if not key:
        raise InvalidInput("which organization? (an empty name)")
    row = db.one("SELECT id, name FROM organization WHERE name_fold = :k", {"k": key})
    if row is not None:
        return {"id": int(row["id"]), "name": row["name"]}
    like = " ".join(key.replace("%", " ").replace("_", " ").split())
    if not like:
        raise NotFound(f"no organization called {text!r}", hint="give its name")
    found = db.all(
        "SELECT id, name FROM organization WHERE name_fold LIKE :start OR name_fold LIKE :word ORDER BY name_fold "
        "LIMIT 20",
        {"start": f"{like}%", "word": f"% {like}%"},
    )
    if len(found) == 1:
        return {"id": int(found[0]["id"]), "name": found[0]["name"]}
    if found:
        raise Ambiguous(f"{text!r} matches several organizations", [r["name"] for r in found],
                        hint="give the whole name")  # fmt: skip
    raise NotFound(f"no organization called {text!r}", hint="`dunbar list --org NAME` shows who works where")


def resolve_target(db: Db, text: str) -> tuple[str, int]:
    """What ``dunbar path --to`` means: ("person", id) or ("organization", id).

    A person wins when the text names one exactly (an id, an e-mail, a whole name); then an organization by its
    whole name; then a person by the start of a name or a close spelling; then an organization by the start of
    its name. So "Acme" is the organization even if someone's name is close to it, and "Ana" is Ana Lima."""
    from dunbar import people
    from dunbar.errors import DunbarError

    clean = (text or "").strip()
    if not clean:
        raise InvalidInput("a path to whom? (an empty name)")
    exact = db.rows(
        "SELECT id FROM person WHERE name_fold = :k AND deleted_at IS NULL", {"k": fold(" ".join(clean.split()))}
    )
    if len(exact) == 1:
        return "person", int(exact[0][0])
    org = db.scalar("SELECT id FROM organization WHERE name_fold = :k", {"k": fold(" ".join(clean.split()))})
    if org is not None and not exact:
        return "organization", int(org)
    try:
        return "person", people.resolve(db, clean)
    except NotFound as person_error:
        try:
            return "organization", resolve_organization(db, clean)["id"]
        except NotFound:
            raise NotFound(
                f"no person or organization called {clean!r}", hint=person_error.hint or "check the spelling"
            ) from None
    except DunbarError:
        raise


# Loading the part of the graph a search needs ---------------------------------------------------------------


def warm_contacts(
    db: Db, *, now: datetime, everyone: Mapping[int, int] | None = None, ranked: Everyone | None = None
) -> dict[int, int]:
    """My strength with everyone I have been in touch with or rated (live, not me), above the floor: the first
    hops of ``paths``. ``everyone`` is ``strength.scores(db, now=now)`` when the caller already has it, ``ranked``
    ``strength.ranking(db, now=now)`` (its columns already tell who was in touch: no query)."""
    from dunbar import strength

    if ranked is not None:
        known = ranked.in_touch(MIN_FIRST_HOP_STRENGTH)
        if known is not None:
            return known
        everyone = ranked.scores
    ids = [int(r[0]) for r in db.rows("SELECT person_id FROM person_stats")]
    ids += [int(r[0]) for r in db.rows("SELECT id FROM person WHERE closeness IS NOT NULL")]
    if not ids:
        return {}
    if everyone is not None:
        scores = {pid: everyone[pid] for pid in ids if pid in everyone}
    else:
        scores = strength.scores(db, now=now, person_ids=ids)
    return {pid: s for pid, s in scores.items() if s >= MIN_FIRST_HOP_STRENGTH}


def _last_contact(db: Db, ids: Sequence[int]) -> dict[int, datetime]:
    out: dict[int, datetime] = {}
    for part in chunks(sorted(ids)):
        for pid, at in db.rows(
            "SELECT id, last_contact_at FROM person WHERE id IN :ids AND last_contact_at IS NOT NULL",
            {"ids": list(part)},
        ):
            moment = to_datetime(at)
            if moment is not None:
                out[int(pid)] = moment
    return out


def _nets(db: Db, ids: Sequence[int], *, today: date) -> dict[int, float]:
    """The favour balance (given − received, weighted and aged) with each of ``ids`` who has any favour."""
    from dunbar.scoring import balance as bal

    entries: dict[int, list[Any]] = defaultdict(list)
    for part in chunks(sorted(ids)):
        for pid, fid, direction, kind, status, weight, asked, promised, done, created in db.rows(
            "SELECT person_id, id, direction, kind, status, weight, asked_on, promised_on, done_on, created_at "
            "FROM favour WHERE person_id IN :ids",
            {"ids": list(part)},
        ):
            dates = {"asked": to_date(asked), "promised": to_date(promised), "done": to_date(done)}
            order = {"done": ("done", "promised", "asked"), "promised": ("promised", "asked", "done")}.get(
                status, ("asked", "promised", "done")
            )
            created_at = to_datetime(created)
            fallback = created_at.date() if created_at else today
            on = next((d for d in (dates[k] for k in order) if d is not None), fallback)
            entries[int(pid)].append(
                bal.Entry(direction=direction, kind=kind, status=status, weight=int(weight), on=on, id=int(fid))
            )
    return {pid: bal.tally(items, today=today).net for pid, items in entries.items()}


Edge = tuple[int, int, int, float, Any]  # (tie id, a, b, strength, last_seen)


# Ties of more people than this are found in one pass over the tie table rather than by id slices.
TIES_SCAN_FROM = 4000


def _ties_touching(db: Db, ids: Iterable[int]) -> list[Edge]:
    """Every tie that is not rejected with an end in ``ids``: two indexed queries per slice, or for many people
    (most of the network) one pass over the ties, in the same order."""
    out: list[Edge] = []
    wanted = sorted(set(ids))
    if len(wanted) > TIES_SCAN_FROM:
        every = db.rows("SELECT id, person_a_id, person_b_id, strength, last_seen FROM tie WHERE status <> 'rejected'")
        slice_of = {pid: k // 900 for k, pid in enumerate(wanted)}
        found: dict[tuple[int, int], list[Edge]] = defaultdict(list)
        for e in every:
            for end in (1, 2):
                k = slice_of.get(int(e[end]))
                if k is not None:
                    found[(k, end)].append(e)
        for key in sorted(found):
            end = key[1]
            out += sorted(found[key], key=lambda e: (int(e[end]), int(e[0])))
        return out
    for part in chunks(wanted, 900):
        for column in ("person_a_id", "person_b_id"):
            out += db.rows(
                f"SELECT id, person_a_id, person_b_id, strength, last_seen FROM tie WHERE {column} IN :ids "
                "AND status <> 'rejected'",
                {"ids": list(part)},
            )
    return out


def _dead(db: Db, ids: Iterable[int]) -> set[int]:
    out: set[int] = set()
    for part in chunks(sorted(set(ids))):
        out |= {
            int(r[0])
            for r in db.rows(
                "SELECT id FROM person WHERE id IN :ids AND (deleted_at IS NOT NULL OR is_me = :t)",
                {"ids": list(part), "t": True},
            )
        }
    return out


def _days(today: date, value: Any) -> float | None:
    d = to_date(value)
    return None if d is None else float((today - d).days)


def _current_staff(db: Db, org_id: int) -> dict[int, dict[str, Any]]:
    """People (live, not me) who work at the organization now: {id: {title, start_date}}."""
    out: dict[int, dict[str, Any]] = {}
    for pid, title, start in db.rows(
        "SELECT e.person_id, e.title, e.start_date FROM employment e JOIN person p ON p.id = e.person_id "
        "WHERE e.organization_id = :o AND e.end_date IS NULL AND p.deleted_at IS NULL AND p.is_me = :f "
        "ORDER BY e.start_date DESC, e.id",
        {"o": org_id, "f": False},
    ):
        out.setdefault(int(pid), {"title": title, "start_date": to_date(start)})
    return out


# Who knows -------------------------------------------------------------------------------------------------


def _span(start: date | None, end: date | None) -> str:
    if start and end:
        return f"{start.year}–{end.year}" if start.year != end.year else f"in {start.year}"
    if start:
        return f"since {start.year}"
    if end:
        return f"until {end.year}"
    return ""


def who_knows(db: Db, org: str, *, now: datetime, today: date, limit: int = 20) -> dict[str, Any]:
    """Who can tell me about, or get me into, an organization: {organization: {id, name}, first_degree,
    second_degree, counts: {first_degree, second_degree}}.

    ``first_degree``: people I know who work there now (first) or worked there before, by my strength with them:
    {person: {id, name}, current, title, start_date, end_date, strength, reason}. ``second_degree``: people I know
    with a tie to someone who works there now, by my strength × the tie's strength and freshness: {person,
    strength, score, via: [{person: {id, name, title}, tie_id, tie_strength, how, last_seen}], reason}. At most
    ``limit`` of each (the counts are of all)."""
    o = resolve_organization(db, org)
    jobs = db.rows(
        "SELECT e.person_id, e.title, e.start_date, e.end_date FROM employment e JOIN person p ON p.id = e.person_id "
        "WHERE e.organization_id = :o AND p.deleted_at IS NULL AND p.is_me = :f",
        {"o": o["id"], "f": False},
    )
    best_job: dict[int, tuple[Any, ...]] = {}
    for pid, title, start, end in jobs:
        row = (title, to_date(start), to_date(end))
        prev = best_job.get(int(pid))
        # A current job beats a past one; among past ones, the latest.
        if (
            prev is None
            or (row[2] is None and prev[2] is not None)
            or (row[2] is not None and prev[2] is not None and row[2] > prev[2])
        ):
            best_job[int(pid)] = row
    current = {pid for pid, (_, _, end) in best_job.items() if end is None}
    edges = _ties_touching(db, current)
    via: dict[int, list[Edge]] = defaultdict(list)
    for e in edges:
        _, a, b = e[0], int(e[1]), int(e[2])
        if a in current and b not in current:
            via[b].append(e)
        if b in current and a not in current:
            via[a].append(e)
    from dunbar import strength
    from dunbar.people import summary

    mine = strength.scores(db, now=now, person_ids=[*best_job, *via])
    first = []
    for pid, (title, start, end) in best_job.items():
        s = mine.get(pid)
        if s is None:
            continue
        first.append({"pid": pid, "current": end is None, "title": title, "start": start, "end": end, "s": s})
    first.sort(key=lambda f: (not f["current"], -f["s"], f["pid"]))
    second: list[dict[str, Any]] = []
    for pid, ties in via.items():
        s = mine.get(pid)
        if s is None:
            continue
        ranked = sorted(
            ((P.tie_weight(float(e[3]), days_since_seen=_days(today, e[4])), e) for e in ties),
            key=lambda x: (-x[0], x[1][0]),
        )
        second.append({"pid": pid, "s": s, "score": s / 100.0 * ranked[0][0], "ties": ranked})
    second.sort(key=lambda x: (-x["score"], -x["s"], x["pid"]))
    shown_first, shown_second = first[:limit], second[:limit]
    tie_ids = [e[0] for x in shown_second for _, e in x["ties"][:3]]
    hows = _hows(db, tie_ids)
    ids = {f["pid"] for f in shown_first} | {x["pid"] for x in shown_second}
    for x in shown_second:
        for _, e in x["ties"][:3]:
            ids |= {int(e[1]), int(e[2])}
    info = summary(db, sorted(ids))
    out_first = []
    for f in shown_first:
        role = f" as {f['title']}" if f["title"] else ""
        span = _span(f["start"], f["end"])
        if f["current"]:
            reason = f"works at {o['name']} now{role}" + (f" ({span})" if span else "")
        else:
            reason = f"worked at {o['name']}{role}" + (f" ({span})" if span else "")
        out_first.append(
            {
                "person": {"id": f["pid"], "name": info[f["pid"]]["name"]},
                "current": f["current"],
                "title": f["title"],
                "start_date": f["start"],
                "end_date": f["end"],
                "strength": f["s"],
                "reason": f"{reason}; your tie is {strength_word(f['s'])} ({f['s']})",
            }
        )
    out_second = []
    for x in shown_second:
        vias = []
        for w, e in x["ties"][:3]:
            other = int(e[2]) if int(e[1]) == x["pid"] else int(e[1])
            vias.append(
                {
                    "person": {"id": other, "name": info[other]["name"], "title": best_job[other][0]},
                    "tie_id": int(e[0]),
                    "tie_strength": round(float(e[3]), 3),
                    "weight": round(w, 3),
                    "how": hows.get(int(e[0])),
                    "last_seen": to_date(e[4]),
                }
            )
        top = vias[0]
        title = f", {top['person']['title']}" if top["person"]["title"] else ""
        how = f": {top['how']}" if top["how"] else ""
        more = f" (and {len(x['ties']) - 1} more there)" if len(x["ties"]) > 1 else ""
        out_second.append(
            {
                "person": {"id": x["pid"], "name": info[x["pid"]]["name"]},
                "strength": x["s"],
                "score": round(x["score"], 4),
                "via": vias,
                "reason": f"knows {top['person']['name']}{title} at {o['name']}{how}{more}; "
                f"your tie is {strength_word(x['s'])} ({x['s']})",
            }
        )
    return {
        "organization": o,
        "first_degree": out_first,
        "second_degree": out_second,
        "counts": {"first_degree": len(first), "second_degree": len(second)},
    }


def _hows(db: Db, tie_ids: Sequence[int]) -> dict[int, str | None]:
    """The ``how`` of each tie, or the text of its strongest evidence."""
    import json

    out: dict[int, str | None] = {}
    for part in chunks(sorted(set(tie_ids))):
        for tid, how, evidence in db.rows("SELECT id, how, evidence FROM tie WHERE id IN :ids", {"ids": list(part)}):
            text = how
            if not text and evidence:
                items = json.loads(evidence)
                text = items[0].get("text") if items else None
            out[int(tid)] = text
    return out


# Warm paths ------------------------------------------------------------------------------------------------


def _owed_words(net: float) -> str | None:
    from dunbar.scoring import balance as bal

    if net >= bal.EVEN_BELOW:
        return "owes you"
    if net <= -bal.EVEN_BELOW:
        return "you owe them"
    return None


def paths(
    db: Db,
    *,
    to_person: int | None = None,
    to_org: int | None = None,
    k: int = 3,
    max_hops: int = 3,
    now: datetime,
    today: date,
    known_contacts: Mapping[int, int] | None = None,
) -> list[dict[str, Any]]:
    """The ``k`` warmest paths from me to a person or to anyone who works at an organization now, best first,
    each through a different first person (so that no one is asked k times), each explained:

    {rank, weight (0..1: the product of the hops' weights), hops, people: [{id, name, organization, title}],
    steps: [{from, to, kind ("mine" | "tie"), weight, strength, tie_id, how, last_seen, owed}], text}.

    First hop: my strength with them, how recently we were in touch, and the favour balance (people who owe me
    are preferred, people I already owe are penalized). Further hops: the tie's strength and freshness.
    ``known_contacts`` is ``warm_contacts(db, now=now)`` when the caller already has it (never changed here)."""
    if (to_person is None) == (to_org is None):
        raise InvalidInput("a path goes to one person or one organization")
    if not 1 <= max_hops <= 3:
        raise InvalidInput(f"paths have 1 to 3 hops, not {max_hops}")
    if k < 1:
        raise InvalidInput(f"ask for at least one path, not {k}")
    me = _me(db)
    org_name: str | None = None
    if to_person is not None:
        if to_person == me:
            raise InvalidInput("a path to yourself is no path", hint="name someone else")
        if not db.scalar("SELECT 1 FROM person WHERE id = :id AND deleted_at IS NULL", {"id": to_person}):
            raise NotFound(f"no person #{to_person}", hint="`dunbar list` shows everyone with their ids")
        targets: dict[int, dict[str, Any]] = {to_person: {}}
    else:
        row = db.one("SELECT id, name FROM organization WHERE id = :id", {"id": to_org})
        if row is None:
            raise NotFound(f"no organization #{to_org}")
        org_name = row["name"]
        targets = _current_staff(db, int(row["id"]))
    if not targets:
        return []
    contacts = known_contacts if known_contacts is not None else warm_contacts(db, now=now)
    goal = set(targets)
    # Hop 3 from the target's side: the people next to the targets (and the ties that reach them).
    near = _ties_touching(db, goal) if max_hops >= 2 else []
    middle = {int(x) for e in near for x in (e[1], e[2])} - goal
    # Hop 2 from my side: my contacts' ties, kept only where they lead to the target or next to it. The same ties
    # are read from whichever side has fewer people (one tie per pair, so which side lists them changes nothing).
    useful = goal | middle
    mine: list[Edge] = []
    if max_hops >= 2 and len(useful) < len(contacts):
        mine = [e for e in _ties_touching(db, useful) if int(e[1]) in contacts or int(e[2]) in contacts]
    elif max_hops >= 2:
        mine = [e for e in _ties_touching(db, contacts) if int(e[1]) in useful or int(e[2]) in useful]
    dead = _dead(db, {int(x) for e in (*near, *mine) for x in (e[1], e[2])} - set(contacts))
    adj: dict[int, dict[int, float]] = defaultdict(dict)
    tie_of: dict[tuple[int, int], Edge] = {}
    if max_hops >= 3:
        edges = [*near, *mine]
    else:
        edges = [e for e in (*near, *mine) if int(e[1]) in contacts or int(e[2]) in contacts]
    for e in edges:
        a, b = int(e[1]), int(e[2])
        if a in dead or b in dead or a == b:
            continue
        w = P.tie_weight(float(e[3]), days_since_seen=_days(today, e[4]))
        if w > adj[a].get(b, 0.0):
            adj[a][b] = adj[b][a] = w
            tie_of[(min(a, b), max(a, b))] = e
    # Hop 1: only the contacts the rest of the graph can use (all of them when the target is one of them).
    firsts = [pid for pid in contacts if pid in adj or pid in goal]
    nets = _nets(db, firsts, today=today)
    last = _last_contact(db, firsts)
    for pid in firsts:
        seen = last.get(pid)
        days = None if seen is None else float((today - seen.astimezone().date()).days)
        adj[me][pid] = P.first_hop_weight(contacts[pid], net=nets.get(pid, 0.0), days_since_contact=days)
    found = P.best_paths(adj, me, goal, k=k, max_hops=max_hops)
    return _explain(db, found, me=me, contacts=contacts, nets=nets, adj=adj, tie_of=tie_of, targets=targets,
                    org_name=org_name, today=today)  # fmt: skip


def _explain(
    db: Db,
    found: list[P.Path],
    *,
    me: int,
    contacts: Mapping[int, int],
    nets: dict[int, float],
    adj: dict[int, dict[int, float]],
    tie_of: dict[tuple[int, int], Edge],
    targets: dict[int, dict[str, Any]],
    org_name: str | None,
    today: date,
) -> list[dict[str, Any]]:
    from dunbar.people import summary

    ids = sorted({n for p in found for n in p.nodes if n != me})
    info = summary(db, ids)
    tie_ids = [
        int(tie_of[(min(a, b), max(a, b))][0]) for p in found for a, b in zip(p.nodes[1:], p.nodes[2:], strict=False)
    ]
    hows = _hows(db, tie_ids)
    out = []
    for rank, p in enumerate(found, 1):
        steps: list[dict[str, Any]] = []
        words = ["you"]
        first = p.nodes[1]
        s = contacts[first]
        owed = _owed_words(nets.get(first, 0.0))
        steps.append({"from": me, "to": first, "kind": "mine", "weight": round(adj[me][first], 4), "strength": s,
                      "tie_id": None, "how": None, "last_seen": None, "owed": owed})  # fmt: skip
        note = ", ".join(x for x in (strength_word(s), owed) if x)
        words.append(f"{info[first]['name']} ({note})")
        for a, b in zip(p.nodes[1:], p.nodes[2:], strict=False):
            e = tie_of[(min(a, b), max(a, b))]
            how = hows.get(int(e[0]))
            steps.append({"from": a, "to": b, "kind": "tie", "weight": round(adj[a][b], 4),
                          "strength": round(float(e[3]), 3), "tie_id": int(e[0]), "how": how,
                          "last_seen": to_date(e[4]), "owed": None})  # fmt: skip
            words.append(f"{info[b]['name']} ({how})" if how else info[b]["name"])
        end = p.nodes[-1]
        title = targets.get(end, {}).get("title") or info[end]["title"]
        where = org_name or info[end]["organization"]
        if where:
            words[-1] += f", {title} at {where}" if title else f", at {where}"
        out.append(
            {
                "rank": rank,
                "weight": round(p.weight, 4),
                "hops": p.hops,
                "people": [info[n] for n in p.nodes[1:]],
                "steps": steps,
                "text": " → ".join(words),
            }
        )
    return out


# The network view ------------------------------------------------------------------------------------------


def _tie_graph(
    db: Db, *, now: datetime, min_strength: float = 0.0
) -> tuple[Any, dict[int, dict[str, Any]], dict[int, int]]:
    """The contact-contact tie graph (networkx, ties not rejected of at least ``min_strength``, live people),
    everyone's details and my strengths: (graph, {id: {name, circle, organization}}, {id: strength})."""
    import networkx as nx

    from dunbar import strength

    people: dict[int, dict[str, Any]] = {}
    for pid, name, circle in db.rows(
        "SELECT id, display_name, circle FROM person WHERE deleted_at IS NULL AND is_me = :f", {"f": False}
    ):
        people[int(pid)] = {"name": name, "circle": circle, "organization": None}
    for pid, org in db.rows(
        "SELECT e.person_id, o.name FROM employment e JOIN organization o ON o.id = e.organization_id "
        "WHERE e.end_date IS NULL ORDER BY e.start_date, e.id"
    ):
        if int(pid) in people:
            people[int(pid)]["organization"] = org
    g = nx.Graph()
    for tid, a, b, s, kind, how, last_seen in db.rows(
        "SELECT id, person_a_id, person_b_id, strength, kind, how, last_seen FROM tie WHERE status <> 'rejected' "
        "AND (strength >= :m OR kind = 'explicit' OR status = 'confirmed')",
        {"m": min_strength},
    ):
        if int(a) in people and int(b) in people:
            g.add_edge(int(a), int(b), weight=float(s), tie_id=int(tid), kind=kind, how=how or "",
                       last_seen=str(to_date(last_seen) or ""))  # fmt: skip
    mine = strength.scores(db, now=now)
    return g, people, mine


# The network view leaves out ties weaker than this (one large meeting together): they join everything to
# everything and hide the clusters.
VIEW_MIN_STRENGTH = 0.15


def network(
    db: Db, *, now: datetime, brokers: int = 10, sample_above: int = 500, min_strength: float = VIEW_MIN_STRENGTH
) -> dict[str, Any]:
    """The shape of my network: {people, circles: {circle: n, "none": n}, ties, connected (people with a tie),
    components: [sizes, largest first], clusters: [{id, size, organizations: [{name, people}], people: [{id,
    name, strength}]}], brokers: [{person: {id, name}, betweenness, clusters, reason}], sampled}.

    Clusters are Louvain communities of the tie graph (me left out: I am next to everyone; ties weaker than
    ``min_strength`` left out unless explicit or confirmed); brokers are the people with the highest
    betweenness on it, i.e. on the most shortest routes between others: they bridge parts of my network that
    would otherwise be apart. Above ``sample_above`` people with ties, betweenness is estimated from that many
    sampled sources (seeded, so the answer is stable)."""
    import networkx as nx

    g, people, mine = _tie_graph(db, now=now, min_strength=min_strength)
    circles: dict[str, int] = defaultdict(int)
    for p in people.values():
        circles[p["circle"] or "none"] += 1
    comps = sorted((len(c) for c in nx.connected_components(g)), reverse=True)
    clusters = _communities(g)
    cluster_of = {n: i for i, c in enumerate(clusters) for n in c}
    sampled = g.number_of_nodes() > sample_above
    between = nx.betweenness_centrality(g, k=sample_above if sampled else None, seed=7) if g.number_of_nodes() else {}
    out_clusters = []
    for i, members in enumerate(clusters):
        orgs: dict[str, int] = defaultdict(int)
        for n in members:
            if people[n]["organization"]:
                orgs[people[n]["organization"]] += 1
        top = sorted(members, key=lambda n: (-mine.get(n, 0), people[n]["name"], n))[:5]
        out_clusters.append(
            {
                "id": i + 1,
                "size": len(members),
                "organizations": [
                    {"name": k, "people": v} for k, v in sorted(orgs.items(), key=lambda x: (-x[1], x[0]))[:3]
                ],
                "people": [{"id": n, "name": people[n]["name"], "strength": mine.get(n, 0)} for n in top],
            }
        )
    ranked = sorted((n for n, b in between.items() if b > 0), key=lambda n: (-between[n], n))[:brokers]
    out_brokers = []
    for n in ranked:
        around = sorted({cluster_of[m] for m in g.neighbors(n)} | {cluster_of[n]})
        labels = [_cluster_label(out_clusters[c]) for c in around]
        reason = (
            f"links {len(around)} clusters ({', '.join(labels[:4])})"
            if len(around) > 1
            else f"on many routes within cluster {_cluster_label(out_clusters[around[0]])}"
        )
        out_brokers.append(
            {
                "person": {"id": n, "name": people[n]["name"]},
                "betweenness": round(between[n], 4),
                "clusters": [c + 1 for c in around],
                "strength": mine.get(n, 0),
                "reason": reason,
            }
        )
    return {
        "people": len(people),
        "circles": dict(sorted(circles.items())),
        "ties": g.number_of_edges(),
        "connected": g.number_of_nodes(),
        "components": comps,
        "clusters": out_clusters,
        "brokers": out_brokers,
        "sampled": sampled,
    }


def _cluster_label(c: dict[str, Any]) -> str:
    if c["organizations"]:
        return c["organizations"][0]["name"]
    return f"#{c['id']}"


def _communities(g: Any) -> list[list[int]]:
    """Communities, largest first, each sorted; stable for a given graph (seeded)."""
    import networkx as nx

    if g.number_of_nodes() == 0:
        return []
    found = nx.community.louvain_communities(g, weight="weight", seed=7)
    return sorted((sorted(c) for c in found), key=lambda c: (-len(c), c[0]))


def plot(db: Db, path: str, *, now: datetime, limit: int = 400) -> dict[str, int]:
    """Draw my network to ``path`` (.png or .svg): me in the middle, people coloured by cluster and sized by my
    strength, ties as lines; the ``limit`` people closest to me (by strength) when there are more. Counts drawn:
    {people, ties}."""
    from pathlib import Path

    suffix = Path(path).suffix.lower()
    if suffix not in (".png", ".svg"):
        raise InvalidInput(f"cannot draw into {path!r}", hint="name a .png or .svg file")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import networkx as nx

    g, people, mine = _tie_graph(db, now=now, min_strength=VIEW_MIN_STRENGTH)
    keep = sorted(people, key=lambda n: (-mine.get(n, 0), n))[:limit]
    keep = [n for n in keep if mine.get(n, 0) > 0 or n in g]
    sub = g.subgraph(keep).copy()
    sub.add_nodes_from(keep)
    clusters = _communities(sub)
    color = {n: i for i, c in enumerate(clusters) for n in c}
    me = -1
    sub.add_node(me)
    for n in keep:
        if mine.get(n, 0) > 0:
            sub.add_edge(me, n, weight=mine[n] / 100.0, mine=True)
    pos = nx.spring_layout(sub, seed=7, weight="weight", pos={me: (0.0, 0.0)}, fixed=[me] if len(sub) > 1 else None)
    fig, ax = plt.subplots(figsize=(10, 10))
    ties = [(a, b) for a, b, d in sub.edges(data=True) if not d.get("mine")]
    nx.draw_networkx_edges(sub, pos, edgelist=ties, ax=ax, alpha=0.35, width=0.6)
    cmap = plt.get_cmap("tab20")
    nx.draw_networkx_nodes(
        sub, pos, nodelist=keep, ax=ax,
        node_color=[cmap(color.get(n, 0) % 20) for n in keep],
        node_size=[20 + 3 * mine.get(n, 0) for n in keep],
    )  # fmt: skip
    nx.draw_networkx_nodes(sub, pos, nodelist=[me], ax=ax, node_color="black", node_size=300)
    strongest = sorted(keep, key=lambda n: -mine.get(n, 0))[:25]
    nx.draw_networkx_labels(sub, pos, labels={**{n: people[n]["name"] for n in strongest}, me: "you"}, ax=ax,
                            font_size=7)  # fmt: skip
    ax.set_axis_off()
    fig.tight_layout()
    fig.savefig(path, format=suffix[1:])
    plt.close(fig)
    return {"people": len(keep), "ties": len(ties)}

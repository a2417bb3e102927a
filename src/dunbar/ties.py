"""Ties between the people I know ("Ana knows Bo"): explicit ones the user states, and ones inferred from evidence.

A tie is one row per unordered pair (``person_a_id < person_b_id``) with a 0..1 strength, a ``how`` (the best
sentence for it) and its evidence (a JSON list of ``{kind, text, score, on}``). My own ties to my contacts are
not rows here: they are my relationship strength (``dunbar.strength``) and the favour balance (``dunbar.ledger``).

Inference (``infer``) reads three kinds of evidence, each set-based (one query per kind, aggregated in SQL or
in Python, never a query per person):

- **together**: people on the same threads and in the same meetings; each shared interaction adds its weight
  times ``1/(n-1)`` for its ``n`` participants, so a one-to-one introduction meeting counts fully and an all-hands
  almost nothing (interactions of more than ``MAX_PARTICIPANTS`` people are not read at all);
- **employment**: overlapping time at the same organization (known dates that overlap, or both there now),
  discounted at organizations where many of my contacts work (``MAX_ORG_PEOPLE`` and more are not read);
- **introduction**: a done introduction favour ties the person of the favour to each of its parties.

Scores add up and saturate: ``strength = 1 - exp(-total)``. Re-running ``infer`` updates inferred ties in place,
adds evidence to explicit ties without touching their kind, how or strength, never brings back a tie the user
rejected, and removes unconfirmed inferred ties whose evidence has gone.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from dunbar.errors import InvalidInput, NotFound
from dunbar.store.db import Db, chunks, to_date, to_datetime

KINDS = ("explicit", "inferred")
STATUSES = ("active", "confirmed", "rejected")
DEFAULT_STRENGTH = 0.8
MAX_PARTICIPANTS = 50
MAX_ORG_PEOPLE = 100
# What one unit of each kind of evidence adds to a tie's total (before saturation).
TOGETHER_SCORE = 0.35
INTRODUCTION_SCORE = 0.8
OVERLAP_BASE = 0.2
OVERLAP_FULL = 0.4  # added for two years or more of overlap
OVERLAP_UNKNOWN = 0.3  # both there now, dates unknown
OVERLAP_FULL_DAYS = 730
ORG_SIZE_FREE = 10  # up to this many of my contacts at one organization, no discount

_LIVE = "deleted_at IS NULL AND is_me = :f"


@dataclass
class Evidence:
    kind: str  # together, employment, introduction
    text: str
    score: float
    first: date | None
    last: date | None

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "text": self.text,
            "score": round(self.score, 3),
            "on": self.last.isoformat() if self.last else None,
        }


def saturate(total: float) -> float:
    """A tie strength in [0, 1) from its evidence total: more evidence always helps, ever less."""
    return round(1.0 - math.exp(-max(0.0, total)), 3)


def _pair(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


def _local_day(now: datetime) -> date:
    return now.astimezone().date()


def _day(db: Db, value: date | None) -> Any:
    """A date parameter for ``executemany`` (which adapts only the columns that hold dates in its first row)."""
    if value is None or db.dialect != "sqlite":
        return value
    return value.isoformat()


# Explicit ties ---------------------------------------------------------------------------------------------


def _people(db: Db, ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    wanted = sorted(set(ids))
    rows = db.all("SELECT id, display_name, is_me, deleted_at FROM person WHERE id IN :ids", {"ids": wanted})
    return {int(r["id"]): r for r in rows}


def check_strength(value: float) -> float:
    if not 0.0 <= value <= 1.0 or math.isnan(value):
        raise InvalidInput(f"a tie strength is between 0 and 1, not {value}", hint="for example --strength 0.8")
    return float(value)


def link(db: Db, a: int, b: int, *, how: str | None, strength: float = DEFAULT_STRENGTH, now: datetime) -> int:
    """State that ``a`` and ``b`` know each other (``how``: "worked together at Initech"); the tie's id.

    An existing tie between them becomes explicit and confirmed with this ``how`` and strength (its evidence is
    kept); this is also how a rejected tie is taken back."""
    strength = check_strength(strength)
    if a == b:
        raise InvalidInput("a tie needs two different people")
    found = _people(db, [a, b])
    for pid in (a, b):
        p = found.get(pid)
        if p is None:
            raise NotFound(f"no person #{pid}", hint="`dunbar list` shows everyone with their ids")
        if p["is_me"]:
            raise InvalidInput(
                "your own ties come from your interactions and favours",
                hint="link two people you know: dunbar link Ana Bo --how ...",
            )
        if p["deleted_at"] is not None:
            raise InvalidInput(f"{p['display_name']} (#{pid}) is in the trash", hint=f"`dunbar restore #{pid}` first")
    clean_how = " ".join((how or "").split()) or None
    lo, hi = _pair(a, b)
    from dunbar.people import manual_source

    with db.transaction():
        row = db.one("SELECT id FROM tie WHERE person_a_id = :a AND person_b_id = :b", {"a": lo, "b": hi})
        if row is not None:
            db.execute(
                "UPDATE tie SET kind = 'explicit', how = COALESCE(:how, how), strength = :s, status = 'confirmed', "
                "updated_at = :t WHERE id = :id",
                {"how": clean_how, "s": strength, "t": now, "id": row["id"]},
            )
            return int(row["id"])
        return db.insert(
            "INSERT INTO tie (person_a_id, person_b_id, kind, how, strength, evidence, status, since, last_seen, "
            "source_id, created_at, updated_at) VALUES (:a, :b, 'explicit', :how, :s, '[]', 'confirmed', NULL, "
            "NULL, :src, :t, :t) RETURNING id",
            {"a": lo, "b": hi, "how": clean_how, "s": strength, "src": manual_source(db, now=now), "t": now},
        )


def _set_status(db: Db, tie_id: int, status: str, *, now: datetime) -> dict[str, Any]:
    with db.transaction():
        if not db.execute(
            "UPDATE tie SET status = :s, updated_at = :t WHERE id = :id", {"s": status, "t": now, "id": tie_id}
        ):
            raise NotFound(f"no tie #{tie_id}", hint="`dunbar ties PERSON` shows a person's ties with their ids")
    return get(db, tie_id)


def confirm(db: Db, tie_id: int, *, now: datetime) -> dict[str, Any]:
    """The user says this tie is real: it is kept even when its evidence goes away."""
    return _set_status(db, tie_id, "confirmed", now=now)


def reject(db: Db, tie_id: int, *, now: datetime) -> dict[str, Any]:
    """The user says these two do not know each other: the tie is no path and inference never revives it."""
    return _set_status(db, tie_id, "rejected", now=now)


# Reading ---------------------------------------------------------------------------------------------------

_TIE_COLUMNS = (
    "t.id, t.person_a_id, t.person_b_id, t.kind, t.how, t.strength, t.evidence, t.status, t.since, t.last_seen"
)


def _shape(r: dict[str, Any], names: dict[int, str]) -> dict[str, Any]:
    return {
        "id": int(r["id"]),
        "people": [
            {"id": int(r["person_a_id"]), "name": names.get(int(r["person_a_id"]))},
            {"id": int(r["person_b_id"]), "name": names.get(int(r["person_b_id"]))},
        ],
        "kind": r["kind"],
        "how": r["how"],
        "strength": round(float(r["strength"]), 3),
        "status": r["status"],
        "evidence": json.loads(r["evidence"] or "[]"),
        "since": to_date(r["since"]),
        "last_seen": to_date(r["last_seen"]),
    }


def get(db: Db, tie_id: int) -> dict[str, Any]:
    """One tie: {id, people: [{id, name}, {id, name}], kind, how, strength, status, evidence, since, last_seen}."""
    r = db.one(f"SELECT {_TIE_COLUMNS} FROM tie t WHERE t.id = :id", {"id": tie_id})
    if r is None:
        raise NotFound(f"no tie #{tie_id}", hint="`dunbar ties PERSON` shows a person's ties with their ids")
    names = {int(k): v["display_name"] for k, v in _people(db, [r["person_a_id"], r["person_b_id"]]).items()}
    return _shape(r, names)


def ties_of(db: Db, person_id: int, *, include_rejected: bool = False) -> list[dict[str, Any]]:
    """A person's ties to other live people, strongest first, in the shape of ``get`` plus ``other`` (the person
    at the other end, with their current organization and title)."""
    status = "" if include_rejected else "AND t.status <> 'rejected'"
    rows = db.all(
        f"SELECT {_TIE_COLUMNS} FROM tie t WHERE t.person_a_id = :p {status} "
        f"UNION ALL SELECT {_TIE_COLUMNS} FROM tie t WHERE t.person_b_id = :p {status}",
        {"p": person_id},
    )
    from dunbar.people import summary

    others = [int(r["person_b_id"] if r["person_a_id"] == person_id else r["person_a_id"]) for r in rows]
    live = {
        int(r[0])
        for part in chunks(sorted(set(others)))
        for r in db.rows("SELECT id FROM person WHERE id IN :ids AND deleted_at IS NULL", {"ids": list(part)})
    }
    info = summary(db, sorted(live | {person_id}))
    names = {pid: v["name"] for pid, v in info.items()}
    out = []
    for r, other in zip(rows, others, strict=True):
        if other not in live:
            continue
        item = _shape(r, names)
        item["other"] = info[other]
        out.append(item)
    out.sort(key=lambda t: (t["status"] == "rejected", -t["strength"], t["other"]["name"] or "", t["id"]))
    return out


# Inference -------------------------------------------------------------------------------------------------


def _together(db: Db) -> dict[tuple[int, int], Evidence]:
    out: dict[tuple[int, int], Evidence] = {}
    rows = db.rows(
        "SELECT a.person_id, b.person_id, SUM(i.weight / (s.n - 1.0)), COUNT(*), MIN(i.occurred_at), "
        "MAX(i.occurred_at) "
        "FROM (SELECT interaction_id, COUNT(*) AS n FROM participant GROUP BY interaction_id "
        "      HAVING COUNT(*) BETWEEN 2 AND :cap) s "
        "JOIN interaction i ON i.id = s.interaction_id "
        "JOIN participant a ON a.interaction_id = s.interaction_id "
        "JOIN participant b ON b.interaction_id = s.interaction_id AND a.person_id < b.person_id "
        "JOIN person pa ON pa.id = a.person_id JOIN person pb ON pb.id = b.person_id "
        "WHERE pa.deleted_at IS NULL AND pb.deleted_at IS NULL AND pa.is_me = :f AND pb.is_me = :f "
        "GROUP BY a.person_id, b.person_id",
        {"cap": MAX_PARTICIPANTS, "f": False},
    )
    for a, b, total, n, first, last in rows:
        t_first, t_last = to_datetime(first), to_datetime(last)
        d_first = t_first.date() if t_first else None
        d_last = t_last.date() if t_last else None
        if int(n) == 1:
            text = f"together in a meeting or thread on {d_last}"
        else:
            text = f"together in {int(n)} meetings or threads, the last on {d_last}"
        out[(int(a), int(b))] = Evidence("together", text, TOGETHER_SCORE * float(total or 0.0), d_first, d_last)
    return out


def _years(start: date | None, end: date | None, *, current: bool) -> str:
    if current:
        return f"since {start.year}" if start else "now"
    assert start is not None
    assert end is not None
    return f"in {start.year}" if start.year == end.year else f"{start.year}–{end.year}"


def overlap(
    a: tuple[date | None, date | None], b: tuple[date | None, date | None], *, today: date
) -> tuple[date | None, date | None, bool] | None:
    """When two employments at one organization overlap: (from, to, both current), or None when they do not or
    the dates cannot tell. Both current counts even without dates; otherwise both start dates are needed (an
    unknown start is not taken to mean "forever")."""
    (s1, e1), (s2, e2) = a, b
    if e1 is None and e2 is None:
        start = max(s1, s2) if s1 and s2 else (s1 or s2)
        if start is not None and start > today:
            return None
        return start, today, True
    if s1 is None or s2 is None:
        return None
    start, end = max(s1, s2), min(e1 or today, e2 or today)
    if start > end:
        return None
    return start, end, False


def _employment(db: Db, *, today: date) -> dict[tuple[int, int], list[Evidence]]:
    by_org: dict[int, list[tuple[int, date | None, date | None]]] = defaultdict(list)
    names: dict[int, str] = {}
    for pid, oid, name, start, end in db.rows(
        "SELECT e.person_id, e.organization_id, o.name, e.start_date, e.end_date FROM employment e "
        "JOIN organization o ON o.id = e.organization_id JOIN person p ON p.id = e.person_id "
        "WHERE p.deleted_at IS NULL AND p.is_me = :f ORDER BY e.organization_id, e.person_id, e.id",
        {"f": False},
    ):
        by_org[int(oid)].append((int(pid), to_date(start), to_date(end)))
        names[int(oid)] = name
    # The best overlap of each pair at each organization (several jobs at one place are one piece of evidence).
    best: dict[tuple[int, int, int], Evidence] = {}
    for oid, jobs in by_org.items():
        people = len({j[0] for j in jobs})
        if people < 2 or people > MAX_ORG_PEOPLE:
            continue
        size = math.sqrt(min(1.0, ORG_SIZE_FREE / people))
        for i, (p1, s1, e1) in enumerate(jobs):
            for p2, s2, e2 in jobs[i + 1 :]:
                if p1 == p2:
                    continue
                found = overlap((s1, e1), (s2, e2), today=today)
                if found is None:
                    continue
                start, end, current = found
                if start is None:
                    score = OVERLAP_UNKNOWN
                else:
                    days = ((end or today) - start).days
                    score = OVERLAP_BASE + OVERLAP_FULL * min(1.0, days / OVERLAP_FULL_DAYS)
                a, b = _pair(p1, p2)
                text = f"both at {names[oid]} {_years(start, end, current=current)}"
                ev = Evidence("employment", text, score * size, start, end)
                prev = best.get((a, b, oid))
                if prev is None or ev.score > prev.score:
                    best[(a, b, oid)] = ev
    out: dict[tuple[int, int], list[Evidence]] = defaultdict(list)
    for (a, b, _), ev in best.items():
        out[(a, b)].append(ev)
    return out


def _introductions(db: Db) -> dict[tuple[int, int], list[Evidence]]:
    out: dict[tuple[int, int], list[Evidence]] = defaultdict(list)
    for pid, name, qid, qname, direction, done, promised, asked in db.rows(
        "SELECT f.person_id, p.display_name, q.id, q.display_name, f.direction, f.done_on, f.promised_on, "
        "f.asked_on FROM favour f JOIN favour_party fp ON fp.favour_id = f.id "
        "JOIN person p ON p.id = f.person_id JOIN person q ON q.id = fp.person_id "
        "WHERE f.kind = 'introduction' AND f.status = 'done' AND p.deleted_at IS NULL AND q.deleted_at IS NULL "
        "AND p.is_me = :f AND q.is_me = :f",
        {"f": False},
    ):
        if pid == qid:
            continue
        on = to_date(done) or to_date(promised) or to_date(asked)
        when = f" ({on.isoformat()[:7]})" if on else ""
        if direction == "received":
            text = f"{name} introduced you to {qname}{when}"
        else:
            text = f"you introduced {name} to {qname}{when}"
        out[_pair(int(pid), int(qid))].append(Evidence("introduction", text, INTRODUCTION_SCORE, on, on))
    return out


def gather(db: Db, *, now: datetime) -> dict[tuple[int, int], list[Evidence]]:
    """Every pair with evidence of a tie, and that evidence (strongest first)."""
    today = _local_day(now)
    found: dict[tuple[int, int], list[Evidence]] = defaultdict(list)
    for key, ev in _together(db).items():
        found[key].append(ev)
    for key, evs in _employment(db, today=today).items():
        found[key].extend(evs)
    for key, evs in _introductions(db).items():
        found[key].extend(evs)
    for evs in found.values():
        evs.sort(key=lambda e: (-e.score, e.kind, e.text))
    return found


def _summary(evs: list[Evidence]) -> tuple[float, str, str, date | None, date | None]:
    strength = saturate(sum(e.score for e in evs))
    evidence = json.dumps([e.as_json() for e in evs], sort_keys=True, ensure_ascii=False)
    firsts = [e.first for e in evs if e.first is not None]
    lasts = [e.last for e in evs if e.last is not None]
    return strength, evs[0].text, evidence, min(firsts, default=None), max(lasts, default=None)


def infer(db: Db, *, now: datetime) -> dict[str, int]:
    """Infer ties from shared interactions, overlapping employment and introductions, and store them.

    Counts: {pairs (with evidence), created, updated, unchanged, removed (unconfirmed inferred ties whose
    evidence has gone), rejected (pairs with evidence the user rejected, left alone), explicit (explicit ties
    whose evidence was refreshed)}."""
    found = gather(db, now=now)
    counts = dict.fromkeys(("pairs", "created", "updated", "unchanged", "removed", "rejected", "explicit"), 0)
    counts["pairs"] = len(found)
    with db.transaction():
        existing = {
            (int(r[1]), int(r[2])): r
            for r in db.rows(
                "SELECT id, person_a_id, person_b_id, kind, status, strength, how, evidence, since, last_seen FROM tie"
            )
        }
        inserts: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        refreshes: list[dict[str, Any]] = []
        for key, evs in found.items():
            strength, how, evidence, since, last_seen = _summary(evs)
            row = existing.get(key)
            if row is None:
                inserts.append({"a": key[0], "b": key[1], "how": how, "s": strength, "e": evidence, "since": _day(db, since),
                                "last": _day(db, last_seen), "t": now})  # fmt: skip
                continue
            tid, _, _, kind, status, old_s, old_how, old_e, old_since, old_last = row
            if status == "rejected":
                counts["rejected"] += 1
                continue
            same_dates = to_date(old_since) == since and to_date(old_last) == last_seen
            if kind == "explicit":
                if old_e != evidence or not same_dates:
                    refreshes.append(
                        {"id": tid, "e": evidence, "since": _day(db, since), "last": _day(db, last_seen), "t": now}
                    )
                    counts["explicit"] += 1
                else:
                    counts["unchanged"] += 1
                continue
            if old_e == evidence and old_how == how and abs(float(old_s) - strength) < 1e-9 and same_dates:
                counts["unchanged"] += 1
                continue
            updates.append({"id": tid, "how": how, "s": strength, "e": evidence, "since": _day(db, since),
                            "last": _day(db, last_seen), "t": now})  # fmt: skip
            counts["updated"] += 1
        gone = [
            int(r[0]) for key, r in existing.items() if key not in found and r[3] == "inferred" and r[4] == "active"
        ]
        if inserts:
            db.executemany(
                "INSERT INTO tie (person_a_id, person_b_id, kind, how, strength, evidence, status, since, last_seen, "
                "source_id, created_at, updated_at) VALUES (:a, :b, 'inferred', :how, :s, :e, 'active', :since, "
                ":last, NULL, :t, :t)",
                inserts,
            )
        if updates:
            db.executemany(
                "UPDATE tie SET how = :how, strength = :s, evidence = :e, since = :since, last_seen = :last, "
                "updated_at = :t WHERE id = :id",
                updates,
            )
        if refreshes:
            db.executemany(
                "UPDATE tie SET evidence = :e, since = :since, last_seen = :last, updated_at = :t WHERE id = :id",
                refreshes,
            )
        for part in chunks(gone):
            db.execute("DELETE FROM tie WHERE id IN :ids", {"ids": list(part)})
    counts["created"] = len(inserts)
    counts["removed"] = len(gone)
    return counts

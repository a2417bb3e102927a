"""Matching offers and needs: whom I can help, who can help me, and whom to introduce, each ranked and explained.

One query loads every active, unexpired offer and need of the live people; each distinct text is turned into
concepts once (many people share "access to Acme" or "advice on data science"), an inverted index over the
concepts of one side finds the candidates of each text of the other side (never all pairs), and only then are
text pairs expanded into people. With the semantic extra installed (``pip install dunbar[semantic]``) sentence
embeddings are blended into the score (see ``dunbar.semantic``).
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from itertools import islice
from typing import Any

from dunbar.scoring import match as m
from dunbar.store.db import Db, chunks

MODES = ("help-others", "help-me", "intros")
PER_NEED = 3  # intros: at most this many offers for one need, so one need does not fill the list


@dataclass
class Side:
    """The distinct texts of one side (offers, or needs), their index, and who holds each text."""

    index: m.Index
    texts: list[str] = field(default_factory=list)
    holders: list[list[tuple[int, int]]] = field(default_factory=list)  # doc -> [(item id, person id)]


@dataclass
class Loaded:
    offers: list[dict[str, Any]]
    needs: list[dict[str, Any]]
    names: dict[int, str]
    me: int | None
    concepts: dict[str, m.Concepts]
    weights: dict[str, float]


def _load(db: Db, *, today: date) -> Loaded:
    rows = db.rows(
        "SELECT o.id, o.person_id, o.kind, o.text, p.display_name, p.is_me FROM offer_need o "
        "JOIN person p ON p.id = o.person_id WHERE o.status = 'active' AND (o.expires_on IS NULL OR "
        "o.expires_on >= :today) AND p.deleted_at IS NULL AND p.merged_into_id IS NULL ORDER BY o.id",
        {"today": today},
    )
    offers: list[dict[str, Any]] = []
    needs: list[dict[str, Any]] = []
    names: dict[int, str] = {}
    me = None
    found: dict[str, m.Concepts] = {}
    table = m.default_table()
    counts: dict[str, int] = {}
    for item_id, pid, kind, text, name, is_me in rows:
        names[pid] = name
        if is_me:
            me = pid
        if text not in found:
            found[text] = m.concepts(text, table)
        counts[text] = counts.get(text, 0) + 1
        (offers if kind == "offer" else needs).append({"id": item_id, "person_id": pid, "text": text})
    if me is None:
        me = db.scalar("SELECT id FROM person WHERE is_me = :t ORDER BY id LIMIT 1", {"t": True})
    # A concept is as common as the offers and needs that hold it, not as the distinct texts.
    weights = m.weigh((c, counts[text]) for text, c in found.items())
    return Loaded(offers, needs, names, me, found, weights)


def _side(loaded: Loaded, items: Iterable[dict[str, Any]]) -> Side:
    side = Side(m.Index(loaded.weights))
    docs: dict[str, int] = {}
    for item in items:
        doc = docs.get(item["text"])
        if doc is None:
            doc = docs[item["text"]] = side.index.add(loaded.concepts[item["text"]])
            side.texts.append(item["text"])
            side.holders.append([])
        side.holders[doc].append((item["id"], item["person_id"]))
    return side


def _person(loaded: Loaded, pid: int) -> dict[str, Any]:
    return {"id": pid, "name": loaded.names.get(pid, f"#{pid}")}


def _result(
    loaded: Loaded,
    *,
    a: int,
    b: int | None,
    need: tuple[int, int, str],
    offer: tuple[int, int, str],
    match: float,
    semantic: float | None,
    score: float,
    sentence: str,
) -> dict[str, Any]:
    reasons = m.explain(loaded.concepts[need[2]], loaded.concepts[offer[2]], loaded.weights)
    detail = m.why_text(reasons)
    if semantic is not None and (not reasons or semantic >= 0.5):
        detail = "; ".join(x for x in (detail, f"similar meaning ({semantic:.2f})") if x)
    return {
        "a": _person(loaded, a),
        "b": None if b is None else _person(loaded, b),
        "offer": {"id": offer[0], "text": offer[2], "person": _person(loaded, offer[1])},
        "need": {"id": need[0], "text": need[2], "person": _person(loaded, need[1])},
        "score": round(score, 3),
        "match": round(match, 3),
        "semantic": None if semantic is None else round(semantic, 3),
        "reasons": [
            {
                "concept": m.default_table().name(r.concept),
                "need_words": r.need_words,
                "offer_words": r.offer_words,
                "how": r.how,
            }
            for r in reasons
        ],
        "why": f"{sentence} ({detail})" if detail else sentence,
    }


def _possessive(name: str) -> str:
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def _text_pairs(
    queries: Side, docs: Side, *, semantic: Any, query_is_need: bool, min_score: float = m.MIN_SCORE
) -> dict[tuple[int, int], tuple[float, float, float | None]]:
    """(query doc, doc) -> (score, baseline match, semantic similarity) for every pair worth showing."""
    out: dict[tuple[int, int], tuple[float, float, float | None]] = {}
    vectors = queries.index.vectors
    for q in range(len(queries.texts)):
        for d, s in docs.index.search(vectors[q], min_score=min_score):
            out[(q, d)] = (s, s, None)
    if semantic is not None:
        out = semantic.blend_all(queries.texts, docs.texts, out, min_score=min_score)
    return out


def _semantic(db: Db, use: bool | None) -> Any:
    """The semantic blender when installed (and not turned off), else None."""
    if use is False:
        return None
    from dunbar import semantic

    if not semantic.available():
        if use:
            raise semantic.not_installed()
        return None
    return semantic.Blender(semantic.EmbeddingCache.for_db(db))


def help_others(db: Db, *, today: date, limit: int = 20, semantic: bool | None = None) -> list[dict[str, Any]]:
    """My offers × their needs: whom I can help now, best first."""
    loaded = _load(db, today=today)
    mine = _side(loaded, (o for o in loaded.offers if o["person_id"] == loaded.me))
    theirs = _side(loaded, (n for n in loaded.needs if n["person_id"] != loaded.me))
    pairs = _text_pairs(mine, theirs, semantic=_semantic(db, semantic), query_is_need=False)
    found: list[tuple[float, int, int, int, int, int]] = []
    for (q, d), (score, _, _) in pairs.items():
        for offer_id, _me in mine.holders[q]:
            for need_id, pid in theirs.holders[d]:
                found.append((score, pid, need_id, offer_id, q, d))
    best: dict[int, tuple[float, int, int, int, int, int]] = {}
    for row in sorted(found, key=lambda r: (-r[0], r[1], r[2], r[3])):
        best.setdefault(row[2], row)  # one result per need: my best offer for it
    out = []
    for score, pid, need_id, offer_id, q, d in sorted(best.values(), key=lambda r: (-r[0], r[1], r[2], r[3]))[:limit]:
        base, sem = pairs[(q, d)][1:]
        name = loaded.names.get(pid, f"#{pid}")
        sentence = f"your offer '{mine.texts[q]}' meets {_possessive(name)} need '{theirs.texts[d]}'"
        out.append(
            _result(
                loaded,
                a=pid,
                b=None,
                need=(need_id, pid, theirs.texts[d]),
                offer=(offer_id, loaded.me or 0, mine.texts[q]),
                match=base,
                semantic=sem,
                score=score,
                sentence=sentence,
            )
        )
    return out


def _balances(db: Db, person_ids: list[int], *, today: date) -> dict[int, float]:
    """The weighted, aged favour balance of these people: positive when they owe me (I gave more)."""
    from dunbar import ledger

    wanted = set(person_ids)
    return {
        int(b["person"]["id"]): float(b["net"]) for b in ledger.balances(db, today=today) if b["person"]["id"] in wanted
    }


def _strengths(db: Db, person_ids: list[int], *, today: date) -> dict[int, int]:
    now = datetime.combine(today, time(12, 0), tzinfo=timezone.utc)  # noqa: UP017
    try:
        from dunbar import strength

        return strength.scores(db, now=now, person_ids=person_ids)
    except ImportError:
        # Recency of the last contact, when tie strength is not available: a year ago counts nothing.
        out = {}
        for ids in chunks(person_ids):
            for pid, last in db.rows(
                "SELECT id, last_contact_at FROM person WHERE id IN :ids AND last_contact_at IS NOT NULL",
                {"ids": list(ids)},
            ):
                from dunbar.store.db import to_datetime

                at = to_datetime(last)
                days = (now - at).days if at else 365
                out[int(pid)] = max(0, 100 - days * 100 // 365)
        return out


def weigh_helper(match: float, strength: int | None, balance: float | None) -> float:
    """How good a helper is for me: the match, more for a strong tie, less when I already owe them a lot."""
    tie = 0.6 + 0.4 * (strength or 0) / 100
    owe = 1.0
    if balance is not None:
        # balance < 0: I owe them; each medium favour I owe costs 10 %, down to half; being owed adds up to 20 %.
        owe = max(0.5, 1.0 + 0.05 * balance) if balance < 0 else min(1.2, 1.0 + 0.05 * balance)
    return match * tie * owe


def help_me(db: Db, *, today: date, limit: int = 20, semantic: bool | None = None) -> list[dict[str, Any]]:
    """Their offers × my needs, weighed by tie strength and the favour balance: who can help me, best first."""
    loaded = _load(db, today=today)
    mine = _side(loaded, (n for n in loaded.needs if n["person_id"] == loaded.me))
    theirs = _side(loaded, (o for o in loaded.offers if o["person_id"] != loaded.me))
    pairs = _text_pairs(mine, theirs, semantic=_semantic(db, semantic), query_is_need=True)
    people = sorted({pid for (_, d) in pairs for _, pid in theirs.holders[d]})
    strengths = _strengths(db, people, today=today) if people else {}
    balances = _balances(db, people, today=today) if people else {}
    best: dict[tuple[int, int], tuple[float, int, int, int, int, int]] = {}
    for (q, d), (score, _, _) in pairs.items():
        for need_id, _me in mine.holders[q]:
            for offer_id, pid in theirs.holders[d]:
                weighed = weigh_helper(score, strengths.get(pid), balances.get(pid))
                row = (weighed, pid, need_id, offer_id, q, d)
                key = (need_id, pid)
                if key not in best or (-row[0], row[3]) < (-best[key][0], best[key][3]):
                    best[key] = row
    ranked = sorted(best.values(), key=lambda r: (-r[0], r[1], r[2], r[3]))[:limit]
    out = []
    for weighed, pid, need_id, offer_id, q, d in ranked:
        score, base, sem = pairs[(q, d)]
        name = loaded.names.get(pid, f"#{pid}")
        sentence = f"{_possessive(name)} offer '{theirs.texts[d]}' meets your need '{mine.texts[q]}'"
        r = _result(
            loaded,
            a=pid,
            b=None,
            need=(need_id, loaded.me or 0, mine.texts[q]),
            offer=(offer_id, pid, theirs.texts[d]),
            match=base,
            semantic=sem,
            score=weighed,
            sentence=sentence,
        )
        r["strength"] = strengths.get(pid)
        r["balance"] = balances.get(pid)
        out.append(r)
    return out


def _acquainted(db: Db, pairs: set[tuple[int, int]]) -> set[tuple[int, int]]:
    """Which of these (smaller id, larger id) pairs already know each other: a tie that is not rejected, or an
    interaction they were both in."""
    if not pairs:
        return set()
    ids = sorted({p for pair in pairs for p in pair})
    known: set[tuple[int, int]] = set()
    for part in chunks(ids, 900):
        for a, b in db.rows(
            # Two halves rather than one OR, so that each uses its column's index.
            "SELECT person_a_id, person_b_id FROM tie WHERE status <> 'rejected' AND person_a_id IN :ids "
            "UNION ALL SELECT person_a_id, person_b_id FROM tie WHERE status <> 'rejected' AND person_b_id IN :ids",
            {"ids": list(part)},
        ):
            known.add((min(a, b), max(a, b)))
        for a, b in db.rows(
            "SELECT DISTINCT x.person_id, y.person_id FROM participant x "
            "JOIN participant y ON y.interaction_id = x.interaction_id AND y.person_id <> x.person_id "
            "WHERE x.person_id IN :ids AND y.person_id IN :all",
            {"ids": list(part), "all": ids},
        ):
            known.add((min(a, b), max(a, b)))
    return known & pairs


def intros(db: Db, *, today: date, limit: int = 20, semantic: bool | None = None) -> list[dict[str, Any]]:
    """A's needs × B's offers between people who do not know each other yet: introductions worth making."""
    loaded = _load(db, today=today)
    needs = _side(loaded, (n for n in loaded.needs if n["person_id"] != loaded.me))
    offers = _side(loaded, (o for o in loaded.offers if o["person_id"] != loaded.me))
    blender = _semantic(db, semantic)
    want = max(limit, 1) * 4
    # The best text pairs first, the threshold rising as good pairs are found: most needs then walk only the
    # postings of their rarer concepts.
    heap: list[tuple[float, int, int]] = []
    threshold = m.MIN_SCORE
    vectors = needs.index.vectors
    for q in range(len(needs.texts)):
        for d, s in offers.index.search(vectors[q], min_score=threshold):
            item = (s, -q, -d)
            if len(heap) < want * PER_NEED:
                heapq.heappush(heap, item)
            elif item > heap[0]:
                heapq.heapreplace(heap, item)
            if len(heap) >= want * PER_NEED:
                threshold = max(threshold, heap[0][0])
    scored = {(-nq, -nd): (s, s, None) for s, nq, nd in heap}
    if blender is not None:
        scored = blender.rerank(needs.texts, offers.texts, scored)
    out: list[dict[str, Any]] = []
    seen: set[tuple[int, int]] = set()
    per_need: dict[int, int] = {}
    order = sorted(scored.items(), key=lambda kv: (-kv[1][0], kv[0]))

    def candidates() -> Iterator[tuple[float, int, int, int, int, int, int]]:
        # Thousands can share one text pair ("advice on sales" × "hiring an SDR"): each need holder is offered a few
        # of the offer's holders, enough to survive the check for people who know each other already.
        for (q, d), (score, _, _) in order:
            for need_id, a in needs.holders[q]:
                given = 0
                for offer_id, b in offers.holders[d]:
                    if a != b:
                        yield (score, a, b, need_id, offer_id, q, d)
                        given += 1
                        if given >= PER_NEED * 3:
                            break

    stream = candidates()
    while len(out) < limit:
        # Many people can share one text pair: look at the candidates a window at a time.
        window = list(islice(stream, want * 4))
        if not window:
            break
        known = _acquainted(db, {(min(c[1], c[2]), max(c[1], c[2])) for c in window})
        for score, a, b, need_id, offer_id, q, d in window:
            pair = (min(a, b), max(a, b))
            if pair in known or pair in seen or per_need.get(need_id, 0) >= PER_NEED:
                continue
            seen.add(pair)
            per_need[need_id] = per_need.get(need_id, 0) + 1
            _, base, sem = scored[(q, d)]
            na, nb = loaded.names.get(a, f"#{a}"), loaded.names.get(b, f"#{b}")
            sentence = f"{_possessive(nb)} offer '{offers.texts[d]}' meets {_possessive(na)} need '{needs.texts[q]}'"
            out.append(
                _result(
                    loaded,
                    a=a,
                    b=b,
                    need=(need_id, a, needs.texts[q]),
                    offer=(offer_id, b, offers.texts[d]),
                    match=base,
                    semantic=sem,
                    score=score,
                    sentence=sentence,
                )
            )
            if len(out) >= limit:
                break
    return out


def run(db: Db, mode: str, *, today: date, limit: int = 20, semantic: bool | None = None) -> list[dict[str, Any]]:
    fn = {"help-others": help_others, "help-me": help_me, "intros": intros}[mode]
    return fn(db, today=today, limit=limit, semantic=semantic)


INTRO_CHECK_AFTER_DAYS = 14


def introduce(db: Db, a: int, b: int, *, note: str | None = None, today: date, now: datetime) -> dict[str, Any]:
    """Record that I introduced ``a`` and ``b``: a favour given to each (an introduction, the other as party), an
    explicit tie between them, and a follow-up in two weeks to ask how it went."""
    from dunbar import followups, ledger
    from dunbar.errors import InvalidInput

    if a == b:
        raise InvalidInput("an introduction needs two different people")
    me = db.scalar("SELECT id FROM person WHERE is_me = :t ORDER BY id LIMIT 1", {"t": True})
    if me is not None and me in (a, b):
        raise InvalidInput("you cannot introduce yourself", hint="name the two people you are introducing")
    lo, hi = min(a, b), max(a, b)
    with db.transaction():
        names = dict(db.rows("SELECT id, display_name FROM person WHERE id IN :ids", {"ids": [a, b]}))
        favours = [
            ledger.record(
                db,
                person_id=x,
                direction="given",
                kind="introduction",
                status="done",
                on=today,
                note=note,
                parties=[(y, "introduced-to")],
                now=now,
            )
            for x, y in ((a, b), (b, a))
        ]
        evidence = f'["introduced by me on {today.isoformat()}"]'
        tie = db.one("SELECT id, kind FROM tie WHERE person_a_id = :a AND person_b_id = :b", {"a": lo, "b": hi})
        if tie is None:
            tie_id = db.insert(
                "INSERT INTO tie (person_a_id, person_b_id, kind, how, strength, evidence, status, since, last_seen, "
                "created_at, updated_at) VALUES (:a, :b, 'explicit', 'introduced by me', 0.3, :ev, 'confirmed', "
                ":today, :today, :now, :now) RETURNING id",
                {"a": lo, "b": hi, "ev": evidence, "today": today, "now": now},
            )
        else:
            tie_id = int(tie["id"])
            db.execute(
                "UPDATE tie SET kind = 'explicit', how = 'introduced by me', status = 'confirmed', last_seen = :today, "
                "updated_at = :now WHERE id = :id",
                {"today": today, "now": now, "id": tie_id},
            )
        due = today + timedelta(days=INTRO_CHECK_AFTER_DAYS)
        follow_up = followups.add(db, a, f"ask how the introduction to {names.get(b, f'#{b}')} went", due, now=now)
    return {
        "a": {"id": a, "name": names.get(a)},
        "b": {"id": b, "name": names.get(b)},
        "favour_ids": favours,
        "tie_id": tie_id,
        "follow_up_id": follow_up,
        "follow_up_on": due,
        "note": note,
    }

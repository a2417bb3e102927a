"""Full-text search over names, organizations, notes and interaction summaries.

Each person, note and interaction has one ``search_doc`` row whose body is folded by ``dunbar.text.fold`` (so
``jose`` finds José and ``lukasz`` finds Łukasz on both backends); SQLite indexes it with FTS5, PostgreSQL with
a GIN ``tsvector`` index. Services call the ``index_*`` functions inside their own transaction after a change.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from dunbar.store.db import Db, chunks, to_datetime
from dunbar.text import fold, search_body, words

PERSON, NOTE, INTERACTION = "person", "note", "interaction"


# Indexing --------------------------------------------------------------------------------------------------


# The indexed form of a text: its folded words, space-separated. Queries are split the same way (``words``).
# Storing plain words keeps the two backends in agreement: PostgreSQL's parser would otherwise keep
# ``jose@alvarez.example`` or ``alvarez.example`` as one token, so ``alvarez`` found the person on SQLite (FTS5
# splits on punctuation) but not on PostgreSQL.
_body = search_body


def _person_bodies(db: Db, ids: Sequence[int]) -> dict[int, list[str]]:
    parts: dict[int, list[str]] = {}
    for row in db.rows(
        "SELECT id, display_name, given_name, family_name, nickname, location, how_met FROM person WHERE id IN :ids",
        {"ids": list(ids)},
    ):
        parts[row[0]] = [v for v in row[1:] if v]
    for pid, name, title in db.rows(
        "SELECT e.person_id, o.name, e.title FROM employment e JOIN organization o ON o.id = e.organization_id "
        "WHERE e.person_id IN :ids",
        {"ids": list(ids)},
    ):
        parts[pid].extend(v for v in (name, title) if v)
    for pid, value in db.rows(
        "SELECT person_id, value FROM identifier WHERE kind = 'email' AND person_id IN :ids", {"ids": list(ids)}
    ):
        parts[pid].append(value)
    return parts


BULK = 2000  # from this many documents on, the FTS index is fed in one statement after the rows are in


@contextmanager
def _deferred_fts(db: Db, n: int) -> Iterator[None]:
    """On SQLite, for many new documents: insert them without the per-row trigger, then index them in one go.

    The trigger costs more than everything else in a large import (FTS5 merges its index row by row); one
    ``INSERT … SELECT`` into the index is an order of magnitude faster. Must run inside the caller's transaction:
    a failure rolls the dropped trigger back with everything else.
    """
    if db.dialect != "sqlite" or n < BULK:
        yield
        return
    assert db.in_transaction, "bulk indexing must run inside a transaction"
    trigger = db.scalar("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'search_doc_ai'")
    if trigger is None:  # a caller further out defers already, and indexes these documents with its own
        yield
        return
    before = db.scalar("SELECT coalesce(max(id), 0) FROM search_doc")
    db.execute("DROP TRIGGER search_doc_ai")
    yield
    db.execute(trigger)
    db.execute("INSERT INTO search_fts (rowid, body) SELECT id, body FROM search_doc WHERE id > :b", {"b": before})


def bulk_indexing(db: Db) -> Any:
    """For a batch that may add many documents (an import): index everything it adds in one go at its end.

    Documents deleted while it runs must be ones that existed before it (the delete trigger stays)."""
    return _deferred_fts(db, BULK)


def index_people(db: Db, person_ids: Iterable[int]) -> None:
    """(Re)build the search documents of these people from what is stored now."""
    ordered = sorted(set(person_ids))
    with db.transaction(), _deferred_fts(db, len(ordered)):
        _index_people(db, ordered)


def add_person_docs(db: Db, bodies: dict[int, list[str]]) -> None:
    """The search documents of people created just now, from what their creator already holds (no re-reading)."""
    with db.transaction(), _deferred_fts(db, len(bodies)):
        db.executemany(
            "INSERT INTO search_doc (kind, ref_id, person_id, body) VALUES ('person', :r, :r, :b)",
            [{"r": pid, "b": _body(" ".join(parts))} for pid, parts in bodies.items()],
        )


def _index_people(db: Db, ordered: list[int]) -> None:
    for ids in chunks(ordered):
        bodies = _person_bodies(db, ids)
        db.execute("DELETE FROM search_doc WHERE kind = 'person' AND ref_id IN :ids", {"ids": list(ids)})
        db.executemany(
            "INSERT INTO search_doc (kind, ref_id, person_id, body) VALUES ('person', :r, :r, :b)",
            [{"r": pid, "b": _body(" ".join(p))} for pid, p in bodies.items()],
        )


def index_notes(db: Db, note_ids: Iterable[int]) -> None:
    ordered = sorted(set(note_ids))
    with db.transaction(), _deferred_fts(db, len(ordered)):
        _index_notes(db, ordered)


def _index_notes(db: Db, ordered: list[int]) -> None:
    for ids in chunks(ordered):
        rows = db.rows("SELECT id, person_id, body FROM note WHERE id IN :ids", {"ids": list(ids)})
        db.execute("DELETE FROM search_doc WHERE kind = 'note' AND ref_id IN :ids", {"ids": list(ids)})
        db.executemany(
            "INSERT INTO search_doc (kind, ref_id, person_id, body) VALUES ('note', :r, :p, :b)",
            [{"r": r[0], "p": r[1], "b": _body(r[2])} for r in rows],
        )


def index_interactions(db: Db, interaction_ids: Iterable[int]) -> None:
    ordered = sorted(set(interaction_ids))
    with db.transaction(), _deferred_fts(db, len(ordered)):
        _index_interactions(db, ordered)


def _index_interactions(db: Db, ordered: list[int]) -> None:
    for ids in chunks(ordered):
        rows = db.rows("SELECT id, summary FROM interaction WHERE id IN :ids", {"ids": list(ids)})
        db.execute("DELETE FROM search_doc WHERE kind = 'interaction' AND ref_id IN :ids", {"ids": list(ids)})
        db.executemany(
            "INSERT INTO search_doc (kind, ref_id, person_id, body) VALUES ('interaction', :r, NULL, :b)",
            [{"r": r[0], "b": _body(r[1] or "")} for r in rows if r[1]],
        )


def unindex(db: Db, kind: str, ref_ids: Iterable[int]) -> None:
    for ids in chunks(sorted(set(ref_ids))):
        db.execute("DELETE FROM search_doc WHERE kind = :k AND ref_id IN :ids", {"k": kind, "ids": list(ids)})


def rebuild(db: Db) -> None:
    """Rebuild every search document (after a bulk load that wrote rows directly)."""
    with db.transaction():
        db.execute("DELETE FROM search_doc")
        if db.dialect == "sqlite":
            db.execute("INSERT INTO search_fts(search_fts) VALUES ('delete-all')")
        person_ids = [r[0] for r in db.rows("SELECT id FROM person")]
        index_people(db, person_ids)
        index_notes(db, [r[0] for r in db.rows("SELECT id FROM note")])
        index_interactions(db, [r[0] for r in db.rows("SELECT id FROM interaction")])


# Querying --------------------------------------------------------------------------------------------------


@dataclass
class Hit:
    kind: str  # person, note, interaction
    ref_id: int
    rank: float
    people: list[dict[str, Any]] = field(default_factory=list)  # [{id, name}]
    snippet: str = ""
    occurred_at: Any = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "id": self.ref_id,
            "rank": round(self.rank, 4),
            "people": self.people,
            "snippet": self.snippet,
            "occurred_at": self.occurred_at,
        }


def _query_terms(text: str) -> list[str]:
    return words(text)[:12]


def snippet(original: str, terms: Sequence[str], *, width: int = 90, mark: tuple[str, str] = ("[", "]")) -> str:
    """The part of ``original`` around the first matching word, matches marked; folding-aware."""
    if not original:
        return ""
    tokens = list(re.finditer(r"\w+", original))
    hits = [t for t in tokens if any(fold(t.group()).startswith(term) for term in terms)]
    if not hits:
        return original[:width] + ("…" if len(original) > width else "")
    first = hits[0].start()
    start = max(0, first - width // 3)
    if start:
        space = original.rfind(" ", 0, start)
        start = space + 1 if space >= 0 and first - space < width // 2 else start
    end = min(len(original), start + width)
    out, pos = [], start
    for t in hits:
        if t.start() < start or t.end() > end:
            continue
        out.append(original[pos : t.start()])
        out.append(f"{mark[0]}{t.group()}{mark[1]}")
        pos = t.end()
    out.append(original[pos:end])
    text = "".join(out).replace("\n", " ")
    return ("…" if start else "") + text + ("…" if end < len(original) else "")


# Ranked in two tiers: people first, then notes and interactions, each tier by relevance. Relevance alone buries
# the person under short summaries that just repeat the name ("Coffee with Ana" beats Ana's own, longer document).
# A hit about people who are all in the trash does not show: notes through their person_id, interactions through
# their participants. That last check runs only on the best candidates: run on every match of a common word in a
# million summaries it doubled the time of the query.
_LIVE = (
    "(c.kind <> 'interaction' OR EXISTS ("
    "SELECT 1 FROM participant pa JOIN person pp ON pp.id = pa.person_id "
    "WHERE pa.interaction_id = c.ref_id AND pp.deleted_at IS NULL))"
)
_TIER = "CASE d.kind WHEN 'person' THEN 0 ELSE 1 END"


def _candidates(db: Db, terms: list[str], k: int) -> list[tuple[str, int, float, bool]]:
    if db.dialect == "sqlite":
        # The best :pool matches by relevance come from the FTS index alone (a common word matches tens of
        # thousands of summaries; joining each of them costs more than the whole budget), then they are tiered.
        inner = (
            f"SELECT d.kind, d.ref_id, f.rank, {_TIER} AS tier FROM "
            "(SELECT rowid, -bm25(search_fts) AS rank FROM search_fts WHERE search_fts MATCH :q "
            "ORDER BY bm25(search_fts) LIMIT :pool) f "
            "JOIN search_doc d ON d.id = f.rowid LEFT JOIN person p ON p.id = d.person_id "
            "WHERE d.person_id IS NULL OR p.deleted_at IS NULL "
            "ORDER BY tier, rank DESC LIMIT :k"
        )
        query = " ".join(f'"{t}"*' for t in terms)
    else:
        inner = (
            f"SELECT d.kind, d.ref_id, ts_rank(to_tsvector('simple', d.body), q) AS rank, {_TIER} AS tier "
            "FROM search_doc d CROSS JOIN to_tsquery('simple', :q) AS q LEFT JOIN person p ON p.id = d.person_id "
            "WHERE to_tsvector('simple', d.body) @@ q AND (d.person_id IS NULL OR p.deleted_at IS NULL) "
            "ORDER BY tier, rank DESC LIMIT :k"
        )
        query = " & ".join(f"{t}:*" for t in terms)
    rows = db.rows(
        f"SELECT c.kind, c.ref_id, c.rank, {_LIVE} AS live FROM ({inner}) c ORDER BY c.tier, c.rank DESC",
        {"q": query, "k": k, "pool": k * 5},
    )
    return [(kind, int(ref), float(rank), bool(live)) for kind, ref, rank, live in rows]


def _ranked(db: Db, terms: list[str], limit: int) -> list[tuple[str, int, float]]:
    k = limit * 4 + 50
    while True:
        rows = _candidates(db, terms, k)
        live = [(kind, ref, rank) for kind, ref, rank, ok in rows if ok]
        # Fewer candidates than asked for means every match was seen; otherwise widen only if too many were dead.
        if len(live) >= limit or len(rows) < k:
            return live[:limit]
        k *= 8


def search(db: Db, text: str, *, limit: int = 20, mark: tuple[str, str] = ("[", "]")) -> list[Hit]:
    """Ranked hits for ``text`` (every word must match, as a prefix), each with a snippet of the original.

    People come first, then notes and interactions; within each, the most relevant first.

    ``mark`` surrounds the matched words in snippets; a face that renders them (Rich, HTML) passes marks that
    cannot occur in contact data, so a ``[`` typed in a note is never taken for a highlight.
    """
    terms = _query_terms(text)
    if not terms:
        return []
    ranked = _ranked(db, terms, limit)
    by_kind: dict[str, list[int]] = {}
    for kind, ref, _ in ranked:
        by_kind.setdefault(kind, []).append(ref)
    details: dict[tuple[str, int], Hit] = {}
    if by_kind.get(PERSON):
        ids = by_kind[PERSON]
        texts = _person_bodies(db, ids)
        names = dict(db.rows("SELECT id, display_name FROM person WHERE id IN :ids", {"ids": ids}))
        for pid in ids:
            parts = texts.get(pid, [])
            matched = next((p for p in parts if any(t in fold(p) for t in terms)), parts[0] if parts else "")
            details[(PERSON, pid)] = Hit(
                PERSON, pid, 0, [{"id": pid, "name": names.get(pid)}], snippet(matched, terms, mark=mark)
            )
    if by_kind.get(NOTE):
        for nid, pid, body, name, created in db.rows(
            "SELECT n.id, n.person_id, n.body, p.display_name, n.created_at FROM note n "
            "JOIN person p ON p.id = n.person_id WHERE n.id IN :ids",
            {"ids": by_kind[NOTE]},
        ):
            details[(NOTE, nid)] = Hit(
                NOTE, nid, 0, [{"id": pid, "name": name}], snippet(body, terms, mark=mark), to_datetime(created)
            )
    if by_kind.get(INTERACTION):
        ids = by_kind[INTERACTION]
        people: dict[int, list[dict[str, Any]]] = {}
        for iid, pid, name in db.rows(
            # CROSS JOIN: participants first (by interaction), whatever the planner's statistics say.
            "SELECT pa.interaction_id, p.id, p.display_name FROM participant pa CROSS JOIN person p "
            "WHERE p.id = pa.person_id AND pa.interaction_id IN :ids AND p.is_me = :f AND p.deleted_at IS NULL ORDER BY p.display_name",
            {"ids": ids, "f": False},
        ):
            people.setdefault(iid, []).append({"id": pid, "name": name})
        for iid, summary, occurred in db.rows(
            "SELECT id, summary, occurred_at FROM interaction WHERE id IN :ids", {"ids": ids}
        ):
            details[(INTERACTION, iid)] = Hit(
                INTERACTION, iid, 0, people.get(iid, []), snippet(summary, terms, mark=mark), to_datetime(occurred)
            )
    hits = []
    for kind, ref, rank in ranked:
        hit = details.get((kind, ref))
        if hit is not None:
            hit.rank = rank
            hits.append(hit)
    return hits

"""Tie strength of the people in my network: scores, explanations, history and suggested circles.

Scores come from the running totals in ``person_stats`` (kept current by ``dunbar.stats``) and the pure
functions of ``dunbar.scoring``; nothing here reads the whole interaction history except ``history`` (one
person's). The knobs (half-life, component weights) live in the setting "strength" as JSON.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from dunbar import scoring
from dunbar.errors import InvalidInput, NotFound
from dunbar.scoring import StrengthParams
from dunbar.scoring.circles import circle_of
from dunbar.stats import load, load_params, save_params
from dunbar.store.db import Db, chunks, to_date, to_datetime
from dunbar.vocabulary import CIRCLES

__all__ = [
    "Circles",
    "Everyone",
    "apply_circles",
    "circle_changes",
    "explain",
    "history",
    "load_params",
    "ranking",
    "save_params",
    "scores",
    "suggest_circles",
]

_LIVE = "deleted_at IS NULL AND merged_into_id IS NULL AND is_me = :f"
# Scores of more people than this are read for everyone at once (two queries), then picked.
EVERYONE_FROM = 4000


def _people(db: Db, person_ids: Iterable[int] | None) -> list[tuple[Any, ...]]:
    """(id, connected_on as days since the scoring epoch, closeness) of live people other than me."""
    met = "julianday(connected_on) - 2451544.5" if db.dialect == "sqlite" else "connected_on - DATE '2000-01-01'"
    # Nearly everyone is live: on SQLite a plain pass over the table beats the index on deleted_at (2.5 times).
    table = "person NOT INDEXED" if db.dialect == "sqlite" and person_ids is None else "person"
    sql = f"SELECT id, {met}, closeness FROM {table} WHERE {_LIVE}"
    if person_ids is None:
        return db.rows(sql, {"f": False})
    out: list[tuple[Any, ...]] = []
    for ids in chunks(sorted({int(p) for p in person_ids})):
        out += db.rows(sql + " AND id IN :ids", {"f": False, "ids": list(ids)})
    return out


def _epoch_days(db: Db, column: str) -> str:
    """SQL for a stored time as days since the scoring epoch (2000-01-01 UTC); the database's own arithmetic
    can differ from Python's in the last bits, so a score on a .5 boundary may round the other way."""
    if db.dialect == "sqlite":
        return f"julianday({column}) - 2451544.5"
    return f"CAST(EXTRACT(EPOCH FROM {column}) AS DOUBLE PRECISION) / 86400.0 - 10957.0"


def strongest(
    db: Db,
    query: Any,
    *,
    now: datetime,
    limit: int,
    offset: int = 0,
    everyone: Everyone | None = None,
) -> list[dict[str, Any]]:
    """People matching a ``people.ListQuery``, strongest ties first (then by name), each with its ``strength``.

    Only the ids of everyone matching are read; names only of those who can reach the page (a score at least the
    page's last), and whole rows only of the page. ``everyone`` is ``ranking(db, now=now)`` when the caller
    already has it (the web app keeps it while the data does not change)."""
    from dunbar import people

    unfiltered = not (query.tag or query.organization or query.circle or query.not_contacted_since)
    unfiltered = unfiltered and not query.trashed and query.ids is None
    if unfiltered and everyone is None:
        everyone = ranking(db, now=now)
    score = everyone.scores if everyone is not None else scores(db, now=now)
    need = offset + limit
    if unfiltered and everyone is not None and everyone._ranked is not None:
        # Everyone live is listed: the ranking's columns give those who can reach the page without a query.
        ids = _reaching(*everyone._ranked, need=need, offset=offset)
    else:
        ids = people.matching_ids(db, query)
        if need <= 0 or offset >= len(ids):
            return []
        if need < len(ids):
            last = heapq.nlargest(need, (score.get(pid) or 0 for pid in ids))[-1]
            ids = [pid for pid in ids if (score.get(pid) or 0) >= last]
    if not ids:
        return []
    named: list[tuple[int, str, str]] = []
    for part in chunks(sorted(ids)):
        named += db.rows("SELECT id, display_name, name_fold FROM person WHERE id IN :ids", {"ids": list(part)})
    # By score, then name; people with the same score and name in the listing's own order (folded name, id).
    named.sort(key=lambda r: (-(score.get(r[0]) or 0), r[1], r[2], r[0]))
    page = [int(r[0]) for r in named[offset:need]]
    if not page:
        return []
    rows = {r["id"]: r for r in people.list_people(db, people.ListQuery(ids=page, trashed=query.trashed))}
    out = []
    for pid in page:
        row = rows[pid]
        row["strength"] = score.get(pid)
        out.append(row)
    return out


def _reaching(ids: Any, scored: Any, *, need: int, offset: int) -> list[int]:
    """The ids (numpy column) of those whose score (numpy column) is at least the ``need``-th highest: everyone
    who can reach a page ending there; none when the page starts past the end."""
    import numpy as np

    n = len(ids)
    if need <= 0 or offset >= n:
        return []
    if need >= n:
        return ids.tolist()
    last = np.partition(scored, n - need)[n - need]
    return ids[scored >= last].tolist()


def scores(
    db: Db, *, now: datetime, params: StrengthParams | None = None, person_ids: Iterable[int] | None = None
) -> dict[int, int]:
    """The 0–100 strength of everyone (or of ``person_ids``) at ``now``: no history read; everyone's in one query
    and one pass over numpy columns, a few people's in two queries and ``scoring.score_rows``."""
    p = params or load_params(db)
    wanted = None if person_ids is None else sorted({int(x) for x in person_ids})
    if wanted is not None and len(wanted) > EVERYONE_FROM:
        # Most of the network: everyone's in two queries, then the ones asked for, beats the list in chunks.
        everyone = scores(db, now=now, params=p)
        return {pid: everyone[pid] for pid in wanted if pid in everyone}
    if wanted is None:
        return _network(db, now=now, params=p).scores
    sql = (
        f"SELECT person_id, n_them, decay_sum, half_life_days, kinds_mask, {_epoch_days(db, 'first_at')}, "
        f"{_epoch_days(db, 'last_at')} FROM person_stats"
    )
    found = []
    for ids in chunks(wanted):
        found += db.rows(sql + " WHERE person_id IN :ids", {"ids": list(ids)})
    by_person = {r[0]: r[1:] for r in found}
    none = (0, 0.0, p.half_life_days, 0, None, None)
    rows = []
    for pid, connected_on, closeness in _people(db, wanted):
        n_them, decay_sum, hl, mask, first, last = by_person.get(pid, none)
        rows.append((pid, n_them, decay_sum, hl, mask, first, last, connected_on, closeness))
    return scoring.score_rows(rows, now=now, params=p)


def _person(db: Db, person_id: int) -> dict[str, Any]:
    row = db.one(
        "SELECT id, display_name, circle, connected_on, closeness, is_me, deleted_at FROM person WHERE id = :id",
        {"id": person_id},
    )
    if row is None:
        raise NotFound(f"no person #{person_id}", hint="`dunbar list` shows who is in your network")
    if row["is_me"]:
        raise InvalidInput("strength is about the people in your network, not you", hint="name someone else")
    return row


@dataclass
class Circles:
    """Whom circles are suggested for (with their scores), the circle suggested for each, and them strongest first
    (then by id)."""

    suggestable: dict[int, int]
    suggested: dict[int, str]
    order: list[int]
    # Each one's circle now, in ``order`` (a numpy column), when the ranking read it with the scores.
    current: Any = field(default=None, repr=False, compare=False)


@dataclass
class Everyone:
    """Everyone's score at one moment, and (worked out the first time a page asks) the circles suggested from
    them: what the pages that rank people need, computed once while the data stays the same.

    Built by ``ranking`` it also holds, from the same query, each person's circle (``current``) and the columns
    the suggestion needs, so that neither reads the database again."""

    scores: dict[int, int]
    _circles: Circles | None = field(default=None, repr=False, compare=False)
    current: dict[int, str | None] | None = field(default=None, repr=False, compare=False)
    _columns: tuple[Any, Any, Any] | None = field(default=None, repr=False, compare=False)
    # Everyone's ids and scores as numpy columns (built by ``ranking``): a page of the whole network's strongest.
    _ranked: tuple[Any, Any] | None = field(default=None, repr=False, compare=False)
    # The same of those I have been in touch with or rated: the first hops of a path.
    _in_touch: tuple[Any, Any] | None = field(default=None, repr=False, compare=False)

    def in_touch(self, floor: int) -> dict[int, int] | None:
        """The scores of those I have been in touch with or rated, of at least ``floor``, by id; None when the
        columns are not kept (not built by ``ranking``)."""
        if self._in_touch is None:
            return None
        ids, scored = self._in_touch
        keep = scored >= floor
        return dict(zip(ids[keep].tolist(), scored[keep].tolist(), strict=True))

    def circles(self, db: Db) -> Circles:
        if self._circles is None:
            if self._columns is not None:
                self._circles = _circles_of(*self._columns)
            else:
                ranked = _suggestable(db, self.scores)
                order = sorted(ranked, key=lambda pid: (-ranked[pid], pid))
                self._circles = Circles(ranked, scoring.suggest_circles(ranked), order)
        return self._circles


def _network(db: Db, *, now: datetime, params: StrengthParams) -> Everyone:
    """Everyone's score, circle and whether a circle is suggested for them, from one query over the people and
    their running totals: the columns go to ``scoring.strength_arrays`` (the same scores as ``score_rows``)."""
    import numpy as np

    from dunbar.scoring.strength_arrays import Columns, score_columns

    met = "julianday(p.connected_on) - 2451544.5" if db.dialect == "sqlite" else "p.connected_on - DATE '2000-01-01'"
    # Nearly everyone is live: on SQLite a plain pass over the table beats the index on deleted_at (2.5 times).
    table = "person p NOT INDEXED" if db.dialect == "sqlite" else "person p"
    rows = db.rows(
        "SELECT p.id, COALESCE(s.n_them, 0), COALESCE(s.decay_sum, 0.0), COALESCE(s.half_life_days, :hl), "
        f"COALESCE(s.kinds_mask, 0), {_epoch_days(db, 's.first_at')}, {_epoch_days(db, 's.last_at')}, {met}, "
        "p.closeness, CASE WHEN s.person_id IS NOT NULL THEN 1 ELSE 0 END + CASE WHEN p.circle IS NOT NULL "
        f"THEN 2 ELSE 0 END, p.circle FROM {table} LEFT JOIN person_stats s ON s.person_id = p.id "
        "WHERE p.deleted_at IS NULL AND p.merged_into_id IS NULL AND p.is_me = :f",
        {"f": False, "hl": params.half_life_days},
    )
    if not rows:
        return Everyone({}, current={})
    cols = list(zip(*rows, strict=True))

    def floats(i: int) -> Any:
        # None (no time, no closeness) becomes NaN.
        return np.array(cols[i], dtype=np.float64)

    ids = np.array(cols[0], dtype=np.int64)
    columns = Columns(
        person_id=ids,
        n_them=floats(1),
        decay_sum=floats(2),
        half_life_days=floats(3),
        kinds_mask=np.array(cols[4], dtype=np.int64),
        first=floats(5),
        last=floats(6),
        met=floats(7),
        closeness=floats(8),
    )
    scored = score_columns(columns, now=now, params=params)
    # Circles are suggested for anyone with a history, a circle or a closeness; in touch is a history or a closeness.
    marks, rated = np.array(cols[9], dtype=np.int64), ~np.isnan(columns.closeness)
    suggestable = (marks != 0) | rated
    in_touch = ((marks & 1) != 0) | rated
    everyone = Everyone(
        dict(zip(cols[0], scored.tolist(), strict=True)), current=dict(zip(cols[0], cols[10], strict=True))
    )
    everyone._columns = (ids[suggestable], scored[suggestable], np.array(cols[10], dtype=object)[suggestable])
    everyone._ranked = (ids, scored)
    everyone._in_touch = (ids[in_touch], scored[in_touch])
    return everyone


def _circles_of(ids: Any, scored: Any, current: Any = None) -> Circles:
    """``Circles`` of the people with these ids and scores (numpy columns), ranked without a Python sort; with
    their circles now (a column too), those in the ranking's order."""
    import numpy as np

    order = np.lexsort((ids, -scored))
    ranked_ids, ranked_scores = ids[order].tolist(), scored[order].tolist()
    return Circles(
        dict(zip(ranked_ids, ranked_scores, strict=True)),
        scoring.circles.suggest_ranked(ranked_ids, ranked_scores),
        ranked_ids,
        None if current is None else current[order],
    )


def ranking(db: Db, *, now: datetime, params: StrengthParams | None = None) -> Everyone:
    return _network(db, now=now, params=params or load_params(db))


def _suggestable(db: Db, all_scores: Mapping[int, int]) -> dict[int, int]:
    """The people circles are suggested for: anyone with a history, a closeness or a circle already."""
    with_stats = {int(r[0]) for r in db.rows("SELECT person_id FROM person_stats")}
    marked = {
        int(r[0])
        for r in db.rows(
            f"SELECT id FROM person WHERE {_LIVE} AND (circle IS NOT NULL OR closeness IS NOT NULL)", {"f": False}
        )
    }
    return {pid: s for pid, s in all_scores.items() if pid in with_stats or pid in marked}


def explain(
    db: Db,
    person_id: int,
    *,
    now: datetime,
    params: StrengthParams | None = None,
    everyone: Everyone | None = None,
) -> dict[str, Any]:
    """One person's score, its components (name, value 0..1, weight, points, sentence), circle and suggestion.

    The suggestion ranks everyone: ``everyone`` is ``ranking(db, now=now, params=params)`` when the caller
    already has it."""
    p = params or load_params(db)
    person = _person(db, person_id)
    stats = load(db, [person_id]).get(person_id)
    closeness = None if person["closeness"] is None else int(person["closeness"])
    why = scoring.strength(stats, now=now, connected_on=to_date(person["connected_on"]), closeness=closeness, params=p)
    suggested = None
    if person["deleted_at"] is None:
        ranked = dict((everyone or ranking(db, now=now, params=p)).circles(db).suggestable)
        ranked[person_id] = why.score
        suggested = circle_of(ranked, person_id)
    return {
        "person": {"id": int(person["id"]), "name": person["display_name"]},
        "score": why.score,
        "components": [c._asdict() for c in why.components],
        "circle": person["circle"],
        "suggested_circle": suggested,
        "interactions": stats.n_total if stats else 0,
        "first_contact_at": stats.first_at if stats else None,
        "last_contact_at": stats.last_at if stats else None,
        "params": p.to_dict(),
    }


def history(
    db: Db, person_id: int, *, now: datetime, days: int = 365, step: int = 7, params: StrengthParams | None = None
) -> list[dict[str, Any]]:
    """The score every ``step`` days over the last ``days`` days, ending today: ``[{date, score}]``."""
    if days < 1 or step < 1:
        raise InvalidInput(f"bad history of {days} days in steps of {step}", hint="use positive numbers")
    p = params or load_params(db)
    person = _person(db, person_id)
    events: list[scoring.Event] = []
    for at, weight, initiator, kind in db.rows(
        "SELECT i.occurred_at, i.weight, i.initiator, i.kind FROM participant pa "
        "JOIN interaction i ON i.id = pa.interaction_id WHERE pa.person_id = :p",
        {"p": person_id},
    ):
        moment = to_datetime(at)
        assert moment is not None
        events.append((moment, float(weight), initiator, kind))
    end = now.date()
    series = scoring.history(
        events,
        start=end - timedelta(days=days),
        end=end,
        step_days=step,
        params=p,
        connected_on=to_date(person["connected_on"]),
        closeness=None if person["closeness"] is None else int(person["closeness"]),
    )
    # The last point is "now", not the end of today: it then agrees with `dunbar strength PERSON`.
    stats = load(db, [person_id]).get(person_id)
    last = scoring.score(
        stats,
        now=now,
        connected_on=to_date(person["connected_on"]),
        closeness=None if person["closeness"] is None else int(person["closeness"]),
        params=p,
    )
    out = [{"date": d, "score": s} for d, s in series]
    out[-1]["score"] = last
    return out


def circle_changes(
    db: Db, *, now: datetime, limit: int, params: StrengthParams | None = None, everyone: Everyone | None = None
) -> tuple[list[dict[str, Any]], int]:
    """The first ``limit`` of ``suggest_circles`` whose circle would change (the same rows, in the same order),
    and how many there are in all; names are read for the rows returned only."""
    everyone = everyone or ranking(db, now=now, params=params)
    ranks = everyone.circles(db)
    ranked, suggested = ranks.suggestable, ranks.suggested
    if ranks.current is not None:
        import numpy as np

        # ``suggested`` holds the ranking's people in its order (``suggest_ranked`` fills it so): compare columns.
        now_in = ranks.current
        wanted = np.array(list(suggested.values()), dtype=object)
        changed = [ranks.order[i] for i in np.flatnonzero(now_in != wanted).tolist()]
    else:
        circles = everyone.current
        if circles is None:
            circles = {int(r[0]): r[1] for r in db.rows(f"SELECT id, circle FROM person WHERE {_LIVE}", {"f": False})}
        changed = [pid for pid in ranks.order if circles.get(pid) != suggested[pid]]
    shown = changed[: max(limit, 0)]
    names: dict[int, tuple[str, str | None]] = {}
    for ids in chunks(sorted(shown)):
        for pid, name, circle in db.rows(
            "SELECT id, display_name, circle FROM person WHERE id IN :ids", {"ids": list(ids)}
        ):
            names[int(pid)] = (name, circle)
    rows = [
        {
            "person_id": pid,
            "name": names[pid][0],
            "circle": names[pid][1],
            "suggested": suggested[pid],
            "score": ranked[pid],
            "changed": True,
        }
        for pid in shown
    ]
    return rows, len(changed)


def suggest_circles(db: Db, *, now: datetime, params: StrengthParams | None = None) -> list[dict[str, Any]]:
    """A suggested circle for everyone with a history, a closeness or a circle, strongest first:
    ``[{person_id, name, circle, suggested, score, changed}]``."""
    p = params or load_params(db)
    ranked = _suggestable(db, scores(db, now=now, params=p))
    suggested = scoring.suggest_circles(ranked)
    names: dict[int, tuple[str, str | None]] = {}
    for ids in chunks(sorted(ranked)):
        for pid, name, circle in db.rows(
            "SELECT id, display_name, circle FROM person WHERE id IN :ids", {"ids": list(ids)}
        ):
            names[int(pid)] = (name, circle)
    order = sorted(ranked, key=lambda pid: (-ranked[pid], pid))
    return [
        {
            "person_id": pid,
            "name": names[pid][0],
            "circle": names[pid][1],
            "suggested": suggested[pid],
            "score": ranked[pid],
            "changed": names[pid][1] != suggested[pid],
        }
        for pid in order
    ]


def apply_circles(db: Db, changes: Mapping[int, str], *, now: datetime) -> int:
    """Set these people's circles (person id → circle); the number of people given."""
    rows = []
    for pid, circle in changes.items():
        if circle not in CIRCLES:
            raise InvalidInput(f"unknown circle {circle!r}", hint=f"use one of: {', '.join(CIRCLES)}")
        rows.append({"id": int(pid), "c": circle, "now": now})
    if not rows:
        return 0
    with db.transaction():
        db.executemany(
            "UPDATE person SET circle = :c, updated_at = :now WHERE id = :id AND (circle IS NULL OR circle <> :c)",
            rows,
        )
    return len(rows)

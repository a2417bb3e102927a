"""Keeping ``person_stats`` current: the running totals strength is computed from.

Writers call ``apply`` with the interactions they add (O(1) per interaction, set-based: aggregated per person in
Python, then one upsert) and ``recompute`` for the people whose history lost or changed interactions (deletes,
merges, undos). ``recompute()`` with no people rebuilds the table from the whole history, streaming it in pages.
"Me" is never a participant in a stored interaction, and is skipped here if a writer passes it anyway.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from dunbar.scoring.stats import Stats, decay_term_micros, kind_bit
from dunbar.scoring.strength import StrengthParams
from dunbar.store.db import Db, chunks, from_micros, to_datetime, to_micros

SETTING_KEY = "strength"
PAGE = 100_000  # interaction ids per page when streaming the whole history

StatEvent = tuple[int, datetime, float, str | None, str]  # (person_id, at, weight, initiator, kind)

_COLUMNS = "n_total, n_me, n_them, weight_total, decay_sum, half_life_days, kinds_mask, first_at, last_at"
_UPSERT = (
    f"INSERT INTO person_stats (person_id, {_COLUMNS}) VALUES "
    "(:p, :n_total, :n_me, :n_them, :weight_total, :decay_sum, :half_life_days, :kinds_mask, :first_at, :last_at) "
    "ON CONFLICT (person_id) DO UPDATE SET "
    "n_total = person_stats.n_total + excluded.n_total, "
    "n_me = person_stats.n_me + excluded.n_me, "
    "n_them = person_stats.n_them + excluded.n_them, "
    "weight_total = person_stats.weight_total + excluded.weight_total, "
    "decay_sum = person_stats.decay_sum + excluded.decay_sum, "
    "kinds_mask = person_stats.kinds_mask | excluded.kinds_mask, "
    "first_at = CASE WHEN person_stats.first_at IS NULL OR excluded.first_at < person_stats.first_at "
    "THEN excluded.first_at ELSE person_stats.first_at END, "
    "last_at = CASE WHEN person_stats.last_at IS NULL OR excluded.last_at > person_stats.last_at "
    "THEN excluded.last_at ELSE person_stats.last_at END"
)
_INSERT = (
    f"INSERT INTO person_stats (person_id, {_COLUMNS}) VALUES "
    "(:p, :n_total, :n_me, :n_them, :weight_total, :decay_sum, :half_life_days, :kinds_mask, :first_at, :last_at)"
)


def load_params(db: Db) -> StrengthParams:
    """The strength settings of this database (the setting "strength", JSON), over the defaults."""
    raw = db.scalar("SELECT value FROM setting WHERE key = :k", {"k": SETTING_KEY})
    if raw is None:
        return StrengthParams()
    try:
        data = json.loads(raw)
    except ValueError:
        from dunbar.errors import InvalidInput

        raise InvalidInput(
            "the strength setting is not valid JSON", hint='give the setting a JSON object, like {"half_life_days": 90}'
        ) from None
    return StrengthParams.from_dict(data if isinstance(data, dict) else {})


class Totals:
    """Per-person sums while reading a stream of events (memory grows with people, not interactions)."""

    __slots__ = ("half_life", "rows")

    def __init__(self, half_life: float) -> None:
        self.half_life = half_life
        # person -> [n_total, n_me, n_them, weight_total, decay_sum, kinds_mask, first, last]; times in microseconds
        # since 1970 (UTC), which the import's mail readers hand over as they are
        self.rows: dict[int, list[Any]] = {}

    def add(self, pid: int, at: datetime, weight: float, initiator: str | None, kind: str) -> None:
        micros = to_micros(at)
        term = decay_term_micros(micros, weight, self.half_life)
        self.add_all((pid,), micros, term, weight, initiator == "me", initiator == "them", kind_bit(kind))

    def add_all(
        self, people: Iterable[int], micros: int, term: float, weight: float, me: bool, them: bool, bit: int
    ) -> None:
        """One interaction that ``people`` all took part in, at ``micros`` (``to_micros``), whose ``decay_term`` is
        ``term``."""
        rows = self.rows
        for pid in people:
            row = rows.get(pid)
            if row is None:
                rows[pid] = [1, me, them, weight, term, bit, micros, micros]
                continue
            row[0] += 1
            row[1] += me
            row[2] += them
            row[3] += weight
            row[4] += term
            row[5] |= bit
            if micros < row[6]:
                row[6] = micros
            if micros > row[7]:
                row[7] = micros

    def last_times(self) -> list[tuple[int, datetime]]:
        """(person, time of their latest interaction), for everyone summed here."""
        return [(pid, from_micros(r[7])) for pid, r in sorted(self.rows.items())]

    def upsert(self, db: Db) -> int:
        """Add these sums to the stored running totals (one statement for all people); the people touched."""
        rows = self.params()
        if rows:
            with db.transaction():
                db.executemany(_UPSERT, rows)
        return len(rows)

    def params(self) -> list[dict[str, Any]]:
        return [
            {
                "p": pid,
                "n_total": r[0],
                "n_me": int(r[1]),
                "n_them": int(r[2]),
                "weight_total": float(r[3]),
                "decay_sum": float(r[4]),
                "half_life_days": self.half_life,
                "kinds_mask": r[5],
                "first_at": from_micros(r[6]),
                "last_at": from_micros(r[7]),
            }
            for pid, r in sorted(self.rows.items())
        ]


def _me_ids(db: Db) -> set[int]:
    return {int(r[0]) for r in db.rows("SELECT id FROM person WHERE is_me = :t", {"t": True})}


def apply(db: Db, events: Iterable[StatEvent], *, half_life_days: float | None = None) -> int:
    """Add interactions to their people's running totals; the number of people touched.

    Each event is ``(person_id, at, weight, initiator, kind)``, one per participant of an interaction.
    """
    hl = half_life_days if half_life_days is not None else load_params(db).half_life_days
    me = _me_ids(db)
    totals = Totals(hl)
    for pid, at, weight, initiator, kind in events:
        if pid not in me:
            totals.add(int(pid), at, float(weight), initiator, kind)
    return totals.upsert(db)


def pending(db: Db) -> Totals:
    """Sums to collect while a writer (an import) adds interactions, then ``.upsert(db)`` once at the end.

    Callers must not add "me" (importers never make me a participant)."""
    return Totals(load_params(db).half_life_days)


def _history_pages(db: Db, person_ids: Sequence[int] | None) -> Iterator[list[tuple[Any, ...]]]:
    select = (
        "SELECT pa.person_id, i.occurred_at, i.weight, i.initiator, i.kind "
        "FROM interaction i JOIN participant pa ON pa.interaction_id = i.id "
    )
    if person_ids is not None:
        for ids in chunks(list(person_ids)):
            yield db.rows(select + "WHERE pa.person_id IN :ids", {"ids": list(ids)})
        return
    bounds = db.rows("SELECT min(id), max(id) FROM interaction")
    lo, hi = bounds[0] if bounds else (None, None)
    if lo is None or hi is None:
        return
    start = int(lo) - 1
    while start < int(hi):
        yield db.rows(select + "WHERE i.id > :a AND i.id <= :b", {"a": start, "b": start + PAGE})
        start += PAGE


def recompute(db: Db, person_ids: Iterable[int] | None = None) -> int:
    """Rebuild the running totals of these people (everyone when None) from the history; rows written."""
    wanted = None if person_ids is None else sorted({int(p) for p in person_ids})
    if wanted is not None and not wanted:
        return 0
    hl = load_params(db).half_life_days
    me = _me_ids(db)
    totals = Totals(hl)
    add = totals.add
    with db.transaction():
        for page in _history_pages(db, wanted):
            for pid, at, weight, initiator, kind in page:
                if pid not in me:
                    moment = at if isinstance(at, datetime) and at.tzinfo else to_datetime(at)
                    assert moment is not None
                    add(int(pid), moment, float(weight), initiator, kind)
        if wanted is None:
            db.execute("DELETE FROM person_stats")
        else:
            for ids in chunks(wanted):
                db.execute("DELETE FROM person_stats WHERE person_id IN :ids", {"ids": list(ids)})
        rows = totals.params()
        db.executemany(_INSERT, rows)
    return len(rows)


def _stats(r: Sequence[Any]) -> Stats:
    return Stats(
        n_total=int(r[1]),
        n_me=int(r[2]),
        n_them=int(r[3]),
        weight_total=float(r[4]),
        decay_sum=float(r[5]),
        half_life_days=float(r[6]),
        kinds_mask=int(r[7]),
        first_at=to_datetime(r[8]),
        last_at=to_datetime(r[9]),
    )


def load(db: Db, person_ids: Iterable[int] | None = None) -> dict[int, Stats]:
    """The running totals of these people (everyone when None); people without interactions have no entry."""
    sql = f"SELECT person_id, {_COLUMNS} FROM person_stats"
    if person_ids is None:
        return {int(r[0]): _stats(r) for r in db.rows(sql)}
    out: dict[int, Stats] = {}
    for ids in chunks(sorted({int(p) for p in person_ids})):
        out.update((int(r[0]), _stats(r)) for r in db.rows(sql + " WHERE person_id IN :ids", {"ids": list(ids)}))
    return out


def save_params(db: Db, params: StrengthParams) -> None:
    """Store the strength settings; a new half-life rebuilds every running total (they are sums in it)."""
    old = load_params(db)
    with db.transaction():
        db.execute("DELETE FROM setting WHERE key = :k", {"k": SETTING_KEY})
        db.execute(
            "INSERT INTO setting (key, value) VALUES (:k, :v)",
            {"k": SETTING_KEY, "v": json.dumps(params.to_dict(), sort_keys=True)},
        )
        if old.half_life_days != params.half_life_days:
            recompute(db)

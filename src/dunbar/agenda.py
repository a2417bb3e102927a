"""The daily agenda: who to reach out to today, why now, and what to talk about; done, snooze and skip; and the
dormant ties worth reviving.

The ranking is pure (``dunbar.scoring.agenda``); this module gathers its facts in a handful of set-based
queries so that ``dunbar today`` stays within its 0.3 s budget at 30,000 people and a million interactions:

1. the settings, the agenda state, the promises due, the important dates of the week and the recent jobs
   (small, indexed queries);
2. one query for the candidates: people with a cadence, people an event names, and people whose last contact
   fell in the window where their strength can have fallen below the floor — never the whole dormant rest;
3. their strength from the running totals read in that same query (the pure ``dunbar.scoring.score_rows``,
   as ``dunbar.strength.scores`` does);
4. conversation hooks for the chosen few only (one query per person at most).

The day's list is remembered in ``agenda_state.last_suggested_on``: a rerun the same day shows the same people,
except those done, snoozed or skipped, whose slots go to the next in line.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from dunbar.errors import InvalidInput, NotFound
from dunbar.scoring import agenda as rank
from dunbar.scoring import cadence as cad
from dunbar.store.db import Db, chunks, to_date, to_datetime

__all__ = [
    "DEFAULT_LIMIT",
    "DONE_SUMMARY",
    "cadences",
    "done",
    "dormant",
    "limit_setting",
    "skip",
    "snooze",
    "today",
    "unsnooze",
]

DEFAULT_LIMIT = 5
DONE_SUMMARY = "Checked in"
AGENDA_SETTING = "agenda"  # JSON {"limit": N}
# Strength falls noticeably within a month for people last seen one to two months ago (recency has a 30-day
# half-life, so theirs halves; later the monthly fall is a few points): only they are candidates for "strength
# fell below 30", and scored a second time, a month back. People the user marked dormant are left alone.
RISK_WINDOW_DAYS = (rank.STRENGTH_LOOKBACK_DAYS, 60)
HOOK_CHARS = 160

_LIVE = "p.deleted_at IS NULL AND p.merged_into_id IS NULL AND p.is_me = :f"


def _live(db: Db) -> str:
    """The live-people filter for a query that has better indexes than ``ix_person_live_name``.

    SQLite would otherwise walk that index (every live person, each row fetched at random: 45 ms at 30,000
    people) instead of the circle and last-contact indexes or one sequential scan (1–11 ms); the unary ``+``
    hides the column from the planner. PostgreSQL plans this well and has no unary ``+`` for times.
    """
    return "+" + _LIVE if db.dialect == "sqlite" else _LIVE


# Settings -------------------------------------------------------------------------------------------------


def _settings(db: Db) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in db.rows(
        "SELECT key, value FROM setting WHERE key IN :keys", {"keys": [cad.SETTING_KEY, AGENDA_SETTING]}
    ):
        try:
            out[key] = json.loads(value)
        except ValueError:
            raise InvalidInput(
                f"the setting {key!r} is not valid JSON", hint='e.g. {"close": [21, 45]} for cadence'
            ) from None
    return out


def cadences(db: Db) -> dict[str, tuple[int, int] | None]:
    """Each circle's (ideal, maximum) days: the defaults with the setting "cadence" laid over them."""
    return cad.table(_settings(db).get(cad.SETTING_KEY))


def save_cadences(db: Db, table: dict[str, tuple[int, int] | None]) -> None:
    """Store the circles' cadences that differ from the defaults as the "cadence" setting (checked first)."""
    setting = {c: (list(v) if v else None) for c, v in table.items() if v != cad.DEFAULT_CADENCES.get(c)}
    cad.table(setting)  # the same checks a hand-edited setting gets
    with db.transaction():
        db.execute("DELETE FROM setting WHERE key = :k", {"k": cad.SETTING_KEY})
        if setting:
            db.execute(
                "INSERT INTO setting (key, value) VALUES (:k, :v)",
                {"k": cad.SETTING_KEY, "v": json.dumps(setting, sort_keys=True)},
            )


def limit_setting(settings: dict[str, Any]) -> int:
    raw = settings.get(AGENDA_SETTING)
    value = raw.get("limit", DEFAULT_LIMIT) if isinstance(raw, dict) else DEFAULT_LIMIT
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise InvalidInput(f"the agenda limit must be a positive number, not {value!r}", hint='{"limit": 5}')
    return value


# Facts ------------------------------------------------------------------------------------------------------


def _state(db: Db, today: date) -> tuple[set[int], list[int], dict[int, tuple[int, date | None]]]:
    """(people held back today: snoozed or skipped; people already chosen today; everyone's suggestion record)."""
    held: set[int] = set()
    pinned: list[int] = []
    record: dict[int, tuple[int, date | None]] = {}
    for pid, snoozed, skipped, last, times in db.rows(
        "SELECT person_id, snoozed_until, skipped_on, last_suggested_on, times_suggested FROM agenda_state"
    ):
        pid = int(pid)
        snoozed, skipped, last = to_date(snoozed), to_date(skipped), to_date(last)
        if (snoozed is not None and snoozed > today) or skipped == today:
            held.add(pid)
        if last == today:
            pinned.append(pid)
        record[pid] = (int(times or 0), last)
    return held, pinned, record


def _due_follow_ups(db: Db, today: date) -> dict[int, list[rank.DueFollowUp]]:
    out: dict[int, list[rank.DueFollowUp]] = {}
    for fid, pid, text, due_on in db.rows(
        "SELECT id, person_id, text, due_on FROM follow_up WHERE status = 'open' AND due_on <= :today ORDER BY id",
        {"today": today},
    ):
        d = to_date(due_on)
        assert d is not None
        out.setdefault(int(pid), []).append(rank.DueFollowUp(int(fid), text, d))
    return out


def _window(today: date, days: int) -> list[date]:
    return [today + timedelta(days=k) for k in range(days + 1)]


def _only(ids: set[int] | None, column: str) -> str:
    return "" if ids is None else f" AND {column} IN :ids"


def _dates(db: Db, today: date, ids: set[int] | None = None) -> dict[int, list[rank.DateEvent]]:
    """Important dates within the week ahead (of everyone, or of ``ids``), found by (month, day): year-less
    dates included."""
    keys = {d.month * 100 + d.day for d in _window(today, rank.DATE_WINDOW_DAYS)}
    if 228 in keys:
        keys.add(229)  # 29 February is kept on the 28th in other years
    out: dict[int, list[rank.DateEvent]] = {}
    rows = db.rows(
        "SELECT person_id, kind, label, year, month, day FROM important_date WHERE month * 100 + day IN :keys"
        + _only(ids, "person_id"),
        {"keys": sorted(keys), "ids": sorted(ids or ())},
    )
    by_person: dict[int, list[tuple[str, str | None, int | None, int, int]]] = {}
    for pid, kind, label, year, month, day in rows:
        by_person.setdefault(int(pid), []).append((kind, label, year, month, day))
    for pid, items in by_person.items():
        found = rank.upcoming_dates(items, today)
        if found:
            out[pid] = found
    return out


def _jobs(
    db: Db, today: date, ids: set[int] | None = None
) -> tuple[dict[int, rank.NewJob], dict[int, list[rank.DateEvent]]]:
    """Current jobs that started in the last ``NEW_JOB_DAYS`` days, and work anniversaries of the week ahead.

    Anniversaries are looked up by their exact start dates (each day of the week, 1–60 years back), which
    the database answers from the rows themselves without reading every employment into Python.
    """
    since = today - timedelta(days=rank.NEW_JOB_DAYS)
    days = _window(today, rank.DATE_WINDOW_DAYS)
    starts: set[date] = set()
    for d in days:
        for year in range(d.year - 60, d.year):
            starts.add(rank.occurrence(d.month, d.day, year))
            if (d.month, d.day) == (2, 28) and _leap(year):
                starts.add(date(year, 2, 29))  # celebrated on the 28th when the year has no 29th
    new: dict[int, rank.NewJob] = {}
    anniversaries: dict[int, list[rank.DateEvent]] = {}
    rows = db.rows(
        "SELECT e.person_id, o.name, e.title, e.start_date FROM employment e "
        "JOIN organization o ON o.id = e.organization_id "
        "WHERE e.end_date IS NULL AND ((e.start_date >= :since AND e.start_date <= :today) OR e.start_date IN :starts)"
        + _only(ids, "e.person_id")
        + " ORDER BY e.start_date, e.id",
        {"since": since, "today": today, "starts": sorted(starts), "ids": sorted(ids or ())},
    )
    for pid, org, title, start in rows:
        pid, started = int(pid), to_date(start)
        assert started is not None
        if since <= started <= today:
            new[pid] = rank.NewJob(org, title, started)
        else:
            event = rank.work_anniversary(org, started, today)
            if event is not None:
                anniversaries.setdefault(pid, []).append(event)
    return new, anniversaries


def _favours(db: Db, today: date) -> dict[int, str]:
    """People I owe a favour to, with the sentence that says so (the favour ledger's own words)."""
    if db.scalar("SELECT 1 FROM favour LIMIT 1") is None:
        return {}  # most networks have no ledger: do not load it for nothing
    from dunbar.ledger import unreturned

    return unreturned(db, today=today)


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def _local_date(value: Any) -> date | None:
    """A stored UTC time as the user's local calendar date ("today" is local)."""
    at = to_datetime(value)
    return None if at is None else at.astimezone().date()


def _candidates(
    db: Db,
    *,
    today: date,
    now: datetime,
    table: dict[str, tuple[int, int] | None],
    named: Iterable[int],
    broad: bool = True,
) -> list[tuple[Any, ...]]:
    """Everyone who may be on today's list, with what their strength is computed from: ``(id, circle,
    closeness, cadence ideal, cadence max, connected_on, last_contact_at, n_them, decay_sum, half_life_days,
    kinds_mask, first, last, met)`` (the last three as days since the scoring epoch). One query, plus one per
    2,000 people an event names beyond the first.

    The running totals come in the same query, joined, rather than through ``dunbar.strength.scores`` with
    the candidates' ids: IN lists of thousands of ids cost five times the join (the SQL for the epoch days
    is the strength service's own, and tests check both give the same scores).
    """
    from dunbar.strength import _epoch_days

    cadenced = sorted(c for c, v in table.items() if v is not None) or ["-"]
    risk_from = now - timedelta(days=RISK_WINDOW_DAYS[1])
    risk_to = now - timedelta(days=RISK_WINDOW_DAYS[0])
    met = "julianday(p.connected_on) - 2451544.5" if db.dialect == "sqlite" else "p.connected_on - DATE '2000-01-01'"
    base = (
        "SELECT p.id, p.circle, p.closeness, p.cadence_ideal_days, p.cadence_max_days, p.connected_on, "
        "p.last_contact_at, s.n_them, s.decay_sum, s.half_life_days, s.kinds_mask, "
        f"{_epoch_days(db, 's.first_at')}, {_epoch_days(db, 's.last_at')}, {met} "
        f"FROM person p LEFT JOIN person_stats s ON s.person_id = p.id WHERE {_live(db)} AND "
    )
    fresh = today - timedelta(days=rank.NEW_CONNECTION_DAYS)
    params: dict[str, Any] = {"f": False, "circles": cadenced, "a": risk_from, "b": risk_to, "fresh": fresh}
    wide = (
        "(p.circle IN :circles OR p.cadence_ideal_days IS NOT NULL OR p.cadence_max_days IS NOT NULL "
        "OR (p.last_contact_at >= :a AND p.last_contact_at < :b AND (p.circle IS NULL OR p.circle <> 'dormant')) "
        "OR (p.connected_on >= :fresh AND (p.last_contact_at IS NULL OR p.last_contact_at < p.connected_on))"
    )
    ids = sorted(set(named))
    if not broad:
        rows = []
        for part in chunks(ids):
            rows += db.rows(base + "p.id IN :ids", {"f": False, "ids": list(part)})
        return rows
    first, rest = ids[:2000], ids[2000:]
    rows = db.rows(base + wide + (" OR p.id IN :ids)" if first else ")"), {**params, "ids": first})
    seen = {r[0] for r in rows}
    for part in chunks(rest):
        rows += [r for r in db.rows(base + "p.id IN :ids", {"f": False, "ids": list(part)}) if r[0] not in seen]
    return rows


# The agenda -------------------------------------------------------------------------------------------------


def today(
    db: Db, *, today: date, now: datetime, limit: int | None = None, remember: bool = True
) -> list[dict[str, Any]]:
    """Today's agenda, most pressing first: ``[{person: {id, name, organization, title}, score, reasons, hook,
    strength, circle, overdue_days, last_contact_on, follow_ups: [{id, text, due_on}]}]``.

    At most ``limit`` people (default: the setting "agenda" ``{"limit": N}``, else 5), plus anyone with a
    promise due. ``remember`` records the list (``agenda_state``) so that reruns today agree and tomorrow does
    not nag; the calendar export looks without remembering.
    """
    settings = _settings(db)
    n = limit if limit is not None else limit_setting(settings)
    if n < 1:
        raise InvalidInput(f"bad limit {n}", hint="show at least one person")
    table = cad.table(settings.get(cad.SETTING_KEY))
    held, pinned, record = _state(db, today)
    follow_ups = _due_follow_ups(db, today)
    favours = _favours(db, today)
    kept = [pid for pid in pinned if pid not in held]
    found = None
    if len(kept) >= n:
        # A rerun of the day with the list still full: it is today's list again (plus any promise come due),
        # so only those people are looked at. Should one of them have nothing left to say (logged since),
        # the whole network is ranked again to fill the place.
        only = (set(kept) | set(follow_ups)) - held
        found = _choose(db, today, now, n, table, held, pinned, record, follow_ups, favours, only=only)
        if not set(kept) <= {s.person_id for s in found[0]}:
            found = None
    if found is None:
        found = _choose(db, today, now, n, table, held, pinned, record, follow_ups, favours, only=None)
    chosen, by_id, last_seen = found
    items = _describe(db, chosen, by_id, last_seen, today=today)
    if remember:
        _remember(db, chosen, by_id, record, today=today)
    return items


def _choose(
    db: Db,
    today: date,
    now: datetime,
    n: int,
    table: dict[str, tuple[int, int] | None],
    held: set[int],
    pinned: list[int],
    record: dict[int, tuple[int, date | None]],
    follow_ups: dict[int, list[rank.DueFollowUp]],
    favours: dict[int, str],
    *,
    only: set[int] | None,
) -> tuple[list[rank.Suggestion], dict[int, rank.Candidate], dict[int, datetime]]:
    """Gather the candidates (everyone, or ``only`` these people), score them and rank them."""
    from dunbar.scoring import score_rows
    from dunbar.scoring.stats import days_since_epoch
    from dunbar.stats import load_params

    strength_params = load_params(db)
    dates = _dates(db, today, only)
    new_jobs, anniversaries = _jobs(db, today, only)
    named = (set(follow_ups) | set(dates) | set(new_jobs) | set(anniversaries) | set(favours) | set(pinned)) - held
    if only is not None:
        named &= only
    rows = [
        r
        for r in _candidates(db, today=today, now=now, table=table, named=only or named, broad=only is None)
        if r[0] not in held
    ]
    floor_at = now - timedelta(days=RISK_WINDOW_DAYS[0])
    # Everyone's strength first, straight from the rows (as ``dunbar.strength.scores`` builds them): most
    # people of the risk window are then dropped without a datetime being parsed for them.
    hl = strength_params.half_life_days
    totals = {
        r[0]: (r[0], r[7] or 0, r[8] or 0.0, hl if r[9] is None else r[9], r[10] or 0, r[11], r[12], r[13], r[2])
        for r in rows
    }
    strength = score_rows(totals.values(), now=now, params=strength_params)
    floor_d = days_since_epoch(floor_at)
    from_d = days_since_epoch(now - timedelta(days=RISK_WINDOW_DAYS[1]))
    left_alone = {r[0] for r in rows if r[1] == "dormant"}  # the user called them dormant: no alarm
    below = [
        t
        for t in totals.values()
        if t[6] is not None
        and from_d <= t[6] < floor_d
        and strength[t[0]] < rank.STRENGTH_FLOOR
        and t[0] not in left_alone
    ]
    before = score_rows(below, now=floor_at, params=strength_params) if below else {}
    fell = {pid: b for pid, b in before.items() if b > strength[pid]}
    candidates: list[rank.Candidate] = []
    last_seen: dict[int, datetime] = {}
    fresh = today - timedelta(days=rank.NEW_CONNECTION_DAYS)
    for pid, circle, closeness, ideal, most, connected, last_at, *_ in rows:
        cadence = cad.cadence_for(circle, ideal, most, table)
        met = to_date(connected)
        new_connection = False
        if met is not None and fresh <= met <= today:
            seen = to_datetime(last_at)
            new_connection = seen is None or seen.astimezone().date() < met
        if cadence is None and pid not in named and pid not in fell and not new_connection:
            continue  # nothing to say about them today
        last_dt = to_datetime(last_at)
        last = None if last_dt is None else last_dt.astimezone().date()
        if pid not in named and pid not in fell and not new_connection:
            assert cadence is not None
            if cad.due(last or met, cadence, today)[1] <= 0:
                continue  # in touch as often as wished
        times, last_suggested = record.get(pid, (0, None))
        candidates.append(
            rank.Candidate(
                person_id=pid,
                circle=circle,
                closeness=None if closeness is None else int(closeness),
                cadence=cadence,
                last_contact=last,
                connected_on=met,
                strength=strength.get(pid, 0),
                strength_before=fell.get(pid),
                follow_ups=follow_ups.get(pid, []),
                dates=dates.get(pid, []) + anniversaries.get(pid, []),
                new_job=new_jobs.get(pid),
                favour=favours.get(pid),
                new_connection=new_connection,
                times_suggested=times,
                last_suggested_on=last_suggested,
            )
        )
        if last_dt is not None:
            last_seen[pid] = last_dt
    chosen = rank.rank(candidates, today=today, limit=n, pinned=pinned)
    return chosen, {c.person_id: c for c in candidates}, last_seen


def _describe(
    db: Db,
    chosen: Sequence[rank.Suggestion],
    by_id: dict[int, rank.Candidate],
    last_seen: dict[int, datetime],
    *,
    today: date,
) -> list[dict[str, Any]]:
    ids = [s.person_id for s in chosen]
    who = _who(db, ids)
    out = []
    for s in chosen:
        c = by_id[s.person_id]
        person = who.get(s.person_id) or {"id": s.person_id, "name": None, "organization": None, "title": None}
        out.append(
            {
                "person": person,
                "score": s.priority,
                "reasons": s.reasons,
                "hook": hook(db, s.person_id, person, today=today, last_at=last_seen.get(s.person_id)),
                "strength": c.strength,
                "circle": c.circle,
                "overdue_days": s.overdue_days,
                "last_contact_on": c.last_contact,
                "follow_ups": [{"id": f.id, "text": f.text, "due_on": f.due_on} for f in c.follow_ups],
            }
        )
    return out


def _who(db: Db, ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """Name and current job, as ``dunbar.people.summary`` gives them (without importing that module and the
    search index behind it, a tenth of the agenda's time budget)."""
    out: dict[int, dict[str, Any]] = {}
    if not ids:
        return out
    for pid, name in db.rows("SELECT id, display_name FROM person WHERE id IN :ids", {"ids": list(ids)}):
        out[int(pid)] = {"id": int(pid), "name": name, "organization": None, "title": None}
    for pid, org, title in db.rows(
        "SELECT e.person_id, o.name, e.title FROM employment e JOIN organization o ON o.id = e.organization_id "
        "WHERE e.person_id IN :ids AND e.end_date IS NULL ORDER BY e.start_date, e.id",
        {"ids": list(ids)},
    ):
        out[int(pid)]["organization"], out[int(pid)]["title"] = org, title
    return out


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= HOOK_CHARS else text[: HOOK_CHARS - 1].rstrip() + "…"


def _last_interaction(db: Db, person_id: int, last_at: datetime) -> dict[str, Any] | None:
    """The newest interaction with a summary worth recalling (not a bare "Checked in").

    Found from the time of the last contact (``person.last_contact_at``), through the index on
    ``interaction.occurred_at``: reading a close friend's whole history to find its end costs tens of
    milliseconds per person (thousands of interactions); when the last one is a bare check-in, the year
    before it is searched instead.
    """
    sql = (
        "SELECT i.occurred_at, i.kind, i.summary FROM interaction i JOIN participant pa ON pa.interaction_id = i.id "
        "WHERE pa.person_id = :p AND i.summary <> :done AND "
    )
    params = {"p": person_id, "done": DONE_SUMMARY, "at": last_at, "since": last_at - timedelta(days=365)}
    for where in ("i.occurred_at = :at", "i.occurred_at >= :since AND i.occurred_at <= :at"):
        found = db.one(sql + where + " ORDER BY i.occurred_at DESC, i.id DESC LIMIT 1", params)
        if found is not None and (found["summary"] or "").strip():
            return found
    return None


def hook(db: Db, person_id: int, person: dict[str, Any], *, today: date, last_at: datetime | None = None) -> str | None:
    """Something to talk about, from the history: the last interaction's summary (``last_at``: the time of
    the last contact), else the last note, else what they are looking for, else their current job; None when
    nothing is known."""
    last = _last_interaction(db, person_id, last_at) if last_at is not None else None
    if last is not None:
        on = _local_date(last["occurred_at"])
        when = rank.ago((today - on).days) if on else "some time ago"
        return f"last time ({last['kind']}, {when}): {_clip(last['summary'])}"
    note = db.scalar(
        "SELECT body FROM note WHERE person_id = :p ORDER BY created_at DESC, id DESC LIMIT 1", {"p": person_id}
    )
    if note and note.strip():
        return f"from your notes: {_clip(note)}"
    need = db.scalar(
        "SELECT text FROM offer_need WHERE person_id = :p AND kind = 'need' AND status = 'active' "
        "ORDER BY id DESC LIMIT 1",
        {"p": person_id},
    )
    if need and need.strip():
        return f"they are looking for: {_clip(need)}"
    if person.get("organization"):
        title = f" ({person['title']})" if person.get("title") else ""
        return f"ask how things are at {person['organization']}{title}"
    return None


def _remember(
    db: Db,
    chosen: Sequence[rank.Suggestion],
    by_id: dict[int, rank.Candidate],
    record: dict[int, tuple[int, date | None]],
    *,
    today: date,
) -> None:
    """Mark today's list; a suggestion repeated without a touch in between counts up the backoff."""
    rows = []
    for s in chosen:
        times, last = record.get(s.person_id, (0, None))
        if last == today:
            continue
        c = by_id[s.person_id]
        untouched = last is not None and (c.last_contact is None or c.last_contact < last)
        rows.append({"p": s.person_id, "today": today, "n": times + 1 if untouched else 1})
    if not rows:
        return
    with db.transaction():
        db.executemany(
            "INSERT INTO agenda_state (person_id, last_suggested_on, times_suggested) VALUES (:p, :today, :n) "
            "ON CONFLICT (person_id) DO UPDATE SET last_suggested_on = excluded.last_suggested_on, "
            "times_suggested = excluded.times_suggested",
            rows,
        )


# Actions ----------------------------------------------------------------------------------------------------


def _person(db: Db, person_id: int) -> dict[str, Any]:
    row = db.one(
        "SELECT id, display_name, is_me, deleted_at, merged_into_id FROM person WHERE id = :id", {"id": person_id}
    )
    if row is None or row["merged_into_id"] is not None:
        raise NotFound(f"no person #{person_id}", hint="`dunbar list` shows who is in your network")
    if row["deleted_at"] is not None:
        raise InvalidInput(f"{row['display_name']} is in the trash", hint="restore them first: dunbar restore")
    if row["is_me"]:
        raise InvalidInput("the agenda is about the people in your network, not you", hint="name someone else")
    return row


def done(db: Db, person_id: int, *, now: datetime, note: str | None = None, kind: str = "message") -> int:
    """I reached out: log the touch (``note`` as its summary, else "Checked in") and clear the person's agenda
    state, so that they leave today's list and the backoff starts afresh; the new interaction's id."""
    from dunbar.interactions import log_interaction

    _person(db, person_id)
    with db.transaction():
        iid = log_interaction(
            db,
            summary=(note or "").strip() or DONE_SUMMARY,
            people=[person_id],
            kind=kind,
            occurred_at=now,
            initiator="me",
            now=now,
        )
        db.execute("DELETE FROM agenda_state WHERE person_id = :p", {"p": person_id})
    return iid


def _upsert_state(db: Db, person_id: int, column: str, value: date | None) -> None:
    with db.transaction():
        db.execute(
            f"INSERT INTO agenda_state (person_id, {column}, times_suggested) VALUES (:p, :v, 0) "
            f"ON CONFLICT (person_id) DO UPDATE SET {column} = excluded.{column}",
            {"p": person_id, "v": value},
        )


def snooze(db: Db, person_id: int, until: date, *, today: date) -> None:
    """Keep a person off the agenda until ``until`` (they may come back that day)."""
    _person(db, person_id)
    if until <= today:
        raise InvalidInput(
            f"{until.isoformat()} is not after today", hint="snooze into the future, like 2w or a later date"
        )
    _upsert_state(db, person_id, "snoozed_until", until)


def unsnooze(db: Db, person_id: int) -> None:
    _person(db, person_id)
    _upsert_state(db, person_id, "snoozed_until", None)


def skip(db: Db, person_id: int, *, today: date) -> None:
    """Not today: leave them off today's list (the next in line takes the slot); tomorrow they may be back."""
    _person(db, person_id)
    _upsert_state(db, person_id, "skipped_on", today)


# Dormant ties -----------------------------------------------------------------------------------------------


def dormant(db: Db, *, today: date, now: datetime, limit: int = 20) -> list[dict[str, Any]]:
    """Ties worth reviving, most valuable first: people connected and never contacted since, and weak ties
    with some past reciprocity that went quiet 6–24 months ago, at employers few of my contacts share.
    ``[{person: {id, name, organization, title}, kind, value, reasons, circle, strength, connected_on,
    last_contact_on}]``."""
    from dunbar.strength import scores

    if limit < 1:
        raise InvalidInput(f"bad limit {limit}", hint="use a positive number")
    start = datetime.combine(today, time(), UTC)
    quiet_from = start - timedelta(days=rank.QUIET_TO_DAYS + 1)
    quiet_to = start - timedelta(days=rank.QUIET_FROM_DAYS - 1)
    weak = [c for c in rank.WEAK_CIRCLES if c is not None]
    rows = db.rows(
        "SELECT p.id, p.circle, p.closeness, p.connected_on, p.last_contact_at, s.n_them, s.n_total FROM person p "
        f"LEFT JOIN person_stats s ON s.person_id = p.id WHERE {_live(db)} AND ((p.connected_on IS NOT NULL "
        "AND (p.last_contact_at IS NULL OR p.last_contact_at < p.connected_on)) OR (p.last_contact_at >= :a "
        "AND p.last_contact_at < :b AND s.n_them > 0 AND (p.circle IS NULL OR p.circle IN :weak)))",
        {"f": False, "a": quiet_from, "b": quiet_to, "weak": weak},
    )
    # Every current job in one pass (far fewer rows than people): each candidate's employer (their latest current
    # job) and how many live people work at each organization; by id, in chunks, this was three times slower.
    employer: dict[int, tuple[int, str]] = {}
    working: dict[int, set[int]] = {}
    if rows:
        for pid, org_id, name, live in db.rows(
            "SELECT e.person_id, o.id, o.name, CASE WHEN p.deleted_at IS NULL AND p.merged_into_id IS NULL "
            "AND p.is_me = :f THEN 1 ELSE 0 END FROM employment e JOIN organization o ON o.id = e.organization_id "
            "JOIN person p ON p.id = e.person_id WHERE e.end_date IS NULL ORDER BY e.start_date, e.id",
            {"f": False},
        ):
            employer[int(pid)] = (int(org_id), name)
            if live:
                working.setdefault(int(org_id), set()).add(int(pid))
    staff = {org_id: len(who) for org_id, who in working.items()}
    ties = []
    for pid, circle, closeness, connected, last_at, n_them, n_total in rows:
        pid = int(pid)
        org = employer.get(pid)
        ties.append(
            rank.Tie(
                person_id=pid,
                circle=circle,
                closeness=None if closeness is None else int(closeness),
                connected_on=to_date(connected),
                last_contact=_local_date(last_at),
                n_them=int(n_them or 0),
                n_total=int(n_total or 0),
                organization=org[1] if org else None,
                colleagues=max(0, staff.get(org[0], 1) - 1) if org else 0,
            )
        )
    found = rank.rank_dormant(ties, today=today, limit=limit)
    chosen = [r.person_id for r in found]
    who = _who(db, chosen)
    strength = scores(db, now=now, person_ids=chosen) if chosen else {}
    by_id = {t.person_id: t for t in ties}
    return [
        {
            "person": who.get(r.person_id) or {"id": r.person_id, "name": None, "organization": None, "title": None},
            "kind": r.kind,
            "value": r.value,
            "reasons": r.reasons,
            "circle": by_id[r.person_id].circle,
            "strength": strength.get(r.person_id, 0),
            "connected_on": by_id[r.person_id].connected_on,
            "last_contact_on": by_id[r.person_id].last_contact,
        }
        for r in found
    ]

"""A realistic demo network: people of many cultures, their jobs, circles, tags, notes and years of interactions.

``generate`` fills an empty database in one transaction and builds its search index. It is also the benchmark
workload (30,000 people and 1,000,000 interactions in well under a minute), so it is written for speed: the
whole network is made in memory from one seeded ``random.Random`` (same seed, same network) and then written
table by table with set-based ``executemany``; on SQLite it uses positional tuples and pre-formatted timestamps,
elsewhere the same rows go through ``Db.executemany`` with named parameters.

The rhythms follow real address books: a few close people with frequent contact, bursts of contact around a
job search or a project, ties that fade, connections never spoken to since the day they connected, group
meetings, and a circle for everyone after Dunbar's layers.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from dunbar import demo_data as D
from dunbar.errors import Conflict
from dunbar.normalize import email as norm_email
from dunbar.normalize import linkedin as norm_linkedin
from dunbar.store.db import Db, SqliteDb, defer_indexes
from dunbar.text import fold

Progress = Callable[[str, int, int], None]

# Dunbar's layers; the remainder of a big network is dormant or has no circle yet.
LAYERS = (("inner", 5), ("close", 15), ("active", 50), ("network", 150), ("acquaintance", 500))
HISTORY_YEARS = 12
CHUNK = 50_000

# How much contact each circle gets, relative to the others (before per-person noise).
_CIRCLE_RATE = {"inner": 60.0, "close": 30.0, "active": 12.0, "network": 4.0, "acquaintance": 1.5, "dormant": 1.0}
_NO_CIRCLE_RATE = 0.8
_KINDS = ("meeting", "call", "video", "email", "message", "event")
_KIND_WEIGHTS = {
    "inner": (20, 15, 10, 15, 35, 5),
    "close": (20, 12, 12, 20, 30, 6),
    "active": (15, 8, 15, 30, 22, 10),
    "other": (10, 3, 7, 40, 25, 15),
    "job search": (15, 15, 30, 35, 5, 0),
    "project": (40, 5, 35, 20, 0, 0),
    "conference": (20, 5, 10, 25, 10, 30),
}
_GROUP_WEIGHT = {2: 0.7, 3: 0.5, 4: 0.4, 5: 0.35, 6: 0.3, 7: 0.3}
_PRONOUN = {"f": "her", "m": "his", "x": "their"}
_SLOTS_PER_DAY = 96  # quarter hours


@dataclass
class _Person:
    given: str
    family: str
    name: str
    gender: str
    culture: int
    circle: str | None
    connected: int  # day index (may be negative: before the history starts)
    location: str
    how_met: str
    emails: list[tuple[str, str]] = field(default_factory=list)  # (value, label)
    phone: tuple[str, str] | None = None  # (value, E.164)
    linkedin: str | None = None
    jobs: list[tuple[int, str, date | None, date | None]] = field(default_factory=list)  # org, title, start, end
    closeness: int | None = None
    last_key: int = -1
    id: int = 0


@dataclass
class _Network:
    people: list[_Person]
    orgs: list[str]
    tags: list[str]
    person_tags: list[tuple[int, int]]  # (person index, tag index)
    fields: list[tuple[int, str, str]]
    notes: list[tuple[int, str, int]]  # (person index, body, day)
    dates: list[tuple[int, str, str | None, int | None, int, int]]
    events: list[tuple[int, int, str, str, str, tuple[int, ...]]]  # key, person, kind, initiator, summary, others


def _slug(text: str) -> str:
    return "".join(ch for ch in fold(text) if ch.isalnum())


class _Maker:
    """Makes the whole network in memory, deterministically from ``seed``."""

    def __init__(self, *, people: int, interactions: int, seed: int, today: date, progress: Progress) -> None:
        self.n = people
        self.m = interactions
        self.rng = random.Random(seed)  # nosec B311  # demo data, reproducible from the seed
        self.today = today
        self.base = today - timedelta(days=365 * HISTORY_YEARS)
        self.days = (today - self.base).days  # day indexes 0 .. days-1 lie before today
        self.progress = progress

    # -- people ------------------------------------------------------------------------------------------

    def organizations(self) -> list[str]:
        rng = self.rng
        want = max(20, self.n // 12)
        names: list[str] = list(D.INSTITUTIONS)
        seen = {fold(n) for n in names}
        while len(names) < want + len(D.INSTITUTIONS):
            name = f"{rng.choice(D.ORG_FIRST)} {rng.choice(D.ORG_SECOND)}{rng.choice(D.ORG_SUFFIX)}"
            if fold(name) not in seen:
                seen.add(fold(name))
                names.append(name)
        return names

    def circles(self) -> list[str | None]:
        """Dunbar's layers, scaled down for small networks; the rest half dormant, half without a circle."""
        scale = min(1.0, self.n / 1400)
        out: list[str | None] = []
        for name, size in LAYERS:
            out += [name] * max(1 if name == "inner" else 2, round(size * scale))
        out = out[: self.n]
        rest = self.n - len(out)
        out += ["dormant"] * (rest // 2) + [None] * (rest - rest // 2)
        return out

    def make_people(self, orgs: list[str]) -> list[_Person]:
        rng = self.rng
        cultures = D.CULTURES
        # Most people have at most a few colleagues in common; a handful of employers are big.
        org_weights = [1.0 / (i + 3) ** 0.9 for i in range(len(orgs))]
        org_cum = _cumulative(org_weights)
        org_domains = [_slug(o.split(" GmbH")[0])[:20] + ".example" for o in orgs]
        circles = self.circles()
        used_names: set[str] = set()
        used_emails: set[str] = set()
        people: list[_Person] = []
        for i in range(self.n):
            culture = rng.randrange(len(cultures))
            c = cultures[culture]
            gender = "f" if rng.random() < 0.5 else "m"
            given = rng.choice(c.given_f if gender == "f" else c.given_m)
            family = rng.choice(c.family)
            name = f"{given} {family}"
            if name in used_names:
                name = f"{given} {chr(65 + rng.randrange(26))}. {family}"
            used_names.add(name)
            if rng.random() < 0.04:
                gender = "x"
            circle = circles[i]
            connected = self._connected(circle)
            p = _Person(
                given=given,
                family=family,
                name=name,
                gender=gender,
                culture=culture,
                circle=circle,
                connected=connected,
                location=rng.choice(c.places) if rng.random() < 0.85 else rng.choice(rng.choice(cultures).places),
                how_met="",
            )
            self._jobs(p, org_cum, len(orgs))
            org_of = p.jobs[-1][0] if p.jobs else None
            p.how_met = rng.choice(D.HOW_MET).format(
                org=orgs[org_of if org_of is not None else rng.randrange(len(orgs))],
                event=rng.choice(D.EVENTS),
                year=(self.base + timedelta(days=max(0, connected))).year,
                intro=people[rng.randrange(len(people))].name if people else "a friend",
                city=p.location.split(",")[0],
            )
            local = f"{_slug(given)}.{_slug(family)}"
            current = p.jobs[-1] if p.jobs and p.jobs[-1][3] is None else None
            domain = org_domains[current[0]] if current else rng.choice(("example.org", "example.net", "mail.example"))
            address = f"{local}@{domain}"
            if address in used_emails:
                address = f"{local}{rng.randrange(2, 99)}@{domain}"
            used_emails.add(address)
            p.emails.append((address if rng.random() < 0.8 else address.capitalize(), "work" if current else "home"))
            if current and rng.random() < 0.35:
                p.emails.append((f"{local}{rng.randrange(1, 99)}@example.com", "home"))
            if rng.random() < 0.6:
                digits = "".join(str(rng.randrange(10)) for _ in range(c.phone_digits))
                p.phone = (f"{c.phone_prefix} {digits[:3]} {digits[3:]}", f"{c.phone_prefix}{digits}")
            if rng.random() < 0.7:
                p.linkedin = f"https://www.linkedin.com/in/{_slug(given)}-{_slug(family)}-{rng.getrandbits(24):06x}"
            p.closeness = _closeness(rng, circle)
            people.append(p)
            if i % 5000 == 0:
                self.progress("people", i, self.n)
        self.progress("people", self.n, self.n)
        return people

    def _connected(self, circle: str | None) -> int:
        rng = self.rng
        if circle in ("inner", "close"):
            return rng.randrange(-3000, self.days // 2)
        if circle == "dormant":
            return rng.randrange(-1000, self.days - 800)
        return rng.randrange(-500, self.days - 30)

    def _jobs(self, p: _Person, org_cum: list[float], n_orgs: int) -> None:
        """One to four jobs that follow each other; most people have a current one."""
        rng = self.rng
        start = self.base + timedelta(days=p.connected - rng.randrange(300, 3000))
        start = start.replace(day=1)
        for j in range(rng.choice((1, 1, 2, 2, 3, 4))):
            org = _pick(rng, org_cum, n_orgs)
            months = rng.randrange(8, 72)
            end: date | None = _add_months(start, months)
            if end is not None and end >= self.today:
                end = None
            p.jobs.append((org, rng.choice(D.TITLES), start, end))
            if end is None:
                break
            if j == 3 and rng.random() < 0.85:
                p.jobs[-1] = (org, p.jobs[-1][1], start, None)
                break
            start = _add_months(end, rng.randrange(0, 4))
            if start >= self.today:
                break

    # -- details ----------------------------------------------------------------------------------------

    def details(
        self, people: list[_Person]
    ) -> tuple[list[str], list[tuple[int, int]], list[Any], list[Any], list[Any]]:
        rng = self.rng
        tags = list(D.TAGS)
        tag_weights = [0.15 if t == "python" else 0.03 + 0.05 / (k + 1) for k, t in enumerate(tags)]
        person_tags: list[tuple[int, int]] = []
        fields: list[tuple[int, str, str]] = []
        notes: list[tuple[int, str, int]] = []
        dates: list[tuple[int, str, str | None, int | None, int, int]] = []
        for i, p in enumerate(people):
            for k, w in enumerate(tag_weights):
                if rng.random() < w * (2.0 if p.circle in ("inner", "close", "active") else 1.0):
                    person_tags.append((i, k))
            if rng.random() < 0.3:
                for key, values in rng.sample(D.FIELDS, rng.choice((1, 1, 2))):
                    value = f"{_slug(p.given)}{_slug(p.family)}" if key == "github" else rng.choice(values)
                    fields.append((i, key, value))
            n_notes = {"inner": 3, "close": 2, "active": 1}.get(p.circle or "", 1 if rng.random() < 0.15 else 0)
            for _ in range(rng.randrange(n_notes + 1) if p.circle not in ("inner", "close") else n_notes):
                day = rng.randrange(max(0, p.connected), self.days)
                topic = rng.choice(D.TOPICS)
                notes.append(
                    (
                        i,
                        rng.choice(D.NOTES).format(
                            topic=topic,
                            topic_short=topic.split()[-1],
                            city=rng.choice(D.CITIES),
                            year=(self.base + timedelta(days=day)).year,
                            interest=rng.choice(D.FIELDS[3][1]),
                            kids=rng.choice(D.FIELDS[4][1]),
                            event=rng.choice(D.EVENTS),
                            p_obj={"f": "her", "m": "his", "x": "their"}[p.gender],
                        ),
                        day,
                    )
                )
            if rng.random() < 0.55:
                born = rng.randrange(1955, 2002)
                month, day_of = rng.randrange(1, 13), rng.randrange(1, 29)
                dates.append((i, "birthday", None, born if rng.random() < 0.4 else None, month, day_of))
            if p.circle == "inner" and rng.random() < 0.5:
                dates.append((i, "anniversary", "wedding anniversary", rng.randrange(2005, 2024), *_month_day(rng)))
        return tags, person_tags, fields, notes, dates

    # -- interactions ----------------------------------------------------------------------------------

    def summary_pools(self, orgs: list[str]) -> tuple[dict[tuple[str, str], list[str]], dict[str, list[str]]]:
        """Pre-rendered summaries per (kind, pronoun) and per burst theme: few distinct strings, cheap to fold."""
        rng = self.rng
        general: dict[tuple[str, str], list[str]] = {}
        for kind, templates in D.SUMMARIES.items():
            for g, pronoun in _PRONOUN.items():
                general[(kind, g)] = self._capitalized(
                    [
                        rng.choice(templates).format(
                            p=pronoun,
                            topic=rng.choice(D.TOPICS),
                            city=rng.choice(D.CITIES),
                            place=rng.choice(D.PLACES).capitalize(),
                            event=rng.choice(D.EVENTS),
                        )
                        for _ in range(120)
                    ]
                )
        bursts: dict[str, list[str]] = {}
        for theme, templates in D.BURST_SUMMARIES.items():
            bursts[theme] = self._capitalized(
                [
                    rng.choice(templates).format(
                        title=rng.choice(D.TITLES),
                        org=rng.choice(orgs[:60]),
                        topic=rng.choice(D.TOPICS),
                        city=rng.choice(D.CITIES),
                        event=rng.choice(D.EVENTS),
                    )
                    for _ in range(150)
                ]
            )
        return general, bursts

    @staticmethod
    def _capitalized(texts: list[str]) -> list[str]:
        return [t[:1].upper() + t[1:] for t in texts]

    def bursts(self) -> dict[str, tuple[int, int]]:
        """When my job search, the big project and a conference season happened: (centre day, spread in days)."""
        d = self.days
        return {"job search": (d - 420, 25), "project": (d - 1400, 60), "conference": (d - 250, 6)}

    def allocate(self, people: list[_Person]) -> list[int]:
        """How many interactions each person gets: Dunbar-shaped rates, noisy, some never spoken to."""
        rng = self.rng
        weights = []
        for p in people:
            rate = _CIRCLE_RATE[p.circle] if p.circle else _NO_CIRCLE_RATE
            if p.circle in ("acquaintance", "dormant", None) and rng.random() < 0.2:
                rate = 0.0  # connected, never talked since
            weights.append(rate * rng.lognormvariate(0, 0.8))
        total = sum(weights) or 1.0
        exact = [self.m * w / total for w in weights]
        counts = [int(x) for x in exact]
        short = self.m - sum(counts)
        if short and people:
            by_remainder = sorted(range(len(people)), key=lambda k: exact[k] - counts[k], reverse=True)
            for k in by_remainder[:short]:
                counts[k] += 1
        return counts

    def make_events(
        self, people: list[_Person], orgs: list[str]
    ) -> list[tuple[int, int, str, str, str, tuple[int, ...]]]:
        rng = self.rng
        rand = rng.random
        choices = rng.choices
        general, burst_pools = self.summary_pools(orgs)
        bursts = self.bursts()
        counts = self.allocate(people)
        last_day = self.days - 1
        kinds = _KINDS
        kind_cum = {k: _cumulative(w) for k, w in _KIND_WEIGHTS.items()}
        # Office hours are busy, evenings have messages, nights are quiet (UTC, so the edges blur).
        slot_weights = [
            (8 if 32 <= s < 72 else 3 if 28 <= s < 88 else 0.2) * (1.5 if s in (36, 37, 48, 49, 60) else 1)
            for s in range(_SLOTS_PER_DAY)
        ]
        slot_cum = _cumulative(slot_weights)
        slot_range = range(_SLOTS_PER_DAY)
        colleagues: dict[int, list[int]] = {}
        for i, p in enumerate(people):
            if p.jobs and p.jobs[-1][3] is None:
                colleagues.setdefault(p.jobs[-1][0], []).append(i)
        themes = list(burst_pools)
        cohorts: dict[str, list[int]] = {t: [] for t in themes}
        plans: list[tuple[int, str | None]] = []
        for i, p in enumerate(people):
            theme = None
            if p.circle in ("network", "acquaintance", None) and rand() < 0.35:
                theme = themes[rng.randrange(len(themes))]
                cohorts[theme].append(i)
            plans.append((i, theme))
        events: list[tuple[int, int, str, str, str, tuple[int, ...]]] = []
        append = events.append
        n_people = len(people)
        done = 0
        for i, theme in plans:
            n = counts[i]
            if not n:
                continue
            p = people[i]
            circle = p.circle
            lo = max(0, p.connected)
            if theme is not None:
                centre, spread = bursts[theme]
                # Most of a burst tie's contact is the burst itself; a little before and after.
                k_burst = max(1, int(n * 0.8))
                days = [min(last_day, max(lo, centre + int(rng.gauss(0, spread)))) for _ in range(k_burst)]
                rest = n - k_burst
                hi = last_day
                days += [lo + int((hi - lo) * rand()) for _ in range(rest)]
                pool_kind = kind_cum[theme]
            else:
                if circle in ("inner", "close", "active"):
                    hi, shape = last_day, 0.6  # steady, a little denser lately
                elif circle == "dormant":
                    hi, shape = max(lo + 30, last_day - rng.randrange(365, 2500)), 2.0  # faded long ago
                elif rand() < 0.5:
                    hi, shape = max(lo + 30, last_day - rng.randrange(60, 900)), 2.5  # fading
                else:
                    hi, shape = last_day, 1.0
                hi = min(hi, last_day)
                lo = min(lo, hi)
                span = hi - lo
                days = [lo + int(span * rand() ** shape) for _ in range(n)]
                pool_kind = kind_cum[circle if circle in ("inner", "close", "active") else "other"]
            slots = choices(slot_range, cum_weights=slot_cum, k=n)
            kind_list = choices(kinds, cum_weights=pool_kind, k=n)
            p_me = 0.3 + 0.4 * rand()
            mine = colleagues.get(p.jobs[-1][0], ()) if p.jobs else ()
            cohort = cohorts[theme] if theme else ()
            for day, slot, kind in zip(days, slots, kind_list, strict=True):
                if theme is not None:
                    pool = burst_pools[theme]
                    group_p = 0.4 if theme == "project" else 0.15
                else:
                    pool = general[(kind, p.gender)]
                    group_p = 0.5 if kind == "event" else 0.1 if kind == "meeting" else 0.02
                others: tuple[int, ...] = ()
                if rand() < group_p:
                    source = cohort if len(cohort) > 3 else mine if len(mine) > 2 else None
                    k = 1 + int(rand() * 4)
                    if source:
                        picked = {source[int(rand() * len(source))] for _ in range(k)}
                    else:
                        picked = {int(rand() * n_people) for _ in range(k)}
                    picked.discard(i)
                    others = tuple(picked)
                append(
                    (
                        day * _SLOTS_PER_DAY + slot,
                        i,
                        kind,
                        "me" if rand() < p_me else "them",
                        pool[int(rand() * len(pool))],
                        others,
                    )
                )
            done += n
            if done >= CHUNK:
                self.progress("interactions", len(events), self.m)
                done = 0
        self.progress("interactions", len(events), self.m)
        events.sort()
        # Time order: a person's last contact is the last event that names them.
        for key, i, _, _, _, others in events:
            people[i].last_key = key
            for o in others:
                people[o].last_key = key
        return events

    def make(self) -> _Network:
        orgs = self.organizations()
        people = self.make_people(orgs)
        tags, person_tags, fields, notes, dates = self.details(people)
        events = self.make_events(people, orgs)
        return _Network(people, orgs, tags, person_tags, fields, notes, dates, events)


def _cumulative(weights: Sequence[float]) -> list[float]:
    out, acc = [], 0.0
    for w in weights:
        acc += w
        out.append(acc)
    return out


def _pick(rng: random.Random, cum: list[float], n: int) -> int:
    from bisect import bisect

    return min(n - 1, bisect(cum, rng.random() * cum[-1]))


def _add_months(d: date, months: int) -> date:
    y, m = divmod(d.month - 1 + months, 12)
    return date(d.year + y, m + 1, 1)


def _month_day(rng: random.Random) -> tuple[int, int]:
    return rng.randrange(1, 13), rng.randrange(1, 29)


def _closeness(rng: random.Random, circle: str | None) -> int | None:
    ranges = {
        "inner": (85, 100),
        "close": (70, 90),
        "active": (50, 75),
        "network": (30, 55),
        "acquaintance": (10, 35),
        "dormant": (0, 20),
    }
    if circle is None:
        return None
    lo, hi = ranges[circle]
    return rng.randint(lo, hi)


# Writing ---------------------------------------------------------------------------------------------------


class _Writer:
    """Writes rows of positional tuples: ``?`` tuples on SQLite, named parameters elsewhere.

    Rows carry SQLite's storage text for times and dates; for other backends the columns named in ``times``
    and ``dates`` are turned back into aware datetimes and dates.
    """

    def __init__(self, db: Db, progress: Progress) -> None:
        self.db = db
        self.sqlite = isinstance(db, SqliteDb)
        self.progress = progress

    def write(
        self,
        table: str,
        cols: Sequence[str],
        rows: Iterable[tuple[Any, ...]],
        *,
        total: int | None = None,
        times: Sequence[str] = (),
        dates: Sequence[str] = (),
        stage: str | None = None,
    ) -> None:
        if self.sqlite:
            assert isinstance(self.db, SqliteDb)
            sql = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
            conn = self.db.conn
            batch: list[tuple[Any, ...]] = []
            done = 0
            for row in rows:
                batch.append(row)
                if len(batch) >= CHUNK:
                    conn.executemany(sql, batch)
                    done += len(batch)
                    batch = []
                    if stage and total:
                        self.progress(stage, done, total)
            if batch:
                conn.executemany(sql, batch)
                done += len(batch)
            if stage and total:
                self.progress(stage, done, total)
            return
        sql = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join(':' + c for c in cols)})"
        t_idx = [cols.index(c) for c in times]
        d_idx = [cols.index(c) for c in dates]
        batch_d: list[dict[str, Any]] = []
        for row in rows:
            values = list(row)
            for k in t_idx:
                if values[k] is not None:
                    values[k] = datetime.fromisoformat(values[k]).replace(tzinfo=UTC)
            for k in d_idx:
                if values[k] is not None:
                    values[k] = date.fromisoformat(values[k])
            batch_d.append(dict(zip(cols, values, strict=True)))
            if len(batch_d) >= 5000:
                self.db.executemany(sql, batch_d)
                batch_d = []
        if batch_d:
            self.db.executemany(sql, batch_d)


def _next_id(db: Db, table: str) -> int:
    return int(db.scalar(f"SELECT COALESCE(MAX(id), 0) FROM {table}")) + 1


def generate(
    db: Db,
    *,
    people: int = 300,
    interactions: int = 6000,
    seed: int = 7,
    today: date,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Fill an empty database with a demo network of ``people`` (plus me) and ``interactions``; the counts made."""
    if people < 1 or interactions < 0:
        raise Conflict("a demo needs at least one person and no negative number of interactions")
    report: Progress = progress or (lambda stage, done, total: None)
    if db.scalar("SELECT COUNT(*) FROM person"):
        raise Conflict(
            "this database already has people in it; the demo fills only an empty database",
            hint="run `dunbar demo` without --db (it uses the demo database), or give a new file",
        )
    net = _Maker(people=people, interactions=interactions, seed=seed, today=today, progress=report).make()
    restore = _bulk_pragmas(db)
    try:
        with db.transaction():
            counts = _write(db, net, today=today, seed=seed, progress=report)
    finally:
        restore()
    from dunbar.store import refresh_statistics

    refresh_statistics(db)  # the query planner needs to know the shape of what was just loaded
    if people <= 5000:
        counts.update(enrich(db, today=today, seed=seed))
    return counts


def _bulk_pragmas(db: Db) -> Callable[[], None]:
    """Settings for one big load on SQLite, put back afterwards.

    A bigger page cache; no fsync; a rollback journal in memory instead of the write-ahead log (which would
    write every new page twice); no foreign-key look-ups per row (the rows are consistent by construction).
    """
    if not isinstance(db, SqliteDb) or db.in_transaction:
        return lambda: None
    saved = {
        name: db.scalar(f"PRAGMA {name}") for name in ("cache_size", "synchronous", "foreign_keys", "journal_mode")
    }
    db.execute("PRAGMA cache_size = -524288")
    db.execute("PRAGMA synchronous = OFF")
    db.execute("PRAGMA foreign_keys = OFF")
    db.execute("PRAGMA journal_mode = MEMORY")

    def restore() -> None:
        db.execute(f"PRAGMA journal_mode = {saved['journal_mode']}")
        for name in ("cache_size", "synchronous", "foreign_keys"):
            db.execute(f"PRAGMA {name} = {int(saved[name])}")

    return restore


def _write(db: Db, net: _Network, *, today: date, seed: int, progress: Progress) -> dict[str, int]:
    w = _Writer(db, progress)
    base = today - timedelta(days=365 * HISTORY_YEARS)
    n_days = (today - base).days
    day_text = [(base + timedelta(days=k)).isoformat() for k in range(n_days + 1)]
    slot_text = [f" {s // 4:02d}:{(s % 4) * 15:02d}:00.000000" for s in range(_SLOTS_PER_DAY)]

    def ts(key: int) -> str:
        day, slot = divmod(key, _SLOTS_PER_DAY)
        return day_text[day] + slot_text[slot]

    def day_ts(day: int) -> str:
        return (base + timedelta(days=day)).isoformat() + " 12:00:00.000000"

    now_text = today.isoformat() + " 09:00:00.000000"
    now = datetime.fromisoformat(now_text).replace(tzinfo=UTC)
    rng = random.Random(seed * 7919 + 1)  # nosec B311  # demo data
    uid = rng.getrandbits

    batch_id = db.insert(
        "INSERT INTO batch (kind, format, path, started_at, finished_at, status, report) "
        "VALUES ('demo', NULL, NULL, :now, :now, 'applied', NULL) RETURNING id",
        {"now": now},
    )
    src = db.insert(
        "INSERT INTO source (batch_id, kind, label, created_at) VALUES (:b, 'demo', :label, :now) RETURNING id",
        {"b": batch_id, "label": f"dunbar demo (seed {seed})", "now": now},
    )

    # Organizations, tags.
    org0 = _next_id(db, "organization")
    w.write(
        "organization",
        ("id", "name", "name_fold", "created_at"),
        ((org0 + k, name, fold(name), now_text) for k, name in enumerate(net.orgs)),
        times=("created_at",),
    )
    tag0 = _next_id(db, "tag")
    w.write("tag", ("id", "name", "name_fold"), ((tag0 + k, t, fold(t)) for k, t in enumerate(net.tags)))

    # People: me first.
    p0 = _next_id(db, "person")
    me_id = p0
    for k, p in enumerate(net.people):
        p.id = p0 + 1 + k
    person_cols = (
        "id",
        "uid",
        "display_name",
        "name_fold",
        "given_name",
        "family_name",
        "location",
        "how_met",
        "circle",
        "closeness",
        "connected_on",
        "last_contact_at",
        "is_me",
        "source_id",
        "created_at",
        "updated_at",
    )
    me_row = (
        me_id,
        f"{uid(128):032x}",
        "Sam Lindqvist",
        "sam lindqvist",
        "Sam",
        "Lindqvist",
        "Berlin, Germany",
        None,
        None,
        None,
        None,
        None,
        True,
        src,
        now_text,
        now_text,
    )

    def person_rows() -> Iterable[tuple[Any, ...]]:
        yield me_row
        for p in net.people:
            connected = base + timedelta(days=p.connected)
            created = day_ts(max(0, p.connected))
            yield (
                p.id,
                f"{uid(128):032x}",
                p.name,
                fold(p.name),
                p.given,
                p.family,
                p.location,
                p.how_met,
                p.circle,
                p.closeness,
                connected.isoformat(),
                ts(p.last_key) if p.last_key >= 0 else None,
                False,
                src,
                created,
                created,
            )

    w.write(
        "person",
        person_cols,
        person_rows(),
        times=("last_contact_at", "created_at", "updated_at"),
        dates=("connected_on",),
    )
    db.execute("DELETE FROM setting WHERE key = 'me'")
    db.execute("INSERT INTO setting (key, value) VALUES ('me', :v)", {"v": json.dumps({"person_id": me_id})})

    # Identifiers.
    idents: list[tuple[Any, ...]] = [
        (me_id, "email", "sam@lindqvist.example", "sam@lindqvist.example", "home", True, src),
        (
            me_id,
            "linkedin",
            "https://www.linkedin.com/in/samlindqvist",
            "linkedin.com/in/samlindqvist",
            None,
            True,
            src,
        ),
    ]
    for p in net.people:
        for k, (value, label) in enumerate(p.emails):
            idents.append((p.id, "email", value, norm_email(value) or value.lower(), label, k == 0, src))
        if p.phone:
            idents.append((p.id, "phone", p.phone[0], p.phone[1], "mobile", True, src))
        if p.linkedin:
            idents.append((p.id, "linkedin", p.linkedin, norm_linkedin(p.linkedin) or p.linkedin, None, True, src))
    w.write("identifier", ("person_id", "kind", "value", "norm", "label", "is_primary", "source_id"), idents)

    # Employment, details.
    jobs = [
        (p.id, org0 + org, title, start.isoformat() if start else None, end.isoformat() if end else None, src)
        for p in net.people
        for org, title, start, end in p.jobs
    ]
    w.write(
        "employment",
        ("person_id", "organization_id", "title", "start_date", "end_date", "source_id"),
        jobs,
        dates=("start_date", "end_date"),
    )
    people = net.people
    w.write("person_tag", ("person_id", "tag_id"), ((people[i].id, tag0 + t) for i, t in net.person_tags))
    w.write("field", ("person_id", "key", "value", "source_id"), ((people[i].id, k, v, src) for i, k, v in net.fields))
    w.write(
        "important_date",
        ("person_id", "kind", "label", "year", "month", "day", "source_id"),
        ((people[i].id, kind, label, year, month, day, src) for i, kind, label, year, month, day in net.dates),
    )
    note0 = _next_id(db, "note")
    w.write(
        "note",
        ("id", "person_id", "body", "created_at", "source_id"),
        ((note0 + k, people[i].id, body, day_ts(day), src) for k, (i, body, day) in enumerate(net.notes)),
        times=("created_at",),
    )

    # Interactions and who took part, in time order. Their uids share a random prefix and count up, so the
    # unique index on uid grows at its end instead of being written all over (as unique as uuid4 hex).
    uid_prefix = f"{uid(80):020x}"
    deferred = defer_indexes(db, ("interaction", "participant", "search_doc"))
    i0 = _next_id(db, "interaction")
    events = net.events
    total = len(events)

    def interaction_rows() -> Iterable[tuple[Any, ...]]:
        for k, (key, _, kind, initiator, summary, others) in enumerate(events):
            at = ts(key)
            yield (
                i0 + k,
                f"{uid_prefix}{i0 + k:012x}",
                at,
                kind,
                initiator,
                summary,
                _GROUP_WEIGHT.get(len(others) + 1, 0.3) if others else 1.0,
                src,
                at,
            )

    w.write(
        "interaction",
        ("id", "uid", "occurred_at", "kind", "initiator", "summary", "weight", "source_id", "created_at"),
        interaction_rows(),
        total=total,
        times=("occurred_at", "created_at"),
        stage="writing interactions",
    )
    roles = {"email": ("to", "from"), "meeting": ("attendee", "attendee"), "event": ("attendee", "attendee")}

    def participant_rows() -> Iterable[tuple[int, int, str | None]]:
        for k, (_, i, kind, initiator, _, others) in enumerate(events):
            pair = roles.get(kind)
            role = (pair[0] if initiator == "me" else pair[1]) if pair else None
            yield (i0 + k, people[i].id, role)
            for o in others:
                yield (i0 + k, people[o].id, "attendee")

    n_participants = total + sum(len(e[5]) for e in events)
    w.write(
        "participant",
        ("interaction_id", "person_id", "role"),
        participant_rows(),
        total=n_participants,
        stage="writing participants",
    )
    _person_stats(db, net, base=base)
    n_follow_ups = _follow_ups(db, net, today=today, seed=seed, now=now)
    n_docs = bulk_index(db, net, person0=p0, note0=note0, interaction0=i0, progress=progress)
    progress("indexing", 0, len(deferred))
    for k, sql in enumerate(deferred):
        db.execute(sql)
        progress("indexing", k + 1, len(deferred))
    counts = {
        "people": len(people),
        "organizations": len(net.orgs),
        "employments": len(jobs),
        "identifiers": len(idents),
        "tags": len(net.tags),
        "person_tags": len(net.person_tags),
        "fields": len(net.fields),
        "important_dates": len(net.dates),
        "notes": len(net.notes),
        "interactions": total,
        "participants": n_participants,
        "follow_ups": n_follow_ups,
        "search_docs": n_docs,
    }
    db.execute(
        "UPDATE batch SET report = :r WHERE id = :id", {"r": json.dumps({"demo": counts, "seed": seed}), "id": batch_id}
    )
    if db.dialect == "postgresql":
        for table in ("organization", "tag", "person", "identifier", "employment", "field", "important_date"):
            _sync_sequence(db, table)
        for table in ("note", "interaction", "search_doc"):
            _sync_sequence(db, table)
    return counts


_FOLLOW_UPS = (
    "send the article on {topic}",
    "introduce {p_obj} to someone at {org}",
    "share the slides from the talk",
    "ask how the new role is going",
    "send the book recommendation",
    "follow up on the coffee invitation",
    "review {p_pos} CV",
)


def _follow_ups(db: Db, net: _Network, *, today: date, seed: int, now: datetime) -> int:
    """A few open promises to the closest people, some already due: the agenda's first lines.

    From a random generator of their own, so that adding them changed no other part of a seeded network."""
    rng = random.Random(seed * 31 + 5)  # nosec B311  # demo data
    close = [p for p in net.people if p.circle in ("inner", "close", "active")]
    if not close:
        return 0
    rows = []
    for k, p in enumerate(rng.sample(close, min(len(close), max(2, min(6, len(net.people) // 40))))):
        pronoun = {"f": "her", "m": "him", "x": "them"}[p.gender]
        text = rng.choice(_FOLLOW_UPS).format(
            topic=rng.choice(D.TOPICS),
            org=rng.choice(net.orgs[:40]),
            p_obj=pronoun,
            p_pos={"f": "her", "m": "his", "x": "their"}[p.gender],
        )
        due = today + timedelta(days=rng.randrange(-3, 1) if k < 2 else rng.randrange(1, 21))
        rows.append({"uid": f"{rng.getrandbits(128):032x}", "p": p.id, "due": due, "text": text, "now": now})
    db.executemany(
        "INSERT INTO follow_up (uid, person_id, interaction_id, due_on, text, status, created_at) "
        "VALUES (:uid, :p, NULL, :due, :text, 'open', :now)",
        rows,
    )
    return len(rows)


def _person_stats(db: Db, net: _Network, *, base: date) -> None:
    """Strength's running totals straight from the network in memory (reading a million rows back costs more)."""
    from dunbar import stats

    totals = stats.pending(db)
    add = totals.add
    people = net.people
    start = datetime.combine(base, time(), UTC)
    quarter = timedelta(minutes=15)
    for key, i, kind, initiator, _, others in net.events:
        at = start + quarter * key
        weight = _GROUP_WEIGHT.get(len(others) + 1, 0.3) if others else 1.0
        add(people[i].id, at, weight, initiator, kind)
        for o in others:
            add(people[o].id, at, weight, initiator, kind)
    totals.upsert(db)


def _sync_sequence(db: Db, table: str) -> None:
    """Explicit ids leave PostgreSQL's sequence behind; move it past them so later inserts do not collide."""
    db.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT COALESCE(MAX(id), 1) FROM {table}))")


def bulk_index(db: Db, net: _Network, *, person0: int, note0: int, interaction0: int, progress: Progress) -> int:
    """The search documents of the whole network, as ``dunbar.search`` would write them, in one pass.

    ``search.index_*`` reads each row back and folds it; here the text is still in memory and summaries repeat,
    so each distinct summary is folded once.
    """
    w = _Writer(db, progress)
    doc0 = _next_id(db, "search_doc")
    orgs = net.orgs
    me_body = fold("Sam Lindqvist Sam Lindqvist Berlin, Germany sam@lindqvist.example")
    rows: list[tuple[Any, ...]] = [(doc0, "person", person0, person0, me_body)]
    for p in net.people:
        parts = [p.name, p.given, p.family, p.location, p.how_met]
        for org, title, _, _ in p.jobs:
            parts += (orgs[org], title)
        parts += (value for value, _ in p.emails)
        rows.append((doc0 + len(rows), "person", p.id, p.id, fold(" ".join(parts))))
    people = net.people
    for k, (i, body, _) in enumerate(net.notes):
        rows.append((doc0 + len(rows), "note", note0 + k, people[i].id, fold(body)))
    # FTS5 fed by the per-row trigger makes a tiny index segment per statement and then merges them (20 s for a
    # million rows here); fed by one INSERT … SELECT it builds the index in memory (about 1.5 s).
    trigger = _suspend_fts_trigger(db)
    w.write("search_doc", ("id", "kind", "ref_id", "person_id", "body"), rows)
    folded: dict[str, str] = {}
    start = doc0 + len(rows)
    events = net.events

    def interaction_docs() -> Iterable[tuple[Any, ...]]:
        for k, ev in enumerate(events):
            summary = ev[4]
            body = folded.get(summary)
            if body is None:
                body = folded[summary] = fold(summary)
            yield (start + k, "interaction", interaction0 + k, None, body)

    w.write(
        "search_doc",
        ("id", "kind", "ref_id", "person_id", "body"),
        interaction_docs(),
        total=len(events),
        stage="indexing",
    )
    if trigger is not None:
        db.execute(
            "INSERT INTO search_fts (rowid, body) SELECT id, body FROM search_doc WHERE id >= :first", {"first": doc0}
        )
        db.execute(trigger)
    return len(rows) + len(events)


def _suspend_fts_trigger(db: Db) -> str | None:
    """Drop the trigger that copies new search documents into SQLite's FTS5 index; the SQL to recreate it.

    Only inside the caller's transaction: a failure rolls the drop back with everything else.
    """
    if db.dialect != "sqlite":
        return None
    assert db.in_transaction
    sql = db.scalar("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'search_doc_ai'")
    if sql is None:
        return None
    db.execute("DROP TRIGGER search_doc_ai")
    return str(sql)


# The rest of the story ------------------------------------------------------------------------------------------

_NEEDS = (
    "a job in product management",
    "advice on raising a seed round",
    "an intro to someone at a climate startup",
    "hiring a data scientist",
    "feedback on my portfolio",
    "a mentor in engineering management",
    "help moving to Kubernetes",
    "a UX designer for a side project",
)
_OFFERS = (
    "advice on machine learning",
    "intros to early-stage investors",
    "reviewing CVs for engineering roles",
    "k8s and platform engineering",
    "product management coaching",
    "design critique",
)
_STAGES = (("cold", ("applied", "ghosted")), ("referral", ("applied", "screen", "interview")),
           ("warm-intro", ("applied", "screen", "interview", "offer")), ("cold", ("applied", "rejected")),
           ("recruiter", ("screen",)), ("cold", ("applied",)))  # fmt: skip


def enrich(db: Db, *, today: date, seed: int = 7) -> dict[str, int]:
    """Favours, offers and needs, a job search and inferred ties for a demo network, through the same services a
    user's own actions use, so that `dunbar balance`, `match`, `jobs board` and `path` have something to show.

    Kept small and only for networks of a demo's size (it goes through the services one record at a time)."""
    import random

    from dunbar import jobs, ledger, offers, ties

    rng = random.Random(seed * 7919)  # nosec B311  # demo data
    now = datetime.combine(today, datetime.min.time(), UTC).replace(hour=12)
    me = db.scalar("SELECT id FROM person WHERE is_me = :t", {"t": True})
    close = [r[0] for r in db.rows(
        "SELECT id FROM person WHERE is_me = :f AND circle IN ('inner', 'close', 'active') ORDER BY id", {"f": False}
    )]  # fmt: skip
    if me is None or len(close) < 12:
        return {}
    counts = {"favours": 0, "offers_needs": 0, "opportunities": 0}
    kinds = ("introduction", "advice", "referral", "feedback", "recommendation", "job-lead")
    for pid in rng.sample(close, min(len(close), 18)):
        ledger.record(db, person_id=pid, direction=rng.choice(("given", "received", "received")),
                      kind=rng.choice(kinds), weight=rng.choice((1, 2, 2, 3)),
                      on=today - timedelta(days=rng.randint(20, 400)), now=now)  # fmt: skip
        counts["favours"] += 1
    for text in rng.sample(_OFFERS, 3):
        offers.add(db, me, "offer", text, since=today - timedelta(days=30), now=now)
        counts["offers_needs"] += 1
    offers.add(db, me, "need", "a job in product management", since=today - timedelta(days=10), now=now)
    counts["offers_needs"] += 1
    for pid in rng.sample(close, min(len(close), 10)):
        offers.add(db, pid, "need", rng.choice(_NEEDS), since=today - timedelta(days=rng.randint(1, 60)), now=now)
        offers.add(db, pid, "offer", rng.choice(_OFFERS), since=today - timedelta(days=rng.randint(1, 60)), now=now)
        counts["offers_needs"] += 2
    orgs = [r[0] for r in db.rows("SELECT name FROM organization ORDER BY id LIMIT 12")]
    for i, (channel, stages) in enumerate(_STAGES):
        org = orgs[i % len(orgs)]
        start = today - timedelta(days=rng.randint(20, 70))
        people_ = [(close[i], "referrer")] if channel in ("referral", "warm-intro") else []
        opp = jobs.add(db, org=org, role=rng.choice(("Product Manager", "Senior Product Manager", "Group PM")),
                       channel=channel, stage="saved", on=start - timedelta(days=3), people=people_, now=now)  # fmt: skip
        day = start
        for stage in stages:
            jobs.move(db, opp, stage, on=day, now=now)
            day += timedelta(days=rng.randint(4, 15))
        counts["opportunities"] += 1
    jobs.add_target(db, orgs[-1], why="a team I would love to learn from", now=now)
    counts.update({f"ties_{k}": v for k, v in ties.infer(db, now=now).items() if isinstance(v, int)})
    return counts

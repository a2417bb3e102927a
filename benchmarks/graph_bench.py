"""Graph benchmarks: ``dunbar path --to ORG`` and ``dunbar who-knows ORG`` on 100,000 people and 1,000,000 ties,
and the same path search with networkx on the same graph, side by side in one run.

    .venv/bin/python -m benchmarks.run --only graph            # 100,000 people, 1,000,000 ties
    .venv/bin/python -m benchmarks.run --only graph --quick    # 10,000 people, 100,000 ties

The database is written directly (executemany into a freshly migrated SQLite file): people with a current job at
one of 3,000 organizations (and a past job for a third of them), random ties with strengths and last-seen dates,
and me in touch with 300 people (``person_stats`` rows, which is what ``dunbar.strength`` reads). It is cached
under benchmarks/out/ (delete it to rebuild).

The networkx reference is a child process too: it reads every tie and my contacts' strengths from the same file,
builds an ``nx.Graph`` with costs ``-log(weight)``, joins the organization's people to one extra end node and
runs ``nx.shortest_path`` (Dijkstra) from me. That is what "just use networkx" costs; ``dunbar path`` loads only
the ties a 3-hop search can use and runs its own hop-bounded A* (``dunbar.scoring.paths``).
"""

from __future__ import annotations

import random
import sqlite3
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from benchmarks.common import OUT, ROOT, TODAY, Case, Context, benchmark, dunbar_exe

GROUP = "graph"
SEED = 11
ORGS = 3_000
CONTACTS = 300


@dataclass(frozen=True)
class Size:
    people: int
    ties: int


FULL = Size(100_000, 1_000_000)
QUICK = Size(10_000, 100_000)


def db_path(size: Size) -> Path:
    return OUT / f"graph-{size.people}-{size.ties}-s{SEED}.db"


def _ts(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def build(size: Size) -> Path:
    """Write the benchmark network (once)."""
    path = db_path(size)
    if path.exists():
        return path
    sys.path.insert(0, str(ROOT / "src"))
    from dunbar.scoring.stats import decay_term
    from dunbar.store import open_db
    from dunbar.text import fold

    OUT.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".part")
    tmp.unlink(missing_ok=True)
    print(f"building {path.name} ({size.people:,} people, {size.ties:,} ties)…", file=sys.stderr)
    open_db(f"sqlite:///{tmp}", create=True).close()
    rng = random.Random(SEED)
    now = datetime(2026, 11, 25, 12, tzinfo=UTC)
    stamp = _ts(now)
    conn = sqlite3.connect(tmp)
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA journal_mode = MEMORY")
    with conn:
        conn.executemany(
            "INSERT INTO organization (id, name, name_fold, created_at) VALUES (?, ?, ?, ?)",
            [(i, f"Org {i:04d}", f"org {i:04d}", stamp) for i in range(1, ORGS + 1)],
        )
        conn.execute(
            "INSERT INTO person (id, uid, display_name, name_fold, is_me, created_at, updated_at) "
            "VALUES (1, 'me', 'Me Myself', 'me myself', 1, ?, ?)",
            (stamp, stamp),
        )
        persons, jobs = [], []
        for pid in range(2, size.people + 2):
            name = f"Person {pid:06d}"
            persons.append((pid, f"u{pid}", name, fold(name), 0, stamp, stamp))
            start = 2010 + rng.randrange(16)
            jobs.append((pid, rng.randrange(1, ORGS + 1), "Engineer", f"{start}-03-01", None))
            if rng.random() < 0.33:
                jobs.append((pid, rng.randrange(1, ORGS + 1), "Analyst", f"{start - 6}-01-01", f"{start - 1}-12-31"))
        conn.executemany(
            "INSERT INTO person (id, uid, display_name, name_fold, is_me, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            persons,
        )
        conn.executemany(
            "INSERT INTO employment (person_id, organization_id, title, start_date, end_date) VALUES (?, ?, ?, ?, ?)",
            jobs,
        )
        stats = []
        for pid in rng.sample(range(2, size.people + 2), CONTACTS):
            n = rng.randrange(1, 40)
            last = now - timedelta(days=rng.randrange(1, 400))
            first = last - timedelta(days=rng.randrange(0, 2000))
            decay = sum(decay_term(last - timedelta(days=7 * i), 1.0, 90.0) for i in range(n))
            stats.append((pid, n, n // 2, n - n // 2, float(n), decay, 90.0, 3, _ts(first), _ts(last)))
        conn.executemany(
            "INSERT INTO person_stats (person_id, n_total, n_me, n_them, weight_total, decay_sum, half_life_days, "
            "kinds_mask, first_at, last_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            stats,
        )
        pairs: set[tuple[int, int]] = set()
        hi = size.people + 1
        while len(pairs) < size.ties:
            a, b = rng.randrange(2, hi + 1), rng.randrange(2, hi + 1)
            if a != b:
                pairs.add((a, b) if a < b else (b, a))
        day0 = datetime(2015, 1, 1).toordinal()
        conn.executemany(
            "INSERT INTO tie (person_a_id, person_b_id, kind, how, strength, evidence, status, since, last_seen, "
            "created_at, updated_at) VALUES (?, ?, 'inferred', 'worked together', ?, '[]', 'active', NULL, ?, ?, ?)",
            (
                (a, b, round(rng.uniform(0.05, 0.95), 3), _date(day0 + rng.randrange(4300)), stamp, stamp)
                for a, b in sorted(pairs)
            ),
        )
    conn.execute("ANALYZE")
    conn.close()
    tmp.rename(path)
    return path


def _date(ordinal: int) -> str:
    return datetime.fromordinal(ordinal).date().isoformat()


def target_org(path: Path) -> str:
    """An organization of typical size (the median number of current employees among those with any)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = conn.execute(
            "SELECT o.name, COUNT(*) FROM employment e JOIN organization o ON o.id = e.organization_id "
            "WHERE e.end_date IS NULL GROUP BY o.id ORDER BY COUNT(*), o.id"
        ).fetchall()
    finally:
        conn.close()
    return str(rows[len(rows) // 2][0])


NX_SCRIPT = r"""
import math, sqlite3, sys
from datetime import UTC, date, datetime
import networkx as nx
from dunbar import strength
from dunbar.scoring import paths as P
from dunbar.store import open_db

path, org, today = sys.argv[1], sys.argv[2], date.fromisoformat(sys.argv[3])
now = datetime(today.year, today.month, today.day, 12, tzinfo=UTC)
db = open_db(f"sqlite:///{path}")
conn = db.conn
g = nx.Graph()
for a, b, s, seen in conn.execute("SELECT person_a_id, person_b_id, strength, last_seen FROM tie WHERE status <> 'rejected'"):
    days = None if seen is None else (today - date.fromisoformat(seen)).days
    g.add_edge(a, b, cost=P.cost(P.tie_weight(s, days_since_seen=days)))
me = conn.execute("SELECT id FROM person WHERE is_me = 1").fetchone()[0]
ids = [r[0] for r in conn.execute("SELECT person_id FROM person_stats")]
for pid, s in strength.scores(db, now=now, person_ids=ids).items():
    if s >= 1:
        g.add_edge(me, pid, cost=P.cost(P.first_hop_weight(s)))
end = "END"
for (pid,) in conn.execute(
    "SELECT e.person_id FROM employment e JOIN organization o ON o.id = e.organization_id "
    "WHERE o.name = ? AND e.end_date IS NULL", (org,)
):
    g.add_edge(pid, end, cost=0.0)
found = nx.shortest_path(g, me, end, weight="cost")
print(len(found) - 2)
"""


def _run(argv: list[str]) -> tuple[float, str]:
    started = time.perf_counter()
    proc = subprocess.run(argv, capture_output=True, text=True, check=False)
    took = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError((proc.stderr.strip().splitlines() or [f"exit {proc.returncode}"])[-1])
    return took, proc.stdout


class _Memo:
    figures: dict[str, Any] = {}  # noqa: RUF012  (one run's shared figures)


def _size(ctx: Context) -> Size:
    return QUICK if ctx.quick else FULL


def _setup(ctx: Context) -> tuple[Path, str]:
    key = f"setup-{ctx.quick}"
    if key not in _Memo.figures:
        path = build(_size(ctx))
        _Memo.figures[key] = (path, target_org(path))
    return _Memo.figures[key]  # type: ignore[no-any-return]


def _times(ctx: Context, name: str, argv: list[str], runs: int) -> tuple[list[float], str]:
    key = f"{name}-{ctx.quick}"
    if key not in _Memo.figures:
        _run(argv)  # warm-up: the file in the page cache
        results = [_run(argv) for _ in range(runs)]
        _Memo.figures[key] = ([t for t, _ in results], results[-1][1])
    return _Memo.figures[key]  # type: ignore[no-any-return]


def _path_argv(ctx: Context) -> list[str]:
    path, org = _setup(ctx)
    return [dunbar_exe(), "--db", str(path), "--today", TODAY, "path", "--to", org, "--json"]


def _nx_argv(ctx: Context) -> list[str]:
    path, org = _setup(ctx)
    return [sys.executable, "-c", NX_SCRIPT, str(path), org, TODAY]


def _measured(times: list[float], **kw: Any) -> Case:
    from benchmarks.import_bench import Measured

    return Measured(argv=[], runs=len(times), warmup=False, times=times, **kw)


@benchmark(f"{GROUP}-path", target=0.5, description="dunbar path --to ORG: 3 warm paths, 100,000 people, 1M ties")
def path_org(ctx: Context) -> Case:
    import json

    times, out = _times(ctx, "path", _path_argv(ctx), ctx.runs)
    found = json.loads(out)["paths"]
    note = f"{len(found)} paths, best: {found[0]['hops']} hops" if found else "no path found"
    return _measured(times, note=note, failure=None if found else "no path found")


@benchmark(f"{GROUP}-path-networkx", target=0.0, description="reference: the whole graph in networkx + Dijkstra")
def path_networkx(ctx: Context) -> Case:
    times, out = _times(ctx, "networkx", _nx_argv(ctx), max(1, min(ctx.runs, 3)))
    return _measured(times, reference=True, note=f"best path {out.strip()} hops, whole process")


@benchmark(f"{GROUP}-path-vs-networkx", target=0.0, description="dunbar path faster than the networkx reference")
def path_vs_networkx(ctx: Context) -> Case:
    ours, _ = _times(ctx, "path", _path_argv(ctx), ctx.runs)
    ref, _ = _times(ctx, "networkx", _nx_argv(ctx), max(1, min(ctx.runs, 3)))
    ratio = statistics.median(ref) / statistics.median(ours)
    return _measured(
        ours,
        target=statistics.median(ref),
        note=f"{ratio:.0f}× faster than networkx ({statistics.median(ref):.2f} s)",
        figures={"ours": statistics.median(ours), "networkx": statistics.median(ref), "speedup": ratio},
    )


@benchmark(f"{GROUP}-who-knows", target=0.3, description="dunbar who-knows ORG: 1st and 2nd degree, ranked")
def who_knows(ctx: Context) -> Case:
    path, org = _setup(ctx)
    argv = [dunbar_exe(), "--db", str(path), "--today", TODAY, "who-knows", org, "--json"]
    times, _ = _times(ctx, "who-knows", argv, ctx.runs)
    return _measured(times)


@benchmark(f"{GROUP}-startup", target=0.0, description="reference: dunbar --version (the floor under every row)")
def startup(ctx: Context) -> Case:
    times, _ = _times(ctx, "startup", [dunbar_exe(), "--version"], ctx.runs)
    return _measured(times, reference=True, note="process start and CLI imports, no database")

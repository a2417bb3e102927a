"""Every page of the web app, one request at a time, against uvicorn serving the 30,000-person / 1,000,000-
interaction database: how long each page takes to render (issue 5: at most 100 ms).

One client on loopback asks for each page route ``--rounds`` times in turn (round-robin over the routes, so a
page's cache is as warm or as cold as a user's clicking leaves it) and reports per route the first request, the
median, p95 and the maximum. Routes about one person cycle through a sample of people: some of the inner circle
(the longest histories) and some drawn at random.

    .venv/bin/python -m benchmarks.web_pages                   # copies the cached 30k/1M database to /tmp
    .venv/bin/python -m benchmarks.web_pages --only people-strength --only give --rounds 10
    .venv/bin/python -m benchmarks.run --only page             # the same figures as rows of the runner

"first" is the request after the server started (nothing cached yet); the verdict is on the median.

``--cold`` times each page a second time, "cold": before every timed request the benchmark logs an interaction
through the service (``interactions.log_interaction`` on the served file, as the CLI would), so whatever the
app keeps while the data does not change is worked out again; the table shows the cold median beside the warm.

    .venv/bin/python -m benchmarks.web_pages --cold --only people-strength --only settings-circles
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.api_load import HOST, SERVER, free_port, percentile, wait_ready
from benchmarks.common import Case as BenchCase
from benchmarks.common import Context, benchmark, stop
from benchmarks.web_load import prepare

TARGET_MS = 100.0
PEOPLE_SAMPLE = 24  # people the per-person routes cycle through (a third from the inner circle)


@dataclass(frozen=True)
class Sample:
    """Values from the database the routes ask about."""

    people: list[int]
    organization: str
    name: str
    word: str


def sample(db: Path, seed: int) -> Sample:
    rng = random.Random(seed)
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        live = "deleted_at IS NULL AND merged_into_id IS NULL AND is_me = 0"
        inner = [r[0] for r in conn.execute(f"SELECT id FROM person WHERE {live} AND circle = 'inner' ORDER BY id")]
        everyone = [r[0] for r in conn.execute(f"SELECT id FROM person WHERE {live}")]
        org = conn.execute(
            "SELECT o.name FROM organization o JOIN employment e ON e.organization_id = o.id "
            "GROUP BY o.id ORDER BY count(*) DESC, o.id LIMIT 1"
        ).fetchone()
        name = conn.execute(
            f"SELECT display_name FROM person WHERE {live} AND circle = 'network' AND display_name NOT IN "
            "(SELECT display_name FROM person GROUP BY display_name HAVING count(*) > 1) ORDER BY id LIMIT 1"
        ).fetchone()
    third = PEOPLE_SAMPLE // 3
    chosen = rng.sample(inner, min(third, len(inner))) + rng.sample(everyone, PEOPLE_SAMPLE - min(third, len(inner)))
    rng.shuffle(chosen)
    return Sample(people=chosen, organization=org[0] if org else "", name=name[0] if name else "", word="berlin")


Paths = Callable[[Sample, int], str]


def _person(suffix: str) -> Paths:
    return lambda s, k: f"/people/{s.people[k % len(s.people)]}{suffix}"


def _q(path: str, **params: str) -> str:
    return f"{path}?{urllib.parse.urlencode(params)}"


# name -> (what it is, the address of its k-th request)
ROUTES: dict[str, tuple[str, Paths]] = {
    "home": ("GET /: Today, the start page", lambda s, k: "/"),
    "today": ("GET /today", lambda s, k: "/today"),
    "today-dormant": ("GET /today/dormant: ties worth reviving", lambda s, k: "/today/dormant"),
    "people": ("GET /people: by name", lambda s, k: "/people"),
    "people-page2": ("GET /people?offset=50 (htmx rows)", lambda s, k: "/people?offset=50"),
    "people-last-contact": ("GET /people?sort=last-contact", lambda s, k: "/people?sort=last-contact"),
    "people-strength": ("GET /people?sort=strength", lambda s, k: "/people?sort=strength"),
    "people-strength-page3": ("GET /people?sort=strength&offset=100", lambda s, k: "/people?sort=strength&offset=100"),
    "people-circle": ("GET /people?circle=close&sort=strength", lambda s, k: "/people?circle=close&sort=strength"),
    "people-overdue": ("GET /people?overdue=90 (not contacted in 90 days)", lambda s, k: "/people?overdue=90"),
    "people-search": ("GET /people?q=berlin: search", lambda s, k: _q("/people", q=s.word)),
    "person": ("GET /people/{id}: the person page", _person("")),
    "person-strength": ("GET /people/{id}/strength: score, why, history", _person("/strength")),
    "person-follow-ups": ("GET /people/{id}/follow-ups", _person("/follow-ups")),
    "person-give": ("GET /people/{id}/give: the balance", _person("/give")),
    "person-section": ("GET /people/{id}/section/details?edit=true (htmx)", _person("/section/details?edit=true")),
    "person-timeline": ("GET /people/{id}/timeline (older)", _person("/timeline?before=2025-01-01T00:00:00Z")),
    "log": ("GET /log", lambda s, k: "/log"),
    "log-suggest": ("GET /log/suggest?who=an", lambda s, k: "/log/suggest?who=an"),
    "give": ("GET /give: the favour ledger", lambda s, k: "/give"),
    "give-offers": ("GET /give/offers", lambda s, k: "/give/offers"),
    "give-matches": ("GET /give/matches", lambda s, k: "/give/matches"),
    "network": ("GET /network", lambda s, k: "/network"),
    "network-org": ("GET /network?org=…: who knows an organization", lambda s, k: _q("/network", org=s.organization)),
    "network-to": ("GET /network?to=…: paths to a person", lambda s, k: _q("/network", to=s.name)),
    "network-ties": ("GET /network/ties/{id}", lambda s, k: f"/network/ties/{s.people[k % len(s.people)]}"),
    "jobs": ("GET /jobs: the job board", lambda s, k: "/jobs"),
    "import": ("GET /import: upload, history, review", lambda s, k: "/import"),
    "settings": ("GET /settings", lambda s, k: "/settings"),
    "settings-circles": ("GET /settings/circles: suggested circles", lambda s, k: "/settings/circles"),
    "calendar": ("GET /calendar.ics: the feed", lambda s, k: "/calendar.ics"),
    "welcome": ("GET /welcome", lambda s, k: "/welcome"),
}


# Asked for as htmx asks (a fragment; without the header these answer with a redirect to the whole page).
HTMX = frozenset({"person-section", "people-page2"})


def fetch(conn: http.client.HTTPConnection, path: str, *, htmx: bool = False) -> tuple[float, int, int]:
    """One GET on a keep-alive connection: (seconds, status, body bytes)."""
    headers = {"Host": f"{HOST}:{conn.port}", **({"HX-Request": "true"} if htmx else {})}
    started = time.perf_counter()
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    body = response.read()
    return time.perf_counter() - started, response.status, len(body)


def _writer(served: Path, people: list[int]) -> tuple[Callable[[int], None], Callable[[], None]]:
    """A small write to the served database (the k-th: one interaction logged through the service), and how to
    close the handle it writes with."""
    from datetime import UTC, datetime, timedelta

    from dunbar import interactions
    from dunbar.store import open_db

    handle = open_db(f"sqlite:///{served.resolve()}")

    def write(k: int) -> None:
        now = datetime.now(UTC)
        interactions.log_interaction(
            handle,
            summary=f"benchmark write {k}",
            people=[people[k % len(people)]],
            kind="call",
            occurred_at=now - timedelta(minutes=1),
            now=now,
        )

    return write, handle.close


def measure(
    names: list[str],
    *,
    db: Path | None = None,
    copy: bool = False,
    rounds: int = 15,
    seed: int = 7,
    cold: bool = False,
) -> dict[str, dict[str, Any]]:
    """Each named route ``rounds`` times, round-robin, one client; per route its figures (times in ms).

    ``cold``: a small write (one interaction logged) before every timed request, not timed itself."""
    with tempfile.TemporaryDirectory(prefix="dunbar-web-pages-") as work:
        served = prepare(db, Path(work), copy=copy)
        s = sample(served, seed)
        port = free_port()
        server = subprocess.Popen([sys.executable, "-c", SERVER, f"sqlite:///{served.resolve()}", str(port)])
        times: dict[str, list[float]] = {n: [] for n in names}
        failures: dict[str, list[str]] = {n: [] for n in names}
        sizes: dict[str, int] = {}
        try:
            import asyncio

            asyncio.run(wait_ready(f"http://{HOST}:{port}", timeout=180))
            conn = http.client.HTTPConnection(HOST, port, timeout=120)
            write, close = _writer(served, s.people) if cold else (None, None)
            for k in range(rounds):
                for i, name in enumerate(names):
                    path = ROUTES[name][1](s, k)
                    if write is not None:
                        write(k * len(names) + i)
                    took, status, size = fetch(conn, path, htmx=name in HTMX)
                    times[name].append(took)
                    sizes[name] = max(sizes.get(name, 0), size)
                    if status != 200:
                        failures[name].append(f"{status} {path}")
            conn.close()
            if close is not None:
                close()
        finally:
            stop(server)
    return {
        n: {
            "description": ROUTES[n][0],
            "requests": len(times[n]),
            "first_ms": round(times[n][0] * 1000, 1),
            "median_ms": round(statistics.median(times[n]) * 1000, 1),
            "p95_ms": round(percentile(times[n], 95) * 1000, 1),
            "max_ms": round(max(times[n]) * 1000, 1),
            "kb": round(sizes.get(n, 0) / 1024, 1),
            "failures": len(failures[n]),
            "first_failures": failures[n][:3],
            "times": times[n],
        }
        for n in names
    }


def _ok(m: dict[str, Any]) -> bool:
    return not m["failures"] and m["median_ms"] <= TARGET_MS


def _note(m: dict[str, Any]) -> str:
    return "pass" if _ok(m) else "SLOW" if not m["failures"] else f"{m['failures']} failed: {m['first_failures'][0]}"


def table(report: dict[str, dict[str, Any]], cold: dict[str, dict[str, Any]] | None = None) -> str:
    """The figures of each page; with ``cold``, its cold median and p95 beside them (and the verdict on both)."""
    head = f"{'page':<22} {'first':>7} {'median':>7} {'p95':>7} {'max':>7} {'KB':>6}"
    if cold is not None:
        head += f" {'cold':>7} {'c-p95':>7}"
    lines = [head + "  result (ms; target median ≤ 100)"]
    for name, m in report.items():
        line = f"{name:<22} {m['first_ms']:>7.1f} {m['median_ms']:>7.1f} {m['p95_ms']:>7.1f} {m['max_ms']:>7.1f}"
        line += f" {m['kb']:>6.1f}"
        note = _note(m)
        if cold is not None:
            c = cold[name]
            line += f" {c['median_ms']:>7.1f} {c['p95_ms']:>7.1f}"
            if note == "pass" and not _ok(c):
                note = "SLOW cold" if not c["failures"] else _note(c)
        lines.append(f"{line}  {note}")
    return "\n".join(lines)


# Rows of ``python -m benchmarks.run`` (the page group): one server and one copy of the database for all of them.

_MEMO: dict[Path, dict[str, dict[str, Any]]] = {}
ROUNDS = 15


def _page_case(ctx: Context, name: str) -> BenchCase:
    from benchmarks.import_bench import Measured

    db = ctx.ensure_db()
    if db not in _MEMO:
        _MEMO[db] = measure(list(ROUTES), db=db, copy=True, rounds=ROUNDS)
    m = _MEMO[db][name]
    note = f"first {m['first_ms']:.0f} / p95 {m['p95_ms']:.0f} ms"
    failure = f"{m['failures']} requests failed ({m['first_failures'][0]})" if m["failures"] else None
    figures = {k: v for k, v in m.items() if k != "times"}
    return Measured(
        argv=[], runs=len(m["times"]), warmup=False, times=m["times"], note=note, failure=failure, figures=figures
    )


def _register(name: str) -> None:
    def make(ctx: Context) -> BenchCase:
        return _page_case(ctx, name)

    benchmark(f"page-{name}", target=TARGET_MS / 1000, description=f"web page: {ROUTES[name][0]}")(make)


for _name in ROUTES:
    _register(_name)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", type=Path, help="a dunbar SQLite database (default: a /tmp copy of the cached 30k/1M)")
    ap.add_argument("--only", action="append", choices=list(ROUTES), metavar="PAGE", help="only these pages")
    ap.add_argument("--rounds", type=int, default=15, help="requests per page (default 15)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--cold", action="store_true", help="time each page again after a small write before every request")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = ap.parse_args(argv)
    names = args.only or list(ROUTES)
    report = measure(names, db=args.db, copy=args.cold, rounds=args.rounds, seed=args.seed)
    cold = measure(names, db=args.db, copy=True, rounds=args.rounds, seed=args.seed, cold=True) if args.cold else None
    if args.json:
        out: dict[str, Any] = {n: {k: v for k, v in m.items() if k != "times"} for n, m in report.items()}
        if cold is not None:
            out = {"warm": out, "cold": {n: {k: v for k, v in m.items() if k != "times"} for n, m in cold.items()}}
        print(json.dumps(out, indent=2))
    else:
        print(table(report, cold))
        how = "; cold: one interaction logged before every request" if cold is not None else ""
        print(f"one client on loopback; {args.rounds} requests per page, round-robin{how}", file=sys.stderr)
    passed = all(_ok(m) for m in report.values()) and all(_ok(m) for m in (cold or {}).values())
    return 0 if passed else 1


if __name__ == "__main__":
    raise SystemExit(main())

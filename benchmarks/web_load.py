"""Load on the web app: the person page, the agenda (Today, at /) and ``GET /api/v1/people/{id}`` against uvicorn
serving the 30,000-person / 1,000,000-interaction database, at 16 concurrent keep-alive clients on loopback.

A bounded load generator (``benchmarks.api_load``'s minimal asyncio HTTP/1.1 client): each run fires a fixed
number of requests after a warm-up and stops by itself after at most ``--max-seconds``. Each case runs ``--runs``
times (default 3) and the medians of the runs are reported: p50/p95/p99 latency, throughput and the server's CPU
time per request (to tell server cost from generator cost on a 2-core machine).

    .venv/bin/python -m benchmarks.web_load                     # copies the cached 30k/1M database to /tmp
    .venv/bin/python -m benchmarks.web_load --db /tmp/big.db --only person --runs 1

Targets (issue 5): person page and agenda p95 at most 50 ms; the JSON API at least 300 requests/s.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.api_load import HOST, SERVER, _cpu_seconds, _get, free_port, percentile, wait_ready
from benchmarks.common import Case as BenchCase
from benchmarks.common import Context, benchmark, stop

ROOT = Path(__file__).resolve().parents[1]
CACHED = ROOT / "benchmarks" / "out" / "demo-30000-1000000-s7.db"
CONCURRENCY = 16
P95_TARGET_MS = 50.0
RPS_TARGET = 300.0


@dataclass(frozen=True)
class Case:
    name: str
    description: str
    requests: int  # measured requests per run
    paths: Callable[[list[int], random.Random, int], list[str]]


def _people_paths(prefix: str) -> Callable[[list[int], random.Random, int], list[str]]:
    return lambda ids, rng, n: [f"{prefix}{pid}" for pid in rng.choices(ids, k=n)]


CASES = {
    "person": Case("person", "GET /people/{id}: the person page", 1500, _people_paths("/people/")),
    "agenda": Case("agenda", "GET /: Today, the agenda", 400, lambda ids, rng, n: ["/"] * n),
    "api": Case("api", "GET /api/v1/people/{id}: one person as JSON", 2000, _people_paths("/api/v1/people/")),
}


async def fire(
    port: int, paths: list[str], concurrency: int, max_seconds: float
) -> tuple[list[float], list[str], float]:
    """Request ``paths`` from ``concurrency`` keep-alive connections; (latencies in s, failures, wall time)."""
    queue = list(reversed(paths))
    latencies: list[float] = []
    failures: list[str] = []
    deadline = time.monotonic() + max_seconds

    async def worker() -> None:
        reader, writer = await asyncio.open_connection(HOST, port)
        try:
            while queue and time.monotonic() < deadline:
                path = queue.pop()
                request = f"GET {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\n\r\n".encode()
                start = time.perf_counter()
                status = await _get(reader, writer, request)
                latencies.append(time.perf_counter() - start)
                if status != 200:
                    failures.append(f"{status} {path}")
        finally:
            writer.close()

    began = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return latencies, failures, time.perf_counter() - began


def prepare(db: Path | None, workdir: Path, *, copy: bool = False) -> Path:
    """The database to serve: a copy of the cached big one (or of ``db`` with ``copy``; opening migrates it),
    with strength statistics."""
    if db is None:
        if not CACHED.exists():
            raise SystemExit(f"no cached database at {CACHED}; run `python -m benchmarks.run --only demo` once")
        db, copy = CACHED, True
    if copy:
        target = workdir / db.name
        shutil.copy2(db, target)
        db = target
    from dunbar import stats
    from dunbar.store import open_db

    with open_db(f"sqlite:///{db.resolve()}") as handle:
        if not handle.scalar("SELECT count(*) FROM person_stats"):
            stats.recompute(handle)
    return db


def live_people(db: Path) -> list[int]:
    with sqlite3.connect(db) as conn:
        return [r[0] for r in conn.execute("SELECT id FROM person WHERE deleted_at IS NULL AND is_me = 0")]


def run_case(
    port: int, pid: int, case: Case, ids: list[int], *, seed: int, warmup: int, max_seconds: float
) -> dict[str, Any]:
    rng = random.Random(seed)
    asyncio.run(fire(port, case.paths(ids, rng, warmup), CONCURRENCY, max_seconds))
    cpu = _cpu_seconds(pid)
    latencies, failures, wall = asyncio.run(fire(port, case.paths(ids, rng, case.requests), CONCURRENCY, max_seconds))
    cpu = _cpu_seconds(pid) - cpu
    n = max(len(latencies), 1)
    return {
        "requests": len(latencies),
        "failures": len(failures),
        "first_failures": failures[:3],
        "seconds": wall,
        "rps": len(latencies) / wall,
        "p50_ms": percentile(latencies, 50) * 1000,
        "p95_ms": percentile(latencies, 95) * 1000,
        "p99_ms": percentile(latencies, 99) * 1000,
        "server_cpu_ms": cpu / n * 1000,
    }


def measure(
    names: list[str],
    *,
    db: Path | None = None,
    copy: bool = False,
    runs: int = 3,
    warmup: int = 100,
    seed: int = 7,
    max_seconds: float = 120,
) -> dict[str, list[dict[str, Any]]]:
    """Each named case ``runs`` times against one server over the big database; the figures of every run."""
    with tempfile.TemporaryDirectory(prefix="dunbar-web-load-") as work:
        served = prepare(db, Path(work), copy=copy)
        ids = live_people(served)
        port = free_port()
        server = subprocess.Popen([sys.executable, "-c", SERVER, f"sqlite:///{served.resolve()}", str(port)], cwd=ROOT)
        try:
            asyncio.run(wait_ready(f"http://{HOST}:{port}", timeout=180))
            return {
                name: [
                    run_case(port, server.pid, CASES[name], ids, seed=seed + k, warmup=warmup, max_seconds=max_seconds)
                    for k in range(runs)
                ]
                for name in names
            }
        finally:
            stop(server)


def medians(figures: list[dict[str, Any]]) -> dict[str, Any]:
    keys = ("rps", "p50_ms", "p95_ms", "p99_ms", "server_cpu_ms", "seconds")
    out: dict[str, Any] = {k: round(statistics.median(f[k] for f in figures), 2) for k in keys}
    out["requests"] = figures[0]["requests"]
    out["failures"] = sum(f["failures"] for f in figures)
    out["runs"] = len(figures)
    return out


def verdict(name: str, m: dict[str, Any]) -> bool:
    if m["failures"]:
        return False
    return bool(m["rps"] >= RPS_TARGET) if name == "api" else bool(m["p95_ms"] <= P95_TARGET_MS)


# Rows of ``python -m benchmarks.run`` (the web group): one server and one copy of the database for the three.

_MEMO: dict[Path, dict[str, list[dict[str, Any]]]] = {}
RUNS = 3


def _web_case(ctx: Context, name: str) -> BenchCase:
    from benchmarks.import_bench import Measured

    db = ctx.ensure_db()
    if db not in _MEMO:
        _MEMO[db] = measure(list(CASES), db=db, copy=True, runs=RUNS)
    runs = _MEMO[db][name]
    m = medians(runs)
    note = f"{m['rps']:.0f} req/s, p50 {m['p50_ms']:.0f} / p95 {m['p95_ms']:.0f} / p99 {m['p99_ms']:.0f} ms"
    failure = f"{m['failures']} requests failed" if m["failures"] else None
    # Throughput (api): the time the fixed number of requests took, against N / 300 s; latency: each run's p95.
    times = [r["seconds"] for r in runs] if name == "api" else [r["p95_ms"] / 1000 for r in runs]
    return Measured(argv=[], runs=len(times), warmup=False, times=times, note=note, failure=failure, figures=m)


@benchmark("web-person", target=P95_TARGET_MS / 1000, description="web: person page p95 at 16 clients")
def web_person(ctx: Context) -> BenchCase:
    return _web_case(ctx, "person")


@benchmark("web-today", target=P95_TARGET_MS / 1000, description="web: Today (the agenda, /) p95 at 16 clients")
def web_today(ctx: Context) -> BenchCase:
    return _web_case(ctx, "agenda")


@benchmark(
    "web-api",
    target=CASES["api"].requests / RPS_TARGET,
    description=f"web: {CASES['api'].requests} GET /api/v1/people/{{id}} at 16 clients (300 req/s)",
)
def web_api(ctx: Context) -> BenchCase:
    return _web_case(ctx, "api")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", type=Path, help="a dunbar SQLite database (default: a /tmp copy of the cached 30k/1M)")
    ap.add_argument("--only", action="append", choices=list(CASES), help="run only these cases")
    ap.add_argument("--runs", type=int, default=3, help="runs per case; medians are reported (default 3)")
    ap.add_argument("--warmup", type=int, default=100, help="requests before each measured run (default 100)")
    ap.add_argument("--max-seconds", type=float, default=120, help="stop a run after this long (default 120)")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = ap.parse_args(argv)
    names = args.only or list(CASES)
    raw = measure(names, db=args.db, runs=args.runs, warmup=args.warmup, max_seconds=args.max_seconds)
    report = {
        name: {"description": CASES[name].description, **medians(runs), "each": runs} for name, runs in raw.items()
    }
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(
            f"{'case':<8} {'requests':>8} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'cpu ms':>7}  result"
        )
        for name, m in report.items():
            target = f"≥ {RPS_TARGET:.0f} req/s" if name == "api" else f"p95 ≤ {P95_TARGET_MS:.0f} ms"
            result = ("pass" if verdict(name, m) else "BELOW TARGET") + f" ({target}"
            result += f"; {m['failures']} failed)" if m["failures"] else ")"
            print(
                f"{name:<8} {m['requests']:>8} {m['rps']:>8.1f} {m['p50_ms']:>8.1f} {m['p95_ms']:>8.1f}"
                f" {m['p99_ms']:>8.1f} {m['server_cpu_ms']:>7.2f}  {result}"
            )
        print(f"{CONCURRENCY} concurrent keep-alive clients on loopback; medians of {args.runs} runs", file=sys.stderr)
    return 0 if all(verdict(n, m) for n, m in report.items()) else 1


if __name__ == "__main__":
    raise SystemExit(main())

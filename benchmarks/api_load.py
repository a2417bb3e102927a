"""Load on the JSON API: ``GET /api/v1/people/{id}`` against uvicorn serving the 30,000-person database.

A bounded load generator on loopback only: N asyncio workers share a fixed number of requests (after a warm-up),
each asking for a random live person, and the run stops by itself after at most ``--max-seconds``. It reports
throughput and the p50/p95/p99 latency, as a table and (with ``--json``) as JSON.

    .venv/bin/python benchmarks/api_load.py                     # copies the cached 30k/1M database to /tmp
    .venv/bin/python benchmarks/api_load.py --db /tmp/x.db --requests 5000 --concurrency 16

Target (issue 5): at least 300 requests/s on this 2-core machine.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script (python benchmarks/api_load.py): the shared helpers
    sys.path.insert(0, str(ROOT))
CACHED = ROOT / "benchmarks" / "out" / "demo-30000-1000000-s7.db"
HOST = "127.0.0.1"  # loopback only
TARGET_RPS = 300
SERVER = """
import sys, uvicorn
from datetime import date
from dunbar.web.app import create_app
url, port = sys.argv[1], int(sys.argv[2])
app = create_app(url, today=date(2026, 11, 25), port=port)
uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a running process (Linux /proc), to tell server cost from generator cost."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def person_ids(db: Path, n: int, seed: int) -> list[int]:
    with sqlite3.connect(db) as conn:
        ids = [r[0] for r in conn.execute("SELECT id FROM person WHERE deleted_at IS NULL AND is_me = 0")]
    return random.Random(seed).choices(ids, k=n)


async def wait_ready(base: str, timeout: float) -> None:
    host, port = base.rsplit("/", 1)[1].split(":")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            reader, writer = await asyncio.open_connection(host, int(port))
        except OSError:
            await asyncio.sleep(0.2)
            continue
        try:
            if await _get(reader, writer, f"GET /api/v1/csrf HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode()) == 200:
                return
        finally:
            writer.close()
        await asyncio.sleep(0.2)
    raise SystemExit(f"the server did not answer within {timeout:.0f} s")


async def _get(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes) -> int:
    """One keep-alive HTTP/1.1 GET on an open connection; the status code (the body is read and dropped)."""
    from benchmarks.common import http_exchange

    return (await http_exchange(reader, writer, request))[0]


async def load(
    host: str, port: int, ids: list[int], concurrency: int, max_seconds: float
) -> tuple[list[float], int, float]:
    """Fire ``len(ids)`` requests from ``concurrency`` keep-alive connections; (latencies in s, errors, wall time).

    A minimal HTTP/1.1 client on asyncio streams rather than httpx: on a 2-core machine the generator shares the
    CPU with the server, and a heavy client would measure itself."""
    queue = list(reversed(ids))
    latencies: list[float] = []
    errors = 0
    deadline = time.monotonic() + max_seconds

    async def worker() -> None:
        nonlocal errors
        reader, writer = await asyncio.open_connection(host, port)
        try:
            while queue and time.monotonic() < deadline:
                pid = queue.pop()
                request = f"GET /api/v1/people/{pid} HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode()
                start = time.perf_counter()
                status = await _get(reader, writer, request)
                latencies.append(time.perf_counter() - start)
                if status != 200:
                    errors += 1
        finally:
            writer.close()

    began = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return latencies, errors, time.perf_counter() - began


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1] if len(values) > 1 else values[0]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", type=Path, help="a dunbar SQLite database (default: a /tmp copy of the cached 30k/1M)")
    ap.add_argument("--requests", type=int, default=3000, help="measured requests (default 3000)")
    ap.add_argument("--warmup", type=int, default=300, help="requests before measuring (default 300)")
    ap.add_argument("--concurrency", type=int, default=16, help="concurrent workers (default 16)")
    ap.add_argument("--max-seconds", type=float, default=120, help="stop measuring after this long (default 120)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = ap.parse_args()

    workdir = None
    db = args.db
    if db is None:
        if not CACHED.exists():
            sys.exit(f"no cached database at {CACHED}; run `python -m benchmarks.run` once, or pass --db")
        workdir = tempfile.TemporaryDirectory(prefix="dunbar-api-load-")
        db = Path(workdir.name) / CACHED.name
        shutil.copy2(CACHED, db)
    from benchmarks.common import stop

    port = free_port()
    base = f"http://{HOST}:{port}"
    server = subprocess.Popen([sys.executable, "-c", SERVER, f"sqlite:///{db.resolve()}", str(port)])
    try:
        asyncio.run(wait_ready(base, timeout=180))
        ids = person_ids(db, args.warmup + args.requests, args.seed)
        asyncio.run(load(HOST, port, ids[: args.warmup], args.concurrency, args.max_seconds))
        cpu_before = _cpu_seconds(server.pid)
        latencies, errors, wall = asyncio.run(load(HOST, port, ids[args.warmup :], args.concurrency, args.max_seconds))
        server_cpu = _cpu_seconds(server.pid) - cpu_before
    finally:
        stop(server)
        if workdir is not None:
            workdir.cleanup()
    figures = {
        "endpoint": "GET /api/v1/people/{id}",
        "requests": len(latencies),
        "errors": errors,
        "concurrency": args.concurrency,
        "seconds": round(wall, 3),
        "requests_per_second": round(len(latencies) / wall, 1),
        "p50_ms": round(percentile(latencies, 50) * 1000, 2),
        "p95_ms": round(percentile(latencies, 95) * 1000, 2),
        "p99_ms": round(percentile(latencies, 99) * 1000, 2),
        "server_cpu_ms_per_request": round(server_cpu / max(len(latencies), 1) * 1000, 2),
        "target_rps": TARGET_RPS,
    }
    if args.json:
        print(json.dumps(figures))
    else:
        for key, value in figures.items():
            print(f"{key:>20}  {value}")
    ok = errors == 0 and figures["requests_per_second"] >= TARGET_RPS
    print("PASS" if ok else "BELOW TARGET", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())

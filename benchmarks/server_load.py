"""Load on the team server: 50 users on PostgreSQL, each with a 5,000-person network, a mixed read/write workload.

``dunbar serve --server --workers N --insecure-cookies`` runs as a real child process on 127.0.0.1 for each N
(1, 2 and 4 by default); this process is the load generator: a bounded, closed-loop one on loopback with one
keep-alive connection per virtual user (50), each signed in with its own user's API token, so every request
reaches a different user's network as it would on a team server. After a warm-up, each run measures a fixed
number of seconds and reports requests, throughput, p50/p95/p99 latency, errors (any answer other than 2xx, or a
failed connection) and the throughput against one worker. Runs of the worker counts alternate (1, 2, 4, 1, 2, 4,
…) and the medians of the runs are reported: the machine is shared.

The mix, per virtual user (~80 % reads, ~20 % writes):

    25 %  GET  /api/v1/people/{id}            one person with recent interactions
    15 %  GET  /api/v1/people?offset=…        a page of 50 people, by name
    15 %  GET  /api/v1/search?q=WORD          full-text search over people, notes and interactions
    10 %  GET  /api/v1/agenda                 Today's agenda
    15 %  GET  /api/v1/people/{id}/strength   strength, explained, with a year of history
    12 %  POST /api/v1/interactions           log a call/meeting/message with one person
     5 %  POST /api/v1/people/{id}/notes      add a note
     3 %  POST /api/v1/people                 add a person

The team server database (``dunbar_bench_server`` on the local PostgreSQL) is built once and kept: 50 accounts
made by ``accounts.add_user`` (each network a schema of its own, made by the migrations), one demo network
(``dunbar.demo.generate``, 5,000 people, 100,000 interactions, seed 7) generated into a scratch schema and copied
row for row into every user's schema (sequences moved past the copied ids), then the scratch schema dropped. A
comment on the database records what it holds; a different size rebuilds it (so does ``--rebuild``). Every run
makes fresh API tokens (the old ones of this benchmark are deleted) and adds its writes to the networks (about
40 rows per user per run, against 100,000 interactions each).

    .venv/bin/python -m benchmarks.server_load                       # 1, 2, 4 workers, 3 runs each, 20 s
    .venv/bin/python -m benchmarks.server_load --workers 2 --runs 1 --seconds 10
    DUNBAR_POOL_SIZE=10 .venv/bin/python -m benchmarks.server_load   # the pool of each worker process

Needs a PostgreSQL superuser at ``DUNBAR_BENCH_PG`` (default postgresql://postgres@127.0.0.1:5432/postgres; the
copy skips foreign-key triggers with ``session_replication_role``, which only a superuser may set).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from benchmarks.api_load import HOST, _cpu_seconds, free_port, percentile, wait_ready
from benchmarks.common import OUT, ROOT, SEED, TODAY, Case, Context, benchmark, child_env, dunbar_exe, http_exchange

DB_NAME = "dunbar_bench_server"
ADMIN_URL = os.environ.get("DUNBAR_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
USERS, PEOPLE, INTERACTIONS = 50, 5_000, 100_000
MARKER_FORMAT = 1  # change when the way the database is built changes
TOKEN_NAME = "server load"  # the label of the benchmark's API tokens  # nosec B105
PASSWORD = "server load password"  # the bench accounts' password, never used to sign in  # nosec B105
SCRATCH = "bench_network"
WORKERS = (1, 2, 4)
REQUEST_TIMEOUT = 60.0


# The database ---------------------------------------------------------------------------------------------------


def _bench_url(admin_url: str, name: str = DB_NAME) -> str:
    return admin_url.rsplit("/", 1)[0] + "/" + name


def _admin_engine(admin_url: str) -> Any:
    from sqlalchemy import create_engine

    return create_engine(
        admin_url.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT", pool_size=1
    )


def wanted_marker(users: int, people: int, interactions: int) -> dict[str, Any]:
    return {
        "what": "dunbar team server load benchmark",
        "format": MARKER_FORMAT,
        "users": users,
        "people": people,
        "interactions": interactions,
        "seed": SEED,
        "today": TODAY,
    }


def read_marker(admin: Any, name: str = DB_NAME) -> dict[str, Any] | None:
    with admin.connect() as conn:
        row = conn.exec_driver_sql(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", (name,)
        ).fetchone()
    if row is None or not row[0]:
        return None
    try:
        found = json.loads(row[0])
    except ValueError:
        return None
    return found if isinstance(found, dict) else None


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def ensure_server_db(
    admin_url: str = ADMIN_URL,
    *,
    users: int = USERS,
    people: int = PEOPLE,
    interactions: int = INTERACTIONS,
    rebuild: bool = False,
) -> str:
    """The team server database of this size: reused when its comment says it holds exactly that, else built."""
    admin = _admin_engine(admin_url)
    wanted = wanted_marker(users, people, interactions)
    try:
        if not rebuild and read_marker(admin) == wanted:
            return _bench_url(admin_url)
        started = time.perf_counter()
        _say(f"building {DB_NAME}: {users} users × {people:,} people, {interactions:,} interactions…")
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
            conn.exec_driver_sql(f'CREATE DATABASE "{DB_NAME}"')
        url = _bench_url(admin_url)
        _build(url, users=users, people=people, interactions=interactions)
        with admin.connect() as conn:
            # Written last: a build that stopped half-way leaves no marker and is built again.
            literal = conn.exec_driver_sql("SELECT quote_literal(%s)", (json.dumps(wanted),)).scalar()
            conn.exec_driver_sql(f'COMMENT ON DATABASE "{DB_NAME}" IS {literal}')
        _say(f"built {DB_NAME} in {time.perf_counter() - started:.0f} s")
        return url
    finally:
        admin.dispose()


def _build(url: str, *, users: int, people: int, interactions: int) -> None:
    from dunbar import demo
    from dunbar.server import accounts, open_server
    from dunbar.store import ensure_schema
    from dunbar.store.db import SqlAlchemyDb

    now = datetime.combine(date.fromisoformat(TODAY), datetime.min.time(), UTC).replace(hour=9)
    server = open_server(url)
    try:
        server.execute(f'CREATE SCHEMA "{SCRATCH}"')
        network = SqlAlchemyDb(server.engine, schema=SCRATCH, owns_engine=False)
        ensure_schema(network)
        took = time.perf_counter()
        demo.generate(network, people=people, interactions=interactions, seed=SEED, today=date.fromisoformat(TODAY))
        _say(f"  one network generated in {time.perf_counter() - took:.0f} s; copying it to {users} users…")
        tables = network_tables(server, SCRATCH)
        for k in range(1, users + 1):
            account = accounts.add_user(server, f"user{k:02d}", PASSWORD, now=now, display_name=f"Load User {k:02d}")
            copy_network(server, SCRATCH, account.schema_name, tables)
            if k % 10 == 0:
                _say(f"  {k}/{users} users")
        server.execute(f'DROP SCHEMA "{SCRATCH}" CASCADE')
        server.execute("ANALYZE")
    finally:
        server.close()


def network_tables(server: Any, schema: str) -> dict[str, tuple[list[str], bool]]:
    """The tables of a network (but its migration stamp): per table its columns and whether ``id`` is serial."""
    out: dict[str, tuple[list[str], bool]] = {}
    for table, column, default in server.rows(
        "SELECT c.table_name, c.column_name, c.column_default FROM information_schema.columns c"
        " JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name"
        " WHERE c.table_schema = :s AND t.table_type = 'BASE TABLE' AND c.table_name <> 'alembic_version'"
        " AND c.is_generated = 'NEVER' ORDER BY c.table_name, c.ordinal_position",
        {"s": schema},
    ):
        columns = out.setdefault(table, ([], False))[0]
        columns.append(column)
        if column == "id" and str(default or "").startswith("nextval("):
            out[table] = (columns, True)
    return out


def copy_network(server: Any, source: str, target: str, tables: dict[str, tuple[list[str], bool]]) -> None:
    """Replace the network in schema ``target`` by a row-for-row copy of the one in ``source`` (the same
    migrations made both), in one transaction; each sequence moves past the copied ids."""
    with server.transaction():
        # The rows are a consistent copy of a consistent network: no foreign-key check per row.
        server.execute("SET LOCAL session_replication_role = replica")
        server.execute("TRUNCATE " + ", ".join(f'"{target}"."{t}"' for t in tables))
        for table, (names, serial) in tables.items():
            columns = ", ".join(f'"{c}"' for c in names)
            server.execute(f'INSERT INTO "{target}"."{table}" ({columns}) SELECT {columns} FROM "{source}"."{table}"')
            if serial:
                server.execute(
                    f"SELECT setval(pg_get_serial_sequence(:t, 'id'),"
                    f' (SELECT COALESCE(MAX(id), 0) + 1 FROM "{target}"."{table}"), false)',
                    {"t": f'"{target}"."{table}"'},
                )


@dataclass
class Workload:
    """What the virtual users ask for: their tokens, and the people and words of the (identical) networks."""

    tokens: list[str]
    people: list[int]
    words: list[str]


def prepare_workload(url: str, users: int) -> Workload:
    """Fresh API tokens for the first ``users`` accounts (this benchmark's old ones deleted), and the sample."""
    from dunbar.server import accounts, open_server
    from dunbar.server.schema import SERVER_SCHEMA as S

    server = open_server(url)
    try:
        server.execute(f"DELETE FROM {S}.api_token WHERE name = :n", {"n": TOKEN_NAME})
        listed = [a for a in accounts.list_users(server) if a.username.startswith("user")][:users]
        if len(listed) < users:
            raise SystemExit(f"{DB_NAME} has {len(listed)} load users, not {users}; run with --rebuild")
        now = datetime.now(UTC)
        tokens = [accounts.create_token(server, a, TOKEN_NAME, now=now)[1] for a in listed]
        net = accounts.user_db(server, listed[0])
        people = [
            int(r[0])
            for r in net.rows("SELECT id FROM person WHERE deleted_at IS NULL AND NOT is_me AND id <= :n ORDER BY id",
                              {"n": PEOPLE + 1})
        ]  # fmt: skip
        names = net.rows("SELECT DISTINCT family_name FROM person WHERE family_name IS NOT NULL ORDER BY 1")
        orgs = net.rows("SELECT name FROM organization ORDER BY id LIMIT 200")
    finally:
        server.close()
    words = sorted({str(r[0]).split()[0].lower() for r in [*names, *orgs] if str(r[0]).split()})
    rng = random.Random(SEED)  # nosec B311 - a benchmark's sample
    return Workload(tokens, people, [*rng.sample(words, min(150, len(words))), "berlin", "coffee", "product"])


# The server -----------------------------------------------------------------------------------------------------


def _tree(pid: int) -> list[int]:
    """A process and all its descendants (the uvicorn supervisor and its workers)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        parents.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(parents.get(p, []))
    return out


def tree_cpu(pid: int) -> float:
    total = 0.0
    for p in _tree(pid):
        with suppress(OSError, IndexError):  # a process that ended meanwhile
            total += _cpu_seconds(p)
    return total


def machine_cpu() -> tuple[int, int]:
    """(busy, total) jiffies of the whole machine, to tell how saturated the 2 cores were."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


# One worker under pyinstrument (``--profile``). pyinstrument samples one thread, so the hops to the thread pool
# (sync routes and dependencies) run inline on the event loop: requests are served one at a time, which leaves
# the cost of each unchanged and shows where it goes, waits on PostgreSQL included.
PROFILED = """
import os, sys, anyio.to_thread, uvicorn
from pyinstrument import Profiler

async def inline(func, *args, **kwargs):
    return func(*args)

anyio.to_thread.run_sync = inline
url, port, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
os.environ.update(DUNBAR_DATABASE_URL=url, DUNBAR_ALLOWED_HOSTS=f"127.0.0.1:{port}", DUNBAR_INSECURE_COOKIES="1")
from dunbar.server import open_server, upgrade_users
from dunbar.web.server_entry import app_from_env
server = open_server(url)
upgrade_users(server)  # as `dunbar serve --server` does before its workers start
server.close()
app = app_from_env()
profiler = Profiler(interval=0.001, async_mode="disabled")
profiler.start()
try:
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
finally:
    profiler.stop()
    with open(out, "w", encoding="utf-8") as f:
        f.write(profiler.output_text(unicode=True, color=False, show_all=False))
        f.write(profiler.output_text(unicode=True, color=False, flat=True)[:20000])
    profiler.last_session.save(out + ".pyisession")
"""
PROFILE_OUT = OUT / "server_load-profile.txt"


@contextmanager
def team_server(
    url: str, workers: int, *, pool_size: int | None = None, profile: bool = False
) -> Iterator[tuple[int, int]]:
    """``dunbar serve --server --workers N`` on a free loopback port; (port, pid) while it runs. With ``profile``,
    one worker under pyinstrument instead (its report in benchmarks/out/server_load-profile.txt)."""
    port = free_port()
    env = child_env()
    if pool_size is not None:
        env["DUNBAR_POOL_SIZE"] = str(pool_size)
    argv = [dunbar_exe(), "--db", url, "serve", "--server", "--workers", str(workers), "--insecure-cookies"]
    argv += ["--host", HOST, "--port", str(port)]
    if profile:
        argv = [sys.executable, "-c", PROFILED, url, str(port), str(PROFILE_OUT)]
    OUT.mkdir(parents=True, exist_ok=True)
    log = (OUT / "server_load-server.log").open("a", encoding="utf-8")
    log.write(f"\n--- {datetime.now(UTC).isoformat()} {' '.join(argv)}\n")
    log.flush()
    proc = subprocess.Popen(argv, env=env, cwd=ROOT, stdout=log, stderr=log, start_new_session=True)
    try:
        asyncio.run(wait_ready(f"http://{HOST}:{port}", timeout=120))
        yield port, proc.pid
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # the group of the server started above, and only it
            proc.wait()
        log.close()


# The load generator ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Op:
    name: str
    weight: int
    method: str
    make: Callable[[random.Random, Workload], tuple[str, dict[str, Any] | None]]


_KINDS = ("call", "meeting", "message", "video", "email")
_SAID = ("coffee about the new role", "call about the conference", "catch-up on the project", "lunch, kids and moves",
         "quick message about the intro", "feedback on the talk")  # fmt: skip

OPS = (
    Op("person", 25, "GET", lambda r, w: (f"/api/v1/people/{r.choice(w.people)}", None)),
    Op("people", 15, "GET", lambda r, w: (f"/api/v1/people?limit=50&offset={r.randrange(0, len(w.people), 50)}", None)),
    Op("search", 15, "GET", lambda r, w: (f"/api/v1/search?q={quote(r.choice(w.words))}", None)),
    Op("agenda", 10, "GET", lambda r, w: ("/api/v1/agenda", None)),
    Op("strength", 15, "GET", lambda r, w: (f"/api/v1/people/{r.choice(w.people)}/strength", None)),
    Op(
        "log",
        12,
        "POST",
        lambda r, w: (
            "/api/v1/interactions",
            {"summary": r.choice(_SAID), "people": [r.choice(w.people)], "kind": r.choice(_KINDS)},
        ),
    ),
    Op(
        "note",
        5,
        "POST",
        lambda r, w: (f"/api/v1/people/{r.choice(w.people)}/notes", {"body": f"Remember: {r.choice(_SAID)}."}),
    ),
    Op("add", 3, "POST", lambda r, w: ("/api/v1/people", {"name": f"Load Person {r.getrandbits(40):010x}"})),
)


@dataclass
class Tally:
    """What one run saw: per measured request (op, latency s, status), and every failure (warm-up included)."""

    records: list[tuple[str, float, int]] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    warmup_requests: int = 0


def _request(method: str, path: str, token: str, port: int, body: dict[str, Any] | None) -> bytes:
    head = f"{method} {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\nAuthorization: Bearer {token}\r\n"
    if body is None:
        return (head + "\r\n").encode()
    data = json.dumps(body).encode()
    head += f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n\r\n"
    return head.encode() + data


async def drive(port: int, work: Workload, *, warmup: float, seconds: float, seed: int) -> tuple[Tally, float]:
    """One virtual user per token, each on its own keep-alive connection, asking without pause (a closed loop)
    until ``warmup + seconds`` have passed; requests completed in the last ``seconds`` are measured."""
    tally = Tally()
    loop_start = time.perf_counter()
    start = loop_start + warmup
    end = start + seconds
    weights = [op.weight for op in OPS]

    async def user(k: int, token: str) -> None:
        rng = random.Random(seed * 1000 + k)  # nosec B311 - a benchmark's workload
        reader, writer = await asyncio.open_connection(HOST, port)
        try:
            while time.perf_counter() < end:
                op = rng.choices(OPS, weights)[0]
                path, body = op.make(rng, work)
                request = _request(op.method, path, token, port, body)
                began = time.perf_counter()
                try:
                    status, payload = await asyncio.wait_for(
                        http_exchange(reader, writer, request), timeout=REQUEST_TIMEOUT
                    )
                except (OSError, asyncio.IncompleteReadError, TimeoutError) as exc:
                    status, payload = -1, repr(exc).encode()
                    writer.close()
                    reader, writer = await asyncio.open_connection(HOST, port)
                done = time.perf_counter()
                if not 200 <= status < 300:
                    tally.failures.append(f"{status} {op.method} {path}: {payload[:200].decode(errors='replace')}")
                if start <= done <= end:
                    tally.records.append((op.name, done - began, status))
                elif done < start:
                    tally.warmup_requests += 1
        finally:
            writer.close()

    await asyncio.gather(*(user(k, t) for k, t in enumerate(work.tokens)))
    return tally, seconds


def run_once(url: str, work: Workload, workers: int, *, warmup: float, seconds: float, seed: int,
             pool_size: int | None, profile: bool = False) -> dict[str, Any]:  # fmt: skip
    with team_server(url, workers, pool_size=pool_size, profile=profile) as (port, pid):
        me = os.getpid()
        cpu: dict[str, Any] = {}

        async def measured() -> tuple[Tally, float]:
            task = asyncio.ensure_future(drive(port, work, warmup=warmup, seconds=seconds, seed=seed))
            await asyncio.sleep(warmup)
            cpu["server"], cpu["client"], cpu["machine"] = tree_cpu(pid), _cpu_seconds(me), machine_cpu()
            tally, window = await task
            return tally, window

        tally, window = asyncio.run(measured())
        # The generator stops when the window ends, so the figures below cover the window plus the last requests.
        server_cpu = tree_cpu(pid) - cpu["server"]
        client_cpu = _cpu_seconds(me) - cpu["client"]
        busy, total = machine_cpu()
        machine_busy = (busy - cpu["machine"][0]) / max(total - cpu["machine"][1], 1)
    return summarise(tally, window, workers=workers, server_cpu=server_cpu, client_cpu=client_cpu,
                     machine_busy=machine_busy)  # fmt: skip


def summarise(tally: Tally, window: float, *, workers: int, server_cpu: float, client_cpu: float,
              machine_busy: float) -> dict[str, Any]:  # fmt: skip
    latencies = [lat for _, lat, _ in tally.records]
    n = max(len(latencies), 1)
    by_op: dict[str, dict[str, Any]] = {}
    for op in OPS:
        mine = [lat for name, lat, _ in tally.records if name == op.name]
        if mine:
            by_op[op.name] = {
                "requests": len(mine),
                "p50_ms": round(percentile(mine, 50) * 1000, 1),
                "p95_ms": round(percentile(mine, 95) * 1000, 1),
            }
    statuses = Counter(status for _, _, status in tally.records)
    return {
        "workers": workers,
        "requests": len(latencies),
        "seconds": window,
        "rps": round(len(latencies) / window, 1),
        "p50_ms": round(percentile(latencies, 50) * 1000, 1) if latencies else None,
        "p95_ms": round(percentile(latencies, 95) * 1000, 1) if latencies else None,
        "p99_ms": round(percentile(latencies, 99) * 1000, 1) if latencies else None,
        "errors": len(tally.failures),
        "first_errors": tally.failures[:5],
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "writes": sum(1 for name, _, _ in tally.records if name in ("log", "note", "add")),
        "warmup_requests": tally.warmup_requests,
        "server_cpu_ms": round(server_cpu / n * 1000, 2),
        "client_cpu_ms": round(client_cpu / n * 1000, 2),
        "machine_busy": round(machine_busy, 3),
        "by_op": by_op,
    }


def medians(runs: list[dict[str, Any]]) -> dict[str, Any]:
    keys = ("requests", "rps", "p50_ms", "p95_ms", "p99_ms", "server_cpu_ms", "client_cpu_ms", "machine_busy")
    out: dict[str, Any] = {
        k: round(statistics.median(r[k] for r in runs), 3) for k in keys if all(r[k] is not None for r in runs)
    }
    out["workers"] = runs[0]["workers"]
    out["errors"] = sum(r["errors"] for r in runs)
    out["runs"] = len(runs)
    out["by_op"] = {
        name: {k: round(statistics.median(r["by_op"][name][k] for r in runs if name in r["by_op"]), 1)
               for k in ("requests", "p50_ms", "p95_ms")}
        for name in runs[0]["by_op"]
    }  # fmt: skip
    return out


def measure(
    workers: tuple[int, ...] = WORKERS,
    *,
    runs: int = 3,
    users: int = USERS,
    warmup: float = 5.0,
    seconds: float = 20.0,
    seed: int = SEED,
    pool_size: int | None = None,
    rebuild: bool = False,
    profile: bool = False,
) -> dict[str, Any]:
    url = ensure_server_db(rebuild=rebuild)  # always the 50-user database; ``users`` of them are driven
    work = prepare_workload(url, users)
    each: dict[int, list[dict[str, Any]]] = {n: [] for n in workers}
    for k in range(runs):
        for n in workers:  # alternating, so a busy minute of the shared machine does not land on one count only
            _say(f"run {k + 1}/{runs}: {n} worker(s), {users} users, {warmup:.0f} s warm-up + {seconds:.0f} s…")
            result = run_once(
                url, work, n, warmup=warmup, seconds=seconds, seed=seed + k, pool_size=pool_size, profile=profile
            )
            _say(
                f"  {result['requests']} requests, {result['rps']} req/s, p95 {result['p95_ms']} ms,"
                f" {result['errors']} errors"
            )
            each[n].append(result)
    table = {n: medians(rs) for n, rs in each.items()}
    base = table[workers[0]]["rps"] if workers else None
    for m in table.values():
        m["scaling"] = round(m["rps"] / base, 2) if base else None
    return {
        "when": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "database": DB_NAME,
        "users": users,
        "people_per_user": PEOPLE,
        "interactions_per_user": INTERACTIONS,
        "concurrency": users,
        "warmup_seconds": warmup,
        "seconds": seconds,
        "pool_size": pool_size or int(os.environ.get("DUNBAR_POOL_SIZE", "5")),
        "mix": {op.name: op.weight for op in OPS},
        "cpus": os.cpu_count(),
        "medians": [table[n] for n in workers],
        "runs": {str(n): rs for n, rs in each.items()},
    }


def print_table(report: dict[str, Any]) -> None:
    print(
        f"{'workers':>7} {'requests':>8} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'errors':>6}"
        f" {'scaling':>7} {'cpu ms':>7} {'busy':>5}"
    )
    for m in report["medians"]:
        print(
            f"{m['workers']:>7} {m['requests']:>8.0f} {m['rps']:>7.1f} {m['p50_ms']:>7.1f} {m['p95_ms']:>7.1f}"
            f" {m['p99_ms']:>7.1f} {m['errors']:>6} {m['scaling']:>6.2f}× {m['server_cpu_ms']:>7.2f}"
            f" {m['machine_busy']:>5.0%}"
        )
    ops = list(report["medians"][0]["by_op"])
    print("\np95 ms by request:  " + "  ".join(f"{name:>8}" for name in ops))
    for m in report["medians"]:
        print(f"  {m['workers']} worker(s):       " + "  ".join(f"{m['by_op'][o]['p95_ms']:>8.1f}" for o in ops))
    print(
        f"\n{report['users']} users × {report['people_per_user']:,} people on PostgreSQL, {report['concurrency']}"
        f" concurrent keep-alive clients on loopback; {report['seconds']:.0f} s measured after"
        f" {report['warmup_seconds']:.0f} s warm-up; medians of {report['medians'][0]['runs']} runs;"
        " cpu ms = the server's Python CPU per request (PostgreSQL not included); busy = the machine's 2 cores",
        file=sys.stderr,
    )


# A row of ``python -m benchmarks.run`` (skipped when PostgreSQL is not reachable) ----------------------------------


def _reachable() -> bool:
    try:
        admin = _admin_engine(ADMIN_URL)
        with admin.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
        admin.dispose()
        return True
    except Exception:
        return False


@benchmark("server-load", target=0.0, description="team server: 50 users on PostgreSQL, mixed load, 1→4 workers")
def server_load_row(ctx: Context) -> Case:
    from benchmarks.common import Unavailable
    from benchmarks.import_bench import Measured

    if not _reachable():
        raise Unavailable(f"no PostgreSQL at {ADMIN_URL}")
    report = measure(runs=1 if ctx.quick else 3, seconds=10 if ctx.quick else 20)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "server_load.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    rows = report["medians"]
    note = "; ".join(f"{m['workers']}w {m['rps']:.0f} req/s p95 {m['p95_ms']:.0f} ms" for m in rows)
    note += f"; scaling {rows[-1]['scaling']:.2f}×"
    errors = sum(m["errors"] for m in rows)
    return Measured(
        argv=[],
        runs=len(rows),
        warmup=False,
        times=[m["p95_ms"] / 1000 for m in rows],
        note=note,
        failure=f"{errors} requests failed" if errors else None,
        reference=True,
        figures={"medians": rows},
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workers", type=int, nargs="+", default=list(WORKERS), help="worker counts (default 1 2 4)")
    ap.add_argument("--runs", type=int, default=3, help="runs per worker count; medians reported (default 3)")
    ap.add_argument("--seconds", type=float, default=20, help="measured seconds per run (default 20)")
    ap.add_argument("--warmup", type=float, default=5, help="warm-up seconds per run (default 5)")
    ap.add_argument("--users", type=int, default=USERS, help=f"virtual users, one account each (at most {USERS})")
    ap.add_argument("--pool-size", type=int, help="DUNBAR_POOL_SIZE for the server (default: the environment's)")
    ap.add_argument("--rebuild", action="store_true", help=f"build {DB_NAME} again")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    ap.add_argument(
        "--profile",
        action="store_true",
        help=f"one worker under pyinstrument, requests served one at a time (report: {PROFILE_OUT.relative_to(ROOT)})",
    )
    args = ap.parse_args(argv)
    if args.profile:
        try:
            import pyinstrument  # noqa: F401
        except ImportError:
            ap.error("--profile needs pyinstrument: .venv/bin/pip install pyinstrument")
        args.workers, args.runs = [1], 1
    report = measure(
        tuple(args.workers),
        profile=args.profile,
        runs=args.runs,
        users=args.users,
        warmup=args.warmup,
        seconds=args.seconds,
        pool_size=args.pool_size,
        rebuild=args.rebuild,
    )
    OUT.mkdir(parents=True, exist_ok=True)
    if args.profile:
        _say(f"profile: {PROFILE_OUT}")
    else:
        (OUT / "server_load.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print_table(report)
    errors = sum(m["errors"] for m in report["medians"])
    if errors:
        first = next(e for rs in report["runs"].values() for r in rs for e in r["first_errors"])
        print(f"{errors} requests failed, e.g. {first}", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())

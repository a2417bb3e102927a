"""What every benchmark shares: where things are, the cached big database, and whole-process timing.

A benchmark is one function registered with ``@benchmark``: it gets a ``Context`` and returns the ``Case`` to
time (a ``dunbar`` command line and how often to run it). The runner times each case as a whole process, the
way a user waits for it, and reports the median, minimum and maximum: the machine is shared and noisy, so a
single run says little.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "out"
TODAY = "2026-11-25"
SEED = 7
BIG = (30_000, 1_000_000)  # people, interactions
QUICK = (3_000, 100_000)


def dunbar_exe() -> str:
    venv = ROOT / ".venv" / "bin" / "dunbar"
    if venv.exists():
        return str(venv)
    found = shutil.which("dunbar")
    if found is None:
        sys.exit("benchmarks: no `dunbar` executable; run `pip install -e .` first")
    return found


@dataclass
class Context:
    quick: bool
    runs: int
    people: int
    interactions: int

    @property
    def db_path(self) -> Path:
        return OUT / f"demo-{self.people}-{self.interactions}-s{SEED}.db"

    def base_argv(self) -> list[str]:
        return [dunbar_exe(), "--db", str(self.db_path), "--today", TODAY]

    def ensure_db(self) -> Path:
        """The demo database of this size, built once and kept under benchmarks/out/."""
        if not self.db_path.exists():
            build_db(self)
        return self.db_path

    def sample(self, sql: str) -> str:
        """One value from the database (a real name to show, say)."""
        conn = sqlite3.connect(f"file:{self.ensure_db()}?mode=ro", uri=True)
        try:
            row = conn.execute(sql).fetchone()
        finally:
            conn.close()
        if row is None:
            raise RuntimeError(f"the benchmark database has no answer to {sql!r}")
        return str(row[0])


def demo_argv(ctx: Context, path: Path) -> list[str]:
    return [
        dunbar_exe(),
        "--today",
        TODAY,
        "demo",
        "--people",
        str(ctx.people),
        "--interactions",
        str(ctx.interactions),
        "--seed",
        str(SEED),
        "--db",
        str(path),
        "--force",
        "--json",
    ]


def remove_db(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(str(path) + suffix).unlink(missing_ok=True)


def build_db(ctx: Context) -> float:
    """Make the benchmark database with `dunbar demo`; the seconds it took."""
    OUT.mkdir(parents=True, exist_ok=True)
    remove_db(ctx.db_path)
    print(f"building {ctx.db_path.name} ({ctx.people:,} people, {ctx.interactions:,} interactions)…", file=sys.stderr)
    started = time.perf_counter()
    proc = subprocess.run(demo_argv(ctx, ctx.db_path), capture_output=True, text=True, check=False)
    took = time.perf_counter() - started
    if proc.returncode != 0:
        sys.exit(f"benchmarks: `dunbar demo` failed:\n{proc.stderr}")
    return took


@dataclass
class Case:
    """A command line to time ``runs`` times (after one untimed warm-up run when ``warmup``)."""

    argv: list[str]
    runs: int
    warmup: bool = True
    before_each: Callable[[], None] | None = None


@dataclass
class Benchmark:
    name: str
    description: str
    target: float  # seconds, whole process
    make: Callable[[Context], Case]


REGISTRY: dict[str, Benchmark] = {}


def benchmark(
    name: str, *, target: float, description: str
) -> Callable[[Callable[[Context], Case]], Callable[[Context], Case]]:
    """Register a benchmark: ``@benchmark("show", target=0.3, description="…")`` over ``def f(ctx) -> Case``."""

    def register(fn: Callable[[Context], Case]) -> Callable[[Context], Case]:
        if name in REGISTRY:
            raise ValueError(f"two benchmarks named {name!r}")
        REGISTRY[name] = Benchmark(name, description, target, fn)
        return fn

    return register


@dataclass
class Outcome:
    name: str
    description: str
    target: float
    times: list[float] = field(default_factory=list)
    status: str = "ok"  # ok, unavailable, failed
    note: str = ""


class Unavailable(Exception):
    """The command does not exist yet in this dunbar."""


def stop(proc: subprocess.Popen[Any]) -> None:
    """End a server started for a measurement: politely, then for good after ten seconds."""
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


def child_env() -> dict[str, str]:
    """The environment of a timed command: as a user's, so with Python's bytecode cache on (an installed
    dunbar is compiled once; a session that sets PYTHONDONTWRITEBYTECODE would recompile every module on
    every run and time the compiler instead of dunbar)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return {**env, "NO_COLOR": "1", "COLUMNS": "120"}


def time_once(case: Case) -> float:
    if case.before_each is not None:
        case.before_each()
    env = child_env()
    started = time.perf_counter()
    proc = subprocess.run(case.argv, capture_output=True, text=True, env=env, check=False)
    took = time.perf_counter() - started
    if proc.returncode != 0:
        if "No such command" in proc.stderr:
            raise Unavailable("command not available")
        message = (proc.stderr.strip().splitlines() or [f"exit status {proc.returncode}"])[-1]
        raise RuntimeError(message)
    return took


async def http_exchange(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes
) -> tuple[int, bytes]:
    """One keep-alive HTTP/1.1 request (any method; the caller writes the whole request, body included) on an open
    connection: the status code and the body.

    The minimal client of the load generators: on a 2-core machine the generator shares the CPU with the server,
    and a heavy client (httpx) would measure itself. Answers must carry a Content-Length (FastAPI's do) or none
    (a 204)."""
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n"):
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
    return status, await reader.readexactly(length)

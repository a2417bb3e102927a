"""The fault drill: ``kill -9`` an import and the web app at random moments, then check that nothing broke.

    .venv/bin/python -m benchmarks.drills.faults                      # 50 rounds on SQLite and on PostgreSQL
    .venv/bin/python -m benchmarks.drills.faults --rounds 100 --rows 5000 --store sqlite
    .venv/bin/python -m benchmarks.drills.faults --json               # the figures as JSON on stdout

Each store gets a fresh database (a SQLite file in a temporary folder; a new PostgreSQL database on
``--pg`` (postgresql://postgres@127.0.0.1:5432/test), dropped afterwards). Every round:

1. starts ``dunbar serve`` on the database and, once it answers, two API clients that keep adding people,
   interactions and notes (``POST /api/v1/...`` with the token from ``GET /api/v1/csrf``), remembering every write
   the server acknowledged (a 2xx response);
2. starts ``dunbar import`` of a generated LinkedIn Connections.csv of ``--rows`` new people, plus people the
   API added in earlier rounds (their e-mail again, now with a LinkedIn URL, employer and connection date: merges
   that fill in values, so the batch writes ``batch_change`` rows too);
3. kills the import (``kill -9``) at a random moment within 1.6 times its longest complete run so far (some
   kills land before it opens the database, most in its transaction, some after it committed), and the server
   at a random moment of its writing; the moments are stratified over the rounds, so they cover the whole range;
4. checks the database, as a fresh process would find it:

   - SQLite: ``PRAGMA integrity_check``, ``PRAGMA foreign_key_check`` and the FTS index's own integrity check;
   - every batch is whole or absent: a round's people are all there (as many as its file has, and as many as its
     batch's report says it created, each with their LinkedIn URL and job) exactly when its batch row is there;
     its merges and its ``batch_change`` rows match the report; a batch row is finished and has its report; an
     import that finished and reported its batch has it;
   - every write the API acknowledged, in this round and all before, is there with what was sent;
   - no orphan rows (every foreign key of the schema, checked by query on both stores, and search documents);
   - the search index matches: one search document per person, per note and per interaction with a summary;
   - derived totals match: a person's ``person_stats.n_total`` is their number of interactions.

The table at the end counts rounds, kills that landed while the import was running (and how many of those left
no batch), server kills, acknowledged writes checked, and violations (which must be 0). tests/test_faults.py
runs a few rounds of the same drill in the default test suite.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

PG_ADMIN = os.environ.get("DUNBAR_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
OVERLAP = 40  # people of earlier rounds that each import file names again


# Stores ---------------------------------------------------------------------------------------------------------


@dataclass
class Store:
    name: str  # sqlite, postgresql
    url: str
    path: Path | None  # the SQLite file
    drop: Callable[[], None] = lambda: None


@contextmanager
def sqlite_store(folder: Path) -> Iterator[Store]:
    path = folder / "drill.db"
    yield Store("sqlite", f"sqlite:///{path}", path)


def _pg_admin() -> Any:
    from sqlalchemy import create_engine

    return create_engine(
        PG_ADMIN.replace("postgresql://", "postgresql+psycopg://", 1),
        isolation_level="AUTOCOMMIT",
        connect_args={"connect_timeout": 3},
    )


def postgresql_available() -> bool:
    try:
        engine = _pg_admin()
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
        engine.dispose()
        return True
    except Exception:
        return False


@contextmanager
def postgresql_store(*, keep: bool = False) -> Iterator[Store]:
    name = f"dunbar_drill_{uuid.uuid4().hex[:10]}"
    admin = _pg_admin()
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield Store("postgresql", f"{PG_ADMIN.rpartition('/')[0]}/{name}", None)
    finally:
        if not keep:
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


# Processes ------------------------------------------------------------------------------------------------------


def child_env() -> dict[str, str]:
    drop = {"DUNBAR_DATABASE_URL", "DUNBAR_DB", "DUNBAR_USER", "PYTHONDONTWRITEBYTECODE"}
    return {**{k: v for k, v in os.environ.items() if k not in drop}, "NO_COLOR": "1"}


def dunbar(store: Store, *args: str) -> list[str]:
    return [sys.executable, "-m", "dunbar", "--db", store.url, *args]


def spawn(argv: list[str], **env: str) -> subprocess.Popen[bytes]:
    # Its own process group, so ``kill -9`` reaches whatever it started too.
    return subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**child_env(), **env}, start_new_session=True
    )


def kill9(proc: subprocess.Popen[bytes]) -> tuple[bool, bytes]:
    """``kill -9`` the process (group); whether it was still running, and what it had printed."""
    alive = proc.poll() is None
    with suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    out, _ = proc.communicate()
    return alive, out


IMPORT_APP = "dunbar-drill-import"  # the import's application_name on PostgreSQL (libpq reads PGAPPNAME)


def in_transaction(store: Store, pid: int) -> bool | None:
    """Whether the import (process ``pid``) is inside its transaction right now; None when it cannot be told.

    SQLite: it holds a write lock on the database's files (``BEGIN IMMEDIATE``; /proc/locks lists POSIX locks by
    process). PostgreSQL: its session has an open transaction (``pg_stat_activity``)."""
    if store.path is not None:
        try:
            text = Path("/proc/locks").read_text()
        except OSError:
            return None
        files = [store.path, Path(f"{store.path}-shm"), Path(f"{store.path}-wal")]
        inodes = {f.stat().st_ino for f in files if f.exists()}
        for line in text.splitlines():
            parts = line.replace("->", "").split()
            mine = len(parts) >= 6 and parts[3] == "WRITE" and parts[4] == str(pid)
            if mine and int(parts[5].rsplit(":", 1)[1]) in inodes:
                return True
        return False
    from sqlalchemy import create_engine

    engine = create_engine(PG_ADMIN.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect() as conn:
            n = conn.exec_driver_sql(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s AND xact_start IS NOT NULL",
                (IMPORT_APP,),
            ).scalar()
        return bool(n)
    finally:
        engine.dispose()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# Import files ---------------------------------------------------------------------------------------------------


@dataclass
class ImportFile:
    round: int
    path: Path
    new: int  # rows of people no one has seen
    overlap: list[int]  # API people (ids) the file names again


def tag(r: int) -> str:
    return f"drill{r:03d}"


def write_connections(folder: Path, r: int, rows: int, overlap: list[tuple[int, str, str]]) -> ImportFile:
    """A LinkedIn Connections.csv: ``rows`` new people, then the ``overlap`` people (id, name, e-mail) again."""
    rnd = random.Random(r)
    months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    lines = ["Notes:", '"When exporting your connection data, some e-mail addresses are missing."', ""]
    lines.append("First Name,Last Name,URL,Email Address,Company,Position,Connected On")

    def when() -> str:
        return f"{rnd.randint(1, 28):02d} {rnd.choice(months)} {rnd.randint(2008, 2025)}"

    t = tag(r)
    for i in range(rows):
        email = f"{t}-p{i}@example.org" if i % 5 == 0 else ""
        lines.append(
            f'Given{t}x{i},Family{i % 977},https://www.linkedin.com/in/{t}-p{i},{email},"Org {i % 300}, Inc.",'
            f"Role {i % 40},{when()}"
        )
    for j, (_pid, name, email) in enumerate(overlap):
        given, family = name.split(" ", 1)
        lines.append(f"{given},{family},https://www.linkedin.com/in/{t}-o{j},{email},Overlap Org,Friend,{when()}")
    path = folder / f"Connections-{t}.csv"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode())
    return ImportFile(r, path, rows, [pid for pid, _, _ in overlap])


# API writers ----------------------------------------------------------------------------------------------------


@dataclass
class Acked:
    people: dict[int, tuple[str, str]] = field(default_factory=dict)  # id -> (name, e-mail)
    interactions: dict[int, tuple[str, frozenset[int]]] = field(default_factory=dict)  # id -> (summary, people)
    notes: dict[int, tuple[int, str]] = field(default_factory=dict)  # id -> (person, body)
    unanswered: int = 0  # writes sent that got no answer (in flight at the kill): may or may not be there

    def total(self) -> int:
        return len(self.people) + len(self.interactions) + len(self.notes)


class Writer(threading.Thread):
    """One API client adding people, interactions and notes until the server goes away."""

    def __init__(self, port: int, r: int, w: int, acked: Acked, lock: threading.Lock) -> None:
        super().__init__(daemon=True)
        self.port, self.r, self.w = port, r, w
        self.acked, self.lock = acked, lock
        self.errors: list[str] = []

    def _call(
        self, conn: http.client.HTTPConnection, method: str, path: str, body: Any, headers: dict[str, str]
    ) -> Any:
        conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        if not 200 <= resp.status < 300:
            raise RuntimeError(f"{method} {path}: {resp.status} {data[:200]!r}")
        return resp, json.loads(data) if data else None

    def run(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            resp, body = self._call(conn, "GET", "/api/v1/csrf", None, {})
        except (OSError, http.client.HTTPException, RuntimeError):
            return
        cookie = resp.getheader("set-cookie", "").split(";", 1)[0]
        headers = {"X-CSRF-Token": body["token"], "Cookie": cookie, "Content-Type": "application/json"}
        mine: list[int] = []
        n = 0
        while True:
            n += 1
            name = f"Apiperson R{self.r}W{self.w}N{n}"
            email = f"api-r{self.r}-w{self.w}-n{n}@example.org"
            summary = f"drill call r{self.r} w{self.w} n{n}"
            note = f"drill note r{self.r} w{self.w} n{n}"
            step = "person"
            try:
                _, person = self._call(conn, "POST", "/api/v1/people", {"name": name, "emails": [email]}, headers)
                with self.lock:
                    self.acked.people[person["id"]] = (name, email)
                mine.append(person["id"])
                if n % 2 == 0 and len(mine) >= 2:
                    step = "interaction"
                    with_ = [mine[-1], mine[-2]]
                    _, inter = self._call(
                        conn, "POST", "/api/v1/interactions", {"summary": summary, "people": with_, "kind": "call"},
                        headers,
                    )  # fmt: skip
                    with self.lock:
                        self.acked.interactions[inter["id"]] = (summary, frozenset(with_))
                if n % 3 == 0:
                    step = "note"
                    _, made = self._call(conn, "POST", f"/api/v1/people/{mine[-1]}/notes", {"body": note}, headers)
                    with self.lock:
                        self.acked.notes[made["id"]] = (mine[-1], note)
            except (OSError, http.client.HTTPException):
                with self.lock:
                    self.acked.unanswered += 1
                return
            except RuntimeError as exc:  # a 4xx/5xx answer is a finding of its own
                self.errors.append(f"{step}: {exc}")
                return


def wait_ready(port: int, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            _, err = proc.communicate()
            raise RuntimeError(f"dunbar serve exited {proc.returncode}: {err.decode()[-500:]}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/api/v1/csrf")
            if conn.getresponse().status == 200:
                return
        except (OSError, http.client.HTTPException):
            pass
        time.sleep(0.05)
    raise RuntimeError("dunbar serve did not answer in time")


# Checks ---------------------------------------------------------------------------------------------------------


def _foreign_keys() -> list[tuple[str, str, str, str]]:
    """(table, column, referenced table, referenced column) for every foreign key of the schema."""
    from dunbar import model

    out = []
    for table in model.Base.metadata.sorted_tables:
        for fk in table.foreign_keys:
            out.append((table.name, fk.parent.name, fk.column.table.name, fk.column.name))
    return out


def sqlite_checks(path: Path) -> list[str]:
    problems: list[str] = []
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        found = [r[0] for r in conn.execute("PRAGMA integrity_check")]
        if found != ["ok"]:
            problems.append(f"integrity_check: {found[:3]}")
        fks = conn.execute("PRAGMA foreign_key_check").fetchall()
        if fks:
            problems.append(f"foreign_key_check: {len(fks)} rows, e.g. {fks[:3]}")
        try:
            conn.execute("INSERT INTO search_fts(search_fts) VALUES ('integrity-check')")
        except sqlite3.DatabaseError as exc:
            problems.append(f"search index (FTS5) integrity-check: {exc}")
    finally:
        conn.close()
    return problems


@dataclass
class Imported:
    file: ImportFile
    batch: bool  # its batch row is there


def app_checks(store: Store, files: list[ImportFile], acked: Acked) -> tuple[list[str], list[Imported]]:
    """The application's invariants, on either store, through dunbar's own query interface."""
    from dunbar.store import open_db

    problems: list[str] = []
    seen: list[Imported] = []
    db = open_db(store.url, migrate=False)
    try:
        one = db.scalar
        # Batches: finished, reported, and whole.
        for b in db.all("SELECT id, path, finished_at, report, status FROM batch WHERE kind = 'import'"):
            if b["finished_at"] is None or not b["report"]:
                problems.append(f"batch {b['id']} is there but unfinished (no finish time or report)")
        by_path = {b["path"]: b for b in db.all("SELECT id, path, report FROM batch WHERE kind = 'import'")}
        for f in files:
            t = tag(f.round)
            new = one("SELECT count(*) FROM identifier WHERE kind = 'linkedin' AND norm LIKE :p", {"p": f"%/{t}-p%"})
            again = one("SELECT count(*) FROM identifier WHERE kind = 'linkedin' AND norm LIKE :p", {"p": f"%/{t}-o%"})
            b = by_path.get(str(f.path))
            seen.append(Imported(f, b is not None))
            if b is None:
                if new or again:
                    problems.append(f"{t}: no batch, but {new} of its people and {again} of its merges are there")
                continue
            report = json.loads(b["report"])
            sources = [r[0] for r in db.rows("SELECT id FROM source WHERE batch_id = :b", {"b": b["id"]})]
            created = one("SELECT count(*) FROM person WHERE source_id IN :s", {"s": sources}) if sources else 0
            jobs = one("SELECT count(*) FROM employment WHERE source_id IN :s", {"s": sources}) if sources else 0
            changes = one("SELECT count(*) FROM batch_change WHERE batch_id = :b", {"b": b["id"]})
            unfilled = one(
                "SELECT count(*) FROM batch_change c JOIN person p ON p.id = c.row_id "
                "WHERE c.batch_id = :b AND c.column_name = 'connected_on' AND p.connected_on IS NULL",
                {"b": b["id"]},
            )
            expect = {
                "read": (report.get("read"), f.new + len(f.overlap)),
                "people created (report)": (report.get("people_created"), f.new),
                "people created (rows)": (created, f.new),
                "new people's LinkedIn URLs": (new, f.new),
                "merged (report)": (report.get("merged"), len(f.overlap)),
                "merged people's LinkedIn URLs": (again, len(f.overlap)),
                "batch_change rows": (changes, len(f.overlap)),
                "jobs": (jobs, f.new + len(f.overlap)),
                "filled values missing": (unfilled, 0),
            }
            for what, (got, want) in expect.items():
                if got != want:
                    problems.append(f"{t}: batch {b['id']} is there but {what} is {got}, not {want}")
        # Every acknowledged write, with what was sent.
        problems += _acked_checks(db, acked)
        # No orphans: every foreign key of the schema, and the search documents' references.
        for table, col, ref, refcol in _foreign_keys():
            n = one(
                f"SELECT count(*) FROM {table} t WHERE t.{col} IS NOT NULL "
                f"AND NOT EXISTS (SELECT 1 FROM {ref} r WHERE r.{refcol} = t.{col})"
            )
            if n:
                problems.append(f"orphans: {n} rows of {table}.{col} point at no {ref}")
        for kind, table, extra in (
            ("person", "person", ""),
            ("note", "note", ""),
            ("interaction", "interaction", " AND coalesce(x.summary, '') <> ''"),
        ):
            orphan = one(
                f"SELECT count(*) FROM search_doc d WHERE d.kind = '{kind}' "
                f"AND NOT EXISTS (SELECT 1 FROM {table} x WHERE x.id = d.ref_id)"
            )
            missing = one(
                f"SELECT count(*) FROM {table} x WHERE NOT EXISTS (SELECT 1 FROM search_doc d "
                f"WHERE d.kind = '{kind}' AND d.ref_id = x.id){extra}"
            )
            docs, rows = (
                one(f"SELECT count(*) FROM search_doc WHERE kind = '{kind}'"),
                one(f"SELECT count(*) FROM {table} x WHERE 1 = 1{extra}"),
            )
            if orphan or missing or docs != rows:
                problems.append(
                    f"search index: {docs} {kind} documents for {rows} rows ({orphan} orphaned, {missing} missing)"
                )
        off = one(
            "SELECT count(*) FROM person p LEFT JOIN person_stats s ON s.person_id = p.id "
            "WHERE coalesce(s.n_total, 0) <> (SELECT count(*) FROM participant pa WHERE pa.person_id = p.id)"
        )
        if off:
            problems.append(f"person_stats: {off} people whose interaction count does not match their interactions")
    finally:
        db.close()
    return problems, seen


def _acked_checks(db: Any, acked: Acked) -> list[str]:
    from dunbar.store.db import chunks

    problems: list[str] = []
    ids = sorted(acked.people)
    found: dict[int, tuple[str, str]] = {}
    for chunk in chunks(ids, 1000):
        for pid, name, email in db.rows(
            "SELECT p.id, p.display_name, i.value FROM person p JOIN identifier i ON i.person_id = p.id "
            "AND i.kind = 'email' WHERE p.id IN :ids AND p.deleted_at IS NULL",
            {"ids": list(chunk)},
        ):
            if acked.people[pid] == (name, email):
                found[pid] = (name, email)
    lost = [pid for pid in ids if pid not in found]
    if lost:
        problems.append(f"{len(lost)} acknowledged people lost or changed, e.g. #{lost[:5]}")
    ids = sorted(acked.interactions)
    seen: dict[int, tuple[str, set[int]]] = {}
    for chunk in chunks(ids, 1000):
        for iid, summary, pid in db.rows(
            "SELECT i.id, i.summary, pa.person_id FROM interaction i JOIN participant pa ON pa.interaction_id = i.id "
            "WHERE i.id IN :ids",
            {"ids": list(chunk)},
        ):
            seen.setdefault(iid, (summary, set()))[1].add(pid)
    lost = [i for i in ids if i not in seen or (seen[i][0], frozenset(seen[i][1])) != acked.interactions[i]]
    if lost:
        problems.append(f"{len(lost)} acknowledged interactions lost or changed, e.g. #{lost[:5]}")
    ids = sorted(acked.notes)
    notes: dict[int, tuple[int, str]] = {}
    for chunk in chunks(ids, 1000):
        for nid, pid, body in db.rows("SELECT id, person_id, body FROM note WHERE id IN :ids", {"ids": list(chunk)}):
            notes[nid] = (pid, body)
    lost = [n for n in ids if notes.get(n) != acked.notes[n]]
    if lost:
        problems.append(f"{len(lost)} acknowledged notes lost or changed, e.g. #{lost[:5]}")
    return problems


def check(store: Store, files: list[ImportFile], acked: Acked) -> tuple[list[str], list[Imported]]:
    problems = sqlite_checks(store.path) if store.path is not None else []
    more, seen = app_checks(store, files, acked)
    return problems + more, seen


# The drill ------------------------------------------------------------------------------------------------------


@dataclass
class StoreResult:
    store: str
    rounds: int = 0
    import_kills: int = 0  # the kill landed while the import ran
    import_kills_in_transaction: int = 0  # … while it held its transaction open (sampled just before the kill)
    import_kills_no_batch: int = 0  # … and left no batch (it was in its transaction or before it)
    imports_finished: int = 0  # the import ended on its own before the kill
    server_kills: int = 0
    acked_writes: int = 0  # acknowledged writes, every one checked after every later round
    unanswered_writes: int = 0
    api_errors: int = 0
    violations: int = 0
    problems: list[str] = field(default_factory=list)
    import_seconds: float = 0.0  # the longest complete import
    seconds: float = 0.0


def _stratified(rng: random.Random, n: int) -> list[float]:
    """``n`` fractions in [0, 1), one from each of ``n`` equal slices, in random order."""
    slots = list(range(n))
    rng.shuffle(slots)
    return [(s + rng.random()) / n for s in slots]


def run_store(
    store: Store,
    *,
    rounds: int,
    rows: int,
    seed: int,
    work: Path,
    server_window: tuple[float, float] = (0.3, 3.0),
    import_window: float = 1.6,
    log: Callable[[str], None] = lambda _m: None,
) -> StoreResult:
    started = time.monotonic()
    rng = random.Random(seed)
    res = StoreResult(store.name)
    init = subprocess.run(
        dunbar(store, "init", "--name", "Drill Owner", "--email", "owner@example.org"),
        capture_output=True, env=child_env(), check=False,
    )  # fmt: skip
    if init.returncode != 0:
        raise RuntimeError(f"dunbar init failed: {init.stderr.decode()[-300:]}")
    # An untimed import first: the expected run time of an import, and a network to start from.
    files: list[ImportFile] = []
    first = write_connections(work, 0, rows, [])
    t0 = time.monotonic()
    done = subprocess.run(dunbar(store, "import", str(first.path), "--json"), capture_output=True, env=child_env())
    if done.returncode != 0:
        raise RuntimeError(f"dunbar import failed: {done.stderr.decode()[-300:]}")
    expected = time.monotonic() - t0
    res.import_seconds = round(expected, 2)
    files.append(first)
    acked = Acked()
    used: set[int] = set()
    lock = threading.Lock()
    import_at, server_at = _stratified(rng, rounds), _stratified(rng, rounds)
    for r in range(1, rounds + 1):
        # 1. The server and its clients.
        port = free_port()
        server = spawn(dunbar(store, "serve", "--port", str(port)))
        wait_ready(port, server)
        writers = [Writer(port, r, w, acked, lock) for w in (1, 2)]
        for w in writers:
            w.start()
        # 2. The import, naming again some people the API added before.
        with lock:
            fresh = [(pid, *acked.people[pid]) for pid in sorted(acked.people) if pid not in used][:OVERLAP]
        used.update(p for p, _, _ in fresh)
        f = write_connections(work, r, rows, fresh)
        files.append(f)
        importer = spawn(dunbar(store, "import", str(f.path), "--json"), PGAPPNAME=IMPORT_APP)
        import_started = time.monotonic()
        # 3. The kills, each at its own moment.
        kill_import = import_at[r - 1] * expected * import_window
        lo, hi = server_window
        kill_server = lo + server_at[r - 1] * (hi - lo)
        events = sorted([(kill_import, "import"), (kill_server, "server")])
        killed = False
        reported: int | None = None  # the batch an import that finished said it made
        finished_at: float | None = None  # when the import ended on its own
        for at, what in events:
            while (now := time.monotonic()) < import_started + at:
                if finished_at is None and importer.poll() is not None:
                    finished_at = now
                time.sleep(min(0.01, import_started + at - now))
            if finished_at is None and importer.poll() is not None:
                finished_at = time.monotonic()
            if what == "import":
                inside = in_transaction(store, importer.pid) if importer.poll() is None else False
                alive, out = kill9(importer)
                if alive:
                    killed = True
                    res.import_kills += 1
                    res.import_kills_in_transaction += bool(inside)
                else:
                    res.imports_finished += 1
                    if importer.returncode == 0:
                        reported = json.loads(out)["batch_id"]
                        took = (finished_at or time.monotonic()) - import_started
                        expected = max(expected, took)
                        res.import_seconds = max(res.import_seconds, round(took, 2))
                    else:
                        res.problems.append(f"round {r}: the import failed on its own (exit {importer.returncode})")
            else:
                kill9(server)
                res.server_kills += 1
        for w in writers:
            w.join(timeout=60)
            res.api_errors += len(w.errors)
            res.problems += [f"round {r}: API error {e}" for e in w.errors]
        # 4. The checks.
        problems, seen = check(store, files, acked)
        if reported is not None and not seen[-1].batch:
            problems.append(f"the import said it made batch {reported}, which is not there")
        if killed and not seen[-1].batch:
            res.import_kills_no_batch += 1
        res.problems += [f"round {r}: {p}" for p in problems]
        res.rounds = r
        log(
            f"{store.name} round {r}/{rounds}: import "
            + (f"killed at {kill_import:.2f} s" if killed else f"ended before its kill at {kill_import:.2f} s")
            + f" ({'no batch' if not seen[-1].batch else 'batch whole'}), server killed at "
            f"{kill_server:.2f} s, {acked.total()} acknowledged writes, {len(problems)} problems"
        )
    res.acked_writes = acked.total()
    res.unanswered_writes = acked.unanswered
    res.violations = len(res.problems)
    res.seconds = round(time.monotonic() - started, 1)
    return res


def run_drill(
    stores: list[str],
    *,
    rounds: int,
    rows: int,
    seed: int = 1,
    server_window: tuple[float, float] = (0.3, 3.0),
    import_window: float = 1.6,
    keep: bool = False,
    log: Callable[[str], None] = lambda _m: None,
) -> list[StoreResult]:
    results = []
    for name in stores:
        with tempfile.TemporaryDirectory(prefix="dunbar-drill-") as tmp:
            work = Path(tmp)
            ctx = sqlite_store(work) if name == "sqlite" else postgresql_store(keep=keep)
            with ctx as store:
                results.append(
                    run_store(
                        store,
                        rounds=rounds,
                        rows=rows,
                        seed=seed,
                        work=work,
                        server_window=server_window,
                        import_window=import_window,
                        log=log,
                    )
                )
    return results


COLUMNS = (
    ("store", "store"),
    ("rounds", "rounds"),
    ("kills during import", "import_kills"),
    ("in its transaction", "import_kills_in_transaction"),
    ("left no batch", "import_kills_no_batch"),
    ("imports finished first", "imports_finished"),
    ("kills of server", "server_kills"),
    ("acked writes checked", "acked_writes"),
    ("unanswered writes", "unanswered_writes"),
    ("violations", "violations"),
    ("seconds", "seconds"),
)


def table(results: list[StoreResult]) -> str:
    head = [c for c, _ in COLUMNS]
    rows = [[str(getattr(r, k)) for _, k in COLUMNS] for r in results]
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(head)]
    lines = ["  ".join(h.strip().ljust(w) for h, w in zip(head, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(v.rjust(w) if i else v.ljust(w) for i, (v, w) in enumerate(zip(row, widths, strict=True)))
              for row in rows]  # fmt: skip
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.drills.faults", description=__doc__.split("\n")[0])
    p.add_argument("--rounds", type=int, default=50, help="rounds per store (default 50)")
    p.add_argument("--rows", type=int, default=3000, help="new people per import file (default 3000)")
    p.add_argument("--store", action="append", choices=["sqlite", "postgresql"], help="default: both")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--server-window", type=float, nargs=2, default=(0.3, 3.0), metavar=("MIN", "MAX"),
                   help="the server is killed this many seconds after the import starts (default 0.3 3.0)")  # fmt: skip
    p.add_argument("--import-window", type=float, default=1.6, metavar="F",
                   help="the import is killed within F times its longest complete run (default 1.6)")  # fmt: skip
    p.add_argument("--keep", action="store_true", help="keep the PostgreSQL database afterwards")
    p.add_argument("--json", action="store_true", help="print the results as JSON")
    p.add_argument("--quiet", action="store_true", help="no line per round on stderr")
    args = p.parse_args(argv)
    stores = args.store or ["sqlite", "postgresql"]
    if "postgresql" in stores and not postgresql_available():
        print(f"PostgreSQL is not reachable at {PG_ADMIN}; set DUNBAR_TEST_PG or pass --store sqlite", file=sys.stderr)
        return 2
    results = run_drill(
        stores,
        rounds=args.rounds,
        rows=args.rows,
        seed=args.seed,
        server_window=tuple(args.server_window),
        import_window=args.import_window,
        keep=args.keep,
        log=(lambda _m: None) if args.quiet else (lambda m: print(m, file=sys.stderr, flush=True)),
    )
    if args.json:
        print(json.dumps([asdict(r) for r in results], indent=2))
    else:
        print(table(results))
        for r in results:
            for problem in r.problems[:20]:
                print(f"{r.store}: {problem}")
    return 1 if any(r.violations for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())

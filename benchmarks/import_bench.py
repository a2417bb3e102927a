"""Import benchmarks: whole-process ``dunbar import`` against the issue's targets, side by side in one run.

    .venv/bin/python -m benchmarks.run --only import            # 30,000 connections, 100,000 messages, …
    .venv/bin/python -m benchmarks.run --only import --quick    # small sizes, a smoke run
    .venv/bin/python -m benchmarks.run --only import-maildir --only import-mail-stdlib

Every import row runs ``dunbar --db TMP --today 2026-11-25 import FILE --json`` as a child process into a fresh
database copied from an initialised template ("me" is me@example.org, the generated mail's owner), and reads the
child's own peak memory from ``wait4``. Rows whose target is relative (mail against the standard library, the
calendar against ``icalendar``, vCards against ``vobject``) measure the reference in the same run, so a busy
machine slows both sides alike. Generated files are cached under benchmarks/out/import-data/ (delete to rebuild).
"""

from __future__ import annotations

import hashlib
import json
import mailbox
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from email.parser import BytesHeaderParser
from pathlib import Path
from typing import Any

from benchmarks.common import OUT, TODAY, Case, Context, Unavailable, benchmark, child_env, dunbar_exe

DATA = OUT / "import-data"
ME = "me@example.org"  # the owner of the generated mail (benchmarks.gen_mail.ME)
GROUP = "import"


@dataclass(frozen=True)
class Sizes:
    connections: int
    messages: int
    messages_small: int  # the smaller mailbox for the flat-memory check
    events: int
    cards: int
    runs: int = 7  # timed runs of the quick rows (LinkedIn): the runner's --runs
    heavy_runs: int = 3  # timed runs of the slow rows (mail, calendar, vCards, their references)


FULL = Sizes(connections=30_000, messages=100_000, messages_small=10_000, events=5_000, cards=30_000)
QUICK = Sizes(connections=3_000, messages=5_000, messages_small=1_000, events=500, cards=3_000)


# Generated input ----------------------------------------------------------------------------------------------


def connections_csv(rows: int, *, seed: int = 7) -> bytes:
    """A LinkedIn Connections.csv as exported today: the ``Notes:`` preamble, CRLF, 1 in 5 with an e-mail."""
    rnd = random.Random(seed)
    months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    lines = ["Notes:", '"When exporting your connection data, some e-mail addresses are missing."', ""]
    lines.append("First Name,Last Name,URL,Email Address,Company,Position,Connected On")
    for i in range(rows):
        email = f"p{i}@example.org" if i % 5 == 0 else ""
        when = f"{rnd.randint(1, 28):02d} {rnd.choice(months)} {rnd.randint(2008, 2025)}"
        lines.append(
            f'Given{i},Family{i % 977},https://www.linkedin.com/in/p-{i},{email},"Org {i % 300}, Inc.",Role,{when}'
        )
    return ("\r\n".join(lines) + "\r\n").encode()


def _cached(path: Path, make: Callable[[Path], object]) -> Path:
    """``path``, made by ``make`` into a temporary name first so an interrupted run leaves no half file."""
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    if tmp.is_dir():
        shutil.rmtree(tmp)
    else:
        tmp.unlink(missing_ok=True)
    print(f"generating {path.name}…", file=sys.stderr)
    make(tmp)
    tmp.rename(path)
    return path


def linkedin_file(n: int) -> Path:
    return _cached(DATA / f"Connections-{n}.csv", lambda p: p.write_bytes(connections_csv(n)))


def maildir(n: int) -> Path:
    from benchmarks.gen_mail import generate_maildir

    return _cached(DATA / f"Maildir-{n}-s1", lambda p: generate_maildir(p, n, 1))


def mbox(n: int) -> Path:
    from benchmarks.gen_mail import generate_mbox

    return _cached(DATA / f"all-{n}-s1.mbox", lambda p: generate_mbox(p, n, 1))


def calendar(n: int) -> Path:
    from benchmarks.gen_calendar import write_calendar

    return _cached(DATA / f"calendar-{n}.ics", lambda p: write_calendar(p, events=n))


def vcards(n: int) -> Path:
    from benchmarks.bench_import_parsers import generate_vcards

    return _cached(DATA / f"cards-{n}.vcf", lambda p: p.write_text(generate_vcards(n), encoding="utf-8", newline=""))


# Running dunbar -----------------------------------------------------------------------------------------------


def _env() -> dict[str, str]:
    return child_env()


def template_db() -> Path:
    """An initialised, empty database ("me" set) that every import row copies."""

    def make(path: Path) -> None:
        argv = [dunbar_exe(), "--db", str(path), "init", "--name", "Robin Me", "--email", ME]
        subprocess.run(argv, check=True, capture_output=True, env=_env())

    # Keyed by the migrations: a database made before a new migration must not be copied into a run.
    versions = Path(__file__).parents[1] / "src" / "dunbar" / "store" / "migrations" / "versions"
    digest = hashlib.sha1(usedforsecurity=False)
    for f in sorted(versions.glob("*.py")):
        digest.update(f.name.encode() + f.read_bytes())
    path = DATA / f"template-{digest.hexdigest()[:12]}.db"
    for old in DATA.glob("template-*.db"):
        if old != path:
            old.unlink()
    return _cached(path, make)


def fresh_db(folder: Path, source: Path | None = None) -> Path:
    """A copy of ``source`` (the template by default) as ``folder``/bench.db, with no WAL left behind."""
    target = folder / "bench.db"
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(str(target) + suffix).unlink(missing_ok=True)
    shutil.copyfile(source or template_db(), target)
    return target


@dataclass
class Run:
    seconds: float
    max_rss_mib: float
    report: dict[str, Any]


def run_child(argv: list[str]) -> tuple[float, float, str]:
    """Run ``argv`` to the end: (wall seconds, the child's own peak resident memory in MiB, stdout)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=err, env=_env())
        _, status, usage = os.wait4(proc.pid, 0)
        took = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace")
    if proc.returncode != 0:
        if "No such command" in stderr:
            raise Unavailable("command not available")
        last = (stderr.strip().splitlines() or [f"exit status {proc.returncode}"])[-1]
        raise RuntimeError(f"{' '.join(argv[-3:])}: {last}")
    return took, usage.ru_maxrss / 1024, stdout


def dunbar_import(db: Path, path: Path) -> Run:
    seconds, rss, stdout = run_child([dunbar_exe(), "--db", str(db), "--today", TODAY, "import", str(path), "--json"])
    return Run(seconds, rss, json.loads(stdout))


def import_runs(path: Path, runs: int, *, onto: Path | None = None) -> list[Run]:
    """``runs`` whole-process imports of ``path``, each into a fresh copy of ``onto`` (default: the template),
    after one untimed run that warms the page cache and checks the import works."""
    with tempfile.TemporaryDirectory(prefix="dunbar-import-bench-") as tmp:
        folder = Path(tmp)
        dunbar_import(fresh_db(folder, onto), path)
        out = []
        for _ in range(runs):
            out.append(dunbar_import(fresh_db(folder, onto), path))
        return out


def timed(fn: Callable[[], object], runs: int) -> list[float]:
    """In-process seconds of ``fn`` (after one untimed warm-up run), ``runs`` times."""
    fn()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return times


# The references, measured in the same run ----------------------------------------------------------------------


def stdlib_mail_loop(root: Path) -> int:
    """The plain standard-library loop the mail target is measured against: headers of every message, no database."""
    parser = BytesHeaderParser()
    box = mailbox.Maildir(root, factory=None, create=False)
    count = 0
    for folder in [box, *(box.get_folder(name) for name in box.list_folders())]:
        for key in folder.iterkeys():
            with folder.get_file(key) as f:
                msg = parser.parse(f)  # type: ignore[arg-type]
            _ = (msg["From"], msg["To"], msg["Cc"], msg["Date"], msg["Subject"], msg["Message-ID"])
            count += 1
    return count


def notmuch_new(root: Path) -> float:
    """Seconds of ``notmuch new`` indexing ``root`` from scratch (it indexes bodies too)."""
    if shutil.which("notmuch") is None:
        raise Unavailable("notmuch not installed (apt-get install notmuch)")
    with tempfile.TemporaryDirectory(prefix="dunbar-notmuch-") as tmp:
        config = Path(tmp) / "config"
        config.write_text(
            f"[database]\npath={root}\nmail_root={root}\n[user]\nname=Me\nprimary_email={ME}\n"
            "[new]\ntags=unread;inbox;\n[maildir]\nsynchronize_flags=false\n"
        )
        shutil.rmtree(root / ".notmuch", ignore_errors=True)
        env = {**_env(), "NOTMUCH_CONFIG": str(config)}
        started = time.perf_counter()
        subprocess.run(["notmuch", "new", "--quiet"], env=env, check=True, capture_output=True)
        took = time.perf_counter() - started
        shutil.rmtree(root / ".notmuch", ignore_errors=True)
    return took


def icalendar_parse(path: Path) -> int:
    import icalendar

    return len(icalendar.Calendar.from_ical(path.read_bytes()).walk("VEVENT"))


def vobject_read(path: Path) -> int:
    import vobject

    with path.open(encoding="utf-8") as fh:
        return sum(1 for _ in vobject.readComponents(fh))


# Rows ---------------------------------------------------------------------------------------------------------


@dataclass
class Measured(Case):
    """A case that measured itself (several processes, a reference in the same run): the runner takes its
    ``times`` as they are. ``target`` None keeps the registered target; ``reference`` rows have no target."""

    times: list[float] = field(default_factory=list)
    target: float | None = None
    note: str = ""
    failure: str | None = None  # a check besides time failed (e.g. a re-import changed something)
    reference: bool = False
    figures: dict[str, Any] = field(default_factory=dict)


def _measured(times: list[float], **kw: Any) -> Measured:
    return Measured(argv=[], runs=len(times), warmup=False, times=times, **kw)


def _rate(n: int, seconds: float) -> str:
    return f"{n / seconds:,.0f}/s"


class Session:
    """Figures shared between rows of one run (a reference is measured once and compared by several rows)."""

    def __init__(self, sizes: Sizes) -> None:
        self.sizes = sizes
        self.memo: dict[str, Any] = {}

    def once(self, key: str, make: Callable[[], Any]) -> Any:
        if key not in self.memo:
            self.memo[key] = make()
        return self.memo[key]


_SESSIONS: dict[tuple[bool, int], Session] = {}


def session(ctx: Context) -> Session:
    key = (ctx.quick, ctx.runs)
    if key not in _SESSIONS:
        base = QUICK if ctx.quick else FULL
        _SESSIONS[key] = Session(replace(base, runs=ctx.runs, heavy_runs=min(ctx.runs, base.heavy_runs)))
    return _SESSIONS[key]


def _counts(report: dict[str, Any]) -> str:
    return f"read {report['read']:,}, {report['created']:,} new, {report['merged']:,} merged"


@benchmark(f"{GROUP}-linkedin", target=2.0, description="dunbar import Connections.csv (30,000 rows) into an empty db")
def linkedin_first(ctx: Context) -> Case:
    s = session(ctx)
    n = s.sizes.connections
    runs = import_runs(linkedin_file(n), s.sizes.runs)
    last = runs[-1].report
    failure = None
    if last["people_created"] != n:
        failure = f"expected {n:,} people, the import made {last['people_created']:,}"
    return _measured(
        [r.seconds for r in runs],
        note=f"{n:,} rows; {_counts(last)}; max RSS {max(r.max_rss_mib for r in runs):.0f} MiB",
        failure=failure,
        figures={"rows": n, "report": last, "max_rss_mib": max(r.max_rss_mib for r in runs)},
    )


@benchmark(f"{GROUP}-linkedin-again", target=2.0, description="the same Connections.csv again: nothing changes")
def linkedin_again(ctx: Context) -> Case:
    s = session(ctx)
    n = s.sizes.connections
    path = linkedin_file(n)
    with tempfile.TemporaryDirectory(prefix="dunbar-import-bench-") as tmp:
        imported = fresh_db(Path(tmp))
        dunbar_import(imported, path)
        runs = import_runs(path, s.sizes.runs, onto=imported)
    changed = [r.report for r in runs if r.report["created"] or r.report["merged"]]
    failure = None
    if changed:
        failure = f"the second import changed something: {changed[0]['created']} new, {changed[0]['merged']} merged"
    last = runs[-1].report
    return _measured(
        [r.seconds for r in runs],
        note=f"{_counts(last)}, {last['unchanged']:,} unchanged",
        failure=failure,
        figures={"rows": n, "report": last},
    )


def _mail_runs(s: Session, which: str) -> list[Run]:
    if which == "maildir":
        return _maildir_pairs(s)[0]
    return s.once(f"mail-{which}", lambda: import_runs(mbox(s.sizes.messages), s.sizes.heavy_runs))


def _maildir_pairs(s: Session) -> tuple[list[Run], list[float]]:
    """The Maildir import and the standard-library loop over the same Maildir, alternated run by run (after one
    untimed run of each), so that a shared machine that gets busy slows both sides of the ratio alike."""

    def make() -> tuple[list[Run], list[float]]:
        root = maildir(s.sizes.messages)
        runs: list[Run] = []
        std: list[float] = []
        with tempfile.TemporaryDirectory(prefix="dunbar-import-bench-") as tmp:
            folder = Path(tmp)
            stdlib_mail_loop(root)
            dunbar_import(fresh_db(folder), root)
            for _ in range(s.sizes.heavy_runs):
                started = time.perf_counter()
                stdlib_mail_loop(root)
                std.append(time.perf_counter() - started)
                runs.append(dunbar_import(fresh_db(folder), root))
        return runs, std

    return s.once("maildir-pairs", make)


def _mail_row(ctx: Context, which: str) -> Measured:
    s = session(ctx)
    n = s.sizes.messages
    runs = _mail_runs(s, which)
    times = [r.seconds for r in runs]
    median = statistics.median(times)
    rss = max(r.max_rss_mib for r in runs)
    last = runs[-1].report
    return _measured(
        times,
        target=n / 10_000,  # at least 10,000 messages/s, database writes included
        note=f"{n:,} messages, {_rate(n, median)}; {last['interactions_created']:,} interactions, "
        f"{last['people_created']:,} people; max RSS {rss:.0f} MiB",
        figures={"messages": n, "per_second": n / median, "max_rss_mib": rss, "report": last},
    )


@benchmark(f"{GROUP}-maildir", target=10.0, description="dunbar import Maildir (100,000 messages): ≥ 10,000/s")
def mail_maildir(ctx: Context) -> Case:
    return _mail_row(ctx, "maildir")


@benchmark(f"{GROUP}-mbox", target=10.0, description="dunbar import mbox (the same 100,000 messages): ≥ 10,000/s")
def mail_mbox(ctx: Context) -> Case:
    return _mail_row(ctx, "mbox")


def _stdlib_times(s: Session) -> list[float]:
    return _maildir_pairs(s)[1]


@benchmark(f"{GROUP}-mail-stdlib", target=0.0, description="reference: mailbox.Maildir + BytesHeaderParser, no db")
def mail_stdlib(ctx: Context) -> Case:
    s = session(ctx)
    times = _stdlib_times(s)
    n = s.sizes.messages
    return _measured(
        times,
        reference=True,
        note=f"{n:,} messages, {_rate(n, statistics.median(times))}, in process",
        figures={"messages": n, "per_second": n / statistics.median(times)},
    )


@benchmark(f"{GROUP}-maildir-vs-stdlib", target=0.0, description="dunbar import Maildir ≥ 3× the stdlib loop")
def mail_vs_stdlib(ctx: Context) -> Case:
    s = session(ctx)
    ours = [r.seconds for r in _mail_runs(s, "maildir")]
    stds = _stdlib_times(s)
    std = statistics.median(stds)
    # The median of the ratios of runs made one after the other: each pair saw the machine in the same state.
    speedup = statistics.median(a / b for a, b in zip(stds, ours, strict=True))
    return _measured(
        ours,
        target=std / 3,
        note=f"{speedup:.2f}× the stdlib loop (median of {len(ours)} alternated pairs; stdlib {std:.2f} s; "
        "target ≥ 3×)",
        figures={"speedup": speedup, "stdlib_seconds": std, "stdlib_times": stds},
    )


@benchmark(f"{GROUP}-mail-notmuch", target=0.0, description="reference: notmuch new on the same Maildir")
def mail_notmuch(ctx: Context) -> Case:
    s = session(ctx)
    n = s.sizes.messages
    root = maildir(n)
    times = [notmuch_new(root)]  # one run: it indexes bodies and takes minutes at 100,000 messages
    return _measured(
        times,
        reference=True,
        note=f"{n:,} messages, {_rate(n, times[0])} (indexes bodies too)",
        figures={"messages": n, "per_second": n / times[0]},
    )


@benchmark(f"{GROUP}-mail-memory", target=0.0, description="peak memory of the Maildir import: 10,000 vs 100,000")
def mail_memory(ctx: Context) -> Case:
    s = session(ctx)
    small_n, big_n = s.sizes.messages_small, s.sizes.messages
    small = import_runs(maildir(small_n), 1)[0]
    big = max(r.max_rss_mib for r in _mail_runs(s, "maildir"))
    growth = big / small.max_rss_mib
    # Flat: ten times the mail may cost a little more (bigger Python sets of seen ids), never ten times the memory.
    failure = (
        None if growth <= 1.5 else f"memory grows with the mailbox: {growth:.2f}× for {big_n // small_n}× the mail"
    )
    return _measured(
        [small.seconds],
        reference=True,
        note=f"max RSS {small.max_rss_mib:.0f} MiB at {small_n:,}, {big:.0f} MiB at {big_n:,} ({growth:.2f}×; flat ≤ 1.5×)",
        failure=failure,
        figures={"small": small_n, "small_mib": small.max_rss_mib, "big": big_n, "big_mib": big, "growth": growth},
    )


def _library_row(
    ctx: Context, key: str, path: Path, library: Callable[[Path], int], label: str, unit: str
) -> tuple[Measured, Measured]:
    s = session(ctx)

    def measure() -> tuple[Measured, Measured]:
        lib_times = timed(lambda: library(path), s.sizes.heavy_runs)
        items = library(path)
        runs = import_runs(path, s.sizes.heavy_runs)
        ours = [r.seconds for r in runs]
        lib = statistics.median(lib_times)
        ratio = statistics.median(ours) / lib
        last = runs[-1].report
        ref = _measured(
            lib_times,
            reference=True,
            note=f"{items:,} {unit}, {_rate(items, lib)}, in process",
            figures={"items": items, "seconds": lib},
        )
        row = _measured(
            ours,
            target=1.5 * lib,
            note=f"{ratio:.2f}× {label} ({lib:.2f} s; target ≤ 1.5×); {_counts(last)}; "
            f"max RSS {max(r.max_rss_mib for r in runs):.0f} MiB",
            figures={"ratio": ratio, "library_seconds": lib, "report": last},
        )
        return row, ref

    return s.once(key, measure)


@benchmark(f"{GROUP}-ics", target=0.0, description="dunbar import calendar.ics (5,000 events) ≤ 1.5× icalendar")
def ics_import(ctx: Context) -> Case:
    path = calendar(session(ctx).sizes.events)
    return _library_row(ctx, "ics", path, icalendar_parse, "icalendar", "events")[0]


@benchmark(f"{GROUP}-ics-icalendar", target=0.0, description="reference: icalendar.Calendar.from_ical alone")
def ics_library(ctx: Context) -> Case:
    path = calendar(session(ctx).sizes.events)
    return _library_row(ctx, "ics", path, icalendar_parse, "icalendar", "events")[1]


@benchmark(f"{GROUP}-vcard", target=0.0, description="dunbar import cards.vcf (30,000 cards) ≤ 1.5× vobject")
def vcard_import(ctx: Context) -> Case:
    path = vcards(session(ctx).sizes.cards)
    return _library_row(ctx, "vcard", path, vobject_read, "vobject", "cards")[0]


@benchmark(f"{GROUP}-vcard-vobject", target=0.0, description="reference: vobject.readComponents alone")
def vcard_library(ctx: Context) -> Case:
    path = vcards(session(ctx).sizes.cards)
    return _library_row(ctx, "vcard", path, vobject_read, "vobject", "cards")[1]

"""Run the benchmarks and print a table: ``python -m benchmarks.run [--only NAME] [--quick] [--runs N] [--json]``.

Each row is a whole-process timing of a ``dunbar`` command against the cached demo database (30,000 people,
1,000,000 interactions; 3,000 and 100,000 with ``--quick``). Results are also written to
benchmarks/out/results.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
from datetime import UTC, datetime
from typing import Any

from benchmarks.common import (
    BIG,
    OUT,
    QUICK,
    REGISTRY,
    Case,
    Context,
    Outcome,
    Unavailable,
    benchmark,
    demo_argv,
    remove_db,
    time_once,
)

# The benchmarks. A new one is one function: return the command line to time.


@benchmark("demo", target=60.0, description="dunbar demo: generate the whole database (once)")
def demo_generation(ctx: Context) -> Case:
    # Builds the cached database itself, so the rows after it time the database it just made.
    return Case(demo_argv(ctx, ctx.db_path), runs=1, warmup=False, before_each=lambda: remove_db(ctx.db_path))


@benchmark("show", target=0.3, description="dunbar show NAME: one person with recent interactions")
def show_person(ctx: Context) -> Case:
    name = ctx.sample(
        "SELECT display_name FROM person WHERE circle = 'inner' AND display_name NOT IN "
        "(SELECT display_name FROM person GROUP BY display_name HAVING COUNT(*) > 1) ORDER BY id LIMIT 1"
    )
    return Case([*ctx.base_argv(), "show", name], runs=ctx.runs)


@benchmark("search", target=0.3, description="dunbar search berlin: full-text search over everything")
def search_word(ctx: Context) -> Case:
    ctx.ensure_db()
    return Case([*ctx.base_argv(), "search", "berlin"], runs=ctx.runs)


@benchmark("list-tag", target=0.3, description="dunbar list --tag python --json: a filtered listing as JSON")
def list_tag(ctx: Context) -> Case:
    ctx.ensure_db()
    return Case([*ctx.base_argv(), "list", "--tag", "python", "--json"], runs=ctx.runs)


@benchmark("today", target=0.3, description="dunbar today: the daily agenda (cadences, strength, reasons, hooks)")
def today_agenda(ctx: Context) -> Case:
    # The first run of the day remembers its list (a few agenda_state rows); the reruns compute everything
    # again and find the same people, so every run does the same work.
    ctx.ensure_db()
    return Case([*ctx.base_argv(), "today"], runs=ctx.runs)


# The runner.


def measure(ctx: Context, name: str) -> Outcome:
    from benchmarks.import_bench import Measured

    bench = REGISTRY[name]
    out = Outcome(name, bench.description, bench.target)
    try:
        case = bench.make(ctx)
        if isinstance(case, Measured):  # timed by its own code (several processes, a reference in the same run)
            out.times, out.note = case.times, case.note
            if case.target is not None:
                out.target = case.target
            if case.reference:
                out.status = "reference"
            if case.failure:
                out.status, out.note = "failed", f"{case.failure}; {case.note}"
            FIGURES[name] = case.figures
            return out
        if case.warmup:
            time_once(case)
        out.times = [time_once(case) for _ in range(case.runs)]
    except Unavailable as exc:
        out.status, out.note = "unavailable", str(exc)
    except Exception as exc:
        out.status, out.note = "failed", str(exc)
    return out


# Figures besides times that a self-measured row reports (messages/s, peak memory, ratios), for results.json.
FIGURES: dict[str, dict[str, Any]] = {}


def summary(o: Outcome) -> dict[str, Any]:
    median = statistics.median(o.times) if o.times else None
    verdict = {"unavailable": "skip", "failed": "FAIL", "reference": "ref"}.get(o.status)
    target = None if o.status == "reference" else o.target
    if verdict is None:
        verdict = "pass" if median is not None and median <= o.target else "FAIL"
    return {
        "name": o.name,
        "description": o.description,
        "runs": len(o.times),
        "median": median,
        "min": min(o.times) if o.times else None,
        "max": max(o.times) if o.times else None,
        "target": target,
        "ratio": median / target if median is not None and target else None,
        "result": verdict,
        "note": o.note,
        "times": o.times,
        **({"figures": FIGURES[o.name]} if o.name in FIGURES else {}),
    }


def _seconds(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:.3f} s" if value < 10 else f"{value:.1f} s"


def print_table(rows: list[dict[str, Any]], ctx: Context) -> None:
    from rich.console import Console
    from rich.table import Table

    size = f"{ctx.people:,} people, {ctx.interactions:,} interactions"
    table = Table(title=f"dunbar benchmarks: {size}; whole process; ratio = median / target", title_justify="left")
    for col in ("benchmark", "runs", "median", "min", "max", "target", "ratio", "result"):
        table.add_column(col, justify="left" if col in ("benchmark", "result") else "right")
    for r in rows:
        style = {"pass": "green", "FAIL": "red", "skip": "yellow", "ref": "cyan"}[r["result"]]
        result = f"[{style}]{r['result']}[/{style}]" + (f" ({r['note']})" if r["note"] else "")
        table.add_row(
            r["name"],
            str(r["runs"]),
            _seconds(r["median"]),
            _seconds(r["min"]),
            _seconds(r["max"]),
            _seconds(r["target"]),
            f"{r['ratio']:.2f}" if r["ratio"] is not None else "–",
            result,
        )
    Console().print(table)


def main(argv: list[str] | None = None) -> int:
    # Importing these registers their rows (import-*, graph-*, server-load, web-*, page-*) after the rows above.
    import benchmarks.graph_bench
    import benchmarks.import_bench
    import benchmarks.server_load
    import benchmarks.web_load
    import benchmarks.web_pages  # noqa: F401

    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--only", action="append", metavar="NAME", help=f"run only these, or a group: import ({', '.join(REGISTRY)})"
    )
    parser.add_argument("--quick", action="store_true", help="a 3,000-person database and 3 runs per row")
    parser.add_argument("--runs", type=int, help="timed runs per row (default 7, or 3 with --quick)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON instead of a table")
    args = parser.parse_args(argv)
    names = list(REGISTRY) if not args.only else [n for wanted in args.only for n in _group(wanted)]
    unknown = [n for n in names if n not in REGISTRY]
    if unknown:
        parser.error(f"no benchmark named {', '.join(unknown)} (known: {', '.join(REGISTRY)})")
    people, interactions = QUICK if args.quick else BIG
    ctx = Context(
        quick=args.quick, runs=args.runs or (3 if args.quick else 7), people=people, interactions=interactions
    )
    rows = []
    for name in names:
        print(f"running {name}…", file=sys.stderr)
        rows.append(summary(measure(ctx, name)))
    report = {
        "when": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "machine": {"python": platform.python_version(), "platform": platform.platform(), "cpus": _cpus()},
        "people": people,
        "interactions": interactions,
        "results": rows,
    }
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "results.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print_table(rows, ctx)
    return 1 if any(r["result"] == "FAIL" for r in rows) else 0


def _group(wanted: str) -> list[str]:
    """A row's name, or every row of a group: ``import`` is import-linkedin, import-maildir, …"""
    if wanted in REGISTRY:
        return [wanted]
    return [n for n in REGISTRY if n.startswith(wanted + "-")] or [wanted]


def _cpus() -> int | None:
    import os

    return os.cpu_count()


if __name__ == "__main__":
    sys.exit(main())

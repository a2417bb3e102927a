"""Offer/need matching: quality on the labelled set, and speed at 30,000 people.

    .venv/bin/python -m benchmarks.match_eval.run              # quality table (baseline, and semantic if installed)
    .venv/bin/python -m benchmarks.match_eval.run --speed      # also: whole-process `dunbar match` at 30,000 people

Quality: for each need in pairs.tsv, every offer in the file is ranked; the offers labelled 1 for that need are
the relevant ones (an offer not labelled for a need counts as not relevant). precision@5 and recall@20 are
averaged over the needs.

Speed: a generated database of 30,000 people (offers from their jobs, a need for one in four, ties and shared
meetings) is written once under benchmarks/out/, then each `dunbar match` mode runs as a whole process.
"""

from __future__ import annotations

import argparse
import csv
import random
import statistics
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
OUT = ROOT / "benchmarks" / "out"
TODAY = "2026-11-25"


def load_pairs() -> tuple[list[str], list[str], dict[str, set[str]]]:
    needs: list[str] = []
    offers: list[str] = []
    relevant: dict[str, set[str]] = {}
    with open(HERE / "pairs.tsv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            if row["need"] not in relevant:
                needs.append(row["need"])
                relevant[row["need"]] = set()
            if row["offer"] not in offers:
                offers.append(row["offer"])
            if row["relevant"].strip() == "1":
                relevant[row["need"]].add(row["offer"])
    return needs, offers, relevant


def evaluate(
    scores: list[list[float]], needs: list[str], offers: list[str], relevant: dict[str, set[str]]
) -> tuple[float, float]:
    p5, r20 = [], []
    for i, need in enumerate(needs):
        ranked = sorted(range(len(offers)), key=lambda j: (-scores[i][j], j))
        top5 = [offers[j] for j in ranked[:5] if scores[i][j] > 0]
        top20 = [offers[j] for j in ranked[:20] if scores[i][j] > 0]
        rel = relevant[need]
        p5.append(sum(o in rel for o in top5) / 5)
        r20.append(sum(o in rel for o in top20) / len(rel) if rel else 1.0)
    return statistics.mean(p5), statistics.mean(r20)


def quality() -> list[tuple[str, float, float]]:
    from dunbar import semantic
    from dunbar.scoring import match as m

    needs, offers, relevant = load_pairs()
    n_pairs = len((HERE / "pairs.tsv").read_text(encoding="utf-8").splitlines()) - 1
    print(f"{n_pairs} labelled pairs, {len(needs)} needs, {len(offers)} offers ranked for each need")
    nc = [m.concepts(t) for t in needs]
    oc = [m.concepts(t) for t in offers]
    weights = m.weigh(nc + oc)
    base = [[m.score(a, b, weights) for b in oc] for a in nc]
    rows = [("baseline (synonyms)", *evaluate(base, needs, offers, relevant))]
    if semantic.available():
        cache = semantic.EmbeddingCache(OUT / "match_eval.embeddings.npz")
        sims = semantic.Blender(cache).scores(needs, offers)
        only = [[max(0.0, float(sims[i, j])) for j in range(len(offers))] for i in range(len(needs))]
        rows.append(("semantic only (MiniLM)", *evaluate(only, needs, offers, relevant)))
        blended = [
            [semantic.blend(base[i][j], float(sims[i, j])) for j in range(len(offers))] for i in range(len(needs))
        ]
        rows.append(("blended (dunbar default)", *evaluate(blended, needs, offers, relevant)))
    else:
        print("semantic extra not installed: pip install 'dunbar[semantic]' for its rows")
    print("\n| matcher | precision@5 | recall@20 |\n| --- | --- | --- |")
    for name, p, r in rows:
        print(f"| {name} | {p:.3f} | {r:.3f} |")
    return rows


# Speed --------------------------------------------------------------------------------------------------------

FIELDS = [
    ("Data Scientist", ["hiring a data scientist", "looking for a machine learning mentor", "advice on A/B testing"]),
    ("Software Engineer", ["hiring a backend engineer", "help moving to k8s", "looking for a Rust developer"]),
    ("Product Manager", ["looking for a new PM role", "feedback on our roadmap", "intro to a UX researcher"]),
    ("UX Designer", ["looking for a design mentor", "hiring a product designer", "advice on user research"]),
    ("Account Executive", ["hiring an SDR", "intro to a VP sales", "advice on enterprise deals"]),
    ("Recruiter", ["hiring a recruiter", "looking for talent acquisition tools", "intro to HR leaders"]),
    ("DevOps Engineer", ["need help with our CI/CD", "hiring an SRE", "advice on Terraform"]),
    ("Marketing Manager", ["advice on growth marketing", "hiring a content writer", "looking for SEO help"]),
    ("Founder", ["raising a seed round", "looking for a technical cofounder", "intro to angel investors"]),
    ("Financial Analyst", ["looking for an internship in finance", "advice on FP&A tools", "need an accountant"]),
    ("Lawyer", ["need a lawyer for a SaaS contract", "advice on GDPR", "intro to a legal tech founder"]),
    ("Nurse", ["looking for a job in digital health", "advice on moving into healthtech", "intro to a clinic manager"]),
]
LEVELS = ["", "Senior ", "Lead ", "Junior ", "Staff ", "Head of "]


def build_db(path: Path, people: int, seed: int = 7) -> None:
    """30,000 people with jobs at 3,000 organizations, offers from their jobs, a need for one in four, some ties
    and shared meetings: written straight into a migrated database (sqlite3, like the demo generator)."""
    import sqlite3

    from dunbar import offers as svc
    from dunbar.store import open_db

    rng = random.Random(seed)
    if path.exists():
        path.unlink()
    open_db(f"sqlite:///{path}", create=True).close()
    now = datetime(2026, 11, 25, 12, tzinfo=UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    conn = sqlite3.connect(path)
    conn.execute("INSERT INTO source (id, kind, label, created_at) VALUES (1, 'manual', 'benchmark', ?)", (now,))
    orgs = [f"Org {i} {rng.choice(['Labs', 'GmbH', 'Inc', 'Health', 'Bank', 'Studio'])}" for i in range(3000)]
    conn.executemany(
        "INSERT INTO organization (id, name, name_fold, created_at) VALUES (?, ?, ?, ?)",
        [(i + 1, n, n.lower(), now) for i, n in enumerate(orgs)],
    )
    persons, items = [], []
    uid = 0
    for pid in range(1, people + 1):
        name = f"Person {pid}"
        persons.append((pid, f"{pid:032x}", name, name.lower(), 1 if pid == 1 else 0, now, now))
        title, asks = rng.choice(FIELDS)
        org = rng.randrange(len(orgs))
        for text in svc.offers_for_job(rng.choice(LEVELS) + title, orgs[org]):
            uid += 1
            items.append((uid, pid, "offer", text, "active", TODAY, None, now))
        if pid == 1 or rng.random() < 0.25:
            uid += 1
            ask = rng.choice(asks)
            if rng.random() < 0.3:
                ask = f"{ask} at {orgs[rng.randrange(len(orgs))]}"
            expires = (date(2026, 11, 25) + timedelta(days=rng.randrange(1, 90))).isoformat()
            items.append((uid, pid, "need", ask, "active", TODAY, expires, now))
    conn.executemany(
        "INSERT INTO person (id, uid, display_name, name_fold, is_me, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        persons,
    )
    conn.executemany(
        "INSERT INTO offer_need (id, person_id, kind, text, status, since, expires_on, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        items,
    )
    ties = {tuple(sorted(rng.sample(range(2, people + 1), 2))) for _ in range(people)}
    conn.executemany(
        "INSERT INTO tie (person_a_id, person_b_id, kind, strength, status, created_at, updated_at) VALUES (?, ?, 'inferred', 0.5, 'active', ?, ?)",
        [(a, b, now, now) for a, b in ties],
    )
    meetings = []
    parts = []
    for i in range(1, people + 1):
        meetings.append((i, f"{i:032x}", now, "meeting", "benchmark", 1.0, now))
        for p in {1, *rng.sample(range(2, people + 1), 2)}:
            parts.append((i, p))
    conn.executemany(
        "INSERT INTO interaction (id, uid, occurred_at, kind, summary, weight, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        meetings,
    )
    conn.executemany("INSERT INTO participant (interaction_id, person_id) VALUES (?, ?)", parts)
    conn.commit()
    conn.close()
    print(f"built {path.name}: {people} people, {len(items)} offers and needs, {len(ties)} ties")


def dunbar_exe() -> str:
    exe = ROOT / ".venv" / "bin" / "dunbar"
    return str(exe) if exe.exists() else "dunbar"


def time_cmd(argv: list[str], runs: int) -> list[float]:
    subprocess.run(argv, capture_output=True, check=True)  # warm the page cache (and the embedding cache)
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(argv, capture_output=True, check=True)
        out.append(time.perf_counter() - t)
    return out


def speed(people: int, runs: int) -> None:
    from dunbar import semantic

    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"match-{people}.db"
    if not path.exists():
        build_db(path, people)
    base = [dunbar_exe(), "--db", str(path), "--today", TODAY, "match", "--json"]
    backends = [("baseline", "--no-semantic", 1.0)]
    if semantic.available():
        t = time.perf_counter()
        subprocess.run([*base[:-1], "--build-index"], capture_output=True, check=True)
        print(f"semantic index built in {time.perf_counter() - t:.1f} s (once; later runs read the cache)")
        backends.append(("semantic", "--semantic", 3.0))
    print("\n| mode | matcher | median s | min s | max s | target s |\n| --- | --- | --- | --- | --- | --- |")
    for mode in ("--help-others", "--help-me", "--intros"):
        for name, flag, target in backends:
            times = time_cmd([*base, mode, flag], runs)
            print(
                f"| {mode} | {name} | {statistics.median(times):.2f} | {min(times):.2f} | {max(times):.2f} | {target:.0f} |"
            )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--speed", action="store_true", help="also time `dunbar match` on a generated database")
    ap.add_argument("--people", type=int, default=30_000)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    quality()
    if args.speed:
        speed(args.people, args.runs)


if __name__ == "__main__":
    sys.exit(main())

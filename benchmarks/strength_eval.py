"""Does the strength score mean something? Freeze the history at T and ask who is still in touch after it.

For each "me", every person I interacted with up to T is scored from the history up to T alone, and the score
is compared with the label "in touch again in (T, T + horizon]" by ROC AUC (Mann-Whitney U with ties; 0.5 is a
coin, 1.0 a perfect ranking), against two baselines: days since last contact (negated) and the number of
interactions.

    python -m benchmarks.strength_eval EDGES.txt [--me-top 50] [--horizon 90] [--cut FRACTION|YYYY-MM-DD]
    python -m benchmarks.strength_eval --demo [--people 3000] [--interactions 100000]

EDGES.txt is any timed edge list: one ``src dst time`` per line (whitespace separated; time in Unix seconds;
lines starting with ``#`` or a non-numeric header are skipped). Each of the ``--me-top`` most active nodes is
"me" in turn (a message from me is started by me) and the table reports the mean AUC over them. Without
``--cut``, T is the end of the data minus the horizon, so the horizon fits; when the data span is shorter than
twice the horizon the horizon is scaled to half the span, and the table says so.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from dunbar.scoring import StrengthParams, add, score
from dunbar.scoring.stats import Stats

Event = tuple[datetime, float, str | None, str]  # (at, weight, initiator, kind)


def auc(scores: Sequence[float], labels: Sequence[bool]) -> float | None:
    """ROC AUC by Mann-Whitney U with average ranks for ties; None when one class is empty."""
    pos = sum(labels)
    neg = len(labels) - pos
    if pos == 0 or neg == 0:
        return None
    order = sorted(range(len(scores)), key=lambda k: scores[k])
    ranks = [0.0] * len(scores)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and scores[order[j + 1]] == scores[order[i]]:
            j += 1
        rank = (i + j) / 2 + 1  # average of ranks i+1 … j+1
        for k in range(i, j + 1):
            ranks[order[k]] = rank
        i = j + 1
    rank_sum = sum(r for r, y in zip(ranks, labels, strict=True) if y)
    return (rank_sum - pos * (pos + 1) / 2) / (pos * neg)


@dataclass
class Result:
    candidates: int
    positives: int
    strength: float | None
    recency: float | None
    count: float | None


def evaluate(partners: dict[int, list[Event]], *, cut: datetime, horizon: timedelta, params: StrengthParams) -> Result:
    """Score every partner with contact up to ``cut`` and compare with contact in (cut, cut + horizon]."""
    s_strength: list[float] = []
    s_recency: list[float] = []
    s_count: list[float] = []
    labels: list[bool] = []
    end = cut + horizon
    for events in partners.values():
        stats: Stats | None = None
        later = False
        for at, weight, initiator, kind in events:
            if at <= cut:
                stats = add(
                    stats, at=at, weight=weight, initiator=initiator, kind=kind, half_life_days=params.half_life_days
                )
            elif at <= end:
                later = True
        if stats is None or stats.last_at is None:
            continue
        s_strength.append(score(stats, now=cut, params=params))
        s_recency.append(-(cut - stats.last_at).total_seconds())
        s_count.append(stats.n_total)
        labels.append(later)
    return Result(len(labels), sum(labels), auc(s_strength, labels), auc(s_recency, labels), auc(s_count, labels))


# Edge lists ------------------------------------------------------------------------------------------------


def read_edges(path: Path) -> list[tuple[int, int, float]]:
    edges = []
    with path.open() as fh:
        for line in fh:
            parts = line.split()
            if len(parts) < 3 or line.startswith("#"):
                continue
            try:
                edges.append((int(parts[0]), int(parts[1]), float(parts[2])))
            except ValueError:
                continue  # a header line
    if not edges:
        raise SystemExit(f"{path}: no `src dst time` lines found")
    edges.sort(key=lambda e: e[2])
    return edges


def partners_of(edges: list[tuple[int, int, float]], me: int) -> dict[int, list[Event]]:
    out: dict[int, list[Event]] = defaultdict(list)
    for src, dst, t in edges:
        if src == me and dst != me:
            out[dst].append((datetime.fromtimestamp(t, UTC), 1.0, "me", "message"))
        elif dst == me and src != me:
            out[src].append((datetime.fromtimestamp(t, UTC), 1.0, "them", "message"))
    return out


def edge_list(args: argparse.Namespace, params: StrengthParams) -> tuple[str, list[Result], str]:
    edges = read_edges(args.edges)
    first = datetime.fromtimestamp(edges[0][2], UTC)
    last = datetime.fromtimestamp(edges[-1][2], UTC)
    span = last - first
    horizon = timedelta(days=args.horizon)
    note = ""
    if args.cut is None:
        if span < 2 * horizon:
            horizon = span / 2
            note = f"horizon scaled to half the {span.days}-day span: {horizon.days} days"
        cut = last - horizon
    elif "-" in args.cut:
        cut = datetime.combine(date.fromisoformat(args.cut), datetime.min.time(), UTC)
    else:
        cut = first + span * float(args.cut)
    activity = Counter[int]()
    for src, dst, _ in edges:
        activity[src] += 1
        activity[dst] += 1
    mes = [node for node, _ in activity.most_common(args.me_top)]
    results = [evaluate(partners_of(edges, me), cut=cut, horizon=horizon, params=params) for me in mes]
    where = f"T = {cut.date()}, horizon {horizon.days} d, {len(mes)} × me"
    return args.edges.name, results, f"{where}{'; ' + note if note else ''}"


def demo(args: argparse.Namespace, params: StrengthParams) -> tuple[str, list[Result], str]:
    from dunbar import demo as demo_network
    from dunbar.store import open_db
    from dunbar.store.db import to_datetime

    today = date(2026, 11, 25)
    with tempfile.TemporaryDirectory() as tmp:
        db = open_db(f"sqlite:///{Path(tmp) / 'demo.db'}", create=True)
        try:
            demo_network.generate(db, people=args.people, interactions=args.interactions, seed=args.seed, today=today)
            partners: dict[int, list[Event]] = defaultdict(list)
            for pid, at, weight, initiator, kind in db.rows(
                "SELECT pa.person_id, i.occurred_at, i.weight, i.initiator, i.kind "
                "FROM participant pa JOIN interaction i ON i.id = pa.interaction_id ORDER BY i.occurred_at"
            ):
                moment = to_datetime(at)
                assert moment is not None
                partners[int(pid)].append((moment, float(weight), initiator, kind))
        finally:
            db.close()
    horizon = timedelta(days=args.horizon)
    now = datetime.combine(today, datetime.min.time(), UTC)
    cut = now - horizon
    result = evaluate(partners, cut=cut, horizon=horizon, params=params)
    return (
        f"demo ({args.people} people, {args.interactions} interactions)",
        [result],
        f"T = {cut.date()}, horizon {args.horizon} d",
    )


def _mean(values: list[float | None]) -> str:
    got = [v for v in values if v is not None]
    return f"{sum(got) / len(got):.3f}" if got else "-"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.strength_eval", description=__doc__.split("\n")[0])
    parser.add_argument("edges", type=Path, nargs="?", help="a `src dst time` edge list")
    parser.add_argument("--demo", action="store_true", help="evaluate on a freshly made demo network")
    parser.add_argument("--me-top", type=int, default=50, help="how many of the most active nodes play me")
    parser.add_argument("--horizon", type=int, default=90, help="days after T that count as still in touch")
    parser.add_argument("--cut", help="T as a fraction of the data span (0.5) or a date (YYYY-MM-DD)")
    parser.add_argument("--half-life", type=float, help="override the score's half-life (days)")
    parser.add_argument("--people", type=int, default=3000)
    parser.add_argument("--interactions", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    if not args.demo and args.edges is None:
        parser.error("give an edge list or --demo")
    params = StrengthParams() if args.half_life is None else StrengthParams(half_life_days=args.half_life)
    started = time.perf_counter()
    rows = []
    if args.edges is not None:
        rows.append(edge_list(args, params))
    if args.demo:
        rows.append(demo(args, params))
    print(f"{'dataset':<44} {'me':>3} {'people':>7} {'in touch':>8} {'strength':>9} {'recency':>8} {'count':>7}")
    for name, results, where in rows:
        valid = [r for r in results if r.strength is not None]
        print(
            f"{name:<44} {len(valid):>3} {sum(r.candidates for r in valid):>7} {sum(r.positives for r in valid):>8} "
            f"{_mean([r.strength for r in valid]):>9} {_mean([r.recency for r in valid]):>8} "
            f"{_mean([r.count for r in valid]):>7}"
        )
        print(f"  {where}")
    print(f"(mean ROC AUC over the mes with both outcomes; {time.perf_counter() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

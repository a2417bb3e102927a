"""Warm paths: the k best routes from me to a person or an organization, over an in-memory adjacency (pure).

The graph is a mapping ``{node: {neighbour: weight}}`` with weights in (0, 1] (how likely a hop is to work); a
path's cost is the sum of ``-log(weight)`` over its hops, so the cheapest path is the one whose product of
weights is largest. ``best_paths`` finds the ``k`` cheapest simple paths of at most ``max_hops`` hops:

1. a backward pass from the targets computes, for every node and every number of hops left, the cheapest cost
   of reaching a target (``to_go``); it ignores simplicity, so it never overestimates;
2. a best-first (A*) search over partial paths, ordered by cost so far plus ``to_go``, pops complete paths in
   order of cost; only neighbours that can still reach a target in the hops left are expanded.

Why hand-written rather than networkx: ``import networkx`` costs about 0.2 s, close to the whole budget of
``dunbar path`` (0.5 s whole process), and its k-shortest-simple-paths (Yen) needs the whole graph in memory
as networkx objects, while the service loads only the few thousand ties a 3-hop search from me can use (my
contacts, their ties, the ties of the target's people). With hop-bounded searches on such a graph the A* above
expands a few hundred partial paths. benchmarks/graph_bench.py compares both on the same graph.

How weights are made from tie strength, freshness and the favour balance is also here (``first_hop_weight``,
``tie_weight``), so that ranking can be tested without a database.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

Adjacency = Mapping[int, Mapping[int, float]]

# A weight is never taken below this, so that costs stay finite.
MIN_WEIGHT = 1e-6
# Freshness: a tie last seen this many days ago counts half as much as a fresh one above the floor.
FRESH_HALF_LIFE_DAYS = 730.0
FRESH_FLOOR = 0.5
# An unknown date is neither fresh nor stale.
FRESH_UNKNOWN = 0.75


@dataclass(frozen=True)
class Path:
    """A path from the source (first node) to a target (last node), with its cost (−log of its weight)."""

    nodes: tuple[int, ...]
    cost: float

    @property
    def weight(self) -> float:
        """The product of the hops' weights: 1 is a sure thing, near 0 a long shot."""
        return math.exp(-self.cost)

    @property
    def hops(self) -> int:
        return len(self.nodes) - 1


def cost(weight: float) -> float:
    return -math.log(min(1.0, max(MIN_WEIGHT, weight)))


def freshness(days: float | None) -> float:
    """A factor in [FRESH_FLOOR, 1]: 1 for something seen today, halving its distance to the floor every
    ``FRESH_HALF_LIFE_DAYS``; ``FRESH_UNKNOWN`` when there is no date."""
    if days is None:
        return FRESH_UNKNOWN
    return FRESH_FLOOR + (1.0 - FRESH_FLOOR) * 0.5 ** (max(0.0, days) / FRESH_HALF_LIFE_DAYS)


def balance_factor(net: float) -> float:
    """How the favour balance changes the first hop: people who owe me (``net > 0``) are a little easier to ask
    (up to ×1.25), people I already owe are harder (one medium favour owed: ×0.67; three or more: ×0.5)."""
    if net >= 0:
        return 1.0 + min(net, 3.0) / 12.0
    return max(0.5, 1.0 + net / 6.0)


def first_hop_weight(strength: int | float, *, net: float = 0.0, days_since_contact: float | None = None) -> float:
    """The weight of asking someone I know: my 0–100 strength with them, a little freshness (strength already
    decays without contact) and the favour balance; at most 1."""
    fresh = 0.8 + 0.2 * freshness(days_since_contact)
    return min(1.0, max(MIN_WEIGHT, strength / 100.0) * fresh * balance_factor(net))


def tie_weight(strength: float, *, days_since_seen: float | None = None) -> float:
    """The weight of a hop between two people I know of: the tie's 0..1 strength times its freshness."""
    return min(1.0, max(MIN_WEIGHT, strength) * freshness(days_since_seen))


def _to_go(adj: Adjacency, targets: Collection[int], hops: int, blocked: Collection[int]) -> list[dict[int, float]]:
    """``to_go[h][n]``: the cheapest cost from ``n`` to a target in at most ``h`` hops (absent = unreachable)."""
    level: dict[int, float] = {t: 0.0 for t in targets if t not in blocked}
    out = [dict(level)]
    for _ in range(hops):
        nxt = dict(level)
        for node, c in level.items():
            for nb, w in adj.get(node, {}).items():
                if nb in blocked:
                    continue
                total = c + cost(w)
                if total < nxt.get(nb, math.inf):
                    nxt[nb] = total
        out.append(nxt)
        level = nxt
    return out


def best_paths(
    adj: Adjacency,
    source: int,
    targets: Iterable[int],
    *,
    k: int = 3,
    max_hops: int = 3,
    distinct_first: bool = True,
) -> list[Path]:
    """The ``k`` cheapest simple paths from ``source`` to any of ``targets`` with at most ``max_hops`` hops,
    cheapest first (ties broken by fewer hops, then node ids, so results are stable).

    ``distinct_first``: at most one path per first hop (the best through each person I would ask), so that the
    answer offers different people to ask rather than the same one k times. A path ends at the first target it
    reaches (for an organization any of its people is an end; going through one to reach another is no warmer).
    """
    goal = {t for t in targets if t != source}
    if k <= 0 or max_hops <= 0 or not goal:
        return []
    to_go = _to_go(adj, goal, max_hops - 1, blocked={source})
    found: list[Path] = []
    used_first: set[int] = set()
    # Entries: (estimated total, hops, nodes, cost so far).
    heap: list[tuple[float, int, tuple[int, ...], float]] = []
    for nb, w in adj.get(source, {}).items():
        est = to_go[max_hops - 1].get(nb)
        if est is not None:
            c = cost(w)
            heapq.heappush(heap, (c + est, 1, (source, nb), c))
    while heap and len(found) < k:
        _, hops, nodes, c = heapq.heappop(heap)
        first, last = nodes[1], nodes[-1]
        if distinct_first and first in used_first:
            continue
        if last in goal:
            found.append(Path(nodes, c))
            used_first.add(first)
            continue
        left = max_hops - hops
        if left <= 0:
            continue
        seen = set(nodes)
        reach = to_go[left - 1]
        for nb, w in adj.get(last, {}).items():
            if nb in seen:
                continue
            est = reach.get(nb)
            if est is None:
                continue
            nc = c + cost(w)
            heapq.heappush(heap, (nc + est, hops + 1, (*nodes, nb), nc))
    return found


def undirected(edges: Iterable[tuple[int, int, float]]) -> dict[int, dict[int, float]]:
    """An adjacency from ``(a, b, weight)`` triples, both ways; a pair given twice keeps its larger weight."""
    adj: dict[int, dict[int, float]] = {}
    for a, b, w in edges:
        if a == b:
            continue
        if w > adj.setdefault(a, {}).get(b, 0.0):
            adj[a][b] = w
            adj.setdefault(b, {})[a] = w
    return adj

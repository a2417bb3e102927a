"""Suggested circles after Dunbar's layers, from strength scores.

People are ranked by score (highest first; ties by person id, so the result is deterministic) and fill the
layers in order, each with a cumulative capacity: ``inner`` the top 5, ``close`` up to 15, ``active`` up to 50,
``network`` up to 150, ``acquaintance`` up to 500, and everyone beyond 500 ``dormant``.

A layer also has a floor: a person whose score is below it moves down to the first layer whose floor they reach
(``inner`` 60, ``close`` 45, ``active`` 30, ``network`` 15; ``acquaintance`` 1). So a small network does not put
a barely-known person in the inner circle just because there are few people, and a score below 15 never goes
above ``acquaintance``. A score of 0 (nothing left of the history) is ``dormant``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

# (circle, cumulative capacity, lowest score)
LAYERS: tuple[tuple[str, int, float], ...] = (
    ("inner", 5, 60.0),
    ("close", 15, 45.0),
    ("active", 50, 30.0),
    ("network", 150, 15.0),
    ("acquaintance", 500, 1.0),
)
DORMANT = "dormant"


def suggest_circles(scores: Mapping[int, float]) -> dict[int, str]:
    """A circle for every person of ``scores`` (person id → 0–100 score)."""
    ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
    return suggest_ranked([pid for pid, _ in ranked], [value for _, value in ranked])


def suggest_ranked(ids: Sequence[int], values: Sequence[float]) -> dict[int, str]:
    """``suggest_circles`` of people already ranked (``values`` non-increasing, ties by id)."""
    out: dict[int, str] = {}
    rank = 0  # how many people are placed above the dormant layer
    last_capacity, last_floor = LAYERS[-1][1], min(floor for _, _, floor in LAYERS)
    for i, (pid, value) in enumerate(zip(ids, values, strict=True)):
        if rank >= last_capacity or value < last_floor:
            # No layer has room, or no floor is reached by anyone from here on: the rest are dormant.
            out.update(dict.fromkeys(ids[i:], DORMANT))
            break
        circle = DORMANT
        for name, capacity, floor in LAYERS:
            if rank < capacity and value >= floor:
                circle = name
                break
        if circle != DORMANT:
            rank += 1
        out[pid] = circle
    return out


def circle_of(scores: Mapping[int, float], person_id: int) -> str:
    """The circle ``suggest_circles(scores)`` gives ``person_id``, without ranking everyone: O(n), no sort.

    The people placed above the dormant layer are a prefix of the ranking (a lower score never reaches a layer
    a higher one missed, and the count only grows), so counting everyone ranked above the person gives their
    rank; if someone above is dormant the count overstates the rank and the person is dormant either way."""
    value = scores[person_id]
    above = 0
    for pid, other in scores.items():
        if other > value or (other == value and pid < person_id):
            above += 1
    for name, capacity, floor in LAYERS:
        if above < capacity and value >= floor:
            return name
    return DORMANT

"""Everyone's strength over numpy columns (``scoring.strength_arrays``) is the scalar ``score_rows``: the same
totals to within 1e-9 and the very same scores for random rows, and ``strength.ranking`` (one query, columns)
gives what the person-by-person path and the plain circle suggestion give, on both backends."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from dunbar import demo, interactions, people, strength
from dunbar.scoring import StrengthParams, score_rows, suggest_circles
from dunbar.scoring.circles import suggest_ranked
from dunbar.scoring.stats import days_since_epoch
from dunbar.scoring.strength_arrays import Columns, score_columns
from dunbar.store import Db

TODAY = date(2026, 11, 25)
NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)
NOW_D = days_since_epoch(NOW)

day = st.floats(NOW_D - 4000, NOW_D + 30, allow_nan=False)
row = st.tuples(
    st.integers(0, 40),  # n_them
    st.one_of(st.just(0.0), st.floats(0, 1e40, allow_nan=False)),  # decay_sum (scaled to the epoch)
    st.sampled_from([90.0, 30.0, 365.0]),  # half-life of the totals
    st.integers(0, 63),  # kinds mask
    st.one_of(st.none(), day),  # first
    st.one_of(st.none(), day),  # last
    st.one_of(st.none(), day.map(float.__floor__).map(float)),  # connected on
    st.one_of(st.none(), st.integers(-5, 120)),  # closeness
)
params = st.builds(
    StrengthParams,
    half_life_days=st.sampled_from([30.0, 90.0, 365.0]),
    intensity_scale=st.floats(0.5, 10),
    recency_half_life_days=st.floats(5, 120),
    weight_closeness=st.sampled_from([0.0, 15.0, 40.0]),
    weight_multiplexity=st.floats(0, 20),
)


def _columns(rows: list[tuple]) -> Columns:
    def f(i: int) -> np.ndarray:
        return np.array([r[i] for r in rows], dtype=np.float64)

    return Columns(
        person_id=np.arange(1, len(rows) + 1, dtype=np.int64),
        n_them=f(0),
        decay_sum=f(1),
        half_life_days=f(2),
        kinds_mask=np.array([r[3] for r in rows], dtype=np.int64),
        first=f(4),
        last=f(5),
        met=f(6),
        closeness=f(7),
    )


def _points(r: tuple, p: StrengthParams) -> float:
    """The unrounded total of one row, by the scalar definition (``scoring.strength``'s components)."""
    from dunbar.scoring.strength import COMPONENTS, _values

    n_them, decay, hl, mask, first, last, met, closeness = r
    values = _values(n_them, decay, hl, mask, first, last, met, closeness, NOW_D, p)[3:]
    w = p.weights(closeness=closeness is not None)
    total = sum(w.values())
    return sum(100.0 * w[c] * max(0.0, min(1.0, v)) / total for c, v in zip(COMPONENTS, values, strict=True))


@settings(max_examples=150, deadline=None)
@given(st.lists(row, min_size=1, max_size=60), params)
def test_columns_score_as_the_scalar_function(rows: list[tuple], p: StrengthParams) -> None:
    scalar = score_rows([(i + 1, *r) for i, r in enumerate(rows)], now=NOW, params=p)
    vector = score_columns(_columns(rows), now=NOW, params=p)
    assert {i + 1: int(v) for i, v in enumerate(vector.tolist())} == scalar
    for r, v in zip(rows, vector.tolist(), strict=True):
        assert abs(_points(r, p) - v) <= 0.5 + 1e-9


def test_a_total_on_a_half_point_rounds_as_the_scalar_function_does() -> None:
    # Only closeness counts, half of the weight: a rating of c makes c / 2 points, a half point for odd c.
    p = StrengthParams(
        weight_intensity=0,
        weight_recency=0,
        weight_reciprocity=0,
        weight_duration=0,
        weight_multiplexity=1,
        weight_closeness=1,
    )
    rows = [(0, 0.0, 90.0, 0, None, None, None, c) for c in (1, 3, 5, 7, 9)]
    scalar = score_rows([(i + 1, *r) for i, r in enumerate(rows)], now=NOW, params=p)
    assert list(scalar.values()) == [0, 2, 2, 4, 4]  # half-even, as Python's round
    assert score_columns(_columns(rows), now=NOW, params=p).tolist() == list(scalar.values())


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(st.integers(1, 2000), st.integers(0, 100), min_size=1, max_size=900))
def test_circles_of_a_ranking_are_those_of_the_scores(scores: dict[int, int]) -> None:
    ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
    assert suggest_ranked([p for p, _ in ranked], [s for _, s in ranked]) == suggest_circles(scores)


def test_the_ranking_is_the_person_by_person_scores_and_the_plain_circles(db: Db) -> None:
    demo.generate(db, people=300, interactions=3000, seed=5, today=TODAY)
    # Someone rated, someone without a history, and a write after the first ranking.
    first = people.list_people(db, people.ListQuery(limit=3))
    people.edit_person(db, first[0]["id"], people.PersonChanges(closeness=80), now=NOW)
    people.add_person(db, people.PersonChanges(name="Nobody Yet", connected_on=TODAY - timedelta(days=3)), now=NOW)
    people.add_person(db, people.PersonChanges(name="Only Rated", closeness=30), now=NOW)
    people.trash(db, first[1]["id"], now=NOW)
    for when in (NOW, NOW + timedelta(days=40)):
        everyone = strength.ranking(db, now=when)
        ids = sorted(everyone.scores)
        assert len(ids) == len(people.list_people(db, people.ListQuery()))
        alone = {}
        for k in range(0, len(ids), 100):
            alone.update(strength.scores(db, now=when, person_ids=ids[k : k + 100]))
        assert everyone.scores == alone
        plain = strength.Everyone(dict(everyone.scores)).circles(db)
        fast = everyone.circles(db)
        assert (fast.suggestable, fast.suggested, fast.order) == (plain.suggestable, plain.suggested, plain.order)
        assert strength.circle_changes(db, now=when, limit=20, everyone=everyone) == strength.circle_changes(
            db, now=when, limit=20, everyone=strength.Everyone(dict(everyone.scores))
        )
        interactions.log_interaction(db, summary="call", people=[ids[-1]], kind="call", occurred_at=when, now=when)

"""Pure scoring: running totals, the strength score and its explanation, history, suggested circles."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dunbar.errors import InvalidInput
from dunbar.scoring import (
    COMPONENTS,
    Stats,
    StrengthParams,
    add,
    history,
    score,
    strength,
    suggest_circles,
)
from dunbar.scoring.stats import EPOCH, decay_term
from dunbar.vocabulary import INTERACTION_KINDS

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)


def _stats(*events: tuple[datetime, float, str | None, str], half_life: float = 90.0) -> Stats | None:
    s: Stats | None = None
    for at, w, who, kind in events:
        s = add(s, at=at, weight=w, initiator=who, kind=kind, half_life_days=half_life)
    return s


def test_add_counts_who_started_it_channels_and_span() -> None:
    s = _stats(
        (NOW - timedelta(days=10), 1.0, "me", "email"),
        (NOW - timedelta(days=40), 0.1, "them", "meeting"),
        (NOW - timedelta(days=5), 1.0, None, "email"),
    )
    assert s is not None
    assert (s.n_total, s.n_me, s.n_them) == (3, 1, 1)
    assert s.weight_total == pytest.approx(2.1)
    assert s.first_at == NOW - timedelta(days=40)
    assert s.last_at == NOW - timedelta(days=5)
    assert s.kinds_mask.bit_count() == 2


def test_intensity_halves_every_half_life() -> None:
    s = _stats((NOW, 1.0, "me", "call"), half_life=90)
    assert s is not None
    assert s.intensity(NOW) == pytest.approx(1.0)
    assert s.intensity(NOW + timedelta(days=90)) == pytest.approx(0.5)
    assert s.intensity(NOW + timedelta(days=180)) == pytest.approx(0.25)


def test_decay_term_is_weight_times_power_of_two_since_epoch() -> None:
    assert decay_term(EPOCH, 2.0, 90) == 2.0
    assert decay_term(EPOCH + timedelta(days=90), 1.0, 90) == pytest.approx(2.0)


def test_a_low_weight_counts_little() -> None:
    heavy = _stats((NOW - timedelta(days=3), 1.0, "me", "meeting"))
    light = _stats((NOW - timedelta(days=3), 0.1, "me", "meeting"))
    heavy_i = strength(heavy, now=NOW).components[0]
    light_i = strength(light, now=NOW).components[0]
    assert heavy_i.name == light_i.name == "intensity"
    assert light_i.value < heavy_i.value / 5


def test_explanation_adds_up_and_speaks_plainly() -> None:
    s = _stats(
        *[(NOW - timedelta(days=40 + 7 * k), 1.0, "them" if k % 3 == 0 else "me", "email") for k in range(10)],
        (NOW - timedelta(days=60), 1.0, "me", "call"),
    )
    why = strength(s, now=NOW, connected_on=date(2020, 1, 1))
    assert [c.name for c in why.components] == list(COMPONENTS)
    assert why.score == round(sum(c.points for c in why.components))
    assert why.score == score(s, now=NOW, connected_on=date(2020, 1, 1))
    by = {c.name: c for c in why.components}
    assert by["recency"].sentence == "last contact 40 days ago"
    assert by["reciprocity"].sentence == "they started 4 of 11"
    assert "(half-life 90 d)" in by["intensity"].sentence
    assert "since 2020-01-01" in by["duration"].sentence
    assert by["multiplexity"].sentence == "2 channels: call, email"
    assert by["closeness"].weight == 0
    assert by["closeness"].points == 0


def test_closeness_blends_in_when_set() -> None:
    s = _stats((NOW - timedelta(days=200), 1.0, "me", "email"))
    low = strength(s, now=NOW)
    rated = strength(s, now=NOW, closeness=90)
    assert rated.score > low.score
    closeness = rated.components[-1]
    assert closeness.name == "closeness"
    assert closeness.value == 0.9
    assert closeness.sentence == "you rated them 90/100"
    assert strength(s, now=NOW, closeness=0).score <= low.score


def test_nobody_scores_zero_and_recent_frequent_contact_scores_high() -> None:
    assert strength(None, now=NOW).score == 0
    weekly = _stats(
        *[
            (NOW - timedelta(days=7 * k), 1.0, "them" if k % 2 else "me", ("call", "email", "meeting")[k % 3])
            for k in range(100)
        ]
    )
    assert strength(weekly, now=NOW).score >= 80


def test_params_from_settings_are_checked() -> None:
    assert StrengthParams.from_dict({"half_life_days": 60}).half_life_days == 60
    assert StrengthParams.from_dict(None) == StrengthParams()
    with pytest.raises(InvalidInput, match="unknown strength setting"):
        StrengthParams.from_dict({"half_live": 60})
    with pytest.raises(InvalidInput, match="out of range"):
        StrengthParams(half_life_days=3)
    with pytest.raises(InvalidInput, match="not a number"):
        StrengthParams.from_dict({"weight_recency": "high"})
    with pytest.raises(InvalidInput, match="every strength weight is zero"):
        StrengthParams(**{f"weight_{c}": 0.0 for c in COMPONENTS})


def test_history_rises_with_contact_and_decays_after() -> None:
    events = [(datetime(2026, 6, 1, 9, tzinfo=UTC) + timedelta(days=3 * k), 1.0, "me", "call") for k in range(20)]
    series = history(events, start=date(2026, 1, 1), end=date(2026, 11, 25), step_days=7)
    assert series[0] == (date(2026, 1, 1), 0)
    assert series[-1][0] == date(2026, 11, 25)
    peak = max(range(len(series)), key=lambda k: series[k][1])
    assert date(2026, 6, 1) < series[peak][0] <= date(2026, 8, 1)
    after = [s for _, s in series[peak:]]
    assert after == sorted(after, reverse=True)
    # the point at a day's end agrees with the score of the same moment
    end = datetime(2026, 11, 26, tzinfo=UTC) - timedelta(microseconds=1)
    assert series[-1][1] == score(_stats(*events), now=end)


def test_history_rejects_a_bad_step() -> None:
    with pytest.raises(InvalidInput):
        history([], start=date(2026, 1, 1), end=date(2026, 2, 1), step_days=0)


def test_circles_follow_dunbar_layers() -> None:
    scores = {pid: 100 - pid * 0.1 for pid in range(1, 701)}
    circles = suggest_circles(scores)
    counts = {c: list(circles.values()).count(c) for c in set(circles.values())}
    assert counts == {"inner": 5, "close": 10, "active": 35, "network": 100, "acquaintance": 350, "dormant": 200}
    assert [circles[p] for p in (1, 5, 6, 15, 16, 50, 51, 150, 151, 500, 501)] == [
        "inner", "inner", "close", "close", "active", "active", "network", "network", "acquaintance",
        "acquaintance", "dormant",
    ]  # fmt: skip


def test_weak_scores_never_rise_above_acquaintance() -> None:
    circles = suggest_circles({1: 14.0, 2: 12.0, 3: 0.0, 4: 61.0, 5: 31.0})
    assert circles == {4: "inner", 5: "active", 1: "acquaintance", 2: "acquaintance", 3: "dormant"}


def test_circles_are_deterministic_on_ties() -> None:
    scores = dict.fromkeys(range(10, 0, -1), 70.0)
    circles = suggest_circles(scores)
    assert [p for p in sorted(circles) if circles[p] == "inner"] == [1, 2, 3, 4, 5]


# Properties -------------------------------------------------------------------------------------------------

_times = st.integers(min_value=0, max_value=3 * 365 * 24).map(lambda h: NOW - timedelta(hours=h))
_events = st.lists(
    st.tuples(
        _times,
        st.sampled_from([0.0, 0.1, 0.3, 1.0, 2.5]),
        st.sampled_from(["me", "them", None]),
        st.sampled_from(INTERACTION_KINDS),
    ),
    max_size=30,
)
_params = st.builds(
    StrengthParams,
    half_life_days=st.floats(30, 400),
    recency_half_life_days=st.floats(5, 200),
    weight_intensity=st.floats(0, 50),
    weight_recency=st.floats(0, 50),
    weight_reciprocity=st.floats(0, 50),
    weight_duration=st.floats(1, 50),
)
_context = st.fixed_dictionaries(
    {
        "connected_on": st.none() | st.dates(date(2015, 1, 1), date(2026, 11, 25)),
        "closeness": st.none() | st.integers(0, 100),
    }
)


@settings(max_examples=300, deadline=None)
@given(events=_events, new=_events.filter(bool), ctx=_context, params=_params)
def test_adding_an_interaction_never_lowers_the_score_then(
    events: list, new: list, ctx: dict, params: StrengthParams
) -> None:
    s = _stats(*events, half_life=params.half_life_days)
    at, w, who, kind = new[0]
    before = strength(s, now=NOW, params=params, **ctx)
    after = strength(
        add(s, at=at, weight=w, initiator=who, kind=kind, half_life_days=params.half_life_days),
        now=NOW,
        params=params,
        **ctx,
    )
    assert after.score >= before.score
    for old, fresh in zip(before.components, after.components, strict=True):
        assert fresh.value >= old.value - 1e-12, old.name


@settings(max_examples=300, deadline=None)
@given(events=_events, ctx=_context, params=_params, gaps=st.lists(st.integers(0, 2000), min_size=1, max_size=6))
def test_without_contact_the_score_only_decays_and_stays_in_range(
    events: list, ctx: dict, params: StrengthParams, gaps: list[int]
) -> None:
    s = _stats(*events, half_life=params.half_life_days)
    previous = 101
    moment = NOW
    for gap in gaps:
        moment += timedelta(days=gap)
        why = strength(s, now=moment, params=params, **ctx)
        assert 0 <= why.score <= 100
        assert all(0.0 <= c.value <= 1.0 and math.isfinite(c.points) for c in why.components)
        assert why.score <= previous
        assert why.score == score(s, now=moment, params=params, **ctx)
        previous = why.score


@settings(max_examples=200, deadline=None)
@given(scores=st.dictionaries(st.integers(1, 10_000), st.floats(0, 100), max_size=700))
def test_circles_respect_capacities_and_order(scores: dict[int, float]) -> None:
    circles = suggest_circles(scores)
    assert set(circles) == set(scores)
    rank = {"inner": 0, "close": 1, "active": 2, "network": 3, "acquaintance": 4, "dormant": 5}
    for cap, layer in ((5, "inner"), (15, "close"), (50, "active"), (150, "network"), (500, "acquaintance")):
        assert sum(1 for c in circles.values() if rank[c] <= rank[layer]) <= cap
    ordered = sorted(scores, key=lambda p: (-scores[p], p))
    layers = [rank[circles[p]] for p in ordered]
    assert layers == sorted(layers)
    assert all(circles[p] in ("acquaintance", "dormant") for p, v in scores.items() if v < 15)


@settings(max_examples=200, deadline=None)
@given(events=_events, ctx=_context, params=_params)
def test_scoring_everyone_at_once_gives_the_same_scores(events: list, ctx: dict, params: StrengthParams) -> None:
    from dunbar.scoring import score_rows
    from dunbar.scoring.stats import days_since_epoch
    from dunbar.scoring.strength import day_of

    s = _stats(*events, half_life=params.half_life_days) or Stats(half_life_days=params.half_life_days)
    row = (
        7,
        s.n_them,
        s.decay_sum,
        s.half_life_days,
        s.kinds_mask,
        None if s.first_at is None else days_since_epoch(s.first_at),
        None if s.last_at is None else days_since_epoch(s.last_at),
        None if ctx["connected_on"] is None else day_of(ctx["connected_on"]),
        ctx["closeness"],
    )
    assert score_rows([row], now=NOW, params=params) == {7: score(s, now=NOW, params=params, **ctx)}


def test_evaluation_auc_counts_ties_as_half() -> None:
    from benchmarks.strength_eval import auc

    assert auc([1, 2, 3, 4], [False, False, True, True]) == 1.0
    assert auc([4, 3, 2, 1], [False, False, True, True]) == 0.0
    assert auc([1, 1, 1, 1], [False, True, False, True]) == 0.5
    assert auc([1, 2, 2, 3], [False, True, False, True]) == pytest.approx(0.875)
    assert auc([1, 2], [True, True]) is None

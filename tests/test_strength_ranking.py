"""The faster ways pages rank people by strength give what the plain ways give: a page of the strongest, one
person's suggested circle, the circles that would change; on both backends."""

from __future__ import annotations

from datetime import UTC, date, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from dunbar import demo, people, strength
from dunbar.scoring import suggest_circles
from dunbar.scoring.circles import circle_of
from dunbar.store import Db

TODAY = date(2026, 11, 25)
NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.integers(1, 900), st.integers(0, 100), min_size=1, max_size=700))
def test_one_persons_circle_is_the_one_the_whole_ranking_gives(scores: dict[int, int]) -> None:
    everyone = suggest_circles(scores)
    for pid in list(scores)[:60]:
        assert circle_of(scores, pid) == everyone[pid], pid


def _strongest_plainly(db: Db, query: people.ListQuery, *, limit: int, offset: int) -> list[dict[str, object]]:
    """What ``strongest`` did before it read only the page: every row listed, scored and sorted."""
    rows = people.list_people(db, query)
    score = strength.scores(db, now=NOW)
    for r in rows:
        r["strength"] = score.get(r["id"])
    rows.sort(key=lambda r: (-(r["strength"] or 0), r["name"]))
    return rows[offset : offset + limit]


def test_ranked_pages_are_those_of_the_plain_ways(db: Db) -> None:
    demo.generate(db, people=300, interactions=3000, seed=11, today=TODAY)
    everyone = strength.ranking(db, now=NOW)
    assert everyone.scores == strength.scores(db, now=NOW)
    # A scored subset larger than the chunk limit is read for everyone at once, with the same answer.
    ids = sorted(everyone.scores)
    assert strength.scores(db, now=NOW, person_ids=ids[:250]) == {p: everyone.scores[p] for p in ids[:250]}
    old, strength.EVERYONE_FROM = strength.EVERYONE_FROM, 100
    try:
        assert strength.scores(db, now=NOW, person_ids=ids[:250]) == {p: everyone.scores[p] for p in ids[:250]}
    finally:
        strength.EVERYONE_FROM = old

    for query in (people.ListQuery(), people.ListQuery(circle="network"), people.ListQuery(tag="nobody-has-this")):
        for offset in (0, 50, 280):
            plain = _strongest_plainly(db, query, limit=51, offset=offset)
            assert strength.strongest(db, query, now=NOW, limit=51, offset=offset) == plain
            assert strength.strongest(db, query, now=NOW, limit=51, offset=offset, everyone=everyone) == plain

    changed = [s for s in strength.suggest_circles(db, now=NOW) if s["changed"]]
    assert changed, "the demo has people whose circle strength would change"
    for limit in (0, 3, len(changed) + 5):
        assert strength.circle_changes(db, now=NOW, limit=limit) == (changed[:limit], len(changed))
    assert strength.circle_changes(db, now=NOW, limit=10, everyone=everyone) == (changed[:10], len(changed))

    whole = {s["person_id"]: s["suggested"] for s in strength.suggest_circles(db, now=NOW)}
    for pid in ids[:40]:
        why = strength.explain(db, pid, now=NOW)
        assert why == strength.explain(db, pid, now=NOW, everyone=everyone)
        if pid in whole:
            assert why["suggested_circle"] == whole[pid]


def test_paths_with_given_scores_and_one_pass_over_the_ties_are_the_plain_ones(db: Db) -> None:
    import random

    from dunbar import graph, ties

    demo.generate(db, people=200, interactions=2000, seed=5, today=TODAY)
    ids = sorted(strength.scores(db, now=NOW))
    rng = random.Random(3)
    for _ in range(400):
        a, b = rng.sample(ids, 2)
        if not db.scalar(
            "SELECT 1 FROM tie WHERE (person_a_id = :a AND person_b_id = :b) OR (person_a_id = :b AND person_b_id = :a)",
            {"a": a, "b": b},
        ):
            ties.link(db, a, b, how="met at a conference", strength=rng.choice([0.3, 0.5, 0.8]), now=NOW)
    targets = ids[::23]
    plain = [graph.paths(db, to_person=t, k=3, now=NOW, today=TODAY) for t in targets]
    assert any(plain), "some of the targets have paths"
    everyone = strength.scores(db, now=NOW)
    sliced = graph._ties_touching(db, ids)
    old = graph.TIES_SCAN_FROM
    graph.TIES_SCAN_FROM = 10
    try:
        known = graph.warm_contacts(db, now=NOW, everyone=everyone)
        assert known == graph.warm_contacts(db, now=NOW)
        quick = [graph.paths(db, to_person=t, k=3, now=NOW, today=TODAY, known_contacts=known) for t in targets]
        scanned = graph._ties_touching(db, ids)
    finally:
        graph.TIES_SCAN_FROM = old
    assert quick == plain
    assert sliced
    assert sorted(scanned) == sorted(sliced)

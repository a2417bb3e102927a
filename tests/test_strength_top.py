"""A page of the whole network's strongest, picked from the ranking's numpy columns, is the page the listing's ids
and a Python pick give: the same people in the same order (score, then name, folded name, id), ties on the
page's last score and on names included, on both backends."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from dunbar import demo, people, strength
from dunbar.store import Db

TODAY = date(2026, 11, 25)
NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)


def test_the_network_s_strongest_from_the_columns_are_those_of_the_listing(
    db: Db, monkeypatch: pytest.MonkeyPatch
) -> None:
    demo.generate(db, people=300, interactions=3000, seed=17, today=TODAY)
    # People with the same score and the same name (told apart by folded name, then id), and one in the trash.
    for i, name in enumerate(["Ana Lima", "Ana Lima", "ana lima", "Ana Lima", "Bo Chen", "Bo Chen"] * 2):
        people.add_person(db, people.PersonChanges(name=name, closeness=(70, 40)[i // 6]), now=NOW)
    gone = people.add_person(db, people.PersonChanges(name="Zed Gone", closeness=99), now=NOW)
    people.trash(db, gone, now=NOW)

    everyone = strength.ranking(db, now=NOW)
    assert everyone._ranked is not None
    n = len(everyone.scores)
    # The listing's way: everyone's ids from the database, picked in Python (a ranking without the columns).
    plain = strength.Everyone(dict(everyone.scores))
    cases = [(0, 51), (0, 1), (1, 3), (40, 51), (150, 51), (n - 5, 51), (n - 1, 1), (n, 51), (n + 10, 5), (0, 0)]
    cases += [(0, n + 20), (0, n)]
    expected = {
        c: strength.strongest(db, people.ListQuery(), now=NOW, limit=c[1], offset=c[0], everyone=plain) for c in cases
    }
    assert any(len(page) == 51 for page in expected.values())
    assert expected[(0, n + 20)][-1]["strength"] == 0, "the network's weakest ties share a score"
    assert all(r["id"] != gone for page in expected.values() for r in page)
    assert [r["id"] for r in expected[(0, n)]] == [r["id"] for r in expected[(0, n + 20)]]

    def no_listing(*_: object) -> list[int]:
        raise AssertionError("the network's strongest were read through the listing")

    monkeypatch.setattr(people, "matching_ids", no_listing)
    for (offset, limit), page in expected.items():
        assert (
            strength.strongest(db, people.ListQuery(), now=NOW, limit=limit, offset=offset, everyone=everyone) == page
        )
        assert strength.strongest(db, people.ListQuery(), now=NOW, limit=limit, offset=offset) == page
    # A filter still goes through the listing.
    with pytest.raises(AssertionError, match="through the listing"):
        strength.strongest(db, people.ListQuery(circle="network"), now=NOW, limit=5, everyone=everyone)


def test_first_hops_from_the_ranking_s_columns_are_the_queried_ones(db: Db) -> None:
    from dunbar import graph

    demo.generate(db, people=300, interactions=2000, seed=29, today=TODAY)
    # Rated but never in touch, in touch but trashed, in a circle only: the columns tell them apart.
    rated = people.add_person(db, people.PersonChanges(name="Rated Only", closeness=80), now=NOW)
    people.add_person(db, people.PersonChanges(name="Circle Only", circle="inner"), now=NOW)
    gone = int(db.scalar("SELECT person_id FROM person_stats ORDER BY person_id LIMIT 1"))
    people.trash(db, gone, now=NOW)

    everyone = strength.ranking(db, now=NOW)
    queried = graph.warm_contacts(db, now=NOW)
    assert rated in queried
    assert gone not in queried
    assert len(queried) > 100
    assert everyone.in_touch(graph.MIN_FIRST_HOP_STRENGTH) == queried
    assert graph.warm_contacts(db, now=NOW, ranked=everyone) == queried
    assert graph.warm_contacts(db, now=NOW, ranked=strength.Everyone(dict(everyone.scores))) == queried
    assert everyone.circles(db) == strength.Everyone(dict(everyone.scores)).circles(db)
    # The circles that would change, from the ranking's columns and from the people read again.
    plain = strength.Everyone(dict(everyone.scores))
    for limit in (0, 5, 10**6):
        assert strength.circle_changes(db, now=NOW, limit=limit, everyone=everyone) == strength.circle_changes(
            db, now=NOW, limit=limit, everyone=plain
        )
    assert strength.circle_changes(db, now=NOW, limit=10**6, everyone=everyone)[1] > 10

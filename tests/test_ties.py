"""Ties on both backends: explicit links, inference and its evidence, confirm/reject, merges; the CLI."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from dunbar import interactions, ledger, merge, people, ties
from dunbar.errors import InvalidInput, NotFound
from dunbar.people import PersonChanges
from dunbar.store import Db

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)
TODAY = date(2026, 11, 25)


def _add(db: Db, name: str, **kw: object) -> int:
    return people.add_person(db, PersonChanges(name=name, **kw), now=NOW)  # type: ignore[arg-type]


def _job(db: Db, pid: int, org: str, start: date | None, end: date | None, title: str | None = None) -> None:
    oid = people.organization_id(db, org, now=NOW)
    db.execute(
        "INSERT INTO employment (person_id, organization_id, title, start_date, end_date) VALUES (:p, :o, :t, :s, :e)",
        {"p": pid, "o": oid, "t": title, "s": start, "e": end},
    )


def _meet(db: Db, who: list[int], days_ago: int, weight: float = 1.0) -> int:
    return interactions.log_interaction(
        db, summary="met", people=who, occurred_at=NOW - timedelta(days=days_ago), weight=weight, now=NOW
    )


def _tie(db: Db, a: int, b: int) -> dict | None:  # type: ignore[type-arg]
    row = db.one("SELECT id FROM tie WHERE person_a_id = :a AND person_b_id = :b", {"a": min(a, b), "b": max(a, b)})
    return None if row is None else ties.get(db, int(row["id"]))


# Pure ------------------------------------------------------------------------------------------------------


def test_saturation_grows_ever_slower_and_stays_below_one() -> None:
    values = [ties.saturate(x) for x in (0.0, 0.35, 0.7, 1.4, 5.0)]
    assert values[0] == 0.0
    assert values == sorted(values)
    assert values[2] - values[1] < values[1] - values[0]
    assert values[-1] < 1.0


def test_overlap_needs_dates_unless_both_are_there_now() -> None:
    d = date
    assert ties.overlap((d(2019, 1, 1), d(2022, 6, 1)), (d(2020, 3, 1), None), today=TODAY) == (
        d(2020, 3, 1), d(2022, 6, 1), False)  # fmt: skip
    assert ties.overlap((d(2010, 1, 1), d(2012, 1, 1)), (d(2015, 1, 1), None), today=TODAY) is None
    assert ties.overlap((None, None), (None, None), today=TODAY) == (None, TODAY, True)
    assert ties.overlap((d(2021, 1, 1), None), (None, None), today=TODAY) == (d(2021, 1, 1), TODAY, True)
    # Someone who left in 2005 with no start date did not overlap with everyone there since.
    assert ties.overlap((None, d(2005, 1, 1)), (d(2020, 1, 1), None), today=TODAY) is None


# Explicit ties ---------------------------------------------------------------------------------------------


def test_link_states_a_tie_and_linking_again_changes_it(db: Db) -> None:
    ana, bo = _add(db, "Ana Lima"), _add(db, "Bo Chen")
    tid = ties.link(db, bo, ana, how="worked together at Initech", now=NOW)
    t = ties.get(db, tid)
    assert [p["id"] for p in t["people"]] == sorted([ana, bo])
    assert (t["kind"], t["status"], t["how"], t["strength"]) == (
        "explicit",
        "confirmed",
        "worked together at Initech",
        0.8,
    )
    assert ties.link(db, ana, bo, how="climbing partners", strength=0.5, now=NOW) == tid
    again = ties.get(db, tid)
    assert (again["how"], again["strength"]) == ("climbing partners", 0.5)
    mine = ties.ties_of(db, ana)
    assert [x["other"]["name"] for x in mine] == ["Bo Chen"]


def test_link_refuses_nonsense(db: Db) -> None:
    ana = _add(db, "Ana Lima")
    me = people.set_me(db, name="Me Myself", now=NOW)
    with pytest.raises(InvalidInput):
        ties.link(db, ana, ana, how=None, now=NOW)
    with pytest.raises(InvalidInput, match="your own ties"):
        ties.link(db, ana, me, how=None, now=NOW)
    with pytest.raises(InvalidInput, match="between 0 and 1"):
        ties.link(db, ana, _add(db, "Bo Chen"), how=None, strength=1.5, now=NOW)
    with pytest.raises(NotFound):
        ties.link(db, ana, 99999, how=None, now=NOW)
    with pytest.raises(NotFound):
        ties.confirm(db, 12345, now=NOW)


# Inference -------------------------------------------------------------------------------------------------


@pytest.fixture
def world(db: Db) -> dict[str, int]:
    people.set_me(db, name="Me Myself", now=NOW)
    p = {n: _add(db, n) for n in ("Ana Lima", "Bo Chen", "Cy Diaz", "Dee Ross", "Eve Park")}
    crowd = [_add(db, f"Crowd {i}") for i in range(18)]
    _meet(db, [p["Ana Lima"], p["Bo Chen"]], 40)
    _meet(db, [p["Ana Lima"], p["Bo Chen"]], 10)
    _meet(db, [p["Ana Lima"], p["Cy Diaz"], *crowd], 5, weight=0.2)  # an all-hands: 20 people
    _job(db, p["Ana Lima"], "Initech", date(2019, 1, 1), date(2022, 6, 30))
    _job(db, p["Dee Ross"], "Initech", date(2018, 5, 1), date(2023, 1, 1))
    fid = ledger.record(db, person_id=p["Bo Chen"], direction="received", kind="introduction", status="done",
                        weight=2, on=date(2026, 3, 2), note=None, parties=[(p["Eve Park"], "introduced-to")],
                        now=NOW)  # fmt: skip
    assert fid
    return p


def test_infer_weighs_meetings_employers_and_introductions(db: Db, world: dict[str, int]) -> None:
    counts = ties.infer(db, now=NOW)
    assert counts["created"] == counts["pairs"] > 0
    ab = _tie(db, world["Ana Lima"], world["Bo Chen"])
    assert ab is not None
    assert ab["kind"] == "inferred"
    assert ab["status"] == "active"
    # Two three-person meetings (me, Ana, Bo): each adds 0.35; strength 1 - exp(-0.7).
    assert ab["strength"] == pytest.approx(0.503, abs=0.001)
    assert ab["evidence"][0]["kind"] == "together"
    assert "2 meetings or threads" in ab["how"]
    assert ab["last_seen"] == (NOW - timedelta(days=10)).date()
    ac = _tie(db, world["Ana Lima"], world["Cy Diaz"])
    assert ac is not None
    assert ac["strength"] < 0.01
    ad = _tie(db, world["Ana Lima"], world["Dee Ross"])
    assert ad is not None
    assert ad["how"] == "both at Initech 2019–2022"
    assert ad["since"] == date(2019, 1, 1)
    assert ad["last_seen"] == date(2022, 6, 30)
    be = _tie(db, world["Bo Chen"], world["Eve Park"])
    assert be is not None
    assert be["how"] == "Bo Chen introduced you to Eve Park (2026-03)"
    assert be["strength"] == pytest.approx(ties.saturate(ties.INTRODUCTION_SCORE))
    assert _tie(db, world["Cy Diaz"], world["Eve Park"]) is None
    # Running it again changes nothing.
    again = ties.infer(db, now=NOW)
    assert again["created"] == again["updated"] == again["removed"] == 0
    assert again["unchanged"] == counts["pairs"]


def test_rejected_ties_stay_rejected_and_explicit_ones_keep_their_words(db: Db, world: dict[str, int]) -> None:
    ties.infer(db, now=NOW)
    ab = _tie(db, world["Ana Lima"], world["Bo Chen"])
    assert ab is not None
    ties.reject(db, ab["id"], now=NOW)
    tid = ties.link(db, world["Ana Lima"], world["Dee Ross"], how="ran a marathon together", strength=0.9, now=NOW)
    _meet(db, [world["Ana Lima"], world["Bo Chen"]], 1)
    counts = ties.infer(db, now=NOW)
    assert counts["rejected"] == 1
    assert ties.get(db, ab["id"])["status"] == "rejected"
    assert ties.get(db, ab["id"])["evidence"] == ab["evidence"]  # not even refreshed
    assert world["Bo Chen"] not in [t["other"]["id"] for t in ties.ties_of(db, world["Ana Lima"])]
    assert world["Bo Chen"] in [t["other"]["id"] for t in ties.ties_of(db, world["Ana Lima"], include_rejected=True)]
    ad = ties.get(db, tid)
    assert (ad["kind"], ad["how"], ad["strength"]) == ("explicit", "ran a marathon together", 0.9)
    assert [e["kind"] for e in ad["evidence"]] == ["employment"]
    # Linking by hand takes a rejection back.
    ties.link(db, world["Ana Lima"], world["Bo Chen"], how="old friends", now=NOW)
    assert ties.get(db, ab["id"])["status"] == "confirmed"


def test_ties_whose_evidence_has_gone_are_removed_unless_confirmed(db: Db, world: dict[str, int]) -> None:
    ties.infer(db, now=NOW)
    ad = _tie(db, world["Ana Lima"], world["Dee Ross"])
    ab = _tie(db, world["Ana Lima"], world["Bo Chen"])
    assert ad is not None
    assert ab is not None
    ties.confirm(db, ad["id"], now=NOW)
    db.execute("DELETE FROM employment")
    for iid in [r[0] for r in db.rows("SELECT id FROM interaction")]:
        interactions.delete_interaction(db, iid)
    counts = ties.infer(db, now=NOW)
    assert counts["removed"] >= 2
    assert _tie(db, world["Ana Lima"], world["Bo Chen"]) is None
    assert ties.get(db, ad["id"])["status"] == "confirmed"


def test_merge_moves_ties_drops_self_and_duplicate_ties_and_undo_puts_them_back(db: Db) -> None:
    ana, ana2, bo, cy = (_add(db, n) for n in ("Ana Lima", "Ana L.", "Bo Chen", "Cy Diaz"))
    t_self = ties.link(db, ana, ana2, how="same person", now=NOW)
    t_dup = ties.link(db, ana2, bo, how="duplicate of Ana's", now=NOW)
    t_keep = ties.link(db, ana, bo, how="colleagues", now=NOW)
    t_move = ties.link(db, ana2, cy, how="neighbours", now=NOW)
    mid = merge.merge_people(db, ana, ana2, now=NOW)
    others = {t["other"]["id"]: t["how"] for t in ties.ties_of(db, ana)}
    assert others == {bo: "colleagues", cy: "neighbours"}
    assert db.scalar("SELECT COUNT(*) FROM tie") == 2
    moved = ties.get(db, t_move)
    assert [p["id"] for p in moved["people"]] == sorted([ana, cy])
    assert merge.get_merge(db, mid)["removed"]["tie"] == 2
    merge.undo_merge(db, mid, now=NOW)
    assert {t["other"]["id"] for t in ties.ties_of(db, ana2)} == {ana, bo, cy}
    assert ties.get(db, t_keep)["how"] == "colleagues"
    assert {ties.get(db, t)["how"] for t in (t_self, t_dup, t_move)} == {
        "same person",
        "duplicate of Ana's",
        "neighbours",
    }
    assert db.scalar("SELECT COUNT(*) FROM tie") == 4


# CLI -------------------------------------------------------------------------------------------------------


def test_cli_link_ties_infer_confirm_reject(cli) -> None:  # type: ignore[no-untyped-def]
    cli("add", "Ana Lima", "--org", "Initech")
    cli("add", "Bo Chen", "--org", "Initech")
    out = cli("link", "Ana Lima", "Bo Chen", "--how", "worked together at Initech", "--json").json()
    assert out["kind"] == "explicit"
    assert out["how"] == "worked together at Initech"
    listed = cli("ties", "Ana Lima", "--json").json()
    assert [t["other"]["name"] for t in listed] == ["Bo Chen"]
    assert "Bo Chen" in cli("ties", "Ana Lima").stdout
    counts = cli("ties", "--infer", "--json").json()
    assert counts["explicit"] == 1  # both at Initech now: evidence added to the explicit tie
    assert cli("ties", "--reject", str(out["id"]), "--json").json()["status"] == "rejected"
    assert cli("ties", "--confirm", str(out["id"]), "--json").json()["status"] == "confirmed"


def test_cli_tie_errors_exit_2(cli) -> None:  # type: ignore[no-untyped-def]
    cli("add", "Ana Lima")
    for args in (
        ("ties",),
        ("ties", "Ana Lima", "--infer"),
        ("ties", "--confirm", "999"),
        ("link", "Ana Lima", "Ana Lima"),
        ("link", "Ana Lima", "Nobody Here"),
        ("link", "Ana Lima", "me"),
    ):
        res = cli(*args, ok=False)
        assert res.exit_code == 2, args
        assert res.stderr.startswith("dunbar: error:"), args

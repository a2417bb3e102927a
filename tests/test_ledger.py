"""The favour ledger on both backends: recording and listing, the balance (pure arithmetic and ageing), asking
well, unreturned favours for the agenda, merges, and the CLI."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dunbar import interactions, ledger, merge, people
from dunbar.errors import InvalidInput, NotFound
from dunbar.people import PersonChanges
from dunbar.scoring import balance as bal
from dunbar.store import Db

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)
TODAY = date(2026, 11, 25)


def _add(db: Db, name: str, **kw: object) -> int:
    return people.add_person(db, PersonChanges(name=name, **kw), now=NOW)  # type: ignore[arg-type]


def _fav(db: Db, pid: int, direction: str = "received", kind: str = "advice", **kw: object) -> int:
    kw.setdefault("on", TODAY)
    return ledger.record(db, person_id=pid, direction=direction, kind=kind, now=NOW, **kw)  # type: ignore[arg-type]


# The pure balance --------------------------------------------------------------------------------------------


def _e(direction: str = "received", status: str = "done", weight: int = 2, days: int = 0, **kw: object) -> bal.Entry:
    return bal.Entry(direction=direction, kind="advice", status=status, weight=weight,
                     on=TODAY - timedelta(days=days), **kw)  # type: ignore[arg-type]  # fmt: skip


def test_value_counts_weight_status_and_age() -> None:
    assert bal.value(_e(weight=3), today=TODAY) == 3.0
    assert bal.value(_e(status="promised"), today=TODAY) == 1.0
    assert bal.value(_e(status="asked"), today=TODAY) == 0.5
    assert bal.value(_e(status="declined", weight=3), today=TODAY) == 0.0
    assert bal.value(_e(days=365), today=TODAY) == pytest.approx(1.0)
    assert bal.value(_e(days=730), today=TODAY) == pytest.approx(0.5)
    assert bal.value(_e(days=365), today=TODAY, half_life_days=730) == pytest.approx(2 * 0.5**0.5)
    # A date after today counts as today, never more.
    assert bal.value(_e(days=-10), today=TODAY) == 2.0


def test_tally_and_who_owes() -> None:
    t = bal.tally([_e("received", weight=3), _e("given", weight=1)], today=TODAY)
    assert (t.given, t.received, t.net, t.owed_by) == (1.0, 3.0, -2.0, "me")
    assert bal.tally([_e("given")], today=TODAY).owed_by == "them"
    # Within EVEN_BELOW of zero we are even: a small favour four years old is no debt.
    assert bal.tally([_e("received", weight=1, days=4 * 365)], today=TODAY).owed_by is None
    assert bal.tally([], today=TODAY).owed_by is None


entries = st.lists(
    st.builds(
        bal.Entry,
        direction=st.sampled_from(["given", "received"]),
        kind=st.sampled_from(["advice", "introduction", "coffee"]),
        status=st.sampled_from(["asked", "promised", "done", "declined"]),
        weight=st.integers(1, 3),
        on=st.dates(date(2015, 1, 1), date(2027, 1, 1)),
    ),
    max_size=12,
)


@settings(max_examples=200, deadline=None)
@given(entries)
def test_swapping_directions_negates_net(items: list[bal.Entry]) -> None:
    t = bal.tally(items, today=TODAY)
    s = bal.tally([bal.swapped(e) for e in items], today=TODAY)
    assert s.net == pytest.approx(-t.net)
    assert (s.given, s.received) == (t.received, t.given)
    assert s.owed_by == {"me": "them", "them": "me", None: None}[t.owed_by]


@settings(max_examples=200, deadline=None)
@given(entries, st.integers(1, 3000))
def test_older_favours_count_less(items: list[bal.Entry], later: int) -> None:
    now, then = bal.tally(items, today=TODAY), bal.tally(items, today=TODAY + timedelta(days=later))
    assert then.given <= now.given + 1e-9
    assert then.received <= now.received + 1e-9


def test_ago_and_sentences() -> None:
    assert [bal.ago(d) for d in (0, 1, 5, 21, 92, 364, 400, 1100)] == [
        "today", "yesterday", "5 days ago", "3 weeks ago", "3 months ago", "a year ago", "a year ago", "3 years ago",
    ]  # fmt: skip
    intro = bal.Entry("received", "introduction", "done", 2, TODAY - timedelta(days=92), target="Acme")
    t = bal.tally([intro], today=TODAY)
    assert bal.sentence("Ana", t, intro, today=TODAY) == "you owe Ana (Ana introduced you to Acme 3 months ago)"
    given_ = bal.swapped(intro)
    assert bal.sentence("Ana", bal.tally([given_], today=TODAY), given_, today=TODAY) == (
        "Ana owes you (you introduced Ana to Acme 3 months ago)"
    )
    assert bal.phrase(bal.Entry("received", "referral", "asked", 2, TODAY), "Bo") == "you asked Bo for a referral"
    assert bal.phrase(bal.Entry("given", "coffee", "done", 1, TODAY), "Bo") == "you did Bo a favour (coffee)"
    assert bal.sentence("Bo", bal.tally([], today=TODAY), None, today=TODAY) == "no favours with Bo yet"


# Recording and listing ---------------------------------------------------------------------------------------


def test_record_get_list_update_delete(db: Db) -> None:
    ana, bo = _add(db, "Ana Lima"), _add(db, "Bo Chen")
    fid = _fav(db, ana, kind="Introduction", weight="large", on=TODAY - timedelta(days=10), note="Acme",
               parties=[(bo, "introduced-to")])  # fmt: skip
    f = ledger.get(db, fid)
    assert f["person"] == {"id": ana, "name": "Ana Lima"}
    assert (f["direction"], f["kind"], f["status"], f["weight"], f["size"]) == (
        "received", "introduction", "done", 3, "large"
    )  # fmt: skip
    assert f["done_on"] == f["on"] == TODAY - timedelta(days=10)
    assert f["asked_on"] is None
    assert f["parties"] == [{"id": bo, "name": "Bo Chen", "role": "introduced-to"}]
    assert f["text"] == "Ana introduced you to Bo Chen"
    ask = _fav(db, bo, direction="given", kind="job lead", status="asked")
    assert ledger.get(db, ask)["kind"] == "job-lead"
    assert [x["id"] for x in ledger.list_(db)] == [ask, fid]
    assert [x["id"] for x in ledger.list_(db, person_id=ana)] == [fid]
    assert [x["id"] for x in ledger.list_(db, status="asked")] == [ask]
    assert [x["id"] for x in ledger.list_(db, direction="received")] == [fid]

    ledger.update(db, ask, status="done", now=NOW)
    done = ledger.get(db, ask)
    assert (done["status"], done["done_on"], done["asked_on"]) == ("done", TODAY, TODAY)
    ledger.update(db, ask, note="  the Globex opening ", now=NOW)
    assert ledger.get(db, ask)["note"] == "the Globex opening"
    ledger.delete(db, fid)
    with pytest.raises(NotFound, match="no favour"):
        ledger.get(db, fid)
    assert db.scalar("SELECT count(*) FROM favour_party") == 0
    with pytest.raises(NotFound):
        ledger.delete(db, fid)


def test_record_rejects_bad_input(db: Db) -> None:
    ana = _add(db, "Ana Lima")
    me = people.set_me(db, name="Jordan Avery", now=NOW)
    with pytest.raises(InvalidInput, match="direction"):
        _fav(db, ana, direction="sideways")
    with pytest.raises(InvalidInput, match="status"):
        _fav(db, ana, status="maybe")
    with pytest.raises(InvalidInput, match="weight"):
        _fav(db, ana, weight="huge")
    with pytest.raises(InvalidInput, match="weight"):
        _fav(db, ana, weight=4)
    with pytest.raises(InvalidInput, match="kind"):
        _fav(db, ana, kind="  ")
    with pytest.raises(InvalidInput, match="future"):
        _fav(db, ana, on=TODAY + timedelta(days=5))
    with pytest.raises(InvalidInput, match="cannot be"):
        _fav(db, me)
    with pytest.raises(InvalidInput, match="cannot be"):
        _fav(db, ana, parties=[(me, "introduced-to")])
    with pytest.raises(InvalidInput, match="parties"):
        _fav(db, ana, parties=[(ana, "introduced-to")])
    with pytest.raises(NotFound):
        _fav(db, 9999)
    with pytest.raises(NotFound, match="interaction"):
        _fav(db, ana, interaction_id=9999)
    people.trash(db, ana, now=NOW)
    with pytest.raises(InvalidInput, match="trash"):
        _fav(db, ana)
    assert db.scalar("SELECT count(*) FROM favour") == 0
    assert ledger.is_known_kind("advice")
    assert not ledger.is_known_kind(ledger.check_kind("coffee"))


# The balance -----------------------------------------------------------------------------------------------


def test_balance_of_one_person(db: Db) -> None:
    ana = _add(db, "Ana Lima")
    assert ledger.balance(db, ana, today=TODAY)["sentence"] == "no favours with Ana yet"
    _fav(db, ana, kind="introduction", note="Acme", on=TODAY - timedelta(days=92))
    _fav(db, ana, direction="given", kind="feedback", weight=1, on=TODAY - timedelta(days=400))
    opened = _fav(db, ana, direction="given", kind="advice", status="promised", on=TODAY - timedelta(days=3))
    b = ledger.balance(db, ana, today=TODAY)
    expected_received = 2 * 0.5 ** (92 / 365)
    expected_given = 1 * 0.5 ** (400 / 365) + 2 * 0.5 * 0.5 ** (3 / 365)
    assert b["received"] == round(expected_received, 2)
    assert b["given"] == round(expected_given, 2)
    assert b["net"] == round(expected_given - expected_received, 2)
    assert b["owed_by"] is None  # 1.99 given vs 1.68 received: even
    assert [f["id"] for f in b["open"]] == [opened]
    _fav(db, ana, kind="referral", weight=3, on=TODAY - timedelta(days=30))
    b = ledger.balance(db, ana, today=TODAY)
    assert b["owed_by"] == "me"
    assert b["sentence"] == "you owe Ana (Ana referred you 4 weeks ago)"
    assert b["reason"]["kind"] == "referral"
    with pytest.raises(NotFound):
        ledger.balance(db, 9999, today=TODAY)


def test_balances_of_everyone(db: Db) -> None:
    ana, bo, cy, dee = (_add(db, n) for n in ("Ana Lima", "Bo Chen", "Cy Park", "Dee Roy"))
    _fav(db, ana, weight=1)
    _fav(db, bo, direction="given", weight=3, kind="introduction", parties=[(cy, "introduced-to")])
    _fav(db, cy, weight=2)
    _fav(db, dee, weight=3)
    people.trash(db, dee, now=NOW)
    rows = ledger.balances(db, today=TODAY)
    assert [(r["person"]["id"], r["net"], r["owed_by"]) for r in rows] == [
        (bo, 3.0, "them"), (cy, -2.0, "me"), (ana, -1.0, "me"),
    ]  # fmt: skip
    assert rows[0]["sentence"] == "Bo owes you (you introduced Bo to Cy Park today)"
    # Every balance equals the one-person balance.
    for r in rows:
        assert r == ledger.balance(db, r["person"]["id"], today=TODAY)


# Asking well -------------------------------------------------------------------------------------------------


def test_asking_warns_and_suggests_someone_better_placed(db: Db) -> None:
    ana = _add(db, "Ana Lima", organization="Acme")
    bo = _add(db, "Bo Chen", organization="Acme")
    cy = _add(db, "Cy Park", organization="Globex")
    dee = _add(db, "Dee Roy")
    first = ledger.ask_advice(db, ana, today=TODAY, kind="introduction")
    assert not first["ok"]
    assert first["warnings"] == ["you have never given Ana anything; consider helping them first"]
    assert first["better"] == []

    _fav(db, ana, kind="introduction", weight=3, on=TODAY - timedelta(days=60), note="Initech")
    _fav(db, ana, kind="advice", status="asked", weight=1, on=TODAY - timedelta(days=5))
    _fav(db, bo, direction="given", kind="advice", weight=1, on=TODAY - timedelta(days=20))
    _fav(db, cy, direction="given", kind="referral", weight=3, on=TODAY - timedelta(days=20))
    _fav(db, dee, direction="given", kind="feedback", weight=2)
    interactions.log_interaction(db, summary="call", people=[dee], occurred_at=NOW - timedelta(days=1), now=NOW)
    advice = ledger.ask_advice(db, ana, today=TODAY, kind="introduction")
    assert not advice["ok"]
    assert advice["warnings"][0].startswith("you owe Ana (Ana introduced you to Initech 2 months ago)")
    assert "never given Ana" in advice["warnings"][1]
    assert advice["warnings"][2] == "an ask is still open: you asked Ana for advice 5 days ago"
    # An introduction at Acme: Bo works there and owes me, so Bo alone is better placed.
    assert [b["person"]["id"] for b in advice["better"]] == [bo]
    assert advice["better"][0]["why"].startswith("also at Acme; Bo owes you (you gave Bo advice 3 weeks ago)")
    # Advice: everyone who owes me, the strongest tie first (Dee was called yesterday).
    general = ledger.ask_advice(db, ana, today=TODAY, kind="advice")
    ids = [b["person"]["id"] for b in general["better"]]
    assert set(ids) == {bo, cy, dee}
    assert ids[0] == dee
    assert "strength" in general["better"][0]["why"]
    # Someone I have given to and do not owe: no warnings.
    assert ledger.ask_advice(db, cy, today=TODAY) == {
        "ok": True, "warnings": [], "better": ledger.ask_advice(db, cy, today=TODAY)["better"],
    }  # fmt: skip
    assert cy not in [b["person"]["id"] for b in ledger.ask_advice(db, cy, today=TODAY)["better"]]


# Unreturned favours for the agenda -----------------------------------------------------------------------------


def test_unreturned_reasons(db: Db) -> None:
    ana, bo, cy, dee = (_add(db, n) for n in ("Ana Lima", "Bo Chen", "Cy Park", "Dee Roy"))
    _fav(db, ana, kind="introduction", note="Acme", weight=3, on=TODAY - timedelta(days=92))
    _fav(db, bo, kind="advice", on=TODAY - timedelta(days=200))
    _fav(db, bo, kind="feedback", weight=3, on=TODAY - timedelta(days=100))
    _fav(db, bo, direction="given", kind="time", weight=1, on=TODAY - timedelta(days=150))
    _fav(db, cy, kind="advice", on=TODAY - timedelta(days=10))  # too recent to nag about
    _fav(db, dee, kind="advice", on=TODAY - timedelta(days=300))
    _fav(db, dee, direction="given", kind="referral", weight=3, on=TODAY - timedelta(days=40))  # given back
    got = ledger.unreturned(db, today=TODAY)
    assert list(got) == [bo, ana]  # the oldest unreturned favour first
    assert got[ana] == "Ana introduced you to Acme 3 months ago; you have not given back"
    # Bo: the large favour after my last one to Bo explains it best.
    assert got[bo] == "Bo gave you feedback 3 months ago; you have not given back"
    assert cy in ledger.unreturned(db, today=TODAY, min_age_days=7)


# Merging -------------------------------------------------------------------------------------------------------


def _ledger_rows(db: Db) -> dict[str, list[tuple[object, ...]]]:
    return {
        "favour": sorted(db.rows("SELECT id, person_id, direction, kind, status FROM favour")),
        "favour_party": sorted(db.rows("SELECT favour_id, person_id, role FROM favour_party")),
    }


def test_merge_moves_favours_and_undo_restores_them(db: Db) -> None:
    ana, dup, bo = _add(db, "Ana Lima"), _add(db, "Ana P. Lima"), _add(db, "Bo Chen")
    own = _fav(db, ana, kind="advice")
    moved = _fav(db, dup, kind="introduction", parties=[(bo, "introduced-to")])
    party = _fav(db, bo, direction="given", kind="introduction", parties=[(dup, "introduced-to")])
    both = _fav(db, bo, direction="given", kind="referral", parties=[(dup, "beneficiary"), (ana, "introduced-to")])
    before = _ledger_rows(db)
    mid = merge.merge_people(db, ana, dup, now=NOW)
    assert {f["id"] for f in ledger.list_(db, person_id=ana)} == {own, moved}
    assert ledger.balance(db, ana, today=TODAY)["received"] == 4.0
    assert db.scalar("SELECT person_id FROM favour_party WHERE favour_id = :f", {"f": party}) == ana
    # Both were parties to one favour: the survivor's part stays, the merged one's is dropped.
    assert db.rows("SELECT person_id, role FROM favour_party WHERE favour_id = :f", {"f": both}) == [
        (ana, "introduced-to")
    ]
    info = merge.get_merge(db, mid)
    assert info["moved"]["favour"] == 1
    assert info["moved"]["favour_party"] == 1
    assert info["removed"]["favour_party"] == 1
    merge.undo_merge(db, mid, now=NOW)
    assert _ledger_rows(db) == before


# The CLI -------------------------------------------------------------------------------------------------------


def test_cli_favour_balance_and_show(cli) -> None:  # type: ignore[no-untyped-def]
    cli("add", "Ana Lima", "--org", "Acme")
    cli("add", "Bo Chen", "--org", "Acme")
    cli("add", "Cy Park")
    out = cli("favour", "Ana", "introduction", "--with", "Cy Park", "--on", "2026-08-20", "--note", "Acme").stdout
    assert "Recorded favour #1: Ana introduced you to Cy Park (medium, done 2026-08-20)." in out
    cli("favour", "Bo", "advice", "--given", "--weight", "large", "--on", "2w ago")
    res = cli("favour", "Ana", "referral", "--received", "--asked")
    assert "warning: you have never given Ana anything" in res.stderr
    assert "Bo Chen (#3): also at Acme; Bo owes you" in " ".join(res.stderr.split())
    data = cli("favour", "Ana", "referral", "--asked", "--json").json()
    assert data["favour"]["status"] == "asked"
    assert data["ask"]["better"][0]["person"]["name"] == "Bo Chen"
    assert data["hint"] is None
    odd = cli("favour", "Cy", "coffee", "--given", "--weight", "small", "--json").json()
    assert odd["favour"]["kind"] == "coffee"
    assert "new kind" in odd["hint"]

    listed = cli("favour", "--list", "--json").json()
    assert [f["id"] for f in listed] == [5, 4, 3, 2, 1]
    assert [f["id"] for f in cli("favour", "--list", "Ana", "--asked", "--json").json()] == [4, 3]
    assert cli("favour", "--done", "3", "--json").json()["status"] == "done"

    b = cli("balance", "--json").json()
    assert [x["person"]["name"] for x in b["i_owe"]] == ["Ana Lima"]
    assert [x["person"]["name"] for x in b["owe_me"]] == ["Bo Chen", "Cy Park"]
    table = cli("balance").stdout
    assert "You owe" in table
    assert "They owe you" in table
    assert "you gave Bo advice 2 weeks ago" in table
    one = cli("balance", "Ana").stdout
    assert one.startswith("You owe Ana (Ana referred you today).")

    shown = cli("show", "Ana", "--json").json()
    assert shown["balance"]["owed_by"] == "me"
    assert [f["id"] for f in shown["balance"]["open"]] == [4]
    text = cli("show", "Ana").stdout
    assert "You owe Ana" in text
    assert "open #4" in text
    assert cli("show", "me", "--json").json()["balance"] is None

    cli("favour", "--delete", "5")
    assert 5 not in [f["id"] for f in cli("favour", "--list", "--json").json()]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("favour", "Ana"), "say who and what kind of favour"),
        (("favour", "Ana", "advice", "--given", "--received"), "--given and --received cannot go together"),
        (("favour", "Ana", "advice", "--weight", "huge"), "unknown weight"),
        (("favour", "Ana", "advice", "--on", "someday"), "not a date"),
        (("favour", "Nobody Here", "advice"), "nobody called"),
        (("favour", "--done", "99"), "no favour #99"),
        (("favour", "--list", "--done", "1"), "--list and --done cannot go together"),
        (("favour", "--done", "1", "--with", "Ana"), "--done takes no --with"),
        (("favour", "me", "advice"), "you cannot be"),
        (("balance", "Nobody Here"), "nobody called"),
    ],
)
def test_cli_errors_exit_2_with_one_line(sqlite_cli, args: tuple[str, ...], message: str) -> None:  # type: ignore[no-untyped-def]
    sqlite_cli("add", "Ana Lima")
    res = sqlite_cli(*args, ok=False)
    assert res.exit_code == 2
    errors = [line for line in res.stderr.splitlines() if line.startswith("dunbar: error:")]
    assert len(errors) == 1
    assert message in errors[0]
    assert "Traceback" not in res.stderr


def test_cli_log_records_a_favour(cli) -> None:  # type: ignore[no-untyped-def]
    cli("add", "Ana Lima")
    cli("add", "Bo Chen")
    out = cli("log", "Coffee; Ana reviewed my CV", "--with", "Ana", "--with", "Bo", "--on", "yesterday",
              "--favour", "feedback").stdout  # fmt: skip
    assert "Recorded favour" in out
    f = cli("favour", "--list", "--json").json()[0]
    assert (f["person"]["name"], f["kind"], f["direction"], f["on"]) == (
        "Ana Lima",
        "feedback",
        "received",
        "2026-11-24",
    )
    assert f["interaction_id"] is not None
    given_ = cli("log", "Intro call", "--with", "Bo", "--favour", "introduction:given", "--json").json()
    assert given_["favour"]["direction"] == "given"
    bad = cli("log", "Lunch", "--with", "Bo", "--favour", "advice:sideways", ok=False)
    assert bad.exit_code == 2
    assert "unknown direction" in bad.stderr
    # Nothing was logged when the favour was bad.
    assert len(cli("timeline", "Bo", "--json").json()["interactions"]) == 2

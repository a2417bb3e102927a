"""The daily agenda: cadences, pure ranking, the service on both backends (reasons for each cause, stability within
a day, done/snooze/skip, no nagging, dormant ties) and the CLI."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from dunbar import agenda, followups, interactions, people
from dunbar import strength as strength_service
from dunbar.errors import InvalidInput, NotFound
from dunbar.people import PersonChanges
from dunbar.scoring import agenda as rank
from dunbar.scoring import cadence as cad
from dunbar.store import Db, open_db
from tests.conftest import Cli

TODAY = date(2026, 11, 25)  # a Wednesday
NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)


# Cadence (pure) --------------------------------------------------------------------------------------------


def test_default_cadences_follow_the_layers() -> None:
    table = cad.table(None)
    ideals = [v[0] for c in ("inner", "close", "active", "network", "acquaintance") if (v := table[c]) is not None]
    assert len(ideals) == 5
    assert ideals == sorted(ideals)
    assert table["dormant"] is None
    assert cad.cadence_for("dormant", None, None, table) is None
    assert cad.cadence_for(None, None, None, table) is None


def test_setting_and_person_override_the_circle() -> None:
    table = cad.table({"close": [14, 30], "dormant": [365, 730]})
    assert cad.cadence_for("close", None, None, table) == cad.Cadence(14, 30, "close")
    assert cad.cadence_for("dormant", None, None, table) == cad.Cadence(365, 730, "dormant")
    own = cad.cadence_for("close", 7, None, table)
    assert own is not None
    assert (own.ideal_days, own.max_days, own.own) == (7, 30, True)
    assert own.describe() == "every week, as you set for them"
    assert cad.cadence_for(None, None, 60, table) == cad.Cadence(30, 60, None, own=True)


@pytest.mark.parametrize(
    "setting",
    [{"close": [30, 10]}, {"close": [0, 10]}, {"friends": [7, 14]}, {"close": "weekly"}, {"close": [7]}, [1, 2]],
)
def test_bad_cadence_settings_are_refused(setting: Any) -> None:
    with pytest.raises(InvalidInput):
        cad.table(setting)


def test_due_and_describe() -> None:
    close = cad.Cadence(21, 45, "close")
    assert cad.due(TODAY - timedelta(days=61), close, TODAY) == (61, 40, 16)
    assert cad.due(TODAY - timedelta(days=3), close, TODAY) == (3, 0, 0)
    assert cad.due(None, close, TODAY) == (None, 0, 0)
    assert close.describe() == "every 3 weeks for close friends"
    assert [cad.interval(d) for d in (1, 7, 10, 30, 90, 365)] == [
        "every day",
        "every week",
        "every 10 days",
        "every month",
        "every 3 months",
        "every year",
    ]
    assert cad.pressure(21, close) == 0.0
    assert cad.pressure(45, close) == 1.0
    assert 1.0 < cad.pressure(400, close) <= 2.0


# Ranking (pure) ----------------------------------------------------------------------------------------------


def _cand(pid: int, **kw: Any) -> rank.Candidate:
    return rank.Candidate(person_id=pid, **kw)


def test_each_cause_gives_its_sentence() -> None:
    close = cad.Cadence(21, 45, "close")
    s = rank.assess(_cand(1, circle="close", cadence=close, last_contact=TODAY - timedelta(days=61)), TODAY)
    assert s.reasons == ["overdue by 40 days (every 3 weeks for close friends)"]
    assert s.overdue_days == 40
    s = rank.assess(_cand(2, dates=[rank.DateEvent("birthday", date(2026, 11, 27), None, 40)]), TODAY)
    assert s.reasons == ["birthday on Friday (turns 40)"]
    s = rank.assess(_cand(3, follow_ups=[rank.DueFollowUp(9, "send the article", TODAY)]), TODAY)
    assert s.reasons == ["you promised to send the article (due today)"]
    assert s.must
    s = rank.assess(_cand(4, new_job=rank.NewJob("Acme", "CTO", TODAY - timedelta(days=21))), TODAY)
    assert s.reasons == ["started a new job at Acme as CTO (3 weeks ago)"]
    s = rank.assess(_cand(5, strength=24, strength_before=41), TODAY)
    assert s.reasons == ["strength fell below 30 (from 41 a month ago)"]
    s = rank.assess(_cand(6, dates=[rank.DateEvent("work anniversary", TODAY, None, 5, "Acme")]), TODAY)
    assert s.reasons == ["5 years at Acme today"]
    s = rank.assess(_cand(9, new_connection=True, connected_on=TODAY - timedelta(days=14)), TODAY)
    assert s.reasons == ["connected 2 weeks ago and not in touch since"]
    s = rank.assess(_cand(7, favour="Ana introduced you to Acme 3 months ago; you have not given back"), TODAY)
    assert s.reasons == ["Ana introduced you to Acme 3 months ago; you have not given back"]
    quiet = rank.assess(_cand(8, circle="close", cadence=close, last_contact=TODAY - timedelta(days=3)), TODAY)
    assert quiet.reasons == []
    assert quiet.priority == 0


def test_priority_weighs_pressure_strength_and_importance() -> None:
    close = cad.Cadence(21, 45, "close")
    base = {"cadence": close, "last_contact": TODAY - timedelta(days=50)}
    strong = rank.assess(_cand(1, circle="close", strength=70, **base), TODAY)
    weak = rank.assess(_cand(2, circle="close", strength=10, **base), TODAY)
    far = rank.assess(_cand(3, circle="acquaintance", strength=70, **base), TODAY)
    later = rank.assess(
        _cand(4, circle="close", strength=70, cadence=close, last_contact=TODAY - timedelta(days=30)), TODAY
    )
    assert strong.priority > weak.priority
    assert strong.priority > far.priority
    assert strong.priority > later.priority > 0


def test_promises_always_make_the_list_and_pinned_keep_their_place() -> None:
    close = cad.Cadence(21, 45, "close")
    overdue = [_cand(k, circle="inner", cadence=close, last_contact=TODAY - timedelta(days=100)) for k in range(1, 8)]
    promised = _cand(50, follow_ups=[rank.DueFollowUp(1, "call back", TODAY - timedelta(days=2))])
    mild = _cand(
        60,
        circle="acquaintance",
        cadence=cad.Cadence(180, 365, "acquaintance"),
        last_contact=TODAY - timedelta(days=200),
    )
    chosen = rank.rank([*overdue, promised, mild], today=TODAY, limit=3)
    ids = [s.person_id for s in chosen]
    assert ids[0] == 50
    assert len(ids) == 3
    again = rank.rank([*overdue, promised, mild], today=TODAY, limit=3, pinned=[60])
    assert 60 in [s.person_id for s in again]
    assert 50 in [s.person_id for s in again]


def test_ties_break_by_day_deterministically() -> None:
    close = cad.Cadence(21, 45, "close")
    same = [_cand(k, circle="close", cadence=close, last_contact=TODAY - timedelta(days=60)) for k in range(1, 40)]
    first = [s.person_id for s in rank.rank(same, today=TODAY, limit=5)]
    assert first == [s.person_id for s in rank.rank(list(reversed(same)), today=TODAY, limit=5)]
    other_days = {
        tuple(s.person_id for s in rank.rank(same, today=TODAY + timedelta(days=d), limit=5)) for d in range(1, 4)
    }
    assert tuple(first) not in other_days or len(other_days) > 1


def test_backoff_pushes_down_who_was_suggested_and_not_contacted() -> None:
    close = cad.Cadence(21, 45, "close")
    fresh = rank.assess(_cand(1, circle="close", cadence=close, last_contact=TODAY - timedelta(days=60)), TODAY)
    nagged = rank.assess(
        _cand(
            1,
            circle="close",
            cadence=close,
            last_contact=TODAY - timedelta(days=60),
            last_suggested_on=TODAY - timedelta(days=1),
            times_suggested=1,
        ),
        TODAY,
    )
    assert nagged.backed_off
    assert nagged.priority == pytest.approx(fresh.priority * rank.NAG_FACTOR, abs=0.01)
    later = rank.assess(
        _cand(
            1,
            circle="close",
            cadence=close,
            last_contact=TODAY - timedelta(days=60),
            last_suggested_on=TODAY - timedelta(days=10),
            times_suggested=1,
        ),
        TODAY,
    )
    assert not later.backed_off
    assert [rank.backoff_days(n) for n in range(0, 7)] == [0, 3, 6, 12, 24, 30, 30]


def test_upcoming_dates_include_year_less_and_leap_days() -> None:
    found = rank.upcoming_dates(
        [("birthday", None, None, 11, 27), ("birthday", None, 1990, 12, 2), ("birthday", None, None, 12, 3)], TODAY
    )
    assert [(e.on, e.years) for e in found] == [(date(2026, 11, 27), None), (date(2026, 12, 2), 36)]
    leap = rank.upcoming_dates([("birthday", None, 2000, 2, 29)], date(2027, 2, 25))
    assert [e.on for e in leap] == [date(2027, 2, 28)]
    assert rank.work_anniversary("Acme", date(2020, 11, 28), TODAY) == rank.DateEvent(
        "work anniversary", date(2026, 11, 28), None, 6, "Acme"
    )
    assert rank.work_anniversary("Acme", date(2026, 11, 28), TODAY) is None


def test_dormant_values() -> None:
    never_fresh = rank.Tie(1, None, None, TODAY - timedelta(days=20), None)
    never_old = rank.Tie(2, None, None, TODAY - timedelta(days=2000), None)
    quiet_giving = rank.Tie(3, "acquaintance", None, None, TODAY - timedelta(days=300), 6, 10, "Acme", 0)
    quiet_taking = rank.Tie(4, "acquaintance", None, None, TODAY - timedelta(days=300), 0, 10, "Acme", 0)
    crowded = rank.Tie(5, "acquaintance", None, None, TODAY - timedelta(days=300), 6, 10, "BigCo", 40)
    too_recent = rank.Tie(6, "acquaintance", None, None, TODAY - timedelta(days=30), 6, 10)
    close_friend = rank.Tie(7, "inner", None, None, TODAY - timedelta(days=300), 6, 10)
    found = rank.rank_dormant(
        [never_fresh, never_old, quiet_giving, quiet_taking, crowded, too_recent, close_friend], today=TODAY, limit=10
    )
    ids = [r.person_id for r in found]
    assert set(ids) == {1, 2, 3, 5}
    assert ids.index(1) < ids.index(2)
    assert ids.index(3) < ids.index(5)
    giving = next(r for r in found if r.person_id == 3)
    assert giving.kind == rank.QUIET
    assert "they reached out 6 times before" in giving.reasons
    assert any("none of your other contacts" in r for r in giving.reasons)
    assert next(r for r in found if r.person_id == 1).kind == rank.NEVER


# The service on both backends --------------------------------------------------------------------------------


def _person(db: Db, name: str, **kw: Any) -> int:
    return people.add_person(db, PersonChanges(name=name, **kw), now=NOW - timedelta(days=800))


def _met(db: Db, pid: int, days_ago: float, summary: str = "Coffee", **kw: Any) -> int:
    return interactions.log_interaction(
        db,
        summary=summary,
        people=[pid],
        occurred_at=NOW - timedelta(days=days_ago),
        now=NOW,
        **kw,
    )


def _names(items: list[dict[str, Any]]) -> list[str]:
    return [i["person"]["name"] for i in items]


def _reasons(items: list[dict[str, Any]], name: str) -> list[str]:
    return next(i["reasons"] for i in items if i["person"]["name"] == name)


def test_reasons_for_each_cause(db: Db) -> None:
    olivia = _person(db, "Olivia Overdue", circle="close")
    _met(db, olivia, 61, "Coffee, talked about her move to Berlin")
    _person(db, "Bea Birthday", birthday="11-27")
    fred = _person(db, "Fred Follow", organization="Initech", title="Analyst")
    followups.add(db, fred, "send the article", TODAY - timedelta(days=1), now=NOW)
    nina = _person(db, "Nina Newjob", organization="Acme", job_start=TODAY - timedelta(days=20))
    people.add_note(db, nina, "Loves sailing; training for a marathon", now=NOW - timedelta(days=30))
    _person(db, "Walt Work", organization="Globex", job_start=date(2020, 11, 28))
    sam = _person(db, "Sam Slipping")
    _met(db, sam, 50, "Lunch", initiator="them", kind="call")
    _met(db, sam, 70, "Intro call", kind="email")
    now_s = strength_service.scores(db, now=NOW, person_ids=[sam])[sam]
    before_s = strength_service.scores(db, now=NOW - timedelta(days=30), person_ids=[sam])[sam]
    assert before_s >= 30 > now_s, "the setup must make Sam's strength fall below 30"
    _person(db, "Quiet Quentin")  # nothing to say about him

    items = agenda.today(db, today=TODAY, now=NOW, limit=10)
    names = _names(items)
    assert "Quiet Quentin" not in names
    assert names[0] == "Fred Follow"  # a promise comes first
    assert _reasons(items, "Olivia Overdue") == ["overdue by 40 days (every 3 weeks for close friends)"]
    assert _reasons(items, "Bea Birthday") == ["birthday on Friday"]
    assert _reasons(items, "Fred Follow") == ["you promised to send the article (due yesterday)"]
    assert _reasons(items, "Nina Newjob") == ["started a new job at Acme (2 weeks ago)"]
    assert _reasons(items, "Walt Work") == ["6 years at Globex on Saturday"]
    assert _reasons(items, "Sam Slipping") == [f"strength fell below 30 (from {before_s} a month ago)"]
    by_name = {i["person"]["name"]: i for i in items}
    everyone = strength_service.scores(db, now=NOW)
    assert {i["person"]["id"]: i["strength"] for i in items} == {
        i["person"]["id"]: everyone[i["person"]["id"]] for i in items
    }
    assert by_name["Olivia Overdue"]["strength"] > 0
    assert by_name["Olivia Overdue"]["hook"].startswith(
        "last time (meeting, 2 months ago): Coffee, talked about her move"
    )
    assert by_name["Nina Newjob"]["hook"] == "from your notes: Loves sailing; training for a marathon"
    assert by_name["Fred Follow"]["hook"] == "ask how things are at Initech (Analyst)"
    assert by_name["Fred Follow"]["follow_ups"][0]["text"] == "send the article"
    assert by_name["Olivia Overdue"]["overdue_days"] == 40
    assert by_name["Olivia Overdue"]["circle"] == "close"
    assert by_name["Nina Newjob"]["person"]["organization"] == "Acme"


def _crowd(db: Db, n: int = 8) -> list[int]:
    """n close friends, all overdue by different amounts."""
    ids = []
    for k in range(n):
        pid = _person(db, f"Friend {k:02d}", circle="close")
        _met(db, pid, 40 + 7 * k)
        ids.append(pid)
    return ids


def test_limit_and_follow_ups_beyond_it(db: Db) -> None:
    _crowd(db)
    extra = _person(db, "Promised Pat")
    followups.add(db, extra, "send the slides", TODAY, now=NOW)
    items = agenda.today(db, today=TODAY, now=NOW, limit=3, remember=False)
    assert len(items) == 3
    assert items[0]["person"]["name"] == "Promised Pat"
    only = agenda.today(db, today=TODAY, now=NOW, limit=1, remember=False)
    assert _names(only) == ["Promised Pat"]
    assert _names(agenda.today(db, today=TODAY, now=NOW, limit=1)) == ["Promised Pat"]  # a promise and nobody else
    with db.transaction():
        db.execute("INSERT INTO setting (key, value) VALUES ('agenda', :v)", {"v": json.dumps({"limit": 2})})
    assert len(agenda.today(db, today=TODAY, now=NOW, remember=False)) == 2


def test_stable_within_a_day_and_actions_free_a_slot(db: Db) -> None:
    _crowd(db, 9)
    computed = agenda.today(db, today=TODAY, now=NOW, limit=4)
    first = _names(computed)
    assert agenda.today(db, today=TODAY, now=NOW, limit=4) == computed  # a rerun looks only at today's people
    assert agenda.today(db, today=TODAY, now=NOW, limit=3) == computed  # and keeps them all
    # A rerun keeps today's people even where the ranking would now prefer someone else.
    newcomer = _person(db, "Zed Urgent", circle="inner")
    _met(db, newcomer, 300)
    assert _names(agenda.today(db, today=TODAY, now=NOW, limit=4)) == first

    ids = {name: people.resolve(db, name) for name in first}
    agenda.skip(db, ids[first[0]], today=TODAY)
    agenda.snooze(db, ids[first[1]], TODAY + timedelta(days=14), today=TODAY)
    iid = agenda.done(db, ids[first[2]], now=NOW, note="Called about the conference")
    assert interactions.get_interaction(db, iid)["summary"] == "Called about the conference"
    assert db.scalar("SELECT COUNT(*) FROM agenda_state WHERE person_id = :p", {"p": ids[first[2]]}) == 0
    after = _names(agenda.today(db, today=TODAY, now=NOW, limit=4))
    assert first[3] in after
    assert len(after) == 4
    assert not set(first[:3]) & set(after)
    assert "Zed Urgent" in after  # the freed slots go to the next in line

    # Skipped: back another day; snoozed: back on the day the snooze ends.
    tomorrow = _names(agenda.today(db, today=TODAY + timedelta(days=1), now=NOW + timedelta(days=1), limit=20))
    assert first[0] in tomorrow
    assert first[1] not in tomorrow
    later = TODAY + timedelta(days=14)
    back = _names(agenda.today(db, today=later, now=NOW + timedelta(days=14), limit=20))
    assert first[1] in back


def test_no_nagging_on_consecutive_days(db: Db) -> None:
    _crowd(db, 12)
    day1 = _names(agenda.today(db, today=TODAY, now=NOW, limit=4))
    day2 = _names(agenda.today(db, today=TODAY + timedelta(days=1), now=NOW + timedelta(days=1), limit=4))
    assert not set(day1) & set(day2)
    day3 = _names(agenda.today(db, today=TODAY + timedelta(days=2), now=NOW + timedelta(days=2), limit=4))
    assert not set(day3) & (set(day1) | set(day2))
    times = db.scalar(
        "SELECT times_suggested FROM agenda_state WHERE person_id = :p", {"p": people.resolve(db, day1[0])}
    )
    assert times == 1
    # After the backoff, the still-untouched come back, and count up.
    day6 = _names(agenda.today(db, today=TODAY + timedelta(days=5), now=NOW + timedelta(days=5), limit=4))
    assert set(day6) & set(day1)
    again = next(n for n in day6 if n in day1)
    assert (
        db.scalar("SELECT times_suggested FROM agenda_state WHERE person_id = :p", {"p": people.resolve(db, again)})
        == 2
    )


def test_excludes_trash_me_and_checks_actions(db: Db) -> None:
    gone = _person(db, "Gone Gina", circle="inner")
    _met(db, gone, 100)
    people.trash(db, gone, now=NOW)
    me = people.set_me(db, name="Jordan Avery", now=NOW)
    assert agenda.today(db, today=TODAY, now=NOW) == []
    with pytest.raises(InvalidInput):
        agenda.done(db, me, now=NOW)
    with pytest.raises(InvalidInput):
        agenda.skip(db, gone, today=TODAY)
    with pytest.raises(NotFound):
        agenda.snooze(db, 99999, TODAY + timedelta(days=3), today=TODAY)
    live = _person(db, "Live Liam")
    with pytest.raises(InvalidInput):
        agenda.snooze(db, live, TODAY, today=TODAY)


def test_dormant_service(db: Db) -> None:
    fresh = _person(db, "Fresh Connection", connected_on=TODAY - timedelta(days=10), organization="Nowhere Labs")
    _person(db, "Old Connection", connected_on=TODAY - timedelta(days=1500))
    giver = _person(db, "Giving Gail", circle="acquaintance", organization="Solo Ltd")
    for k in range(4):
        _met(db, giver, 300 + 30 * k, initiator="them")
    taker = _person(db, "Silent Sid", circle="acquaintance")
    _met(db, taker, 300)
    recent = _person(db, "Recent Rita", circle="acquaintance")
    _met(db, recent, 20, initiator="them")
    items = agenda.dormant(db, today=TODAY, now=NOW)
    names = _names(items)
    assert set(names) == {"Fresh Connection", "Old Connection", "Giving Gail"}
    assert names.index("Fresh Connection") < names.index("Old Connection")
    gail = items[names.index("Giving Gail")]
    assert gail["kind"] == "quiet-weak-tie"
    assert "they reached out 4 times before" in gail["reasons"]
    assert items[names.index("Fresh Connection")]["kind"] == "never-contacted"
    assert all(0 <= i["value"] <= 100 for i in items)
    assert _names(agenda.dormant(db, today=TODAY, now=NOW, limit=1)) == names[:1]
    assert items[names.index("Fresh Connection")]["person"]["id"] == fresh
    assert taker not in [i["person"]["id"] for i in items]  # quiet, but never reached out: not a weak tie to revive


def test_a_bad_setting_is_a_clear_error(db: Db) -> None:
    with db.transaction():
        db.execute("INSERT INTO setting (key, value) VALUES ('cadence', :v)", {"v": '{"close": [30, 3]}'})
    with pytest.raises(InvalidInput, match="shorter than the ideal"):
        agenda.today(db, today=TODAY, now=NOW)


# The CLI -----------------------------------------------------------------------------------------------------


def _setup(url: str) -> None:
    db = open_db(url)
    try:
        pid = _person(db, "Ana Lima", circle="close", organization="Acme")
        _met(db, pid, 61, "Coffee, talked about her move to Berlin")
        bo = _person(db, "Bo Chen", circle="inner")
        _met(db, bo, 30, "Dinner")
        _person(db, "Cy Ray", connected_on=TODAY - timedelta(days=5))
    finally:
        db.close()


def test_cli_today_done_snooze_skip(cli: Cli) -> None:
    _setup(cli.url)
    out = cli("today").stdout
    assert "1. Ana Lima" in out or "Ana Lima" in out
    assert "overdue by 40 days (every 3 weeks for close friends)" in out
    assert "last time (meeting, 2 months ago): Coffee, talked about her move to Berlin" in out
    data = cli("today", "--json").json()
    assert data["date"] == "2026-11-25"
    assert [i["person"]["name"] for i in data["items"]] == ["Bo Chen", "Ana Lima", "Cy Ray"]
    assert data["items"][2]["reasons"] == ["connected 5 days ago and not in touch since"]
    first = data["items"][0]
    assert set(first) >= {"person", "score", "reasons", "hook", "strength", "circle", "overdue_days", "follow_ups"}
    assert cli().stdout == out + "Every command: dunbar --help\n"  # `dunbar` alone shows the agenda

    assert "Done: logged a message with Bo Chen." in cli("done", "Bo Chen", "--note", "Called him").stdout
    assert cli("timeline", "Bo Chen", "--json").json()["interactions"][0]["summary"] == "Called him"
    assert "Snoozed Ana Lima until 2026-12-09." in cli("snooze", "Ana Lima", "2w").stdout
    assert [i["person"]["name"] for i in cli("today", "--json").json()["items"]] == ["Cy Ray"]
    assert "Skipped Cy Ray for today." in cli("skip", "Cy Ray").stdout
    assert cli("today", "--json").json()["items"] == []
    assert "Nobody needs you today" in cli("today").stdout
    res = cli("snooze", "Ana Lima", "soon", ok=False)
    assert res.exit_code == 2
    assert "not a duration or a date" in res.stderr
    assert cli("snooze", "Ana Lima", "2027-01-10").exit_code == 0
    dormant = cli("dormant", "--json").json()
    assert [i["person"]["name"] for i in dormant["items"]] == ["Cy Ray"]
    assert "never in touch since" in cli("dormant").stdout


def test_cli_first_run_message(tmp_path: Path) -> None:
    res = Cli(f"sqlite:///{tmp_path / 'none.db'}")()
    assert "dunbar init" in res.stdout
    assert "dunbar demo" in res.stdout
    assert "dunbar import" in res.stdout
    assert not (tmp_path / "none.db").exists()


def test_a_favour_not_given_back_is_a_reason(db: Db) -> None:
    from dunbar import ledger

    ana = _person(db, "Ana Lima")
    ledger.record(db, person_id=ana, direction="received", kind="introduction", on=TODAY - timedelta(days=90), now=NOW)
    items = agenda.today(db, today=TODAY, now=NOW)
    assert _names(items) == ["Ana Lima"]
    assert "you have not given back" in items[0]["reasons"][0]


def test_a_rerun_refills_the_place_of_someone_contacted_meanwhile(db: Db) -> None:
    _crowd(db, 6)
    first = _names(agenda.today(db, today=TODAY, now=NOW, limit=3))
    _met(db, people.resolve(db, first[0]), 0, "Ran into her at the station")  # logged, not `done`
    again = _names(agenda.today(db, today=TODAY, now=NOW, limit=3))
    assert first[0] not in again
    assert set(first[1:]) <= set(again)
    assert len(again) == 3

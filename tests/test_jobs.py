"""The job search: the pure statistics and their sentences, the service on both backends, and the CLI."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from dunbar import jobs, ledger, people
from dunbar.errors import InvalidInput, NotFound
from dunbar.people import PersonChanges
from dunbar.scoring import jobstats
from dunbar.scoring.jobstats import ChannelStats, History, channel_stats, compare, fisher_exact, sentences
from dunbar.store import Db

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)
TODAY = date(2026, 11, 25)
D0 = date(2026, 6, 1)


def _h(channel: str, *stages: tuple[str, int]) -> History:
    """A history from (stage, days after D0) pairs."""
    return History(channel, [(s, D0 + timedelta(days=d)) for s, d in stages])


def _apps(channel: str, n: int, *, interviews: list[int] = ()) -> list[History]:  # type: ignore[assignment]
    """``n`` applications, the first ``len(interviews)`` reaching interview after that many days."""
    out = [_h(channel, ("applied", 0), ("interview", d)) for d in interviews]
    out += [_h(channel, ("applied", 0), ("rejected", 30)) for _ in range(n - len(interviews))]
    return out


# Pure: what counts ------------------------------------------------------------------------------------------


def test_what_counts_as_an_application_an_interview_and_an_offer() -> None:
    s = channel_stats(
        [
            _h("cold", ("saved", 0)),  # never applied
            _h("cold", ("saved", 0), ("withdrawn", 3)),  # withdrew before applying
            _h("cold", ("applied", 0), ("screen", 5)),  # a screen is not an interview
            _h("cold", ("applied", 0), ("rejected", 9)),
            _h("cold", ("ghosted", 40)),  # ghosted implies an application
            _h("cold", ("applied", 2), ("interview", 12), ("offer", 30), ("accepted", 35)),
            _h("cold", ("applied", 0), ("offer", 20)),  # an offer without a recorded interview reached one
        ],
        today=TODAY,
    )["cold"]
    assert s.applications == 5
    assert s.reached_screen == 3
    assert s.reached_interview == 2
    assert s.offers == 2
    assert s.days_to_interview == (10, 20)
    assert s.median_days == 15.0
    assert s.open == 2  # the screen and the offer are still open
    assert s.interview_share == pytest.approx(0.4)


def test_a_referral_straight_to_screen_dates_from_its_first_stage_and_the_future_is_left_out() -> None:
    s = channel_stats(
        [
            _h("referral", ("saved", 0), ("screen", 4), ("interview", 11)),
            _h("referral", ("applied", 0), ("interview", 400)),  # dated after today: not yet
            _h("referral", ("applied", 10), ("interview", 5)),  # typed before the application: counts as day 0
        ],
        today=TODAY,
    )["referral"]
    assert s.applications == 3
    assert s.reached_interview == 2
    assert s.days_to_interview == (0, 7)


def test_every_channel_is_listed_and_an_unknown_one_is_kept() -> None:
    s = channel_stats([_h("carrier-pigeon", ("applied", 0))], today=TODAY)
    assert list(s)[: len(jobstats.CHANNELS)] == list(jobstats.CHANNELS)
    assert s["carrier-pigeon"].applications == 1
    assert all(s[c].applications == 0 and s[c].interview_share is None for c in jobstats.CHANNELS)


def test_fisher_exact_matches_published_values() -> None:
    assert fisher_exact(6, 2, 1, 4) == pytest.approx(0.1025641026)
    assert fisher_exact(8, 2, 1, 5) == pytest.approx(0.0349650350)
    assert fisher_exact(3, 1, 1, 3) == pytest.approx(0.4857142857)
    assert fisher_exact(0, 5, 0, 7) == 1.0
    # The same table read either way round gives the same answer.
    assert fisher_exact(4, 2, 3, 28) == pytest.approx(fisher_exact(3, 28, 4, 2))


# Pure: the sentence ------------------------------------------------------------------------------------------


def _stats(*histories: list[History]) -> dict[str, ChannelStats]:
    return channel_stats([h for group in histories for h in group], today=TODAY)


def test_the_issue_sentence_medians_and_counts() -> None:
    s = _stats(_apps("referral", 6, interviews=[7, 9, 9, 12]), _apps("cold", 31, interviews=[14, 21, 30]))
    said = sentences(s)
    assert said == [
        "Referrals reached interview in a median 9 days vs 21 for cold applications, from 6 and 31 applications; "
        "67% of referrals reached interview vs 10% of cold applications."
    ]


def test_a_share_difference_within_chance_is_called_so() -> None:
    s = _stats(_apps("referral", 5, interviews=[3, 5, 8]), _apps("cold", 6, interviews=[10, 20, 30]))
    (said,) = sentences(s)
    assert "a median 5 days vs 20 for cold applications, from 5 and 6 applications" in said
    assert "60% of referrals reached interview vs 50% of cold applications" in said
    assert said.endswith("(at these numbers the difference could be chance).")


def test_too_few_interviews_to_compare_speed() -> None:
    s = _stats(_apps("warm-intro", 8, interviews=[4, 6]), _apps("cold", 20, interviews=[15]))
    (said,) = sentences(s)
    assert said == (
        "25% of warm introductions reached interview vs 5% of cold applications, from 8 and 20 applications "
        "(at these numbers the difference could be chance); only 1 interview on one side: too few to compare how fast."
    )
    s = _stats(_apps("recruiter", 6, interviews=[4, 6, 9]), _apps("cold", 10))
    (said,) = sentences(s)
    assert said.startswith("50% of recruiter approaches reached interview vs 0% of cold applications")
    assert said.endswith("no interviews on one side: too few to compare how fast.")
    assert "could be chance" not in said  # 3 of 6 vs 0 of 10: p ≈ 0.036


def test_small_numbers_are_flagged_and_no_claim_is_made() -> None:
    s = _stats(_apps("referral", 3, interviews=[5, 6, 7]), _apps("cold", 31, interviews=[20, 21, 22]))
    assert sentences(s) == ["Only 3 referrals so far: too few to say."]
    s = _stats(_apps("referral", 1, interviews=[5]), _apps("cold", 31))
    assert sentences(s) == ["Only 1 referral so far: too few to say."]
    s = _stats(_apps("referral", 9, interviews=[5, 6, 7]), _apps("cold", 4, interviews=[20]))
    assert sentences(s) == ["Only 4 cold applications so far: too few to compare referrals with."]
    s = _stats(_apps("referral", 9, interviews=[5, 6, 7]))
    assert sentences(s) == ["No cold applications to compare referrals with."]


def test_nothing_yet_and_only_cold() -> None:
    assert sentences(_stats())[0].startswith("No applications yet")
    assert sentences(_stats([_h("cold", ("saved", 0))]))[0].startswith("No applications yet")
    assert sentences(_stats(_apps("cold", 7, interviews=[3]))) == [
        "Only cold applications so far (7): nothing to compare them with; record referrals and introductions too."
    ]


def test_neither_side_reached_interview() -> None:
    s = _stats(_apps("referral", 5), _apps("cold", 12))
    assert sentences(s) == [
        "Neither referrals nor cold applications have reached interview yet (from 5 and 12 applications)."
    ]


def test_referrals_and_introductions_together_when_each_alone_is_too_few() -> None:
    s = _stats(
        _apps("referral", 3, interviews=[5, 7]),
        _apps("warm-intro", 3, interviews=[6, 9]),
        _apps("cold", 20, interviews=[25, 30, 35]),
    )
    said = sentences(s)
    assert said[:2] == ["Only 3 referrals so far: too few to say.", "Only 3 warm introductions so far: too few to say."]
    assert said[2].startswith(
        "Referrals and warm introductions reached interview in a median 6.5 days vs 30 for cold applications, "
        "from 6 and 20 applications; 67% of referrals and warm introductions reached interview vs 15%"
    )
    # Enough of one alone: no combined sentence.
    s = _stats(_apps("referral", 5, interviews=[5]), _apps("warm-intro", 2), _apps("cold", 20))
    assert len(sentences(s)) == 2


def test_compare_directly_and_the_dict_form() -> None:
    base = ChannelStats("cold", 10, 3, 2, 1, 4, (20, 40))
    mine = ChannelStats("other", 2, 1, 1, 0, 1, (3,))
    assert compare(mine, base) == "Only 2 other applications so far: too few to say."
    d = base.as_dict()
    assert d == {
        "channel": "cold",
        "applications": 10,
        "reached_screen": 3,
        "reached_interview": 2,
        "interview_share": 0.2,
        "median_days_to_interview": 30.0,
        "offers": 1,
        "open": 4,
        "enough": True,
    }


# Service ---------------------------------------------------------------------------------------------------


def _person(db: Db, name: str, *, org: str | None = None, last: datetime | None = None) -> int:
    pid = people.add_person(db, PersonChanges(name=name, organization=org), now=NOW)
    if last is not None:
        db.execute("UPDATE person SET last_contact_at = :t WHERE id = :p", {"t": last, "p": pid})
    return pid


def test_lifecycle_current_stage_is_newest_by_date_then_id(db: Db) -> None:
    oid = jobs.add(
        db, org="Acme", role="Staff Engineer", channel="cold", stage="applied", on=date(2026, 11, 1), now=NOW
    )
    assert jobs.move(db, oid, "screen", on=date(2026, 11, 8), now=NOW) == "screen"
    # Typed in late, dated earlier: into the history, the card does not move back.
    assert jobs.move(db, oid, "saved", on=date(2026, 10, 20), now=NOW) == "screen"
    # Two stages on one day: the later one recorded is current.
    jobs.move(db, oid, "interview", on=date(2026, 11, 12), now=NOW)
    assert (
        jobs.move(db, oid, "rejected", on=date(2026, 11, 12), note="went with someone internal", now=NOW) == "rejected"
    )
    opp = jobs.get(db, oid)
    assert opp["stage"] == "rejected"
    assert [(s["stage"], s["on"]) for s in opp["stages"]] == [
        ("saved", date(2026, 10, 20)),
        ("applied", date(2026, 11, 1)),
        ("screen", date(2026, 11, 8)),
        ("interview", date(2026, 11, 12)),
        ("rejected", date(2026, 11, 12)),
    ]
    assert opp["stages"][-1]["note"] == "went with someone internal"
    assert opp["applied_on"] == date(2026, 11, 1)
    assert opp["stage_on"] == date(2026, 11, 12)
    assert opp["organization"]["name"] == "Acme"
    assert jobs.list_(db, active_only=True) == []
    assert [o["id"] for o in jobs.list_(db, stage="rejected", org="ACME")] == [oid]
    board = jobs.board(db)
    assert list(board) == list(jobstats.STAGES)
    assert [o["id"] for o in board["rejected"]] == [oid]


def test_bad_input_is_refused_clearly(db: Db) -> None:
    with pytest.raises(InvalidInput, match="unknown channel 'carrier'"):
        jobs.add(db, org="Acme", role="Engineer", channel="carrier", on=TODAY, now=NOW)
    with pytest.raises(InvalidInput, match="unknown stage"):
        jobs.add(db, org="Acme", role="Engineer", channel="cold", stage="hired", on=TODAY, now=NOW)
    with pytest.raises(InvalidInput, match="needs a role"):
        jobs.add(db, org="Acme", role="  ", channel="cold", on=TODAY, now=NOW)
    with pytest.raises(InvalidInput, match="organization needs a name"):
        jobs.add(db, org=" ", role="Engineer", channel="cold", on=TODAY, now=NOW)
    oid = jobs.add(db, org="Acme", role="Engineer", channel="Warm Introduction", on=TODAY, now=NOW)
    assert jobs.get(db, oid)["channel"] == "warm-intro"
    with pytest.raises(InvalidInput, match="unknown stage 'hired'"):
        jobs.move(db, oid, "hired", on=TODAY, now=NOW)
    with pytest.raises(NotFound, match="no opportunity #999"):
        jobs.move(db, 999, "offer", on=TODAY, now=NOW)
    with pytest.raises(InvalidInput, match="unknown role"):
        jobs.link_person(db, oid, 1, "boss", on=TODAY, now=NOW)
    with pytest.raises(NotFound, match="no person #4242"):
        jobs.link_person(db, oid, 4242, "interviewer", on=TODAY, now=NOW)
    with pytest.raises(NotFound, match="no organization called 'Nowhere'"):
        jobs.list_(db, org="Nowhere")
    # Nothing half-done: the refused ones left no rows behind.
    assert db.scalar("SELECT count(*) FROM opportunity") == 1
    assert db.scalar("SELECT count(*) FROM opportunity_stage") == 1


def test_a_referral_is_a_favour_received_and_a_thank_you_follow_up(db: Db) -> None:
    ana = _person(db, "Ana Lima", org="Acme")
    oid = jobs.add(
        db, org="acme", role="Staff Engineer", channel="referral", stage="applied", on=date(2026, 11, 20),
        people=[(ana, "referrer")], now=NOW,
    )  # fmt: skip
    favours = ledger.list_(db, person_id=ana)
    assert len(favours) == 1
    f = favours[0]
    assert (f["direction"], f["kind"], f["status"], f["weight"], f["done_on"]) == (
        "received", "referral", "done", 3, date(2026, 11, 20)
    )  # fmt: skip
    assert f["text"] == "Ana referred you to Acme (Staff Engineer)"
    due = db.all("SELECT due_on, text, status FROM follow_up WHERE person_id = :p", {"p": ana})
    assert len(due) == 1
    assert str(due[0]["due_on"]) == "2026-11-27"  # two days after today (the referral was earlier)
    assert due[0]["text"] == f"Thank them for the referral: Staff Engineer at Acme (job #{oid})"
    assert due[0]["status"] == "open"
    # Linking her again as referrer records nothing twice; an interviewer is no favour.
    assert jobs.link_person(db, oid, ana, "referrer", on=TODAY, now=NOW) is False
    bo = _person(db, "Bo Chen")
    assert jobs.link_person(db, oid, bo, "interviewer", on=TODAY, now=NOW) is False
    assert db.scalar("SELECT count(*) FROM favour") == 1
    assert db.scalar("SELECT count(*) FROM follow_up") == 1
    assert [(p["name"], p["role"]) for p in jobs.get(db, oid)["people"]] == [
        ("Ana Lima", "referrer"),
        ("Bo Chen", "interviewer"),
    ]


def test_a_warm_introduction_names_whom_it_was_to_and_a_later_referrer_counts(db: Db) -> None:
    ana, bo, cy = _person(db, "Ana Lima"), _person(db, "Bo Chen", org="Initech"), _person(db, "Cy Dunn")
    oid = jobs.add(
        db, org="Initech", role="Engineer", channel="warm-intro", on=TODAY,
        people=[(ana, "referrer"), (bo, "hiring-manager")], now=NOW,
    )  # fmt: skip
    assert [p["role"] for p in jobs.get(db, oid)["people"]] == ["referrer", "hiring-manager"]
    (f,) = ledger.list_(db, person_id=ana)
    assert (f["kind"], f["weight"]) == ("introduction", 2)
    assert f["text"] == "Ana introduced you to Bo Chen"
    # A cold application with a "referrer" is no favour; a referral whose referrer is linked later is.
    cold = jobs.add(db, org="Globex", role="Engineer", channel="cold", on=TODAY, people=[(cy, "referrer")], now=NOW)
    assert ledger.list_(db, person_id=cy) == []
    ref = jobs.add(db, org="Globex", role="Lead", channel="referral", on=TODAY, now=NOW)
    assert jobs.link_person(db, ref, cy, "referrer", on=TODAY, now=NOW) is True
    assert len(ledger.list_(db, person_id=cy)) == 1
    assert cold != ref


def test_targets_add_again_list_and_drop(db: Db) -> None:
    _person(db, "Ana Lima", org="Acme", last=NOW - timedelta(days=3))
    _person(db, "Old Friend", org="Acme")
    tid = jobs.add_target(db, "Acme", why="good team", now=NOW)
    assert jobs.add_target(db, "ACMÉ", why=None, now=NOW) == tid  # the same one, why kept
    jobs.add_target(db, "Initech", now=NOW)
    jobs.add(db, org="Acme", role="Engineer", channel="cold", on=TODAY, now=NOW)
    rows = jobs.list_targets(db)
    assert [(t["organization"]["name"], t["why"], t["opportunities"]) for t in rows] == [
        ("Acme", "good team", 1),
        ("Initech", None, 0),
    ]
    assert [p["name"] for p in rows[0]["people_there"]] == ["Ana Lima", "Old Friend"]  # most recent contact first
    jobs.drop_target(db, "initech")
    assert [t["organization"]["name"] for t in jobs.list_targets(db)] == ["Acme"]
    assert [t["status"] for t in jobs.list_targets(db, include_dropped=True)] == ["active", "dropped"]
    with pytest.raises(NotFound, match="Initech is not a target"):
        jobs.drop_target(db, "Initech")
    with pytest.raises(NotFound, match="no organization"):
        jobs.drop_target(db, "Nowhere")
    assert jobs.add_target(db, "Initech", why="back on", now=NOW)
    assert [t["why"] for t in jobs.list_targets(db)] == ["good team", "back on"]


def test_stats_from_the_database(db: Db) -> None:
    start = date(2026, 6, 1)
    for i, days in enumerate([5, 9, 9, 14]):
        oid = jobs.add(db, org=f"R{i}", role="Engineer", channel="referral", stage="applied", on=start, now=NOW)
        jobs.move(db, oid, "interview", on=start + timedelta(days=days), now=NOW)
    for i in range(2):
        jobs.add(db, org=f"R{i + 10}", role="Engineer", channel="referral", stage="applied", on=start, now=NOW)
    for i in range(10):
        oid = jobs.add(db, org=f"C{i}", role="Engineer", channel="cold", stage="applied", on=start, now=NOW)
        if i < 3:
            jobs.move(db, oid, "interview", on=start + timedelta(days=20 + i), now=NOW)
            if i == 0:
                jobs.move(db, oid, "offer", on=start + timedelta(days=40), now=NOW)
        else:
            jobs.move(db, oid, "ghosted", on=start + timedelta(days=60), now=NOW)
    jobs.add(db, org="S", role="Engineer", channel="recruiter", stage="saved", on=start, now=NOW)
    out = jobs.stats(db, today=TODAY)
    by = {c["channel"]: c for c in out["channels"]}
    assert by["referral"]["applications"] == 6
    assert by["referral"]["reached_interview"] == 4
    assert by["referral"]["median_days_to_interview"] == 9.0
    assert by["cold"]["applications"] == 10
    assert by["cold"]["offers"] == 1
    assert by["cold"]["median_days_to_interview"] == 21.0
    assert by["recruiter"]["applications"] == 0
    assert out["network"]["applications"] == 6
    assert out["sentences"] == [
        "Referrals reached interview in a median 9 days vs 21 for cold applications, from 6 and 10 applications; "
        "67% of referrals reached interview vs 30% of cold applications (at these numbers the difference could be "
        "chance)."
    ]


def test_suggestions(db: Db) -> None:
    ana = _person(db, "Ana Lima", org="Acme", last=NOW - timedelta(days=10))
    _person(db, "Bo Chen", org="Acme", last=NOW - timedelta(days=90))
    _person(db, "Cy Dunn", org="Initech")  # never in touch
    left = _person(db, "Di Evans", org="Umbrella")
    people.edit_person(db, left, PersonChanges(left_organization="Umbrella"), now=NOW)
    for org in ("Acme", "Initech", "Umbrella", "Hooli"):
        jobs.add_target(db, org, now=NOW)
    jobs.drop_target(db, "Hooli")
    # Initech: applied already, so no warm-path suggestion there.
    jobs.add(db, org="Initech", role="Engineer", channel="cold", stage="applied", on=date(2026, 11, 20), now=NOW)
    # Going cold: 20 days with no news and nobody; a fresh one, a moved one and one with a person are fine.
    cold = jobs.add(db, org="Globex", role="Analyst", channel="cold", stage="applied", on=date(2026, 11, 5), now=NOW)
    jobs.add(db, org="Globex", role="Lead", channel="cold", stage="applied", on=date(2026, 11, 15), now=NOW)
    moved = jobs.add(db, org="Globex", role="Ops", channel="cold", stage="applied", on=date(2026, 10, 1), now=NOW)
    jobs.move(db, moved, "screen", on=date(2026, 10, 10), now=NOW)
    jobs.add(
        db, org="Acme", role="Lead", channel="cold", stage="applied", on=date(2026, 10, 1),
        people=[(ana, "hiring-manager")], now=NOW,
    )  # fmt: skip
    # Acme now has an application, so make a second target with a warm path and none.
    _person(db, "Eve Ford", org="Wayne", last=NOW - timedelta(days=1))
    jobs.add_target(db, "Wayne", now=NOW)

    got = jobs.suggestions(db, today=TODAY)
    kinds = [(s["kind"], s["organization"]["name"], [p["name"] for p in s["people"]]) for s in got]
    assert kinds == [
        ("warm-path", "Wayne", ["Eve Ford"]),
        ("going-cold", "Globex", []),
        ("reconnect", "Acme", ["Bo Chen"]),
        ("reconnect", "Initech", ["Cy Dunn"]),
    ]
    assert got[0]["reason"] == (
        "You know Eve Ford at Wayne and have not applied there yet: ask about openings or a referral."
    )
    assert got[1]["opportunity_id"] == cold
    assert got[1]["reason"].startswith("Applied for Analyst at Globex 20 days ago with no news and nobody attached")
    assert "90 days ago" in got[2]["reason"]
    assert got[2]["people"][0]["days_since_contact"] == 90
    assert "no contact on record" in got[3]["reason"]


def test_going_cold_names_someone_who_works_there(db: Db) -> None:
    _person(db, "Ana Lima", org="Acme", last=NOW)
    jobs.add(db, org="Acme", role="Engineer", channel="cold", stage="applied", on=date(2026, 10, 1), now=NOW)
    (s,) = jobs.suggestions(db, today=TODAY)
    assert s["kind"] == "going-cold"
    assert "ask Ana Lima, who works there, to put in a word" in s["reason"]


# CLI -------------------------------------------------------------------------------------------------------


def test_cli_lifecycle_board_and_json(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cli("add", "Ana Lima", "--org", "Acme", "--title", "Engineer")
    assert "Target: Acme; you know 1 person there." in cli("target", "add", "Acme", "--why", "the team").stdout
    targets = cli("target", "list", "--json").json()
    assert targets[0]["organization"]["name"] == "Acme"
    assert targets[0]["why"] == "the team"
    out = cli("jobs", "add", "Acme", "Staff Engineer", "--channel", "referral", "--via", "Ana Lima", "--stage",
              "applied", "--on", "2026-11-01").stdout  # fmt: skip
    assert "Added #1 Acme: Staff Engineer (applied, referral)." in out
    assert "Recorded the favour Ana Lima did you" in out
    opp = cli("jobs", "add", "Globex", "Analyst", "--link", "https://globex.example/jobs/7", "--on", "3d ago",
              "--json").json()  # fmt: skip
    assert opp["stage"] == "saved"
    assert opp["channel"] == "cold"
    assert opp["stages"] == [{"stage": "saved", "on": "2026-11-22", "note": None}]
    assert opp["link"] == "https://globex.example/jobs/7"
    moved = cli("jobs", "move", "1", "interview", "--on", "2026-11-10", "--note", "panel", "--json").json()
    assert moved["stage"] == "interview"
    assert moved["people"] == [{"id": moved["people"][0]["id"], "name": "Ana Lima", "role": "referrer"}]
    listed = cli("jobs", "list", "--stage", "interview", "--json").json()
    assert [o["id"] for o in listed] == [1]
    assert "Globex" in cli("jobs", "list").stdout

    board = cli("jobs", "board").stdout
    header = next(line for line in board.splitlines() if "saved (1)" in line)
    for col in ("saved (1)", "applied (0)", "screen (0)", "interview (1)", "offer (0)"):
        assert col in header
    # Cards sit under their column: Acme under interview, Globex under saved.
    acme_line = next(line for line in board.splitlines() if "Acme" in line)
    assert acme_line.index("Acme") > header.index("interview") - 2
    globex_line = next(line for line in board.splitlines() if "Globex" in line)
    assert globex_line.index("Globex") < header.index("applied")
    assert "2w" in board  # the interview card has been there 15 days
    assert "3d" in board
    cols = cli("jobs", "board", "--json").json()
    assert [o["id"] for o in cols["interview"]] == [1]

    cli("jobs", "move", "2", "withdrawn")
    assert "Closed: 1 withdrawn" in cli("jobs", "board").stdout
    assert "Recorded the favour they did you" not in cli("jobs", "link", "1", "Ana Lima", "--role", "referrer").stdout
    cli("target", "drop", "acme")
    assert cli("target", "list", "--json").json() == []


def test_cli_stats_sentences_and_plot(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    for i in range(3):
        cli("jobs", "add", f"R{i}", "Engineer", "--channel", "referral", "--stage", "applied", "--on", "2026-09-01")
        cli("jobs", "move", str(i + 1), "interview", "--on", f"2026-09-{10 + i}")
    for i in range(6):
        cli("jobs", "add", f"C{i}", "Engineer", "--channel", "cold", "--stage", "applied", "--on", "2026-09-01")
    out = cli("jobs", "stats").stdout
    assert "Only 3 referrals so far: too few to say." in out
    assert "referral *" in out
    assert "fewer than 5 applications" in out
    png = tmp_path / "stats.png"
    data = cli("jobs", "stats", "--plot", str(png), "--json").json()
    assert data["plot"] == str(png)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    by = {c["channel"]: c for c in data["channels"]}
    assert by["referral"]["median_days_to_interview"] == 10.0
    assert by["referral"]["interview_share"] == 1.0
    assert by["cold"]["enough"] is True
    assert data["sentences"] == ["Only 3 referrals so far: too few to say."]
    bad = cli("jobs", "stats", "--plot", str(tmp_path / "missing" / "x.png"), ok=False)
    assert bad.exit_code == 2
    assert "cannot write" in bad.stderr


def test_cli_suggest(cli) -> None:  # type: ignore[no-untyped-def]
    assert "Nothing to suggest" in cli("jobs", "suggest").stdout
    cli("add", "Ana Lima", "--org", "Acme")
    cli("target", "add", "Acme")
    out = cli("jobs", "suggest").stdout
    assert "You know Ana Lima at Acme and have not applied there yet" in out
    rows = cli("jobs", "suggest", "--json").json()
    assert [r["kind"] for r in rows] == ["warm-path", "reconnect"]
    assert rows[1]["people"][0]["last_contact_at"] is None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("jobs", "add", "Acme", "Engineer", "--channel", "pigeon"), "unknown channel 'pigeon'"),
        (("jobs", "add", "Acme", "Engineer", "--stage", "hired"), "unknown stage 'hired'"),
        (("jobs", "add", "Acme", "Engineer", "--on", "someday"), "not a date: 'someday'"),
        (("jobs", "add", "Acme", "Engineer", "--via", "Nobody Here"), "nobody called 'Nobody Here'"),
        (("jobs", "move", "42", "offer"), "no opportunity #42"),
        (("jobs", "link", "42", "me"), "no opportunity #42"),
        (("jobs", "add", "Acme", "Engineer", "--channel", "referral", "--via", "me"), "you cannot be linked"),
        (("jobs", "list", "--org", "Nowhere"), "no organization called 'Nowhere'"),
        (("jobs", "list", "--stage", "done"), "unknown stage 'done'"),
        (("target", "drop", "Nowhere"), "no organization called 'Nowhere'"),
        (("target", "add", "  "), "an organization needs a name"),
    ],
)
def test_cli_errors_exit_2(cli, args: tuple[str, ...], message: str) -> None:  # type: ignore[no-untyped-def]
    res = cli(*args, ok=False)
    assert res.exit_code == 2
    assert f"dunbar: error: {message}" in res.stderr
    assert "Traceback" not in res.stderr + res.stdout


# Merging people ---------------------------------------------------------------------------------------------


def test_merge_moves_opportunity_links_and_undo_puts_them_back(db: Db) -> None:
    from dunbar.merge import get_merge, merge_people, undo_merge

    ana = _person(db, "Ana Lima", org="Acme")
    dup = _person(db, "Ana P. Lima")
    both = jobs.add(
        db, org="Acme", role="Engineer", channel="cold", on=TODAY,
        people=[(ana, "hiring-manager"), (dup, "interviewer")], now=NOW,
    )  # fmt: skip
    only_dup = jobs.add(db, org="Globex", role="Lead", channel="cold", on=TODAY, people=[(dup, "recruiter")], now=NOW)
    merge_id = merge_people(db, ana, dup, now=NOW)
    assert [(p["id"], p["role"]) for p in jobs.get(db, both)["people"]] == [(ana, "hiring-manager")]
    assert [(p["id"], p["role"]) for p in jobs.get(db, only_dup)["people"]] == [(ana, "recruiter")]
    summary = get_merge(db, merge_id)
    assert summary["moved"]["opportunity_person"] == 1
    assert summary["removed"]["opportunity_person"] == 1
    undo_merge(db, merge_id, now=NOW)
    assert [(p["id"], p["role"]) for p in jobs.get(db, both)["people"]] == [
        (ana, "hiring-manager"),
        (dup, "interviewer"),
    ]
    assert [(p["id"], p["role"]) for p in jobs.get(db, only_dup)["people"]] == [(dup, "recruiter")]

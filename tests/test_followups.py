"""Follow-ups on both backends: the lifecycle in the service, `dunbar log --follow-up` and `dunbar follow-ups`."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from dunbar import agenda, followups, people
from dunbar.errors import InvalidInput, NotFound
from dunbar.people import PersonChanges
from dunbar.store import Db, open_db
from tests.conftest import Cli

TODAY = date(2026, 11, 25)
NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)


def _person(db: Db, name: str) -> int:
    return people.add_person(db, PersonChanges(name=name), now=NOW)


def test_lifecycle(db: Db) -> None:
    ana = _person(db, "Ana Lima")
    bo = _person(db, "Bo Chen")
    first = followups.add(db, ana, "  send the   article ", TODAY + timedelta(days=14), now=NOW)
    second = followups.add(db, bo, "introduce her to Cy", TODAY - timedelta(days=2), now=NOW)
    third = followups.add(db, ana, "ask about the move", TODAY, now=NOW)
    item = followups.get(db, first)
    assert item["text"] == "send the article"
    assert item["person"] == {"id": ana, "name": "Ana Lima"}
    assert (item["status"], item["due_on"], item["done_at"]) == ("open", TODAY + timedelta(days=14), None)
    assert len(item["uid"]) == 32
    assert [f["id"] for f in followups.list_(db)] == [second, third, first]
    assert [f["id"] for f in followups.list_(db, due_before=TODAY)] == [second, third]
    assert [f["id"] for f in followups.list_(db, person_id=ana)] == [third, first]

    followups.done(db, second, now=NOW)
    followups.snooze(db, third, TODAY + timedelta(days=7))
    followups.cancel(db, first, now=NOW)
    assert followups.list_(db) == [followups.get(db, third)]
    assert followups.get(db, third)["due_on"] == TODAY + timedelta(days=7)
    done = followups.get(db, second)
    assert done["status"] == "done"
    assert done["done_at"] == NOW
    assert {f["status"] for f in followups.list_(db, status=None)} == {"open", "done", "cancelled"}
    assert [f["id"] for f in followups.list_(db, status="cancelled")] == [first]

    with pytest.raises(InvalidInput, match="already done"):
        followups.done(db, second, now=NOW)
    with pytest.raises(InvalidInput, match="already cancelled"):
        followups.snooze(db, first, TODAY)
    with pytest.raises(NotFound):
        followups.done(db, 9999, now=NOW)
    with pytest.raises(InvalidInput, match="says nothing"):
        followups.add(db, ana, "   ", TODAY, now=NOW)
    with pytest.raises(InvalidInput):
        followups.list_(db, status="later")
    with pytest.raises(NotFound):
        followups.add(db, 9999, "call", TODAY, now=NOW)
    people.trash(db, bo, now=NOW)
    with pytest.raises(InvalidInput, match="trash"):
        followups.add(db, bo, "call", TODAY, now=NOW)
    assert followups.list_(db, status=None, person_id=bo) == []  # the trashed are left out


def test_due_follow_ups_feed_the_agenda_until_kept(db: Db) -> None:
    ana = _person(db, "Ana Lima")
    fid = followups.add(db, ana, "send the article", TODAY, now=NOW)
    later = followups.add(db, ana, "call about the offer", TODAY + timedelta(days=3), now=NOW)
    items = agenda.today(db, today=TODAY, now=NOW)
    assert items[0]["reasons"] == ["you promised to send the article (due today)"]
    assert [f["id"] for f in items[0]["follow_ups"]] == [fid]
    followups.done(db, fid, now=NOW)
    assert agenda.today(db, today=TODAY, now=NOW) == []
    soon = agenda.today(db, today=TODAY + timedelta(days=4), now=NOW + timedelta(days=4))
    assert soon[0]["reasons"] == ["you promised to call about the offer (due yesterday)"]
    assert soon[0]["follow_ups"][0]["id"] == later


def test_cli_log_follow_up_and_follow_ups(cli: Cli) -> None:
    db = open_db(cli.url)
    try:
        ana = _person(db, "Ana Lima")
    finally:
        db.close()
    out = cli("log", "Lunch, talked about her move", "--with", "Ana Lima", "--follow-up", "2w", "send the article")
    assert "Follow-up #" in out.stdout
    assert "send the article (Ana Lima), due 2026-12-09." in out.stdout
    data = cli(
        "log", "Call", "--with", "Ana Lima", "--on", "2026-11-20", "--follow-up", "1w", "intro to Bo", "--json"
    ).json()
    promise = data["follow_up"]
    assert promise["due_on"] == "2026-11-27"  # counted from the day of the call
    assert promise["interaction_id"] == data["id"]
    assert promise["person"] == {"id": ana, "name": "Ana Lima"}

    listed = cli("follow-ups", "--json").json()
    assert [f["text"] for f in listed] == ["intro to Bo", "send the article"]
    table = cli("follow-ups").stdout
    assert "intro to Bo" in table
    assert "send the article" in table
    first = listed[0]["id"]
    assert f"Follow-up #{first} is now due 2026-12-25." in cli("follow-ups", "snooze", str(first), "1m").stdout
    assert "Done: intro to Bo (Ana Lima)." in cli("follow-ups", "done", str(first)).stdout
    assert [f["status"] for f in cli("follow-ups", "--all", "--json").json()] == ["open", "done"]
    again = cli("follow-ups", "done", str(first), ok=False)
    assert again.exit_code == 2
    assert "already done" in again.stderr
    bad = cli("log", "Call", "--with", "Ana Lima", "--follow-up", "soon", "call", ok=False)
    assert bad.exit_code == 2
    assert "not a duration or a date" in bad.stderr
    assert len(cli("timeline", "Ana Lima", "--json").json()["interactions"]) == 2  # the bad one logged nothing
    second = listed[1]["id"]
    assert f"Cancelled follow-up #{second}." in cli("follow-ups", "cancel", str(second)).stdout
    assert "No open follow-ups" in cli("follow-ups").stdout

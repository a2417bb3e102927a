"""Offers and needs: the service and the CLI, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from dunbar import offers, people
from dunbar.errors import Conflict, InvalidInput, NotFound
from dunbar.store import Db

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
TODAY = NOW.date()


def _person(db: Db, name: str) -> int:
    return people.add_person(db, people.PersonChanges(name=name), now=NOW)


def test_add_list_and_expiry(db: Db) -> None:
    ana = _person(db, "Ana Lima")
    offer = offers.add(db, ana, "offer", "  Kubernetes  ", now=NOW)
    need = offers.add(db, ana, "need", "hiring a data scientist", now=NOW)
    old = offers.add(db, ana, "need", "a flat in Lisbon", since=date(2026, 1, 1), now=NOW)
    items = offers.list_(db, person_id=ana, today=TODAY)
    assert [(i["id"], i["kind"], i["text"]) for i in items] == [
        (offer, "offer", "Kubernetes"),
        (need, "need", "hiring a data scientist"),
    ]
    got = {i["id"]: i for i in items}
    assert got[need]["expires_on"] == date(2027, 2, 23)  # 90 days
    assert got[offer]["expires_on"] is None
    assert got[need]["person"] == {"id": ana, "name": "Ana Lima"}
    with_old = offers.list_(db, person_id=ana, include_expired=True, today=TODAY)
    assert [i["expired"] for i in with_old if i["id"] == old] == [True]
    assert offers.list_(db, kind="offer", today=TODAY)[0]["id"] == offer


def test_bad_input(db: Db) -> None:
    ana = _person(db, "Ana Lima")
    with pytest.raises(InvalidInput, match="empty"):
        offers.add(db, ana, "offer", "   ", now=NOW)
    with pytest.raises(InvalidInput, match="kind"):
        offers.add(db, ana, "wish", "x", now=NOW)
    with pytest.raises(NotFound):
        offers.add(db, 9999, "offer", "x", now=NOW)
    with pytest.raises(InvalidInput, match="expire"):
        offers.add(db, ana, "need", "x", expires_on=date(2020, 1, 1), now=NOW)
    offers.add(db, ana, "offer", "Kubernetes", now=NOW)
    with pytest.raises(Conflict, match="already"):
        offers.add(db, ana, "offer", "Kubernetes", now=NOW)


def test_suggest_confirm_dismiss(db: Db) -> None:
    me = people.set_me(db, name="Jordan Avery", now=NOW)
    ana = people.add_person(
        db, people.PersonChanges(name="Ana Lima", organization="Acme", title="Senior Data Scientist"), now=NOW
    )
    people.add_note(db, ana, "Met at PyCon. She is hiring a data engineer in Berlin.", now=NOW)
    people.add_note(db, me, "I want an intro to someone at Stripe.", now=NOW)
    n = offers.suggest(db, today=TODAY, now=NOW)
    texts = {(i["person"]["id"], i["kind"], i["text"]) for i in offers.list_(db, status="suggested", today=TODAY)}
    assert (ana, "offer", "advice on data science") in texts
    assert (ana, "offer", "access to Acme") in texts
    assert (ana, "need", "hiring a data engineer in Berlin") in texts
    assert (me, "need", "want an intro to someone at Stripe") in texts
    assert n == len(texts) == 4
    assert offers.suggest(db, today=TODAY, now=NOW) == 0  # nothing twice
    assert offers.list_(db, today=TODAY) == []  # suggestions are not active until confirmed
    by_text = {i["text"]: i["id"] for i in offers.list_(db, status="suggested", today=TODAY)}
    assert offers.confirm(db, by_text["access to Acme"])["status"] == "active"
    assert offers.dismiss(db, by_text["advice on data science"])["status"] == "dismissed"
    with pytest.raises(Conflict):
        offers.confirm(db, by_text["advice on data science"])
    assert offers.suggest(db, today=TODAY, now=NOW) == 0  # a dismissed one is never suggested again
    assert [i["text"] for i in offers.list_(db, today=TODAY)] == ["access to Acme"]


def test_needs_in_notes() -> None:
    assert offers.needs_in("Looking for a new role in product. Loves climbing.") == [
        "looking for a new role in product"
    ]
    assert offers.needs_in("Wants an intro to a VC; also hiring two SREs!") == [
        "wants an intro to a VC",
        "hiring two SREs",
    ]
    assert offers.needs_in("Had lunch, talked about the weather.") == []


def test_cli(cli) -> None:  # type: ignore[no-untyped-def]
    cli("add", "Bo Chen")
    added = cli("need", "Bo Chen", "help moving to k8s", "--expires", "2w", "--json").json()
    assert added["kind"] == "need"
    assert added["expires_on"] == "2026-12-09"
    assert added["person"]["name"] == "Bo Chen"
    cli("offer", "me", "Kubernetes")
    listed = cli("offers", "--json").json()
    assert [(i["person"]["name"], i["kind"], i["text"]) for i in listed] == [
        ("Jordan Avery", "offer", "Kubernetes"),
        ("Bo Chen", "need", "help moving to k8s"),
    ]
    assert [i["text"] for i in cli("offers", "me", "--json").json()] == ["Kubernetes"]
    shown = cli("offers").stdout
    assert "help moving to k8s" in shown
    assert "2026-12-09" in shown
    done = cli("offers", "--dismiss", str(added["id"]), "--json").json()
    assert done["status"] == "dismissed"
    bad = cli("offers", "--confirm", "999", ok=False)
    assert bad.exit_code == 2
    assert "no offer or need #999" in bad.stderr
    bad = cli("need", "Bo Chen", "x", "--expires", "soonish", ok=False)
    assert bad.exit_code == 2
    assert "not a date" in bad.stderr
    assert cli("offers", "--suggest", "--json").json() == {"suggested": 0}

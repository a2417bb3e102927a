"""The API of the agenda, follow-ups, circles, favours, offers and needs, jobs and the network, through an
in-process client on real databases (SQLite, and PostgreSQL for the resources marked with ``db_url``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.web.test_api import Api, add, make_app


@pytest.fixture
def api(db_url: str) -> Iterator[Api]:
    with TestClient(make_app(db_url)) as client:
        yield Api(client, db_url)


@pytest.fixture
def sqlite_api(sqlite_url: str) -> Iterator[Api]:
    with TestClient(make_app(sqlite_url)) as client:
        yield Api(client, sqlite_url)


def log(api: Api, people: list[int], when: str, summary: str = "coffee") -> dict[str, Any]:
    body = {"summary": summary, "people": people, "occurred_at": when, "initiator": "them"}
    return api.ok("POST", "/interactions", 201, json=body)


# Agenda ----------------------------------------------------------------------------------------------------


def test_agenda_done_snooze_skip(api: Api) -> None:
    api.ok("PUT", "/me", json={"name": "Jordan Avery"})
    ids = [add(api, name, circle="close")["id"] for name in ("Ana Lima", "Bo Chen", "Cy Diaz")]
    for pid in ids:
        log(api, [pid], "2026-05-01T10:00:00Z")
    listed = api.ok("GET", "/agenda", params={"limit": 3})
    assert sorted(i["person"]["id"] for i in listed) == sorted(ids), "three overdue close friends, three places"
    assert all(i["reasons"] for i in listed), "each suggestion says why"

    done = api.ok("POST", f"/agenda/{ids[0]}/done", 201, json={"note": "sent the article"})
    shown = api.ok("GET", f"/interactions/{done['interaction_id']}")
    assert (shown["summary"], shown["kind"]) == ("sent the article", "message")
    api.ok("POST", f"/agenda/{ids[1]}/snooze", 204, json={"duration": "2w"})
    api.ok("POST", f"/agenda/{ids[2]}/skip", 204)
    assert api.ok("GET", "/agenda", params={"limit": 3}) == [], "done, snoozed and skipped: nobody left today"

    p = api.problem("POST", f"/agenda/{ids[1]}/snooze", 400, json={"until": "2026-11-01"})
    assert "not after today" in p["detail"]
    assert api.problem("POST", f"/agenda/{ids[1]}/snooze", 400, json={})["hint"]
    api.problem("POST", f"/agenda/{ids[1]}/snooze", 400, json={"duration": "99999999999y"})
    api.problem("POST", "/agenda/999999/skip", 404)
    assert isinstance(api.ok("GET", "/dormant"), list)


def test_circle_suggestions_and_apply(sqlite_api: Api) -> None:
    api = sqlite_api
    pid = add(api, "Ana Lima", circle="inner")["id"]
    log(api, [pid], "2024-01-01T10:00:00Z")
    suggested = api.ok("GET", "/circles/suggestions")
    mine = next(s for s in suggested if s["person_id"] == pid)
    assert mine["circle"] == "inner"
    assert mine["changed"] is (mine["suggested"] != "inner")
    assert api.ok("POST", "/circles", json={"changes": [{"person_id": pid, "circle": "network"}]}) == {"count": 1}
    assert api.ok("GET", f"/people/{pid}")["circle"] == "network"
    api.problem("POST", "/circles", 422, json={"changes": [{"person_id": pid, "circle": "bff"}]})


# Follow-ups ------------------------------------------------------------------------------------------------


def test_follow_ups(sqlite_api: Api) -> None:
    api = sqlite_api
    pid = add(api, "Ana Lima")["id"]
    first = api.ok("POST", "/follow-ups", 201, json={"person_id": pid, "text": "send the article", "in": "1w"})
    assert (first["due_on"], first["status"], first["person"]["name"]) == ("2026-12-02", "open", "Ana Lima")
    second = api.ok("POST", "/follow-ups", 201, json={"person_id": pid, "text": "ask about Q1", "due_on": "2026-11-30"})
    listed = api.ok("GET", "/follow-ups")
    assert [f["id"] for f in listed["items"]] == [second["id"], first["id"]], "by due day"
    assert api.ok("POST", f"/follow-ups/{first['id']}/snooze", json={"until": "2027-01-05"})["due_on"] == "2027-01-05"
    assert api.ok("POST", f"/follow-ups/{first['id']}/done")["status"] == "done"
    assert api.ok("POST", f"/follow-ups/{second['id']}/cancel")["status"] == "cancelled"
    assert api.ok("GET", "/follow-ups")["items"] == []
    assert len(api.ok("GET", "/follow-ups", params={"status": "all", "limit": 1})["items"]) == 1

    p = api.problem("POST", f"/follow-ups/{first['id']}/cancel", 400)
    assert "already done" in p["detail"]
    api.problem("POST", "/follow-ups/424242/done", 404)
    api.problem("POST", "/follow-ups", 404, json={"person_id": 9999, "text": "x", "due_on": "2026-12-01"})


# Favours ---------------------------------------------------------------------------------------------------


def test_favours_and_balance(api: Api) -> None:
    api.ok("PUT", "/me", json={"name": "Jordan Avery"})
    ana = add(api, "Ana Lima", organization="Acme")["id"]
    bo = add(api, "Bo Chen", organization="Acme")["id"]
    got = api.ok(
        "POST",
        "/favours",
        201,
        json={
            "person_id": ana,
            "direction": "received",
            "kind": "introduction",
            "weight": 3,
            "on": "2026-11-01",
            "parties": [{"person_id": bo}],
        },
    )
    assert (got["direction"], got["kind"], got["status"]) == ("received", "introduction", "done")
    asked = api.ok(
        "POST",
        "/favours",
        201,
        json={"person_id": bo, "direction": "given", "kind": "advice", "status": "asked", "on": "2026-11-20"},
    )
    assert [f["id"] for f in api.ok("GET", "/favours")["items"]] == [asked["id"], got["id"]], "newest first"
    assert [f["id"] for f in api.ok("GET", "/favours", params={"person_id": ana})["items"]] == [got["id"]]

    changed = api.ok("PATCH", f"/favours/{asked['id']}", json={"status": "done", "note": "an hour on their CV"})
    assert changed["status"] == "done"
    assert changed["note"] == "an hour on their CV"

    owed = api.ok("GET", f"/people/{ana}/balance")
    assert owed["owed_by"] == "me", "they did me a large favour"
    assert owed["net"] < 0
    assert {b["person"]["id"] for b in api.ok("GET", "/balance")} == {ana, bo}
    advice = api.ok("GET", f"/people/{ana}/ask-advice", params={"kind": "referral"})
    assert advice["warnings"], "I already owe Ana: asking again deserves a warning"

    api.ok("DELETE", f"/favours/{asked['id']}", 204)
    api.problem("GET", f"/favours/{asked['id']}", 404)
    api.problem("POST", "/favours", 422, json={"person_id": ana, "direction": "sideways", "kind": "advice"})
    api.problem(
        "POST", "/favours", 400, json={"person_id": ana, "direction": "given", "kind": "advice", "weight": "enormous"}
    )


# Offers, needs, matching and introductions -----------------------------------------------------------------


def test_offers_needs_matching_and_intros(sqlite_api: Api) -> None:
    api = sqlite_api
    api.ok("PUT", "/me", json={"name": "Jordan Avery"})
    ana = add(api, "Ana Lima")["id"]
    bo = add(api, "Bo Chen")["id"]
    offer = api.ok(
        "POST",
        "/offers-needs",
        201,
        json={"person_id": ana, "kind": "offer", "text": "kubernetes and cloud infrastructure advice"},
    )
    need = api.ok(
        "POST",
        "/offers-needs",
        201,
        json={"person_id": bo, "kind": "need", "text": "advice on kubernetes infrastructure"},
    )
    assert (offer["status"], need["kind"]) == ("active", "need")
    listed = api.ok("GET", "/offers-needs", params={"kind": "need"})
    assert [i["id"] for i in listed["items"]] == [need["id"]]

    intros = api.ok("GET", "/match/intros")
    assert intros, "Ana's offer meets Bo's need"
    assert {intros[0]["a"]["id"], intros[0]["b"]["id"]} == {ana, bo}
    assert isinstance(api.ok("GET", "/match/help-others"), list)

    made = api.ok("POST", "/intros", 201, json={"a": ana, "b": bo, "note": "kubernetes"})
    assert made
    assert [t["other"]["id"] for t in api.ok("GET", f"/people/{ana}/ties")] == [bo]
    assert api.ok("POST", f"/offers-needs/{need['id']}/done")["status"] == "done"
    assert api.ok("POST", f"/offers-needs/{offer['id']}/dismiss")["status"] == "dismissed"
    assert api.ok("POST", "/offers-needs/suggest")["count"] >= 0

    api.problem("POST", "/intros", 400, json={"a": ana, "b": ana})
    late = {"person_id": bo, "kind": "need", "text": "a sabbatical", "since": "9999-12-30"}
    assert "calendar" in api.problem("POST", "/offers-needs", 400, json=late)["detail"]
    api.problem("POST", "/offers-needs/424242/confirm", 404)
    api.problem("GET", "/match/everyone", 422)


# Jobs ------------------------------------------------------------------------------------------------------


def test_targets_and_jobs(sqlite_api: Api) -> None:
    api = sqlite_api
    api.ok("PUT", "/me", json={"name": "Jordan Avery"})
    ana = add(api, "Ana Lima", organization="Globex")["id"]
    target = api.ok("POST", "/targets", 201, json={"org": "Globex", "why": "the platform team"})
    assert (target["organization"]["name"], target["status"], target["why"]) == (
        "Globex",
        "active",
        "the platform team",
    )
    assert [t["id"] for t in api.ok("GET", "/targets")["items"]] == [target["id"]]

    job = api.ok(
        "POST",
        "/jobs",
        201,
        json={
            "org": "Globex",
            "role": "Staff engineer",
            "channel": "referral",
            "stage": "applied",
            "people": [{"person_id": ana, "role": "referrer"}],
        },
    )
    assert job["stage"] == "applied"
    moved = api.ok("POST", f"/jobs/{job['id']}/move", json={"stage": "interview"})
    assert moved["stage"] == "interview"
    bo = add(api, "Bo Chen")["id"]
    linked = api.ok("POST", f"/jobs/{job['id']}/people", json={"person_id": bo, "role": "interviewer"})
    assert {p["id"] for p in linked["people"]} >= {ana, bo}
    assert [j["id"] for j in api.ok("GET", "/jobs")["items"]] == [job["id"]]
    assert [j["id"] for j in api.ok("GET", "/jobs/board")["interview"]] == [job["id"]]
    assert "channels" in api.ok("GET", "/jobs/stats")
    assert isinstance(api.ok("GET", "/jobs/suggestions"), list)
    assert api.ok("GET", f"/people/{ana}/balance")["owed_by"] == "me", "a referral is a favour received"

    api.problem("POST", f"/jobs/{job['id']}/move", 400, json={"stage": "daydreaming"})
    api.problem("GET", "/jobs/424242", 404)
    api.ok("DELETE", "/targets/Globex", 204)
    assert api.ok("GET", "/targets")["items"] == []
    api.problem("DELETE", "/targets/Initech", 404)


# Ties and the network --------------------------------------------------------------------------------------


def test_ties_paths_and_network(api: Api) -> None:
    api.ok("PUT", "/me", json={"name": "Jordan Avery"})
    ana = add(api, "Ana Lima", organization="Acme")["id"]
    bo = add(api, "Bo Chen", organization="Initech")["id"]
    cy = add(api, "Cy Diaz", organization="Acme")["id"]
    log(api, [ana], "2026-11-10T10:00:00Z")
    log(api, [ana, cy], "2026-11-12T10:00:00Z", "dinner with both")

    tie = api.ok("POST", "/ties", 201, json={"a": ana, "b": bo, "how": "worked together at Initech"})
    assert (tie["kind"], tie["status"], tie["how"]) == ("explicit", "confirmed", "worked together at Initech")
    counts = api.ok("POST", "/ties/infer")
    assert counts["created"] >= 1, "Ana and Cy were at dinner together and both work at Acme"
    inferred = next(t for t in api.ok("GET", f"/people/{cy}/ties") if t["other"]["id"] == ana)
    assert api.ok("POST", f"/ties/{inferred['id']}/confirm")["status"] == "confirmed"
    assert api.ok("POST", f"/ties/{inferred['id']}/reject")["status"] == "rejected"
    assert api.ok("GET", f"/people/{cy}/ties") == []

    knows = api.ok("GET", "/who-knows", params={"org": "Initech"})
    assert [p["person"]["id"] for p in knows["first_degree"]] == [bo]
    found = api.ok("GET", "/paths", params={"to": "Bo Chen"})
    assert found
    assert found[0]["people"][-1]["id"] == bo
    net = api.ok("GET", "/network")
    assert net["ties"] >= 1

    api.problem("POST", "/ties", 400, json={"a": ana, "b": ana})
    api.problem("POST", "/ties/424242/confirm", 404)
    api.problem("GET", "/paths", 404, params={"to": "Nobody Atall"})
    nul = api.problem("GET", "/who-knows", 422, params={"org": "Acme\x00"})
    assert "NUL" in nul["detail"], "PostgreSQL cannot store it: refused before the query, on both databases"

"""Teams on the team server: opt-in sharing of relationships (name and strength only), who-knows and paths through
teammates, and introduction requests that become favours in both networks."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from dunbar.server import accounts, teams
from tests.conftest import Cli
from tests.server.conftest import NOW, csrf

# Planted in bob's network next to the contact he shares; none of it may ever reach a teammate.
SECRETS = (
    "SECRET-NOTE-7f3a",
    "SECRET-INTERACTION-91c2",
    "SECRET-FAVOUR-55d0",
    "carla.private@acme.example",
    "+44 20 7946 0958",
    "2079460958",  # the phone as stored
    "SECRET-HOWMET-0b1e",
)


def _plant(server: Any, username: str, name: str, org: str, title: str, *, secrets: bool = False) -> int:
    from dunbar import interactions, ledger, people

    db = accounts.user_db(server, accounts.get_user(server, username))
    changes = people.PersonChanges(name=name, organization=org, title=title, closeness=4)
    if secrets:
        changes.emails = ["carla.private@acme.example"]
        changes.phones = ["+44 20 7946 0958"]
        changes.how_met = "SECRET-HOWMET-0b1e"
    pid = people.add_person(db, changes, now=NOW)
    if secrets:
        people.add_note(db, pid, "SECRET-NOTE-7f3a", now=NOW)
        interactions.log_interaction(
            db, summary="SECRET-INTERACTION-91c2", people=[pid], occurred_at=NOW - timedelta(days=3), now=NOW
        )
        ledger.record(db, person_id=pid, direction="given", kind="advice", on=NOW.date(), note="SECRET-FAVOUR-55d0",
                      now=NOW)  # fmt: skip
    return pid


@pytest.fixture
def team(server: Any) -> dict[str, Any]:
    """Team "Recruiting": alice and bob; bob knows Carla Diaz at Acme (with secrets around her). Carol is on no
    team with them and knows Dana Reyes at Acme; she shares with a team of her own."""
    made = teams.create_team(server, "Recruiting", now=NOW)
    teams.add_member(server, "Recruiting", "alice", now=NOW)
    teams.add_member(server, "Recruiting", "bob", now=NOW)
    teams.create_team(server, "Solo", now=NOW)
    teams.add_member(server, "Solo", "carol", now=NOW)
    teams.set_sharing(server, accounts.get_user(server, "carol"), "Solo", True)
    _plant(server, "bob", "Carla Diaz", "Acme", "Hiring Manager", secrets=True)
    _plant(server, "carol", "Dana Reyes", "Acme", "CTO")
    return made


def _user(server: Any, name: str) -> accounts.Account:
    return accounts.get_user(server, name)


def _no_secrets(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text, f"{secret!r} leaked"


# The service --------------------------------------------------------------------------------------------------


def test_sharing_is_opt_in(server: Any, team: dict[str, Any]) -> None:
    alice = _user(server, "alice")
    assert [t["shares"] for t in teams.my_teams(server, _user(server, "bob"))] == [False]
    assert teams.team_who_knows(server, alice, "Acme", now=NOW)["results"] == []
    teams.set_sharing(server, _user(server, "bob"), "Recruiting", True)
    found = teams.team_who_knows(server, alice, "Acme", now=NOW)
    assert [(r["teammate"]["username"], r["name"], r["title"]) for r in found["results"]] == [
        ("bob", "Carla Diaz", "Hiring Manager")
    ]
    assert found["results"][0]["strength"] > 0


def test_a_teammate_sees_only_the_whitelisted_keys(server: Any, team: dict[str, Any]) -> None:
    teams.set_sharing(server, _user(server, "bob"), "Recruiting", True)
    alice = _user(server, "alice")
    found = teams.team_who_knows(server, alice, "acme", now=NOW)
    (row,) = found["results"]
    assert tuple(row) == teams.CONTACT_KEYS
    assert set(row["teammate"]) == {"username", "name"}
    paths = teams.team_paths(server, alice, "carla.private@acme.example", now=NOW)
    assert [p["name"] for p in paths["paths"]] == ["Carla Diaz"]
    assert set(paths["paths"][0]) == {*teams.CONTACT_KEYS, "rank", "kind", "text"}
    _no_secrets(json.dumps([found, paths["paths"]], default=str))  # (paths["to"] is what Alice typed)


def test_non_teammates_see_nothing(server: Any, team: dict[str, Any]) -> None:
    teams.set_sharing(server, _user(server, "bob"), "Recruiting", True)
    carol = _user(server, "carol")
    assert teams.team_who_knows(server, carol, "Acme", now=NOW)["results"] == []
    assert teams.team_paths(server, carol, "Carla Diaz", now=NOW)["paths"] == []
    # Alice does not see Carol's Dana, though Carol shares (with a team Alice is not on).
    alice = _user(server, "alice")
    assert {r["name"] for r in teams.team_who_knows(server, alice, "Acme", now=NOW)["results"]} == {"Carla Diaz"}
    with pytest.raises(teams.NotFound):
        teams.set_sharing(server, alice, "Solo", True)


def test_a_teammate_who_stops_sharing_disappears_at_once(server: Any, team: dict[str, Any]) -> None:
    bob, alice = _user(server, "bob"), _user(server, "alice")
    teams.set_sharing(server, bob, "Recruiting", True)
    assert teams.team_who_knows(server, alice, "Acme", now=NOW)["count"] == 1
    teams.set_sharing(server, bob, "Recruiting", False)
    assert teams.team_who_knows(server, alice, "Acme", now=NOW)["count"] == 0
    ref = f"{bob.id}-{'0' * 32}"
    with pytest.raises(teams.NotFound):
        teams.ask_intro(server, alice, ref, now=NOW)


def test_paths_find_a_person_only_by_an_exact_name_or_e_mail(server: Any, team: dict[str, Any]) -> None:
    teams.set_sharing(server, _user(server, "bob"), "Recruiting", True)
    alice = _user(server, "alice")
    assert teams.team_paths(server, alice, "Carla Diaz", now=NOW)["paths"][0]["kind"] == "person"
    assert teams.team_paths(server, alice, "Car", now=NOW)["paths"] == []  # no walking an address book by prefix
    org = teams.team_paths(server, alice, "Acme", now=NOW)["paths"]
    assert [(p["kind"], p["name"]) for p in org] == [("organization", "Carla Diaz")]
    assert org[0]["text"].startswith("you → Bob Example (teammate) → Carla Diaz (")


def _ask(server: Any) -> dict[str, Any]:
    teams.set_sharing(server, _user(server, "bob"), "Recruiting", True)
    alice = _user(server, "alice")
    (row,) = teams.team_who_knows(server, alice, "Acme", now=NOW)["results"]
    return teams.ask_intro(server, alice, row["ref"], "Could you introduce me? I am applying there.", now=NOW)


def test_intro_lifecycle_ends_in_a_favour_in_both_networks(server: Any, team: dict[str, Any]) -> None:
    from dunbar import ledger

    alice, bob = _user(server, "alice"), _user(server, "bob")
    asked = _ask(server)
    assert (asked["status"], asked["direction"]) == ("pending", "outgoing")
    assert (asked["target"]["name"], asked["target"]["organization"]) == ("Carla Diaz", "Acme")
    with pytest.raises(teams.Conflict):
        teams.ask_intro(server, alice, asked["target"]["ref"], now=NOW)  # asked already
    incoming = teams.list_intros(server, bob)["incoming"]
    assert [r["id"] for r in incoming] == [asked["id"]]
    assert teams.accept_intro(server, bob, asked["id"], now=NOW)["status"] == "accepted"
    done = teams.done_intro(server, bob, asked["id"], now=NOW)
    assert done["status"] == "done"
    assert done["done_at"] is not None
    given = ledger.get(accounts.user_db(server, bob), done["favour_id"])
    assert (given["direction"], given["kind"], given["status"]) == ("given", "introduction", "done")
    assert given["person"]["name"] == "Alice Example"
    mine = teams.get_intro(server, alice, asked["id"])
    received = ledger.get(accounts.user_db(server, alice), mine["favour_id"])
    assert (received["direction"], received["kind"]) == ("received", "introduction")
    assert received["person"]["name"] == "Bob Example"
    with pytest.raises(teams.Conflict):
        teams.done_intro(server, bob, asked["id"], now=NOW)  # once only
    # The requester was found again by e-mail the next time, not added twice.
    db = accounts.user_db(server, bob)
    assert db.scalar("SELECT count(*) FROM person WHERE display_name = 'Alice Example'") == 1


def test_only_the_introducer_decides_and_only_the_requester_cancels(server: Any, team: dict[str, Any]) -> None:
    alice, bob, carol = _user(server, "alice"), _user(server, "bob"), _user(server, "carol")
    asked = _ask(server)
    for who in (alice, carol):
        for act in (teams.accept_intro, teams.decline_intro, teams.done_intro):
            with pytest.raises(teams.NotFound):
                act(server, who, asked["id"], now=NOW)
    for who in (bob, carol):
        with pytest.raises(teams.NotFound):
            teams.cancel_intro(server, who, asked["id"], now=NOW)
    with pytest.raises(teams.NotFound):
        teams.get_intro(server, carol, asked["id"])
    assert teams.decline_intro(server, bob, asked["id"], now=NOW)["status"] == "declined"
    with pytest.raises(teams.Conflict):
        teams.done_intro(server, bob, asked["id"], now=NOW)
    again = teams.ask_intro(server, alice, asked["target"]["ref"], now=NOW)  # a declined request may be asked again
    assert teams.cancel_intro(server, alice, again["id"], now=NOW)["status"] == "cancelled"
    assert teams.list_intros(server, carol) == {"incoming": [], "outgoing": []}


def test_bad_refs_and_teams_are_one_line_errors(server: Any, team: dict[str, Any]) -> None:
    alice = _user(server, "alice")
    with pytest.raises(teams.InvalidInput):
        teams.ask_intro(server, alice, "not a ref", now=NOW)
    with pytest.raises(teams.InvalidInput):
        teams.ask_intro(server, alice, f"{alice.id}-{'a' * 32}", now=NOW)
    with pytest.raises(teams.Conflict):
        teams.create_team(server, "recruiting", now=NOW)
    with pytest.raises(teams.InvalidInput):
        teams.create_team(server, "  ", now=NOW)
    with pytest.raises(teams.NotFound):
        teams.remove_member(server, "Recruiting", "carol")


# The command line ---------------------------------------------------------------------------------------------


def test_teams_and_intros_on_the_command_line(server_url: str, server: Any) -> None:
    cli = Cli(server_url)
    made = json.loads(cli("teams", "add", "Recruiting", "--json").stdout)
    assert made["members"] == []
    cli("teams", "member-add", "Recruiting", "alice")
    assert "bob" in cli("teams", "member-add", "#" + str(made["id"]), "bob").stdout
    _plant(server, "bob", "Carla Diaz", "Acme", "Hiring Manager", secrets=True)
    mine = json.loads(cli("--user", "bob", "teams", "list", "--json").stdout)
    assert [(t["name"], t["shares"]) for t in mine] == [("Recruiting", False)]
    # Before Bob opts in, Alice's who-knows knows nothing of Acme (not in her network, nobody shares).
    before = json.loads(cli("--user", "alice", "who-knows", "Acme", "--json").stdout)
    assert before["organization"] is None
    assert before["team"]["results"] == []
    assert "You share with Recruiting" in cli("--user", "bob", "teams", "share", "Recruiting", "--on").stdout
    found = cli("--user", "alice", "who-knows", "Acme", "--json").stdout
    _no_secrets(found)
    (row,) = json.loads(found)["team"]["results"]
    assert (row["teammate"]["username"], row["name"]) == ("bob", "Carla Diaz")
    text = cli("--user", "alice", "who-knows", "Acme").stdout
    assert "Bob Example knows Carla Diaz, Hiring Manager at Acme" in text
    _no_secrets(text)
    alone = cli("--user", "alice", "who-knows", "Acme", "--no-team", ok=False)  # her own network only
    assert alone.exit_code == 2
    assert "no organization called 'Acme'" in alone.stderr
    paths = json.loads(cli("--user", "alice", "path", "--to", "Acme", "--json").stdout)
    assert paths["to"] is None
    assert [p["name"] for p in paths["team"]["paths"]] == ["Carla Diaz"]
    _no_secrets(cli("--user", "alice", "path", "--to", "Carla Diaz").stdout)
    # The introduction, asked, refused to the wrong user, accepted and done.
    asked = json.loads(cli("--user", "alice", "teams", "intro", "ask", row["ref"], "-m", "please", "--json").stdout)
    wrong = cli("--user", "carol", "teams", "intro", "accept", str(asked["id"]), ok=False)
    assert wrong.exit_code == 2
    assert "no introduction request" in wrong.stderr
    assert "Traceback" not in wrong.stderr
    assert "Alice Example asks you" in cli("--user", "bob", "teams", "intro", "list").stdout
    cli("--user", "bob", "teams", "intro", "accept", str(asked["id"]))
    done = json.loads(cli("--user", "bob", "teams", "intro", "done", str(asked["id"]), "--json").stdout)
    assert done["status"] == "done"
    assert json.loads(cli("--user", "bob", "favour", "--list", "--json").stdout)[0]["kind"] == "introduction"
    received = json.loads(cli("--user", "alice", "favour", "--list", "--json").stdout)
    assert [(f["direction"], f["person"]["name"]) for f in received] == [("received", "Bob Example")]
    bad = cli("--user", "alice", "teams", "share", "Recruiting", ok=False)
    assert bad.exit_code == 2
    assert cli("teams", "intro", "list", ok=False).exit_code == 2  # as which user?


# The API and the Team page --------------------------------------------------------------------------------------


def test_team_api(client_for: Callable[[str], TestClient], team: dict[str, Any]) -> None:
    alice, bob, carol = client_for("alice"), client_for("bob"), client_for("carol")
    tid = team["id"]
    assert alice.get("/api/v1/teams/who-knows", params={"org": "Acme"}).json()["results"] == []
    shared = bob.put(f"/api/v1/teams/{tid}/sharing", json={"shares": True}, headers={"X-CSRF-Token": csrf(bob)})
    assert shared.status_code == 200, shared.text
    assert shared.json()["shares"] is True
    # Carol is not on the team: she can neither change its sharing nor see through it.
    refused = carol.put(f"/api/v1/teams/{tid}/sharing", json={"shares": True}, headers={"X-CSRF-Token": csrf(carol)})
    assert refused.status_code == 404
    assert carol.get("/api/v1/teams/who-knows", params={"org": "Acme"}).json()["results"] == []
    # The secrets are there for Bob himself (so their absence below means something).
    carla = bob.get("/api/v1/people", params={"q": "Carla"}).json()["items"][0]["id"]
    own = bob.get(f"/api/v1/people/{carla}").text + bob.get(f"/api/v1/people/{carla}/timeline").text
    own += bob.get("/api/v1/favours").text
    assert [x for x in SECRETS if x in own] == [x for x in SECRETS if x != "+44 20 7946 0958"]
    found = alice.get("/api/v1/teams/who-knows", params={"org": "Acme"})
    assert found.status_code == 200
    _no_secrets(found.text)
    (row,) = found.json()["results"]
    assert set(row) == set(teams.CONTACT_KEYS)
    paths = alice.get("/api/v1/teams/paths", params={"to": "Carla Diaz"})
    _no_secrets(paths.text)
    assert [p["name"] for p in paths.json()["paths"]] == ["Carla Diaz"]
    # Only an administrator makes teams (alice is one, bob is not).
    assert bob.post("/api/v1/teams", json={"name": "Mine"}, headers={"X-CSRF-Token": csrf(bob)}).status_code == 403
    assert alice.post("/api/v1/teams", json={"name": "Sales"}, headers={"X-CSRF-Token": csrf(alice)}).status_code == 201
    # The introduction: asked, refused to everyone but the introducer, then done.
    asked = alice.post(
        "/api/v1/teams/intros", json={"ref": row["ref"], "message": "hi"}, headers={"X-CSRF-Token": csrf(alice)}
    )
    assert asked.status_code == 201, asked.text
    rid = asked.json()["id"]
    # Each side is told what it may do now.
    assert asked.json()["actions"] == ["cancel"]
    assert bob.get(f"/api/v1/teams/intros/{rid}").json()["actions"] == ["accept", "decline", "done"]
    for who in (alice, carol):
        res = who.post(f"/api/v1/teams/intros/{rid}/accept", headers={"X-CSRF-Token": csrf(who)})
        assert res.status_code == 404
        assert res.headers["content-type"].startswith("application/problem+json")
    assert carol.get(f"/api/v1/teams/intros/{rid}").status_code == 404
    assert bob.post(f"/api/v1/teams/intros/{rid}/cancel", headers={"X-CSRF-Token": csrf(bob)}).status_code == 404
    assert bob.post(f"/api/v1/teams/intros/{rid}/accept").status_code == 403  # no CSRF token
    assert (
        bob.post(f"/api/v1/teams/intros/{rid}/accept", headers={"X-CSRF-Token": csrf(bob)}).json()["status"]
        == "accepted"
    )
    done = bob.post(f"/api/v1/teams/intros/{rid}/done", headers={"X-CSRF-Token": csrf(bob)}).json()
    assert done["status"] == "done"
    assert done["actions"] == []
    favour = bob.get(f"/api/v1/favours/{done['favour_id']}")
    assert favour.status_code == 200, favour.text
    assert favour.json()["kind"] == "introduction"
    outgoing = alice.get("/api/v1/teams/intros").json()["outgoing"]
    assert [(r["status"], r["favour_id"] is not None) for r in outgoing] == [("done", True)]
    # Hostile input is a 4xx, never a 500.
    h = {"X-CSRF-Token": csrf(alice)}
    for res in (
        alice.get("/api/v1/teams/who-knows", params={"org": "Ac\x00me"}),
        alice.post("/api/v1/teams/intros", json={"ref": f"{row['ref']}\x00", "message": "x"}, headers=h),
        alice.post("/api/v1/teams/intros", json={"ref": row["ref"], "message": "a\x00b"}, headers=h),
        alice.post("/api/v1/teams", json={"name": "x\x00y"}, headers=h),
        alice.delete(f"/api/v1/teams/{tid}/members/nob%00dy", headers=h),
        alice.post(f"/api/v1/teams/intros/{rid}/explode", headers=h),
        alice.put(f"/api/v1/teams/{2**31}/sharing", json={"shares": True}, headers=h),
    ):
        assert 400 <= res.status_code < 500, (res.request.url, res.status_code, res.text)
    assert alice.get("/api/v1/teams/paths", params={"to": "' OR 1=1 --"}).json()["paths"] == []
    # Bob stops sharing: Alice sees nothing of his network at once.
    bob.put(f"/api/v1/teams/{tid}/sharing", json={"shares": False}, headers={"X-CSRF-Token": csrf(bob)})
    assert alice.get("/api/v1/teams/who-knows", params={"org": "Acme"}).json()["count"] == 0


def test_team_page(client_for: Callable[[str], TestClient], team: dict[str, Any], server: Any) -> None:
    alice, bob, carol = client_for("alice"), client_for("bob"), client_for("carol")
    page = bob.get("/team")
    assert page.status_code == 200
    assert 'data-testid="nav-team"' in page.text
    assert 'href="/team"' in bob.get("/account").text
    assert bob.post(f"/team/{team['id']}/sharing", data={"shares": "on"}).status_code == 403  # no CSRF token
    res = bob.post(
        f"/team/{team['id']}/sharing", data={"shares": "on", "csrf_token": csrf(bob)}, follow_redirects=False
    )
    assert res.status_code == 303
    assert "Stop sharing" in bob.get("/team").text
    found = alice.get("/team", params={"org": "Acme"})
    assert "Carla Diaz" in found.text
    assert "Hiring Manager" in found.text
    _no_secrets(found.text)
    ref = found.text.split('name="ref" value="', 1)[1].split('"', 1)[0]
    asked = alice.post("/team/intros", data={"ref": ref, "message": "<b>hi</b>", "csrf_token": csrf(alice)},
                       follow_redirects=False)  # fmt: skip
    assert asked.status_code == 303
    inbox = bob.get("/team").text
    assert "&lt;b&gt;hi&lt;/b&gt;" in inbox  # the message is escaped
    rid = teams.list_intros(server, accounts.get_user(server, "bob"))["incoming"][0]["id"]
    assert carol.post(f"/team/intros/{rid}/done", data={"csrf_token": csrf(carol)}).status_code == 404
    assert alice.post(f"/team/intros/{rid}/done", data={"csrf_token": csrf(alice)}).status_code == 404
    res = bob.post(f"/team/intros/{rid}/done", data={"csrf_token": csrf(bob)}, follow_redirects=False)
    assert res.status_code == 303
    assert "[done]" in alice.get("/team").text
    assert "Nobody has asked you" in carol.get("/team").text
    assert "Carla Diaz" not in carol.get("/team", params={"org": "Acme"}).text

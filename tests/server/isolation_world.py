"""Three users' networks on one team server, for the isolation drill (tests/server/test_isolation.py).

Every user gets at least one of each kind of object that has an id (people, the trash, notes, employments,
interactions, follow-ups, favours, offers and needs, opportunities and targets, ties, an import batch, a merge,
a pending duplicate pair, an API token), each text field carrying a marker ``SECRET-<letter>-<what>`` that
names its owner: a response seen by one user must hold no other user's marker.

Seeding goes through each user's own REST API (signed in, with the CSRF token), as a real client would; only
the duplicate pair, which only an import or a scan proposes, is queued through the service layer on
``accounts.user_db``.

The team: alice and a teammate (dave, made for the drill, markers ``SECRET-D-…``) share with a team called
``SECRET-A-team`` and have asked each other for introductions (the messages marked); bob is on a team of his own,
``SECRET-B-team``, and on none of theirs. Dave's contact at ``SECRET-D-org`` has notes, an interaction and a favour
around her, all marked.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from fastapi.testclient import TestClient

from dunbar import merge
from dunbar.server import accounts
from dunbar.store.db import Db
from tests.server.conftest import NOW, csrf

# Any user's marker: the seeds write them in capitals, some fields fold them to lower case.
MARKER = re.compile(r"secret-[a-z]-[a-z0-9-]+", re.IGNORECASE)
# Phone numbers hold digits only, so the start of each user's numbers (E.164, as stored) is a marker too.
PHONES = {"a": "+4420794601", "b": "+4420794602", "c": "+4420794603"}


@dataclass
class World:
    """One user's seeded network: the ids of their objects, their API token, their marker letter."""

    letter: str
    client: TestClient
    ids: dict[str, int] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)  # references a guesser might type: e-mail, org, tag
    token: str = ""
    # The team (on the accounts tables, not in a network): its id, the introduction requests' ids, the contact
    # refs; and the teammate, whose network must stay as it was too.
    team: dict[str, Any] = field(default_factory=dict)
    teammate: World | None = None

    def marker(self, what: str) -> str:
        return f"SECRET-{self.letter.upper()}-{what}"

    def foreign(self, text: str, sent: str = "") -> list[str]:
        """Other users' markers in ``text`` that the request itself did not carry (an echo is no leak)."""
        own = f"secret-{self.letter}-"
        sent_low = sent.lower()
        found = {m.lower() for m in MARKER.findall(text)}
        leaks = sorted(m for m in found if not m.startswith(own) and m not in sent_low)
        for letter, phone in PHONES.items():
            if letter != self.letter and phone in text and phone not in sent:
                leaks.append(phone)
        return leaks


def signed_in_api(client: TestClient) -> TestClient:
    """Send the session's CSRF token with every request of ``client`` from now on."""
    client.headers["X-CSRF-Token"] = csrf(client)
    return client


def _ok(res: Any, status: int = 200) -> Any:
    assert res.status_code == status, f"{res.request.method} {res.request.url}: {res.status_code} {res.text[:300]}"
    return res.json() if res.content else None


def bump_sequences(server: Db, account: accounts.Account, start: int) -> None:
    """Make every id of ``account``'s network start at ``start``, so their ids differ from everyone else's."""
    names = server.all(
        "SELECT sequence_name FROM information_schema.sequences WHERE sequence_schema = :s",
        {"s": account.schema_name},
    )
    assert names, f"no sequences in {account.schema_name}"
    with server.transaction():
        for row in names:
            server.all(
                "SELECT setval(:seq, :n)", {"seq": f'"{account.schema_name}"."{row["sequence_name"]}"', "n": start}
            )


def seed(world: World, server: Db, account: accounts.Account) -> World:
    """Fill ``world.client``'s network through its API; record the ids of what was made."""
    c, m, t = world.client, world.marker, world.letter
    ids, names = world.ids, world.names
    me = _ok(
        c.put(
            "/api/v1/me",
            json={
                "name": f"Me {m('me')}",
                "emails": [f"secret-{t}-me@example.org"],
                "linkedin": f"https://www.linkedin.com/in/secret-{t}-me",
            },
        )
    )
    ids["me"] = me["id"]
    names["org"] = m("org")
    names["tag"] = f"secret-{t}-tag"

    def person(key: str, **extra: Any) -> int:
        body = {
            "name": f"Ada {m(key)}",
            "nickname": m(f"{key}-nick"),
            "location": m(f"{key}-location"),
            "how_met": m(f"{key}-how-met"),
            "circle": "close",
            "connected_on": "2020-01-15",  # long out of touch: on the agenda
            "emails": [f"secret-{t}-{key}@example.org"],
            "phones": [f"{PHONES[t]}{len(ids):02d}"],
            "links": [f"https://example.org/secret-{t}-{key}"],
            "organization": names["org"],
            "title": m(f"{key}-title"),
            "birthday": "1990-05-17",
            "fields": {"secret": m(f"{key}-field")},
            "tags": [names["tag"]],
            **extra,
        }
        made = _ok(c.post("/api/v1/people", json=body), 201)
        ids[key] = made["id"]
        return int(made["id"])

    for key in ("p1", "p2", "p3", "trashed", "dup1", "dup2", "survivor", "merged"):
        person(key)
    names["email"] = f"secret-{t}-p1@example.org"
    _ok(c.delete(f"/api/v1/people/{ids['trashed']}"), 204)
    ids["note"] = _ok(c.post(f"/api/v1/people/{ids['p1']}/notes", json={"body": m("note")}), 201)["id"]
    ids["interaction"] = _ok(
        c.post("/api/v1/interactions", json={"summary": m("interaction"), "people": [ids["p1"], ids["p2"]]}), 201
    )["id"]
    ids["follow_up"] = _ok(
        c.post(
            "/api/v1/follow-ups",
            json={"person_id": ids["p1"], "text": m("follow-up"), "due_on": NOW.date().isoformat()},
        ),
        201,
    )["id"]
    ids["favour"] = _ok(
        c.post(
            "/api/v1/favours",
            json={
                "person_id": ids["p1"],
                "direction": "given",
                "kind": "introduction",
                "note": m("favour"),
                "parties": [{"person_id": ids["p3"], "role": "introduced-to"}],
            },
        ),
        201,
    )["id"]
    ids["offer"] = _ok(
        c.post("/api/v1/offers-needs", json={"person_id": ids["p1"], "kind": "offer", "text": m("offer") + " python"}),
        201,
    )["id"]
    ids["need"] = _ok(
        c.post("/api/v1/offers-needs", json={"person_id": ids["p2"], "kind": "need", "text": m("need") + " python"}),
        201,
    )["id"]
    ids["job"] = _ok(
        c.post(
            "/api/v1/jobs",
            json={
                "org": m("job-org"),
                "role": m("job-role"),
                "channel": "referral",
                "link": f"https://jobs.example.org/secret-{t}-job",
                "note": m("job-note"),
                "people": [{"person_id": ids["p1"], "role": "referrer"}],
            },
        ),
        201,
    )["id"]
    names["target"] = m("target")
    ids["target"] = _ok(c.post("/api/v1/targets", json={"org": names["target"], "why": m("target-why")}), 201)["id"]
    ids["tie"] = _ok(c.post("/api/v1/ties", json={"a": ids["p1"], "b": ids["p2"], "how": m("tie")}), 201)["id"]
    _ok(c.post("/api/v1/intros", json={"a": ids["p2"], "b": ids["p3"], "note": m("intro")}), 201)
    vcard = (
        f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Imre {m('import')}\r\nEMAIL:secret-{t}-import@example.org\r\n"
        f"NOTE:{m('import-note')}\r\nEND:VCARD\r\n"
    ).encode()
    report = _ok(c.post("/api/v1/imports", files={"file": ("contacts.vcf", vcard, "text/vcard")}))
    ids["batch"] = report["batch_id"]
    merged = _ok(c.post("/api/v1/merges", json={"survivor": ids["survivor"], "merged": ids["merged"]}), 201)
    ids["merge"] = merged["id"]
    candidate = merge.queue_candidate(
        accounts.user_db(server, account), ids["dup1"], ids["dup2"], 0.9, [m("evidence")], now=datetime.now(UTC)
    )
    assert candidate is not None
    ids["candidate"] = candidate
    made = _ok(c.post("/api/v1/tokens", json={"name": m("token")}), 201)
    ids["token"] = made["token"]["id"]
    world.token = made["secret"]
    return world


def start_import_job(world: World) -> str:
    """Start an import the page follows while it runs (an upload from htmx) and wait for its end; its id."""
    c, m, t = world.client, world.marker, world.letter
    vcard = f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ivo {m('import-job')}\r\nEND:VCARD\r\n".encode()
    res = c.post(
        "/import", files={"file": (f"secret-{t}-upload.vcf", vcard, "text/vcard")}, headers={"HX-Request": "true"}
    )
    assert res.status_code == 200, res.text[:300]
    found = re.search(r"/import/jobs/([\w-]+)", res.text)
    assert found, res.text[:300]
    job = found.group(1)
    deadline = time.monotonic() + 30
    while 'data-testid="import-progress"' in c.get(f"/import/jobs/{job}", headers={"HX-Request": "true"}).text:
        assert time.monotonic() < deadline, "the import job did not end"
        time.sleep(0.05)
    world.names["import_job"] = job
    return job


def seed_teammate(world: World) -> World:
    """A small network for alice's teammate: one contact at an organization, with a note, an interaction and a
    favour around her (none of which may ever leave the network)."""
    c, m, t = world.client, world.marker, world.letter
    ids, names = world.ids, world.names
    names["org"] = m("org")
    names["contact"] = f"Dora {m('contact')}"
    names["email"] = f"secret-{t}-contact@example.org"
    ids["contact"] = _ok(
        c.post(
            "/api/v1/people",
            json={
                "name": names["contact"],
                "circle": "close",
                "emails": [names["email"]],
                "organization": names["org"],
                "title": m("title"),
                "how_met": m("how-met"),
            },
        ),
        201,
    )["id"]
    ids["note"] = _ok(c.post(f"/api/v1/people/{ids['contact']}/notes", json={"body": m("note")}), 201)["id"]
    ids["interaction"] = _ok(
        c.post("/api/v1/interactions", json={"summary": m("interaction"), "people": [ids["contact"]]}), 201
    )["id"]
    ids["favour"] = _ok(
        c.post(
            "/api/v1/favours",
            json={"person_id": ids["contact"], "direction": "given", "kind": "advice", "note": m("favour")},
        ),
        201,
    )["id"]
    return world


def seed_teams(alice: World, dave: World, bob: World) -> None:
    """alice (an administrator) makes her team with dave and bob's team of his own; alice and dave share with
    theirs and ask each other for an introduction: alice's request to dave stays pending, dave's to alice she
    accepts. Recorded in ``alice.team`` (and alice's names gain what a guesser would type for dave's contact)."""
    a, d = alice.client, dave.client
    mine = _ok(a.post("/api/v1/teams", json={"name": alice.marker("team")}), 201)
    for username in ("alice", "dave"):
        _ok(a.post(f"/api/v1/teams/{mine['id']}/members", json={"username": username}))
    theirs = _ok(a.post("/api/v1/teams", json={"name": bob.marker("team")}), 201)
    _ok(a.post(f"/api/v1/teams/{theirs['id']}/members", json={"username": "bob"}))
    for client, team in ((a, mine), (d, mine), (bob.client, theirs)):
        assert _ok(client.put(f"/api/v1/teams/{team['id']}/sharing", json={"shares": True}))["shares"] is True
    # Each finds the other's contacts through the team, and asks for an introduction to one.
    found = _ok(a.get("/api/v1/teams/who-knows", params={"org": dave.names["org"]}))["results"]
    assert [r["name"] for r in found] == [dave.names["contact"]], found
    ref_dave = found[0]["ref"]
    found = _ok(d.get("/api/v1/teams/who-knows", params={"org": alice.names["org"]}))["results"]
    assert found, "dave sees none of alice's contacts"
    ref_alice = found[0]["ref"]
    ask = _ok(a.post("/api/v1/teams/intros", json={"ref": ref_dave, "message": alice.marker("team-intro")}), 201)
    asked = _ok(d.post("/api/v1/teams/intros", json={"ref": ref_alice, "message": dave.marker("team-intro")}), 201)
    assert _ok(a.post(f"/api/v1/teams/intros/{asked['id']}/accept"))["status"] == "accepted"
    alice.team.update(
        team=mine["id"],
        other_team=theirs["id"],
        ask=ask["id"],  # alice asked dave: pending (dave introduces, alice may cancel)
        asked=asked["id"],  # dave asked alice: accepted (alice introduces, dave may cancel)
        ref_dave=ref_dave,
        ref_alice=ref_alice,
    )
    alice.names.update(
        teammate_org=dave.names["org"], teammate_contact=dave.names["contact"], teammate_email=dave.names["email"]
    )
    alice.teammate = dave
    bob.team.update(team=theirs["id"])

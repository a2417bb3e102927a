"""The isolation drill of the team server: signed in as one user, nothing of another user's network can be read
or changed, through any route of the REST API or any page.

alice (A) owns a network with one of every kind of object that has an id, every text marked ``SECRET-A-…``.
bob (B) has a network of his own whose ids all start at 100,000; carol has one built the same way as alice's, so
her ids are alice's ids. Every route of the app is enumerated from the app itself and must be classified below:

- ``id_cases``: routes that take an object's id (in the path, the body or the query): B sends alice's ids, with
  valid bodies and his CSRF token, and must be refused (404) and shown none of alice's markers. Alice's team and
  her introduction requests (with her teammate dave, whose network is marked ``SECRET-D-…``) are objects too: bob
  is on no team with them, so every team route answers him 404 for their ids, and 403 where only an administrator
  may act (bob is not one);
- ``reads``: the lists, searches, reports, exports and pages without an object id: B's answers hold none of
  alice's markers (alice reads them first, so a cache shared between users would show);
- ``NO_ID``: changes that name no existing object (they create in the caller's own network);
- ``PUBLIC``: what answers without signing in.

A route added later fails ``test_every_route_is_classified`` until it is put in one of them. Alice's whole JSON
export, her teams and introduction requests as she sees them, and dave's export are compared before and after each
attack. Within the team, a member acts on a request only in their own part (the introducer accepts, declines or
marks it done; the requester cancels): anything else is 404, and only an administrator changes teams (403).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi.testclient import TestClient

from dunbar.server import accounts
from tests.conftest import pg_copy
from tests.server.conftest import NOW, PASSWORD, sign_in
from tests.server.isolation_world import (
    World,
    bump_sequences,
    seed,
    seed_teammate,
    seed_teams,
    signed_in_api,
    start_import_job,
)

# --------------------------------------------------------------------------------------------------------------
# The requests


@dataclass(frozen=True)
class Req:
    """One request of the drill. ``refusal`` is how the app must refuse it when the ids are someone else's:
    ``"404"``, ``"403"`` where only an administrator may act (whatever the id), or ``"empty"`` for a list filtered
    by another's id (200 with no items: nothing to refuse)."""

    method: str
    url: str
    json: Any = None
    data: Any = None
    params: Any = None
    refusal: str = "404"
    headers: Any = None

    def send(self, client: TestClient) -> Any:
        return client.request(
            self.method,
            self.url,
            json=self.json,
            data=self.data,
            params=self.params,
            headers=self.headers,
            follow_redirects=False,
        )

    def sent(self) -> str:
        return json.dumps([self.url, self.json, self.data, self.params], default=str)

    def __str__(self) -> str:
        extra = self.json or self.data or self.params
        return f"{self.method} {self.url}" + (f" {extra}" if extra else "")


SECTIONS = ("details", "contact", "work", "dates", "tags", "notes")
INTRO_ACTIONS = ("accept", "decline", "done", "cancel")


def id_cases(a: dict[str, int], n: dict[str, str], own: dict[str, int], t: dict[str, Any]) -> dict[str, list[Req]]:
    """Every route that names an object, as B would call it with A's ids ``a`` (and A's names ``n``, which B
    might guess); ``own`` are B's own ids, to pair A's objects with B's where a route takes two; ``t`` is A's team:
    its id, her introduction requests' ids and the contact refs asked about."""
    p1, p2, mine = a["p1"], a["p2"], own["p1"]
    api = "/api/v1"
    team, intros, refs = t["team"], (t["ask"], t["asked"]), (t["ref_dave"], t["ref_alice"])

    def each(method: str, template: str, keys: tuple[str, ...], **kw: Any) -> list[Req]:
        return [Req(method, template.format(a[k]), **kw) for k in keys]

    # "me" is person 1 in every network, so asking for it reaches one's own: the same-ids drill (carol) covers it.
    people = ("p1", "trashed")
    cases = {
        # People
        "GET /api/v1/people/{person_id}": each("GET", api + "/people/{}", people),
        "PATCH /api/v1/people/{person_id}": each(
            "PATCH", api + "/people/{}", people, json={"name": "Hijacked", "emails": ["b@evil.example"]}
        ),
        "DELETE /api/v1/people/{person_id}": each("DELETE", api + "/people/{}", ("p1",)),
        "POST /api/v1/people/{person_id}/restore": each("POST", api + "/people/{}/restore", ("trashed",)),
        "POST /api/v1/people/{person_id}/tags": each("POST", api + "/people/{}/tags", people, json={"tags": ["hi"]}),
        "DELETE /api/v1/people/{person_id}/tags": each(
            "DELETE", api + "/people/{}/tags", ("p1",), params={"tag": n["tag"]}
        ),
        "POST /api/v1/people/{person_id}/notes": each("POST", api + "/people/{}/notes", people, json={"body": "hi"}),
        "GET /api/v1/people/{person_id}/timeline": each("GET", api + "/people/{}/timeline", people),
        "GET /api/v1/people/{person_id}/strength": each("GET", api + "/people/{}/strength", people),
        "GET /api/v1/people/{person_id}/balance": each("GET", api + "/people/{}/balance", people),
        "GET /api/v1/people/{person_id}/ask-advice": each("GET", api + "/people/{}/ask-advice", people),
        "GET /api/v1/people/{person_id}/ties": [
            *each("GET", api + "/people/{}/ties", people),
            Req("GET", f"{api}/people/{p1}/ties", params={"rejected": "true"}),
        ],
        "GET /api/v1/resolve": [
            Req("GET", api + "/resolve", params={"ref": f"#{p1}"}),
            Req("GET", api + "/resolve", params={"ref": n["email"]}),
        ],
        # Interactions
        "GET /api/v1/interactions/{interaction_id}": each("GET", api + "/interactions/{}", ("interaction",)),
        "DELETE /api/v1/interactions/{interaction_id}": each("DELETE", api + "/interactions/{}", ("interaction",)),
        "POST /api/v1/interactions": [
            Req("POST", api + "/interactions", json={"summary": "hi", "people": [p1]}),
            Req("POST", api + "/interactions", json={"summary": "hi", "people": [mine, p1]}),
            Req("POST", api + "/interactions", json={"summary": "hi", "people": [f"#{p1}"]}),
        ],
        # Imports, duplicates, merges
        "POST /api/v1/imports/{batch_id}/undo": each("POST", api + "/imports/{}/undo", ("batch",)),
        "POST /api/v1/dedupe/{candidate_id}": [
            *each("POST", api + "/dedupe/{}", ("candidate",), json={"decision": "merge", "keep": "a"}),
            *each("POST", api + "/dedupe/{}", ("candidate",), json={"decision": "apart"}),
        ],
        "POST /api/v1/merges": [
            Req("POST", api + "/merges", json={"survivor": mine, "merged": p1}),
            Req("POST", api + "/merges", json={"survivor": p1, "merged": mine}),
            Req("POST", api + "/merges", json={"survivor": p1, "merged": p2}),
        ],
        "GET /api/v1/merges/{merge_id}": each("GET", api + "/merges/{}", ("merge",)),
        "POST /api/v1/merges/{merge_id}/undo": each("POST", api + "/merges/{}/undo", ("merge",)),
        # Agenda and circles
        "POST /api/v1/agenda/{person_id}/done": each("POST", api + "/agenda/{}/done", ("p1",), json={"note": "hi"}),
        "POST /api/v1/agenda/{person_id}/snooze": each(
            "POST", api + "/agenda/{}/snooze", ("p1",), json={"duration": "1w"}
        ),
        "POST /api/v1/agenda/{person_id}/skip": each("POST", api + "/agenda/{}/skip", ("p1",)),
        "POST /api/v1/circles": [
            Req("POST", api + "/circles", json={"changes": [{"person_id": p1, "circle": "inner"}]})
        ],
        # Follow-ups
        "GET /api/v1/follow-ups": [Req("GET", api + "/follow-ups", params={"person_id": p1}, refusal="empty")],
        "POST /api/v1/follow-ups": [Req("POST", api + "/follow-ups", json={"person_id": p1, "text": "hi", "in": "1w"})],
        "GET /api/v1/follow-ups/{follow_up_id}": each("GET", api + "/follow-ups/{}", ("follow_up",)),
        "POST /api/v1/follow-ups/{follow_up_id}/done": each("POST", api + "/follow-ups/{}/done", ("follow_up",)),
        "POST /api/v1/follow-ups/{follow_up_id}/snooze": each(
            "POST", api + "/follow-ups/{}/snooze", ("follow_up",), json={"duration": "1w"}
        ),
        "POST /api/v1/follow-ups/{follow_up_id}/cancel": each("POST", api + "/follow-ups/{}/cancel", ("follow_up",)),
        # Favours
        "GET /api/v1/favours": [Req("GET", api + "/favours", params={"person_id": p1}, refusal="empty")],
        "POST /api/v1/favours": [
            Req("POST", api + "/favours", json={"person_id": p1, "direction": "given", "kind": "advice"}),
            Req(
                "POST",
                api + "/favours",
                json={"person_id": mine, "direction": "given", "kind": "introduction", "parties": [{"person_id": p1}]},
            ),
        ],
        "GET /api/v1/favours/{favour_id}": each("GET", api + "/favours/{}", ("favour",)),
        "PATCH /api/v1/favours/{favour_id}": each(
            "PATCH", api + "/favours/{}", ("favour",), json={"status": "declined", "note": "hi"}
        ),
        "DELETE /api/v1/favours/{favour_id}": each("DELETE", api + "/favours/{}", ("favour",)),
        # Offers, needs, introductions
        "GET /api/v1/offers-needs": [Req("GET", api + "/offers-needs", params={"person_id": p1}, refusal="empty")],
        "POST /api/v1/offers-needs": [
            Req("POST", api + "/offers-needs", json={"person_id": p1, "kind": "offer", "text": "hi"})
        ],
        "POST /api/v1/offers-needs/{item_id}/confirm": each(
            "POST", api + "/offers-needs/{}/confirm", ("offer", "need")
        ),
        "POST /api/v1/offers-needs/{item_id}/dismiss": each(
            "POST", api + "/offers-needs/{}/dismiss", ("offer", "need")
        ),
        "POST /api/v1/offers-needs/{item_id}/done": each("POST", api + "/offers-needs/{}/done", ("offer", "need")),
        "POST /api/v1/intros": [
            Req("POST", api + "/intros", json={"a": p1, "b": p2}),
            Req("POST", api + "/intros", json={"a": mine, "b": p1}),
        ],
        # Jobs
        "DELETE /api/v1/targets/{org}": [Req("DELETE", f"{api}/targets/{n['target']}")],
        "POST /api/v1/jobs": [
            Req(
                "POST",
                api + "/jobs",
                json={"org": "Hi", "role": "Hi", "channel": "cold", "people": [{"person_id": p1}]},
            ),
        ],
        "GET /api/v1/jobs/{job_id}": each("GET", api + "/jobs/{}", ("job",)),
        "POST /api/v1/jobs/{job_id}/move": each("POST", api + "/jobs/{}/move", ("job",), json={"stage": "applied"}),
        "POST /api/v1/jobs/{job_id}/people": each(
            "POST", api + "/jobs/{}/people", ("job",), json={"person_id": mine, "role": "referrer"}
        ),
        # The network
        "POST /api/v1/ties": [
            Req("POST", api + "/ties", json={"a": mine, "b": p1}),
            Req("POST", api + "/ties", json={"a": p1, "b": p2}),
        ],
        "POST /api/v1/ties/{tie_id}/confirm": each("POST", api + "/ties/{}/confirm", ("tie",)),
        "POST /api/v1/ties/{tie_id}/reject": each("POST", api + "/ties/{}/reject", ("tie",)),
        "GET /api/v1/paths": [Req("GET", api + "/paths", params={"to": f"#{p1}"})],
        # The account's tokens (on the accounts tables, not in a network)
        "DELETE /api/v1/tokens/{token_id}": each("DELETE", api + "/tokens/{}", ("token",)),
        # Teams (on the accounts tables): a team one is not on, a request one is not party to, a contact one's
        # teammates do not share are not found. Changing teams is for administrators: 403 whatever the id.
        "POST /api/v1/teams": [Req("POST", api + "/teams", json={"name": "Hijacked"}, refusal="403")],
        "POST /api/v1/teams/{team_id}/members": [
            Req("POST", f"{api}/teams/{team}/members", json={"username": u}, refusal="403") for u in ("bob", "carol")
        ],
        "DELETE /api/v1/teams/{team_id}/members/{username}": [
            Req("DELETE", f"{api}/teams/{team}/members/{u}", refusal="403") for u in ("alice", "dave")
        ],
        "PUT /api/v1/teams/{team_id}/sharing": [
            Req("PUT", f"{api}/teams/{team}/sharing", json={"shares": s}) for s in (True, False)
        ],
        "GET /api/v1/teams/intros/{request_id}": [Req("GET", f"{api}/teams/intros/{r}") for r in intros],
        "POST /api/v1/teams/intros/{request_id}/{action}": [
            Req("POST", f"{api}/teams/intros/{r}/{x}") for r in intros for x in INTRO_ACTIONS
        ],
        "POST /api/v1/teams/intros": [
            Req("POST", api + "/teams/intros", json={"ref": ref, "message": "hi"}) for ref in refs
        ],
        # Pages ------------------------------------------------------------------------------------------------
        "GET /people/{pid}": each("GET", "/people/{}", people),
        # (as htmx asks for them: without it the route only sends the browser to the person's page)
        "GET /people/{pid}/section/{name}": [
            Req("GET", f"/people/{a[k]}/section/{s}", params={"edit": e}, headers={"HX-Request": "true"})
            for k in people
            for s in SECTIONS
            for e in ("false", "true")
        ],
        "POST /people/{pid}/details": each("POST", "/people/{}/details", people, data={"name": "Hijacked"}),
        "POST /people/{pid}/contact": each("POST", "/people/{}/contact", people, data={"email": "b@evil.example"}),
        "POST /people/{pid}/contact/remove": each(
            "POST", "/people/{}/contact/remove", ("p1",), data={"value": n["email"]}
        ),
        "POST /people/{pid}/work": each("POST", "/people/{}/work", people, data={"organization": "Hi", "title": "Hi"}),
        "POST /people/{pid}/work/end": each("POST", "/people/{}/work/end", ("p1",), data={"organization": n["org"]}),
        "POST /people/{pid}/dates": each("POST", "/people/{}/dates", people, data={"birthday": "2000-01-02"}),
        "POST /people/{pid}/tags": each("POST", "/people/{}/tags", people, data={"tags": "hi"}),
        "POST /people/{pid}/tags/remove": each("POST", "/people/{}/tags/remove", ("p1",), data={"tag": n["tag"]}),
        "POST /people/{pid}/notes": each("POST", "/people/{}/notes", people, data={"body": "hi"}),
        "GET /people/{pid}/timeline": each("GET", "/people/{}/timeline", people),
        "POST /people/{pid}/log": each("POST", "/people/{}/log", people, data={"summary": "hi"}),
        "GET /people/{pid}/strength": each("GET", "/people/{}/strength", people),
        "GET /people/{pid}/follow-ups": each("GET", "/people/{}/follow-ups", people),
        "POST /people/{pid}/follow-ups/{fid}/done": [
            Req("POST", f"/people/{p1}/follow-ups/{a['follow_up']}/done"),
            Req("POST", f"/people/{mine}/follow-ups/{a['follow_up']}/done"),
        ],
        "POST /people/{pid}/follow-ups/{fid}/snooze": [
            Req("POST", f"/people/{p1}/follow-ups/{a['follow_up']}/snooze", data={"days": "7"}),
            Req("POST", f"/people/{mine}/follow-ups/{a['follow_up']}/snooze", data={"days": "7"}),
        ],
        "GET /people/{pid}/give": each("GET", "/people/{}/give", people),
        "POST /people/tag": [Req("POST", "/people/tag", data={"ids": [p1], "bulk_tag": "hi"})],
        "POST /today/{pid}/done": each("POST", "/today/{}/done", ("p1",), data={"note": "hi"}),
        "POST /today/{pid}/snooze": each("POST", "/today/{}/snooze", ("p1",), data={"days": "7"}),
        "POST /today/{pid}/skip": each("POST", "/today/{}/skip", ("p1",)),
        "POST /follow-ups/{fid}/done": each("POST", "/follow-ups/{}/done", ("follow_up",)),
        "POST /give/favours": [Req("POST", "/give/favours", data={"person": f"#{p1}", "note": "hi"})],
        "POST /give/offers": [Req("POST", "/give/offers", data={"person": f"#{p1}", "text": "hi"})],
        "POST /give/offers/{item_id}/confirm": each("POST", "/give/offers/{}/confirm", ("offer", "need")),
        "POST /give/offers/{item_id}/dismiss": each("POST", "/give/offers/{}/dismiss", ("offer", "need")),
        "POST /give/introduce": [
            Req("POST", "/give/introduce", data={"a": p1, "b": p2}),
            Req("POST", "/give/introduce", data={"a": mine, "b": p1}),
        ],
        "GET /network/ties/{pid}": each("GET", "/network/ties/{}", people),
        "POST /jobs": [Req("POST", "/jobs", data={"org": "Hi", "role": "Hi", "person": f"#{p1}"})],
        "POST /jobs/{opp_id}/move": each("POST", "/jobs/{}/move", ("job",), data={"stage": "applied"}),
        "POST /log": [
            Req("POST", "/log", data={"person": [p1], "summary": "hi"}),
            Req("POST", "/log", data={"person": [mine, p1], "summary": "hi"}),
            Req("POST", "/log", data={"who": f"#{p1}", "summary": "hi"}),
        ],
        "POST /import/{batch_id}/undo": each("POST", "/import/{}/undo", ("batch",)),
        "POST /review/{candidate_id}": each("POST", "/review/{}", ("candidate",), data={"decision": "merge"}),
        "POST /settings/circles": [Req("POST", "/settings/circles", data={"apply": f"{p1}:inner"})],
        "POST /account/tokens/{token_id}/revoke": each("POST", "/account/tokens/{}/revoke", ("token",)),
        "POST /team/{team_id}/sharing": [
            Req("POST", f"/team/{team}/sharing", data={"shares": s}) for s in ("on", "off")
        ],
        "POST /team/intros/{request_id}/{action}": [
            Req("POST", f"/team/intros/{r}/{x}") for r in intros for x in INTRO_ACTIONS
        ],
        "POST /team/intros": [Req("POST", "/team/intros", data={"ref": ref, "message": "hi"}) for ref in refs],
    }
    if "import_job" in n:  # an import running in the background, known by an unguessable id
        cases["GET /import/jobs/{job_id}"] = [
            Req("GET", f"/import/jobs/{n['import_job']}"),
            Req("GET", f"/import/jobs/{n['import_job']}", headers={"HX-Request": "true"}),
        ]
    return cases


def reads(n: dict[str, str]) -> dict[str, list[Req]]:
    """Every list, search, report, export and page without an object id (asked with A's names where it takes
    words): the viewer must see only their own network."""
    api = "/api/v1"
    g = lambda url, **params: Req("GET", url, params=params or None)  # noqa: E731
    return {
        "GET /api/v1/people": [
            g(api + "/people"),
            g(api + "/people", trashed="true"),
            g(api + "/people", organization=n["org"]),
            g(api + "/people", tag=n["tag"]),
            g(api + "/people", sort="last-contact", limit=500),
        ],
        "GET /api/v1/search": [
            g(api + "/search", q="secret"),
            g(api + "/search", q="ada"),
            g(api + "/search", q=n["org"]),
        ],
        "GET /api/v1/agenda": [g(api + "/agenda")],
        "GET /api/v1/dormant": [g(api + "/dormant")],
        "GET /api/v1/circles/suggestions": [g(api + "/circles/suggestions")],
        "GET /api/v1/balance": [g(api + "/balance")],
        "GET /api/v1/match/{mode}": [g(f"{api}/match/{mode}") for mode in ("help-others", "help-me", "intros")],
        "GET /api/v1/targets": [g(api + "/targets", include_dropped="true")],
        "GET /api/v1/jobs": [g(api + "/jobs"), g(api + "/jobs", org=n["org"])],
        "GET /api/v1/jobs/board": [g(api + "/jobs/board")],
        "GET /api/v1/jobs/stats": [g(api + "/jobs/stats")],
        "GET /api/v1/jobs/suggestions": [g(api + "/jobs/suggestions")],
        "GET /api/v1/who-knows": [g(api + "/who-knows", org=n["org"]), g(api + "/who-knows", org="SECRET")],
        "GET /api/v1/network": [g(api + "/network")],
        "GET /api/v1/imports": [g(api + "/imports")],
        "GET /api/v1/dedupe": [g(api + "/dedupe", status=s) for s in ("pending", "merged", "apart")],
        "GET /api/v1/export.json": [g(api + "/export.json")],
        "GET /api/v1/export.vcf": [g(api + "/export.vcf", version=v) for v in ("3.0", "4.0")],
        "GET /api/v1/me": [g(api + "/me")],
        "GET /api/v1/account": [g(api + "/account")],
        "GET /api/v1/tokens": [g(api + "/tokens")],
        # Teams: one's own teams and requests; who on one's teams knows someone, asked with alice's organization and
        # her teammate's contact (their team shares both: anyone else must see neither).
        "GET /api/v1/teams": [g(api + "/teams")],
        "GET /api/v1/teams/intros": [g(api + "/teams/intros")],
        "GET /api/v1/teams/who-knows": [
            g(api + "/teams/who-knows", org=n["org"]),
            g(api + "/teams/who-knows", org=n["teammate_org"]),
            g(api + "/teams/who-knows", org="SECRET"),
        ],
        "GET /api/v1/teams/paths": [
            g(api + "/teams/paths", to=to)
            for to in (n["org"], n["teammate_org"], n["teammate_contact"], n["teammate_email"])
        ],
        # Computed over the whole network, so they are asked too (they change only the caller's own network).
        "POST /api/v1/ties/infer": [Req("POST", api + "/ties/infer")],
        "POST /api/v1/offers-needs/suggest": [Req("POST", api + "/offers-needs/suggest")],
        # Pages
        "GET /": [g("/")],
        "GET /welcome": [g("/welcome")],
        "GET /today": [g("/today")],
        "GET /today/dormant": [g("/today/dormant")],
        "GET /people": [g("/people"), g("/people", sort="strength"), g("/people", q="secret"), g("/people", q="ada")],
        "GET /give": [g("/give")],
        "GET /give/offers": [g("/give/offers")],
        "GET /give/matches": [g("/give/matches")],
        "GET /network": [g("/network", org=n["org"], to="Ada"), g("/network", to=n["email"])],
        "GET /jobs": [g("/jobs")],
        "GET /log": [g("/log")],
        "GET /log/suggest": [g("/log/suggest", who="ada"), g("/log/suggest", who="secret")],
        "GET /import": [g("/import")],
        "GET /settings": [g("/settings")],
        "GET /settings/circles": [g("/settings/circles")],
        "GET /calendar.ics": [g("/calendar.ics")],
        "GET /account": [g("/account")],
        "GET /team": [g("/team"), g("/team", org=n["org"]), g("/team", org=n["teammate_org"])],
    }


# Changes that name no object: each creates in (or sets) the caller's own network or account only.
NO_ID = {
    "POST /api/v1/people": "adds a person to the caller's network",
    "PUT /api/v1/me": "sets the caller's own 'me'",
    "POST /api/v1/imports": "imports an uploaded file into the caller's network",
    "POST /api/v1/targets": "adds a target organization by name to the caller's network",
    "POST /api/v1/tokens": "makes a token for the signed-in account",
    "POST /demo": "fills the caller's own empty network",
    "POST /give/offers/suggest": "suggests from the caller's own jobs and notes (the API twin is read above)",
    "POST /jobs/targets": "adds a target organization by name to the caller's network",
    "POST /import": "imports an uploaded file into the caller's network",
    "POST /settings/me": "sets the caller's own 'me'",
    "POST /settings/cadences": "sets the caller's own cadences",
    "POST /settings/cadences/reset": "resets the caller's own cadences",
    "POST /account/password": "changes the signed-in account's password (checks the current one)",
    "POST /account/tokens": "makes a token for the signed-in account",
}

# What answers without signing in.
PUBLIC = {
    "GET /login": "the sign-in form",
    "POST /login": "signing in",
    "POST /logout": "signing out (ends the session of the cookie sent, if any)",
    "GET /api/v1/csrf": "a CSRF token (bound to the session, if any)",
    "GET /api/v1/openapi.json": "the API's description",
    "GET /api/v1/docs": "the API's documentation page",
    "GET /docs/oauth2-redirect": "part of the documentation page",
    "MOUNT /static": "stylesheets and scripts",
}


def app_routes(app: Any) -> dict[str, Any]:
    """Every route the app answers, as ``"METHOD /path"`` (``"MOUNT /path"`` for a mounted app)."""
    try:  # FastAPI ≥ 0.16x includes routers lazily: their routes are reached through contexts
        from fastapi.routing import iter_route_contexts

        found: list[Any] = list(iter_route_contexts(app.routes))
    except ImportError:
        found = list(app.routes)
    keys: dict[str, Any] = {}
    for route in found:
        methods = getattr(route, "methods", None)
        if not methods:
            keys[f"MOUNT {route.path}"] = route
            continue
        for method in set(methods) - {"HEAD"}:
            keys[f"{method} {route.path}"] = route
    return keys


# --------------------------------------------------------------------------------------------------------------
# The server


@dataclass
class Drill:
    app: Any
    server: Any
    alice: World
    bob: World
    carol: World
    dave: World  # alice's teammate
    anonymous: TestClient
    clients: list[TestClient] = field(default_factory=list)

    def client(self, **headers: str) -> TestClient:
        """A fresh client with no cookies (for tokens)."""
        made = TestClient(self.app, base_url="https://testserver", headers=headers, raise_server_exceptions=False)
        made.__enter__()
        self.clients.append(made)
        return made


@pytest.fixture(scope="module")
def drill(server_template: tuple[Any, str]) -> Iterator[Drill]:
    from dunbar.server import open_server
    from dunbar.web import create_app

    with ExitStack() as stack:
        url = stack.enter_context(pg_copy(*server_template, prefix="dunbar_iso"))
        server = open_server(url)
        stack.callback(server.close)
        app = create_app(url, server=True, allowed_hosts=["testserver"], today=NOW.date())
        clients: list[TestClient] = []

        def browser(username: str | None) -> TestClient:
            # A bug answers 500 (and is reported with the others) instead of stopping the drill.
            client = stack.enter_context(TestClient(app, base_url="https://testserver", raise_server_exceptions=False))
            clients.append(client)
            return signed_in_api(sign_in(client, username) if username else client)

        bump_sequences(server, accounts.get_user(server, "bob"), 100_000)
        worlds = {}
        for username in ("alice", "bob", "carol"):
            world = World(username[0], browser(username))
            worlds[username] = seed(world, server, accounts.get_user(server, username))
            if "GET /import/jobs/{job_id}" in app_routes(app):
                start_import_job(world)
        accounts.add_user(server, "dave", PASSWORD, now=NOW, display_name="Dave Example", email="dave@example.org")
        dave = seed_teammate(World("d", browser("dave")))
        seed_teams(worlds["alice"], dave, worlds["bob"])
        yield Drill(
            app, server, worlds["alice"], worlds["bob"], worlds["carol"], dave, anonymous=browser(None), clients=clients
        )


def export(world: World) -> dict[str, Any]:
    res = world.client.get("/api/v1/export.json")
    assert res.status_code == 200, res.text
    doc = res.json()
    assert isinstance(doc, dict)
    return doc


def team_state(world: World) -> Any:
    """``world``'s teams and introduction requests as they see them, and their teammate's whole network."""
    if not world.team:
        return None
    assert world.teammate is not None
    teams = world.client.get("/api/v1/teams")
    intros = world.client.get("/api/v1/teams/intros")
    assert teams.status_code == intros.status_code == 200, (teams.text, intros.text)
    return [teams.json(), intros.json(), export(world.teammate)]


def refused(req: Req, res: Any, client: TestClient) -> str | None:
    """Why ``res`` is not the refusal ``req`` calls for, or None. A page that answers a browser without
    JavaScript by sending it back to the object's own page (which then answers 404) refuses too."""
    if res.status_code == 303 and not req.url.startswith("/api/"):
        page = res.headers["location"].split("#")[0]
        if req.url.startswith(page + "/") and client.get(page).status_code == 404:
            return None
    if req.refusal == "empty":
        if res.status_code == 200 and res.json()["items"] == []:
            return None
        return f"expected 200 with no items, got {res.status_code} {res.text[:200]}"
    if req.refusal == "403":  # the administrators' refusal (not, say, a CSRF token refused)
        if res.status_code != 403 or "administrator" not in res.text:
            return f"expected 403 for a non-administrator, got {res.status_code} {res.text[:200]}"
    elif res.status_code != 404:
        return f"expected 404, got {res.status_code} {res.headers.get('location', '')} {res.text[:200]}"
    if req.url.startswith("/api/") and not res.headers["content-type"].startswith("application/problem+json"):
        return f"expected a problem document, got {res.headers['content-type']}"
    return None


def attack(
    viewer: World, victim: World, client: TestClient, *, must_refuse: bool, only: Callable[[str], bool] = lambda k: True
) -> int:
    """Send every id case with ``victim``'s ids through ``client``; the number of requests sent."""
    before = export(victim), team_state(victim)
    problems: list[str] = []
    sent = 0
    for key, requests in id_cases(victim.ids, victim.names, viewer.ids, victim.team).items():
        if not only(key):
            continue
        for req in requests:
            res = req.send(client)
            sent += 1
            leaks = viewer.foreign(res.text + json.dumps(dict(res.headers)), req.sent())
            if leaks:
                problems.append(f"{req}: {res.status_code} shows {leaks}")
            if res.status_code >= 500:
                problems.append(f"{req}: {res.status_code}")
            if must_refuse and (why := refused(req, res, client)):
                problems.append(f"{req}: {why}")
    assert not problems, "\n".join(problems)
    assert export(victim) == before[0], f"{victim.letter}'s network changed"
    assert team_state(victim) == before[1], f"{victim.letter}'s team, requests or teammate's network changed"
    return sent


# --------------------------------------------------------------------------------------------------------------
# The drill


def test_every_route_is_classified(drill: Drill) -> None:
    routes = app_routes(drill.app)
    assert len(routes) > 100, "the routes were not all found: has FastAPI changed how routers are included?"
    cases = id_cases(drill.alice.ids, drill.alice.names, drill.bob.ids, drill.alice.team)
    views = reads(drill.alice.names)
    classes = [set(cases), set(views), set(NO_ID), set(PUBLIC)]
    known = set().union(*classes)
    assert sum(len(c) for c in classes) == len(known), "a route is in two classes"
    unclassified = sorted(set(routes) - known)
    assert not unclassified, (
        "routes the isolation drill does not exercise; add each to id_cases (it names an object), reads (it lists"
        " or reports), NO_ID or PUBLIC in tests/server/test_isolation.py:\n" + "\n".join(unclassified)
    )
    assert not sorted(known - set(routes)), f"classified routes the app no longer has: {sorted(known - set(routes))}"
    with_params = {k for k in routes if "{" in k and not k.startswith("MOUNT ")}
    assert with_params <= set(cases) | set(views), sorted(with_params - set(cases) - set(views))
    # The API's own description lists the same operations.
    doc = drill.anonymous.get("/api/v1/openapi.json").json()
    operations = {f"{m.upper()} {path}" for path, ops in doc["paths"].items() for m in ops}
    assert operations <= set(routes), sorted(operations - set(routes))
    assert all(cases.values()), "a route with no request"
    assert all(views.values()), "a route with no request"


def test_the_worlds_are_real(drill: Drill) -> None:
    """The drill's controls: alice's ids name her objects, bob's ids differ from hers, carol's equal them, and
    the leak detector sees alice's markers in alice's export."""
    a, b, c = drill.alice, drill.bob, drill.carol
    kinds = set(a.ids) - {"token", "me"}  # "me" is person 1 everywhere (made with the network)
    assert a.ids["me"] == b.ids["me"] == c.ids["me"] == 1
    assert all(b.ids[k] >= 100_000 for k in kinds), b.ids
    assert not set(a.ids.values()) & {b.ids[k] for k in kinds}
    assert {k: c.ids[k] for k in kinds} == {k: a.ids[k] for k in kinds}
    doc = json.dumps(export(a))
    assert b.foreign(doc)
    assert c.foreign(doc)
    assert not a.foreign(doc)
    for kind in ("note", "interaction", "follow-up", "favour", "offer", "need", "job-note", "tie", "import", "intro"):
        assert a.marker(kind).lower() in doc.lower(), kind
    # Each GET of an id case, asked by alice herself, finds her object.
    for key, requests in id_cases(a.ids, a.names, a.ids, a.team).items():
        for req in requests:
            trashed_page = not req.url.startswith("/api/") and f"/{a.ids['trashed']}" in req.url
            if req.method == "GET" and req.refusal == "404" and "resolve" not in key and "paths" not in key:
                if trashed_page:  # pages show the living only; the API shows the trash too
                    continue
                res = req.send(a.client)
                assert res.status_code == 200, f"{req}: {res.status_code} {res.text[:200]}"
    assert a.client.get(f"/api/v1/merges/{a.ids['merge']}").json()["merged"]["id"] == a.ids["merged"]
    assert a.ids["candidate"] in [p["id"] for p in a.client.get("/api/v1/dedupe").json()["items"]]
    assert a.ids["batch"] in [p["id"] for p in a.client.get("/api/v1/imports").json()["items"]]
    assert a.ids["token"] in [t["id"] for t in a.client.get("/api/v1/tokens").json()]


def test_the_team_is_real_and_bob_is_on_none_of_it(drill: Drill) -> None:
    """The team drill's controls: alice and dave share with their team, see each other's contacts through it and
    have asked each other for introductions (the messages marked); dave's network holds marked notes, an
    interaction and a favour. Bob, on a team of his own, sees none of it: the same questions find nothing."""
    a, b, d, t = drill.alice, drill.bob, drill.dave, drill.alice.team
    (team,) = a.client.get("/api/v1/teams").json()
    assert (team["id"], team["name"], team["shares"]) == (t["team"], a.marker("team"), True)
    assert [(m["username"], m["shares"]) for m in team["members"]] == [("alice", True), ("dave", True)]
    intros = a.client.get("/api/v1/teams/intros").json()
    assert [(r["id"], r["status"], r["message"]) for r in intros["outgoing"]] == [
        (t["ask"], "pending", a.marker("team-intro"))
    ]
    assert [(r["id"], r["status"], r["message"]) for r in intros["incoming"]] == [
        (t["asked"], "accepted", d.marker("team-intro"))
    ]
    assert [r["id"] for r in d.client.get("/api/v1/teams/intros").json()["incoming"]] == [t["ask"]]
    found = a.client.get("/api/v1/teams/who-knows", params={"org": a.names["teammate_org"]}).json()["results"]
    assert [r["name"] for r in found] == [a.names["teammate_contact"]]
    paths = a.client.get("/api/v1/teams/paths", params={"to": a.names["teammate_email"]}).json()["paths"]
    assert [p["name"] for p in paths] == [a.names["teammate_contact"]]
    assert d.client.get("/api/v1/teams/who-knows", params={"org": a.names["org"]}).json()["count"] > 0
    assert d.client.get(f"/api/v1/teams/intros/{t['ask']}").status_code == 200
    doc = json.dumps(export(d)).lower()
    for kind in ("contact", "note", "interaction", "favour", "how-met", "title"):
        assert d.marker(kind).lower() in doc, kind
    # Bob: his own team only, no requests, and nothing through alice's team.
    assert [x["id"] for x in b.client.get("/api/v1/teams").json()] == [b.team["team"]]
    assert b.client.get("/api/v1/teams/intros").json() == {"incoming": [], "outgoing": []}
    for org in (a.names["org"], a.names["teammate_org"]):
        assert b.client.get("/api/v1/teams/who-knows", params={"org": org}).json()["results"] == []
    for to in (a.names["org"], a.names["teammate_contact"], a.names["teammate_email"]):
        assert b.client.get("/api/v1/teams/paths", params={"to": to}).json()["paths"] == []
    page = b.client.get("/team", params={"org": a.names["teammate_org"]})
    assert page.status_code == 200
    assert b.marker("team") in page.text
    assert not b.foreign(page.text, a.names["teammate_org"])


def test_lists_searches_exports_and_pages_show_only_ones_own_network(drill: Drill) -> None:
    views = reads(drill.alice.names)
    # Alice first: her answers carry her markers (the detector works on them), and any cache is now warm.
    seen = ""
    for requests in views.values():
        for req in requests:
            res = req.send(drill.alice.client)
            # "SECRET" names several of alice's organizations: a 409 with the candidates is her answer.
            assert res.status_code < 400 or res.status_code == 409, f"{req}: {res.status_code} {res.text[:200]}"
            seen += res.text
    for page in ("/today", "/people", "/give", "/give/offers", "/jobs", "/import", "/calendar.ics"):
        assert drill.bob.foreign(drill.alice.client.get(page).text), f"alice's {page} shows none of her markers"
    assert drill.bob.foreign(seen)
    problems = []
    for viewer in (drill.bob, drill.carol):
        for requests in views.values():
            for req in requests:
                res = req.send(viewer.client)
                if res.status_code >= 500 or res.status_code in (401, 403, 405, 422):
                    problems.append(f"{viewer.letter} {req}: {res.status_code} {res.text[:200]}")
                leaks = viewer.foreign(res.text, req.sent())
                if leaks:
                    problems.append(f"{viewer.letter} {req}: shows {leaks}")
    assert not problems, "\n".join(problems)


def test_b_cannot_reach_as_objects_by_id(drill: Drill) -> None:
    """bob's ids are all different from alice's: every route refuses alice's ids with 404."""
    assert drill.bob.client.get(f"/api/v1/people/{drill.bob.ids['p1']}").status_code == 200
    sent = attack(drill.bob, drill.alice, drill.bob.client, must_refuse=True)
    assert sent > 150
    assert drill.bob.client.get(f"/api/v1/people/{drill.bob.ids['p1']}").status_code == 200, "bob is still in"


def test_within_the_team_a_member_acts_only_in_their_own_part(drill: Drill) -> None:
    """On a request, only the introducer accepts, declines or marks it done, only the requester cancels: the other
    member is told there is no such request (404), by the API and the page. Only an administrator changes teams:
    dave, a member but no administrator, is refused (403)."""
    a, d, t = drill.alice, drill.dave, drill.alice.team
    before = export(a), team_state(a)
    introducer_only = ("accept", "decline", "done")
    wrong = [  # (who, request id, action): the member whose part it is not
        *((a, t["ask"], x) for x in introducer_only),  # alice asked dave
        (d, t["ask"], "cancel"),
        *((d, t["asked"], x) for x in introducer_only),  # dave asked alice
        (a, t["asked"], "cancel"),
    ]
    problems = []
    for who, rid, action in wrong:
        for req in (Req("POST", f"/api/v1/teams/intros/{rid}/{action}"), Req("POST", f"/team/intros/{rid}/{action}")):
            res = req.send(who.client)
            if why := refused(req, res, who.client):
                problems.append(f"{who.letter} {req}: {why}")
    admin_only = [
        Req("POST", "/api/v1/teams", json={"name": "Dave's own"}, refusal="403"),
        Req("POST", f"/api/v1/teams/{t['team']}/members", json={"username": "bob"}, refusal="403"),
        Req("DELETE", f"/api/v1/teams/{t['team']}/members/alice", refusal="403"),
        Req("DELETE", f"/api/v1/teams/{t['team']}/members/dave", refusal="403"),
        Req("POST", f"/api/v1/teams/{drill.bob.team['team']}/members", json={"username": "dave"}, refusal="403"),
    ]
    for req in admin_only:
        res = req.send(d.client)
        if why := refused(req, res, d.client):
            problems.append(f"d {req}: {why}")
    assert not problems, "\n".join(problems)
    assert (export(a), team_state(a)) == before, "a member changed what was not theirs to change"
    # The controls: both are parties to both requests (so the 404s above are about the part, not the request), and
    # an administrator's change goes through (dave is on the team already: nothing changes).
    for who, rid, direction in ((a, t["ask"], "outgoing"), (d, t["ask"], "incoming"), (d, t["asked"], "outgoing")):
        assert who.client.get(f"/api/v1/teams/intros/{rid}").json()["direction"] == direction
    assert a.client.post(f"/api/v1/teams/{t['team']}/members", json={"username": "dave"}).status_code == 200
    assert team_state(a) == before[1]


def test_b_token_cannot_reach_as_objects_either(drill: Drill) -> None:
    bearer = drill.client(Authorization=f"Bearer {drill.bob.token}")
    assert bearer.get("/api/v1/account").json()["username"] == "bob"
    attack(drill.bob, drill.alice, bearer, must_refuse=True, only=lambda key: " /api/" in key)
    # A token in the calendar feed's address reads its own user's feed only.
    feed = drill.client().get("/calendar.ics", params={"token": drill.bob.token})
    assert feed.status_code == 200
    assert "BEGIN:VCALENDAR" in feed.text
    assert not drill.bob.foreign(feed.text)


def test_the_same_ids_in_two_networks_reach_only_ones_own(drill: Drill) -> None:
    """carol's ids are alice's ids: the same requests act on carol's own objects, never on alice's."""
    attack(drill.carol, drill.alice, drill.carol.client, must_refuse=False)
    # And alice, asking with carol's ids (her own), still sees only her network.
    for req in (Req("GET", f"/api/v1/people/{drill.carol.ids['p2']}"), Req("GET", f"/people/{drill.carol.ids['p2']}")):
        res = req.send(drill.alice.client)
        assert res.status_code == 200
        assert not drill.alice.foreign(res.text)


def test_anonymous_requests_are_sent_to_sign_in(drill: Drill) -> None:
    anonymous = drill.anonymous
    cases = id_cases(drill.alice.ids, drill.alice.names, drill.bob.ids, drill.alice.team)
    views = reads(drill.alice.names)
    problems = []
    checked = 0
    for key in app_routes(drill.app):
        if key in PUBLIC:
            continue
        method, path = key.split(" ", 1)
        # The first request of its class, or (a change naming nothing) the bare route with an empty body.
        bare = Req(method, path, json={} if path.startswith("/api/") else None)
        req = (cases.get(key) or views.get(key) or [bare])[0]
        res = req.send(anonymous)
        checked += 1
        if path.startswith("/api/"):
            ok = (
                res.status_code == 401
                and res.headers["content-type"].startswith("application/problem+json")
                and res.headers.get("www-authenticate", "").startswith("Bearer")
            )
        elif req.headers and req.headers.get("HX-Request"):  # htmx is told where to go instead
            ok = res.status_code == 204 and res.headers.get("hx-redirect", "").startswith("/login")
        else:
            ok = res.status_code == 303 and res.headers["location"].startswith("/login")
        if not ok:
            problems.append(f"{req}: {res.status_code} {res.headers.get('location', '')} {res.text[:200]}")
        if drill.bob.foreign(res.text) and not drill.bob.foreign(req.sent()):
            problems.append(f"{req}: shows alice's data")
    assert not problems, "\n".join(problems)
    assert checked > 130
    # The public routes answer without a session.
    for path in ("/login", "/api/v1/openapi.json", "/api/v1/csrf", "/api/v1/docs", "/static/app.css"):
        assert anonymous.get(path).status_code == 200, path


def test_a_revoked_token_is_refused(drill: Drill) -> None:
    made = drill.bob.client.post("/api/v1/tokens", json={"name": "short-lived"}).json()
    bearer = drill.client(Authorization=f"Bearer {made['secret']}")
    assert bearer.get("/api/v1/people").status_code == 200
    assert drill.bob.client.delete(f"/api/v1/tokens/{made['token']['id']}").status_code == 200
    for url in ("/api/v1/people", f"/api/v1/people/{drill.bob.ids['p1']}", f"/api/v1/people/{drill.alice.ids['p1']}"):
        res = bearer.get(url)
        assert res.status_code == 401, url
        assert res.headers["content-type"].startswith("application/problem+json")
    # A change with it is refused too (it carries no CSRF token, and the token no longer stands in for one).
    assert bearer.post("/api/v1/people", json={"name": "Nobody"}).status_code in (401, 403)
    page = bearer.get("/people", follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"].startswith("/login")
    feed = drill.client().get("/calendar.ics", params={"token": made["secret"]}, follow_redirects=False)
    assert feed.status_code == 303
    # Bob could not revoke alice's token (an id case): it still works, on her network only.
    alice = drill.client(Authorization=f"Bearer {drill.alice.token}")
    res = alice.get(f"/api/v1/people/{drill.alice.ids['p1']}")
    assert res.status_code == 200
    assert drill.alice.marker("p1").lower() in res.text.lower()

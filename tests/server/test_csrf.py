"""CSRF on the team server: a change made with a session cookie must carry the token this session was given.

Each attempt below is what another site (or a stolen page) could try: no token, another session's token, a forged
one, the token handed out before signing in, a plain cross-site form, the token in the address. Every one is
refused with 403 and changes nothing. A valid API token (Bearer) needs no CSRF token, since no browser sends it on
another site's behalf; an invalid one next to a session cookie buys no exemption.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from dunbar.web.deps import CSRF_COOKIE, CSRF_HEADER, SESSION_COOKIE, make_token
from tests.server.conftest import PASSWORD, csrf, sign_in

EVIL = "https://evil.example"


@pytest.fixture(scope="module")
def app(module_server_url: str) -> Any:
    from dunbar.web import create_app

    return create_app(module_server_url, server=True, allowed_hosts=["testserver"])


@pytest.fixture
def browser(app: Any) -> Iterator[Callable[..., TestClient]]:
    """A browser-like client (cookies kept), signed in as ``user`` unless ``user`` is None."""
    made: list[TestClient] = []

    def make(user: str | None = "alice") -> TestClient:
        client = TestClient(app, base_url="https://testserver")
        client.__enter__()
        made.append(client)
        return sign_in(client, user) if user else client

    yield make
    for client in made:
        client.__exit__(None, None, None)


class State:
    """What a refused change must leave as it was: alice's people, her API tokens, her session."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.before = self.read()

    def read(self) -> tuple[Any, ...]:
        people = self.client.get("/api/v1/people", params={"limit": 200})
        tokens = self.client.get("/api/v1/tokens")
        assert people.status_code == 200, people.text
        assert tokens.status_code == 200, tokens.text
        names = sorted(p["name"] for p in people.json()["items"])
        return names, [(t["id"], t["revoked_at"]) for t in tokens.json()]

    def unchanged(self) -> None:
        assert self.read() == self.before  # and the session still works, or read() would have failed


def refused(res: Any) -> None:
    assert res.status_code == 403, (res.status_code, res.text)
    if res.headers["content-type"].startswith("application/problem+json"):
        assert res.json()["type"] == "urn:dunbar:problem:csrf"
    else:
        assert "security token" in res.text


def _form_token(client: TestClient, path: str) -> str:
    return client.get(path).text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]


def _token_id(client: TestClient) -> int:
    made = client.post("/api/v1/tokens", json={"name": "kept"}, headers={CSRF_HEADER: csrf(client)})
    assert made.status_code == 201, made.text
    return int(made.json()["token"]["id"])


def attempts(client: TestClient, token_id: int, headers: dict[str, str]) -> list[Any]:
    """Every kind of change a signed-in browser can make: API JSON, page forms, sign-out and password."""
    form_headers = {k: v for k, v in headers.items() if k != CSRF_HEADER}
    form_token = {"csrf_token": headers[CSRF_HEADER]} if CSRF_HEADER in headers else {}
    return [
        client.post("/api/v1/people", json={"name": "Forged Person"}, headers=headers),
        client.post("/api/v1/tokens", json={"name": "forged"}, headers=headers),
        client.delete(f"/api/v1/tokens/{token_id}", headers=headers),
        client.post("/account/tokens", data={"name": "forged", **form_token}, headers=form_headers),
        client.post(f"/account/tokens/{token_id}/revoke", data=form_token, headers=form_headers),
        client.post(
            "/account/password",
            data={"current": PASSWORD, "new": "another password 1", **form_token},
            headers=form_headers,
        ),
        client.post("/logout", data=form_token, headers=form_headers),
    ]


def test_a_signed_in_session_without_a_token_is_refused(browser: Callable[..., TestClient]) -> None:
    alice = browser()
    token_id = _token_id(alice)
    state = State(alice)
    for res in attempts(alice, token_id, {}):
        refused(res)
    # The token cookie alone is not enough either: the header or form field must repeat it.
    alice.get("/account")
    assert alice.cookies.get(CSRF_COOKIE)
    for res in attempts(alice, token_id, {"Origin": "https://testserver"}):
        refused(res)
    state.unchanged()


def test_a_token_from_another_session_is_refused(browser: Callable[..., TestClient]) -> None:
    alice, alice_elsewhere, bob = browser(), browser(), browser("bob")
    token_id = _token_id(alice)
    state = State(alice)
    for other in (alice_elsewhere, bob):
        theirs = csrf(other)
        # Their token in the header, with alice's own cookie; then their token in both places.
        for res in attempts(alice, token_id, {CSRF_HEADER: theirs}):
            refused(res)
        alice.cookies.set(CSRF_COOKIE, theirs, domain="testserver.local")
        for res in attempts(alice, token_id, {CSRF_HEADER: theirs}):
            refused(res)
        alice.cookies.delete(CSRF_COOKIE)
    state.unchanged()


def test_forged_tokens_are_refused(browser: Callable[..., TestClient]) -> None:
    alice = browser()
    token_id = _token_id(alice)
    state = State(alice)
    real = csrf(alice)
    nonce, sig = real.split(".")
    forged = [
        make_token(b"a guessed secret"),
        f"{nonce}.{'0' * len(sig)}",
        f"{nonce}x.{sig}",
        nonce,
        f"{nonce}.{sig}.{sig}",
        "",
        "null",
        " " + real,
    ]
    for token in forged:
        # The forged token in both cookie and header: a double-submit check alone would let this through.
        alice.cookies.set(CSRF_COOKIE, token, domain="testserver.local")
        for res in attempts(alice, token_id, {CSRF_HEADER: token}):
            refused(res)
    alice.cookies.delete(CSRF_COOKIE)
    state.unchanged()


def test_the_token_from_before_signing_in_is_refused_after(browser: Callable[..., TestClient]) -> None:
    alice = browser(None)
    before = _form_token(alice, "/login")
    assert alice.cookies.get(CSRF_COOKIE) == before
    sign_in(alice, "alice")
    token_id = _token_id(alice)
    state = State(alice)
    alice.cookies.set(CSRF_COOKIE, before, domain="testserver.local")
    for res in attempts(alice, token_id, {CSRF_HEADER: before}):
        refused(res)
    alice.cookies.delete(CSRF_COOKIE)
    state.unchanged()
    # And the session's own token does work, so the refusals above were about the token.
    ok = alice.post("/api/v1/people", json={"name": "Real Person"}, headers={CSRF_HEADER: csrf(alice)})
    assert ok.status_code == 201, ok.text


def test_a_cross_site_form_post_is_refused(browser: Callable[..., TestClient]) -> None:
    # What a form on another site submits: the browser's cookies (were SameSite not in the way), the other site's
    # Origin and Referer, a form body without this session's token, or with a token the attacker holds himself.
    alice = browser()
    token_id = _token_id(alice)
    alice.get("/account")  # the session's token cookie is in the jar, as it would be in the browser
    state = State(alice)
    own = csrf(browser(None))  # a valid-looking token of the attacker's own, anonymous visit
    cross = {"Origin": EVIL, "Referer": EVIL + "/trap.html", "Sec-Fetch-Site": "cross-site"}
    for res in (*attempts(alice, token_id, cross), *attempts(alice, token_id, {**cross, CSRF_HEADER: own})):
        refused(res)
    text_plain = alice.post(
        "/api/v1/people",
        content=b'{"name": "Forged Person"}',
        headers={**cross, "Content-Type": "text/plain"},
    )
    refused(text_plain)
    state.unchanged()


def test_a_token_in_the_query_string_is_refused(browser: Callable[..., TestClient]) -> None:
    alice = browser()
    token_id = _token_id(alice)
    token = csrf(alice)  # valid for this session, and in the cookie jar
    state = State(alice)
    for query in ({"csrf_token": token}, {"X-CSRF-Token": token}, {"csrf": token}):
        refused(alice.post("/api/v1/people", params=query, json={"name": "Forged Person"}))
        refused(alice.post("/account/tokens", params=query, data={"name": "forged"}))
        refused(alice.post(f"/account/tokens/{token_id}/revoke", params=query))
        refused(alice.post("/logout", params=query))
    state.unchanged()


def test_a_valid_api_token_needs_no_csrf_token(browser: Callable[..., TestClient], app: Any) -> None:
    alice = browser()
    made = alice.post("/api/v1/tokens", json={"name": "script"}, headers={CSRF_HEADER: csrf(alice)})
    secret = made.json()["secret"]
    with TestClient(app, base_url="https://testserver") as script:  # no cookies at all
        res = script.post("/api/v1/people", json={"name": "Via Token"}, headers={"Authorization": f"Bearer {secret}"})
        assert res.status_code == 201, res.text
        # Not even the session of another user beside it changes whose request this is.
        sign_in(script, "bob")
        res = script.post(
            "/api/v1/people", json={"name": "Also Via Token"}, headers={"Authorization": f"Bearer {secret}"}
        )
        assert res.status_code == 201, res.text
    names = {p["name"] for p in alice.get("/api/v1/people", params={"limit": 200}).json()["items"]}
    assert {"Via Token", "Also Via Token"} <= names


def test_an_invalid_api_token_beside_a_session_cookie_gets_no_exemption(
    browser: Callable[..., TestClient],
) -> None:
    alice = browser()
    token_id = _token_id(alice)
    revoked = alice.post("/api/v1/tokens", json={"name": "old"}, headers={CSRF_HEADER: csrf(alice)}).json()
    alice.delete(f"/api/v1/tokens/{revoked['token']['id']}", headers={CSRF_HEADER: csrf(alice)})
    state = State(alice)
    assert alice.cookies.get(SESSION_COOKIE)
    for bad in ("dbr_" + "x" * 43, revoked["secret"], "not-a-token", make_token(b"x")):
        for res in attempts(alice, token_id, {"Authorization": f"Bearer {bad}"}):
            refused(res)
        # With the session's right CSRF token, an invalid Bearer still does not fall back to the session.
        res = alice.post(
            "/api/v1/people",
            json={"name": "Forged Person"},
            headers={"Authorization": f"Bearer {bad}", CSRF_HEADER: csrf(alice)},
        )
        assert res.status_code == 401, res.text
    state.unchanged()

"""Accounts on the team server: sign-in, sessions, tokens, throttling, privacy of each user's network."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from dunbar.server import accounts
from tests.conftest import Cli
from tests.server.conftest import NOW, PASSWORD, csrf, sign_in


def test_passwords_are_argon2id_hashes(server: Any) -> None:
    stored = server.scalar("SELECT password_hash FROM dunbar_server.account WHERE username = 'alice'")
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored


def test_pages_and_api_need_a_session(anonymous: TestClient) -> None:
    res = anonymous.get("/people", follow_redirects=False)
    assert res.status_code == 303
    assert res.headers["location"] == "/login?next=%2Fpeople"
    api = anonymous.get("/api/v1/people")
    assert api.status_code == 401
    assert api.headers["content-type"].startswith("application/problem+json")
    assert api.headers["www-authenticate"].startswith("Bearer")


def test_sign_in_sets_a_secure_httponly_samesite_cookie(anonymous: TestClient) -> None:
    page = anonymous.get("/login")
    token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    res = anonymous.post(
        "/login",
        data={"username": "alice", "password": PASSWORD, "csrf_token": token, "next": "/people"},
        follow_redirects=False,
    )
    assert res.status_code == 303
    assert res.headers["location"] == "/people"
    cookie = res.headers["set-cookie"].lower()
    assert "dunbar_session=" in cookie
    assert "httponly" in cookie
    assert "secure" in cookie
    assert "samesite=lax" in cookie
    assert anonymous.get("/api/v1/account").json()["username"] == "alice"


def test_sign_in_refuses_a_wrong_password_and_an_open_redirect(anonymous: TestClient) -> None:
    page = anonymous.get("/login?next=//evil.example/")
    token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    assert 'value="/"' in page.text  # the next address was reduced to this server's start page
    res = anonymous.post("/login", data={"username": "alice", "password": "wrong password", "csrf_token": token})
    assert res.status_code == 401
    assert "not right" in res.text
    assert "dunbar_session" not in res.headers.get("set-cookie", "")


def test_sign_in_without_the_csrf_token_is_refused(anonymous: TestClient) -> None:
    res = anonymous.post("/login", data={"username": "alice", "password": PASSWORD})
    assert res.status_code == 403


def test_login_is_throttled_after_repeated_failures(anonymous: TestClient) -> None:
    page = anonymous.get("/login")
    token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    for _ in range(accounts.FAILURES_PER_USER):
        res = anonymous.post("/login", data={"username": "bob", "password": "not it at all", "csrf_token": token})
        assert res.status_code == 401
    # Now even the right password waits: guessing cannot go on at full speed.
    res = anonymous.post("/login", data={"username": "bob", "password": PASSWORD, "csrf_token": token})
    assert res.status_code == 429
    assert int(res.headers["retry-after"]) > 0


def test_each_user_sees_only_their_own_network(client_for: Any) -> None:
    alice, bob = client_for("alice"), client_for("bob")
    made = alice.post(
        "/api/v1/people",
        json={"name": "Priya Secret", "emails": ["priya@acme.example"]},
        headers={"X-CSRF-Token": csrf(alice)},
    )
    assert made.status_code == 201, made.text
    pid = made.json()["id"]
    assert bob.get(f"/api/v1/people/{pid}").status_code == 404
    assert "Priya" not in bob.get("/api/v1/search", params={"q": "Priya"}).text
    assert "Priya" not in bob.get("/people").text
    assert alice.get(f"/api/v1/people/{pid}").json()["name"] == "Priya Secret"


def test_a_csrf_token_of_one_session_is_worthless_in_another(client_for: Any) -> None:
    alice, bob = client_for("alice"), client_for("bob")
    stolen = csrf(alice)
    bob.cookies.set("dunbar_csrf", stolen, domain="testserver.local")
    res = bob.post("/api/v1/people", json={"name": "X"}, headers={"X-CSRF-Token": stolen})
    assert res.status_code == 403


def test_api_tokens_work_without_csrf_and_stop_when_revoked(client_for: Any, server_app: Any) -> None:
    alice = client_for("alice")
    made = alice.post("/api/v1/tokens", json={"name": "script"}, headers={"X-CSRF-Token": csrf(alice)})
    assert made.status_code == 201
    secret, tid = made.json()["secret"], made.json()["token"]["id"]
    with TestClient(server_app, base_url="https://testserver") as script:
        auth = {"Authorization": f"Bearer {secret}"}
        assert script.post("/api/v1/people", json={"name": "Via Token"}, headers=auth).status_code == 201
        assert alice.delete(f"/api/v1/tokens/{tid}", headers={"X-CSRF-Token": csrf(alice)}).status_code == 200
        assert script.get("/api/v1/people", headers=auth).status_code == 401
        assert script.get("/api/v1/people", headers={"Authorization": "Bearer dbr_forged"}).status_code == 401


def test_tokens_are_stored_only_as_hashes(client_for: Any, server: Any) -> None:
    alice = client_for("alice")
    secret = alice.post("/api/v1/tokens", json={"name": "x"}, headers={"X-CSRF-Token": csrf(alice)}).json()["secret"]
    stored = server.all("SELECT token_hash, prefix FROM dunbar_server.api_token")
    assert all(secret != r["token_hash"] and secret not in r["token_hash"] for r in stored)
    assert server.scalar("SELECT count(*) FROM dunbar_server.session WHERE token_hash LIKE 'dbr_%'") == 0


def test_a_disabled_user_is_signed_out_at_once(client_for: Any, server: Any) -> None:
    bob = client_for("bob")
    assert bob.get("/api/v1/account").status_code == 200
    accounts.set_disabled(server, "bob", True)
    assert bob.get("/api/v1/account").status_code == 401
    with pytest.raises(accounts.NotSignedIn):
        accounts.authenticate(server, "bob", PASSWORD, address="t", now=NOW)


def test_logout_ends_the_session(client_for: Any) -> None:
    carol = client_for("carol")
    session = carol.cookies.get("dunbar_session")
    token = carol.get("/account").text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    assert carol.post("/logout", data={"csrf_token": token}, follow_redirects=False).status_code == 303
    carol.cookies.set("dunbar_session", session or "", domain="testserver.local")
    assert carol.get("/api/v1/account").status_code == 401


def test_users_cli(server_url: str) -> None:
    cli = Cli(server_url)
    made = cli(
        "users", "add", "dana", "--name", "Dana Example", "--password-stdin", "--json", input="a long enough password\n"
    ).json()
    assert made["username"] == "dana"
    assert "dana" in [u["username"] for u in cli("users", "list", "--json").json()]
    short = cli("users", "add", "erin", "--password-stdin", input="short\n", ok=False)
    assert short.exit_code == 2
    assert "at least 10" in short.stderr
    dup = cli("users", "add", "dana", "--password-stdin", input="a long enough password\n", ok=False)
    assert dup.exit_code == 2
    assert "already" in dup.stderr
    # An admin can work on one user's network from the command line.
    cli("--user", "dana", "add", "Ola Nordmann", "--email", "ola@example.org")
    assert [p["name"] for p in cli("--user", "dana", "list", "--json").json()] == ["Ola Nordmann"]
    assert cli("--user", "alice", "list", "--json").json() == []
    cli("users", "disable", "dana")
    assert cli("users", "list", "--json").json()[-1]["disabled"] is True


def test_sign_in_page_works_in_a_form(anonymous: TestClient) -> None:
    sign_in(anonymous, "alice")
    page = anonymous.get("/people")
    assert page.status_code == 200
    assert "Alice Example" in page.text


def test_db_upgrade_and_a_worker_that_refuses_an_older_network(server_url: str, server: Any) -> None:
    from dunbar.errors import StoreError
    from dunbar.web import create_app

    cli = Cli(server_url)
    assert cli("db", "upgrade", "--json").json()["upgraded_users"] == []
    # A network left behind (as after installing a newer release): a worker process will not migrate it itself
    # (several would race), it asks for `dunbar db upgrade` instead.
    server.execute('UPDATE "u_2".alembic_version SET version_num = :v', {"v": "0004"})
    with pytest.raises(StoreError, match="older than this release") as refused:
        create_app(server_url, server=True, allowed_hosts=["testserver"])
    assert "dunbar db upgrade" in (refused.value.hint or "")

"""Hostile values at the team server's own doors (the browser drill is tests/e2e/test_e2e_server.py): the
``users add`` command, the sign-in form and its ``next`` address. A refusal is a clear 4xx (exit status 2 on the
command line) and leaves nothing half made; nothing ends in a 5xx."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Cli
from tests.server.conftest import PASSWORD

SCRIPT = "<script>window.__xss=1</script>"
ATTR = '"\'><img src=x onerror="window.__xss=1">'


@pytest.fixture(scope="module")
def shared(module_server_url: str) -> Iterator[Any]:
    """The accounts handle of this module's server database (tests here compare before and after)."""
    from dunbar.server import open_server

    handle = open_server(module_server_url)
    yield handle
    handle.close()


@pytest.fixture(scope="module")
def shared_app(module_server_url: str) -> Any:
    from dunbar.web import create_app

    return create_app(module_server_url, server=True, allowed_hosts=["testserver"])


@pytest.fixture
def visitor(shared_app: Any) -> Iterator[TestClient]:
    with TestClient(shared_app, base_url="https://testserver") as client:
        yield client


def _accounts(server: Any) -> int:
    return int(server.scalar("SELECT count(*) FROM dunbar_server.account"))


def _form_token(client: TestClient, path: str = "/login") -> str:
    page = client.get(path)
    return page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]


def test_users_add_refuses_a_bad_address_before_making_anything(module_server_url: str, shared: Any) -> None:
    cli = Cli(module_server_url)
    before = _accounts(shared)
    res = cli("users", "add", "mallory", "--name", SCRIPT, "--email", f"{ATTR}@x.example", "--password-stdin",
              input=PASSWORD + "\n", ok=False)  # fmt: skip
    assert res.exit_code == 2
    assert "not an e-mail address" in res.stderr
    assert "Traceback" not in res.stderr
    # Nothing half made: no account, no schema, and the name is still free.
    assert _accounts(shared) == before
    schemas = shared.scalar("SELECT count(*) FROM information_schema.schemata WHERE schema_name LIKE 'u\\_%'")
    assert schemas == before
    added = cli("users", "add", "mallory", "--name", SCRIPT, "--email", "m@x.example", "--password-stdin", "--json",
                input=PASSWORD + "\n")  # fmt: skip
    assert added.json()["display_name"] == SCRIPT


@pytest.mark.parametrize(
    "username",
    [
        "alice' --",
        "' OR '1'='1",
        "alice'; DROP TABLE dunbar_server.account; --",
        SCRIPT,
        ATTR,
        "\u0430lice",  # a Cyrillic а: looks like alice, is not
        "alice\u200b",  # a zero-width space after the name
        "alice\x00",
        "x" * 200,
    ],
)
def test_hostile_user_names_at_sign_in_are_refused_as_text(visitor: TestClient, shared: Any, username: str) -> None:
    before = _accounts(shared)
    token = _form_token(visitor)
    res = visitor.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
    assert res.status_code in (400, 401), res.text
    assert "dunbar_session" not in res.headers.get("set-cookie", "")
    assert SCRIPT not in res.text  # what was typed comes back escaped
    assert ATTR not in res.text
    assert _accounts(shared) == before
    assert visitor.get("/api/v1/account").status_code == 401


@pytest.mark.parametrize(
    ("next_", "lands"),
    [
        ("//evil.example/", "/"),
        ("https://evil.example/", "/"),
        ("javascript:alert(1)", "/"),
        ("/\\evil.example", "/"),
        ("/\t/evil.example", "/%09/evil.example"),  # a browser drops a raw tab, never an escaped one
        ("/people\r\nSet-Cookie: dunbar_session=x", "/people%0D%0ASet-Cookie:%20dunbar_session=x"),
    ],
)
def test_the_next_address_stays_on_this_server(visitor: TestClient, next_: str, lands: str) -> None:
    token = _form_token(visitor)
    res = visitor.post(
        "/login",
        data={"username": "alice", "password": PASSWORD, "csrf_token": token, "next": next_},
        follow_redirects=False,
    )
    assert res.status_code == 303
    assert res.headers["location"] == lands
    assert len(res.headers.get_list("set-cookie")) == 1  # only the session; no header was smuggled in


def test_a_display_name_cannot_hide_behind_a_direction_override(server: Any) -> None:
    from dunbar.errors import InvalidInput
    from dunbar.server import accounts
    from tests.server.conftest import NOW, PASSWORD

    with pytest.raises(InvalidInput):
        accounts.add_user(server, "zed", PASSWORD, now=NOW, display_name="zed \u202etxt.exe")
    assert "zed" not in [a.username for a in accounts.list_users(server)]

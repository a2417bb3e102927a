"""The team server on a real PostgreSQL: a template database with three users (alice, bob, carol) made once per
run, then one fresh copy per test (``CREATE DATABASE … TEMPLATE``), so a test never pays for migrations."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import PG_ADMIN_URL, _pg_admin, _pg_url, pg_copy

PASSWORD = "correct horse battery"
USERS = ("alice", "bob", "carol")
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def server_template() -> Iterator[tuple[Any, str]]:
    admin = _pg_admin()
    if admin is None:
        pytest.skip(f"the team server needs PostgreSQL; none reachable at {PG_ADMIN_URL}")
    from dunbar.server import accounts, open_server

    name = f"dunbar_srv_tpl_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    server = open_server(_pg_url(name))
    for username in USERS:
        accounts.add_user(
            server,
            username,
            PASSWORD,
            now=NOW,
            display_name=username.title() + " Example",
            email=f"{username}@example.org",
            admin=username == "alice",
        )
    server.close()
    yield admin, name
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def server_url(server_template: tuple[Any, str]) -> Iterator[str]:
    with pg_copy(*server_template, prefix="dunbar_srv") as url:
        yield url


@pytest.fixture(scope="module")
def module_server_url(server_template: tuple[Any, str]) -> Iterator[str]:
    """One copy for a whole test module (a copy and its removal cost a few seconds on a busy machine), for tests
    that compare before and after rather than expect an untouched database."""
    with pg_copy(*server_template, prefix="dunbar_srv") as url:
        yield url


@pytest.fixture
def server(server_url: str) -> Iterator[Any]:
    """The accounts handle of the test's server database."""
    from dunbar.server import open_server

    handle = open_server(server_url)
    yield handle
    handle.close()


@pytest.fixture
def server_app(server_url: str) -> Any:
    from dunbar.web import create_app

    return create_app(server_url, server=True, allowed_hosts=["testserver"], today=NOW.date())


def sign_in(client: TestClient, username: str, password: str = PASSWORD) -> TestClient:
    """Sign ``client`` in through the real form (CSRF token included); the session cookie stays on it."""
    page = client.get("/login")
    token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    res = client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token}, follow_redirects=False
    )
    assert res.status_code == 303, res.text
    return client


def csrf(client: TestClient) -> str:
    return str(client.get("/api/v1/csrf").json()["token"])


@pytest.fixture
def client_for(server_app: Any) -> Iterator[Callable[[str], TestClient]]:
    """A browser-like client signed in as the given user (https, so the Secure cookies travel)."""
    made: list[TestClient] = []

    def make(username: str) -> TestClient:
        client = TestClient(server_app, base_url="https://testserver")
        client.__enter__()
        made.append(client)
        return sign_in(client, username)

    yield make
    for client in made:
        client.__exit__(None, None, None)


@pytest.fixture
def anonymous(server_app: Any) -> Iterator[TestClient]:
    with TestClient(server_app, base_url="https://testserver") as client:
        yield client

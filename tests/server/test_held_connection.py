"""A web request's handle on the team server holds one pooled connection: its user's schema on the session's search
path while it holds it, never on the connection once it is back in the pool, and writes committed as before."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, event

from dunbar.server import accounts
from dunbar.store.db import SqlAlchemyDb
from tests.server.conftest import NOW


@pytest.fixture
def one_connection(server_url: str) -> Any:
    """An engine whose pool has exactly one connection, so every handle gets the same one."""
    engine = create_engine(
        server_url.replace("postgresql://", "postgresql+psycopg://", 1), pool_size=1, max_overflow=0, pool_timeout=5
    )
    yield engine
    engine.dispose()


def _path(db: SqlAlchemyDb) -> str:
    return str(db.scalar("SHOW search_path"))


def test_the_schema_leaves_with_the_connection(server: Any, one_connection: Any) -> None:
    alice = accounts.get_user(server, "alice")
    plain = SqlAlchemyDb(one_connection, owns_engine=False)
    default = _path(plain)
    held = SqlAlchemyDb(one_connection, schema=alice.schema_name, owns_engine=False, hold=True)
    assert _path(held) == alice.schema_name
    assert held.scalar("SELECT display_name FROM person WHERE is_me") == "Alice Example"
    held.release()
    # The same (only) connection, lent to a handle without a schema: the user's path is gone.
    assert _path(plain) == default
    assert plain.scalar("SELECT count(*) FROM information_schema.tables WHERE table_name = 'person'") >= 1
    with pytest.raises(Exception, match="person"):
        plain.scalar("SELECT count(*) FROM person")


def test_a_held_handle_commits_each_statement_and_rolls_back_a_failed_transaction(
    server: Any, one_connection: Any
) -> None:
    bob = accounts.get_user(server, "bob")
    held = SqlAlchemyDb(one_connection, schema=bob.schema_name, owns_engine=False, hold=True)
    held.execute("INSERT INTO tag (name, name_fold) VALUES ('kept', 'kept')")
    with pytest.raises(RuntimeError), held.transaction():
        held.execute("INSERT INTO tag (name, name_fold) VALUES ('undone', 'undone')")
        assert held.in_transaction
        raise RuntimeError("half-way")
    with held.transaction():
        held.execute("INSERT INTO tag (name, name_fold) VALUES ('whole', 'whole')")
    with pytest.raises(Exception, match=r"duplicate|unique"):
        held.execute("INSERT INTO tag (name, name_fold) VALUES ('kept', 'kept')")
    assert held.scalar("SELECT count(*) FROM tag WHERE name = 'kept'") == 1  # usable after a failed statement
    held.release()
    other = accounts.user_db(server, bob)  # another connection: everything committed is there
    assert [r[0] for r in other.rows("SELECT name FROM tag ORDER BY name")] == ["kept", "whole"]
    # After release the handle still works, borrowing a connection per statement as a plain handle does.
    assert held.scalar("SELECT count(*) FROM tag") == 2


def test_a_request_borrows_two_connections_at_most(server: Any, server_app: Any) -> None:
    """The sign-in look-up and the user's network, whatever number of statements the route runs."""
    alice = accounts.get_user(server, "alice")
    _, token = accounts.create_token(server, alice, "test", now=NOW)
    with TestClient(server_app, base_url="https://testserver") as client:
        auth = {"Authorization": f"Bearer {token}"}
        pid = client.post("/api/v1/people", json={"name": "Ana Lima"}, headers=auth).json()["id"]
        engine = server_app.state.dunbar.engine
        checkouts: list[int] = []
        event.listen(engine.pool, "checkout", lambda *a: checkouts.append(1))
        for path in (f"/api/v1/people/{pid}", "/api/v1/agenda", "/api/v1/search?q=ana", "/people"):
            checkouts.clear()
            res = client.get(path, headers=auth)
            assert res.status_code == 200, res.text
            assert len(checkouts) <= 2, path
        checkouts.clear()
        res = client.post(
            "/api/v1/interactions", json={"summary": "coffee", "people": [pid], "kind": "call"}, headers=auth
        )
        assert res.status_code == 201, res.text
        assert len(checkouts) <= 2

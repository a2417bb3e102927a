"""``dunbar mcp``: the Model Context Protocol server, through the mcp package's own client, on a real SQLite file.

The in-process tests drive the server as an assistant would (list tools, call them, read structured results and
tool errors); one test starts ``dunbar mcp`` as a real subprocess over stdio.
"""

from __future__ import annotations

import os
import sys
from datetime import UTC, date, datetime
from typing import Any

import anyio
import pytest

from dunbar import interactions, people
from dunbar.mcp_server import PATHS_NOT_AVAILABLE, build_server
from dunbar.store import open_db

TODAY = date(2026, 11, 25)


@pytest.fixture
def network(sqlite_url: str) -> str:
    now = datetime(2026, 9, 1, 12, tzinfo=UTC)
    with open_db(sqlite_url) as db:
        people.set_me(db, name="Jordan Avery", emails=["jordan@example.org"], now=now)
        ana = people.add_person(db, people.PersonChanges(name="Ana Lima", emails=["ana@acme.example"]), now=now)
        people.add_person(db, people.PersonChanges(name="Ana Souza", organization="Globex"), now=now)
        bo = people.add_person(db, people.PersonChanges(name="Bo Chen", how_met="rust meetup"), now=now)
        interactions.log_interaction(db, summary="rust conference dinner", people=[ana, bo], occurred_at=now, now=now)
        recent = datetime(2026, 11, 20, 12, tzinfo=UTC)
        interactions.log_interaction(db, summary="call about the offer", people=[bo], occurred_at=recent, now=recent)
    return sqlite_url


def run(url: str, calls: list[tuple[str, dict[str, Any]]]) -> list[Any]:
    """Call these tools in order through an MCP client session; the results."""
    from mcp.client import Client

    async def go() -> list[Any]:
        out = []
        async with Client(build_server(url, today=TODAY)) as client:
            for name, args in calls:
                out.append(await client.call_tool(name, args))
        return out

    return anyio.run(go)


def test_tools_are_listed_with_their_schemas(network: str) -> None:
    from mcp.client import Client

    async def go() -> Any:
        async with Client(build_server(network, today=TODAY)) as client:
            return await client.list_tools()

    tools = {t.name: t for t in anyio.run(go).tools}
    assert set(tools) == {"who_to_contact_today", "show_person", "search", "log_interaction", "find_path"}
    assert tools["log_interaction"].input_schema["required"] == ["summary", "people"]
    assert "person" in tools["show_person"].input_schema["properties"]
    assert all(t.description for t in tools.values())


def test_show_search_and_log(network: str) -> None:
    shown, found, logged, again = run(
        network,
        [
            ("show_person", {"person": "ana@acme.example"}),
            ("search", {"query": "rust"}),
            ("log_interaction", {"summary": "coffee", "people": ["Bo Chen", "ana@acme.example"], "when": "yesterday"}),
            ("show_person", {"person": "Bo"}),
        ],
    )
    assert not shown.is_error
    person = shown.structured_content
    assert person["name"] == "Ana Lima"
    assert person["recent"][0]["summary"] == "rust conference dinner"
    assert 0 <= person["strength"]["score"] <= 100

    hits = found.structured_content["result"]
    assert {(h["kind"], h["snippet"]) for h in hits} >= {("interaction", "[rust] conference dinner")}
    assert any(h["kind"] == "person" and h["people"][0]["name"] == "Bo Chen" for h in hits)

    assert not logged.is_error
    interaction = logged.structured_content
    assert interaction["occurred_at"].startswith("2026-11-24")
    assert {p["name"] for p in interaction["with"]} == {"Ana Lima", "Bo Chen"}
    assert again.structured_content["recent"][0]["summary"] == "coffee"
    with open_db(network) as db:
        assert interactions.get_interaction(db, interaction["id"])["summary"] == "coffee"


def test_errors_come_back_as_tool_errors_with_advice(network: str) -> None:
    ambiguous, missing, future, path = run(
        network,
        [
            ("show_person", {"person": "Ana"}),
            ("show_person", {"person": "Zed Nobody"}),
            ("log_interaction", {"summary": "later", "people": ["Bo Chen"], "when": "2027-03-01"}),
            ("find_path", {"target": "Globex"}),
        ],
    )
    assert ambiguous.is_error
    text = ambiguous.content[0].text
    assert "Ana Lima (#" in text
    assert "Ana Souza (#" in text
    assert missing.is_error
    assert "nobody called 'Zed Nobody'" in missing.content[0].text
    assert future.is_error
    assert "in the future" in future.content[0].text
    assert path.is_error
    assert PATHS_NOT_AVAILABLE in path.content[0].text
    with open_db(network) as db:
        assert db.scalar("SELECT count(*) FROM interaction") == 2, "a failed call changed nothing"


def test_who_to_contact_today(network: str) -> None:
    (result,) = run(network, [("who_to_contact_today", {"limit": 5})])
    assert not result.is_error
    body = result.structured_content
    names = [item.get("name") or item.get("person", {}).get("name") for item in body["items"]]
    assert "Jordan Avery" not in names
    if body["source"] != "agenda":
        # Without the agenda: people not heard from in 30 days (Bo was called 5 days ago).
        assert names == ["Ana Lima", "Ana Souza"]


def test_dunbar_mcp_over_stdio(network: str) -> None:
    """The real command: a subprocess speaking MCP on its standard input and output."""
    from mcp.client import Client
    from mcp.client.stdio import StdioServerParameters

    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "dunbar", "--db", network, "--today", TODAY.isoformat(), "mcp"],
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )

    async def go() -> Any:
        with anyio.fail_after(60):
            async with Client(params) as client:
                tools = await client.list_tools()
                shown = await client.call_tool("show_person", {"person": "#2"})
                return tools, shown

    tools, shown = anyio.run(go)
    assert len(tools.tools) == 5
    assert shown.structured_content["name"] == "Ana Lima"


def test_dunbar_mcp_without_a_database_says_so(tmp_path: Any) -> None:
    from tests.conftest import Cli

    res = Cli(str(tmp_path / "missing.db"))("mcp", ok=False)
    assert res.exit_code == 2
    assert "no dunbar database" in res.stderr

"""A Model Context Protocol server, so that an AI assistant can ask dunbar who to contact today, show and search
people, and log an interaction: the same service functions as the CLI and the web app.

``dunbar mcp`` runs it over stdio. Each tool returns JSON-ready data in the shapes of docs/json.md; a
``DunbarError`` becomes a tool error whose text is the message and its hint, which the assistant can read out.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any, Literal, TypeVar

from pydantic import Field
from pydantic_core import to_jsonable_python

from dunbar.errors import DunbarError
from dunbar.store.db import Db

T = TypeVar("T")

INSTRUCTIONS = (
    "dunbar is the user's personal relationship manager: the people in their professional network, what "
    "happened with each (interactions), and who is due for a catch-up. People can be named by id (#12), e-mail, "
    "LinkedIn URL, phone or name; when a name is ambiguous the error lists the candidates: ask the user which "
    "one they mean. Log an interaction only when the user says it happened."
)
# Until the agenda lands, "who to contact" falls back to people not heard from in this many days.
QUIET_DAYS = 30
PATHS_NOT_AVAILABLE = (
    "finding a warm path through people you know is not available yet in this version of dunbar; "
    "use search to find people at the organization instead"
)

Kind = Literal["meeting", "call", "video", "email", "message", "event", "note"]


class Service:
    """One database for the server's life, used by one tool call at a time (a tool call is short)."""

    def __init__(self, url: str, *, today: date | None = None) -> None:
        self.url = url
        self.today_override = today
        self._db: Db | None = None
        self._lock = threading.Lock()

    def today(self) -> date:
        return self.today_override or date.today()

    def now(self) -> datetime:
        """Now, or noon of the overridden day in the local time zone (as the CLI's ``--today`` does)."""
        if self.today_override is None:
            return datetime.now(UTC)
        return datetime.combine(self.today_override, time(12, 0)).astimezone().astimezone(UTC)

    def open(self) -> Db:
        if self._db is None:
            from dunbar.store import open_db

            self._db = open_db(self.url)
        return self._db

    @contextmanager
    def db(self) -> Iterator[Db]:
        with self._lock:
            yield self.open()

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def call(self, fn: Callable[[Db], T]) -> Any:
        """Run ``fn`` on the database; its result as JSON-ready data, a library error as a tool error."""
        from mcp.server.mcpserver.exceptions import ToolError

        try:
            with self.db() as db:
                return to_jsonable_python(fn(db))
        except DunbarError as exc:
            message = exc.message + (f" (hint: {exc.hint})" if exc.hint else "")
            raise ToolError(message) from exc


# What each tool does, as plain functions of a database (the tests call them through a real MCP client too).


def who_to_contact(db: Db, *, today: date, now: datetime, limit: int) -> dict[str, Any]:
    import importlib.util

    # The agenda is the better answer (reasons, hooks, promises due); a release without it still answers.
    if importlib.util.find_spec("dunbar.agenda") is not None:
        agenda = importlib.import_module("dunbar.agenda")
        return {"source": "agenda", "items": agenda.today(db, today=today, now=now, limit=limit)}
    from dunbar import people

    quiet = people.list_people(
        db,
        people.ListQuery(not_contacted_since=today - timedelta(days=QUIET_DAYS), sort="last-contact", limit=limit),
    )
    return {
        "source": f"people not contacted in the last {QUIET_DAYS} days, most recently in touch first",
        "items": quiet,
    }


def person_details(db: Db, ref: str, *, now: datetime) -> dict[str, Any]:
    from dunbar import interactions, people

    pid = people.resolve(db, ref)
    person = people.get_person(db, pid)
    person["recent"] = interactions.recent(db, pid, 5)
    if not person["is_me"]:
        from dunbar import strength

        person["strength"] = strength.explain(db, pid, now=now)
    return person


def search_everything(db: Db, query: str, *, limit: int) -> list[dict[str, Any]]:
    from dunbar import search

    return [h.as_dict() for h in search.search(db, query, limit=limit)]


def log(
    db: Db,
    *,
    summary: str,
    people_refs: list[str],
    kind: str,
    when: str | None,
    initiator: str | None,
    today: date,
    now: datetime,
) -> dict[str, Any]:
    from dunbar import interactions, people
    from dunbar.cli.interactions import occurred_at

    ids = [people.resolve(db, ref) for ref in people_refs]
    at = occurred_at(when, None, today=today, now=now)
    iid = interactions.log_interaction(
        db, summary=summary, people=ids, kind=kind, occurred_at=at, initiator=initiator, now=now
    )
    return interactions.get_interaction(db, iid)


def build_server(url: str, *, today: date | None = None) -> Any:
    """The MCP server over the database at ``url``; ``today`` pretends it is that day (tests and demos)."""
    from mcp.server.mcpserver import MCPServer
    from mcp.server.mcpserver.exceptions import ToolError

    from dunbar import __version__

    service = Service(url, today=today)
    server = MCPServer(name="dunbar", version=__version__, instructions=INSTRUCTIONS, log_level="WARNING")

    @server.tool()
    def who_to_contact_today(
        limit: Annotated[int, Field(ge=1, le=100, description="How many people at most")] = 10,
    ) -> dict[str, Any]:
        """Who the user should get in touch with today, and why."""
        result: dict[str, Any] = service.call(
            lambda db: who_to_contact(db, today=service.today(), now=service.now(), limit=limit)
        )
        return result

    @server.tool()
    def show_person(
        person: Annotated[str, Field(description='Who: "#12", an e-mail, a LinkedIn URL, a phone or a name')],
    ) -> dict[str, Any]:
        """Everything about one person: contact details, jobs, notes, tags, recent interactions and strength."""
        result: dict[str, Any] = service.call(lambda db: person_details(db, person, now=service.now()))
        return result

    @server.tool()
    def search(
        query: Annotated[str, Field(min_length=1, description="Words to find; each must match as a word prefix")],
        limit: Annotated[int, Field(ge=1, le=100)] = 20,
    ) -> list[dict[str, Any]]:
        """Search people, notes and interactions; matched words are shown in [brackets]."""
        result: list[dict[str, Any]] = service.call(lambda db: search_everything(db, query, limit=limit))
        return result

    @server.tool()
    def log_interaction(
        summary: Annotated[str, Field(min_length=1, description="What happened, in a few words")],
        people: Annotated[list[str], Field(min_length=1, description="Who it was with (ids, e-mails or names)")],
        kind: Kind = "meeting",
        when: Annotated[
            str | None, Field(description="YYYY-MM-DD, YYYY-MM-DDTHH:MM, today, yesterday or '3d ago'; now if omitted")
        ] = None,
        initiator: Annotated[Literal["me", "them"] | None, Field(description="Who reached out")] = "me",
    ) -> dict[str, Any]:
        """Record an interaction that happened between the user and these people."""
        result: dict[str, Any] = service.call(
            lambda db: log(
                db,
                summary=summary,
                people_refs=people,
                kind=kind,
                when=when,
                initiator=initiator,
                today=service.today(),
                now=service.now(),
            )
        )
        return result

    @server.tool()
    def find_path(
        target: Annotated[str, Field(description="A person or an organization to reach")],
    ) -> dict[str, Any]:
        """A warm route from the user through people they know to a person or organization (not available yet)."""
        raise ToolError(PATHS_NOT_AVAILABLE)

    server.dunbar_service = service  # type: ignore[attr-defined]
    return server

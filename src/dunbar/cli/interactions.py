"""interactions commands: ``dunbar log`` and ``dunbar timeline``."""

import re
from datetime import date, datetime, time
from typing import Annotated, Any

import typer

from dunbar.cli.app import app, state
from dunbar.cli.output import JsonFlag, console, emit_json, escape, table, when

_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d")


def _parse_clock(text: str) -> time:
    from dunbar.errors import InvalidInput

    try:
        hours, _, minutes = text.strip().partition(":")
        return time(int(hours), int(minutes or 0))
    except ValueError:
        raise InvalidInput(f"not a time: {text!r}", hint="use HH:MM on a 24-hour clock, like 09:30 or 18:00") from None


def occurred_at(on: str | None, at: str | None, *, today: date, now: datetime) -> datetime:
    """When an interaction happened, from ``--on`` and ``--at`` (local time), as an aware time.

    No ``--on`` and no ``--at`` means now; a day without ``--at`` means noon of that day, except today, which means
    now; an ISO datetime (``2026-11-20T09:30``, with or without an offset) is taken as given.
    """
    from dunbar.text import parse_date

    if on is not None and _DATETIME.match(on.strip()):
        if at is not None:
            from dunbar.errors import InvalidInput

            raise InvalidInput("--on already has a time; --at cannot add another", hint="give only one of them")
        try:
            dt = datetime.fromisoformat(on.strip())
        except ValueError:
            from dunbar.errors import InvalidInput

            raise InvalidInput(
                f"not a date or time: {on!r}", hint="use YYYY-MM-DD, YYYY-MM-DDTHH:MM, today, yesterday or 3d ago"
            ) from None
        return dt if dt.tzinfo else dt.astimezone()
    day = parse_date(on, today=today) if on is not None else today
    if at is not None:
        return datetime.combine(day, _parse_clock(at)).astimezone()
    if day == today:
        return now
    return datetime.combine(day, time(12, 0)).astimezone()


def _names(people: list[dict[str, Any]]) -> str:
    return ", ".join(str(p["name"]) for p in people)


@app.command("log")
def log_command(
    ctx: typer.Context,
    summary: Annotated[str, typer.Argument(help="What happened, in a few words.")],
    with_: Annotated[
        list[str],
        typer.Option(
            "--with", "-w", metavar="PERSON", help="Who it was with (name, #id, e-mail…); repeat for several."
        ),
    ],
    kind: Annotated[
        str, typer.Option("--kind", "-k", help="meeting, call, video, email, message, event or note.")
    ] = "meeting",
    on: Annotated[
        str | None,
        typer.Option("--on", metavar="DATE", help="YYYY-MM-DD, today, yesterday, 3d ago, or YYYY-MM-DDTHH:MM."),
    ] = None,
    at: Annotated[str | None, typer.Option("--at", metavar="HH:MM", help="The local time of day.")] = None,
    they_started: Annotated[bool, typer.Option("--they-started", help="They reached out, not me.")] = False,
    favour: Annotated[
        str | None,
        typer.Option(
            "--favour",
            metavar="KIND[:DIRECTION]",
            help="A favour done in it, with the first --with person: advice (received), introduction:given…",
        ),
    ] = None,
    follow_up: Annotated[
        tuple[str, str] | None,
        typer.Option(
            "--follow-up",
            metavar="DURATION TEXT",
            help='A promise to the first --with person, due after DURATION (or on a date): 2w "send the article".',
        ),
    ] = None,
    json: JsonFlag = False,
) -> None:
    """Log an interaction: a meeting, call, message… with one or more people."""
    from dunbar import interactions, people

    st = state(ctx)
    db = st.db()
    now = st.now()
    check_kind = interactions.check_kind(kind)
    when_at = occurred_at(on, at, today=st.today, now=now)
    ids = [people.resolve(db, ref) for ref in with_]
    promised = None
    if follow_up is not None:
        from dunbar.cli.agenda import until

        # Due counted from the day it happened: "in two weeks" said at last Friday's lunch.
        promised = (until(follow_up[0], today=when_at.astimezone().date()), follow_up[1])
    with db.transaction():  # the interaction and its favour, or neither
        iid = interactions.log_interaction(
            db,
            summary=summary,
            people=ids,
            kind=check_kind,
            occurred_at=when_at,
            initiator="them" if they_started else "me",
            now=now,
        )
        if favour is not None:
            from dunbar.cli.ledger import log_favour

            logged = log_favour(
                db, favour, person_id=ids[0], interaction_id=iid, on=when_at.astimezone().date(), now=now
            )
        if promised is not None:
            from dunbar import followups

            follow_up_id = followups.add(db, ids[0], promised[1], promised[0], now=now, interaction_id=iid)
    item = interactions.get_interaction(db, iid)
    promise = followups.get(db, follow_up_id) if promised is not None else None
    if json:
        emit_json({**item, "favour": logged if favour is not None else None, "follow_up": promise})
        return
    day = item["occurred_at"].astimezone().date().isoformat()
    console().print(f"Logged {item['kind']} with {escape(_names(item['with']))} on {day}.")
    if favour is not None:
        console().print(f"Recorded favour #{logged['id']}: {escape(logged['text'])}.")
    if promise is not None:
        console().print(
            f"Follow-up #{promise['id']}: {escape(promise['text'])} ({escape(promise['person']['name'])}), "
            f"due {promise['due_on'].isoformat()}."
        )


@app.command("timeline")
def timeline_command(
    ctx: typer.Context,
    person: Annotated[str, typer.Argument(help="Who (name, #id, e-mail…); `me` for everything.")],
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="How many interactions to show.")] = 50,
    json: JsonFlag = False,
) -> None:
    """Show what happened with a person, newest first."""
    from dunbar import interactions, people

    st = state(ctx)
    db = st.db()
    pid = people.resolve(db, person)
    items = interactions.timeline(db, pid, limit=limit)
    who = people.summary(db, [pid]).get(pid, {"id": pid, "name": None})
    if json:
        emit_json({"person": {"id": pid, "name": who.get("name")}, "interactions": items})
        return
    out = console()
    name = escape(who.get("name") or f"#{pid}")
    if not items:
        out.print(f'No interactions with {name} yet. Log one: dunbar log "what happened" --with "{name}"')
        return
    t = table("date", "kind", "started", "with", "summary", title=f"{name}: last {len(items)} interactions")
    for item in items:
        t.add_row(
            when(item["occurred_at"].astimezone(), today=st.today),
            item["kind"],
            item["initiator"] or "-",
            escape(_names(item["with"])) or "-",
            escape(item["summary"]),
        )
    out.print(t)

"""agenda commands: ``dunbar today``, ``done``, ``snooze``, ``skip``, ``dormant`` and ``dunbar follow-ups``."""

from datetime import date
from typing import Annotated, Any

import typer

from dunbar.cli.app import State, app, state
from dunbar.cli.errors import DunbarGroup
from dunbar.cli.output import JsonFlag, console, emit_json, escape, table

follow_ups_app = typer.Typer(
    cls=DunbarGroup,
    name="follow-ups",
    help="Promises and reminders: list them; done, snooze or cancel one.",
    invoke_without_command=True,
    no_args_is_help=False,
    rich_markup_mode=None,
)
app.add_typer(follow_ups_app)


def until(text: str, *, today: date) -> date:
    """``2w``, ``3d``, ``1m`` from today, or a date (``2026-12-24``, ``tomorrow`` is not a thing: use 1d)."""
    from dunbar.errors import InvalidInput
    from dunbar.text import parse_duration

    try:
        return today + parse_duration(text)
    except InvalidInput:
        pass
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(f"not a duration or a date: {text!r}", hint="use like 3d, 2w, 1m, or YYYY-MM-DD") from None


def print_agenda(st: State, items: list[dict[str, Any]], *, out: Any = None) -> None:
    """The day's list as calm, numbered lines: who, why now, and something to talk about."""
    out = out or console()
    if not items:
        out.print("Nobody needs you today. Enjoy the quiet; `dunbar dormant` shows ties worth reviving.")
        return
    # One print of the whole text: Rich's per-call overhead is most of this command's output time.
    lines = [f"[bold]Today, {st.today.strftime('%A %d %B')}[/bold]: {len(items)} to reach out to"]
    for k, item in enumerate(items, 1):
        who = item["person"]
        job = ", ".join(escape(x) for x in (who.get("title"), who.get("organization")) if x)
        lines.append("")
        lines.append(f"{k:>2}. [bold]{escape(who['name'])}[/bold]" + (f"  [dim]{job}[/dim]" if job else ""))
        lines.append(f"    why now: {escape('; '.join(item['reasons']))}")
        if item["hook"]:
            lines.append(f"    [dim]{escape(item['hook'])}[/dim]")
    lines.append("")
    lines.append(
        '[dim]When you have reached out: dunbar done NAME [--note "…"]; not now: dunbar snooze NAME 2w, '
        "dunbar skip NAME[/dim]"
    )
    out.print("\n".join(lines), soft_wrap=True)


@app.command("today")
def today_command(
    ctx: typer.Context,
    limit: Annotated[
        int | None, typer.Option("--limit", "-n", min=1, help="How many people (default 5, or the setting).")
    ] = None,
    json: JsonFlag = False,
) -> None:
    """Who to reach out to today, why now, and what to talk about."""
    from dunbar import agenda

    st = state(ctx)
    items = agenda.today(st.db(), today=st.today, now=st.now(), limit=limit)
    if json:
        emit_json({"date": st.today, "items": items})
        return
    print_agenda(st, items)


@app.command("done")
def done_command(
    ctx: typer.Context,
    person: Annotated[str, typer.Argument(help="Who you reached out to (name, #id, e-mail…).")],
    note: Annotated[str | None, typer.Option("--note", help="What you talked about (the summary).")] = None,
    kind: Annotated[
        str, typer.Option("--kind", "-k", help="meeting, call, video, email, message, event or note.")
    ] = "message",
    json: JsonFlag = False,
) -> None:
    """You reached out: log the touch and take them off today's list."""
    from dunbar import agenda, followups, interactions, people

    st = state(ctx)
    db = st.db()
    pid = people.resolve(db, person)
    iid = agenda.done(db, pid, now=st.now(), note=note, kind=kind)
    still = followups.list_(db, person_id=pid, due_before=st.today)
    item = interactions.get_interaction(db, iid)
    if json:
        emit_json({"interaction": item, "open_follow_ups": still})
        return
    name = item["with"][0]["name"] if item["with"] else f"#{pid}"
    out = console()
    out.print(f"Done: logged a {item['kind']} with {escape(name)}.")
    for f in still:
        out.print(
            f"Still open: follow-up #{f['id']} {escape(f['text'])} (dunbar follow-ups done {f['id']})", soft_wrap=True
        )


@app.command("snooze")
def snooze_command(
    ctx: typer.Context,
    person: Annotated[str, typer.Argument(help="Who (name, #id, e-mail…).")],
    duration: Annotated[str, typer.Argument(metavar="DURATION|DATE", help="How long: 3d, 2w, 1m, or a date.")],
) -> None:
    """Not now: keep someone off the agenda for a while."""
    from dunbar import agenda, people

    st = state(ctx)
    db = st.db()
    pid = people.resolve(db, person)
    day = until(duration, today=st.today)
    agenda.snooze(db, pid, day, today=st.today)
    name = people.summary(db, [pid])[pid]["name"]
    console().print(f"Snoozed {escape(name)} until {day.isoformat()}.")


@app.command("skip")
def skip_command(
    ctx: typer.Context,
    person: Annotated[str, typer.Argument(help="Who (name, #id, e-mail…).")],
) -> None:
    """Not today: leave someone off today's list; the next in line takes the place."""
    from dunbar import agenda, people

    st = state(ctx)
    db = st.db()
    pid = people.resolve(db, person)
    agenda.skip(db, pid, today=st.today)
    name = people.summary(db, [pid])[pid]["name"]
    console().print(f"Skipped {escape(name)} for today.")


@app.command("dormant")
def dormant_command(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="How many people.")] = 20,
    json: JsonFlag = False,
) -> None:
    """Connected is not the end: ties worth reviving, the most valuable first."""
    from dunbar import agenda

    st = state(ctx)
    items = agenda.dormant(st.db(), today=st.today, now=st.now(), limit=limit)
    if json:
        emit_json({"date": st.today, "items": items})
        return
    out = console()
    if not items:
        out.print("No dormant ties worth reviving: everyone you connected with has heard from you.")
        return
    t = table("#", "person", "worth", "why")
    for k, item in enumerate(items, 1):
        who = item["person"]
        t.add_row(str(k), escape(who["name"]), f"{item['value']:.0f}", escape("; ".join(item["reasons"])))
    out.print(t)
    out.print(
        "[dim]Weak ties carry most news of jobs and ideas; a short note revives one: dunbar done NAME --note …[/dim]"
    )


# Follow-ups -------------------------------------------------------------------------------------------------


@follow_ups_app.callback()
def follow_ups_list(
    ctx: typer.Context,
    all_: Annotated[bool, typer.Option("--all", help="Done and cancelled ones too.")] = False,
    json: JsonFlag = False,
) -> None:
    """Your open follow-ups, by due day (with --all, every one)."""
    if ctx.invoked_subcommand is not None:
        return
    from dunbar import followups

    st = state(ctx)
    items = followups.list_(st.db(), status=None if all_ else "open")
    if json:
        emit_json(items)
        return
    out = console()
    if not items:
        out.print(
            'No open follow-ups. Add one as you log: dunbar log "…" --with NAME --follow-up 2w "send the article"'
        )
        return
    t = table("id", "due", "person", "follow-up", "status")
    for f in items:
        due = f["due_on"]
        days = (due - st.today).days
        when = due.isoformat()
        if f["status"] == "open":
            when += " (today)" if days == 0 else f" ({-days} days late)" if days < 0 else ""
        t.add_row(str(f["id"]), when, escape(f["person"]["name"]), escape(f["text"]), f["status"])
    out.print(t)


@follow_ups_app.command("done")
def follow_up_done(
    ctx: typer.Context,
    follow_up_id: Annotated[int, typer.Argument(metavar="ID", help="The follow-up's id (see dunbar follow-ups).")],
) -> None:
    """A promise kept."""
    from dunbar import followups

    st = state(ctx)
    db = st.db()
    followups.done(db, follow_up_id, now=st.now())
    f = followups.get(db, follow_up_id)
    console().print(f"Done: {escape(f['text'])} ({escape(f['person']['name'])}).")


@follow_ups_app.command("snooze")
def follow_up_snooze(
    ctx: typer.Context,
    follow_up_id: Annotated[int, typer.Argument(metavar="ID", help="The follow-up's id.")],
    duration: Annotated[str, typer.Argument(metavar="DURATION|DATE", help="3d, 2w, 1m from today, or a date.")],
) -> None:
    """Move a follow-up to a later day."""
    from dunbar import followups

    st = state(ctx)
    db = st.db()
    day = until(duration, today=st.today)
    followups.snooze(db, follow_up_id, day)
    console().print(f"Follow-up #{follow_up_id} is now due {day.isoformat()}.")


@follow_ups_app.command("cancel")
def follow_up_cancel(
    ctx: typer.Context,
    follow_up_id: Annotated[int, typer.Argument(metavar="ID", help="The follow-up's id.")],
) -> None:
    """A promise that no longer stands."""
    from dunbar import followups

    st = state(ctx)
    followups.cancel(st.db(), follow_up_id, now=st.now())
    console().print(f"Cancelled follow-up #{follow_up_id}.")

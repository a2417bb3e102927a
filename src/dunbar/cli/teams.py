"""``dunbar teams …``: teams on the team server, opting in to share with them, and introduction requests.

An administrator makes teams and puts users on them (``teams add``, ``teams member-add``); each user then opts in
per team (``dunbar --user NAME teams share TEAM --on``). ``dunbar --user NAME who-knows ORG`` and ``path`` also
show what sharing teammates know; ``teams intro …`` asks a teammate for an introduction and answers such asks.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from dunbar.cli.app import app, state
from dunbar.cli.output import JsonFlag, console, emit_json, escape, table

teams_app = typer.Typer(help="Teams on the team server: members, opting in to share, introduction requests.")
app.add_typer(teams_app, name="teams")
intro_app = typer.Typer(help="Ask a teammate for an introduction, and accept, decline or finish the ones you get.")
teams_app.add_typer(intro_app, name="intro")

RequestId = Annotated[int, typer.Argument(metavar="ID", min=1, max=2**31 - 1, help="The request's id.")]


def server_of(ctx: typer.Context) -> Any:
    return state(ctx).server()


def signed_in(ctx: typer.Context) -> Any:
    """The account of ``--user``: the commands that act as one user need it."""
    return state(ctx).account()


def _members(team: dict[str, Any]) -> str:
    return ", ".join(f"{m['username']}{' (shares)' if m['shares'] else ''}" for m in team["members"]) or "nobody yet"


@teams_app.command("add")
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME", help="The team's name.")],
    json_: JsonFlag = False,
) -> None:
    """Make a team (an administrator's command)."""
    from dunbar.server import teams

    made = teams.create_team(server_of(ctx), name, now=state(ctx).now())
    if json_:
        emit_json(made)
        return
    console().print(f"Made the team {escape(made['name'])} (#{made['id']}). Add people: dunbar teams member-add.")


@teams_app.command("member-add")
def member_add(
    ctx: typer.Context,
    team: Annotated[str, typer.Argument(metavar="TEAM", help="The team's name or #id.")],
    user: Annotated[str, typer.Argument(metavar="USER", help="The user to put on it.")],
    json_: JsonFlag = False,
) -> None:
    """Put a user on a team; they share nothing until they opt in with `teams share`."""
    from dunbar.server import teams

    found = teams.add_member(server_of(ctx), team, user, now=state(ctx).now())
    if json_:
        emit_json(found)
        return
    console().print(f"{escape(found['name'])}: {escape(_members(found))}.")


@teams_app.command("member-remove")
def member_remove(
    ctx: typer.Context,
    team: Annotated[str, typer.Argument(metavar="TEAM", help="The team's name or #id.")],
    user: Annotated[str, typer.Argument(metavar="USER", help="The user to take off it.")],
    json_: JsonFlag = False,
) -> None:
    """Take a user off a team (what they shared with it is gone at once)."""
    from dunbar.server import teams

    found = teams.remove_member(server_of(ctx), team, user)
    if json_:
        emit_json(found)
        return
    console().print(f"{escape(found['name'])}: {escape(_members(found))}.")


@teams_app.command("list")
def list_(ctx: typer.Context, json_: JsonFlag = False) -> None:
    """With --user, that user's teams and whether they share with each; without, every team of the server."""
    from dunbar.server import teams

    server = server_of(ctx)
    mine = state(ctx).user is not None
    found = teams.my_teams(server, signed_in(ctx)) if mine else teams.list_teams(server)
    if json_:
        emit_json(found)
        return
    if not found:
        console().print("No teams yet. An administrator makes one with `dunbar teams add NAME`.")
        return
    t = table("id", "team", *(["you share"] if mine else []), "members")
    for team in found:
        share = ["yes" if team["shares"] else "no"] if mine else []
        t.add_row(str(team["id"]), escape(team["name"]), *share, escape(_members(team)))
    console().print(t)


@teams_app.command("share")
def share(
    ctx: typer.Context,
    team: Annotated[str, typer.Argument(metavar="TEAM", help="One of your teams (name or #id).")],
    on: Annotated[
        bool | None, typer.Option("--on/--off", help="Share with this team (relationships and strength only), or stop.")
    ] = None,
    json_: JsonFlag = False,
) -> None:
    """Opt in to share with a team that you know someone and how well (never notes, interactions or favours)."""
    from dunbar.errors import InvalidInput
    from dunbar.server import teams

    if on is None:
        raise InvalidInput("share or not?", hint="dunbar --user NAME teams share TEAM --on (or --off)")
    server = server_of(ctx)
    found = teams.set_sharing(server, signed_in(ctx), team, on)
    if json_:
        emit_json(found)
        return
    if found["shares"]:
        console().print(
            f"You share with {escape(found['name'])}: teammates see whom you know and how well, never your notes, "
            "interactions or favours."
        )
    else:
        console().print(f"You no longer share with {escape(found['name'])}.")


# Introductions ----------------------------------------------------------------------------------------------------


def _intro_line(r: dict[str, Any]) -> str:
    target = r["target"]["name"] + (f" ({r['target']['organization']})" if r["target"]["organization"] else "")
    if r["direction"] == "incoming":
        who = f"{r['requester']['name']} asks you to introduce them to {target}"
    else:
        who = f"you asked {r['introducer']['name']} to introduce you to {target}"
    message = f': "{r["message"]}"' if r["message"] else ""
    return f"#{r['id']} [{r['status']}] {who}{message}"


def _print_intro(r: dict[str, Any], json_: bool) -> None:
    if json_:
        emit_json(r)
        return
    console().print(escape(_intro_line(r)))


@intro_app.command("ask")
def intro_ask(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(metavar="REF", help="The contact's ref from `who-knows` or `path`.")],
    message: Annotated[str, typer.Option("--message", "-m", help="Why you ask, for your teammate.")] = "",
    json_: JsonFlag = False,
) -> None:
    """Ask the teammate who knows REF to introduce you."""
    from dunbar.server import teams

    server = server_of(ctx)
    _print_intro(teams.ask_intro(server, signed_in(ctx), ref, message, now=state(ctx).now()), json_)


@intro_app.command("list")
def intro_list(ctx: typer.Context, json_: JsonFlag = False) -> None:
    """Introduction requests to you (incoming) and from you (outgoing), newest first."""
    from dunbar.server import teams

    server = server_of(ctx)
    found = teams.list_intros(server, signed_in(ctx))
    if json_:
        emit_json(found)
        return
    out = console()
    if not found["incoming"] and not found["outgoing"]:
        out.print("No introduction requests. `dunbar --user NAME who-knows ORG` finds whom to ask.")
        return
    for key, label in (("incoming", "Asked of you"), ("outgoing", "Asked by you")):
        if found[key]:
            out.print(f"{label}:")
            for r in found[key]:
                out.print("  " + escape(_intro_line(r)))


def _act(ctx: typer.Context, what: str, request_id: int, json_: bool) -> None:
    from dunbar.server import teams

    server = server_of(ctx)
    _print_intro(teams.act_on_intro(server, signed_in(ctx), request_id, what, now=state(ctx).now()), json_)


@intro_app.command("accept")
def intro_accept(ctx: typer.Context, request_id: RequestId, json_: JsonFlag = False) -> None:
    """Say yes to an introduction asked of you."""
    _act(ctx, "accept", request_id, json_)


@intro_app.command("decline")
def intro_decline(ctx: typer.Context, request_id: RequestId, json_: JsonFlag = False) -> None:
    """Say no to an introduction asked of you."""
    _act(ctx, "decline", request_id, json_)


@intro_app.command("done")
def intro_done(ctx: typer.Context, request_id: RequestId, json_: JsonFlag = False) -> None:
    """You made the introduction: it becomes a favour in your network and in theirs."""
    _act(ctx, "done", request_id, json_)


@intro_app.command("cancel")
def intro_cancel(ctx: typer.Context, request_id: RequestId, json_: JsonFlag = False) -> None:
    """Take back an introduction you asked for."""
    _act(ctx, "cancel", request_id, json_)

"""Setting up: ``dunbar init`` (the database and who "me" is) and ``dunbar me``."""

import sys
from typing import Annotated

import typer

from dunbar.cli.app import app, state
from dunbar.cli.output import JsonFlag, console, emit_json, escape


@app.command()
def init(
    ctx: typer.Context,
    name: Annotated[str | None, typer.Option("--name", help="Your name.")] = None,
    email: Annotated[list[str] | None, typer.Option("--email", help="Your e-mail address (repeatable).")] = None,
    linkedin: Annotated[str | None, typer.Option("--linkedin", help="Your LinkedIn profile URL.")] = None,
    json_: JsonFlag = False,
) -> None:
    """Set up your database and record who you are (your e-mails tell your mail from theirs)."""
    from dunbar import people
    from dunbar.errors import InvalidInput

    st = state(ctx)
    db = st.db(create=True)
    me = people.get_me(db)
    if name is None and me is not None:
        name = me["name"]
    if name is None and sys.stdin.isatty():
        name = typer.prompt("Your name")
        if not email:
            answer = typer.prompt("Your e-mail addresses (comma-separated, or empty)", default="", show_default=False)
            email = [e.strip() for e in answer.split(",") if e.strip()]
    if not name:
        raise InvalidInput("who are you?", hint='dunbar init --name "Your Name" --email you@example.com')
    pid = people.set_me(db, name=name, emails=email or [], linkedin=linkedin, now=st.now())
    me = people.get_person(db, pid)
    if json_:
        emit_json({"database": st.url, "me": me})
        return
    c = console()
    addresses = ", ".join(e["address"] for e in me["emails"]) or "no e-mail yet"
    c.print(f"Database ready: {escape(st.url)}")
    c.print(f"You are {escape(me['name'])} ({escape(addresses)}).")
    c.print('Next: `dunbar add "Ana Lima" --email ana@example.com`, or `dunbar import` your LinkedIn export.')


@app.command("me")
def show_me(ctx: typer.Context, json_: JsonFlag = False) -> None:
    """Show who you are in dunbar."""
    from dunbar import people
    from dunbar.errors import NotFound

    me = people.get_me(state(ctx).db())
    if me is None:
        raise NotFound("you have not said who you are yet", hint='dunbar init --name "Your Name" --email ...')
    if json_:
        emit_json(me)
        return
    c = console()
    c.print(f"[bold]{escape(me['name'])}[/bold]")
    for e in me["emails"]:
        c.print(f"  {escape(e['address'])}")
    for link in me["links"]:
        c.print(f"  {escape(link['url'])}")

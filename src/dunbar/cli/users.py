"""``dunbar users …`` and ``dunbar db upgrade``: running the team server (PostgreSQL, many users).

Every command here works on the database of ``--db`` / ``DUNBAR_DATABASE_URL``, which must be PostgreSQL.
"""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from dunbar.cli.app import app, state
from dunbar.cli.output import JsonFlag, console, emit_json, escape, table

users_app = typer.Typer(help="Accounts of the team server: add, list, disable, reset passwords, API tokens.")
app.add_typer(users_app, name="users")
db_app = typer.Typer(help="The database itself: bring it to this release's schema.")
app.add_typer(db_app, name="db")

PasswordStdin = Annotated[
    bool,
    typer.Option("--password-stdin", help="Read the password from standard input (for scripts) instead of asking."),
]


def _server(ctx: typer.Context) -> Any:
    return state(ctx).server()


def _password(from_stdin: bool) -> str:
    from dunbar.errors import InvalidInput

    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        raise InvalidInput("no password given", hint="pass --password-stdin and write it to standard input")
    first = typer.prompt("Password (at least 10 characters)", hide_input=True)
    again = typer.prompt("The same password again", hide_input=True)
    if first != again:
        raise InvalidInput("the two passwords differ", hint="type the same password twice")
    return str(first)


def _now(ctx: typer.Context) -> Any:
    return state(ctx).now()


@users_app.command("add")
def add(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="Sign-in name: letters, digits, dots, dashes.")],
    name: Annotated[str | None, typer.Option("--name", help="Their full name (shown in the app).")] = None,
    email: Annotated[str | None, typer.Option("--email", help="Their e-mail address.")] = None,
    admin: Annotated[bool, typer.Option("--admin", help="May manage the server's users.")] = False,
    password_stdin: PasswordStdin = False,
    json_: JsonFlag = False,
) -> None:
    """Add a user with an empty, private network of their own."""
    from dunbar.server import accounts

    server = _server(ctx)
    password = _password(password_stdin)
    account = accounts.add_user(server, username, password, now=_now(ctx), display_name=name, email=email, admin=admin)
    if json_:
        emit_json(account.as_json())
        return
    console().print(f"Added {escape(account.username)} ({escape(account.display_name)}). They can sign in now.")


@users_app.command("list")
def list_(ctx: typer.Context, json_: JsonFlag = False) -> None:
    """List the server's users."""
    from dunbar.server import accounts

    found = accounts.list_users(_server(ctx))
    if json_:
        emit_json([a.as_json() for a in found])
        return
    t = table("user", "name", "e-mail", "role", "state")
    for a in found:
        t.add_row(
            escape(a.username),
            escape(a.display_name),
            escape(a.email or ""),
            "admin" if a.is_admin else "",
            "disabled" if a.disabled else "active",
        )
    console().print(t)


def _set_disabled(ctx: typer.Context, username: str, disabled: bool, json_: bool) -> None:
    from dunbar.server import accounts

    account = accounts.set_disabled(_server(ctx), username, disabled)
    if json_:
        emit_json(account.as_json())
        return
    what = "disabled: their sessions ended and their API tokens stop working" if disabled else "enabled again"
    console().print(f"{escape(account.username)} is {what}.")


@users_app.command("disable")
def disable(ctx: typer.Context, username: str, json_: JsonFlag = False) -> None:
    """Stop a user from signing in (their network is kept)."""
    _set_disabled(ctx, username, True, json_)


@users_app.command("enable")
def enable(ctx: typer.Context, username: str, json_: JsonFlag = False) -> None:
    """Let a disabled user sign in again."""
    _set_disabled(ctx, username, False, json_)


@users_app.command("reset-password")
def reset_password(
    ctx: typer.Context, username: str, password_stdin: PasswordStdin = False, json_: JsonFlag = False
) -> None:
    """Give a user a new password; every session they had ends."""
    from dunbar.server import accounts

    server = _server(ctx)
    account = accounts.set_password(server, username, _password(password_stdin), now=_now(ctx))
    if json_:
        emit_json(account.as_json())
        return
    console().print(f"New password set for {escape(account.username)}; they are signed out everywhere.")


@users_app.command("token")
def token(
    ctx: typer.Context,
    username: str,
    name: Annotated[str, typer.Option("--name", help="What will use the token.")] = "command line",
    json_: JsonFlag = False,
) -> None:
    """Make a personal API token for a user (printed once; users can also make their own on /account)."""
    from dunbar.server import accounts

    server = _server(ctx)
    record, secret = accounts.create_token(server, accounts.get_user(server, username), name, now=_now(ctx))
    if json_:
        emit_json({"token": record, "secret": secret})
        return
    typer.echo(secret)


@db_app.command("upgrade")
def upgrade(ctx: typer.Context, json_: JsonFlag = False) -> None:
    """Bring the database to this release's schema (on a team server: the accounts and every user's network)."""
    from dunbar.server import upgrade_users
    from dunbar.server.schema import ensure_server_schema, server_schema_version
    from dunbar.store import SCHEMA_HEAD, ensure_schema, open_db

    st = state(ctx)
    users: list[str] = []
    db = open_db(st.url, migrate=False)
    try:
        if db.dialect == "postgresql" and server_schema_version(db) is not None:
            ensure_server_schema(db)
            users = upgrade_users(db)
        else:
            ensure_schema(db)
    finally:
        db.close()
    if json_:
        emit_json({"database": st.url, "schema": SCHEMA_HEAD, "upgraded_users": users})
        return
    extra = f"; {len(users)} user network(s) upgraded" if users else ""
    console().print(f"{escape(st.url)} is at schema {SCHEMA_HEAD}{extra}.")

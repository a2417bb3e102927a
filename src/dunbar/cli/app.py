"""The Typer application: global options and the command modules.

Command modules import only Typer and the output helpers at the top; services and their dependencies are
imported inside each command, so ``dunbar show`` does not pay for what ``dunbar import`` needs.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Annotated, Any

import typer

from dunbar.cli.errors import DunbarGroup
from dunbar.store.db import Db

app = typer.Typer(
    cls=DunbarGroup,
    name="dunbar",
    help="dunbar: keep your professional relationships warm. Local-first; your data stays on this machine.",
    no_args_is_help=False,
    invoke_without_command=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
    add_completion=False,
)


@dataclass
class State:
    """What every command needs: where the database is, what day it is, and whether to show tracebacks."""

    target: str | None = None
    today_override: date | None = None
    debug: bool = False
    user: str | None = None  # on a team server: whose network the command works on
    _db: Db | None = field(default=None, repr=False)
    _server: Db | None = field(default=None, repr=False)
    _account: Any = field(default=None, repr=False)

    @property
    def url(self) -> str:
        from dunbar.config import resolve_target

        return resolve_target(self.target)

    def db(self, *, create: bool = False) -> Db:
        if self._db is None:
            if self.user is not None:
                from dunbar.server.accounts import user_db

                self._db = user_db(self.server(), self.account())
            else:
                from dunbar.store import open_db

                self._db = open_db(self.url, create=create)
        return self._db

    def server(self) -> Db:
        """The team server's accounts (the database must be one), opened once per command."""
        if self._server is None:
            from dunbar.server import open_server

            self._server = open_server(self.url)
        return self._server

    def account(self) -> Any:
        """The team server's account of ``--user``."""
        if self._account is None:
            from dunbar.errors import InvalidInput
            from dunbar.server.accounts import get_user

            if self.user is None:
                raise InvalidInput("as which user?", hint="dunbar --user NAME … (or set DUNBAR_USER)")
            self._account = get_user(self.server(), self.user)
        return self._account

    @property
    def today(self) -> date:
        return self.today_override or date.today()

    def now(self) -> datetime:
        """Now, or noon of ``--today`` in the local time zone, as an aware UTC time."""
        if self.today_override is None:
            return datetime.now(UTC)
        return datetime.combine(self.today_override, time(12, 0)).astimezone().astimezone(UTC)

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
        if self._server is not None:
            self._server.close()
            self._server = None


def state(ctx: typer.Context) -> State:
    obj = ctx.find_root().obj
    assert isinstance(obj, State)
    return obj


def _parse_today(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"not a date: {value!r} (use YYYY-MM-DD)") from None


@app.callback()
def main_callback(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            metavar="PATH|URL",
            help="Database file (or postgresql:// URL). "
            "Default: $DUNBAR_DATABASE_URL, $DUNBAR_DB, or dunbar.db in your user data folder.",
        ),
    ] = None,
    today: Annotated[
        str | None, typer.Option("--today", metavar="YYYY-MM-DD", help="Pretend today is this date.")
    ] = None,
    demo: Annotated[bool, typer.Option("--demo", help="Use the demo database that `dunbar demo` made.")] = False,
    user: Annotated[
        str | None,
        typer.Option(
            "--user", envvar="DUNBAR_USER", help="On a team server: work on this user's network (e.g. to import)."
        ),
    ] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks instead of one-line errors.")] = False,
    version: Annotated[bool, typer.Option("--version", help="Show the version and exit.")] = False,
) -> None:
    if version:
        from dunbar import __version__

        typer.echo(f"dunbar {__version__}")
        raise typer.Exit()
    if demo and db is None:
        from dunbar.config import default_db_path

        db = str(default_db_path(demo=True))
    st = State(target=db, today_override=_parse_today(today), debug=debug, user=user)
    ctx.obj = st
    ctx.call_on_close(st.close)
    if ctx.invoked_subcommand is None:
        _no_command(ctx, st)


def _no_command(ctx: typer.Context, st: State) -> None:
    """``dunbar`` alone: today's agenda, or a first-run welcome while there is no network yet."""
    from pathlib import Path

    from dunbar.store import sqlite_path

    path = sqlite_path(st.url)
    if path is not None and not Path(path).exists():
        _welcome()
        return
    db = st.db()
    if db.scalar("SELECT 1 FROM person WHERE is_me = :f LIMIT 1", {"f": False}) is None:
        _welcome()
        return
    from dunbar import agenda
    from dunbar.cli.agenda import print_agenda

    print_agenda(st, agenda.today(db, today=st.today, now=st.now()))
    typer.echo("Every command: dunbar --help")


def _welcome() -> None:
    typer.echo(
        "Welcome to dunbar: keep your professional relationships warm.\n"
        "There is no network here yet. To begin:\n"
        '  dunbar init --name "Your Name" --email you@example.org   set up your own database\n'
        "  dunbar import FILE                 bring in LinkedIn connections, vCards, a mailbox, a calendar\n"
        "  dunbar demo                        or explore a made-up network first (dunbar --demo today)\n"
        "Every command: dunbar --help"
    )


# Command modules in the order `dunbar --help` lists them: the daily job first, setting up last.
COMMAND_MODULES = (
    "agenda", "interactions", "people", "search", "strength", "ledger", "match", "graph", "jobs",
    "transfer", "backup", "merge", "setup", "demo", "serve", "mcp", "users", "teams",
)  # fmt: skip


def register() -> Any:
    # Importing a module registers its commands on ``app``.
    import importlib

    for name in COMMAND_MODULES:
        importlib.import_module(f"dunbar.cli.{name}")
    return app


register()

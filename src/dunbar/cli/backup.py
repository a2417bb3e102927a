"""``dunbar backup`` and ``dunbar restore``: a consistent copy of the database, and putting one back."""

from pathlib import Path
from typing import Annotated

import typer

from dunbar.cli.app import app, state
from dunbar.cli.output import JsonFlag, emit_json


def _size(n: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:,} {unit}" if unit == "bytes" else f"{n:,.1f} {unit}"
        n /= 1024  # type: ignore[assignment]
    return str(n)


@app.command("backup")
def backup_command(
    ctx: typer.Context,
    dest: Annotated[
        str, typer.Argument(metavar="DEST", help="The backup file to write (a folder: a dated file in it).")
    ],
    as_json: JsonFlag = False,
) -> None:
    """Back up your database, safely while the web app or an import runs (PostgreSQL: with pg_dump)."""
    from dunbar.backup import backup

    st = state(ctx)
    result = backup(st.url, Path(dest).expanduser())
    if as_json:
        emit_json(result)
        return
    typer.echo(
        f"Backed up {result['people']:,} people to {result['backup']} ({_size(result['bytes'])}, "
        f"schema {result['schema']}, integrity {result['integrity']})."
    )
    typer.echo(f"Restore it with `dunbar restore {result['backup']}`.")


@app.command("restore")
def restore_command(
    ctx: typer.Context,
    src: Annotated[str, typer.Argument(metavar="SRC", help="A file `dunbar backup` wrote.")],
    force: Annotated[
        bool, typer.Option("--force", help="Replace the database that is there (it is kept beside, first).")
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """Put a backup back in place of your database (checked first; the current one is kept)."""
    from dunbar.backup import restore

    st = state(ctx)
    result = restore(st.url, Path(src).expanduser(), force=force)
    if as_json:
        emit_json(result)
        return
    typer.echo(f"Restored {result['people']:,} people from {result['source']} (schema {result['schema']}).")
    if result["kept"]:
        typer.echo(f"The database it replaced is kept as {result['kept']}.")

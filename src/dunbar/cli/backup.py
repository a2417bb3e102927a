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
    src: Annotated[
        str,
        typer.Argument(metavar="SRC|PERSON", help="A file `dunbar backup` wrote, or a person in the trash."),
    ],
    force: Annotated[
        bool, typer.Option("--force", help="Replace the database that is there (it is kept beside, first).")
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """Bring back a person from the trash, or put a backup file back in place of your database (the backup is
    checked first, and the database it replaces is kept)."""
    from dunbar.backup import restore

    looks_like_a_file = Path(src).expanduser().exists() or "/" in src or src.endswith((".db", ".dump", ".sqlite"))
    if not looks_like_a_file and not force and not as_json:
        # Not a file: a person from the trash (`dunbar rm` says `dunbar restore 12`).
        from dunbar.cli.people import restore_person

        restore_person(ctx, src)
        return
    st = state(ctx)
    result = restore(st.url, Path(src).expanduser(), force=force)
    if as_json:
        emit_json(result)
        return
    typer.echo(f"Restored {result['people']:,} people from {result['source']} (schema {result['schema']}).")
    if result["kept"]:
        typer.echo(f"The database it replaced is kept as {result['kept']}.")

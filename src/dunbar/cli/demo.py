"""``dunbar demo``: make a realistic network to explore (and to benchmark) without touching your own data."""

import time
from pathlib import Path
from typing import Annotated, Any

import typer

from dunbar.cli.app import app, state
from dunbar.cli.output import JsonFlag, console, emit_json, err_console, escape

# The tables a server-store demo clears with --force, children first.
_TABLES = (
    "search_doc",
    "follow_up",
    "participant",
    "interaction",
    "note",
    "person_tag",
    "tag",
    "field",
    "important_date",
    "employment",
    "identifier",
    "person",
    "organization",
    "source",
    "batch",
    "setting",
)


@app.command()
def demo(
    ctx: typer.Context,
    people: Annotated[int, typer.Option("--people", min=1, help="How many people (besides you).")] = 300,
    interactions: Annotated[int, typer.Option("--interactions", min=0, help="How many interactions.")] = 6000,
    seed: Annotated[int, typer.Option("--seed", help="Same seed, same network.")] = 7,
    force: Annotated[
        bool, typer.Option("--force", help="Replace the database given with --db even if it holds other data.")
    ] = False,
    db_target: Annotated[
        str | None,
        typer.Option("--db", metavar="PATH|URL", help="Where to make it (default: the demo database)."),
    ] = None,
    json_: JsonFlag = False,
) -> None:
    """Make a demo network to explore: `dunbar --demo list` then shows it. Your own database is not touched."""
    from dunbar import demo as demo_gen
    from dunbar.config import default_db_path, resolve_target, sqlite_url
    from dunbar.store import open_db, sqlite_path

    st = state(ctx)
    default_demo = default_db_path(demo=True)
    target = db_target or st.target
    url = resolve_target(target) if target else sqlite_url(default_demo)
    path = sqlite_path(url)
    is_default_demo = path is not None and Path(path) == default_demo.expanduser().resolve()
    started = time.perf_counter()
    _make_room(url, path, force=force or is_default_demo)
    db = open_db(url, create=True)
    try:
        with _progress(enabled=not json_ and interactions >= 20_000) as report:
            counts = demo_gen.generate(
                db, people=people, interactions=interactions, seed=seed, today=st.today, progress=report
            )
        example = db.scalar(
            "SELECT display_name FROM person WHERE circle = 'inner' AND is_me = :f ORDER BY id LIMIT 1", {"f": False}
        ) or db.scalar("SELECT display_name FROM person WHERE is_me = :f ORDER BY id LIMIT 1", {"f": False})
        if not json_:
            from dunbar import agenda

            # The main job: who to reach out to today, in the network just made.
            items = agenda.today(db, today=st.today, now=st.now())
    finally:
        db.close()
    seconds = time.perf_counter() - started
    if json_:
        emit_json({"database": url, "seconds": round(seconds, 2), **counts})
        return
    prefix = "dunbar --demo" if is_default_demo else f"dunbar --db {path or url}"
    c = console()
    c.print(f"Demo network ready in {seconds:.1f} s: {escape(path or url)}", soft_wrap=True)
    c.print(
        f"  {counts['people']:,} people, {counts['organizations']:,} organizations, "
        f"{counts['interactions']:,} interactions, {counts['notes']:,} notes"
    )
    c.print("Explore it:")
    c.print(f"  {escape(prefix)} list", soft_wrap=True)
    c.print(f'  {escape(prefix)} show "{escape(example)}"', soft_wrap=True)
    c.print(f"  {escape(prefix)} search berlin", soft_wrap=True)
    c.print()
    from dunbar.cli.agenda import print_agenda

    print_agenda(st, items, out=c)


def _make_room(url: str, path: str | None, *, force: bool) -> None:
    """Clear the target for a new demo: a demo made before is replaced, anyone's own data only with --force."""
    from dunbar.errors import Conflict
    from dunbar.store import open_db

    if path is not None:
        file = Path(path)
        if not file.exists() or file.stat().st_size == 0:
            return
        if not force and _holds_data(url):
            raise Conflict(
                f"{path} holds data that is not a demo network",
                hint="give a new file with --db, or add --force to replace it",
            )
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(path + suffix).unlink(missing_ok=True)
        return
    if not force and _holds_data(url):
        raise Conflict(
            f"{url} holds data that is not a demo network",
            hint="use another database, or add --force to empty this one",
        )
    db = open_db(url, create=True)
    try:
        with db.transaction():
            for table in _TABLES:
                db.execute(f"DELETE FROM {table}")
    finally:
        db.close()


def _holds_data(url: str) -> bool:
    """Whether a database has people in it and was not made by `dunbar demo` (unreadable counts as data)."""
    from dunbar.errors import DunbarError
    from dunbar.store import open_db

    try:
        db = open_db(url, migrate=False)
    except DunbarError:
        return True
    try:
        if db.scalar("SELECT 1 FROM batch WHERE kind = 'demo' LIMIT 1") is not None:
            return False
        return db.scalar("SELECT 1 FROM person LIMIT 1") is not None
    except Exception:
        return True  # not a dunbar database, or not one we can read: never overwrite it silently
    finally:
        db.close()


class _progress:
    """A Rich progress bar on stderr fed by ``generate``'s (stage, done, total) reports."""

    def __init__(self, *, enabled: bool) -> None:
        self.enabled = enabled
        self.bar: Any = None
        self.task: Any = None
        self.stage = ""

    def __enter__(self) -> Any:
        if not self.enabled:
            return None
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.bar = Progress(
            TextColumn("{task.description:<22}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err_console(),
            transient=True,
        )
        self.bar.start()
        self.task = self.bar.add_task("starting", total=None)
        return self.report

    def report(self, stage: str, done: int, total: int) -> None:
        if stage != self.stage:
            self.stage = stage
            self.bar.reset(self.task, description=stage, total=total or None)
        self.bar.update(self.task, completed=done, total=total or None)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()

"""Shared output: ``--json`` for scripts, Rich tables for people.

JSON shapes are stable and documented in docs/json.md: keys are snake_case, times are ISO 8601 in UTC with a
``Z``, dates are ``YYYY-MM-DD``, absent values are ``null``.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, date, datetime
from typing import Annotated, Any

import typer

JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON for scripts (shapes in docs/json.md).")]


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def dumps(data: Any, *, indent: int | None = 2) -> str:
    return json.dumps(data, default=_default, ensure_ascii=False, indent=indent)


def emit_json(data: Any) -> None:
    # Indented for a person at a terminal; compact (and with the C encoder, several times faster) for a pipe.
    sys.stdout.write(dumps(data, indent=2 if sys.stdout.isatty() else None) + "\n")


def console() -> Any:
    from rich.console import Console

    return Console(highlight=False, soft_wrap=False)


def err_console() -> Any:
    from rich.console import Console

    return Console(stderr=True, highlight=False)


def table(*columns: str, title: str | None = None) -> Any:
    from rich import box
    from rich.table import Table

    t = Table(title=title, box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False, title_justify="left")
    for col in columns:
        t.add_column(col, overflow="fold")
    return t


def escape(text: Any) -> str:
    """Contact data is never markup: ``[bold]`` in a note is shown as typed."""
    from rich.markup import escape as _escape

    return _escape("" if text is None else str(text))


def when(value: datetime | date | None, *, today: date | None = None) -> str:
    """A short human form: ``2026-11-20`` or ``today``/``yesterday``/``3 days ago``."""
    if value is None:
        return "never"
    d = value.date() if isinstance(value, datetime) else value
    if today is not None:
        days = (today - d).days
        if days == 0:
            return "today"
        if days == 1:
            return "yesterday"
        if 1 < days < 14:
            return f"{days} days ago"
    return d.isoformat()

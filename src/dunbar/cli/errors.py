"""The one place where exceptions become advice for the user.

Every command runs inside ``DunbarGroup.invoke``: a ``DunbarError`` becomes one line (and a hint) on stderr
with exit status 2; anything unexpected becomes one line that says it is a bug, with exit status 1. ``--debug``
(or ``DUNBAR_DEBUG=1``) lets the traceback through instead.
"""

from __future__ import annotations

import os
import sqlite3
import sys
from typing import Any

import typer
from typer.core import TyperGroup

from dunbar.errors import DunbarError


def _debug(ctx: Any) -> bool:
    obj = getattr(ctx, "obj", None)
    return bool(getattr(obj, "debug", False)) or os.environ.get("DUNBAR_DEBUG") == "1" or "--debug" in sys.argv


def report(message: str, hint: str | None = None) -> None:
    sys.stderr.write(f"dunbar: error: {message}\n")
    if hint:
        sys.stderr.write(f"hint: {hint}\n")
    sys.stderr.flush()


def _is_click_exception(exc: BaseException) -> bool:
    # Usage errors belong to the command-line parser (Typer vendors its own click), which prints them itself.
    return any(cls.__name__ in {"ClickException", "Exit", "Abort"} for cls in type(exc).__mro__)


class DunbarGroup(TyperGroup):
    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except DunbarError as exc:
            if _debug(ctx):
                raise
            report(exc.message, exc.hint)
            raise typer.Exit(2) from None
        except (typer.Exit, typer.Abort, SystemExit, KeyboardInterrupt):
            raise
        except BrokenPipeError:
            # ``dunbar list | head``: the reader went away; not an error worth a message.
            sys.stderr.close()
            raise typer.Exit(0) from None
        except sqlite3.DatabaseError as exc:
            if _debug(ctx):
                raise
            report(f"the database could not be used: {exc}", "run `dunbar doctor` or restore a backup")
            raise typer.Exit(2) from None
        except Exception as exc:
            if _debug(ctx) or _is_click_exception(exc):
                raise
            report(
                f"unexpected {type(exc).__name__}: {exc}",
                "this is a bug in dunbar; run again with --debug and report the traceback",
            )
            raise typer.Exit(1) from None

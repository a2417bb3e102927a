"""Where the user's database lives.

Order: an explicit ``--db PATH`` or URL, then ``DUNBAR_DATABASE_URL`` (a ``postgresql://`` server store), then
``DUNBAR_DB`` (a SQLite path), then ``dunbar.db`` in the platform's user data folder.
"""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "dunbar"


def data_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, appauthor=False))


def default_db_path(*, demo: bool = False) -> Path:
    return data_dir() / ("demo.db" if demo else "dunbar.db")


def is_url(target: str) -> bool:
    return "://" in target


def sqlite_url(path: Path | str) -> str:
    return f"sqlite:///{Path(path).expanduser().resolve()}"


def resolve_target(explicit: str | None = None, *, demo: bool = False) -> str:
    """The database URL to open, from the flag, the environment or the default location."""
    if explicit:
        return explicit if is_url(explicit) else sqlite_url(explicit)
    if demo:
        return sqlite_url(default_db_path(demo=True))
    env_url = os.environ.get("DUNBAR_DATABASE_URL")
    if env_url:
        return env_url
    env_path = os.environ.get("DUNBAR_DB")
    if env_path:
        return env_url or sqlite_url(env_path)
    return sqlite_url(default_db_path())

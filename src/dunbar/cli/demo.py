"""demo commands."""

from __future__ import annotations

from dunbar.cli.app import app  # noqa: F401

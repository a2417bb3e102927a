"""Every command is documented: a new command without a word in the README fails here."""

from __future__ import annotations

import re

from tests.conftest import ROOT


def _commands() -> list[str]:
    from typer.main import get_command

    from dunbar.cli.app import app

    return sorted(get_command(app).commands)  # type: ignore[attr-defined]


def test_every_command_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [c for c in _commands() if not re.search(rf"`(dunbar [^`]*)?\b{re.escape(c)}\b", readme)]
    assert missing == [], f"commands the README does not mention: {missing}"


def test_every_json_command_has_a_shape_in_the_json_docs() -> None:
    from typer.main import get_command

    from dunbar.cli.app import app

    docs = (ROOT / "docs" / "json.md").read_text(encoding="utf-8")
    group = get_command(app)
    undocumented = []
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        params = {p.name for p in getattr(command, "params", [])}
        if ("json_" in params or "as_json" in params) and not re.search(rf"dunbar {re.escape(name)}\b", docs):
            undocumented.append(name)
    assert undocumented == [], f"commands with --json but no section in docs/json.md: {undocumented}"

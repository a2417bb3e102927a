"""Contact data is hostile input: values holding scripts, quotes, HTML, javascript: links, template syntax, SQL and
unicode tricks go in through the UI and the API into every field that takes contact data, then every page is
visited in the real browser. Nothing may run (``window.__xss`` stays undefined, no dialog, no script or handler
the server did not write, no Content-Security-Policy violation, which would mean escaping failed and only the CSP
saved the day), and the values are shown literally. The drill itself is in hostile.py (the team server runs it
too, in test_e2e_server.py)."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.conftest import Ui
from tests.e2e.hostile import ATTR, INERT_CHECK, JS_LINK, SCRIPT, drill_every_field


def test_hostile_values_are_shown_as_text_on_every_page(ui: Ui, tmp_path: Path) -> None:
    drill_every_field(ui, tmp_path, ui.server.db)


def test_the_check_sees_an_injection_when_there_is_one(ui: Ui) -> None:
    # The drill above passes only if its check can fail: on a page without the app's escaping and CSP, the same
    # values run and the check reports each way they got in.
    ui.page.set_content(f'<div>{ATTR}</div><a href="{JS_LINK}">x</a>{SCRIPT}')
    ui.page.wait_for_function("window.__xss === 1")
    problems = " | ".join(ui.page.evaluate(INERT_CHECK))
    for sign in ("window.__xss is set", "handler onerror", "href=javascript:alert(1)", "script not from /static/"):
        assert sign in problems

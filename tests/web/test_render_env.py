"""The pages' template environment: escaping on, and templates loaded once rather than re-checked per render."""

from __future__ import annotations

from dunbar.web.pages.render import make_environment


def test_templates_are_autoescaped_and_not_rechecked_on_every_render() -> None:
    env = make_environment()
    assert env.autoescape is True
    assert env.auto_reload is False
    first = env.get_template("person.html")
    assert env.get_template("person.html") is first  # cached: no file-time check between renders

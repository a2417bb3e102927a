"""The hostile-input drill shared by the embedded app (test_e2e_hostile.py) and the team server
(test_e2e_server.py): the corpus, the check that nothing the app did not write is live in the page, and the drill
that puts the corpus through every field that takes contact data and then visits every page."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from tests.e2e.conftest import NOW, Ui

from dunbar import interactions, merge

expect: Any = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed").expect

SCRIPT = "<script>window.__xss=1</script>"
ATTR = '"\'><img src=x onerror="window.__xss=1">'
JS_LINK = "javascript:alert(1)"
TEMPLATE = "{{7*7}}"
MARKUP = "[bold]x[/bold]"
LINK_ATTR = "\"'><img/src=x/onerror=window.__xss=1>"  # a link holds no spaces
SQL = "'; DROP TABLE person; -- \" OR 1=1 --"
# Right-to-left override, zero-width space and joiner, a Cyrillic а in a Latin word, a combining accent, emoji.
UNICODE = "\u202etxt.exe\u202c \u200bzero\u200d width \u0430lice e\u0301 \U0001f469\u200d\U0001f4bb"
HOSTILE = (SCRIPT, ATTR, JS_LINK, TEMPLATE, MARKUP, SQL, UNICODE)
ALL = " ".join(HOSTILE)

# Inert means: nothing ran, and the DOM holds no script, handler, image or link the app did not put there itself.
INERT_CHECK = """() => {
  const problems = [];
  if (window.__xss !== undefined) problems.push("window.__xss is set");
  for (const s of document.scripts) {
    const own = s.src && new URL(s.src).origin === location.origin && new URL(s.src).pathname.startsWith("/static/");
    if (!own) problems.push("script not from /static/: " + (s.src || s.textContent.slice(0, 80)));
  }
  for (const el of document.querySelectorAll("*")) {
    for (const a of el.attributes) {
      if (a.name.toLowerCase().startsWith("on")) problems.push(`handler ${a.name} on <${el.tagName}>`);
      if (["href", "src", "action", "formaction", "hx-get", "hx-post"].includes(a.name) &&
          /^\\s*javascript:/i.test(a.value)) problems.push(`${a.name}=${a.value} on <${el.tagName}>`);
    }
  }
  for (const img of document.images) problems.push("image " + img.getAttribute("src"));
  return problems;
}"""


class Hostile:
    """The browser session of the drill: it feeds values in, then checks every page it visits."""

    def __init__(self, ui: Ui) -> None:
        self.ui = ui
        self.csp: list[str] = []
        ui.page.on("console", self._console)
        self.token = ""

    def _console(self, msg: Any) -> None:
        if "Content Security Policy" in msg.text:
            self.csp.append(msg.text)

    def api(self, method: str, path: str, body: Any = None, *, status: int | None = None) -> Any:
        req = self.ui.page.request
        if not self.token:
            self.token = req.get(self.ui.server.base + "/api/v1/csrf").json()["token"]
        r = req.fetch(
            self.ui.server.base + "/api/v1" + path,
            method=method,
            data=body,
            headers={"X-CSRF-Token": self.token},
        )
        if status is None:
            assert r.ok, f"{method} {path}: {r.status} {r.text()}"
        else:
            assert r.status == status, f"{method} {path}: {r.status} {r.text()}"
        return r.json() if r.text() else None

    def inert(self, where: str) -> None:
        problems = self.ui.page.evaluate(INERT_CHECK)
        assert problems == [], f"{where}: {problems}"
        assert self.csp == [], f"{where}: the CSP had to block something: {self.csp}"
        assert self.ui.watch.dialogs == [], f"{where}: a dialog opened: {self.ui.watch.dialogs}"

    def visit(self, path: str, *, shows: tuple[str, ...] = ()) -> None:
        self.ui.go(path)
        self.ui.page.wait_for_load_state("networkidle")  # the fragments loaded after the page (strength, dormant)
        self.inert(path)
        body = self.ui.page.locator("body")
        for text in shows:
            expect(body).to_contain_text(text)


def drill_every_field(ui: Ui, tmp_path: Path, open_db: Callable[[], Any]) -> dict[str, int]:
    """Hostile values into every field that takes contact data (API, UI, an imported file), then every page:
    nothing runs and the values show literally. ``open_db`` opens the network the signed-in browser sees.
    Gives back the ids of the people it made."""
    h = Hostile(ui)
    page = ui.page

    # Through the API: every field of a person, custom fields, tags, a note, interactions.
    eve = h.api(
        "POST",
        "/people",
        {
            "name": f"Eve {SCRIPT}",
            "nickname": ATTR,
            "location": TEMPLATE,
            "how_met": ALL,
            "circle": "close",
            "organization": f"Org {ATTR}",
            "title": f"Title {MARKUP}",
            "links": [f"https://example.org/{LINK_ATTR}?q={TEMPLATE}"],
            "fields": {f"key {SCRIPT}": ALL, "plain": MARKUP, "site": JS_LINK},
            "tags": [f"tag {ATTR}", TEMPLATE],
        },
    )["id"]
    # A javascript: URL is not a link: refused as one, with a reason.
    refused = h.api("PATCH", f"/people/{eve}", {"links": [JS_LINK]}, status=400)
    assert "not a link" in refused["detail"]
    mal = h.api("POST", "/people", {"name": f"Mal {ATTR}", "organization": TEMPLATE, "circle": "close"})["id"]
    twin = h.api("POST", "/people", {"name": f"Mal {ATTR}", "organization": MARKUP})["id"]
    h.api("POST", f"/people/{eve}/notes", {"body": f"note {ALL}"})
    old = (NOW - timedelta(days=200)).isoformat()
    for pid in (eve, mal):
        h.api("POST", "/interactions", {"summary": f"summary {ALL}", "people": [pid], "occurred_at": old})
    with open_db() as db:
        merge.queue_candidate(db, mal, twin, 0.9, [f"evidence {SCRIPT}"], now=NOW)
        # Something promised, shown on the agenda.
        from dunbar import followups

        followups.add(db, mal, f"promise {ATTR}", due_on=NOW.date(), now=NOW)
        assert interactions.timeline(db, eve, limit=5)

    # Through the UI: a note, tags, details, the log dialog, settings, and an imported file with a hostile name.
    h.visit(f"/people/{eve}")
    page.get_by_label("New note").fill(f"typed {ATTR} {TEMPLATE}")
    page.get_by_role("button", name="Add note").click()
    expect(page.get_by_test_id("note").first).to_contain_text(f"typed {ATTR} {TEMPLATE}")
    page.get_by_label("Add tags (comma separated)").fill(f"ui {SCRIPT}")
    page.get_by_test_id("section-tags").get_by_role("button", name="Add").click()
    expect(page.get_by_test_id("section-tags")).to_contain_text(f"ui {SCRIPT}")
    page.get_by_test_id("edit-details").click()
    page.get_by_label("How we met").fill(f"met {ATTR}")
    page.get_by_test_id("section-details").get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("section-details")).to_contain_text(f"met {ATTR}")
    page.get_by_test_id("edit-work").click()
    page.get_by_label("Organization").fill(f"UI org {SCRIPT}")
    page.get_by_label("Title").fill(f"UI title {TEMPLATE}")
    page.get_by_role("button", name="Save job").click()
    expect(page.get_by_test_id("section-work")).to_contain_text(f"UI org {SCRIPT}")
    h.inert("person page after editing")

    page.keyboard.press("l")
    page.get_by_test_id("log-who").press_sequentially("Eve")
    page.get_by_test_id("log-suggestion").first.click()
    page.get_by_test_id("log-summary").fill(f"dialog {ATTR} {MARKUP}")
    page.get_by_test_id("log-submit").click()
    expect(page.get_by_test_id("log-done")).to_contain_text(f"dialog {ATTR} {MARKUP}")
    h.inert("log dialog")
    page.keyboard.press("Escape")

    h.visit("/settings")
    page.get_by_label("Your name").fill(f"Jordan {SCRIPT}")
    page.get_by_test_id("settings-me").get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("message")).to_have_text("Saved.")
    expect(page.get_by_label("Your name")).to_have_value(f"Jordan {SCRIPT}")
    h.inert("settings after saving")

    vcard = tmp_path / "contacts {{7*7}} 'quoted'.vcf"
    vcard.write_text(
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Vic <script>window.__xss=1</script>\r\nN:Vic;;;;\r\n"
        'ORG:"\'><img src=x onerror="window.__xss=1">\r\nNOTE:[bold]x[/bold] {{7*7}}\r\n'
        "URL:javascript:alert(1)\r\nEND:VCARD\r\n",
        encoding="utf-8",
    )
    h.visit("/import")
    page.get_by_test_id("import-file").set_input_files(str(vcard))
    page.get_by_test_id("import-submit").click()
    expect(page.get_by_test_id("import-report")).to_contain_text("{{7*7}}")
    h.inert("import report")

    # Every page, with the values shown literally.
    # Mal is due (Eve was just logged with), with the promise and a hook from the last conversation.
    h.visit("/", shows=(f"Mal {ATTR}", f"promise {ATTR}", f"summary {ALL}"[:40]))
    h.visit("/today", shows=(f"Mal {ATTR}", TEMPLATE))
    h.visit("/people", shows=(f"Eve {SCRIPT}", f"Mal {ATTR}", "Vic <script>", f"tag {ATTR}"))
    for q in ("script", "img", "bold", "7*7", "javascript"):
        h.visit(f"/people?q={q}")
    h.visit("/people?q=%3Cscript%3Ewindow.__xss%3D1%3C%2Fscript%3E", shows=(f"Eve {SCRIPT}",))
    h.visit("/people?tag=%22%27%3E%3Cimg+src%3Dx+onerror%3D%22window.__xss%3D1%22%3E")
    h.visit("/people?q=%22%27%3E%3Cimg%20src%3Dx%3E%7B%7B7*7%7D%7D")
    h.visit(
        f"/people/{eve}",
        shows=(
            f"Eve {SCRIPT}",
            ATTR,
            TEMPLATE,
            f"Title {MARKUP}",
            JS_LINK,
            f"key {SCRIPT}",
            f"note {ALL}",
            f"summary {ALL}",
            f"dialog {ATTR} {MARKUP}",
            LINK_ATTR,
        ),
    )
    # The javascript: "link" is text, not a link; the https one is a link.
    expect(page.get_by_role("link", name=JS_LINK)).to_have_count(0)
    for section in ("details", "contact", "work", "dates"):
        page.get_by_test_id(f"edit-{section}").click()
        expect(page.get_by_test_id(f"section-{section}").get_by_role("button").first).to_be_visible()
        h.inert(f"editing {section}")
    expect(page.get_by_label("Name", exact=True)).to_have_value(f"Eve {SCRIPT}")
    expect(page.get_by_label("Nickname")).to_have_value(ATTR)
    ui.shot("person")
    h.visit(f"/people/{mal}", shows=(f"Mal {ATTR}", f"summary {ALL}"))
    h.visit(f"/people/{eve}/timeline?before={quote(NOW.isoformat())}")
    h.visit("/import", shows=(f"Mal {ATTR}", f"evidence {SCRIPT}", "{{7*7}}"))
    ui.shot("import")
    h.visit("/settings")
    expect(page.get_by_label("Your name")).to_have_value(f"Jordan {SCRIPT}")
    h.visit("/log")
    page.get_by_test_id("log-who").press_sequentially("Mal")
    expect(page.get_by_test_id("log-suggestion").first).to_contain_text(f"Mal {ATTR}")
    page.get_by_test_id("log-who").fill(SCRIPT)
    page.get_by_test_id("log-who").press("Space")  # the "nobody called …" answer echoes the text typed
    h.inert("log suggestions")

    # Error pages echo what was asked for: as text.
    ui.page.goto(ui.server.base + "/people/1/section/%3Cimg%20src=x%20onerror=window.__xss=1%3E")
    expect(page.get_by_test_id("error")).to_contain_text("<img src=x onerror=window.__xss=1>")
    h.inert("error page")
    assert page.evaluate("window.__xss") is None
    return {"eve": eve, "mal": mal, "twin": twin}

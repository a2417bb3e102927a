"""Importing in a real Chromium: the page shows the file being sent, then the import's own progress (records read
so far, polled from the server), then the batch report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tests.e2e.conftest import Ui

expect: Any = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed").expect

PEOPLE = 8000

# Record what the page's own script did with each upload progress event: the bar's value and maximum right after.
RECORD = """() => {
  window.uploadSeen = [];
  const form = document.querySelector('[data-testid="import-form"]');
  const bar = form.querySelector("progress");
  form.addEventListener("htmx:xhr:progress", (e) => {
    window.uploadSeen.push({loaded: e.detail.loaded, total: e.detail.total, value: bar.value, max: bar.max,
                            shown: !form.querySelector(".upload-progress").hidden});
  });
}"""


def _connections(folder: Path, n: int) -> Path:
    rows = ["First Name,Last Name,URL,Email Address,Company,Position,Connected On"]
    rows += [f"Ana{i},Lima{i},,ana{i}@example.org,Contoso,Engineer,01 Jan 2020" for i in range(n)]
    path = folder / "Connections.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_an_upload_shows_its_progress_and_then_the_report(ui: Ui, tmp_path: Path) -> None:
    csv = _connections(tmp_path, PEOPLE)
    ui.go("/import")
    ui.page.evaluate(RECORD)
    ui.page.get_by_label("File", exact=True).set_input_files(str(csv))
    ui.page.get_by_label("Format").select_option("linkedin")
    ui.page.get_by_test_id("import-submit").click()

    # The import's own progress, polled from the server while it runs.
    progress = ui.page.get_by_test_id("import-progress")
    expect(progress).to_be_visible()
    expect(progress.get_by_role("heading")).to_have_text("Importing Connections.csv")
    expect(progress.locator("progress")).to_be_visible()
    ui.shot("progress")

    report = ui.page.get_by_test_id("import-report")
    expect(report).to_be_visible(timeout=60_000)
    expect(progress).to_have_count(0)
    expect(ui.page.get_by_test_id("count-created")).to_have_text(str(PEOPLE))
    expect(ui.page.get_by_test_id("batch-row")).to_have_count(1)  # the past imports, updated in place
    ui.shot("report")

    # While the file was sent, the bar showed how much of it had gone, up to all of it.
    seen = ui.page.evaluate("window.uploadSeen")
    sent = [s for s in seen if s["total"] >= csv.stat().st_size]
    assert sent, seen
    assert all(s["value"] == s["loaded"] and s["max"] == s["total"] and s["shown"] for s in sent)
    assert sent[-1]["loaded"] == sent[-1]["total"]
    # And the form is ready for the next file.
    expect(ui.page.get_by_test_id("upload-progress")).to_be_hidden()
    expect(ui.page.get_by_test_id("import-submit")).to_be_enabled()

"""What a user does in the browser, end to end in a real Chromium against the real server: the first run, the
demo, importing a LinkedIn export, resolving duplicates, working through today's agenda, logging with the L
shortcut, editing a person in place and searching as you type.

Assertions are on what the page shows and on what the database then holds; Playwright's auto-waiting does the
waiting (no sleeps)."""

from __future__ import annotations

import re
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import SAMPLES
from tests.e2e.conftest import NOW, Server, Ui

from dunbar import interactions, merge, people

expect: Any = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed").expect


def add(server: Server, name: str, **kw: Any) -> int:
    with server.db() as db:
        return people.add_person(db, people.PersonChanges(name=name, **kw), now=NOW)


def log(server: Server, pid: int, summary: str, days_ago: int, kind: str = "call") -> int:
    with server.db() as db:
        return interactions.log_interaction(
            db, summary=summary, people=[pid], kind=kind, occurred_at=NOW - timedelta(days=days_ago), now=NOW
        )


def right_edge(locator: Any) -> float:
    box = locator.bounding_box()
    assert box is not None
    return float(box["x"] + box["width"])


def small_network(server: Server) -> dict[str, int]:
    ana = add(server, "Ana Lima", organization="Northwind", title="Engineer", tags=["mentor"], circle="close")
    bo = add(server, "Bo Berg", organization="Contoso", circle="network")
    cy = add(server, "Cyrus Adeyemi", organization="Fabrikam")
    with server.db() as db:
        people.add_note(db, ana, "Loves sailing and board games", now=NOW)
    log(server, ana, "Coffee about the conference", 20)
    return {"ana": ana, "bo": bo, "cy": cy}


# First run and demo ------------------------------------------------------------------------------------------


def test_first_run_invites_an_import_or_the_demo(empty_ui: Ui) -> None:
    ui = empty_ui
    ui.go("/")
    page = ui.page
    welcome = page.get_by_test_id("welcome")
    expect(welcome).to_be_visible()
    expect(page.get_by_role("heading", name="Welcome to dunbar")).to_be_visible()
    expect(page.get_by_label("File to import")).to_be_visible()
    expect(page.get_by_role("button", name="Try the demo")).to_be_visible()
    ui.shot("desktop")
    ui.phone_shot("welcome")


def test_first_run_after_init_points_the_demo_to_its_own_database(ui: Ui) -> None:
    # "me" is set and nobody else is there: the page still welcomes, but the demo (which fills only a database
    # with nobody in it) is not a button that would fail.
    ui.go("/")
    expect(ui.page.get_by_test_id("welcome")).to_be_visible()
    expect(ui.page.get_by_label("File to import")).to_be_visible()
    expect(ui.page.get_by_role("button", name="Try the demo")).to_have_count(0)
    expect(ui.page.get_by_test_id("welcome-demo-elsewhere")).to_contain_text("dunbar --demo serve")


def test_the_demo_button_fills_the_network(empty_ui: Ui) -> None:
    ui = empty_ui
    ui.go("/")
    ui.page.get_by_role("button", name="Try the demo").click()
    expect(ui.page).to_have_url(re.compile(r"/today$"))
    expect(ui.page.get_by_test_id("agenda-item").first).to_be_visible()
    expect(ui.page.get_by_test_id("dormant").get_by_role("link").first).to_be_visible()  # loaded after the list
    ui.shot("today")
    ui.phone_shot("today")

    ui.page.get_by_test_id("nav-people").click()
    rows = ui.page.get_by_test_id("person-row")
    expect(rows).to_have_count(50)
    ui.page.get_by_test_id("people-more").click()
    expect(rows).to_have_count(100)
    ui.shot("people")
    with ui.server.db() as db:
        assert db.scalar("SELECT count(*) FROM person WHERE is_me = 0") == 300

    # The welcome page is gone once there are people: home is the agenda.
    ui.go("/")
    expect(ui.page.get_by_test_id("agenda")).to_be_visible()
    expect(ui.page.get_by_test_id("welcome")).to_have_count(0)


# Import and the review queue ------------------------------------------------------------------------------------


def test_import_a_linkedin_export_then_undo_it(ui: Ui, tmp_path: Path) -> None:
    export = SAMPLES / "linkedin" / "export-2024"
    if not (export / "Connections.csv").exists():
        pytest.skip(f"LinkedIn sample export absent at {export}")
    archive = tmp_path / "Basic_LinkedInDataExport_2024.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for f in sorted(export.iterdir()):
            z.write(f, f.name)

    ui.go("/")
    ui.page.get_by_label("File to import").set_input_files(str(archive))
    ui.page.get_by_test_id("welcome-import").get_by_role("button", name="Import", exact=True).click()
    report = ui.page.get_by_test_id("import-report")
    expect(report).to_be_visible()
    expect(report.get_by_role("heading")).to_have_text(f"Imported {archive.name}")
    created = int(ui.page.get_by_test_id("count-created").inner_text())
    assert created > 100
    ui.shot("report")
    ui.phone_shot("report")

    ui.page.get_by_test_id("nav-people").click()
    ui.page.get_by_test_id("people-search").fill("Björn Mensah")
    expect(ui.page.get_by_test_id("person-row").first).to_contain_text("Björn Mensah")
    with ui.server.db() as db:
        batch = db.scalar("SELECT max(id) FROM batch")
        assert db.scalar("SELECT count(*) FROM person WHERE is_me = 0 AND deleted_at IS NULL") >= 100

    ui.page.get_by_test_id("nav-import").click()
    expect(ui.page.get_by_test_id("batch-row")).to_have_count(1)
    # A long file name wraps inside the history card: its Undo button is not under the review column.
    card, button = ui.page.get_by_test_id("import-history"), ui.page.get_by_test_id(f"undo-{batch}")
    assert right_edge(button) <= right_edge(card)
    ui.watch.confirm.append(f"Undo import #{batch}?")
    ui.page.get_by_test_id(f"undo-{batch}").click()
    expect(ui.page.get_by_test_id("message")).to_contain_text(f"Undid import #{batch}")
    expect(ui.page.get_by_test_id("batch-row")).to_contain_text("undone")
    with ui.server.db() as db:
        assert db.scalar("SELECT count(*) FROM person WHERE is_me = 0 AND deleted_at IS NULL") == 0


def test_resolve_duplicates_merge_and_keep_apart(ui: Ui) -> None:
    s1 = add(ui.server, "Sam Okafor", organization="Northwind", emails=["sam@northwind.example"])
    s2 = add(ui.server, "Samuel Okafor", organization="Northwind", phones=["+44 20 7946 0000"])
    d1 = add(ui.server, "Dana Kim", organization="Contoso")
    d2 = add(ui.server, "Dana Kim", organization="Fabrikam")
    log(ui.server, s2, "Lunch near the office", 10)
    with ui.server.db() as db:
        merge_pair = merge.queue_candidate(db, s1, s2, 0.9, ["similar names", "same employer"], now=NOW)
        apart_pair = merge.queue_candidate(db, d1, d2, 0.8, ["same name"], now=NOW)

    ui.go("/import")
    pairs = ui.page.get_by_test_id("pair")
    expect(pairs).to_have_count(2)
    first = ui.page.locator(f'[data-pair-id="{merge_pair}"]')
    expect(first).to_contain_text("Sam Okafor")
    expect(first).to_contain_text("Samuel Okafor")
    expect(first).to_contain_text("sam@northwind.example")
    ui.shot("queue")
    ui.phone_shot("queue")

    ui.page.get_by_test_id(f"merge-{merge_pair}").click()
    expect(ui.page.get_by_test_id("message")).to_have_text("Merged them into one person.")
    expect(pairs).to_have_count(1)
    ui.page.get_by_test_id(f"apart-{apart_pair}").click()
    expect(ui.page.get_by_test_id("message")).to_have_text("Kept them apart.")
    expect(ui.page.get_by_test_id("review-empty")).to_be_visible()

    with ui.server.db() as db:
        statuses = {r[0]: r[1] for r in db.rows("SELECT id, status FROM merge_candidate")}
        assert db.scalar("SELECT count(*) FROM person WHERE deleted_at IS NULL AND display_name LIKE '%Okafor'") == 1
        assert db.scalar("SELECT count(*) FROM person WHERE deleted_at IS NULL AND display_name = 'Dana Kim'") == 2
    assert statuses[merge_pair] == "merged"
    assert statuses[apart_pair] == "apart"
    # The survivor has both records' details and the merged one's history.
    ui.go(f"/people/{s1}")
    expect(ui.page.get_by_test_id("section-contact")).to_contain_text("sam@northwind.example")
    expect(ui.page.get_by_test_id("section-contact")).to_contain_text("7946")
    expect(ui.page.get_by_test_id("interaction")).to_contain_text("Lunch near the office")


# Today ----------------------------------------------------------------------------------------------------------


def test_work_through_todays_agenda_in_one_click_each(ui: Ui) -> None:
    ids = []
    for i, name in enumerate(["Ada Quist", "Ben Ortiz", "Cleo Park", "Dev Rao", "Eva Lund", "Finn Hale", "Gus Ito"]):
        pid = add(ui.server, name, circle="close", organization="Northwind")
        log(ui.server, pid, f"Catch-up number {i}", 200 + i * 10)
        ids.append(pid)

    ui.go("/today")
    items = ui.page.get_by_test_id("agenda-item")
    expect(items.first).to_be_visible()
    shown = [int(x) for x in items.evaluate_all("els => els.map(e => e.dataset.personId)")]
    assert len(shown) >= 3
    expect(items.first.locator(".reasons li").first).not_to_be_empty()
    ui.shot("before")
    ui.phone_shot("agenda")
    done_id, snooze_id, skip_id = shown[:3]

    ui.page.get_by_test_id(f"done-{done_id}").click()
    expect(ui.page.get_by_test_id("message")).to_have_text("Done: logged that you were in touch.")
    expect(ui.page.locator(f'[data-testid="agenda-item"][data-person-id="{done_id}"]')).to_have_count(0)

    ui.page.get_by_label("Snooze for").and_(ui.page.locator(f"#snooze-{snooze_id}")).select_option(label="a month")
    ui.page.get_by_test_id(f"snooze-{snooze_id}").click()
    expect(ui.page.get_by_test_id("message")).to_have_text("Snoozed until 2026-12-25.")
    expect(ui.page.locator(f'[data-testid="agenda-item"][data-person-id="{snooze_id}"]')).to_have_count(0)

    ui.page.get_by_test_id(f"skip-{skip_id}").click()
    expect(ui.page.get_by_test_id("message")).to_have_text("Skipped for today.")
    expect(ui.page.locator(f'[data-testid="agenda-item"][data-person-id="{skip_id}"]')).to_have_count(0)
    ui.shot("after")

    # The three stay off today's list after a reload; "done" logged an interaction today.
    ui.page.reload()
    remaining = {int(x) for x in items.evaluate_all("els => els.map(e => e.dataset.personId)")}
    assert not remaining & {done_id, snooze_id, skip_id}
    with ui.server.db() as db:
        last = db.scalar(
            "SELECT max(i.occurred_at) FROM interaction i JOIN participant p ON p.interaction_id = i.id "
            "WHERE p.person_id = :id",
            {"id": done_id},
        )
    assert str(last).startswith("2026-11-25")


# Log with the keyboard ------------------------------------------------------------------------------------------


def test_log_an_interaction_with_the_l_shortcut(ui: Ui) -> None:
    ids = small_network(ui.server)
    ui.go("/people")
    dialog = ui.page.get_by_test_id("log-dialog")
    expect(dialog).to_be_hidden()
    ui.page.keyboard.press("l")
    expect(dialog).to_be_visible()
    expect(ui.page.get_by_test_id("log-who")).to_be_focused()  # ready to type a name

    for typed, name in (("ana li", "Ana Lima"), ("bo be", "Bo Berg")):
        ui.page.keyboard.type(typed)
        ui.page.get_by_test_id("log-suggestion").filter(has_text=name).click()
        expect(ui.page.get_by_test_id("log-chip").filter(has_text=name)).to_be_visible()
    ui.page.get_by_test_id("log-summary").fill("Dinner after the meetup; Bo is hiring")
    dialog.get_by_label("Kind").select_option("event")
    ui.shot("dialog")
    ui.page.get_by_test_id("log-submit").click()
    done = ui.page.get_by_test_id("log-done")
    expect(done).to_contain_text("Logged: Dinner after the meetup; Bo is hiring — with Ana Lima, Bo Berg.")
    expect(ui.page.get_by_test_id("log-chip")).to_have_count(0)  # the form is ready for the next one
    ui.phone_shot("logged")

    # Escape closes the dialog; L in a text field is just a letter.
    ui.page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    ui.page.get_by_test_id("people-search").type("l")
    expect(dialog).to_be_hidden()

    ui.go(f"/people/{ids['bo']}")
    expect(ui.page.get_by_test_id("interaction").first).to_contain_text("Dinner after the meetup; Bo is hiring")
    with ui.server.db() as db:
        row = db.one(
            "SELECT kind, count(*) AS n FROM interaction i JOIN participant p ON p.interaction_id = i.id "
            "WHERE i.summary = :s GROUP BY kind",
            {"s": "Dinner after the meetup; Bo is hiring"},
        )
    assert row is not None
    assert (row["kind"], row["n"]) == ("event", 2)


# Person ---------------------------------------------------------------------------------------------------------


def test_edit_a_person_in_place(ui: Ui) -> None:
    ids = small_network(ui.server)
    ui.go(f"/people/{ids['ana']}")
    url = ui.page.url
    expect(ui.page.get_by_test_id("person-name")).to_have_text("Ana Lima")
    expect(ui.page.get_by_test_id("strength-score")).to_be_visible()  # loaded after the page
    expect(ui.page.get_by_test_id("section-strength").locator("canvas")).to_have_count(1)  # its chart drawn
    ui.shot("before")

    ui.page.get_by_test_id("edit-details").click()
    ui.page.get_by_label("Name", exact=True).fill("Ana Lima-Souza")
    ui.page.get_by_label("Location").fill("Lisbon")
    ui.page.get_by_label("Circle").select_option("inner")
    ui.page.get_by_test_id("section-details").get_by_role("button", name="Save").click()
    expect(ui.page.get_by_test_id("person-name")).to_have_text("Ana Lima-Souza")
    details = ui.page.get_by_test_id("section-details")
    expect(details).to_contain_text("Lisbon")
    expect(details).to_contain_text("Inner")

    ui.page.get_by_test_id("edit-work").click()
    ui.page.get_by_label("Organization").fill("Contoso")
    ui.page.get_by_label("Title").fill("Staff engineer")
    ui.page.get_by_role("button", name="Save job").click()
    expect(ui.page.get_by_test_id("section-work")).to_contain_text("Staff engineer")

    ui.page.get_by_label("Add tags (comma separated)").fill("sailing, speaker")
    ui.page.get_by_test_id("section-tags").get_by_role("button", name="Add").click()
    expect(ui.page.get_by_test_id("section-tags").locator(".tag")).to_have_count(3)

    ui.page.get_by_label("New note").fill("Moved to Lisbon in the spring")
    ui.page.get_by_role("button", name="Add note").click()
    expect(ui.page.get_by_test_id("note").first).to_contain_text("Moved to Lisbon in the spring")

    ui.page.get_by_test_id("section-timeline").get_by_text("Log an interaction with").click()
    ui.page.get_by_test_id("form-log-here").get_by_label("What happened").fill("Video call about the new job")
    ui.page.get_by_test_id("form-log-here").get_by_role("button", name="Log it").click()
    expect(ui.page.get_by_test_id("interaction").first).to_contain_text("Video call about the new job")

    assert ui.page.url == url  # all in place, no navigation
    ui.shot("after")
    ui.phone_shot("person")
    with ui.server.db() as db:
        p = people.get_person(db, ids["ana"])
    assert (p["name"], p["location"], p["circle"]) == ("Ana Lima-Souza", "Lisbon", "inner")
    assert set(p["tags"]) == {"mentor", "sailing", "speaker"}
    assert any(j["organization"] == "Contoso" and j["title"] == "Staff engineer" for j in p["employments"])


# People ---------------------------------------------------------------------------------------------------------


def test_search_as_you_type(ui: Ui) -> None:
    small_network(ui.server)
    ui.go("/people")
    rows = ui.page.get_by_test_id("person-row")
    expect(rows).to_have_count(3)

    box = ui.page.get_by_test_id("people-search")
    box.press_sequentially("lim")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Ana Lima")
    expect(ui.page).to_have_url(re.compile(r"[?&]q=lim"))

    box.fill("sailing")  # a word from a note finds the person and the note
    expect(rows).to_have_count(1)
    expect(ui.page.get_by_test_id("mentions")).to_contain_text("Loves sailing")

    box.fill("zzzz")
    expect(ui.page.get_by_test_id("people-empty")).to_contain_text("Nobody matches “zzzz”.")
    ui.shot("empty")

    box.fill("")
    expect(rows).to_have_count(3)
    ui.page.get_by_label("Circle").select_option("close")
    expect(rows).to_have_count(1)
    ui.shot("filtered")
    ui.phone_shot("people")

"""The web pages through an in-process client against real databases: every page renders, forms change the data
only with the page's CSRF token, a foreign Host is refused, errors are pages, and hostile contact data is text."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from dunbar import interactions, people
from dunbar.store import open_db
from dunbar.web import create_app
from dunbar.web.deps import CSRF_COOKIE

TODAY = date(2026, 11, 25)
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


class Browser:
    """A client that behaves like the pages: it reads the token from a page and sends it with each form."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.client.get("/people")
        self.token = str(client.cookies.get(CSRF_COOKIE))

    def get(self, path: str, **kw: Any) -> Any:
        return self.client.get(path, **kw)

    def post(self, path: str, data: dict[str, Any] | None = None, *, htmx: bool = False, **kw: Any) -> Any:
        body = {"csrf_token": self.token, **(data or {})}
        headers = {"HX-Request": "true"} if htmx else {}
        return self.client.post(path, data=body, headers=headers, follow_redirects=False, **kw)


def seed(url: str) -> dict[str, int]:
    """A small network: me, Ana (with a job, a note, tags and two interactions) and Bo."""
    with open_db(url) as db:
        people.set_me(db, name="Jordan Avery", emails=["jordan@example.org"], now=NOW)
        ana = people.add_person(
            db,
            people.PersonChanges(
                name="Ana Lima",
                emails=["ana@example.org"],
                organization="Northwind",
                title="Engineer",
                tags=["mentor"],
                circle="close",
            ),
            now=NOW,
        )
        bo = people.add_person(db, people.PersonChanges(name="Bo Berg", organization="Contoso"), now=NOW)
        people.add_note(db, ana, "Loves sailing and board games", now=NOW)
        for day, text in ((3, "Coffee about the conference"), (20, "Call about her new team")):
            interactions.log_interaction(
                db,
                summary=text,
                people=[ana],
                kind="call",
                occurred_at=datetime(2026, 11, day, 9, tzinfo=UTC),
                now=NOW,
            )
    return {"ana": ana, "bo": bo}


@pytest.fixture
def browser(sqlite_url: str) -> Iterator[Browser]:
    with TestClient(create_app(sqlite_url, today=TODAY, allowed_hosts=["testserver"])) as client:
        yield Browser(client)


@pytest.fixture
def seeded(sqlite_url: str) -> Iterator[tuple[Browser, dict[str, int], str]]:
    ids = seed(sqlite_url)
    with TestClient(create_app(sqlite_url, today=TODAY, allowed_hosts=["testserver"])) as client:
        yield Browser(client), ids, sqlite_url


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# First run ----------------------------------------------------------------------------------------------------


def test_first_run_invites_an_import_or_the_demo(browser: Browser) -> None:
    r = browser.get("/")
    assert r.status_code == 200
    assert 'data-testid="welcome"' in r.text
    assert 'action="/import"' in r.text
    assert 'action="/demo"' in r.text


def test_demo_fills_an_empty_database_once(browser: Browser) -> None:
    r = browser.post("/demo")
    assert r.status_code == 303
    listing = browser.get("/people")
    assert listing.text.count('data-testid="person-row"') == 50  # a full first page
    more = browser.get("/people?offset=50", headers={"HX-Request": "true", "HX-Target": "more-row"})
    assert more.text.lstrip().startswith("<tr")
    assert more.text.count('data-testid="person-row"') == 50
    again = browser.post("/demo")
    assert again.status_code == 409
    assert "already has people" in again.text
    assert "Traceback" not in again.text


def test_home_is_today_once_there_are_people(seeded: tuple[Browser, dict[str, int], str]) -> None:
    b, _, _ = seeded
    r = b.get("/", follow_redirects=False)
    assert r.status_code == 200
    assert 'data-testid="agenda"' in r.text
    assert 'aria-current="page"' in r.text


# Today --------------------------------------------------------------------------------------------------------


def _agenda_ids(html: str, *, promises: bool = True) -> list[int]:
    """The people on the agenda, in order; without ``promises``, only those with no follow-up due (a due
    promise keeps its person on the list whatever else happens)."""
    out = []
    for block in html.split('data-testid="agenda-item"')[1:]:
        if promises or 'data-testid="follow-up"' not in block:
            out.append(int(re.search(r'data-person-id="(\d+)"', block).group(1)))  # type: ignore[union-attr]
    return out


def test_today_done_snooze_and_skip_in_one_click(browser: Browser, sqlite_url: str) -> None:
    browser.post("/demo")
    page = browser.get("/today").text
    first = _agenda_ids(page, promises=False)
    assert len(first) >= 3
    assert 'class="reasons"' in page
    done, snoozed, skipped = first[:3]
    r = browser.post(f"/today/{done}/done", {"note": "Sent a note about the meetup"}, htmx=True)
    assert r.status_code == 200
    assert r.text.lstrip().startswith('<section id="agenda"')
    assert done not in _agenda_ids(r.text)
    r = browser.post(f"/today/{snoozed}/snooze", {"days": "14"}, htmx=True)
    assert "Snoozed until 2026-12-09" in r.text
    assert snoozed not in _agenda_ids(r.text)
    r = browser.post(f"/today/{skipped}/skip", htmx=True)
    assert skipped not in _agenda_ids(r.text)
    dormant = browser.get("/today/dormant", headers={"HX-Request": "true"})
    assert dormant.status_code == 200
    assert dormant.text.lstrip().startswith('<section class="card dormant-card"')
    remaining = _agenda_ids(browser.get("/today").text)
    assert not {done, snoozed, skipped} & set(remaining)
    with open_db(sqlite_url) as db:
        assert interactions.timeline(db, done)[0]["summary"] == "Sent a note about the meetup"
    assert browser.post("/today/999999/skip", htmx=True).status_code == 404


def test_today_follow_up_kept(browser: Browser, sqlite_url: str) -> None:
    browser.post("/demo")
    page = browser.get("/today").text
    found = re.search(r'data-testid="follow-up-done-(\d+)"', page)
    if found is None:
        pytest.skip("the demo has no follow-up due today")
    fid = int(found.group(1))
    r = browser.post(f"/follow-ups/{fid}/done", htmx=True)
    assert r.status_code == 200
    assert f"follow-up-done-{fid}" not in r.text
    with open_db(sqlite_url) as db:
        assert db.scalar("SELECT status FROM follow_up WHERE id = :id", {"id": fid}) == "done"


# People -------------------------------------------------------------------------------------------------------


def test_people_lists_filters_and_sorts(seeded: tuple[Browser, dict[str, int], str]) -> None:
    b, _ids, _ = seeded
    everyone = b.get("/people").text
    assert "Ana Lima" in everyone
    assert "Bo Berg" in everyone
    assert "Jordan Avery" not in everyone  # me is not in my own network list
    assert "Ana Lima" in b.get("/people?tag=mentor").text
    assert "Bo Berg" not in b.get("/people?tag=mentor").text
    assert "Bo Berg" in b.get("/people?organization=contoso").text
    assert "Ana Lima" not in b.get("/people?organization=contoso").text
    assert "Ana Lima" not in b.get("/people?circle=inner").text
    overdue = b.get("/people?overdue=30").text  # Ana was called this month; Bo never
    assert "Bo Berg" in overdue
    assert "Ana Lima" not in overdue
    by_contact = b.get("/people?sort=last-contact").text
    assert by_contact.index("Ana Lima") < by_contact.index("Bo Berg")
    by_strength = b.get("/people?sort=strength").text
    assert by_strength.index("Ana Lima") < by_strength.index("Bo Berg")
    assert 'data-testid="people-empty"' in b.get("/people?tag=nobody-has-this").text


def test_search_as_you_type_answers_with_the_results_only(seeded: tuple[Browser, dict[str, int], str]) -> None:
    b, _, _ = seeded
    r = b.get("/people?q=sail", headers={"HX-Request": "true", "HX-Target": "people-results"})
    assert r.status_code == 200
    assert r.text.lstrip().startswith('<section id="people-results"')
    assert "Loves <mark>sailing</mark> and" in r.text  # the note that matched, its word highlighted
    assert "Ana Lima" in r.text
    found = b.get("/people?q=ana").text
    assert 'data-testid="person-row"' in found
    assert "Ana Lima" in found


def test_bulk_tag(seeded: tuple[Browser, dict[str, int], str]) -> None:
    b, ids, _url = seeded
    r = b.post("/people/tag", {"ids": [ids["ana"], ids["bo"]], "bulk_tag": "speaker"}, htmx=True)
    assert r.status_code == 200
    assert "Tagged 2 people with speaker" in r.text
    listed = b.get("/people?tag=speaker").text
    assert "Ana Lima" in listed
    assert "Bo Berg" in listed
    assert "Tick the people" in b.post("/people/tag", {"bulk_tag": "x"}, htmx=True).text


# Person -------------------------------------------------------------------------------------------------------


def test_person_page_shows_everything(seeded: tuple[Browser, dict[str, int], str]) -> None:
    b, ids, _ = seeded
    r = b.get(f"/people/{ids['ana']}")
    assert r.status_code == 200
    page = text_of(r.text)
    for expected in ("Ana Lima", "Engineer at Northwind", "ana@example.org", "mentor", "Loves sailing", "Close"):
        assert expected in page
    assert page.index("Call about her new team") < page.index("Coffee about the conference")  # newest first
    for section in ("details", "contact", "work", "dates", "tags", "notes", "timeline", "strength"):
        assert f'data-testid="section-{section}"' in r.text
    strength = b.get(f"/people/{ids['ana']}/strength")
    assert 'data-testid="strength-score"' in strength.text
    assert 'id="strength-data"' in strength.text  # the chart's data, as JSON
    assert b.get("/people/999999").status_code == 404


def test_edit_in_place_swaps_the_section(seeded: tuple[Browser, dict[str, int], str]) -> None:
    b, ids, url = seeded
    pid = ids["ana"]
    form = b.get(f"/people/{pid}/section/details?edit=1", headers={"HX-Request": "true"})
    assert form.text.lstrip().startswith('<section id="details"')
    assert 'name="name"' in form.text
    assert 'value="Ana Lima"' in form.text
    r = b.post(f"/people/{pid}/details", {"name": "Ana Lima-Berg", "location": "Lisbon", "circle": "inner"}, htmx=True)
    assert r.status_code == 200
    assert r.text.lstrip().startswith('<section id="details"')
    assert "Ana Lima-Berg" in r.text
    assert "Lisbon" in r.text
    assert "Saved." in r.text
    b.post(f"/people/{pid}/contact", {"phone": "+351 912 345 678", "link": "https://example.org/ana"}, htmx=True)
    b.post(f"/people/{pid}/work", {"organization": "Fabrikam", "title": "Lead"}, htmx=True)
    b.post(f"/people/{pid}/work/end", {"organization": "Northwind"}, htmx=True)
    b.post(f"/people/{pid}/dates", {"birthday": "04-12"}, htmx=True)
    b.post(f"/people/{pid}/tags", {"tags": "friend, sailing"}, htmx=True)
    b.post(f"/people/{pid}/tags/remove", {"tag": "mentor"}, htmx=True)
    b.post(f"/people/{pid}/notes", {"body": "Moved to Lisbon"}, htmx=True)
    b.post(f"/people/{pid}/contact/remove", {"value": "ana@example.org"}, htmx=True)
    with open_db(url) as db:
        p = people.get_person(db, pid)
    assert p["name"] == "Ana Lima-Berg"
    assert p["location"] == "Lisbon"
    assert p["circle"] == "inner"
    assert [e["address"] for e in p["emails"]] == []
    assert any(ph["number"].startswith("+351") for ph in p["phones"])
    assert {(j["organization"], j["current"]) for j in p["employments"]} == {("Fabrikam", True), ("Northwind", False)}
    assert [(d["month"], d["day"]) for d in p["dates"]] == [(4, 12)]
    assert sorted(p["tags"]) == ["friend", "sailing"]
    assert p["notes"][0]["body"] == "Moved to Lisbon"


def test_a_form_without_javascript_redirects_back(seeded: tuple[Browser, dict[str, int], str]) -> None:
    b, ids, _ = seeded
    r = b.post(f"/people/{ids['bo']}/notes", {"body": "Plain form"})
    assert r.status_code == 303
    assert r.headers["location"] == f"/people/{ids['bo']}#notes"


def test_bad_input_in_a_form_is_a_message(seeded: tuple[Browser, dict[str, int], str]) -> None:
    b, ids, _ = seeded
    r = b.post(f"/people/{ids['ana']}/details", {"closeness": "lots"}, htmx=True)
    assert r.status_code == 400
    assert "closeness must be a whole number" in r.text
    assert "data-error-detail" in r.text
    r = b.post(f"/people/{ids['ana']}/details", {"circle": "bestie"}, htmx=True)
    assert r.status_code == 400
    assert "unknown circle" in r.text
    r = b.post(f"/people/{ids['ana']}/dates", {"birthday": "someday"}, htmx=True)
    assert r.status_code == 400
    assert "not a birthday" in r.text


def test_timeline_pages_back(seeded: tuple[Browser, dict[str, int], str]) -> None:
    b, ids, url = seeded
    with open_db(url) as db:
        for day in range(1, 26):
            interactions.log_interaction(
                db,
                summary=f"Message number {day}",
                people=[ids["bo"]],
                kind="message",
                occurred_at=datetime(2026, 10, day, 9, tzinfo=UTC),
                now=NOW,
            )
    first = b.get(f"/people/{ids['bo']}").text
    assert first.count('data-testid="interaction"') == 20
    more = re.search(r'hx-get="(/people/\d+/timeline\?before=[^"]+)"', first)
    assert more is not None
    rest = b.get(more.group(1).replace("&amp;", "&"), headers={"HX-Request": "true"}).text
    assert rest.count('data-testid="interaction"') == 5
    assert "Message number 1<" in rest.replace("</div>", "<")
    assert "timeline-more" not in rest


def test_log_from_the_person_page(seeded: tuple[Browser, dict[str, int], str]) -> None:
    b, ids, url = seeded
    r = b.post(
        f"/people/{ids['bo']}/log",
        {"summary": "Lunch at the harbour", "kind": "meeting", "day": "2026-11-24", "initiator": "them"},
        htmx=True,
    )
    assert r.status_code == 200
    assert "Lunch at the harbour" in r.text
    assert r.headers["HX-Trigger"] == "interaction-logged"
    with open_db(url) as db:
        (item,) = interactions.timeline(db, ids["bo"])
    assert item["initiator"] == "them"
    assert item["occurred_at"].astimezone().date() == date(2026, 11, 24)


# Log ----------------------------------------------------------------------------------------------------------


def test_quick_log_with_several_people(seeded: tuple[Browser, dict[str, int], str]) -> None:
    b, ids, url = seeded
    suggest = b.get("/log/suggest?who=ana", headers={"HX-Request": "true"})
    assert f'data-pick-id="{ids["ana"]}"' in suggest.text
    page = b.get("/people").text
    assert 'id="log-dialog"' in page
    assert 'aria-keyshortcuts="l"' in page
    r = b.post(
        "/log",
        {"person": [ids["ana"]], "who": "Bo Berg", "summary": "Team dinner", "kind": "event", "initiator": "me"},
        htmx=True,
    )
    assert r.status_code == 200
    assert 'data-testid="log-done"' in r.text
    assert "Ana Lima" in r.text
    assert "Bo Berg" in r.text
    with open_db(url) as db:
        assert interactions.timeline(db, ids["bo"])[0]["summary"] == "Team dinner"
        assert interactions.timeline(db, ids["ana"])[0]["summary"] == "Team dinner"


def test_quick_log_needs_someone_and_says_who_is_ambiguous(seeded: tuple[Browser, dict[str, int], str]) -> None:
    b, _, url = seeded
    r = b.post("/log", {"summary": "With whom?"}, htmx=True)
    assert r.status_code == 400
    assert "who was it with" in r.text
    with open_db(url) as db:
        people.add_person(db, people.PersonChanges(name="Ana Souza"), now=NOW)
    r = b.post("/log", {"who": "Ana", "summary": "Coffee"}, htmx=True)
    assert r.status_code == 409
    assert "Ana Lima" in r.text
    assert "Ana Souza" in r.text
    assert b.get("/log").status_code == 200


# Import, review, settings ------------------------------------------------------------------------------------


def _linkedin_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.write(FIXTURES / "csv" / "connections_bom_crlf.csv", "Connections.csv")
    return buf.getvalue()


def test_import_report_history_and_undo(browser: Browser, sqlite_url: str) -> None:
    r = browser.client.post(
        "/import",
        data={"csrf_token": browser.token},
        files={"file": ("Basic_LinkedInDataExport.zip", _linkedin_zip(), "application/zip")},
    )
    assert r.status_code == 200, r.text
    assert 'data-testid="import-report"' in r.text
    created = int(re.search(r'data-testid="count-created">(\d+)<', r.text).group(1))  # type: ignore[union-attr]
    assert created > 0
    assert "Amara Okoye" in browser.get("/people").text
    batch = re.search(r'action="/import/(\d+)/undo"', r.text)
    assert batch is not None
    page = browser.get("/import").text
    assert 'data-testid="batch-row"' in page
    undone = browser.post(f"/import/{batch.group(1)}/undo", htmx=True)
    assert undone.status_code == 200
    assert "Undid import" in undone.text
    assert "Amara Okoye" not in browser.get("/people").text
    again = browser.post(f"/import/{batch.group(1)}/undo", htmx=True)
    assert again.status_code == 400
    assert "already undone" in again.text


def test_import_shows_rejected_rows_with_reasons(browser: Browser) -> None:
    data = (
        "First Name,Last Name,Email Address,Company,Position,Connected On\nAna,Lima,,Contoso,Eng,01 Jan 2020\n,,,,,\n"
    )
    r = browser.client.post(
        "/import",
        data={"csrf_token": browser.token, "format": "linkedin"},
        files={"file": ("Connections.csv", data.encode(), "text/csv")},
    )
    assert r.status_code == 200, r.text
    assert 'data-testid="import-report"' in r.text


def test_import_of_an_unreadable_file_is_a_message(browser: Browser) -> None:
    r = browser.client.post(
        "/import",
        data={"csrf_token": browser.token},
        files={"file": ("photo.jpg", b"\xff\xd8\xff\xe0 not contacts", "image/jpeg")},
    )
    assert r.status_code == 400
    assert 'data-testid="error"' in r.text
    assert "Traceback" not in r.text
    r = browser.client.post("/import", data={"csrf_token": browser.token})
    assert r.status_code in (400, 422)
    assert 'data-testid="error"' in r.text


def test_review_queue_merge_and_keep_apart(seeded: tuple[Browser, dict[str, int], str]) -> None:
    from dunbar import merge

    b, ids, url = seeded
    with open_db(url) as db:
        twin = people.add_person(db, people.PersonChanges(name="Ana Lima", organization="Northwind"), now=NOW)
        other = people.add_person(db, people.PersonChanges(name="Bo Berg"), now=NOW)
        merge.scan(db, now=NOW)
        pairs = {frozenset((c["a"]["id"], c["b"]["id"])): c["id"] for c in merge.candidates(db)}
    same = pairs[frozenset((ids["ana"], twin))]
    apart = pairs[frozenset((ids["bo"], other))]
    page = b.get("/import").text
    assert f'data-pair-id="{same}"' in page
    assert f'data-pair-id="{apart}"' in page
    r = b.post(f"/review/{same}", {"decision": "merge", "keep": "a"}, htmx=True)
    assert r.status_code == 200
    assert "Merged them" in r.text
    r = b.post(f"/review/{apart}", {"decision": "apart"}, htmx=True)
    assert r.status_code == 200
    assert "Kept them apart" in r.text
    assert 'data-testid="review-empty"' in r.text
    with open_db(url) as db:
        assert {c["status"] for c in merge.candidates(db, status="merged")} == {"merged"}
    assert b.post(f"/review/{same}", {"decision": "merge"}, htmx=True).status_code == 409


def test_settings_me_and_exports(seeded: tuple[Browser, dict[str, int], str]) -> None:
    b, _, url = seeded
    page = b.get("/settings")
    assert page.status_code == 200
    assert 'value="Jordan Avery"' in page.text
    assert 'href="/api/v1/export.json"' in page.text
    assert 'href="/api/v1/export.vcf"' in page.text
    r = b.post("/settings/me", {"name": "Jordan A. Avery", "emails": "j@work.example", "linkedin": ""})
    assert r.status_code == 200
    assert "Saved." in r.text
    with open_db(url) as db:
        me = people.get_me(db)
    assert me is not None
    assert me["name"] == "Jordan A. Avery"
    assert {e["address"] for e in me["emails"]} == {"jordan@example.org", "j@work.example"}
    exported = b.get("/api/v1/export.json")
    assert exported.status_code == 200
    assert "Ana Lima" in exported.text
    assert "BEGIN:VCARD" in b.get("/api/v1/export.vcf").text


# Guards ------------------------------------------------------------------------------------------------------


def test_changes_need_the_csrf_token(seeded: tuple[Browser, dict[str, int], str]) -> None:
    b, ids, url = seeded
    c = b.client
    path = f"/people/{ids['bo']}/notes"
    assert c.post(path, data={"body": "no token"}).status_code == 403
    assert c.post(path, data={"body": "forged", "csrf_token": "abc.def"}).status_code == 403
    # A token signed by another app (another secret) is refused too.
    with TestClient(create_app(url, today=TODAY, allowed_hosts=["testserver"])) as other:
        other.get("/people")
        foreign = str(other.cookies.get(CSRF_COOKIE))
    assert c.post(path, data={"body": "foreign", "csrf_token": foreign}).status_code == 403
    # The right token in the header (as htmx sends it) or in the form field works.
    assert (
        c.post(path, data={"body": "header"}, headers={"X-CSRF-Token": b.token}, follow_redirects=False).status_code
        == 303
    )
    assert c.post(path, data={"body": "field", "csrf_token": b.token}, follow_redirects=False).status_code == 303
    refused = c.post("/demo")
    assert refused.status_code == 403
    assert "security token" in refused.text
    with open_db(url) as db:
        bodies = [n["body"] for n in people.get_person(db, ids["bo"])["notes"]]
    assert sorted(bodies) == ["field", "header"]


def test_every_page_carries_the_token_for_htmx(seeded: tuple[Browser, dict[str, int], str]) -> None:
    b, _, _ = seeded
    html = b.get("/people").text
    assert f'"X-CSRF-Token": "{b.token}"' in html
    assert f'name="csrf_token" value="{b.token}"' in html


def test_a_foreign_host_is_refused(sqlite_url: str) -> None:
    app = create_app(sqlite_url, port=8765)
    with TestClient(app, base_url="http://127.0.0.1:8765") as c:
        assert c.get("/people").status_code == 200
        assert c.get("/people", headers={"host": "localhost:8765"}).status_code == 200
        assert c.get("/people", headers={"host": "[::1]:8765"}).status_code == 200
        for host in ("evil.example", "evil.example:8765", "127.0.0.1:9999", "testserver", "127.0.0.1.evil.example"):
            r = c.get("/people", headers={"host": host})
            assert r.status_code == 400, host
            assert "own local address" in r.text
        assert c.get("/api/v1/csrf", headers={"host": "rebind.example:8765"}).status_code == 400


def test_pages_send_a_strict_content_security_policy(seeded: tuple[Browser, dict[str, int], str]) -> None:
    b, ids, _ = seeded
    r = b.get(f"/people/{ids['ana']}")
    assert "script-src 'self'" in r.headers["content-security-policy"]
    assert r.headers["x-frame-options"] == "DENY"
    assert "<script>" not in r.text  # no inline script on any page: the JSON data block is typed
    cookie = r.headers.get("set-cookie", "")
    assert cookie == "" or "httponly" in cookie.lower()


# Errors ------------------------------------------------------------------------------------------------------


def test_errors_are_pages_for_people_and_problems_for_programs(sqlite_url: str) -> None:
    app = create_app(sqlite_url, today=TODAY, allowed_hosts=["testserver"])

    def boom() -> None:
        raise RuntimeError("secret internals")

    app.add_api_route("/boom", boom)
    app.add_api_route("/api/v1/boom", boom)
    with TestClient(app, raise_server_exceptions=False) as c:
        missing = c.get("/no/such/page")
        assert missing.status_code == 404
        assert missing.headers["content-type"].startswith("text/html")
        assert 'data-testid="error"' in missing.text
        bad = c.get("/people/not-a-number")
        assert bad.status_code == 422
        assert 'data-testid="error"' in bad.text
        for path in ("/boom", "/api/v1/boom"):
            r = c.get(path)
            assert r.status_code == 500
            assert "secret internals" not in r.text
            assert "Traceback" not in r.text
        assert c.get("/boom").headers["content-type"].startswith("text/html")
        problem = c.get("/api/v1/boom")
        assert problem.headers["content-type"] == "application/problem+json"
        assert problem.json()["status"] == 500
        assert problem.json()["hint"]
        api_missing = c.get("/api/v1/no-such-thing")
        assert api_missing.status_code == 404
        assert api_missing.headers["content-type"] == "application/problem+json"
        assert set(api_missing.json()) >= {"type", "title", "status", "detail", "hint"}


# Hostile contact data ----------------------------------------------------------------------------------------

XSS = "<script>alert(1)</script>\"'><img src=x onerror=alert(1)>"


def test_hostile_values_are_shown_as_text_on_every_page(sqlite_url: str) -> None:
    from dunbar import merge

    with open_db(sqlite_url) as db:
        people.set_me(db, name=f"Me {XSS}", now=NOW)
        pid = people.add_person(
            db,
            people.PersonChanges(
                name=f"Eve {XSS}",
                nickname=XSS,
                location=XSS,
                how_met=XSS,
                organization=f"Org {XSS}",
                title=XSS,
                tags=[f"tag{XSS}"],
                fields={XSS: XSS},
                circle="inner",
            ),
            now=NOW,
        )
        twin = people.add_person(db, people.PersonChanges(name=f"Eve {XSS}", organization=f"Org {XSS}"), now=NOW)
        people.add_note(db, pid, f"note {XSS}", now=NOW)
        interactions.log_interaction(
            db,
            summary=f"summary {XSS}",
            people=[pid, twin],
            kind="meeting",
            occurred_at=datetime(2025, 1, 10, tzinfo=UTC),
            now=NOW,
        )
        merge.scan(db, now=NOW)
    with TestClient(create_app(sqlite_url, today=TODAY, allowed_hosts=["testserver"])) as c:
        pages = [
            "/",
            "/today",
            "/today/dormant",
            "/people",
            "/people?sort=strength",
            "/people?q=eve",
            "/people?q=summary",
            "/people?q=note",
            f"/people/{pid}",
            f"/people/{pid}/strength",
            f"/people/{pid}/section/details?edit=1",
            f"/people/{pid}/section/contact?edit=1",
            f"/people/{pid}/section/work?edit=1",
            f"/people/{pid}/timeline?before=2100-01-01T00:00:00%2B00:00",
            "/log/suggest?who=eve",
            f"/log/suggest?who={XSS}",
            f"/people?q={XSS}",
            f"/people?tag={XSS}",
            "/import",
            "/settings",
            f"/people/{XSS}",
        ]
        for path in pages:
            r = c.get(path, headers={"HX-Request": "true"} if "section" in path or "suggest" in path else {})
            assert r.status_code in (200, 404, 422), (path, r.status_code)
            html = r.text
            assert "<script>alert" not in html, path
            assert "<img src=x" not in html, path
            assert "\"'><img" not in html, path
            assert 'href="javascript:' not in html, path
        person = c.get(f"/people/{pid}").text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in person
        assert "&#34;&#39;&gt;&lt;img src=x onerror=alert(1)&gt;" in person
        assert "summary &lt;script&gt;" in person
        assert "note &lt;script&gt;" in person
        assert "&lt;script&gt;" in c.get("/import").text  # both sides of the duplicate pair
        assert "Eve &lt;script&gt;" in c.get("/today").text  # on the agenda, with its hook


# PostgreSQL smoke tests ---------------------------------------------------------------------------------------


def test_pages_on_each_backend(db_url: str) -> None:
    ids = seed(db_url)
    with TestClient(create_app(db_url, today=TODAY, allowed_hosts=["testserver"])) as client:
        b = Browser(client)
        for path in (
            "/",
            "/today",
            "/people",
            f"/people/{ids['ana']}",
            f"/people/{ids['ana']}/strength",
            "/import",
            "/settings",
        ):
            assert b.get(path).status_code == 200, path
        assert "Ana Lima" in b.get("/people?q=ana").text
        r = b.post(f"/people/{ids['bo']}/notes", {"body": "From the web"}, htmx=True)
        assert r.status_code == 200
        assert "From the web" in r.text
        r = b.post("/log", {"person": [ids["bo"]], "summary": "Quick call", "kind": "call"}, htmx=True)
        assert r.status_code == 200
    with open_db(db_url) as db:
        assert interactions.timeline(db, ids["bo"])[0]["summary"] == "Quick call"


def test_serve_answers_its_own_names(sqlite_url: str) -> None:
    from dunbar.cli.serve import allowed_hosts

    assert allowed_hosts("127.0.0.1", 8765) == ["127.0.0.1:8765", "localhost:8765", "[::1]:8765"]
    assert "192.168.1.5:9000" in allowed_hosts("192.168.1.5", 9000)
    assert "0.0.0.0:8765" not in allowed_hosts("0.0.0.0", 8765)


def test_assets_are_served_from_the_app_not_a_cdn(browser: Browser) -> None:
    templates = Path(__file__).resolve().parents[2] / "src" / "dunbar" / "web" / "templates"
    for template in templates.rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        assert not re.search(r'(src|href)="(https?:)?//', text), template.name
    page = browser.get("/people").text
    for asset in re.findall(r'(?:src|href)="(/static/[^"]+)"', page):
        assert browser.get(asset).status_code == 200, asset
    assert browser.get("/static/vendor/uplot/uPlot.iife.min.js").status_code == 200
    assert browser.get("/static/vendor/htmx/LICENSE").status_code == 200

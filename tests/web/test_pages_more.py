"""The give-and-take, network and jobs pages, the settings for circles, cadences and the calendar feed, and the
person page's follow-ups and favour balance: through an in-process client on a real SQLite file. Every page
renders empty and full, every form changes data only with the page's CSRF token, and hostile contact data shows
as text."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import icalendar
import pytest
from fastapi.testclient import TestClient

from dunbar import followups, interactions, jobs, ledger, offers, people, ties
from dunbar.store import open_db
from dunbar.web import create_app
from dunbar.web.deps import CSRF_COOKIE

TODAY = date(2026, 11, 25)
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
HOSTILE = "<script>alert(1)</script>\"'><img src=x onerror=alert(1)>"
PAGES = ("/give", "/give/offers", "/give/matches", "/network", "/jobs", "/settings", "/settings/circles")


class Browser:
    """A client that behaves like the pages: it reads the token from a page and sends it with each form."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.client.get("/settings")
        self.token = str(client.cookies.get(CSRF_COOKIE))

    def get(self, path: str, **kw: Any) -> Any:
        return self.client.get(path, **kw)

    def post(self, path: str, data: dict[str, Any] | None = None, *, htmx: bool = False) -> Any:
        body = {"csrf_token": self.token, **(data or {})}
        headers = {"HX-Request": "true"} if htmx else {}
        return self.client.post(path, data=body, headers=headers, follow_redirects=False)


def seed(url: str) -> dict[str, int]:
    """Me, Ana (close, at Northwind), Bo (at Contoso, tied to Ana) and someone whose every word is hostile;
    favours both ways, offers and needs that match, a follow-up, an opportunity and a target."""
    with open_db(url) as db:
        people.set_me(db, name="Jordan Avery", emails=["jordan@example.org"], now=NOW)
        ana = people.add_person(
            db,
            people.PersonChanges(name="Ana Lima", organization="Northwind", title="Engineer", circle="close"),
            now=NOW,
        )
        bo = people.add_person(db, people.PersonChanges(name="Bo Berg", organization="Contoso"), now=NOW)
        evil = people.add_person(db, people.PersonChanges(name=HOSTILE, organization="Contoso"), now=NOW)
        for day in (3, 20):
            interactions.log_interaction(
                db,
                summary="Coffee",
                people=[ana],
                kind="call",
                occurred_at=datetime(2026, 11, day, tzinfo=UTC),
                now=NOW,
            )
        ties.link(db, ana, bo, how=HOSTILE, now=NOW)
        ledger.record(db, person_id=ana, direction="given", kind="advice", on=TODAY, note=HOSTILE, now=NOW)
        ledger.record(db, person_id=evil, direction="received", kind="referral", weight=3, on=TODAY, now=NOW)
        me = people.get_me(db)
        assert me is not None
        offers.add(db, me["id"], "offer", "advice on hiring engineers", now=NOW)
        offers.add(db, ana, "need", "advice on hiring engineers", now=NOW)
        offers.add(db, bo, "offer", f"introductions to investors {HOSTILE}", now=NOW)
        offers.add(db, evil, "need", f"introductions to investors {HOSTILE}", now=NOW)
        followups.add(db, ana, f"send the article {HOSTILE}", TODAY + timedelta(days=2), now=NOW)
        jobs.add(db, org="Northwind", role=HOSTILE, channel="referral", on=TODAY, people=[(bo, "referrer")], now=NOW)
        jobs.add_target(db, "Contoso", why=HOSTILE, now=NOW)
    return {"ana": ana, "bo": bo, "evil": evil, "me": int(me["id"])}


@pytest.fixture
def empty(sqlite_url: str) -> Iterator[Browser]:
    with TestClient(create_app(sqlite_url, today=TODAY, allowed_hosts=["testserver"])) as client:
        yield Browser(client)


@pytest.fixture
def full(sqlite_url: str) -> Iterator[tuple[Browser, dict[str, int], str]]:
    ids = seed(sqlite_url)
    with TestClient(create_app(sqlite_url, today=TODAY, allowed_hosts=["testserver"])) as client:
        yield Browser(client), ids, sqlite_url


def unescaped(html: str) -> bool:
    """Whether any part of the hostile text reached the page as markup rather than text."""
    return "<script>alert" in html or "<img src=x" in html or "onerror=alert(1)>" in html


# Empty states -------------------------------------------------------------------------------------------------


def test_every_new_page_renders_empty_with_a_clear_empty_state(empty: Browser) -> None:
    expect = {
        "/give": ["You owe nobody a favour back.", "Nobody owes you a favour."],
        "/give/offers": ["No offers yet", "No needs yet", "No suggestions waiting."],
        "/give/matches": ["None of your offers meets", "No introductions to suggest yet."],
        "/network": ["Type an organization", "Type a person or an organization"],
        "/jobs": ["No opportunities yet", "No targets yet"],
        "/settings": ["Circles and cadences", "/calendar.ics"],
        "/settings/circles": ["Nothing to change."],
    }
    for path in PAGES:
        r = empty.get(path)
        assert r.status_code == 200, path
        for words in expect[path]:
            assert words in r.text, (path, words)
        assert "Traceback" not in r.text


def test_the_navigation_links_the_new_pages(empty: Browser) -> None:
    html = empty.get("/give").text
    for key, href in (("give", "/give"), ("network", "/network"), ("jobs", "/jobs")):
        assert f'href="{href}" data-testid="nav-{key}"' in html
    assert 'data-testid="nav-give" aria-current="page"' in html


def test_an_unknown_organization_is_an_answer_not_an_error(empty: Browser) -> None:
    r = empty.get("/network", params={"org": HOSTILE, "to": "Nobody Here"})
    assert r.status_code == 200
    assert r.text.count('data-testid="problem"') == 2
    assert not unescaped(r.text)


# With data ------------------------------------------------------------------------------------------------------


def test_the_ledger_lists_who_owes_whom(full: tuple[Browser, dict[str, int], str]) -> None:
    b, ids, _ = full
    html = b.get("/give").text
    owe_me = html.split('data-testid="owe-me"')[1].split("</section>")[0]
    i_owe = html.split('data-testid="i-owe"')[1].split("</section>")[0]
    assert f'data-person-id="{ids["ana"]}"' in owe_me
    assert f'data-person-id="{ids["evil"]}"' in i_owe


def test_offers_needs_and_matches_show_with_their_reasons(full: tuple[Browser, dict[str, int], str]) -> None:
    b, ids, _ = full
    listing = b.get("/give/offers").text
    assert listing.count('data-testid="offer"') == 2
    assert listing.count('data-testid="need"') == 2
    matches = b.get("/give/matches").text
    others = matches.split('data-testid="help-others"')[1].split("</section>")[0]
    assert "your offer &#39;advice on hiring engineers&#39; meets Ana Lima&#39;s need" in others
    intros = matches.split('data-testid="intros"')[1]
    assert f'data-testid="introduce-{ids["evil"]}-{ids["bo"]}"' in intros


def test_network_answers_who_knows_and_warm_paths(full: tuple[Browser, dict[str, int], str]) -> None:
    b, ids, _ = full
    html = b.get("/network", params={"org": "Contoso", "to": "Bo Berg"}).text
    assert 'data-testid="second-degree"' in html  # Ana knows Bo, who works at Contoso
    assert 'data-testid="path"' in html
    path = html.split('data-testid="path"')[1].split("</li>")[0]
    assert "Ana Lima" in path
    assert "Bo Berg" in path
    ties_page = b.get(f"/network/ties/{ids['ana']}").text
    assert ties_page.count('data-testid="tie"') == 1
    assert "Bo Berg" in ties_page


def test_the_jobs_board_shows_columns_stats_and_suggestions(full: tuple[Browser, dict[str, int], str]) -> None:
    b, _, _ = full
    html = b.get("/jobs").text
    saved = html.split('data-testid="column-saved"')[1].split("</section>")[0]
    assert saved.count('data-testid="opportunity"') == 1
    assert 'data-testid="stats-sentence"' in html
    assert 'data-testid="job-suggestion"' in html  # Bo works at the target Contoso: a warm path
    assert 'data-testid="target"' in html


def test_the_person_page_has_follow_ups_and_give_and_take(full: tuple[Browser, dict[str, int], str]) -> None:
    b, ids, _ = full
    page = b.get(f"/people/{ids['ana']}").text
    assert f'hx-get="/people/{ids["ana"]}/follow-ups"' in page
    assert f'hx-get="/people/{ids["ana"]}/give"' in page
    section = b.get(f"/people/{ids['ana']}/follow-ups", headers={"HX-Request": "true"}).text
    assert section.count('data-testid="person-follow-up"') == 1
    give = b.get(f"/people/{ids['ana']}/give").text
    assert 'data-testid="balance-sentence"' in give
    assert "owes you" in give


def test_hostile_values_are_text_on_every_new_page(full: tuple[Browser, dict[str, int], str]) -> None:
    b, ids, _ = full
    paths = [
        *PAGES,
        f"/network?org=Contoso&to={ids['evil']}",
        f"/network/ties/{ids['ana']}",
        f"/people/{ids['ana']}/follow-ups",
        f"/people/{ids['evil']}/give",
        f"/people/{ids['evil']}",
    ]
    shown = 0
    for path in paths:
        r = b.get(path)
        assert r.status_code == 200, path
        assert not unescaped(r.text), path
        shown += "&lt;script&gt;alert(1)&lt;/script&gt;" in r.text
    assert shown >= 8  # the hostile text is there, as text, on nearly every page


# Forms ------------------------------------------------------------------------------------------------------------


def _count(url: str, sql: str) -> int:
    with open_db(url) as db:
        return int(db.scalar(sql) or 0)


def test_recording_a_favour(full: tuple[Browser, dict[str, int], str]) -> None:
    b, _, url = full
    before = _count(url, "SELECT count(*) FROM favour")
    r = b.post("/give/favours", {"person": "Bo Berg", "direction": "received", "kind": "feedback", "note": HOSTILE})
    assert r.status_code == 303
    assert r.headers["location"] == "/give?ok=favour"
    assert _count(url, "SELECT count(*) FROM favour") == before + 1
    page = b.get(r.headers["location"]).text
    assert "Favour recorded." in page
    assert not unescaped(page)
    bad = b.post("/give/favours", {"person": "Nobody At All"})
    assert bad.status_code == 404
    assert "Traceback" not in bad.text


def test_adding_confirming_and_dismissing_offers(full: tuple[Browser, dict[str, int], str]) -> None:
    b, _ids, url = full
    assert b.post("/give/offers", {"person": "me", "kind": "need", "text": "a designer"}).status_code == 303
    assert _count(url, "SELECT count(*) FROM offer_need WHERE text = 'a designer'") == 1
    assert b.post("/give/offers/suggest").status_code == 303
    page = b.get("/give/offers").text
    found = [int(x) for x in re.findall(r'data-testid="suggestion" data-id="(\d+)"', page)]
    assert len(found) >= 2  # offers from Ana's and Bo's jobs at least
    assert b.post(f"/give/offers/{found[0]}/confirm").status_code == 303
    assert b.post(f"/give/offers/{found[1]}/dismiss").status_code == 303
    with open_db(url) as db:
        assert offers.get(db, found[0])["status"] == "active"
        assert offers.get(db, found[1])["status"] == "dismissed"


def test_introducing_from_a_match(full: tuple[Browser, dict[str, int], str]) -> None:
    b, ids, url = full
    r = b.post("/give/introduce", {"a": ids["evil"], "b": ids["bo"], "note": "investors"})
    assert r.status_code == 303
    assert "Introduction recorded" in b.get(r.headers["location"]).text
    with open_db(url) as db:
        assert any("introduction" in f["text"] for f in followups.list_(db, person_id=ids["evil"]))
        assert any(t["other"]["id"] == ids["bo"] for t in ties.ties_of(db, ids["evil"]))


def test_jobs_forms(full: tuple[Browser, dict[str, int], str]) -> None:
    b, _, url = full
    r = b.post("/jobs", {"org": "Initech", "role": "Staff Engineer", "channel": "cold", "stage": "applied"})
    assert r.status_code == 303
    with open_db(url) as db:
        opp = next(o for o in jobs.list_(db) if o["role"] == "Staff Engineer")
    assert b.post(f"/jobs/{opp['id']}/move", {"stage": "interview"}).status_code == 303
    assert b.post("/jobs/targets", {"org": "Globex", "why": "good team"}).status_code == 303
    html = b.get("/jobs").text
    column = html.split('data-testid="column-interview"')[1].split("</section>")[0]
    assert "Staff Engineer" in column
    assert "Globex" in html
    assert b.post(f"/jobs/{opp['id']}/move", {"stage": "nowhere"}).status_code == 400


def test_cadences_are_saved_checked_and_reset(full: tuple[Browser, dict[str, int], str]) -> None:
    b, _, url = full
    form = {"inner_ideal": "7", "inner_max": "14", "close_ideal": "10", "close_max": "30", "network_ideal": ""}
    r = b.post("/settings/cadences", form)
    assert r.status_code == 303
    with open_db(url) as db:
        setting = json.loads(db.scalar("SELECT value FROM setting WHERE key = 'cadence'"))
    # Only what differs from the defaults is stored: close changed, the rest left blank means no cadence.
    assert setting["close"] == [10, 30]
    assert setting["network"] is None
    assert "inner" not in setting
    page = b.get("/settings").text
    assert 'name="close_ideal" type="number" min="1" max="3650" inputmode="numeric" size="4" value="10"' in page
    bad = b.post("/settings/cadences", {"close_ideal": "30", "close_max": "10"})
    assert bad.status_code == 400
    assert "shorter than the ideal" in bad.text
    assert b.post("/settings/cadences/reset").status_code == 303
    with open_db(url) as db:
        assert db.scalar("SELECT value FROM setting WHERE key = 'cadence'") is None


def test_suggested_circles_are_applied(full: tuple[Browser, dict[str, int], str]) -> None:
    b, _, url = full
    page = b.get("/settings/circles").text
    values = re.findall(r'name="apply" value="(\d+):(\w+)"', page)
    assert values, "someone's circle should change"
    pid, circle = values[0]
    r = b.post("/settings/circles", {"apply": f"{pid}:{circle}"})
    assert r.status_code == 303
    with open_db(url) as db:
        assert db.scalar("SELECT circle FROM person WHERE id = :id", {"id": int(pid)}) == circle
    assert b.post("/settings/circles", {"apply": f"{pid}:nonsense"}).status_code == 400


def test_follow_ups_done_and_snoozed_from_the_person_page(full: tuple[Browser, dict[str, int], str]) -> None:
    b, ids, url = full
    with open_db(url) as db:
        fid = followups.list_(db, person_id=ids["ana"])[0]["id"]
    r = b.post(f"/people/{ids['ana']}/follow-ups/{fid}/snooze", {"days": "14"}, htmx=True)
    assert r.status_code == 200
    assert (TODAY + timedelta(days=14)).isoformat() in r.text
    assert b.post(f"/people/{ids['bo']}/follow-ups/{fid}/done").status_code == 404  # not Bo's
    r = b.post(f"/people/{ids['ana']}/follow-ups/{fid}/done")
    assert r.status_code == 303
    assert r.headers["location"] == f"/people/{ids['ana']}#follow-ups"
    with open_db(url) as db:
        assert followups.get(db, fid)["status"] == "done"


def test_every_new_form_is_refused_without_the_token(full: tuple[Browser, dict[str, int], str]) -> None:
    b, ids, url = full
    with open_db(url) as db:
        fid = followups.list_(db, person_id=ids["ana"])[0]["id"]
        opp = jobs.list_(db)[0]["id"]
        item = offers.list_(db, today=TODAY)[0]["id"]
    posts: dict[str, dict[str, Any]] = {
        "/give/favours": {"person": "Bo Berg"},
        "/give/offers": {"person": "me", "text": "x"},
        "/give/offers/suggest": {},
        f"/give/offers/{item}/dismiss": {},
        f"/give/offers/{item}/confirm": {},
        "/give/introduce": {"a": ids["evil"], "b": ids["bo"]},
        "/jobs": {"org": "Initech", "role": "x"},
        f"/jobs/{opp}/move": {"stage": "applied"},
        "/jobs/targets": {"org": "Globex"},
        "/settings/cadences": {"close_ideal": "1", "close_max": "2"},
        "/settings/cadences/reset": {},
        "/settings/circles": {"apply": f"{ids['bo']}:inner"},
        f"/people/{ids['ana']}/follow-ups/{fid}/done": {},
        f"/people/{ids['ana']}/follow-ups/{fid}/snooze": {"days": "7"},
    }
    tables = ("favour", "offer_need", "opportunity", "opportunity_stage", "target", "tie", "setting", "follow_up")

    def snapshot() -> list[int]:
        return [_count(url, f"SELECT count(*) FROM {t}") for t in tables]

    before = snapshot()
    for path, data in posts.items():
        assert b.client.post(path, data=data).status_code == 403, path
        assert b.client.post(path, data={**data, "csrf_token": "abc.def"}).status_code == 403, path
    assert snapshot() == before
    with open_db(url) as db:
        assert followups.get(db, fid)["status"] == "open"
        assert db.scalar("SELECT circle FROM person WHERE id = :id", {"id": ids["bo"]}) is None


# The calendar feed -----------------------------------------------------------------------------------------------


def test_the_calendar_feed_parses(full: tuple[Browser, dict[str, int], str]) -> None:
    b, _, _ = full
    r = b.get("/calendar.ics")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/calendar")
    cal = icalendar.Calendar.from_ical(r.content)
    events = list(cal.walk("VEVENT"))
    summaries = [str(e.get("summary")) for e in events]
    assert any(HOSTILE in s for s in summaries)  # the follow-up, its text kept exactly
    assert all(e.get("uid") for e in events)
    settings = b.get("/settings").text
    assert 'value="http://testserver/calendar.ics"' in settings


def test_the_calendar_feed_of_an_empty_database_parses(empty: Browser) -> None:
    cal = icalendar.Calendar.from_ical(empty.get("/calendar.ics").content)
    assert str(cal.get("prodid")).startswith("-//dunbar")
    assert list(cal.walk("VEVENT")) == []


def test_long_lists_show_the_largest_and_count_the_rest(
    full: tuple[Browser, dict[str, int], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from dunbar.web.pages import give

    b, _, _ = full
    monkeypatch.setattr(give, "SHOWN", 1)
    i_owe = b.get("/give").text.split('data-testid="i-owe"')[1].split("</section>")[0]
    assert i_owe.count('data-testid="balance"') == 1
    assert "and 1 more" in i_owe
    needs = b.get("/give/offers").text.split('data-testid="needs"')[1].split("</section>")[0]
    assert needs.count('data-testid="need"') == 1
    assert "and 1 more" in needs


def test_inferred_ties_show_their_evidence_as_sentences(full: tuple[Browser, dict[str, int], str]) -> None:
    b, ids, url = full
    with open_db(url) as db:
        ties.infer(db, now=NOW)  # Bo and the hostile contact both work at Contoso now
    html = b.get(f"/network/ties/{ids['bo']}").text
    assert html.count('data-testid="tie"') == 2
    assert "{&#39;" not in html  # evidence as sentences, not as the stored JSON
    assert not unescaped(html)

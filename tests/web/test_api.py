"""The REST API through an in-process client against real databases (SQLite and PostgreSQL)."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.conftest import SAMPLES

from dunbar import merge
from dunbar.store import open_db

TODAY = date(2026, 11, 25)
PROBLEM = "application/problem+json"


def make_app(url: str) -> Any:
    try:
        from dunbar.web import create_app
    except ImportError:  # the package may export it from its app module only
        from dunbar.web.app import create_app
    return create_app(url, today=TODAY, allowed_hosts=["testserver"])


class Api:
    """A client that, like a well-behaved API client, fetches a CSRF token first and sends it on changes."""

    def __init__(self, client: TestClient, url: str) -> None:
        self.client = client
        self.url = url
        token = client.get("/api/v1/csrf").json()["token"]
        client.headers["X-CSRF-Token"] = token

    def __getattr__(self, name: str) -> Any:
        return getattr(self.client, name)

    def ok(self, method: str, path: str, status: int = 200, **kw: Any) -> Any:
        r = self.client.request(method, "/api/v1" + path, **kw)
        assert r.status_code == status, (r.status_code, r.text)
        return r.json() if r.content and r.headers["content-type"].startswith("application/json") else r

    def problem(self, method: str, path: str, status: int, **kw: Any) -> dict[str, Any]:
        r = self.client.request(method, "/api/v1" + path, **kw)
        assert r.status_code == status, (r.status_code, r.text)
        assert r.headers["content-type"].startswith(PROBLEM)
        body = r.json()
        assert body["status"] == status
        assert body["detail"]
        return body  # type: ignore[no-any-return]


@pytest.fixture
def api(db_url: str) -> Iterator[Api]:
    with TestClient(make_app(db_url)) as client:
        yield Api(client, db_url)


@pytest.fixture
def sqlite_api(sqlite_url: str) -> Iterator[Api]:
    with TestClient(make_app(sqlite_url)) as client:
        yield Api(client, sqlite_url)


def add(api: Api, name: str, **fields: Any) -> dict[str, Any]:
    return api.ok("POST", "/people", 201, json={"name": name, **fields})  # type: ignore[no-any-return]


# People ----------------------------------------------------------------------------------------------------


def test_person_round_trip(api: Api) -> None:
    created = add(
        api,
        "Ana Lima",
        emails=["work:ana@acme.example"],
        organization="Acme",
        title="CTO",
        circle="active",
        tags=["mentor"],
        birthday="04-12",
        fields={"team": "platform"},
    )
    pid = created["id"]
    assert created["emails"] == [
        {"address": "ana@acme.example", "label": "work", "primary": True, "source": "typed by hand"}
    ]
    assert created["employments"][0]["organization"] == "Acme"
    assert created["employments"][0]["title"] == "CTO"
    assert created["dates"] == [{"kind": "birthday", "label": None, "year": None, "month": 4, "day": 12}]

    shown = api.ok("GET", f"/people/{pid}")
    assert shown["name"] == "Ana Lima"
    assert shown["tags"] == ["mentor"]
    assert shown["recent"] == []

    edited = api.ok("PATCH", f"/people/{pid}", json={"location": "Lisbon", "circle": "close", "fields": {"team": None}})
    assert (edited["location"], edited["circle"], edited["fields"]) == ("Lisbon", "close", {})
    assert edited["tags"] == ["mentor"], "an edit leaves what it does not mention alone"

    tags = api.ok("POST", f"/people/{pid}/tags", json={"tags": ["python", "#mentor"]})
    assert tags == {"changed": 1, "tags": ["mentor", "python"]}
    tags = api.ok("DELETE", f"/people/{pid}/tags", params={"tag": ["mentor"]})
    assert tags == {"changed": 1, "tags": ["python"]}

    note = api.ok("POST", f"/people/{pid}/notes", 201, json={"body": "Likes <b>bold</b> ideas & coffee"})
    assert note["body"] == "Likes <b>bold</b> ideas & coffee"
    assert api.ok("GET", f"/people/{pid}")["notes"][0]["id"] == note["id"]

    assert api.ok("GET", "/resolve", params={"ref": "ana@acme.example"})["id"] == pid

    api.ok("DELETE", f"/people/{pid}", 204)
    assert api.ok("GET", "/people")["items"] == []
    assert [p["id"] for p in api.ok("GET", "/people", params={"trashed": True})["items"]] == [pid]
    assert api.ok("POST", f"/people/{pid}/restore")["deleted_at"] is None
    assert [p["name"] for p in api.ok("GET", "/people")["items"]] == ["Ana Lima"]


def test_list_filters_and_sort(api: Api) -> None:
    add(api, "Bo Chen", organization="Globex", tags=["ml"], circle="inner")
    add(api, "Ana Lima", organization="Acme", tags=["ml"])
    add(api, "Cy Diaz", organization="Acme")
    names = lambda **q: [p["name"] for p in api.ok("GET", "/people", params=q)["items"]]  # noqa: E731
    assert names() == ["Ana Lima", "Bo Chen", "Cy Diaz"]
    assert names(tag="ml") == ["Ana Lima", "Bo Chen"]
    assert names(organization="acme") == ["Ana Lima", "Cy Diaz"]
    assert names(circle="inner") == ["Bo Chen"]
    assert names(sort="added") == ["Cy Diaz", "Ana Lima", "Bo Chen"]
    assert names(tag="no-such-tag") == []


def test_pagination_walks_every_page_once(api: Api) -> None:
    for i in range(7):
        add(api, f"Person {i:02d}")
    seen: list[str] = []
    offset: int | None = 0
    pages = 0
    while offset is not None:
        body = api.ok("GET", "/people", params={"limit": 3, "offset": offset})
        assert body["limit"] == 3
        assert body["offset"] == offset
        seen += [p["name"] for p in body["items"]]
        offset = body["next"]
        pages += 1
    assert pages == 3
    assert seen == [f"Person {i:02d}" for i in range(7)]
    assert api.ok("GET", "/people", params={"limit": 3, "offset": 100})["items"] == []


def test_limits_are_bounded(sqlite_api: Api) -> None:
    body = sqlite_api.problem("GET", "/people", 422, params={"limit": 501})
    assert body["type"] == "urn:dunbar:problem:validation"
    assert body["errors"][0]["loc"] == ["query", "limit"]
    sqlite_api.problem("GET", "/people", 422, params={"offset": -1})
    sqlite_api.problem("GET", f"/people/{2**40}", 422)


# Interactions ----------------------------------------------------------------------------------------------


def test_log_show_timeline_delete(api: Api) -> None:
    ana = add(api, "Ana Lima", emails=["ana@acme.example"])
    bo = add(api, "Bo Chen")
    times = ["2026-11-01T09:00:00Z", "2026-11-10T09:00:00+01:00", "2026-11-20T18:30:00Z"]
    ids = []
    for i, at in enumerate(times):
        logged = api.ok(
            "POST",
            "/interactions",
            201,
            json={"summary": f"talk {i}", "people": ["ana@acme.example", bo["id"]], "kind": "call", "occurred_at": at},
        )
        ids.append(logged["id"])
    assert {p["name"] for p in logged["with"]} == {"Ana Lima", "Bo Chen"}
    assert logged["kind"] == "call"
    assert logged["initiator"] == "me"

    shown = api.ok("GET", f"/interactions/{ids[1]}")
    assert shown["occurred_at"] == "2026-11-10T08:00:00Z"

    first = api.ok("GET", f"/people/{ana['id']}/timeline", params={"limit": 2})
    assert [i["summary"] for i in first["items"]] == ["talk 2", "talk 1"]
    assert first["next_before"] is not None
    rest = api.ok("GET", f"/people/{ana['id']}/timeline", params={"limit": 2, "before": first["next_before"]})
    assert [i["summary"] for i in rest["items"]] == ["talk 0"]
    assert rest["next_before"] is None

    assert [i["summary"] for i in api.ok("GET", f"/people/{ana['id']}")["recent"]] == ["talk 2", "talk 1", "talk 0"]
    assert api.ok("GET", f"/people/{ana['id']}")["last_contact_at"] == "2026-11-20T18:30:00Z"

    api.ok("DELETE", f"/interactions/{ids[2]}", 204)
    api.problem("GET", f"/interactions/{ids[2]}", 404)
    assert api.ok("GET", f"/people/{ana['id']}")["last_contact_at"] == "2026-11-10T08:00:00Z"


def test_log_defaults_to_now_and_refuses_the_future(sqlite_api: Api) -> None:
    add(sqlite_api, "Ana Lima")
    logged = sqlite_api.ok("POST", "/interactions", 201, json={"summary": "lunch", "people": ["Ana"]})
    assert logged["occurred_at"].startswith("2026-11-25")
    body = sqlite_api.problem(
        "POST",
        "/interactions",
        400,
        json={"summary": "later", "people": ["Ana"], "occurred_at": "2027-01-01T00:00:00Z"},
    )
    assert "future" in body["detail"]
    sqlite_api.problem(
        "POST", "/interactions", 422, json={"summary": "naive", "people": ["Ana"], "occurred_at": "2026-11-01T10:00:00"}
    )


# Errors ----------------------------------------------------------------------------------------------------


def test_errors_are_problem_documents(api: Api) -> None:
    add(api, "Ana Lima", emails=["ana@acme.example"])
    add(api, "Ana Souza")
    missing = api.problem("GET", "/people/999999", 404)
    assert missing["type"] == "urn:dunbar:problem:not-found"
    assert missing["detail"] == "no person #999999"

    ambiguous = api.problem("GET", "/resolve", 409, params={"ref": "Ana"})
    assert ambiguous["type"] == "urn:dunbar:problem:ambiguous"
    assert sorted(c.split(" (")[0] for c in ambiguous["candidates"]) == ["Ana Lima", "Ana Souza"]

    conflict = api.problem("POST", "/people", 409, json={"name": "Other Ana", "emails": ["ANA@acme.example"]})
    assert "already belongs to Ana Lima" in conflict["detail"]

    invalid = api.problem("POST", "/people", 400, json={"name": "Bad Mail", "emails": ["not an address"]})
    assert invalid["type"] == "urn:dunbar:problem:invalid"

    unknown_field = api.problem("POST", "/people", 422, json={"name": "X", "colour": "blue"})
    assert unknown_field["errors"][0]["loc"] == ["body", "colour"]
    api.problem("POST", "/people", 422, content=b"{not json", headers={"content-type": "application/json"})
    api.problem("POST", "/interactions", 404, json={"summary": "x", "people": [424242]})


def test_changes_need_the_csrf_token(sqlite_url: str) -> None:
    with TestClient(make_app(sqlite_url)) as client:
        r = client.post("/api/v1/people", json={"name": "Ana Lima"})
        assert r.status_code == 403
        assert r.headers["content-type"].startswith(PROBLEM)
        assert "GET /api/v1/csrf" in r.json()["hint"]

        token = client.get("/api/v1/csrf").json()["token"]
        assert (
            client.post("/api/v1/people", json={"name": "Ana"}, headers={"X-CSRF-Token": "x" + token}).status_code
            == 403
        )
        fresh = TestClient(client.app)  # the right header without its cookie proves nothing
        assert fresh.post("/api/v1/people", json={"name": "Ana"}, headers={"X-CSRF-Token": token}).status_code == 403
        assert client.post("/api/v1/people", json={"name": "Ana"}, headers={"X-CSRF-Token": token}).status_code == 201
        assert client.get("/api/v1/people").status_code == 200, "reads need no token"
        assert client.delete("/api/v1/people/1").status_code == 403


# Search, me, strength, export ------------------------------------------------------------------------------


def test_search_pages(api: Api) -> None:
    ana = add(api, "Ana Lima", how_met="rust meetup")
    for i in range(3):
        api.ok("POST", "/interactions", 201, json={"summary": f"rust talk {i}", "people": [ana["id"]]})
    hits = api.ok("GET", "/search", params={"q": "rust", "limit": 2})
    assert len(hits["items"]) == 2
    assert hits["next"] == 2
    assert hits["items"][0] == {**hits["items"][0], "kind": "person", "id": ana["id"]}
    rest = api.ok("GET", "/search", params={"q": "rust", "limit": 2, "offset": 2})
    assert len(rest["items"]) == 2
    assert rest["next"] is None
    assert all("[rust]" in h["snippet"] for h in rest["items"])
    assert api.ok("GET", "/search", params={"q": "zzzz"})["items"] == []


def test_me(api: Api) -> None:
    api.problem("GET", "/me", 404)
    me = api.ok("PUT", "/me", json={"name": "Jordan Avery", "emails": ["jordan@example.org"]})
    assert me["is_me"] is True
    again = api.ok("PUT", "/me", json={"name": "Jordan Avery", "emails": ["jordan@example.org", "j@work.example"]})
    assert again["id"] == me["id"]
    assert [e["address"] for e in api.ok("GET", "/me")["emails"]] == ["jordan@example.org", "j@work.example"]
    assert api.ok("GET", "/people")["items"] == [], "me is not one of my people"


def test_strength(api: Api) -> None:
    ana = add(api, "Ana Lima")
    api.ok(
        "POST",
        "/interactions",
        201,
        json={"summary": "coffee", "people": [ana["id"]], "occurred_at": "2026-11-01T10:00:00Z"},
    )
    s = api.ok("GET", f"/people/{ana['id']}/strength", params={"days": 28, "step": 7})
    assert s["person"] == {"id": ana["id"], "name": "Ana Lima"}
    assert 0 < s["score"] <= 100
    assert s["interactions"] == 1
    assert [p["date"] for p in s["history"]][-1] == TODAY.isoformat()
    assert s["history"][-1]["score"] == s["score"]
    assert {c["name"] for c in s["components"]} >= {"recency"}


def test_export_json_and_vcard(api: Api) -> None:
    add(api, "Ana Lima", emails=["ana@acme.example"], how_met='said "hi" <script>')
    r = api.get("/api/v1/export.json")
    assert r.status_code == 200
    assert r.headers["content-disposition"].startswith("attachment")
    doc = json.loads(r.text)
    assert doc["format"] == "dunbar-export"
    assert [p["display_name"] for p in doc["people"]] == ["Ana Lima"]
    r = api.ok("GET", "/export.vcf", params={"version": "4.0"})
    assert r.headers["content-type"].startswith("text/vcard")
    assert r.text.startswith("BEGIN:VCARD\r\nVERSION:4.0")
    assert "EMAIL" in r.text
    assert "ana@acme.example" in r.text


# Dedupe and merge ------------------------------------------------------------------------------------------


def test_dedupe_queue_and_merge_undo(api: Api) -> None:
    a = add(api, "Ana Lima", emails=["ana@acme.example"])
    b = add(api, "Ana M. Lima", phones=["+351 912 345 678"])
    c = add(api, "Cy Diaz")
    d = add(api, "Cy Díaz")
    with open_db(api.url) as db:
        now = datetime(2026, 11, 25, 12, tzinfo=UTC)
        first = merge.queue_candidate(db, a["id"], b["id"], 0.9, ["same name"], now=now)
        second = merge.queue_candidate(db, c["id"], d["id"], 0.8, ["same name"], now=now)
    queue = api.ok("GET", "/dedupe", params={"limit": 1})
    assert [p["id"] for p in queue["items"]] == [first]
    assert queue["next"] == 1
    assert {queue["items"][0]["a"]["name"], queue["items"][0]["b"]["name"]} == {"Ana Lima", "Ana M. Lima"}

    decided = api.ok("POST", f"/dedupe/{first}", json={"decision": "merge", "keep": "a"})
    assert decided["status"] == "merged"
    assert decided["survivor_id"] == a["id"]
    merged = api.ok("GET", f"/people/{a['id']}")
    assert [p["number"] for p in merged["phones"]] == ["+351912345678"]
    api.problem("POST", f"/dedupe/{first}", 409, json={"decision": "apart"})
    assert api.ok("POST", f"/dedupe/{second}", json={"decision": "apart"})["status"] == "apart"
    assert api.ok("GET", "/dedupe")["items"] == []

    undone = api.ok("POST", f"/merges/{decided['merge_id']}/undo")
    assert undone["undone_at"] is not None
    assert api.ok("GET", f"/people/{b['id']}")["deleted_at"] is None

    m = api.ok("POST", "/merges", 201, json={"survivor": c["id"], "merged": d["id"]})
    assert m["survivor"]["id"] == c["id"]
    assert m["merged"]["name"] == "Cy Díaz"
    assert api.ok("GET", f"/merges/{m['id']}")["id"] == m["id"]
    api.problem("POST", "/merges", 400, json={"survivor": c["id"], "merged": c["id"]})


# Imports ---------------------------------------------------------------------------------------------------

LINKEDIN_2024 = SAMPLES / "linkedin" / "export-2024"


def zipped(folder: Any) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for path in sorted(folder.iterdir()):
            zf.write(path, path.name)
    return buf.getvalue()


def test_upload_a_linkedin_export(api: Api) -> None:
    if not LINKEDIN_2024.is_dir():
        pytest.skip(f"no LinkedIn sample at {LINKEDIN_2024}")
    data = zipped(LINKEDIN_2024)
    files = {"file": ("Basic_LinkedInDataExport_2024.zip", data, "application/zip")}
    dry = api.ok("POST", "/imports", files=files, data={"dry_run": "true"})
    assert dry["dry_run"] is True
    assert dry["format"] == "linkedin"
    assert dry["people_created"] > 0
    assert api.ok("GET", "/people")["items"] == [], "a dry run changes nothing"

    report = api.ok("POST", "/imports", files=files)
    assert report["batch_id"] is not None
    assert report["people_created"] == dry["people_created"]
    assert report["path"].endswith("Basic_LinkedInDataExport_2024.zip")
    listed = api.ok("GET", "/people", params={"limit": 500})
    assert len(listed["items"]) == report["people_created"]

    history = api.ok("GET", "/imports")
    assert [b["id"] for b in history["items"]] == [report["batch_id"]]
    assert history["items"][0]["counts"]["created"] == report["created"]

    undone = api.ok("POST", f"/imports/{report['batch_id']}/undo")
    assert undone["people"] == report["people_created"]
    assert api.ok("GET", "/people")["items"] == []
    api.problem("POST", f"/imports/{report['batch_id']}/undo", 400)


def test_upload_of_something_unreadable(sqlite_api: Api) -> None:
    body = sqlite_api.problem(
        "POST", "/imports", 400, files={"file": ("notes.txt", b"just some words\n", "text/plain")}
    )
    assert "cannot tell what kind of file" in body["detail"]
    assert body["hint"]
    sqlite_api.problem("POST", "/imports", 422, data={"dry_run": "true"})


def test_upload_names_cannot_escape_the_temporary_folder(sqlite_api: Api) -> None:
    from dunbar.web.api.imports import upload_name

    assert upload_name("../../etc/passwd") == "passwd"
    assert upload_name("..\\..\\x.vcf") == "x.vcf"
    assert upload_name("") == "upload"
    assert upload_name("..") == "upload"
    vcard = b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ana Lima\r\nEMAIL:ana@acme.example\r\nEND:VCARD\r\n"
    report = sqlite_api.ok("POST", "/imports", files={"file": ("../../contacts.vcf", vcard, "text/vcard")})
    assert report["format"] == "vcard"
    assert report["people_created"] == 1
    assert report["path"].endswith("/contacts.vcf")


# The document ----------------------------------------------------------------------------------------------


def test_openapi_document_describes_the_api(sqlite_api: Api) -> None:
    doc = sqlite_api.ok("GET", "/openapi.json")
    paths = doc["paths"]
    for path in ("/api/v1/people", "/api/v1/people/{person_id}", "/api/v1/interactions", "/api/v1/search",
                 "/api/v1/imports", "/api/v1/dedupe", "/api/v1/merges", "/api/v1/export.json", "/api/v1/me"):  # fmt: skip
        assert path in paths, path
    get_person = paths["/api/v1/people/{person_id}"]["get"]
    assert "application/problem+json" in get_person["responses"]["404"]["content"]
    assert get_person["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("PersonDetail")


def test_a_reference_that_looks_like_a_broken_url(sqlite_api: Api) -> None:
    body = sqlite_api.problem("GET", "/resolve", 404, params={"ref": "["})
    assert "nobody" in body["detail"]

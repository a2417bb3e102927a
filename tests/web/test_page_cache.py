"""Pages that rank everyone by strength keep that ranking while the data stays the same, and only then: a change
made by the app or by another process (the CLI) is seen at once, and nothing is kept on PostgreSQL."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from fastapi.testclient import TestClient

from dunbar import interactions, people
from dunbar.store import open_db
from dunbar.web import create_app
from dunbar.web.deps import CSRF_COOKIE, WebConfig

TODAY = date(2026, 11, 25)
NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)


def _seed(url: str) -> dict[str, int]:
    with open_db(url) as db:
        people.set_me(db, name="Jordan Avery", emails=["jordan@example.org"], now=NOW)
        ana = people.add_person(db, people.PersonChanges(name="Ana Lima"), now=NOW)
        bo = people.add_person(db, people.PersonChanges(name="Bo Berg"), now=NOW)
        interactions.log_interaction(
            db, summary="Coffee", people=[ana], kind="meeting", occurred_at=datetime(2026, 11, 20, tzinfo=UTC), now=NOW
        )
    return {"ana": ana, "bo": bo}


def _order(html: str) -> list[str]:
    """The two people in the order the list shows them (each name appears more than once in its row)."""
    return list(dict.fromkeys(re.findall(r"(Ana Lima|Bo Berg)", html)))


def _kept(client: TestClient) -> list[str]:
    cfg = client.app.state.dunbar  # type: ignore[attr-defined]
    assert isinstance(cfg, WebConfig)
    return [key[0] for key in cfg.cache]


def test_the_ranking_is_kept_until_the_data_changes(sqlite_url: str) -> None:
    ids = _seed(sqlite_url)
    with TestClient(create_app(sqlite_url, today=TODAY, allowed_hosts=["testserver"])) as client:
        assert _order(client.get("/people?sort=strength").text)[:2] == ["Ana Lima", "Bo Berg"]
        assert "strength" in _kept(client)
        # Bo's page and the suggested circles use the kept ranking too.
        assert client.get(f"/people/{ids['bo']}/strength").status_code == 200
        assert client.get("/settings/circles").status_code == 200
        assert _kept(client).count("strength") == 1

        # Another process (the CLI) logs three meetings with Bo: the next page sees them.
        with open_db(sqlite_url) as db:
            for day in (21, 22, 23):
                interactions.log_interaction(
                    db,
                    summary="Workshop",
                    people=[ids["bo"]],
                    kind="meeting",
                    occurred_at=datetime(2026, 11, day, tzinfo=UTC),
                    initiator="them",
                    now=NOW,
                )
        assert _order(client.get("/people?sort=strength").text)[:2] == ["Bo Berg", "Ana Lima"]

        # Changes through the app itself: Ana rated as close as can be, and a call she started, move her back up.
        token = str(client.cookies.get(CSRF_COOKIE))
        saved = client.post(
            f"/people/{ids['ana']}/details",
            data={"csrf_token": token, "name": "Ana Lima", "closeness": "100"},
            follow_redirects=False,
        )
        assert saved.status_code == 303
        assert _order(client.get("/people?sort=strength").text)[:2] == ["Bo Berg", "Ana Lima"]
        logged = client.post(
            f"/people/{ids['ana']}/log",
            data={"csrf_token": token, "summary": "Call", "kind": "call", "day": "2026-11-24", "initiator": "them"},
            follow_redirects=False,
        )
        assert logged.status_code == 303
        assert _order(client.get("/people?sort=strength").text)[:2] == ["Ana Lima", "Bo Berg"]
        assert _kept(client).count("strength") == 1  # the older ranking went


def test_nothing_is_kept_on_postgresql(pg_url: str) -> None:
    _seed(pg_url)
    with TestClient(create_app(pg_url, today=TODAY, allowed_hosts=["testserver"])) as client:
        assert _order(client.get("/people?sort=strength").text)[:2] == ["Ana Lima", "Bo Berg"]
        assert client.get("/today/dormant").status_code == 200
        assert _kept(client) == []


def test_pages_asked_with_many_filters_keep_only_the_latest(sqlite_url: str) -> None:
    from dunbar.web.pages import memo

    _seed(sqlite_url)
    with TestClient(create_app(sqlite_url, today=TODAY, allowed_hosts=["testserver"])) as client:
        for k in range(memo.MAX_PER_KIND + 10):
            assert client.get(f"/people?sort=strength&organization=org{k}").status_code == 200
        assert _kept(client).count("strongest") == memo.MAX_PER_KIND
        assert _kept(client).count("strength") == 1

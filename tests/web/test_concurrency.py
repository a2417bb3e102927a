"""The CLI and the web app open the same SQLite file at once and both keep working.

A ``dunbar import`` of a large generated LinkedIn Connections.csv runs in its own process (one write transaction
for the whole batch) while the web app, in this process, serves pages and writes (logs interactions and adds
notes through the API and the pages) in a loop. Every request must succeed: no 5xx and no "database is locked"
reaching the user; afterwards both sides' writes are all there.
"""

from __future__ import annotations

import csv
import subprocess
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

from fastapi.testclient import TestClient
from tests.conftest import ROOT

from dunbar import people
from dunbar.store import open_db
from dunbar.web import create_app
from dunbar.web.deps import CSRF_COOKIE

TODAY = date(2026, 11, 25)
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
ROWS = 10000  # enough for an import of a few seconds, so the web side works through all of it
MAX_SECONDS = 120


def connections_csv(path: Path, rows: int) -> None:
    """A LinkedIn Connections.csv as LinkedIn writes it: a notes preamble, then one row per connection."""
    with path.open("w", newline="", encoding="utf-8") as f:
        f.write("Notes:\n")
        f.write(
            '"When exporting your connection data, you may notice that some of the email addresses are missing."\n\n'
        )
        w = csv.writer(f)
        w.writerow(["First Name", "Last Name", "URL", "Email Address", "Company", "Position", "Connected On"])
        for i in range(rows):
            w.writerow(
                [
                    f"Given{i}",
                    f"Family{i}",
                    f"https://www.linkedin.com/in/given-family-{i}",
                    f"person{i}@example.com" if i % 3 else "",
                    f"Company {i % 97}",
                    "Engineer",
                    f"{1 + i % 28:02d} Mar 2021",
                ]
            )


def test_a_cli_import_and_the_web_app_share_the_database(sqlite_url: str, tmp_path: Path) -> None:
    with open_db(sqlite_url) as db:
        people.set_me(db, name="Jordan Avery", emails=["jordan@example.org"], now=NOW)
        ana = people.add_person(db, people.PersonChanges(name="Ana Lima", organization="Northwind"), now=NOW)
        bo = people.add_person(db, people.PersonChanges(name="Bo Berg"), now=NOW)
    source = tmp_path / "Connections.csv"
    connections_csv(source, ROWS)

    dunbar = [sys.executable, "-m", "dunbar"]
    with TestClient(create_app(sqlite_url, today=TODAY, allowed_hosts=["testserver"])) as client:
        client.get("/people")
        token = str(client.cookies.get(CSRF_COOKIE))
        headers = {"X-CSRF-Token": token}

        cli = subprocess.Popen(
            [*dunbar, "--db", sqlite_url, "--today", TODAY.isoformat(), "import", str(source)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        failures: list[str] = []
        during = 0  # requests answered while the import was still running
        logged: list[str] = []
        noted: list[str] = []
        deadline = time.monotonic() + MAX_SECONDS
        i = 0
        # Work while the import runs, and a few rounds after it, so its commit lands in the middle of our writes.
        while (cli.poll() is None or i < during + 3) and time.monotonic() < deadline:
            running = cli.poll() is None
            summary = f"web call {i}"
            answers = [
                client.get("/"),
                client.get("/people"),
                client.get(f"/people/{ana}"),
                client.get("/api/v1/people?limit=20"),
                client.get("/people?q=given"),
                client.post(
                    "/api/v1/interactions",
                    json={"summary": summary, "people": [ana, bo], "kind": "call"},
                    headers=headers,
                ),
                client.post(
                    f"/people/{bo}/notes",
                    data={"csrf_token": token, "body": f"web note {i}"},
                    headers={"HX-Request": "true"},
                ),
            ]
            for r in answers:
                if r.status_code >= 400 or "locked" in r.text.lower():
                    failures.append(f"{r.request.method} {r.request.url.path}: {r.status_code} {r.text[:200]}")
            logged.append(summary)
            noted.append(f"web note {i}")
            if running:
                during += 1
            i += 1
        out, err = cli.communicate(timeout=MAX_SECONDS)

    assert cli.returncode == 0, f"dunbar import failed:\n{out}\n{err}"
    assert "locked" not in (out + err).lower()
    assert failures == []
    # The import holds the write lock for its whole batch, so a round's writes wait for its commit: how many rounds
    # start while it runs depends on the machine. At least one must: that round's writes met the import's lock.
    assert during >= 1, f"the import finished before the web app had done anything alongside it ({during} rounds)"

    with open_db(sqlite_url) as db:
        imported = db.scalar("SELECT count(*) FROM person WHERE display_name LIKE 'Given% Family%'")
        calls = {r[0] for r in db.rows("SELECT summary FROM interaction WHERE summary LIKE 'web call %'")}
        notes = {r[0] for r in db.rows("SELECT body FROM note WHERE person_id = :id", {"id": bo})}
        with_ana = db.scalar(
            "SELECT count(*) FROM participant p JOIN interaction i ON i.id = p.interaction_id "
            "WHERE p.person_id = :id AND i.summary LIKE 'web call %'",
            {"id": ana},
        )
    assert imported == ROWS
    assert calls == set(logged)
    assert notes == set(noted)
    assert with_ana == len(logged)

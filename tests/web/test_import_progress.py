"""Importing from the page's script: the answer shows the import's progress and polls it until the report (or the
problem) comes; an upload past the size limit is a calm 413, as a page or as a problem document."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient

from dunbar.web import create_app
from dunbar.web.deps import CSRF_COOKIE

TODAY = date(2026, 11, 25)
HTMX = {"HX-Request": "true"}


def connections(n: int) -> bytes:
    """A LinkedIn Connections.csv of ``n`` people."""
    rows = ["First Name,Last Name,URL,Email Address,Company,Position,Connected On"]
    rows += [f"Ana{i},Lima{i},,ana{i}@example.org,Contoso,Engineer,01 Jan 2020" for i in range(n)]
    return ("\n".join(rows) + "\n").encode()


@pytest.fixture
def client(sqlite_url: str) -> Iterator[TestClient]:
    with TestClient(create_app(sqlite_url, today=TODAY, allowed_hosts=["testserver"])) as c:
        c.get("/import")
        c.headers["X-CSRF-Token"] = str(c.cookies.get(CSRF_COOKIE))
        yield c


def _upload(client: TestClient, name: str, data: bytes, **form: str) -> Any:
    return client.post("/import", data=form, files={"file": (name, data, "text/csv")}, headers=HTMX)


def _follow(client: TestClient, html: str, *, seconds: float = 30) -> tuple[str, list[int]]:
    """Poll the job the answer names, as the page does, until it ends: (the last answer, the counts seen)."""
    match = re.search(r'hx-get="(/import/jobs/[\w-]+)"', html)
    assert match, html
    seen = []
    deadline = time.monotonic() + seconds
    while True:
        answer = client.get(match.group(1), headers=HTMX)
        assert answer.status_code == 200, answer.text
        counted = re.search(r'data-testid="import-records">([\d,]+)<', answer.text)
        if counted is None:
            return answer.text, seen
        seen.append(int(counted.group(1).replace(",", "")))
        assert time.monotonic() < deadline, "the import did not end"
        time.sleep(0.05)


def test_an_import_shows_its_progress_then_its_report(client: TestClient) -> None:
    started = _upload(client, "Connections.csv", connections(5000), format="linkedin")
    assert started.status_code == 200, started.text
    assert 'data-testid="import-progress"' in started.text
    done, seen = _follow(client, started.text)
    assert seen == sorted(seen)  # the count only grows
    # The pipeline's progress callback counted every record the job read.
    (job,) = client.app.state.import_jobs.values()  # type: ignore[attr-defined]
    assert (job.state, job.records) == ("done", 5000)
    assert 'data-testid="import-report"' in done
    assert "Imported Connections.csv" in done
    assert re.search(r'data-testid="count-created">5000<', done)
    assert re.search(r'data-testid="count-read">5000<', done)
    # The past imports and the review queue come along, swapped in place.
    assert 'id="history"' in done
    assert 'hx-swap-oob="true"' in done
    assert 'data-testid="batch-row"' in done
    # Without the script, the job's address is the whole page with the report.
    job = re.search(r'hx-get="(/import/jobs/[\w-]+)"', started.text).group(1)  # type: ignore[union-attr]
    page = client.get(job)
    assert page.status_code == 200
    assert "<html" in page.text
    assert 'data-testid="import-report"' in page.text
    assert "Ana4999 Lima4999" in client.get("/people", params={"q": "Ana4999"}).text


def test_a_file_that_cannot_be_imported_is_said_so_with_its_own_name(client: TestClient) -> None:
    started = client.post(
        "/import", files={"file": ("photo.jpg", b"\xff\xd8\xff\xe0 not contacts", "image/jpeg")}, headers=HTMX
    )
    assert started.status_code == 200
    done, _ = _follow(client, started.text)
    assert 'data-testid="import-problem"' in done
    assert "photo.jpg was not imported" in done
    assert "dunbar-upload-" not in done  # not the temporary copy's path
    assert 'data-testid="import-report"' not in done


def test_a_job_is_only_found_by_its_own_id(client: TestClient, tmp_path: Any) -> None:
    assert client.get("/import/jobs/not-a-job", headers=HTMX).status_code == 404
    started = _upload(client, "Connections.csv", connections(3), format="linkedin")
    _follow(client, started.text)
    # Another app over another database does not know it.
    other = f"sqlite:///{tmp_path / 'other.db'}"
    job = re.search(r'hx-get="(/import/jobs/[\w-]+)"', started.text).group(1)  # type: ignore[union-attr]
    with TestClient(create_app(other, today=TODAY, allowed_hosts=["testserver"])) as c:
        assert c.get(job, headers=HTMX).status_code == 404


def test_an_upload_past_the_limit_is_refused_calmly(client: TestClient) -> None:
    client.app.state.max_upload_bytes = 2048  # type: ignore[attr-defined]
    page = _upload(client, "Connections.csv", connections(200), format="linkedin")
    assert page.status_code == 413
    assert 'data-testid="error"' in page.text
    assert "That file is too large" in page.text
    assert "larger than the 2 KB the web app takes" in page.text
    assert "dunbar import FILE" in page.text
    plain = client.post("/import", files={"file": ("Connections.csv", connections(200), "text/csv")})
    assert plain.status_code == 413

    api = client.post("/api/v1/imports", files={"file": ("Connections.csv", connections(200), "text/csv")})
    assert api.status_code == 413
    assert api.headers["content-type"].startswith("application/problem+json")
    problem = api.json()
    assert problem["status"] == 413
    assert problem["type"] == "urn:dunbar:problem:too-large"
    assert "2 KB" in problem["detail"]

    # A body sent in chunks, without a length, is counted as it arrives.
    boundary = "dunbarboundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="Connections.csv"\r\n'
        "Content-Type: text/csv\r\n\r\n"
    ).encode()

    def chunks() -> Iterator[bytes]:
        yield head
        for _ in range(40):
            yield b"Ana,Lima,,ana@example.org,Contoso,Engineer,01 Jan 2020\n" * 5
        yield f"\r\n--{boundary}--\r\n".encode()

    chunked = client.post(
        "/api/v1/imports", content=chunks(), headers={"content-type": f"multipart/form-data; boundary={boundary}"}
    )
    assert chunked.status_code == 413, chunked.text
    assert chunked.json()["type"] == "urn:dunbar:problem:too-large"

    # Under the limit, the same upload works.
    client.app.state.max_upload_bytes = 1_000_000  # type: ignore[attr-defined]
    ok = client.post("/api/v1/imports", files={"file": ("Connections.csv", connections(200), "text/csv")})
    assert ok.status_code == 200, ok.text
    assert ok.json()["created"] == 200

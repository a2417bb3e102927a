"""End-to-end fixtures: the real server (uvicorn on loopback over a fresh SQLite file) and Debian's Chromium
driven by Playwright, with screenshots kept under artifacts/e2e/.

The tests skip, saying why, where the ``playwright`` package or a Chromium binary is missing; they never download
a browser. Each test gets its own database, server and browser context (its own cookies and storage); the browser
process itself is shared by the session because starting Chromium costs about two seconds.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import ROOT

from dunbar import people
from dunbar.store import open_db

TODAY = date(2026, 11, 25)
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
ARTIFACTS = ROOT / "artifacts" / "e2e"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
# Playwright's own default (30 s) would hide a hang for a long time; every page here answers in well under a second.
TIMEOUT_MS = 10_000


def chromium_path() -> str | None:
    for candidate in (os.environ.get("DUNBAR_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    """A running ``dunbar serve`` equivalent: the app factory under uvicorn on 127.0.0.1."""

    url: str  # the database
    base: str  # http://127.0.0.1:PORT
    errors: list[str] = field(default_factory=list)
    app: Any = None  # the FastAPI app being served

    def db(self) -> Any:
        return open_db(self.url)


class _Capture:
    """Collects what uvicorn and the app log at ERROR (an unexpected exception in a route) for the test."""

    def __init__(self, errors: list[str]) -> None:
        import logging

        class Handler(logging.Handler):
            def emit(self, record: logging.LogRecord) -> None:
                errors.append(self.format(record))

        self.handler = Handler(level=logging.ERROR)
        self.loggers = [logging.getLogger(n) for n in ("dunbar.web", "uvicorn.error")]

    def __enter__(self) -> None:
        for lg in self.loggers:
            lg.addHandler(self.handler)

    def __exit__(self, *exc: object) -> None:
        for lg in self.loggers:
            lg.removeHandler(self.handler)


@contextmanager
def serve(url: str, **options: Any) -> Iterator[Server]:
    """The web app served by uvicorn in a thread on a free loopback port, today 2026-11-25; ``options`` go to
    ``create_app`` (``server=True, secure_cookies=False`` for the team server over plain HTTP)."""
    import uvicorn

    from dunbar.web import create_app

    port = free_port()
    app = create_app(url, today=TODAY, port=port, **options)
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False, lifespan="on")
    uv = uvicorn.Server(config)
    srv = Server(url=url, base=f"http://127.0.0.1:{port}", app=app)
    with _Capture(srv.errors):
        thread = threading.Thread(target=uv.run, name=f"uvicorn-{port}", daemon=True)
        thread.start()
        deadline = time.monotonic() + 15
        while not uv.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                pytest.fail(f"the web app did not start on port {port}")
            time.sleep(0.02)
        try:
            yield srv
        finally:
            uv.should_exit = True
            thread.join(timeout=10)
    assert not srv.errors, "the server logged errors:\n" + "\n".join(srv.errors)


@pytest.fixture
def server(sqlite_url: str) -> Iterator[Server]:
    """The server over a fresh SQLite file where "me" is set (as after ``dunbar init``)."""
    with open_db(sqlite_url) as db:
        people.set_me(db, name="Jordan Avery", emails=["jordan@example.org"], now=NOW)
    with serve(sqlite_url) as srv:
        yield srv


@pytest.fixture
def empty_server(sqlite_url: str) -> Iterator[Server]:
    """The server over a fresh SQLite file with nobody in it, not even "me" (a brand-new ``dunbar serve``)."""
    with serve(sqlite_url) as srv:
        yield srv


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Chromium from the system (no download), launched once per test module (Playwright holds an event loop in this thread while it runs) with a throwaway profile."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    exe = chromium_path()
    if exe is None:
        pytest.skip("no Chromium at /usr/bin/chromium (apt-get install chromium, or set DUNBAR_CHROMIUM)")
    with sync_api.sync_playwright() as pw:
        # Playwright gives a plain launch its own fresh, temporary user-data-dir, removed on close.
        b = pw.chromium.launch(executable_path=exe, headless=True, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@dataclass
class Watch:
    """What went wrong in the page while a test drove it: script errors, dialogs, failed server answers."""

    page_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    server_errors: list[str] = field(default_factory=list)
    confirm: list[str] = field(default_factory=list)  # starts of confirmations the test expects and accepts


def _watch(page: Any) -> Watch:
    w = Watch()
    page.on("pageerror", lambda exc: w.page_errors.append(str(exc)))

    def on_dialog(d: Any) -> None:
        if d.type == "confirm" and any(d.message.startswith(c) for c in w.confirm):
            d.accept()
            return
        w.dialogs.append(f"{d.type}: {d.message}")
        d.dismiss()

    page.on("dialog", on_dialog)
    page.on("response", lambda r: w.server_errors.append(f"{r.status} {r.url}") if r.status >= 500 else None)
    return w


@dataclass
class Ui:
    """A page in a fresh browser context on the test's server, and how to keep a screenshot of it."""

    page: Any
    server: Server
    watch: Watch
    name: str

    def go(self, path: str) -> Any:
        response = self.page.goto(self.server.base + path)
        assert response is not None, path
        assert response.status < 400, f"{path}: {response.status}"
        return response

    def shot(self, label: str, *, full_page: bool = True) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{self.name}-{label}.png"
        self.page.screenshot(path=str(path), full_page=full_page)
        return path

    def phone_shot(self, label: str) -> Path:
        """The same page at phone width (390 px), then back to the desktop size."""
        self.page.set_viewport_size(PHONE)
        try:
            return self.shot(f"{label}-phone")
        finally:
            self.page.set_viewport_size(DESKTOP)


@contextmanager
def _ui(browser: Any, server: Server, request: pytest.FixtureRequest) -> Iterator[Ui]:
    context = browser.new_context(viewport=DESKTOP, locale="en-GB", timezone_id="UTC")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    watch = _watch(page)
    name = request.node.name.replace("test_", "", 1).replace("[", "-").replace("]", "")
    u = Ui(page=page, server=server, watch=watch, name=name)
    try:
        yield u
    finally:
        context.close()
    # Everywhere, a page must never raise a script error, fail on the server or pop up an unexpected dialog.
    assert not watch.page_errors, f"script errors in the page: {watch.page_errors}"
    assert not watch.server_errors, f"server errors: {watch.server_errors}"
    assert not watch.dialogs, f"unexpected dialogs: {watch.dialogs}"


@pytest.fixture
def ui(browser: Any, server: Server, request: pytest.FixtureRequest) -> Iterator[Ui]:
    """A fresh browser context on the server with "me" set."""
    with _ui(browser, server, request) as u:
        yield u


@pytest.fixture
def empty_ui(browser: Any, empty_server: Server, request: pytest.FixtureRequest) -> Iterator[Ui]:
    """A fresh browser context on a server whose database is brand new."""
    with _ui(browser, empty_server, request) as u:
        yield u

"""The team server in the real browser: signing in and out, and the hostile-input drill through every field the
server adds (the sign-in form, the ``next`` address, API token names, display names made with ``dunbar users
add --name``) and every field of a user's network (the same drill as the embedded app, tests/e2e/hostile.py).

The server is ``create_app(server=True, secure_cookies=False)`` under uvicorn on a free loopback port (what
``dunbar serve --server --insecure-cookies`` runs) over a fresh PostgreSQL database. Nothing may run, the text
shows literally, and no request ends in a 5xx (the fixtures also fail a test whose server logged an error).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import PG_ADMIN_URL, Cli, _pg_admin, _pg_url
from tests.e2e.conftest import Server, Ui, _ui, serve
from tests.e2e.hostile import ATTR, JS_LINK, SCRIPT, SQL, TEMPLATE, UNICODE, Hostile, drill_every_field, expect
from tests.server.conftest import PASSWORD

MALLORY = f"Mallory {SCRIPT} {ATTR}"
# Account names refuse text-direction controls (tests/server/test_hostile_input.py); the rest of the tricks stay.
ZED = f"{SQL} {UNICODE.replace(chr(0x202E), '').replace(chr(0x202C), '')} {TEMPLATE}"
MALLORY_EMAIL = "m'&lt{{7*7}}@example.org"  # a quote, an entity (no ; is allowed) and template syntax
TEAM = f"Team {SCRIPT} {SQL}"
USERS = (
    ("alice", "Alice Example", "alice@example.org"),
    ("mallory", MALLORY, MALLORY_EMAIL),  # an administrator, so she can make a team
    ("zed", ZED, "z@example.org"),
)


@pytest.fixture(scope="module")
def team_server() -> Iterator[Server]:
    """The team server over plain HTTP on loopback, over a database of its own (made here rather than copied from
    tests/server's template, which a fixture imported into this module would make a second time): alice, and two
    users whose names are hostile, all added with ``dunbar users add``. Both tests share it (different users)."""
    admin = _pg_admin()
    if admin is None:
        pytest.skip(f"the team server needs PostgreSQL; none reachable at {PG_ADMIN_URL}")
    name = f"dunbar_e2e_srv_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        url = _pg_url(name)
        cli = Cli(url)
        for username, display, email in USERS:
            admin_flag = ["--admin"] if username == "mallory" else []
            cli("users", "add", username, "--name", display, "--email", email, "--password-stdin", *admin_flag,
                input=PASSWORD + "\n")  # fmt: skip
        with serve(url, server=True, secure_cookies=False) as srv:
            yield srv
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def team_ui(browser: Any, team_server: Server, request: pytest.FixtureRequest) -> Iterator[Ui]:
    with _ui(browser, team_server, request) as u:
        yield u


@contextmanager
def network(url: str, username: str) -> Iterator[Any]:
    """A handle on one user's network on the team server (as ``dunbar --user NAME`` opens it)."""
    from dunbar.server import accounts, open_server

    server = open_server(url)
    try:
        yield accounts.user_db(server, accounts.get_user(server, username))
    finally:
        server.close()


def sign_in(ui: Ui, username: str, password: str = PASSWORD) -> None:
    page = ui.page
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_test_id("login-submit").click()


def sign_out(ui: Ui) -> None:
    ui.go("/account")
    ui.page.get_by_test_id("logout").click()
    expect(ui.page).to_have_url(re.compile(r"/login$"))


def page_paths(app: Any, ids: dict[str, int]) -> list[str]:
    """Every page the app serves to a GET (not the API, the documentation or sign-out), ids filled in."""
    from fastapi.routing import iter_route_contexts

    values = {"pid": ids["eve"], "name": "details"}
    paths: set[str] = set()
    for route in iter_route_contexts(app.routes):
        path = getattr(route, "path", "")
        if "GET" not in (getattr(route, "methods", None) or ()) or path.startswith(("/api/", "/docs", "/static")):
            continue
        names = re.findall(r"{(\w+)(?::\w+)?}", path)
        if any(n not in values for n in names):
            continue
        paths.add(re.sub(r"{(\w+)(?::\w+)?}", lambda m: str(values[m.group(1)]), path))
    return sorted(paths)


def test_sign_in_takes_you_where_you_were_going_and_sign_out_ends_it(team_ui: Ui) -> None:
    page, base = team_ui.page, team_ui.server.base
    page.goto(base + "/people?q=ana")
    expect(page).to_have_url(base + "/login?next=%2Fpeople%3Fq%3Dana")
    sign_in(team_ui, "alice", "not the password")
    expect(page.get_by_test_id("login-error")).to_contain_text("not right")
    expect(page.get_by_label("User name")).to_have_value("alice")
    sign_in(team_ui, "alice")
    expect(page).to_have_url(base + "/people?q=ana")
    expect(page.get_by_test_id("nav-account")).to_have_text("Alice Example")
    team_ui.shot("signed-in")
    # Signed in, the sign-in page sends you on; a next address elsewhere stays here (a raw tab is escaped).
    for target in ("//evil.example/", "https://evil.example/", "/\t/evil.example", JS_LINK):
        page.goto(base + "/login?next=" + target.replace("\t", "%09"))
        assert page.url.startswith(base + "/"), (target, page.url)
    sign_out(team_ui)
    team_ui.shot("signed-out")
    # The session is over: pages go back to the sign-in page, the API says 401.
    page.goto(base + "/settings")
    expect(page).to_have_url(base + "/login?next=%2Fsettings")
    assert page.request.get(base + "/api/v1/account").status == 401


def test_hostile_input_on_the_team_server(team_ui: Ui, tmp_path: Path) -> None:
    ui, page, base = team_ui, team_ui.page, team_ui.server.base
    h = Hostile(ui)

    # The sign-in form: what was typed comes back as the field's value, never as markup; nobody signs in.
    ui.go("/login")
    for typed in (SCRIPT, ATTR, SQL, f"alice' --{UNICODE}", JS_LINK, TEMPLATE):
        sign_in(ui, typed, f"{SQL}{ATTR}")
        expect(page.get_by_test_id("login-error")).to_contain_text("not right")
        expect(page.get_by_label("User name")).to_have_value(typed)
        h.inert(f"sign-in as {typed!r}")
    ui.shot("login")
    # A hostile next address: held as text in the form, and the 404 page it leads to echoes it as text.
    evil_next = '/x"><script>window.__xss=1</script><img src=x onerror="window.__xss=1">'
    page.goto(base + "/login?next=" + evil_next.replace('"', "%22").replace("<", "%3C").replace(">", "%3E"))
    h.inert("sign-in with a hostile next")
    sign_in(ui, "mallory")
    page.wait_for_load_state("networkidle")
    expect(page.get_by_test_id("error")).to_be_visible()
    h.inert("the next address after signing in")
    assert page.url.startswith(base + "/x"), page.url

    # Mallory's display name (made with `dunbar users add --name`) in the menu, her account and her "me".
    h.visit("/account", shows=(MALLORY, MALLORY_EMAIL))
    expect(page.get_by_test_id("nav-account")).to_have_text(MALLORY)
    expect(page.get_by_test_id("account-who").get_by_role("heading")).to_have_text(MALLORY)
    h.visit("/settings")
    expect(page.get_by_label("Your name")).to_have_value(MALLORY)

    # API token names, then one revoked; a name of only spaces is refused with a reason.
    h.visit("/account")
    names = [SCRIPT, ATTR, SQL, UNICODE[:60], f"{TEMPLATE} {JS_LINK}"]
    for name in names:
        page.get_by_label("Name of a new token").fill(name)
        page.get_by_role("button", name="Make a token").click()
        expect(page.get_by_test_id("token-secret")).to_contain_text(name)
        h.inert(f"token {name!r}")
    rows = page.get_by_test_id("token-row")
    expect(rows).to_have_count(len(names))
    for i, name in enumerate(names):
        expect(rows.nth(i).locator("td").first).to_have_text(name)
    rows.nth(0).get_by_role("button", name="Revoke").click()
    expect(page.get_by_test_id("token-row").nth(0)).to_contain_text("revoked")
    page.get_by_label("Name of a new token").fill("   ")
    page.get_by_role("button", name="Make a token").click()
    expect(page.get_by_test_id("account-tokens").get_by_role("alert")).to_contain_text("1 to 80 characters")
    h.inert("tokens")
    # The password form with a hostile "current password": refused, and not echoed.
    page.get_by_label("Current password").fill(f"{SCRIPT}{SQL}")
    page.get_by_label("New password (at least 10 characters)").fill(f"{ATTR}{UNICODE}")
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_test_id("password-error")).to_contain_text("not right")
    h.inert("password form")
    ui.shot("account")

    # Every field of her network, and every page, as on the embedded app.
    ids = drill_every_field(ui, tmp_path, lambda: network(ui.server.url, "mallory"))
    # And every page the server serves, the menu showing her name literally on each.
    pages = 0
    seen = {"/", "/today", "/people", "/import", "/settings", "/log", "/login", f"/people/{ids['eve']}"}
    for path in page_paths(ui.server.app, ids):
        if path in seen:
            continue  # the drill has been there
        answer = page.request.get(base + path)
        assert answer.status < 500, f"{path}: {answer.status}"
        if not answer.headers.get("content-type", "").startswith("text/html"):
            continue  # a download: the calendar feed
        h.visit(path)
        if "<html" in answer.text():  # a whole page, not a fragment that htmx loads into one
            expect(page.get_by_test_id("nav-account")).to_have_text(MALLORY)
            pages += 1
    assert pages >= 5, pages
    ui.shot("every-page")

    # A team with a hostile name, zed on it, Mallory sharing (her people's organizations are hostile too).
    team = h.api("POST", "/teams", {"name": TEAM})["id"]
    for member in ("mallory", "zed"):
        h.api("POST", f"/teams/{team}/members", {"username": member})
    h.api("PUT", f"/teams/{team}/sharing", {"shares": True})
    h.visit("/team", shows=(TEAM,))

    # Another user whose name is SQL and unicode tricks sees it literally, and none of Mallory's people.
    sign_out(ui)
    sign_in(ui, "zed")
    page.wait_for_load_state("networkidle")
    expect(page.get_by_test_id("nav-account")).to_have_text(ZED)
    h.visit("/account", shows=(ZED,))
    h.visit("/settings")
    expect(page.get_by_label("Your name")).to_have_value(ZED)
    h.visit("/people")
    for theirs in ("Mallory", f"Eve {SCRIPT}", f"Mal {ATTR}", "Vic <script>"):
        expect(page.locator("body")).not_to_contain_text(theirs)
    assert page.request.get(base + "/api/v1/people").json()["items"] == []  # nobody yet (her "me" is not listed)
    # On the team: Mallory's name and her contact's hostile organization; an introduction asked with a hostile
    # message. All shown as text on the Team page, on both sides.
    h.token = ""  # a new session, a new CSRF token
    known = h.api("GET", "/teams/who-knows?org=UI%20org")["results"]  # Eve, her job as the drill left it
    assert [k["organization"] for k in known] == [f"UI org {SCRIPT}"], known
    assert known[0]["teammate"]["name"] == MALLORY
    h.api("POST", "/teams/intros", {"ref": known[0]["ref"], "message": f"please {SCRIPT} {ATTR} {SQL}"})
    h.visit("/team", shows=(TEAM, MALLORY, f"Eve {SCRIPT}"))
    ui.shot("team-zed")
    # Mallory is asked: zed's name, the contact and the message.
    sign_out(ui)
    sign_in(ui, "mallory")
    page.wait_for_load_state("networkidle")
    h.visit("/team", shows=(TEAM, ZED, f"Eve {SCRIPT}", f"UI org {SCRIPT}", f"please {SCRIPT} {ATTR} {SQL}"))
    ui.shot("team-mallory")
    ui.shot("zed")
    assert page.evaluate("window.__xss") is None

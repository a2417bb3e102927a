"""Rendering a page: one Jinja2 environment per app, autoescaped, with what every template needs.

Contact data is hostile input (names, notes and summaries come from imported files and e-mail headers), so
autoescaping is on for every template and no template marks user data ``|safe``; JSON for scripts goes through
``|tojson``, which escapes ``<``, ``>``, ``&`` and quotes.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader
from markupsafe import Markup, escape

from dunbar.web.deps import clock_for, config, csrf_token, set_csrf_cookie

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"

# Scripts and styles only from this server: even if some value escaped the templates' escaping, a browser would
# not run an inline script or load anything from elsewhere.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


def ago(value: datetime | date | None, today: date) -> str:
    """ "today", "3 days ago", "5 months ago": how long since, in words."""
    if value is None:
        return "never"
    day = value.astimezone().date() if isinstance(value, datetime) else value
    days = (today - day).days
    if days < 0:
        return "in the future" if days < -1 else "tomorrow"
    if days == 0:
        return "today"
    if days == 1:
        return "yesterday"
    if days < 14:
        return f"{days} days ago"
    if days < 60:
        return f"{days // 7} weeks ago"
    if days < 730:
        return f"{days // 30} months ago"
    return f"{days // 365} years ago"


def local_date(value: datetime | date | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone().date().isoformat()
    return value.isoformat()


def local_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    return value.astimezone().strftime("%Y-%m-%d %H:%M")


def highlight(text: str | None, start: str = "\x02", end: str = "\x03") -> Markup:
    """A search snippet with its matched words in <mark>: the text is escaped first, then only the marks
    (control characters no contact data holds) become tags."""
    safe = str(escape(text or ""))
    return Markup(safe.replace(start, "<mark>").replace(end, "</mark>"))  # noqa: S704 - escaped above  # nosec B704


def make_environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        # The templates ship with the package and do not change while the app runs; checking each one's file
        # time on every render cost ~20 stat calls and about a quarter of the person page's server time.
        auto_reload=False,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["local_date"] = local_date
    env.filters["local_datetime"] = local_datetime
    env.filters["highlight"] = highlight
    # Dates and times inside |tojson (chart data) as ISO text.
    env.policies["json.dumps_kwargs"] = {"sort_keys": True, "default": str}
    return env


def environment(request: Request) -> Environment:
    env = getattr(request.app.state, "templates", None)
    if env is None:
        env = request.app.state.templates = make_environment()
    assert isinstance(env, Environment)
    return env


def is_htmx(request: Request) -> bool:
    return request.headers.get("HX-Request") == "true"


def render(
    request: Request,
    template: str,
    context: Mapping[str, Any] | None = None,
    *,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    """A page (or, for htmx, a fragment) rendered with the request's CSRF token and clock."""
    clock = clock_for(config(request).today)
    ctx: dict[str, Any] = {
        "request": request,
        "csrf": csrf_token(request),
        "today": clock.today,
        "now": clock.now,
        "nav": "",
        "ago": lambda value: ago(value, clock.today),
        "utc": UTC,
        "signed_in": getattr(request.state, "account", None),  # the team server's user; None when embedded
    }
    if context:
        ctx.update(context)
    html = environment(request).get_template(template).render(ctx)
    # Headers given at construction are encoded once; updating them afterwards rescans the list per header.
    response = HTMLResponse(html, status_code=status_code, headers={**SECURITY_HEADERS, **(headers or {})})
    set_csrf_cookie(request, response)
    return response

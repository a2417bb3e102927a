"""The team server's app for ``uvicorn --factory`` worker processes: its settings come from the environment.

``dunbar serve --server`` sets these variables for its workers; a production setup may run uvicorn (or gunicorn
with uvicorn workers) on ``dunbar.web.server_entry:app_from_env`` directly with the same variables:

- ``DUNBAR_DATABASE_URL``: the PostgreSQL database (required);
- ``DUNBAR_ALLOWED_HOSTS``: comma-separated Host values the server answers (e.g. ``crm.example.org``);
- ``DUNBAR_INSECURE_COOKIES=1``: send cookies over plain HTTP too (only for a trial without TLS).
"""

from __future__ import annotations

import os

from fastapi import FastAPI

from dunbar.errors import StoreError


def app_from_env() -> FastAPI:
    from dunbar.web import create_app

    url = os.environ.get("DUNBAR_DATABASE_URL")
    if not url:
        raise StoreError("DUNBAR_DATABASE_URL is not set", hint="point it at the team server's PostgreSQL database")
    hosts = [h.strip() for h in os.environ.get("DUNBAR_ALLOWED_HOSTS", "").split(",") if h.strip()]
    return create_app(
        url,
        server=True,
        allowed_hosts=hosts or None,
        secure_cookies=os.environ.get("DUNBAR_INSECURE_COOKIES") != "1",
    )

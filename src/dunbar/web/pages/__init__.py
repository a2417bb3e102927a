"""The pages of the web app: one module per page, each route a thin call to the service functions."""

from __future__ import annotations

from fastapi import APIRouter

from dunbar.web.pages import home, imports, log, people, person, settings, today

router = APIRouter(include_in_schema=False)
for _module in (home, today, people, person, log, imports, settings):
    router.include_router(_module.router)

__all__ = ["router"]

"""The pages of the web app: one module per page, each route a thin call to the service functions."""

from __future__ import annotations

from fastapi import APIRouter

from dunbar.web.pages import give, home, imports, jobs, log, network, people, person, person_more, settings, today

router = APIRouter(include_in_schema=False)
for _module in (home, today, people, person, person_more, give, network, jobs, log, imports, settings):
    router.include_router(_module.router)

__all__ = ["router"]

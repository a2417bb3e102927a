"""The pages of the web app: one module per page, each route a thin call to the service functions."""

from __future__ import annotations

from fastapi import APIRouter

from dunbar.web.pages import people

router = APIRouter(include_in_schema=False)
router.include_router(people.router)

__all__ = ["router"]

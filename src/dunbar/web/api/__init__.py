"""The REST API, ``/api/v1``: one module per resource, each route a thin call to a service function.

``router`` is mounted by ``dunbar.web.create_app``; docs/api.md describes the API for its users.
"""

from __future__ import annotations

from fastapi import APIRouter

from dunbar.web.api import (
    agenda,
    dedupe,
    export,
    followups,
    graph,
    imports,
    interactions,
    jobs,
    ledger,
    me,
    meta,
    offers,
    people,
    search,
    strength,
)

router = APIRouter(prefix="/api/v1")
for _module in (meta, people, strength, interactions, search, imports, dedupe, export, me):
    router.include_router(_module.router)
# Agenda, follow-ups, favours, offers and needs, jobs and the network.
for _module in (agenda, followups, ledger, offers, jobs, graph):
    router.include_router(_module.router)

__all__ = ["router"]

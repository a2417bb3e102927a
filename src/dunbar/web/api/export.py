"""/export.json and /export.vcf: everything, to keep or to move elsewhere."""

from __future__ import annotations

import os
import tempfile
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import FileResponse
from starlette.background import BackgroundTask

from dunbar.store.db import Db
from dunbar.web.api.common import PROBLEM_RESPONSES, DbDep, ProblemRoute

router = APIRouter(tags=["export"], route_class=ProblemRoute, responses=PROBLEM_RESPONSES)


def _spooled(db: Db, writer: str, media_type: str, filename: str, **options: str) -> FileResponse:
    """Write an export to a temporary file, then stream it: the writer keeps its database snapshot only while
    it writes, and memory stays flat however large the network is."""
    from dunbar.exporters.json_export import write_json
    from dunbar.exporters.vcard import write_all

    writers = {"json": write_json, "vcard": write_all}
    fd, name = tempfile.mkstemp(prefix="dunbar-export-")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            writers[writer](db, out, **options)
    except BaseException:
        os.unlink(name)
        raise
    return FileResponse(name, media_type=media_type, filename=filename, background=BackgroundTask(os.unlink, name))


@router.get(
    "/export.json",
    response_class=FileResponse,
    summary="Everything, as dunbar's JSON export document",
    responses={200: {"content": {"application/json": {}}, "description": "The export document (docs/json.md)"}},
)
def export_json(db: DbDep) -> FileResponse:
    return _spooled(db, "json", "application/json", "dunbar-export.json")


@router.get(
    "/export.vcf",
    response_class=FileResponse,
    summary="Everyone but me, as vCards",
    responses={200: {"content": {"text/vcard": {}}, "description": "One vCard per person"}},
)
def export_vcf(
    db: DbDep, version: Annotated[Literal["3.0", "4.0"], Query(description="The vCard version")] = "3.0"
) -> FileResponse:
    return _spooled(db, "vcard", "text/vcard", "dunbar.vcf", version=version)

"""/imports: upload a file any importer reads, see the history, undo a batch."""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path as FilePath
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Path, UploadFile

from dunbar.importers import formats, pipeline
from dunbar.web.api.common import (
    MAX_ID,
    PROBLEM_RESPONSES,
    PROBLEM_TYPE,
    ClockDep,
    DbDep,
    Limit,
    Offset,
    Page,
    Problem,
    ProblemRoute,
    window,
)
from dunbar.web.api.models import Batch, ImportReport
from dunbar.web.uploads import limited

router = APIRouter(tags=["imports"], route_class=ProblemRoute, responses=PROBLEM_RESPONSES)

FormatName = Literal["linkedin", "contacts-csv", "vcard", "ics", "mail", "dunbar-json"]
BatchId = Annotated[int, Path(ge=1, le=MAX_ID, description="A batch's id")]
_UNSAFE = re.compile(r"[^\w.\- ]+")


def upload_name(filename: str | None) -> str:
    """A safe file name for an upload: its own base name (the importers detect by suffix and content)."""
    base = FilePath((filename or "").replace("\\", "/")).name
    clean = _UNSAFE.sub("_", base).strip(" .")[:120]
    return clean or "upload"


def run_import(
    db: DbDep,
    clock: ClockDep,
    file: Annotated[UploadFile, File(description="A LinkedIn export (.zip), contacts CSV, vCard, .ics, mbox…")],
    format: Annotated[FormatName | None, Form(description="Force a format instead of detecting it")] = None,
    dry_run: Annotated[bool, Form(description="Only say what would change")] = False,
) -> Any:
    # The importers read paths (a LinkedIn export is a zip they open by name), so the upload goes to a private
    # temporary folder under its own name, and is gone when the import is.
    with tempfile.TemporaryDirectory(prefix="dunbar-upload-") as folder:
        path = FilePath(folder) / upload_name(file.filename)
        with path.open("wb") as out:
            shutil.copyfileobj(file.file, out)
        result = formats.run_import(db, path, now=clock.now, today=clock.today, fmt=format, dry_run=dry_run)
    return result if isinstance(result, dict) else result.as_dict()


# The upload's size is checked before its body is read (413 past the limit), so the route has a class of its own.
router.add_api_route(
    "/imports",
    run_import,
    methods=["POST"],
    response_model=ImportReport | dict[str, int],
    summary="Import an uploaded file",
    responses={
        413: {"model": Problem, "description": "The file is larger than the app takes", "content": {PROBLEM_TYPE: {}}}
    },
    route_class_override=limited(ProblemRoute),
)


@router.get("/imports", response_model=Page[Batch], summary="Past imports, newest first")
def history(db: DbDep, limit: Limit = 50, offset: Offset = 0) -> dict[str, Any]:
    return window(pipeline.history(db, limit=offset + limit + 1), limit=limit, offset=offset)


@router.post("/imports/{batch_id}/undo", response_model=dict[str, int], summary="Undo an import")
def undo(batch_id: BatchId, db: DbDep, clock: ClockDep) -> dict[str, int]:
    return pipeline.undo_batch(db, batch_id, now=clock.now)

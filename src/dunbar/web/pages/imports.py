"""Import: upload a file, read the batch report, undo a batch, and review possible duplicates side by side."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path as FilePath
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Path, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from dunbar import merge
from dunbar.errors import InvalidInput
from dunbar.importers import formats, pipeline
from dunbar.store.db import Db
from dunbar.web.api.imports import upload_name
from dunbar.web.deps import Clock, get_clock, get_db
from dunbar.web.pages.render import is_htmx, render

router = APIRouter()

MAX_ID = 2**31 - 1
HISTORY = 20
REVIEW = 10

DbDep = Annotated[Db, Depends(get_db)]
ClockDep = Annotated[Clock, Depends(get_clock)]
Id = Annotated[int, Path(ge=1, le=MAX_ID)]


def _page(db: Db, **extra: Any) -> dict[str, Any]:
    return {
        "nav": "import",
        "formats": [n for n in formats.NAMES if n != formats.MAPPED_CSV],
        "history": pipeline.history(db, limit=HISTORY),
        "pairs": merge.candidates(db, limit=REVIEW),
        "report": None,
        "message": "",
        **extra,
    }


@router.get("/import", response_class=HTMLResponse)
def import_page(request: Request, db: DbDep) -> HTMLResponse:
    return render(request, "import.html", _page(db))


@router.post("/import", response_class=HTMLResponse)
def upload(
    request: Request,
    db: DbDep,
    clock: ClockDep,
    file: Annotated[UploadFile | None, File()] = None,
    format: Annotated[str, Form()] = "",
) -> HTMLResponse:
    if file is None or not file.filename:
        raise InvalidInput("choose a file to import first", hint="a LinkedIn export (.zip), contacts CSV, vCard…")
    # The importers read paths (a LinkedIn export is a zip opened by name): the upload goes to a private
    # temporary folder under its own name, gone when the import is.
    with tempfile.TemporaryDirectory(prefix="dunbar-upload-") as folder:
        path = FilePath(folder) / upload_name(file.filename)
        with path.open("wb") as out:
            shutil.copyfileobj(file.file, out)
        result = formats.run_import(db, path, now=clock.now, today=clock.today, fmt=format or None)
    if isinstance(result, dict):
        report = {"restored": result, "format": "dunbar-json", "path": file.filename}
    else:
        report = result.as_dict()
        report["path"] = file.filename  # not the temporary path
    return render(request, "import.html", _page(db, report=report))


@router.post("/import/{batch_id}/undo", response_class=HTMLResponse)
def undo(request: Request, batch_id: Id, db: DbDep, clock: ClockDep) -> Response:
    counts = pipeline.undo_batch(db, batch_id, now=clock.now)
    removed = ", ".join(f"{n} {what.replace('_', ' ')}" for what, n in counts.items() if n)
    message = f"Undid import #{batch_id}" + (f": removed {removed}." if removed else ".")
    if is_htmx(request):
        return render(request, "import_history.html", _page(db, message=message))
    return render(request, "import.html", _page(db, message=message))


@router.post("/review/{candidate_id}", response_class=HTMLResponse)
def decide(
    request: Request,
    candidate_id: Id,
    db: DbDep,
    clock: ClockDep,
    decision: Annotated[str, Form()],
    keep: Annotated[str, Form()] = "a",
) -> Response:
    result = merge.decide(db, candidate_id, decision, now=clock.now, keep=keep)
    message = "Merged them into one person." if result["status"] == "merged" else "Kept them apart."
    if is_htmx(request):
        return render(request, "review.html", _page(db, message=message))
    return RedirectResponse("/import#review", status_code=303)

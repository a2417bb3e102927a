"""Import: upload a file, read the batch report, undo a batch, and review possible duplicates side by side."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path as FilePath
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Path, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from dunbar import merge
from dunbar.errors import InvalidInput, NotFound
from dunbar.importers import formats, pipeline
from dunbar.store.db import Db
from dunbar.web import uploads
from dunbar.web.api.imports import upload_name
from dunbar.web.deps import Clock, get_clock, get_db
from dunbar.web.pages import import_jobs
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
        "job": None,
        "message": "",
        **extra,
    }


@router.get("/import", response_class=HTMLResponse)
def import_page(request: Request, db: DbDep) -> HTMLResponse:
    return render(request, "import.html", _page(db))


def upload(
    request: Request,
    db: DbDep,
    clock: ClockDep,
    file: Annotated[UploadFile | None, File()] = None,
    format: Annotated[str, Form()] = "",
) -> Response:
    """Import an uploaded file. From the page's script (htmx) the import runs on while the answer shows its
    progress; a plain form post waits for the import and answers with the page and its report."""
    if file is None or not file.filename:
        raise InvalidInput("choose a file to import first", hint="a LinkedIn export (.zip), contacts CSV, vCard…")
    # The importers read paths (a LinkedIn export is a zip opened by name): the upload goes to a private
    # temporary folder under its own name, gone when the import is.
    folder = FilePath(tempfile.mkdtemp(prefix="dunbar-upload-"))
    handed_over = False
    try:
        path = folder / upload_name(file.filename)
        with path.open("wb") as out:
            shutil.copyfileobj(file.file, out)
        if is_htmx(request):
            job = import_jobs.start(
                request, db, path=path, folder=folder, filename=file.filename, fmt=format or None,
                now=clock.now, today=clock.today,
            )  # fmt: skip
            handed_over = True  # the job removes the folder when it ends
            return render(request, "import_progress.html", {"job": job})
        result = formats.run_import(db, path, now=clock.now, today=clock.today, fmt=format or None)
    finally:
        if not handed_over:
            shutil.rmtree(folder, ignore_errors=True)
    return render(request, "import.html", _page(db, report=import_jobs.report_of(result, file.filename)))


# The upload's size is checked before its body is read, so the route has a class of its own.
router.add_api_route(
    "/import", upload, methods=["POST"], response_class=HTMLResponse, route_class_override=uploads.limited()
)


@router.get("/import/jobs/{job_id}", response_class=HTMLResponse)
def import_job(request: Request, job_id: Annotated[str, Path(max_length=64)], db: DbDep) -> HTMLResponse:
    """How far an import got: its progress while it runs (polled by the page), then its report or its problem."""
    job = import_jobs.find(request, db, job_id)
    if job is None:
        raise NotFound("no such import running", hint="it may have finished an hour ago; see the past imports")
    if not is_htmx(request):
        return render(request, "import.html", _page(db, job=job, report=job.report))
    if job.state == "running":
        return render(request, "import_progress.html", {"job": job})
    return render(request, "import_done.html", _page(db, job=job, report=job.report))


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

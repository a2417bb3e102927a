"""Imports that run while the page shows how far they got: one thread per uploaded file, reporting the records
read so far through the pipeline's progress callback, and then the batch report (or the problem).

A job is known by an unguessable id, kept on the app (``app.state``) for an hour after it ends, and shown only to
requests on the same database (on the team server, the same user's schema) as the one that started it.
"""

from __future__ import annotations

import secrets
import shutil
import threading
import time
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from fastapi import Request

from dunbar.errors import DunbarError
from dunbar.store.db import Db
from dunbar.web.deps import WebConfig, config

KEEP_SECONDS = 3600.0
MAX_JOBS = 50


@dataclass
class ImportJob:
    id: str
    filename: str
    owner: tuple[str, str | None]  # the database (and schema) it imports into
    started: float = field(default_factory=time.monotonic)
    records: int = 0  # read so far
    state: str = "running"  # running, done, failed
    report: dict[str, Any] | None = None
    problem: dict[str, Any] | None = None  # {detail, hint} of a failure
    ended: float | None = None

    @property
    def seconds(self) -> float:
        return (self.ended or time.monotonic()) - self.started

    def advance(self, n: int) -> None:
        self.records += n


def _owner(cfg: WebConfig, db: Db) -> tuple[str, str | None]:
    return (str(getattr(db, "url", cfg.url)), getattr(db, "schema", None))


def _jobs(request: Request) -> dict[str, ImportJob]:
    cfg = config(request)
    with cfg.cache_lock:
        jobs = getattr(request.app.state, "import_jobs", None)
        if jobs is None:
            jobs = request.app.state.import_jobs = {}
        assert isinstance(jobs, dict)
        return jobs


def _forget_old(jobs: dict[str, ImportJob]) -> None:
    now = time.monotonic()
    for key, job in list(jobs.items()):
        if job.ended is not None and now - job.ended > KEEP_SECONDS:
            jobs.pop(key, None)
    ended = sorted((j for j in jobs.values() if j.ended is not None), key=lambda j: j.ended or 0.0)
    while len(jobs) > MAX_JOBS and ended:
        jobs.pop(ended.pop(0).id, None)


def start(
    request: Request, db: Db, *, path: Path, folder: Path, filename: str, fmt: str | None, now: datetime, today: date
) -> ImportJob:
    """Import ``path`` in a thread of its own, with a database handle of its own; ``folder`` goes when it ends."""
    cfg = config(request)
    job = ImportJob(id=secrets.token_urlsafe(16), filename=filename, owner=_owner(cfg, db))
    jobs = _jobs(request)
    _forget_old(jobs)
    jobs[job.id] = job
    schema = job.owner[1]
    thread = threading.Thread(
        target=_run,
        args=(cfg, schema, job, path, folder, fmt, now, today),
        name=f"dunbar-import-{job.id[:6]}",
        daemon=True,
    )
    thread.start()
    return job


def _run(
    cfg: WebConfig,
    schema: str | None,
    job: ImportJob,
    path: Path,
    folder: Path,
    fmt: str | None,
    now: datetime,
    today: date,
) -> None:
    import logging

    from dunbar.importers import formats

    try:
        opener: Any = cfg.open  # on the team server it takes the user's schema
        handle = opener(schema) if schema is not None else opener()
        try:
            result = formats.run_import(handle, path, now=now, today=today, fmt=fmt, progress=job.advance)
        finally:
            cfg.done(handle)
        job.report = report_of(result, job.filename)
        job.state = "done"
    except DunbarError as exc:
        # A problem names the file as the user knows it, not the private temporary copy.
        job.problem = {"detail": exc.message.replace(str(path), job.filename), "hint": exc.hint}
        job.state = "failed"
    except Exception:
        logging.getLogger("dunbar.web").exception("unexpected error importing %s", job.filename)
        job.problem = {
            "detail": "dunbar met an unexpected problem and did not finish this import",
            "hint": "your data is safe (an import is all or nothing); report it with the server's log",
        }
        job.state = "failed"
    finally:
        job.ended = time.monotonic()
        shutil.rmtree(folder, ignore_errors=True)


def report_of(result: Any, filename: str) -> dict[str, Any]:
    """The report a page shows for ``formats.run_import``'s answer, under the name the file was uploaded as."""
    if isinstance(result, dict):
        return {"restored": result, "format": "dunbar-json", "path": filename}
    report: dict[str, Any] = result.as_dict()
    report["path"] = filename  # not the temporary path
    return report


def find(request: Request, db: Db, job_id: str) -> ImportJob | None:
    """The job with this id, if it imports into the request's database."""
    job = _jobs(request).get(job_id)
    if job is None or job.owner != _owner(config(request), db):
        return None
    return job

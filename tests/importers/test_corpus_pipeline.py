"""Every real-world file of ../shared/corpora through the whole import (detect, parse, resolve, write), per file.

Each file or mailbox either imports with sensible counts (read = created + merged + unchanged + rejected, and
every record the parser yields is counted) or is refused with a clear ``ImportProblem`` naming the file, never
another exception; importing it a second time changes nothing. Mailboxes are imported whole (a Maildir is one
import, as a user would point at it); loose message files, vCards, calendars and CSVs one by one. The LinkedIn
samples go in as export folders and as the .zip LinkedIn sends.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from dunbar.errors import ImportProblem
from dunbar.importers.formats import detect, parse_context, records, run_import
from dunbar.importers.records import Digested, InteractionRecord, PersonRecord, Rejected
from dunbar.people import set_me
from dunbar.store.db import Db
from tests.conftest import CORPORA, SAMPLES

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
TODAY = NOW.date()
LINKEDIN = SAMPLES / "linkedin"


def _mail_units(folder: Path) -> Iterator[Path]:
    """A Maildir as a whole (with its subfolders); any other file on its own."""
    if (folder / "cur").is_dir() or (folder / "new").is_dir():
        yield folder
        return
    for entry in sorted(folder.iterdir()):
        if entry.is_dir():
            yield from _mail_units(entry)
        elif entry.is_file():
            yield entry


def _units() -> list[Any]:
    if not CORPORA.is_dir():
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"no corpora folder at {CORPORA}"), id="absent")]
    units: list[Path] = []
    for kind in ("vcard", "ics", "csv"):
        units += sorted(p for p in (CORPORA / kind).rglob("*") if p.is_file())
    if (CORPORA / "mail").is_dir():
        units += list(_mail_units(CORPORA / "mail"))
    return [pytest.param(p, id=str(p.relative_to(CORPORA))) for p in units]


@pytest.fixture
def me_db(sqlite_db: Db) -> Db:
    set_me(sqlite_db, name="Jordan Avery", emails=["jordan@example.org"], now=NOW)
    return sqlite_db


def _import(db: Db, path: Path) -> Any:
    """The report, or the ``ImportProblem`` that refused the file (any other exception fails the test)."""
    try:
        return run_import(db, path, now=NOW, today=TODAY)
    except ImportProblem as exc:
        return exc


def _parsed(db: Db, path: Path) -> int:
    """How many records the parser yields for ``path`` (people, interactions and rejects; not warnings)."""
    ctx = parse_context(db, today=TODAY)
    return sum(
        len(r.rows) if isinstance(r, Digested) else 1
        for r in records(path, detect(path), ctx)
        if isinstance(r, PersonRecord | InteractionRecord | Rejected | Digested)
    )


def _person_cards_with_email(path: Path) -> int:
    """Cards of people (not organizations or groups) with an EMAIL line, told apart without our parser."""
    text = path.read_bytes().decode("utf-8", "replace").replace("\r\n", "\n").replace("\n ", "").upper()
    count = 0
    for card in text.split("BEGIN:VCARD")[1:]:
        props: dict[str, str] = {}
        for line in card.split("\n"):
            name, _, value = line.partition(":")
            props.setdefault(name.split(";")[0].split(".")[-1], value)
        is_org = props.get("KIND", "").strip() in ("ORG", "GROUP") or (
            props.get("FN", "").strip() == props.get("ORG", "").split(";")[0].strip()
        )
        count += "EMAIL" in props and not is_org
    return count


def _check_clear_problem(problem: ImportProblem, path: Path) -> None:
    message = str(problem)
    assert message.strip(), "an ImportProblem without a message"
    assert "Traceback" not in message
    assert str(path) in message or path.name in message, f"the message does not name the file: {message}"


def _check_counts(report: Any) -> None:
    assert report.read == report.created + report.merged + report.unchanged + report.rejected
    assert min(report.read, report.created, report.merged, report.unchanged, report.rejected) >= 0
    assert report.rejected == len(report.rejects)
    for r in report.rejects:
        assert r["reason"], f"a reject without a reason: {r}"
    assert report.batch_id is not None or not report.changed


@pytest.mark.parametrize("path", _units())
def test_corpus_file_imports_or_is_refused_clearly(me_db: Db, path: Path) -> None:
    first = _import(me_db, path)
    if isinstance(first, ImportProblem):
        _check_clear_problem(first, path)
        again = _import(me_db, path)
        assert isinstance(again, ImportProblem)
        assert str(again) == str(first)
        return

    _check_counts(first)
    assert first.read == _parsed(me_db, path), "the report does not count every record the parser gave"
    relative = path.relative_to(CORPORA)
    assert relative.parts[0] != "mail" or first.format == "mail", f"a mail file detected as {first.format}"
    if relative.parts[0] == "vcard" and _person_cards_with_email(path):
        assert first.read > 0, "a vCard of a person with an e-mail address gave no record"

    second = _import(me_db, path)
    assert not isinstance(second, ImportProblem), f"the second import failed: {second}"
    _check_counts(second)
    assert second.read == first.read
    assert (second.created, second.merged) == (0, 0), "importing the same file again changed something"
    assert second.batch_id is None
    assert second.already_imported == first.batch_id or not first.changed


def _linkedin_units() -> list[Any]:
    if not LINKEDIN.is_dir():
        return [pytest.param(None, None, marks=pytest.mark.skip(reason=f"no samples at {LINKEDIN}"), id="absent")]
    folders = sorted(p for p in LINKEDIN.iterdir() if p.is_dir())
    return [
        pytest.param(f, as_zip, id=f"{f.name}-{'zip' if as_zip else 'folder'}")
        for f in folders
        for as_zip in (False, True)
    ]


@pytest.mark.parametrize(("folder", "as_zip"), _linkedin_units())
def test_linkedin_sample_export(me_db: Db, folder: Path, as_zip: bool, tmp_path: Path) -> None:
    path = folder
    if as_zip:
        # Shaped like LinkedIn's own archive: the CSVs at the top of the zip.
        path = tmp_path / f"Basic_LinkedInDataExport_{folder.name}.zip"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
            for f in sorted(folder.iterdir()):
                zf.write(f, f.name)
    first = _import(me_db, path)
    assert not isinstance(first, ImportProblem), str(first)
    assert first.format == "linkedin"
    _check_counts(first)
    connections = sum(1 for _ in (folder / "Connections.csv").open(encoding="utf-8-sig")) - 1
    assert first.people_created > 0
    assert first.read >= connections // 2, "far fewer records than connections"
    assert first.interactions_created > 0, "messages.csv gave no interaction"

    second = _import(me_db, path)
    assert not isinstance(second, ImportProblem), str(second)
    assert (second.read, second.created, second.merged) == (first.read, 0, 0)
    assert second.unchanged + second.rejected == second.read


def test_the_corpus_is_there_or_skipped() -> None:
    if not CORPORA.is_dir():
        pytest.skip(f"no corpora folder at {CORPORA}")
    assert {"vcard", "ics", "csv", "mail"} <= {p.name for p in CORPORA.iterdir()}
    assert len(_units()) > 500


def test_units_keep_maildirs_whole() -> None:
    if not (CORPORA / "mail").is_dir():
        pytest.skip(f"no mail corpus at {CORPORA / 'mail'}")
    units = list(_mail_units(CORPORA / "mail"))
    maildir = CORPORA / "mail" / "spamassassin-public-corpus" / "easy_ham_maildir"
    assert maildir in units
    assert not any(maildir in u.parents for u in units)

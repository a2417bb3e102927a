"""Maildir messages reach the pipeline as digests (rows made in worker processes, planned without a record each).
They must land exactly as the records they stand for: the same people, interactions, roles, warnings, rejects,
search documents and strength totals, on both backends."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dunbar import people, stats
from dunbar.errors import ImportProblem
from dunbar.importers import mail
from dunbar.importers.formats import parse_context, run_import
from dunbar.importers.pipeline import Report, apply_records
from dunbar.importers.records import Digested, InteractionRecord, ParticipantRef
from dunbar.scoring.stats import decay_term, decay_term_micros
from dunbar.store import open_db
from dunbar.store.db import Db, to_datetime, to_micros
from tests.conftest import pg_copy
from tests.importers.test_mail import _gen

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)
TODAY = date(2026, 11, 25)


def _maildir(root: Path) -> Path:
    box: Path = _gen().generate_maildir(root, n=400, seed=11)  # type: ignore[attr-defined]
    cur = box / "cur"
    odd = {
        # a bad date: a warning, and the delivery time instead
        "1600000000.bad-date.host:2,S": b"From: Ana Lima <ana@example.org>\nTo: me@example.org\nDate: never\n"
        b"Message-ID: <bad-date@x>\n\nx\n",
        # no From: rejected
        "1600000001.no-from.host:2,S": b"Subject: lost\nDate: Thu, 1 Oct 2020 10:00:00 +0000\n\n",
        # an mbox inside cur/: read whole in the importing process, between two digests
        "1600000002.mbox.host:2,S": b"From ana@example.org Thu Oct  1 10:00:00 2020\nFrom: Ana <ana@example.org>\n"
        b"To: me@example.org\nDate: Thu, 1 Oct 2020 10:00:00 -0330\nMessage-ID: <in-mbox@x>\n\nbody\n",
        # only me: rejected by the pipeline
        "1600000003.only-me.host:2,S": b"From: Me <me@example.org>\nTo: ME@Example.org\n"
        b"Date: Thu, 1 Oct 2020 11:00:00 +0000\nMessage-ID: <only-me@x>\n\n",
        # an address the normalizer refuses (no dot in the domain): the person is known by name only
        "1600000004.local.host:2,S": b"From: Root Admin <root@localhost>\nTo: me@example.org\n"
        b"Date: Thu, 1 Oct 2020 12:00:00 +0000\nMessage-ID: <local@x>\nSubject: disk   full\n\n",
        # from me to a new person, in a thread
        "1600000005.sent.host:2,S": b'From: me@example.org\nTo: "Zoe Quinn" <Zoe.Quinn@Example.org>\n'
        b"Cc: ana@example.org\nDate: Fri, 2 Oct 2020 09:00:00 +0200\nMessage-ID: <sent@x>\n"
        b"In-Reply-To: <bad-date@x>\nSubject: Re: =?utf-8?q?caf=C3=A9?= plans\n\n",
        # an empty file: rejected
        "1600000006.empty.host:2,S": b"",
    }
    for name, data in odd.items():
        (cur / name).write_bytes(data)
    return box


def _snapshot(db: Db) -> dict[str, Any]:
    def rows(sql: str) -> list[tuple[Any, ...]]:
        return [
            tuple(to_datetime(v) if isinstance(v, datetime | str) and _is_time(v) else v for v in r)
            for r in db.rows(sql)
        ]

    return {
        "person": rows("SELECT display_name, name_fold, given_name, family_name FROM person ORDER BY id"),
        "identifier": rows(
            "SELECT p.display_name, i.kind, i.value, i.norm, i.is_primary FROM identifier i "
            "JOIN person p ON p.id = i.person_id ORDER BY i.id"
        ),
        "interaction": rows(
            "SELECT occurred_at, kind, initiator, summary, weight, external_id, thread FROM interaction ORDER BY id"
        ),
        "participant": rows(
            "SELECT i.external_id, p.display_name, pa.role FROM participant pa "
            "JOIN interaction i ON i.id = pa.interaction_id JOIN person p ON p.id = pa.person_id "
            "ORDER BY i.id, p.id"
        ),
        "stats": rows(
            "SELECT p.display_name, n_total, n_me, n_them, weight_total, decay_sum, kinds_mask, first_at, last_at "
            "FROM person_stats s JOIN person p ON p.id = s.person_id ORDER BY p.id"
        ),
        "docs": rows("SELECT kind, body FROM search_doc ORDER BY kind, body"),
        "last_contact": rows("SELECT display_name, last_contact_at FROM person ORDER BY id"),
    }


def _is_time(value: object) -> bool:
    return isinstance(value, datetime) or (isinstance(value, str) and len(value) == 26 and value[4] == "-")


def _report(r: Report) -> dict[str, Any]:
    out = r.as_dict()
    for key in ("batch_id", "seconds", "path", "already_imported"):
        out.pop(key)
    return out


@contextmanager
def _two_databases(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Db, Db]]:
    if backend == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        urls = []
        for name in ("records.db", "digests.db"):
            shutil.copy(template, tmp_path / name)
            urls.append(f"sqlite:///{tmp_path / name}")
        a, b = open_db(urls[0]), open_db(urls[1])
        try:
            yield a, b
        finally:
            a.close()
            b.close()
        return
    pg = request.getfixturevalue("pg_template")
    if pg is None:
        pytest.skip("no PostgreSQL reachable")
    with pg_copy(*pg) as url_a, pg_copy(*pg) as url_b:
        a, b = open_db(url_a), open_db(url_b)
        try:
            yield a, b
        finally:
            a.close()
            b.close()


@pytest.fixture
def reading_processes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Worker processes and small chunks even for a small mailbox: digests split around files read here, bulk
    rows set apart."""
    monkeypatch.setattr(mail, "PARALLEL_FROM", 40)
    monkeypatch.setattr(mail, "CHUNK_NAMES", 7)
    monkeypatch.setattr(mail, "WORKERS", 2)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_digests_land_exactly_as_the_records_they_stand_for(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path, reading_processes: None
) -> None:
    box = _maildir(tmp_path / "Maildir")
    with _two_databases(backend, request, tmp_path) as (by_records, by_digests):
        for db in (by_records, by_digests):
            people.set_me(db, name="Robin Me", emails=["me@example.org"], now=NOW)
        ctx = parse_context(by_records, today=TODAY)
        digests = list(mail.parse_digested(box, ctx))
        assert any(isinstance(d, Digested) for d in digests)
        assert any(isinstance(d, InteractionRecord) for d in digests)  # the mbox in cur/
        a = apply_records(by_records, mail.parse(box, ctx), fmt="mail", path=box, now=NOW)
        b = run_import(by_digests, box, now=NOW, today=TODAY)
        assert _report(a) == _report(b)
        assert (b.read, b.rejected, len(b.warnings)) == (407, 3, 1)
        assert b.interactions_created > 300
        assert b.ignored_bulk > 0
        assert _snapshot(by_records) == _snapshot(by_digests)
        if backend == "sqlite":
            # The batch skips SQLite's per-row reference checks: every reference it made holds, and checks are
            # back on for the next writer.
            assert by_digests.rows("PRAGMA foreign_key_check") == []
            assert by_digests.scalar("PRAGMA foreign_keys") == 1
        sent = by_digests.one("SELECT initiator, summary FROM interaction WHERE external_id = 'sent@x'")
        assert sent == {"initiator": "me", "summary": "Re: café plans"}
        # The totals summed from microseconds are the ones rebuilt from the stored times, to the last bit.
        kept = _snapshot(by_digests)["stats"]
        stats.recompute(by_digests)
        assert _snapshot(by_digests)["stats"] == kept


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_an_mbox_read_by_workers_lands_as_its_records_do(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path, reading_processes: None
) -> None:
    mbox = _gen().generate_mbox(tmp_path / "all.mbox", n=300, seed=4)  # type: ignore[attr-defined]
    with mbox.open("ab") as fh:  # a bad date (the "From " line's time instead) and a message without From
        fh.write(b"\nFrom ana@example.org Thu Oct  1 10:00:00 2020\nFrom: Ana <ana@example.org>\nTo: me@example.org\n")
        fh.write(b"Date: never\nMessage-ID: <late@x>\n\nbody\n")
        fh.write(b"\nFrom nobody Thu Oct  1 11:00:00 2020\nSubject: lost\n\n")
    with _two_databases(backend, request, tmp_path) as (by_records, by_digests):
        for db in (by_records, by_digests):
            people.set_me(db, name="Robin Me", emails=["me@example.org"], now=NOW)
        me = frozenset({"me@example.org"})
        a = apply_records(by_records, mail.parse_mbox(mbox, me), fmt="mail", path=mbox, now=NOW)
        b = run_import(by_digests, mbox, now=NOW, today=TODAY)
        assert _report(a) == _report(b)
        assert (b.read, b.rejected, len(b.warnings)) == (302, 1, 1)
        assert b.warnings[0]["message"].startswith("all.mbox: message 301 (line ")
        assert _snapshot(by_records) == _snapshot(by_digests)


@given(
    st.datetimes(
        min_value=datetime(1950, 1, 1), max_value=datetime(2079, 12, 31), timezones=st.sampled_from([UTC, None])
    ),
    st.sampled_from([1.0, 0.1, 0.3]),
    st.floats(min_value=30.0, max_value=3650.0),
)
def test_decay_terms_from_microseconds_agree_to_the_last_bit(at: datetime, weight: float, half_life: float) -> None:
    at = at.replace(tzinfo=UTC) if at.tzinfo is None else at
    assert decay_term_micros(to_micros(at), weight, half_life) == decay_term(at, weight, half_life)


def test_a_failed_import_leaves_reference_checks_on(sqlite_db: Db) -> None:
    def stream() -> Iterator[InteractionRecord]:
        yield InteractionRecord(NOW, "email", 1, "hello", "m1@x", sender=ParticipantRef("Ana", "ana@example.org"))
        raise ImportProblem("the disk went away", path="inbox.mbox")

    with pytest.raises(ImportProblem):
        apply_records(sqlite_db, stream(), fmt="mail", path=Path("inbox.mbox"), now=NOW)
    assert sqlite_db.scalar("PRAGMA foreign_keys") == 1
    assert sqlite_db.scalar("SELECT count(*) FROM interaction") == 0


def test_reading_processes_follow_the_cores() -> None:
    assert [mail._workers(n) for n in (1, 2, 3, 4, 8, 16, 64)] == [0, 2, 2, 3, 7, 8, 8]


def test_a_folder_s_fingerprint_is_the_sum_it_always_was(tmp_path: Path) -> None:
    import hashlib
    import os
    import zlib

    from dunbar.importers.pipeline import fingerprint

    box = _maildir(tmp_path / "Maildir")
    (box / ".Sent" / "cur").mkdir(parents=True, exist_ok=True)
    (box / ".Sent" / "cur" / "1600000009.s.host:2,S").write_bytes(b"From: me@example.org\n\n")
    total = count = 0
    for root, _dirs, files in os.walk(box):
        rel = os.path.relpath(root, box).encode()
        for name in files:
            entry = rel + b"/" + name.encode()
            total = (total + ((zlib.crc32(entry) << 32) | zlib.adler32(entry))) % (1 << 64)
            count += 1
    # Batches keep their fingerprints: however it is computed, a folder must give the same value.
    assert fingerprint(box) == hashlib.sha1(f"{count}:{total}".encode(), usedforsecurity=False).hexdigest()

"""The iCalendar parser: meetings from our fixture, the real-world corpus, and fuzzing."""

from __future__ import annotations

import os
import random
import re
import sys
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dunbar.errors import ImportProblem
from dunbar.importers import ics
from dunbar.importers.records import InteractionRecord, ParseContext, ParticipantRef, Rejected, Warning
from tests.conftest import CORPORA, ROOT

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ics"
CORPUS = CORPORA / "ics"
ME = frozenset({"me@example.com"})
CTX = ParseContext(today=date(2024, 1, 31), me_emails=ME)

needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"real-world iCalendar corpus not found at {CORPUS}")


@pytest.fixture
def berlin() -> Iterator[None]:
    """Run in Europe/Berlin so floating times and all-day dates have a zone other than UTC."""
    old = os.environ.get("TZ")
    os.environ["TZ"] = "Europe/Berlin"
    time.tzset()
    yield
    if old is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = old
    time.tzset()


def meetings(path: Path, ctx: ParseContext = CTX) -> list[InteractionRecord]:
    return [r for r in ics.parse(path, ctx) if isinstance(r, InteractionRecord)]


def test_fixture_meetings(berlin: None) -> None:
    records = list(ics.parse(FIXTURES / "meetings.ics", CTX))
    found = [r for r in records if isinstance(r, InteractionRecord)]
    ids = [r.external_id for r in found]
    # weekly series: 9 Jan excluded (EXDATE), 16 Jan moved to 15:00, 23 Jan cancelled, up to today (31 Jan)
    assert ids == [
        "weekly-1@example.com/20240102T150000Z",
        "weekly-1@example.com/20240116T200000Z",
        "weekly-1@example.com/20240130T150000Z",
        "allday@example.com/20240105",
        "floating@example.com/20240106T090000",
    ]
    first, moved, _, allday, floating = found
    assert all(r.kind == "meeting" and r.occurred_at.tzinfo is not None for r in found)
    assert first.occurred_at == datetime(2024, 1, 2, 10, 0, tzinfo=ZoneInfo("America/New_York"))
    assert first.summary == "Weekly sync"
    assert first.line == 22
    assert first.sender == ParticipantRef(name="Ana Meyer", email="ana@example.com", role="organizer")
    # the organizer is not repeated, the declined attendee and the room are left out
    assert [p.email for p in first.participants] == ["bo@example.com", "me@example.com"]
    assert first.attendee_count == 3
    assert moved.summary == "Weekly sync (moved)"
    assert moved.line == 46  # the override's own line
    assert moved.occurred_at.astimezone(UTC) == datetime(2024, 1, 16, 20, 0, tzinfo=UTC)
    # all-day: local midnight; floating: the local zone
    assert allday.occurred_at == datetime(2024, 1, 5, tzinfo=ZoneInfo("Europe/Berlin"))
    assert allday.participants == [ParticipantRef(name="Dana, Costa", email="Dana@Example.com", role="attendee")]
    assert floating.occurred_at.astimezone(UTC) == datetime(2024, 1, 6, 8, 0, tzinfo=UTC)
    [warning] = [r for r in records if isinstance(r, Warning)]
    assert "1 no attendees" in warning.message
    assert "2 cancelled" in warning.message
    assert "1 nobody else" in warning.message  # "Focus time": only me


def test_expansion_stops_at_today() -> None:
    later = ParseContext(today=date(2024, 2, 14), me_emails=ME)
    weekly = [r for r in meetings(FIXTURES / "meetings.ics", later) if r.external_id.startswith("weekly-1")]
    assert len(weekly) == 5  # 2, 16, 30 Jan, 6 and 13 Feb
    assert weekly[-1].occurred_at.date() == date(2024, 2, 13)


def test_large_meetings_are_still_yielded(tmp_path: Path) -> None:
    attendees = "\n".join(f"ATTENDEE;CN=P{i}:mailto:p{i}@example.com" for i in range(40))
    path = tmp_path / "big.ics"
    path.write_text(
        f"BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:big\nDTSTART:20240110T100000Z\nSUMMARY:All hands\n{attendees}\n"
        "END:VEVENT\nEND:VCALENDAR\n"
    )
    [big] = meetings(path)
    assert big.attendee_count == 40
    assert big.attendee_count > CTX.large_meeting


def test_not_a_calendar(tmp_path: Path) -> None:
    path = tmp_path / "x.ics"
    path.write_text("hello\n")
    with pytest.raises(ImportProblem, match="not an iCalendar file"):
        list(ics.parse(path, CTX))
    path.write_text("BEGIN:VTODO\nSUMMARY:x\nEND:VTODO\n")
    with pytest.raises(ImportProblem, match="only VTODO"):
        list(ics.parse(path, CTX))
    assert ics.sniff(path, b"BEGIN:VCALENDAR\r\n") == 1.0
    assert ics.sniff(path, b"\xff\xfe" + "BEGIN:VCALENDAR\r\n".encode("utf-16-le")) == 1.0
    assert ics.sniff(tmp_path / "x.txt", b"hello") == 0.0
    assert ics.sniff(path, "BEGIN:VCALENDAR\r\n".encode("utf-16-be")) == 1.0  # no byte-order mark


def test_benchmark_calendar_generator() -> None:
    sys.path.insert(0, str(ROOT))
    from benchmarks.gen_calendar import generate_calendar

    text = generate_calendar(300, seed=1)
    assert text.count("BEGIN:VEVENT") == 300
    records = list(ics.parse_text(text, ParseContext(today=date(2026, 1, 1), me_emails=ME)))
    found = [r for r in records if isinstance(r, InteractionRecord)]
    assert found
    assert all(p.email != "me@example.com" or p.role == "attendee" for r in found for p in r.participants)
    assert not any("resource.calendar.google.com" in (p.email or "") for r in found for p in r.participants)


# -- the real-world corpus ----------------------------------------------------------------------------------


def _corpus_files() -> list[Path]:
    return sorted(p for p in CORPUS.rglob("*") if p.is_file()) if CORPUS.is_dir() else []


@needs_corpus
def test_every_corpus_file_yields_records_or_a_clear_problem() -> None:
    files = _corpus_files()
    assert len(files) > 400
    total = 0
    problems = 0
    ctx = ParseContext(today=date(2026, 6, 1), me_emails=ME)
    for path in files:
        try:
            records = list(ics.parse(path, ctx))
        except ImportProblem as exc:
            problems += 1
            message = str(exc)
            assert str(path) in message
            assert "not an iCalendar file" in message or "no events" in message
            continue
        for r in records:
            assert isinstance(r, InteractionRecord | Rejected | Warning), path
            if isinstance(r, InteractionRecord):
                total += 1
                assert r.occurred_at.tzinfo is not None, path
                assert r.occurred_at.date() <= date(2026, 6, 2), path
                assert r.participants, path
                assert r.external_id, path
                assert r.attendee_count is not None, path
                assert r.attendee_count >= len(r.participants), path
            if isinstance(r, Rejected):
                assert r.reason, path
    assert total > 500
    assert problems < 40


@needs_corpus
def test_corpus_declined_attendee_left_out(tmp_path: Path) -> None:
    """The corpus has attendees but no one declined: decline the first one of a real invitation."""
    ctx = ParseContext(today=date(2026, 6, 1))
    checked = 0
    for f in _corpus_files():
        text = f.read_text(errors="replace")
        if text.count("ATTENDEE") < 2 or "RRULE" in text:
            continue
        try:
            before = meetings(f, ctx)
        except ImportProblem:
            continue
        if len(before) != 1 or len(before[0].participants) < 2:
            continue
        lines = text.replace("\r\n ", "").replace("\n ", "").splitlines()
        i = next(i for i, line in enumerate(lines) if line.startswith("ATTENDEE"))
        parts = re.split(r":mailto:", lines[i], maxsplit=1, flags=re.I)
        if len(parts) != 2:
            continue
        head, address = parts
        head = ";".join(p for p in head.split(";") if not p.upper().startswith("PARTSTAT="))
        lines[i] = f"{head};PARTSTAT=DECLINED:mailto:{address}"
        mutated = tmp_path / f.name
        mutated.write_text("\n".join(lines) + "\n")
        [after] = meetings(mutated, ctx)
        emails = [(p.email or "").lower() for p in after.participants]
        assert address.lower() not in emails, f
        assert len(after.participants) == len(before[0].participants) - 1 or address.lower() == (
            (after.sender.email or "").lower() if after.sender else ""
        ), f
        checked += 1
    assert checked >= 1


@needs_corpus
def test_corpus_tzid_and_recurrence_with_exceptions() -> None:
    path = CORPUS / "biweekly" / "outlook-2010.ics"
    found = meetings(path, ParseContext(today=date(2026, 1, 1)))
    for r in found:
        assert r.occurred_at.tzinfo is not None
    ids = [r.external_id for r in found]
    assert len(ids) == len(set(ids))  # every occurrence has its own stable id


@needs_corpus
def test_corpus_google_export_without_attendees_yields_only_a_warning() -> None:
    files = [
        p for p in _corpus_files() if b"Google Calendar" in p.read_bytes()[:400] and b"ATTENDEE" not in p.read_bytes()
    ]
    assert files
    for f in files[:10]:
        try:
            records = list(ics.parse(f, CTX))
        except ImportProblem:
            continue
        assert all(isinstance(r, Warning) for r in records), f


# -- fuzzing ------------------------------------------------------------------------------------------------


def _only_records(path: Path) -> None:
    try:
        for r in ics.parse(path, CTX):
            assert isinstance(r, InteractionRecord | Rejected | Warning)
    except ImportProblem:
        pass


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=2000))
def test_fuzz_random_bytes(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "fuzz.ics"
    path.write_bytes(data)
    _only_records(path)


def _corpus_sample() -> list[Path]:
    files = [p for p in _corpus_files() if b"ATTENDEE" in p.read_bytes() and p.stat().st_size < 20_000]
    return random.Random(5).sample(files, min(20, len(files)))


@needs_corpus
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_fuzz_mutated_corpus_files(tmp_path: Path, data: st.DataObject) -> None:
    source = data.draw(st.sampled_from(_corpus_sample()))
    raw = bytearray(source.read_bytes())
    if data.draw(st.booleans()):
        raw = raw[: data.draw(st.integers(0, len(raw)))]
    for _ in range(data.draw(st.integers(0, 8))):
        if raw:
            raw[data.draw(st.integers(0, len(raw) - 1))] = data.draw(st.integers(0, 255))
    path = tmp_path / "mutated.ics"
    path.write_bytes(bytes(raw))
    _only_records(path)

"""The iCalendar reminder feed: valid per RFC 5545 (parsed with the icalendar library, and CRLF and folding
checked by hand), yearly birthdays, follow-ups with a reminder, today's agenda, UIDs stable across exports."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import icalendar

from dunbar import followups, interactions, people
from dunbar.exporters.ics import escape, fold, write_ics
from dunbar.people import PersonChanges
from dunbar.store import Db, open_db
from tests.conftest import Cli

TODAY = date(2026, 11, 25)
NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)
LONG = "bring the Zürich notes; ask about Łódź, the Café Größe, and 日本語 plans, " * 3


def _network(db: Db) -> dict[str, int]:
    ana = people.add_person(db, PersonChanges(name="Ana Lima", birthday="1990-11-27", circle="close"), now=NOW)
    interactions.log_interaction(
        db, summary="Coffee", people=[ana], occurred_at=NOW - timedelta(days=60), now=NOW, kind="meeting"
    )
    bo = people.add_person(db, PersonChanges(name="Bo, Chen; Jr.", birthday="02-29"), now=NOW)
    with db.transaction():
        db.execute(
            "INSERT INTO important_date (person_id, kind, label, year, month, day) "
            "VALUES (:p, 'anniversary', 'wedding anniversary', 2015, 6, 12)",
            {"p": ana},
        )
    fid = followups.add(db, ana, LONG, TODAY + timedelta(days=3), now=NOW)
    late = followups.add(db, bo, "call back\nabout the offer", TODAY - timedelta(days=1), now=NOW)
    followups.add(db, bo, "far away", TODAY + timedelta(days=200), now=NOW)
    done = followups.add(db, bo, "kept", TODAY, now=NOW)
    followups.done(db, done, now=NOW)
    return {"ana": ana, "bo": bo, "fid": fid, "late": late}


def _export(db: Db) -> str:
    out = io.StringIO(newline="")
    write_ics(db, out, today=TODAY, now=NOW)
    return out.getvalue()


def test_feed_parses_and_holds_every_reminder(db: Db) -> None:
    ids = _network(db)
    text = _export(db)
    cal = icalendar.Calendar.from_ical(text)
    assert cal["VERSION"] == "2.0"
    assert "dunbar" in str(cal["PRODID"])
    events = cal.walk("VEVENT")
    by_summary = {str(e["SUMMARY"]): e for e in events}
    promise = by_summary[f"Ana Lima: {' '.join(LONG.split())}"]  # folded and unfolded back whole
    assert promise.decoded("DTSTART") == TODAY + timedelta(days=3)
    assert promise.decoded("DTEND") == TODAY + timedelta(days=4)
    alarm = promise.walk("VALARM")[0]
    assert alarm["ACTION"] == "DISPLAY"
    assert alarm.decoded("TRIGGER") == timedelta(hours=9)
    assert str(by_summary["Bo, Chen; Jr.: call back about the offer"]["SUMMARY"]) == (
        "Bo, Chen; Jr.: call back about the offer"
    )  # the overdue one, its comma and semicolon escaped and read back
    assert "far away" not in text  # beyond the 90 days
    assert "kept" not in text
    birthday = by_summary["Ana Lima's birthday"]
    assert birthday.decoded("DTSTART") == date(1990, 11, 27)
    yearly: Any = birthday["RRULE"]
    assert yearly["FREQ"] == ["YEARLY"]
    leap = by_summary["Bo, Chen; Jr.'s birthday"]
    assert leap.decoded("DTSTART") == date(2000, 2, 29)
    last_of_february: Any = leap["RRULE"]
    assert last_of_february["BYMONTHDAY"] == [-1]
    assert "Ana Lima: wedding anniversary" in by_summary
    suggestion = by_summary["Reach out to Ana Lima"]
    assert suggestion.decoded("DTSTART") == TODAY
    assert "overdue by 39 days" in str(suggestion["DESCRIPTION"])
    for e in events:
        assert e.decoded("DTSTAMP") == NOW
        assert str(e["UID"]).endswith("@dunbar.local")
    assert len({str(e["UID"]) for e in events}) == len(events)
    assert str(promise["UID"]) == f"follow-up-{followups.get(db, ids['fid'])['uid']}@dunbar.local"


def test_lines_end_in_crlf_and_fold_at_75_octets(db: Db) -> None:
    _network(db)
    raw = _export(db).encode("utf-8")
    assert raw.endswith(b"END:VCALENDAR\r\n")
    lines = raw.split(b"\r\n")[:-1]
    assert b"\n" not in b"".join(lines)  # no bare line feeds
    assert all(len(line) <= 75 for line in lines)
    assert any(line.startswith(b" ") for line in lines)  # the long follow-up was folded
    for line in lines:
        line.decode("utf-8")  # no UTF-8 sequence is cut at a fold


def test_uids_are_stable_across_exports(db: Db) -> None:
    _network(db)
    uids = [str(e["UID"]) for e in icalendar.Calendar.from_ical(_export(db)).walk("VEVENT")]
    again = [str(e["UID"]) for e in icalendar.Calendar.from_ical(_export(db)).walk("VEVENT")]
    assert uids == again
    assert len(uids) == 7  # 2 follow-ups, 3 dates, 2 suggestions (Bo has a promise due)


def test_escape_and_fold_by_hand() -> None:
    assert escape("a\\b;c,d\ne") == "a\\\\b\\;c\\,d\\ne"
    line = "DESCRIPTION:" + "é" * 80
    folded = fold(line)
    parts = folded.split("\r\n")
    assert all(len(p.encode()) <= 75 for p in parts)
    assert all(p.startswith(" ") for p in parts[1:])
    assert "".join(p[1:] if k else p for k, p in enumerate(parts)) == line
    assert fold("SUMMARY:short") == "SUMMARY:short"


def test_cli_export_ics(cli: Cli, tmp_path: Path) -> None:
    db = open_db(cli.url)
    try:
        _network(db)
    finally:
        db.close()
    target = tmp_path / "reminders.ics"
    out = cli("export", "--ics", str(target)).stdout
    assert out.strip() == f"Exported 2 follow-ups, 3 important dates, 2 suggestions to {target}."
    raw = target.read_bytes()
    assert raw.count(b"\r\n") == raw.count(b"\n")
    assert len(icalendar.Calendar.from_ical(raw).walk("VEVENT")) == 7
    first = raw
    cli("export", "--ics", str(target))
    uids = [str(e["UID"]) for e in icalendar.Calendar.from_ical(target.read_bytes()).walk("VEVENT")]
    assert uids == [str(e["UID"]) for e in icalendar.Calendar.from_ical(first).walk("VEVENT")]

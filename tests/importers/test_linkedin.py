"""LinkedIn export parsing: every sample layout, our own edge-case fixtures, bad input, speed and fuzzing."""

from __future__ import annotations

import random
import time
import zipfile
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dunbar.errors import ImportProblem
from dunbar.importers import linkedin
from dunbar.importers.records import (
    InteractionRecord,
    ParseContext,
    PersonRecord,
    Record,
    Rejected,
    Warning,
)
from tests.conftest import SAMPLES

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "csv"
LINKEDIN = SAMPLES / "linkedin"
ME = "Jordan Avery"
RECORD_TYPES = (PersonRecord, InteractionRecord, Rejected, Warning)

# (folder, messages file, message rows) for the four layouts described in the samples' README.
LAYOUTS = [
    ("export-2018", "Messages.csv", 50),
    ("export-2022", "messages.csv", 62),
    ("export-2024", "messages.csv", 59),
    ("export-2026x", "messages.csv", 57),
]


def _export(name: str) -> Path:
    path = LINKEDIN / name
    if not path.is_dir():
        pytest.skip(f"LinkedIn samples not found at {path}")
    return path


def _kinds(records: list[Record]) -> Counter[str]:
    return Counter(type(r).__name__ for r in records)


# --- the sample exports ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("folder", "messages", "count"), LAYOUTS)
def test_every_sample_export_parses_in_order_with_the_right_counts(folder: str, messages: str, count: int) -> None:
    tagged = list(linkedin.parse_export(_export(folder), ParseContext()))
    names = [name for name, _ in tagged]
    # Connections first, then Invitations, then messages, each block contiguous.
    assert list(dict.fromkeys(names)) == ["Connections.csv", "Invitations.csv", messages]
    by_file = {name: [r for n, r in tagged if n == name] for name in dict.fromkeys(names)}
    assert _kinds(by_file["Connections.csv"]) == {"PersonRecord": 150}
    assert _kinds(by_file["Invitations.csv"]) == {"InteractionRecord": 15}
    assert _kinds(by_file[messages]) == {"InteractionRecord": count}


@pytest.mark.parametrize(("folder", "messages", "count"), LAYOUTS)
def test_connections_fields(folder: str, messages: str, count: int) -> None:
    people = list(linkedin.parse(_export(folder) / "Connections.csv", ParseContext()))
    assert all(isinstance(p, PersonRecord) for p in people)
    persons = [p for p in people if isinstance(p, PersonRecord)]
    assert all(type(p.connected_on) is date for p in persons)
    assert all(p.given_name and p.display_name for p in persons)
    has_url = folder in ("export-2024", "export-2026x")
    assert all(bool(p.links) == has_url for p in persons)
    if has_url:
        assert all(p.links[0][0].startswith("https://www.linkedin.com/in/") and p.ref == p.links[0][0] for p in persons)
    assert any(p.emails for p in persons)
    assert all("@" in e for p in persons for e, _ in p.emails)
    # An organization only ever comes from the Company column.
    assert all(len(p.employments) <= 1 for p in persons)
    assert all(e.organization and e.start is None and e.end is None for p in persons for e in p.employments)


def test_connections_values_per_layout() -> None:
    def person(folder: str, given_name: str, family_name: str) -> PersonRecord:
        for r in linkedin.parse(_export(folder) / "Connections.csv", ParseContext()):
            if isinstance(r, PersonRecord) and (r.given_name, r.family_name) == (given_name, family_name):
                return r
        raise AssertionError(f"{given_name} {family_name} not in {folder}")

    fatima = person("export-2018", "Fatima", "Lindqvist")
    assert fatima.emails == [("fatima.lindqvist5@example.com", None)]
    assert fatima.employments[0].organization == "Globex Corporation"
    assert fatima.employments[0].title == 'Hiring Manager "Platform"'
    assert fatima.connected_on == date(2015, 12, 29)
    assert person("export-2018", "Ximena", "Dubois").employments[0].organization == "Fabrikam, Inc."
    hana = person("export-2018", "Hana", "Nowak")
    assert hana.employments == []
    assert hana.fields["position"] == "Staff Engineer | ML Infra"

    priya = person("export-2022", "Priya", "Jensen")
    assert priya.employments == []
    assert priya.connected_on == date(2010, 5, 27)

    bjorn = person("export-2024", "Björn", "Mensah")
    assert bjorn.links == [("https://www.linkedin.com/in/bj%C3%B6rn-mensah-595c188", "linkedin")]
    assert bjorn.connected_on == date(2018, 5, 2)

    sven = person("export-2026x", "Sven", "Ivanova")
    assert sven.connected_on == date(2012, 2, 8)
    assert person("export-2026x", "Aoife", "Rossi").connected_on == date(2024, 5, 12)


@pytest.mark.parametrize(("folder", "messages", "count"), LAYOUTS)
def test_messages_know_who_started_them(folder: str, messages: str, count: int) -> None:
    # Alone, with nothing known about the user: Direction (2018) or the member in every conversation.
    records = list(linkedin.parse(_export(folder) / messages, ParseContext()))
    assert all(isinstance(r, InteractionRecord) for r in records)
    interactions = [r for r in records if isinstance(r, InteractionRecord)]
    for r in interactions:
        assert r.kind == "message"
        assert r.occurred_at.tzinfo is not None
        assert r.sender is not None
        assert r.sender.name
        assert r.participants
        assert r.initiator == ("me" if r.sender.name == ME else "them")
        assert r.thread
        assert r.external_id
        assert r.external_id.startswith("linkedin:")
        assert r.summary
        assert "<p>" not in r.summary
        assert "&mdash;" not in r.summary
        assert "\n" not in r.summary
    assert len({r.external_id for r in interactions}) == len(interactions)
    assert any("—" in r.summary for r in interactions)


def test_message_fields_in_the_2024_layout() -> None:
    records = list(linkedin.parse(_export("export-2024") / "messages.csv", ParseContext()))
    first = records[0]
    assert isinstance(first, InteractionRecord)
    assert first.occurred_at == datetime(2015, 12, 15, 21, 41, tzinfo=UTC)
    assert first.thread == "2-B7SMBGcsGMARpQ3I0e0dfxZCr+MrPwnu"
    assert first.sender is not None
    assert first.sender.linkedin == "https://www.linkedin.com/in/chlo%C3%A9-w%C3%B3jcik-edd0357"
    assert first.participants[0].name == ME
    assert first.participants[0].linkedin == "https://www.linkedin.com/in/jordan-avery-3a9b2c1"
    assert first.summary == "Coffee next week?: Thanks so much, I owe you one."


def test_2018_messages_times_and_threads() -> None:
    records = list(linkedin.parse(_export("export-2018") / "Messages.csv", ParseContext()))
    first = records[0]
    assert isinstance(first, InteractionRecord)
    assert first.occurred_at == datetime(2014, 1, 17, 15, 8, tzinfo=UTC)
    assert first.initiator == "me"
    second = records[1]
    assert isinstance(second, InteractionRecord)
    assert second.initiator == "them"
    assert second.thread == first.thread  # replies between the same people share a thread


def test_context_names_me_for_messages() -> None:
    ctx = ParseContext(me_names=frozenset({"ximena jensen"}))
    records = list(linkedin.parse(_export("export-2022") / "messages.csv", ctx))
    for r in records:
        assert isinstance(r, InteractionRecord)
        assert r.sender is not None
        assert r.initiator == ("me" if r.sender.name == "Ximena Jensen" else "them")


@pytest.mark.parametrize(("folder", "messages", "count"), LAYOUTS)
def test_invitations(folder: str, messages: str, count: int) -> None:
    records = list(linkedin.parse(_export(folder) / "Invitations.csv", ParseContext()))
    for r in records:
        assert isinstance(r, InteractionRecord)
        assert r.kind == "message"
        assert r.sender is not None
        assert r.sender.role == "from"
        assert [p.role for p in r.participants] == ["to"]
        assert r.initiator == ("me" if r.sender.name == ME else "them")
        assert "invited" in r.summary
        assert r.external_id
        assert r.external_id.startswith("linkedin-invitation:")
    if folder == "export-2026x":
        assert all(r.sender.linkedin and r.participants[0].linkedin for r in records)  # type: ignore[union-attr]
    with_message = [r for r in records if isinstance(r, InteractionRecord) and "career fair" in r.summary]
    assert with_message


def test_a_zip_with_nested_upper_case_members_reads_like_the_folder(tmp_path: Path) -> None:
    folder = _export("export-2024")
    archive = tmp_path / "Basic_LinkedInDataExport.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for path in folder.iterdir():
            z.write(path, f"export/{path.name.upper()}")
        z.writestr("export/Profile.csv", "First Name,Last Name\nJordan,Avery\n")
    from_zip = list(linkedin.parse_export(archive, ParseContext()))
    from_folder = list(linkedin.parse_export(folder, ParseContext()))
    assert [r for _, r in from_zip] == [r for _, r in from_folder]
    assert next(n for n, _ in from_zip) == "CONNECTIONS.CSV"
    assert linkedin.sniff(archive, b"") >= 0.9
    assert list(linkedin.parse(archive, ParseContext())) == [r for _, r in from_zip]


def test_the_export_tells_messages_who_i_am_from_the_invitations(tmp_path: Path) -> None:
    # One conversation alone cannot say which side is the user; the invitations' Direction can.
    export = tmp_path / "export"
    export.mkdir()
    (export / "Invitations.csv").write_text(
        'From,To,Sent At,Message,Direction\nSam Rivera,Amara Okoye,"3/1/24, 9:00 AM",,OUTGOING\n', encoding="utf-8"
    )
    (export / "messages.csv").write_text(
        "CONVERSATION ID,CONVERSATION TITLE,FROM,SENDER PROFILE URL,TO,DATE,SUBJECT,CONTENT,FOLDER\n"
        "c1,,Amara Okoye,,Sam Rivera,2024-03-02 10:00:00 UTC,,Hi!,INBOX\n",
        encoding="utf-8",
    )
    alone = list(linkedin.parse(export / "messages.csv", ParseContext()))
    assert isinstance(alone[0], Warning)
    assert isinstance(alone[1], InteractionRecord)
    assert alone[1].initiator is None
    tagged = list(linkedin.parse_export(export, ParseContext()))
    message = tagged[-1][1]
    assert isinstance(message, InteractionRecord)
    assert message.initiator == "them"


# --- our fixtures: the rough edges of real exports ------------------------------------------------------------


def test_bom_crlf_preamble_empty_and_duplicate_rows() -> None:
    records = list(linkedin.parse(FIXTURES / "connections_bom_crlf.csv", ParseContext()))
    people = [r for r in records if isinstance(r, PersonRecord)]
    assert [p.line for p in people] == [5, 7, 8, 9, 10, 12]  # empty rows 6 and 11 skipped silently
    assert not [r for r in records if isinstance(r, Rejected)]
    amara = people[0]
    assert amara.given_name == "Amara"
    assert amara.employments[0].organization == "Northwind, Ltd."
    assert amara.employments[0].title == 'Head of "Growth"'
    assert people[2].ref == amara.ref  # the exact duplicate is yielded; the pipeline counts it unchanged
    teodor = people[1]
    assert (teodor.display_name, teodor.family_name) == ("Teodor", None)
    assert [p.connected_on for p in people] == [
        date(2024, 3, 15),
        date(2022, 9, 9),
        date(2024, 3, 15),
        date(2026, 2, 6),
        date(2018, 1, 8),
        None,
    ]
    warnings = [r for r in records if isinstance(r, Warning)]
    assert [(w.line, "someday" in w.message) for w in warnings] == [(12, True)]


def test_a_broken_quote_costs_one_row() -> None:
    records = list(linkedin.parse(FIXTURES / "connections_broken_quote.csv", ParseContext()))
    rejected = [r for r in records if isinstance(r, Rejected)]
    assert [r.line for r in rejected] == [3, 8]
    assert rejected[0].text
    assert rejected[0].text.startswith("Bo,")
    names = [r.given_name for r in records if isinstance(r, PersonRecord)]
    assert names == ["Ana", "Cy", "Di", "Ed", "Flo", "Hal"]


def test_newest_messages_drafts_html_groups_and_bad_dates() -> None:
    records = list(linkedin.parse(FIXTURES / "messages_2026.csv", ParseContext()))
    assert [type(r).__name__ for r in records] == [
        "InteractionRecord",
        "InteractionRecord",
        "Warning",
        "InteractionRecord",
        "InteractionRecord",
        "Rejected",
    ]
    first, second, draft, intro, thanks, bad = records
    assert isinstance(first, InteractionRecord)
    assert first.summary == "Lunch?: Lunch & a walk?"
    assert first.initiator == "me"
    assert isinstance(second, InteractionRecord)
    assert second.summary == "Lunch?: Sure — Tuesday"
    assert second.initiator == "them"
    assert isinstance(draft, Warning)
    assert draft.line == 4
    assert isinstance(intro, InteractionRecord)
    assert intro.line == 5
    assert [(p.name, p.linkedin) for p in intro.participants] == [
        ("Sam Rivera", "https://www.linkedin.com/in/sam-rivera"),
        ("Rafael Souza", "https://www.linkedin.com/in/rafael-souza"),
    ]
    assert intro.summary == "Intro: Sam, meet Rafael. Rafael, meet Sam."
    assert isinstance(thanks, InteractionRecord)
    assert thanks.line == 7  # the intro's body spans two lines
    assert isinstance(bad, Rejected)
    assert bad.line == 8
    assert "not a date" in bad.reason


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("15 Mar 2024", datetime(2024, 3, 15, tzinfo=UTC)),
        ("09 Sep 2022", datetime(2022, 9, 9, tzinfo=UTC)),
        ("6-Feb-26", datetime(2026, 2, 6, tzinfo=UTC)),
        ("1/8/18, 6:14 PM", datetime(2018, 1, 8, 18, 14, tzinfo=UTC)),
        ("12/31/19, 12:05 AM", datetime(2019, 12, 31, 0, 5, tzinfo=UTC)),
        ("2026-03-20 18:15:00 UTC", datetime(2026, 3, 20, 18, 15, tzinfo=UTC)),
        ("2024-03-15", datetime(2024, 3, 15, tzinfo=UTC)),
        ("31 Feb 2024", None),
        ("13/40/18, 1:00 PM", None),
        ("1/8/18, 13:14 PM", None),
        ("someday", None),
        ("", None),
    ],
)
def test_dates(text: str, expected: datetime | None) -> None:
    assert linkedin.parse_when(text) == expected


def test_sniff_reads_the_header_not_the_name(tmp_path: Path) -> None:
    for folder, messages, _ in LAYOUTS:
        for name in ("Connections.csv", "Invitations.csv", messages):
            path = _export(folder) / name
            assert linkedin.sniff(path, path.read_bytes()[:4096]) >= 0.9
    renamed = tmp_path / "contacts.csv"
    renamed.write_bytes((FIXTURES / "connections_bom_crlf.csv").read_bytes())
    assert linkedin.sniff(renamed, renamed.read_bytes()) >= 0.8
    google = FIXTURES / "google_current.csv"
    assert linkedin.sniff(google, google.read_bytes()) == 0.0
    assert linkedin.sniff(tmp_path / "Connections.csv", b"\x00\xff junk") == 0.0


# --- bad input ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "not a text file"),
        (b"Name,Email\nAna,a@x.org\n", "no header"),
    ],
)
def test_unreadable_files_raise_import_problem(tmp_path: Path, data: bytes, message: str) -> None:
    path = tmp_path / "Connections.csv"
    path.write_bytes(data)
    with pytest.raises(ImportProblem, match=message):
        list(linkedin.parse(path, ParseContext()))


def test_header_only_and_missing_files(tmp_path: Path) -> None:
    path = tmp_path / "Connections.csv"
    path.write_text("First Name,Last Name,URL,Email Address,Company,Position,Connected On\r\n", encoding="utf-8")
    assert list(linkedin.parse(path, ParseContext())) == []
    with pytest.raises(ImportProblem, match="cannot read"):
        list(linkedin.parse(tmp_path / "missing.csv", ParseContext()))
    with pytest.raises(ImportProblem, match="no such file"):
        list(linkedin.parse_export(tmp_path / "nothing-here", ParseContext()))
    (tmp_path / "empty").mkdir()
    with pytest.raises(ImportProblem, match=r"no Connections\.csv") as info:
        list(linkedin.parse_export(tmp_path / "empty", ParseContext()))
    assert info.value.hint
    bad_zip = tmp_path / "export.zip"
    bad_zip.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(ImportProblem, match="zip"):
        list(linkedin.parse_export(bad_zip, ParseContext()))


def test_rows_without_a_name_are_rejected(tmp_path: Path) -> None:
    path = tmp_path / "Connections.csv"
    path.write_text(
        "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
        ",,https://www.linkedin.com/in/ghost,,Contoso,,01 Jan 2020\n"
        "Mononym,,,,,,02 Jan 2020\n",
        encoding="utf-8",
    )
    records = list(linkedin.parse(path, ParseContext()))
    assert isinstance(records[0], Rejected)
    assert records[0].line == 2
    assert isinstance(records[1], PersonRecord)
    assert records[1].display_name == "Mononym"


# --- speed ----------------------------------------------------------------------------------------------------


def _connections(rows: int) -> bytes:
    rnd = random.Random(7)
    months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    lines = ["Notes:", '"When exporting your connection data, some e-mail addresses are missing."', ""]
    lines.append("First Name,Last Name,URL,Email Address,Company,Position,Connected On")
    for i in range(rows):
        email = f"p{i}@example.org" if i % 5 == 0 else ""
        when = f"{rnd.randint(1, 28):02d} {rnd.choice(months)} {rnd.randint(2008, 2025)}"
        lines.append(
            f'Given{i},Family{i % 977},https://www.linkedin.com/in/p-{i},{email},"Org {i % 300}, Inc.",Role,{when}'
        )
    return ("\r\n".join(lines) + "\r\n").encode()


def test_thirty_thousand_connections_parse_well_under_half_a_second(tmp_path: Path) -> None:
    path = tmp_path / "Connections.csv"
    path.write_bytes(_connections(30_000))
    best = float("inf")
    for _ in range(3):
        linkedin._when_cache.clear()
        started = time.perf_counter()
        count = sum(1 for r in linkedin.parse(path, ParseContext()) if isinstance(r, PersonRecord))
        best = min(best, time.perf_counter() - started)
    assert count == 30_000
    assert best < 0.5, f"30,000 connections took {best:.3f} s"


# --- fuzzing --------------------------------------------------------------------------------------------------


def _all_records_or_problem(data: bytes, ctx: ParseContext | None = None) -> None:
    records: list[Record] = []
    try:
        records.extend(linkedin.parse_bytes(data, ctx or ParseContext(), name="fuzz.csv"))
    except ImportProblem as exc:
        problem: ImportProblem | None = exc
    else:
        problem = None
    assert all(isinstance(record, RECORD_TYPES) for record in records)
    assert problem is None or problem.message


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=2000))
def test_random_bytes_give_records_or_import_problem(data: bytes) -> None:
    _all_records_or_problem(data)


@settings(max_examples=150, deadline=None)
@given(st.sampled_from([f.name for f in FIXTURES.glob("*.csv")]), st.binary(max_size=300))
def test_random_bytes_after_a_real_header_give_records_or_import_problem(name: str, tail: bytes) -> None:
    head = (FIXTURES / name).read_bytes()[:600]
    _all_records_or_problem(head + tail)


_SAMPLE_FILES = sorted(LINKEDIN.glob("*/*.csv")) + sorted(FIXTURES.glob("*.csv"))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.integers(min_value=0, max_value=max(len(_SAMPLE_FILES) - 1, 0)),
    st.lists(st.tuples(st.floats(min_value=0, max_value=1), st.integers(0, 255)), max_size=12),
    st.floats(min_value=0.05, max_value=1.0),
)
def test_mutated_real_files_give_records_or_import_problem(
    index: int, flips: list[tuple[float, int]], keep: float
) -> None:
    if not _SAMPLE_FILES:
        pytest.skip("no sample files")
    data = bytearray(_SAMPLE_FILES[index].read_bytes())
    for where, byte in flips:
        data[min(int(where * len(data)), len(data) - 1)] = byte
    _all_records_or_problem(bytes(data[: max(1, int(len(data) * keep))]))

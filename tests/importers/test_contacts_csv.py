"""Address-book CSV parsing: Google, Outlook, Thunderbird, the Roundcube pairs, --map, bad input and fuzzing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dunbar.errors import ImportProblem, InvalidInput
from dunbar.importers import contacts_csv
from dunbar.importers.records import (
    DateRecord,
    InteractionRecord,
    ParseContext,
    PersonRecord,
    Record,
    Rejected,
    Warning,
)
from tests.conftest import CORPORA

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "csv"
CSV = CORPORA / "csv"
CTX = ParseContext()
RECORD_TYPES = (PersonRecord, InteractionRecord, Rejected, Warning)


def _corpus(rel: str) -> Path:
    path = CSV / rel
    if not path.is_file():
        pytest.skip(f"CSV corpus not found at {path}")
    return path


def _people(records: list[Record]) -> list[PersonRecord]:
    return [r for r in records if isinstance(r, PersonRecord)]


# --- the corpora ----------------------------------------------------------------------------------------------


def test_google_legacy_export() -> None:
    path = _corpus("google/google_contacts_legacy_format.csv")
    assert contacts_csv.sniff(path, path.read_bytes()) >= 0.85
    records = list(contacts_csv.parse(path, CTX))
    people = _people(records)
    assert len(records) == len(people) == 3
    assert [(p.display_name, p.given_name, p.family_name) for p in people] == [
        ("Richard Feynman", "Richard", "Feynman"),
        ("iforgotthisguysnamebutihavehisemail@gmail.com", None, None),
        ("Elon Musk", "Elon", "Musk"),
    ]
    assert people[2].emails == [("elon.musk@tesla.com", None)]
    assert all(p.employments == [] for p in people)  # never guessed from the e-mail domain


def test_outlook_action_file_short_rows_are_rejected_clearly() -> None:
    records = list(contacts_csv.parse(_corpus("outlook/gpc_outlook_style_with_action.csv"), CTX))
    adam, *rejected = records
    assert isinstance(adam, PersonRecord)
    assert adam.display_name == "Adam Glacius"
    assert [e for e, _ in adam.emails] == ["adam.glacius@anycom.com", "adam.g@example.com", "ag@glacius.com"]
    assert ("+1 555 3227 8544", "mobile") in adam.phones
    assert adam.employments[0].organization == "Acme Inc."
    assert adam.employments[0].title == "Sales Planner"
    assert adam.notes == ["Has 2 kids"]
    assert [(r.line, r.reason) for r in rejected if isinstance(r, Rejected)] == [
        (3, "11 fields where the header has 22"),
        (4, "11 fields where the header has 22"),
    ]


def _vcard_values(path: Path) -> dict[str, list[str]]:
    """Property values of the simple one-line vCards paired with the Roundcube CSVs."""
    cards: dict[str, list[str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        name, _, value = line.partition(":")
        cards.setdefault(name.split(";")[0], []).append(value)
    return cards


@pytest.mark.parametrize("name", ["all", "email", "gmail", "outlook", "tb_plain"])
def test_roundcube_csv_becomes_what_its_vcard_says(name: str) -> None:
    csv_path = _corpus(f"roundcube-csv2vcard/{name}.csv")
    card = _vcard_values(_corpus(f"roundcube-csv2vcard/{name}.vcf"))
    assert contacts_csv.sniff(csv_path, csv_path.read_bytes()) >= 0.5
    records = list(contacts_csv.parse(csv_path, CTX))
    people = _people(records)
    assert len(records) == len(people) == len(card["FN"])
    assert [p.display_name for p in people] == card["FN"]
    assert sorted(e for p in people for e, _ in p.emails) == sorted(card["EMAIL"])
    assert sorted(t for p in people for t, _ in p.phones) == sorted(card.get("TEL", []))
    assert sorted(u for p in people for u, _ in p.links) == sorted(card.get("URL", []))
    assert [e.organization for p in people for e in p.employments] == card.get("ORG", [])
    assert [e.title for p in people for e in p.employments] == card.get("TITLE", [])
    birthdays = [d for p in people for d in p.dates if d.kind == "birthday"]
    assert [f"{d.year:04d}-{d.month:02d}-{d.day:02d}" for d in birthdays] == card.get("BDAY", [])
    nicknames = [p.nickname for p in people if p.nickname]
    assert nicknames == card.get("NICKNAME", [])


def test_gmail_roundcube_labels_and_system_groups() -> None:
    [person] = _people(list(contacts_csv.parse(_corpus("roundcube-csv2vcard/gmail.csv"), CTX)))
    assert person.tags == ["Test"]  # "* My Contacts" is a system group
    assert person.notes == ['note"note']
    assert ("home@aaa.pl", "home") in person.emails  # "* Home": the star marks the primary address
    assert person.location == "home_city, home_state, home_country"


# --- our fixtures ---------------------------------------------------------------------------------------------


def test_google_current_layout() -> None:
    path = FIXTURES / "google_current.csv"
    assert contacts_csv.sniff(path, path.read_bytes()) >= 0.85
    records = list(contacts_csv.parse(path, CTX))
    amara, lin, empty = records
    assert isinstance(amara, PersonRecord)
    assert amara.line == 2
    assert amara.display_name == "Amara Okoye"
    assert amara.nickname == "Ami"
    assert amara.emails == [
        ("amara@northwind.example", "work"),
        ("amara.o@northwind.example", "work"),
        ("amara@home.example", "home"),
    ]
    assert amara.phones == [("+44 20 7946 0000", "mobile")]
    assert amara.employments[0].organization == "Northwind Ltd."
    assert amara.employments[0].title == "Head of Growth"
    assert amara.fields["department"] == "Marketing"
    assert amara.dates == [DateRecord("birthday", 4, 12, 1988)]
    assert amara.notes == ["Met at PyCon.\nLikes tea."]
    assert amara.tags == ["Work"]
    assert amara.location == "London, United Kingdom"
    assert amara.links == [("https://www.linkedin.com/in/amara-okoye", "profile")]
    assert isinstance(lin, PersonRecord)
    assert lin.line == 5
    assert lin.dates == [DateRecord("birthday", 7, 4, None)]
    assert lin.tags == []
    assert isinstance(empty, Rejected)
    assert empty.line == 6


def test_outlook_in_cp1252_with_no_birthday() -> None:
    records = list(contacts_csv.parse(FIXTURES / "outlook_cp1252.csv", CTX))
    warning, jose, renee = records
    assert isinstance(warning, Warning)
    assert "cp1252" in warning.message
    assert isinstance(jose, PersonRecord)
    assert jose.display_name == "José Müller"
    assert jose.fields["prefix"] == "Dr."
    assert jose.employments[0].organization == "Contoso – Berlin"
    assert jose.dates == [DateRecord("birthday", 5, 14, 1980)]
    assert jose.tags == ["Clients", "VIP"]
    assert jose.phones == [("+49 30 1234567", "work")]
    assert isinstance(renee, PersonRecord)
    assert renee.dates == []  # 0/0/00 means none
    assert renee.links == [("https://renee.example", None)]


def test_utf16_outlook_export() -> None:
    [person] = list(contacts_csv.parse(FIXTURES / "outlook_utf16.csv", CTX))
    assert isinstance(person, PersonRecord)
    assert person.display_name == "Łucja Żak"
    assert person.employments[0].organization == "Globex"


def test_a_linkedin_file_is_not_an_address_book() -> None:
    path = FIXTURES / "connections_bom_crlf.csv"
    assert contacts_csv.sniff(path, path.read_bytes()) == 0.0
    with pytest.raises(ImportProblem, match="no header"):
        list(contacts_csv.parse(path, CTX))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1980-05-14", (1980, 5, 14)),
        ("--07-04", (None, 7, 4)),
        ("5/14/1980", (1980, 5, 14)),
        ("20/01/1991", (1991, 1, 20)),
        ("03.04.1985", (1985, 4, 3)),
        ("1604-07-04", (None, 7, 4)),
        ("0/0/00", None),
        ("2/30/1990", None),
        ("soon", None),
    ],
)
def test_birthdays(text: str, expected: tuple[int | None, int, int] | None) -> None:
    assert contacts_csv.parse_day(text) == expected


# --- --map ----------------------------------------------------------------------------------------------------


def test_mapped_csv() -> None:
    mapping = contacts_csv.parse_map_option(
        "Given=given_name, Surname=family_name,Mail=email:work,Employer=organization,Role=title,Met=connected_on,"
        "Mobile=phone:mobile"
    )
    assert mapping["Mail"] == "email:work"
    records = list(contacts_csv.parse_mapped(FIXTURES / "mapped.csv", mapping, CTX))
    ines, omar = records
    assert isinstance(ines, PersonRecord)
    assert ines.line == 3
    assert (ines.display_name, ines.emails, ines.phones) == (
        "Ines Brennan",
        [("ines@example.org", "work")],
        [("+1 555 0100", "mobile")],
    )
    assert ines.employments[0].organization == "Litware"
    assert ines.connected_on is not None
    assert ines.connected_on.isoformat() == "2019-05-02"
    assert isinstance(omar, PersonRecord)
    assert omar.employments == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Given=forename", "unknown target 'forename'"),
        ("Given", "not COLUMN=TARGET"),
        ("=email", "not COLUMN=TARGET"),
        ("Given=given_name:work", "only email, phone and url take a label"),
        ("Mail=email,Mail=phone", "mapped twice"),
        ("", "empty"),
    ],
)
def test_bad_map_options_name_the_valid_targets(text: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message) as info:
        contacts_csv.parse_map_option(text)
    if "target" in message:
        assert info.value.hint
        assert "given_name" in info.value.hint
        assert "email" in info.value.hint


def test_a_mapping_naming_missing_columns_is_an_import_problem() -> None:
    with pytest.raises(ImportProblem, match="every mapped column") as info:
        list(contacts_csv.parse_mapped(FIXTURES / "mapped.csv", {"Given": "given_name", "Phone": "phone"}, CTX))
    assert info.value.hint
    assert "Export from CRM" in info.value.hint
    with pytest.raises(InvalidInput):
        list(contacts_csv.parse_mapped(FIXTURES / "mapped.csv", {"Given": "shoe_size"}, CTX))


# --- bad input ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"\x00\x01\x02\x03PK\x00\x00binary", "not a text file"),
        (b"foo,bar,baz\n1,2,3\n", "no header"),
    ],
)
def test_unreadable_files_raise_import_problem(tmp_path: Path, data: bytes, message: str) -> None:
    path = tmp_path / "contacts.csv"
    path.write_bytes(data)
    with pytest.raises(ImportProblem, match=message):
        list(contacts_csv.parse(path, CTX))


def test_header_only_and_broken_quote(tmp_path: Path) -> None:
    header = "First Name,Last Name,E-mail Address,Company,Job Title\n"
    path = tmp_path / "contacts.csv"
    path.write_text(header, encoding="utf-8")
    assert list(contacts_csv.parse(path, CTX)) == []
    path.write_text(
        header + 'Ana,Lima,ana@x.org,Contoso,CTO\nBo,"Berg,bo@x.org,,\nCy,Dee,cy@x.org,,\nDi,Eve,di@x.org,,\n',
        encoding="utf-8",
    )
    records = list(contacts_csv.parse(path, CTX))
    assert [type(r).__name__ for r in records] == ["PersonRecord", "Rejected", "PersonRecord", "PersonRecord"]
    rejected = records[1]
    assert isinstance(rejected, Rejected)
    assert rejected.line == 3
    assert [r.given_name for r in _people(records)] == ["Ana", "Cy", "Di"]


# --- fuzzing --------------------------------------------------------------------------------------------------


def _all_records_or_problem(path: Path, mapping: dict[str, str] | None = None) -> None:
    records: list[Record] = []
    try:
        if mapping is None:
            records.extend(contacts_csv.parse(path, CTX))
        else:
            records.extend(contacts_csv.parse_mapped(path, mapping, CTX))
    except ImportProblem as exc:
        problem: ImportProblem | None = exc
    else:
        problem = None
    assert all(isinstance(record, RECORD_TYPES) for record in records)
    assert problem is None or problem.message


_FUZZ_SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@_FUZZ_SETTINGS
@given(data=st.binary(max_size=2000))
def test_random_bytes_give_records_or_import_problem(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "fuzz.csv"
    path.write_bytes(data)
    _all_records_or_problem(path)
    _all_records_or_problem(path, {"Given": "given_name", "Mail": "email"})


_REAL_FILES = [
    FIXTURES / "google_current.csv",
    FIXTURES / "outlook_cp1252.csv",
    FIXTURES / "outlook_utf16.csv",
    FIXTURES / "mapped.csv",
    *sorted(CSV.glob("*/*.csv")),
]


@_FUZZ_SETTINGS
@given(
    index=st.integers(min_value=0, max_value=len(_REAL_FILES) - 1),
    flips=st.lists(st.tuples(st.floats(min_value=0, max_value=1), st.integers(0, 255)), max_size=12),
    keep=st.floats(min_value=0.05, max_value=1.0),
)
def test_mutated_real_files_give_records_or_import_problem(
    tmp_path: Path, index: int, flips: list[tuple[float, int]], keep: float
) -> None:
    data = bytearray(_REAL_FILES[index].read_bytes())
    for where, byte in flips:
        data[min(int(where * len(data)), len(data) - 1)] = byte
    path = tmp_path / "fuzz.csv"
    path.write_bytes(bytes(data[: max(1, int(len(data) * keep))]))
    _all_records_or_problem(path)
    _all_records_or_problem(path, {"Given": "given_name", "Surname": "family_name", "Mail": "email"})


def test_manifest_lists_the_csv_corpora() -> None:
    manifest = CORPORA / "MANIFEST.jsonl"
    if not manifest.is_file():
        pytest.skip(f"corpora manifest not found at {manifest}")
    files = {json.loads(line)["file"] for line in manifest.read_text(encoding="utf-8").splitlines() if line.strip()}
    for path in sorted(CSV.glob("*/*.csv")):
        assert str(path.relative_to(CORPORA)) in files
        records = list(contacts_csv.parse(path, CTX))
        assert records
        assert all(isinstance(r, RECORD_TYPES) for r in records)

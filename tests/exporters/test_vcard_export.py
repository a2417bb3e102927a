"""vCard export: valid 3.0/4.0 text, escaping, folding, and a round trip through our own parser."""

from __future__ import annotations

import io
from typing import Any

import pytest
import vobject
from hypothesis import given, settings
from hypothesis import strategies as st

from dunbar.exporters.vcard import escape, fold, person_to_vcard, write_vcards
from dunbar.importers import vcard as vcard_parser
from dunbar.importers.records import DateRecord, PersonRecord

ADA: dict[str, Any] = {
    "id": 7,
    "uid": "4fbe89710bc3424c9c2636c3e1eff6b1",
    "name": "Ada Okafor",
    "given_name": "Ada",
    "family_name": "Okafor",
    "nickname": "Dee",
    "location": "Lagos, Nigeria",
    "how_met": "PyCon; she gave the talk on parsers",
    "circle": "close",
    "emails": [
        {"address": "ada@hooli.example", "label": "work", "primary": True},
        {"address": "ada@mail.example", "label": "home", "primary": False},
    ],
    "phones": [{"number": "+14155550100", "label": "mobile", "primary": True}],
    "links": [{"url": "https://www.linkedin.com/in/ada-okafor", "kind": "linkedin", "label": None}],
    "employments": [
        {"organization": "Initech", "title": "Intern", "start": "2010-01-01", "end": "2011-01-01", "current": False},
        {
            "organization": "Hooli, Inc.",
            "title": "Staff Engineer; Parsers",
            "start": None,
            "end": None,
            "current": True,
        },
    ],
    "dates": [
        {"kind": "birthday", "label": None, "year": None, "month": 7, "day": 21},
        {"kind": "anniversary", "label": None, "year": 2015, "month": 5, "day": 1},
    ],
    "fields": {"pronouns": "she/her"},
    "tags": ["friends", "conference, 2024"],
    "notes": [{"body": "Line one\nLine two, with comma; and semicolon", "created_at": "2024-01-01T10:00:00Z"}],
}


def roundtrip(person: dict[str, Any], version: str) -> PersonRecord:
    [record] = list(vcard_parser.parse_text(person_to_vcard(person, version)))
    assert isinstance(record, PersonRecord)
    return record


@pytest.mark.parametrize("version", ["3.0", "4.0"])
def test_round_trip_through_our_parser(version: str) -> None:
    rec = roundtrip(ADA, version)
    assert rec.display_name == "Ada Okafor"
    assert (rec.given_name, rec.family_name, rec.nickname) == ("Ada", "Okafor", "Dee")
    assert rec.emails == [("ada@hooli.example", "work"), ("ada@mail.example", "home")]
    assert rec.phones == [("+14155550100", "mobile")]
    assert [(e.organization, e.title) for e in rec.employments] == [("Hooli, Inc.", "Staff Engineer; Parsers")]
    assert rec.tags == ["friends", "conference, 2024"]
    assert rec.ref == "urn:uuid:4fbe8971-0bc3-424c-9c26-36c3e1eff6b1"
    assert rec.links[0][0] == "https://www.linkedin.com/in/ada-okafor"
    assert DateRecord(kind="birthday", month=7, day=21, year=None) in rec.dates
    assert DateRecord(kind="anniversary", month=5, day=1, year=2015) in rec.dates
    assert rec.location == "Lagos, Nigeria"
    assert "Line two, with comma; and semicolon" in rec.notes[0]
    assert "How we met: PyCon; she gave the talk on parsers" in rec.notes[0]


@pytest.mark.parametrize("version", ["3.0", "4.0"])
def test_vobject_reads_it(version: str) -> None:
    card = vobject.readOne(person_to_vcard(ADA, version))
    assert card.fn.value == "Ada Okafor"
    assert card.version.value == version
    assert card.uid.value == "urn:uuid:4fbe8971-0bc3-424c-9c26-36c3e1eff6b1"
    assert [e.value for e in card.email_list] == ["ada@hooli.example", "ada@mail.example"]
    assert card.org.value == ["Hooli, Inc."]
    assert card.categories.value == ["friends", "conference, 2024"]


def test_stable_uid_and_crlf_lines() -> None:
    text = person_to_vcard(ADA)
    assert text == person_to_vcard(ADA)
    assert text.startswith("BEGIN:VCARD\r\nVERSION:3.0\r\n")
    assert text.endswith("END:VCARD\r\n")
    assert "\n" not in text.replace("\r\n", "")
    assert "TEL;TYPE=cell,pref:+14155550100" in text
    assert "EMAIL;TYPE=internet,work,pref:ada@hooli.example" in text
    v4 = person_to_vcard(ADA, "4.0")
    assert "TEL;VALUE=uri;TYPE=cell,voice;PREF=1:tel:+14155550100" in v4
    assert "BDAY:--0721" in v4
    with pytest.raises(ValueError, match="version"):
        person_to_vcard(ADA, "2.1")


def test_escaping_and_folding() -> None:
    assert escape("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"
    long = "NOTE:" + "ü" * 100
    folded = fold(long)
    for line in folded.split("\r\n"):
        assert len(line.encode("utf-8")) <= 75
    assert folded.replace("\r\n ", "") == long
    assert fold("FN:short") == "FN:short"


def test_minimal_person_and_write_vcards() -> None:
    out = io.StringIO()
    n = write_vcards([ADA, {"uid": "not-hex", "name": "Bo"}], out, version="4.0")
    assert n == 2
    records = list(vcard_parser.parse_text(out.getvalue()))
    assert [r.display_name for r in records if isinstance(r, PersonRecord)] == ["Ada Okafor", "Bo"]
    assert isinstance(records[1], PersonRecord)
    assert records[1].ref == "not-hex"


names = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=60).filter(
    lambda s: s.strip() == s
)
tags = st.lists(
    st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=20).filter(lambda s: s.strip() == s),
    max_size=4,
    unique=True,
)


@settings(max_examples=150, deadline=None)
@given(name=names, org=names, tags=tags, note=st.text(max_size=300).filter(lambda s: s.strip() == s and "\r" not in s))
def test_round_trip_property(name: str, org: str, tags: list[str], note: str) -> None:
    person = {
        "uid": "0" * 32,
        "name": name,
        "emails": [{"address": "x@example.com", "label": None, "primary": True}],
        "employments": [{"organization": org, "title": None, "current": True}],
        "tags": tags,
        "notes": [{"body": note}] if note else [],
    }
    for version in ("3.0", "4.0"):
        rec = roundtrip(person, version)
        assert rec.display_name == name
        assert rec.employments[0].organization == org
        assert rec.tags == [t for t in tags if t]
        assert rec.notes == ([note] if note else [])

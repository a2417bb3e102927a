"""The vCard parser: our own fixtures, the real-world corpus, and fuzzing (only records or ImportProblem come out)."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dunbar.errors import ImportProblem
from dunbar.importers import vcard
from dunbar.importers.records import (
    DateRecord,
    ParseContext,
    PersonRecord,
    Rejected,
    Warning,
)
from tests.conftest import CORPORA

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "vcard"
CORPUS = CORPORA / "vcard"
CTX = ParseContext()

needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"real-world vCard corpus not found at {CORPUS}")


def people(path: Path) -> list[PersonRecord]:
    return [r for r in vcard.parse(path, CTX) if isinstance(r, PersonRecord)]


def corpus_file(rel: str) -> Path:
    return CORPUS / rel


# -- our fixtures -------------------------------------------------------------------------------------------


def test_vcard_21_quoted_printable_charset_and_photo() -> None:
    records = list(vcard.parse(FIXTURES / "legacy-2.1.vcf", CTX))
    assert [type(r) for r in records] == [PersonRecord, PersonRecord]
    juergen, rene = records
    assert isinstance(juergen, PersonRecord)
    assert isinstance(rene, PersonRecord)
    assert juergen.display_name == "Jürgen Müller"
    assert (juergen.given_name, juergen.family_name) == ("Jürgen", "Müller")
    assert juergen.phones == [("+49 170 1234567", "mobile"), ("+49 30 1234567", "work")]
    assert juergen.emails == [("juergen@example.de", None)]
    assert juergen.notes == ["Met at the fair\r\nbrought cake, long story"]  # QP soft line break joined
    assert juergen.has_photo
    assert juergen.dates == [DateRecord(kind="birthday", month=3, day=4, year=1970)]
    assert juergen.line == 1
    # ISO-8859-1 bytes in a file that is otherwise UTF-8, decoded by the CHARSET parameter
    assert (rene.given_name, rene.family_name) == ("René", "François")
    assert rene.display_name == "René François"
    assert rene.line == 16


def test_apple_groups_labels_and_broken_cards() -> None:
    records = list(vcard.parse(FIXTURES / "apple-3.0.vcf", CTX))
    kinds = [type(r).__name__ for r in records]
    assert kinds == ["PersonRecord", "Rejected", "PersonRecord", "Rejected"]
    ada, broken, bo, empty = records
    assert isinstance(ada, PersonRecord)
    assert ada.emails == [("ada@hooli.example", "other"), ("ada.okafor@mail.example", "conference")]
    assert ada.phones == [("+1 (415) 555-0100", "mobile")]
    assert ada.nickname == "Dee"
    assert [(e.organization, e.title) for e in ada.employments] == [("Hooli, Inc.", "Staff Engineer")]
    assert ada.fields["department"] == "Research"
    assert ("https://www.linkedin.com/in/ada-okafor", "linkedin") in ada.links
    assert ("https://twitter.com/adaok", "twitter") in ada.links
    assert DateRecord(kind="birthday", month=7, day=21, year=None) in ada.dates
    assert DateRecord(kind="anniversary", month=5, day=1, year=2015) in ada.dates
    assert ada.location == "San Francisco, CA, USA"
    assert ada.notes == ["Line one\nLine two, with comma; and semicolon"]
    assert ada.tags == ["friends", "conference"]
    assert ada.ref == "ada-0001"
    assert ada.has_photo
    assert isinstance(broken, Rejected)
    assert "END:VCARD" in broken.reason
    assert broken.line == 27
    assert isinstance(bo, PersonRecord)
    assert bo.phones == [("+46-8-123-4567", "mobile")]
    assert DateRecord(kind="birthday", month=2, day=29, year=None) in bo.dates
    assert DateRecord(kind="anniversary", month=6, day=12, year=2010) in bo.dates
    assert bo.ref == "urn:uuid:4fbe8971-0bc3-424c-9c26-36c3e1eff6b1"
    assert isinstance(empty, Rejected)
    assert "no name" in empty.reason


def test_utf16_without_bom() -> None:
    path = FIXTURES / "utf16le-nobom.vcf"
    assert vcard.sniff(path, path.read_bytes()[:512]) == 1.0
    [zoe] = people(path)
    assert zoe.display_name == "Zoë Wide"
    assert zoe.emails == [("zoe@example.com", None)]


def test_folder_of_files_and_sniff(tmp_path: Path) -> None:
    (tmp_path / "a.vcf").write_text("BEGIN:VCARD\nVERSION:3.0\nFN:A One\nEND:VCARD\n")
    (tmp_path / "b.vcf").write_text("not a card at all\n")
    (tmp_path / "notes.txt").write_text("ignored")
    records = list(vcard.parse(tmp_path, CTX))
    assert isinstance(records[0], PersonRecord)
    assert records[0].display_name == "A One"
    assert isinstance(records[1], Rejected)
    assert records[1].reason.startswith("b.vcf: ")
    assert len(records) == 2
    assert [f.name for f, _ in vcard.parse_folder(tmp_path, CTX)] == ["a.vcf", "b.vcf"]
    assert vcard.sniff(tmp_path / "a.vcf", b"BEGIN:VCARD\r\n") == 1.0
    assert vcard.sniff(tmp_path / "notes.txt", b"hello") == 0.0


def test_file_without_cards_is_an_import_problem(tmp_path: Path) -> None:
    path = tmp_path / "x.vcf"
    path.write_text("FN:nobody\n")
    with pytest.raises(ImportProblem, match="no vCard"):
        list(vcard.parse(path, CTX))


def test_parse_streams_records_before_reading_everything(tmp_path: Path) -> None:
    """A huge file yields its first card without parsing the rest (the pipeline can write as it reads)."""
    path = tmp_path / "many.vcf"
    path.write_text("".join(f"BEGIN:VCARD\nFN:P{i}\nEND:VCARD\n" for i in range(2000)))
    it = vcard.parse(path, CTX)
    first = next(it)
    assert isinstance(first, PersonRecord)
    assert first.display_name == "P0"
    assert first.line == 1
    assert isinstance(next(it), PersonRecord)


# -- the real-world corpus ----------------------------------------------------------------------------------


def _manifest() -> dict[str, str]:
    path = CORPORA / "MANIFEST.jsonl"
    out: dict[str, str] = {}
    for line in path.read_text().splitlines():
        entry = json.loads(line)
        if entry["file"].startswith("vcard/"):
            out[entry["file"]] = entry.get("features", "")
    return out


@needs_corpus
def test_every_corpus_file_yields_records_or_a_clear_problem() -> None:
    manifest = _manifest()
    files = sorted(CORPUS.rglob("*.vcf"))
    assert len(files) > 100
    people_total = 0
    for path in files:
        rel = f"vcard/{path.relative_to(CORPUS)}"
        problem = ""
        try:
            records = list(vcard.parse(path, CTX))
        except ImportProblem as exc:
            problem = str(exc)
            records = []
        if not records:
            assert "NO BEGIN:VCARD" in manifest.get(rel, ""), f"{rel}: unexpected problem {problem}"
            assert str(path) in problem
            continue
        assert records, rel
        for r in records:
            assert isinstance(r, PersonRecord | Rejected | Warning), rel
            if isinstance(r, PersonRecord):
                people_total += 1
                assert r.display_name or r.emails or r.phones, rel
                assert r.line is not None
                assert r.line >= 1
            if isinstance(r, Rejected):
                assert r.reason, rel
                assert r.line is not None, rel
        if "BEGIN/END mismatch" in manifest.get(rel, ""):
            assert any(isinstance(r, Rejected) and "END:VCARD" in r.reason for r in records), rel
    assert people_total > 100


@needs_corpus
def test_corpus_utf16_be_without_bom() -> None:
    [p] = people(corpus_file("roundcube/utf-16_sample.vcf"))
    assert p.display_name == "Ǽgean ĽdaMonté"
    assert p.location == "LaPaz, Conceptión, Perú"


@needs_corpus
def test_corpus_quoted_printable_soft_breaks() -> None:
    cards = people(corpus_file("kcontacts/vcard10.vcf"))
    doctor = next(p for p in cards if p.display_name == "Dr. med. Surname Name")
    assert doctor.fields["title"] == "Facharzt für Allgemeinmedizin"
    assert doctor.notes[0].startswith("Sprechzeiten:\nMo   8–12, 15–18\n")


@needs_corpus
def test_corpus_outlook_21() -> None:
    [p] = people(corpus_file("ez-vcard/outlook-2007.vcf"))
    assert (p.given_name, p.family_name, p.nickname) == ("Michael", "Angstadt", "Mike")
    assert ("mike.angstadt@gmail.com", None) in p.emails
    assert ("(111) 555-4444", "mobile") in p.phones
    assert p.has_photo


@needs_corpus
def test_corpus_apple_item_groups() -> None:
    [p] = people(corpus_file("ez-vcard/gmail-single.vcf"))
    assert ("555 555 2222", "grand_central") in p.phones
    assert p.employments[0].organization == "TheCompany"


@needs_corpus
def test_corpus_vcard_40() -> None:
    [p] = people(corpus_file("py-vobject/vcard40_full.vcf"))
    assert p.ref == "urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6"
    assert ("john.public@example.com", "work") in p.emails
    assert p.nickname == "Johnny"


@needs_corpus
def test_corpus_legacy_charset_bytes() -> None:
    [p] = people(corpus_file("roundcube/johndoe.vcf"))
    assert p.display_name == "John Doë"


@needs_corpus
def test_corpus_group_kind_is_a_warning() -> None:
    [w] = list(vcard.parse(corpus_file("py-vobject/vcard40_group.vcf"), CTX))
    assert isinstance(w, Warning)
    assert "group" in w.message


# -- fuzzing ------------------------------------------------------------------------------------------------


def _only_records(path: Path) -> None:
    try:
        for r in vcard.parse(path, CTX):
            assert isinstance(r, PersonRecord | Rejected | Warning)
    except ImportProblem:
        pass


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=2000))
def test_fuzz_random_bytes(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "fuzz.vcf"
    path.write_bytes(data)
    _only_records(path)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_fuzz_random_card_text(tmp_path: Path, data: st.DataObject) -> None:
    props = st.sampled_from(
        [
            "FN",
            "N",
            "EMAIL;TYPE=work",
            "TEL;CELL",
            "item1.X-ABLabel",
            "BDAY",
            "ORG",
            "ADR",
            "NOTE;ENCODING=QUOTED-PRINTABLE",
            "CATEGORIES",
            "PHOTO;ENCODING=b",
            "X-SOCIALPROFILE",
        ]
    )
    lines = data.draw(st.lists(st.tuples(props, st.text(max_size=40)), max_size=12))
    body = "\n".join(f"{k}:{v}" for k, v in lines)
    path = tmp_path / "cards.vcf"
    path.write_text(f"BEGIN:VCARD\nVERSION:3.0\n{body}\nEND:VCARD\n", encoding="utf-8", errors="surrogatepass")
    _only_records(path)


def _corpus_sample() -> list[Path]:
    if not CORPUS.is_dir():
        return []
    files = sorted(CORPUS.rglob("*.vcf"))
    return random.Random(11).sample(files, min(25, len(files)))


@needs_corpus
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_fuzz_mutated_corpus_files(tmp_path: Path, data: st.DataObject) -> None:
    source = data.draw(st.sampled_from(_corpus_sample()))
    raw = bytearray(source.read_bytes())
    cut = data.draw(st.integers(0, len(raw)))
    raw = raw[:cut] if data.draw(st.booleans()) else raw
    for _ in range(data.draw(st.integers(0, 8))):
        if raw:
            i = data.draw(st.integers(0, len(raw) - 1))
            raw[i] = data.draw(st.integers(0, 255))
    path = tmp_path / "mutated.vcf"
    path.write_bytes(bytes(raw))
    _only_records(path)

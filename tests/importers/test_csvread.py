"""The shared strict CSV reader: line numbers, broken quotes, encodings, header scanning."""

from __future__ import annotations

import codecs

import pytest

from dunbar.errors import ImportProblem
from dunbar.importers import csvread
from dunbar.importers.records import Rejected


def _table(data: bytes | str) -> csvread.CsvTable:
    raw = data.encode() if isinstance(data, str) else data
    return csvread.open_table(raw, lambda keys: {"name", "email"} <= set(keys), name="t.csv", expected="Name, Email")


def _rows(data: bytes | str) -> list[tuple[int, list[str]] | Rejected]:
    return list(_table(data).rows())


def test_rows_carry_physical_line_numbers_across_multiline_fields() -> None:
    rows = _rows('Name,Email\nAna,"a@x.org"\nBo,"line one\nline two"\nCy,c@x.org\n')
    assert rows == [(2, ["Ana", "a@x.org"]), (3, ["Bo", "line one\nline two"]), (5, ["Cy", "c@x.org"])]


def test_quote_left_open_to_the_end_costs_one_row() -> None:
    rows = _rows('Name,Email\nAna,a@x.org\nBo,"b@x.org\nCy,c@x.org\nDi,d@x.org\n')
    assert isinstance(rows[1], Rejected)
    assert rows[1].line == 3
    assert "quote" in rows[1].reason
    assert rows[0] == (2, ["Ana", "a@x.org"])
    assert rows[2:] == [(4, ["Cy", "c@x.org"]), (5, ["Di", "d@x.org"])]


def test_quote_closed_lines_later_does_not_swallow_the_rows_between() -> None:
    rows = _rows('Name,Email,Org\nBo,"b@x.org,\nCy,c@x.org,\nDi,d@x.org,\nEd,e@x.org",\nFy,f@x.org,\n')
    rejected = [r for r in rows if isinstance(r, Rejected)]
    kept = [r for r in rows if not isinstance(r, Rejected)]
    assert next(r.line for r in rejected) == 2
    assert (3, ["Cy", "c@x.org", ""]) in kept
    assert (4, ["Di", "d@x.org", ""]) in kept
    assert (6, ["Fy", "f@x.org", ""]) in kept


def test_multiline_prose_in_a_wide_table_is_kept() -> None:
    text = 'Name,Email,Org,Notes\nBo,b@x.org,Acme,"Met in Lyon, 2019.\nLikes tea, cake.\nCall soon"\nCy,c@x.org,,\n'
    rows = _rows(text)
    assert rows == [
        (2, ["Bo", "b@x.org", "Acme", "Met in Lyon, 2019.\nLikes tea, cake.\nCall soon"]),
        (5, ["Cy", "c@x.org", "", ""]),
    ]


def test_a_quoted_field_past_the_line_limit_is_rejected_and_reading_resumes() -> None:
    body = "\n".join(f"x{i}" for i in range(csvread.MAX_RECORD_LINES + 5))
    rows = _rows(f'Name,Email\nBo,"{body}"\nCy,c@x.org\n')
    assert isinstance(rows[0], Rejected)
    assert rows[0].line == 2
    assert rows[-1] == (csvread.MAX_RECORD_LINES + 7, ["Cy", "c@x.org"])


def test_a_field_past_the_size_limit_is_rejected() -> None:
    rows = _rows('Name,Email\nBo,"' + "y" * 200_000 + '"\nCy,c@x.org\n')
    assert isinstance(rows[0], Rejected)
    assert rows[-1] == (3, ["Cy", "c@x.org"])


def test_wrong_field_counts_are_rejected_but_trailing_empty_fields_are_not() -> None:
    rows = _rows("Name,Email\nAna,a@x.org,extra\nBo\nCy,c@x.org,,\n")
    assert [type(r) for r in rows] == [Rejected, Rejected, tuple]
    assert rows[0].line == 2  # type: ignore[union-attr]
    assert "3 fields where the header has 2" in rows[0].reason  # type: ignore[union-attr]
    assert rows[2] == (4, ["Cy", "c@x.org"])


def test_empty_rows_are_skipped_and_duplicates_kept() -> None:
    rows = _rows("Name,Email\n,\n\nAna,a@x.org\nAna,a@x.org\n , \n")
    assert rows == [(4, ["Ana", "a@x.org"]), (5, ["Ana", "a@x.org"]), (6, [" ", " "])]


def test_bom_crlf_and_preamble() -> None:
    table = _table(codecs.BOM_UTF8 + b'Notes:\r\n"about, this"\r\n\r\nName,Email\r\nAna,a@x.org\r\n')
    assert table.header == ["Name", "Email"]
    assert table.header_line == 4
    assert list(table.rows()) == [(5, ["Ana", "a@x.org"])]


def test_cp1252_is_read_with_a_warning() -> None:
    table = _table("Name,Email\nRenée,r@x.org\n".encode("cp1252"))
    assert table.encoding == "cp1252"
    assert len(table.warnings) == 1
    assert list(table.rows()) == [(2, ["Renée", "r@x.org"])]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_with_and_without_bom(encoding: str) -> None:
    table = _table("Name,Email\nŁucja,l@x.org\n".encode(encoding))
    assert list(table.rows()) == [(2, ["Łucja", "l@x.org"])]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"  \n\n", "empty"),
        (b"\x00\x01\x02binary\x00junk\xff\xfe\x00", "not a text file"),
        (b"Given,Mail\nAna,a@x.org\n", "no header"),
        (b"x\n" * 30 + b"Name,Email\n", "no header"),
    ],
)
def test_unreadable_files_raise_import_problem(data: bytes, message: str) -> None:
    with pytest.raises(ImportProblem, match=message) as info:
        _table(data)
    assert info.value.path == "t.csv"


def test_header_only_gives_no_rows() -> None:
    assert _rows("Name,Email\n") == []


def test_head_rows_never_raises_on_a_truncated_head() -> None:
    assert csvread.head_rows(b'Name,Email\nAna,"unfinished') == [["Name", "Email"], ["Ana", "unfinished"]]
    assert csvread.head_rows(b"\x00\x00\x00") == []

"""Strict, streaming CSV reading shared by every CSV parser (LinkedIn, Google, Outlook, mapped files).

What it promises the parsers built on it:

- Bytes are decoded as UTF-8 (a BOM is dropped), UTF-16 with a BOM (or without one, recognised by its NUL
  pattern), and otherwise as cp1252 with a ``Warning`` record saying so. A file holding NUL characters after
  decoding is not text and raises ``ImportProblem``.
- The header is found by scanning the first ``scan`` records for one the parser recognises, so preambles such
  as LinkedIn's ``Notes:`` paragraph are skipped.
- Each data row comes with the physical line number it starts on. Rows whose every field is empty are skipped
  silently. Exact duplicate rows are yielded as they are: the import pipeline counts them as unchanged.
- A row with the wrong number of fields, a broken quote (``csv`` in strict mode), a quoted field running past
  ``MAX_RECORD_LINES`` lines or the ``csv`` field size limit, or a multi-line field whose lines are whole rows of
  the table (a quote left open) is yielded as ``Rejected`` with its first line. When
  such a record spans several lines, reading restarts at the line after its first one, so one stray quote costs
  one row and never swallows the rows after it.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from dunbar.errors import ImportProblem
from dunbar.importers.records import Rejected, Warning
from dunbar.text import fold

# A legitimate multi-line field (a message body, a postal address) is a few dozen lines; a quote left open by
# mistake runs until the next quote character, which in a real export is usually one or two lines later.
MAX_RECORD_LINES = 400
MAX_FILE_BYTES = 512 * 1024 * 1024
SCAN_RECORDS = 20
_REJECT_TEXT = 300

Row = tuple[int, list[str]]
HeaderTest = Callable[[list[str]], bool]


def column_key(name: str) -> str:
    """The form column names are compared in: folded, trimmed, without a stray BOM or surrounding quotes."""
    return fold(name.replace("\ufeff", "").strip().strip('"').strip())


def decode(data: bytes) -> tuple[str, str]:
    """Text and the encoding used. Raises ``ImportProblem`` for data that is not text at all."""
    if data.startswith(codecs.BOM_UTF8):
        text, encoding = _decode_or_cp1252(data[3:], "utf-8")
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text, encoding = data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise ImportProblem("the file starts like UTF-16 but is not valid UTF-16") from None
    else:
        sixteen = _utf16_without_bom(data)
        if sixteen:
            try:
                text, encoding = data.decode(sixteen), sixteen
            except UnicodeDecodeError:
                text, encoding = _decode_or_cp1252(data, "utf-8")
        else:
            text, encoding = _decode_or_cp1252(data, "utf-8")
    if "\x00" in text:
        raise ImportProblem(
            "this is not a text file (it holds NUL bytes)", hint="export the data as CSV and import that file"
        )
    return text, encoding


def _decode_or_cp1252(data: bytes, encoding: str) -> tuple[str, str]:
    try:
        return data.decode(encoding), encoding
    except UnicodeDecodeError:
        # Excel and Outlook on Windows save "CSV" in the ANSI code page; five cp1252 bytes are undefined.
        return data.decode("cp1252", errors="replace"), "cp1252"


def _utf16_without_bom(data: bytes) -> str | None:
    head = data[:400]
    if len(head) < 8:
        return None
    even = head[0::2].count(0)
    odd = head[1::2].count(0)
    half = len(head) // 2
    if odd > half * 0.4 and even < half * 0.05:
        return "utf-16-le"
    if even > half * 0.4 and odd < half * 0.05:
        return "utf-16-be"
    return None


def read_bytes(path: Path) -> bytes:
    """The file's bytes, or ``ImportProblem`` when it cannot be read."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ImportProblem(f"the file is {size // (1024 * 1024)} MB, more than a CSV import takes", path=str(path))
        return path.read_bytes()
    except OSError as exc:
        raise ImportProblem(f"cannot read the file: {exc.strerror or exc}", path=str(path)) from None


def head_rows(head: bytes, limit: int = SCAN_RECORDS) -> list[list[str]]:
    """The first rows of a file's head, leniently parsed, for ``sniff``: never raises."""
    try:
        text, _ = decode(head)
    except ImportProblem:
        return []
    rows: list[list[str]] = []
    lines = io.StringIO(text, newline="").readlines()
    reader = csv.reader(lines[:200])
    try:
        for row in reader:
            if row:
                rows.append(row)
                if len(rows) >= limit:
                    break
    except csv.Error:
        pass
    return rows


@dataclass(slots=True)
class CsvTable:
    """A decoded CSV file with its header found; ``rows()`` streams the data rows after it."""

    name: str  # the file name for messages
    lines: list[str]
    header: list[str]
    header_line: int  # 1-based physical line of the header
    body_start: int  # 0-based index of the first line after the header
    encoding: str
    warnings: list[Warning] = field(default_factory=list)
    columns: dict[str, int] = field(default_factory=dict)  # column_key -> index of its first occurrence

    def col(self, *names: str) -> int | None:
        """Index of the first of ``names`` (compared as ``column_key``) that the header has."""
        for name in names:
            index = self.columns.get(column_key(name))
            if index is not None:
                return index
        return None

    def rows(self) -> Iterator[Row | Rejected]:
        """``(line, fields)`` for each data row, or ``Rejected``; ``fields`` always has the header's length."""
        width = len(self.header)
        lines = self.lines
        total = len(lines)
        start = self.body_start  # 0-based index where the current reader started
        while start < total:
            reader = csv.reader(islice(lines, start, None), strict=True)
            consumed = 0  # lines this reader has consumed before the current record
            restart: int | None = None
            while True:
                try:
                    row = next(reader)
                except StopIteration:
                    return
                except csv.Error as exc:
                    first = start + consumed + 1  # 1-based line the broken record starts on
                    yield Rejected(first, f"broken quoting ({exc}); a quote is probably left open", self._text(first))
                    restart = first  # 0-based index of the line after the first one
                    break
                span = reader.line_num - consumed
                first = start + consumed + 1
                consumed = reader.line_num
                if not row:
                    continue
                n = len(row)
                if n != width:
                    if n > width and not any(row[width:]):
                        row = row[:width]
                    else:
                        reason = f"{n} fields where the header has {width}"
                        if span > 1:
                            reason += f"; a quoted field runs over {span} lines, a quote is probably left open"
                        yield Rejected(first, reason, self._text(first))
                        if span > 1:
                            restart = first
                            break
                        continue
                if span > MAX_RECORD_LINES or (span > 1 and _swallows_rows(row, width)):
                    yield Rejected(
                        first,
                        f"a quoted field runs over {span} lines; a quote is probably left open",
                        self._text(first),
                    )
                    restart = first
                    break
                if not any(row):
                    continue
                yield first, row
            if restart is None:
                return
            start = restart

    def _text(self, line: int) -> str:
        if 0 < line <= len(self.lines):
            return self.lines[line - 1].rstrip("\r\n")[:_REJECT_TEXT]
        return ""


def _swallows_rows(row: list[str], width: int) -> bool:
    """Whether a multi-line field holds lines that are whole rows of this table: the mark of a quote left open.

    Prose (a message body, an address) seldom has exactly ``width - 1`` commas on a line; tables of fewer than
    three columns are too narrow to tell, so they rely on the other checks.
    """
    if width < 3:
        return False
    for value in row:
        if "\n" not in value and "\r" not in value:
            continue
        for fragment in value.splitlines()[1:]:
            try:
                fields = next(csv.reader([fragment]), [])
            except csv.Error:
                continue
            if len(fields) == width:
                return True
    return False


def open_table(
    data: bytes, is_header: HeaderTest, *, name: str, scan: int = SCAN_RECORDS, expected: str = ""
) -> CsvTable:
    """Decode ``data`` and find its header: the first of the first ``scan`` records that ``is_header`` accepts.

    ``is_header`` receives the header's ``column_key`` forms. Raises ``ImportProblem`` naming ``expected``
    columns when no header is found, and for data that is not text.
    """
    try:
        text, encoding = decode(data)
    except ImportProblem as exc:
        raise ImportProblem(exc.message, path=name, hint=exc.hint) from None
    if not text.strip():
        raise ImportProblem("the file is empty", path=name)
    lines = io.StringIO(text, newline="").readlines()
    warnings: list[Warning] = []
    if encoding == "cp1252":
        warnings.append(Warning("the file is not UTF-8; read it as Windows-1252 (cp1252)", line=None))
    found = _find_header(lines, is_header, scan)
    if found is None:
        hint = f"a header line naming columns such as {expected} should be among the first {scan} lines"
        raise ImportProblem("no header line with known column names", path=name, hint=hint if expected else None)
    header, header_line, body_start = found
    columns: dict[str, int] = {}
    for index, title in enumerate(header):
        columns.setdefault(column_key(title), index)
    return CsvTable(name, lines, header, header_line, body_start, encoding, warnings, columns)


def open_path(path: Path, is_header: HeaderTest, *, scan: int = SCAN_RECORDS, expected: str = "") -> CsvTable:
    return open_table(read_bytes(path), is_header, name=str(path), scan=scan, expected=expected)


def _find_header(lines: Sequence[str], is_header: HeaderTest, scan: int) -> tuple[list[str], int, int] | None:
    index = 0
    seen = 0
    total = len(lines)
    while index < total and seen < scan:
        reader = csv.reader(islice(lines, index, None))
        try:
            row = next(reader)
        except StopIteration:
            return None
        except csv.Error:
            index += 1
            seen += 1
            continue
        end = index + reader.line_num
        if row and any(row):
            seen += 1
            keys = [column_key(title) for title in row]
            if is_header(keys):
                # Trailing empty titles (a spreadsheet's extra commas) are kept: rows carry the same commas.
                return row, index + 1, end
        index = end
    return None

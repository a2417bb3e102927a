"""Address-book CSV files: Google Contacts (current and legacy layouts), Outlook, Thunderbird, and any other CSV
given an explicit column mapping (``dunbar import --map "Given=given_name,Mail=email"``).

Every layout is read the same way: the header's columns are matched against a table of known column names
(``_ALIASES`` and the numbered Google columns such as ``E-mail 2 - Value``), which yields a *plan* of
(column, target, label) steps; a mapped CSV is the same plan written by the user. An organization is only ever
taken from an organization column, never derived from an e-mail domain.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from dunbar.errors import ImportProblem, InvalidInput
from dunbar.importers import csvread
from dunbar.importers.records import (
    DateRecord,
    EmploymentRecord,
    ParseContext,
    PersonRecord,
    Record,
    Rejected,
    Warning,
)

FORMAT = "contacts-csv"
MAPPED_FORMAT = "csv"  # any CSV with an explicit --map

# What a column can be mapped to, and what each means; shown in the --map error message.
TARGETS: dict[str, str] = {
    "name": "the full name as displayed",
    "given_name": "first name",
    "middle_name": "middle name",
    "family_name": "last name",
    "prefix": "name prefix (Dr., Ms.)",
    "suffix": "name suffix (Jr.)",
    "nickname": "nickname",
    "email": "an e-mail address (email:work adds a label)",
    "phone": "a phone number (phone:mobile adds a label)",
    "url": "a web address (url:blog adds a label)",
    "linkedin": "a LinkedIn profile URL",
    "organization": "employer or organization",
    "title": "job title",
    "department": "department",
    "birthday": "birthday (1980-05-14, --05-14, 5/14/1980)",
    "anniversary": "anniversary, same forms as birthday",
    "birth_year": "birth year alone",
    "birth_month": "birth month alone",
    "birth_day": "birth day alone",
    "notes": "notes",
    "tags": "tags or groups (split on ::: and ;)",
    "location": "where the person is",
    "city": "city (joined with region and country into the location)",
    "region": "region or state",
    "country": "country",
    "connected_on": "when you got to know each other",
    "field": "kept as is, under the column's name",
    "skip": "ignored",
}
_LABELLED = {"email", "phone", "url"}

_ALIASES: dict[str, tuple[str, str | None]] = {
    # names
    "name": ("name", None),
    "display name": ("name", None),
    "full name": ("name", None),
    "first name": ("given_name", None),
    "given name": ("given_name", None),
    "middle name": ("middle_name", None),
    "additional name": ("middle_name", None),
    "last name": ("family_name", None),
    "family name": ("family_name", None),
    "surname": ("family_name", None),
    "name prefix": ("prefix", None),
    "title": ("prefix", None),  # Outlook and Roundcube: "Title" is Mr./Dr.; the job is "Job Title"
    "name suffix": ("suffix", None),
    "suffix": ("suffix", None),
    "nickname": ("nickname", None),
    # e-mail
    "e-mail address": ("email", None),
    "e-mail 2 address": ("email", None),
    "e-mail 3 address": ("email", None),
    "email address": ("email", None),
    "email": ("email", None),
    "primary email": ("email", None),
    "secondary email": ("email", None),
    "email home": ("email", "home"),
    "email work": ("email", "work"),
    "email other": ("email", "other"),
    # phones
    "business phone": ("phone", "work"),
    "business phone 2": ("phone", "work"),
    "company main phone": ("phone", "work"),
    "work phone": ("phone", "work"),
    "home phone": ("phone", "home"),
    "home phone 2": ("phone", "home"),
    "mobile phone": ("phone", "mobile"),
    "mobile number": ("phone", "mobile"),
    "home mobile": ("phone", "mobile"),
    "primary phone": ("phone", "main"),
    "other phone": ("phone", "other"),
    "car phone": ("phone", "car"),
    "pager": ("phone", "pager"),
    "pager number": ("phone", "pager"),
    "business fax": ("phone", "work fax"),
    "home fax": ("phone", "home fax"),
    "fax number": ("phone", "fax"),
    "assistant's phone": ("phone", "assistant"),
    "phone video": ("phone", "video"),
    # work
    "company": ("organization", None),
    "organization": ("organization", None),
    "organization name": ("organization", None),
    "job title": ("title", None),
    "organization title": ("title", None),
    "department": ("department", None),
    "organization department": ("department", None),
    # dates, notes, groups
    "birthday": ("birthday", None),
    "anniversary": ("anniversary", None),
    "birth year": ("birth_year", None),
    "birth month": ("birth_month", None),
    "birth day": ("birth_day", None),
    "notes": ("notes", None),
    "labels": ("tags", None),
    "group membership": ("tags", None),
    "categories": ("tags", None),
    # web
    "web page": ("url", None),
    "web page 1": ("url", None),
    "web page 2": ("url", None),
    "personal web page": ("url", "home"),
    "website": ("url", None),
    "website home page": ("url", "home"),
    "website work": ("url", "work"),
    "website blog": ("url", "blog"),
    "website profile": ("url", "profile"),
    "website other": ("url", None),
    "linkedin": ("linkedin", None),
    # where
    "location": ("location", None),
    "home city": ("city", None),
    "business city": ("city", None),
    "work city": ("city", None),
    "home state": ("region", None),
    "business state": ("region", None),
    "work state": ("region", None),
    "home country": ("country", None),
    "home country/region": ("country", None),
    "business country/region": ("country", None),
    "work country": ("country", None),
}

# Google's numbered columns: "E-mail 2 - Value" with its "E-mail 2 - Label" (current) or "- Type" (legacy).
_NUMBERED = re.compile(
    r"(e-mail|phone|website|organization|address) (\d+) - (value|name|title|department|city|region|country)"
)
_NUMBERED_TARGET = {
    ("e-mail", "value"): "email",
    ("phone", "value"): "phone",
    ("website", "value"): "url",
    ("organization", "name"): "organization",
    ("organization", "title"): "title",
    ("organization", "department"): "department",
    ("address", "city"): "city",
    ("address", "region"): "region",
    ("address", "country"): "country",
}
_SYSTEM_GROUPS = {"mycontacts", "my contacts", "starred"}


@dataclass(frozen=True, slots=True)
class Step:
    column: int
    target: str
    label: str | None = None
    label_column: int | None = None  # where a per-row label lives (Google's "E-mail 1 - Label")
    title: str = ""  # the column's own name, for "field"


# --- layouts --------------------------------------------------------------------------------------------------


def layout_of(keys: list[str]) -> str | None:
    """Which address book wrote a header (``column_key`` forms): google, google-legacy, outlook, thunderbird,
    generic (enough known columns to read it), or None."""
    have = set(keys)
    if "connected on" in have:  # a LinkedIn Connections file: the linkedin parser reads it
        return None
    if "e-mail 1 - value" in have or "phone 1 - value" in have or "organization name" in have:
        return "google-legacy" if "given name" in have or "group membership" in have else "google"
    if {"given name", "family name"} <= have:
        return "google-legacy"
    if "primary email" in have and ("display name" in have or "first name" in have):
        return "thunderbird"
    if "e-mail address" in have and ("first name" in have or "business phone" in have or "name" in have):
        return "outlook"
    known = sum(1 for key in have if key in _ALIASES or _NUMBERED.fullmatch(key))
    people = have & {"name", "display name", "first name", "last name", "e-mail address", "email", "primary email"}
    if people and known >= 1 and known * 2 >= min(len(have), 6):
        return "generic"
    return None


def _is_header(keys: list[str]) -> bool:
    return layout_of(keys) is not None


def sniff(path: Path, head: bytes) -> float:
    """Confidence that ``path`` is an address-book CSV we know, from its header; the .csv name adds a little."""
    bonus = 0.05 if path.suffix.lower() == ".csv" else 0.0
    for row in csvread.head_rows(head):
        layout = layout_of([csvread.column_key(title) for title in row])
        if layout is not None:
            return min(1.0, (0.5 if layout == "generic" else 0.85) + bonus)
    return 0.0


def plan_for(table: csvread.CsvTable) -> list[Step]:
    """The steps that read a known layout's columns."""
    steps: list[Step] = []
    keys = [csvread.column_key(title) for title in table.header]
    for index, key in enumerate(keys):
        if key in _ALIASES:
            target, label = _ALIASES[key]
            steps.append(Step(index, target, label, None, table.header[index]))
            continue
        m = _NUMBERED.fullmatch(key)
        if m:
            numbered = _NUMBERED_TARGET.get((m.group(1), m.group(3)))
            if numbered is None:
                continue
            label_column = table.col(f"{m.group(1)} {m.group(2)} - label", f"{m.group(1)} {m.group(2)} - type")
            steps.append(Step(index, numbered, None, label_column, table.header[index]))
    return steps


# --- values ---------------------------------------------------------------------------------------------------

_ISO_DATE = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")
_NO_YEAR = re.compile(r"--(\d{1,2})-?(\d{1,2})")
_SLASHED = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})")


def parse_day(text: str) -> tuple[int | None, int, int] | None:
    """(year or None, month, day) from the birthday forms address books write; None when empty or unreadable.

    ``5/14/1980`` is month first (Outlook, Google); ``20/01/1991`` and ``20.01.1991`` are day first when the
    first number cannot be a month, and dotted dates are always day first. Outlook's ``0/0/00`` means none.
    """
    s = text.strip()
    m = _ISO_DATE.fullmatch(s)
    if m:
        return _checked(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    m = _NO_YEAR.fullmatch(s)
    if m:
        return _checked(None, int(m.group(1)), int(m.group(2)))
    m = _SLASHED.fullmatch(s)
    if m:
        a, b, y = int(m.group(1)), int(m.group(2)), m.group(3)
        year = int(y) if len(y) == 4 else (2000 + int(y) if int(y) < 30 else 1900 + int(y))
        if a == 0 or b == 0:
            return None
        if "." in s or a > 12:
            return _checked(year, b, a)
        return _checked(year, a, b)
    return None


def _checked(year: int | None, month: int, day: int) -> tuple[int | None, int, int] | None:
    from datetime import date

    try:
        date(year or 2000, month, day)  # 2000 is a leap year: 29 Feb without a year is fine
    except ValueError:
        return None
    if year is not None and year < 1800:  # placeholder years (1604, 0001) mean "unknown"
        year = None
    return year, month, day


def _label(text: str) -> str | None:
    # Google marks the primary value with "* ": "* Home"; the star is no label.
    value = text.strip().lstrip("*").strip().lower()
    return value or None


def _tags(text: str) -> list[str]:
    tags = []
    for part in re.split(r":::|;", text):
        tag = part.strip()
        if tag.startswith("*"):
            tag = tag.lstrip("*").strip()
            if tag.lower() in _SYSTEM_GROUPS:
                continue
        if tag.lower().startswith("system group:") or not tag:
            continue
        if tag not in tags:
            tags.append(tag)
    return tags


def _values(text: str) -> list[str]:
    return [v.strip() for v in text.split(":::") if v.strip()]


# --- rows -----------------------------------------------------------------------------------------------------


def build_person(line: int, row: list[str], steps: list[Step]) -> list[Record]:
    """One row through the plan: a PersonRecord (and warnings), or a Rejected."""
    out: list[Record] = []
    person = PersonRecord(line=line)
    one: dict[str, str] = {}  # single-valued targets: the first non-empty column wins
    organization = title = ""
    for step in steps:
        raw = row[step.column].strip()
        if not raw:
            continue
        target = step.target
        if target in _LABELLED or target == "linkedin":
            label = step.label
            if step.label_column is not None:
                label = _label(row[step.label_column]) or label
            if target == "linkedin":
                target, label = "url", "linkedin"
            bucket = person.emails if target == "email" else person.phones if target == "phone" else person.links
            for value in _values(raw):
                if all(value != have for have, _ in bucket):
                    bucket.append((value, label))
        elif target == "tags":
            person.tags.extend(t for t in _tags(raw) if t not in person.tags)
        elif target == "notes":
            person.notes.append(raw)
        elif target == "field":
            person.fields[step.title] = raw
        elif target == "organization":
            organization = organization or raw
        elif target == "title":
            title = title or raw
        elif target != "skip":
            one.setdefault(target, raw)

    given, middle, family = one.get("given_name"), one.get("middle_name"), one.get("family_name")
    person.given_name, person.family_name, person.nickname = given, family, one.get("nickname")
    for key in ("middle_name", "prefix", "suffix", "department"):
        if key in one:
            person.fields[key] = one[key]
    person.display_name = one.get("name") or " ".join(p for p in (given, middle, family) if p) or None
    if organization:
        person.employments.append(EmploymentRecord(organization, title or None))
    elif title:
        person.fields["title"] = title
    if "location" in one:
        person.location = one["location"]
    else:
        place = [one[k] for k in ("city", "region", "country") if k in one]
        person.location = ", ".join(place) or None
    for kind in ("birthday", "anniversary"):
        if kind in one:
            day = parse_day(one[kind])
            if day is not None:
                person.dates.append(DateRecord(kind, day[1], day[2], day[0]))
            elif one[kind] not in ("0/0/00", "0/0/0000", "00.00.0000"):
                out.append(Warning(f"unreadable {kind} {one[kind]!r}, kept as a field", line))
                person.fields[kind] = one[kind]
    if "birth_month" in one and "birth_day" in one:
        try:
            year = int(one["birth_year"]) if "birth_year" in one else None
            day = _checked(year, int(one["birth_month"]), int(one["birth_day"]))
        except ValueError:
            day = None
        if day is not None:
            person.dates.append(DateRecord("birthday", day[1], day[2], day[0]))
    if "connected_on" in one:
        day = parse_day(one["connected_on"])
        if day is not None and day[0] is not None:
            from datetime import date

            person.connected_on = date(day[0], day[1], day[2])
        else:
            out.append(Warning(f"unreadable date {one['connected_on']!r} for connected_on", line))
    if not person.display_name:
        if person.emails:
            person.display_name = person.emails[0][0]  # what address books show for a bare address
        elif not person.phones:
            return [Rejected(line, "no name, e-mail address or phone number", ",".join(row)[:300])]
    out.append(person)
    return out


def _parse_table(table: csvread.CsvTable, steps: list[Step]) -> Iterator[Record]:
    yield from table.warnings
    for item in table.rows():
        if type(item) is Rejected:
            yield item
            continue
        line, row = item  # type: ignore[misc]
        yield from build_person(line, row, steps)


_EXPECTED = "First Name, Last Name, E-mail 1 - Value (Google) or E-mail Address (Outlook)"


def parse(path: Path, ctx: ParseContext) -> Iterator[Record]:
    """Records of a Google, Outlook or Thunderbird contacts CSV, the layout told by its header."""
    table = csvread.open_path(path, _is_header, expected=_EXPECTED)
    yield from _parse_table(table, plan_for(table))


# --- explicit mapping -----------------------------------------------------------------------------------------


def _targets_text() -> str:
    return ", ".join(TARGETS)


def parse_map_option(text: str) -> dict[str, str]:
    """``"Given=given_name,Mail=email:work"`` as {column: target}; ``InvalidInput`` naming the valid targets."""
    mapping: dict[str, str] = {}
    for part in (text or "").split(","):
        if not part.strip():
            continue
        column, sep, target = part.rpartition("=")
        column, target = column.strip(), target.strip().lower()
        if not sep or not column or not target:
            raise InvalidInput(
                f"--map entry {part.strip()!r} is not COLUMN=TARGET",
                hint=f'write it like "Given=given_name,Mail=email"; targets: {_targets_text()}',
            )
        base, _, label = target.partition(":")
        if base not in TARGETS:
            raise InvalidInput(
                f"--map: unknown target {base!r} for column {column!r}", hint=f"targets: {_targets_text()}"
            )
        if label and base not in _LABELLED:
            raise InvalidInput(
                f"--map: only email, phone and url take a label, not {base!r}", hint='like "Mail=email:work"'
            )
        if column in mapping:
            raise InvalidInput(f"--map: column {column!r} is mapped twice")
        mapping[column] = target
    if not mapping:
        raise InvalidInput(
            "--map is empty", hint=f'write it like "Given=given_name,Mail=email"; targets: {_targets_text()}'
        )
    return mapping


def parse_mapped(path: Path, mapping: dict[str, str], ctx: ParseContext) -> Iterator[Record]:
    """Records of any CSV whose columns ``mapping`` (column name -> target, see ``parse_map_option``) names.

    The header is the first of the first 20 lines holding every mapped column (compared case-insensitively).
    """
    for target in mapping.values():
        if target.partition(":")[0] not in TARGETS:
            raise InvalidInput(f"unknown mapping target {target!r}", hint=f"targets: {_targets_text()}")
    wanted = {csvread.column_key(column): target for column, target in mapping.items()}
    try:
        table = csvread.open_path(path, lambda keys: set(wanted) <= set(keys))
    except ImportProblem as exc:
        if "no header" not in exc.message:
            raise
        raise ImportProblem(
            f"no header line holding every mapped column ({', '.join(mapping)}) in the first 20 lines",
            path=str(path),
            hint=f"the first line names: {_first_line(path)}",
        ) from None
    steps: list[Step] = []
    for key, target in wanted.items():
        base, _, label = target.partition(":")
        index = table.columns[key]
        steps.append(Step(index, base, label or None, None, table.header[index]))
    steps.sort(key=lambda step: step.column)
    yield from _parse_table(table, steps)


def _first_line(path: Path) -> str:
    rows = csvread.head_rows(csvread.read_bytes(path)[:65536], limit=1)
    return ", ".join(rows[0][:30]) if rows else "(nothing)"

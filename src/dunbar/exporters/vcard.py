"""vCard export: a person (the shape ``dunbar show --json`` gives) as a vCard 3.0 or 4.0 text.

The UID is the person's own ``uid`` in ``urn:uuid:`` form, so a re-export updates the same contact in an
address book instead of adding a copy. Lines are folded at 75 octets without splitting a UTF-8 sequence.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from typing import Any, TextIO

from dunbar import normalize

VERSIONS = ("3.0", "4.0")
_PHONE_TYPES = {"mobile": "cell", "cell": "cell", "home": "home", "work": "work", "fax": "fax", "pager": "pager"}
_EMAIL_TYPES = {"home": "home", "work": "work", "personal": "home", "other": "other"}


def escape(value: str) -> str:
    """Text value escaping (RFC 6350 3.4): backslash, comma, semicolon and newlines."""
    return (
        value.replace("\\", "\\\\")
        .replace(",", "\\,")
        .replace(";", "\\;")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold(line: str) -> str:
    """Fold a content line at 75 octets; continuation lines start with one space."""
    data = line.encode("utf-8")
    if len(data) <= 75:
        return line
    parts: list[str] = []
    start = 0
    limit = 75
    while start < len(data):
        end = min(start + limit, len(data))
        while end < len(data) and (data[end] & 0xC0) == 0x80:  # never cut inside a UTF-8 sequence
            end -= 1
        parts.append(data[start:end].decode("utf-8"))
        start = end
        limit = 74  # the leading space counts
    return "\r\n ".join(parts)


def _uid(person: Mapping[str, Any]) -> str | None:
    raw = person.get("uid")
    if not raw:
        return None
    try:
        return uuid.UUID(hex=str(raw)).urn
    except ValueError:
        return str(raw)


def _type(version: str, types: list[str], pref: bool) -> str:
    if version == "4.0":
        params = f";TYPE={','.join(types)}" if types else ""
        return params + (";PREF=1" if pref else "")
    all_types = [*types, "pref"] if pref else types
    return f";TYPE={','.join(all_types)}" if all_types else ""


def _date(d: Mapping[str, Any], version: str) -> str | None:
    month, day, year = d.get("month"), d.get("day"), d.get("year")
    if not (month and day):
        return None
    if year:
        return (
            f"{int(year):04d}-{int(month):02d}-{int(day):02d}"
            if version == "3.0"
            else f"{int(year):04d}{int(month):02d}{int(day):02d}"
        )
    return f"--{int(month):02d}{int(day):02d}" if version == "4.0" else f"--{int(month):02d}-{int(day):02d}"


def person_to_vcard(person: Mapping[str, Any], version: str = "3.0") -> str:
    """One vCard (CRLF line ends, folded) for ``person``; ``version`` is "3.0" (default) or "4.0"."""
    if version not in VERSIONS:
        raise ValueError(f"vCard version must be one of {', '.join(VERSIONS)}, not {version!r}")
    name = str(person.get("name") or "").strip()
    given = str(person.get("given_name") or "").strip()
    family = str(person.get("family_name") or "").strip()
    lines = ["BEGIN:VCARD", f"VERSION:{version}"]
    if version == "3.0":
        lines.append("PRODID:-//dunbar//dunbar//EN")
    uid = _uid(person)
    if uid:
        lines.append(f"UID:{uid}")
    lines.append(f"FN:{escape(name or ' '.join(p for p in (given, family) if p) or 'Unnamed')}")
    if not (given or family) and name:
        given, _, family = name.rpartition(" ") if " " in name else (name, "", "")
    lines.append(f"N:{escape(family)};{escape(given)};;;")
    if person.get("nickname"):
        lines.append(f"NICKNAME:{escape(str(person['nickname']))}")

    for e in person.get("emails") or []:
        label = str(e.get("label") or "").lower()
        types = ["internet"] if version == "3.0" else []
        if label in _EMAIL_TYPES:
            types.append(_EMAIL_TYPES[label])
        lines.append(f"EMAIL{_type(version, types, bool(e.get('primary')))}:{escape(str(e['address']))}")

    for p in person.get("phones") or []:
        number = str(p["number"])
        e164 = normalize.phone(number) or number  # stored numbers are E.164 already; keep anything else as given
        label = str(p.get("label") or "").lower()
        types = [_PHONE_TYPES[label]] if label in _PHONE_TYPES else []
        if version == "4.0":
            types.append("voice")
            value = f"tel:{e164}" if e164.startswith("+") else e164
            prefix = ";VALUE=uri" if value.startswith("tel:") else ""
            lines.append(f"TEL{prefix}{_type(version, types, bool(p.get('primary')))}:{value}")
        else:
            lines.append(f"TEL{_type(version, types, bool(p.get('primary')))}:{escape(e164)}")

    current = [j for j in person.get("employments") or [] if j.get("current")]
    if not current:
        current = [j for j in person.get("employments") or [] if not j.get("end")][:1]
    if current:
        job = current[0]
        if job.get("organization"):
            lines.append(f"ORG:{escape(str(job['organization']))}")
        if job.get("title"):
            lines.append(f"TITLE:{escape(str(job['title']))}")

    for i, link in enumerate(person.get("links") or [], 1):
        url = str(link.get("url") or "").strip()
        if not url:
            continue
        if "://" not in url:
            url = "https://" + url
        label = link.get("label") or link.get("kind")
        if label and version == "3.0":  # Apple's labelled groups; other readers ignore X-ABLabel
            lines += [f"item{i}.URL:{url}", f"item{i}.X-ABLabel:{escape(str(label))}"]
        else:
            lines.append(f"URL:{url}")

    for d in person.get("dates") or []:
        when = _date(d, version)
        if when is None:
            continue
        kind = d.get("kind")
        if kind == "birthday":
            lines.append(f"BDAY:{when}")
        elif kind == "anniversary":
            lines.append(f"ANNIVERSARY:{when}" if version == "4.0" else f"X-ANNIVERSARY:{when}")

    if person.get("location"):
        location = str(person["location"])
        if version == "4.0":
            lines.append(f"ADR;LABEL={_param(location)}:;;;{escape(location)};;;")
        else:
            lines.append(f"ADR:;;;{escape(location)};;;")

    notes = [str(n.get("body") or "").strip() for n in person.get("notes") or []]
    extra = [f"How we met: {person['how_met']}"] if person.get("how_met") else []
    body = "\n\n".join([*extra, *(n for n in notes if n)])
    if body:
        lines.append(f"NOTE:{escape(body)}")

    tags = [str(t) for t in person.get("tags") or [] if str(t).strip()]
    if tags:
        lines.append("CATEGORIES:" + ",".join(escape(t) for t in tags))
    lines.append("END:VCARD")
    return "\r\n".join(fold(line) for line in lines) + "\r\n"


def _param(value: str) -> str:
    """A parameter value (RFC 6868): newlines as ^n, quotes as ^', always quoted."""
    return '"' + value.replace("^", "^^").replace("\n", "^n").replace('"', "^'") + '"'


def write_vcards(people: Iterable[Mapping[str, Any]], out: TextIO, version: str = "3.0") -> int:
    """Write one vCard per person to ``out``; returns how many were written."""
    n = 0
    for person in people:
        out.write(person_to_vcard(person, version))
        n += 1
    return n


def write_all(db: Any, out: TextIO, version: str = "3.0") -> dict[str, int]:
    """Every live person but "me" as vCards; the UID is the person's own, so a re-import finds them again."""
    from dunbar.people import get_people
    from dunbar.store.db import chunks

    ids = [
        int(r[0])
        for r in db.rows(
            "SELECT id FROM person WHERE deleted_at IS NULL AND (is_me IS NULL OR is_me = :f) ORDER BY id", {"f": False}
        )
    ]
    # Seven queries a page of people, not seven a person.
    people = (get_people(db, page)[pid] for page in chunks(ids) for pid in page)
    return {"person": write_vcards(people, out, version)}

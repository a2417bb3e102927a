"""``dunbar export --vcard``: every live person out as vCards, back in through ``dunbar import`` unchanged."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import vobject

from dunbar.importers import vcard as vcard_parser
from dunbar.importers.records import PersonRecord
from dunbar.people import get_person
from dunbar.store import open_db
from tests.conftest import Cli

PEOPLE: list[list[str]] = [
    [
        "Ada Okafor",
        "-e",
        "work:ada@hooli.example",
        "-e",
        "ada@mail.example",
        "-p",
        "+1 415 555 0100",
        "--org",
        "Hooli, Inc.",
        "--title",
        "Staff Engineer; Parsers",
        "--linkedin",
        "https://www.linkedin.com/in/ada-okafor",
        "-t",
        "mentor",
        "--birthday",
        "1990-03-04",
    ],
    ["Bo Chen", "-e", "bo@globex.example"],
    ["José Müller", "-p", "+49 30 1234567", "--org", "Initech", "-e", "jose@initech.example"],
    ["Zoë Ångström-Łukasiewicz", "-e", "zoe@example.net", "--note", "Met at the conference in Lisbon, 2023."],
    ["Kemal Haddad", "--linkedin", "https://www.linkedin.com/in/kemal-haddad", "--org", "Umbrella"],
]


def _people(url: str) -> dict[str, dict[str, Any]]:
    """Live people but "me", by name: what a vCard carries (names, e-mails, phones, current organization)."""
    db = open_db(url)
    try:
        ids = [
            int(r[0]) for r in db.rows("SELECT id FROM person WHERE deleted_at IS NULL AND is_me = :f", {"f": False})
        ]
        out = {}
        for pid in ids:
            p = get_person(db, pid)
            out[p["name"]] = {
                "given": p["given_name"],
                "family": p["family_name"],
                "emails": sorted(e["address"].lower() for e in p["emails"]),
                "phones": sorted(ph["number"] for ph in p["phones"]),
                "orgs": sorted(j["organization"] for j in p["employments"] if j["current"]),
                "links": sorted(link["url"].rstrip("/") for link in p["links"]),
            }
        return out
    finally:
        db.close()


@pytest.fixture
def network(cli: Cli) -> Cli:
    for argv in PEOPLE:
        cli("add", *argv)
    cli("add", "Trashed Person", "-e", "gone@example.com")
    cli("rm", "Trashed Person")
    return cli


@pytest.fixture
def fresh(sqlite_template: Path, tmp_path: Path) -> Cli:
    path = tmp_path / "fresh.db"
    shutil.copy(sqlite_template, path)
    c = Cli(f"sqlite:///{path}")
    c("init", "--name", "Jordan Avery", "--email", "jordan@example.org")
    return c


def test_export_then_import_gives_the_same_people(network: Cli, fresh: Cli, tmp_path: Path) -> None:
    out = tmp_path / "people.vcf"
    res = network("export", "--vcard", str(out))
    assert f"Exported {len(PEOPLE)} people to {out}" in res.stdout
    text = out.read_text(encoding="utf-8")
    assert text.count("BEGIN:VCARD") == len(PEOPLE)
    assert "Trashed Person" not in text
    assert "Jordan Avery" not in text
    assert "VERSION:3.0" in text
    assert out.read_bytes().count(b"\r\n") == text.count("\n")  # every line ends in CRLF, as RFC 6350 asks

    report = fresh("import", str(out), "--json").json()
    assert report["read"] == len(PEOPLE)
    assert report["people_created"] == len(PEOPLE)
    assert report["rejected"] == 0
    assert _people(fresh.url) == _people(network.url)


def test_reimport_into_the_original_changes_nothing(network: Cli, tmp_path: Path) -> None:
    out = tmp_path / "people.vcf"
    network("export", "--vcard", str(out))
    before = _people(network.url)
    report = network("import", str(out), "--json").json()
    assert (report["read"], report["created"], report["merged"]) == (len(PEOPLE), 0, 0)
    assert report["unchanged"] == len(PEOPLE)
    assert _people(network.url) == before


def test_uids_are_stable_between_exports(network: Cli, tmp_path: Path) -> None:
    first, second = tmp_path / "a.vcf", tmp_path / "b.vcf"
    network("export", "--vcard", str(first))
    network("add", "New Person", "-e", "new@example.com")
    network("export", "--vcard", str(second))

    def uids(path: Path) -> dict[str, str]:
        return {c.fn.value: c.uid.value for c in vobject.readComponents(path.read_text(encoding="utf-8"))}

    a, b = uids(first), uids(second)
    assert len(set(a.values())) == len(PEOPLE)
    assert all(uid.startswith("urn:uuid:") for uid in a.values())
    assert {name: b[name] for name in a} == a


def test_version_4_parses(network: Cli, fresh: Cli, tmp_path: Path) -> None:
    out = tmp_path / "people4.vcf"
    network("export", "--vcard", str(out), "--vcard-version", "4.0")
    text = out.read_text(encoding="utf-8")
    assert "VERSION:4.0" in text
    assert "VERSION:3.0" not in text

    cards = list(vobject.readComponents(text))
    assert sorted(c.fn.value for c in cards) == sorted(argv[0] for argv in PEOPLE)
    ada = next(c for c in cards if c.fn.value == "Ada Okafor")
    assert ada.org.value == ["Hooli, Inc."]
    assert ada.tel.value == "tel:+14155550100"

    records = [r for r in vcard_parser.parse(out) if isinstance(r, PersonRecord)]
    assert len(records) == len(PEOPLE)
    fresh("import", str(out))
    assert _people(fresh.url) == _people(network.url)


def test_export_to_standard_output(network: Cli) -> None:
    res = network("export", "--vcard", "-")
    assert res.stdout.count("BEGIN:VCARD") == len(PEOPLE)
    assert "Exported" not in res.stdout  # only the cards, so it can be piped


def test_unknown_version_is_a_clear_error(network: Cli, tmp_path: Path) -> None:
    res = network("export", "--vcard", str(tmp_path / "x.vcf"), "--vcard-version", "2.1", ok=False)
    assert res.exit_code != 0
    assert "no vCard version '2.1'" in res.stderr
    assert "4.0" in res.stderr
    assert not (tmp_path / "x.vcf").exists()


def test_an_empty_network_exports_no_cards(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "none.vcf"
    res = cli("export", "--vcard", str(out))
    assert "Exported nothing" in res.stdout
    assert out.read_text(encoding="utf-8") == ""


def test_a_person_with_only_a_name_is_found_again_by_uid(cli: Cli, tmp_path: Path) -> None:
    cli("add", "Carla Nameonly")
    out = tmp_path / "one.vcf"
    cli("export", "--vcard", str(out))
    report = cli("import", str(out), "--json").json()
    assert (report["created"], report["unchanged"]) == (0, 1)

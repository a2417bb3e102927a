"""People: the service layer and its CLI, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from dunbar import people
from dunbar.errors import Ambiguous, Conflict, InvalidInput, NotFound
from dunbar.people import ListQuery, PersonChanges

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def add(db, name: str, **kw) -> int:  # type: ignore[no-untyped-def]
    return people.add_person(db, PersonChanges(name=name, **kw), now=NOW)


def test_add_and_get_full_shape(db) -> None:  # type: ignore[no-untyped-def]
    pid = add(
        db,
        "José Álvarez",
        emails=["work:Jose@Acme.COM", "jose@home.example"],
        phones=["+1 (415) 555-0100"],
        links=["https://www.linkedin.com/in/jose-alvarez/"],
        organization="Acme",
        title="CTO",
        circle="close",
        tags=["mentor", "#sf"],
        location="San Francisco",
        how_met="PyCon 2019",
        birthday="04-12",
        fields={"pronouns": "he/him"},
    )
    p = people.get_person(db, pid)
    assert p["name"] == "José Álvarez"
    assert (p["given_name"], p["family_name"]) == ("José", "Álvarez")
    assert p["emails"][0] == {"address": "Jose@Acme.COM", "label": "work", "primary": True, "source": "typed by hand"}
    assert p["emails"][1]["primary"] is False
    assert p["phones"][0]["number"] == "+14155550100"
    assert p["links"][0]["kind"] == "linkedin"
    assert p["employments"] == [
        {"organization": "Acme", "title": "CTO", "start": None, "end": None, "current": True, "source": "typed by hand"}
    ]
    assert p["dates"] == [{"kind": "birthday", "label": None, "year": None, "month": 4, "day": 12}]
    assert p["fields"] == {"pronouns": "he/him"}
    assert p["tags"] == ["mentor", "sf"]
    assert p["circle"] == "close"
    assert p["is_me"] is False
    assert p["created_at"] == NOW


def test_bad_input_is_refused_and_nothing_is_written(db) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidInput, match="not an e-mail"):
        add(db, "Ana", emails=["ana-at-example"])
    with pytest.raises(InvalidInput, match="not a phone"):
        add(db, "Ana", phones=["12"])
    with pytest.raises(InvalidInput, match="unknown circle"):
        add(db, "Ana", circle="bff")
    with pytest.raises(InvalidInput, match="needs a name"):
        add(db, "   ")
    with pytest.raises(InvalidInput, match="birthday"):
        add(db, "Ana", birthday="13-45")
    assert db.scalar("SELECT count(*) FROM person") == 0


def test_identifier_owned_by_someone_else_is_a_conflict(db) -> None:  # type: ignore[no-untyped-def]
    add(db, "Ana Lima", emails=["ana@example.com"])
    with pytest.raises(Conflict, match="already belongs to Ana Lima"):
        add(db, "Ana L.", emails=["ANA@example.com"])
    assert db.scalar("SELECT count(*) FROM person") == 1


def test_edit_changes_jobs_identifiers_and_fields(db) -> None:  # type: ignore[no-untyped-def]
    pid = add(db, "Bo Chen", emails=["bo@old.example"], organization="Initech", title="Engineer")
    people.edit_person(
        db,
        pid,
        PersonChanges(
            left_organization="initech",
            organization="Acme",
            title="Staff Engineer",
            emails=["bo@acme.example"],
            remove_identifiers=["bo@old.example"],
            fields={"x": "1"},
            cadence_ideal_days=14,
            cadence_max_days=42,
            closeness=70,
        ),
        now=NOW,
    )
    p = people.get_person(db, pid)
    assert [(j["organization"], j["current"]) for j in p["employments"]] == [("Acme", True), ("Initech", False)]
    assert p["employments"][1]["end"] == date(2026, 11, 25)
    assert [e["address"] for e in p["emails"]] == ["bo@acme.example"]
    assert p["cadence"] == {"ideal_days": 14, "max_days": 42}
    assert p["closeness"] == 70
    people.edit_person(db, pid, PersonChanges(fields={"x": None}, location=""), now=NOW)
    assert people.get_person(db, pid)["fields"] == {}
    with pytest.raises(NotFound):
        people.edit_person(db, pid, PersonChanges(left_organization="Nowhere Inc"), now=NOW)


def test_resolve_by_every_kind_of_reference(db) -> None:  # type: ignore[no-untyped-def]
    ana = add(db, "Ana Lima", emails=["ana@example.com"], links=["linkedin.com/in/analima"])
    luk = add(db, "Łukasz Żółkiewski", phones=["+48 601 234 567"])
    zoe = add(db, "Zoë Saldaña")
    assert people.resolve(db, str(ana)) == ana
    assert people.resolve(db, f"#{luk}") == luk
    assert people.resolve(db, "ANA@example.com") == ana
    assert people.resolve(db, "https://www.linkedin.com/in/AnaLima/?trk=x") == ana
    assert people.resolve(db, "+48601234567") == luk
    assert people.resolve(db, "lukasz zolkiewski") == luk
    assert people.resolve(db, "lukasz") == luk
    assert people.resolve(db, "zoe") == zoe
    assert people.resolve(db, "saldana") == zoe
    assert people.resolve(db, "Zoe Saldanha") == zoe  # fuzzy


def test_ambiguous_and_unknown_references_list_candidates(db) -> None:  # type: ignore[no-untyped-def]
    a = add(db, "Ana Lima", organization="Acme")
    b = add(db, "Ana Souza")
    with pytest.raises(Ambiguous) as info:
        people.resolve(db, "ana")
    assert f"Ana Lima (#{a}, Acme)" in str(info.value)
    assert f"Ana Souza (#{b})" in str(info.value)
    with pytest.raises(NotFound) as missing:
        people.resolve(db, "Anna Limma Xavier Quintero")
    assert missing.value.hint
    with pytest.raises(NotFound):
        people.resolve(db, "#999")
    with pytest.raises(NotFound):
        people.resolve(db, "nobody@example.com")


def test_trash_and_restore(db) -> None:  # type: ignore[no-untyped-def]
    pid = add(db, "Cy Twombly", tags=["art"])
    people.trash(db, pid, now=NOW)
    assert people.list_people(db, ListQuery()) == []
    assert [r["id"] for r in people.list_people(db, ListQuery(trashed=True))] == [pid]
    with pytest.raises(NotFound):
        people.resolve(db, "cy twombly")
    assert people.resolve(db, "cy", trashed=True) == pid
    people.restore(db, pid, now=NOW)
    assert [r["tags"] for r in people.list_people(db, ListQuery())] == [["art"]]


def test_list_filters_and_sorts(db) -> None:  # type: ignore[no-untyped-def]
    a = add(db, "Ana", organization="Acme", circle="close", tags=["mentor"])
    b = add(db, "Bo", organization="Initech", tags=["mentor"])
    c = add(db, "Cy")
    db.execute(
        "UPDATE person SET last_contact_at = :t WHERE id = :id", {"t": datetime(2026, 1, 1, tzinfo=UTC), "id": a}
    )
    db.execute(
        "UPDATE person SET last_contact_at = :t WHERE id = :id", {"t": datetime(2026, 11, 1, tzinfo=UTC), "id": b}
    )
    ids = lambda **kw: [r["id"] for r in people.list_people(db, ListQuery(**kw))]  # noqa: E731
    assert ids() == [a, b, c]
    assert ids(tag="MENTOR") == [a, b]
    assert ids(tag="nope") == []
    assert ids(organization="acm") == [a]
    assert ids(circle="close") == [a]
    assert ids(not_contacted_since=date(2026, 6, 1)) == [a, c]
    assert ids(sort="last-contact") == [b, a, c]
    assert ids(limit=1, offset=1) == [b]
    with pytest.raises(InvalidInput):
        ids(sort="age")


def test_tags_and_notes(db) -> None:  # type: ignore[no-untyped-def]
    a, b = add(db, "Ana"), add(db, "Bo")
    assert people.add_tags(db, [a, b], ["Job search"]) == 2
    assert people.add_tags(db, [a], ["job search"]) == 0
    assert people.remove_tags(db, [a], ["JOB SEARCH"]) == 1
    assert people.get_person(db, b)["tags"] == ["Job search"]
    people.add_note(db, a, "Moving to Berlin in spring", now=NOW)
    assert people.get_person(db, a)["notes"][0]["body"] == "Moving to Berlin in spring"
    with pytest.raises(InvalidInput):
        people.add_note(db, a, "  ", now=NOW)


def test_me(db) -> None:  # type: ignore[no-untyped-def]
    assert people.get_me(db) is None
    pid = people.set_me(db, name="Jordan Avery", emails=["jordan@example.org"], now=NOW)
    again = people.set_me(db, name="Jordan Avery", emails=["jordan@example.org", "j@work.example"], now=NOW)
    assert pid == again
    me = people.get_me(db)
    assert me is not None
    assert me["is_me"] is True
    assert [e["address"] for e in me["emails"]] == ["jordan@example.org", "j@work.example"]
    assert people.resolve(db, "me") == pid
    assert people.me_identity(db)["emails"] == ["jordan@example.org", "j@work.example"]
    assert people.list_people(db, ListQuery()) == []  # "me" is not one of my contacts
    with pytest.raises(InvalidInput):
        people.trash(db, pid, now=NOW)


# The CLI -------------------------------------------------------------------------------------------------


def test_cli_people_round(cli) -> None:  # type: ignore[no-untyped-def]
    cli("add", "José Álvarez", "-e", "jose@acme.com", "--org", "Acme", "--title", "CTO", "-t", "mentor")
    cli("add", "Bo Chen", "--circle", "close")
    shown = cli("show", "jose", "--json").json()
    assert shown["name"] == "José Álvarez"
    assert shown["recent"] == []
    listed = cli("list", "--tag", "mentor", "--json").json()
    assert [r["name"] for r in listed] == ["José Álvarez"]
    assert "José Álvarez" in cli("list").stdout
    cli("edit", "bo", "--org", "Initech", "--cadence", "2w")
    assert cli("show", "bo", "--json").json()["cadence"] == {"ideal_days": 14, "max_days": 28}
    cli("tag", "bo", "jose", "-t", "py")
    assert len(cli("list", "--tag", "py", "--json").json()) == 2
    cli("untag", "bo", "-t", "py")
    cli("note", "bo", "Wants an intro to a designer")
    assert "Wants an intro" in cli("show", "bo").stdout
    cli("rm", "bo")
    assert [r["name"] for r in cli("trash", "--json").json()] == ["Bo Chen"]
    cli("restore", "bo")
    assert len(cli("list", "--json").json()) == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("show", "nobody at all"), "nobody called"),
        (("add", "Ana", "-e", "not-an-email"), "not an e-mail"),
        (("edit", "jose", "--circle", "bff"), "unknown circle"),
        (("list", "--sort", "age"), "cannot sort"),
        (("edit", "jose", "--cadence", "often"), "not a duration"),
        (("edit", "jose", "--field", "novalue"), "not a field"),
    ],
)
def test_cli_bad_input_is_one_line_and_exit_2(sqlite_cli, args, message) -> None:  # type: ignore[no-untyped-def]
    sqlite_cli("add", "José Álvarez")
    res = sqlite_cli(*args, ok=False)
    assert res.exit_code == 2
    assert res.stderr.startswith("dunbar: error: ")
    assert message in res.stderr
    assert "Traceback" not in res.stderr + res.stdout


def test_cli_markup_in_contact_data_is_shown_as_typed(sqlite_cli) -> None:  # type: ignore[no-untyped-def]
    sqlite_cli("add", "[bold]Eve[/bold] <script>", "--note", "[red]not red[/red]")
    out = sqlite_cli("show", "#2").stdout
    assert "[bold]Eve[/bold] <script>" in out
    assert "[red]not red[/red]" in out


def test_cli_without_database_says_run_init(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import Cli

    res = Cli(f"sqlite:///{tmp_path / 'none.db'}")("list", ok=False)
    assert res.exit_code == 2
    assert "dunbar init" in res.stderr


def test_a_reference_of_unicode_digits_is_a_name_not_an_id(db) -> None:  # type: ignore[no-untyped-def]
    for ref in ("²", "#٣", "1²"):
        with pytest.raises(NotFound):
            people.resolve(db, ref)

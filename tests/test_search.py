"""Search: folding, what is indexed, ranking, trash, snippets; ``dunbar search`` on both backends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from dunbar import interactions, search
from dunbar.store import Db, open_db
from dunbar.text import fold

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def add(
    db: Db,
    name: str,
    *,
    email: str | None = None,
    org: str | None = None,
    title: str | None = None,
    note: str | None = None,
) -> int:
    """A person written straight into the store and indexed, as every writer of people must do."""
    with db.transaction():
        pid = db.insert(
            "INSERT INTO person (uid, display_name, name_fold, is_me, created_at, updated_at) "
            "VALUES (:uid, :name, :fold, :f, :now, :now) RETURNING id",
            {"uid": fold(name).replace(" ", "-"), "name": name, "fold": fold(name), "f": False, "now": NOW},
        )
        if email:
            db.execute(
                "INSERT INTO identifier (person_id, kind, value, norm, is_primary) VALUES (:p, 'email', :v, :n, :t)",
                {"p": pid, "v": email, "n": email.lower(), "t": True},
            )
        if org:
            oid = db.scalar("SELECT id FROM organization WHERE name_fold = :f", {"f": fold(org)})
            if oid is None:
                oid = db.insert(
                    "INSERT INTO organization (name, name_fold, created_at) VALUES (:n, :f, :now) RETURNING id",
                    {"n": org, "f": fold(org), "now": NOW},
                )
            db.execute(
                "INSERT INTO employment (person_id, organization_id, title) VALUES (:p, :o, :t)",
                {"p": pid, "o": oid, "t": title},
            )
        search.index_people(db, [pid])
        if note:
            nid = db.insert(
                "INSERT INTO note (person_id, body, created_at) VALUES (:p, :b, :now) RETURNING id",
                {"p": pid, "b": note, "now": NOW - timedelta(days=3)},
            )
            search.index_notes(db, [nid])
    return pid


def found(db: Db, text: str) -> list[tuple[str, str]]:
    """(kind, first person's name) of each hit, in rank order."""
    return [(h.kind, h.people[0]["name"] if h.people else "") for h in search.search(db, text)]


@pytest.fixture
def network(db: Db) -> dict[str, int]:
    return {
        "jose": add(db, "José Álvarez", email="jose@alvarez.example", org="Northwind Traders", title="CFO"),
        "lukasz": add(db, "Łukasz Żółw", note="Moved to Gdańsk; loves sailing"),
        "zoe": add(db, "Zoë Brontë", org="Brontë & Daughters"),
        "ana": add(db, "Ana Lima", org="Acme Robotics", title="Head of Platform"),
        "bo": add(db, "Bo Chen", note="Introduced me to Ana at the Kraków data conference"),
    }


@pytest.mark.parametrize(
    ("query", "name"),
    [("jose", "José Álvarez"), ("lukasz", "Łukasz Żółw"), ("zoe", "Zoë Brontë"), ("ZOLW", "Łukasz Żółw")],
)
def test_accents_and_case_do_not_matter(db: Db, network: dict[str, int], query: str, name: str) -> None:
    assert found(db, query)[0] == ("person", name)


def test_organizations_titles_emails_and_notes_are_found(db: Db, network: dict[str, int]) -> None:
    assert found(db, "northwind") == [("person", "José Álvarez")]
    assert found(db, "head platform") == [("person", "Ana Lima")]
    assert found(db, "alvarez.example") == [("person", "José Álvarez")]
    assert found(db, "jose@alvarez.example") == [("person", "José Álvarez")]
    assert found(db, "north-wind") == []
    assert found(db, "gdansk sailing") == [("note", "Łukasz Żółw")]
    note = search.search(db, "sailing")[0]
    assert note.ref_id == db.scalar("SELECT id FROM note WHERE person_id = :p", {"p": network["lukasz"]})
    assert note.occurred_at == NOW - timedelta(days=3)


def test_interaction_summaries_are_found_with_their_participants(db: Db, network: dict[str, int]) -> None:
    iid = interactions.log_interaction(
        db,
        summary="Dinner about the Lisbon office move",
        people=[network["bo"], network["zoe"]],
        occurred_at=NOW - timedelta(days=1),
        now=NOW,
    )
    hits = search.search(db, "lisbon")
    assert [(h.kind, h.ref_id) for h in hits] == [("interaction", iid)]
    assert hits[0].people == [{"id": network["bo"], "name": "Bo Chen"}, {"id": network["zoe"], "name": "Zoë Brontë"}]
    assert hits[0].occurred_at == NOW - timedelta(days=1)


def test_a_name_query_ranks_the_person_first(db: Db, network: dict[str, int]) -> None:
    # Short summaries that say little but the name score high on term frequency and length; the person still wins.
    for days in range(1, 31):
        interactions.log_interaction(
            db,
            summary="Ana" if days % 2 else "Coffee with Ana",
            people=[network["bo"]],
            occurred_at=NOW - timedelta(days=days),
            now=NOW,
        )
    kinds = found(db, "ana")
    assert kinds[0] == ("person", "Ana Lima")
    assert {k for k, _ in kinds[1:]} <= {"interaction", "note"}
    assert found(db, "ana")[:1] == found(db, "Ana Lima")[:1]


def test_every_word_must_match(db: Db, network: dict[str, int]) -> None:
    assert found(db, "ana acme") == [("person", "Ana Lima")]
    assert found(db, "ana northwind") == []
    assert search.search(db, "   !!! ") == []


def test_trashed_people_and_their_notes_do_not_show(db: Db, network: dict[str, int]) -> None:
    interactions.log_interaction(
        db, summary="Regatta planning", people=[network["lukasz"], network["bo"]], occurred_at=NOW, now=NOW
    )
    db.execute("UPDATE person SET deleted_at = :t WHERE id IN :ids", {"t": NOW, "ids": [network["lukasz"]]})
    assert found(db, "lukasz") == []
    assert found(db, "sailing") == []
    assert found(db, "zoe") == [("person", "Zoë Brontë")]
    # An interaction shows while one of its people is live, without the trashed ones; then it is gone too.
    assert [h.people for h in search.search(db, "regatta")] == [[{"id": network["bo"], "name": "Bo Chen"}]]
    db.execute("UPDATE person SET deleted_at = :t WHERE id IN :ids", {"t": NOW, "ids": [network["bo"]]})
    assert found(db, "regatta") == []


def test_snippets_mark_the_matching_words_in_the_original_text(db: Db, network: dict[str, int]) -> None:
    hit = search.search(db, "krakow")[0]
    assert hit.snippet == "Introduced me to Ana at the [Kraków] data conference"
    assert search.search(db, "ana krak")[0].snippet == "Introduced me to [Ana] at the [Kraków] data conference"
    assert search.search(db, "zoe", mark=("<b>", "</b>"))[0].snippet == "<b>Zoë</b> Brontë"


def test_snippet_is_a_window_around_the_first_match() -> None:
    text = "Early filler words. " * 10 + "The budget for Kraków was approved. " + "Later filler. " * 10
    out = search.snippet(text, ["krakow"], width=60)
    assert out.startswith("…")
    assert out.endswith("…")
    assert "[Kraków]" in out
    assert len(out) <= 60 + 2 + 2  # the window, two ellipses, one pair of marks
    assert search.snippet("", ["x"]) == ""
    assert search.snippet("no match here", ["zzz"]) == "no match here"


# The CLI ------------------------------------------------------------------------------------------------------


@pytest.fixture
def cli_network(cli) -> dict[str, int]:  # type: ignore[no-untyped-def]
    handle = open_db(cli.url)
    try:
        return {
            "jose": add(handle, "José Álvarez", org="Northwind Traders"),
            "ana": add(handle, "Ana Lima", note="Wants [bold]intros[/bold] to robotics [red]founders"),
            "bo": add(handle, "Bo Chen"),
        }
    finally:
        handle.close()


def test_cli_search_table_shows_kind_who_and_the_match(cli, cli_network) -> None:  # type: ignore[no-untyped-def]
    cli("log", "Talked robotics hiring", "--with", "Bo", "--on", "2026-11-20")
    out = cli("search", "robotics").stdout
    # Contact data is never markup: the brackets show as typed and nothing swallows "founders".
    assert "[bold]intros[/bold]" in out
    assert "[red]founders" in out
    assert "Ana Lima" in out
    assert "Bo Chen" in out
    assert "interaction" in out
    assert "note" in out
    assert "5 days ago" in out  # logged on 2026-11-20, today is 2026-11-25


def test_cli_search_json_shape(cli, cli_network) -> None:  # type: ignore[no-untyped-def]
    data = cli("search", "jose", "--json").json()
    assert data == {
        "query": "jose",
        "hits": [
            {
                "kind": "person",
                "id": cli_network["jose"],
                "rank": data["hits"][0]["rank"],
                "people": [{"id": cli_network["jose"], "name": "José Álvarez"}],
                "snippet": "[José] Álvarez",
                "occurred_at": None,
            }
        ],
    }
    assert isinstance(data["hits"][0]["rank"], float)
    assert cli("search", "north", "wind", "--json").json()["hits"] == []
    assert len(cli("search", "a", "--limit", "1", "--json").json()["hits"]) == 1


def test_cli_search_without_hits_is_a_friendly_line(cli, cli_network) -> None:  # type: ignore[no-untyped-def]
    res = cli("search", "nothing-like-this")
    assert res.exit_code == 0
    assert res.stdout.strip() == "Nothing found for 'nothing-like-this'. Try fewer or shorter words."


def test_highlighted_styles_only_the_marked_words() -> None:
    from dunbar.cli.search import highlighted

    text = highlighted("met [x] at \x02Kraków\x03 and \x02kraków\x03")
    assert text.plain == "met [x] at Kraków and kraków"
    styled = [text.plain[s.start : s.end] for s in text.spans]
    assert styled == ["Kraków", "kraków"]

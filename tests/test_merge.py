"""Merging people and undoing it, and the dedupe review queue: service and CLI, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from dunbar import interactions, merge, people, search
from dunbar.errors import Conflict, DunbarError, InvalidInput, NotFound
from dunbar.people import PersonChanges
from dunbar.store.db import Db

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
LATER = NOW + timedelta(hours=1)


def add(db: Db, name: str, **kw: Any) -> int:
    return people.add_person(db, PersonChanges(name=name, **kw), now=NOW)


def log(db: Db, who: list[int], summary: str, days_ago: int) -> int:
    return interactions.log_interaction(
        db, summary=summary, people=who, occurred_at=NOW - timedelta(days=days_ago), now=NOW
    )


def follow_up(db: Db, pid: int, text: str) -> int:
    return db.insert(
        "INSERT INTO follow_up (uid, person_id, due_on, text, status, created_at) "
        "VALUES (:u, :p, :d, :t, 'open', :c) RETURNING id",
        {"u": f"fu{pid}{len(text)}", "p": pid, "d": date(2026, 12, 1), "t": text, "c": NOW},
    )


def twin_email(db: Db, pid: int, address: str) -> None:
    """An e-mail address someone else has too: imports may bring such twins (typing it is refused)."""
    db.execute(
        "INSERT INTO identifier (person_id, kind, value, norm, is_primary) VALUES (:p, 'email', :v, :n, :f)",
        {"p": pid, "v": address, "n": address.lower(), "f": False},
    )
    search.index_people(db, [pid])


def snapshot(db: Db, *ids: int) -> dict[str, Any]:
    """Everything a merge may touch, per person, in a comparable form."""
    out: dict[str, Any] = {}
    for pid in ids:
        row = db.one("SELECT merged_into_id, deleted_at FROM person WHERE id = :id", {"id": pid})
        assert row is not None
        out[str(pid)] = {
            "person": people.get_person(db, pid),
            "merged_into_id": row["merged_into_id"],
            "participants": sorted(
                db.rows("SELECT interaction_id, role FROM participant WHERE person_id = :p", {"p": pid})
            ),
            "follow_ups": db.rows("SELECT id, text FROM follow_up WHERE person_id = :p ORDER BY id", {"p": pid}),
            "alternates": db.rows(
                "SELECT id, attribute, value FROM alternate WHERE person_id = :p ORDER BY id", {"p": pid}
            ),
            "identifier_ids": db.rows("SELECT id FROM identifier WHERE person_id = :p ORDER BY id", {"p": pid}),
            "candidates": db.rows(
                "SELECT id, person_a_id, person_b_id, status FROM merge_candidate "
                "WHERE person_a_id = :p OR person_b_id = :p ORDER BY id",
                {"p": pid},
            ),
            "search": db.rows("SELECT body FROM search_doc WHERE kind = 'person' AND ref_id = :p", {"p": pid}),
        }
    return out


@pytest.fixture
def pair(db: Db) -> tuple[int, int, int]:
    """Ana (survivor) and A. Lima (to merge) with overlapping and conflicting details, and a third person."""
    ana = add(
        db,
        "Ana Lima",
        emails=["ana@example.com"],
        phones=["+1 415 555 0100"],
        organization="Acme",
        title="CTO",
        tags=["mentor"],
        fields={"pronouns": "she/her", "team": "platform"},
        location="Lisbon",
        birthday="04-12",
    )
    dup = add(
        db,
        "Ana P. Lima",
        emails=["ana.lima@home.example"],
        links=["https://www.linkedin.com/in/ana-lima/"],
        organization="Acme",
        title="CTO",
        tags=["mentor", "pycon"],
        fields={"pronouns": "she/her", "team": "data", "github": "analima"},
        location="Porto",
        how_met="PyCon 2019",
        circle="close",
        birthday="04-12",
    )
    twin_email(db, dup, "ANA@example.com")
    db.execute("UPDATE person SET connected_on = :d WHERE id = :id", {"d": date(2015, 3, 1), "id": dup})
    people.add_note(db, dup, "Likes hiking.", now=NOW)
    people.add_note(db, ana, "Met at the conference.", now=NOW)
    bo = add(db, "Bo Chen", emails=["bo@example.com"])
    shared = log(db, [ana, dup, bo], "Team dinner", 10)  # both on one interaction
    log(db, [dup], "Coffee with Ana", 3)  # the newest contact is the merged one's
    log(db, [ana], "Call about the job", 20)
    follow_up(db, dup, "Send the paper")
    merge.queue_candidate(db, ana, dup, 0.9, ["same e-mail ana@example.com"], now=NOW)
    merge.queue_candidate(db, dup, bo, 0.6, ["similar names"], now=NOW)
    assert shared
    return ana, dup, bo


# Merging and undoing ---------------------------------------------------------------------------------------


def test_merge_moves_everything_and_keeps_conflicts_as_alternates(db: Db, pair: tuple[int, int, int]) -> None:
    ana, dup, bo = pair
    mid = merge.merge_people(db, ana, dup, now=LATER)
    p = people.get_person(db, ana)
    assert p["name"] == "Ana Lima"  # never silently overwritten
    assert [e["address"] for e in p["emails"]] == ["ana@example.com", "ana.lima@home.example"]
    assert [e["primary"] for e in p["emails"]] == [True, False]  # one primary e-mail
    assert [link["url"] for link in p["links"]] == ["https://www.linkedin.com/in/ana-lima/"]
    assert len(p["employments"]) == 1  # the same job is not doubled
    assert len(p["dates"]) == 1
    assert p["fields"] == {"github": "analima", "pronouns": "she/her", "team": "platform"}
    assert p["tags"] == ["mentor", "pycon"]
    assert sorted(n["body"] for n in p["notes"]) == ["Likes hiking.", "Met at the conference."]
    assert p["location"] == "Lisbon"
    assert (p["how_met"], p["circle"], p["connected_on"]) == ("PyCon 2019", "close", date(2015, 3, 1))
    assert p["last_contact_at"] == NOW - timedelta(days=3)
    alternates = db.rows("SELECT attribute, value FROM alternate WHERE person_id = :p ORDER BY id", {"p": ana})
    assert alternates == [("field:team", "data"), ("name", "Ana P. Lima"), ("location", "Porto")]
    # Interactions: all three are the survivor's, the shared one once.
    rows = db.rows("SELECT interaction_id FROM participant WHERE person_id = :p", {"p": ana})
    assert len(rows) == 3
    assert db.scalar("SELECT count(*) FROM participant WHERE person_id = :p", {"p": dup}) == 0
    assert db.scalar("SELECT count(*) FROM follow_up WHERE person_id = :p", {"p": ana}) == 1
    # The merged person is kept, trashed, pointing at the survivor.
    gone = db.one("SELECT deleted_at, merged_into_id FROM person WHERE id = :p", {"p": dup})
    assert gone is not None
    assert gone["merged_into_id"] == ana
    assert people.resolve(db, "ana.lima@home.example") == ana
    # The reviewed pair is marked merged; the merged one's other pair moved to the survivor.
    assert merge.candidates(db, status="merged")[0]["a"]["id"] == ana
    assert [(c["a"]["id"], c["b"]["id"]) for c in merge.candidates(db)] == [(ana, bo)]
    # Search finds the survivor by what moved.
    assert [h.ref_id for h in search.search(db, "pycon") if h.kind == "person"] == [ana]
    note_hits = [h for h in search.search(db, "hiking") if h.kind == "note"]
    assert [p["id"] for h in note_hits for p in h.people] == [ana]
    info = merge.get_merge(db, mid)
    assert info["moved"]["identifier"] == 2
    assert info["removed"]["identifier"] == 1
    assert info["removed"]["participant"] == 1
    assert "how_met" in info["filled"]
    assert "last_contact_at" in info["filled"]
    assert {"attribute": "name", "value": "Ana P. Lima"} in info["alternates"]


def test_undo_restores_both_people_exactly(db: Db, pair: tuple[int, int, int]) -> None:
    ana, dup, bo = pair
    before = snapshot(db, ana, dup, bo)
    mid = merge.merge_people(db, ana, dup, now=LATER)
    assert snapshot(db, ana, dup, bo) != before
    merge.undo_merge(db, mid, now=LATER)
    after = snapshot(db, ana, dup, bo)
    for pid, parts in before.items():  # part by part, for a readable failure
        for key, value in parts.items():
            if key == "person":
                for k, v in value.items():
                    assert after[pid][key][k] == v, (pid, k)
            assert after[pid][key] == value, (pid, key)
    assert merge.get_merge(db, mid)["undone_at"] == LATER
    with pytest.raises(InvalidInput, match="already undone"):
        merge.undo_merge(db, mid, now=LATER)
    # And it can be merged again after the undo.
    again = merge.merge_people(db, ana, dup, now=LATER)
    merge.undo_merge(db, again, now=LATER)
    assert snapshot(db, ana, dup, bo) == before


def test_undo_refused_when_the_survivor_was_merged_since(db: Db, pair: tuple[int, int, int]) -> None:
    ana, dup, bo = pair
    first = merge.merge_people(db, ana, dup, now=LATER)
    second = merge.merge_people(db, bo, ana, now=LATER)
    with pytest.raises(Conflict, match=f"undo that merge first|merged into #{bo}") as err:
        merge.undo_merge(db, first, now=LATER)
    assert err.value.hint == f"undo that merge first: `dunbar merge --undo {second}`"
    merge.undo_merge(db, second, now=LATER)
    merge.undo_merge(db, first, now=LATER)
    assert people.get_person(db, dup)["deleted_at"] is None


def test_refusals(db: Db) -> None:
    me = people.set_me(db, name="Jordan Avery", emails=["jordan@example.org"], now=NOW)
    ana = add(db, "Ana Lima")
    old = add(db, "Jordan A.", emails=["jordan@old.example"])
    with pytest.raises(InvalidInput, match="with themself"):
        merge.merge_people(db, ana, ana, now=NOW)
    with pytest.raises(InvalidInput, match="cannot be merged into someone"):
        merge.merge_people(db, ana, me, now=NOW)
    people.trash(db, ana, now=NOW)
    with pytest.raises(InvalidInput, match="in the trash"):
        merge.merge_people(db, old, ana, now=NOW)
    with pytest.raises(NotFound):
        merge.merge_people(db, old, 9999, now=NOW)
    with pytest.raises(NotFound):
        merge.undo_merge(db, 9999, now=NOW)
    # Merging an old address of mine INTO me is allowed.
    merge.merge_people(db, me, old, now=NOW)
    assert "jordan@old.example" in [e["address"] for e in people.get_person(db, me)["emails"]]
    with pytest.raises(InvalidInput, match="already merged"):
        merge.merge_people(db, me, old, now=NOW)
    assert db.scalar("SELECT count(*) FROM merge") == 1


def test_a_failed_merge_changes_nothing(db: Db, pair: tuple[int, int, int]) -> None:
    ana, dup, bo = pair
    before = snapshot(db, ana, dup, bo)
    db.execute("UPDATE person SET is_me = :t WHERE id = :id", {"t": True, "id": dup})
    with pytest.raises(DunbarError):
        merge.merge_people(db, ana, dup, now=LATER)
    db.execute("UPDATE person SET is_me = :f WHERE id = :id", {"f": False, "id": dup})
    assert snapshot(db, ana, dup, bo) == before


# The review queue ------------------------------------------------------------------------------------------


def test_queue_orders_and_remembers_decisions(db: Db) -> None:
    a, b, c, d = (add(db, n) for n in ("Ana Lima", "Ana P. Lima", "Bo Chen", "Bo Chén"))
    low = merge.queue_candidate(db, b, a, 0.6, ["similar names: Ana Lima / Ana P. Lima (92)"], batch_id=None, now=NOW)
    high = merge.queue_candidate(db, c, d, 1.0, ["same e-mail bo@example.com"], now=NOW)
    assert low
    assert high
    assert merge.queue_candidate(db, a, b, 0.9, ["again"], now=NOW) is None  # already pending
    assert merge.queue_candidate(db, a, a, 1.0, ["self"], now=NOW) is None
    queue = merge.candidates(db)
    assert [q["id"] for q in queue] == [high, low]
    assert (queue[1]["a"]["id"], queue[1]["b"]["id"]) == (a, b)  # normalized a < b
    assert queue[1]["evidence"] == ["similar names: Ana Lima / Ana P. Lima (92)"]
    assert queue[0]["a"]["name"] == "Bo Chen"
    assert queue[0]["score"] == 1.0
    assert merge.candidates(db, limit=1)[0]["id"] == high

    assert merge.decide(db, low, "apart", now=NOW)["status"] == "apart"
    assert merge.queue_candidate(db, b, a, 1.0, ["same e-mail"], now=NOW) is None  # never proposed again
    with pytest.raises(Conflict, match="already decided"):
        merge.decide(db, low, "merge", now=NOW)
    result = merge.decide(db, high, "merge", keep="b", now=NOW)
    assert (result["survivor_id"], result["merged_id"]) == (d, c)
    assert merge.candidates(db) == []
    assert [q["id"] for q in merge.candidates(db, status="merged")] == [high]
    assert people.get_person(db, c)["deleted_at"] is not None
    # A pair with someone merged away is not proposed either.
    assert merge.queue_candidate(db, c, a, 0.9, ["x"], now=NOW) is None
    with pytest.raises(InvalidInput):
        merge.decide(db, high, "maybe", now=NOW)
    with pytest.raises(NotFound):
        merge.decide(db, 9999, "apart", now=NOW)


def test_decide_refuses_merging_me_away(db: Db) -> None:
    other = add(db, "Jordan Avery Old")
    me = people.set_me(db, name="Jordan Avery", now=NOW)
    cid = merge.queue_candidate(db, other, me, 0.8, ["similar names"], now=NOW)
    assert cid
    with pytest.raises(InvalidInput, match="cannot be merged") as err:
        merge.decide(db, cid, "merge", now=NOW, keep="a")
    assert err.value.hint == "keep yourself: --keep b"
    assert merge.decide(db, cid, "merge", now=NOW, keep="b")["survivor_id"] == me


def test_scan_finds_the_expected_pairs(db: Db) -> None:
    a1 = add(db, "Ana Lima", emails=["ana@example.com"])
    a2 = add(db, "Ana Lima")
    db.execute(
        "INSERT INTO identifier (person_id, kind, value, norm, is_primary) VALUES (:p, 'email', 'x', "
        "'ana@example.com', :f)",
        {"p": a2, "f": False},
    )  # fmt: skip  (imports may bring such twins)
    c1 = add(db, "Carla Souza", organization="Initech")
    c2 = add(db, "Carla Souza", organization="initech")
    d1 = add(db, "Katherine Smith", organization="Globex")
    d2 = add(db, "Katharine Smith", organization="Globex")
    e1 = add(db, "Emma Johnson")
    e2 = add(db, "Emma L. Johnson")
    add(db, "Frank Johnson")  # same family name, different person
    add(db, "Ana Souza")
    add(db, "Lima")  # a lone name matches nothing
    add(db, "Lima")
    gone = add(db, "Emma Johnson")
    people.trash(db, gone, now=NOW)

    assert merge.scan(db, now=NOW) == 4
    found = {(c["a"]["id"], c["b"]["id"]): c for c in merge.candidates(db)}
    assert set(found) == {(a1, a2), (c1, c2), (d1, d2), (e1, e2)}
    assert found[(a1, a2)]["score"] == 1.0
    assert "same e-mail ana@example.com" in found[(a1, a2)]["evidence"]
    assert found[(c1, c2)]["score"] == 0.9
    assert found[(c1, c2)]["evidence"] == ["same name and organization (Initech)"]
    assert 0.7 <= found[(d1, d2)]["score"] <= 0.85
    assert found[(d1, d2)]["evidence"][0].startswith("similar names: Katherine Smith / Katharine Smith (93)")
    assert "same organization (Globex)" in found[(d1, d2)]["evidence"]
    assert 0.6 <= found[(e1, e2)]["score"] < found[(d1, d2)]["score"]
    assert merge.candidates(db)[0]["id"] == found[(a1, a2)]["id"]

    merge.decide(db, found[(e1, e2)]["id"], "apart", now=NOW)
    assert merge.scan(db, now=NOW) == 0  # nothing new; the "apart" pair stays apart
    assert merge.candidates(db, status="apart")[0]["a"]["id"] == e1


def test_find_pairs_is_pure_and_blocks_by_family_name() -> None:
    names = {1: "Ana Lima", 2: "Ana P. Lima", 3: "Ana Lime", 4: "Bo Chen"}
    pairs = merge.find_pairs(names, [("phone", "+14155550100", [4, 3])], {})
    assert set(pairs) == {(1, 2), (3, 4)}  # Lima / Lime are in different blocks
    assert pairs[(3, 4)].evidence == ["same phone +14155550100"]
    assert pairs[(1, 2)].evidence == ["similar names: Ana Lima / Ana P. Lima (95)"]
    assert merge.similar_score(90, False) == 0.6
    assert merge.similar_score(100, True) == 0.85


# CLI -------------------------------------------------------------------------------------------------------


def test_cli_merge_and_undo(cli: Any) -> None:
    cli("add", "Ana Lima", "--email", "ana@example.com", "--location", "Lisbon")
    cli("add", "Ana P. Lima", "--email", "ana.lima@home.example", "--location", "Porto")
    res = cli("merge", "Ana Lima", "Ana P. Lima")
    assert "Merged Ana P. Lima" in res.stdout
    assert "undo with `dunbar merge --undo 1`" in res.stdout
    shown = cli("show", "Ana Lima", "--json").json()
    assert len(shown["emails"]) == 2
    res = cli("merge", "--undo", "1")
    assert "Undid merge #1" in res.stdout
    assert cli("show", "ana.lima@home.example", "--json").json()["name"] == "Ana P. Lima"
    data = cli("merge", "ana@example.com", "ana.lima@home.example", "--json").json()
    assert data["id"] == 2
    assert data["moved"]["identifier"] == 1
    assert (
        data["alternates"] == [{"attribute": "location", "value": "Porto"}]
        or {
            "attribute": "name",
            "value": "Ana P. Lima",
        }
        in data["alternates"]
    )
    assert data["survivor"]["name"] == "Ana Lima"


def test_cli_errors_are_one_line(cli: Any) -> None:
    cli("add", "Ana Lima")
    for args, message in [
        (("merge", "Ana Lima", "Ana Lima"), "with themself"),
        (("merge", "Ana Lima"), "who to merge"),
        (("merge", "--undo", "42"), "no merge #42"),
        (("merge", "Ana Lima", "me"), "cannot be merged into someone else"),
        (("dedupe", "--merge", "7"), "no candidate pair #7"),
        (("dedupe", "--merge", "7", "--apart", "8"), "one of"),
        (("dedupe", "--keep", "c", "--merge", "1"), "keep"),
    ]:
        res = cli(*args, ok=False)
        assert res.exit_code == 2, (args, res.stdout, res.stderr)
        lines = [line for line in res.stderr.splitlines() if line.startswith("dunbar: error:")]
        assert len(lines) == 1, (args, res.stderr)
        assert message in lines[0], (args, res.stderr)
        assert "Traceback" not in res.stderr


def test_cli_dedupe_lists_scans_and_decides(cli: Any) -> None:
    cli("add", "Ana Lima", "--org", "Acme", "--email", "ana@example.com")
    cli("add", "Ana Lima", "--org", "Acme", "--phone", "+1 415 555 0100")
    cli("add", "Emma Johnson")
    cli("add", "Emma L. Johnson")
    assert "No candidate pairs" in cli("dedupe").stdout
    res = cli("dedupe", "--scan")
    assert "2 new candidate pairs" in res.stdout
    assert "same name and organization (Acme)" in res.stdout
    assert "ana@example.com" in res.stdout
    assert "+14155550100" in res.stdout
    data = cli("dedupe", "--json").json()
    assert [c["score"] for c in data] == [0.9, 0.6] or data[0]["score"] >= data[1]["score"]
    assert data[0]["a"]["name"] == "Ana Lima"
    assert data[0]["evidence"]
    assert len(cli("dedupe", "--json", "--limit", "1").json()) == 1
    first, second = data[0]["id"], data[1]["id"]
    res = cli("dedupe", "--apart", str(second))
    assert "apart" in res.stdout
    res = cli("dedupe", "--merge", str(first), "--keep", "b", "--json").json()
    assert res["status"] == "merged"
    assert res["survivor_id"] == data[0]["b"]["id"]
    assert cli("dedupe", "--json").json() == []
    assert "No candidate pairs" in cli("dedupe", "--scan").stdout  # decided pairs are not proposed again


def test_cli_dedupe_walks_the_queue_on_a_terminal(cli: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from dunbar.cli import merge as merge_cli

    for name in ("Ana Lima", "Ana P. Lima", "Emma Johnson", "Emma L. Johnson", "Carl Meyer", "Carl J. Meyer"):
        cli("add", name)
    cli("dedupe", "--scan", "--json")
    monkeypatch.setattr(merge_cli, "_interactive", lambda: True)
    res = cli("dedupe", input="m\na\nq\n")
    assert "merged" in res.stdout.lower()
    assert "kept apart" in res.stdout.lower()
    statuses = {s: len(json.loads(cli("dedupe", "--json", "--status", s).stdout)) for s in merge.STATUSES}
    assert statuses == {"pending": 1, "merged": 1, "apart": 1}


def test_offers_and_needs_move_with_a_merge_and_back(db) -> None:  # type: ignore[no-untyped-def]
    from datetime import UTC, date, datetime

    from dunbar import merge, offers, people

    now = datetime(2026, 11, 25, 12, tzinfo=UTC)
    a = people.add_person(db, people.PersonChanges(name="Ana Lima"), now=now)
    b = people.add_person(db, people.PersonChanges(name="Ana P. Lima"), now=now)
    need = offers.add(db, b, "need", "a job in data science", since=date(2026, 11, 1), now=now)
    mid = merge.merge_people(db, a, b, now=now)
    assert db.scalar("SELECT person_id FROM offer_need WHERE id = :i", {"i": need}) == a
    merge.undo_merge(db, mid, now=now)
    assert db.scalar("SELECT person_id FROM offer_need WHERE id = :i", {"i": need}) == b

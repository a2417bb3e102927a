"""Who knows whom: the pure path search (against brute force and networkx), who-knows, warm paths and their
explanations, the network view on a classic sociogram, GraphML/GEXF round trips, and CLI errors."""

from __future__ import annotations

import csv
import itertools
import math
import random
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from dunbar import graph, interactions, ledger, people, ties
from dunbar.errors import Ambiguous, InvalidInput, NotFound
from dunbar.people import PersonChanges
from dunbar.scoring import paths as P
from dunbar.store import Db
from tests.conftest import CORPORA

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)
TODAY = date(2026, 11, 25)
SOCIOGRAMS = CORPORA / "graph" / "networkx-builtin"


# The pure search -------------------------------------------------------------------------------------------


def _brute(adj: dict[int, dict[int, float]], s: int, goal: set[int], hops: int) -> list[tuple[float, tuple[int, ...]]]:
    """Every simple path of at most ``hops`` hops that ends at its first target, with its cost."""
    out = []

    def walk(path: tuple[int, ...], c: float) -> None:
        if path[-1] in goal:
            out.append((c, path))
            return
        if len(path) - 1 == hops:
            return
        for nb, w in adj.get(path[-1], {}).items():
            if nb not in path:
                walk((*path, nb), c + P.cost(w))

    walk((s,), 0.0)
    return sorted(out)


def test_best_paths_on_a_hand_built_graph() -> None:
    # me(0) knows Ana(1) well and Dan(4) a little; Ana knows Bo(2) well, Bo knows Carla(3) (the target);
    # Dan knows Carla directly but weakly.
    adj = P.undirected([(0, 1, 0.9), (0, 4, 0.3), (1, 2, 0.8), (2, 3, 0.7), (4, 3, 0.2), (1, 4, 0.5)])
    found = P.best_paths(adj, 0, [3], k=3, max_hops=3)
    assert [p.nodes for p in found] == [(0, 1, 2, 3), (0, 4, 3)]
    assert found[0].weight == pytest.approx(0.9 * 0.8 * 0.7)
    assert found[1].weight == pytest.approx(0.3 * 0.2)
    # Without one path per first person, the second best also goes through Ana.
    both = P.best_paths(adj, 0, [3], k=2, max_hops=3, distinct_first=False)
    assert [p.nodes for p in both] == [(0, 1, 2, 3), (0, 1, 4, 3)]
    # Two hops at most: only Dan's way is left.
    assert [p.nodes for p in P.best_paths(adj, 0, [3], k=3, max_hops=2)] == [(0, 4, 3), (0, 1, 4, 3)][:1]
    assert P.best_paths(adj, 0, [99], k=3) == []
    assert P.best_paths(adj, 0, [0], k=3) == []


def test_best_paths_agree_with_brute_force_on_random_graphs() -> None:
    rng = random.Random(11)
    for _ in range(30):
        n = 40
        edges = [(a, b, rng.uniform(0.05, 1.0)) for a, b in itertools.combinations(range(n), 2) if rng.random() < 0.08]
        adj = P.undirected(edges)
        goal = set(rng.sample(range(1, n), 3))
        found = P.best_paths(adj, 0, goal, k=4, max_hops=3, distinct_first=False)
        brute = _brute(adj, 0, goal, 3)[:4]
        assert [round(p.cost, 9) for p in found] == [round(c, 9) for c, _ in brute]
        assert all(len(set(p.nodes)) == len(p.nodes) for p in found)


def test_best_path_matches_networkx_dijkstra_when_the_best_path_is_short() -> None:
    nx = pytest.importorskip("networkx")
    rng = random.Random(5)
    for _ in range(20):
        g = nx.gnp_random_graph(60, 0.1, seed=rng.randrange(10**6))
        for a, b in g.edges:
            g[a][b]["w"] = rng.uniform(0.05, 1.0)
            g[a][b]["cost"] = P.cost(g[a][b]["w"])
        target = rng.randrange(1, 60)
        if not nx.has_path(g, 0, target):
            continue
        ref = nx.dijkstra_path(g, 0, target, weight="cost")
        if len(ref) - 1 > 3:
            continue
        adj = {n: {m: d["w"] for m, d in g[n].items()} for n in g}
        ours = P.best_paths(adj, 0, [target], k=1, max_hops=3)
        assert ours[0].cost == pytest.approx(nx.path_weight(g, ref, "cost"))


def test_weights_prefer_strength_freshness_and_people_who_owe_me() -> None:
    assert P.first_hop_weight(80, net=2.0) > P.first_hop_weight(80) > P.first_hop_weight(80, net=-2.0)
    assert P.first_hop_weight(80, net=-10.0) == pytest.approx(P.first_hop_weight(80) * 0.5)
    assert P.first_hop_weight(100, net=5.0) == 1.0
    assert (
        P.tie_weight(0.8, days_since_seen=0)
        > P.tie_weight(0.8, days_since_seen=None)
        > P.tie_weight(0.8, days_since_seen=3000)
    )
    assert P.freshness(730) == pytest.approx(0.75)
    assert math.isfinite(P.cost(0.0))


# A small network on both backends --------------------------------------------------------------------------


def _add(db: Db, name: str, **kw: Any) -> int:
    return people.add_person(db, PersonChanges(name=name, **kw), now=NOW)


def _talk(db: Db, pid: int, times: int, every: int = 7) -> None:
    for i in range(times):
        interactions.log_interaction(
            db, summary="caught up", people=[pid], occurred_at=NOW - timedelta(days=1 + i * every),
            initiator="them" if i % 2 else "me", now=NOW,
        )  # fmt: skip


@pytest.fixture
def net(db: Db) -> dict[str, int]:
    """me → Ana (strong, owes me) → Bo (worked together at Initech) → Carla (hiring manager at Acme);
    me → Dan (weaker, I owe him) → Carla; Gil worked at Acme before; Hal knows nobody at Acme."""
    people.set_me(db, name="Me Myself", now=NOW)
    p = {
        "ana": _add(db, "Ana Lima", closeness=95),
        "bo": _add(db, "Bo Chen", organization="Globex", title="Engineer"),
        "carla": _add(db, "Carla Diaz", organization="Acme", title="Hiring Manager", job_start=date(2021, 3, 1)),
        "dan": _add(db, "Dan Ruiz", closeness=40),
        "finn": _add(db, "Finn Berg", organization="Acme", title="Intern"),
        "gil": _add(db, "Gil Ohana", closeness=60),
        "hal": _add(db, "Hal Moss", closeness=70),
    }
    oid = people.organization_id(db, "Acme", now=NOW)
    db.execute(
        "INSERT INTO employment (person_id, organization_id, title, start_date, end_date) "
        "VALUES (:p, :o, 'Designer', :s, :e)",
        {"p": p["gil"], "o": oid, "s": date(2015, 1, 1), "e": date(2019, 6, 30)},
    )
    _talk(db, p["ana"], 12)
    _talk(db, p["dan"], 3, every=60)
    _talk(db, p["gil"], 4, every=30)
    _talk(db, p["hal"], 6)
    _talk(db, p["carla"], 1, every=1)
    db.execute("UPDATE person SET closeness = 5 WHERE id = :id", {"id": p["carla"]})
    ledger.record(db, person_id=p["ana"], direction="given", kind="advice", status="done", weight=3, on=TODAY,
                  note=None, parties=[], now=NOW)  # fmt: skip
    ledger.record(db, person_id=p["dan"], direction="received", kind="referral", status="done", weight=3, on=TODAY,
                  note=None, parties=[], now=NOW)  # fmt: skip
    ties.link(db, p["ana"], p["bo"], how="worked together at Initech 2019–2022", strength=0.9, now=NOW)
    ties.link(db, p["bo"], p["carla"], how="climbing partners", strength=0.9, now=NOW)
    ties.link(db, p["dan"], p["carla"], how="neighbours", strength=0.6, now=NOW)
    ties.link(db, p["hal"], p["bo"], how="school friends", strength=0.3, now=NOW)
    ties.link(db, p["gil"], p["finn"], how="mentor", strength=0.5, now=NOW)
    return p


def test_paths_rank_and_explain(db: Db, net: dict[str, int]) -> None:
    acme = graph.resolve_organization(db, "acme")["id"]
    found = graph.paths(db, to_org=acme, k=5, now=NOW, today=TODAY)
    firsts = [p["people"][0]["name"] for p in found]
    # Carla herself is a (faint) direct contact: she is an end of one path.
    assert "Carla Diaz" in firsts
    ana = next(p for p in found if p["people"][0]["name"] == "Ana Lima")
    assert [x["name"] for x in ana["people"]] == ["Ana Lima", "Bo Chen", "Carla Diaz"]
    assert ana["text"].startswith("you → Ana Lima (")
    assert "owes you" in ana["text"]
    assert (
        "→ Bo Chen (worked together at Initech 2019–2022) → Carla Diaz (climbing partners), Hiring Manager at Acme"
        in (ana["text"])
    )
    assert [s["kind"] for s in ana["steps"]] == ["mine", "tie", "tie"]
    dan = next(p for p in found if p["people"][0]["name"] == "Dan Ruiz")
    assert "you owe them" in dan["text"]
    assert ana["rank"] < dan["rank"]
    assert [p["weight"] for p in found] == sorted((p["weight"] for p in found), reverse=True)
    # Gil (worked there before) reaches the intern through his mentee tie.
    assert any(p["people"][0]["name"] == "Gil Ohana" and p["people"][-1]["name"] == "Finn Berg" for p in found)


def test_a_rejected_tie_is_no_path_and_paths_to_a_person(db: Db, net: dict[str, int]) -> None:
    to_carla = graph.paths(db, to_person=net["carla"], k=3, now=NOW, today=TODAY)
    assert to_carla[0]["people"][-1]["id"] == net["carla"]
    tid = next(t["id"] for t in ties.ties_of(db, net["ana"]) if t["other"]["id"] == net["bo"])
    ties.reject(db, tid, now=NOW)
    again = graph.paths(db, to_person=net["carla"], k=3, now=NOW, today=TODAY)
    assert all("Ana Lima" not in p["text"] for p in again)
    assert graph.paths(db, to_person=net["carla"], max_hops=1, now=NOW, today=TODAY)[0]["hops"] == 1
    with pytest.raises(InvalidInput):
        graph.paths(db, to_person=net["carla"], max_hops=4, now=NOW, today=TODAY)
    with pytest.raises(InvalidInput):
        graph.paths(db, now=NOW, today=TODAY)


def test_who_knows_first_and_second_degree(db: Db, net: dict[str, int]) -> None:
    found = graph.who_knows(db, "Acme", now=NOW, today=TODAY)
    assert found["organization"]["name"] == "Acme"
    first = [(f["person"]["name"], f["current"]) for f in found["first_degree"]]
    # Current first (by my strength), then those who worked there before.
    assert first[-1] == ("Gil Ohana", False)
    assert {n for n, current in first if current} == {"Carla Diaz", "Finn Berg"}
    assert "worked at Acme as Designer (2015–2019)" in found["first_degree"][-1]["reason"]
    second = [s["person"]["name"] for s in found["second_degree"]]
    assert second[:1] == ["Bo Chen"] or "Bo Chen" in second
    assert "Dan Ruiz" in second
    assert "Gil Ohana" in second
    assert "Ana Lima" not in second  # two steps away, not one
    dan = next(s for s in found["second_degree"] if s["person"]["name"] == "Dan Ruiz")
    assert dan["via"][0]["person"]["name"] == "Carla Diaz"
    assert "knows Carla Diaz, Hiring Manager at Acme: neighbours" in dan["reason"]
    assert [s["score"] for s in found["second_degree"]] == sorted(
        (s["score"] for s in found["second_degree"]), reverse=True
    )
    with pytest.raises(NotFound):
        graph.who_knows(db, "Umbrella", now=NOW, today=TODAY)


def test_resolving_a_target(db: Db, net: dict[str, int]) -> None:
    people.organization_id(db, "Acme Labs", now=NOW)
    assert graph.resolve_target(db, "Acme") == ("organization", graph.resolve_organization(db, "ACME")["id"])
    assert graph.resolve_target(db, "Ana Lima") == ("person", net["ana"])
    assert graph.resolve_target(db, "Globex")[0] == "organization"
    with pytest.raises(Ambiguous):
        graph.resolve_organization(db, "ac")
    with pytest.raises(NotFound):
        graph.resolve_target(db, "Zyxwvut Qqq")


# The network view and exports ------------------------------------------------------------------------------


def _sociogram(db: Db, name: str) -> dict[str, int]:
    path = SOCIOGRAMS / f"{name}.edges.csv"
    if not path.exists():
        pytest.skip(f"no sociogram at {path}")
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    ids: dict[str, int] = {}
    for r in rows:
        for n in (r["source"], r["target"]):
            if n not in ids:
                ids[n] = _add(db, n)
    for r in rows:
        ties.link(db, ids[r["source"]], ids[r["target"]], how="married into", strength=1.0, now=NOW)
    return ids


def test_network_finds_the_medici_as_brokers_of_florence(db: Db) -> None:
    people.set_me(db, name="Me Myself", now=NOW)
    ids = _sociogram(db, "florentine_families")
    found = graph.network(db, now=NOW)
    assert found["people"] == len(ids)
    assert found["ties"] == 20
    assert found["components"] == [15]
    assert found["brokers"][0]["person"]["name"] == "Medici"
    assert len(found["brokers"][0]["clusters"]) >= 2
    assert sum(c["size"] for c in found["clusters"]) == 15
    assert len(found["clusters"]) >= 2
    assert found["circles"] == {"none": 15}


def test_network_clusters_split_the_karate_club(db: Db) -> None:
    people.set_me(db, name="Me Myself", now=NOW)
    _sociogram(db, "karate_club")
    found = graph.network(db, now=NOW)
    assert found["connected"] == 34
    assert 2 <= len(found["clusters"]) <= 6
    # The instructor (0) and the president (33) are the classic brokers.
    assert {b["person"]["name"] for b in found["brokers"][:2]} == {"0", "33"}


def test_graphml_and_gexf_round_trip_through_networkx(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    nx = pytest.importorskip("networkx")
    cli("add", "Ana Lima", "--org", "Initech", "--circle", "inner")
    cli("add", "Bo Chen", "--org", "Initech")
    cli("log", "coffee", "--with", "Ana Lima")
    cli("link", "Ana Lima", "Bo Chen", "--how", "worked together at Initech")
    gml, gexf = tmp_path / "net.graphml", tmp_path / "net.gexf"
    out = cli("export", "--graphml", str(gml), "--gexf", str(gexf)).stdout
    assert "3 people, 1 tie" in out
    g = nx.read_graphml(gml)
    names = {d["name"]: n for n, d in g.nodes(data=True)}
    assert set(names) == {"Jordan Avery", "Ana Lima", "Bo Chen"}
    ana = g.nodes[names["Ana Lima"]]
    assert (ana["circle"], ana["organization"], ana["strength"] > 0) == ("inner", "Initech", True)
    tie = g.edges[names["Ana Lima"], names["Bo Chen"]]
    assert (tie["kind"], tie["how"], tie["strength"]) == ("explicit", "worked together at Initech", 0.8)
    assert g.edges[names["Jordan Avery"], names["Ana Lima"]]["kind"] == "mine"
    h = nx.read_gexf(gexf)
    assert h.number_of_nodes() == 3
    assert h.number_of_edges() == g.number_of_edges() == 2


# CLI -------------------------------------------------------------------------------------------------------


def test_cli_who_knows_path_and_network(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cli("add", "Ana Lima")
    cli("add", "Carla Diaz", "--org", "Acme", "--title", "Hiring Manager")
    cli("log", "lunch", "--with", "Ana Lima")
    cli("link", "Ana Lima", "Carla Diaz", "--how", "worked together at Initech")
    found = cli("who-knows", "acme", "--json").json()
    assert [s["person"]["name"] for s in found["second_degree"]] == ["Ana Lima"]
    assert "Ana Lima" in cli("who-knows", "Acme").stdout
    paths = cli("path", "--to", "Acme", "--json").json()
    assert paths["to"]["kind"] == "organization"
    assert paths["paths"][0]["text"].startswith("you → Ana Lima (")
    assert "Carla Diaz (worked together at Initech), Hiring Manager at Acme" in paths["paths"][0]["text"]
    assert cli("path", "--to", "Carla Diaz", "--json").json()["to"]["kind"] == "person"
    assert "1. you → Ana Lima" in cli("path", "--to", "Acme").stdout
    net = cli("network", "--json").json()
    assert net["ties"] == 1
    png = tmp_path / "net.png"
    drawn = cli("network", "--plot", str(png), "--json").json()
    assert drawn["plot"]["people"] >= 1
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_cli_graph_errors_exit_2(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cli("add", "Ana Lima")
    cli("add", "Ana Lopez")
    for args in (
        ("path", "--to", "Nowhere Inc"),
        ("path", "--to", "Ana"),
        ("path", "--to", "me"),
        ("who-knows", "Nowhere Inc"),
        ("network", "--plot", str(tmp_path / "net.txt")),
        ("network", "--plot", str(tmp_path / "missing" / "net.png")),
    ):
        res = cli(*args, ok=False)
        assert res.exit_code == 2, (args, res.stdout, res.stderr)
        assert res.stderr.startswith("dunbar: error:"), args

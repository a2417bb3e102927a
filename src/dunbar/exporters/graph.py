"""The network as GraphML or GEXF, for Gephi, yEd or networkx (``dunbar export --graphml FILE`` / ``--gexf FILE``).

Nodes are people (``me`` included, marked ``is_me``) with their name, circle, current organization and title,
and my strength with them; edges are ties that are not rejected (kind, how, strength, status, last seen,
evidence as text) and my own ties to everyone with a strength above zero (kind ``mine``, strength 0..1).
networkx writes both formats; it is imported here only.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, TextIO

from dunbar.store.db import Db, to_date


def build(db: Db, *, now: datetime) -> Any:
    """The networkx graph of the export (node ids are person ids as text, as both formats want strings)."""
    import networkx as nx

    from dunbar import strength

    g = nx.Graph()
    me = None
    for pid, name, circle, is_me in db.rows(
        "SELECT id, display_name, circle, is_me FROM person WHERE deleted_at IS NULL ORDER BY id"
    ):
        g.add_node(str(pid), label=name, name=name, circle=circle or "", organization="", title="",
                   strength=0, is_me=bool(is_me))  # fmt: skip
        if is_me:
            me = str(pid)
    for pid, org, title in db.rows(
        "SELECT e.person_id, o.name, e.title FROM employment e JOIN organization o ON o.id = e.organization_id "
        "WHERE e.end_date IS NULL ORDER BY e.start_date, e.id"
    ):
        if str(pid) in g:
            g.nodes[str(pid)].update(organization=org, title=title or "")
    for tid, a, b, kind, how, s, evidence, status, since, last_seen in db.rows(
        "SELECT id, person_a_id, person_b_id, kind, how, strength, evidence, status, since, last_seen FROM tie "
        "WHERE status <> 'rejected' ORDER BY id"
    ):
        if str(a) in g and str(b) in g:
            texts = [e.get("text", "") for e in json.loads(evidence or "[]")]
            g.add_edge(str(a), str(b), tie_id=int(tid), kind=kind, how=how or "", strength=float(s),
                       weight=float(s), status=status, since=str(to_date(since) or ""),
                       last_seen=str(to_date(last_seen) or ""), evidence="; ".join(texts))  # fmt: skip
    for pid, score in strength.scores(db, now=now).items():
        if str(pid) in g:
            g.nodes[str(pid)]["strength"] = int(score)
            if me is not None and score > 0:
                g.add_edge(me, str(pid), tie_id=0, kind="mine", how="", strength=score / 100.0, weight=score / 100.0,
                           status="", since="", last_seen="", evidence="")  # fmt: skip
    return g


def _counts(g: Any) -> dict[str, int]:
    # Keyed by table, as every exporter's counts are (``dunbar export`` says "3 people, 2 ties").
    ties = sum(1 for _, _, d in g.edges(data=True) if d["kind"] != "mine")
    return {"person": g.number_of_nodes(), "tie": ties}


def write_graphml(db: Db, out: TextIO, *, now: datetime) -> dict[str, int]:
    import networkx as nx

    g = build(db, now=now)
    for line in nx.generate_graphml(g):
        out.write(line + "\n")
    return _counts(g)


def write_gexf(db: Db, out: TextIO, *, now: datetime) -> dict[str, int]:
    import networkx as nx

    g = build(db, now=now)
    for line in nx.generate_gexf(g):
        out.write(line + "\n")
    return _counts(g)

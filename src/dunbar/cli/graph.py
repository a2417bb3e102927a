"""Who knows whom: ``dunbar link``, ``dunbar ties``, ``dunbar who-knows``, ``dunbar path`` and ``dunbar network``."""

from typing import Annotated, Any

import typer

from dunbar.cli.app import app, state
from dunbar.cli.output import JsonFlag, console, emit_json, escape, table

TeamFlag = Annotated[
    bool,
    typer.Option(
        "--team/--no-team",
        help="On a team server with --user: also what sharing teammates know (the default), or only your network.",
    ),
]


def _team_server(st: Any, team: bool) -> Any:
    """The team server's accounts handle when this command runs for a --user with --team, else None."""
    if not team or st.user is None:
        return None
    return st.server()


def _print_team_who_knows(found: dict[str, Any]) -> None:
    out = console()
    if not found["results"]:
        out.print("No teammate who shares with you knows someone there.")
        return
    out.print(f"Your teammates know there ({found['count']}):")
    for r in found["results"]:
        title = f", {r['title']}" if r["title"] else ""
        out.print(
            f"  {escape(r['teammate']['name'])} knows {escape(r['name'])}{escape(title)} at "
            f"{escape(r['organization'] or '')} (strength {r['strength']})  [ref {r['ref']}]"
        )


def _tie_line(t: dict[str, Any]) -> str:
    status = "" if t["status"] == "active" else f" [{t['status']}]"
    how = t["how"] or "(no reason given)"
    return f"#{t['id']} {t['kind']}{status}, strength {t['strength']:.2f}: {how}"


@app.command("link")
def link_command(
    ctx: typer.Context,
    a: Annotated[str, typer.Argument(metavar="A", help="One person (name, #id, e-mail…).", show_default=False)],
    b: Annotated[str, typer.Argument(metavar="B", help="The other person.", show_default=False)],
    how: Annotated[
        str | None, typer.Option("--how", help='How they know each other: "worked together at Initech".')
    ] = None,
    strength: Annotated[float, typer.Option("--strength", metavar="0..1", help="How well they know each other.")] = 0.8,
    json: JsonFlag = False,
) -> None:
    """Say that A and B know each other (a tie you state yourself; it also takes back a rejected one)."""
    from dunbar import people, ties

    st = state(ctx)
    db = st.db()
    tie_id = ties.link(db, people.resolve(db, a), people.resolve(db, b), how=how, strength=strength, now=st.now())
    tie = ties.get(db, tie_id)
    if json:
        emit_json(tie)
        return
    names = " and ".join(escape(p["name"]) for p in tie["people"])
    console().print(f"Linked {names}: {escape(_tie_line(tie))}")


@app.command("ties")
def ties_command(
    ctx: typer.Context,
    person: Annotated[
        str | None, typer.Argument(metavar="[PERSON]", help="Whose ties to show.", show_default=False)
    ] = None,
    infer: Annotated[
        bool, typer.Option("--infer", help="Infer ties from shared threads, meetings, employers, introductions.")
    ] = False,
    confirm: Annotated[int | None, typer.Option("--confirm", metavar="ID", help="Confirm tie ID.")] = None,
    reject: Annotated[int | None, typer.Option("--reject", metavar="ID", help="Reject tie ID (for good).")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Rejected ties too.")] = False,
    json: JsonFlag = False,
) -> None:
    """A person's ties to other people you know, with their evidence; or --infer, --confirm ID, --reject ID."""
    from dunbar import ties
    from dunbar.errors import InvalidInput

    modes = [m for m, on in (("PERSON", person is not None), ("--infer", infer), ("--confirm", confirm is not None),
                             ("--reject", reject is not None)) if on]  # fmt: skip
    if len(modes) != 1:
        raise InvalidInput(
            f"{modes[0]} and {modes[1]} cannot go together" if modes else "whose ties?",
            hint="dunbar ties PERSON, dunbar ties --infer, dunbar ties --confirm ID or --reject ID",
        )
    st = state(ctx)
    db = st.db()
    if infer:
        counts = ties.infer(db, now=st.now())
        if json:
            emit_json(counts)
            return
        console().print(
            f"Ties inferred from {counts['pairs']} pairs with evidence: {counts['created']} new, "
            f"{counts['updated']} updated, {counts['unchanged']} unchanged, {counts['removed']} removed "
            f"(evidence gone), {counts['rejected']} left rejected."
        )
        return
    if confirm is not None or reject is not None:
        tie = (
            ties.confirm(db, confirm, now=st.now())
            if confirm is not None
            else ties.reject(db, reject or 0, now=st.now())
        )
        if json:
            emit_json(tie)
            return
        names = " and ".join(escape(p["name"]) for p in tie["people"])
        console().print(f"{'Confirmed' if confirm is not None else 'Rejected'} the tie between {names}.")
        return
    from dunbar import people

    assert person is not None
    pid = people.resolve(db, person)
    found = ties.ties_of(db, pid, include_rejected=all_)
    if json:
        emit_json(found)
        return
    if not found:
        console().print("No ties yet. `dunbar ties --infer` finds them; `dunbar link A B --how ...` states one.")
        return
    t = table("id", "knows", "at", "strength", "kind", "how", "last seen")
    for item in found:
        o = item["other"]
        where = " ".join(x for x in (o["title"], f"at {o['organization']}" if o["organization"] else None) if x)
        kind = item["kind"] if item["status"] == "active" else f"{item['kind']}, {item['status']}"
        t.add_row(
            str(item["id"]),
            escape(o["name"]),
            escape(where),
            f"{item['strength']:.2f}",
            kind,
            escape(item["how"] or ""),
            str(item["last_seen"] or ""),
        )
    console().print(t)


@app.command("who-knows")
def who_knows_command(
    ctx: typer.Context,
    org: Annotated[str, typer.Argument(metavar="ORG", help="The organization.", show_default=False)],
    limit: Annotated[int, typer.Option("--limit", min=1, help="At most this many of each degree.")] = 20,
    team: TeamFlag = True,
    json: JsonFlag = False,
) -> None:
    """People you know at ORG now or before (1st degree) and people who know someone there (2nd degree); on a team
    server with --user, also your sharing teammates' contacts there."""
    from dunbar import graph
    from dunbar.errors import NotFound

    st = state(ctx)
    server = _team_server(st, team)
    try:
        found = graph.who_knows(st.db(), org, now=st.now(), today=st.today, limit=limit)
    except NotFound:
        if server is None:
            raise
        # Not in my network, but perhaps in a teammate's.
        found = {"organization": None, "first_degree": [], "second_degree": [],
                 "counts": {"first_degree": 0, "second_degree": 0}}  # fmt: skip
    if server is not None:
        from dunbar.server import teams

        found["team"] = teams.team_who_knows(server, st.account(), org, now=st.now())
    if json:
        emit_json(found)
        return
    out = console()
    if server is not None:
        _print_team_who_knows(found["team"])
        if found["organization"] is None:
            return
    name = escape(found["organization"]["name"])
    if not found["first_degree"] and not found["second_degree"]:
        out.print(f"Nobody you know is at {name} or knows someone there yet. Try `dunbar ties --infer`.")
        return
    if found["first_degree"]:
        out.print(f"You know at {name} ({found['counts']['first_degree']}):")
        for f in found["first_degree"]:
            out.print(f"  {escape(f['person']['name'])} (#{f['person']['id']}): {escape(f['reason'])}")
    if found["second_degree"]:
        out.print(f"Know someone at {name} ({found['counts']['second_degree']}):")
        for s in found["second_degree"]:
            out.print(f"  {escape(s['person']['name'])} (#{s['person']['id']}): {escape(s['reason'])}")


@app.command("path")
def path_command(
    ctx: typer.Context,
    to: Annotated[str, typer.Option("--to", metavar="PERSON|ORG", help="A person or an organization.")],
    k: Annotated[int, typer.Option("--k", min=1, max=20, help="How many paths (through different people).")] = 3,
    hops: Annotated[int, typer.Option("--hops", min=1, max=3, help="At most this many hops.")] = 3,
    team: TeamFlag = True,
    json: JsonFlag = False,
) -> None:
    """The warmest ways from you to a person or into an organization, each explained; on a team server with
    --user, also the ways through a sharing teammate."""
    from dunbar import graph
    from dunbar.errors import NotFound

    st = state(ctx)
    db = st.db()
    server = _team_server(st, team)
    result: dict[str, Any]
    try:
        kind, target = graph.resolve_target(db, to)
    except NotFound:
        if server is None:
            raise
        result, found = {"to": None, "paths": []}, []
    else:
        found = graph.paths(
            db,
            to_person=target if kind == "person" else None,
            to_org=target if kind == "organization" else None,
            k=k,
            max_hops=hops,
            now=st.now(),
            today=st.today,
        )
        result = {"to": {"kind": kind, "id": target}, "paths": found}
    if server is not None:
        from dunbar.server import teams

        result["team"] = teams.team_paths(server, st.account(), to, now=st.now())
    if json:
        emit_json(result)
        return
    if server is not None:
        team_paths = result["team"]["paths"]
        if team_paths:
            console().print("Through your teammates:")
            for p in team_paths:
                console().print(f"  {p['rank']}. {escape(p['text'])}  [ref {p['ref']}]")
        else:
            console().print("No teammate who shares with you knows them.")
        if result["to"] is None:
            return
    if not found:
        console().print(
            f"No warm path within {hops} hops. `dunbar ties --infer` finds ties; `dunbar link A B` states one; "
            "`dunbar who-knows ORG` lists former employees too."
        )
        return
    out = console()
    for p in found:
        out.print(f"{p['rank']}. {escape(p['text'])}  [{p['weight']:.2f}]")


@app.command("network")
def network_command(
    ctx: typer.Context,
    plot: Annotated[
        str | None, typer.Option("--plot", metavar="FILE", help="Draw the network into FILE (.png or .svg).")
    ] = None,
    json: JsonFlag = False,
) -> None:
    """Your network's shape: people per circle, clusters and their organizations, and the brokers between them."""
    from dunbar import graph

    st = state(ctx)
    db = st.db()
    if plot is not None:
        from pathlib import Path

        from dunbar.errors import InvalidInput

        if not Path(plot).expanduser().parent.exists():
            raise InvalidInput(f"no folder to write {plot} in", hint="create the folder first")
    found = graph.network(db, now=st.now())
    drawn = graph.plot(db, str(plot), now=st.now()) if plot is not None else None
    if json:
        emit_json({**found, **({"plot": {"file": plot, **drawn}} if drawn else {})})
        return
    out = console()
    circles = ", ".join(f"{k} {v}" for k, v in found["circles"].items())
    out.print(f"{found['people']} people ({circles}); {found['ties']} ties among {found['connected']} of them.")
    if found["clusters"]:
        t = table("cluster", "people", "organizations", "closest to you", title="Clusters")
        for c in found["clusters"][:10]:
            orgs = ", ".join(f"{o['name']} ({o['people']})" for o in c["organizations"])
            t.add_row(str(c["id"]), str(c["size"]), escape(orgs), escape(", ".join(p["name"] for p in c["people"][:3])))
        out.print(t)
    if found["brokers"]:
        out.print("Brokers (they bridge parts of your network)" + (" (estimated)" if found["sampled"] else "") + ":")
        for b in found["brokers"]:
            out.print(f"  {escape(b['person']['name'])} (#{b['person']['id']}): {escape(b['reason'])}")
    if drawn:
        out.print(f"Drew {drawn['people']} people and {drawn['ties']} ties to {escape(plot)}.")

"""Merge commands: ``dunbar merge`` (and ``--undo``) and ``dunbar dedupe`` (the review queue)."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from dunbar.cli.app import app, state
from dunbar.cli.output import JsonFlag, console, emit_json, escape, table

# How the tables of ``merge.moved`` are named to a person: (one, many).
_WHAT = {
    "identifier": ("contact detail", "contact details (e-mails, phones, links)"),
    "employment": ("job", "jobs"),
    "important_date": ("date", "dates"),
    "field": ("custom field", "custom fields"),
    "person_tag": ("tag", "tags"),
    "note": ("note", "notes"),
    "participant": ("interaction", "interactions"),
    "follow_up": ("follow-up", "follow-ups"),
    "alternate": ("alternate value", "alternate values"),
    "merge_candidate": ("candidate pair", "candidate pairs"),
}
TABLE_LIMIT = 20  # pairs shown as tables when no --limit is given


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {_WHAT.get(t, (t, t))[0 if n == 1 else 1]}" for t, n in counts.items())


def _print_merge(info: dict[str, Any], *, undone: bool = False) -> None:
    out = console()
    s, m = info["survivor"], info["merged"]
    if undone:
        out.print(f"Undid merge #{info['id']}: {escape(m['name'])} (#{m['id']}) is back, apart from "
                  f"{escape(s['name'])} (#{s['id']}).")  # fmt: skip
        return
    out.print(f"Merged {escape(m['name'])} (#{m['id']}) into {escape(s['name'])} (#{s['id']}).")
    if info["moved"]:
        out.print(f"  moved: {escape(_counts(info['moved']))}")
    if info["removed"]:
        out.print(f"  duplicates removed: {escape(_counts(info['removed']))}")
    if info["filled"]:
        out.print(f"  filled in: {escape(', '.join(c.replace('_', ' ') for c in info['filled']))}")
    if info["alternates"]:
        kept = ", ".join(f"{a['attribute']} {a['value']!r}" for a in info["alternates"])
        out.print(f"  kept as alternates: {escape(kept)}")
    out.print(f"undo with `dunbar merge --undo {info['id']}`")


@app.command("merge")
def merge_command(
    ctx: typer.Context,
    survivor: Annotated[str | None, typer.Argument(help="Who stays: a name, e-mail, LinkedIn URL, #id or me.")] = None,
    merged: Annotated[str | None, typer.Argument(help="Who is merged into them (and then hidden).")] = None,
    undo: Annotated[int | None, typer.Option("--undo", metavar="MERGE_ID", help="Undo this merge.")] = None,
    json_: JsonFlag = False,
) -> None:
    """Merge B into A: everything of B moves to A; conflicting values are kept as alternates. Undoable."""
    from dunbar import merge, people
    from dunbar.errors import InvalidInput

    st = state(ctx)
    if undo is not None:
        if survivor or merged:
            raise InvalidInput("--undo takes only the id of a merge", hint="dunbar merge --undo 3")
        db = st.db()
        merge.undo_merge(db, undo, now=st.now())
        info = merge.get_merge(db, undo)
        if json_:
            emit_json(info)
        else:
            _print_merge(info, undone=True)
        return
    if not survivor or not merged:
        raise InvalidInput(
            "say who to merge: the one who stays, then the one merged into them", hint="dunbar merge A B"
        )
    db = st.db()
    sid, mid = people.resolve(db, survivor), people.resolve(db, merged)
    merge_id = merge.merge_people(db, sid, mid, now=st.now())
    info = merge.get_merge(db, merge_id)
    if json_:
        emit_json(info)
    else:
        _print_merge(info)


# dedupe ----------------------------------------------------------------------------------------------------


def _interactive() -> bool:
    return sys.stdin.isatty()


def _cell(p: dict[str, Any], what: str) -> str:
    if what == "name":
        me = " (me)" if p["is_me"] else ""
        return f"{p['name']} (#{p['id']}){me}"
    if what == "e-mails":
        return "\n".join(e["address"] for e in p["emails"])
    if what == "phones":
        return "\n".join(ph["number"] for ph in p["phones"])
    if what == "links":
        return "\n".join(link["url"] for link in p["links"])
    if what == "organizations":
        return "\n".join(
            f"{j['organization']}" + (f" ({j['title']})" if j["title"] else "") + ("" if j["current"] else ", before")
            for j in p["employments"]
        )
    if what == "location":
        return p["location"] or ""
    return p["source"] or ""


def _pair_table(c: dict[str, Any]) -> Any:
    t = table("", "a", "b", title=f"Pair #{c['id']}: score {c['score']:.2f}")
    for what in ("name", "e-mails", "phones", "links", "organizations", "location", "source"):
        t.add_row(what, escape(_cell(c["a"], what)), escape(_cell(c["b"], what)))
    return t


def _print_pair(out: Any, c: dict[str, Any]) -> None:
    out.print(_pair_table(c))
    for why in c["evidence"]:
        out.print(f"  {escape(why)}")
    out.print()


def _walk(st: Any, pairs: list[dict[str, Any]]) -> None:
    from dunbar import merge

    out = console()
    db = st.db()
    for i, c in enumerate(pairs, 1):
        current = db.scalar("SELECT status FROM merge_candidate WHERE id = :id", {"id": c["id"]})
        if current != "pending":  # an earlier merge of this walk may have decided it
            continue
        _print_pair(out, c)
        while True:
            answer = typer.prompt(f"({i}/{len(pairs)}) m = merge, a = keep apart, s = skip, q = quit", default="s")
            answer = answer.strip().lower()[:1]
            if answer in ("m", "a", "s", "q"):
                break
        if answer == "q":
            return
        if answer == "s":
            continue
        if answer == "a":
            merge.decide(db, c["id"], "apart", now=st.now())
            out.print("Kept apart; this pair will not be proposed again.")
            continue
        keep = "b" if c["b"]["is_me"] else "a"
        result = merge.decide(db, c["id"], "merge", keep=keep, now=st.now())
        out.print(f"Merged #{result['merged_id']} into #{result['survivor_id']} "
                  f"(undo with `dunbar merge --undo {result['merge_id']}`).")  # fmt: skip


@app.command()
def dedupe(
    ctx: typer.Context,
    scan: Annotated[bool, typer.Option("--scan", help="Look for new candidate pairs among everyone first.")] = False,
    merge_id: Annotated[
        int | None, typer.Option("--merge", metavar="ID", help="Merge this candidate pair (a keeps, b goes).")
    ] = None,
    apart: Annotated[
        int | None, typer.Option("--apart", metavar="ID", help="Keep this pair apart; it is not proposed again.")
    ] = None,
    keep: Annotated[str, typer.Option("--keep", help="With --merge: which one stays, a or b.")] = "a",
    status: Annotated[
        str, typer.Option("--status", help="List pairs of this status: pending, merged or apart.")
    ] = "pending",
    limit: Annotated[int | None, typer.Option("--limit", help="At most this many pairs.")] = None,
    json_: JsonFlag = False,
) -> None:
    """Review pairs of people who may be one: merge them or keep them apart.

    On a terminal, without --merge or --apart, walks the queue: m = merge, a = keep apart, s = skip, q = quit.
    """
    from dunbar import merge
    from dunbar.errors import InvalidInput

    st = state(ctx)
    if merge_id is not None and apart is not None:
        raise InvalidInput("give one of --merge or --apart, not both")
    if keep not in ("a", "b"):
        raise InvalidInput(f"--keep must be a or b, not {keep!r}")
    if limit is not None and limit < 0:
        raise InvalidInput("--limit cannot be negative")
    db = st.db()
    if merge_id is not None or apart is not None:
        cid = merge_id if merge_id is not None else apart
        assert cid is not None
        result = merge.decide(db, cid, "merge" if merge_id is not None else "apart", keep=keep, now=st.now())
        if json_:
            emit_json(result)
        elif result["status"] == "apart":
            console().print(f"Kept pair #{cid} apart; it will not be proposed again.")
        else:
            info = merge.get_merge(db, result["merge_id"])
            _print_merge(info)
        return
    found = merge.scan(db, now=st.now()) if scan else None
    shown = limit if limit is not None or json_ else TABLE_LIMIT
    pairs = merge.candidates(db, status=status, limit=None if shown is None else shown + 1)
    more = shown is not None and len(pairs) > shown
    pairs = pairs[:shown] if shown is not None else pairs
    if json_:
        emit_json(pairs)
        return
    out = console()
    if found is not None:
        out.print(f"Found {found} new candidate pair{'' if found == 1 else 's'}.")
    if not pairs:
        out.print(f"No candidate pairs {'to review' if status == 'pending' else 'with status ' + status}.")
        if status == "pending" and not scan:
            out.print("`dunbar dedupe --scan` looks for them among everyone.")
        return
    if status == "pending" and _interactive():
        _walk(st, pairs)
        return
    for c in pairs:
        _print_pair(out, c)
    if more:
        out.print(f"More pairs are waiting; --limit N shows more than {shown}.")
    if status == "pending":
        out.print("Decide with `dunbar dedupe --merge ID [--keep b]` or `dunbar dedupe --apart ID`.")

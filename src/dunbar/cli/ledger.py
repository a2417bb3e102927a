"""Ledger commands: ``dunbar favour`` (record, list, mark done, delete) and ``dunbar balance``.

One ``favour`` command with modes rather than a sub-app: recording is what people do most, and
``dunbar favour Ana introduction --with Bo`` reads as a sentence. ``--list``, ``--done ID`` and ``--delete ID``
switch to the other modes.
"""

from typing import Annotated, Any

import typer

from dunbar.cli.app import app, state
from dunbar.cli.output import JsonFlag, console, emit_json, err_console, escape, table


def _one_of(flags: dict[str, bool], *, default: str | None) -> str | None:
    from dunbar.errors import InvalidInput

    chosen = [name for name, on in flags.items() if on]
    if len(chosen) > 1:
        raise InvalidInput(f"--{chosen[0]} and --{chosen[1]} cannot go together", hint="give only one of them")
    return chosen[0] if chosen else default


def _print_advice(advice: dict[str, Any], name: str) -> None:
    out = err_console()
    for w in advice["warnings"]:
        out.print(f"[yellow]warning:[/yellow] {escape(w)}")
    if advice["better"]:
        out.print(f"Better placed to ask than {escape(name)}:")
        for b in advice["better"]:
            out.print(f"  {escape(b['person']['name'])} (#{b['person']['id']}): {escape(b['why'])}")


@app.command("favour")
def favour_command(
    ctx: typer.Context,
    person: Annotated[
        str | None, typer.Argument(metavar="PERSON", help="Who (name, #id, e-mail…).", show_default=False)
    ] = None,
    kind: Annotated[
        str | None,
        typer.Argument(
            metavar="KIND",
            help="introduction, referral, advice, recommendation, feedback, job-lead, time, other (or your own word).",
            show_default=False,
        ),
    ] = None,
    given: Annotated[bool, typer.Option("--given", help="You did it for them.")] = False,
    received: Annotated[bool, typer.Option("--received", help="They did it for you (the default).")] = False,
    asked: Annotated[bool, typer.Option("--asked", help="Asked for, not yet done.")] = False,
    promised: Annotated[bool, typer.Option("--promised", help="Promised, not yet done.")] = False,
    declined: Annotated[bool, typer.Option("--declined", help="Asked for and declined.")] = False,
    weight: Annotated[str, typer.Option("--weight", help="small, medium or large.")] = "medium",
    on: Annotated[
        str | None, typer.Option("--on", metavar="DATE", help="When: YYYY-MM-DD, today, yesterday, 3d ago.")
    ] = None,
    note: Annotated[str | None, typer.Option("--note", help="What it was, in a few words.")] = None,
    with_: Annotated[
        list[str] | None,
        typer.Option("--with", "-w", metavar="PERSON", help="Someone else it involves (introduced to); repeatable."),
    ] = None,
    list_: Annotated[bool, typer.Option("--list", help="List favours (of PERSON; --given, --asked… filter).")] = False,
    done: Annotated[int | None, typer.Option("--done", metavar="ID", help="Mark favour ID as done.")] = None,
    delete: Annotated[int | None, typer.Option("--delete", metavar="ID", help="Delete favour ID.")] = None,
    json: JsonFlag = False,
) -> None:
    """Record a favour given or received (done unless --asked, --promised or --declined), or --list, --done ID,
    --delete ID. Asking someone (--received --asked) first warns when you owe them or never gave them anything."""
    from dunbar.errors import InvalidInput

    mode = _one_of({"list": list_, "done": done is not None, "delete": delete is not None}, default=None)
    if mode is None:
        _record(ctx, person, kind, given, received, asked, promised, declined, weight, on, note, with_ or [], json)
        return
    extra = [n for n, v in (("KIND", kind), ("--note", note), ("--with", with_)) if v]
    if mode != "list" and person is not None:
        extra.insert(0, "PERSON")
    filters = given or received or asked or promised or declined
    if extra or (filters and mode != "list") or (on is not None and mode != "done"):
        raise InvalidInput(f"--{mode} takes no {extra[0] if extra else 'direction, status or date'}",
                           hint="`dunbar favour --help` shows what goes with what")  # fmt: skip
    if mode == "list":
        # With --list, a direction or status filters the list.
        direction = _one_of({"given": given, "received": received}, default=None)
        status = _one_of({"asked": asked, "promised": promised, "declined": declined}, default=None)
        _list(ctx, person, direction, status, json)
    elif mode == "done":
        assert done is not None
        _done(ctx, done, on, json)
    else:
        assert delete is not None
        _delete(ctx, delete, json)


def _record(
    ctx: typer.Context,
    person: str | None,
    kind: str | None,
    given: bool,
    received: bool,
    asked: bool,
    promised: bool,
    declined: bool,
    weight: str,
    on: str | None,
    note: str | None,
    with_: list[str],
    json: bool,
) -> None:
    from dunbar import ledger, people
    from dunbar.errors import InvalidInput
    from dunbar.text import parse_date
    from dunbar.vocabulary import FAVOUR_KINDS

    if person is None or kind is None:
        raise InvalidInput(
            "say who and what kind of favour", hint='dunbar favour "Ana Lima" introduction --with "Bo Chen"'
        )
    direction = _one_of({"given": given, "received": received}, default=None) or "received"
    status = _one_of({"asked": asked, "promised": promised, "declined": declined}, default=None) or "done"
    clean_kind = ledger.check_kind(kind)
    size = ledger.check_weight(weight)
    st = state(ctx)
    db = st.db()
    day = parse_date(on, today=st.today) if on is not None else st.today
    pid = people.resolve(db, person)
    parties = [(people.resolve(db, ref), ledger.DEFAULT_PARTY_ROLE) for ref in with_]
    advice = None
    if direction == "received" and status == "asked":
        advice = ledger.ask_advice(db, pid, today=st.today, kind=clean_kind)
        if not json:
            _print_advice(advice, people.summary(db, [pid])[pid]["name"])
    fid = ledger.record(
        db,
        person_id=pid,
        direction=direction,
        kind=clean_kind,
        status=status,
        weight=size,
        on=day,
        note=note,
        parties=parties,
        now=st.now(),
    )
    item = ledger.get(db, fid)
    hint = None
    if not ledger.is_known_kind(clean_kind):
        hint = f"{clean_kind!r} is a new kind of favour (the usual ones: {', '.join(FAVOUR_KINDS)})"
    if json:
        emit_json({"favour": item, "ask": advice, "hint": hint})
        return
    if hint:
        err_console().print(f"hint: {escape(hint)}")
    console().print(
        f"Recorded favour #{fid}: {escape(item['text'])} ({item['size']}, {item['status']} {item['on'].isoformat()})."
    )


def _list(ctx: typer.Context, person: str | None, direction: str | None, status: str | None, json: bool) -> None:
    from dunbar import ledger, people

    st = state(ctx)
    db = st.db()
    pid = people.resolve(db, person) if person is not None else None
    items = ledger.list_(db, person_id=pid, direction=direction, status=status)
    if json:
        emit_json(items)
        return
    if not items:
        console().print('No favours yet. Record one: dunbar favour "Ana Lima" advice --received')
        return
    t = table("#", "on", "with", "kind", "status", "size", "what")
    for f in items:
        t.add_row(
            str(f["id"]),
            f["on"].isoformat(),
            escape(f["person"]["name"]),
            escape(f["kind"]),
            f["status"],
            f["size"],
            escape(f["text"]),
        )
    console().print(t)


def _done(ctx: typer.Context, favour_id: int, on: str | None, json: bool) -> None:
    from dunbar import ledger
    from dunbar.text import parse_date

    st = state(ctx)
    db = st.db()
    day = parse_date(on, today=st.today) if on is not None else st.today
    ledger.update(db, favour_id, status="done", done_on=day, now=st.now())
    item = ledger.get(db, favour_id)
    if json:
        emit_json(item)
        return
    console().print(f"Favour #{favour_id} is done: {escape(item['text'])}.")


def _delete(ctx: typer.Context, favour_id: int, json: bool) -> None:
    from dunbar import ledger

    db = state(ctx).db()
    ledger.delete(db, favour_id)
    if json:
        emit_json({"id": favour_id, "deleted": True})
        return
    console().print(f"Deleted favour #{favour_id}.")


def _why(b: dict[str, Any], today: Any) -> str:
    from dunbar.scoring.balance import ago

    r = b["reason"]
    if r is None:
        return ""
    return f"{r['text']} {ago((today - r['on']).days)}"


@app.command("balance")
def balance_command(
    ctx: typer.Context,
    person: Annotated[
        str | None, typer.Argument(metavar="PERSON", help="Only this person.", show_default=False)
    ] = None,
    json: JsonFlag = False,
) -> None:
    """Who owes whom: the people you owe and those who owe you, the largest first, with the newest favour as
    the reason."""
    from dunbar import ledger, people

    st = state(ctx)
    db = st.db()
    if person is not None:
        b = ledger.balance(db, people.resolve(db, person), today=st.today)
        if json:
            emit_json(b)
            return
        _render_one(b, st.today)
        return
    all_ = ledger.balances(db, today=st.today)
    i_owe = [b for b in all_ if b["owed_by"] == "me"]
    owe_me = [b for b in all_ if b["owed_by"] == "them"]
    if json:
        emit_json({"i_owe": i_owe, "owe_me": owe_me})
        return
    c = console()
    if not i_owe and not owe_me:
        c.print("Nobody owes anybody. Record favours with `dunbar favour PERSON KIND`.")
        return
    for title, rows in (("You owe", i_owe), ("They owe you", owe_me)):
        if not rows:
            continue
        t = table("#", "name", "amount", "why", title=title)
        for b in rows:
            t.add_row(
                str(b["person"]["id"]), escape(b["person"]["name"]), f"{abs(b['net']):.1f}", escape(_why(b, st.today))
            )
        c.print(t)


def _render_one(b: dict[str, Any], today: Any) -> None:
    c = console()
    c.print(escape(b["sentence"][0].upper() + b["sentence"][1:]) + ".")
    c.print(f"  [dim]given {b['given']:.1f}, received {b['received']:.1f}, net {b['net']:+.1f}[/dim]")
    for f in b["open"]:
        c.print(f"  open #{f['id']}: {escape(f['text'])} ({f['status']} {f['on'].isoformat()})")


def log_favour(db: Any, spec: str, *, person_id: int, interaction_id: int, on: Any, now: Any) -> dict[str, Any]:
    """``dunbar log ... --favour KIND[:DIRECTION]``: a done favour with ``person_id`` (the first --with person),
    tied to the interaction just logged; DIRECTION is received (the default) or given."""
    from dunbar import ledger

    kind, _, direction = spec.partition(":")
    fid = ledger.record(
        db,
        person_id=person_id,
        direction=direction or "received",
        kind=kind,
        on=on,
        interaction_id=interaction_id,
        now=now,
    )
    return ledger.get(db, fid)

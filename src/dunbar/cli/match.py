"""give-and-take commands: ``dunbar offer``, ``dunbar need``, ``dunbar offers``, ``dunbar match`` and ``dunbar intro``."""

from typing import Annotated, Any

import typer

from dunbar.cli.app import app, state
from dunbar.cli.output import JsonFlag, console, emit_json, escape, table


def _add(ctx: typer.Context, kind: str, person: str, text: str, expires: str | None, json: bool) -> None:
    from dunbar import offers, people
    from dunbar.errors import InvalidInput
    from dunbar.text import parse_date, parse_duration

    st = state(ctx)
    db = st.db()
    pid = people.resolve(db, person)
    expires_on = None
    if expires is not None:
        try:
            expires_on = st.today + parse_duration(expires)
        except InvalidInput:
            expires_on = parse_date(expires, today=st.today)
    item_id = offers.add(db, pid, kind, text, expires_on=expires_on, now=st.now())
    item = offers.get(db, item_id, today=st.today)
    if json:
        emit_json(item)
        return
    until = f", until {item['expires_on']}" if item["expires_on"] else ""
    console().print(f"Added {kind} #{item_id} for {escape(item['person']['name'])}: {escape(item['text'])}{until}.")


@app.command("offer")
def offer_command(
    ctx: typer.Context,
    person: Annotated[str, typer.Argument(help="Who can help (name, #id, e-mail…, or me).")],
    text: Annotated[str, typer.Argument(help='What they can help with, like "Kubernetes" or "intros to VCs".')],
    expires: Annotated[
        str | None, typer.Option("--expires", metavar="3m|DATE", help="Until when (offers do not expire unless told).")
    ] = None,
    json: JsonFlag = False,
) -> None:
    """Record what someone can help with (an offer)."""
    _add(ctx, "offer", person, text, expires, json)


@app.command("need")
def need_command(
    ctx: typer.Context,
    person: Annotated[str, typer.Argument(help="Who is looking (name, #id, e-mail…, or me).")],
    text: Annotated[str, typer.Argument(help='What they are looking for, like "hiring a data scientist".')],
    expires: Annotated[
        str | None, typer.Option("--expires", metavar="3m|DATE", help="Until when it counts (default 3 months).")
    ] = None,
    json: JsonFlag = False,
) -> None:
    """Record what someone is looking for now (a need); it expires after 3 months unless told."""
    _add(ctx, "need", person, text, expires, json)


@app.command("offers")
def offers_command(
    ctx: typer.Context,
    person: Annotated[str | None, typer.Argument(help="Only this person's (name, #id, e-mail…, or me).")] = None,
    suggested: Annotated[bool, typer.Option("--suggested", help="List the suggestions waiting for you.")] = False,
    expired: Annotated[bool, typer.Option("--expired", help="Include expired needs.")] = False,
    suggest: Annotated[
        bool, typer.Option("--suggest", help="Suggest offers and needs from jobs and notes, to confirm.")
    ] = False,
    confirm: Annotated[int | None, typer.Option("--confirm", metavar="ID", help="Make a suggestion active.")] = None,
    dismiss: Annotated[int | None, typer.Option("--dismiss", metavar="ID", help="Set one aside for good.")] = None,
    done: Annotated[int | None, typer.Option("--done", metavar="ID", help="A need was met.")] = None,
    json: JsonFlag = False,
) -> None:
    """Offers and needs: list them, review the suggestions, confirm or dismiss."""
    from dunbar import offers, people
    from dunbar.errors import InvalidInput

    st = state(ctx)
    db = st.db()
    actions = [
        (confirm, offers.confirm, "Confirmed"),
        (dismiss, offers.dismiss, "Dismissed"),
        (done, offers.done, "Done:"),
    ]
    chosen = [a for a in actions if a[0] is not None]
    if len(chosen) + int(suggest) > 1:
        raise InvalidInput("one action at a time", hint="--suggest, --confirm ID, --dismiss ID or --done ID")
    if chosen:
        item_id, fn, verb = chosen[0]
        assert item_id is not None
        item = fn(db, item_id)
        if json:
            emit_json(offers.get(db, item_id, today=st.today))
        else:
            console().print(
                f"{verb} {item['kind']} #{item_id} of {escape(item['person']['name'])}: {escape(item['text'])}"
            )
        return
    if suggest:
        n = offers.suggest(db, today=st.today, now=st.now())
        if json:
            emit_json({"suggested": n})
        else:
            console().print(
                f"{n} new suggestions."
                + (" Review them: dunbar offers --suggested" if n else " Nothing new to suggest.")
            )
        return
    pid = people.resolve(db, person) if person else None
    items = offers.list_(
        db, person_id=pid, status="suggested" if suggested else "active", include_expired=expired, today=st.today
    )
    if json:
        emit_json(items)
        return
    out = console()
    if not items:
        what = "suggestions" if suggested else "offers or needs"
        out.print(
            f'No {what} yet. Add one: dunbar offer me "Kubernetes"; or let dunbar suggest: dunbar offers --suggest'
        )
        return
    t = table("id", "person", "kind", "text", "since", "expires")
    for i in items:
        name = "me" if i["is_me"] else i["person"]["name"]
        exp = (str(i["expires_on"]) + (" (expired)" if i["expired"] else "")) if i["expires_on"] else ""
        t.add_row(str(i["id"]), escape(name), i["kind"], escape(i["text"]), str(i["since"] or ""), exp)
    out.print(t)
    if suggested:
        out.print("Confirm: dunbar offers --confirm ID; set aside: dunbar offers --dismiss ID")


@app.command("match")
def match_command(
    ctx: typer.Context,
    help_others: Annotated[
        bool, typer.Option("--help-others", help="My offers × their needs: whom I can help.")
    ] = False,
    help_me: Annotated[bool, typer.Option("--help-me", help="Their offers × my needs: who can help me.")] = False,
    intros: Annotated[
        bool, typer.Option("--intros", help="Their needs × others' offers: introductions to make.")
    ] = False,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, max=500, help="How many to show.")] = 20,
    semantic: Annotated[
        bool | None,
        typer.Option("--semantic/--no-semantic", help="Blend in sentence embeddings (default: when installed)."),
    ] = None,
    build_index: Annotated[
        bool, typer.Option("--build-index", help="Embed every offer and need now (semantic extra).")
    ] = False,
    json: JsonFlag = False,
) -> None:
    """Match offers and needs, ranked and explained."""
    from dunbar import matching
    from dunbar.errors import InvalidInput

    st = state(ctx)
    db = st.db()
    if build_index:
        from dunbar import semantic as sem

        if not sem.available():
            raise sem.not_installed()
        n = sem.build(db, today=st.today)
        if json:
            emit_json({"embedded": n, "cache": str(sem.cache_path(db))})
        else:
            console().print(f"Embedded {n} texts into {escape(sem.cache_path(db))}.")
        if not (help_others or help_me or intros):
            return
    modes = [m for m, on in (("help-others", help_others), ("help-me", help_me), ("intros", intros)) if on]
    if len(modes) != 1:
        raise InvalidInput("say which matches to find", hint="dunbar match --help-others, --help-me or --intros")
    results = matching.run(db, modes[0], today=st.today, limit=limit, semantic=semantic)
    if json:
        emit_json(results)
        return
    _print(modes[0], results)


def _print(mode: str, results: list[dict[str, Any]]) -> None:
    out = console()
    if not results:
        hints = {
            "help-others": 'add what you can help with: dunbar offer me "…"; and their needs: dunbar need NAME "…"',
            "help-me": 'add what you are looking for: dunbar need me "…"; and their offers: dunbar offer NAME "…"',
            "intros": "add needs and offers of people in your network (dunbar offers --suggest helps)",
        }
        out.print(f"No matches yet: {hints[mode]}")
        return
    if mode == "intros":
        t = table("score", "introduce", "to", "why")
        for r in results:
            t.add_row(f"{r['score']:.2f}", escape(r["a"]["name"]), escape(r["b"]["name"]), escape(r["why"]))
        out.print(t)
        out.print('Make one: dunbar intro A B --note "…"')
        return
    t = table("score", "person", "why")
    for r in results:
        t.add_row(f"{r['score']:.2f}", escape(r["a"]["name"]), escape(r["why"]))
    out.print(t)


@app.command("intro")
def intro_command(
    ctx: typer.Context,
    a: Annotated[str, typer.Argument(help="One person (name, #id, e-mail…).")],
    b: Annotated[str, typer.Argument(help="The other person.")],
    note: Annotated[str | None, typer.Option("--note", help="Why, or what was said.")] = None,
    json: JsonFlag = False,
) -> None:
    """Record an introduction I made: a favour to both, a tie between them, and a follow-up in 2 weeks."""
    from dunbar import matching, people

    st = state(ctx)
    db = st.db()
    pa, pb = people.resolve(db, a), people.resolve(db, b)
    result = matching.introduce(db, pa, pb, note=note, today=st.today, now=st.now())
    if json:
        emit_json(result)
        return
    console().print(
        f"Introduced {escape(result['a']['name'])} and {escape(result['b']['name'])}: a favour to each, and a "
        f"follow-up on {result['follow_up_on']} to ask how it went."
    )

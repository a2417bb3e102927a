"""People commands: add, edit, show, list, rm, restore, trash, tag, untag, note."""

from typing import TYPE_CHECKING, Annotated, Any

import typer

from dunbar.cli.app import app, state
from dunbar.cli.output import JsonFlag, console, emit_json, escape, table, when

if TYPE_CHECKING:
    from dunbar.people import PersonChanges

Email = Annotated[
    list[str] | None, typer.Option("--email", "-e", help="An e-mail address; `work:ana@acme.com` labels it.")
]
Phone = Annotated[list[str] | None, typer.Option("--phone", "-p", help="A phone number (stored in E.164).")]
Link = Annotated[list[str] | None, typer.Option("--link", "--linkedin", help="A LinkedIn URL or other link.")]
Org = Annotated[str | None, typer.Option("--org", help="Where they work now.")]
Title = Annotated[str | None, typer.Option("--title", help="Their job title there.")]
Circle = Annotated[str | None, typer.Option("--circle", help="inner, close, active, network, acquaintance or dormant.")]
Tag = Annotated[list[str] | None, typer.Option("--tag", "-t", help="A tag (repeatable).")]
Location = Annotated[str | None, typer.Option("--location", help="Where they live.")]
HowMet = Annotated[str | None, typer.Option("--how-met", help="How you met.")]
Birthday = Annotated[str | None, typer.Option("--birthday", help="YYYY-MM-DD, or MM-DD without the year.")]
FieldOpt = Annotated[list[str] | None, typer.Option("--field", help="A custom field, key=value (repeatable).")]


def _fields(items: list[str] | None) -> dict[str, str | None]:
    from dunbar.errors import InvalidInput

    out: dict[str, str | None] = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise InvalidInput(f"not a field: {item!r}", hint="--field key=value (key= removes it)")
        out[key.strip()] = value.strip() or None
    return out


def _changes(**kw: Any) -> "PersonChanges":
    from dunbar.people import PersonChanges

    return PersonChanges(**{k: v for k, v in kw.items() if v is not None})


@app.command()
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Their name, as you say it.")],
    email: Email = None,
    phone: Phone = None,
    link: Link = None,
    org: Org = None,
    title: Title = None,
    circle: Circle = None,
    tag: Tag = None,
    location: Location = None,
    how_met: HowMet = None,
    birthday: Birthday = None,
    field: FieldOpt = None,
    note: Annotated[str | None, typer.Option("--note", help="A first note about them.")] = None,
    json_: JsonFlag = False,
) -> None:
    """Add a person."""
    from dunbar import people

    st = state(ctx)
    db = st.db()
    now = st.now()
    with db.transaction():
        pid = people.add_person(
            db,
            _changes(
                name=name,
                emails=email,
                phones=phone,
                links=link,
                organization=org,
                title=title,
                circle=circle,
                tags=tag,
                location=location,
                how_met=how_met,
                birthday=birthday,
                fields=_fields(field),
            ),
            now=now,
        )
        if note:
            people.add_note(db, pid, note, now=now)
    person = people.get_person(db, pid)
    if json_:
        emit_json(person)
        return
    console().print(f"Added {escape(person['name'])} (#{pid}).")


@app.command()
def edit(
    ctx: typer.Context,
    person: Annotated[str, typer.Argument(help="Who: a name, e-mail, LinkedIn URL or #id.")],
    name: Annotated[str | None, typer.Option("--name", help="A new display name.")] = None,
    email: Email = None,
    phone: Phone = None,
    link: Link = None,
    remove: Annotated[
        list[str] | None, typer.Option("--remove", help="Remove this e-mail, phone or link (repeatable).")
    ] = None,
    org: Org = None,
    title: Title = None,
    left: Annotated[str | None, typer.Option("--left", help="They left this organization (today).")] = None,
    circle: Circle = None,
    location: Location = None,
    how_met: HowMet = None,
    birthday: Birthday = None,
    field: FieldOpt = None,
    closeness: Annotated[int | None, typer.Option("--closeness", help="How close you feel, 0–100.")] = None,
    cadence: Annotated[
        str | None, typer.Option("--cadence", help="How often to be in touch: IDEAL[/MAX], like 2w/6w.")
    ] = None,
    json_: JsonFlag = False,
) -> None:
    """Change a person's details."""
    from dunbar import people
    from dunbar.text import parse_duration

    ideal = most = None
    if cadence:
        first, _, second = cadence.partition("/")
        ideal = parse_duration(first).days
        most = parse_duration(second).days if second else ideal * 2
    st = state(ctx)
    db = st.db()
    pid = people.resolve(db, person)
    people.edit_person(
        db,
        pid,
        _changes(
            name=name,
            emails=email,
            phones=phone,
            links=link,
            remove_identifiers=remove,
            organization=org,
            title=title,
            left_organization=left,
            circle=circle,
            location=location,
            how_met=how_met,
            birthday=birthday,
            fields=_fields(field),
            closeness=closeness,
            cadence_ideal_days=ideal,
            cadence_max_days=most,
        ),
        now=st.now(),
    )
    updated = people.get_person(db, pid)
    if json_:
        emit_json(updated)
        return
    console().print(f"Updated {escape(updated['name'])} (#{pid}).")


@app.command()
def show(
    ctx: typer.Context,
    person: Annotated[str, typer.Argument(help="Who: a name, e-mail, LinkedIn URL or #id.")],
    json_: JsonFlag = False,
) -> None:
    """Everything about one person: details, jobs, notes, recent interactions and the favour balance."""
    from dunbar import interactions, ledger, people

    st = state(ctx)
    db = st.db()
    pid = people.resolve(db, person)
    p = people.get_person(db, pid)
    recent = interactions.recent(db, pid, limit=5)
    balance = None if p["is_me"] else ledger.balance(db, pid, today=st.today)
    if json_:
        emit_json({**p, "recent": recent, "balance": balance})
        return
    _render_person(p, recent, st.today)
    if balance is not None and (balance["reason"] is not None or balance["open"]):
        _render_balance(balance)


def _render_balance(b: dict[str, Any]) -> None:
    c = console()
    c.print("\n[bold]Give and take[/bold]")
    c.print(f"  {escape(b['sentence'][0].upper() + b['sentence'][1:])}")
    for f in b["open"]:
        c.print(f"  [dim]open #{f['id']}[/dim]  {escape(f['text'])} ({f['status']} {f['on'].isoformat()})")


def _render_person(p: dict[str, Any], recent: list[dict[str, Any]], today: Any) -> None:
    c = console()
    head = f"[bold]{escape(p['name'])}[/bold]  [dim]#{p['id']}[/dim]"
    if p["circle"]:
        head += f"  [cyan]{p['circle']}[/cyan]"
    c.print(head)
    current = [j for j in p["employments"] if j["current"]]
    if current:
        j = current[0]
        c.print(f"  {escape(j['title'] or '')}{' at ' if j['title'] else ''}{escape(j['organization'])}")
    rows: list[tuple[str, str]] = []
    rows += [("e-mail", e["address"] + (f" ({e['label']})" if e["label"] else "")) for e in p["emails"]]
    rows += [("phone", ph["number"] + (f" ({ph['label']})" if ph["label"] else "")) for ph in p["phones"]]
    rows += [(lk["kind"], lk["url"]) for lk in p["links"]]
    for label, key in (("location", "location"), ("how we met", "how_met")):
        if p[key]:
            rows.append((label, p[key]))
    if p["connected_on"]:
        rows.append(("connected", p["connected_on"].isoformat()))
    rows.append(("last contact", when(p["last_contact_at"], today=today)))
    for d in p["dates"]:
        rows.append((d["kind"], (f"{d['year']}-" if d["year"] else "") + f"{d['month']:02d}-{d['day']:02d}"))
    if p["tags"]:
        rows.append(("tags", ", ".join(p["tags"])))
    rows += [(k, v) for k, v in p["fields"].items()]
    width = max(len(k) for k, _ in rows)
    for k, v in rows:
        c.print(f"  [dim]{k.ljust(width)}[/dim]  {escape(v)}")
    past = [j for j in p["employments"] if not j["current"]]
    if past:
        c.print("\n[bold]Before[/bold]")
        for j in past:
            span = "–".join(x.isoformat()[:7] if x else "?" for x in (j["start"], j["end"]))
            c.print(
                f"  {escape(j['title'] or '')}{' at ' if j['title'] else ''}{escape(j['organization'])}  [dim]{span}[/dim]"
            )
    if p["notes"]:
        c.print("\n[bold]Notes[/bold]")
        for n in p["notes"][:5]:
            c.print(f"  [dim]{when(n['created_at'], today=today)}[/dim]  {escape(n['body'])}")
    if recent:
        c.print("\n[bold]Recent[/bold]")
        for i in recent:
            others = [w["name"] for w in i.get("with", []) if w["id"] != p["id"]]
            also = f" [dim](with {escape(', '.join(others))})[/dim]" if others else ""
            c.print(f"  [dim]{when(i['occurred_at'], today=today)}[/dim]  {i['kind']}: {escape(i['summary'])}{also}")


@app.command("list")
def list_(
    ctx: typer.Context,
    tag: Annotated[str | None, typer.Option("--tag", "-t", help="Only people with this tag.")] = None,
    org: Annotated[str | None, typer.Option("--org", help="Only people who work or worked here.")] = None,
    circle: Circle = None,
    since: Annotated[
        str | None,
        typer.Option("--not-contacted-since", help="Only people not contacted since a date (or like 3m ago)."),
    ] = None,
    sort: Annotated[str, typer.Option("--sort", help="name, last-contact or added.")] = "name",
    limit: Annotated[int | None, typer.Option("--limit", help="At most this many (tables default to 100).")] = None,
    offset: Annotated[int, typer.Option("--offset", help="Skip this many first.")] = 0,
    json_: JsonFlag = False,
) -> None:
    """List people, filtered and sorted."""
    from dunbar import people
    from dunbar.text import parse_date

    st = state(ctx)
    query = people.ListQuery(
        tag=tag,
        organization=org,
        circle=circle,
        not_contacted_since=parse_date(since, today=st.today) if since else None,
        sort=sort,
        limit=limit if limit is not None else (None if json_ else 101),
        offset=offset,
    )
    rows = people.list_people(st.db(), query)
    if json_:
        emit_json(rows)
        return
    _render_list(rows, limit, st.today)


def _render_list(rows: list[dict[str, Any]], limit: int | None, today: Any) -> None:
    c = console()
    if not rows:
        c.print("Nobody matches. `dunbar add` someone, or `dunbar import` a file.")
        return
    more = limit is None and len(rows) > 100
    t = table("#", "name", "circle", "works at", "last contact", "tags")
    for r in rows[:100] if more else rows:
        job = r["organization"] or ""
        if r["title"] and job:
            job = f"{r['title']}, {job}"
        t.add_row(
            str(r["id"]),
            escape(r["name"]),
            r["circle"] or "",
            escape(job),
            when(r["last_contact_at"], today=today),
            escape(", ".join(r["tags"])),
        )
    c.print(t)
    if more:
        c.print("[dim]… more; narrow it with filters or pass --limit.[/dim]")


@app.command()
def rm(ctx: typer.Context, person: Annotated[str, typer.Argument(help="Who to move to the trash.")]) -> None:
    """Move a person to the trash (`dunbar restore` brings them back)."""
    from dunbar import people

    st = state(ctx)
    db = st.db()
    pid = people.resolve(db, person)
    name = people.get_person(db, pid)["name"]
    people.trash(db, pid, now=st.now())
    console().print(f"Moved {escape(name)} (#{pid}) to the trash. `dunbar restore {pid}` brings them back.")


def restore_person(ctx: typer.Context, person: str) -> None:
    """Bring a person back from the trash (``dunbar restore REF``; the command itself is in cli/backup.py, since
    the same verb also puts a backup file back)."""
    from dunbar import people

    st = state(ctx)
    db = st.db()
    pid = people.resolve(db, person, trashed=True)
    people.restore(db, pid, now=st.now())
    console().print(f"Restored {escape(people.get_person(db, pid)['name'])} (#{pid}).")


@app.command("trash")
def trash_(ctx: typer.Context, json_: JsonFlag = False) -> None:
    """List the people in the trash."""
    from dunbar import people

    st = state(ctx)
    rows = people.list_people(st.db(), people.ListQuery(trashed=True))
    if json_:
        emit_json(rows)
        return
    if not rows:
        console().print("The trash is empty.")
        return
    _render_list(rows, None, st.today)


@app.command()
def tag(
    ctx: typer.Context,
    person: Annotated[list[str], typer.Argument(help="Who to tag (one or more).")],
    name: Annotated[list[str], typer.Option("--tag", "-t", help="The tag (repeatable).")],
) -> None:
    """Tag people: `dunbar tag ana "bo chen" -t mentor`."""
    from dunbar import people

    db = state(ctx).db()
    ids = [people.resolve(db, p) for p in person]
    added = people.add_tags(db, ids, name)
    console().print(f"Tagged {len(ids)} {'person' if len(ids) == 1 else 'people'} ({added} new).")


@app.command()
def untag(
    ctx: typer.Context,
    person: Annotated[list[str], typer.Argument(help="Who to untag (one or more).")],
    name: Annotated[list[str], typer.Option("--tag", "-t", help="The tag (repeatable).")],
) -> None:
    """Remove tags from people."""
    from dunbar import people

    db = state(ctx).db()
    ids = [people.resolve(db, p) for p in person]
    removed = people.remove_tags(db, ids, name)
    console().print(f"Removed {removed} tag{'s' if removed != 1 else ''}.")


@app.command()
def note(
    ctx: typer.Context,
    person: Annotated[str, typer.Argument(help="About whom.")],
    text: Annotated[str, typer.Argument(help="The note.")],
    json_: JsonFlag = False,
) -> None:
    """Add a note about a person."""
    from dunbar import people

    st = state(ctx)
    db = st.db()
    pid = people.resolve(db, person)
    nid = people.add_note(db, pid, text, now=st.now())
    if json_:
        emit_json({"id": nid, "person_id": pid})
        return
    console().print(f"Noted for {escape(people.get_person(db, pid)['name'])}.")

"""Job search commands: ``dunbar target add|list|drop`` and ``dunbar jobs add|move|link|list|board|stats|suggest``."""

from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from dunbar.cli.app import app, state
from dunbar.cli.errors import DunbarGroup
from dunbar.cli.output import JsonFlag, console, emit_json, escape, table, when

jobs_app = typer.Typer(
    cls=DunbarGroup,
    name="jobs",
    help="The job search: opportunities, their stages and people, what works, what to do next.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
target_app = typer.Typer(
    cls=DunbarGroup,
    name="target",
    help="Organizations you want to work at, and why.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(jobs_app)
app.add_typer(target_app)

OnOpt = Annotated[
    str | None,
    typer.Option("--on", metavar="DATE", help="When: YYYY-MM-DD, today, yesterday or 3d ago (default today)."),
]

BOARD_STAGES = ("saved", "applied", "screen", "interview", "offer")
CHANNEL_LABELS = {
    "referral": "referral",
    "warm-intro": "warm intro",
    "recruiter": "recruiter",
    "cold": "cold",
    "other": "other",
}


def _day(on: str | None, today: date) -> date:
    from dunbar.text import parse_date

    return parse_date(on, today=today) if on is not None else today


# Targets ---------------------------------------------------------------------------------------------------


@target_app.command("add")
def target_add(
    ctx: typer.Context,
    org: Annotated[str, typer.Argument(help="The organization.")],
    why: Annotated[str | None, typer.Option("--why", help="Why you want to work there.")] = None,
    json: JsonFlag = False,
) -> None:
    """Add an organization to your targets (again: bring it back, or change why)."""
    from dunbar import jobs

    st = state(ctx)
    db = st.db()
    target_id = jobs.add_target(db, org, why=why, now=st.now())
    found = next(t for t in jobs.list_targets(db) if t["id"] == target_id)
    if json:
        emit_json(found)
        return
    there = found["people_there"]
    who = f"; you know {len(there)} {'person' if len(there) == 1 else 'people'} there" if there else ""
    console().print(f"Target: {escape(found['organization']['name'])}{who}.")


@target_app.command("list")
def target_list(
    ctx: typer.Context,
    all_: Annotated[bool, typer.Option("--all", help="Dropped targets too.")] = False,
    json: JsonFlag = False,
) -> None:
    """Your target organizations, with whom you know there and how many opportunities you have."""
    from dunbar import jobs

    rows = jobs.list_targets(state(ctx).db(), include_dropped=all_)
    if json:
        emit_json(rows)
        return
    out = console()
    if not rows:
        out.print('No targets yet: dunbar target add ACME --why "…"')
        return
    t = table("organization", "why", "people there", "opportunities", *(["status"] if all_ else []))
    for r in rows:
        names = ", ".join(p["name"] for p in r["people_there"][:3])
        more = len(r["people_there"]) - 3
        if more > 0:
            names += f" +{more}"
        cells = [escape(r["organization"]["name"]), escape(r["why"] or ""), escape(names), str(r["opportunities"])]
        t.add_row(*cells, *([r["status"]] if all_ else []))
    out.print(t)


@target_app.command("drop")
def target_drop(ctx: typer.Context, org: Annotated[str, typer.Argument(help="The organization.")]) -> None:
    """Stop targeting an organization (its reason is kept; `target add` brings it back)."""
    from dunbar import jobs

    db = state(ctx).db()
    jobs.drop_target(db, org)
    console().print(f"Dropped {escape(jobs.find_organization(db, org)['name'])} from your targets.")


# Opportunities ---------------------------------------------------------------------------------------------


def _card_line(o: dict[str, Any]) -> str:
    return f"#{o['id']} {escape(o['organization']['name'])}: {escape(o['role'])} ({o['stage']}, {CHANNEL_LABELS.get(o['channel'], o['channel'])})"


@jobs_app.command("add")
def jobs_add(
    ctx: typer.Context,
    org: Annotated[str, typer.Argument(help="The organization.")],
    role: Annotated[str, typer.Argument(help="The job, like 'Staff Engineer'.")],
    channel: Annotated[
        str, typer.Option("--channel", "-c", help="referral, warm-intro, recruiter, cold or other.")
    ] = "cold",
    via: Annotated[
        str | None,
        typer.Option("--via", metavar="PERSON", help="Who it came through: the referrer, introducer or recruiter."),
    ] = None,
    link: Annotated[str | None, typer.Option("--link", metavar="URL", help="The job posting.")] = None,
    stage: Annotated[str, typer.Option("--stage", help="Where it stands: saved, applied, screen…")] = "saved",
    on: OnOpt = None,
    note: Annotated[str | None, typer.Option("--note", help="Anything worth remembering.")] = None,
    json: JsonFlag = False,
) -> None:
    """Record a job you are pursuing. A referral or introduction --via someone is also a favour you received,
    and a follow-up to thank them."""
    from dunbar import jobs, people

    st = state(ctx)
    db = st.db()
    ch = jobs.check_channel(channel)
    linked = [(people.resolve(db, via), jobs.via_role(ch))] if via else []
    opp_id = jobs.add(
        db,
        org=org,
        role=role,
        channel=ch,
        link=link,
        stage=stage,
        on=_day(on, st.today),
        people=linked,
        note=note,
        now=st.now(),
    )
    opp = jobs.get(db, opp_id)
    if json:
        emit_json(opp)
        return
    out = console()
    out.print(f"Added {_card_line(opp)}.")
    for p in opp["people"]:
        if p["role"] == "referrer" and ch in ("referral", "warm-intro"):
            out.print(f"Recorded the favour {escape(p['name'])} did you, and a follow-up to thank them.")


@jobs_app.command("move")
def jobs_move(
    ctx: typer.Context,
    opp_id: Annotated[int, typer.Argument(metavar="ID", help="The opportunity's id (dunbar jobs list).")],
    stage: Annotated[str, typer.Argument(help="saved, applied, screen, interview, offer, accepted, rejected…")],
    on: OnOpt = None,
    note: Annotated[str | None, typer.Option("--note", help="What happened.")] = None,
    json: JsonFlag = False,
) -> None:
    """Move an opportunity to a stage (on a date; an earlier date goes into its history)."""
    from dunbar import jobs

    st = state(ctx)
    db = st.db()
    jobs.move(db, opp_id, stage, on=_day(on, st.today), note=note, now=st.now())
    opp = jobs.get(db, opp_id)
    if json:
        emit_json(opp)
        return
    console().print(f"Now {_card_line(opp)}.")


@jobs_app.command("link")
def jobs_link(
    ctx: typer.Context,
    opp_id: Annotated[int, typer.Argument(metavar="ID", help="The opportunity's id.")],
    person: Annotated[str, typer.Argument(help="Who (name, #id, e-mail…).")],
    role: Annotated[
        str, typer.Option("--role", help="referrer, hiring-manager, interviewer, recruiter or other.")
    ] = "other",
    json: JsonFlag = False,
) -> None:
    """Attach a person to an opportunity (the hiring manager, an interviewer…)."""
    from dunbar import jobs, people

    st = state(ctx)
    db = st.db()
    pid = people.resolve(db, person)
    favour = jobs.link_person(db, opp_id, pid, role, on=st.today, now=st.now())
    opp = jobs.get(db, opp_id)
    if json:
        emit_json(opp)
        return
    out = console()
    name = next(p["name"] for p in opp["people"] if p["id"] == pid)
    out.print(f"Linked {escape(name)} to {_card_line(opp)}.")
    if favour:
        out.print("Recorded the favour they did you, and a follow-up to thank them.")


@jobs_app.command("list")
def jobs_list(
    ctx: typer.Context,
    stage: Annotated[str | None, typer.Option("--stage", help="Only this current stage.")] = None,
    org: Annotated[str | None, typer.Option("--org", help="Only at this organization.")] = None,
    active: Annotated[bool, typer.Option("--active", help="Leave out closed ones (accepted, rejected…).")] = False,
    json: JsonFlag = False,
) -> None:
    """Your opportunities, most recently changed first."""
    from dunbar import jobs

    st = state(ctx)
    rows = jobs.list_(st.db(), stage=stage, org=org, active_only=active)
    if json:
        emit_json(rows)
        return
    out = console()
    if not rows:
        out.print('No opportunities yet: dunbar jobs add ACME "Staff Engineer" --channel referral --via NAME')
        return
    t = table("id", "organization", "role", "channel", "stage", "since", "people")
    for r in rows:
        t.add_row(
            str(r["id"]),
            escape(r["organization"]["name"]),
            escape(r["role"]),
            CHANNEL_LABELS.get(r["channel"], r["channel"]),
            r["stage"],
            when(r["stage_on"], today=st.today),
            escape(", ".join(f"{p['name']} ({p['role']})" for p in r["people"])),
        )
    out.print(t)


def _age(days: int) -> str:
    if days < 14:
        return f"{days}d"
    if days < 60:
        return f"{days // 7}w"
    return f"{days // 30}mo"


@jobs_app.command("board")
def jobs_board(ctx: typer.Context, json: JsonFlag = False) -> None:
    """The board: one column per open stage, a card per opportunity with how long it has been there."""
    from rich import box
    from rich.table import Table

    from dunbar import jobs
    from dunbar.scoring.jobstats import CLOSED_STAGES

    st = state(ctx)
    cols = jobs.board(st.db())
    if json:
        emit_json(cols)
        return
    out = console()
    if not any(cols.values()):
        out.print('The board is empty: dunbar jobs add ACME "Staff Engineer" --channel referral --via NAME')
        return
    t = Table(box=box.ROUNDED, show_lines=True, expand=False)
    for s in BOARD_STAGES:
        t.add_column(f"{s} ({len(cols[s])})", overflow="fold", min_width=12, max_width=26)
    depth = max((len(cols[s]) for s in BOARD_STAGES), default=0)
    for i in range(depth):
        cells = []
        for s in BOARD_STAGES:
            if i >= len(cols[s]):
                cells.append("")
                continue
            o = cols[s][i]
            age = _age((st.today - o["stage_on"]).days) if o["stage_on"] else "?"
            cells.append(
                f"[bold]{escape(o['organization']['name'])}[/bold]\n{escape(o['role'])}\n"
                f"[dim]#{o['id']} · {CHANNEL_LABELS.get(o['channel'], o['channel'])} · {age}[/dim]"
            )
        t.add_row(*cells)
    if depth:
        out.print(t)
    closed = [f"{len(cols[s])} {s}" for s in CLOSED_STAGES if cols.get(s)]
    if closed:
        out.print("Closed: " + ", ".join(closed) + " (dunbar jobs list --stage STAGE)")


def _plot(path: Path, channels: list[dict[str, Any]]) -> None:
    import matplotlib

    from dunbar.errors import InvalidInput

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    shown = [c for c in channels if c["applications"]]
    labels = [f"{CHANNEL_LABELS.get(c['channel'], c['channel'])}\n(n={c['applications']})" for c in shown]
    shares = [100 * (c["interview_share"] or 0) for c in shown]
    days = [c["median_days_to_interview"] or 0 for c in shown]
    colors = ["#1f6f8b" if c["enough"] else "#b0b0b0" for c in shown]
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4), dpi=100)
    try:
        left.bar(labels, shares, color=colors)
        left.set_ylim(0, 100)
        left.set_ylabel("% reaching interview")
        left.set_title("Share reaching interview")
        right.bar(labels, days, color=colors)
        right.set_ylabel("days")
        right.set_title("Median days from application to interview")
        for ax in (left, right):
            ax.grid(axis="y", alpha=0.3)
        fig.text(0.5, 0.01, "grey: too few applications to say", ha="center", fontsize=8, color="#707070")
        fig.tight_layout(rect=(0, 0.04, 1, 1))
        try:
            fig.savefig(path, format="png")
        except OSError as exc:
            raise InvalidInput(
                f"cannot write {path}: {exc.strerror or exc}", hint="choose a folder you can write to"
            ) from None
    finally:
        plt.close(fig)


@jobs_app.command("stats")
def jobs_stats(
    ctx: typer.Context,
    plot: Annotated[
        Path | None, typer.Option("--plot", metavar="FILE.png", help="Write a bar chart by channel as a PNG.")
    ] = None,
    json: JsonFlag = False,
) -> None:
    """Per channel: applications, share reaching interview, median days to it, offers; and what that says."""
    from dunbar import jobs

    st = state(ctx)
    result = jobs.stats(st.db(), today=st.today)
    if plot is not None:
        _plot(plot, result["channels"])
    if json:
        emit_json({**result, "plot": str(plot) if plot else None})
        return
    out = console()
    t = table("channel", "applications", "reached interview", "median days", "offers", "open")
    for c in result["channels"]:
        if not c["applications"]:
            continue
        share = c["interview_share"]
        days = c["median_days_to_interview"]
        t.add_row(
            CHANNEL_LABELS.get(c["channel"], c["channel"]) + ("" if c["enough"] else " *"),
            str(c["applications"]),
            f"{c['reached_interview']} ({round(100 * share)}%)" if share is not None else "-",
            f"{days:g}" if days is not None else "-",
            str(c["offers"]),
            str(c["open"]),
        )
    if t.row_count:
        out.print(t)
        if any(c["applications"] and not c["enough"] for c in result["channels"]):
            out.print(f"[dim]* fewer than {result['min_applications']} applications: too few to say[/dim]")
    for sentence in result["sentences"]:
        out.print(escape(sentence))
    if plot is not None:
        out.print(f"Wrote {escape(plot)}.")


@jobs_app.command("suggest")
def jobs_suggest(ctx: typer.Context, json: JsonFlag = False) -> None:
    """What to do next: warm ways into targets, applications going cold, people at targets to catch up with."""
    from dunbar import jobs

    st = state(ctx)
    rows = jobs.suggestions(st.db(), today=st.today)
    if json:
        emit_json(rows)
        return
    out = console()
    if not rows:
        out.print("Nothing to suggest: add targets (dunbar target add) and keep your applications moving.")
        return
    for r in rows:
        out.print(f"• {escape(r['reason'])}")

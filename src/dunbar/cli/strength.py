"""strength commands: ``dunbar strength PERSON`` and ``dunbar circles --suggest``."""

from pathlib import Path
from typing import Annotated, Any

import typer

from dunbar.cli.app import app, state
from dunbar.cli.output import JsonFlag, console, emit_json, escape, table

BLOCKS = "▁▂▃▄▅▆▇█"


def sparkline(values: list[int]) -> str:
    """Scores 0–100 as block characters (the full 0–100 range, so two people's lines compare)."""
    return "".join(BLOCKS[min(len(BLOCKS) - 1, max(0, v) * len(BLOCKS) // 101)] for v in values)


def _plot(path: Path, name: str, points: list[dict[str, Any]]) -> None:
    import matplotlib

    from dunbar.errors import InvalidInput

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 3), dpi=100)
    try:
        ax.plot([p["date"] for p in points], [p["score"] for p in points], color="#1f6f8b", linewidth=2)
        ax.set_ylim(0, 100)
        ax.set_ylabel("strength")
        ax.set_title(f"{name}: strength over time")
        ax.grid(alpha=0.3)
        fig.autofmt_xdate()
        fig.tight_layout()
        try:
            fig.savefig(path, format="png")
        except OSError as exc:
            raise InvalidInput(
                f"cannot write {path}: {exc.strerror or exc}", hint="choose a folder you can write to"
            ) from None
    finally:
        plt.close(fig)


@app.command("strength")
def strength_command(
    ctx: typer.Context,
    person: Annotated[str, typer.Argument(help="Who (name, #id, e-mail…).")],
    explain: Annotated[bool, typer.Option("--explain", help="Show each component and how they add up.")] = False,
    history: Annotated[bool, typer.Option("--history", help="Show the score over the last year.")] = False,
    plot: Annotated[
        Path | None, typer.Option("--plot", metavar="FILE.png", help="Write the history as a PNG line chart.")
    ] = None,
    days: Annotated[int, typer.Option("--days", min=7, help="How far back the history goes.")] = 365,
    json: JsonFlag = False,
) -> None:
    """How strong a relationship is (0–100), why, and how it has changed."""
    from dunbar import people
    from dunbar import strength as service

    st = state(ctx)
    db = st.db()
    now = st.now()
    pid = people.resolve(db, person)
    result = service.explain(db, pid, now=now)
    series = service.history(db, pid, now=now, days=days, step=7) if (history or plot or json) else []
    name = result["person"]["name"]
    if plot is not None:
        _plot(plot, name, series)
    if json:
        emit_json({**result, "history": series, "plot": str(plot) if plot else None})
        return
    out = console()
    circle = result["circle"] or "no circle"
    hint = ""
    if result["suggested_circle"] and result["suggested_circle"] != result["circle"]:
        hint = f" (suggested: {result['suggested_circle']})"
    out.print(f"{escape(name)}: strength [bold]{result['score']}[/bold]/100, {circle}{hint}")
    if explain:
        t = table("component", "value", "weight", "points", "why")
        for c in result["components"]:
            if c["weight"] == 0 and c["name"] != "closeness":
                continue
            t.add_row(c["name"], f"{c['value']:.2f}", f"{c['weight']:g}", f"{c['points']:.1f}", escape(c["sentence"]))
        total = sum(c["weight"] for c in result["components"])
        t.add_row("total", "", f"{total:g}", f"{result['score']}", "points = 100 × weight × value / total weight")
        out.print(t)
    if history:
        values = [p["score"] for p in series]
        first, last = series[0]["date"], series[-1]["date"]
        out.print(f"{first} {sparkline(values)} {last}  (weekly; low {min(values)}, high {max(values)})")
    if plot is not None:
        out.print(f"Wrote {escape(plot)}.")
    if not (explain or history or plot):
        out.print(f"Why: dunbar strength {escape(person)!r} --explain; over time: --history")


@app.command("circles")
def circles_command(
    ctx: typer.Context,
    suggest: Annotated[bool, typer.Option("--suggest", help="Suggest circles from the history.")] = False,
    apply: Annotated[bool, typer.Option("--apply", help="Accept every suggestion shown.")] = False,
    all_: Annotated[bool, typer.Option("--all", help="List unchanged people too.")] = False,
    json: JsonFlag = False,
) -> None:
    """Circles after Dunbar's layers (inner ~5, close ~15, active ~50, network ~150, acquaintance ~500)."""
    from dunbar import strength as service
    from dunbar.errors import InvalidInput

    if not suggest:
        raise InvalidInput("say what to do with circles", hint="dunbar circles --suggest [--apply]")
    st = state(ctx)
    db = st.db()
    now = st.now()
    rows = service.suggest_circles(db, now=now)
    changes = {r["person_id"]: r["suggested"] for r in rows if r["changed"]}
    applied = service.apply_circles(db, changes, now=now) if apply else 0
    if json:
        emit_json({"suggestions": rows, "changes": len(changes), "applied": applied})
        return
    out = console()
    shown = rows if all_ else [r for r in rows if r["changed"]]
    if not rows:
        out.print('Nobody to place yet: log some interactions first (dunbar log "…" --with NAME).')
        return
    if shown:
        t = table("person", "now", "suggested", "score")
        for r in shown:
            t.add_row(escape(r["name"]), r["circle"] or "-", r["suggested"], str(r["score"]))
        out.print(t)
    counts: dict[str, int] = {}
    for r in rows:
        counts[r["suggested"]] = counts.get(r["suggested"], 0) + 1
    layers = ", ".join(f"{n} {c}" for c, n in counts.items())
    out.print(f"Suggested for {len(rows)} people: {layers}.")
    if apply:
        out.print(f"Applied {applied} changes.")
    elif changes:
        out.print(f"{len(changes)} would change. Accept them all: dunbar circles --suggest --apply")
    else:
        out.print("Every circle already matches the suggestion.")

"""search commands: ``dunbar search``."""

from typing import Annotated, Any

import typer

from dunbar.cli.app import app, state
from dunbar.cli.output import JsonFlag, console, emit_json, table, when

# Control characters never survive into stored contact data as text a user typed, so they mark highlights
# unambiguously; brackets in a note stay brackets.
_OPEN, _CLOSE = "\x02", "\x03"


def highlighted(snippet: str) -> Any:
    """A Rich ``Text`` of a snippet whose matches are marked with ``_OPEN``/``_CLOSE``; never parsed as markup."""
    from rich.text import Text

    out = Text()
    rest = snippet
    while rest:
        start = rest.find(_OPEN)
        if start < 0:
            out.append(rest)
            break
        end = rest.find(_CLOSE, start)
        if end < 0:
            out.append(rest.replace(_OPEN, ""))
            break
        out.append(rest[:start])
        out.append(rest[start + 1 : end], style="bold yellow")
        rest = rest[end + 1 :]
    return out


@app.command("search")
def search_command(
    ctx: typer.Context,
    text: Annotated[list[str], typer.Argument(help="Words to find (each must match, as a word prefix).")],
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="How many hits to show.")] = 20,
    json: JsonFlag = False,
) -> None:
    """Find people, organizations, notes and interactions; accents and case do not matter."""
    from dunbar import search

    st = state(ctx)
    query = " ".join(text)
    if json:
        hits = search.search(st.db(), query, limit=limit)
        emit_json({"query": query, "hits": [h.as_dict() for h in hits]})
        return
    hits = search.search(st.db(), query, limit=limit, mark=(_OPEN, _CLOSE))
    out = console()
    if not hits:
        from rich.text import Text

        out.print(Text(f"Nothing found for {query!r}. Try fewer or shorter words."))
        return
    t = table("kind", "who", "when", "match")
    for h in hits:
        who = ", ".join(str(p["name"]) for p in h.people)
        t.add_row(
            h.kind,
            _plain(who or "-"),
            when(h.occurred_at.astimezone(), today=st.today) if h.occurred_at else "",
            highlighted(h.snippet),
        )
    out.print(t)


def _plain(value: str) -> Any:
    from rich.text import Text

    return Text(value)

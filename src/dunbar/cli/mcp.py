"""mcp command: ``dunbar mcp``, the Model Context Protocol server over stdio for AI assistants."""

import typer

from dunbar.cli.app import app, state


@app.command("mcp")
def mcp_command(ctx: typer.Context) -> None:
    """Serve this database to an AI assistant over stdio (Model Context Protocol).

    Add it to an assistant's MCP servers as the command `dunbar mcp` (with --db PATH to choose a database).
    Tools: who_to_contact_today, show_person, search, log_interaction, find_path.
    """
    st = state(ctx)
    from dunbar.mcp_server import build_server
    from dunbar.store import open_db

    # Open once up front: a missing database is a one-line error now, not a failure inside the first tool call.
    open_db(st.url).close()
    server = build_server(st.url, today=st.today_override)
    try:
        server.run("stdio")
    finally:
        server.dunbar_service.close()

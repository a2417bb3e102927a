"""``dunbar serve``: the web app on this machine, over the same database as the CLI."""

import socket
from typing import Annotated

import typer

from dunbar.cli.app import app, state
from dunbar.errors import DunbarError

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def _address(host: str, port: int) -> str:
    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host  # noqa: S104 - only a name for the link  # nosec B104
    if ":" in shown:
        shown = f"[{shown}]"
    return f"http://{shown}:{port}/"


def allowed_hosts(host: str, port: int) -> list[str]:
    """The Host values the app answers: this machine's loopback names, and the bound name when it is another."""
    from dunbar.web.deps import loopback_hosts

    hosts = loopback_hosts(port)
    if host not in (*LOOPBACK, "0.0.0.0", "::", ""):  # noqa: S104  # nosec B104  # a comparison, nothing is bound here
        hosts.append(f"[{host}]:{port}" if ":" in host else f"{host}:{port}")
    return hosts


def _check_port(host: str, port: int) -> None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError as exc:
            raise DunbarError(
                f"cannot listen on {host}:{port}: {exc.strerror or exc}",
                hint=f"is dunbar already running? Open {_address(host, port)} or pick another --port",
            ) from exc


@app.command()
def serve(
    ctx: typer.Context,
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port to listen on.")] = 8765,
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on. The default keeps the app on this machine.")
    ] = "127.0.0.1",
    open_: Annotated[bool, typer.Option("--open", help="Open the app in your web browser.")] = False,
    server: Annotated[
        bool, typer.Option("--server", help="The multi-user team server on PostgreSQL: accounts and sign-in.")
    ] = False,
    workers: Annotated[int, typer.Option("--workers", min=1, max=64, help="Worker processes (--server).")] = 1,
    allowed_host: Annotated[
        list[str] | None,
        typer.Option("--allowed-host", help="A Host name the server answers, e.g. behind a proxy (repeatable)."),
    ] = None,
    insecure_cookies: Annotated[
        bool, typer.Option("--insecure-cookies", help="Send sign-in cookies over plain HTTP (a trial without TLS).")
    ] = False,
) -> None:
    """Run the web app (and the REST API under /api/v1) for your browser. Stop it with Ctrl+C."""
    import uvicorn

    from dunbar.web import create_app

    st = state(ctx)
    _check_port(host, port)
    if server:
        _serve_team(st.url, host, port, workers, allowed_host or [], insecure_cookies)
        return
    if workers != 1:
        raise DunbarError("--workers needs --server", hint="the embedded app serves one person from one process")
    web = create_app(st.url, today=st.today_override, port=port, allowed_hosts=allowed_hosts(host, port))
    address = _address(host, port)
    if host not in LOOPBACK:
        typer.echo(f"Warning: listening on {host}; other machines on your network may reach this address.", err=True)
    typer.echo(f"dunbar is running at {address}  (database: {st.url})")
    typer.echo("Press Ctrl+C to stop.")
    if open_:
        import webbrowser

        web.router.add_event_handler("startup", lambda: webbrowser.open(address))
    uvicorn.run(web, host=host, port=port, log_level="warning", access_log=False, server_header=False)


def _serve_team(url: str, host: str, port: int, workers: int, extra_hosts: list[str], insecure: bool) -> None:
    """The team server: check the database once here, then run the workers, each building its app from the
    environment (so any number of processes share one configuration)."""
    import os

    import uvicorn

    from dunbar.server import open_server, upgrade_users
    from dunbar.server.accounts import list_users

    db = open_server(url)
    try:
        upgrade_users(db)
        count = len(list_users(db))
    finally:
        db.close()
    os.environ["DUNBAR_DATABASE_URL"] = url
    os.environ["DUNBAR_ALLOWED_HOSTS"] = ",".join(allowed_hosts(host, port) + extra_hosts)
    if insecure:
        os.environ["DUNBAR_INSECURE_COOKIES"] = "1"
    typer.echo(f"dunbar team server at {_address(host, port)}  ({count} users, {workers} worker(s))")
    if count == 0:
        typer.echo("No users yet: add one with `dunbar users add NAME --admin`.")
    if not insecure:
        typer.echo("Sign-in cookies are sent over HTTPS only: put a TLS proxy in front (or --insecure-cookies).")
    uvicorn.run(
        "dunbar.web.server_entry:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        access_log=False,
        server_header=False,
        proxy_headers=True,
    )

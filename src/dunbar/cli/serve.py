"""``dunbar serve``: the web app on this machine, over the same database as the CLI."""

import socket
from typing import Annotated

import typer

from dunbar.cli.app import app, state
from dunbar.errors import DunbarError

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def _address(host: str, port: int) -> str:
    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host  # noqa: S104 - only a name for the link
    if ":" in shown:
        shown = f"[{shown}]"
    return f"http://{shown}:{port}/"


def allowed_hosts(host: str, port: int) -> list[str]:
    """The Host values the app answers: this machine's loopback names, and the bound name when it is another."""
    from dunbar.web.deps import loopback_hosts

    hosts = loopback_hosts(port)
    if host not in (*LOOPBACK, "0.0.0.0", "::", ""):  # noqa: S104
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
) -> None:
    """Run the web app (and the REST API under /api/v1) for your browser. Stop it with Ctrl+C."""
    import uvicorn

    from dunbar.web import create_app

    st = state(ctx)
    _check_port(host, port)
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

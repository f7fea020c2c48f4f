"""``bulletin serve``: run the unsubscribe service (see :mod:`bulletin.service`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bulletin.cli.base import app, reported
from bulletin.errors import ServiceError

__all__ = ["serve_command"]


@app.command("serve")
def serve_command(
    host: Annotated[
        str,
        typer.Option(
            "--host",
            help="Address to listen on; keep 127.0.0.1 behind a proxy that adds HTTPS.",
        ),
    ] = "127.0.0.1",
    port: Annotated[
        int, typer.Option("--port", "-p", help="Port to listen on (1-65535).")
    ] = 8080,
    database: Annotated[
        str,
        typer.Option(
            "--database",
            help="An SQLite file, or a postgresql:// URL (better in "
            "BULLETIN_DATABASE_URL: a URL may hold a password).",
            envvar="BULLETIN_DATABASE_URL",
            show_envvar=False,
        ),
    ] = "unsubscribes.sqlite3",
    list_id: Annotated[
        str | None,
        typer.Option(
            "--list-id",
            help="The list's id.",
            show_default="list_id of bulletin.toml in this folder or above",
        ),
    ] = None,
    proxied: Annotated[
        bool,
        typer.Option(
            "--proxied/--direct",
            help="Trust X-Forwarded-For/-Proto from a proxy on 127.0.0.1.",
        ),
    ] = False,
) -> None:
    """Run the unsubscribe service: one-click unsubscribe, the confirmation page
    and the sync for bulletin suppress sync. Stop with Ctrl-C.

    Needs BULLETIN_UNSUBSCRIBE_SECRET (the secret links are signed with) and
    pip install "bulletin\\[server]". Put it behind a proxy that adds HTTPS.

    [bold]Examples[/bold]

      bulletin serve

      bulletin serve --port 9000 --database /var/lib/bulletin/unsubscribes.sqlite3

      BULLETIN_DATABASE_URL=postgresql://bulletin@db/bulletin bulletin serve --proxied
    """
    # (The docstring's \\[ keeps Rich from reading [server] as markup.)
    import logging

    from bulletin.service.config import service_config
    from bulletin.service.server import serve

    if not logging.getLogger().handlers:
        logging.basicConfig(
            level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
        )
    with reported():
        if not 0 < port < 65536:
            # Checked here: typer's own range check costs every command its speed.
            raise ServiceError(f"--port {port} is not a port; give one from 1 to 65535")
        config = service_config(Path.cwd(), list_id=list_id)
        typer.echo(
            f"Unsubscribe service for {config.list_id} on http://{host}:{port} "
            "(Ctrl-C to stop)"
        )
        serve(config, database, host=host, port=port, proxied=proxied)

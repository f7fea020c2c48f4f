"""``bulletin suppress sync``: pull the unsubscribe service's news into the list.

Registered on :data:`bulletin.cli.suppress.suppress_app`, which imports this
module once it is made.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bulletin.cli.base import count, reported, shown
from bulletin.cli.suppress import _to_change, suppress_app

__all__ = ["suppress_sync"]


@suppress_app.command("sync")
def suppress_sync(
    url: Annotated[
        str,
        typer.Argument(
            help="The unsubscribe service's address (bulletin serve), e.g. "
            "https://unsubscribe.example.org.",
            show_default=False,
        ),
    ],
    file: Annotated[
        Path | None,
        typer.Option(
            "--file",
            help="The suppression list's file.",
            show_default="suppressed.csv beside bulletin.toml in this folder or above",
        ),
    ] = None,
) -> None:
    """Add those who unsubscribed through the unsubscribe service since the last
    sync (and take off those who subscribed again).

    Needs BULLETIN_UNSUBSCRIBE_SECRET, the same secret the service has.

    [bold]Examples[/bold]

      bulletin suppress sync https://unsubscribe.example.org
    """
    from bulletin.commands.sync import sync

    with reported():
        path = _to_change(file)
        result = sync(url, path)
    typer.echo(
        f"{count(result.events, 'event')} from the service: "
        f"{count(len(result.added), 'address', 'addresses')} added to "
        f"{shown(path)}, {count(len(result.removed), 'address', 'addresses')} "
        "taken off (subscribed again)"
    )

"""``bulletin status``: where a send stands, from its journal."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from bulletin.cli.base import EditionPath, app, reported, shown
from bulletin.cli.sending import table

__all__: list[str] = []


class Format(StrEnum):
    """How ``status`` prints."""

    TABLE = "table"
    JSON = "json"


@app.command("status")
def status_command(
    edition: EditionPath,
    journal: Annotated[
        Path | None,
        typer.Option(
            "--journal",
            help="Read this journal instead of the edition's own.",
            show_default=False,
        ),
    ] = None,
    output: Annotated[
        Format,
        typer.Option("--format", help="table for people, json for programs."),
    ] = Format.TABLE,
) -> None:
    """Show how far the sending of an edition has got: counts, and who failed,
    was deferred or is in doubt, with the server's reply.

    [bold]Examples[/bold]

      bulletin status edition.md

      bulletin status edition.md --format json
    """
    from bulletin.commands.status import status, when

    with reported():
        found = status(edition, journal)
    if output is Format.JSON:
        typer.echo(json.dumps(found.as_dict(), indent=2, ensure_ascii=False))
        return
    typer.echo(f"Journal: {shown(found.journal)}")
    fingerprint = found.fingerprint
    if fingerprint is not None:
        typer.echo(f"Edition: {fingerprint.subject} ({fingerprint.edition})")
        typer.echo(
            f"List:    {fingerprint.list}, first sent "
            f"{fingerprint.started[:16].replace('T', ' ')}"
        )
    table([(str(state), number) for state, number in found.counts.items() if number])
    for entry in found.problems:
        after = when(entry.next_attempt)
        later = f", next try after {after}" if after else ""
        typer.echo(f"  {entry.state}: {entry.address}: {entry.reply}{later}")

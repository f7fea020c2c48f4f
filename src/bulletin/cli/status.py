"""``bulletin status``: where a send stands, from its journal."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bulletin.cli.base import EditionPath, app, reported, shown
from bulletin.cli.sending import table

if TYPE_CHECKING:
    from bulletin.sending.journal import Run

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
    from bulletin.commands.send import LABELS
    from bulletin.commands.status import status
    from bulletin.sending.journal import State

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
    run = found.last_run
    if run is not None:
        typer.echo(f"Last run: {_run_line(run, running=found.running)}")
    table([(LABELS[state], number) for state, number in found.counts.items() if number])
    if found.audiences:
        typer.echo("By audience:")
        for audience, counts in found.audiences.items():
            numbers = ", ".join(
                f"{number:,} {LABELS[state]}"
                for state, number in counts.items()
                if number
            )
            typer.echo(f"  {audience or '(no audience)'}: {numbers}")
    for entry in found.problems:
        if entry.state is State.PENDING:
            typer.echo(f"  not yet sent: {entry.address}: {entry.reply}")
            continue
        after = found.next_try(entry)
        later = (
            f", next try after {after}"
            if after
            else ", tried again next run"
            if entry.state is State.DEFERRED
            else ""
        )
        typer.echo(f"  {entry.state}: {entry.address}: {entry.reply}{later}")
    if found.bounces:
        kinds = ", ".join(
            f"{number:,} {_BOUNCE_WORDS.get(kind, kind)}"
            for kind, number in found.bounces.items()
        )
        typer.echo(f"Bounces found later by bulletin bounces: {kinds}")


_BOUNCE_WORDS = {
    "hard": "gone (suppressed)",
    "soft": "temporary",
    "blocked": "refused for the message",
    "delayed": "delayed",
    "unsubscribe": "unsubscribed by mail",
}


def _run_line(run: Run, *, running: bool) -> str:
    """How the last run went, in a line: when, and how it ended."""
    started = run.started[:16].replace("T", " ")
    sent = f"{run.sent:,} sent"
    if run.ended is None:
        return f"started {started}, " + (
            "running now" if running else "ended without a word"
        )
    ended = run.ended[11:16]
    if run.outcome == "finished":
        return f"{started} to {ended}, finished ({sent})"
    if run.outcome == "interrupted":
        return f"{started} to {ended}, stopped at your request ({sent})"
    if run.outcome == "killed":
        return f"started {started}, {run.reason}"
    where = f" at {run.address}" if run.address else ""
    reply = f": {run.reply}" if run.reply else ""
    return f"{started} to {ended}, stopped{where}{reply} ({sent}). {run.reason}"

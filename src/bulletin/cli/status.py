"""``bulletin status``: where a send stands, from its journal."""

from __future__ import annotations

import datetime as dt
import json
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bulletin.cli.base import EditionPath, app, reported, shown
from bulletin.cli.sending import table

if TYPE_CHECKING:
    from bulletin.sending.journal import Entry, Journal

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
    from bulletin.sending.journal import Journal, State

    with reported():
        path = journal or _journal_of(edition)
        opened = Journal.read(path)
    with opened:
        entries = opened.entries(
            State.FAILED, State.DEFERRED, State.IN_DOUBT, State.SENDING
        )
        if output is Format.JSON:
            typer.echo(
                json.dumps(_as_json(opened, entries), indent=2, ensure_ascii=False)
            )
            return
        _show(opened, entries)


def _journal_of(edition: Path) -> Path:
    from bulletin.loading.source import load
    from bulletin.mail.message import list_id
    from bulletin.sending.journal import journal_path

    return journal_path(list_id(load(edition).settings), edition)


def _as_json(journal: Journal, entries: list[Entry]) -> dict[str, object]:
    fingerprint = journal.fingerprint
    return {
        "journal": str(journal.path),
        "edition": fingerprint.edition if fingerprint else None,
        "subject": fingerprint.subject if fingerprint else None,
        "recipients": fingerprint.list if fingerprint else None,
        "started": fingerprint.started if fingerprint else None,
        "counts": {str(state): number for state, number in journal.counts().items()},
        "problems": [
            {
                "address": entry.address,
                "state": str(entry.state),
                "reply": entry.reply,
                "attempts": entry.attempts,
                "next_attempt": _when(entry.next_attempt),
                "changed": entry.changed,
                "message_id": entry.message_id,
            }
            for entry in entries
        ],
    }


def _show(journal: Journal, entries: list[Entry]) -> None:
    fingerprint = journal.fingerprint
    typer.echo(f"Journal: {shown(journal.path)}")
    if fingerprint is not None:
        typer.echo(f"Edition: {fingerprint.subject} ({fingerprint.edition})")
        typer.echo(
            f"List:    {fingerprint.list}, first sent {fingerprint.started[:16].replace('T', ' ')}"
        )
    counted = journal.counts()
    table([(str(state), number) for state, number in counted.items() if number])
    for entry in entries:
        when = (
            f", next try after {_when(entry.next_attempt)}"
            if entry.next_attempt
            else ""
        )
        typer.echo(f"  {entry.state}: {entry.address}: {entry.reply}{when}")


def _when(moment: float | None) -> str | None:
    if moment is None:
        return None
    return dt.datetime.fromtimestamp(moment).astimezone().isoformat(timespec="seconds")

"""``bulletin bounces``: bounces and unsubscribe mails, read from the sending mailbox."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from bulletin.cli.base import app, count, reported, secret_prompt, shown

__all__: list[str] = []


class Format(StrEnum):
    """How ``bounces`` prints."""

    TEXT = "text"
    JSON = "json"


_LABELS = {
    "hard": "hard bounces",
    "soft": "soft bounces",
    "blocked": "refused for the message, not the reader (nothing done)",
    "delayed": "delay warnings (nothing to do yet)",
    "auto-reply": "auto-replies (ignored)",
    "unsubscribe": "unsubscribe requests",
    "malformed": "unreadable bounces (left in place)",
    "other": "other mail, e.g. replies (left in place)",
}


@app.command("bounces")
def bounces_command(
    target: Annotated[
        Path,
        typer.Argument(
            help="An edition file or the bulletin's folder (where bulletin.toml is, "
            "or below it).",
        ),
    ] = Path(),
    mbox: Annotated[
        Path | None,
        typer.Option(
            "--mbox", help="Read this mbox export instead of the IMAP mailbox."
        ),
    ] = None,
    maildir: Annotated[
        Path | None,
        typer.Option("--maildir", help="Read this Maildir folder instead of IMAP."),
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run",
            help="Say what would be done; suppress, record and move nothing.",
        ),
    ] = False,
    soft_limit: Annotated[
        int,
        typer.Option(
            "--soft-limit",
            help="Suppress a reader after soft bounces in this many editions.",
        ),
    ] = 3,
    output: Annotated[
        Format,
        typer.Option("--format", help="text for people, json for programs."),
    ] = Format.TEXT,
) -> None:
    """Read the sending mailbox: suppress readers whose mailbox is gone (hard
    bounces) or who asked by mail to unsubscribe; count soft bounces (full
    mailbox, server down) and suppress after several editions; ignore
    auto-replies. Mails dealt with move to the processed folder.

    [bold]Examples[/bold]

      bulletin bounces --dry-run

      bulletin bounces

      bulletin bounces --mbox exported.mbox
    """
    from bulletin.commands.bounces import bounces
    from bulletin.errors import SendError

    with reported():
        if mbox is not None and maildir is not None:
            raise SendError("give --mbox or --maildir, not both")
        report = bounces(
            target,
            mbox=mbox,
            maildir=maildir,
            dry_run=dry_run,
            soft_limit=soft_limit,
            prompt=secret_prompt(),
        )
    if output is Format.JSON:
        typer.echo(json.dumps(report.as_dict(), indent=2, ensure_ascii=False))
        return
    typer.echo(f"Read {count(report.mails, 'mail')} from {report.mailbox}")
    if report.log is not None:
        typer.echo(f"Bounce log: {shown(report.log)}")
    for kind, label in _LABELS.items():
        if report.kinds.get(kind):
            typer.echo(f"  {report.kinds[kind]:>6,}  {label}")
    if report.already:
        typer.echo(
            f"  {report.already:>6,}  processed by an earlier run (not counted again)"
        )
    for line in report.actions:
        typer.echo(f"  {line}")
    for line in report.problems:
        typer.echo(f"warning: {line}", err=True)
    done = "Would suppress" if report.dry_run else "Suppressed"
    typer.echo(f"{done} {count(len(report.suppressed), 'address', 'addresses')}.")
    if report.moved:
        typer.echo(f"Moved {count(report.moved, 'mail')} to the processed folder.")
    if report.dry_run:
        typer.echo("Dry run: nothing was changed.")

"""``bulletin send``: an edition to a recipient list, one message each.

It prepares the edition for the list (:mod:`bulletin.mailing`) and writes one
message per recipient into an outbox folder, or with ``--dry-run`` only says
what it would do.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bulletin.cli.base import (
    EditionPath,
    EmailColumn,
    RecipientsPath,
    app,
    count,
    reported,
    shown,
)
from bulletin.errors import RecipientError, SendError

if TYPE_CHECKING:
    from bulletin.mailing import Mailing
    from bulletin.outbox import OutboxResult
    from bulletin.recipients import RecipientList

__all__: list[str] = []

SuppressionsPath = Annotated[
    Path | None,
    typer.Option(
        "--suppressions",
        help="The suppression list's file.",
        show_default="suppressed.csv beside bulletin.toml",
    ),
]
_SHOWN_ROWS = 20
"""Rows set aside that are listed one by one; the rest are counted."""


@app.command("send")
def send_command(
    edition: EditionPath,
    recipients: RecipientsPath = None,
    outbox: Annotated[
        Path | None,
        typer.Option(
            "--outbox",
            help="Write one .eml file per recipient into this folder instead of "
            "sending.",
            show_default=False,
        ),
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run",
            help="Check everything and say what would be sent; write nothing.",
        ),
    ] = False,
    test_to: Annotated[
        list[str] | None,
        typer.Option(
            "--test-to",
            help="Make a test copy for this address instead (repeat for more); "
            "the list is used only for their merge fields.",
            show_default=False,
        ),
    ] = None,
    email_column: EmailColumn = None,
    reject_invalid: Annotated[
        bool,
        typer.Option(
            "--reject-invalid",
            help="Stop before writing anything if any row of the list is invalid.",
        ),
    ] = False,
    suppressions: SuppressionsPath = None,
) -> None:
    """Make each recipient's own copy of an edition and write it to an outbox.

    Addresses are checked, repeated ones dropped and suppressed ones left out;
    running the command again writes only what is missing. Exit 1 when rows
    of the list were rejected.

    [bold]Examples[/bold]

      bulletin send edition.md --recipients readers.csv --dry-run

      bulletin send edition.md --recipients readers.csv --outbox outbox

      bulletin send edition.md --test-to me@example.org --outbox outbox
    """
    from bulletin.mailing import NO_LIST, prepare
    from bulletin.outbox import write_outbox
    from bulletin.recipients import RecipientList, read_recipients

    tests = test_to or []
    with reported():
        if recipients is None and not tests:
            raise RecipientError(
                "no recipients: give --recipients readers.csv (or --test-to "
                "you@example.org for a test copy)"
            )
        if outbox is not None and outbox.exists() and not outbox.is_dir():
            raise SendError(
                f"--outbox {outbox} is a file; give a folder (it is made if missing)"
            )
        if outbox is None and not dry_run:
            raise SendError(
                "sending by SMTP is not available yet; write the messages with "
                "--outbox FOLDER, or check everything with --dry-run"
            )
        listed = (
            read_recipients(recipients, email_column=email_column)
            if recipients is not None
            else RecipientList(NO_LIST, ())
        )
        mailing = prepare(edition, listed, suppressions=suppressions)
    for warning in mailing.warnings:
        typer.echo(f"warning: {warning}", err=True)
    _report_rows(listed)
    if not mailing.ready:
        for problem in mailing.problems:
            typer.echo(f"error: {problem}", err=True)
    if reject_invalid and listed.rejected:
        typer.echo(
            f"error: {count(len(listed.rejected), 'row')} rejected and "
            "--reject-invalid given; nothing was written",
            err=True,
        )
        raise typer.Exit(1)
    if dry_run:
        _dry_run_summary(mailing, tests)
        raise typer.Exit(1 if listed.rejected or not mailing.ready else 0)
    if not mailing.ready:
        typer.echo("nothing was written", err=True)
        raise typer.Exit(1)
    assert outbox is not None
    with reported():
        if tests:
            copies = {
                copy.recipient.key: copy
                for copy in mailing.test_messages(tests)
                if copy.recipient
            }
            result = write_outbox(
                outbox,
                mailing.rendered.slug,
                [copy.recipient for copy in copies.values() if copy.recipient],
                lambda recipient: copies[recipient.key],
                lambda recipient: copies[recipient.key].message_id,
                test=True,
            )
        else:
            result = write_outbox(
                outbox,
                mailing.rendered.slug,
                mailing.to_send,
                mailing.template.personal,
                mailing.template.message_id,
            )
    _outbox_summary(mailing, result, outbox, test=bool(tests))
    if listed.rejected or result.stale:
        raise typer.Exit(1)


def _report_rows(listed: RecipientList) -> None:
    """One line per row set aside, the first few; duplicates only counted."""
    for rejection in listed.rejected[:_SHOWN_ROWS]:
        typer.echo(f"{shown(listed.path)}: {rejection}", err=True)
    hidden = len(listed.rejected) - _SHOWN_ROWS
    if hidden > 0:
        typer.echo(f"... and {count(hidden, 'more row')} rejected", err=True)


def _counts(mailing: Mailing) -> list[tuple[str, int]]:
    listed = mailing.recipients
    return [
        ("suppressed", len(mailing.suppressed)),
        ("invalid", len(listed.rejected)),
        ("duplicate", len(listed.duplicates)),
    ]


def _dry_run_summary(mailing: Mailing, tests: list[str]) -> None:
    settings = mailing.source.settings
    sender = settings.sender
    first = mailing.to_send[:5]
    size = len(mailing.template.personal(first[0] if first else None).data)
    lines = [
        ("Edition", f"{mailing.source.edition.title} ({shown(mailing.source.path)})"),
        ("From", f"{sender.name} <{sender.address}>" if sender else "(no sender)"),
        ("Subject", mailing.rendered.subject),
        ("Recipients", shown(mailing.recipients.path)),
        ("Suppressions", f"{shown(mailing.suppressions)}"),
        (
            "Unsubscribe",
            "one click (https)"
            if settings.one_click_unsubscribe
            else (settings.unsubscribe_url or settings.unsubscribe_mailto or "none"),
        ),
        ("Each message", f"{size / 1024:.0f} KB"),
    ]
    if tests:
        lines.append(("Test copies", ", ".join(tests)))
    else:
        lines.append(
            (
                "First",
                ", ".join(recipient.address for recipient in first)
                + (" ..." if len(mailing.to_send) > len(first) else "")
                or "(nobody)",
            )
        )
    typer.echo("Dry run: nothing was written or sent.")
    for label, value in lines:
        typer.echo(f"  {label:<13} {value}")
    verb = "would be written" if not tests else "to send"
    _table(
        [
            (f"{verb}", len(tests) if tests else len(mailing.to_send)),
            *_counts(mailing),
        ]
    )


def _outbox_summary(
    mailing: Mailing, result: OutboxResult, outbox: Path, *, test: bool
) -> None:
    label = (
        ("test copy written" if len(result.written) == 1 else "test copies written")
        if test
        else "written"
    )
    _table(
        [
            (label, len(result.written)),
            ("already in the outbox", len(result.existing)),
            *_counts(mailing),
        ]
    )
    if result.stale:
        typer.echo(
            f"error: {count(len(result.stale), 'message')} in {shown(outbox)}/ "
            "came from an earlier version of this edition and were left as they "
            "were; empty the folder (or use a new one) and run this again to write "
            "the new version",
            err=True,
        )
    from bulletin.outbox import TEST_FOLDER

    folder = outbox / TEST_FOLDER if test else outbox
    typer.echo(f"Messages are in {shown(folder)}/")


def _table(rows: list[tuple[str, int]]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(show_header=False, box=None, pad_edge=False)
    table.add_column(justify="right")
    table.add_column()
    for label, number in rows:
        table.add_row(f"{number:,}", label)
    Console(highlight=False, soft_wrap=True).print(table)

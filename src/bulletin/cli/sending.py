"""The sending commands: ``send`` and ``suppress``.

``send`` prepares the edition for a recipient list (:mod:`bulletin.mailing`)
and writes one message per recipient into an outbox folder, or with
``--dry-run`` only says what it would do. ``suppress`` keeps the list of
people never to send to again.
"""

from __future__ import annotations

import json
from enum import StrEnum
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
    from bulletin.suppression import Suppression

__all__ = ["suppress_app"]

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


# bulletin suppress ---------------------------------------------------------------

suppress_app = typer.Typer(
    name="suppress",
    help="Keep the list of people never to send to again (unsubscribed, bounced).",
    no_args_is_help=True,
)
app.add_typer(suppress_app)


class Reason(StrEnum):
    unsubscribed = "unsubscribed"
    bounced = "bounced"
    complained = "complained"
    manual = "manual"


class ListFormat(StrEnum):
    text = "text"
    csv = "csv"
    json = "json"


_ReasonOption = Annotated[
    Reason, typer.Option("--reason", help="Why these addresses are suppressed.")
]
_FileOption = Annotated[
    Path | None,
    typer.Option(
        "--file",
        help="The suppression list's file.",
        show_default="suppressed.csv beside bulletin.toml in this folder or above",
    ),
]


def _suppression_file(given: Path | None) -> Path:
    from bulletin.config import find_config, load_config

    if given is not None:
        return given
    found = find_config(Path.cwd())
    path = load_config(found).suppressions if found else None
    if path is None:
        raise RecipientError(
            "no bulletin.toml in this folder or above, so no suppression list; run "
            "this in your bulletin's folder, or give --file suppressed.csv"
        )
    return path


@suppress_app.command("add")
def suppress_add(
    addresses: Annotated[
        list[str], typer.Argument(help="The addresses.", show_default=False)
    ],
    reason: _ReasonOption = Reason.unsubscribed,
    note: Annotated[
        str, typer.Option("--note", help="Where the request came from.")
    ] = "",
    file: _FileOption = None,
) -> None:
    """Suppress addresses: they are left out of every send from now on.

    [bold]Examples[/bold]

      bulletin suppress add ann@example.org

      bulletin suppress add bob@example.org --reason bounced --note "mailbox gone"
    """
    from bulletin.recipients import Recipient
    from bulletin.suppression import SuppressionList

    with reported():
        path = _suppression_file(file)
        entries = [
            _entry(Recipient.of(address).address, reason, note) for address in addresses
        ]
        added = SuppressionList.load(path).add(entries)
    _said(added, len(entries), path, "added to")


@suppress_app.command("remove")
def suppress_remove(
    addresses: Annotated[
        list[str], typer.Argument(help="The addresses.", show_default=False)
    ],
    file: _FileOption = None,
) -> None:
    """Take addresses off the suppression list (only when they asked to come back).

    [bold]Examples[/bold]

      bulletin suppress remove ann@example.org
    """
    from bulletin.suppression import SuppressionList

    with reported():
        path = _suppression_file(file)
        removed = SuppressionList.load(path).remove(addresses)
    typer.echo(
        f"{count(len(removed), 'address', 'addresses')} removed from {shown(path)}"
    )
    if len(removed) < len(addresses):
        listed = {entry.key for entry in removed}
        missing = [a for a in addresses if a.strip().casefold() not in listed]
        typer.echo(f"not on the list: {', '.join(missing)}", err=True)
        raise typer.Exit(1)


@suppress_app.command("import")
def suppress_import(
    source: Annotated[
        Path,
        typer.Argument(
            help="A CSV with an email column (e.g. your website's export), or a "
            "text file of one address per line.",
            show_default=False,
        ),
    ],
    reason: _ReasonOption = Reason.unsubscribed,
    email_column: EmailColumn = None,
    file: _FileOption = None,
) -> None:
    """Suppress every address in a file, e.g. the unsubscribes your website collected.

    [bold]Examples[/bold]

      bulletin suppress import website-unsubscribes.csv

      bulletin suppress import bounces.txt --reason bounced
    """
    from bulletin.suppression import SuppressionList, read_addresses

    with reported():
        path = _suppression_file(file)
        addresses, problems = read_addresses(source, email_column=email_column)
        entries = [
            _entry(address, reason, f"import {source.name}") for address in addresses
        ]
        added = SuppressionList.load(path).add(entries)
    for problem in problems:
        typer.echo(f"warning: {problem}", err=True)
    _said(added, len(entries), path, "added to")


@suppress_app.command("list")
def suppress_list(
    format_: Annotated[
        ListFormat, typer.Option("--format", "-f", help="How to print the list.")
    ] = ListFormat.text,
    file: _FileOption = None,
) -> None:
    """Show the suppressed addresses, oldest first.

    [bold]Examples[/bold]

      bulletin suppress list

      bulletin suppress list --format csv > suppressed-copy.csv
    """
    from bulletin.suppression import SuppressionList

    with reported():
        path = _suppression_file(file)
        entries = list(SuppressionList.load(path))
    if format_ is ListFormat.json:
        typer.echo(
            json.dumps(
                [
                    {
                        "email": entry.address,
                        "reason": entry.reason,
                        "date": entry.date.isoformat() if entry.date else None,
                        "note": entry.note,
                    }
                    for entry in entries
                ],
                indent=2,
                ensure_ascii=False,
            )
        )
        return
    if format_ is ListFormat.csv:
        import csv
        import sys

        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(("email", "reason", "date", "note"))
        for entry in entries:
            writer.writerow((entry.address, entry.reason, entry.date or "", entry.note))
        return
    for entry in entries:
        date = entry.date.isoformat() if entry.date else ""
        typer.echo(
            f"{entry.address:<40} {entry.reason:<13} {date:<10} {entry.note}".rstrip()
        )
    typer.echo(
        f"{count(len(entries), 'address', 'addresses')} in {shown(path)}", err=True
    )


def _entry(address: str, reason: Reason, note: str) -> Suppression:
    import datetime as dt

    from bulletin.suppression import Suppression

    return Suppression(address, reason.value, dt.date.today(), note)


def _said(changed: list[Suppression], asked: int, path: Path, verb: str) -> None:
    already = asked - len(changed)
    typer.echo(
        f"{count(len(changed), 'address', 'addresses')} {verb} {shown(path)}"
        + (f" ({already} already there)" if already else "")
    )

"""``bulletin send``: an edition to a recipient list, one message each.

It prepares the edition for the list (:mod:`bulletin.commands.mailing`), then sends
each recipient their message by SMTP (:mod:`bulletin.cli.delivering`), or
writes them into an outbox folder, or with ``--dry-run`` only says what it
would do.
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
    from bulletin.commands.mailing import Mailing
    from bulletin.mail.recipients import RecipientList
    from bulletin.sending.outbox import OutboxResult

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
    audience: Annotated[
        str | None,
        typer.Option(
            "--audience",
            help="Send only to the readers in this audience (the list's "
            "audiences column); the rest can be sent to later.",
            show_default=False,
        ),
    ] = None,
    where: Annotated[
        list[str] | None,
        typer.Option(
            "--where",
            help="Send only to the readers whose COLUMN holds VALUE, written "
            "COLUMN=VALUE (any case; repeat to narrow further).",
            show_default=False,
            metavar="COLUMN=VALUE",
        ),
    ] = None,
    reject_invalid: Annotated[
        bool,
        typer.Option(
            "--reject-invalid",
            help="Stop before writing anything if any row of the list is invalid.",
        ),
    ] = False,
    suppressions: SuppressionsPath = None,
    journal: Annotated[
        Path | None,
        typer.Option(
            "--journal",
            help="Keep the send journal in this file.",
            show_default="one per edition in bulletin's state folder",
        ),
    ] = None,
    allow_changed: Annotated[
        bool,
        typer.Option(
            "--allow-changed",
            help="Carry on although the edition or the list changed since the "
            "first run (says what changed).",
        ),
    ] = False,
    resend_in_doubt: Annotated[
        bool,
        typer.Option(
            "--resend-in-doubt",
            help="Send again to recipients whose earlier message may or may not "
            "have arrived (same Message-ID).",
        ),
    ] = False,
    rate: Annotated[
        list[str] | None,
        typer.Option(
            "--rate",
            help="At most this many messages per period, e.g. 5/s, 30/min, "
            "10000/24h (repeat for several).",
            show_default=False,
        ),
    ] = None,
    preset: Annotated[
        str | None,
        typer.Option(
            "--preset",
            help="A provider's limits: m365 (30/min and 10000/24h), or none to "
            "keep to no limit.",
            show_default=False,
        ),
    ] = None,
    connections: Annotated[
        int | None,
        typer.Option(
            "--connections",
            help="Send through this many connections at once (connections in "
            "[smtp]; default 1). Only as many as your server allows.",
            show_default=False,
        ),
    ] = None,
    smtp_host: Annotated[
        str | None,
        typer.Option("--smtp-host", help="The SMTP server.", show_default=False),
    ] = None,
    smtp_port: Annotated[
        int | None,
        typer.Option("--smtp-port", help="Its port.", show_default=False),
    ] = None,
    security: Annotated[
        str | None,
        typer.Option(
            "--security",
            help="tls, starttls, or none (a relay on this computer only).",
            show_default=False,
        ),
    ] = None,
    username: Annotated[
        str | None,
        typer.Option(
            "--username",
            help="Log in as this user; the password comes from "
            "BULLETIN_SMTP_PASSWORD or a prompt, never an option.",
            show_default=False,
        ),
    ] = None,
    ca_file: Annotated[
        Path | None,
        typer.Option(
            "--ca-file",
            help="Trust this CA certificate (PEM) too, for a private one.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Send each recipient their own copy of an edition, by SMTP or into an outbox.

    Addresses are checked, repeated ones dropped and suppressed ones left out.
    A journal keeps everyone's place: run the same command again after a
    stop, a crash or a day's limit, and it sends only to those not yet sent.
    Exit 1 when anything failed or is left to send, or rows were rejected;
    exit 130 when stopped with Ctrl-C (run the same command to carry on).

    [bold]Examples[/bold]

      bulletin send edition.md --recipients readers.csv --dry-run

      bulletin send edition.md --test-to me@example.org

      bulletin send edition.md --recipients readers.csv --preset m365

      bulletin send edition.md --recipients readers.csv --outbox outbox
    """
    from bulletin.commands.mailing import NO_LIST, prepare
    from bulletin.commands.send import (
        SendOptions,
        server_description,
        write_to_outbox,
    )
    from bulletin.mail.recipients import RecipientList, read_recipients

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
        listed = (
            read_recipients(recipients, email_column=email_column)
            if recipients is not None
            else RecipientList(NO_LIST, ())
        )
        mailing = prepare(
            edition,
            listed,
            suppressions=suppressions,
            audience=audience,
            where=[_pair(condition) for condition in where or ()],
            sync=not (dry_run or tests),
        )
    # The list as prepared: its rows set aside include those whose merge fields
    # cannot be sent (a javascript: link), besides those read as invalid.
    listed = mailing.recipients
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
    options = SendOptions(
        journal=journal,
        allow_changed=allow_changed,
        resend_in_doubt=resend_in_doubt,
        rates=tuple(rate or ()),
        preset=preset,
        smtp={
            "host": smtp_host,
            "port": smtp_port,
            "security": security,
            "username": username,
            "ca_file": str(ca_file) if ca_file else None,
            "connections": connections,
        },
    )
    if dry_run:
        server = "the outbox" if outbox else server_description(mailing, options)
        _dry_run_summary(mailing, tests, server)
        raise typer.Exit(1 if listed.rejected or not mailing.ready else 0)
    if not mailing.ready:
        typer.echo("nothing was written or sent", err=True)
        raise typer.Exit(1)
    if outbox is None:
        from bulletin.cli.delivering import send_by_smtp, send_test_copies

        if tests:
            send_test_copies(mailing, options, tests)
        else:
            send_by_smtp(mailing, options)
        return
    with reported():
        result = write_to_outbox(mailing, outbox, tests)
    _outbox_summary(mailing, result, outbox, test=bool(tests))
    if listed.rejected or result.stale:
        raise typer.Exit(1)


def _pair(condition: str) -> tuple[str, str]:
    """``COLUMN=VALUE`` as its two halves."""
    column, equals, value = condition.partition("=")
    if not equals or not column.strip():
        raise RecipientError(
            f"--where {condition!r} is not COLUMN=VALUE; write e.g. "
            '--where "team=Early Help"'
        )
    return column.strip(), value.strip()


def _report_rows(listed: RecipientList) -> None:
    """One line per row set aside, the first few; duplicates only counted."""
    for rejection in listed.rejected[:_SHOWN_ROWS]:
        typer.echo(f"{shown(listed.path)}: {rejection}", err=True)
    hidden = len(listed.rejected) - _SHOWN_ROWS
    if hidden > 0:
        typer.echo(f"... and {count(hidden, 'more row')} rejected", err=True)


def _dry_run_summary(mailing: Mailing, tests: list[str], server: str) -> None:
    from bulletin.commands.send import left_out
    from bulletin.model.audiences import describe

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
        ("Sent through", server),
    ]
    if mailing.chosen:
        lines.insert(4, ("Only", f"readers in {mailing.chosen}"))
    variants = _variant_counts(mailing)
    if len(variants) > 1 or any(variants):
        sizes = {
            name: len(template.rendered.html.encode("utf-8"))
            for name, template in mailing.template.templates.items()
        }
        lines.append(
            (
                "Variants",
                "; ".join(
                    f"{describe(name)}: {count(number, 'reader')}"
                    + (f", {sizes[name] / 1024:.0f} KB" if name in sizes else "")
                    for name, number in sorted(variants.items())
                ),
            )
        )
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
    verb = (
        "to send"
        if tests
        else ("would be written" if server == "the outbox" else "would be sent")
    )
    table(
        [
            (f"{verb}", len(tests) if tests else len(mailing.to_send)),
            *left_out(mailing),
        ]
    )


def _variant_counts(mailing: Mailing) -> dict[str, int]:
    """How many readers to send to get each variant."""
    found: dict[str, int] = {}
    for recipient in mailing.to_send:
        name = mailing.template.variant(recipient)
        found[name] = found.get(name, 0) + 1
    return found


def _outbox_summary(
    mailing: Mailing, result: OutboxResult, outbox: Path, *, test: bool
) -> None:
    from bulletin.commands.send import left_out

    label = (
        ("test copy written" if len(result.written) == 1 else "test copies written")
        if test
        else "written"
    )
    table(
        [
            (label, len(result.written)),
            ("already in the outbox", len(result.existing)),
            *left_out(mailing),
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
    from bulletin.sending.outbox import TEST_FOLDER

    folder = outbox / TEST_FOLDER if test else outbox
    typer.echo(f"Messages are in {shown(folder)}/")


def table(rows: list[tuple[str, int]]) -> None:
    """Numbers right-aligned, each with its label."""
    from rich.console import Console
    from rich.table import Table

    table = Table(show_header=False, box=None, pad_edge=False)
    table.add_column(justify="right")
    table.add_column()
    for label, number in rows:
        table.add_row(f"{number:,}", label)
    Console(highlight=False, soft_wrap=True).print(table)

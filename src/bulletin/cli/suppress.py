"""``bulletin suppress``: the list of people never to send to again.

Unsubscribed and bounced addresses, kept in ``suppressed.csv`` beside
bulletin.toml (see :mod:`bulletin.mail.suppression`) and left out of every send.
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bulletin.cli.base import EmailColumn, app, count, reported, shown
from bulletin.errors import RecipientError

if TYPE_CHECKING:
    from bulletin.mail.suppression import Suppression

__all__ = ["suppress_app"]


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
    from bulletin.loading.config import find_config, load_config

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


def _to_change(given: Path | None, source: Path | None = None) -> Path:
    """The suppression list's file, once it is sure that writing it loses nothing.

    ``--file`` names the list to change, never a list to read: a recipient list
    given there would be rewritten without its columns.
    """
    from bulletin.mail.suppression import COLUMNS, foreign_columns

    path = _suppression_file(given)
    if source is not None and path.exists() and path.resolve() == source.resolve():
        raise RecipientError(
            f"{shown(path)} is both the file to read and the suppression list to "
            "change; --file names the suppression list (suppressed.csv), so leave "
            "it out or name another file"
        )
    if path.is_file():
        foreign = foreign_columns(path)
        if foreign:
            raise RecipientError(
                f"{shown(path)} is not a suppression list: it has the columns "
                f"{', '.join(foreign)} besides {', '.join(COLUMNS)}, so it was left "
                "as it is. --file names the suppression list to change; to suppress "
                f"the addresses in {shown(path)}, run: bulletin suppress import "
                f"{shown(path)}"
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
    from bulletin.mail.recipients import Recipient
    from bulletin.mail.suppression import SuppressionList

    with reported():
        path = _to_change(file)
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
    from bulletin.mail.suppression import SuppressionList

    with reported():
        path = _to_change(file)
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
    from bulletin.mail.suppression import SuppressionList, read_addresses

    with reported():
        path = _to_change(file, source)
        addresses, problems = read_addresses(source, email_column=email_column)
        entries = [
            _entry(address, reason, f"import {source.name}") for address in addresses
        ]
        added = SuppressionList.load(path).add(entries)
    for problem in problems:
        typer.echo(f"warning: {problem}", err=True)
    _said(added, len(entries), path, "added to")


@suppress_app.command("undo-run")
def suppress_undo_run(
    run: Annotated[
        str | None,
        typer.Argument(
            help="The send run, as send named it (e.g. 20250115-090000-ab12).",
            show_default="the latest run that added any",
        ),
    ] = None,
    file: _FileOption = None,
) -> None:
    """Take off every address one send run added as gone (e.g. a relay that
    refused everyone): they are sent to again.

    Each address a send adds notes its run; send prints the command to undo it.

    [bold]Examples[/bold]

      bulletin suppress undo-run

      bulletin suppress undo-run 20250115-090000-ab12
    """
    from bulletin.mail.suppression import SuppressionList, run_of

    with reported():
        path = _to_change(file)
        suppressions = SuppressionList.load(path)
        runs = sorted({tag for entry in suppressions if (tag := run_of(entry))})
        if not runs:
            raise RecipientError(
                f"no address on {shown(path)} was added by a send run; nothing to undo"
            )
        chosen = run or runs[-1]
        if chosen not in runs:
            raise RecipientError(
                f"no address on {shown(path)} was added by the run {chosen}; runs "
                f"that added some: {', '.join(runs)}"
            )
        addresses = [entry.address for entry in suppressions if run_of(entry) == chosen]
        removed = suppressions.remove(addresses)
    typer.echo(
        f"{count(len(removed), 'address', 'addresses')} added by the send run "
        f"{chosen} removed from {shown(path)}: "
        + ", ".join(entry.address for entry in removed)
    )


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
    from bulletin.mail.suppression import SuppressionList

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

        from bulletin.mail.csvfile import formula_safe

        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(("email", "reason", "date", "note"))
        for entry in entries:
            date = entry.date.isoformat() if entry.date else ""
            writer.writerow(
                formula_safe(cell)
                for cell in (entry.address, entry.reason, date, entry.note)
            )
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

    from bulletin.mail.suppression import Suppression

    return Suppression(address, reason.value, dt.date.today(), note)


def _said(changed: list[Suppression], asked: int, path: Path, verb: str) -> None:
    already = asked - len(changed)
    typer.echo(
        f"{count(len(changed), 'address', 'addresses')} {verb} {shown(path)}"
        + (f" ({already} already there)" if already else "")
    )


# `suppress sync` lives beside this module; importing it registers it here.
import bulletin.cli.suppress_sync  # noqa: E402, F401 - registers `suppress sync`

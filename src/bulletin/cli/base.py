"""The root of the ``bulletin`` command, and what its commands share.

A :class:`~bulletin.errors.BulletinError` raised inside :func:`reported`
becomes one line per problem (``file:line:col: ...``) and exit code 1, never
a traceback unless ``--debug``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bulletin._version import __version__
from bulletin.errors import (
    BulletinError,
    ContentError,
    ContentErrorGroup,
    RecipientError,
)

if TYPE_CHECKING:
    from bulletin.mail.recipients import Recipient

__all__ = [
    "AsAddress",
    "EditionPath",
    "EmailColumn",
    "LayoutName",
    "RecipientsPath",
    "app",
    "as_recipient",
    "count",
    "kb",
    "reported",
    "shown",
]

app = typer.Typer(
    name="bulletin",
    help="Build and send email bulletins from Markdown or Python.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
    # A traceback must never print local variables: one may hold a password.
    pretty_exceptions_show_locals=False,
)

_state = {"debug": False}

EditionPath = Annotated[
    Path,
    typer.Argument(
        help="The edition file: Markdown (.md), or Python (.py) defining `edition`.",
        show_default=False,
    ),
]
LayoutName = Annotated[
    str | None,
    typer.Option(
        "--layout",
        "-l",
        help="Use this layout instead of the edition's.",
        show_default=False,
    ),
]

RecipientsPath = Annotated[
    Path | None,
    typer.Option(
        "--recipients",
        "-r",
        help="The recipient list: a CSV file whose first row names the columns, "
        "one of them the email address.",
        show_default=False,
    ),
]
EmailColumn = Annotated[
    str | None,
    typer.Option(
        "--email-column",
        help="The email column's header, when it is not Email, E-mail, "
        "Email Address or the like.",
        show_default=False,
    ),
]
AsAddress = Annotated[
    str | None,
    typer.Option(
        "--as",
        help="Show the copy this recipient gets: their merge fields from "
        "--recipients and their own unsubscribe link.",
        show_default=False,
    ),
]


def as_recipient(
    address: str | None, recipients: Path | None, email_column: str | None
) -> Recipient | None:
    """The recipient ``--as`` names: their row of ``--recipients``, if given.

    Raises:
        RecipientError: the address is invalid or not on the list, or
            ``--recipients`` came without ``--as``.
    """
    from bulletin.commands.mailing import find_recipient
    from bulletin.mail.recipients import Recipient, read_recipients

    if address is None:
        if recipients is not None:
            raise RecipientError(
                "--recipients needs --as ADDRESS here: whose copy to show"
            )
        return None
    if recipients is None:
        return Recipient.of(address)
    return find_recipient(
        read_recipients(recipients, email_column=email_column), address
    )


def _version(value: bool) -> None:
    if value:
        typer.echo(f"bulletin {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_version,
            is_eager=True,
            help="Show the version and exit.",
        ),
    ] = False,
    debug: Annotated[
        bool,
        typer.Option("--debug", help="Show the full traceback when something fails."),
    ] = False,
) -> None:
    """Build and send email bulletins from Markdown or Python.

    Editors write one Markdown file per edition; developers build editions in
    Python with `import bulletin`. Start with [bold]bulletin new[/bold].
    """
    _state["debug"] = debug


@contextlib.contextmanager
def reported() -> Iterator[None]:
    """Turn a BulletinError into one line per problem on stderr and exit code 1."""
    try:
        yield
    except BulletinError as error:
        if _state["debug"]:
            raise
        if isinstance(error, ContentErrorGroup):
            for problem in error.exceptions:
                typer.echo(str(problem), err=True)
            typer.echo(
                f"{len(error.exceptions)} problems; nothing was written", err=True
            )
        elif isinstance(error, ContentError) and error.location.file is not None:
            typer.echo(str(error), err=True)  # already file:line:col: ...
        else:
            typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None
    except OSError as error:
        # A disk that is full or a folder that cannot be written: say which.
        if _state["debug"]:
            raise
        where = f"{error.filename}: " if error.filename else ""
        typer.echo(f"error: {where}{error.strerror or error}", err=True)
        raise typer.Exit(1) from None


def count(number: int, noun: str, plural: str | None = None) -> str:
    """``1 row``, ``2 rows``; ``plural`` when adding an s will not do."""
    return f"{number:,} {noun if number == 1 else plural or noun + 's'}"


def kb(size: int) -> str:
    return f"{size / 1024:.0f} KB" if size >= 1024 else f"{size} B"


def shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)

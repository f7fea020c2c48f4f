"""The root of the ``bulletin`` command, and what its commands share.

A :class:`~bulletin.errors.BulletinError` raised inside :func:`reported`
becomes one line per problem (``file:line:col: ...``) and exit code 1, never
a traceback unless ``--debug``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import sys
from collections.abc import Callable, Iterator
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, get_args, get_origin

import click
import typer
import typer.core

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
    "AudienceName",
    "EditionPath",
    "EmailColumn",
    "LayoutName",
    "RecipientsPath",
    "app",
    "as_recipient",
    "count",
    "kb",
    "reported",
    "secret_prompt",
    "shown",
]


def _quicken(command: Any, ctx: Any) -> None:
    """Let ``command``'s parameters (and its subcommands') be coerced without pydantic.

    Typer 0.29 coerces each parameter of the command being run, even an
    option not given and ``--help``, through a pydantic TypeAdapter: importing
    pydantic and building the adapters costs ~110 ms, a quarter of a whole
    ``bulletin build``. For a str, int, bool, enum, Path or list of str the
    adapter's answer is known, so such a parameter gets a coercion that gives
    it directly, and hands any value it is not sure of (or that fails) to
    Typer's own, so results and error messages stay Typer's. A Typer without
    these internals is left as it is.

    The command's ``--help`` option is made now, as the command would make it
    from ``ctx`` (its parent's context), so that it too is quick.
    """
    if _QuickParam is None:
        return
    params = list(getattr(command, "params", ()))
    settings = getattr(command, "context_settings", None) or {}
    if "help_option_names" not in settings:  # else its own context names them
        params.append(command.get_help_option(ctx))
    _quicken_params(params)
    for sub in getattr(command, "commands", {}).values():
        _quicken(sub, ctx)


def _quicken_params(params: list[Any]) -> None:
    if _QuickParam is None:
        return
    for param in params:
        descriptor = getattr(param, "type_descriptor", None)
        if descriptor is None or getattr(param, "_runtime_param", False) is not None:
            continue
        quick = _quick_coercion(descriptor)
        if quick is not None:
            param._runtime_param = _QuickParam(
                parameter_info=descriptor.parameter_info,
                annotation=descriptor.annotation,
                quick=quick,
            )


def _quick_coercion(descriptor: Any) -> Callable[[Any, Any, Any], Any] | None:
    """How to coerce a parameter of this type without pydantic, where that is exact."""
    annotation, info = descriptor.annotation, descriptor.parameter_info
    if info.parser is not None or descriptor.file_annotation is not None:
        return None
    # In the order of Typer's own choice of adapter: an enum first (a StrEnum is a str).
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return _quick_choice
    if annotation is int and info.min is None and info.max is None and not info.clamp:
        return _quick_int
    if annotation is bool:
        return _quick_bool
    if annotation is str:
        return _quick_str
    if get_origin(annotation) is list and get_args(annotation) == (str,):
        return _quick_str_list
    if annotation is Path and info.path_type in (None, Path):
        return _quick_path
    return None


class _UnsureError(Exception):
    """The quick coercion does not know this value: Typer's own decides."""


def _quick_choice(value: Any, param: Any, ctx: Any) -> Any:
    from typer._param_types import coerce_cli_choice

    descriptor = param.type_descriptor
    return coerce_cli_choice(
        value,
        choices=list(descriptor.annotation),
        case_sensitive=descriptor.parameter_info.case_sensitive,
        ctx=ctx,
    )


def _quick_int(value: Any, param: Any, ctx: Any) -> Any:
    if type(value) is str and value.isascii() and value.isdigit():
        return int(value)
    if type(value) is int:
        return value
    raise _UnsureError


def _quick_bool(value: Any, param: Any, ctx: Any) -> Any:
    if type(value) is bool:
        return value
    raise _UnsureError


def _quick_str(value: Any, param: Any, ctx: Any) -> Any:
    if type(value) is str:
        return value
    raise _UnsureError


def _quick_str_list(value: Any, param: Any, ctx: Any) -> Any:
    items = value if isinstance(value, list | tuple) else [value]
    if all(type(item) is str for item in items):
        return list(items)
    raise _UnsureError


def _quick_path(value: Any, param: Any, ctx: Any) -> Any:
    from typer._param_types import coerce_cli_path

    if type(value) is not str:
        raise _UnsureError
    # Path(value) is what pydantic's validation makes of a string; Typer's
    # own checks (exists, file_okay, ...) follow.
    info = param.type_descriptor.parameter_info
    return coerce_cli_path(Path(value), info, path_type=Path, param=param, ctx=ctx)


def _quick_param_class() -> type[Any] | None:
    try:
        from typer._coercion import RuntimeParam, build_runtime_param
    except ImportError:  # a Typer without pydantic coercion: nothing to do
        return None

    @dataclasses.dataclass(frozen=True)
    class QuickParam(RuntimeParam):
        quick: Callable[[Any, Any, Any], Any]

        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            try:
                return self.quick(value, param, ctx)
            except Exception:  # not sure, or a bad value: Typer's own says why
                exact = build_runtime_param(param.type_descriptor)
                return exact._coerce_value(value, param=param, ctx=ctx)

    return QuickParam


_QuickParam = _quick_param_class()


class _Group(typer.core.TyperGroup):
    """Typer's root command, with :func:`_quicken` applied to what is run."""

    def get_help_option(self, ctx: Any) -> Any:
        option = super().get_help_option(ctx)
        _quicken_params([*self.params, option])
        return option

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        name, command, rest = super().resolve_command(ctx, args)
        if command is not None:
            _quicken(command, ctx)
        return name, command, rest


app = typer.Typer(
    cls=_Group,
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
AudienceName = Annotated[
    str | None,
    typer.Option(
        "--audience",
        help="Show the email a reader in this audience gets (declared in "
        "bulletin.toml; several, separated by commas: a reader in all of them).",
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
    if address is None:
        if recipients is not None:
            raise RecipientError(
                "--recipients needs --as ADDRESS here: whose copy to show"
            )
        return None
    # Imported only for --as: the address checks load email-validator (~40 ms).
    from bulletin.commands.mailing import find_recipient
    from bulletin.mail.recipients import Recipient, read_recipients

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
    ctx: typer.Context,
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
    verbose: Annotated[
        int,
        typer.Option(
            "--verbose",
            "-v",
            count=True,
            help="Say what is happening (connecting, TLS, login, pauses); "
            "-vv also each server reply. Never shows a password or token.",
        ),
    ] = 0,
) -> None:
    """Build and send email bulletins from Markdown or Python.

    Editors write one Markdown file per edition; developers build editions in
    Python with `import bulletin`. Start with [bold]bulletin new[/bold].
    """
    _state["debug"] = debug
    if verbose:
        ctx.call_on_close(_show_log(logging.INFO if verbose == 1 else logging.DEBUG))


def _show_log(level: int) -> Callable[[], None]:
    """Print the library's log at ``level`` and above on stderr; returns the undo."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(name)s: %(message)s", datefmt="%H:%M:%S")
    )
    logger = logging.getLogger("bulletin")
    before = logger.level
    logger.addHandler(handler)
    logger.setLevel(level)

    def undo() -> None:
        logger.removeHandler(handler)
        logger.setLevel(before)

    return undo


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
    except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
        raise  # the command's own exit code, or Click's usage message
    except Exception as error:  # a bug: say so in one line, never a traceback
        if _state["debug"]:
            raise
        typer.echo(
            f"error: bulletin failed unexpectedly ({type(error).__name__}: "
            f"{str(error)[:200]}); this is a bug in bulletin: run the command again "
            "with --debug and report what it prints",
            err=True,
        )
        raise typer.Exit(2) from None


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


def secret_prompt() -> Callable[[str], str] | None:
    """A hidden prompt for a password, when someone is at the terminal (None: nobody)."""
    if not sys.stdin.isatty():
        return None

    def prompt(question: str) -> str:
        answer: str = typer.prompt(question, hide_input=True)
        return answer

    return prompt

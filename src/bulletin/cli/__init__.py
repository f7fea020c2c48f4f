"""The ``bulletin`` command: a thin layer over the library.

Each command parses its options, calls one library function, and prints the
result. The commands live in :mod:`bulletin.cli.editing` (new, build, check,
preview, layouts), :mod:`bulletin.cli.sending` (send, with
:mod:`bulletin.cli.delivering` for SMTP), :mod:`bulletin.cli.status`,
:mod:`bulletin.cli.suppress`, :mod:`bulletin.cli.bounces`,
:mod:`bulletin.cli.archive` and :mod:`bulletin.cli.serve`. They are imported,
and Typer with them, when :data:`app` is first used, so ``bulletin --version``
needs neither.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from bulletin._version import __version__

if TYPE_CHECKING:
    import typer

    app: typer.Typer

__all__ = ["app", "main"]


def main() -> None:
    """Run the command line."""
    if sys.argv[1:] == ["--version"]:
        # What Typer prints for --version, without importing it and every
        # command (~60 ms, more than Python takes to start).
        sys.stdout.write(f"bulletin {__version__}\n")
        return
    _app()()


def __getattr__(name: str) -> Any:
    if name == "app":
        return _app()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _app() -> typer.Typer:
    """The Typer application, with every command registered."""
    # Imported to register their commands.
    import bulletin.cli.archive
    import bulletin.cli.bounces
    import bulletin.cli.editing
    import bulletin.cli.sending
    import bulletin.cli.serve
    import bulletin.cli.status
    import bulletin.cli.suppress  # noqa: F401
    from bulletin.cli.base import app

    return app

"""The ``bulletin`` command: a thin layer over the library.

Each command parses its options, calls one library function, and prints the
result; a :class:`~bulletin.errors.BulletinError` becomes a one-line message
and exit code 1.
"""

from __future__ import annotations

import typer

from bulletin._version import __version__

__all__ = ["app", "main"]

app = typer.Typer(
    name="bulletin",
    help="Build and send email bulletins from Markdown or Python.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"bulletin {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False,
        "--version",
        callback=_version,
        is_eager=True,
        help="Show the version and exit.",
    ),
) -> None:
    """Build and send email bulletins from Markdown or Python.

    Editors write one Markdown file per edition; developers build editions in
    Python with `import bulletin`.
    """


@app.command("layouts")
def layouts_command() -> None:
    """List the built-in layouts and what each is for."""
    from bulletin.layouts import available_layouts, load_layout

    for name in available_layouts():
        typer.echo(f"{name:<10} {load_layout(name).description}")


def main() -> None:
    """Run the command line."""
    app()

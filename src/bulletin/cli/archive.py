"""The ``archive`` command: a folder of editions in, a static web archive out."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from bulletin.cli.base import app, count, reported, shown

__all__: list[str] = []


@app.command("archive")
def archive_command(
    source: Annotated[
        Path,
        typer.Argument(
            help="The folder of editions: one folder each, holding its edition.md.",
            show_default=False,
        ),
    ],
    out: Annotated[
        Path,
        typer.Option("--out", "-o", help="The archive folder (made if missing)."),
    ] = Path("archive"),
) -> None:
    """Build a web archive: each edition's page, an index and an Atom feed.

    Every link is relative, so the folder works opened from disk or copied to
    any web host. Only files that changed are written. An edition with a
    problem is reported and left out; the others are archived (exit code 1).

    [bold]Examples[/bold]

      bulletin archive editions -o public/newsletters
    """
    from bulletin.commands.archive import archive

    started = time.perf_counter()
    with reported():
        archived = archive(source, out)
    elapsed = (time.perf_counter() - started) * 1000
    for problem in archived.problems:
        typer.echo(problem, err=True)
    typer.echo(
        f"Archived {count(len(archived.entries), 'edition')} into "
        f"{shown(archived.folder)}/ in {elapsed:.0f} ms: "
        f"{count(len(archived.written), 'file')} written, "
        f"{len(archived.unchanged):,} unchanged"
    )
    typer.echo(f"  open {shown(archived.folder / 'index.html')} in a browser")
    if archived.problems:
        typer.echo(
            f"{count(len(archived.problems), 'problem')}; the editions with problems "
            "were left out",
            err=True,
        )
        raise typer.Exit(1)

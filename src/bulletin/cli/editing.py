"""The editing commands: ``new``, ``build``, ``check``, ``preview`` and ``layouts``.

Each parses its options, calls one library function, and prints the result.
Library modules are imported inside the commands, so ``bulletin --version``
and ``--help`` stay quick.
"""

from __future__ import annotations

import json
import time
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from bulletin.cli.base import (
    AsAddress,
    AudienceName,
    EditionPath,
    EmailColumn,
    LayoutName,
    RecipientsPath,
    app,
    as_recipient,
    count,
    kb,
    reported,
    shown,
)

__all__ = ["Format"]


@app.command("new")
def new_command(
    folder: Annotated[
        Path,
        typer.Argument(
            help="Where to create the files (made if missing).",
            show_default="this folder",
        ),
    ] = Path(),
) -> None:
    """Start a bulletin: a bulletin.toml and a sample edition showing every feature.

    [bold]Examples[/bold]

      bulletin new my-bulletin

      bulletin new .
    """
    from bulletin.commands.new import scaffold

    with reported():
        written = scaffold(folder)
    for path in written:
        typer.echo(f"  wrote {path}")
    edition = written[1]
    typer.echo(
        f"\nNext: edit {edition}, then run\n"
        f"  bulletin preview {edition}   to see it in your browser as you write\n"
        f"  bulletin check {edition}     to find anything to fix before sending\n"
        f"  bulletin build {edition}     to write the email files"
    )


@app.command("build")
def build_command(
    edition: EditionPath,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", "-o", help="Output folder.", show_default="out/ beside the edition"
        ),
    ] = None,
    layout: LayoutName = None,
    recipients: RecipientsPath = None,
    as_: AsAddress = None,
    email_column: EmailColumn = None,
    audience: AudienceName = None,
) -> None:
    """Build the email (.html), plain text (.txt), web page (.web.html) and .eml.

    With --as, the files are that recipient's own copy: their merge fields,
    unsubscribe link and audiences' parts. With --audience, the email a
    reader in that audience gets. The web page always shows every part.

    [bold]Examples[/bold]

      bulletin build edition.md

      bulletin build edition.md -o public --layout compact

      bulletin build edition.md --recipients readers.csv --as ann@example.org

      bulletin build edition.md --audience schools -o out/schools
    """
    from bulletin.commands.build import build
    from bulletin.mail.unsubscribe import current_secret

    started = time.perf_counter()
    with reported():
        recipient = as_recipient(as_, recipients, email_column)
        secret = current_secret() if recipient else None
        built = build(
            edition,
            out,
            layout=layout,
            recipient=recipient,
            secret=secret,
            audience=audience,
        )
    elapsed = (time.perf_counter() - started) * 1000
    source, rendered = built.source, built.rendered
    typer.echo(
        f"Built {source.edition.title!r} ({layout or source.layout}) in {elapsed:.0f} ms"
    )
    roles = {
        ".html": "the email",
        ".txt": "its plain-text version",
        ".web.html": "the view-online page",
        ".eml": "open in a mail client to see it as readers will",
    }
    pages = {
        "".join(path.suffixes[-2:])
        if path.name.endswith(".web.html")
        else path.suffix: path
        for path in built.files
        if "assets" not in path.parts
    }
    for suffix, role in roles.items():
        if suffix in pages:
            path = pages[suffix]
            typer.echo(f"  {shown(path):<56} {kb(path.stat().st_size):>7}  {role}")
    if rendered.assets:
        total = sum(len(asset.data) for asset in rendered.assets)
        typer.echo(
            f"  {shown(built.files[0].parent) + '/':<56} {kb(total):>7}  "
            f"{count(len(rendered.assets), 'image')}"
        )
    edition_ = source.edition
    articles = sum(len(section.articles) for section in edition_.sections)
    typer.echo(
        f"  {count(len(edition_.sections), 'section')}, {count(articles, 'article')}; email HTML "
        f"{built.html_bytes / 1024:.0f} KB of Gmail's 102 KB"
        + (" (digest)" if source.digest else "")
    )
    for finding in built.findings:
        typer.echo(str(finding), err=True)
    for warning in built.warnings:
        typer.echo(f"warning: {warning}", err=True)


class Format(StrEnum):
    text = "text"
    json = "json"


@app.command("check")
def check_command(
    edition: EditionPath,
    format_: Annotated[
        Format,
        typer.Option("--format", "-f", help="text for people, json for tools."),
    ] = Format.text,
    strict: Annotated[
        bool, typer.Option("--strict", help="Fail on warnings too.")
    ] = False,
    layout: LayoutName = None,
    ignore: Annotated[
        list[str] | None,
        typer.Option(
            "--ignore",
            metavar="CODE",
            help="Skip one kind of finding, by its code (e.g. vague-link); repeatable.",
            show_default=False,
        ),
    ] = None,
    spam: Annotated[
        bool,
        typer.Option(
            "--spam",
            help="Also score the .eml with SpamAssassin (local rules, no network); "
            "needs spamassassin installed.",
        ),
    ] = False,
) -> None:
    """Check an edition is ready to send; exit 1 on errors (or warnings with --strict).

    Looks at the words (link text, past dates, empty or repeated sections, the
    preheader), the email (size against Gmail's clip, pictures, headings, colour
    contrast) and what sending needs (a sender, an unsubscribe link).
    docs/checks.md lists every finding's code.

    [bold]Examples[/bold]

      bulletin check edition.md

      bulletin check edition.md --strict --format json

      bulletin check edition.md --ignore vague-link --ignore past-deadline

      bulletin check edition.md --spam
    """
    from bulletin.checking import GMAIL_CLIP_BYTES
    from bulletin.commands.check import check_file

    with reported():
        report = check_file(edition, layout=layout, ignore=ignore or (), spam=spam)
    if format_ is Format.json:
        typer.echo(json.dumps(report.as_dict(), indent=2))
    else:
        for finding in report.findings:
            typer.echo(str(finding))
        size = (
            f"; email {report.html_bytes / 1024:.0f} KB of {GMAIL_CLIP_BYTES // 1024} KB"
            if report.html_bytes
            else ""
        )
        if report.variant_bytes:
            typer.echo(
                f"Email by audience (Gmail clips at {GMAIL_CLIP_BYTES // 1024} KB):"
            )
            width = max(len(who) for who in report.variant_bytes)
            for who, bytes_ in report.variant_bytes.items():
                typer.echo(f"  {who:<{width}}  {bytes_ / 1024:4.0f} KB")
            size = ""
        if report.spam_score is not None:
            size += f"; SpamAssassin score {report.spam_score:.1f}"
        errors, warnings = len(report.errors), len(report.warnings)
        verdict = "ready to send" if report.passed(strict=strict) else "not ready"
        typer.echo(
            f"{count(errors, 'error')}, {count(warnings, 'warning')}{size}: {verdict}"
        )
    if not report.passed(strict=strict):
        raise typer.Exit(1)


@app.command("preview")
def preview_command(
    edition: EditionPath,
    port: Annotated[
        int,
        typer.Option("--port", "-p", help="Port on 127.0.0.1 (0 picks a free one)."),
    ] = 8000,
    layout: LayoutName = None,
    open_browser: Annotated[
        bool,
        typer.Option("--open/--no-open", help="Open the preview in your browser."),
    ] = True,
    screenshot: Annotated[
        Path | None,
        typer.Option(
            "--screenshot",
            help="Write desktop and mobile PNGs to this folder and exit.",
            show_default=False,
        ),
    ] = None,
    recipients: RecipientsPath = None,
    as_: AsAddress = None,
    email_column: EmailColumn = None,
    audience: AudienceName = None,
) -> None:
    """Show the edition in your browser, rebuilt each time you save.

    Desktop, mobile and plain-text views side by side. Stop with Ctrl-C.

    [bold]Examples[/bold]

      bulletin preview edition.md

      bulletin preview edition.md --port 8080 --no-open

      bulletin preview edition.md --screenshot shots

      bulletin preview edition.md --recipients readers.csv --as ann@example.org

      bulletin preview edition.md --audience schools
    """
    from bulletin.mail.unsubscribe import current_secret
    from bulletin.preview import server as preview

    with reported():
        recipient = as_recipient(as_, recipients, email_column)
        secret = current_secret() if recipient else None
        if screenshot is not None:
            for path in preview.screenshot(
                edition, screenshot, layout=layout, audience=audience
            ):
                typer.echo(f"  wrote {path}")
            return
        server = preview.PreviewServer(
            edition,
            port=port,
            layout=layout,
            recipient=recipient,
            secret=secret,
            audience=audience,
        )
        server.start()
    typer.echo(f"Previewing {edition} at {server.url} (Ctrl-C to stop)")
    if open_browser:
        import webbrowser

        webbrowser.open(server.url)
    with reported():
        server.serve_forever()


@app.command("layouts")
def layouts_command() -> None:
    """List the layouts (built in, and any in bulletin.toml's layout_paths).

    Choose one with layout = "name" in bulletin.toml, layout: name in an
    edition's front matter, or bulletin build --layout name.

    [bold]Examples[/bold]

      bulletin layouts

      bulletin build edition.md --layout compact
    """
    from bulletin.loading.config import find_config, load_config
    from bulletin.rendering.layouts import available_layouts, load_layout

    with reported():
        found = find_config(Path.cwd())
        paths = load_config(found).settings.layout_paths if found else ()
        for name in available_layouts(paths):
            typer.echo(f"{name:<10} {load_layout(name, paths).description}")

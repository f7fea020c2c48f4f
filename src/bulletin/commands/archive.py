"""A folder of editions in, a static web archive out: what ``bulletin archive`` does.

:func:`archive` finds each ``*/edition.md`` in the source folder, reads it with
its bulletin.toml (as ``load`` finds it) and writes, into the output folder:

- ``<slug>.html``: the edition's web copy, whole (never the digest), every
  personal field showing its default, with a link back to the index;
- ``assets/``: their pictures (content-hashed names, shared between editions);
- ``index.html``: every edition newest first, grouped by year;
- ``feed.xml``: an Atom feed of the same.

All links are relative, so the folder works from ``file://`` and on any static
host. The index and feed take their publisher, colours, layout and language
from the source folder's bulletin.toml (the folder's own or one above it), or
from the newest edition's when there is none.

An edition that cannot be read or rendered is left out and reported (its
problems, each with ``file:line``); the others are archived. A file is only
written when its bytes change, each atomically, so a re-build after adding
an edition rewrites that edition's page, the index and the feed, and leaves
every other file (and its modification time) alone.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from bulletin.errors import BulletinError, ContentError, ContentErrorGroup, Location
from bulletin.files import write_atomic
from bulletin.loading.config import find_config, load_config
from bulletin.loading.source import Source, load
from bulletin.model.slugs import slugify
from bulletin.rendering.archive import (
    FEED_NAME,
    INDEX_NAME,
    ArchiveEntry,
    atom_feed,
    date_text,
    index_page,
    with_archive_link,
)
from bulletin.rendering.layouts import load_layout
from bulletin.rendering.pipeline import render_web

__all__ = ["EDITION_GLOB", "Archived", "archive"]

EDITION_GLOB = "*/edition.md"
"""Where editions are looked for in the source folder: one folder each."""


@dataclass(frozen=True, slots=True)
class Archived:
    """What an archive build found and wrote."""

    folder: Path
    """The archive folder."""
    entries: tuple[ArchiveEntry, ...]
    """The editions archived, newest first."""
    written: tuple[Path, ...]
    """The files written because they were new or changed."""
    unchanged: tuple[Path, ...]
    """The files that were already as they should be, left alone."""
    problems: tuple[str, ...]
    """One line per problem of an edition left out (``file:line: ...``)."""


def archive(source: Path | str, out: Path | str) -> Archived:
    """Build the archive of the editions in ``source`` into the folder ``out``.

    Args:
        source: a folder holding one folder per edition, each with an
            ``edition.md``.
        out: the archive folder (made if missing).

    Returns:
        What was archived and written, and each edition left out with why.

    Raises:
        ContentError: ``source`` is not a folder or holds no edition, or no
            edition could be archived (the problems are in the message).
        BulletinError: the folder's own bulletin.toml has a problem.
    """
    source, out = Path(source), Path(out)
    if not source.is_dir():
        raise ContentError(
            "is not a folder; give the folder that holds one folder per edition, "
            f"each with an edition.md (e.g. {source.parent / 'editions'})",
            Location(file=source),
        )
    paths = sorted(source.glob(EDITION_GLOB))
    if not paths:
        raise ContentError(
            f"holds no edition: looked for {EDITION_GLOB} (a folder per edition, "
            "each with an edition.md)",
            Location(file=source),
        )
    found = find_config(source)
    config = load_config(found) if found else None
    pages: dict[str, tuple[Source, str]] = {}
    assets: dict[str, bytes] = {}
    entries: list[ArchiveEntry] = []
    problems: list[str] = []
    for path in paths:
        try:
            loaded, page, images, entry = _edition(path)
        except BulletinError as error:
            problems.extend(_lines(error, path))
            continue
        if f"{entry.slug}.html" == INDEX_NAME or entry.href == FEED_NAME:
            problems.append(
                f"{path}: its page would be {entry.href}, the archive's own "
                f"{'index' if entry.href == INDEX_NAME else 'feed'}; give the "
                "edition a title with more words"
            )
            continue
        if entry.slug in pages:
            problems.append(
                f"{path}: has the same page name {entry.href} as "
                f"{pages[entry.slug][0].path}; give one of them another title"
            )
            continue
        pages[entry.slug] = (loaded, page)
        assets.update(images)
        entries.append(entry)
    if not entries:
        raise ContentErrorGroup(
            f"{source}: no edition could be archived",
            [ContentError(line) for line in problems],
        )
    entries.sort(key=lambda entry: (entry.date, entry.slug), reverse=True)
    newest = pages[entries[0].slug][0]
    index_config = config or newest.config
    settings = index_config.settings
    layout = load_layout(index_config.layout, settings.layout_paths)
    language = index_config.language or newest.edition.language
    files: dict[Path, bytes] = {out / name: data for name, data in assets.items()}
    for slug, (_, page) in pages.items():
        files[out / f"{slug}.html"] = page.encode("utf-8")
    files[out / INDEX_NAME] = index_page(
        entries, settings=settings, layout=layout, language=language
    ).encode("utf-8")
    files[out / FEED_NAME] = atom_feed(entries, settings=settings, language=language)
    written, unchanged = [], []
    for target, data in files.items():  # pictures first, then pages, index, feed
        if _same(target, data):
            unchanged.append(target)
        else:
            write_atomic(target, data)
            written.append(target)
    return Archived(
        out, tuple(entries), tuple(written), tuple(unchanged), tuple(problems)
    )


def _edition(path: Path) -> tuple[Source, str, dict[str, bytes], ArchiveEntry]:
    """Load and render one edition's web copy for the archive."""
    source = load(path)
    # The archive is self-contained: its pictures sit in its own assets/,
    # wherever the email's are published.
    settings = dataclasses.replace(source.settings, image_base_url=None)
    layout = load_layout(source.layout, settings.layout_paths)
    web_html, images = render_web(
        source.edition, settings, layout=layout, base_dir=source.base_dir
    )
    edition = source.edition
    page = with_archive_link(
        web_html, settings=settings, layout=layout, language=edition.language
    )
    entry = ArchiveEntry.of(
        edition.title,
        edition.date,
        edition.preheader,
        slugify(edition.title),
        date_text(edition.date, layout, settings, edition.language),
    )
    return source, page, {image.path: image.data for image in images}, entry


def _same(path: Path, data: bytes) -> bool:
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False


def _lines(error: BulletinError, path: Path) -> list[str]:
    """One line per problem, each naming its file (and line, where known)."""
    problems = (
        list(error.exceptions) if isinstance(error, ContentErrorGroup) else [error]
    )
    return [
        str(problem)
        if isinstance(problem, ContentError) and problem.location.file is not None
        else f"{path}: {problem}"
        for problem in problems
    ]

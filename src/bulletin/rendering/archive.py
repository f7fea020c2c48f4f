"""The archive's own pages: an index of editions, an Atom feed, and a way back.

``bulletin archive`` writes each edition's web copy as it is (see
:func:`bulletin.rendering.pipeline.render_web`); this module makes what
joins them up:

- :func:`index_page`: every edition, newest first and grouped by year, with
  its date and preheader, in the layout's colours and the editions' language
  (``archive.html.j2`` beside this module, in Jinja's sandbox, autoescaped);
- :func:`atom_feed`: the same list as an Atom feed (feedgenerator), with
  titles and preheaders only: never a personal field;
- :func:`with_archive_link`: an edition's web copy with a link back to the index.

Every link is relative (``<slug>.html``, ``index.html``, ``feed.xml``), so the
folder works from ``file://`` and any static host; only the feed uses
absolute addresses, and only when ``archive_url`` says where it is published,
as feed readers need them.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import itertools
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup

from bulletin.model.colours import contrast_ratio
from bulletin.model.fields import fill_text
from bulletin.model.settings import Settings
from bulletin.rendering.dates import format_date
from bulletin.rendering.layouts import Layout
from bulletin.rendering.palette import palette, readable

__all__ = [
    "FEED_NAME",
    "INDEX_NAME",
    "ArchiveEntry",
    "archive_colours",
    "atom_feed",
    "date_text",
    "index_page",
    "with_archive_link",
]

INDEX_NAME = "index.html"
"""The archive's index page."""
FEED_NAME = "feed.xml"
"""The archive's Atom feed."""

_TEMPLATE = "archive.html.j2"

_WORDS: Mapping[str, Mapping[str, str]] = {
    "en": {
        "title": "Past editions",
        "feed": "Follow new editions in a feed reader (Atom)",
        "all_editions": "All editions",
        "archive": "Archive",
    },
    "cy": {
        "title": "Rhifynnau blaenorol",
        "feed": "Dilyn rhifynnau newydd mewn darllenydd ffrydiau (Atom)",
        "all_editions": "Pob rhifyn",
        "archive": "Archif",
    },
}
"""The archive's own words, by language; English for any other."""

_DEFAULTS = {
    "brand": "#1d4f91",
    "band_text": "#ffffff",
    "heading": "#1d4f91",
    "text": "#222222",
    "muted": "#555555",
    "link": "#1a5a9e",
    "background": "#ffffff",
    "page": "#eef1f5",
    "footer_text": "#3d4650",
}
"""Colours the index needs that a layout may not name (the classic layout's)."""

_BLACK, _WHITE = "#000000", "#ffffff"


@dataclass(frozen=True, slots=True)
class ArchiveEntry:
    """One edition as the index and the feed list it: public words only."""

    title: str
    """The title, each personal field shown as its default."""
    date: dt.date
    """The issue date."""
    preheader: str
    """The preheader, each personal field shown as its default."""
    slug: str
    """The page's name without ``.html``."""
    date_text: str
    """The date in words, as the edition's layout writes it."""

    @classmethod
    def of(
        cls, title: str, date: dt.date, preheader: str, slug: str, date_text: str
    ) -> ArchiveEntry:
        """An entry whose title and preheader have their fields filled with defaults."""
        return cls(
            fill_text(title, {}), date, fill_text(preheader, {}), slug, date_text
        )

    @property
    def href(self) -> str:
        """The page, relative to the archive folder."""
        return f"{self.slug}.html"


def archive_colours(layout: Layout, settings: Settings) -> dict[str, str]:
    """The index's colours: the layout's with the organisation's, each readable (4.5:1).

    A colour that would not reach 4.5:1 on what it is drawn on is moved
    towards black (on a light colour) or white (on a dark one) just enough.
    """
    colours = {**_DEFAULTS, **palette(layout.colours, settings.colours)}
    for text, ground in (
        ("text", "background"),
        ("heading", "background"),
        ("link", "background"),
        ("muted", "background"),
        ("footer_text", "page"),
        ("band_text", "brand"),
    ):
        colours[text] = readable(
            colours[text], [colours[ground]], towards=_away_from(colours[ground])
        )
    return colours


def _away_from(ground: str) -> str:
    """Black on a light colour, white on a dark one: the more readable end."""
    darker = contrast_ratio(ground, _WHITE) > contrast_ratio(ground, _BLACK)
    return _WHITE if darker else _BLACK


def index_page(
    entries: Sequence[ArchiveEntry],
    *,
    settings: Settings,
    layout: Layout,
    language: str,
) -> str:
    """The index: ``entries`` newest first, grouped by year, as one HTML page."""
    ordered = sorted(entries, key=lambda entry: (entry.date, entry.slug), reverse=True)
    years = [
        (year, list(group))
        for year, group in itertools.groupby(ordered, key=lambda entry: entry.date.year)
    ]
    words = _words(language)
    title = (
        f"{settings.publisher}: {words['title']}"
        if settings.publisher
        else words["title"]
    )
    return (
        _environment()
        .get_template(_TEMPLATE)
        .render(
            title=title,
            publisher=settings.publisher,
            language=language,
            words=words,
            years=years,
            colours=archive_colours(layout, settings),
            # Checked as a list of font names (FONT_STACK); in a <style> an escaped
            # quote would stay escaped.
            font_stack=Markup(settings.font_stack or layout.font_stack),
            feed=FEED_NAME,
        )
    )


def atom_feed(
    entries: Sequence[ArchiveEntry], *, settings: Settings, language: str
) -> bytes:
    """The archive as an Atom feed (RFC 4287), newest first: titles, dates, preheaders.

    Links are absolute under ``settings.archive_url`` when it is set, else
    relative to the feed. Ids are the pages' addresses, or, without an
    ``archive_url``, ``urn:uuid:`` names made from the publisher and slug:
    the same edition keeps the same id on every build.
    """
    import feedgenerator

    base = settings.archive_url
    words = _words(language)
    title = (
        f"{settings.publisher}: {words['title']}"
        if settings.publisher
        else words["title"]
    )

    def address(name: str) -> str:
        return f"{base}/{name}" if base else name

    def identity(name: str) -> str:
        if base:
            return f"{base}/{name}"
        return uuid.uuid5(
            uuid.NAMESPACE_URL, f"bulletin:{settings.publisher}/{name}"
        ).urn

    feed = feedgenerator.Atom1Feed(
        title=title,
        link=address(INDEX_NAME),
        description="",
        language=language,
        feed_url=address(FEED_NAME) if base else None,
        feed_guid=identity(""),
        author_name=settings.publisher or title,
    )
    for entry in sorted(entries, key=lambda e: (e.date, e.slug), reverse=True):
        feed.add_item(
            title=entry.title,
            link=address(entry.href),
            description=html.escape(entry.preheader) if entry.preheader else None,
            unique_id=identity(entry.href),
            pubdate=dt.datetime.combine(entry.date, dt.time(), dt.UTC),
            updateddate=dt.datetime.combine(entry.date, dt.time(), dt.UTC),
        )
    data: bytes = feed.writeString("utf-8").encode("utf-8")
    return data


_BODY = re.compile(r"<body\b[^>]*>")


def with_archive_link(
    web_html: str, *, settings: Settings, layout: Layout, language: str
) -> str:
    """``web_html`` with a link back to the index above its ``<main>``, in a ``<nav>``.

    Its colours are set on the link itself (the web copy's own may change in
    dark mode), readable on each other.
    """
    opening = _BODY.search(web_html)
    if opening is None:
        return web_html
    colours = archive_colours(layout, settings)
    words = _words(language)
    font = settings.font_stack or layout.font_stack
    nav = Markup(
        '<nav aria-label="{label}" style="background:{ground};padding:12px 16px;'
        'text-align:center;font-family:{font};font-size:15px;line-height:1.5">'
        '<a href="{index}" style="color:{link}">{words}</a></nav>'
    ).format(
        label=words["archive"],
        ground=colours["background"],
        font=font,
        index=INDEX_NAME,
        link=colours["link"],
        words=words["all_editions"],
    )
    return f"{web_html[: opening.end()]}{nav}{web_html[opening.end() :]}"


def _words(language: str) -> Mapping[str, str]:
    return _WORDS.get(language.split("-")[0].lower(), _WORDS["en"])


@functools.cache
def _environment() -> jinja2.Environment:
    # bulletin's own template, but sandboxed and autoescaped all the same: the
    # titles and preheaders it shows come from edition files (SECURITY.md).
    return ImmutableSandboxedEnvironment(
        loader=jinja2.FileSystemLoader(str(Path(__file__).parent)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def date_text(date: dt.date, layout: Layout, settings: Settings, language: str) -> str:
    """``date`` in words, as the layout (or ``date_format``) writes it."""
    return format_date(
        date, settings.date_format or layout.date_format, layout.month_names(language)
    )

"""The edition: sections and articles holding blocks. Pure data, no I/O.

Build an edition declaratively::

    Edition("News - January 2025", date(2025, 1, 15), sections=[
        Section("Training", [Paragraph("Book now."), BulletList(["One", "Two"])]),
    ])

or fluently::

    edition = Edition("News - January 2025", date(2025, 1, 15))
    edition.section("Training").paragraph("Book now.").bullets(["One", "Two"])

What holds content is a plain list: ``edition.intro``, ``edition.sections``,
``section.blocks``, ``section.articles`` and ``article.blocks`` may be appended
to or reordered like any list. The builder methods (``edition.section()``,
``section.article()``, ``add()``, ``paragraph()`` and the rest) check what they
add at once and turn a ``str`` into a :class:`Paragraph`; what is put in a list
directly is checked when the edition is rendered
(:func:`bulletin.model.tree.check_tree`), which names where anything that is not
a section, article or block sits, rather than leaving it out of the email.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Self

from bulletin.errors import ContentError
from bulletin.model.blocks import (
    BLOCK_NAMES,
    Align,
    Block,
    BulletList,
    Button,
    Callout,
    Divider,
    Event,
    Image,
    ListItemLike,
    Paragraph,
    Quote,
    Subheading,
    Table,
)
from bulletin.model.headers import is_header_safe
from bulletin.model.links import check_link
from bulletin.model.tags import audience_names
from bulletin.model.text import Text, TextLike

__all__ = ["SUBHEADING_OUTSIDE", "Article", "Edition", "Section"]

_LANGUAGE = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*")


def _blocks(
    values: Iterable[Block | TextLike],
    where: str,
    start: int = 1,
    *,
    subheadings: bool = False,
) -> list[Block]:
    """Check each block; a bare string becomes a :class:`Paragraph`.

    ``start`` is the number of the first value among its container's blocks;
    ``subheadings`` is True for an article, the only place a :class:`Subheading`
    may sit.
    """
    blocks: list[Block] = []
    for number, value in enumerate(values, start=start):
        if isinstance(value, Subheading) and not subheadings:
            raise ContentError(SUBHEADING_OUTSIDE).within(f"{where} > block {number}")
        if isinstance(value, str | Text):
            try:
                blocks.append(Paragraph(value))
            except ContentError as error:
                raise error.within(f"{where} > block {number}") from None
        elif isinstance(value, Block):
            blocks.append(value)
        else:
            raise ContentError(
                f"block {number} is a {type(value).__name__}, not a block; "
                f"use {BLOCK_NAMES}"
            ).within(where)
    return blocks


SUBHEADING_OUTSIDE = (
    "a subheading belongs inside an article, one level below its heading; "
    "make this an article (section.article(...)) or put it in one"
)
"""Why a :class:`Subheading` outside an article is refused."""


_LABEL = re.compile(r"[^\s\[\]^]+")


def _note_label(label: object) -> str:
    if not isinstance(label, str) or not _LABEL.fullmatch(label):
        raise ContentError(
            f"footnote label {label!r} must be a word without spaces or brackets, "
            "e.g. '1' or 'source'; the text refers to it as [^1]"
        )
    return label


def _notes(values: Mapping[str, TextLike], where: str) -> dict[str, Text]:
    """Check a container's footnotes: each label a word, each note some text."""
    if not isinstance(values, Mapping):
        raise ContentError(
            f"footnotes must be a dict of label to text, not {type(values).__name__}; "
            "add one with .footnote('1', 'The note.')"
        ).within(where)
    notes: dict[str, Text] = {}
    for label, value in values.items():
        try:
            notes[_note_label(label)] = _note(value)
        except ContentError as error:
            raise error.within(f"{where} > footnote {label!r}") from None
    return notes


def _note(value: TextLike) -> Text:
    text = Text.coerce(value)
    if not text:
        raise ContentError("the footnote is empty; write its text")
    if text.footnotes():
        raise ContentError("a footnote cannot refer to another footnote")
    return text


def _heading_link(url: str | None, what: str) -> str | None:
    if url is None:
        return None
    try:
        return check_link(url, what=f"{what} heading link")
    except ContentError as error:
        raise ContentError(error.message, key=("link",)) from None


def _tags(names: Iterable[str], where: str) -> frozenset[str]:
    try:
        return audience_names(names)
    except ContentError as error:
        raise ContentError(error.message, key=("audiences",)).within(where) from None


def _heading(value: str, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ContentError(f"{what} has no heading")
    if not is_header_safe(value):
        raise ContentError(
            f"{what} heading {value!r} contains a line break or control character"
        )
    return value.strip()


class _Blocks:
    """Fluent builder methods shared by sections and articles; each returns self."""

    blocks: list[Block]
    footnotes: dict[str, Text]
    _where: str
    _subheadings = False
    """True where a :class:`Subheading` may sit (an article)."""

    def add(self, *blocks: Block | TextLike) -> Self:
        """Append blocks (a ``str`` becomes a paragraph)."""
        self.blocks.extend(
            _blocks(
                blocks,
                self._where,
                start=len(self.blocks) + 1,
                subheadings=self._subheadings,
            )
        )
        return self

    def _append(self, make: Callable[[], Block]) -> Self:
        """Make a block and append it; an error names this container and position."""
        try:
            block = make()
        except ContentError as error:
            raise error.within(
                f"{self._where} > block {len(self.blocks) + 1}"
            ) from None
        self.blocks.append(block)
        return self

    def footnote(self, label: str, text: TextLike) -> Self:
        """Add the note ``[^label]`` in this container's text refers to.

        Notes are numbered in the order the text first refers to them and shown
        at the end of the article (or section); a label is unique across the
        edition. ``article.paragraph("Up 12%[^1].").footnote("1", "Annual report.")``
        """
        try:
            label = _note_label(label)
            if label in self.footnotes:
                raise ContentError(f"footnote {label!r} is given twice")
            self.footnotes[label] = _note(text)
        except ContentError as error:
            raise error.within(f"{self._where} > footnote {label!r}") from None
        return self

    def paragraph(self, text: TextLike) -> Self:
        """Append a paragraph."""
        return self._append(lambda: Paragraph(text))

    def bullets(self, items: Iterable[ListItemLike]) -> Self:
        """Append a bullet list; a nested list joins the item before it.

        ``ListItem("Point", blocks=["A second paragraph.", Image(...)])`` puts
        paragraphs, pictures and lists under one bullet.
        """
        return self._append(lambda: BulletList(items))

    def numbered(self, items: Iterable[ListItemLike]) -> Self:
        """Append a numbered list."""
        return self._append(lambda: BulletList(items, numbered=True))

    def image(
        self,
        src: str,
        alt: str,
        *,
        width: int | None = None,
        link: str | None = None,
        caption: TextLike | None = None,
    ) -> Self:
        """Append an image."""
        return self._append(
            lambda: Image(src, alt, width=width, link=link, caption=caption)
        )

    def button(self, label: str, href: str, *, audiences: Iterable[str] = ()) -> Self:
        """Append a button (for ``audiences`` only, when given)."""
        return self._append(lambda: Button(label, href, audiences=audiences))

    def quote(self, text: TextLike, attribution: TextLike | None = None) -> Self:
        """Append a quotation."""
        return self._append(lambda: Quote(text, attribution))

    def table(
        self,
        header: Sequence[TextLike],
        rows: Iterable[Sequence[TextLike]],
        *,
        align: Sequence[Align | None] | None = None,
        caption: TextLike | None = None,
    ) -> Self:
        """Append a table: column headings, then rows of one cell per column."""
        return self._append(lambda: Table(header, rows, align=align, caption=caption))

    def divider(self) -> Self:
        """Append a horizontal rule."""
        return self._append(Divider)

    def callout(
        self,
        text: TextLike,
        *,
        title: str | None = None,
        audiences: Iterable[str] = (),
    ) -> Self:
        """Append a "more information" callout (for ``audiences`` only, when given)."""
        return self._append(lambda: Callout(text, title=title, audiences=audiences))

    def event(
        self,
        title: TextLike,
        date: dt.date,
        *,
        end_date: dt.date | None = None,
        time: str | None = None,
        location: str | None = None,
        details: TextLike | None = None,
        link: str | None = None,
        audiences: Iterable[str] = (),
    ) -> Self:
        """Append an event (for ``audiences`` only, when given)."""
        return self._append(
            lambda: Event(
                title,
                date,
                end_date=end_date,
                time=time,
                location=location,
                details=details,
                link=link,
                audiences=audiences,
            )
        )


@dataclass(eq=True)
class Article(_Blocks):
    """A sub-headed item inside a section."""

    heading: str
    """The article's heading (plain text)."""
    blocks: list[Block] = field(default_factory=list)
    """The article's content; checked when rendered if appended to directly."""
    link: str | None = None
    """Where a click on the heading goes (https, http, mailto or tel)."""
    footnotes: dict[str, Text] = field(default_factory=dict)
    """The notes ``[^label]`` in the article's text refers to, by label; shown,
    numbered, at the end of the article. Add one with :meth:`footnote`."""
    audiences: frozenset[str] = frozenset()
    """The audiences the article is for (any iterable of names is taken); empty:
    everyone. See :mod:`bulletin.model.audiences`."""

    _subheadings = True

    def __post_init__(self) -> None:
        self._where = f"article {self.heading!r}"
        self.heading = _heading(self.heading, "article")
        self.audiences = _tags(self.audiences, self._where)
        try:
            self.link = _heading_link(self.link, "article")
        except ContentError as error:
            raise error.within(self._where) from None
        self.blocks = _blocks(self.blocks, self._where, subheadings=True)
        self.footnotes = _notes(self.footnotes, self._where)

    def subheading(self, text: str, *, link: str | None = None) -> Self:
        """Append a subheading (``###``): a heading one level below the article's."""
        return self._append(lambda: Subheading(text, link=link))


@dataclass(eq=True)
class Section(_Blocks):
    """A headed part of the edition: blocks first, then any articles."""

    heading: str
    """The section's heading, listed in the contents (plain text)."""
    blocks: list[Block] = field(default_factory=list)
    """Content before the first article; checked when rendered if appended to
    directly."""
    articles: list[Article] = field(default_factory=list)
    """Sub-headed items, in order. Add one with :meth:`article`, or append an
    :class:`Article`."""
    link: str | None = None
    """Where a click on the heading goes (https, http, mailto or tel)."""
    closing: list[Block] = field(default_factory=list)
    """Content after the last article: shown after the articles, as the
    section's own (not part of its last article). Add to it with
    :meth:`add_closing`."""
    footnotes: dict[str, Text] = field(default_factory=dict)
    """The notes ``[^label]`` in the section's own text (its blocks and
    closing) refers to; an article's notes belong to the article."""
    audiences: frozenset[str] = frozenset()
    """The audiences the section is for (any iterable of names is taken);
    empty: everyone. See :mod:`bulletin.model.audiences`."""

    def __post_init__(self) -> None:
        self._where = f"section {self.heading!r}"
        self.heading = _heading(self.heading, "section")
        self.audiences = _tags(self.audiences, self._where)
        try:
            self.link = _heading_link(self.link, "section")
        except ContentError as error:
            raise error.within(self._where) from None
        self.blocks = _blocks(self.blocks, self._where)
        self.closing = _blocks(self.closing, f"{self._where} > closing")
        self.footnotes = _notes(self.footnotes, self._where)
        for article in self.articles:
            if not isinstance(article, Article):
                raise ContentError(
                    f"{type(article).__name__} is not an Article"
                ).within(self._where)
        self.articles = list(self.articles)

    def article(
        self,
        heading: str,
        blocks: Iterable[Block | TextLike] = (),
        *,
        link: str | None = None,
        audiences: Iterable[str] = (),
    ) -> Article:
        """Append an article (for ``audiences`` only, when given) and return it."""
        try:
            article = Article(
                heading,
                _blocks(blocks, f"article {heading!r}", subheadings=True),
                link=link,
                audiences=_tags(audiences, f"article {heading!r}"),
            )
        except ContentError as error:
            raise error.within(self._where) from None
        self.articles.append(article)
        return article

    def add_closing(self, *blocks: Block | TextLike) -> Self:
        """Append blocks shown after the section's articles (a ``str`` is a paragraph)."""
        self.closing.extend(
            _blocks(blocks, f"{self._where} > closing", start=len(self.closing) + 1)
        )
        return self


@dataclass(eq=True)
class Edition:
    """One issue of a bulletin."""

    title: str
    """The edition's title; also the email subject unless ``subject`` is set."""
    date: dt.date
    """The issue date."""
    preheader: str = ""
    """The line inbox previews show after the subject."""
    intro: list[Block] = field(default_factory=list)
    """Blocks shown before the contents (a ``str`` given here or to
    :meth:`add_intro` becomes a paragraph)."""
    sections: list[Section] = field(default_factory=list)
    """The headed sections, in order. Add one with :meth:`section`, or append a
    :class:`Section`; anything else is refused when the edition is rendered."""
    language: str = "en-GB"
    """The BCP 47 language tag, e.g. ``en-GB`` or ``cy`` (Welsh)."""
    subject: str | None = None
    """The email subject, when it should differ from the title."""

    def __post_init__(self) -> None:
        if not isinstance(self.title, str) or not self.title.strip():
            raise ContentError("edition has no title", key=("title",)).within("edition")
        self.title = self.title.strip()
        if isinstance(self.date, dt.datetime) or not isinstance(self.date, dt.date):
            raise ContentError(
                f"edition date {self.date!r} must be a date, e.g. datetime.date(2025, 1, 15)",
                key=("date",),
            ).within("edition")
        if self.subject is not None:
            self.subject = self.subject.strip() or None
        for name in ("title", "preheader", "subject"):
            value = getattr(self, name)
            if value is not None and not is_header_safe(value):
                raise ContentError(
                    f"{name} {value!r} contains a line break or control character; "
                    "it becomes an email header, so keep it on one line",
                    key=(name,),
                ).within("edition")
        if not _LANGUAGE.fullmatch(self.language):
            raise ContentError(
                f"language {self.language!r} is not a language tag; write e.g. en-GB or cy",
                key=("language",),
            ).within("edition")
        self.intro = _blocks(self.intro, "intro")
        for number, section in enumerate(self.sections, start=1):
            if not isinstance(section, Section):
                raise ContentError(
                    f"section {number} is a {type(section).__name__}, not a Section"
                ).within("edition")
        self.sections = list(self.sections)

    def section(
        self,
        heading: str,
        blocks: Sequence[Block | TextLike] = (),
        *,
        link: str | None = None,
        audiences: Iterable[str] = (),
    ) -> Section:
        """Append a section (for ``audiences`` only, when given) and return it."""
        section = Section(
            heading,
            _blocks(blocks, f"section {heading!r}"),
            link=link,
            audiences=_tags(audiences, f"section {heading!r}"),
        )
        self.sections.append(section)
        return section

    def add_intro(self, *blocks: Block | TextLike) -> Edition:
        """Append blocks to the intro."""
        self.intro.extend(_blocks(blocks, "intro", start=len(self.intro) + 1))
        return self

    @property
    def email_subject(self) -> str:
        """The subject line: ``subject`` if set, else the title."""
        return self.subject or self.title

"""An edition file's Markdown body -> the intro and sections of an :class:`Edition`.

The mapping, which ``docs/editors.md`` teaches by example:

================================  ============================================
``# Heading``                     a section (listed under "In this edition")
``## Heading``                    an article inside the section above it
``### Heading``                   :class:`~bulletin.model.blocks.Subheading` in an article
``# [Heading](https://...)``      a heading that is a link (any level)
``| a | b |`` rows                 :class:`~bulletin.model.blocks.Table` (GFM pipe table)
``Table: words`` above a table    the table's caption
a paragraph                       :class:`~bulletin.model.blocks.Paragraph`
``- item`` / ``1. item``          :class:`~bulletin.model.blocks.BulletList` (nested)
``![alt|width](images/x.png "caption")``  :class:`~bulletin.model.blocks.Image`
``[![alt](x.png)](https://...)``  an image that is a link
``> text`` and ``> — who``        :class:`~bulletin.model.blocks.Quote` (``>`` alone
                                  between paragraphs)
``---``                           :class:`~bulletin.model.blocks.Divider`
``::: button`` ... ``:::``        a button, event, callout or contact box
``::: closing`` ... ``:::``       a section's closing, after its last article
``[^1]`` and ``[^1]: note``       a footnote, filed under the article that refers to it
================================  ============================================

A list item's words may be followed, indented under them, by paragraphs,
pictures and lists. Everything before the first ``#`` heading is the intro. Every problem in the
body is collected, each with its line and column, rather than stopping at the
first.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from textwrap import shorten
from typing import TYPE_CHECKING

from bulletin.errors import ContentError, Location
from bulletin.loading.audiencetags import misplaced_tags, split_tag
from bulletin.loading.boxes import BoxError, closes_box, make_block
from bulletin.loading.limits import comment_problem, stream_problem
from bulletin.loading.mdtokens import (
    FOOTNOTE_INSIDE,
    block_parser,
    closing,
    list_items,
    lone_image,
)
from bulletin.loading.notes import Notes, Place
from bulletin.loading.paths import within
from bulletin.loading.tables import caption_of, read_table, table_mistake
from bulletin.model.blocks import (
    Block,
    BulletList,
    Divider,
    Image,
    Paragraph,
    Quote,
    Subheading,
)
from bulletin.model.edition import Article, Section
from bulletin.model.headers import is_header_safe
from bulletin.model.links import check_link
from bulletin.model.text import Text

if TYPE_CHECKING:
    from markdown_it.token import Token

__all__ = ["Body", "parse_body"]

_MOST_NOTE_ERRORS = 50
"""The most footnote mistakes one file reports (each is searched for)."""
_ATTRIBUTION = re.compile(r"^\s*(?:—|–|--)\s*(.+)$")
_WIDTH = re.compile(r"\s*(\d+)\s*(?:px)?\s*", re.IGNORECASE)
"""What follows the last ``|`` of a picture's words: its width (``|300``)."""


@dataclass
class Body:
    """What the body of an edition file holds."""

    intro: list[Block] = field(default_factory=list)
    """Blocks before the first ``#`` heading."""
    sections: list[Section] = field(default_factory=list)
    """The sections, in order."""
    errors: list[ContentError] = field(default_factory=list)
    """Every problem found, in the order of the file."""
    lines: dict[int, int] = field(default_factory=dict)
    """The 1-based file line of each block, section and article, by ``id()``."""


@dataclass
class _Part:
    """A section or article being read: its heading line and blocks so far."""

    heading: str
    line: int
    link: str | None = None
    """Where a click on the heading goes, when the heading is a link."""
    blocks: list[Block] = field(default_factory=list)
    articles: list[_Part] = field(default_factory=list)
    failed: bool = False
    """A block under this heading had an error: it is not empty, just wrong."""
    closing: list[Block] = field(default_factory=list)
    """A section's ``::: closing`` blocks."""
    closed: int | None = None
    """The 0-based line of the section's ``::: closing``, once read."""
    footnotes: dict[str, Text] = field(default_factory=dict)
    audiences: frozenset[str] = frozenset()
    """The audiences a ``{for ...}`` tag ending the heading names."""


def parse_body(
    body: str,
    file: Path,
    *,
    first_line: int = 0,
    base_dir: Path | None = None,
    image_roots: tuple[Path, ...] = (),
    audiences: bool = True,
) -> Body:
    """Read the Markdown ``body`` of ``file``, which starts on 0-based ``first_line``.

    Local images are checked on disk against ``base_dir`` when it is given:
    each must be there, and inside it or one of ``image_roots`` (bulletin.toml's
    folder), symbolic links followed.
    """
    reader = _Reader(body.split("\n"), file, first_line, base_dir)
    reader.image_roots = image_roots
    reader.strict = audiences
    tokens = block_parser().parse(body)
    problem = stream_problem(tokens)
    if problem is not None:
        reader.fail(*problem)
        return reader.finish()
    reader.read(tokens)
    reader.stray_marks(tokens)
    return reader.finish()


class _Reader:
    def __init__(
        self, lines: list[str], file: Path, offset: int, base_dir: Path | None
    ) -> None:
        self.lines = lines
        self.file = file
        self.offset = offset
        self.base_dir = base_dir
        self.image_roots: tuple[Path, ...] = ()
        self.result = Body()
        self.section: _Part | None = None
        self.article: _Part | None = None
        self.parts: list[_Part] = []
        self.in_closing = False
        self.notes = Notes()
        self.strict = True
        """Whether the edition has audiences: then braces that could be a
        mistyped or misplaced tag are refused (see :mod:`.audiencetags`)."""

    # -- where things are ------------------------------------------------------

    def location(self, line: int, column: int | None = None) -> Location:
        text = self.lines[line] if 0 <= line < len(self.lines) else ""
        if column is None:
            column = len(text) - len(text.lstrip()) + 1
        return Location(file=self.file, line=line + self.offset + 1, column=column)

    def fail(self, error: ContentError, span: Sequence[int] | None) -> None:
        """Record ``error``, placed by its fragment within the lines of ``span``."""
        part = self.article or self.section
        if part is not None:
            part.failed = True
        if isinstance(error, BoxError):
            where = self.location(error.body_line, error.body_column)
            self.result.errors.append(ContentError(error.message, where))
            return
        start, end = (span[0], span[1]) if span else (0, 1)
        if error.fragment:
            for line in range(start, max(end, start + 1)):
                column = (
                    self.lines[line].find(error.fragment)
                    if line < len(self.lines)
                    else -1
                )
                if column >= 0:
                    self.result.errors.append(
                        ContentError(error.message, self.location(line, column + 1))
                    )
                    return
        self.result.errors.append(ContentError(error.message, self.location(start)))

    def attempt(self, make: Callable[[], Block], token: Token) -> None:
        try:
            block = make()
        except ContentError as error:
            self.fail(error, token.map)
            return
        self.add(block, token.map[0] if token.map else None)

    def add(self, block: Block, line: int | None) -> None:
        if line is not None:
            self.result.lines[id(block)] = line + self.offset + 1
        if self.in_closing and self.section is not None:
            self.section.closing.append(block)
            return
        part = self.article or self.section
        (part.blocks if part else self.result.intro).append(block)

    # -- the token stream -------------------------------------------------------

    def read(self, tokens: list[Token]) -> None:
        index = 0
        while index < len(tokens):
            index = self.block(tokens, index)

    def stray_marks(self, tokens: list[Token]) -> None:
        """Refuse a ``{for ...}`` where no tag can go, and a ``:::`` that closes no box.

        Either would send words as they are to every reader: a paragraph
        meant for the police with "{for police}" in it, or the rest of a box
        that an inner ``:::`` closed early.
        """
        boxes: set[int] = set()
        tagged: set[int] = set()
        notes: set[int] = set()
        for token in tokens:
            if token.map is None:
                continue
            span = range(*token.map)
            if token.type in ("box", "closing_open", "closing_close"):
                boxes.update(span)
            if token.type in ("heading_open", "box", "closing_open"):
                tagged.add(token.map[0])
            if token.type == "html_block" and token.content.lstrip().startswith("<!--"):
                notes.update(span)
        if self.strict:
            for number, error in misplaced_tags(self.lines, tagged, notes):
                self.fail(error, [number, number + 1])
        skipped = boxes | notes
        for number, line in enumerate(self.lines):
            if closes_box(line.strip()) and number not in skipped:
                self.fail(
                    ContentError(
                        "this ::: closes no box (a box cannot hold another, so an "
                        "inner box's ::: ends the outer one); remove it, or end the "
                        "box above before opening the next"
                    ),
                    [number, number + 1],
                )

    def comment(self, token: Token) -> None:
        """Refuse a comment that would hide the editor's text after it."""
        problem = comment_problem(token)
        if problem is not None:
            self.fail(problem, token.map)

    def block(self, tokens: list[Token], index: int) -> int:
        """Read the block starting at ``tokens[index]``; return the index after it."""
        token = tokens[index]
        kind = token.type
        if kind == "footnote_reference_open":
            end = closing(tokens, index)
            self.footnote(token, tokens[index + 1 : end])
            return end + 1
        if kind in ("closing_open", "closing_close"):
            return self.closing_box(tokens, index)
        if self.in_closing and kind == "heading_open":
            self.fail(
                ContentError(
                    "a heading cannot go inside a ::: closing box; end the box with "
                    "a ::: line above the heading"
                ),
                token.map,
            )
            return index + 3
        section = self.section
        if (
            section is not None
            and section.closed is not None
            and not self.in_closing
            and self.article is None
            and kind != "heading_open"
            and not (kind == "html_block" and token.content.lstrip().startswith("<!--"))
        ):
            self.fail(
                ContentError(
                    f"this comes after the ::: closing box of section '{section.heading}', "
                    "which ends the section; put it inside the box, or start a new "
                    "# section above it"
                ),
                token.map,
            )
            return closing(tokens, index) + 1
        if kind == "heading_open":
            self.heading(token, tokens[index + 1])
            return index + 3
        if kind == "paragraph_open":
            inline, after = tokens[index + 1], index + 3
            caption = caption_of(inline.content)
            if caption and after < len(tokens) and tokens[after].type == "table_open":
                end = closing(tokens, after)
                self.table(tokens[after : end + 1], caption, inline)
                return end + 1
            self.paragraph(inline)
            return index + 3
        if kind == "table_open":
            end = closing(tokens, index)
            self.table(tokens[index : end + 1])
            return end + 1
        if kind in ("bullet_list_open", "ordered_list_open"):
            end = closing(tokens, index)
            numbered = kind == "ordered_list_open"
            self.attempt(
                lambda: BulletList(
                    list_items(
                        tokens[index + 1 : end], self.picture, numbered=numbered
                    ),
                    numbered=numbered,
                ),
                token,
            )
            return end + 1
        if kind == "blockquote_open":
            end = closing(tokens, index)
            self.quote(token, tokens[index + 1 : end])
            return end + 1
        if kind == "hr":
            self.add(Divider(), token.map[0] if token.map else None)
        elif kind == "box":
            self.attempt(
                lambda: make_block(token.meta["box"], strict=self.strict), token
            )
        elif kind == "html_block" and token.content.lstrip().startswith("<!--"):
            self.comment(token)  # the editor's note to themselves, never shown
        elif kind == "html_block":
            self.fail(
                ContentError(
                    "raw HTML is not allowed; write **bold**, *italic*, "
                    "[link text](https://...) or a ::: box instead",
                    fragment="<",
                ),
                token.map,
            )
        else:  # pragma: no cover - every enabled rule is handled above
            self.fail(ContentError(f"unsupported Markdown ({kind})"), token.map)
        return index + 1

    def heading(self, token: Token, inline: Token) -> None:
        line = token.map[0] if token.map else 0
        level = int(token.tag[1])
        link: str | None = None
        audiences: frozenset[str] = frozenset()
        try:
            words, audiences = split_tag(inline.content, strict=self.strict)
            if audiences and level > 2:
                raise ContentError(
                    f"a {'#' * level} heading cannot be tagged for an audience; tag "
                    "its article (## ... {for ...}) or section (# ... {for ...})",
                    fragment="{",
                )
            parsed = Text.markdown(words)
            text = str(parsed).strip()
            link = _heading_link(parsed, level)
            if parsed.footnotes():
                raise ContentError(
                    "a heading cannot have a footnote; put the [^...] in the text "
                    "under the heading",
                    fragment="[^",
                )
            if not text:
                raise ContentError(
                    f"the {'#' * level} heading has no words; write them after the "
                    f"{'#' * level}, e.g. {'#' * level} Training"
                )
            if not is_header_safe(text):
                raise ContentError(
                    "the heading contains a control character; retype it"
                )
        except ContentError as error:
            self.fail(error, token.map)
            if level > 2:
                return  # said once: nothing below it depends on it
            text, link = "", None
        if level == 1:
            self.section = _Part(text, line, link, failed=not text, audiences=audiences)
            self.article = None
            self.parts.append(self.section)
        elif (
            level == 2 and self.section is not None and self.section.closed is not None
        ):
            self.fail(
                ContentError(
                    f"## {text} comes after the ::: closing box of section "
                    f"'{self.section.heading}', which ends its articles; move the box "
                    "below this article, or start a new # section above it"
                ),
                token.map,
            )
            # What is under it is the article's, reported with it: never built.
            self.article = _Part(text, line, link, failed=True)
        elif level == 2 and self.section is not None:
            self.article = _Part(text, line, link, failed=not text, audiences=audiences)
            self.section.articles.append(self.article)
        elif level == 3 and self.article is not None:
            if text:
                self.attempt(lambda: Subheading(text, link=link), token)
        elif level == 3:
            self.fail(
                ContentError(
                    f"### {text} is not inside an article; ### is a heading inside an "
                    "article, so start one with ## Heading above it, or make this "
                    f"## {text} an article"
                    if self.section is not None
                    else f"### {text} comes before any # section; ### is a heading "
                    "inside an article, so start a section (# Heading) and an "
                    "article (## Heading) above it"
                ),
                token.map,
            )
        elif level == 2:
            self.fail(
                ContentError(
                    f"## {text} comes before any # section; an article (##) belongs "
                    "to a section, so start one with # Heading above it"
                ),
                token.map,
            )
        else:
            self.fail(
                ContentError(
                    f"{'#' * level} headings go deeper than a bulletin does; use # for "
                    "a section, ## for an article, ### for a heading inside an "
                    "article, or a **bold line**"
                ),
                token.map,
            )

    def picture(self, inline: Token) -> Image | None:
        """The picture a paragraph is, when it is only a picture."""
        image = lone_image(inline.content)
        return None if image is None else self.image(*image)

    def paragraph(self, inline: Token) -> None:
        image = lone_image(inline.content)
        mistake = table_mistake(inline.content)
        lines = inline.content.split("\n")
        if len(lines) > 1 and all(lone_image(line) for line in lines):
            # Pictures on lines of their own, one under another: each a picture.
            first = inline.map[0] if inline.map else 0
            for number, line in enumerate(lines):
                found = lone_image(line)
                assert found is not None
                span = [first + number, first + number + 1]
                try:
                    self.add(self.image(*found), span[0])
                except ContentError as error:
                    self.fail(error, span)
        elif image is not None:
            self.attempt(lambda: self.image(*image), inline)
        elif mistake is not None:
            self.fail(ContentError(mistake), inline.map)
        else:
            self.attempt(lambda: Paragraph(inline.content), inline)

    def table(
        self,
        tokens: list[Token],
        caption: str | None = None,
        above: Token | None = None,
    ) -> None:
        """A pipe table (``tokens`` from table_open to table_close), maybe captioned."""
        span = tokens[0].map or [0, 1]
        if above is not None and above.map:
            span = [above.map[0], span[1]]
        try:
            table = read_table(tokens, self.lines, caption)
        except ContentError as error:
            self.fail(error, span)
            return
        self.add(table, span[0])

    def image(self, src: str, alt: str, title: str, link: str | None) -> Image:
        width: int | None = None
        words, bar, tail = alt.rpartition("|")
        sized = _WIDTH.fullmatch(tail) if bar else None
        if sized:
            alt, width = words.rstrip(), int(sized.group(1))
        elif "|" in alt:
            raise ContentError(
                f"after the | in ![{alt}] write the width in pixels, e.g. "
                f"![{alt.rpartition('|')[0].strip()}|300]({src})",
                fragment="|",
            )
        if not alt.strip():
            raise ContentError(
                f"image has no alt text — write ![what the picture shows]({src})",
                fragment="![",
            )
        if link is not None:
            try:
                check_link(link, what="image link")
            except ContentError as error:
                raise ContentError(error.message, fragment=link) from None
        image = Image(src, alt, width=width, link=link, caption=title or None)
        folder = self.base_dir
        if folder is not None and not image.is_remote:
            if not (folder / src).is_file():
                raise ContentError(
                    f"image file {src} not found (looked in {folder}); check "
                    "the name, or put the picture there",
                    fragment=src,
                )
            if not within((folder / src), (folder, *self.image_roots)):
                raise ContentError(
                    f"image file {src} is outside the edition's folder; copy the "
                    "picture into it (an edition may come from someone else, so it "
                    "can show only pictures beside it)",
                    fragment=src,
                )
        return image

    def quote(self, token: Token, inner: list[Token]) -> None:
        paragraphs = [item.content for item in inner if item.type == "inline"]
        notes = [
            f"[^{item.meta['label']}]:"
            for item in inner
            if item.type == "footnote_reference_open"
        ]
        if any(
            item.type not in ("paragraph_open", "paragraph_close", "inline")
            for item in inner
        ):
            self.fail(
                ContentError(FOOTNOTE_INSIDE, fragment=notes[0])
                if notes
                else ContentError(
                    "a quote holds text only (a line starting > - is a list); to say "
                    "who said it, end with a line > — Name (or > -- Name)"
                    if any(item.type.endswith("list_open") for item in inner)
                    else "a quote holds text only; put pictures and boxes outside the >"
                ),
                token.map,
            )
            return
        attribution = None
        if paragraphs:
            *head, last = paragraphs[-1].split("\n")
            match = _ATTRIBUTION.match(last)
            if match and (head or len(paragraphs) > 1):
                attribution = match.group(1)
                paragraphs[-1] = "\n".join(head)
        kept = [part for part in paragraphs if part.strip()]
        self.attempt(lambda: Quote(kept, attribution), token)

    def footnote(self, token: Token, inner: list[Token]) -> None:
        """A footnote definition, ``[^label]: text``: filed when the file is read."""
        try:
            self.notes.define(token, inner, self.offset)
        except ContentError as error:
            self.fail(error, token.map)

    def closing_box(self, tokens: list[Token], index: int) -> int:
        """``::: closing`` opens (or ``:::`` ends) the section's closing."""
        token = tokens[index]
        if token.type == "closing_close":
            self.in_closing = False
            return index + 1
        end = closing(tokens, index)
        span = token.map or [0, 1]
        section = self.section
        mistake = None
        if section is None:
            mistake = (
                "a ::: closing box ends a section's articles, and belongs under a "
                "# section; here there is none above it"
            )
        elif section.closed is not None:
            mistake = (
                f"section '{section.heading}' already has a ::: closing box; put "
                "everything that follows its articles in one box"
            )
        elif not token.meta["closed"]:
            mistake = (
                "the closing box is never closed; end it with a line holding only :::"
            )
        elif token.meta["title"].strip().startswith("{"):
            mistake = (
                "a ::: closing box cannot be tagged for an audience: it ends the "
                "section for whoever reads it; tag the section (# ... {for ...}), or "
                "put a tagged ::: callout inside the box"
            )
        elif token.meta["title"]:
            mistake = (
                "write ::: closing alone on its line; put "
                f"{shorten(' '.join(token.meta['title'].split()), 60)!r} on a line "
                "inside the box"
            )
        elif end == index + 1:
            mistake = (
                "the closing box is empty; write what comes after the articles "
                "between the ::: lines, or remove the box"
            )
        if mistake is not None or section is None:
            self.fail(ContentError(mistake or ""), span)
            return end + 1
        section.closed = span[0]
        self.article = None
        self.in_closing = True
        return index + 1

    def finish(self) -> Body:
        self.file_notes()
        for part in self.parts:
            articles: list[Article] = []
            for item in part.articles:
                if item.blocks and item.heading:
                    articles.append(
                        Article(
                            item.heading,
                            item.blocks,
                            link=item.link,
                            footnotes=item.footnotes,
                            audiences=item.audiences,
                        )
                    )
                    self.result.lines[id(articles[-1])] = item.line + self.offset + 1
                elif not item.failed:
                    self.empty(item, "article")
            if (part.blocks or articles or part.closing) and part.heading:
                section = Section(
                    part.heading,
                    part.blocks,
                    articles,
                    link=part.link,
                    closing=part.closing,
                    footnotes=part.footnotes,
                    audiences=part.audiences,
                )
                self.result.lines[id(section)] = part.line + self.offset + 1
                self.result.sections.append(section)
            elif not (part.failed or part.articles):
                self.empty(part, "section")
        self.result.errors.sort(
            key=lambda error: (error.location.line or 0, error.location.column or 0)
        )
        return self.result

    def file_notes(self) -> None:
        """File each footnote under the section or article that refers to it."""
        places = [Place("", 0, self.result.intro, None)]
        for section in self.parts:
            places.append(
                Place(
                    section.heading,
                    section.line,
                    [*section.blocks, *section.closing],
                    section.footnotes,
                )
            )
            places.extend(
                Place(article.heading, article.line, article.blocks, article.footnotes)
                for article in section.articles
            )
        # Each mistake is placed by searching the file: a file of thousands of
        # missing notes would take minutes, and nobody reads past the first few.
        mistakes = self.notes.file(places, self.find)
        self.result.errors.extend(itertools.islice(mistakes, _MOST_NOTE_ERRORS))
        more = next(mistakes, None)
        if more is not None:
            self.result.errors.append(
                ContentError(
                    f"more footnote mistakes follow the first {_MOST_NOTE_ERRORS}; "
                    "put those right and check again",
                    more.location,
                )
            )

    def find(self, needle: str, line: int) -> Location:
        """Where ``needle`` is first written on ``line`` (0-based) or after it; a
        reference ``[^1]`` is never the start of a note's own ``[^1]:`` line."""
        for number in range(line, len(self.lines)):
            text = self.lines[number]
            column = text.find(needle)
            if column >= 0 and not (
                needle.endswith("]") and text.lstrip().startswith(needle + ":")
            ):
                return self.location(number, column + 1)
        return self.location(line)

    def empty(self, part: _Part, what: str) -> None:
        """Refuse a heading with nothing under it."""
        mark = "#" if what == "section" else "##"
        self.result.errors.append(
            ContentError(
                f"{what} '{part.heading}' is empty; write something under it or remove "
                f"the {mark} heading",
                self.location(part.line),
            )
        )


def _heading_link(text: Text, level: int) -> str | None:
    """The address a heading links to: only a link over the whole heading is kept.

    Raises:
        ContentError: a link over part of the heading, or several links, which a
            heading cannot show (it would be lost).
    """
    links = text.links()
    if not links:
        return None
    whole = str(text).strip()
    if len(links) == 1 and str(Text(links[0].children, "")).strip() == whole:
        return links[0].href
    marks = "#" * level
    raise ContentError(
        f"a heading can be a link only as a whole; write {marks} [{whole}](address) "
        "to link the whole heading, or put the link in a paragraph under it",
        fragment="[" if "[" in text.source else "<",
    )

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
``> text`` and ``> — who``        :class:`~bulletin.model.blocks.Quote`
``---``                           :class:`~bulletin.model.blocks.Divider`
``::: button`` ... ``:::``        a button, event, callout or contact box
================================  ============================================

Everything before the first ``#`` heading is the intro. Every problem in the
body is collected, each with its line and column, rather than stopping at the
first.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from bulletin.errors import ContentError, Location
from bulletin.loading.boxes import BoxError, make_block
from bulletin.loading.mdtokens import (
    MAX_NESTING,
    block_parser,
    closing,
    list_items,
    lone_image,
)
from bulletin.loading.tables import caption_of, read_table, table_mistake
from bulletin.model.blocks import (
    MAX_LIST_DEPTH,
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

_ATTRIBUTION = re.compile(r"^\s*(?:—|–|--)\s*(.+)$")
_WIDTH = re.compile(r"^(.*?)\s*\|\s*(\d+)\s*(?:px)?\s*$", re.DOTALL | re.IGNORECASE)


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


def parse_body(
    body: str, file: Path, *, first_line: int = 0, base_dir: Path | None = None
) -> Body:
    """Read the Markdown ``body`` of ``file``, which starts on 0-based ``first_line``.

    Local images are checked on disk against ``base_dir`` when it is given.
    """
    reader = _Reader(body.split("\n"), file, first_line, base_dir)
    tokens = block_parser().parse(body)
    too_deep = next((t for t in tokens if t.level >= MAX_NESTING - 1), None)
    if too_deep is not None:
        reader.fail(
            ContentError(
                "blocks are nested too deeply here (lists inside lists or quotes "
                "inside quotes) and the rest would be lost; nest lists at most "
                f"{MAX_LIST_DEPTH} levels deep"
            ),
            _nearest_map(tokens, too_deep),
        )
        return reader.finish()
    reader.read(tokens)
    return reader.finish()


def _nearest_map(tokens: list[Token], token: Token) -> list[int] | None:
    """The line span of ``token``, or of the nearest token before it that has one."""
    for earlier in reversed(tokens[: tokens.index(token) + 1]):
        if earlier.map:
            return earlier.map
    return None


class _Reader:
    def __init__(
        self, lines: list[str], file: Path, offset: int, base_dir: Path | None
    ) -> None:
        self.lines = lines
        self.file = file
        self.offset = offset
        self.base_dir = base_dir
        self.result = Body()
        self.section: _Part | None = None
        self.article: _Part | None = None
        self.parts: list[_Part] = []

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
        part = self.article or self.section
        (part.blocks if part else self.result.intro).append(block)

    # -- the token stream -------------------------------------------------------

    def read(self, tokens: list[Token]) -> None:
        index = 0
        while index < len(tokens):
            index = self.block(tokens, index)

    def comment(self, token: Token) -> None:
        """Refuse a comment that would hide the editor's text after it."""
        content = token.content.rstrip()
        if "-->" not in content:
            self.fail(
                ContentError(
                    "this <!-- comment is never closed, so everything after it "
                    "would be left out; end it with --> where the note ends",
                    fragment="<!--",
                ),
                token.map,
            )
        elif content.rpartition("-->")[2].strip():
            self.fail(
                ContentError(
                    "text after --> on the same line is left out with the comment; "
                    "put it on a line of its own",
                    fragment="-->",
                ),
                token.map,
            )

    def block(self, tokens: list[Token], index: int) -> int:
        """Read the block starting at ``tokens[index]``; return the index after it."""
        token = tokens[index]
        kind = token.type
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
            self.attempt(
                lambda: BulletList(
                    list_items(tokens[index + 1 : end]),
                    numbered=kind == "ordered_list_open",
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
            self.attempt(lambda: make_block(token.meta["box"]), token)
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
        try:
            parsed = Text.markdown(inline.content)
            text = str(parsed).strip()
            link = _heading_link(parsed, level)
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
            text, link = "", None
        if level == 1:
            self.section = _Part(text, line, link, failed=not text)
            self.article = None
            self.parts.append(self.section)
        elif level == 2 and self.section is not None:
            self.article = _Part(text, line, link, failed=not text)
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

    def paragraph(self, inline: Token) -> None:
        image = lone_image(inline.content)
        mistake = table_mistake(inline.content)
        if image is not None:
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
        sized = _WIDTH.match(alt)
        if sized:
            alt, width = sized.group(1), int(sized.group(2))
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
        if folder is not None and not image.is_remote and not (folder / src).is_file():
            raise ContentError(
                f"image file {src} not found (looked in {folder}); check "
                "the name, or put the picture there",
                fragment=src,
            )
        return image

    def quote(self, token: Token, inner: list[Token]) -> None:
        paragraphs = [item.content for item in inner if item.type == "inline"]
        if any(
            item.type not in ("paragraph_open", "paragraph_close", "inline")
            for item in inner
        ):
            self.fail(
                ContentError(
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
        text = "\\\n".join(part for part in paragraphs if part.strip())
        self.attempt(lambda: Quote(text, attribution), token)

    def finish(self) -> Body:
        for part in self.parts:
            articles: list[Article] = []
            for item in part.articles:
                if item.blocks and item.heading:
                    articles.append(Article(item.heading, item.blocks, link=item.link))
                    self.result.lines[id(articles[-1])] = item.line + self.offset + 1
                elif not item.failed:
                    self.empty(item, "article")
            if (part.blocks or articles) and part.heading:
                section = Section(part.heading, part.blocks, articles, link=part.link)
                self.result.lines[id(section)] = part.line + self.offset + 1
                self.result.sections.append(section)
            elif not (part.failed or part.articles):
                self.empty(part, "section")
        self.result.errors.sort(
            key=lambda error: (error.location.line or 0, error.location.column or 0)
        )
        return self.result

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

"""The plain-text alternative, written from the model (never scraped from HTML).

It reads like a well-written plain email: the title and headings underlined
(``=``, ``-``, ``~`` and ``.`` for a subheading; a heading that is a link has its
address on the line under it), paragraphs wrapped at 72 columns, ``-`` and
``1.`` lists with nested items (and paragraphs under a bullet) indented, links
as numbered references ``[1]`` listed at the end, images as their alt text,
tables as aligned columns when they fit, else one ``Heading: value`` block per
row, and footnotes as ``[note 1]`` with the notes listed at the end of their
article (or section).
"""

from __future__ import annotations

import re
from typing import assert_never

from bulletin.model.blocks import (
    Block,
    BulletList,
    Button,
    Callout,
    Contact,
    Divider,
    Event,
    Image,
    ListItem,
    Paragraph,
    Quote,
    Subheading,
    Table,
)
from bulletin.model.fields import marker
from bulletin.model.text import (
    Emphasis,
    Field,
    FootnoteRef,
    Inline,
    LineBreak,
    Link,
    Run,
    Strong,
    Text,
)
from bulletin.rendering.context import Footnotes, Page

__all__ = ["WIDTH", "plain_text"]

WIDTH = 72
"""The column plain text is wrapped at."""


def plain_text(page: Page) -> str:
    """Write the plain-text alternative of ``page``."""
    return _Writer(page).document()


class _Writer:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.words = page.words
        self.out: list[str] = []
        self.links: dict[str, int] = {}

    # -- the document -------------------------------------------------------

    def document(self) -> str:
        page, edition = self.page, self.page.edition
        if page.view_online_url:
            self.para(f"{self.words['view_online']}: {page.view_online_url}")
        self.heading(edition.title, "=")
        if page.settings.show_date:
            self.para(page.date_text)
        self.blocks(edition.intro)
        if len(edition.sections) > 1:
            self.heading(self.words["in_this_edition"], "-")
            for section in edition.sections:
                self.wrap(section.heading, "- ", "  ")
            self.out.append("")
        for section, anchor, article_anchors in zip(
            edition.sections, page.anchors, page.article_anchors, strict=True
        ):
            self.heading(section.heading, "-", section.link)
            self.blocks(page.shown(section.blocks, anchor, section.heading), True)
            for article, article_anchor in zip(
                section.articles, article_anchors, strict=True
            ):
                self.heading(article.heading, "~", article.link)
                self.blocks(
                    page.shown(article.blocks, article_anchor, article.heading), True
                )
            self.blocks(page.closing(section), True)
        self.footer()
        document = "\n".join(self.out)
        return re.sub(r"\n{3,}", "\n\n", document).strip("\n") + "\n"

    def footer(self) -> None:
        settings = self.page.settings
        self.out.extend(["", "-- ", ""])
        if settings.contact is not None:
            self.contact(settings.contact)
        if settings.footer is not None:
            self.para_text(settings.footer)
        if self.page.unsubscribe_url:
            self.para(f"{self.words['unsubscribe']}: {self.page.unsubscribe_url}")
        if settings.subscribe_url:
            self.para(f"{self.words['manage_subscription']}: {settings.subscribe_url}")
        if self.links:
            self.out.append(f"{self.words['links']}:")
            for url, number in self.links.items():
                self.out.append(f"[{number}] {url}")

    # -- blocks -------------------------------------------------------------

    def blocks(self, blocks: list[Block], notes: bool = False) -> None:
        """Write ``blocks``, then (``notes``) the footnotes they refer to."""
        for block in blocks:
            self.block(block)
        if notes:
            for group in self.page.footnotes(blocks):
                self.footnotes(group)

    def footnotes(self, group: Footnotes) -> None:
        """The notes, numbered, under a short rule and the word "Notes"."""
        self.out.append(f"{self.words['notes']}:")
        for note in group.notes:
            label = f"[{self.words['note']} {note.number}] "
            self.wrap(self.inline(note.text), label, " " * 4)
        self.out.append("")

    def block(self, block: Block) -> None:
        if isinstance(block, Paragraph):
            self.para_text(block.text)
        elif isinstance(block, BulletList):
            for number, item in enumerate(block.items, start=1):
                self.item(item, number if block.numbered else None, 0)
            self.out.append("")
        elif isinstance(block, Image):
            label = f"[{block.alt}]" + self.ref(block.link, block.alt)
            self.wrap(label)
            if block.caption is not None:
                self.wrap(self.inline(block.caption))
            self.out.append("")
        elif isinstance(block, Button):
            self.para(f"{block.label}: {block.href}")
        elif isinstance(block, Quote):
            for number, paragraph in enumerate(block.paragraphs):
                if number:
                    self.out.append(">")
                self.wrap(self.inline(paragraph), "> ", "> ")
            if block.attribution is not None:
                self.wrap("— " + self.inline(block.attribution), "> ", "> ")
            self.out.append("")
        elif isinstance(block, Divider):
            self.para("* * *")
        elif isinstance(block, Contact):
            self.contact(block)
        elif isinstance(block, Event):
            self.event(block)
        elif isinstance(block, Callout):
            title = block.title or self.words["more_information"]
            self.para(f"{title}: {self.inline(block.text)}")
        elif isinstance(block, Table):
            self.table(block)
        elif isinstance(block, Subheading):
            self.heading(block.text, ".", block.link)
        else:  # a block type added to the union must be written here too
            assert_never(block)

    def item(self, item: ListItem, number: int | None, indent: int) -> None:
        bullet = f"{number}. " if number is not None else "- "
        pad = " " * indent
        self.wrap(self.inline(item.text), pad + bullet, pad + " " * len(bullet))
        for child_number, child in enumerate(item.children, start=1):
            self.item(
                child,
                child_number if number is not None else None,
                indent + len(bullet),
            )
        inner = pad + " " * len(bullet)
        for block in item.blocks:
            # Under the same bullet: a blank line, then indented like its words.
            self.out.append("")
            if isinstance(block, Paragraph):
                self.wrap(self.inline(block.text), inner, inner)
            elif isinstance(block, Image):
                self.wrap(
                    f"[{block.alt}]" + self.ref(block.link, block.alt), inner, inner
                )
                if block.caption is not None:
                    self.wrap(self.inline(block.caption), inner, inner)
            else:
                for child_number, child in enumerate(block.items, start=1):
                    self.item(
                        child,
                        child_number if block.numbered else None,
                        indent + len(bullet),
                    )

    def table(self, table: Table) -> None:
        """Aligned columns when they fit the width, else one block per row."""
        if table.caption is not None:
            self.para(self.inline(table.caption))
        header = [self.cell(text) for text in table.header]
        rows = [[self.cell(text) for text in row] for row in table.rows]
        widths = [
            max(len(cells[column]) for cells in (header, *rows))
            for column in range(table.columns)
        ]
        if sum(widths) + 2 * (len(widths) - 1) <= WIDTH:
            self.out.append(_row(header, widths, table.align))
            self.out.append("  ".join("-" * width for width in widths))
            self.out.extend(_row(cells, widths, table.align) for cells in rows)
            self.out.append("")
            return
        for cells in rows:
            for heading, value in zip(header, cells, strict=True):
                if value:
                    self.wrap(f"{heading}: {value}" if heading else value, "", "  ")
            self.out.append("")

    def cell(self, text: Text) -> str:
        """A table cell on one line: its line breaks become spaces."""
        return " ".join(_SPACES.split(self.inline(text).strip(" \t\n")))

    def event(self, event: Event) -> None:
        self.wrap(self.inline(event.title))
        when = self.page.event_date(event)
        if event.time:
            when += f", {event.time}"
        self.wrap(f"{self.words['when']}: {when}")
        if event.location:
            self.wrap(f"{self.words['where']}: {event.location}")
        if event.details is not None:
            self.wrap(self.inline(event.details))
        if event.link:
            self.wrap(f"{self.words['more_information']}: {event.link}")
        self.out.append("")

    def contact(self, contact: Contact) -> None:
        self.wrap(contact.heading or self.words["contact_us"])
        for line in (contact.name, *contact.address):
            if line:
                self.wrap(line)
        for label, value in (
            ("phone", contact.phone),
            ("email", contact.email),
            ("website", contact.website),
        ):
            if value:
                self.wrap(f"{self.words[label]}: {value}")
        self.out.append("")

    # -- text ---------------------------------------------------------------

    def heading(self, text: str, underline: str, link: str | None = None) -> None:
        if self.out and self.out[-1] != "":
            self.out.append("")
        self.out.append(text)
        self.out.append(underline * min(len(text), WIDTH))
        if link is not None:
            self.out.append(link)
        self.out.append("")

    def para_text(self, text: Text) -> None:
        self.para(self.inline(text))

    def para(self, text: str) -> None:
        self.wrap(text)
        self.out.append("")

    def wrap(self, text: str, first: str = "", rest: str = "") -> None:
        for number, line in enumerate(text.split("\n")):
            self.out.extend(_wrap(line, first if number == 0 else rest, rest))

    def inline(self, text: Text) -> str:
        return "".join(self.node(node) for node in text.nodes)

    def node(self, node: Inline) -> str:
        if isinstance(node, Run):
            return node.text
        if isinstance(node, LineBreak):
            return "\n"
        if isinstance(node, Field):
            return (
                marker(node.name, node.default) if self.page.personal else node.default
            )
        if isinstance(node, FootnoteRef):
            found = self.page.notes.get(node.label)
            if found is None:
                return f"[^{node.label}]"
            return f"[{self.words['note']} {found.number}]"
        inner = "".join(self.node(child) for child in node.children)
        if isinstance(node, Strong | Emphasis):
            return inner
        assert isinstance(node, Link)
        return inner + self.ref(node.href, inner)

    def ref(self, url: str | None, label: str) -> str:
        """`` [n]`` for a link, or nothing when the label already is the address."""
        if url is None:
            return ""
        shown = label.strip().lower()
        bare = url.lower().split(":", 1)[-1].removeprefix("//").removeprefix("www.")
        if shown in (url.lower(), bare, bare.rstrip("/")) or shown.removeprefix(
            "www."
        ) == bare.rstrip("/"):
            return ""
        number = self.links.setdefault(url, len(self.links) + 1)
        return f" [{number}]"


def _row(cells: list[str], widths: list[int], align: tuple[str | None, ...]) -> str:
    """One table row, each cell padded to its column's width and alignment."""
    padded = []
    for cell, width, side in zip(cells, widths, align, strict=True):
        if side == "right":
            padded.append(cell.rjust(width))
        elif side == "center":
            padded.append(cell.center(width))
        else:
            padded.append(cell.ljust(width))
    return "  ".join(padded).rstrip()


_SPACES = re.compile(r"[ \t\n]+")
"""Where words break: ordinary spaces only. A no-break space (``10\u00a0km``,
French ``\u202f``) stays inside its word, as in the HTML."""


def _wrap(text: str, first: str, rest: str) -> list[str]:
    """Greedy word wrap at ``WIDTH``; a word longer than a line (a URL) is never broken.

    textwrap does the same with more options and four times the time.
    """
    lines: list[str] = []
    line = first
    empty = True
    for word in _SPACES.split(text.strip(" \t\n")):
        if not word:
            continue
        if empty:
            line += word
            empty = False
        elif len(line) + 1 + len(word) <= WIDTH:
            line += " " + word
        else:
            lines.append(line)
            line = rest + word
    lines.append(line if not empty else rest.rstrip())
    return lines

"""What every rule looks at: the edition, its rendering and layout, and where things are.

A rule is a function from a :class:`Context` to what it found, each a
:data:`Found`: the message and its place. The registry adds the rule's code
and level, so neither is written twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import cached_property
from pathlib import Path

from bulletin.checking.spamassassin import SpamReport, spamassassin
from bulletin.errors import ContentError, Location
from bulletin.loading.config import toml_location
from bulletin.loading.source import Source
from bulletin.loading.textfile import read_text
from bulletin.mail.message import MessageTemplate
from bulletin.model.blocks import Block
from bulletin.model.edition import Edition
from bulletin.model.rendered import Rendered
from bulletin.model.settings import Settings
from bulletin.model.text import Emphasis, Field, Inline, Link, Run, Strong, Text
from bulletin.model.walk import block_texts, nested_blocks
from bulletin.rendering.layouts import Layout

__all__ = ["Context", "Found", "fields", "runs", "texts"]

Found = tuple[str, Location]
"""What a rule found: the message (what is wrong, what would work) and where."""


class Context:
    """The edition as loaded and rendered, and the layout it was rendered with."""

    def __init__(
        self,
        source: Source,
        rendered: Rendered,
        layout: Layout,
        variants: Iterable[Rendered] = (),
    ) -> None:
        self.source = source
        """The edition as read, with its settings."""
        self.rendered = rendered
        """The email as rendered (for a reader in no audience)."""
        self.variants = tuple(
            {id(v): v for v in variants if v is not rendered}.values()
        )
        """The other variants rendered for readers in some audiences, each once."""
        self.layout = layout
        """The layout it was rendered with."""
        self.spam_report: SpamReport | None = None
        """SpamAssassin's report on :attr:`eml`, once a rule has asked for :attr:`spam`."""

    @property
    def edition(self) -> Edition:
        """The edition."""
        return self.source.edition

    @property
    def settings(self) -> Settings:
        """The settings it is sent with."""
        return self.source.settings

    @cached_property
    def blocks(self) -> tuple[tuple[Block, str], ...]:
        """Every block with its path (``section 'Training' > article 'Courses'``)."""
        found: list[tuple[Block, str]] = [
            (block, "intro") for block in nested_blocks(self.edition.intro)
        ]
        for section in self.edition.sections:
            path = f"section {section.heading!r}"
            found.extend((block, path) for block in nested_blocks(section.blocks))
            for article in section.articles:
                inner = f"{path} > article {article.heading!r}"
                found.extend((block, inner) for block in nested_blocks(article.blocks))
            closing = f"{path} > closing"
            found.extend((block, closing) for block in nested_blocks(section.closing))
        return tuple(found)

    @cached_property
    def eml(self) -> bytes:
        """The email as ``bulletin build`` writes it to ``.eml``: each field's default."""
        return (
            MessageTemplate(self.rendered, self.settings, self.edition.date)
            .personal()
            .data
        )

    @property
    def spam(self) -> SpamReport:
        """SpamAssassin's report on :attr:`eml` (local rules): run once, when first asked.

        Raises:
            BulletinError: SpamAssassin is not installed or fails.
        """
        if self.spam_report is None:
            self.spam_report = spamassassin(self.eml)
        return self.spam_report

    def texts(self) -> Iterator[tuple[Block, Text, str]]:
        """Every piece of inline text, with its block and the block's path."""
        for block, path in self.blocks:
            for text in texts(block):
                yield block, text, path

    @property
    def config(self) -> Path | None:
        """The bulletin.toml read, if there was one."""
        return self.source.config.path

    def start(self) -> Location:
        """The first line of the edition file."""
        return Location(file=self.source.path, line=1, column=1)

    def config_start(self) -> Location:
        """The first line of bulletin.toml, for a setting it lacks."""
        if self.config is None:
            return Location(block="settings")
        return Location(file=self.config, line=1, column=1)

    def setting(self, *key: str) -> Location:
        """Where ``key`` (e.g. ``"colours", "brand"``) is written in bulletin.toml."""
        if self.config is None:
            return Location(block="settings")
        return toml_location(self.config, key)

    def where(self, thing: object, path: str, needle: str | None = None) -> Location:
        """The file:line of a block (and column of ``needle`` in it), or its path."""
        line = self.source.lines.get(id(thing))
        if line is None:
            return Location(block=path)
        lines = self._lines
        text = lines[line - 1] if 0 < line <= len(lines) else ""
        column = len(text) - len(text.lstrip()) + 1
        if needle:
            for number in range(line - 1, min(line + 40, len(lines))):
                found = lines[number].find(needle)
                if found >= 0:
                    line, column = number + 1, found + 1
                    break
        return Location(block=path, file=self.source.path, line=line, column=column)

    @cached_property
    def _lines(self) -> list[str]:
        try:
            text = read_text(self.source.path)
        except ContentError:
            text = ""
        return text.split("\n")


def texts(block: Block) -> Iterator[Text]:
    """Every piece of inline text a block holds (a list's items' blocks are
    blocks of their own in :attr:`Context.blocks`)."""
    return block_texts(block)


def runs(text: Text) -> list[str]:
    """The plain words of ``text``, run by run, leaving out the links."""
    out: list[str] = []
    stack = list(text.nodes)
    while stack:
        node = stack.pop(0)
        if isinstance(node, Run):
            out.append(node.text)
        elif isinstance(node, Strong | Emphasis):
            stack[:0] = list(node.children)
    return out


def fields(nodes: tuple[Inline, ...]) -> Iterator[Field]:
    """Every merge field in ``nodes``, links and emphasis included."""
    for node in nodes:
        if isinstance(node, Field):
            yield node
        elif isinstance(node, Strong | Emphasis | Link):
            yield from fields(node.children)

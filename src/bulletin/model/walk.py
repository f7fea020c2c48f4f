"""Walking blocks: the blocks inside list items, and every text a block holds.

A list item may hold paragraphs, pictures and lists of its own, so "every
block" of a section is more than its list of blocks. Whatever needs them all
(images to prepare, texts to check, footnote references) walks them here.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from bulletin.model.blocks import (
    Block,
    BulletList,
    Callout,
    Event,
    Image,
    ListItem,
    Paragraph,
    Quote,
    Table,
)
from bulletin.model.text import Text

__all__ = ["block_texts", "footnote_labels", "nested_blocks"]


def nested_blocks(blocks: Iterable[Block]) -> Iterator[Block]:
    """Each block, then the blocks inside its list items (depth first, in order)."""
    for block in blocks:
        yield block
        if isinstance(block, BulletList):
            yield from nested_blocks(_item_blocks(block.items))


def _item_blocks(items: tuple[ListItem, ...]) -> Iterator[Block]:
    for item in items:
        yield from _item_blocks(item.children)
        yield from item.blocks


def block_texts(block: Block) -> Iterator[Text]:
    """Every piece of inline text ``block`` holds itself.

    A list's items' texts are included; the blocks inside its items are not
    (:func:`nested_blocks` yields them, each with its own texts).
    """
    if isinstance(block, Paragraph | Callout):
        yield block.text
    elif isinstance(block, Quote):
        yield from block.paragraphs
        if block.attribution:
            yield block.attribution
    elif isinstance(block, BulletList):
        yield from _item_texts(block.items)
    elif isinstance(block, Image) and block.caption:
        yield block.caption
    elif isinstance(block, Event):
        yield block.title
        if block.details:
            yield block.details
    elif isinstance(block, Table):
        if block.caption:
            yield block.caption
        yield from block.header
        for row in block.rows:
            yield from row


def _item_texts(items: tuple[ListItem, ...]) -> Iterator[Text]:
    for item in items:
        yield item.text
        yield from _item_texts(item.children)


def footnote_labels(blocks: Iterable[Block]) -> list[str]:
    """The footnote labels ``blocks`` refer to, each once, in order of first reference."""
    found: dict[str, None] = {}
    for block in nested_blocks(blocks):
        for text in block_texts(block):
            for label in text.footnotes():
                found.setdefault(label, None)
    return list(found)

"""markdown-it, set up for edition files, and helpers that read its tokens.

The block parser knows the ``:::`` boxes and leaves inline text to
:class:`bulletin.model.text.Text` (parsed once, there); the small image parser
reads a paragraph that is only a picture.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from bulletin.errors import ContentError
from bulletin.loading.boxes import box_rule, box_start, closes_box
from bulletin.model.blocks import BulletList, Image, ItemBlock, ListItem, Paragraph

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.rules_block import StateBlock
    from markdown_it.token import Token

__all__ = [
    "FOOTNOTE_INSIDE",
    "block_parser",
    "closing",
    "closing_rule",
    "image_parser",
    "list_items",
    "lone_image",
]

FOOTNOTE_INSIDE = (
    "a footnote's [^1]: line goes at the start of a line of its own, not inside a "
    "list or a quote; write it after the paragraph, or at the end of the file"
)
"""Why a footnote definition indented under a bullet (or after a >) is refused."""

_CLOSING = re.compile(r":::[ \t]*closing(?![A-Za-z])(.*)", re.IGNORECASE)
"""``::: closing`` and what follows it on the line (stripped where it is used:
a lazy group before trailing spaces is quadratic on a long line)."""


def closing_rule(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """markdown-it block rule: ``::: closing`` ... ``:::`` holds a section's closing.

    Unlike a box, its inside is Markdown, read as blocks: ``closing_open``, the
    blocks' tokens, ``closing_close`` (meta: ``title``, written after
    ``closing``; ``closed``, False when the file ends first).
    """
    if state.sCount[start] - state.blkIndent >= 4:
        return False
    opening = _CLOSING.match(
        state.src[state.bMarks[start] + state.tShift[start] : state.eMarks[start]]
    )
    if opening is None:
        return False
    if silent:
        return True
    line, depth, closed = start + 1, 0, False
    while line < end:
        text = state.src[state.bMarks[line] + state.tShift[line] : state.eMarks[line]]
        if closes_box(text):
            if depth == 0:
                closed = True
                break
            depth -= 1
        elif box_start(text):
            depth += 1
        line += 1
    token = state.push("closing_open", "div", 1)
    token.map = [start, min(line + 1, end)]
    token.meta = {"title": opening.group(1).strip(), "closed": closed}
    old_max, old_parent = state.lineMax, state.parentType
    state.lineMax = line
    state.parentType = "closing"
    state.md.block.tokenize(state, start + 1, line)
    state.lineMax, state.parentType = old_max, old_parent
    state.push("closing_close", "div", -1)
    state.line = min(line + 1, end)
    return True


def closing(tokens: list[Token], index: int) -> int:
    """The index of the token closing ``tokens[index]``."""
    depth = 0
    for position in range(index, len(tokens)):
        depth += tokens[position].nesting
        if depth == 0:
            return position
    return len(tokens) - 1  # pragma: no cover - markdown-it always closes


def list_items(
    tokens: list[Token],
    picture: Callable[[Token], Image | None],
    *,
    numbered: bool = False,
) -> list[ListItem]:
    """The ``list_item`` tokens of one list (inside its open and close) -> items.

    An item's first paragraph is its text; what follows under the same bullet,
    indented as CommonMark says (paragraphs, pictures, lists), is its blocks.
    ``picture`` turns a paragraph that is only a picture into an :class:`Image`.
    """
    items: list[ListItem] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        end = closing(tokens, index)
        if token.type == "list_item_open":
            items.append(_item(tokens[index + 1 : end], picture, numbered))
        index = end + 1
    return items


def _item(
    tokens: list[Token], picture: Callable[[Token], Image | None], numbered: bool
) -> ListItem:
    text: str | None = None
    blocks: list[ItemBlock] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        end = closing(tokens, index)
        if token.type == "paragraph_open":
            inline = tokens[index + 1]
            image = picture(inline)
            if text is None and image is not None:
                raise ContentError(
                    "a list item starts with its words; put the picture on a line "
                    "of its own under them, indented like the words",
                    fragment="![",
                )
            if text is None:
                text = inline.content
            else:
                blocks.append(image or Paragraph(inline.content))
        elif token.type in ("bullet_list_open", "ordered_list_open") and text:
            inner = token.type == "ordered_list_open"
            blocks.append(
                BulletList(
                    list_items(tokens[index + 1 : end], picture, numbered=inner),
                    numbered=inner,
                )
            )
        elif token.type in ("bullet_list_open", "ordered_list_open"):
            raise ContentError(
                "a list item starts with its words; this one is only a list inside "
                "a list: write the item's words after its - or number"
            )
        elif token.type == "footnote_reference_open":
            raise ContentError(FOOTNOTE_INSIDE, fragment=f"[^{token.meta['label']}]:")
        else:
            raise ContentError(
                "a list item holds text, pictures and lists only; put quotes, "
                "tables and boxes outside the list"
            )
        index = end + 1
    if text is None:
        raise ContentError(
            "a list item is empty; write its words after the - or number, or "
            "remove the line"
        )
    # A list of the same kind right after the item's words is its nested list;
    # anything after that (or after a paragraph) is a block of the item.
    children: tuple[ListItem, ...] = ()
    first = blocks[0] if blocks else None
    if isinstance(first, BulletList) and first.numbered == numbered:
        children = first.items
        del blocks[0]
    return ListItem(text, children, blocks=blocks)


def lone_image(content: str) -> tuple[str, str, str, str | None] | None:
    """``(src, alt, title, link)`` when a paragraph is only an image (maybe linked)."""
    stripped = content.strip()
    if not (stripped.startswith("![") or stripped.startswith("[![")):
        return None
    children = [
        token
        for token in image_parser().parseInline(stripped)[0].children or []
        if not (token.type == "text" and not token.content.strip())
    ]
    link: str | None = None
    if (
        len(children) == 3
        and children[0].type == "link_open"
        and children[2].type == "link_close"
    ):
        link = str(children[0].attrs.get("href", ""))
        children = children[1:2]
    if len(children) != 1 or children[0].type != "image":
        return None
    image = children[0]
    return (
        str(image.attrs.get("src", "")),
        image.content,
        str(image.attrs.get("title", "") or ""),
        link,
    )


MAX_NESTING = 40
"""How deep markdown-it reads blocks inside blocks (lists in lists in quotes).

markdown-it silently stops reading deeper than this; a token that reaches
``MAX_NESTING - 1`` says it stopped, and the reader refuses the file then."""


@functools.cache
def block_parser() -> MarkdownIt:
    # Imported here: `bulletin --version` must not pay for markdown-it.
    from markdown_it import MarkdownIt
    from mdit_py_plugins.footnote import footnote_plugin

    md = MarkdownIt("commonmark", {"html": True, "maxNesting": MAX_NESTING})
    # A line of --- under text would make it a heading (setext); here --- is
    # always a divider. Indented or fenced code has no place in a bulletin.
    md.disable(["lheading", "code", "fence", "reference"])
    # GFM pipe tables: read into a Table block (see markdown.py).
    md.enable("table")
    md.block.ruler.before(
        "paragraph", "box", box_rule, {"alt": ["paragraph", "blockquote", "list"]}
    )
    md.block.ruler.before(
        "box", "closing", closing_rule, {"alt": ["paragraph", "blockquote", "list"]}
    )
    # [^1]: a footnote's definition, read as blocks between footnote_reference
    # open and close tokens, left where it is written (markdown.py files it under
    # the article that refers to it).
    footnote_plugin(md, inline=False, move_to_end=False)
    # Paragraph text is parsed once, by Text.markdown; here inline parsing is
    # only wanted for lone images, which _lone_image asks for itself.
    md.core.ruler.disable(["inline", "text_join"])
    md.validateLink = lambda url: True  # type: ignore[method-assign]  # the model checks links
    return md


@functools.cache
def image_parser() -> MarkdownIt:
    from markdown_it import MarkdownIt

    md = MarkdownIt("zero").enable(["image", "link"])
    md.validateLink = lambda url: True  # type: ignore[method-assign]  # the model checks links
    # A file name is taken as written: images/café.jpg, not images/caf%C3%A9.jpg.
    md.normalizeLink = lambda url: url  # type: ignore[method-assign]  # documented hook
    return md

"""markdown-it, set up for edition files, and helpers that read its tokens.

The block parser knows the ``:::`` boxes and leaves inline text to
:class:`bulletin.model.text.Text` (parsed once, there); the small image parser
reads a paragraph that is only a picture.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from bulletin.errors import ContentError
from bulletin.loading.boxes import box_rule
from bulletin.model.blocks import ListItemLike

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

__all__ = ["block_parser", "closing", "image_parser", "list_items", "lone_image"]


def closing(tokens: list[Token], index: int) -> int:
    """The index of the token closing ``tokens[index]``."""
    depth = 0
    for position in range(index, len(tokens)):
        depth += tokens[position].nesting
        if depth == 0:
            return position
    return len(tokens) - 1  # pragma: no cover - markdown-it always closes


def list_items(tokens: list[Token]) -> list[ListItemLike]:
    """``list_item`` tokens -> ``["a", ["a1"], "b"]``, the model's list shorthand."""
    items: list[ListItemLike] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.type == "inline":
            items.append(token.content)
        elif token.type in ("bullet_list_open", "ordered_list_open"):
            end = closing(tokens, index)
            items.append(list_items(tokens[index + 1 : end]))
            index = end
        elif token.type not in (
            "list_item_open",
            "list_item_close",
            "paragraph_open",
            "paragraph_close",
        ):
            raise ContentError(
                "a list item holds text and lists only; put images, quotes and "
                "boxes outside the list"
            )
        index += 1
    return items


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

    md = MarkdownIt("commonmark", {"html": True, "maxNesting": MAX_NESTING})
    # A line of --- under text would make it a heading (setext); here --- is
    # always a divider. Indented or fenced code has no place in a bulletin.
    md.disable(["lheading", "code", "fence", "reference"])
    # GFM pipe tables: read into a Table block (see markdown.py).
    md.enable("table")
    md.block.ruler.before(
        "paragraph", "box", box_rule, {"alt": ["paragraph", "blockquote", "list"]}
    )
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

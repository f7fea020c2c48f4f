"""What would hide an editor's text, found in the token stream before it is read.

markdown-it stops reading blocks nested deeper than its limit without a word,
an unclosed ``<!--`` swallows the rest of the file, and text after ``-->`` on
the comment's line goes with the comment. Each is refused here with its line;
so is an edition of more blocks than builds in seconds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bulletin.errors import ContentError
from bulletin.loading.mdtokens import MAX_NESTING
from bulletin.model.blocks import MAX_LIST_DEPTH

if TYPE_CHECKING:
    from markdown_it.token import Token

__all__ = ["MAX_BLOCKS", "comment_problem", "stream_problem"]

MAX_BLOCKS = 10_000
"""The most headings and blocks one edition may hold (an annual report has a few
hundred): past this, building would take minutes and the email is unreadable."""


def stream_problem(tokens: list[Token]) -> tuple[ContentError, list[int] | None] | None:
    """Nesting past what the parser reads, or too many blocks: the error and its lines."""
    too_deep = next((t for t in tokens if t.level >= MAX_NESTING - 1), None)
    if too_deep is not None:
        return ContentError(
            "blocks are nested too deeply here (lists inside lists or quotes "
            "inside quotes) and the rest would be lost; nest lists at most "
            f"{MAX_LIST_DEPTH} levels deep"
        ), _nearest_map(tokens, too_deep)
    tops = [t for t in tokens if t.level == 0 and t.nesting >= 0 and t.map]
    if len(tops) > MAX_BLOCKS:
        return ContentError(
            f"the edition has more than {MAX_BLOCKS:,} blocks (headings, "
            "paragraphs, lists, pictures...), far more than one bulletin holds; "
            "split it into several editions"
        ), tops[MAX_BLOCKS].map
    return None


def comment_problem(token: Token) -> ContentError | None:
    """A ``<!--`` comment block that would hide the editor's text, or None."""
    content = token.content.rstrip()
    if "-->" not in content:
        return ContentError(
            "this <!-- comment is never closed, so everything after it "
            "would be left out; end it with --> where the note ends",
            fragment="<!--",
        )
    if any(part.partition("-->")[2].strip() for part in content.split("<!--")[1:]):
        return ContentError(
            "text after --> on the same line is left out with the comment; "
            "put it on a line of its own",
            fragment="-->",
        )
    return None


def _nearest_map(tokens: list[Token], token: Token) -> list[int] | None:
    """The line span of ``token``, or of the nearest token before it that has one."""
    for earlier in reversed(tokens[: tokens.index(token) + 1]):
        if earlier.map:
            return earlier.map
    return None

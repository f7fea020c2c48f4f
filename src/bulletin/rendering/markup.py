"""Inline text to HTML: the one place content becomes markup.

Every character of content is escaped here; templates receive the result as
``Markup`` and never see raw content strings.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from markupsafe import Markup

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

__all__ = ["NoteRef", "inline_html"]

NoteRef = tuple[str, int, str]
"""A footnote reference resolved: the note's id, its number, the reference's id."""


def inline_html(
    text: Text, *, personal: bool, note: Callable[[str], NoteRef | None] | None = None
) -> Markup:
    """Render ``text`` as HTML.

    Args:
        text: the parsed inline text.
        personal: True for the email, where fields stay markers to be filled
            per recipient; False for the web copy, where they show their defaults
            and links to personal fields are left out.
        note: for a reference to footnote ``label``, the note's id, its number
            and this reference's own id (and counts it written); None when it
            has no note: the reference is then shown as written, ``[^label]``.
    """
    return Markup("".join(_node(node, personal, note) for node in text.nodes))


def _node(
    node: Inline, personal: bool, note: Callable[[str], NoteRef | None] | None
) -> str:
    if isinstance(node, Run):
        return escape(node.text, quote=False)
    if isinstance(node, Field):
        default = escape(node.default)
        return marker(node.name, default) if personal else default
    if isinstance(node, LineBreak):
        return "<br>"
    if isinstance(node, FootnoteRef):
        return _footnote_ref(node, note)
    inner = "".join(_node(child, personal, note) for child in node.children)
    if isinstance(node, Strong):
        return f"<strong>{inner}</strong>"
    if isinstance(node, Emphasis):
        return f"<em>{inner}</em>"
    assert isinstance(node, Link)
    if not personal and node.href.startswith("{{"):
        return inner
    return f'<a href="{escape(node.href)}">{inner}</a>'


def _footnote_ref(
    node: FootnoteRef, note: Callable[[str], NoteRef | None] | None
) -> str:
    """``<sup>`` with the note's number, linking to it; the note links back to its id."""
    found = note(node.label) if note is not None else None
    if found is None:
        return escape(f"[^{node.label}]", quote=False)
    anchor, number, ref = found
    return (
        f'<sup class="fnref"><a name="{escape(ref)}"></a><a href="#{escape(anchor)}" '
        f'id="{escape(ref)}">{number}</a></sup>'
    )

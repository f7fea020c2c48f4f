"""Inline text to HTML: the one place content becomes markup.

Every character of content is escaped here; templates receive the result as
``Markup`` and never see raw content strings.
"""

from __future__ import annotations

from html import escape

from markupsafe import Markup

from bulletin.model.fields import marker
from bulletin.model.text import (
    Emphasis,
    Field,
    Inline,
    LineBreak,
    Link,
    Run,
    Strong,
    Text,
)

__all__ = ["inline_html"]


def inline_html(text: Text, *, personal: bool) -> Markup:
    """Render ``text`` as HTML.

    Args:
        text: the parsed inline text.
        personal: True for the email, where fields stay markers to be filled
            per recipient; False for the web copy, where they show their defaults
            and links to personal fields are left out.
    """
    return Markup("".join(_node(node, personal) for node in text.nodes))


def _node(node: Inline, personal: bool) -> str:
    if isinstance(node, Run):
        return escape(node.text, quote=False)
    if isinstance(node, Field):
        default = escape(node.default)
        return marker(node.name, default) if personal else default
    if isinstance(node, LineBreak):
        return "<br>"
    inner = "".join(_node(child, personal) for child in node.children)
    if isinstance(node, Strong):
        return f"<strong>{inner}</strong>"
    if isinstance(node, Emphasis):
        return f"<em>{inner}</em>"
    assert isinstance(node, Link)
    if not personal and node.href.startswith("{{"):
        return inner
    return f'<a href="{escape(node.href)}">{inner}</a>'

"""bulletin: build and send email bulletins.

Build an :class:`Edition` in Python (or load one an editor wrote), then
:func:`render` it through a layout into send-ready HTML, a plain-text
alternative and its images::

    from datetime import date
    from bulletin import Edition, Settings, render

    edition = Edition("News - January 2025", date(2025, 1, 15))
    edition.section("Training").paragraph("Book **now**.").bullets(["One", "Two"])
    rendered = render(edition, Settings(publisher="Example Partnership"))

The renderer (Jinja2, mjml-python, premailer, Pillow) is imported on first use
of :func:`render`, so ``import bulletin`` stays quick.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bulletin._version import __version__
from bulletin.blocks import (
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
)
from bulletin.errors import (
    BulletinError,
    ContentError,
    ContentErrorGroup,
    LayoutError,
    Location,
    PreviewError,
    RecipientError,
    RenderError,
    SendError,
)
from bulletin.fields import fill_html, fill_text
from bulletin.inline import Text
from bulletin.layouts import Layout, available_layouts, load_layout
from bulletin.model import Article, Edition, Section
from bulletin.settings import Sender, Settings

if TYPE_CHECKING:
    from bulletin.rendering import Asset, Rendered, render

__all__ = [
    "Article",
    "Asset",
    "Block",
    "BulletList",
    "BulletinError",
    "Button",
    "Callout",
    "Contact",
    "ContentError",
    "ContentErrorGroup",
    "Divider",
    "Edition",
    "Event",
    "Image",
    "Layout",
    "LayoutError",
    "ListItem",
    "Location",
    "Paragraph",
    "PreviewError",
    "Quote",
    "RecipientError",
    "RenderError",
    "Rendered",
    "Section",
    "SendError",
    "Sender",
    "Settings",
    "Text",
    "__version__",
    "available_layouts",
    "fill_html",
    "fill_text",
    "load_layout",
    "render",
]

_LAZY = {"Asset", "Rendered", "render"}


def __getattr__(name: str) -> Any:
    """Import the renderer on first use (PEP 562)."""
    if name in _LAZY:
        from bulletin import rendering

        return getattr(rendering, name)
    raise AttributeError(f"module 'bulletin' has no attribute {name!r}")

"""bulletin: build and send email bulletins.

Build an :class:`Edition` in Python (or load one an editor wrote), then
:func:`render` it through a layout into send-ready HTML, a plain-text
alternative and its images::

    from datetime import date
    from bulletin import Edition, Settings, render

    edition = Edition("News - January 2025", date(2025, 1, 15))
    edition.section("Training").paragraph("Book **now**.").bullets(["One", "Two"])
    rendered = render(edition, Settings(publisher="Example Partnership"))

An editor's Markdown file is read with :func:`load`. The renderer (Jinja2,
mjml-python, premailer, Pillow) and the loader (PyYAML, markdown-it-py) are
imported on first use of :func:`render` and :func:`load`, so ``import bulletin``
stays quick.
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
    from bulletin.source import Source, load

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
    "Source",
    "Text",
    "__version__",
    "available_layouts",
    "fill_html",
    "fill_text",
    "load",
    "load_layout",
    "render",
]

_LAZY = {
    "Asset": "bulletin.rendering",
    "Rendered": "bulletin.rendering",
    "render": "bulletin.rendering",
    "Source": "bulletin.source",
    "load": "bulletin.source",
}


def __getattr__(name: str) -> Any:
    """Import the renderer and the file loader on first use (PEP 562)."""
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'bulletin' has no attribute {name!r}")

"""A rendered edition: what the renderer makes and mail and export take.

Pure data, so that building messages and sending them need no renderer.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Asset", "Rendered"]


@dataclass(frozen=True, slots=True)
class Asset:
    """A prepared image file, written to ``assets/`` or embedded with ``cid:``."""

    name: str
    """Content-hashed file name, e.g. ``3f2a9c1d0b7e4a55.jpg``."""
    data: bytes
    """The encoded bytes."""
    content_type: str
    """The MIME type."""
    width: int
    """Pixel width of the file."""
    height: int
    """Pixel height of the file."""

    @property
    def path(self) -> str:
        """Where the file goes relative to the output folder: ``assets/<name>``."""
        return f"assets/{self.name}"


@dataclass(frozen=True, slots=True)
class Rendered:
    """A rendered edition, ready to export or personalise and send."""

    subject: str
    """The subject line."""
    preheader: str
    """The inbox preview text."""
    html: str
    """The email's HTML, CSS inlined, with personal field markers."""
    text: str
    """The plain-text alternative, with personal field markers."""
    web_html: str
    """The "view online" page: the same content, no personal fields, ``noindex``."""
    assets: tuple[Asset, ...]
    """Prepared image files."""
    images_embedded: bool
    """True when the email refers to its images as ``cid:`` parts to embed; False
    when they are referred to at the settings' ``image_base_url``."""
    slug: str
    """A file-name form of the title, e.g. ``dscp-newsletter-january-2025``."""
    fields: frozenset[str]
    """The personal fields the HTML and text ask for, e.g. ``unsubscribe_url``."""
    variant: frozenset[str] = frozenset()
    """The audiences whose tagged parts the email holds (besides the untagged
    ones): empty for an edition that tags nothing, or for the untagged parts
    alone. The web copy always holds every part."""

    @property
    def embedded(self) -> tuple[Asset, ...]:
        """The images the email carries: those its HTML shows by ``cid:``.

        All of them for a whole edition; a digest shows fewer pictures than its
        web copy (which has :attr:`assets` all), so its message is lighter.
        None when the images are loaded from ``image_base_url``.
        """
        if not self.images_embedded:
            return ()
        return tuple(asset for asset in self.assets if f"cid:{asset.name}" in self.html)

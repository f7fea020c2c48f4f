"""The render pipeline: see :mod:`bulletin.rendering.pipeline` for the stages.

The pipeline (Jinja2, mjml-python, premailer, Pillow) is imported on first
use, so that :mod:`bulletin.rendering.layouts` can be read without it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bulletin.model.rendered import Asset, Rendered
    from bulletin.rendering.pipeline import render, render_variants

__all__ = ["Asset", "Rendered", "render", "render_variants"]

_LAZY = {
    "Asset": "bulletin.model.rendered",
    "Rendered": "bulletin.model.rendered",
    "render": "bulletin.rendering.pipeline",
    "render_variants": "bulletin.rendering.pipeline",
}


def __getattr__(name: str) -> Any:
    """Import the pipeline on first use (PEP 562)."""
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'bulletin.rendering' has no attribute {name!r}")

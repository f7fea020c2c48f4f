"""The render pipeline: see :mod:`bulletin.rendering.pipeline` for the stages."""

from bulletin.rendering.images import Asset
from bulletin.rendering.pipeline import Rendered, render

__all__ = ["Asset", "Rendered", "render"]

"""The numbers the rules measure against: Gmail's clip, a picture's weight, contrast."""

from __future__ import annotations

__all__ = ["GMAIL_CLIP_BYTES", "IMAGE_BUDGET_BYTES", "MIN_CONTRAST"]

GMAIL_CLIP_BYTES = 102 * 1024
"""Gmail hides everything after about this much HTML behind "View entire message"."""

IMAGE_BUDGET_BYTES = 200 * 1024
"""A picture heavier than this (after optimisation) is slow on a phone."""

MIN_CONTRAST = 4.5
"""The contrast text needs against its background (WCAG 2, level AA)."""

"""Images: local files resized, re-encoded and content-hashed; https URLs left as they are.

Each local image is scaled down to at most twice its display width (sharp on
high-density screens, no heavier than that), its EXIF orientation applied and
its metadata dropped (a phone photo's EXIF can carry where it was taken), and
re-encoded: PNG and GIF files (logos, diagrams, anything transparent) as
optimised PNG, photographs as JPEG at quality 82. The file name is a hash of the bytes, so an
unchanged image keeps its name. Prepared files are cached by path, size and
modification time, so a warm render does no image work.
"""

from __future__ import annotations

import functools
import hashlib
import io
import warnings
from collections.abc import Iterable
from pathlib import Path

from bulletin.errors import ContentError
from bulletin.model.blocks import Image
from bulletin.model.rendered import Asset
from bulletin.rendering.context import ImageRef

__all__ = ["prepare_images"]

FORMATS = ("PNG", "JPEG", "GIF", "WEBP")
"""The only picture formats opened, whatever a file's name says: Pillow would
otherwise read dozens, EPS among them, which starts Ghostscript."""

MAX_PIXELS = 40_000_000
"""The most pixels a picture may have (a 7,700 × 5,200 photo): enough for any
camera, and a ceiling on the memory one file can take (about 160 MB decoded)."""

JPEG_QUALITY = 82
SCALE = 2
"""Pixels per CSS pixel kept for high-density screens."""


def prepare_images(
    images: Iterable[tuple[Image, int]],
    base_dir: Path,
    *,
    base_url: str | None,
    web: bool = False,
) -> tuple[dict[Image, ImageRef], tuple[Asset, ...]]:
    """Prepare each ``(image, widest display width)``; return where each is and the files.

    Args:
        images: each image with the widest it may be shown, in CSS pixels.
        base_dir: the folder local image paths are relative to.
        base_url: where ``assets/`` is published; None embeds images (``cid:``).
        web: for the web copy, which refers to ``assets/<name>`` beside it when
            there is no base URL.

    Raises:
        ContentError: a local image is missing or is not a readable picture.
    """
    refs: dict[Image, ImageRef] = {}
    assets: dict[str, Asset] = {}
    for image, max_width in images:
        if image in refs:
            continue
        display = min(image.width or max_width, max_width)
        if image.is_remote:
            refs[image] = ImageRef(image.src, display, None)
            continue
        path = (base_dir / image.src).resolve()
        try:
            stat = path.stat()
        except OSError:
            raise ContentError(
                f"image {image.src!r} not found (looked for {path}); check the file name "
                "and that it sits beside the edition"
            ).within("image") from None
        asset = _prepare(path, stat.st_mtime_ns, stat.st_size, display * SCALE)
        assets[asset.name] = asset
        shown = min(display, asset.width)
        height = round(asset.height * shown / asset.width)
        if base_url is not None:
            src = f"{base_url}/{asset.path}"
        elif web:
            src = asset.path
        else:
            src = f"cid:{asset.name}"
        refs[image] = ImageRef(src, shown, height)
    return refs, tuple(assets.values())


@functools.lru_cache(maxsize=256)
def _prepare(path: Path, mtime_ns: int, size: int, max_pixels: int) -> Asset:
    """Resize and re-encode one file (cached on its path, time and size)."""
    from PIL import Image as Pillow
    from PIL import ImageOps, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            # MAX_PIXELS below is lower than Pillow's warning threshold.
            warnings.simplefilter("ignore", Pillow.DecompressionBombWarning)
            opened = Pillow.open(path, formats=FORMATS)
        with opened:
            if opened.width * opened.height > MAX_PIXELS:
                raise ContentError(
                    f"image {path.name!r} is {opened.width}×{opened.height} pixels, "
                    f"over the {MAX_PIXELS // 1_000_000} million bulletin opens; "
                    "save a smaller copy (2,000 pixels wide is plenty)"
                ).within("image")
            if getattr(opened, "is_animated", False):
                raise ContentError(
                    f"image {path.name!r} is animated; many mail clients show only its "
                    "first frame, so use a still picture"
                ).within("image")
            lossless = opened.format in ("PNG", "GIF") or opened.mode in (
                "RGBA",
                "LA",
                "P",
            )
            picture = ImageOps.exif_transpose(opened)
            picture.load()
    except (UnidentifiedImageError, Pillow.DecompressionBombError):
        raise ContentError(
            f"image {path.name!r} is not a PNG, JPEG, GIF or WebP picture bulletin can "
            "read; save it again as one of those"
        ).within("image") from None
    except OSError as error:
        raise ContentError(f"image {path.name!r} cannot be read: {error}").within(
            "image"
        ) from None
    if picture.width > max_pixels:
        if picture.mode in ("P", "1"):
            picture = picture.convert("RGBA")
        height = max(1, round(picture.height * max_pixels / picture.width))
        picture = picture.resize((max_pixels, height), Pillow.Resampling.LANCZOS)
    buffer = io.BytesIO()
    if lossless:
        if picture.mode not in ("RGB", "RGBA", "P", "L", "LA"):
            picture = picture.convert("RGBA")
        picture.save(buffer, "PNG", optimize=True)
        suffix, content_type = "png", "image/png"
    else:
        picture.convert("RGB").save(
            buffer, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True
        )
        suffix, content_type = "jpg", "image/jpeg"
    data = buffer.getvalue()
    name = f"{hashlib.sha256(data).hexdigest()[:16]}.{suffix}"
    return Asset(name, data, content_type, picture.width, picture.height)

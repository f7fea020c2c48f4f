"""Rules on pictures: alt text that says nothing, and files too heavy to send."""

from __future__ import annotations

import re
from collections.abc import Iterator

from bulletin.checking.base import Context, Found
from bulletin.checking.limits import IMAGE_BUDGET_BYTES
from bulletin.model.blocks import Image
from bulletin.rendering.images import prepare_images
from bulletin.rendering.pipeline import collect_images

__all__ = ["heavy_image", "vague_alt"]

_USELESS_ALT = re.compile(
    r"^(image|picture|photo|graphic|logo|img|pic|untitled|screenshot|dsc|dscn)?"
    r"[\s_-]*\d*$|\.(png|jpe?g|gif|webp)$",
    re.IGNORECASE,
)


def vague_alt(context: Context) -> Iterator[Found]:
    """Alt text such as "image" or a file name, which says nothing of the picture."""
    for block, path in context.blocks:
        if isinstance(block, Image) and _USELESS_ALT.search(block.alt.strip()):
            yield (
                f"alt text '{block.alt}' does not say what the picture shows; describe "
                "it, e.g. ![Children planting a tree in a school garden](...)",
                context.where(block, path, block.alt),
            )


def heavy_image(context: Context) -> Iterator[Found]:
    """A local picture over the budget even after it is resized and optimised."""
    pictures = [
        (block, path)
        for block, path in context.blocks
        if isinstance(block, Image) and not block.is_remote
    ]
    if not pictures:
        return
    sizes = _sizes(context)
    for image, path in pictures:
        size = sizes.get(image)
        if size is not None and size > IMAGE_BUDGET_BYTES:
            yield (
                f"picture {image.src} is {size / 1024:.0f} KB even after optimising; "
                f"keep pictures under {IMAGE_BUDGET_BYTES // 1024} KB (crop it, or show "
                "it smaller with ![alt|300](...))",
                context.where(image, path, image.src),
            )


def _sizes(context: Context) -> dict[Image, int]:
    """Each picture's size as it would be sent."""
    layout = context.layout
    refs, assets = prepare_images(
        collect_images(
            context.edition, context.settings, layout.width - 2 * layout.gutter
        ),
        context.source.base_dir,
        base_url=None,
    )
    sizes = {asset.name: len(asset.data) for asset in assets}
    return {
        image: sizes[ref.src.removeprefix("cid:")]
        for image, ref in refs.items()
        if ref.src.removeprefix("cid:") in sizes
    }

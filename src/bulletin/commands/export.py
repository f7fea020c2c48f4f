"""Write a rendered edition to files, atomically (see :mod:`bulletin.files`).

``<slug>.html`` (the email), ``<slug>.txt`` (its plain-text alternative),
``<slug>.web.html`` (the "view online" page) and ``assets/`` (the images).
Each file is written to a temporary name beside its target and renamed over
it, so a failed export leaves the previous files as they were.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from bulletin.files import write_atomic

if TYPE_CHECKING:
    from bulletin.model.rendered import Rendered

__all__ = ["export"]


def export(rendered: Rendered, folder: Path) -> list[Path]:
    """Write ``rendered`` into ``folder``; return the paths written.

    Images are written first and the pages last, so a page never refers to an
    image that is not there yet.
    """
    folder = Path(folder)
    written: list[Path] = []
    for asset in rendered.assets:
        target = folder / asset.path
        if not (target.is_file() and target.read_bytes() == asset.data):
            write_atomic(target, asset.data)
        written.append(target)
    pages = {
        f"{rendered.slug}.txt": rendered.text,
        f"{rendered.slug}.web.html": rendered.web_html,
        f"{rendered.slug}.html": rendered.html,
    }
    for name, content in pages.items():
        target = folder / name
        write_atomic(target, content.encode("utf-8"))
        written.append(target)
    return written

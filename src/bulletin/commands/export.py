"""Write a rendered edition to files, atomically.

``<slug>.html`` (the email), ``<slug>.txt`` (its plain-text alternative),
``<slug>.web.html`` (the "view online" page) and ``assets/`` (the images).
Each file is written to a temporary name beside its target and renamed over
it, so a failed export leaves the previous files as they were.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bulletin.rendering import Rendered

__all__ = ["export", "write_atomic", "written_aside"]


@contextlib.contextmanager
def written_aside(path: Path, data: bytes) -> Iterator[Path]:
    """Write ``data`` in full to a temporary file beside ``path``; remove it after.

    The caller moves it into place (rename or link), so readers of ``path``
    never see half a file.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    # Not mkstemp: its 0600 mode would outlive the rename; "x" honours the umask.
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    try:
        with temporary.open("xb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        yield temporary
    finally:
        temporary.unlink(missing_ok=True)


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so readers see the old file or the new, never half."""
    with written_aside(path, data) as temporary:
        temporary.replace(path)


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

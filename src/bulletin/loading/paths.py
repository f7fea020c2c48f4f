"""Where an edition's files may come from: inside the folders it was given."""

from __future__ import annotations

from pathlib import Path

__all__ = ["within"]


def within(path: Path, roots: tuple[Path, ...]) -> bool:
    """True when ``path``, symbolic links followed, is inside one of ``roots``.

    An edition file may come from someone else (SECURITY.md): a picture it
    names is embedded in every reader's email, so it must be one of the
    pictures beside it, not ``../../home/you/.ssh/id_rsa.png``.

    >>> within(Path("/news/images/a.png"), (Path("/news"),))
    True
    >>> within(Path("/news/../etc/a.png"), (Path("/news"),))
    False
    """
    resolved = path.resolve()
    return any(resolved.is_relative_to(root.resolve()) for root in roots)

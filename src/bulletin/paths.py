"""Where bulletin keeps its own files on this computer (never next to an edition).

Caches may be deleted at any time; nothing is lost but a little speed. The
``BULLETIN_CACHE_DIR`` environment variable moves the cache, and an empty
value turns it off.

State must be kept: the send journals, which know who has been sent an
edition. It lives on the local disk (an edition may sit on a network share,
where SQLite's locks cannot be trusted); ``BULLETIN_STATE_DIR`` moves it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

__all__ = ["cache_folder", "user_cache_root", "user_state_root"]


def user_cache_root() -> Path | None:
    """The per-user cache folder for bulletin, by the platform's convention."""
    override = os.environ.get("BULLETIN_CACHE_DIR")
    if override is not None:
        return Path(override) if override else None
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA")
        return Path(base) / "bulletin" / "Cache" if base else None
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "bulletin"
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "bulletin"


def cache_folder(name: str) -> Path | None:
    """A cache sub-folder, made if missing; None when it cannot be made."""
    root = user_cache_root()
    if root is None:
        return None
    folder = root / name
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError:
        return None
    return folder


def user_state_root() -> Path:
    """The per-user folder for bulletin's state (send journals), by the platform's convention."""
    override = os.environ.get("BULLETIN_STATE_DIR")
    if override:
        return Path(override)
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / "bulletin" / "State"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "bulletin"
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "bulletin"

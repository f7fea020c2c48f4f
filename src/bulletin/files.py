"""Files: where bulletin keeps its own on this computer, and writing any file whole.

Every file bulletin writes (an export, an outbox message, the suppression
list, a new project) is written in full beside its target and renamed over
it, so a reader never sees half a file and a failure leaves the old one.

bulletin's own files are never kept next to an edition.

Caches may be deleted at any time; nothing is lost but a little speed. The
``BULLETIN_CACHE_DIR`` environment variable moves the cache, and an empty
value turns it off. A cache file is only read back from a folder no other
user can write to (:func:`read_cache`), and a cache that cannot be written
is no error (:func:`write_cache`).

State must be kept: the send journals, which know who has been sent an
edition. It lives on the local disk (an edition may sit on a network share,
where SQLite's locks cannot be trusted); ``BULLETIN_STATE_DIR`` moves it.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import sys
from collections.abc import Iterator
from pathlib import Path

__all__ = [
    "cache_folder",
    "read_cache",
    "user_cache_root",
    "user_state_root",
    "write_atomic",
    "write_cache",
    "written_aside",
]


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


def read_cache(path: Path) -> bytes | None:
    """The bytes of a cache file that only this user could have written, or None.

    None when the file is missing or unreadable, or (on POSIX) when it or its
    folder belongs to someone else or the folder is writable by others: what
    is read back decides what bulletin writes, so it must be our own.
    """
    try:
        with path.open("rb") as file:
            if not (_own(os.fstat(file.fileno())) and _private(path.parent)):
                return None
            return file.read()
    except OSError:
        return None


def write_cache(path: Path, data: bytes) -> None:
    """Write a cache file whole, or, if that cannot be done, leave it (a cache is optional)."""
    with contextlib.suppress(OSError):
        write_atomic(path, data)


def _own(status: os.stat_result) -> bool:
    return sys.platform == "win32" or status.st_uid == os.geteuid()


def _private(folder: Path) -> bool:
    status = folder.stat()
    return _own(status) and (sys.platform == "win32" or not status.st_mode & 0o022)


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

"""An outbox folder: one ``.eml`` file per recipient, each written once.

``bulletin send --outbox DIR`` writes each recipient's message here instead
of sending it, to inspect, to hand to another mail system, or to drop into a
mail server's pickup folder. Each file is named after the edition and the
recipient, so running the same command again (after a crash, or with more
rows added to the list) writes only the messages not already there, and
never rewrites one: a file is written under a temporary name and linked into
place only if that name is still free.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from bulletin.files import written_aside

if TYPE_CHECKING:
    from bulletin.mail.message import PersonalMessage
    from bulletin.mail.recipients import Recipient

__all__ = ["TEST_FOLDER", "OutboxResult", "outbox_name", "write_new", "write_outbox"]

_UNSAFE = re.compile(r"[^a-z0-9@._+-]")
_MESSAGE_ID = re.compile(rb"^Message-ID: (<[^>\r\n]*>)", re.MULTILINE | re.IGNORECASE)


@dataclass(slots=True)
class OutboxResult:
    """What a run wrote into the outbox."""

    written: list[Path] = field(default_factory=list)
    """Files written by this run."""
    existing: list[Path] = field(default_factory=list)
    """Files already there from an earlier run, left as they were."""
    stale: list[Path] = field(default_factory=list)
    """Those of ``existing`` made from an earlier version of the edition (their
    Message-ID differs), also left as they were."""


TEST_FOLDER = "test-copies"
"""The outbox's sub-folder for test copies, so one can never take a real one's place."""


def outbox_name(slug: str, recipient: Recipient) -> str:
    """The file name of ``recipient``'s message: the edition, then the address.

    Example:
        >>> from bulletin.mail.recipients import Recipient
        >>> outbox_name("news-january-2025", Recipient("Ann@example.org"))
        'news-january-2025--ann@example.org.eml'
    """
    key = recipient.key
    safe = _UNSAFE.sub("_", key)[:150]
    if safe != key:
        # Two addresses must never share a file.
        safe += "-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:10]
    return f"{slug}--{safe}.eml"


def write_new(path: Path, data: bytes) -> bool:
    """Write ``data`` to ``path`` unless a file is there; return True if written.

    The file appears whole or not at all, and an existing one is never replaced,
    even by another run writing at the same moment.
    """
    with written_aside(path, data) as temporary:
        try:
            os.link(temporary, path)
        except FileExistsError:
            return False
        except OSError:
            # A file system without hard links: check, then rename.
            if path.exists():
                return False
            temporary.replace(path)
        return True


def write_outbox(
    folder: Path,
    slug: str,
    recipients: Iterable[Recipient],
    message_for: Callable[[Recipient], PersonalMessage],
    message_id_for: Callable[[Recipient], str],
    *,
    test: bool = False,
) -> OutboxResult:
    """Write each recipient's message into ``folder``, skipping those already there.

    A message is built only when its file is missing. A file already there
    whose Message-ID is not the one this edition gives is reported in
    ``stale``. Test copies (``test``) go into :data:`TEST_FOLDER` and are
    always rewritten.
    """
    if test:
        folder = folder / TEST_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    result = OutboxResult()
    for recipient in recipients:
        path = folder / outbox_name(slug, recipient)
        if test:
            path.unlink(missing_ok=True)
        elif path.exists():
            result.existing.append(path)
            if _message_id(path) != message_id_for(recipient):
                result.stale.append(path)
            continue
        if write_new(path, message_for(recipient).data):
            result.written.append(path)
        else:
            result.existing.append(path)
    return result


def _message_id(path: Path) -> str | None:
    """The Message-ID of the message in ``path``, from its first few lines."""
    with path.open("rb") as file:
        head = file.read(4096)
    match = _MESSAGE_ID.search(head)
    return match.group(1).decode("ascii") if match else None

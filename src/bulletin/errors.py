"""The one error tree of bulletin.

Every error the library raises on purpose is a ``BulletinError``, so a caller
(the CLI among them) can catch one type and print its message::

    BulletinError
    ├── ContentError          bad content: where it is and what would work
    ├── ContentErrorGroup     several ContentErrors of one source, reported together
    │                         (also an ExceptionGroup: catch with except* ContentError)
    ├── LayoutError           unknown layout, bad layout.toml, template or MJML faults
    ├── RenderError           a render stage failed (names the stage)
    ├── RecipientError        a recipient list or address is unusable
    ├── SendError             delivery failed
    │   ├── SendStoppedError  the server refused the session, sender or message:
    │   │                     the run stops and no reader is blamed
    │   └── JournalConflictError  the journal belongs to another version of the
    │                         edition or list, or another journal has this edition
    ├── PreviewError          the preview server or screenshots cannot run
    └── ServiceError          the unsubscribe service cannot start, or a sync
                              with it failed

Messages say what failed, where, and what would work, in one line. They name
no command-line option: an error that the CLI can suggest a flag for carries
what the CLI needs as attributes (e.g. :attr:`JournalConflictError.earlier`),
and the CLI adds the hint. A :class:`ContentError` from bulletin.toml or front
matter carries the key path of the setting at fault (:attr:`ContentError.key`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "BulletinError",
    "ContentError",
    "ContentErrorGroup",
    "JournalConflictError",
    "LayoutError",
    "Location",
    "PreviewError",
    "RecipientError",
    "RenderError",
    "SendError",
    "SendStoppedError",
    "ServiceError",
]


@dataclass(frozen=True, slots=True)
class Location:
    """Where a piece of content came from."""

    block: str = ""
    """The path to the block in the edition, e.g. ``section 2 "Events" > paragraph 3``."""
    file: Path | None = None
    """The source file, when the content was loaded from one."""
    line: int | None = None
    """1-based line in ``file``."""
    column: int | None = None
    """1-based column in ``file``."""

    def __str__(self) -> str:
        if self.file is None:
            return self.block
        place = str(self.file)
        if self.line is not None:
            place += f":{self.line}"
            if self.column is not None:
                place += f":{self.column}"
        return place


class BulletinError(Exception):
    """Base of every error bulletin raises on purpose."""


class ContentError(BulletinError, ValueError):
    """The edition's content is invalid.

    ``str(error)`` is one line: the location (``file:line:col`` when the
    content came from a file, else the block) followed by the problem.
    """

    def __init__(
        self,
        message: str,
        location: Location | None = None,
        *,
        fragment: str | None = None,
        key: tuple[str, ...] = (),
    ) -> None:
        super().__init__(message)
        self.message = message
        self.location = location or Location()
        self.fragment = fragment
        """The offending text as written (a link, a tag), for finding its column."""
        self.key = key
        """The setting at fault as a key path, e.g. ``("colours", "brand")``.

        Set by the model for a setting or front matter value, so the loader
        places the error at the line that wrote it, without reading the message.
        """

    def at(self, location: Location) -> ContentError:
        """Return a copy of this error placed at ``location``.

        The block path is kept if this error has one. The position (file, line,
        column) is taken whole, from this error if it already has a file, else
        from ``location``: a line from one file never meets a column from another.
        """
        mine = self.location
        position = mine if mine.file is not None else location
        merged = Location(
            block=mine.block or location.block,
            file=position.file,
            line=position.line,
            column=position.column,
        )
        return type(self)(self.message, merged, fragment=self.fragment, key=self.key)

    def within(self, block: str) -> ContentError:
        """Return a copy whose block path is prefixed with ``block``."""
        inner = self.location.block
        path = f"{block} > {inner}" if inner else block
        return type(self)(
            self.message,
            Location(
                path, self.location.file, self.location.line, self.location.column
            ),
            fragment=self.fragment,
            key=self.key,
        )

    def __str__(self) -> str:
        where = str(self.location)
        return f"{where}: {self.message}" if where else self.message


class ContentErrorGroup(ExceptionGroup[ContentError], BulletinError):  # noqa: N818 - an ExceptionGroup, named like one
    """Several content errors from one source, reported in one pass."""

    def __new__(cls, message: str, errors: Sequence[ContentError]) -> ContentErrorGroup:
        return super().__new__(cls, message, errors)

    def derive(self, excs: Sequence[ContentError]) -> ContentErrorGroup:  # type: ignore[override]  # narrower on purpose: a subgroup stays a ContentErrorGroup
        """Keep ``subgroup``, ``split`` and ``except*`` results in the bulletin tree."""
        return ContentErrorGroup(self.message, excs)

    def __str__(self) -> str:
        count = len(self.exceptions)
        lines = [f"{self.message} ({count} problem{'s' if count != 1 else ''})"]
        lines.extend(str(error) for error in self.exceptions)
        return "\n".join(lines)


class LayoutError(BulletinError):
    """A layout is unknown, misconfigured or emits invalid MJML."""


class RenderError(BulletinError):
    """A stage of the render pipeline failed; the message names the stage."""

    def __init__(self, stage: str, message: str) -> None:
        super().__init__(f"{stage}: {message}")
        self.stage = stage


class RecipientError(BulletinError):
    """A recipient list or address cannot be used."""


class SendError(BulletinError):
    """Delivery failed."""


class SendStoppedError(SendError):
    """The run cannot go on: the server refused the session, the sender or the message.

    No recipient is to blame. The journal keeps everyone's place, and the
    same command carries on once the cause is put right.
    """


class JournalConflictError(SendError):
    """The send journal does not match this run; nothing was sent.

    Either the edition or the list changed since the journal was started
    (:attr:`changes` says how), or this edition already has another journal
    (:attr:`earlier`, e.g. after the edition file was moved).
    """

    def __init__(
        self, message: str, *, changes: Sequence[str] = (), earlier: Path | None = None
    ) -> None:
        super().__init__(message)
        self.changes = tuple(changes)
        """What changed since the journal was started."""
        self.earlier = earlier
        """The journal already started for this edition, if that is the conflict."""


class PreviewError(BulletinError):
    """The preview cannot run: the port is taken, or no browser for screenshots."""


class ServiceError(BulletinError):
    """The unsubscribe service cannot start (no secret, a bad database), or a
    ``suppress sync`` with it failed (refused, unreachable, a bad answer)."""

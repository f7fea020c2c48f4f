"""Read an editor's text file: UTF-8 (with or without a BOM), any line endings.

A file that is not UTF-8 gets an error at the line and column of the first
byte that is not, with how to re-save it.
"""

from __future__ import annotations

from pathlib import Path

from bulletin.errors import ContentError, Location

__all__ = ["MAX_FILE_BYTES", "read_text"]

MAX_FILE_BYTES = 1024 * 1024
"""The largest editor's file read: 1 MB of text is some 150,000 words, ten times
Gmail's clip and sixteen times a long annual report, so a larger one is a
mistake (or an attack); the largest builds in seconds."""


def read_text(path: Path, *, shown: Path | None = None) -> str:
    """The text of ``path``, BOM removed and line endings made ``\\n``.

    Args:
        path: the file.
        shown: how to name the file in errors (``path`` when None).

    Raises:
        ContentError: the file cannot be read or is not UTF-8.
    """
    shown = shown or path
    try:
        with path.open("rb") as file:
            data = file.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        raise ContentError(
            f"cannot read the file: {error.strerror or error}", Location(file=shown)
        ) from None
    if len(data) > MAX_FILE_BYTES:
        raise ContentError(
            f"the file is over {MAX_FILE_BYTES // (1024 * 1024)} MB, far more than one "
            "bulletin holds; is it the right file?",
            Location(file=shown),
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        raise ContentError(
            "the file is not UTF-8 text; save it as UTF-8 (in Word or Notepad: "
            "Save As, Encoding: UTF-8)",
            Location(file=shown, line=line, column=column),
        ) from None
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")

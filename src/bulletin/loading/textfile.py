"""Read an editor's text file: UTF-8 (with or without a BOM), any line endings.

A file that is not UTF-8 gets an error at the line and column of the first
byte that is not, with how to re-save it.
"""

from __future__ import annotations

from pathlib import Path

from bulletin.errors import ContentError, Location

__all__ = ["read_text"]


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
        data = path.read_bytes()
    except OSError as error:
        raise ContentError(
            f"cannot read the file: {error.strerror or error}", Location(file=shown)
        ) from None
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

"""GFM pipe tables in an edition file -> :class:`~bulletin.model.blocks.Table`.

markdown-it reads a table quietly: a row with more cells than the heading row
loses the extra ones, and a table whose row of dashes does not match its
heading row is no table at all, just a paragraph of pipes. Here both are errors
on the row at fault, and a ``Table: words`` paragraph right above a table is its
caption.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from bulletin.loading.boxes import BoxError
from bulletin.model.blocks import Align, Table

if TYPE_CHECKING:
    from markdown_it.token import Token

__all__ = ["RowError", "caption_of", "read_table", "split_cells", "table_mistake"]

_CAPTION = re.compile(r"Table:[ \t]*(\S.*)", re.DOTALL | re.IGNORECASE)
_DELIMITER = re.compile(r"\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?")
_ALIGN: dict[str, Align] = {
    "text-align:left": "left",
    "text-align:center": "center",
    "text-align:right": "right",
}


class RowError(BoxError):
    """A problem on one row of a table (``line`` is 0-based within the body)."""


def caption_of(paragraph: str) -> str | None:
    """The caption a ``Table: words`` paragraph gives the table under it, if it is one."""
    match = _CAPTION.fullmatch(paragraph.strip())
    return match.group(1).strip() if match else None


def split_cells(line: str) -> list[tuple[int, str]]:
    """A table row's cells as ``(column, text)``, the column 1-based, as GFM splits it.

    The pipes at either end are optional; ``\\|`` is a pipe inside a cell.
    """
    cells: list[tuple[int, str]] = []
    stripped = line.rstrip()
    start = len(line) - len(line.lstrip())
    if stripped[start : start + 1] == "|":
        start += 1
    end = len(stripped)
    if end > start and stripped.endswith("|") and not stripped.endswith("\\|"):
        end -= 1
    cell_start, position = start, start
    while position < end:
        char = stripped[position]
        if char == "\\":
            position += 2
            continue
        if char == "|":
            cells.append((cell_start + 1, stripped[cell_start:position]))
            cell_start = position + 1
        position += 1
    cells.append((cell_start + 1, stripped[cell_start:end]))
    return cells


def table_mistake(paragraph: str) -> str | None:
    """What is wrong when a paragraph is rows of pipes that markdown-it did not read as a table."""
    lines = [line.strip() for line in paragraph.split("\n")]
    if len(lines) < 2 or not all(
        line.startswith("|") and "|" in line[1:] for line in lines
    ):
        return None
    heading = len(split_cells(lines[0]))
    if _DELIMITER.fullmatch(lines[1]):
        dashes = len(split_cells(lines[1]))
        return (
            f"this table's heading row has {_cells(heading)} but the row of dashes "
            f"under it has {dashes}; give each column one ---, e.g. "
            f"{_dashes(heading)}"
        )
    return (
        "these lines look like a table but have no row of dashes under the "
        f"headings; add one, e.g. {_dashes(heading)} (to show a | as it is, "
        "write \\|)"
    )


def read_table(tokens: list[Token], lines: list[str], caption: str | None) -> Table:
    """The table ``tokens`` (table_open to table_close) hold, read from ``lines``.

    Raises:
        RowError: a row has more or fewer cells than the heading row.
        ContentError: a cell's text is wrong (a bad link, raw HTML).
    """
    header: list[str] = []
    align: list[Align | None] = []
    rows: list[list[str]] = []
    for index, token in enumerate(tokens):
        if token.type == "th_open":
            style = str(token.attrs.get("style", ""))
            align.append(_ALIGN.get(style.replace(" ", "")))
            header.append(tokens[index + 1].content)
        elif token.type == "tr_open" and token.map:
            if header:  # a body row: check it against its source line
                _check_width(token.map[0], lines, len(header))
                rows.append([])
        elif token.type == "td_open":
            rows[-1].append(tokens[index + 1].content)
    return Table(header, rows, align=align, caption=caption)


def _check_width(line: int, lines: list[str], width: int) -> None:
    text = lines[line] if line < len(lines) else ""
    cells = split_cells(text)
    if len(cells) > width:
        raise RowError(
            f"this row has {_cells(len(cells))} but the table has {width} columns, "
            "so the rest would be lost; remove the extra cells or add a heading for "
            "each new column (and a --- under it)",
            line,
            cells[width][0],
        )
    if len(cells) < width:
        missing = width - len(cells)
        raise RowError(
            f"this row has {_cells(len(cells))} but the table has {width} columns; "
            f"add {missing} more (an empty cell is | |) so each value sits under "
            "its heading",
            line,
            len(text) - len(text.lstrip()) + 1,
        )


def _cells(count: int) -> str:
    return f"{count} cell{'s' if count != 1 else ''}"


def _dashes(columns: int) -> str:
    return "|" + " --- |" * max(columns, 1)

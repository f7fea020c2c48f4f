"""The wide-table check: a table with more columns than a phone shows."""

from __future__ import annotations

from pathlib import Path

from bulletin import load, render
from bulletin.checking.base import Context
from bulletin.checking.tables import PHONE_COLUMNS, wide_table
from bulletin.rendering.layouts import load_layout
from tests.checking.test_check import HEAD, write


def found(folder: Path, body: str) -> list[str]:
    source = load(write(folder, body))
    rendered = render(source.edition, source.settings, base_dir=source.base_dir)
    context = Context(source, rendered, load_layout("classic"))
    return [f"{where}: {message}" for message, where in wide_table(context)]


def table(columns: int) -> str:
    return (
        "| " + " | ".join(f"Head {n}" for n in range(columns)) + " |\n"
        "|" + " --- |" * columns + "\n"
        "| " + " | ".join(str(n) for n in range(columns)) + " |\n"
    )


def test_a_table_a_phone_shows_whole_is_not_flagged(tmp_path: Path) -> None:
    assert found(tmp_path, f"# Training\n\n{table(PHONE_COLUMNS)}") == []


def test_a_table_wider_than_a_phone_is_flagged_at_its_first_heading(
    tmp_path: Path,
) -> None:
    body = f"# Training\n\n## Courses\n\nText.\n\n{table(PHONE_COLUMNS + 1)}"
    line = HEAD.count("\n") + 7
    assert found(tmp_path, body) == [
        f"{tmp_path / 'edition.md'}:{line}:3: this table has 5 columns; on a phone "
        "more than 4 break words across lines. Leave out a column, split it into two "
        "tables, or link to the web copy, where a wide table scrolls sideways"
    ]

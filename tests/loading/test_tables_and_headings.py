"""Tables, ``###`` subheadings and linked headings in an edition file.

What is read is kept whole; what cannot be kept is refused with file:line:col.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bulletin import ContentError, ContentErrorGroup, Subheading, Table
from bulletin.loading.source import parse_markdown
from bulletin.loading.tables import caption_of, split_cells

HEAD = "---\ntitle: News - January 2025\ndate: 2025-01-15\n---\n"
"""Four lines: a body starts on line 5."""

TABLE = (
    "| Course | Date | Places |\n"
    "| :--- | :---: | ---: |\n"
    "| Neglect **basics** | 6 Feb | 12 |\n"
    "| [Online course](https://example.org/online) | 7 Feb | 3 |\n"
)


@pytest.fixture
def file(tmp_path: Path) -> Path:
    return tmp_path / "edition.md"


def problem(file: Path, text: str) -> str:
    """The one problem reading ``text`` reports, as the editor sees it."""
    with pytest.raises(ContentError) as caught:
        parse_markdown(text, file)
    assert not isinstance(caught.value, ContentErrorGroup), caught.value
    message = str(caught.value)
    assert "\n" not in message
    return message


def only_table(file: Path, body: str) -> Table:
    source = parse_markdown(HEAD + "# Training\n\n" + body, file)
    [block] = source.edition.sections[0].blocks
    assert isinstance(block, Table)
    return block


# Tables ---------------------------------------------------------------------------


def test_a_pipe_table_becomes_a_table_with_alignment(file: Path) -> None:
    table = only_table(file, TABLE)
    assert [str(cell) for cell in table.header] == ["Course", "Date", "Places"]
    assert [[cell.source for cell in row] for row in table.rows] == [
        ["Neglect **basics**", "6 Feb", "12"],
        ["[Online course](https://example.org/online)", "7 Feb", "3"],
    ]
    assert table.align == ("left", "center", "right")
    assert table.caption is None


def test_a_table_line_above_is_the_caption(file: Path) -> None:
    for gap in ("\n\n", "\n"):
        table = only_table(file, "Table: Courses in **2025**" + gap + TABLE)
        assert table.caption is not None
        assert table.caption.source == "Courses in **2025**"


def test_a_table_line_with_no_table_under_it_stays_a_paragraph(file: Path) -> None:
    source = parse_markdown(HEAD + "# Training\n\nTable: of contents\n", file)
    [block] = source.edition.sections[0].blocks
    assert str(block.text) == "Table: of contents"  # type: ignore[union-attr]


def test_a_table_is_placed_on_its_line(file: Path) -> None:
    source = parse_markdown(HEAD + "# Training\n\nText.\n\n" + TABLE, file)
    table = source.edition.sections[0].blocks[1]
    assert source.lines[id(table)] == 9


def test_an_escaped_pipe_stays_in_its_cell(file: Path) -> None:
    table = only_table(file, "| A | B |\n| - | - |\n| one \\| two | three |\n")
    assert [str(cell) for cell in table.rows[0]] == ["one | two", "three"]


def test_a_row_with_too_many_cells_is_refused_at_the_first_extra(file: Path) -> None:
    body = "# Training\n\n| A | B |\n| - | - |\n| 1 | 2 |\n| 3 | 4 | lost |\n"
    assert problem(file, HEAD + body) == (
        f"{file}:10:10: this row has 3 cells but the table has 2 columns, so the rest "
        "would be lost; remove the extra cells or add a heading for each new column "
        "(and a --- under it)"
    )


def test_a_row_with_too_few_cells_is_refused(file: Path) -> None:
    body = "# Training\n\n| A | B | C |\n| - | - | - |\n  | 1 | 2 |\n"
    assert problem(file, HEAD + body) == (
        f"{file}:9:3: this row has 2 cells but the table has 3 columns; add 1 more "
        "(an empty cell is | |) so each value sits under its heading"
    )


def test_rows_of_pipes_with_a_mismatched_dash_row_are_refused(file: Path) -> None:
    body = "# Training\n\n| A | B | C |\n| --- | --- |\n| 1 | 2 | 3 |\n"
    assert problem(file, HEAD + body) == (
        f"{file}:7:1: this table's heading row has 3 cells but the row of dashes "
        "under it has 2; give each column one ---, e.g. | --- | --- | --- |"
    )


def test_rows_of_pipes_without_a_dash_row_are_refused(file: Path) -> None:
    body = "# Training\n\n| A | B |\n| 1 | 2 |\n"
    assert problem(file, HEAD + body) == (
        f"{file}:7:1: these lines look like a table but have no row of dashes under "
        "the headings; add one, e.g. | --- | --- | (to show a | as it is, write \\|)"
    )


def test_a_bad_link_in_a_cell_is_placed_at_the_link(file: Path) -> None:
    body = "# Training\n\n| A | B |\n| - | - |\n| 1 | [x](javascript:alert(1)) |\n"
    message = problem(file, HEAD + body)
    assert message.startswith(f"{file}:9:11: ")
    assert "javascript:alert(1)" in message


def test_a_table_with_no_rows_is_refused(file: Path) -> None:
    message = problem(file, HEAD + "# Training\n\n| A | B |\n| - | - |\n")
    assert message == (
        f"{file}:7:1: table has a header but no rows; add at least one row under it"
    )


def test_split_cells_gives_each_cell_and_its_column() -> None:
    assert split_cells("| a | b |") == [(2, " a "), (6, " b ")]
    assert split_cells("a | b") == [(1, "a "), (4, " b")]
    assert split_cells("| a \\| b |") == [(2, " a \\| b ")]
    assert caption_of("Table: Dates") == "Dates"
    assert caption_of("table:  Dates ") == "Dates"
    assert caption_of("Table:") is None
    assert caption_of("Tables: x") is None


# Subheadings ---------------------------------------------------------------------


def test_a_third_level_heading_in_an_article_is_a_subheading(file: Path) -> None:
    body = "# Training\n\n## Courses\n\nIntro.\n\n### Dates\n\n6 Feb.\n"
    source = parse_markdown(HEAD + body, file)
    blocks = source.edition.sections[0].articles[0].blocks
    assert blocks[1] == Subheading("Dates")
    assert source.lines[id(blocks[1])] == 11


def test_a_third_level_heading_outside_an_article_says_what_to_write(
    file: Path,
) -> None:
    assert problem(file, HEAD + "# Training\n\nText.\n\n### Dates\n\nMore.\n") == (
        f"{file}:9:1: ### Dates is not inside an article; ### is a heading inside an "
        "article, so start one with ## Heading above it, or make this ## Dates an "
        "article"
    )
    assert problem(file, HEAD + "### Dates\n\n# Training\n\nText.\n") == (
        f"{file}:5:1: ### Dates comes before any # section; ### is a heading inside "
        "an article, so start a section (# Heading) and an article (## Heading) "
        "above it"
    )


@pytest.mark.parametrize("level", [4, 5, 6])
def test_headings_below_the_third_level_say_what_to_write(
    file: Path, level: int
) -> None:
    body = f"# Training\n\n## Courses\n\nText.\n\n{'#' * level} Deep\n\nMore.\n"
    assert problem(file, HEAD + body) == (
        f"{file}:11:1: {'#' * level} headings go deeper than a bulletin does; use # "
        "for a section, ## for an article, ### for a heading inside an article, or "
        "a **bold line**"
    )


# Linked headings -------------------------------------------------------------------


def test_a_linked_heading_keeps_its_link_at_every_level(file: Path) -> None:
    body = (
        "# [Annual Report](https://example.org/report)\n\nText.\n\n"
        "## [Summary](https://example.org/summary)\n\nText.\n\n"
        "### [Key dates](https://example.org/dates)\n\nText.\n"
    )
    section = parse_markdown(HEAD + body, file).edition.sections[0]
    assert (section.heading, section.link) == (
        "Annual Report",
        "https://example.org/report",
    )
    article = section.articles[0]
    assert (article.heading, article.link) == ("Summary", "https://example.org/summary")
    assert article.blocks[1] == Subheading(
        "Key dates", link="https://example.org/dates"
    )


def test_a_bold_linked_heading_keeps_its_link(file: Path) -> None:
    body = "# **[Annual Report](https://example.org/report)**\n\nText.\n"
    section = parse_markdown(HEAD + body, file).edition.sections[0]
    assert section.link == "https://example.org/report"


def test_a_link_over_part_of_a_heading_is_refused_at_the_link(file: Path) -> None:
    body = "# Read the [Annual Report](https://example.org/report)\n\nText.\n"
    assert problem(file, HEAD + body) == (
        f"{file}:5:12: a heading can be a link only as a whole; write # [Read the "
        "Annual Report](address) to link the whole heading, or put the link in a "
        "paragraph under it"
    )


def test_several_links_in_a_heading_are_refused(file: Path) -> None:
    body = (
        "# Training\n\n## [Courses](https://example.org/c) and "
        "[dates](https://example.org/d)\n\nText.\n"
    )
    assert problem(file, HEAD + body) == (
        f"{file}:7:4: a heading can be a link only as a whole; write ## [Courses and "
        "dates](address) to link the whole heading, or put the link in a paragraph "
        "under it"
    )


def test_a_heading_link_that_is_not_allowed_is_refused_at_it(file: Path) -> None:
    body = "# [Report](javascript:alert(1))\n\nText.\n"
    message = problem(file, HEAD + body)
    assert message.startswith(f"{file}:5:12: ")
    assert "javascript:alert(1)" in message

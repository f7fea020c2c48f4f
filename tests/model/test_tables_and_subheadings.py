"""Tables, subheadings and heading links in the model: validated when made."""

from __future__ import annotations

import datetime as dt

import pytest

from bulletin import (
    Article,
    ContentError,
    Edition,
    Paragraph,
    Section,
    Subheading,
    Table,
    Text,
    render,
)
from bulletin.model.tree import check_tree


def test_a_table_holds_header_rows_alignment_and_caption() -> None:
    table = Table(
        ["Course", "Date"],
        [["Neglect **basics**", "6 Feb"], ["[Online](https://example.org/)", ""]],
        align=["left", "right"],
        caption="Courses in *2025*",
    )
    assert [str(cell) for cell in table.header] == ["Course", "Date"]
    assert [[str(cell) for cell in row] for row in table.rows] == [
        ["Neglect basics", "6 Feb"],
        ["Online", ""],
    ]
    assert table.align == ("left", "right")
    assert str(table.caption) == "Courses in 2025"
    assert table.columns == 2
    assert table.rows[1][0].links()[0].href == "https://example.org/"
    same = Table(table.header, table.rows, align=table.align, caption=table.caption)
    assert same == table
    assert hash(same) == hash(table)


def test_a_table_without_align_leaves_each_column_to_the_layout() -> None:
    assert Table(["A", "B"], [["1", "2"]]).align == (None, None)
    assert Table(["A"], [["1"]], caption="").caption is None


@pytest.mark.parametrize(
    ("header", "rows", "message"),
    [
        (
            ["A", "B"],
            [["1", "2"], ["3"]],
            "table: row 2 has 1 cell but the table has 2 columns; add 1 (empty "
            "cells are '')",
        ),
        (
            ["A"],
            [["1", "2", "3"]],
            "table: row 1 has 3 cells but the table has 1 column; remove 2 or add a "
            "column heading",
        ),
        (
            ["A"],
            [],
            "table: table has a header but no rows; add at least one row under it",
        ),
        (
            [],
            [["1"]],
            "table: table has no columns; give the column headings, e.g. "
            "['Course', 'Date']",
        ),
        (
            "A",
            [["1"]],
            "table: table header must be a list of column headings, not a str; "
            "write e.g. ['Course', 'Date']",
        ),
        (
            ["A", "B"],
            ["1, 2"],
            "table: row 1 is a str, not a list of cells; write one cell per column, "
            "e.g. ['...', '...']",
        ),
    ],
)
def test_a_table_that_is_wrong_says_what_to_fix(
    header: object, rows: object, message: str
) -> None:
    with pytest.raises(ContentError) as caught:
        Table(header, rows)  # type: ignore[arg-type]
    assert str(caught.value) == message


def test_a_table_alignment_must_name_each_column() -> None:
    with pytest.raises(ContentError, match="must give each of the 2 columns"):
        Table(["A", "B"], [["1", "2"]], align=["left"])
    with pytest.raises(ContentError, match="'left', 'center', 'right' or None"):
        Table(["A"], [["1"]], align=["middle"])  # type: ignore[list-item]


def test_a_bad_link_in_a_cell_names_the_cell() -> None:
    with pytest.raises(ContentError) as caught:
        Table(["A", "B"], [["1", "[x](javascript:alert(1))"]])
    assert str(caught.value).startswith("table > row 1 > cell 2: ")


def test_the_table_builder_appends_and_names_its_place() -> None:
    edition = Edition("News", dt.date(2025, 1, 15))
    section = edition.section("Training").table(
        ["Course", "Date"], [["Basics", "6 Feb"]], align=[None, "center"]
    )
    assert isinstance(section.blocks[0], Table)
    article = section.article("Dates").table(["A"], [["1"]], caption="Key dates")
    assert isinstance(article.blocks[0], Table)
    with pytest.raises(ContentError) as caught:
        section.table(["A", "B"], [["1"]])
    assert str(caught.value).startswith("section 'Training' > block 2 > table: row 1")


def test_a_subheading_is_plain_words_and_an_optional_link() -> None:
    assert Subheading("  Dates  ") == Subheading("Dates")
    assert Subheading("Dates", link="https://example.org/").link == (
        "https://example.org/"
    )
    with pytest.raises(ContentError, match="subheading has no words"):
        Subheading(" ")
    with pytest.raises(ContentError, match="line break"):
        Subheading("Two\nlines")
    with pytest.raises(ContentError, match="'javascript:x' is not allowed"):
        Subheading("Dates", link="javascript:x")


def test_a_subheading_belongs_in_an_article_only() -> None:
    article = Article("Courses").subheading("Dates").paragraph("6 Feb")
    assert article.blocks[0] == Subheading("Dates")
    message = "a subheading belongs inside an article"
    with pytest.raises(ContentError, match=message):
        Section("Training", [Subheading("Dates")])
    edition = Edition("News", dt.date(2025, 1, 15))
    with pytest.raises(ContentError, match=message):
        edition.section("Training").add(Subheading("Dates"))
    with pytest.raises(ContentError, match=message):
        Edition("News", dt.date(2025, 1, 15), intro=[Subheading("Dates")])


def test_a_subheading_appended_outside_an_article_is_refused_before_rendering() -> None:
    edition = Edition("News", dt.date(2025, 1, 15))
    edition.section("Training", ["Text."]).blocks.append(Subheading("Dates"))
    with pytest.raises(ContentError) as caught:
        check_tree(edition)
    assert str(caught.value).startswith(
        "section 1 'Training' > block 2: a subheading belongs inside an article"
    )
    with pytest.raises(ContentError):
        render(edition)
    edition.intro.append(Subheading("Welcome"))
    with pytest.raises(ContentError, match="intro > block 1: a subheading"):
        check_tree(edition)


def test_sections_and_articles_take_a_checked_heading_link() -> None:
    edition = Edition("News", dt.date(2025, 1, 15))
    section = edition.section("Annual report", link="https://example.org/report")
    article = section.article("Summary", ["Text."], link="mailto:news@example.org")
    assert section.link == "https://example.org/report"
    assert article.link == "mailto:news@example.org"
    assert Section("Plain", [Paragraph(Text.markdown("x"))]).link is None
    with pytest.raises(ContentError) as caught:
        Section("Report", link="javascript:alert(1)")
    assert str(caught.value).startswith(
        "section 'Report': section heading link URL 'javascript:alert(1)' is not allowed"
    )
    with pytest.raises(ContentError, match="article 'Summary'"):
        Article("Summary", link="ftp://example.org/")

"""List items holding blocks, quotes of several paragraphs, footnotes, and a
section's closing: the model and its Python API."""

from __future__ import annotations

import datetime as dt

import pytest

from bulletin import (
    Article,
    BulletList,
    ContentError,
    Edition,
    Image,
    ListItem,
    Paragraph,
    Quote,
    Section,
    Subheading,
    Table,
)
from bulletin.model.blocks import MAX_LIST_DEPTH, Button
from bulletin.model.text import FootnoteRef, Run, Text
from bulletin.model.tree import check_tree
from bulletin.model.walk import block_texts, footnote_labels, nested_blocks

# List items holding blocks ---------------------------------------------------------


def test_a_list_item_holds_paragraphs_pictures_and_lists_after_its_text() -> None:
    picture = Image("images/x.png", "A picture")
    item = ListItem(
        "Neglect Basics",
        ["face to face"],
        blocks=["A second paragraph.", picture, BulletList(["one", "two"])],
    )

    assert str(item.text) == "Neglect Basics"
    assert [str(child.text) for child in item.children] == ["face to face"]
    assert item.blocks == (
        Paragraph("A second paragraph."),
        picture,
        BulletList(["one", "two"]),
    )


def test_the_list_shorthand_still_works_and_keeps_an_items_blocks() -> None:
    bullets = BulletList([ListItem("a", blocks=["More about a."]), ["a1"], "b"])

    assert bullets.items[0] == ListItem("a", ["a1"], blocks=["More about a."])
    assert bullets.items[1] == ListItem("b")


@pytest.mark.parametrize(
    ("blocks", "message"),
    [
        ([Quote("Said")], "a list item holds paragraphs, pictures"),
        ([Table(["a"], [["1"]])], "a list item holds paragraphs, pictures"),
        ("One paragraph", "must be a list of blocks, not a str"),
        ([""], "paragraph text is empty"),
    ],
)
def test_a_list_item_refuses_other_blocks(blocks: object, message: str) -> None:
    with pytest.raises(ContentError, match=message):
        ListItem("a", blocks=blocks)  # type: ignore[arg-type]  # wrong on purpose


def test_lists_inside_an_items_blocks_count_towards_the_depth_limit() -> None:
    inner: BulletList = BulletList(["deepest"])
    for _ in range(MAX_LIST_DEPTH - 1):
        inner = BulletList([ListItem("level", blocks=[inner])])
    assert inner  # six levels in all: allowed

    with pytest.raises(ContentError, match=f"nests {MAX_LIST_DEPTH + 1} levels"):
        BulletList([ListItem("top", blocks=[inner])])


def test_nested_blocks_walks_into_list_items_in_order() -> None:
    picture = Image("images/x.png", "A picture")
    bullets = BulletList(
        [ListItem("a", blocks=["para", picture, BulletList(["x"])]), "b"]
    )

    walked = list(nested_blocks([bullets, Paragraph("after")]))

    assert walked == [
        bullets,
        Paragraph("para"),
        picture,
        BulletList(["x"]),
        Paragraph("after"),
    ]


# Quotes ------------------------------------------------------------------------------


def test_a_quote_of_one_paragraph_is_written_as_before() -> None:
    quote = Quote("It was *very* useful.", "A delegate")

    assert [str(text) for text in quote.paragraphs] == ["It was very useful."]
    assert str(quote.text) == "It was very useful."
    assert str(quote.attribution) == "A delegate"


def test_a_quote_of_several_paragraphs() -> None:
    quote = Quote(["First.", "Second."], "A parent")

    assert [str(text) for text in quote.paragraphs] == ["First.", "Second."]
    assert [str(text) for text in block_texts(quote)] == [
        "First.",
        "Second.",
        "A parent",
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ([], "quote: quote text is empty"),
        (["One", ""], "quote: quote text is empty"),
        (3, "quote text must be a text or a list of paragraphs, not an int"),
    ],
)
def test_a_quote_needs_words_in_each_paragraph(text: object, message: str) -> None:
    with pytest.raises(ContentError, match=message):
        Quote(text)  # type: ignore[arg-type]  # wrong on purpose


# Footnotes -------------------------------------------------------------------------


def test_a_footnote_reference_is_an_inline_node() -> None:
    text = Text.markdown("Up 12%[^1] on **last year[^src]**.")

    assert text.nodes[1] == FootnoteRef("1")
    assert text.footnotes() == ["1", "src"]
    assert str(text) == "Up 12% on last year."


def test_a_bracket_with_a_space_is_text_not_a_reference() -> None:
    assert Text.markdown("a [^not one] b").nodes == (Run("a [^not one] b"),)


def test_notes_are_added_with_the_builder_and_checked_when_rendered() -> None:
    news = Edition("News", dt.date(2025, 1, 15))
    article = news.section("Report").article("Figures")
    article.paragraph("Up 12%[^1] and 3%[^2].").footnote("1", "Annual report.")
    article.footnote("2", "*Quarterly* figures.")

    check_tree(news)

    assert list(article.footnotes) == ["1", "2"]
    assert footnote_labels(article.blocks) == ["1", "2"]


def test_a_section_holds_notes_for_its_own_text_and_closing() -> None:
    section = Section(
        "Report",
        [Paragraph("Intro[^a].")],
        [Article("One", [Paragraph("Text.")])],
        closing=[Paragraph("Book now[^b].")],
        footnotes={"a": Text.markdown("Note a."), "b": Text.markdown("Note b.")},
    )
    news = Edition("News", dt.date(2025, 1, 15), sections=[section])

    check_tree(news)

    assert str(section.footnotes["b"]) == "Note b."


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (
            lambda a: a.paragraph("x[^1]"),
            r"\[\^1\] has no footnote; add it with article.footnote\('1', 'The note.'\)",
        ),
        (
            lambda a: a.paragraph("x").footnote("1", "n"),
            "footnote '1' is never referred to",
        ),
        (
            lambda a: a.paragraph("x[^1]").footnote("1", "n").footnote("1", "m"),
            "footnote '1' is given twice",
        ),
        (lambda a: a.footnote("one two", "n"), "must be a word without spaces"),
        (lambda a: a.footnote("1", ""), "the footnote is empty"),
        (lambda a: a.footnote("1", "see [^2]"), "cannot refer to another footnote"),
    ],
)
def test_footnote_mistakes_in_the_api(build: object, message: str) -> None:
    news = Edition("News", dt.date(2025, 1, 15))
    article = news.section("Report").article("Figures")

    def build_and_check() -> None:
        build(article)  # type: ignore[operator]  # the lambdas above
        check_tree(news)

    with pytest.raises(ContentError, match=message):
        build_and_check()


def test_a_label_belongs_to_one_article() -> None:
    news = Edition("News", dt.date(2025, 1, 15))
    section = news.section("Report")
    section.article("One").paragraph("x[^1]").footnote("1", "n")
    section.article("Two").paragraph("y[^1]").footnote("1", "m")

    with pytest.raises(ContentError, match="footnote '1' is given twice"):
        check_tree(news)


def test_a_reference_to_another_articles_note_says_whose_it_is() -> None:
    news = Edition("News", dt.date(2025, 1, 15))
    section = news.section("Report")
    section.article("One").paragraph("x[^1]").footnote("1", "n")
    section.article("Two").paragraph("y[^1]")

    with pytest.raises(
        ContentError, match="it is a note of section 'Report' > article 'One'"
    ):
        check_tree(news)


def test_the_intro_has_no_footnotes() -> None:
    news = Edition("News", dt.date(2025, 1, 15), intro=[Paragraph("Hello[^1].")])
    news.section("S").paragraph("x")

    with pytest.raises(ContentError, match=r"intro: \[\^1\] is in the introduction"):
        check_tree(news)


# A section's closing ---------------------------------------------------------------


def test_closing_blocks_are_added_after_the_articles() -> None:
    section = Section("Training")
    section.article("Course A").paragraph("About A.")
    section.add_closing("Book all courses online.", Button("Book", "https://e.org/b"))

    assert section.closing == [
        Paragraph("Book all courses online."),
        Button("Book", "https://e.org/b"),
    ]


def test_a_closing_holds_no_subheading_and_only_blocks() -> None:
    with pytest.raises(ContentError, match="a subheading belongs inside an article"):
        Section("S", closing=[Subheading("x")])
    news = Edition("News", dt.date(2025, 1, 15))
    section = news.section("S").paragraph("x")
    section.closing.append("a str")  # type: ignore[arg-type]  # wrong on purpose

    with pytest.raises(ContentError, match="section 1 'S' > closing > block 1"):
        check_tree(news)

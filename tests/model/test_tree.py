"""Anything that is not a block is refused, and the message names where it is."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import get_args

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bulletin.errors import ContentError
from bulletin.model.blocks import BLOCK_NAMES, Block, BulletList, ListItem, Paragraph
from bulletin.model.edition import Article, Edition, Section
from bulletin.model.text import Text
from bulletin.model.tree import check_tree

DAY = dt.date(2025, 1, 15)


def _message(action: Callable[[], object]) -> str:
    """Run ``action``, which must raise ContentError; return ``str(error)``."""
    with pytest.raises(ContentError) as caught:
        action()
    return str(caught.value)


def _edition() -> Edition:
    edition = Edition("News", DAY).add_intro("Welcome.")
    edition.section("Events").paragraph("Coming up.")
    training = edition.section("Training").paragraph("Book now.").bullets(["a"])
    training.article("Courses").paragraph("Online.")
    return edition


# Lists appended to directly ----------------------------------------------------


def test_a_well_built_edition_passes() -> None:
    check_tree(_edition())


def test_a_section_appended_directly_is_accepted() -> None:
    edition = _edition()
    edition.sections.append(Section("Later", [Paragraph("More.")]))

    check_tree(edition)


def test_str_in_section_blocks_names_section_and_block() -> None:
    edition = _edition()
    edition.sections[1].blocks.append("some text")  # type: ignore[arg-type]  # the wrong type is the point

    assert _message(lambda: check_tree(edition)) == (
        "section 2 'Training' > block 3: a str is not a block; "
        "wrap the text in Paragraph('some text')"
    )


def test_a_long_str_is_shortened_in_the_hint() -> None:
    edition = _edition()
    edition.intro.append("x" * 200)  # type: ignore[arg-type]  # the wrong type is the point

    message = _message(lambda: check_tree(edition))

    assert message.startswith("intro > block 2: a str is not a block;")
    assert message.endswith("x...')")
    assert len(message) < 120


def test_non_block_in_an_article_names_section_article_and_block() -> None:
    edition = _edition()
    edition.sections[1].articles[0].blocks.insert(0, Text.coerce("*x*"))  # type: ignore[arg-type]  # the wrong type is the point

    assert _message(lambda: check_tree(edition)) == (
        "section 2 'Training' > article 1 'Courses' > block 1: "
        "a Text is not a block; wrap it in Paragraph(...)"
    )


def test_sections_with_one_heading_are_told_apart_by_number() -> None:
    edition = _edition()
    edition.section("Events").blocks.append(None)  # type: ignore[arg-type]  # the wrong type is the point

    message = _message(lambda: check_tree(edition))

    assert message.startswith("section 3 'Events' > block 1: None is not a block; use ")
    assert message.endswith(BLOCK_NAMES)


@pytest.mark.parametrize(
    ("stray", "hint"),
    [
        (ListItem("x"), "a ListItem is not a block; put list items in a BulletList"),
        ([Paragraph("x")], "a list is not a block; to add several blocks use extend()"),
        (Section("S"), "a Section is not a block; add sections with edition.section"),
        (Article("A"), "an Article is not a block; add articles with section.article"),
        (42, f"an int is not a block; use {BLOCK_NAMES}"),
    ],
)
def test_a_stray_block_gets_a_hint_for_what_it_is(stray: object, hint: str) -> None:
    edition = _edition()
    edition.intro.append(stray)  # type: ignore[arg-type]  # the wrong type is the point

    assert _message(lambda: check_tree(edition)).startswith(f"intro > block 2: {hint}")


def test_str_appended_to_sections_says_how_to_add_one() -> None:
    edition = _edition()
    edition.sections.append("Later")  # type: ignore[arg-type]  # the wrong type is the point

    assert _message(lambda: check_tree(edition)) == (
        "section 3: a str is not a Section; add sections with edition.section('Later')"
    )


def test_str_appended_to_articles_says_how_to_add_one() -> None:
    edition = _edition()
    edition.sections[0].articles.append("Dates")  # type: ignore[arg-type]  # the wrong type is the point

    assert _message(lambda: check_tree(edition)) == (
        "section 1 'Events' > article 1: a str is not an Article; "
        "add articles with section.article('Dates')"
    )


def test_a_list_replaced_by_something_else_is_refused() -> None:
    edition = _edition()
    edition.sections[0].blocks = "Coming up."  # type: ignore[assignment]  # the wrong type is the point

    assert _message(lambda: check_tree(edition)) == (
        "section 1 'Events': blocks must be a list, not a str"
    )


_STRAYS = st.one_of(
    st.text(max_size=60),
    st.integers(),
    st.none(),
    st.lists(st.text(max_size=5), max_size=2),
    st.builds(lambda: ListItem("item")),
)


@st.composite
def _edition_with_a_stray(draw: st.DrawFn) -> tuple[Edition, str]:
    """A random edition with one non-block somewhere, and where it must be named."""
    count = st.integers(min_value=0, max_value=3)
    edition = Edition("News", DAY).add_intro(*["Intro."] * draw(count))
    containers: list[tuple[list[Block], str]] = [(edition.intro, "intro")]
    for number in range(1, draw(count) + 1):
        section = edition.section(f"S{number}", ["Text."] * draw(count))
        place = f"section {number} 'S{number}'"
        containers.append((section.blocks, place))
        for index in range(1, draw(count) + 1):
            article = section.article(f"A{number}.{index}", ["Text."] * draw(count))
            containers.append(
                (article.blocks, f"{place} > article {index} 'A{number}.{index}'")
            )
    blocks, place = draw(st.sampled_from(containers))
    position = draw(st.integers(min_value=0, max_value=len(blocks)))
    blocks.insert(position, draw(_STRAYS))  # type: ignore[arg-type]  # the wrong type is the point
    return edition, f"{place} > block {position + 1}: "


@given(_edition_with_a_stray())
def test_a_stray_anywhere_is_named_where_it_is(case: tuple[Edition, str]) -> None:
    edition, where = case

    message = _message(lambda: check_tree(edition))

    assert message.startswith(where)
    assert "is not a block; " in message
    assert "\n" not in message


# Blocks are values, fixed when made ---------------------------------------------


def test_block_names_name_every_block_of_the_union() -> None:
    names = BLOCK_NAMES.replace(" or ", ", ").split(", ")

    assert names == [kind.__name__ for kind in get_args(Block)]
    assert BLOCK_NAMES.startswith("Paragraph, BulletList, ")
    assert BLOCK_NAMES.endswith(" Callout, Table or Subheading")


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        (
            lambda: BulletList(["One", 2]),
            "bullet list: item 2 is an int, not a list item; write its text",
        ),
        (
            lambda: BulletList(["One", ["One a", None]], numbered=True),
            "numbered list: nested item 2 is None, not a list item",
        ),
        (
            lambda: BulletList(["One", Paragraph("Two")]),
            "bullet list: item 2 is a Paragraph, not a list item",
        ),
        (
            lambda: BulletList(["One", {"Two": 2}]),
            "bullet list: item 2 is a dict, not a list item",
        ),
        (
            lambda: BulletList(3),
            "bullet list: list items must be a list of texts, not an int",
        ),
        (
            lambda: ListItem("One", 2),
            "list item: list items must be a list of texts, not an int",
        ),
        (
            lambda: ListItem("One", ["One a", 2.5]),
            "list item: nested item 2 is a float, not a list item",
        ),
    ],
)
def test_non_text_in_a_list_is_refused_when_made(
    build: Callable[[], object], expected: str
) -> None:
    assert _message(build).startswith(expected)


def test_a_list_changed_with_replace_is_checked_again() -> None:
    bullets = BulletList(["One"])

    message = _message(lambda: dataclasses.replace(bullets, items=["One", 2]))

    assert message.startswith("bullet list: item 2 is an int, not a list item")


def test_list_items_cannot_be_appended_to() -> None:
    bullets = BulletList(["One", ["One a"]])

    assert isinstance(bullets.items, tuple)
    assert isinstance(bullets.items[0].children, tuple)
    with pytest.raises(dataclasses.FrozenInstanceError):
        bullets.items = (ListItem("Two"),)  # type: ignore[misc]  # frozen is the point

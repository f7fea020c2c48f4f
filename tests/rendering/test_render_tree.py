"""render() refuses an edition holding anything that is not a block, naming where."""

from __future__ import annotations

import datetime as dt

import pytest

from bulletin import ContentError, Edition, Paragraph, Section, render


def _edition() -> Edition:
    edition = Edition("News", dt.date(2025, 1, 15))
    edition.section("Events").paragraph("Coming up.")
    edition.section("Training").paragraph("Book now.").bullets(["One", "Two"])
    return edition


def test_str_appended_to_section_blocks_is_refused_naming_the_place() -> None:
    edition = _edition()
    edition.sections[1].blocks.append("some text")  # type: ignore[arg-type]  # the wrong type is the point

    with pytest.raises(ContentError) as caught:
        render(edition)

    assert str(caught.value) == (
        "section 2 'Training' > block 3: a str is not a block; "
        "wrap the text in Paragraph('some text')"
    )


def test_non_block_in_an_article_is_refused_naming_the_article() -> None:
    edition = _edition()
    edition.sections[0].article("Dates").blocks.append(42)  # type: ignore[arg-type]  # the wrong type is the point

    with pytest.raises(ContentError, match=r"^section 1 'Events' > article 1 'Dates'"):
        render(edition)


def test_non_block_in_the_intro_is_refused() -> None:
    edition = _edition()
    edition.intro.append("Welcome.")  # type: ignore[arg-type]  # the wrong type is the point

    with pytest.raises(ContentError, match=r"^intro > block 1: a str is not a block"):
        render(edition)


def test_section_appended_to_sections_is_rendered() -> None:
    edition = _edition()
    edition.sections.append(Section("Later", [Paragraph("Appended directly.")]))

    rendered = render(edition)

    assert "Appended directly." in rendered.html
    assert "Appended directly." in rendered.text
    assert "Later\n-----" in rendered.text


def test_str_appended_to_sections_is_refused_not_an_attribute_error() -> None:
    edition = _edition()
    edition.sections.append("Later")  # type: ignore[arg-type]  # the wrong type is the point

    with pytest.raises(ContentError) as caught:
        render(edition)

    assert str(caught.value) == (
        "section 3: a str is not a Section; add sections with edition.section('Later')"
    )


def test_str_appended_to_articles_is_refused() -> None:
    edition = _edition()
    edition.sections[1].articles.append("Courses")  # type: ignore[arg-type]  # the wrong type is the point

    with pytest.raises(ContentError, match=r"^section 2 'Training' > article 1: "):
        render(edition)

"""Blocks under a bullet, quotes of several paragraphs, footnotes, a section's
``::: closing`` and sections of pictures, read from an edition file.

What is read is kept whole; what cannot be kept is refused with file:line:col.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bulletin import (
    BulletList,
    ContentError,
    ContentErrorGroup,
    Image,
    ListItem,
    Paragraph,
    Quote,
)
from bulletin.loading.source import Source, parse_markdown
from bulletin.model.blocks import Button

HEAD = "---\ntitle: News - January 2025\ndate: 2025-01-15\n---\n"
"""Four lines: a body starts on line 5."""


@pytest.fixture
def file(tmp_path: Path) -> Path:
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "x.png").write_bytes(b"")
    return tmp_path / "edition.md"


def read(file: Path, body: str) -> Source:
    return parse_markdown(HEAD + body, file)


def problem(file: Path, body: str) -> str:
    """The one problem reading ``body`` reports, as the editor sees it."""
    with pytest.raises(ContentError) as caught:
        read(file, body)
    assert not isinstance(caught.value, ContentErrorGroup), caught.value
    message = str(caught.value)
    assert "\n" not in message
    return message.removeprefix(f"{file}:")


# Blocks under a bullet ---------------------------------------------------------------


def test_an_indented_paragraph_stays_under_its_bullet(file: Path) -> None:
    source = read(
        file,
        "# Training\n\n"
        "- Neglect Basics\n\n"
        "  Places are limited, so book early.\n\n"
        "  ![The course leaflet](images/x.png)\n\n"
        "  - face to face\n"
        "  - on Teams\n\n"
        "  Both run monthly.\n"
        "- Parental Substance Misuse\n",
    )

    [block] = source.edition.sections[0].blocks
    assert block == BulletList(
        [
            ListItem(
                "Neglect Basics",
                blocks=[
                    "Places are limited, so book early.",
                    Image("images/x.png", "The course leaflet"),
                    BulletList(["face to face", "on Teams"]),
                    "Both run monthly.",
                ],
            ),
            "Parental Substance Misuse",
        ]
    )


def test_a_list_right_under_the_words_is_still_the_nested_list(file: Path) -> None:
    source = read(file, "# T\n\n- One\n  - One a\n\n  More about one.\n")

    [block] = source.edition.sections[0].blocks
    assert block == BulletList([ListItem("One", ["One a"], blocks=["More about one."])])


def test_a_numbered_item_holds_paragraphs_too(file: Path) -> None:
    source = read(file, "# T\n\n1. Register\n\n   Use your work email.\n2. Book\n")

    [block] = source.edition.sections[0].blocks
    assert block == BulletList(
        [ListItem("Register", blocks=["Use your work email."]), "Book"],
        numbered=True,
    )


def test_an_unindented_paragraph_ends_the_list(file: Path) -> None:
    source = read(file, "# T\n\n- One\n\nNot in the list.\n")

    assert source.edition.sections[0].blocks == [
        BulletList(["One"]),
        Paragraph("Not in the list."),
    ]


@pytest.mark.parametrize(
    ("body", "where", "message"),
    [
        (
            "- ![A picture](images/x.png)\n",
            "7:3",
            "a list item starts with its words; put the picture on a line of its "
            "own under them, indented like the words",
        ),
        (
            "- One\n\n  ![](images/x.png)\n",
            "9:3",
            "image has no alt text — write ![what the picture shows](images/x.png)",
        ),
        (
            "- One\n\n  Read [this](www.example.org).\n",
            "9:15",
            "link URL 'www.example.org' is not allowed: an email has no base to "
            "resolve a relative link against; write the full https://... address",
        ),
        (
            "- One\n\n  > a quote\n",
            "7:1",
            "a list item holds text, pictures and lists only; put quotes, tables "
            "and boxes outside the list",
        ),
    ],
)
def test_what_a_list_item_cannot_hold(
    file: Path, body: str, where: str, message: str
) -> None:
    assert problem(file, "# T\n\n" + body) == f"{where}: {message}"


def test_blocks_under_bullets_count_towards_the_nesting_limit(file: Path) -> None:
    body = "".join(f"{'  ' * n}- x\n\n{'  ' * n}  more\n\n" for n in range(7))

    assert problem(file, "# T\n\n" + body) == (
        "7:1: this list nests 7 levels deep; a bulletin's lists nest at most 6, so "
        "bring the deepest items up a level or make them a list of their own"
    )


# Quotes --------------------------------------------------------------------------------


def test_a_quote_keeps_its_paragraphs_and_attribution(file: Path) -> None:
    source = read(
        file,
        "# T\n\n> The first paragraph.\n>\n> The second,\n> on two lines.\n>\n"
        "> The third.\n> — A parent\n",
    )

    [block] = source.edition.sections[0].blocks
    assert block == Quote(
        ["The first paragraph.", "The second,\non two lines.", "The third."],
        "A parent",
    )


def test_an_attribution_after_a_blank_quote_line(file: Path) -> None:
    source = read(file, "# T\n\n> One.\n>\n> Two.\n>\n> -- Sam\n")

    [block] = source.edition.sections[0].blocks
    assert block == Quote(["One.", "Two."], "Sam")


# Footnotes -----------------------------------------------------------------------------


def test_a_footnote_belongs_to_the_article_that_refers_to_it(file: Path) -> None:
    source = read(
        file,
        "# Report\n\nIntro[^s].\n\n## Figures\n\nUp 12%[^1], and [^long] again[^1].\n\n"
        "[^1]: The annual report.\n"
        "[^long]: A longer note,\n    over two lines.\n\n"
        "## Other\n\nNo notes.\n\n"
        "[^s]: The section's own note.\n",
    )

    [section] = source.edition.sections
    figures, other = section.articles
    assert {label: str(text) for label, text in figures.footnotes.items()} == {
        "1": "The annual report.",
        "long": "A longer note, over two lines.",
    }
    assert other.footnotes == {}
    assert {label: str(text) for label, text in section.footnotes.items()} == {
        "s": "The section's own note."
    }
    # The definitions are notes, not paragraphs of the article they follow.
    assert figures.blocks == [Paragraph("Up 12%[^1], and [^long] again[^1].")]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            "# S\n\nText[^1].\n",
            "7:5: [^1] refers to a footnote that is not written; add a line [^1]: "
            "and the note's text (after the paragraph, or at the end of the file)",
        ),
        (
            "# S\n\nText.\n\n[^1]: A note.\n",
            "9:1: footnote [^1] is never referred to; write [^1] in the text where "
            "it belongs, or remove the note",
        ),
        (
            "# S\n\nText[^1].\n\n[^1]: A note.\n[^1]: Again.\n",
            "10:1: footnote [^1] is defined twice (also on line 9); give this one "
            "another label, and refer to it by that",
        ),
        (
            "# S\n\n## A\n\nA[^1].\n\n## B\n\nSee [^1].\n\n[^1]: A note.\n",
            "13:5: [^1] is already the note of 'A'; a note belongs to one article: "
            "give this one a note of its own, e.g. [^1b] and a line [^1b]: ...",
        ),
        (
            "# S[^1]\n\nx[^1]\n\n[^1]: n\n",
            "5:4: a heading cannot have a footnote; put the [^...] in the text "
            "under the heading",
        ),
        (
            "# S\n\nx[^1]\n\n[^1]:\n",
            "9:1: footnote [^1] is empty; write its text after [^1]:",
        ),
        (
            "# S\n\nx[^1]\n\n[^1]: see [this](www.example.org)\n",
            "9:18: link URL 'www.example.org' is not allowed: an email has no base "
            "to resolve a relative link against; write the full https://... address",
        ),
        (
            "# S\n\n- x[^1]\n\n  [^1]: n\n",
            "9:3: a footnote's [^1]: line goes at the start of a line of its own, "
            "not inside a list or a quote; write it after the paragraph, or at the "
            "end of the file",
        ),
    ],
)
def test_footnote_mistakes(file: Path, body: str, message: str) -> None:
    assert problem(file, body) == message


def test_a_footnote_in_the_introduction_is_refused(file: Path) -> None:
    with pytest.raises(ContentErrorGroup) as caught:
        read(file, "Hello[^1].\n\n[^1]: A note.\n\n# S\n\nx\n")

    assert [
        str(error).removeprefix(f"{file}:") for error in caught.value.exceptions
    ] == [
        "5:6: [^1] is in the introduction, which has no footnotes; put the note's "
        "words in the text, or move it under a # section",
        "7:1: footnote [^1] is never referred to; write [^1] in the text where it "
        "belongs, or remove the note",
    ]


# A section's closing -------------------------------------------------------------------


CLOSING = (
    "# Training\n\n## Course A\n\nAbout A.\n\n## Course B\n\nAbout B.\n\n"
    "::: closing\nBook all courses on [our calendar](https://example.org/cal).\n\n"
    "::: button\n[Book now](https://example.org/book)\n:::\n:::\n"
)


def test_a_closing_box_holds_what_follows_the_last_article(file: Path) -> None:
    source = read(file, CLOSING + "\n# Next\n\nMore.\n")

    training, _ = source.edition.sections
    assert training.articles[-1].blocks == [Paragraph("About B.")]
    assert training.closing == [
        Paragraph("Book all courses on [our calendar](https://example.org/cal)."),
        Button("Book now", "https://example.org/book"),
    ]


def test_a_closing_box_may_be_a_sections_only_content(file: Path) -> None:
    source = read(file, "# Thanks\n\n::: CLOSING\nThank you for reading.\n:::\n")

    [section] = source.edition.sections
    assert section.blocks == []
    assert section.articles == []
    assert section.closing == [Paragraph("Thank you for reading.")]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            "::: closing\nx\n:::\n\n# S\n\ny\n",
            "5:1: a ::: closing box ends a section's articles, and belongs under a "
            "# section; here there is none above it",
        ),
        (
            CLOSING + "\nStray words.\n",
            "23:1: this comes after the ::: closing box of section 'Training', which "
            "ends the section; put it inside the box, or start a new # section "
            "above it",
        ),
        (
            CLOSING + "\n## Course C\n\nAbout C.\n",
            "23:1: ## Course C comes after the ::: closing box of section "
            "'Training', which ends its articles; move the box below this article, "
            "or start a new # section above it",
        ),
        (
            CLOSING + "\n::: closing\nAgain.\n:::\n",
            "23:1: section 'Training' already has a ::: closing box; put "
            "everything that follows its articles in one box",
        ),
        (
            "# S\n\n## A\n\na\n\n::: closing\nx\n",
            "11:1: the closing box is never closed; end it with a line holding "
            "only :::",
        ),
        (
            "# S\n\n## A\n\na\n\n::: closing Words\nx\n:::\n",
            "11:1: write ::: closing alone on its line; put 'Words' on a line "
            "inside the box",
        ),
        (
            "# S\n\n## A\n\na\n\n::: closing\n:::\n",
            "11:1: the closing box is empty; write what comes after the articles "
            "between the ::: lines, or remove the box",
        ),
        (
            "# S\n\n## A\n\na\n\n::: closing\n## B\nx\n:::\n",
            "12:1: a heading cannot go inside a ::: closing box; end the box with "
            "a ::: line above the heading",
        ),
    ],
)
def test_closing_box_mistakes(file: Path, body: str, message: str) -> None:
    assert problem(file, body) == message


# Sections of pictures or links ---------------------------------------------------------


def test_a_section_of_picture_links_one_per_line(file: Path) -> None:
    source = read(
        file,
        "# Our partners\n\n"
        "[![Durham County Council](images/x.png)](https://www.durham.gov.uk/)\n"
        "[![Durham Constabulary](images/x.png)](https://www.durham.police.uk/)\n"
        "![A plain picture](images/x.png)\n",
    )

    [section] = source.edition.sections
    assert section.blocks == [
        Image(
            "images/x.png", "Durham County Council", link="https://www.durham.gov.uk/"
        ),
        Image(
            "images/x.png", "Durham Constabulary", link="https://www.durham.police.uk/"
        ),
        Image("images/x.png", "A plain picture"),
    ]
    assert source.lines[id(section.blocks[1])] == 8


def test_a_section_of_links_one_per_line(file: Path) -> None:
    source = read(
        file, "# Links\n\n[One](https://example.org/1)\n[Two](https://example.org/2)\n"
    )

    [section] = source.edition.sections
    assert [str(block.text) for block in section.blocks] == ["One Two"]  # type: ignore[union-attr]


def test_a_wrong_picture_among_several_is_placed_on_its_line(file: Path) -> None:
    assert problem(
        file, "# P\n\n![One](images/x.png)\n![Two](images/missing.png)\n"
    ) == (
        f"8:8: image file images/missing.png not found (looked in {file.parent}); "
        "check the name, or put the picture there"
    )


# The editors' guide ---------------------------------------------------------------------


GUIDE = Path(__file__).resolve().parents[2] / "docs" / "editors.md"


def _guide_examples(label: str) -> list[str]:
    import re

    text = GUIDE.read_text(encoding="utf-8")
    return re.findall(rf"^{label}[^\n]*:\n\n```\n(.*?)```", text, re.S | re.M)


def test_the_guides_after_examples_build(file: Path) -> None:
    (file.parent / "images" / "leaflet.png").write_bytes(b"")
    examples = _guide_examples("After")
    assert len(examples) >= 4
    for example in examples:
        body = example if example.startswith("#") else "# Section\n\n" + example
        source = read(file, body)
        assert source.edition.sections

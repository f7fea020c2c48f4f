"""Inputs a review found slow, lost or mangled: each now refused or kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from bulletin.errors import ContentError, ContentErrorGroup
from bulletin.loading.source import parse_markdown

HEAD = "---\ntitle: News\ndate: 2025-01-15\n---\n"
"""Four lines: the body starts on line 5."""


def errors(tmp_path: Path, body: str) -> list[ContentError]:
    with pytest.raises((ContentError, ContentErrorGroup)) as caught:
        parse_markdown(HEAD + body, tmp_path / "edition.md")
    error = caught.value
    if isinstance(error, ContentErrorGroup):
        return [each for each in error.exceptions if isinstance(each, ContentError)]
    assert isinstance(error, ContentError)
    return [error]


def test_words_between_two_comments_on_a_line_are_refused(tmp_path: Path) -> None:
    [error] = errors(tmp_path, "# A\n\n<!-- a --> kept words <!-- b -->\n")
    assert "text after --> on the same line is left out" in error.message
    assert error.location.line == 7


def test_thousands_of_missing_notes_are_told_fifty_and_a_line(tmp_path: Path) -> None:
    body = "# A\n\n" + " ".join(f"x[^n{number}]" for number in range(300)) + "\n"
    found = errors(tmp_path, body)
    assert len(found) == 51
    assert found[-1].message.startswith("more footnote mistakes follow the first 50")


def test_a_closing_title_written_with_many_spaces_is_shown_short(
    tmp_path: Path,
) -> None:
    body = "# A\n\nx\n\n::: closing a" + " " * 5000 + "b\nz\n:::\n"
    [error] = errors(tmp_path, body)
    assert "write ::: closing alone on its line; put 'a b' on a line" in error.message
    assert len(error.message) < 200


def test_a_picture_width_follows_the_last_bar(tmp_path: Path) -> None:
    from PIL import Image

    Image.new("RGB", (40, 30)).save(tmp_path / "p.png")
    source = parse_markdown(
        HEAD + "# A\n\n![A red | blue square  |  120 px](p.png)\n",
        tmp_path / "edition.md",
    )
    [picture] = source.edition.sections[0].blocks
    assert picture.alt == "A red | blue square"  # type: ignore[union-attr]
    assert picture.width == 120  # type: ignore[union-attr]

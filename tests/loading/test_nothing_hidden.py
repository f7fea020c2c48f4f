"""Text a parser would silently drop is refused instead, at its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from bulletin import BulletList
from bulletin.errors import ContentError
from bulletin.loading.mdtokens import MAX_NESTING
from bulletin.loading.source import load, parse_markdown
from bulletin.loading.textfile import MAX_FILE_BYTES
from bulletin.model.blocks import MAX_LIST_DEPTH
from bulletin.model.text import MAX_TEXT_CHARS, Text

HEAD = "---\ntitle: News\ndate: 2025-01-15\n---\n# Training\n\n"
"""Six lines: the body's first block is on line 7."""


def problem(text: str, file: Path) -> ContentError:
    with pytest.raises(ContentError) as caught:
        parse_markdown(HEAD + text, file)
    assert "\n" not in str(caught.value), "one line"
    return caught.value


def nested_list(levels: int) -> str:
    return "".join(f"{'  ' * level}- level {level}\n" for level in range(levels))


def test_an_unclosed_comment_is_refused_where_it_opens(tmp_path: Path) -> None:
    error = problem(
        "Before.\n\n<!-- a note to self\n\nAfter, which would vanish.\n",
        tmp_path / "e.md",
    )

    assert error.location.line == 9
    assert error.location.column == 1
    assert "never closed" in error.message


def test_a_closed_comment_is_left_out_and_the_rest_kept(tmp_path: Path) -> None:
    body = parse_markdown(
        HEAD + "Before.\n\n<!-- a note\nover two lines -->\n\nAfter.\n",
        tmp_path / "e.md",
    )

    texts = [str(block.text) for block in body.edition.sections[0].blocks]  # type: ignore[union-attr]
    assert texts == ["Before.", "After."]


def test_text_after_a_comment_on_its_line_is_refused(tmp_path: Path) -> None:
    error = problem("<!-- note --> Important words\n", tmp_path / "e.md")

    assert (error.location.line, error.location.column) == (7, 11)
    assert "put it on a line of its own" in error.message


def test_a_list_deeper_than_a_bulletin_nests_is_refused(tmp_path: Path) -> None:
    error = problem(nested_list(MAX_LIST_DEPTH + 1), tmp_path / "e.md")

    assert error.location.line == 7
    assert f"nests {MAX_LIST_DEPTH + 1} levels deep" in error.message


def test_the_deepest_list_allowed_is_kept_whole(tmp_path: Path) -> None:
    body = parse_markdown(HEAD + nested_list(MAX_LIST_DEPTH), tmp_path / "e.md")

    block = body.edition.sections[0].blocks[0]
    assert isinstance(block, BulletList)
    item, depth = block.items[0], 1
    while item.children:
        item, depth = item.children[0], depth + 1
    assert depth == MAX_LIST_DEPTH
    assert str(item.text) == f"level {MAX_LIST_DEPTH - 1}"


@pytest.mark.parametrize(
    "text",
    [nested_list(MAX_NESTING), "> " * MAX_NESTING + "deep\n"],
    ids=["lists", "quotes"],
)
def test_nesting_past_what_the_parser_reads_is_refused_not_cut(
    text: str, tmp_path: Path
) -> None:
    error = problem(text, tmp_path / "e.md")

    assert error.location.line is not None
    assert error.location.line >= 7


def test_the_python_api_refuses_a_list_too_deep() -> None:
    items: list[object] = ["deepest"]
    for _ in range(MAX_LIST_DEPTH):
        items = ["item", items]

    with pytest.raises(ContentError, match="levels deep"):
        BulletList(items)  # type: ignore[arg-type]  # nested on purpose


def test_a_paragraph_past_the_longest_text_is_refused(tmp_path: Path) -> None:
    error = problem("word " * (MAX_TEXT_CHARS // 5 + 1) + "\n", tmp_path / "e.md")

    assert error.location.line == 7
    assert "split it into paragraphs" in error.message


def test_text_of_the_longest_length_is_kept() -> None:
    assert len(str(Text.markdown("a" * MAX_TEXT_CHARS))) == MAX_TEXT_CHARS


def test_a_file_too_large_is_refused_before_it_is_read_whole(tmp_path: Path) -> None:
    path = tmp_path / "edition.md"
    path.write_bytes(HEAD.encode() + b"x" * MAX_FILE_BYTES)

    with pytest.raises(ContentError, match="is it the right file") as caught:
        load(path)

    assert caught.value.location.file == path

"""Front matter cannot make the loader loop, balloon or run anything."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from bulletin.errors import ContentError
from bulletin.loading.frontmatter import MAX_FRONT_MATTER_CHARS
from bulletin.loading.source import parse_markdown

BODY = "# Training\n\nText.\n"


def laughs(levels: int = 9) -> str:
    """The "billion laughs": each level nine aliases of the one before."""
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    names = "abcdefghijklmnopqrstuvwxyz"
    for level in range(1, levels):
        lines.append(
            f"{names[level]}: &{names[level]} ["
            + ", ".join([f"*{names[level - 1]}"] * 9)
            + "]"
        )
    return "\n".join(lines) + "\n"


def problem(front: str, tmp_path: Path) -> ContentError:
    with pytest.raises(ContentError) as caught:
        parse_markdown(f"---\n{front}---\n{BODY}", tmp_path / "edition.md")
    assert "\n" not in str(caught.value)
    return caught.value


def test_the_billion_laughs_is_refused_at_once(tmp_path: Path) -> None:
    started = time.perf_counter()

    error = problem("title: News\ndate: 2025-01-15\n" + laughs(), tmp_path)

    assert time.perf_counter() - started < 1
    assert error.location.line == 4
    assert error.message.startswith("front matter may not use an anchor (&name)")


@pytest.mark.parametrize(
    ("front", "place", "what"),
    [
        ("title: News\ndate: 2025-01-15\nx: &a [*a]\n", (4, 4), "an anchor"),
        ("title: News\ndate: 2025-01-15\nintro: *nothing\n", (4, 8), "an alias"),
        ("title: !!str 2025\ndate: 2025-01-15\n", (2, 8), "a tag"),
        ("title: News\ndate: !!timestamp 2025-01-15\n", (3, 7), "a tag"),
    ],
    ids=["self-reference", "alias", "str-tag", "timestamp-tag"],
)
def test_references_and_tags_are_refused_at_their_place(
    front: str, place: tuple[int, int], what: str, tmp_path: Path
) -> None:
    error = problem(front, tmp_path)

    assert (error.location.line, error.location.column) == place
    assert error.message.startswith(f"front matter may not use {what}")


def test_front_matter_over_the_cap_is_refused(tmp_path: Path) -> None:
    filler = "# " + "x" * 70 + "\n"
    front = "title: News\ndate: 2025-01-15\n" + filler * (MAX_FRONT_MATTER_CHARS // 70)

    error = problem(front, tmp_path)

    assert error.location.line == 1
    assert "is the closing --- missing?" in error.message


def test_quoted_values_that_look_like_references_are_kept(tmp_path: Path) -> None:
    source = parse_markdown(
        '---\ntitle: "News &a *b !!c"\ndate: 2025-01-15\n---\n' + BODY,
        tmp_path / "edition.md",
    )

    assert source.edition.title == "News &a *b !!c"

"""Nothing an editor writes is lost: every word reaches the email, the web copy and the text.

Hypothesis writes editions from the supported grammar (sections, articles and
sub-headings, linked or not, paragraphs with bold, italic and links, nested
lists with paragraphs under their bullets, quotes of several paragraphs with
attribution, footnotes, boxes, pictures, dividers, tables with captions, a
section's ``::: closing``), each word a unique marker. Whatever loads must
show every marker in the email's HTML, the web copy's HTML and the plain text.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import html as lxml_html  # type: ignore[import-untyped]  # no type information

from bulletin import render
from bulletin.loading.source import parse_markdown

HEAD = "---\ntitle: News\ndate: 2025-01-15\n---\n"

Words = Callable[[], str]
Notes = list[str] | None
"""Where the footnote definitions of the current article or section go; None
where there can be none (the intro)."""


def _phrase(draw: st.DrawFn, word: Words) -> str:
    return " ".join(word() for _ in range(draw(st.integers(1, 3))))


def _inline(draw: st.DrawFn, word: Words, notes: Notes = None) -> str:
    parts = []
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["plain", "bold", "italic", "link"]))
        phrase = _phrase(draw, word)
        if kind == "bold":
            phrase = f"**{phrase}**"
        elif kind == "italic":
            phrase = f"*{phrase}*"
        elif kind == "link":
            phrase = f"[{phrase}](https://example.org/{word()})"
        if notes is not None and draw(st.integers(0, 5)) == 0:
            label = f"n{len(_LABELS)}"
            _LABELS.append(label)
            phrase += f"[^{label}]"
            notes.append(f"[^{label}]: {_inline(draw, word)}")
        parts.append(phrase)
    return " ".join(parts)


_LABELS: list[str] = []
"""Footnote labels handed out: each new one is unique (across examples too)."""


def _list(
    draw: st.DrawFn, word: Words, marker: str, notes: Notes, depth: int = 0
) -> list[str]:
    lines = []
    for _ in range(draw(st.integers(1, 3))):
        lines.append(f"{'   ' * depth}{marker} {_inline(draw, word, notes)}")
        if depth < 2 and draw(st.booleans()):
            lines.extend(_list(draw, word, marker, notes, depth + 1))
        if draw(st.integers(0, 3)) == 0:
            # A paragraph under the same bullet: a blank line, indented.
            lines.extend(["", f"{'   ' * (depth + 1)}{_inline(draw, word, notes)}", ""])
    return lines


def _block(draw: st.DrawFn, word: Words, notes: Notes = None) -> str:
    kind = draw(
        st.sampled_from(
            [
                "paragraph",
                "paragraph",
                "bullets",
                "numbers",
                "quote",
                "callout",
                "event",
                "contact",
                "button",
                "image",
                "divider",
                "table",
            ]
        )
    )
    if kind == "paragraph":
        return _inline(draw, word, notes)
    if kind == "bullets":
        return "\n".join(_list(draw, word, "-", notes))
    if kind == "numbers":
        return "\n".join(_list(draw, word, "1.", notes))
    if kind == "quote":
        paragraphs = [
            f"> {_inline(draw, word, notes)}" for _ in range(draw(st.integers(1, 3)))
        ]
        quote = "\n>\n".join(paragraphs)
        return quote + (f"\n> — {_phrase(draw, word)}" if draw(st.booleans()) else "")
    if kind == "callout":
        return f"::: callout {_phrase(draw, word)}\n{_inline(draw, word, notes)}\n:::"
    if kind == "event":
        return (
            f"::: event {_phrase(draw, word)}\ndate: 2025-02-06\n"
            f"location: {_phrase(draw, word)}\ndetails: {_inline(draw, word, notes)}\n:::"
        )
    if kind == "contact":
        return (
            f"::: contact {_phrase(draw, word)}\nname: {_phrase(draw, word)}\n"
            f"address: {_phrase(draw, word)}, {_phrase(draw, word)}\n:::"
        )
    if kind == "button":
        return f"::: button\n[{_phrase(draw, word)}](https://example.org/{word()})\n:::"
    if kind == "image":
        return f"![{_phrase(draw, word)}](images/x.png)"
    if kind == "table":
        return _table(draw, word, notes)
    return "---"


def _table(draw: st.DrawFn, word: Words, notes: Notes) -> str:
    columns = draw(st.integers(1, 4))
    caption = f"Table: {_phrase(draw, word)}\n" if draw(st.booleans()) else ""
    header = [_phrase(draw, word) for _ in range(columns)]
    rows = [
        [_inline(draw, word, notes) for _ in range(columns)]
        for _ in range(draw(st.integers(1, 3)))
    ]
    lines = [header, ["---"] * columns, *rows]
    return caption + "\n".join("| " + " | ".join(cells) + " |" for cells in lines)


def _heading(draw: st.DrawFn, word: Words, marks: str) -> str:
    phrase = _phrase(draw, word)
    if draw(st.booleans()):
        phrase = f"[{phrase}](https://example.org/{word()})"
    return f"{marks} {phrase}"


@st.composite
def editions(draw: st.DrawFn) -> tuple[str, list[str]]:
    """An edition's Markdown, and every marker word written in it."""
    counter = itertools.count()
    written: list[str] = []

    def word() -> str:
        marker = f"qz{next(counter)}x"
        written.append(marker)
        return marker

    # Footnote definitions go under what refers to them, or all at the end.
    at_end = draw(st.booleans())
    last: list[str] = []

    def blocks(low: int, high: int) -> list[str]:
        notes: list[str] = []
        made = [_block(draw, word, notes) for _ in range(draw(st.integers(low, high)))]
        (last if at_end else made).extend(notes)
        return made

    parts = [_block(draw, word) for _ in range(draw(st.integers(0, 2)))]
    for _ in range(draw(st.integers(1, 3))):
        parts.append(_heading(draw, word, "#"))
        parts.extend(blocks(1, 3))
        for _ in range(draw(st.integers(0, 2))):
            parts.append(_heading(draw, word, "##"))
            parts.extend(blocks(1, 3))
            if draw(st.booleans()):
                parts.append(_heading(draw, word, "###"))
                parts.extend(blocks(1, 2))
        if draw(st.integers(0, 2)) == 0:
            # What comes after the section's last article.
            inside = blocks(1, 2)
            notes = [part for part in inside if part.startswith("[^")]
            body = [part for part in inside if not part.startswith("[^")]
            parts.append("::: closing\n" + "\n\n".join(body) + "\n:::")
            parts.extend(notes)
    parts.extend(last)
    return HEAD + "\n\n".join(parts) + "\n", written


def _shown(document: str) -> str:
    """What a reader of this HTML can get at: its text, alt texts and links."""
    tree = lxml_html.fromstring(document)
    for hidden in tree.xpath("//style | //title | //head"):
        hidden.drop_tree()
    pieces: Iterator[str] = itertools.chain(
        [tree.text_content()],
        tree.xpath("//img/@alt"),
        tree.xpath("//a/@href"),
    )
    return " ".join(pieces)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from PIL import Image as Pillow

    path = tmp_path_factory.mktemp("lost")
    (path / "images").mkdir()
    Pillow.new("RGB", (40, 20), (30, 90, 160)).save(path / "images" / "x.png")
    return path


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edition=editions())
def test_every_word_written_reaches_every_copy(
    folder: Path, edition: tuple[str, list[str]]
) -> None:
    markdown, written = edition
    source = parse_markdown(markdown, folder / "edition.md")

    rendered = render(source.edition, source.settings, base_dir=folder)

    copies = {
        "email": _shown(rendered.html),
        "web copy": _shown(rendered.web_html),
        "text": rendered.text,
    }
    for name, copy in copies.items():
        missing = [marker for marker in written if marker not in copy]
        assert not missing, f"{name} lacks {missing} of:\n{markdown}"

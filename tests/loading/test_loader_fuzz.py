"""Fuzzing the edition loader: any text is read, or refused with placed ContentErrors.

Whatever an editor types, ``parse_markdown`` returns a :class:`Source` or raises
a :class:`ContentError` / :class:`ContentErrorGroup` whose every error names the
file and a line in it. No other exception may escape.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bulletin.errors import ContentError, ContentErrorGroup
from bulletin.loading.source import Source, parse_markdown

HEAD = "---\ntitle: News - January 2025\ndate: 2025-01-15\n---\n"

FRONT_LINES = [
    "---",
    "...",
    "title: News - January 2025",
    "title: News: January",
    "titel: News",
    "date: 2025-01-15",
    "date: next week",
    "digest: maybe",
    "digest: true",
    "language: no",
    "language: cy",
    "intro: Hello **there**",
    "intro: <b>hi</b>",
    "layout: modern",
    "colours:",
    "  brand: '#1d4f91'",
    "  brand: blue",
    "logo:",
    "  src: images/x.png",
    "  alt: Logo",
    "view_online_url: javascript:alert(1)",
    "utm:",
    "  medium: email",
    "- a list",
    "key: [unclosed",
    "title: !!python/name:os.system",
    "? [complex]",
    ": value",
    "anchor: &a 1",
    "alias: *b",
]

BODY_LINES = [
    "# Training",
    "## Neglect",
    "### Deeper",
    "#### Deeper still",
    "- item",
    "  - nested item",
    "* other marker",
    "1. first",
    "2. second",
    "   1. nested number",
    "> a quote",
    "> — A parent",
    ">",
    "::: button",
    "::: event",
    "::: event Talk",
    "::: callout More information",
    "::: contact Contact us",
    "::: buton",
    ":::",
    "[Book](https://example.org/book)",
    "title: Time to Talk",
    "date: 2025-02-06",
    "date: Thursday 6th February 2025",
    "date: 2025-02-03 to 2025-02-09",
    "date: 2025-02-09 to 2025-02-03",
    "date: someday",
    "tiem: 10am",
    "phone: 03000 265770",
    "phone: call us",
    "email: news@example.org",
    "website: www.example.org",
    "link: javascript:alert(1)",
    '![A class|280](images/x.png "caption")',
    "![A map](x.png)",
    "![](x.png)",
    "![No such](images/missing.png)",
    "[![Logo](x.png)](https://example.org/)",
    "[![Logo](x.png)](javascript:x)",
    "text ![inline](x.png) text",
    "[a link](https://example.org)",
    "[bad](javascript:alert(1))",
    "[rel](/relative)",
    "[space](my page.html)",
    "Dear {{ first_name | colleague }},",
    "{{",
    "{{ Bad Name }}",
    "}}",
    "<b>bold</b>",
    "<div>",
    "<!-- comment -->",
    "---",
    "***",
    "",
    "",
    "Text with **bold**, *italic* and a hard break\\",
    "    indented four spaces",
    "```",
    "[ref]: https://example.org",
    "===",
    "&nbsp;&#0;&amp;",
]

# Free text mixed into the grammar: anything but line breaks (the grammar makes
# those) and lone surrogates (which no file can hold).
BODY_TEXT = st.text(
    st.characters(blacklist_characters="\r\n", blacklist_categories=("Cs",)),
    max_size=15,
)
FRONT_TEXT = BODY_TEXT
INDENTS = ["  ", "   ", "\t", "> ", "- ", "1. "]


def grammar_line(
    lines: list[str], free: st.SearchStrategy[str]
) -> st.SearchStrategy[str]:
    """One line: a line of the grammar, free text, or the two combined."""
    return st.one_of(
        st.sampled_from(lines),
        free,
        st.tuples(st.sampled_from(lines), free).map("".join),
        st.tuples(st.sampled_from(INDENTS), st.sampled_from(lines)).map("".join),
    )


@st.composite
def documents(draw: st.DrawFn) -> str:
    """A plausible edition file: front matter (perhaps broken), then a body."""
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    bom = draw(st.sampled_from(["", "", "\ufeff"]))
    kind = draw(st.sampled_from(["good", "good", "fuzzed", "none"]))
    if kind == "good":
        head = HEAD.replace("\n", newline)
    elif kind == "fuzzed":
        inner = draw(st.lists(grammar_line(FRONT_LINES, FRONT_TEXT), max_size=8))
        head = newline.join(["---", *inner, "---"]) + newline
    else:
        head = ""
    body = draw(st.lists(grammar_line(BODY_LINES, BODY_TEXT), max_size=30))
    if not head:
        # Else a first line --- would make the body's free text front matter.
        body.insert(0, "Dear colleague,")
    return bom + head + newline.join(body)


@pytest.fixture(scope="module")
def edition_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An edition's path in a folder where some of the grammar's images exist."""
    from PIL import Image as Pillow

    folder = tmp_path_factory.mktemp("fuzz")
    (folder / "images").mkdir()
    Pillow.new("RGB", (8, 8)).save(folder / "images" / "x.png")
    Pillow.new("RGB", (8, 8)).save(folder / "x.png")
    return folder / "edition.md"


def check(text: str, path: Path) -> None:
    """``text`` reads, or every error it raises is a placed ContentError."""
    try:
        source = parse_markdown(text, path)
    except ContentErrorGroup as group:
        errors = list(group.exceptions)
        assert len(errors) >= 2
    except ContentError as error:
        errors = [error]
    else:
        assert isinstance(source, Source)
        return
    lines = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    count = lines.count("\n") + 1
    for error in errors:
        assert isinstance(error, ContentError)
        assert error.location.file == path, error
        assert error.location.line is not None, error
        assert 1 <= error.location.line <= count + 1, error
        assert error.location.column is None or error.location.column >= 1, error
        assert str(error).startswith(f"{path}:{error.location.line}"), error
        assert "\n" not in str(error), error


@settings(max_examples=300, deadline=None)
@given(text=st.text())
def test_arbitrary_text(edition_path: Path, text: str) -> None:
    check(text, edition_path)


@settings(max_examples=300, deadline=None)
@given(text=documents())
@example(text=HEAD + "# Training\nText.\n\n## Neglect\n<b>x</b>\n")
@example(text="\ufeff---\r\ntitle: T\r\n---\r\n::: event\r\ndate: soon\r\n")
@example(text=HEAD + "::: callout\n")
@example(text="---\n---\n")
def test_grammar_documents(edition_path: Path, text: str) -> None:
    check(text, edition_path)


@settings(max_examples=300, deadline=None)
@given(body=st.text())
@example(body="#\nText.\n")
def test_arbitrary_body_after_front_matter(edition_path: Path, body: str) -> None:
    check(HEAD + body, edition_path)


@settings(max_examples=300, deadline=None)
@given(front=st.text())
@example(front="title: News\x1f")
def test_arbitrary_front_matter(edition_path: Path, front: str) -> None:
    check(f"---\n{front}\n---\nHello.\n", edition_path)

"""Inline text: the Markdown subset, plain text, personal fields and link checks."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bulletin.errors import ContentError
from bulletin.model.links import ALLOWED_SCHEMES, check_link
from bulletin.model.text import Emphasis, Field, LineBreak, Link, Run, Strong, Text

# Parsing ---------------------------------------------------------------------


def test_markdown_parses_links_bold_and_italic() -> None:
    text = Text.markdown("Read [the report](https://example.org/r) **now**, *please*.")

    assert text.nodes == (
        Run("Read "),
        Link("https://example.org/r", (Run("the report"),)),
        Run(" "),
        Strong((Run("now"),)),
        Run(", "),
        Emphasis((Run("please"),)),
        Run("."),
    )
    assert text.source == "Read [the report](https://example.org/r) **now**, *please*."


def test_markdown_nests_markup_inside_a_link() -> None:
    text = Text.markdown("[a **b**](https://example.org)")

    assert text.nodes == (
        Link("https://example.org", (Run("a "), Strong((Run("b"),)))),
    )


@pytest.mark.parametrize("source", ["line\\\nnext", "line  \nnext"])
def test_markdown_hard_breaks(source: str) -> None:
    assert Text.markdown(source).nodes == (Run("line"), LineBreak(), Run("next"))


def test_markdown_soft_break_is_a_space_merged_into_one_run() -> None:
    assert Text.markdown("one\ntwo").nodes == (Run("one two"),)


def test_adjacent_runs_are_merged() -> None:
    # The escape and entity rules emit separate tokens; they join into one run.
    assert Text.markdown("a \\*b\\* &amp; c").nodes == (Run("a *b* & c"),)


def test_equal_sources_give_equal_texts() -> None:
    assert Text.markdown("a \\*b") == Text.markdown("a \\*b")
    assert Text.markdown("a \\*b") != Text.markdown("a *b*")


def test_personal_field() -> None:
    assert Text.markdown("Dear {{ first_name }}").nodes == (
        Run("Dear "),
        Field("first_name"),
    )


@pytest.mark.parametrize(
    "source", ["{{ first_name | colleague }}", "{{first_name|colleague}}"]
)
def test_personal_field_with_default(source: str) -> None:
    text = Text.markdown(f"Dear {source},")

    assert text.nodes == (Run("Dear "), Field("first_name", "colleague"), Run(","))


def test_str_removes_markup_and_shows_field_defaults() -> None:
    text = Text.markdown(
        "Dear {{ first_name | colleague }}, **read** [this](https://example.org)\\\n*now*"
    )

    assert str(text) == "Dear colleague, read this\nnow"


def test_str_of_a_field_without_default_is_empty() -> None:
    assert str(Text.markdown("Hi {{ first_name }}!")) == "Hi !"


def test_links_lists_nested_links_in_order() -> None:
    text = Text.markdown("[a](https://a.org) **[b](https://b.org)**")

    assert [link.href for link in text.links()] == ["https://a.org", "https://b.org"]


def test_a_text_of_only_a_field_is_truthy() -> None:
    assert Text.markdown("{{ first_name }}")
    assert not Text.markdown("   ")


# Plain text ------------------------------------------------------------------


@pytest.mark.parametrize("source", ["**x**", "<b>x</b>", "[a](javascript:x)", "*"])
def test_plain_takes_markup_literally(source: str) -> None:
    text = Text.plain(source)

    assert text.nodes == (Run(source),)
    assert str(text) == source


def test_plain_empty_has_no_nodes() -> None:
    assert Text.plain("").nodes == ()


@pytest.mark.parametrize("source", ["{{ first_name }}", "a {{ b", "{{{"])
def test_plain_refuses_double_braces(source: str) -> None:
    with pytest.raises(ContentError, match=r"'\{\{' in .* is not a personal field"):
        Text.plain(source)


def test_coerce_keeps_a_text_and_parses_a_str() -> None:
    plain = Text.plain("**x**")

    assert Text.coerce(plain) is plain
    assert Text.coerce("**x**").nodes == (Strong((Run("x"),)),)


def test_coerce_refuses_other_types() -> None:
    with pytest.raises(ContentError, match=r"expected text .* got int"):
        Text.coerce(3)  # type: ignore[arg-type]  # the wrong type is the point


# What is refused -------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "html"),
    [
        ("<b>x</b>", "<b>"),
        ("<script>alert(1)</script>", "<script>"),
        ("a <a href='https://x.org'>x</a>", "<a href='https://x.org'>"),
        ("<!-- note -->", "<!-- note -->"),
    ],
)
def test_raw_html_is_refused(source: str, html: str) -> None:
    with pytest.raises(ContentError) as caught:
        Text.markdown(source)

    message = str(caught.value)
    assert "raw HTML is not allowed" in message
    assert repr(html) in message
    assert "**bold**" in message


def test_inline_image_is_refused() -> None:
    with pytest.raises(
        ContentError, match=r"picture cannot sit inside text.*line of its own"
    ):
        Text.markdown("See ![a chart](https://example.org/chart.png)")


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "data:text/html,hi",
        "ftp://example.org/file",
    ],
)
def test_link_with_disallowed_scheme_is_refused(url: str) -> None:
    with pytest.raises(ContentError) as caught:
        Text.markdown(f"[x]({url})")

    message = str(caught.value)
    assert repr(url) in message
    assert "use https://, http://, mailto: or tel:" in message


@pytest.mark.parametrize("url", ["page.html", "/news/", "//example.org/x"])
def test_relative_link_is_refused(url: str) -> None:
    with pytest.raises(ContentError) as caught:
        Text.markdown(f"[x]({url})")

    message = str(caught.value)
    assert repr(url) in message
    assert "no base to resolve a relative link" in message


def test_link_without_host_is_refused() -> None:
    with pytest.raises(ContentError, match="'https://' has no host"):
        Text.markdown("[x](https://)")


@pytest.mark.parametrize(
    "url", ["https://example.org/a b", "https://example.org/\x00", "\thttps://a.org"]
)
def test_check_link_refuses_spaces_and_control_characters(url: str) -> None:
    with pytest.raises(ContentError) as caught:
        check_link(url)

    assert repr(url) in str(caught.value)
    assert "%20" in str(caught.value)


def test_check_link_names_what_the_link_is() -> None:
    with pytest.raises(ContentError, match=r"^button URL 'ftp://x/y'"):
        check_link("ftp://x/y", what="button")
    with pytest.raises(ContentError, match=r"^button has no URL"):
        check_link("", what="button")


def test_markdown_link_with_a_space_is_refused() -> None:
    with pytest.raises(ContentError, match=re.escape("https://example.org/a b")):
        Text.markdown("[x](https://example.org/a b)")


def test_angle_bracketed_link_with_a_space_is_percent_encoded() -> None:
    text = Text.markdown("[x](<https://example.org/a b>)")

    assert [link.href for link in text.links()] == ["https://example.org/a%20b"]


@pytest.mark.parametrize(
    "url",
    [
        "https://example.org/path?q=1",
        "http://example.org",
        "mailto:news@example.org",
        "tel:+441234567890",
    ],
)
def test_allowed_links(url: str) -> None:
    text = Text.markdown(f"[x]({url})")

    assert text.nodes == (Link(url, (Run("x"),)),)
    assert check_link(url) == url


def test_autolink_is_a_link() -> None:
    assert Text.markdown("<https://example.org>").nodes == (
        Link("https://example.org", (Run("https://example.org"),)),
    )


def test_allowed_schemes() -> None:
    assert ALLOWED_SCHEMES == ("https", "http", "mailto", "tel")


# Fields as links and stray braces --------------------------------------------


@pytest.mark.parametrize(
    "source",
    ["[unsubscribe]({{unsubscribe_url}})", "[unsubscribe](<{{ unsubscribe_url }}>)"],
)
def test_field_link_becomes_its_marker(source: str) -> None:
    assert Text.markdown(source).nodes == (
        Link("{{unsubscribe_url}}", (Run("unsubscribe"),)),
    )


def test_field_link_with_spaces_becomes_its_marker() -> None:
    assert Text.markdown("[unsubscribe]({{ unsubscribe_url }})").nodes == (
        Link("{{unsubscribe_url}}", (Run("unsubscribe"),)),
    )


@pytest.mark.parametrize("url", ["{{ unsubscribe_url }}", " {{unsubscribe_url}} "])
def test_check_link_turns_a_field_into_its_marker(url: str) -> None:
    assert check_link(url) == "{{unsubscribe_url}}"


@pytest.mark.parametrize(
    "source", ["{{ Bad Name }}", "a {{ b", "{{", "x {{ a | b {{ c }}"]
)
def test_stray_double_braces_are_refused(source: str) -> None:
    with pytest.raises(ContentError) as caught:
        Text.markdown(source)

    message = str(caught.value)
    assert "is not a personal field" in message
    assert repr(source) in message
    assert "{{ first_name }}" in message


@pytest.mark.parametrize("source", ["{{ Bad }}", "{{first-name}}", "[x]({{ Bad }})"])
def test_invalid_field_name_is_refused(source: str) -> None:
    with pytest.raises(ContentError, match="is not a valid personal field"):
        Text.markdown(source)


@pytest.mark.parametrize("source", ["{", "}}", "{ {"])
def test_single_braces_are_text(source: str) -> None:
    assert Text.markdown(source).nodes == (Run(source),)


# Properties ------------------------------------------------------------------

_PIECES = st.sampled_from(
    [
        *"ab {}|*_[]()<>!\\\n:/`&#",
        "{{",
        "}}",
        "https://example.org",
        "javascript:",
        "mailto:",
        "first_name",
        "<b>",
        "](",
        "&amp;",
        "  \n",
    ]
)
_SOURCES = st.one_of(st.text(), st.lists(_PIECES, max_size=30).map("".join))


@given(_SOURCES)
def test_markdown_returns_text_or_raises_content_error(source: str) -> None:
    try:
        result = Text.markdown(source)
    except ContentError:
        return
    assert isinstance(result, Text)
    assert result.source == source


@given(_SOURCES)
def test_plain_round_trips_or_refuses_double_braces(source: str) -> None:
    try:
        result = Text.plain(source)
    except ContentError:
        assert "{{" in source
        return
    assert "{{" not in source
    assert str(result) == source


@settings(max_examples=500, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(
            list("ab .,-:;é“()#%+='\"\t\u00a0\u2028\u3000~^|$@*_[]<>\\{}&!`\n")
        ),
        max_size=30,
    )
)
def test_plain_text_fast_path_matches_the_parser(source: str) -> None:
    """Text without markup skips markdown-it; the result must be the parser's."""
    from bulletin.model.text import _PLAIN, _convert, _merge, _parser

    if _PLAIN.fullmatch(source):
        parsed = _merge(_convert(_parser().parseInline(source)[0].children or []))
        assert Text.markdown(source).nodes == parsed

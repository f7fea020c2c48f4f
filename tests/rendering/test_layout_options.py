"""What editors asked for: a clickable logo, an optional date line, whole words in slugs."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from bulletin import Edition, Image, Settings, render
from bulletin.loading.source import load
from bulletin.model.slugs import SLUG_LENGTH, slugify

LAYOUTS = ("classic", "compact")


def edition() -> Edition:
    news = Edition("News - January 2025", dt.date(2025, 1, 15))
    news.section("Training").paragraph("Book a place.")
    return news


def test_the_logo_links_where_the_settings_say(make_png: Callable[..., Path]) -> None:
    logo = Image(
        str(make_png("logo.png")), "Example Partnership", link="https://example.org/"
    )

    html = render(edition(), Settings(logo=logo)).html

    assert re.search(
        r'<a href="https://example.org/"[^>]*>\s*<img alt="Example Partnership"', html
    )


def test_a_logo_without_a_link_is_not_a_link(make_png: Callable[..., Path]) -> None:
    logo = Image(str(make_png("logo.png")), "Example Partnership")

    html = render(edition(), Settings(logo=logo)).html

    assert not re.search(r"<a [^>]*>\s*<img alt=\"Example Partnership\"", html)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_the_date_line_shows_unless_turned_off(layout: str) -> None:
    shown = render(edition(), Settings(), layout=layout)
    hidden = render(edition(), Settings(show_date=False), layout=layout)

    for copy in (shown.html, shown.text, shown.web_html):
        assert "15 January 2025" in copy
    for copy in (hidden.html, hidden.text, hidden.web_html):
        assert "15 January 2025" not in copy
        assert "News - January 2025" in copy


def test_compact_with_neither_publisher_nor_date_writes_no_empty_line() -> None:
    html = render(edition(), Settings(show_date=False), layout="compact").html

    assert not re.search(r'<p class="small"[^>]*>\s*</p>', html)


def test_show_date_can_be_turned_off_in_front_matter(tmp_path: Path) -> None:
    path = tmp_path / "edition.md"
    path.write_text(
        "---\ntitle: News - January 2025\ndate: 2025-01-15\nshow_date: false\n---\n"
        "# Training\n\nBook a place.\n",
        encoding="utf-8",
    )

    source = load(path)

    assert source.settings.show_date is False


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        (
            "Durham Safeguarding Children Partnership newsletter for County Durham",
            "durham-safeguarding-children-partnership-newsletter-for",
        ),
        ("What's New", "whats-new"),
        ("x" * 70, "x" * SLUG_LENGTH),
        ("!!!", "section"),
    ],
)
def test_a_slug_ends_at_a_words_end(title: str, slug: str) -> None:
    assert slugify(title) == slug
    assert len(slugify(title)) <= SLUG_LENGTH

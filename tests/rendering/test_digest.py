"""Digest mode: each article's lead paragraph and a link to the rest on the web copy."""

from __future__ import annotations

import datetime as dt

import pytest

from bulletin import (
    Button,
    ContentError,
    Edition,
    Event,
    Image,
    Paragraph,
    Settings,
    render,
)

SETTINGS = Settings(view_online_url="https://example.org/news/{slug}.html")


def edition() -> Edition:
    news = Edition("News", dt.date(2025, 1, 15))
    training = news.section("Training")
    training.article(
        "Safe sleeping",
        [
            Paragraph("**Safe Sleeping / Safe Handling**"),
            Paragraph("Following safer sleep advice reduces the risk."),
            Paragraph("A second paragraph only the web copy shows."),
            Event("Safe sleeping course", dt.date(2025, 2, 6)),
            Button("Book a place", "https://example.org/book"),
        ],
    )
    return news


def test_the_email_shows_the_lead_the_dates_and_a_link_to_the_rest() -> None:
    rendered = render(edition(), SETTINGS, digest=True)

    assert "Following safer sleep advice reduces the risk." in rendered.text
    assert "A second paragraph only the web copy shows." not in rendered.text
    assert "Safe sleeping course" in rendered.text
    assert "Book a place" in rendered.text
    assert "Read more about Safe sleeping" in rendered.text
    assert 'href="https://example.org/news/news.html#safe-sleeping"' in rendered.html


def test_the_web_copy_stays_whole_with_the_anchor_the_email_links_to() -> None:
    rendered = render(edition(), SETTINGS, digest=True)

    assert "A second paragraph only the web copy shows." in rendered.web_html
    assert 'id="safe-sleeping"' in rendered.web_html
    assert "Read more about" not in rendered.web_html


def test_a_bold_sub_heading_is_not_taken_as_the_lead() -> None:
    rendered = render(edition(), SETTINGS, digest=True)

    assert "Safe Sleeping / Safe Handling" not in rendered.text


def test_without_digest_the_email_is_whole() -> None:
    rendered = render(edition(), SETTINGS)

    assert "A second paragraph only the web copy shows." in rendered.text
    assert "Read more about" not in rendered.text


def test_a_digest_needs_a_web_copy_to_link_to() -> None:
    with pytest.raises(ContentError, match="set view_online_url"):
        render(edition(), Settings(), digest=True)


def test_images_are_left_to_the_web_copy(make_png) -> None:  # type: ignore[no-untyped-def]
    path = make_png("photo.png", (400, 200))
    news = edition()
    news.sections[0].articles[0].blocks.insert(2, Image(str(path), "A cot"))

    rendered = render(news, SETTINGS, digest=True)

    assert 'alt="A cot"' not in rendered.html
    assert 'alt="A cot"' in rendered.web_html

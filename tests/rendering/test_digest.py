"""Digest mode: each article's lead paragraph and a link to the rest on the web copy."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from bulletin import (
    BulletList,
    Button,
    ContentError,
    Edition,
    Event,
    Image,
    MessageTemplate,
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


def test_the_digest_message_carries_only_the_pictures_it_shows(make_png) -> None:  # type: ignore[no-untyped-def]
    logo = Image(str(make_png("logo.png", (200, 100))), "Example Partnership")
    news = edition()
    news.sections[0].articles[0].blocks.insert(2, Image(str(make_png()), "A cot"))
    settings = dataclasses.replace(SETTINGS, logo=logo)

    whole = render(news, settings)
    digest = render(news, settings, digest=True)

    assert len(whole.embedded) == 2
    assert len(digest.assets) == 2  # the web copy shows both
    [shown] = digest.embedded
    assert f"cid:{shown.name}" in digest.html
    message = MessageTemplate(digest, settings, news.date).personal(None).data
    assert message.count(b"Content-ID:") == 1


def digest_of(*blocks: object) -> str:
    news = Edition("News", dt.date(2025, 1, 15))
    news.section("Training").article("Safe sleeping", list(blocks))  # type: ignore[arg-type]
    news.section("Events").paragraph("More soon.")
    return render(news, SETTINGS, digest=True).text


def test_a_pictures_caption_is_not_taken_as_the_lead(make_png) -> None:  # type: ignore[no-untyped-def]
    text = digest_of(
        Image(str(make_png()), "A cot", caption="**Photo:** a safe cot"),
        Paragraph("Photo: a cot set up as the advice says."),
        Paragraph("Babies sleep safest on their backs."),
    )

    assert "Babies sleep safest on their backs." in text
    assert "a cot set up as the advice says" not in text


def test_a_lead_in_to_a_list_is_not_taken_as_the_lead() -> None:
    text = digest_of(
        Paragraph("The advice is:"),
        BulletList(["on their back", "in a cot"]),
        Paragraph("A paragraph after the list, from its middle."),
    )

    assert "The advice is:" not in text
    assert "from its middle" not in text
    assert "Read more about Safe sleeping" in text


def test_a_paragraph_after_an_event_is_still_the_lead() -> None:
    text = digest_of(
        Event("Safe sleeping course", dt.date(2025, 2, 6)),
        Paragraph("The course covers the latest advice."),
    )

    assert "The course covers the latest advice." in text

"""Campaign (UTM) parameters on the email's links."""

from __future__ import annotations

import datetime as dt

from bulletin import Edition, Settings, render
from bulletin.rendering.tracking import tag_url

UTM = {"source": "bulletin", "medium": "email", "campaign": "{slug}"}


def edition() -> Edition:
    news = Edition("News - January 2025", dt.date(2025, 1, 15))
    news.section("Training").paragraph(
        "Book [a place](https://www.example.org/training?day=2), read "
        "[the guidance](https://other.org/guide), or [write](mailto:news@example.org)."
    )
    return news


def test_links_to_listed_domains_are_tagged_in_html_and_text() -> None:
    settings = Settings(
        utm=UTM,
        utm_domains=("example.org",),
        unsubscribe_url="https://www.example.org/unsubscribe?token={token}",
    )

    rendered = render(edition(), settings)

    tagged = (
        "https://www.example.org/training?day=2&utm_source=bulletin"
        "&utm_medium=email&utm_campaign=news-january-2025"
    )
    assert f'href="{tagged.replace("&", "&amp;")}"' in rendered.html
    assert tagged in rendered.text
    assert 'href="https://other.org/guide"' in rendered.html
    assert 'href="mailto:news@example.org"' in rendered.html
    assert 'href="{{unsubscribe_url}}"' in rendered.html


def test_every_web_link_is_tagged_when_no_domains_are_listed() -> None:
    rendered = render(edition(), Settings(utm={"source": "bulletin"}))

    assert 'href="https://other.org/guide?utm_source=bulletin"' in rendered.html


def test_no_parameters_leave_links_alone() -> None:
    rendered = render(edition(), Settings())

    assert "utm_" not in rendered.html
    assert "utm_" not in rendered.text


def test_a_link_that_has_its_own_campaign_keeps_it() -> None:
    url = "https://example.org/?utm_source=partner"

    assert tag_url(url, {"source": "bulletin"}, ()) == url

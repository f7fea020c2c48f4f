"""Markup that mail programs keep: what the email relies on survives Gmail and Outlook."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from bulletin import Edition, render

LAYOUTS = ("classic", "compact")


def edition(picture: Path | None = None) -> Edition:
    news = Edition("News", dt.date(2025, 1, 15), preheader="What is inside, in short")
    training = news.section("Training")
    training.paragraph("Book a place.")
    training.callout("Ask the team about dates.", title="Dates")
    training.event("Safer recruitment", dt.date(2025, 2, 6), location="Online")
    if picture is not None:
        training.image(str(picture), "A test card")
    news.section("Events").paragraph("More soon.")
    return news


@pytest.mark.parametrize("layout", LAYOUTS)
def test_the_preheader_is_hidden_without_white_on_white(layout: str) -> None:
    html = render(edition(), layout=layout).html

    hidden = re.search(r'<div class="preheader" style="([^"]*)">([^<]*)</div>', html)

    assert hidden is not None
    assert hidden.group(2) == "What is inside, in short"
    assert "display:none" in hidden.group(1)
    assert "color" not in hidden.group(1)  # spam filters score hidden white text
    assert "#ffffff;line-height:1px" not in html
    assert "font-size:1px" not in hidden.group(1)  # SpamAssassin: WORD_INVIS


@pytest.mark.parametrize("layout", LAYOUTS)
def test_each_contents_link_has_a_name_target_as_well_as_an_id(layout: str) -> None:
    rendered = render(edition(), layout=layout)

    for html in (rendered.html, rendered.web_html):
        targets = re.findall(r'<a href="#([^"]+)"', html)
        assert targets == ["training", "events"]
        for target in targets:
            assert f'id="{target}"' in html
            assert re.search(rf'<a name="{target}"[^>]*></a>', html), target
        assert "<nav" not in html  # Gmail rewrites it


@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_picture_keeps_its_shape_when_a_phone_narrows_it(
    layout: str, make_png: Callable[..., Path]
) -> None:
    picture = make_png(size=(800, 400))

    html = render(edition(picture), layout=layout).html

    tags = [tag for tag in re.findall(r"<img [^>]*>", html) if "A test card" in tag]
    assert len(tags) == 1
    assert re.search(r'\bheight="\d+"', tags[0])  # Outlook sizes by the attributes
    style = re.search(r'style="([^"]*)"', tags[0])
    assert style is not None
    assert ";height:auto;" in style.group(1)
    assert not re.search(r"(?<![-\w])height:\d+px", style.group(1))


@pytest.mark.parametrize("layout", LAYOUTS)
def test_boxes_are_table_cells_that_outlook_pads_and_colours(layout: str) -> None:
    html = render(edition(), layout=layout).html

    callout = re.search(
        r'<td class="callout-body" bgcolor="(#[0-9a-f]{6})" style="([^"]*)"', html
    )
    event = re.search(r'<td class="event-body" style="([^"]*)"', html)

    assert callout is not None
    assert event is not None
    assert "padding:12px 16px" in callout.group(2)
    assert f"background-color:{callout.group(1)}" in callout.group(2)
    assert "border-left:4px solid" in event.group(1)
    assert '<div class="callout"' not in html
    assert '<div class="event"' not in html


def test_the_web_copy_has_one_main_and_the_email_stays_an_article() -> None:
    rendered = render(edition())

    assert rendered.web_html.count("<main>") == 1
    assert rendered.web_html.count("</main>") == 1
    body = rendered.web_html.index("<body")
    assert rendered.web_html.index("<main>") > body
    assert rendered.web_html.index("</main>") < rendered.web_html.index("</body>")
    assert "<main" not in rendered.html
    assert 'role="article"' in rendered.html


def test_compact_title_has_a_dark_mode_colour() -> None:
    html = render(edition(), layout="compact").html

    dark = html[html.index("prefers-color-scheme: dark") :]
    assert re.search(r"\.surface h1[ ,]", dark)
    assert '<h1 class="plain-title"' in html

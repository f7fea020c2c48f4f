"""The web copy is one page for everyone: no reader's field is left in it."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path

from bulletin import Button, Edition, Event, Image, render


def test_no_marker_survives_in_the_web_copy(make_png: Callable[..., Path]) -> None:
    news = Edition(
        "News for {{ first_name | you }}",
        dt.date(2025, 1, 15),
        preheader="Hello {{ first_name | colleague }}",
    )
    training = news.section("Training")
    training.paragraph(
        "Dear {{ first_name | colleague }}, see [your page]({{ website }})."
    )
    training.blocks.append(Button("Your account", "{{ website }}"))
    training.blocks.append(Image(str(make_png()), "A picture", link="{{ website }}"))
    training.blocks.append(Event("Talk", dt.date(2025, 2, 6), link="{{ website }}"))

    rendered = render(news)

    assert "{{" not in rendered.web_html
    assert "News for you" in rendered.web_html
    assert "Dear colleague" in rendered.web_html
    for words in ("your page", "Your account", 'alt="A picture"', "More information"):
        assert words in rendered.web_html
    assert not re.search(r'href="\s*"', rendered.web_html)
    assert "{{website}}" in rendered.html  # the email keeps each reader's field

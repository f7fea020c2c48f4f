"""Errors are placed by the key the model tags them with, never by their wording."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bulletin.errors import ContentError
from bulletin.loading.config import CONFIG_NAME, load_config
from bulletin.loading.source import load
from bulletin.model.blocks import Contact, Event
from bulletin.model.edition import Edition
from bulletin.model.settings import Sender, Settings

CONFIG = """\
schema = 1
publisher = "Example Partnership"
list_id = "news.example.org"

[colours]
accent = "#ffcc00"
brand = "{brand}"

[sender]
name = "Example Partnership"
address = "{address}"

[utm]
source = "newsletter"
{utm}
"""


def problem_in_config(tmp_path: Path, **values: str) -> ContentError:
    text = CONFIG.format(
        brand=values.get("brand", "#1d4f91"),
        address=values.get("address", "news@example.org"),
        utm=values.get("utm", 'medium = "email"'),
    )
    path = tmp_path / CONFIG_NAME
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_config(path)
    return caught.value


@pytest.mark.parametrize(
    ("values", "line", "key"),
    [
        ({"brand": "blue"}, 7, ("colours", "brand")),
        ({"address": "not an address"}, 11, ("sender", "address")),
        ({"utm": 'medium = "e\\u0001mail"'}, 15, ("utm", "medium")),
    ],
    ids=["colour", "sender-address", "utm"],
)
def test_a_setting_is_blamed_on_the_line_that_wrote_it(
    tmp_path: Path, values: dict[str, str], line: int, key: tuple[str, ...]
) -> None:
    error = problem_in_config(tmp_path, **values)

    assert error.location.line == line
    assert error.key == key


@pytest.mark.parametrize(
    ("make", "key"),
    [
        (lambda: Settings(colours={"brand": "blue"}), ("colours", "brand")),
        (lambda: Settings(font_stack="x; y"), ("font_stack",)),
        (lambda: Settings(view_online_url="javascript:x"), ("view_online_url",)),
        (lambda: Settings(unsubscribe_url="https://x.org/{who}"), ("unsubscribe_url",)),
        (lambda: Settings(unsubscribe_mailto="nobody"), ("unsubscribe_mailto",)),
        (lambda: Settings(list_id="news"), ("list_id",)),
        (lambda: Settings(image_base_url="http://x.org/"), ("image_base_url",)),
        (lambda: Settings(date_format="{weekday}"), ("date_format",)),
        (lambda: Settings(utm={"colour": "red"}), ("utm", "colour")),
        (lambda: Settings(utm={"source": "a\nb"}), ("utm", "source")),
        (lambda: Sender("Us\r\nBcc: x", "news@example.org"), ("sender", "name")),
        (lambda: Sender("Us", "nobody"), ("sender", "address")),
        (lambda: Sender(" ", "news@example.org"), ("sender", "name")),
        (lambda: Edition(" ", dt.date(2025, 1, 15)), ("title",)),
        (lambda: Edition("News", "2025-01-15"), ("date",)),  # type: ignore[arg-type]  # on purpose
        (
            lambda: Edition("News", dt.date(2025, 1, 15), preheader="a\nb"),
            ("preheader",),
        ),
        (
            lambda: Edition("News", dt.date(2025, 1, 15), language="English"),
            ("language",),
        ),
        (lambda: Contact(phone="call us"), ("phone",)),
        (lambda: Contact(website="ftp://x.org"), ("website",)),
        (lambda: Event("Talk", dt.date(2025, 2, 6), link="ftp://x.org"), ("link",)),
        (
            lambda: Event("Talk", dt.date(2025, 2, 6), end_date=dt.date(2025, 2, 1)),
            ("end_date",),
        ),
    ],
)
def test_the_model_tags_each_refused_value_with_its_key(
    make: object, key: tuple[str, ...]
) -> None:
    assert callable(make)
    with pytest.raises(ContentError) as caught:
        make()

    assert caught.value.key == key


def test_a_front_matter_value_is_blamed_on_its_line(tmp_path: Path) -> None:
    path = tmp_path / "edition.md"
    path.write_text(
        "---\ntitle: News\ndate: 2025-01-15\npreheader: Read on\n"
        "language: English\n---\nHello.\n",
        encoding="utf-8",
    )

    with pytest.raises(ContentError) as caught:
        load(path)

    assert caught.value.location.line == 5
    assert caught.value.message.startswith("language 'English' is not a language tag")


def test_a_box_value_is_blamed_on_its_line_even_when_its_message_quotes_another(
    tmp_path: Path,
) -> None:
    # The name repeats the bad phone number: placing by the message's words
    # would blame the name line.
    path = tmp_path / "edition.md"
    path.write_text(
        "---\ntitle: News\ndate: 2025-01-15\n---\n# Contact\n\n"
        "::: contact\nname: call us\nphone: call us\n:::\n",
        encoding="utf-8",
    )

    with pytest.raises(ContentError) as caught:
        load(path)

    assert caught.value.location.line == 9
    assert caught.value.message.startswith("phone number 'call us'")

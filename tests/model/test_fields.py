"""Personal fields: markers that survive every stage, filled in escaped."""

from __future__ import annotations

import datetime as dt
import email.policy
from email.message import EmailMessage
from email.parser import BytesParser

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bulletin import Edition, Settings, fill_html, fill_text, render
from bulletin.model.fields import field_names, marker

HOSTILE = 'Tom & "Jerry" <script>alert(1)</script>'


@pytest.fixture(scope="module")
def rendered():  # type: ignore[no-untyped-def]
    edition = Edition("Fields", dt.date(2025, 1, 15))
    edition.add_intro("Dear {{ first_name | colleague }}, from **{{ organisation }}**.")
    edition.section("Links").paragraph("[Leave the list]({{ unsubscribe_url }})")
    settings = Settings(unsubscribe_url="https://example.org/unsubscribe?token={token}")
    return render(edition, settings)


def test_markers_survive_markdown_autoescape_mjml_and_premailer(rendered) -> None:  # type: ignore[no-untyped-def]
    assert (
        "Dear {{first_name|colleague}}, from <strong>{{organisation}}</strong>."
        in rendered.html
    )
    assert 'href="{{unsubscribe_url}}"' in rendered.html
    assert "Dear {{first_name|colleague}}, from {{organisation}}." in rendered.text
    assert rendered.fields == {"first_name", "organisation", "unsubscribe_url"}


def test_markers_survive_quoted_printable(rendered) -> None:  # type: ignore[no-untyped-def]
    message = EmailMessage()
    message.set_content(rendered.text, cte="quoted-printable")
    message.add_alternative(rendered.html, subtype="html", cte="quoted-printable")
    parsed = BytesParser(policy=email.policy.default).parsebytes(message.as_bytes())
    text, html = (part.get_content() for part in parsed.iter_parts())
    assert field_names(html) == field_names(rendered.html)
    assert field_names(text) == field_names(rendered.text)
    assert "{{first_name|colleague}}" in html


def test_filled_values_stay_escaped(rendered) -> None:  # type: ignore[no-untyped-def]
    html = fill_html(
        rendered.html,
        {
            "first_name": HOSTILE,
            "organisation": "A&B",
            "unsubscribe_url": 'https://e.org/u?a=1&b="2"',
        },
    )
    assert "<script>" not in html
    assert (
        "Dear Tom &amp; &quot;Jerry&quot; &lt;script&gt;alert(1)&lt;/script&gt;,"
        in html
    )
    assert "<strong>A&amp;B</strong>" in html
    assert 'href="https://e.org/u?a=1&amp;b=&quot;2&quot;"' in html
    assert field_names(html) == frozenset()


def test_text_is_filled_literally(rendered) -> None:  # type: ignore[no-untyped-def]
    text = fill_text(rendered.text, {"first_name": HOSTILE, "organisation": "A&B"})
    assert f"Dear {HOSTILE}, from A&B." in text


def test_empty_value_takes_the_default(rendered) -> None:  # type: ignore[no-untyped-def]
    assert "Dear colleague, from <strong></strong>." in fill_html(
        rendered.html, {"first_name": ""}
    )


def test_web_copy_has_no_personal_fields(rendered) -> None:  # type: ignore[no-untyped-def]
    assert field_names(rendered.web_html) == frozenset()
    assert "Dear colleague" in rendered.web_html
    assert "Leave the list" in rendered.web_html
    assert "unsubscribe_url" not in rendered.web_html


def test_default_with_markup_characters_is_escaped_once() -> None:
    edition = Edition(
        "Fields", dt.date(2025, 1, 15), intro=["Hi {{ name | Tom & Jerry }}"]
    )
    html = render(edition).html
    assert "Hi {{name|Tom &amp; Jerry}}" in html
    assert "Hi Tom &amp; Jerry" in fill_html(html, {})


@given(st.text())
def test_any_value_round_trips_as_text(value: str) -> None:
    """Whatever a recipient's name is, the filled HTML shows exactly it as text."""
    import html as html_module

    document = f"<p>{marker('first_name')}</p>"
    filled = fill_html(document, {"first_name": value})
    assert html_module.unescape(filled[3:-4]) == value
    assert "<" not in filled[3:-4]

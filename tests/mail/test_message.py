"""The .eml: its MIME structure, headers, bytes on the wire and personal fields."""

from __future__ import annotations

import dataclasses
import datetime as dt
import email
import email.policy
import re
import socket
from collections.abc import Callable
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest

from bulletin import ContentError, Edition, Image, Sender, Settings, render
from bulletin.mail.message import (
    FALLBACK_DOMAIN,
    MessageTemplate,
    edition_message,
    message_id,
    preview_values,
)
from bulletin.mail.recipients import Recipient
from bulletin.model.rendered import Rendered
from tests.conftest import Example

MakePng = Callable[..., Path]
SENDER = Sender("Example Partnership", "news@example.org")
UNSUBSCRIBE = "https://www.example.org/unsubscribe?token={token}"


def january(examples: dict[str, Example]) -> Example:
    """The example with three embedded pictures and personal fields."""
    return examples["dscp-2025-01"]


def message_bytes(
    example: Example, *, to: Recipient | None = None, salt: str = ""
) -> bytes:
    """The example's .eml as ``bulletin build`` writes it (or ``to``'s copy)."""
    template = MessageTemplate(
        example.rendered, example.settings, example.edition.date, salt=salt
    )
    return template.personal(to).data


def parse(data: bytes) -> EmailMessage:
    parsed = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def body(parsed: EmailMessage, kind: str) -> str:
    """The decoded ``html`` or ``plain`` body."""
    part = parsed.get_body((kind,))
    assert part is not None, f"no text/{kind} part"
    content = part.get_content()
    assert isinstance(content, str)
    return content


def small_edition(
    folder: Path, make_png: MakePng, settings: Settings, subject: str | None = None
) -> Rendered:
    """A one-section edition with one local picture, rendered."""
    make_png("picture.png", (600, 300))
    edition = Edition("News - January 2025", dt.date(2025, 1, 15), subject=subject)
    edition.section("Training").paragraph(
        "Dear {{ first_name | colleague }}, book a "
        "[training course](https://www.example.org/training/)."
    ).add(Image("picture.png", "Three trainers at a whiteboard"))
    return render(edition, settings, base_dir=folder)


# Structure ---------------------------------------------------------------------


def test_embedded_images_make_a_related_message(
    examples: dict[str, Example],
) -> None:
    example = january(examples)
    parsed = parse(message_bytes(example))

    assert parsed.get_content_type() == "multipart/related"
    assert parsed.get_param("type") == "multipart/alternative"
    alternative, *images = parsed.iter_parts()
    assert alternative.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in alternative.iter_parts()] == [
        "text/plain",
        "text/html",
    ]
    assert len(images) == len(example.rendered.assets) == 3
    assert {part.get_content_maintype() for part in images} == {"image"}
    assert {part.get_content_disposition() for part in images} == {"inline"}


def test_every_cid_in_the_html_has_its_image(examples: dict[str, Example]) -> None:
    example = january(examples)
    parsed = parse(message_bytes(example))
    _, *images = parsed.iter_parts()
    html = body(parsed, "html")

    cids = set(re.findall(r"cid:([^\"'\s)]+)", html))
    content_ids = {str(part["Content-ID"]).strip().strip("<>") for part in images}

    assert len(cids) == 3
    assert cids == content_ids
    by_id = {str(part["Content-ID"]).strip().strip("<>"): part for part in images}
    for asset in example.rendered.assets:
        assert by_id[asset.name].get_content() == asset.data
        assert by_id[asset.name].get_content_type() == asset.content_type


def test_images_at_a_base_url_make_an_alternative_message(
    tmp_path: Path, make_png: MakePng
) -> None:
    settings = Settings(sender=SENDER, image_base_url="https://cdn.example.org/news/")
    rendered = small_edition(tmp_path, make_png, settings)
    assert rendered.assets
    assert not rendered.images_embedded

    parsed = parse(
        edition_message(rendered, settings, dt.date(2025, 1, 15)).as_bytes(policy=SMTP)
    )

    assert parsed.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in parsed.iter_parts()] == [
        "text/plain",
        "text/html",
    ]
    html = body(parsed, "html")
    assert "cid:" not in html
    assert "https://cdn.example.org/news/" in html


def test_embedded_images_from_a_small_edition(
    tmp_path: Path, make_png: MakePng
) -> None:
    settings = Settings(sender=SENDER)
    rendered = small_edition(tmp_path, make_png, settings)

    parsed = parse(
        edition_message(rendered, settings, dt.date(2025, 1, 15)).as_bytes(policy=SMTP)
    )

    assert parsed.get_content_type() == "multipart/related"
    assert [part.get_content_type() for part in parsed.iter_parts()] == [
        "multipart/alternative",
        "image/png",
    ]


# Headers -----------------------------------------------------------------------


def test_headers(examples: dict[str, Example]) -> None:
    example = january(examples)
    data = message_bytes(example)
    parsed = parse(data)

    assert parsed["From"] == (
        "Durham Safeguarding Children Partnership <dscpsecure@durham.gov.uk>"
    )
    assert parsed["Subject"] == "DSCP Newsletter - January 2025"
    assert parsed["Date"] == "Wed, 15 Jan 2025 00:00:00 +0000"
    assert parsedate_to_datetime(parsed["Date"]) == dt.datetime(
        2025, 1, 15, tzinfo=dt.UTC
    )
    # A copy for nobody in particular (build's .eml) goes to the sender, as a test
    # sent to oneself does: without a To, SpamAssassin adds 0.9 (MISSING_HEADERS).
    assert parsed["To"] == parsed["From"]
    for name in ("From", "To", "Subject", "Date", "Message-ID", "MIME-Version"):
        assert len(parsed.get_all(name, [])) == 1, name
    assert parsed["MIME-Version"] == "1.0"


def test_only_the_message_carries_mime_version(
    examples: dict[str, Example], tmp_path: Path, make_png: MakePng
) -> None:
    settings = Settings(sender=SENDER, image_base_url="https://cdn.example.org/news/")
    unembedded = edition_message(
        small_edition(tmp_path, make_png, settings), settings, dt.date(2025, 1, 15)
    ).as_bytes(policy=SMTP)

    for data in (message_bytes(january(examples)), unembedded):
        parts = [part for part in parse(data).walk() if part["MIME-Version"]]
        assert len(parts) == 1
        assert data.count(b"MIME-Version:") == 1


def test_message_id_uses_the_senders_domain_not_the_host_name(
    examples: dict[str, Example],
) -> None:
    parsed = parse(message_bytes(january(examples)))

    value = str(parsed["Message-ID"]).strip()

    assert re.fullmatch(
        r"<[0-9a-f]{32}\.dscp-newsletter-january-2025@durham\.gov\.uk>", value
    )
    assert socket.gethostname() not in value


def test_message_id_without_a_sender(tmp_path: Path, make_png: MakePng) -> None:
    rendered = small_edition(tmp_path, make_png, Settings())

    message = edition_message(rendered, Settings(), dt.date(2025, 1, 15))

    assert message["From"] is None
    assert str(message["Message-ID"]).endswith(f"@{FALLBACK_DOMAIN}>")


def test_a_copy_for_nobody_without_a_sender_is_to_undisclosed_recipients(
    tmp_path: Path, make_png: MakePng
) -> None:
    rendered = small_edition(tmp_path, make_png, Settings())

    data = MessageTemplate(rendered, Settings(), dt.date(2025, 1, 15)).personal().data

    assert data.count(b"To: undisclosed-recipients:;\r\n") == 1
    assert parse(data)["To"] == "undisclosed-recipients:;"


def test_to_header(examples: dict[str, Example]) -> None:
    example = january(examples)

    parsed = parse(message_bytes(example, to=Recipient.of("Ann@Example.ORG")))

    assert parsed["To"] == "Ann@example.org"


def test_a_datetime_keeps_its_time(examples: dict[str, Example]) -> None:
    example = january(examples)
    when = dt.datetime(2025, 1, 15, 9, 30, tzinfo=dt.UTC)

    message = edition_message(example.rendered, example.settings, when)

    assert message["Date"] == "Wed, 15 Jan 2025 09:30:00 +0000"


@pytest.mark.parametrize(
    "subject",
    ["Newyddion\nBcc: everyone@example.org", "News\r", "News\x00", "News\u2028more"],
)
def test_a_subject_with_a_line_break_is_refused(
    examples: dict[str, Example], subject: str
) -> None:
    example = january(examples)
    rendered = dataclasses.replace(example.rendered, subject=subject)

    with pytest.raises(ContentError, match=r"Subject header .* line break"):
        edition_message(rendered, example.settings, example.edition.date)


@pytest.mark.parametrize(
    "subject",
    ["Newyddion yr Ŵyl: Croeso i’r rhifyn newydd", "News 🎉 for January – and more"],
)
def test_a_non_ascii_subject_round_trips(
    tmp_path: Path, make_png: MakePng, subject: str
) -> None:
    settings = Settings(
        sender=Sender("Partneriaeth Enghreifftiol – Ŵyl", "news@example.org")
    )
    rendered = small_edition(tmp_path, make_png, settings, subject=subject)
    assert rendered.subject == subject

    data = edition_message(rendered, settings, dt.date(2025, 1, 15)).as_bytes(
        policy=SMTP
    )
    head = data.split(b"\r\n\r\n", 1)[0]

    assert head.isascii(), "non-ASCII headers are RFC 2047 encoded"
    assert b"=?utf-8?" in head
    parsed = parse(data)
    assert parsed["Subject"] == subject
    assert (
        parsed["From"].addresses[0].display_name == "Partneriaeth Enghreifftiol – Ŵyl"
    )


# Bytes -------------------------------------------------------------------------


def test_the_same_edition_gives_the_same_bytes(examples: dict[str, Example]) -> None:
    example = january(examples)

    assert message_bytes(example) == message_bytes(example)


def test_a_salt_changes_the_message_id(examples: dict[str, Example]) -> None:
    example = january(examples)

    plain, salted = (
        parse(message_bytes(example)),
        parse(message_bytes(example, salt="test")),
    )

    assert plain["Message-ID"] != salted["Message-ID"]
    assert message_id(example.rendered, "example.org", salt="test") != message_id(
        example.rendered, "example.org"
    )
    assert body(plain, "html") == body(salted, "html")


def test_crlf_line_endings_and_no_line_over_998_octets(
    examples: dict[str, Example],
) -> None:
    example = january(examples)
    assert max(map(len, example.rendered.html.splitlines())) > 998, (
        "the HTML has long lines for the encoding to break"
    )

    data = message_bytes(example)

    assert data.count(b"\n") == data.count(b"\r\n")
    assert b"\r" not in data.replace(b"\r\n", b"")
    assert max(map(len, data.split(b"\r\n"))) <= 998
    assert data.isascii()


# Personal fields ---------------------------------------------------------------


def test_preview_values_fill_defaults_and_a_preview_unsubscribe_link(
    examples: dict[str, Example],
) -> None:
    example = january(examples)
    assert {"first_name", "unsubscribe_url"} <= example.rendered.fields

    parsed = parse(message_bytes(example))
    html, text = body(parsed, "html"), body(parsed, "plain")

    link = "https://www.durham-scp.org.uk/unsubscribe?token=preview"
    for part in (html, text):
        assert "Dear colleague," in part
        assert "{{" not in part
        assert link in part


def test_values_fill_the_fields(examples: dict[str, Example]) -> None:
    example = january(examples)
    ann = Recipient.of("ann@example.org", {"first_name": "Siân"})

    message = edition_message(
        example.rendered,
        example.settings,
        example.edition.date,
        recipient=ann,
        secret="s" * 32,
    )
    parsed = parse(message.as_bytes(policy=SMTP))

    link = "https://www.durham-scp.org.uk/unsubscribe?token=YW5uQGV4YW1wbGUub3Jn."
    for kind in ("html", "plain"):
        part = body(parsed, kind)
        assert "Dear Siân," in part
        assert link in part
        assert "token=preview" not in part


def test_preview_values_without_an_unsubscribe_url() -> None:
    assert preview_values(Settings()) == {}
    assert preview_values(Settings(unsubscribe_url=UNSUBSCRIBE)) == {
        "unsubscribe_url": "https://www.example.org/unsubscribe?token=preview"
    }

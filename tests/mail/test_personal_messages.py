"""Personal messages: an edition's message built once, filled in per recipient.

:class:`MessageTemplate` joins quoted-printable pieces encoded once around each
field marker, so a recipient's copy is bytes built without the email package.
Every copy here is parsed back with the email package and compared with what
:func:`fill_text` and :func:`fill_html` make of the rendered edition, which is
what the reader should see.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import email
import email.policy
import html
import re
import socket
from email.header import decode_header, make_header
from email.message import EmailMessage
from urllib.parse import parse_qs, urlsplit

import hypothesis
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from bulletin import ContentError, Edition, Sender, Settings, render
from bulletin.mail.message import MessageTemplate, PersonalMessage
from bulletin.mail.recipients import Recipient
from bulletin.mail.unsubscribe import verify_unsubscribe_token
from bulletin.model.fields import fill_html, fill_text
from bulletin.model.rendered import Rendered
from tests.conftest import Example

SECRET = "correct horse battery staple"
SENDER = Sender("Example Partnership", "news@example.org")
UNSUBSCRIBE = "https://www.example.org/unsubscribe?token={token}"
DATE = dt.date(2025, 1, 15)
SETTINGS = Settings(
    publisher="Example Partnership",
    sender=SENDER,
    unsubscribe_url=UNSUBSCRIBE,
    list_id="news.example.org",
)

CONTROL = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]")
"""What may never reach a header: line breaks and other control characters."""
SPECIALS = frozenset('()<>@,;:\\".[]')
"""RFC 5322 specials: syntax in an address header unless quoted or encoded."""

ASCII = "ann@example.org"
SMTPUTF8 = "José@exämple.org"
WELSH_DOMAIN = "ann@ŵ.cymru"
ADDRESSES = [ASCII, SMTPUTF8, WELSH_DOMAIN]

NAMES = [
    pytest.param("Ann", id="ascii"),
    pytest.param("Tom & Jerry", id="ampersand"),
    pytest.param("<b>Ann</b> <script>", id="angle-brackets"),
    pytest.param('Ann "Nan" Jones', id="double-quotes"),
    pytest.param("Siobhán O'Brien", id="apostrophe"),
    pytest.param("Ann 🎉", id="emoji"),
    pytest.param("Gwenllian ap Ŵyn", id="welsh"),
    pytest.param(("Ŵyn ab Ifan Siân " * 18)[:300], id="300-characters"),
    pytest.param("=", id="equals-sign"),
    pytest.param("Ann   ", id="trailing-spaces"),
    pytest.param("", id="empty"),
]


def january(examples: dict[str, Example]) -> Example:
    """The example with three embedded pictures and personal fields."""
    return examples["dscp-2025-01"]


def january_template(
    examples: dict[str, Example], *, secret: str | None = SECRET, salt: str = ""
) -> MessageTemplate:
    example = january(examples)
    return MessageTemplate(
        example.rendered,
        example.settings,
        example.edition.date,
        secret=secret,
        salt=salt,
    )


def render_small(settings: Settings) -> Rendered:
    """A one-section edition with a first name and the layout's unsubscribe link."""
    edition = Edition("News - January 2025", DATE)
    edition.section("Training").paragraph(
        "Dear {{ first_name | colleague }}, book a "
        "[training course](https://www.example.org/training/)."
    )
    return render(edition, settings)


@pytest.fixture(scope="module")
def small() -> Rendered:
    """The small edition, rendered once (hypothesis runs many examples on it)."""
    return render_small(SETTINGS)


def parse(data: bytes) -> EmailMessage:
    parsed = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def decoded(parsed: EmailMessage, kind: str) -> str:
    """The decoded ``html`` or ``plain`` body, with LF line breaks."""
    part = parsed.get_body((kind,))
    assert part is not None, f"no text/{kind} part"
    content = part.get_content()
    assert isinstance(content, str)
    return content.replace("\r\n", "\n")


def expected_text(rendered: Rendered, values: dict[str, str]) -> str:
    assert rendered.text.endswith("\n")
    return fill_text(rendered.text, values)


def expected_html(rendered: Rendered, values: dict[str, str]) -> str:
    """The filled HTML and the one line break the part gains at its end."""
    assert not rendered.html.endswith("\n")
    return fill_html(rendered.html, values) + "\n"


def split_message(data: bytes) -> tuple[bytes, bytes]:
    """The header block and the body."""
    head, body = data.split(b"\r\n\r\n", 1)
    return head, body


def header_lines(data: bytes) -> list[bytes]:
    """The header fields, each with its folded continuation lines."""
    head, _ = split_message(data)
    return re.split(rb"\r\n(?=[^ \t])", head)


def unsubscribe_links(parsed: EmailMessage) -> list[str]:
    return re.findall(r"<([^>]*)>", str(parsed["List-Unsubscribe"]))


def token_of(link: str) -> str:
    (token,) = parse_qs(urlsplit(link).query)["token"]
    return token


def personal(
    rendered: Rendered,
    settings: Settings,
    recipient: Recipient | None,
    *,
    secret: str | None = SECRET,
) -> PersonalMessage:
    template = MessageTemplate(rendered, settings, DATE, secret=secret)
    return template.personal(recipient)


# Bodies ------------------------------------------------------------------------


@pytest.mark.parametrize("address", ADDRESSES)
@pytest.mark.parametrize("name", NAMES)
def test_each_recipients_parts_are_the_edition_filled_with_their_values(
    examples: dict[str, Example], address: str, name: str
) -> None:
    example = january(examples)
    template = january_template(examples)
    recipient = Recipient.of(address, {"first_name": name})

    parsed = parse(template.personal(recipient).data)
    values = template.values(recipient)
    text, page = decoded(parsed, "plain"), decoded(parsed, "html")

    assert text == expected_text(example.rendered, values)
    assert page == expected_html(example.rendered, values)
    greeting = name or "colleague"
    assert f"Dear {greeting}," in text
    assert f"Dear {html.escape(greeting)}," in page
    assert "{{" not in text
    assert "{{" not in page


@pytest.mark.parametrize("address", ADDRESSES)
@pytest.mark.parametrize("name", NAMES)
def test_every_line_ends_in_crlf_and_body_lines_fit_in_76_octets(
    examples: dict[str, Example], address: str, name: str
) -> None:
    template = january_template(examples)

    data = template.personal(Recipient.of(address, {"first_name": name})).data
    _, body = split_message(data)

    assert data.count(b"\n") == data.count(b"\r\n")
    assert b"\r" not in data.replace(b"\r\n", b"")
    assert max(map(len, data.split(b"\r\n"))) <= 998
    assert max(map(len, body.split(b"\r\n"))) <= 76
    assert body.isascii()


@pytest.mark.parametrize(
    "address",
    [
        ASCII,
        SMTPUTF8,
        WELSH_DOMAIN,
    ],
)
def test_headers_are_ascii_except_the_to_of_an_smtputf8_address(
    examples: dict[str, Example], address: str
) -> None:
    recipient = Recipient.of(address, {"first_name": "Siân"})

    message = january_template(examples).personal(recipient)
    fields = header_lines(message.data)
    parsed = parse(message.data)

    assert all(field.isascii() for field in fields if not field.startswith(b"To:"))
    (to,) = [field for field in fields if field.startswith(b"To:")]
    assert to.isascii() is not message.smtputf8
    expected = recipient.address if message.smtputf8 else recipient.envelope
    assert parsed["To"] == expected


@pytest.mark.parametrize(
    ("address", "smtputf8"),
    [
        (ASCII, False),
        ("Ann@Example.ORG", False),
        (SMTPUTF8, True),
        (WELSH_DOMAIN, False),
    ],
)
def test_smtputf8_is_needed_only_for_a_non_ascii_local_part(
    examples: dict[str, Example], address: str, smtputf8: bool
) -> None:
    template = january_template(examples)

    message = template.personal(Recipient.of(address))

    assert message.smtputf8 is smtputf8
    assert template.personal().smtputf8 is False


@pytest.mark.parametrize("address", ADDRESSES)
def test_a_personal_message_is_related_pictures_around_text_then_html(
    examples: dict[str, Example], address: str
) -> None:
    example = january(examples)
    data = january_template(examples).personal(Recipient.of(address)).data
    parsed = parse(data)

    assert data.count(b"MIME-Version:") == 1
    assert len([part for part in parsed.walk() if part["MIME-Version"]]) == 1
    assert parsed.get_content_type() == "multipart/related"
    alternative, *images = parsed.iter_parts()
    assert alternative.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in alternative.iter_parts()] == [
        "text/plain",
        "text/html",
    ]
    content_ids = {str(part["Content-ID"]).strip().strip("<>") for part in images}
    cids = set(re.findall(r"cid:([^\"'\s)]+)", decoded(parsed, "html")))
    assert len(images) == 3
    assert cids == content_ids == {asset.name for asset in example.rendered.assets}


# Headers -----------------------------------------------------------------------


def test_a_personal_message_has_its_headers_once_each(
    examples: dict[str, Example],
) -> None:
    template = january_template(examples)
    recipient = Recipient.of("Ann@Example.ORG", {"first_name": "Ann"})

    message = template.personal(recipient)
    parsed = parse(message.data)

    assert parsed["From"] == (
        "Durham Safeguarding Children Partnership <dscpsecure@durham.gov.uk>"
    )
    assert parsed["To"] == "Ann@example.org"
    assert parsed["Subject"] == "DSCP Newsletter - January 2025"
    assert parsed["Date"] == "Wed, 15 Jan 2025 00:00:00 +0000"
    assert parsed["Message-ID"] == message.message_id
    assert template.list_id == "newsletter.durham-scp.org.uk"
    assert str(parsed["List-Id"]).endswith(f"<{template.list_id}>")
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    for name in (
        "From",
        "To",
        "Subject",
        "Date",
        "Message-ID",
        "List-Id",
        "List-Unsubscribe",
        "List-Unsubscribe-Post",
        "MIME-Version",
    ):
        assert len(parsed.get_all(name, [])) == 1, name


@pytest.mark.parametrize(
    ("address", "to"),
    [
        ("Ann@Example.ORG", "Ann@example.org"),
        ("José@EXÄMPLE.org", "José@exämple.org"),
    ],
)
def test_to_is_the_normalised_address(
    examples: dict[str, Example], address: str, to: str
) -> None:
    recipient = Recipient.of(address)

    parsed = parse(january_template(examples).personal(recipient).data)

    assert recipient.address == to
    assert parsed["To"] == to


def test_the_message_id_is_at_the_senders_domain_not_the_host_name(
    examples: dict[str, Example],
) -> None:
    message = january_template(examples).personal(Recipient.of(ASCII))

    value = str(parse(message.data)["Message-ID"])

    assert value == message.message_id
    assert re.fullmatch(
        r"<[0-9a-f]{32}\.dscp-newsletter-january-2025@durham\.gov\.uk>", value
    )
    assert socket.gethostname() not in value


@pytest.mark.parametrize("address", ADDRESSES)
def test_the_unsubscribe_token_verifies_as_the_recipients_address(
    examples: dict[str, Example], address: str
) -> None:
    template = january_template(examples)
    recipient = Recipient.of(address)
    assert template.list_id is not None

    parsed = parse(template.personal(recipient).data)
    (link,) = unsubscribe_links(parsed)
    token = token_of(link)

    assert link.startswith("https://www.durham-scp.org.uk/unsubscribe?token=")
    assert (
        verify_unsubscribe_token(token, list_id=template.list_id, secrets=[SECRET])
        == recipient.address
    )
    assert (
        verify_unsubscribe_token(token, list_id=template.list_id, secrets=["x" * 32])
        is None
    )
    assert f"Unsubscribe: {link}\n" in decoded(parsed, "plain")
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_without_a_secret_the_link_carries_the_preview_token(
    examples: dict[str, Example],
) -> None:
    template = january_template(examples, secret=None)

    parsed = parse(template.personal(Recipient.of(ASCII)).data)

    link = "https://www.durham-scp.org.uk/unsubscribe?token=preview"
    assert unsubscribe_links(parsed) == [link]
    assert link in decoded(parsed, "plain")
    assert link in decoded(parsed, "html")


@pytest.mark.parametrize(
    ("url", "one_click"),
    [
        ("https://www.example.org/unsubscribe?token={token}", True),
        ("HTTPS://www.example.org/unsubscribe?token={token}", True),
        ("http://www.example.org/unsubscribe?token={token}", False),
        ("mailto:unsubscribe@example.org?subject=unsubscribe", False),
    ],
)
def test_one_click_unsubscribe_is_offered_only_for_an_https_url(
    url: str, one_click: bool
) -> None:
    settings = Settings(sender=SENDER, unsubscribe_url=url, list_id="news.example.org")

    parsed = parse(personal(render_small(settings), settings, Recipient.of(ASCII)).data)

    assert len(unsubscribe_links(parsed)) == 1
    if one_click:
        assert parsed.get_all("List-Unsubscribe-Post") == ["List-Unsubscribe=One-Click"]
    else:
        assert parsed["List-Unsubscribe-Post"] is None


def test_a_mailto_unsubscribe_url_is_the_only_unsubscribe_link() -> None:
    mailto = "mailto:unsubscribe@example.org?subject=unsubscribe"
    settings = Settings(
        sender=SENDER, unsubscribe_url=mailto, list_id="news.example.org"
    )

    parsed = parse(personal(render_small(settings), settings, Recipient.of(ASCII)).data)

    assert parsed["List-Unsubscribe"] == f"<{mailto}>"
    assert parsed["List-Unsubscribe-Post"] is None
    assert f"Unsubscribe: {mailto}\n" in decoded(parsed, "plain")


def test_an_https_url_and_an_unsubscribe_mailto_give_both_links() -> None:
    settings = Settings(
        sender=SENDER,
        unsubscribe_url=UNSUBSCRIBE,
        unsubscribe_mailto="unsubscribe@example.org",
        list_id="news.example.org",
    )
    recipient = Recipient.of(SMTPUTF8)

    data = personal(render_small(settings), settings, recipient).data
    parsed = parse(data)
    https, mailto = unsubscribe_links(parsed)

    assert https.startswith("https://www.example.org/unsubscribe?token=")
    assert (
        verify_unsubscribe_token(
            token_of(https), list_id="news.example.org", secrets=[SECRET]
        )
        == recipient.address
    )
    assert mailto == "mailto:unsubscribe@example.org?subject=unsubscribe"
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    (field,) = [
        line for line in header_lines(data) if line.startswith(b"List-Unsubscribe:")
    ]
    assert field.isascii()


def test_without_an_unsubscribe_address_there_is_no_unsubscribe_header() -> None:
    settings = Settings(sender=SENDER, list_id="news.example.org")

    parsed = parse(personal(render_small(settings), settings, Recipient.of(ASCII)).data)

    assert parsed["List-Unsubscribe"] is None
    assert parsed["List-Unsubscribe-Post"] is None
    assert parsed["List-Id"] == "<news.example.org>"


# Message-IDs and bytes ---------------------------------------------------------


def test_a_recipients_message_id_is_the_same_in_any_case_of_their_address(
    examples: dict[str, Example],
) -> None:
    template = january_template(examples)

    lower = template.personal(Recipient.of("ann@example.org"))
    upper = template.personal(Recipient.of("ANN@EXAMPLE.ORG"))

    assert lower.message_id == upper.message_id
    assert parse(lower.data)["Message-ID"] == parse(upper.data)["Message-ID"]


def test_every_recipient_has_their_own_message_id(
    examples: dict[str, Example],
) -> None:
    template = january_template(examples)
    recipients = [Recipient.of(address) for address in ADDRESSES]

    ids = [template.personal(recipient).message_id for recipient in recipients]

    assert len(set(ids)) == len(ADDRESSES)
    assert template.personal().message_id not in ids
    assert all(value.endswith("@durham.gov.uk>") for value in ids)


def test_a_test_send_has_a_different_message_id_and_the_same_content(
    examples: dict[str, Example],
) -> None:
    recipient = Recipient.of(ASCII, {"first_name": "Ann"})

    real = january_template(examples).personal(recipient)
    test = january_template(examples, salt="test").personal(recipient)

    assert real.message_id != test.message_id
    assert parse(real.data)["Message-ID"] != parse(test.data)["Message-ID"]
    assert decoded(parse(real.data), "html") == decoded(parse(test.data), "html")


def test_the_same_inputs_give_the_same_bytes(examples: dict[str, Example]) -> None:
    recipient = Recipient.of(SMTPUTF8, {"first_name": "José 🎉"})

    first = january_template(examples).personal(recipient)
    again = january_template(examples).personal(recipient)

    assert first.data == again.data
    assert first == again


# Any subject, sender name or merge field value ---------------------------------


@hypothesis.settings(max_examples=150, deadline=None)
@given(subject=st.text())
@example(subject="Newyddion yr Ŵyl: Croeso i’r rhifyn newydd")
@example(subject="Łódź 🎉 – news é")
@example(subject="News\r\nBcc: everyone@example.org")
@example(subject="News\x85more")
@example(subject="News\u2029")
@example(subject="")
def test_any_subject_is_refused_or_round_trips_in_ascii_headers(
    small: Rendered, subject: str
) -> None:
    rendered = dataclasses.replace(small, subject=subject)
    if CONTROL.search(subject):
        with pytest.raises(ContentError, match="Subject header"):
            MessageTemplate(rendered, SETTINGS, DATE)
        return

    data = MessageTemplate(rendered, SETTINGS, DATE).personal(Recipient.of(ASCII)).data
    head, _ = split_message(data)

    assert parse(data)["Subject"] == subject
    assert head.isascii()
    assert max(map(len, head.split(b"\r\n"))) <= 998


# CPython's address parser keeps the folding space between two encoded words
# of a display name (RFC 2047 says to drop it), so a name long enough to be
# folded is checked with email.header.decode_header below instead.
@hypothesis.settings(max_examples=150, deadline=None)
@given(name=st.text(max_size=10))
@example(name="Siân Ŵyn 🎉")
@example(name="Łukasz")
@example(name='Tom & "Jerry"')
@example(name="Ann\nBcc: x@y.org")
@example(name="Ann\u2028")
@example(name="")
def test_any_sender_name_is_refused_or_round_trips_in_ascii_headers(
    small: Rendered, name: str
) -> None:
    if CONTROL.search(name):
        with pytest.raises(ContentError, match="line break or control character"):
            Sender(name, "news@example.org")
        return
    shown = " ".join(name.split())
    if not shown or "=?" in name:
        with pytest.raises(ContentError, match="sender name"):
            Sender(name, "news@example.org")
        return
    settings = Settings(sender=Sender(name, "news@example.org"))

    data = personal(small, settings, Recipient.of(ASCII)).data
    head, _ = split_message(data)
    (address,) = parse(data)["From"].addresses

    # Spaces are tidied when the sender is made: they do not survive in From.
    assert address.display_name == shown
    assert address.addr_spec == "news@example.org"
    assert head.isascii()
    assert max(map(len, head.split(b"\r\n"))) <= 998


@pytest.mark.parametrize(
    "name",
    [
        "Bwrdd Diogelu Plant ac Oedolion Rhanbarthol Gogledd Cymru – Ŵyl Dewi Sant 🎉",
        "Partneriaeth Ŵyl " * 6 + "Newyddion",
        "é" * 100,
    ],
)
def test_a_long_sender_name_decodes_back_from_its_encoded_words(
    small: Rendered, name: str
) -> None:
    settings = Settings(sender=Sender(name, "news@example.org"))

    data = personal(small, settings, Recipient.of(ASCII)).data
    (field,) = [line for line in header_lines(data) if line.startswith(b"From:")]
    value = field.decode("ascii").removeprefix("From:")

    assert b"\r\n " in field, "the name is long enough to be folded"
    assert b"=?utf-8?q??=" not in field
    assert str(make_header(decode_header(value))) == f"{name} <news@example.org>"


@pytest.fixture(scope="module")
def small_template(small: Rendered) -> MessageTemplate:
    return MessageTemplate(small, SETTINGS, DATE, secret=SECRET)


@hypothesis.settings(max_examples=150, deadline=None)
@given(
    value=st.text(
        st.characters(
            exclude_categories=("Cc", "Cs"), exclude_characters="\u2028\u2029"
        )
    )
)
@example(value="=")
@example(value="Ann   ")
@example(value="é" * 300)
@example(value="=" * 80)
@example(value="a" * 75 + " ")
@example(value="{{first_name|x}} {{unsubscribe_url}}")
def test_any_merge_field_value_round_trips_in_76_octet_lines(
    small: Rendered, small_template: MessageTemplate, value: str
) -> None:
    recipient = Recipient.of(ASCII, {"first_name": value})

    data = small_template.personal(recipient).data
    parsed = parse(data)
    values = small_template.values(recipient)
    _, body = split_message(data)

    assert values["first_name"] == value
    assert decoded(parsed, "plain") == expected_text(small, values)
    assert decoded(parsed, "html") == expected_html(small, values)
    assert f"Dear {value or 'colleague'}, book" in decoded(parsed, "plain")
    assert max(map(len, body.split(b"\r\n"))) <= 76
    assert data.count(b"\n") == data.count(b"\r\n")


# Known bugs --------------------------------------------------------------------


@pytest.mark.parametrize("length", [74, 75])
def test_a_line_ending_in_a_space_still_fits_in_76_octets(
    small: Rendered, length: int
) -> None:
    document = "Dear {{first_name|colleague}},\n\n" + "a" * length + " \nBye.\n"
    rendered = dataclasses.replace(small, text=document)
    recipient = Recipient.of(ASCII, {"first_name": "Ann"})

    template = MessageTemplate(rendered, SETTINGS, DATE, secret=SECRET)
    data = template.personal(recipient).data
    _, body = split_message(data)

    assert decoded(parse(data), "plain") == fill_text(document, {"first_name": "Ann"})
    assert max(map(len, body.split(b"\r\n"))) <= 76


@pytest.mark.parametrize(
    "name",
    [
        "Siân <boss@example.com>",
        "Jones, Siân",
        'Siân "Nan" Jones',
        "Partneriaeth Ŵyl (Cymru)",
        "é >B",
    ],
)
def test_specials_in_a_non_ascii_sender_name_stay_in_the_name(
    small: Rendered, name: str
) -> None:
    settings = Settings(sender=Sender(name, "news@example.org"))

    data = personal(small, settings, Recipient.of(ASCII)).data
    addresses = parse(data)["From"].addresses

    assert [(address.display_name, address.addr_spec) for address in addresses] == [
        (name, "news@example.org")
    ]


@pytest.mark.parametrize(
    "name", [" Example Partnership", "Example Partnership ", "Example  Partnership"]
)
def test_spaces_in_a_sender_name_are_tidied(small: Rendered, name: str) -> None:
    settings = Settings(sender=Sender(name, "news@example.org"))

    data = personal(small, settings, Recipient.of(ASCII)).data

    assert parse(data)["From"].addresses[0].display_name == "Example Partnership"


def test_a_subject_starting_with_a_space_keeps_it(small: Rendered) -> None:
    rendered = dataclasses.replace(small, subject=" News - January 2025")

    data = personal(rendered, SETTINGS, Recipient.of(ASCII)).data

    assert parse(data)["Subject"] == " News - January 2025"


def test_a_subject_that_looks_like_an_encoded_word_is_sent_as_written(
    small: Rendered,
) -> None:
    text = "=?utf-8?q?Free_prizes?="
    rendered = dataclasses.replace(small, subject=text)

    parsed = parse(personal(rendered, SETTINGS, Recipient.of(ASCII)).data)

    assert parsed["Subject"] == text


def test_a_sender_name_that_looks_like_an_encoded_word_is_refused() -> None:
    with pytest.raises(ContentError, match="holds '=\\?'"):
        Sender("=?utf-8?q?Free_prizes?=", "news@example.org")


@pytest.mark.parametrize(
    "subject",
    [
        "Newyddion yr Ŵyl: Croeso i’r rhifyn newydd o’r bwletin – Ionawr 2025 – ŵ ŷ â ê",
        "Newyddion yr Ŵyl – Ŵyl Dewi Sant – Ŵyl y Banc – Ŵyl Calan – Ŵyl Fair – Ŵyl Ifan – Ŵyl Mihangel",
        "lorem ipsum dolor sit amet consectetur adipiscing elit sed 你好1234你好",
    ],
)
def test_a_long_non_ascii_subject_is_folded_without_changing_it(
    small: Rendered, subject: str
) -> None:
    rendered = dataclasses.replace(small, subject=subject)

    data = personal(rendered, SETTINGS, Recipient.of(ASCII)).data
    (field,) = [line for line in header_lines(data) if line.startswith(b"Subject:")]
    value = field.decode("ascii").removeprefix("Subject:")

    assert b"=?utf-8?q??=" not in field
    assert str(make_header(decode_header(value))) == subject
    assert parse(data)["Subject"] == subject

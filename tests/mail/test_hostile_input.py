"""Hostile and careless input to the mail stage (issue 13).

A recipient list is a spreadsheet someone exported, so every merge field value
is untrusted: a link field must not carry ``javascript:``, a subject field must
not carry a line break. The unsubscribe check a website calls must refuse the
calls that would make it accept forged tokens. Every CSV cell bulletin writes
is formula-safe and reads back as it was. No header line passes 998 octets.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import email
import email.policy
from email.header import decode_header, make_header
from email.message import EmailMessage
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from bulletin import Edition, Sender, Settings, render
from bulletin.errors import ContentError, RecipientError
from bulletin.mail.csvfile import formula_cell, formula_safe
from bulletin.mail.message import MessageTemplate
from bulletin.mail.recipients import Recipient
from bulletin.mail.suppression import Suppression, SuppressionList
from bulletin.mail.unsubscribe import (
    MIN_SECRET_LENGTH,
    unsubscribe_token,
    verify_unsubscribe_token,
)
from bulletin.model.fields import field_names, fill_text, link_fields

SECRET = "correct horse battery staple"
LIST_ID = "news.example.org"
DATE = dt.date(2025, 1, 15)
SETTINGS = Settings(
    publisher="Example Partnership",
    sender=Sender("Example Partnership", "news@example.org"),
    unsubscribe_url="https://www.example.org/unsubscribe?token={token}",
    list_id=LIST_ID,
)

HOSTILE_LINKS = [
    "javascript:alert(document.cookie)",
    "JavaScript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
    "//evil.example/",
    "{{unsubscribe_url}}",
]


def parsed(data: bytes) -> EmailMessage:
    message = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def bodies(message: EmailMessage) -> str:
    parts = []
    for part in message.walk():
        if part.get_content_maintype() == "text":
            parts.append(part.get_content())
    return "\n".join(parts)


@pytest.fixture(scope="module")
def linked() -> MessageTemplate:
    """An edition whose paragraph link, button and picture link are ``{{ website }}``."""
    edition = Edition(
        "News for {{ first_name | you }}",
        DATE,
        preheader="Hello {{ first_name | colleague }}",
    )
    edition.add_intro(
        "Dear {{ first_name | colleague }}, see [our site]({{ website }})."
    )
    edition.section("Training").paragraph("Book [here]({{ website }}).").button(
        "Book your place", "{{ website }}"
    )
    rendered = render(edition, SETTINGS)
    return MessageTemplate(rendered, SETTINGS, DATE, secret=SECRET)


def reader(website: str, first_name: str = "Ann", row: int = 2) -> Recipient:
    recipient = Recipient.of(
        "ann@example.org", {"website": website, "first_name": first_name}
    )
    return Recipient(recipient.address, recipient.fields, row, recipient.ascii_address)


# 1. Merge fields in links ------------------------------------------------------------


def test_a_link_that_is_a_field_is_a_link_field() -> None:
    html = (
        "<a href=\"{{website}}\">x</a><a href = '{{ home | x }}'>y</a><p>{{name}}</p>"
    )

    assert link_fields(html) == {("website", ""), ("home", "x")}


def test_the_edition_has_its_links_as_link_fields(linked: MessageTemplate) -> None:
    assert ("website", "") in link_fields(linked.rendered.html)


@pytest.mark.parametrize("website", HOSTILE_LINKS)
def test_a_hostile_link_value_is_refused_and_no_message_is_made(
    linked: MessageTemplate, website: str
) -> None:
    recipient = reader(website)

    problems = linked.problems(recipient)
    with pytest.raises(RecipientError) as raised:
        linked.personal(recipient)

    assert problems
    assert "website" in problems[0]
    assert str(raised.value).startswith("row 2 (ann@example.org): ")
    assert "nothing was sent" in str(raised.value)


@pytest.mark.parametrize(
    "website",
    ["https://example.org/ann", "http://example.org", "mailto:ann@example.org", ""],
)
def test_an_allowed_link_value_is_filled_in(
    linked: MessageTemplate, website: str
) -> None:
    message = parsed(linked.personal(reader(website)).data)

    assert linked.problems(reader(website)) == []
    if website:
        assert f'href="{website}"' in bodies(message)


def test_a_link_field_value_never_reaches_the_message(linked: MessageTemplate) -> None:
    for website in HOSTILE_LINKS:
        with pytest.raises(RecipientError):
            linked.personal(reader(website))
    # The copy for nobody (build's .eml) has the defaults: no link at all.
    assert b"javascript" not in linked.personal().data


def test_a_field_in_an_ordinary_text_may_hold_anything(
    linked: MessageTemplate,
) -> None:
    recipient = reader("https://example.org", first_name="javascript:alert(1)")

    assert linked.problems(recipient) == []
    assert "javascript:alert(1)" in bodies(parsed(linked.personal(recipient).data))


# 6. Fields in the subject and preheader ----------------------------------------------


def test_the_subject_is_filled_in_per_recipient(linked: MessageTemplate) -> None:
    ann = parsed(linked.personal(reader("https://example.org")).data)
    nobody = parsed(linked.personal().data)

    assert ann["Subject"] == "News for Ann"
    assert nobody["Subject"] == "News for you"
    assert "{{" not in str(ann["Subject"])


def test_the_preheader_and_title_in_the_body_are_filled_in(
    linked: MessageTemplate,
) -> None:
    text = bodies(parsed(linked.personal(reader("https://example.org")).data))

    assert "Hello Ann" in text
    assert "News for Ann" in text
    assert "{{" not in text


def test_a_spaced_field_is_a_field_as_the_renderer_leaves_it() -> None:
    assert field_names("News for {{ first_name | you }}") == {"first_name"}
    assert fill_text("News for {{ first_name | you }}", {}) == "News for you"
    assert fill_text("{{first_name|you}}", {"first_name": "Ann"}) == "Ann"


@pytest.mark.parametrize(
    "first_name", ["Ann\r\nBcc: everyone@example.org", "Ann\x00", "Ann\u2028x"]
)
def test_a_subject_field_with_a_line_break_is_refused(
    linked: MessageTemplate, first_name: str
) -> None:
    # A list read from a file collapses line breaks; one built in Python may not.
    recipient = Recipient("ann@example.org", {"first_name": first_name}, row=7)

    assert any("subject" in problem for problem in linked.problems(recipient))
    with pytest.raises(RecipientError, match=r"^row 7 \(ann@example.org\): "):
        linked.personal(recipient)


@given(st.text(max_size=300))
@example("=?utf-8?b?QmNjOiB4?=")
@example("a" * 4000)
def test_any_header_safe_first_name_comes_back_as_the_subject(
    first_name: str,
) -> None:
    template = _subject_template()
    first_name = " ".join(first_name.split())
    recipient = Recipient("ann@example.org", {"first_name": first_name})
    if template.problems(recipient):
        return
    data = template.personal(recipient).data

    assert parsed(data)["Subject"] == f"News for {first_name or 'you'}"
    assert _longest_header_line(data) <= 998


_SUBJECT_TEMPLATE: list[MessageTemplate] = []


def _subject_template() -> MessageTemplate:
    if not _SUBJECT_TEMPLATE:
        edition = Edition("News for {{ first_name | you }}", DATE)
        edition.section("Training").paragraph("Book now.")
        _SUBJECT_TEMPLATE.append(
            MessageTemplate(render(edition, SETTINGS), SETTINGS, DATE, secret=SECRET)
        )
    return _SUBJECT_TEMPLATE[0]


# 7. Header lines within 998 octets -------------------------------------------------


def _from_name(data: bytes) -> str:
    """The From header's display name, decoded as RFC 2047 says (the email
    package's address parser puts a space between adjacent encoded words)."""
    head = data.split(b"\r\n\r\n", 1)[0].decode("ascii")
    unfolded = head.replace("\r\n ", " ")
    (value,) = [
        line.removeprefix("From:").strip()
        for line in unfolded.split("\r\n")
        if line.startswith("From:")
    ]
    return str(make_header(decode_header(value))).removesuffix(" <news@example.org>")


def _longest_header_line(data: bytes) -> int:
    head = data.split(b"\r\n\r\n", 1)[0]
    return max(len(line) for line in head.split(b"\r\n"))


_EDITION = Edition("News", DATE)
_EDITION.section("Training").paragraph("Book now.")
_RENDERED = render(_EDITION, SETTINGS)

WORDS = st.one_of(
    st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs")), max_size=40),
    st.text("abcXYZ019!#$%&'*+/=?^_`{|}~-", min_size=1, max_size=3000),
    st.text("ŵéł😀", min_size=1, max_size=1500),
)


@given(
    name=st.lists(WORDS, min_size=1, max_size=4).map(" ".join),
    subject=st.lists(WORDS, min_size=1, max_size=4).map(" ".join),
    publisher=st.lists(WORDS, min_size=1, max_size=3).map(" ".join),
    list_label=st.text("abcdefghij-", min_size=1, max_size=180),
)
@example(name="A" * 2000, subject="S" * 2000, publisher="P" * 2000, list_label="l")
@example(name="Ann " * 400, subject="x " * 1500, publisher="É" * 900, list_label="l")
def test_no_header_line_passes_998_octets_whatever_the_input(
    name: str, subject: str, publisher: str, list_label: str
) -> None:
    name, subject, publisher = (
        " ".join(each.split()) for each in (name, subject, publisher)
    )
    if not name or "=?" in name or not subject or not publisher:
        return
    settings = Settings(
        publisher=publisher,
        sender=Sender(name, "news@example.org"),
        unsubscribe_url="https://www.example.org/unsubscribe?e={address}&t={token}",
        list_id=f"{list_label.strip('-') or 'l'}.example.org",
    )
    rendered = dataclasses.replace(_RENDERED, subject=subject)
    try:
        template = MessageTemplate(rendered, settings, DATE, secret=SECRET)
    except ContentError:
        return  # refused with a message is fine; a long line is not
    long_address = "a" * 64 + "@" + ".".join(["b" * 60] * 3) + ".org"
    for recipient in (
        None,
        Recipient.of("ann@example.org"),
        Recipient.of(long_address),
    ):
        data = template.personal(recipient).data
        assert _longest_header_line(data) <= 998
        message = parsed(data)
        assert message["Subject"] == subject
        assert _from_name(data) == name


def test_a_very_long_one_word_sender_name_is_folded() -> None:
    name = "X" * 3000
    settings = Settings(
        publisher="Example",
        sender=Sender(name, "news@example.org"),
        list_id=LIST_ID,
    )
    data = MessageTemplate(_RENDERED, settings, DATE).personal().data

    assert _longest_header_line(data) <= 998
    assert _from_name(data) == name


def test_a_very_long_unsubscribe_link_is_folded_inside_its_brackets() -> None:
    settings = Settings(
        publisher="Example",
        sender=Sender("Example", "news@example.org"),
        unsubscribe_url="https://www.example.org/u?pad=" + "p" * 1500 + "&t={token}",
        list_id=LIST_ID,
    )
    data = (
        MessageTemplate(_RENDERED, settings, DATE, secret=SECRET)
        .personal(Recipient.of("ann@example.org"))
        .data
    )
    header = str(parsed(data)["List-Unsubscribe"])

    assert _longest_header_line(data) <= 998
    # RFC 2369: whitespace inside the angle brackets is ignored.
    assert "".join(header.split()).startswith("<https://www.example.org/u?pad=ppp")


# 2. verify_unsubscribe_token ------------------------------------------------------


TOKEN = unsubscribe_token("ann@example.org", LIST_ID, SECRET)


def test_a_plain_string_of_secrets_is_a_type_error() -> None:
    # Iterated, a string is its characters, each tried as a secret.
    with pytest.raises(TypeError, match="list or tuple"):
        verify_unsubscribe_token(TOKEN, list_id=LIST_ID, secrets=SECRET)  # type: ignore[arg-type]  # the mistake under test


def test_a_token_signed_with_one_character_does_not_verify_through_a_string() -> None:
    import hashlib
    import hmac

    from bulletin.mail import unsubscribe

    mac = hmac.digest(
        b"s",
        b"bulletin-unsubscribe-v1\n" + LIST_ID.encode() + b"\nann@example.org",
        hashlib.sha256,
    )[:16]
    forged = f"{unsubscribe._b64(b'ann@example.org')}.{unsubscribe._b64(mac)}"

    with pytest.raises(TypeError):
        verify_unsubscribe_token(forged, list_id=LIST_ID, secrets="s" * 32)  # type: ignore[arg-type]  # the mistake under test
    assert verify_unsubscribe_token(forged, list_id=LIST_ID, secrets=["s" * 32]) is None


@pytest.mark.parametrize(
    "secrets", [b"s" * 32, bytearray(b"s" * 32), {"s" * 32}, iter(["s" * 32]), 42, None]
)
def test_secrets_that_are_not_a_sequence_are_a_type_error(secrets: object) -> None:
    with pytest.raises(TypeError):
        verify_unsubscribe_token(TOKEN, list_id=LIST_ID, secrets=secrets)  # type: ignore[arg-type]  # the mistake under test


def test_a_secret_that_is_not_text_or_bytes_is_a_type_error() -> None:
    with pytest.raises(TypeError, match=r"secrets\[1\]"):
        verify_unsubscribe_token(TOKEN, list_id=LIST_ID, secrets=[SECRET, 1234])  # type: ignore[list-item]  # the mistake under test


@pytest.mark.parametrize(
    "secrets",
    [[], (), [""], ["s"], [SECRET, "x" * (MIN_SECRET_LENGTH - 1)], [b"short"]],
)
def test_empty_or_short_secrets_are_a_value_error(secrets: list[str]) -> None:
    with pytest.raises(ValueError, match=r"empty|at least 16"):
        verify_unsubscribe_token(TOKEN, list_id=LIST_ID, secrets=secrets)


def test_a_tuple_of_long_secrets_verifies() -> None:
    assert (
        verify_unsubscribe_token(TOKEN, list_id=LIST_ID, secrets=("o" * 16, SECRET))
        == "ann@example.org"
    )


@pytest.mark.parametrize("secret", ["", "s", "x" * (MIN_SECRET_LENGTH - 1), b"short"])
def test_signing_with_a_short_secret_is_a_value_error(secret: str | bytes) -> None:
    with pytest.raises(ValueError, match=str(MIN_SECRET_LENGTH)):
        unsubscribe_token("ann@example.org", LIST_ID, secret)


@pytest.mark.parametrize("secret", [None, 1234, ["s" * 32]])
def test_signing_with_a_secret_not_text_is_a_type_error(secret: object) -> None:
    with pytest.raises(TypeError):
        unsubscribe_token("ann@example.org", LIST_ID, secret)  # type: ignore[arg-type]  # the mistake under test


# 3. CSV cells are formula-safe ---------------------------------------------------------


@pytest.mark.parametrize(
    "cell",
    ["=cmd|' /C calc'!A0", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "'=x", "''=x"],
)
def test_a_formula_is_quoted_and_reads_back_as_it_was(cell: str) -> None:
    safe = formula_safe(cell)

    assert safe.startswith("'")
    assert formula_cell(safe) == cell


@given(st.text())
@example("'")
@example("'quoted'")
def test_every_cell_reads_back_exactly(cell: str) -> None:
    safe = formula_safe(cell)

    assert not safe.startswith(("=", "+", "-", "@", "\t", "\r", "\n"))
    assert formula_cell(safe) == cell


def test_a_hostile_address_is_written_quoted_and_read_back(tmp_path: Path) -> None:
    path = tmp_path / "suppressed.csv"
    hostile = [
        Suppression("=cmd|' /C calc'!A0@x.org", "bounced", DATE, "=HYPERLINK(1)"),
        Suppression("+ann@example.org", "manual", None, "-1"),
        Suppression("@bob@example.org", "manual", None, "@x"),
    ]
    SuppressionList.load(path).add(hostile)
    text = path.read_text("utf-8-sig")
    cells = [cell for line in text.splitlines()[1:] for cell in line.split(",")]

    assert all(not cell.startswith(("=", "+", "-", "@")) for cell in cells)
    assert "'=cmd|' /C calc'!A0@x.org" in text
    assert list(SuppressionList.load(path)) == hostile


def test_a_file_quoted_by_an_older_bulletin_reads_the_same(tmp_path: Path) -> None:
    # Older versions quoted notes only, and wrote addresses as they were.
    path = tmp_path / "suppressed.csv"
    path.write_text(
        "email,reason,date,note\r\n"
        "ann@example.org,bounced,2025-01-20,'-550 no such user\r\n"
        "=x@example.org,manual,,'quoted by hand'\r\n",
        "utf-8",
    )
    entries = list(SuppressionList.load(path))

    assert [entry.note for entry in entries] == [
        "-550 no such user",
        "'quoted by hand'",
    ]
    assert entries[1].address == "=x@example.org"
    SuppressionList.load(path).add([Suppression("bob@example.org")])
    assert list(SuppressionList.load(path))[:2] == entries


# 4. A recipient list given as the suppression list --------------------------------------


def test_a_recipient_list_is_never_rewritten_as_a_suppression_list(
    tmp_path: Path,
) -> None:
    readers = tmp_path / "readers.csv"
    readers.write_text(
        "email,first_name,organisation\r\nann@example.org,Ann,Council\r\n", "utf-8"
    )
    before = readers.read_bytes()

    with pytest.raises(RecipientError, match="not a suppression list"):
        SuppressionList.load(readers).add([Suppression("bob@example.org")])
    with pytest.raises(RecipientError, match="first_name, organisation"):
        SuppressionList.load(readers).remove(["ann@example.org"])
    assert readers.read_bytes() == before

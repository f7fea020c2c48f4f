"""Classifying the mails of the sending mailbox: a corpus of real formats, by the RFCs."""

from __future__ import annotations

from pathlib import Path

import pytest

from bulletin.mail.bounces import Kind, classify, severity

CORPUS = Path(__file__).parent / "bounces"
UNSUBSCRIBE = frozenset({"unsubscribe@example.org"})

EXPECTED = {
    "m365-5.1.10-recipient-not-found.eml": (Kind.HARD, "ann@example.org", "5.1.10"),
    "m365-5.2.2-mailbox-full.eml": (Kind.SOFT, "erin@example.org", "5.2.2"),
    "gmail-5.1.1-no-such-user.eml": (Kind.HARD, "bob@example.org", "5.1.1"),
    "gmail-5.7.1-blocked.eml": (Kind.BLOCKED, "grace@example.org", "5.7.1"),
    "gmail-delayed-warning.eml": (Kind.DELAYED, "leo@example.org", "4.4.1"),
    "postfix-5.1.1-user-unknown.eml": (Kind.HARD, "carol@example.org", "5.1.1"),
    "postfix-4.4.1-gave-up.eml": (Kind.SOFT, "frank@example.org", "4.4.1"),
    "exim-550-user-unknown.eml": (Kind.HARD, "dave@example.org", "5.1.1"),
    "exim-quota-exceeded.eml": (Kind.SOFT, "nina@example.org", "5.2.2"),
    "unknown-address-not-on-list.eml": (Kind.HARD, "stranger@example.net", "5.1.1"),
    "autoreply-exchange-oof.eml": (Kind.AUTO_REPLY, None, None),
    "autoreply-vacation-sieve.eml": (Kind.AUTO_REPLY, None, None),
    "autoreply-x-autoreply.eml": (Kind.AUTO_REPLY, None, None),
    "unsubscribe-mailto.eml": (Kind.UNSUBSCRIBE, "henry@example.org", ""),
    "unsubscribe-subject.eml": (Kind.UNSUBSCRIBE, "ivy@example.org", ""),
    "reply-from-reader.eml": (Kind.OTHER, None, None),
    "malformed-dsn-no-recipient.eml": (Kind.MALFORMED, None, None),
    "malformed-truncated-bounce.eml": (Kind.MALFORMED, None, None),
    "unreadable-not-a-mail.eml": (Kind.MALFORMED, None, None),
}


def test_the_corpus_is_all_expected() -> None:
    assert sorted(path.name for path in CORPUS.glob("*.eml")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_mail_is_classified(name: str) -> None:
    kind, address, status = EXPECTED[name]
    found = classify((CORPUS / name).read_bytes(), unsubscribe_addresses=UNSUBSCRIBE)
    assert found.kind is kind
    if address is None:
        assert not found.bounces
    else:
        assert [(b.address, b.status) for b in found.bounces] == [(address, status)]
    if kind is Kind.MALFORMED:
        assert found.problem


@pytest.mark.parametrize(
    "name",
    [
        "m365-5.1.10-recipient-not-found.eml",
        "gmail-5.1.1-no-such-user.eml",
        "postfix-5.1.1-user-unknown.eml",
        "exim-550-user-unknown.eml",
    ],
)
def test_the_sent_message_is_named(name: str) -> None:
    """Each format carries the Message-ID of the copy that bounced, for the journal."""
    found = classify((CORPUS / name).read_bytes())
    assert any(
        ident.endswith(".partnership-news-january-2025@example.org>")
        for ident in found.original_ids
    )


def test_a_mail_is_known_again_by_its_message_id_or_its_bytes() -> None:
    raw = (CORPUS / "gmail-5.1.1-no-such-user.eml").read_bytes()
    assert classify(raw).mail_id == "<65a5f0a4.gmail-0002@mx.google.com>"
    headless = (CORPUS / "unreadable-not-a-mail.eml").read_bytes()
    assert classify(headless).mail_id == classify(headless).mail_id
    assert classify(headless).mail_id.startswith("sha256:")


@pytest.mark.parametrize(
    ("status", "text", "kind"),
    [
        ("5.1.1", "", Kind.HARD),
        ("5.1.2", "", Kind.HARD),
        ("5.1.10", "", Kind.HARD),
        ("4.2.2", "", Kind.SOFT),
        ("5.2.2", "", Kind.SOFT),
        ("4.7.1", "", Kind.SOFT),
        ("5.7.1", "", Kind.BLOCKED),
        ("5.1.8", "", Kind.BLOCKED),
        ("5.3.4", "", Kind.BLOCKED),
        ("5.4.4", "", Kind.SOFT),
        ("", "550 user unknown", Kind.HARD),
        ("", "550 administrative prohibition", Kind.SOFT),
    ],
)
def test_severity(status: str, text: str, kind: Kind) -> None:
    assert severity(status, permanent=True, text=text) is kind


def test_a_reader_replying_about_unsubscribing_is_not_a_bounce() -> None:
    raw = (
        b"From: Mia <mia@example.org>\r\nTo: news@example.org\r\n"
        b"Subject: Re: Partnership News\r\nMessage-ID: <x1@example.org>\r\n\r\n"
        b"How do I unsubscribe my colleague?\r\n"
    )
    assert classify(raw, unsubscribe_addresses=UNSUBSCRIBE).kind is Kind.OTHER


def test_hostile_text_comes_out_one_clean_line() -> None:
    raw = (
        (CORPUS / "postfix-5.1.1-user-unknown.eml")
        .read_bytes()
        .replace(
            b"User unknown in virtual\r\n    mailbox table",
            b"User unknown \x1b]8;;https://evil.example/\x07click\x1b[2J" + b"x" * 5000,
        )
    )
    found = classify(raw)
    diagnostic = found.bounces[0].diagnostic
    assert "\x1b" not in diagnostic
    assert "\x07" not in diagnostic
    assert len(diagnostic) <= 500


def test_a_report_for_an_address_in_other_letters_is_read() -> None:
    """RFC 6533: message/global-delivery-status, UTF-8, for an SMTPUTF8 address."""
    raw = (
        "From: MAILER-DAEMON@mx.example.org\r\n"
        "To: news@example.org\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        "Message-ID: <report-1@mx.example.org>\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=global-delivery-status; boundary="b"\r\n'
        "\r\n"
        "--b\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        "Your message could not be delivered.\r\n"
        "--b\r\n"
        "Content-Type: message/global-delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.example.org\r\n"
        "\r\n"
        "Final-Recipient: rfc822; jos\u00e9@example.org\r\n"
        "Action: failed\r\n"
        "Status: 5.1.1\r\n"
        "Diagnostic-Code: smtp; 550 5.1.1 no such user\r\n"
        "--b--\r\n"
    ).encode()

    finding = classify(raw)

    assert finding.kind is Kind.HARD
    [bounce] = finding.bounces
    assert bounce.address == "jos\u00e9@example.org"
    assert bounce.status == "5.1.1"
    assert "no such user" in bounce.diagnostic


def test_a_body_in_a_charset_python_cannot_decode_is_still_read() -> None:
    raw = (
        b"From: MAILER-DAEMON@mx.example.org\r\nTo: news@example.org\r\n"
        b"Subject: Undeliverable: News\r\nMessage-ID: <r2@mx.example.org>\r\n"
        b"Content-Type: text/plain; charset=idna\r\n\r\n"
        b"Delivery to the following recipient failed permanently:\r\n\r\n"
        b"     ann@example.org\r\n\r\n550 5.1.1 The email account does not exist.\r\n"
    )
    finding = classify(raw)  # no UnicodeError
    assert finding.kind in (Kind.HARD, Kind.OTHER, Kind.MALFORMED)

"""The SMTP test server behaves as described, seen through Python's smtplib.

Each test starts its own server on 127.0.0.1 (see tests/smtpserver.py) and
talks to it as a client would: the modes of security, AUTH, the logs, and
every scripted fault, which happens as often as asked and then stops.
"""

from __future__ import annotations

import base64
import datetime as dt
import gc
import smtplib
import ssl
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest

from tests.smtpserver import AuthAttempt, Fault, SmtpServer

Factory = Callable[..., SmtpServer]

SENDER = "editor@example.org"
ANN = "ann@example.org"
BOB = "bob@example.org"


def message(number: int = 1) -> bytes:
    """A small message with a Message-ID of its own."""
    return (
        f"From: {SENDER}\r\nTo: {ANN}\r\nSubject: Number {number}\r\n"
        f"Message-ID: <{number}@bulletin.test>\r\n\r\nHello, reader {number}.\r\n"
    ).encode()


def trust(server: SmtpServer) -> ssl.SSLContext:
    """A client context that trusts the server's test authority."""
    return ssl.create_default_context(cafile=server.ca_file)


@contextmanager
def client(
    server: SmtpServer,
    *,
    login: bool = True,
    timeout: float = 5,
    context: ssl.SSLContext | None = None,
) -> Iterator[smtplib.SMTP]:
    """An smtplib client after EHLO, encrypted as the server wants, logged in unless told not."""
    if server.security == "tls":
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(
            server.host,
            server.port,
            local_hostname="localhost",
            timeout=timeout,
            context=context or trust(server),
        )
    else:
        smtp = smtplib.SMTP(
            server.host, server.port, local_hostname="localhost", timeout=timeout
        )
    with smtp:
        if server.security == "starttls":
            smtp.starttls(context=context or trust(server))
        if login:
            smtp.login(server.username, server.password)
        smtp.ehlo_or_helo_if_needed()
        yield smtp


def plain(smtp: smtplib.SMTP, username: str, password: str) -> tuple[int, bytes]:
    """AUTH PLAIN only (``login()`` would go on to try LOGIN after a 535)."""
    smtp.user, smtp.password = username, password
    return smtp.auth("PLAIN", smtp.auth_plain)


def xoauth2(user: str, token: str) -> Callable[..., str]:
    """smtplib's authobject for XOAUTH2."""
    return lambda challenge=None: f"user={user}\x01auth=Bearer {token}\x01\x01"


# Running


def test_listens_on_a_free_port_of_127_0_0_1_and_the_probe_is_no_session(
    smtp_server: SmtpServer,
) -> None:
    assert smtp_server.host == "127.0.0.1"
    assert smtp_server.port > 0
    assert smtp_server.ca_file.read_text().startswith("-----BEGIN CERTIFICATE-----")
    assert smtp_server.sessions == []


def test_stop_closes_the_port_and_forgets_it(smtp_server_factory: Factory) -> None:
    server = smtp_server_factory()
    port = server.port
    server.stop()
    with pytest.raises(ConnectionRefusedError):
        smtplib.SMTP(server.host, port, local_hostname="localhost", timeout=5)
    with pytest.raises(RuntimeError, match="not running"):
        _ = server.port


def test_unknown_options_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown security 'ssl'"):
        SmtpServer("ssl")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="CRAM-MD5"):
        SmtpServer(auth_mechanisms=["CRAM-MD5"])
    with pytest.raises(ValueError, match="cannot depend on an address"):
        Fault("mail", "451 4.3.0 Later", address=ANN)
    with pytest.raises(ValueError, match="only drop"):
        Fault("body", "554 No")
    with pytest.raises(ValueError, match="at least 1"):
        Fault("rcpt", "450 Busy", times=0)


# Security


def test_starttls_is_offered_and_required_before_mail_and_auth(
    smtp_server: SmtpServer,
) -> None:
    with smtplib.SMTP(
        smtp_server.host, smtp_server.port, local_hostname="localhost", timeout=5
    ) as smtp:
        smtp.ehlo()
        assert smtp.has_extn("starttls")
        assert not smtp.has_extn("auth")
        assert smtp.mail(SENDER)[0] == 530
        assert smtp.docmd("AUTH", "PLAIN AGEAYg==")[0] == 530
        smtp.starttls(context=trust(smtp_server))
        smtp.ehlo()
        assert not smtp.has_extn("starttls")
        assert smtp.esmtp_features["auth"].split() == ["LOGIN", "PLAIN", "XOAUTH2"]
        smtp.login(smtp_server.username, smtp_server.password)
        smtp.sendmail(SENDER, [ANN], message())
    [session] = smtp_server.sessions
    assert session.tls
    assert session.username == smtp_server.username
    assert smtp_server.delivered_to() == Counter({ANN: 1})


@pytest.mark.parametrize("security", ["starttls", "tls"])
def test_a_client_without_the_test_authority_fails_verification(
    smtp_server_factory: Factory, security: str
) -> None:
    server = smtp_server_factory(security=security)
    system_trust = ssl.create_default_context()
    with (
        pytest.raises(ssl.SSLCertVerificationError, match="certificate verify failed"),
        client(server, context=system_trust),
    ):
        pass
    with client(server) as smtp:
        smtp.sendmail(SENDER, [ANN], message())
    # A failed implicit-TLS handshake never reaches the greeting: no session.
    expected = [True] if security == "tls" else [False, True]
    assert [s.tls for s in server.sessions] == expected
    assert len(server.deliveries) == 1


def test_implicit_tls_from_the_first_byte(smtp_server_factory: Factory) -> None:
    server = smtp_server_factory(security="tls")
    with client(server, login=False) as smtp:
        assert not smtp.has_extn("starttls")
        assert smtp.has_extn("auth")
        smtp.login(server.username, server.password)
        smtp.sendmail(SENDER, [ANN], message())
    [session] = server.sessions
    assert session.tls
    assert session.commands[0] == "ehlo localhost"
    assert session.commands[1].startswith("AUTH PLAIN ")
    assert server.auth_attempts == [
        AuthAttempt(1, "PLAIN", server.username, tls=True, success=True)
    ]
    assert len(server.deliveries) == 1


def test_security_none_offers_neither_starttls_nor_auth(
    smtp_server_factory: Factory,
) -> None:
    server = smtp_server_factory(security="none", auth_required=False)
    with client(server, login=False) as smtp:
        assert not smtp.has_extn("starttls")
        assert not smtp.has_extn("auth")
        with pytest.raises(smtplib.SMTPNotSupportedError):
            smtp.starttls()
        assert smtp.docmd("AUTH", "PLAIN AGEAYg==")[0] == 538
        smtp.sendmail(SENDER, [ANN], message())
    assert [s.tls for s in server.sessions] == [False]
    assert len(server.deliveries) == 1


def test_security_none_still_requires_auth_by_default(
    smtp_server_factory: Factory,
) -> None:
    server = smtp_server_factory(security="none")
    with client(server, login=False) as smtp:
        assert smtp.mail(SENDER) == (530, b"5.7.0 Authentication required")


def test_insecure_auth_offers_auth_without_tls(smtp_server_factory: Factory) -> None:
    server = smtp_server_factory(security="insecure-auth")
    with client(server, login=False) as smtp:
        assert not smtp.has_extn("starttls")
        assert smtp.has_extn("auth")
        smtp.login(server.username, server.password)
    assert server.auth_attempts == [
        AuthAttempt(1, "PLAIN", server.username, tls=False, success=True)
    ]
    [session] = server.sessions
    assert not session.tls
    assert any(line.startswith("AUTH PLAIN ") for line in session.commands)


# AUTH


def test_auth_is_required_before_mail(smtp_server: SmtpServer) -> None:
    with client(smtp_server, login=False) as smtp:
        assert smtp.mail(SENDER) == (530, b"5.7.0 Authentication required")
    assert not smtp_server.sessions[0].authenticated


@pytest.mark.parametrize("mechanism", ["PLAIN", "LOGIN"])
def test_plain_and_login_succeed_with_the_password(
    smtp_server: SmtpServer, mechanism: str
) -> None:
    with client(smtp_server, login=False) as smtp:
        smtp.user, smtp.password = smtp_server.username, smtp_server.password
        authobject = getattr(smtp, f"auth_{mechanism.lower()}")
        assert smtp.auth(mechanism, authobject)[0] == 235
        smtp.sendmail(SENDER, [ANN], message())
    assert smtp_server.auth_attempts == [
        AuthAttempt(1, mechanism, smtp_server.username, tls=True, success=True)
    ]
    assert smtp_server.sessions[0].authenticated


def test_a_wrong_password_is_refused_and_logged(smtp_server: SmtpServer) -> None:
    with client(smtp_server, login=False) as smtp:
        with pytest.raises(smtplib.SMTPAuthenticationError) as refused:
            plain(smtp, smtp_server.username, "not the password")
        assert refused.value.smtp_code == 535
        assert smtp.mail(SENDER)[0] == 530
    assert smtp_server.auth_attempts == [
        AuthAttempt(1, "PLAIN", smtp_server.username, tls=True, success=False)
    ]
    assert not smtp_server.sessions[0].authenticated


@pytest.mark.parametrize("initial_response", [True, False])
def test_xoauth2_accepts_the_token(
    smtp_server: SmtpServer, initial_response: bool
) -> None:
    with client(smtp_server, login=False) as smtp:
        code, text = smtp.auth(
            "XOAUTH2",
            xoauth2(smtp_server.username, smtp_server.token),
            initial_response_ok=initial_response,
        )
        assert (code, text) == (235, b"2.7.0 Authentication successful")
        smtp.sendmail(SENDER, [ANN], message())
    assert smtp_server.auth_attempts == [
        AuthAttempt(1, "XOAUTH2", smtp_server.username, tls=True, success=True)
    ]


def test_xoauth2_refuses_a_wrong_token(smtp_server: SmtpServer) -> None:
    with client(smtp_server, login=False) as smtp:
        with pytest.raises(smtplib.SMTPAuthenticationError) as refused:
            smtp.auth("XOAUTH2", xoauth2(smtp_server.username, "expired"))
        assert refused.value.smtp_code == 535
        assert refused.value.smtp_error == b"5.7.3 Authentication unsuccessful"
        with pytest.raises(smtplib.SMTPAuthenticationError):
            smtp.auth("XOAUTH2", xoauth2(smtp_server.username, smtp_server.password))
    assert [a.success for a in smtp_server.auth_attempts] == [False, False]


def test_only_the_mechanisms_asked_for_are_offered(
    smtp_server_factory: Factory,
) -> None:
    server = smtp_server_factory(auth_mechanisms=["XOAUTH2"])
    with client(server, login=False) as smtp:
        assert smtp.esmtp_features["auth"].split() == ["XOAUTH2"]
        assert smtp.docmd("AUTH", "PLAIN AGEAYg==")[0] == 504


# What the server keeps


def test_deliveries_are_logged_and_one_connection_carries_many(
    smtp_server: SmtpServer,
) -> None:
    before = dt.datetime.now(dt.UTC)
    with client(smtp_server) as smtp:
        smtp.sendmail(SENDER, [ANN, BOB], message(1))
        smtp.sendmail(SENDER, [BOB], message(2))
        smtp.sendmail(SENDER, [ANN], message(3))
    first, second, third = smtp_server.deliveries
    assert (first.session, first.mail_from, first.rcpt_tos) == (1, SENDER, (ANN, BOB))
    assert first.message_id == "<1@bulletin.test>"
    assert first.data == message(1)
    assert first.message["Subject"] == "Number 1"
    assert before <= first.time <= second.time <= third.time
    assert [d.message_id for d in smtp_server.messages_for("BOB@example.org")] == [
        "<1@bulletin.test>",
        "<2@bulletin.test>",
    ]
    assert smtp_server.delivered_to() == Counter({ANN: 2, BOB: 2})
    assert len(smtp_server.sessions) == 1


def test_the_transcript_holds_commands_but_no_message_body(
    smtp_server: SmtpServer,
) -> None:
    with client(smtp_server, login=False) as smtp:
        smtp.user, smtp.password = smtp_server.username, smtp_server.password
        smtp.auth("LOGIN", smtp.auth_login)
        smtp.sendmail(SENDER, [ANN], message())
    [session] = smtp_server.sessions
    verbs = [line.split(" ")[0].upper() for line in session.commands]
    assert verbs[:4] == ["EHLO", "STARTTLS", "EHLO", "AUTH"]
    assert verbs[-4:] == ["MAIL", "RCPT", "DATA", "QUIT"]
    password = base64.b64encode(smtp_server.password.encode()).decode()
    assert password in session.commands  # LOGIN's answer to the 334 challenge
    assert not any("Hello, reader" in line for line in session.commands)


def test_smtputf8_is_offered_by_default(smtp_server: SmtpServer) -> None:
    with client(smtp_server) as smtp:
        assert smtp.has_extn("smtputf8")
        smtp.sendmail(
            SENDER, ["josé@exämple.org"], message(), mail_options=["SMTPUTF8"]
        )
    [delivery] = smtp_server.deliveries
    assert delivery.rcpt_tos == ("josé@exämple.org",)
    assert "SMTPUTF8" in delivery.mail_options


def test_smtputf8_can_be_turned_off(smtp_server_factory: Factory) -> None:
    server = smtp_server_factory(smtputf8=False)
    with client(server) as smtp:
        assert not smtp.has_extn("smtputf8")
        assert smtp.docmd("MAIL", f"FROM:<{SENDER}> SMTPUTF8")[0] == 501
        smtp.send("MAIL FROM:<josé@exämple.org>\r\n".encode())
        assert smtp.getreply()[0] == 500
    assert server.deliveries == []


# Faults


@pytest.mark.parametrize(
    "reply",
    [
        "550 5.1.1 No such user",
        "450 4.2.0 Mailbox busy",
        "451 4.3.0 Try later",
        "452 4.5.3 Too many recipients",
        "554 5.7.1 Policy",
    ],
)
def test_at_rcpt_refuses_one_address_always(
    smtp_server: SmtpServer, reply: str
) -> None:
    smtp_server.at_rcpt(BOB, reply)
    code, text = reply.split(" ", 1)
    with client(smtp_server) as smtp:
        for number in (1, 2):
            refused = smtp.sendmail(SENDER, [ANN, BOB], message(number))
            assert refused == {BOB: (int(code), text.encode())}
    assert smtp_server.delivered_to() == Counter({ANN: 2})


def test_a_fault_happens_the_given_number_of_times_then_stops(
    smtp_server: SmtpServer,
) -> None:
    fault = smtp_server.at_rcpt(BOB, "450 4.2.0 Mailbox busy", times=2)
    with client(smtp_server) as smtp:
        for number in (1, 2):
            with pytest.raises(smtplib.SMTPRecipientsRefused):
                smtp.sendmail(SENDER, [BOB], message(number))
        smtp.sendmail(SENDER, [BOB], message(3))
    assert fault.used == 2
    assert [d.message_id for d in smtp_server.deliveries] == ["<3@bulletin.test>"]


def test_421_at_rcpt_closes_the_connection_and_a_new_one_works(
    smtp_server: SmtpServer,
) -> None:
    smtp_server.at_rcpt(ANN, "421 4.4.2 Closing", times=1)
    with client(smtp_server) as smtp:
        assert smtp.mail(SENDER)[0] == 250
        assert smtp.rcpt(ANN) == (421, b"4.4.2 Closing")
        with pytest.raises(smtplib.SMTPServerDisconnected):
            smtp.noop()
    with client(smtp_server) as smtp:
        smtp.sendmail(SENDER, [ANN], message())
    assert [d.session for d in smtp_server.deliveries] == [2]
    assert len(smtp_server.sessions) == 2


@pytest.mark.parametrize(
    "reply", ["552 5.3.4 Message too big", "554 5.6.0 Rejected", "451 4.3.0 Temporary"]
)
def test_after_data_refuses_the_message_without_delivering_it(
    smtp_server: SmtpServer, reply: str
) -> None:
    smtp_server.after_data(BOB, reply, times=1)
    with client(smtp_server) as smtp:
        with pytest.raises(smtplib.SMTPDataError) as refused:
            smtp.sendmail(SENDER, [ANN, BOB], message(1))
        assert refused.value.smtp_code == int(reply[:3])
        assert smtp_server.deliveries == []
        smtp.sendmail(SENDER, [ANN, BOB], message(2))
    assert [d.message_id for d in smtp_server.deliveries] == ["<2@bulletin.test>"]


def test_at_mail_refuses_the_sender_once(smtp_server: SmtpServer) -> None:
    smtp_server.at_mail("451 4.3.0 Later", times=1)
    with client(smtp_server) as smtp:
        with pytest.raises(smtplib.SMTPSenderRefused) as refused:
            smtp.sendmail(SENDER, [ANN], message(1))
        assert refused.value.smtp_code == 451
        smtp.sendmail(SENDER, [ANN], message(2))
    assert len(smtp_server.deliveries) == 1


def test_a_fault_can_belong_to_one_session(smtp_server: SmtpServer) -> None:
    smtp_server.at_mail("451 4.3.0 Later", session=1)
    with client(smtp_server) as smtp:
        for number in (1, 2):
            with pytest.raises(smtplib.SMTPSenderRefused):
                smtp.sendmail(SENDER, [ANN], message(number))
    with client(smtp_server) as smtp:
        smtp.sendmail(SENDER, [ANN], message(3))
    assert [d.session for d in smtp_server.deliveries] == [2]


@pytest.mark.parametrize(
    "reply",
    [
        "535 5.7.30 Basic authentication is not supported for Client Submission",
        "535 5.7.8 Bad credentials",
    ],
)
def test_at_auth_refuses_even_the_right_password(
    smtp_server: SmtpServer, reply: str
) -> None:
    smtp_server.at_auth(reply, times=1)
    with client(smtp_server, login=False) as smtp:
        with pytest.raises(smtplib.SMTPAuthenticationError) as refused:
            plain(smtp, smtp_server.username, smtp_server.password)
        assert refused.value.smtp_code == 535
        assert refused.value.smtp_error == reply[4:].encode()
        assert plain(smtp, smtp_server.username, smtp_server.password)[0] == 235
    assert [a.success for a in smtp_server.auth_attempts] == [False, True]


@pytest.mark.parametrize("security", ["starttls", "tls"])
def test_at_greeting_answers_421_and_hangs_up(
    smtp_server_factory: Factory, security: str
) -> None:
    server = smtp_server_factory(security=security)
    fault = server.at_greeting(times=1)
    with pytest.raises(smtplib.SMTPConnectError) as refused, client(server):
        pass
    assert refused.value.smtp_code == 421
    assert refused.value.smtp_error == b"4.3.2 Service not available"
    assert server.sessions[0].closed.wait(5)
    with client(server) as smtp:
        smtp.sendmail(SENDER, [ANN], message())
    assert fault.used == 1
    assert server.sessions[0].commands == []
    assert [d.session for d in server.deliveries] == [2]


def test_drop_mid_data_delivers_nothing(smtp_server: SmtpServer) -> None:
    smtp_server.drop_mid_data(BOB, times=1)
    with client(smtp_server) as smtp:
        smtp.sendmail(SENDER, [ANN], message(1))
        with pytest.raises(smtplib.SMTPServerDisconnected):
            smtp.sendmail(SENDER, [BOB], message(2))
    with client(smtp_server) as smtp:
        smtp.sendmail(SENDER, [BOB], message(3))
    assert [(d.session, d.message_id) for d in smtp_server.deliveries] == [
        (1, "<1@bulletin.test>"),
        (2, "<3@bulletin.test>"),
    ]


def test_drop_after_data_delivers_but_never_replies(smtp_server: SmtpServer) -> None:
    smtp_server.drop_after_data(ANN, times=1)
    with client(smtp_server) as smtp, pytest.raises(smtplib.SMTPServerDisconnected):
        smtp.sendmail(SENDER, [ANN], message(1))
    with client(smtp_server) as smtp:
        smtp.sendmail(SENDER, [ANN], message(1))
    assert [d.session for d in smtp_server.deliveries] == [1, 2]
    assert smtp_server.delivered_to() == Counter({ANN: 2})


@pytest.mark.parametrize("stage", ["rcpt", "data"])
def test_a_stall_outlasts_the_client_timeout(
    smtp_server: SmtpServer, stage: str
) -> None:
    fault = smtp_server.stall(ANN, stage=stage, seconds=5, times=1)  # type: ignore[arg-type]
    with client(smtp_server, timeout=1) as smtp:
        started = time.monotonic()
        with pytest.raises(smtplib.SMTPServerDisconnected, match="timed out"):
            smtp.sendmail(SENDER, [ANN], message(1))
        assert 1 <= time.monotonic() - started < 4
    assert fault.used == 1
    assert smtp_server.sessions[0].closed.wait(5)
    assert smtp_server.deliveries == []
    with client(smtp_server) as smtp:
        smtp.sendmail(SENDER, [ANN], message(2))
    assert [d.session for d in smtp_server.deliveries] == [2]


def test_stop_returns_at_once_while_a_session_stalls(smtp_server: SmtpServer) -> None:
    fault = smtp_server.stall(None, stage="rcpt", seconds=60)
    with client(smtp_server) as smtp:
        smtp.mail(SENDER)
        smtp.putcmd("rcpt", f"TO:<{ANN}>")
        assert fault.happened.wait(5)
        started = time.monotonic()
        smtp_server.stop()
        assert time.monotonic() - started < 2
        with pytest.raises(smtplib.SMTPServerDisconnected):
            smtp.getreply()
    gc.collect()  # a transport left open would warn now, failing the test

"""Issue 14, PIPELINING (RFC 2920): the envelope in one write, each reply at its stage.

Against the real test server offering PIPELINING (aiosmtpd does not by itself;
tests/smtpserver.py adds it to EHLO): MAIL FROM, RCPT TO and DATA arrive in
one read, the replies keep their meaning (a refusal at RCPT is still about
the reader), and a server that does not offer it gets one command at a time.
"""

# Fixtures are imported from the neighbouring test module, and named as
# parameters of the tests that use them (pytest's way): not redefinitions.
# ruff: noqa: F811

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable

from bulletin.sending.journal import State
from bulletin.sending.smtp import SmtpConnection
from tests.sending.test_delivery import (  # noqa: F401 (make_bench: a fixture)
    ANN,
    BOB,
    CAT,
    FIVE,
    Bench,
    make_bench,
)
from tests.smtpserver import Fault, SmtpServer


def envelopes(server: SmtpServer) -> list[list[str]]:
    """The client's writes that hold a MAIL FROM, as command names."""
    return [
        [line.split(":")[0].split()[0].upper() for line in write]
        for session in server.sessions
        for write in session.writes
        if any(line.upper().startswith("MAIL FROM:") for line in write)
    ]


def test_offered_pipelining_sends_each_envelope_in_one_write(
    make_bench: Callable[..., Bench],
) -> None:
    bench = make_bench(FIVE, pipelining=True)

    result = bench.run()

    assert result.sent == 5
    assert bench.delivered() == Counter(dict.fromkeys(FIVE, 1))
    assert envelopes(bench.server) == [["MAIL", "RCPT", "DATA"]] * 5
    assert set(bench.states().values()) == {State.SENT}
    for address in FIVE:
        assert bench.message_ids(address) == [bench.expected_id(address)]
    assert len(bench.server.sessions) == 1


def test_without_pipelining_offered_each_command_goes_alone(
    make_bench: Callable[..., Bench],
) -> None:
    bench = make_bench(FIVE)

    result = bench.run()

    assert result.sent == 5
    assert envelopes(bench.server) == [["MAIL"]] * 5


def test_pipelining_turned_off_in_the_settings_is_not_used(
    make_bench: Callable[..., Bench],
) -> None:
    bench = make_bench(FIVE, pipelining=True)
    plain = bench.connection()
    connection = SmtpConnection(
        dataclasses.replace(plain.settings, pipelining=False), plain.login
    )

    result = bench.run(connection=connection)

    assert result.sent == 5
    assert envelopes(bench.server) == [["MAIL"]] * 5


def test_a_pipelined_refusal_at_rcpt_keeps_its_meaning(
    make_bench: Callable[..., Bench],
) -> None:
    bench = make_bench(FIVE, pipelining=True)
    bench.server.add_fault(Fault("rcpt", "550 5.1.1 No such user", address=BOB))
    bench.server.add_fault(Fault("rcpt", "550 relay not permitted", address=CAT))

    result = bench.run()

    # The server answered DATA "503 need RCPT" for them: the RCPT reply counts.
    assert result.sent == 3
    assert result.bounced == [BOB]
    states = bench.states()
    assert states[BOB] is State.FAILED
    assert states[CAT] is State.DEFERRED  # a bare 550: not about the mailbox
    assert "550 5.1.1" in bench.entries()[BOB].reply
    assert "550 relay not permitted" in bench.entries()[CAT].reply
    assert bench.delivered() == Counter({a: 1 for a in FIVE if a not in (BOB, CAT)})
    assert BOB in bench.suppressions.read_text()
    assert CAT not in bench.suppressions.read_text()
    assert len(bench.server.sessions) == 1  # RSET, then on with the same connection


def test_a_pipelined_deferral_at_mail_is_tried_again(
    make_bench: Callable[..., Bench],
) -> None:
    bench = make_bench((ANN, BOB), pipelining=True)
    fault = bench.server.add_fault(Fault("mail", "451 4.3.0 Try again later", times=1))

    result = bench.run()

    assert fault.used == 1
    assert result.sent == 2
    assert bench.delivered() == Counter({ANN: 1, BOB: 1})
    assert bench.entries()[ANN].attempts == 2

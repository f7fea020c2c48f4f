"""The SMTP connection an edition goes out through, and what each reply means.

Secure by default:

- TLS always, verified with :func:`ssl.create_default_context` (plus a CA file
  when the server uses a private one): implicit TLS (port 465) or STARTTLS
  (port 587), which must be offered, or the connection is dropped before
  anything is sent.
- A plain connection only to a relay on this computer (127.0.0.1, ::1,
  localhost), only when ``security = "none"`` says so, and never with a login.
- Passwords and tokens are asked for by the caller (:mod:`bulletin.sending.credentials`)
  and go nowhere but the AUTH command.

One :class:`SmtpConnection` carries many messages, one recipient each. Its
:meth:`~SmtpConnection.send` returns an :class:`Attempt`: what the server said
and what that means for the recipient (:class:`Verdict`). A reply that
concerns the whole run (the login refused, the sender refused, a policy block)
raises :class:`SendStoppedError` instead, blaming no recipient.

When the server offers PIPELINING (RFC 2920) the envelope goes in one write:
``MAIL FROM``, ``RCPT TO`` and ``DATA`` together, then their three replies
read in order, each judged at its own stage as if sent one by one (a refusal
at RCPT keeps its meaning). The body and the final dot follow the ``354`` as
without it: two round trips a message instead of four. A server that does not
offer it gets one command at a time.

The final ``.`` of DATA is the point after which the server may have the
message: ``before_dot`` runs just before it is sent (the journal writes
"sending" there), and a connection lost after it is :attr:`Verdict.IN_DOUBT`.
"""

from __future__ import annotations

import contextlib
import logging
import select
import smtplib
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

from bulletin.errors import SendError, SendStoppedError
from bulletin.sending.replies import (
    Attempt,
    Reply,
    Stage,
    Verdict,
    judge,
    printable,
    stopping,
)

__all__ = [
    "DEFAULT_PORTS",
    "LOOPBACK_HOSTS",
    "SECURITY_MODES",
    "Attempt",
    "Login",
    "Reply",
    "SendStoppedError",
    "SmtpConnection",
    "SmtpSettings",
    "Verdict",
    "judge",
]

log = logging.getLogger(__name__)

Security = Literal["tls", "starttls", "none"]
SECURITY_MODES: tuple[Security, ...] = ("tls", "starttls", "none")
DEFAULT_PORTS: dict[Security, int] = {"tls": 465, "starttls": 587, "none": 25}
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})
"""The only hosts bulletin talks to without TLS."""


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    """Where and how to connect.

    Raises:
        SendError: the combination is unsafe (a plain connection to a remote
            host, a login without TLS) or out of range.
    """

    host: str
    port: int | None = None
    """The port; by default 465 for ``tls``, 587 for ``starttls``, 25 for ``none``."""
    security: Security = "starttls"
    username: str | None = None
    """Log in as this user (over TLS only); None sends without logging in."""
    auth: Literal["password", "xoauth2"] = "password"
    """How to log in: a password (AUTH PLAIN or LOGIN) or an OAuth 2 token (XOAUTH2)."""
    ca_file: Path | None = None
    """A CA certificate (PEM) to trust as well as the system's, for a private CA."""
    timeout: float = 60.0
    """Seconds to wait for the server at each step before giving up on the connection."""
    local_hostname: str | None = None
    """The name given in EHLO; by default this computer's."""
    pipelining: bool = True
    """Send MAIL, RCPT and DATA in one write when the server offers PIPELINING."""

    def __post_init__(self) -> None:
        if self.security not in SECURITY_MODES:
            raise SendError(
                f"SMTP security {self.security!r} is not one of tls, starttls, none"
            )
        if not self.host:
            raise SendError('no SMTP host: set host = "smtp.example.org" under [smtp]')
        if self.port is not None and not 0 < self.port < 65536:
            raise SendError(f"SMTP port {self.port} is not between 1 and 65535")
        if not self.timeout > 0:
            raise SendError(f"SMTP timeout {self.timeout} must be above 0 seconds")
        if self.security == "none":
            if self.host.strip("[]").lower() not in LOOPBACK_HOSTS:
                raise SendError(
                    f'security = "none" sends in the clear, so it is only for a relay '
                    f"on this computer (127.0.0.1, ::1 or localhost), not {self.host}; "
                    'use security = "starttls" or "tls"'
                )
            if self.username is not None:
                raise SendError(
                    'security = "none" cannot log in: a password is never sent '
                    'without TLS; leave out username, or use security = "starttls"'
                )
        if self.auth not in ("password", "xoauth2"):
            raise SendError(f"SMTP auth {self.auth!r} is not one of password, xoauth2")

    @property
    def address(self) -> str:
        """``host:port`` as connected to."""
        return f"{self.host}:{self.port or DEFAULT_PORTS[self.security]}"


class Login(Protocol):
    """Logs in on an open, encrypted connection (see :mod:`bulletin.sending.credentials`)."""

    def __call__(self, smtp: smtplib.SMTP) -> None: ...


class SmtpConnection:
    """One connection to the server, opened on first use and reused.

    Args:
        settings: where and how to connect.
        login: logs in after TLS is up; None sends without logging in.
        checkpoint: called with a name at points of each transaction (tests
            stop the process there to prove the journal safe).
    """

    def __init__(
        self,
        settings: SmtpSettings,
        login: Login | None = None,
        *,
        checkpoint: Callable[[str], None] | None = None,
    ) -> None:
        if login is not None and settings.security == "none":
            raise SendError("no login without TLS")
        self.settings = settings
        self.login = login
        self.checkpoint = checkpoint or _nothing
        self.sessions = 0
        """Connections opened so far."""
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self) -> SmtpConnection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def name(self) -> str:
        """The server, as ``host:port``."""
        return self.settings.address

    @property
    def is_open(self) -> bool:
        """True while a connection is up (as far as is known)."""
        return self._smtp is not None

    def open(self) -> None:
        """Connect, secure the connection and log in, unless already connected.

        Raises:
            SendStoppedError: the certificate cannot be verified, STARTTLS is not
                offered, or the server refused the session or the login.
            OSError: the server cannot be reached (worth trying again later).
        """
        if self._smtp is not None:
            return
        settings = self.settings
        port = settings.port or DEFAULT_PORTS[settings.security]
        context = _tls_context(settings.ca_file)
        smtp: smtplib.SMTP
        log.info("connecting to %s (%s)", settings.address, settings.security)
        try:
            if settings.security == "tls":
                smtp = smtplib.SMTP_SSL(
                    settings.host,
                    port,
                    local_hostname=settings.local_hostname,
                    timeout=settings.timeout,
                    context=context,
                )
            else:
                smtp = smtplib.SMTP(
                    settings.host,
                    port,
                    local_hostname=settings.local_hostname,
                    timeout=settings.timeout,
                )
        except ssl.SSLCertVerificationError as error:
            raise _certificate_refused(settings, error) from None
        except ssl.SSLError as error:
            raise _tls_failed(settings, error) from None
        except smtplib.SMTPConnectError as error:
            reply = Reply(error.smtp_code, _text(error.smtp_error))
            if 400 <= reply.code < 500:
                raise ConnectionError(f"{settings.address} said {reply}") from None
            raise stopping("connect", reply, settings.host) from None
        except smtplib.SMTPServerDisconnected as error:
            hint = ""
            if settings.security != "tls" and "timed out" in str(error):
                hint = (
                    "; if this port expects TLS from the start (usually 465), set "
                    'security = "tls"'
                )
            raise ConnectionError(
                f"no greeting from {settings.address} ({error}){hint}"
            ) from None
        self.sessions += 1
        _no_delay(smtp)
        try:
            self._secure(smtp, context)
            if self.login is not None:
                self._log_in(smtp)
        except BaseException:
            _close(smtp)
            raise
        self._smtp = smtp

    def _secure(self, smtp: smtplib.SMTP, context: ssl.SSLContext) -> None:
        settings = self.settings
        _ehlo(smtp, settings.host)
        if settings.security != "starttls":
            return
        if not smtp.has_extn("starttls"):
            raise SendStoppedError(
                f"{settings.address} does not offer STARTTLS, so the connection "
                'cannot be encrypted; nothing was sent. Use security = "tls" (usually '
                "port 465) if the server speaks TLS from the start, or check the host "
                "and port"
            )
        try:
            code, text = smtp.starttls(context=context)
        except ssl.SSLCertVerificationError as error:
            raise _certificate_refused(settings, error) from None
        except ssl.SSLError as error:
            raise _tls_failed(settings, error) from None
        except smtplib.SMTPResponseException as error:
            raise _refusal("starttls", error, settings) from None
        if code != 220:
            raise stopping("starttls", Reply(code, _text(text)), settings.host)
        log.info("TLS is up with %s, certificate verified", settings.address)
        _ehlo(smtp, settings.host)

    def _log_in(self, smtp: smtplib.SMTP) -> None:
        assert self.login is not None
        if self.settings.security == "none" or not isinstance(smtp.sock, ssl.SSLSocket):
            raise SendError("no login without TLS")
        log.info(
            "logging in to %s as %s (%s)",
            self.settings.address,
            self.settings.username,
            self.settings.auth,
        )
        try:
            self.login(smtp)
        except smtplib.SMTPAuthenticationError as error:
            reply = Reply(error.smtp_code, _text(error.smtp_error))
            if 400 <= reply.code < 500:  # e.g. 454 4.7.0: try again later
                raise ConnectionError(
                    f"{self.settings.address} said {reply} at AUTH"
                ) from None
            raise stopping("auth", reply, self.settings.host) from None
        except (smtplib.SMTPServerDisconnected, TimeoutError) as error:
            if isinstance(error, TimeoutError) or "timed out" in str(error):
                # Once, clearly: a server that takes no login in a minute will
                # not take one on a second or third try either.
                raise SendStoppedError(
                    f"{self.settings.address} did not answer the login within "
                    f"{self.settings.timeout:g} s; nothing was sent. The server may "
                    "be overloaded, or not take logins on this port: check host, "
                    "port and security under [smtp] with your IT team, then run the "
                    "same command again to carry on"
                ) from None
            raise ConnectionError(
                f"{self.settings.address} hung up at AUTH ({error})"
            ) from None
        except smtplib.SMTPNotSupportedError:
            raise SendStoppedError(
                f"{self.settings.address} offers no way to log in that bulletin "
                "supports (PLAIN, LOGIN or XOAUTH2)"
            ) from None
        except smtplib.SMTPResponseException as error:
            raise _refusal("auth", error, self.settings) from None

    def send(
        self,
        sender: str,
        recipient: str,
        data: bytes,
        *,
        smtputf8: bool = False,
        before_dot: Callable[[], None] | None = None,
    ) -> Attempt:
        """Offer one message to one recipient.

        ``before_dot`` runs just before the final dot; if it raises, the
        connection is dropped (so the server discards the message) and the
        error propagates.

        A connection kept open from an earlier message that turns out to be
        gone at MAIL (the server dropped it while idle) is opened again and the
        message offered once more: nothing had been sent.

        Raises:
            SendStoppedError: a refusal that concerns the run, not this recipient.
            OSError: the connection could not be opened.
        """
        reused = self._smtp is not None
        while True:
            self.open()
            smtp = self._smtp
            assert smtp is not None
            try:
                return self._transaction(
                    smtp, sender, recipient, data, smtputf8, before_dot or _nothing
                )
            except _LostError as lost:
                self.close()
                if reused and lost.stage == "mail":
                    log.info(
                        "%s had closed the idle connection; opening it again", self.name
                    )
                    reused = False
                    continue
                verdict = Verdict.IN_DOUBT if lost.dot_sent else Verdict.DEFERRED
                return Attempt(
                    verdict,
                    lost.detail,
                    dot_sent=lost.dot_sent,
                    stage=lost.stage,
                    lost=True,
                )
            except BaseException:
                self.abort()
                raise

    def _transaction(
        self,
        smtp: smtplib.SMTP,
        sender: str,
        recipient: str,
        data: bytes,
        smtputf8: bool,
        before_dot: Callable[[], None],
    ) -> Attempt:
        options = []
        if smtputf8:
            if not smtp.has_extn("smtputf8"):
                return Attempt(
                    Verdict.FAILED,
                    f"{self.settings.host} cannot deliver to addresses with non-ASCII "
                    "letters before the @ (it does not offer SMTPUTF8)",
                )
            options.append("SMTPUTF8")
            if smtp.has_extn("8bitmime"):
                options.append("BODY=8BITMIME")
        if smtp.has_extn("size"):
            options.append(f"SIZE={len(data)}")
        if self.settings.pipelining and smtp.has_extn("pipelining"):
            refused = self._pipelined(smtp, sender, recipient, options, smtputf8)
            if refused is not None:
                return refused
        else:
            reply = self._command(smtp, "mail", lambda: smtp.mail(sender, options))
            if reply.code != 250:
                return self._refused("mail", reply)
            reply = self._command(smtp, "rcpt", lambda: smtp.rcpt(recipient))
            if reply.code not in (250, 251):
                return self._refused("rcpt", reply)
            reply = self._command(smtp, "data", lambda: _data_command(smtp))
            if reply.code != 354:
                return self._refused("data", reply)
        body = data.replace(b"\n.", b"\n..")
        if body.startswith(b"."):
            body = b"." + body
        if not body.endswith(b"\r\n"):
            body += b"\r\n"
        half = len(body) // 2
        view = memoryview(body)  # halves without copies
        self._write(smtp, view[:half])
        self.checkpoint("mid-data")
        self._write(smtp, view[half:])
        self.checkpoint("before-sending")
        before_dot()
        self.checkpoint("after-sending")
        _still_listening(smtp)
        # Three bytes either go whole or not at all: a failed write means the
        # server cannot have the dot.
        self._write(smtp, b".\r\n")
        reply = self._command(smtp, "end", smtp.getreply, dot_sent=True)
        if reply.code == 250:
            self.checkpoint("after-reply")
            return Attempt(Verdict.SENT, str(reply), dot_sent=True, stage="end")
        return self._refused("end", reply, dot_sent=True)

    def _pipelined(
        self,
        smtp: smtplib.SMTP,
        sender: str,
        recipient: str,
        options: list[str],
        smtputf8: bool,
    ) -> Attempt | None:
        """MAIL, RCPT and DATA in one write; None when the server said 354.

        The three replies are read in order and the first refusal is judged
        at its stage, as one at a time. A server that hangs up (421) is not
        read further. One that answers 354 although it refused the sender
        or the reader gets the end of an empty message, which it cannot
        deliver to anyone, before the refusal is judged.
        """
        if any(c in sender + recipient + "".join(options) for c in "\r\n"):
            raise SendError("a line break in an SMTP address or option")
        extra = "".join(f" {option}" for option in options)
        commands = (
            f"MAIL FROM:{smtplib.quoteaddr(sender)}{extra}\r\n"
            f"RCPT TO:{smtplib.quoteaddr(recipient)}\r\n"
            "DATA\r\n"
        ).encode("utf-8" if smtputf8 else "ascii")
        self._write(smtp, commands, stage="mail")
        stages: tuple[Stage, ...] = ("mail", "rcpt", "data")
        replies: list[Reply] = []
        for stage in stages:
            reply = self._command(smtp, stage, smtp.getreply)
            replies.append(reply)
            if reply.code == 421:
                break
        if (
            len(replies) == 3
            and replies[2].code == 354
            and (replies[0].code != 250 or replies[1].code not in (250, 251))
        ):
            self._write(smtp, b".\r\n", stage="data")
            self._command(smtp, "data", smtp.getreply)
        for stage, reply, good in zip(
            stages, replies, ((250,), (250, 251), (354,)), strict=False
        ):
            if reply.code not in good:
                return self._refused(stage, reply)
        return None

    def _command(
        self,
        smtp: smtplib.SMTP,
        stage: Stage,
        call: Callable[[], tuple[int, bytes]],
        *,
        dot_sent: bool = False,
    ) -> Reply:
        try:
            code, text = call()
        except (smtplib.SMTPServerDisconnected, OSError) as error:
            raise _LostError(
                _lost(stage, error), dot_sent=dot_sent, stage=stage
            ) from None
        if code == -1:  # smtplib's "no reply": the connection went
            raise _LostError(
                f"connection lost at {stage.upper()}", dot_sent=dot_sent, stage=stage
            )
        return Reply(code, _text(text))

    def _write(
        self, smtp: smtplib.SMTP, chunk: bytes | memoryview, *, stage: Stage = "data"
    ) -> None:
        sock = smtp.sock
        try:
            if sock is None:
                raise OSError("not connected")
            sock.sendall(chunk)
        except OSError as error:
            raise _LostError(_lost(stage, error), dot_sent=False, stage=stage) from None

    def _refused(
        self, stage: Stage, reply: Reply, *, dot_sent: bool = False
    ) -> Attempt:
        verdict = judge(stage, reply)
        if verdict is None:
            self.close()
            raise stopping(stage, reply, self.settings.host)
        if reply.code == 421:
            self.close()
        elif stage != "end":
            self._reset()
        return Attempt(verdict, str(reply), dot_sent=dot_sent, stage=stage)

    def _reset(self) -> None:
        """RSET after a refused transaction; a connection that cannot is dropped."""
        smtp = self._smtp
        if smtp is None:
            return
        try:
            code, _ = smtp.rset()
        except (smtplib.SMTPException, OSError):
            code = 0
        if code != 250:
            self.close()

    def close(self) -> None:
        """Say QUIT and close; quietly, as the connection may already be gone."""
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            _close(smtp)

    def abort(self) -> None:
        """Close at once without QUIT: a message half-sent is then discarded."""
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            smtp.close()


class _LostError(Exception):
    """The connection went; ``dot_sent`` says if it went after the final dot."""

    def __init__(self, detail: str, *, dot_sent: bool, stage: Stage = "data") -> None:
        super().__init__(detail)
        self.detail = detail
        self.dot_sent = dot_sent
        self.stage: Stage = stage


def _still_listening(smtp: smtplib.SMTP) -> None:
    """Before the final dot: anything from the server now (it hung up, or
    answered early) means it cannot take the dot, so the message is safely
    undelivered rather than in doubt."""
    sock = smtp.sock
    if sock is None:
        raise _LostError("connection lost before the final dot", dot_sent=False)
    pending = isinstance(sock, ssl.SSLSocket) and sock.pending() > 0
    try:
        readable, _, _ = select.select([sock], [], [], 0)
    except (OSError, ValueError):
        readable = [sock]
    if pending or readable:
        raise _LostError(
            "the server hung up or answered before the final dot", dot_sent=False
        )


def _data_command(smtp: smtplib.SMTP) -> tuple[int, bytes]:
    smtp.putcmd("data")
    return smtp.getreply()


def _no_delay(smtp: smtplib.SMTP) -> None:
    """Send small writes at once: the final dot follows the body after a journal
    write, and Nagle's algorithm would hold it back for the server's delayed ACK
    (40 ms a message)."""
    if smtp.sock is not None:
        with contextlib.suppress(OSError):
            smtp.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def _ehlo(smtp: smtplib.SMTP, host: str) -> None:
    try:
        code, text = smtp.ehlo()
    except smtplib.SMTPServerDisconnected as error:
        raise ConnectionError(f"{host}: {error}") from None
    if code == 421 or 400 <= code < 500:
        raise ConnectionError(f"{host} said {code} {_text(text)}")
    if code != 250:
        raise stopping("connect", Reply(code, _text(text)), host)


def _tls_context(ca_file: Path | None) -> ssl.SSLContext:
    context = ssl.create_default_context()
    if ca_file is not None:
        try:
            context.load_verify_locations(cafile=str(ca_file))
        except (OSError, ssl.SSLError) as error:
            raise SendError(
                f"{ca_file}: cannot be read as a CA certificate (PEM): {error}"
            ) from None
    return context


def _certificate_refused(
    settings: SmtpSettings, error: ssl.SSLError
) -> SendStoppedError:
    reason = printable(getattr(error, "verify_message", "") or str(error))
    return SendStoppedError(
        f"the certificate of {settings.address} could not be verified ({reason}); "
        "nothing was sent. If the server uses a private certificate authority, set "
        "ca_file under [smtp] (or --ca-file) to its certificate (PEM)"
    )


def _tls_failed(settings: SmtpSettings, error: ssl.SSLError) -> SendStoppedError:
    return SendStoppedError(
        f"TLS with {settings.address} failed ({error.reason or error}); nothing was "
        'sent. Check security and port: security = "tls" is for a port that speaks '
        'TLS from the start (usually 465), security = "starttls" for one that '
        "upgrades to it (usually 587)"
    )


def _refusal(
    stage: Stage, error: smtplib.SMTPResponseException, settings: SmtpSettings
) -> Exception:
    reply = Reply(error.smtp_code, _text(error.smtp_error))
    if 400 <= reply.code < 500:
        return ConnectionError(f"{settings.address} said {reply} at {stage}")
    return stopping(stage, reply, settings.host)


def _lost(stage: Stage, error: BaseException) -> str:
    if isinstance(error, TimeoutError | socket.timeout):
        return f"no answer at {stage.upper()} (timed out)"
    return printable(f"connection lost at {stage.upper()}: {error}").rstrip(": ")


def _text(raw: bytes | str) -> str:
    """A reply's text as it may be printed and stored: one line, no escape codes."""
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    return printable(text)


def _close(smtp: smtplib.SMTP) -> None:
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()


def _nothing(*_: object) -> None:
    return None

r"""A real SMTP server on 127.0.0.1 for the tests, with faults scripted per address.

:class:`SmtpServer` runs aiosmtpd in a thread on a free port of 127.0.0.1. Its
certificate comes from a test authority made by trustme, which no system trusts:
a client must be given ``ca_file``. The server speaks one kind of ``security``:

``"starttls"``
    STARTTLS offered, and required before MAIL or AUTH (as on port 587).
``"tls"``
    TLS from the first byte (as on port 465).
``"none"``
    Neither TLS nor AUTH offered.
``"insecure-auth"``
    No TLS, yet AUTH offered: a careful client refuses to log in.

AUTH (PLAIN, LOGIN and XOAUTH2) is required unless ``auth_required=False``; the
account is ``username`` with ``password``, or with ``token`` for XOAUTH2.
SMTPUTF8 is offered unless ``smtputf8=False``.

The server keeps what happened: ``deliveries`` (each message it answered with
250 after the final dot), ``sessions`` (one per connection: TLS or not, who
logged in, every command line received) and ``auth_attempts``. Wait on its
events rather than sleeping: ``Fault.happened`` is set when a fault first
strikes, ``Session.closed`` when a connection has ended. In the tests, the
fixtures ``smtp_server`` (STARTTLS and AUTH required) and
``smtp_server_factory(**options)`` start servers and stop them afterwards.

Faults are scripted before or during a test. Each belongs to one stage of the
conversation; it may be limited to one recipient ``address`` (None: any), to
one ``session`` number (1 is the first connection) and to a number of
``times`` (None: always). The first matching fault, in the order added, wins.

- ``at_greeting(reply)``: greet with ``reply`` and hang up.
- ``at_auth(reply)`` and ``at_mail(reply)``: answer AUTH or MAIL FROM with ``reply``.
- ``at_rcpt(address, reply)``: answer RCPT TO with ``reply``.
- ``after_data(address, reply)``: answer the final dot with ``reply``, not delivering.
- ``drop_mid_data(address)``: hang up at the first bytes of the message.
- ``drop_after_data(address)``: deliver, then hang up without a reply ("in doubt").
- ``stall(address, stage=..., seconds=...)``: wait before answering RCPT TO or
  the final dot; a client that gives up meanwhile has nothing delivered.
- ``stall_auth(seconds)``: wait before answering AUTH (a login that never answers).
- ``hang_up()``: drop every open connection now, as a server does with idle ones.
- ``add_fault(Fault(...))``: any other combination.

Any reply beginning ``421`` closes the connection, as real servers do.

>>> import smtplib, ssl
>>> with SmtpServer() as server:
...     fault = server.at_rcpt("bob@example.org", "550 5.1.1 No such user")
...     trust = ssl.create_default_context(cafile=server.ca_file)
...     with smtplib.SMTP(server.host, server.port, local_hostname="localhost") as client:
...         _ = client.starttls(context=trust)
...         _ = client.login(server.username, server.password)
...         client.sendmail("editor@example.org", ["ann@example.org", "bob@example.org"], b"Subject: Hi\r\n\r\nHello.\r\n")
...     server.delivered_to()
{'bob@example.org': (550, b'5.1.1 No such user')}
Counter({'ann@example.org': 1})
"""

from __future__ import annotations

import asyncio
import binascii
import dataclasses
import datetime as dt
import secrets
import shutil
import ssl
import tempfile
import threading
from base64 import b64decode
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from pathlib import Path
from types import TracebackType
from typing import Any, AnyStr, Literal, NoReturn, Self, cast, get_args

import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import (
    MISSING,
    SMTP,
    AuthResult,
    Envelope,
    LoginPassword,
    auth_mechanism,
)
from aiosmtpd.smtp import Session as SmtpSession

__all__ = [
    "AuthAttempt",
    "Delivery",
    "Fault",
    "Security",
    "Session",
    "SmtpServer",
    "Stage",
]

Security = Literal["starttls", "tls", "none", "insecure-auth"]
Stage = Literal["greeting", "auth", "mail", "rcpt", "body", "data"]

HOST = "127.0.0.1"
MECHANISMS = ("LOGIN", "PLAIN", "XOAUTH2")
ADDRESSED: frozenset[str] = frozenset({"rcpt", "body", "data"})


@dataclass
class Fault:
    """One scripted misbehaviour of the server."""

    stage: Stage
    """Where it happens; ``body`` is the first bytes after DATA's 354, ``data`` the final dot."""
    reply: str | None = None
    """The reply sent instead of the usual one; None keeps the usual one."""
    address: str | None = None
    """Only when this recipient is concerned (rcpt, body, data stages); None: any."""
    session: int | None = None
    """Only in this session (1 is the first connection); None: every session."""
    times: int | None = None
    """How many times it happens; None: always."""
    delay: float = 0.0
    """Seconds to wait before going on."""
    drop: bool = False
    """Hang up without a reply (at ``data``: after delivering the message)."""
    used: int = 0
    """How many times it has happened so far."""
    happened: threading.Event = field(
        default_factory=threading.Event, repr=False, compare=False
    )
    """Set when it first happens (before any delay): wait on it, never sleep."""

    def __post_init__(self) -> None:
        if self.stage not in get_args(Stage):
            raise ValueError(
                f"unknown stage {self.stage!r}; use one of {get_args(Stage)}"
            )
        if self.address is not None and self.stage not in ADDRESSED:
            raise ValueError(f"a {self.stage} fault cannot depend on an address")
        if self.reply is not None and self.drop:
            raise ValueError("a fault either replies or drops the connection, not both")
        if self.stage == "body" and not self.drop:
            raise ValueError("a body fault can only drop the connection")
        if self.times is not None and self.times < 1:
            raise ValueError(f"times must be at least 1, not {self.times}")

    def applies(self, stage: Stage, session: int, addresses: Sequence[str]) -> bool:
        """Whether this fault happens now, at this stage of this session."""
        return (
            self.stage == stage
            and (self.times is None or self.used < self.times)
            and self.session in (None, session)
            and (
                self.address is None
                or self.address.casefold() in {a.casefold() for a in addresses}
            )
        )


@dataclass(frozen=True)
class Delivery:
    """A message the server accepted: it replied 250 after the final dot."""

    session: int
    """The number of the session (connection) that brought it."""
    mail_from: str
    """The envelope sender."""
    rcpt_tos: tuple[str, ...]
    """The envelope recipients accepted."""
    data: bytes
    """The message as received, dots unstuffed."""
    message_id: str | None
    """The Message-ID header, or None without one."""
    mail_options: tuple[str, ...]
    """The MAIL FROM parameters, such as ``SMTPUTF8`` or ``BODY=8BITMIME``."""
    time: dt.datetime
    """When it was accepted (UTC)."""

    @property
    def message(self) -> EmailMessage:
        """The message parsed with the modern email policy."""
        return message_from_bytes(self.data, policy=policy.default)


@dataclass(frozen=True)
class AuthAttempt:
    """One AUTH exchange that reached the server's check of the credentials."""

    session: int
    """The session number."""
    mechanism: str
    """PLAIN, LOGIN or XOAUTH2."""
    username: str
    """The user the client named."""
    tls: bool
    """Whether the connection was encrypted."""
    success: bool
    """Whether the server replied 235."""


@dataclass
class Session:
    """One connection that reached the SMTP greeting (a failed TLS handshake does not)."""

    number: int
    """1 for the first connection, 2 for the next..."""
    tls: bool = False
    """Whether the connection is encrypted (implicit TLS or after STARTTLS)."""
    username: str | None = None
    """Who logged in, or None."""
    commands: list[str] = field(default_factory=list)
    """Every line the client sent outside a message body, AUTH answers included."""
    writes: list[list[str]] = field(default_factory=list)
    """The same lines, grouped as they arrived (one list per read): commands
    that came together were pipelined."""
    closed: threading.Event = field(
        default_factory=threading.Event, repr=False, compare=False
    )
    """Set once the connection has closed, whichever side closed it."""

    @property
    def authenticated(self) -> bool:
        """Whether AUTH succeeded in this session."""
        return self.username is not None


class SmtpServer:
    """A real SMTP server on 127.0.0.1 with a test CA, logs and scripted faults.

    Args:
        security: ``"starttls"``, ``"tls"``, ``"none"`` or ``"insecure-auth"``.
        auth_required: Refuse MAIL, RCPT and DATA before a successful AUTH.
        auth_mechanisms: The AUTH mechanisms offered.
        smtputf8: Offer SMTPUTF8.
        pipelining: Offer PIPELINING (RFC 2920); aiosmtpd does not by itself,
            but reads pipelined commands in order all the same.
        username: The account's user name.
        password: Its password (random by default).
        token: Its XOAUTH2 bearer token (random by default).
        workdir: Where to write ``ca.pem``; a temporary folder by default.
    """

    host = HOST

    def __init__(
        self,
        security: Security = "starttls",
        *,
        auth_required: bool = True,
        auth_mechanisms: Sequence[str] = MECHANISMS,
        smtputf8: bool = True,
        pipelining: bool = False,
        username: str = "editor@example.org",
        password: str | None = None,
        token: str | None = None,
        workdir: Path | None = None,
    ) -> None:
        if security not in get_args(Security):
            raise ValueError(
                f"unknown security {security!r}; use one of {get_args(Security)}"
            )
        if unknown := set(auth_mechanisms) - set(MECHANISMS):
            raise ValueError(
                f"unknown AUTH mechanisms {sorted(unknown)}; use {MECHANISMS}"
            )
        self.security = security
        self.auth_required = auth_required
        self.auth_mechanisms = tuple(auth_mechanisms)
        self.smtputf8 = smtputf8
        self.pipelining = pipelining
        self.username = username
        self.password = password or secrets.token_urlsafe(12)
        self.token = token or secrets.token_urlsafe(24)
        self._workdir = workdir
        self._tempdir: Path | None = None
        self._ca_file: Path | None = None
        self._controller: _Controller | None = None
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self._deliveries: list[Delivery] = []
        self._sessions: list[Session] = []
        self._auth_attempts: list[AuthAttempt] = []
        self._live: set[_Protocol] = set()  # touched only in the server's thread

    # Running

    def start(self) -> Self:
        """Make the certificates, listen on a free port and wait for the greeting."""
        if self._controller is not None:
            raise RuntimeError("the SMTP server is already running")
        folder = self._workdir
        if folder is None:
            folder = self._tempdir = Path(tempfile.mkdtemp(prefix="smtpserver-"))
        folder.mkdir(parents=True, exist_ok=True)
        authority = trustme.CA()
        self._ca_file = folder / "ca.pem"
        authority.cert_pem.write_to_path(str(self._ca_file))
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        authority.issue_cert(HOST, "localhost").configure_cert(context)
        handler = _Handler(self)
        controller = _Controller(
            handler,
            ssl_context=context if self.security == "tls" else None,
            tls_context=context if self.security == "starttls" else None,
            require_starttls=self.security == "starttls",
            # aiosmtpd cannot tell implicit TLS from none, so "tls" relaxes this.
            auth_require_tls=self.security in ("starttls", "none"),
            auth_exclude_mechanism=set(MECHANISMS) - set(self.auth_mechanisms),
            authenticator=handler.authenticate,
            enable_SMTPUTF8=self.smtputf8,
        )
        try:
            controller.start()
        except BaseException:
            controller.stop(no_assert=True)
            if not controller.loop.is_closed():
                controller.loop.close()
            raise
        self._controller = controller
        return self

    def stop(self) -> None:
        """Hang up on every client, even one stalled, and stop listening."""
        controller, self._controller = self._controller, None
        if controller is None:
            return
        asyncio.run_coroutine_threadsafe(self._hang_up_all(), controller.loop).result(5)
        controller.stop()
        if self._tempdir is not None:
            shutil.rmtree(self._tempdir, ignore_errors=True)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        """The port the server listens on."""
        return self._running().port

    @property
    def ca_file(self) -> Path:
        """The PEM file of the certificate authority to trust."""
        self._running()
        assert self._ca_file is not None
        return self._ca_file

    def cli_options(self) -> list[str]:
        """``bulletin send``'s options for sending through this server."""
        return [
            "--smtp-host",
            self.host,
            "--smtp-port",
            str(self.port),
            "--username",
            self.username,
            "--ca-file",
            str(self.ca_file),
        ]

    # Faults

    def add_fault(self, fault: Fault) -> Fault:
        """Script a fault; return it (its ``used`` counts how often it happened)."""
        with self._lock:
            self._faults.append(fault)
        return fault

    def at_greeting(
        self,
        reply: str = "421 4.3.2 Service not available",
        *,
        times: int | None = None,
    ) -> Fault:
        """Greet the next connections with ``reply``, then hang up."""
        return self.add_fault(Fault("greeting", reply, times=times))

    def at_auth(
        self, reply: str, *, times: int | None = None, session: int | None = None
    ) -> Fault:
        """Answer AUTH with ``reply`` whatever the credentials."""
        return self.add_fault(Fault("auth", reply, times=times, session=session))

    def at_mail(
        self, reply: str, *, times: int | None = None, session: int | None = None
    ) -> Fault:
        """Answer MAIL FROM with ``reply``."""
        return self.add_fault(Fault("mail", reply, times=times, session=session))

    def at_rcpt(
        self,
        address: str | None,
        reply: str,
        *,
        times: int | None = None,
        session: int | None = None,
    ) -> Fault:
        """Answer RCPT TO for ``address`` (None: any) with ``reply``."""
        return self.add_fault(Fault("rcpt", reply, address, session, times))

    def after_data(
        self,
        address: str | None,
        reply: str,
        *,
        times: int | None = None,
        session: int | None = None,
    ) -> Fault:
        """Answer the final dot of a message to ``address`` with ``reply``; no delivery."""
        return self.add_fault(Fault("data", reply, address, session, times))

    def drop_mid_data(self, address: str | None, *, times: int | None = None) -> Fault:
        """Hang up when a message to ``address`` starts arriving; no delivery."""
        return self.add_fault(Fault("body", None, address, times=times, drop=True))

    def drop_after_data(
        self, address: str | None, *, times: int | None = None
    ) -> Fault:
        """Deliver a message to ``address``, then hang up instead of replying."""
        return self.add_fault(Fault("data", None, address, times=times, drop=True))

    def stall_auth(self, seconds: float, *, times: int | None = None) -> Fault:
        """Wait ``seconds`` before answering AUTH (then answer it as usual)."""
        return self.add_fault(Fault("auth", None, times=times, delay=seconds))

    def hang_up(self) -> None:
        """Drop every open connection now, without a word (an idle timeout)."""
        controller = self._running()
        asyncio.run_coroutine_threadsafe(self._hang_up_all(), controller.loop).result(5)

    def stall(
        self,
        address: str | None,
        *,
        stage: Literal["rcpt", "data"],
        seconds: float,
        times: int | None = None,
    ) -> Fault:
        """Wait ``seconds`` before answering RCPT TO or the final dot for ``address``."""
        return self.add_fault(Fault(stage, None, address, times=times, delay=seconds))

    # What happened

    @property
    def deliveries(self) -> list[Delivery]:
        """Every message accepted, in order."""
        with self._lock:
            return list(self._deliveries)

    @property
    def sessions(self) -> list[Session]:
        """A snapshot of every session, in order."""
        with self._lock:
            return [
                dataclasses.replace(s, commands=list(s.commands))
                for s in self._sessions
            ]

    @property
    def auth_attempts(self) -> list[AuthAttempt]:
        """Every AUTH exchange that reached the credentials check, in order."""
        with self._lock:
            return list(self._auth_attempts)

    def delivered_to(self) -> Counter[str]:
        """How many messages each recipient address was delivered."""
        return Counter(address for d in self.deliveries for address in d.rcpt_tos)

    def messages_for(self, address: str) -> list[Delivery]:
        """The deliveries to ``address`` (compared without case)."""
        wanted = address.casefold()
        return [
            d for d in self.deliveries if wanted in {a.casefold() for a in d.rcpt_tos}
        ]

    # Called from the server's thread

    def _running(self) -> _Controller:
        if self._controller is None:
            raise RuntimeError("the SMTP server is not running; call start() first")
        return self._controller

    def _take(
        self,
        stage: Stage,
        session: int,
        addresses: Sequence[str] = (),
        *,
        stall: bool = False,
    ) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                # AUTH's stalls are played apart from its replies.
                stalls = fault.delay > 0 and fault.reply is None and not fault.drop
                if stage == "auth" and stalls != stall:
                    continue
                if fault.applies(stage, session, addresses):
                    fault.used += 1
                    fault.happened.set()
                    return fault
        return None

    def _open_session(self, protocol: _Protocol, tls: bool) -> Session:
        self._live.add(protocol)
        with self._lock:
            session = Session(len(self._sessions) + 1, tls)
            self._sessions.append(session)
        return session

    def _note(self, session: Session, **changes: Any) -> None:
        with self._lock:
            for name, value in changes.items():
                setattr(session, name, value)

    def _note_command(self, session: Session, line: str) -> None:
        with self._lock:
            session.commands.append(line)

    def _note_auth(self, attempt: AuthAttempt) -> None:
        with self._lock:
            self._auth_attempts.append(attempt)

    def _deliver(self, session: int, envelope: Envelope) -> int:
        data = envelope.original_content or b""
        message_id = BytesHeaderParser(policy=policy.compat32).parsebytes(data)[
            "Message-ID"
        ]
        delivery = Delivery(
            session,
            envelope.mail_from or "",
            tuple(envelope.rcpt_tos),
            data,
            None if message_id is None else str(message_id).strip(),
            tuple(envelope.mail_options),
            dt.datetime.now(dt.UTC),
        )
        with self._lock:
            self._deliveries.append(delivery)
            return len(self._deliveries)

    async def _hang_up_all(self) -> None:
        protocols = list(self._live)
        for protocol in protocols:
            protocol.abort()
        if protocols:
            await asyncio.wait([protocol.lost for protocol in protocols], timeout=2)


class _Protocol(SMTP):
    """aiosmtpd's SMTP, with the owner's faults, session log and XOAUTH2."""

    def __init__(self, handler: _Handler, *, probe: bool, **options: Any) -> None:
        super().__init__(handler, **options)
        self.owner = handler.owner
        self.probe = probe
        """The controller's own check that the server answers: not a session."""
        self.record: Session | None = None
        self.lost: asyncio.Future[None] = self.loop.create_future()
        self._partial = b""
        self._in_body = False
        self._body_next = False
        self._dropped = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        """Open the session record, or note that STARTTLS succeeded."""
        super().connection_made(transport)
        tls = transport.get_extra_info("ssl_object") is not None
        if self.record is not None:
            self.owner._note(self.record, tls=tls)
        elif not self.probe:
            self.record = self.owner._open_session(self, tls)

    def connection_lost(self, error: Exception | None) -> None:
        """Forget the connection."""
        super().connection_lost(error)
        self.owner._live.discard(self)
        if self.record is not None:
            self.record.closed.set()
        if not self.lost.done():
            self.lost.set_result(None)

    def data_received(self, data: bytes) -> None:
        """Transcribe command lines; drop the connection mid-DATA if scripted."""
        if self._dropped:
            return
        if self._body_next and self.record is not None:
            self._body_next = False
            assert self.envelope is not None
            if self.owner._take("body", self.record.number, self.envelope.rcpt_tos):
                self.abort()
                return
        if self.record is not None:
            *lines, self._partial = (self._partial + data).split(b"\n")
            together: list[str] = []
            for line in (raw.rstrip(b"\r") for raw in lines):
                if self._in_body:
                    self._in_body = line != b"."
                else:
                    text = line.decode("utf-8", "replace")
                    together.append(text)
                    self.owner._note_command(self.record, text)
            if together:
                self.record.writes.append(together)
        super().data_received(data)

    async def push(self, status: AnyStr) -> None:
        """Reply; note when a message body begins; close after a 421."""
        await super().push(status)
        code = (
            status[:4]
            if isinstance(status, str)
            else status[:4].decode("ascii", "replace")
        )
        if code.startswith("354"):
            self._in_body = self._body_next = True
        elif code == "421 " and self.transport is not None:
            self.transport.close()

    async def _handle_client(self) -> None:
        """Play a greeting fault, or hand over to aiosmtpd's command loop."""
        fault = await self.play("greeting")
        if fault is not None and fault.reply is not None:
            await self.push(fault.reply)
            assert self.transport is not None
            self.transport.close()
            return
        await super()._handle_client()

    async def check_auth_needed(self, caller_method: str) -> bool:
        """Refuse mail before AUTH (aiosmtpd warns when it does this itself without TLS)."""
        assert self.session is not None
        if self.owner.auth_required and not self.session.authenticated:
            await self.push("530 5.7.0 Authentication required")
            return True
        return False

    async def smtp_AUTH(self, arg: str) -> None:  # noqa: N802 (aiosmtpd's name)
        """Play a stall at AUTH, then authenticate as aiosmtpd does."""
        if self.record is not None:
            fault = self.owner._take("auth", self.record.number, stall=True)
            if fault is not None:
                await asyncio.sleep(fault.delay)
        await super().smtp_AUTH(arg)

    @auth_mechanism("XOAUTH2")
    async def auth_xoauth2(self, _: SMTP, args: list[str]) -> AuthResult:
        """Check ``user=<user>^Aauth=Bearer <token>^A^A``, sent at once or after 334."""
        if len(args) == 1:
            blob = await self.challenge_auth("")
            if blob is MISSING:
                return AuthResult(success=False)  # challenge_auth has replied
        else:
            try:
                blob = b64decode(args[1], validate=True)
            except binascii.Error:
                await self.push("501 5.5.2 Can't decode base64")
                return AuthResult(success=False)
        assert isinstance(blob, bytes)
        fields = dict(
            item.partition("=")[::2]
            for item in blob.decode(errors="replace").split("\x01")
        )
        token = fields.get("auth", "").removeprefix("Bearer ")
        assert isinstance(self.event_handler, _Handler)
        credentials = LoginPassword(fields.get("user", "").encode(), token.encode())
        assert self.session is not None
        assert self.envelope is not None
        return self.event_handler.authenticate(
            self, self.session, self.envelope, "XOAUTH2", credentials
        )

    async def play(self, stage: Stage, addresses: Sequence[str] = ()) -> Fault | None:
        """Take the fault for this stage, wait its delay, and drop if told (but at data)."""
        if self.record is None:
            return None
        fault = self.owner._take(stage, self.record.number, addresses)
        if fault is not None and fault.delay:
            await asyncio.sleep(fault.delay)
        if fault is not None and fault.drop and stage != "data":
            self.hang_up()
        return fault

    def abort(self) -> None:
        """Drop the connection at once, without a reply."""
        self._dropped = True
        if isinstance(self.transport, asyncio.Transport):
            self.transport.abort()

    def hang_up(self) -> NoReturn:
        """Drop the connection and end this session's command loop."""
        self.abort()
        raise asyncio.CancelledError  # aiosmtpd's way out when a connection is lost


class _Handler:
    """aiosmtpd's hooks: play the faults, else do the usual, and keep the logs."""

    def __init__(self, owner: SmtpServer) -> None:
        self.owner = owner

    async def handle_EHLO(  # noqa: N802 (aiosmtpd finds hooks by this name)
        self,
        server: _Protocol,
        session: SmtpSession,
        envelope: Envelope,
        hostname: str,
        responses: list[str],
    ) -> list[str]:
        """aiosmtpd's EHLO lines, with PIPELINING when the server offers it."""
        session.host_name = hostname
        if self.owner.pipelining:
            responses.insert(-1, "250-PIPELINING")
        return responses

    async def handle_MAIL(  # noqa: N802 (aiosmtpd finds hooks by this name)
        self,
        server: _Protocol,
        session: SmtpSession,
        envelope: Envelope,
        address: str,
        options: list[str],
    ) -> str:
        """Accept the sender unless a fault says otherwise."""
        fault = await server.play("mail")
        if fault is not None and fault.reply is not None:
            return fault.reply
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 2.1.0 OK"

    async def handle_RCPT(  # noqa: N802 (aiosmtpd finds hooks by this name)
        self,
        server: _Protocol,
        session: SmtpSession,
        envelope: Envelope,
        address: str,
        options: list[str],
    ) -> str:
        """Accept the recipient unless a fault says otherwise."""
        fault = await server.play("rcpt", [address])
        if fault is not None and fault.reply is not None:
            return fault.reply
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(options)
        return "250 2.1.5 OK"

    async def handle_DATA(  # noqa: N802 (aiosmtpd finds hooks by this name)
        self, server: _Protocol, session: SmtpSession, envelope: Envelope
    ) -> str:
        """Deliver the message unless a fault says otherwise."""
        fault = await server.play("data", envelope.rcpt_tos)
        if fault is not None and fault.reply is not None:
            return fault.reply
        assert server.record is not None
        number = self.owner._deliver(server.record.number, envelope)
        if fault is not None and fault.drop:
            server.hang_up()
        return f"250 2.0.0 OK: queued as {number}"

    def authenticate(
        self,
        server: SMTP,
        session: SmtpSession,
        envelope: Envelope,
        mechanism: str,
        credentials: Any,
    ) -> AuthResult:
        """Check the credentials (password, or token for XOAUTH2) and log the attempt."""
        assert isinstance(server, _Protocol)
        assert server.record is not None
        assert isinstance(credentials, LoginPassword)
        username = credentials.login.decode(errors="replace")
        secret = credentials.password.decode(errors="replace")
        expected = self.owner.token if mechanism == "XOAUTH2" else self.owner.password
        fault = self.owner._take("auth", server.record.number)
        right = username == self.owner.username and secret == expected
        success = fault is None and right
        record = server.record
        self.owner._note_auth(
            AuthAttempt(record.number, mechanism, username, record.tls, success)
        )
        if success:
            self.owner._note(record, username=username)
            return AuthResult(success=True, auth_data=username)
        if fault is not None and fault.drop:
            server.abort()
            return AuthResult(success=False)  # nothing more to say
        if fault is not None and fault.reply is not None:
            return AuthResult(success=False, handled=False, message=fault.reply)
        if mechanism == "XOAUTH2":
            return AuthResult(
                success=False,
                handled=False,
                message="535 5.7.3 Authentication unsuccessful",
            )
        return AuthResult(success=False, handled=False)  # aiosmtpd's 535 5.7.8


class _Controller(Controller):
    """aiosmtpd's threaded controller on a free port of 127.0.0.1."""

    def __init__(self, handler: _Handler, **options: Any) -> None:
        super().__init__(
            handler, hostname=HOST, port=0, server_hostname="localhost", **options
        )
        self._probed = False

    def factory(self) -> SMTP:
        """Make the protocol for one connection; the first is the readiness probe."""
        probe, self._probed = not self._probed, True
        handler = cast(_Handler, self.handler)
        return _Protocol(handler, probe=probe, loop=self.loop, **self.SMTP_kwargs)

    def _trigger_server(self) -> None:
        """Learn the port the system chose, then check the server greets."""
        assert isinstance(self.server, asyncio.Server)
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()  # type: ignore[no-untyped-call]  # not annotated

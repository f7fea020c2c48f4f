"""The sending mailbox, read: over IMAP, or from a local export (mbox, Maildir).

IMAP goes through imap-tools, always encrypted and verified like SMTP
(:func:`ssl.create_default_context`, plus a private CA's certificate when
``ca_file`` is set): TLS from the start (port 993) or STARTTLS (143), never in
the clear, since IMAP always logs in. The password comes from
``BULLETIN_IMAP_PASSWORD`` or a hidden prompt; an OAuth 2 token (XOAUTH2, for
Microsoft 365) from ``BULLETIN_IMAP_TOKEN`` or the same ``token_command`` as
sending.

Mails are read without marking them seen. Those dealt with are moved to the
``processed_folder`` (made if missing), never deleted. A local export is only
read: bulletin never changes it.
"""

from __future__ import annotations

import logging
import mailbox
import os
import ssl
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol

from bulletin.errors import SendError
from bulletin.sending.credentials import token_from_command
from bulletin.sending.replies import printable

if TYPE_CHECKING:
    from imap_tools import BaseMailBox

__all__ = [
    "IMAP_PASSWORD_ENV",
    "IMAP_TOKEN_ENV",
    "ImapMailbox",
    "ImapSettings",
    "LocalMailbox",
    "Mail",
    "Mailbox",
    "imap_secret",
]

log = logging.getLogger(__name__)

IMAP_PASSWORD_ENV = "BULLETIN_IMAP_PASSWORD"
IMAP_TOKEN_ENV = "BULLETIN_IMAP_TOKEN"
_PORTS = {"tls": 993, "starttls": 143}
_MAX_MAIL = 25 * 1024 * 1024
"""A mail larger than this is not read (a bounce is a few kilobytes)."""


@dataclass(frozen=True, slots=True)
class ImapSettings:
    """Where the sending mailbox is and how to reach it.

    Raises:
        SendError: a value is out of range or unsafe.
    """

    host: str
    username: str
    port: int | None = None
    """By default 993 for ``tls``, 143 for ``starttls``."""
    security: Literal["tls", "starttls"] = "tls"
    folder: str = "INBOX"
    """Where bounces arrive."""
    processed_folder: str = "bulletin-processed"
    """Where mails dealt with are moved (made if missing)."""
    auth: Literal["password", "xoauth2"] = "password"
    ca_file: Path | None = None
    """A CA certificate (PEM) to trust as well as the system's."""
    timeout: float = 60.0

    def __post_init__(self) -> None:
        if not self.host:
            raise SendError(
                'no IMAP host: set host = "outlook.office365.com" under [imap]'
            )
        if not self.username:
            raise SendError("no IMAP username: set username under [imap]")
        if self.security not in _PORTS:
            raise SendError(
                f"IMAP security {self.security!r} is not one of tls, starttls: IMAP "
                "always logs in, so it is never used in the clear"
            )
        if self.auth not in ("password", "xoauth2"):
            raise SendError(f"IMAP auth {self.auth!r} is not one of password, xoauth2")
        if self.port is not None and not 0 < self.port < 65536:
            raise SendError(f"IMAP port {self.port} is not between 1 and 65535")
        if not 0 < self.timeout <= 3600:
            raise SendError(
                f"IMAP timeout {self.timeout} is not a number of seconds from 1 to 3600"
            )
        if not self.folder or not self.processed_folder:
            raise SendError("the IMAP folder and processed_folder must not be empty")
        if self.folder == self.processed_folder:
            raise SendError(
                f"processed_folder {self.processed_folder!r} is the folder read: "
                "choose another, e.g. bulletin-processed"
            )

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port or _PORTS[self.security]}"


@dataclass(frozen=True, slots=True)
class Mail:
    """One mail of a mailbox: its bytes, or why they could not be read."""

    ref: str
    """Where it is: an IMAP UID, an mbox position, a Maildir file name."""
    raw: bytes | None
    problem: str = ""


class Mailbox(Protocol):
    """Somewhere mails are read from."""

    name: str
    """How the editor knows it: ``news@example.org at host:993/INBOX``, a file."""
    moves: bool
    """True when :meth:`done` moves mails away (IMAP); False for an export."""

    def mails(self) -> Iterator[Mail]: ...

    def done(self, refs: Sequence[str]) -> int: ...

    def close(self) -> None: ...


def imap_secret(
    settings: ImapSettings,
    *,
    token_command: str | None = None,
    environ: Mapping[str, str] | None = None,
    prompt: Callable[[str], str] | None = None,
) -> Callable[[], str]:
    """What gives the password or token, asked for once now.

    Raises:
        SendError: none can be found; says how to give one.
    """
    env = os.environ if environ is None else environ
    if settings.auth == "xoauth2":
        token = env.get(IMAP_TOKEN_ENV, "").strip()
        if token:
            return lambda: token
        if token_command:
            command = token_command
            return lambda: token_from_command(command)
        raise SendError(
            f"no OAuth token for {settings.username}: set {IMAP_TOKEN_ENV}, or "
            "token_command under [imap] (or [smtp]) to a command that prints one"
        )
    password = env.get(IMAP_PASSWORD_ENV)
    if not password and prompt is not None:
        password = prompt(f"Password for {settings.username} at {settings.host} (IMAP)")
    if not password:
        raise SendError(
            f"no IMAP password for {settings.username}: set {IMAP_PASSWORD_ENV} "
            "(never put a password on the command line), or run at a terminal to be "
            "asked for it"
        )
    fixed = password
    return lambda: fixed


class ImapMailbox:
    """The sending mailbox over IMAP, logged in on :meth:`open`."""

    moves = True

    def __init__(self, settings: ImapSettings, secret: Callable[[], str]) -> None:
        self.settings = settings
        self._secret = secret
        self._box: BaseMailBox | None = None
        self.name = f"{settings.username} at {settings.address}/{settings.folder}"

    def open(self) -> ImapMailbox:
        """Connect, verify the certificate and log in.

        Raises:
            SendError: the server cannot be reached, its certificate cannot be
                verified, or the login or the folder is refused.
        """
        from imap_tools import MailBox, MailBoxStartTls
        from imap_tools.errors import MailboxFolderSelectError, MailboxLoginError

        settings = self.settings
        context = ssl.create_default_context()
        if settings.ca_file is not None:
            try:
                context.load_verify_locations(cafile=str(settings.ca_file))
            except (OSError, ssl.SSLError) as error:
                raise SendError(
                    f"{settings.ca_file}: cannot be read as a CA certificate (PEM): "
                    f"{error}"
                ) from None
        port = settings.port or _PORTS[settings.security]
        log.info("connecting to %s (%s)", settings.address, settings.security)
        box: BaseMailBox
        try:
            if settings.security == "tls":
                box = MailBox(
                    settings.host, port, timeout=settings.timeout, ssl_context=context
                )
            else:
                box = MailBoxStartTls(
                    settings.host, port, timeout=settings.timeout, ssl_context=context
                )
        except ssl.SSLCertVerificationError as error:
            raise SendError(
                f"the certificate of {settings.address} could not be verified "
                f"({printable(error.verify_message or str(error))}); nothing was read. "
                "If the server uses a private certificate authority, set ca_file "
                "under [imap] to its certificate (PEM)"
            ) from None
        except (OSError, ssl.SSLError) as error:
            raise SendError(
                f"cannot reach the IMAP server {settings.address}: "
                f"{printable(str(error))}"
            ) from None
        except Exception as error:  # imap-tools' own errors: STARTTLS refused
            raise SendError(
                f"{settings.address} refused a secure connection: "
                f"{printable(str(error))}"
            ) from None
        try:
            if settings.auth == "xoauth2":
                box.xoauth2(settings.username, self._secret(), initial_folder=None)
            else:
                box.login(settings.username, self._secret(), initial_folder=None)
            box.folder.set(settings.folder)
        except MailboxLoginError:
            box.client.shutdown()
            raise SendError(
                f"{settings.address} refused the login of {settings.username}; check "
                f"the password ({IMAP_PASSWORD_ENV}) or token"
            ) from None
        except MailboxFolderSelectError:
            box.logout()
            raise SendError(
                f"{settings.address} has no folder {settings.folder!r}; set folder "
                "under [imap] (e.g. INBOX)"
            ) from None
        self._box = box
        return self

    def mails(self) -> Iterator[Mail]:
        """Every mail of the folder, oldest first, left unread.

        Each is fetched on its own, its size first: a mail too big to be a
        bounce is never downloaded, and one the parser chokes on (imap_tools
        parses as it fetches) is one problem, not the end of the run.

        Raises:
            SendError: the connection failed; mails dealt with so far are kept.
        """
        box = self._opened()
        with self._failing("listing the mails"):
            uids = box.uids()
        for uid in uids:
            with self._failing("reading a mail"):
                head = next(
                    box.fetch(f"UID {uid}", mark_seen=False, headers_only=True), None
                )
            if head is None:
                continue  # gone since it was listed
            if head.size_rfc822 > _MAX_MAIL:
                yield Mail(
                    uid, None, f"too big to be a bounce ({head.size_rfc822:,} bytes)"
                )
                continue
            try:
                with self._failing("reading a mail"):
                    found = next(box.fetch(f"UID {uid}", mark_seen=False), None)
                raw = None if found is None else found.obj.as_bytes()
            except SendError:
                raise
            except Exception as error:  # the parser's, e.g. RecursionError
                yield Mail(uid, None, f"cannot be read: {printable(str(error))[:200]}")
                continue
            if raw is not None:
                yield Mail(uid, raw)

    def done(self, refs: Sequence[str]) -> int:
        """Move the mails ``refs`` (UIDs) to the processed folder; return how many."""
        refs = [ref for ref in refs if ref]
        if not refs:
            return 0
        from imap_tools import MailMessageFlags

        box = self._opened()
        target = self.settings.processed_folder
        with self._failing(f"moving the mails dealt with to {target}"):
            if not box.folder.exists(target):
                log.info("creating the IMAP folder %s", target)
                box.folder.create(target)
            capabilities = box.client.capabilities
            if "MOVE" in capabilities:
                box.move(refs, target, chunks=200)
            else:
                # Copy, then mark deleted; a plain EXPUNGE would also remove
                # every other mail someone marked deleted, so only ours go, and
                # only where the server can expunge by UID (UIDPLUS).
                box.copy(refs, target, chunks=200)
                box.flag(refs, MailMessageFlags.DELETED, True, chunks=200)
                if "UIDPLUS" in capabilities:
                    box.client.uid("EXPUNGE", ",".join(refs))
        return len(refs)

    @contextmanager
    def _failing(self, doing: str) -> Iterator[None]:
        """A lost connection or a refused command while ``doing``: one line."""
        import imaplib

        from imap_tools.errors import ImapToolsError

        try:
            yield
        except (OSError, imaplib.IMAP4.error, ImapToolsError) as error:
            raise SendError(
                f"{self.settings.address}: {doing} failed ({printable(str(error))[:200]}); "
                "run the same command again: what was dealt with is recorded"
            ) from None

    def close(self) -> None:
        box, self._box = self._box, None
        if box is not None:
            try:
                box.logout()
            except Exception:  # already gone: nothing to tidy
                log.debug("IMAP logout failed", exc_info=True)

    def _opened(self) -> BaseMailBox:
        if self._box is None:
            self.open()
        assert self._box is not None
        return self._box


class LocalMailbox:
    """An export of the mailbox: an mbox file or a Maildir folder, only read."""

    moves = False

    def __init__(self, path: Path, kind: Literal["mbox", "maildir"]) -> None:
        self.path = path
        self.kind = kind
        self.name = str(path)
        if kind == "mbox" and not path.is_file():
            raise SendError(f"{path}: no such mbox file")
        if (
            kind == "maildir"
            and not (path / "cur").is_dir()
            and not (path / "new").is_dir()
        ):
            raise SendError(f"{path}: not a Maildir folder (no cur/ or new/ in it)")

    def mails(self) -> Iterator[Mail]:
        box: mailbox.Mailbox[mailbox.Message]
        box = (
            mailbox.mbox(self.path, create=False)
            if self.kind == "mbox"
            else mailbox.Maildir(self.path, create=False)
        )
        try:
            for key in box.iterkeys():
                ref = str(key)
                try:
                    with box.get_file(key) as file:  # never more than one too many
                        raw = file.read(_MAX_MAIL + 1)
                except (OSError, KeyError) as error:
                    yield Mail(ref, None, f"cannot be read: {printable(str(error))}")
                    continue
                if len(raw) > _MAX_MAIL:
                    yield Mail(
                        ref, None, f"too big to be a bounce (over {_MAX_MAIL:,} bytes)"
                    )
                    continue
                yield Mail(ref, raw)
        finally:
            box.close()

    def done(self, refs: Sequence[str]) -> int:
        """An export is never changed."""
        return 0

    def close(self) -> None:
        """Nothing to close."""

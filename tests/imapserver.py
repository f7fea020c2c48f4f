"""A real IMAP server for the bounce tests: Debian's Dovecot, on 127.0.0.1.

Each :class:`ImapServer` writes its own configuration into a folder (no system
service, nothing under /etc), listens on free ports with TLS from the start
(``imaps``) and STARTTLS (``imap``), on a certificate from a test authority
made by trustme that no system trusts, and keeps one user with a password in
a passwd-file. Mail is delivered by writing files into the user's Maildir,
as a local delivery agent would.

Dovecot never runs a user's mail as root, so when the tests run as root the
mail belongs to Dovecot's own system user.
"""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Self

import trustme

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
HOST = "127.0.0.1"
USER = "news@example.org"
PASSWORD = "correct horse battery staple"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


class ImapServer:
    """Dovecot with one user, ``news@example.org``, started by :meth:`start`."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="bulletin-dovecot-"))
        self.folder.chmod(0o755)
        self.port = _free_port()
        """STARTTLS (imap)."""
        self.tls_port = _free_port()
        """TLS from the start (imaps)."""
        self.ca_file = self.folder / "ca.pem"
        self.home = self.folder / "home"
        self.maildir = self.home / "Maildir"
        if os.geteuid() == 0:
            owner = pwd.getpwnam("dovecot")
            self._uid, self._gid = owner.pw_uid, owner.pw_gid
            self._internal = self._login = "dovecot"
        else:
            self._uid, self._gid = os.getuid(), os.getgid()
            self._internal = self._login = pwd.getpwuid(self._uid).pw_name
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> Self:
        authority = trustme.CA()
        authority.cert_pem.write_to_path(str(self.ca_file))
        served = authority.issue_cert(HOST, "localhost")
        cert, key = self.folder / "cert.pem", self.folder / "key.pem"
        served.private_key_and_cert_chain_pem.write_to_path(str(cert))
        served.private_key_pem.write_to_path(str(key))
        passwd = self.folder / "passwd"
        passwd.write_text(
            f"{USER}:{{PLAIN}}{PASSWORD}:{self._uid}:{self._gid}::{self.home}\n"
        )
        for sub in ("cur", "new", "tmp"):
            (self.maildir / sub).mkdir(parents=True, exist_ok=True)
        for path in (self.home, *self.home.rglob("*")):
            os.chown(path, self._uid, self._gid)
        (self.folder / "run").mkdir()
        config = self.folder / "dovecot.conf"
        config.write_text(
            f"""\
base_dir = {self.folder}/run
state_dir = {self.folder}/run
instance_name = bulletin-test-{secrets.token_hex(4)}
log_path = {self.folder}/dovecot.log
protocols = imap
listen = {HOST}
default_internal_user = {self._internal}
default_login_user = {self._login}
first_valid_uid = {min(self._uid, 100) if self._uid else 1}
ssl = required
ssl_cert = <{cert}
ssl_key = <{key}
ssl_min_protocol = TLSv1.2
disable_plaintext_auth = yes
auth_mechanisms = plain login
mail_location = maildir:~/Maildir
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {passwd}
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {passwd}
}}
service imap-login {{
  inet_listener imap {{
    address = {HOST}
    port = {self.port}
  }}
  inet_listener imaps {{
    address = {HOST}
    port = {self.tls_port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
}}
"""
        )
        self._process = subprocess.Popen(
            [DOVECOT, "-F", "-c", str(config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                error = self._process.stderr.read() if self._process.stderr else b""
                log = self.folder / "dovecot.log"
                raise RuntimeError(
                    "dovecot did not start: "
                    + error.decode(errors="replace")
                    + (log.read_text(errors="replace") if log.exists() else "")
                )
            try:
                with socket.create_connection((HOST, self.tls_port), timeout=1):
                    return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("dovecot did not listen within 15 s")

    def deliver(self, raw: bytes, folder: str = "") -> Path:
        """Put ``raw`` into the user's Maildir (``folder``: a subfolder such as
        ``Processed``) as a new, unread mail."""
        box = self.maildir / f".{folder}" if folder else self.maildir
        for sub in ("cur", "new", "tmp"):
            (box / sub).mkdir(parents=True, exist_ok=True)
            os.chown(box / sub, self._uid, self._gid)
        os.chown(box, self._uid, self._gid)
        name = f"{time.time_ns()}.{secrets.token_hex(6)}.bulletin-test"
        temporary = box / "tmp" / name
        temporary.write_bytes(raw)
        os.chown(temporary, self._uid, self._gid)
        final = box / "new" / name
        temporary.rename(final)
        return final

    def count(self, folder: str = "") -> int:
        """How many mails ``folder`` (the inbox by default) holds, read or not."""
        box = self.maildir / f".{folder}" if folder else self.maildir
        return sum(
            1
            for sub in ("cur", "new")
            if (box / sub).is_dir()
            for entry in (box / sub).iterdir()
            if entry.is_file()
        )

    def log(self) -> str:
        path = self.folder / "dovecot.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is not None:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            if process.stderr:
                process.stderr.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

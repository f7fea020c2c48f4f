"""Logging in to the SMTP server: a password, or an OAuth 2 token (XOAUTH2).

A password comes from an environment variable or, at a terminal, a hidden
prompt; never from a command-line argument, which other users of the computer
can see. A token comes from an environment variable or from a command that
prints one (run again on every new connection, as tokens expire within the
hour). Neither is ever printed: the objects holding them show as ``***``.

Microsoft 365 is switching off password logins for SMTP, so XOAUTH2 (or a
relay) is the lasting way to send through it.
"""

from __future__ import annotations

import os
import shlex
import smtplib
import subprocess
from collections.abc import Callable, Mapping

from bulletin.errors import SendError
from bulletin.sending.smtp import Login, SmtpSettings

__all__ = [
    "PASSWORD_ENV",
    "TOKEN_ENV",
    "PasswordLogin",
    "TokenLogin",
    "login_for",
    "token_from_command",
]

PASSWORD_ENV = "BULLETIN_SMTP_PASSWORD"
TOKEN_ENV = "BULLETIN_SMTP_TOKEN"
_COMMAND_TIMEOUT = 60.0


class PasswordLogin:
    """AUTH PLAIN, or LOGIN when the server offers only that."""

    __slots__ = ("_password", "username")

    def __init__(self, username: str, password: str) -> None:
        self.username = username
        self._password = password

    def __repr__(self) -> str:
        return f"PasswordLogin({self.username!r}, ***)"

    def __call__(self, smtp: smtplib.SMTP) -> None:
        offered = (smtp.esmtp_features.get("auth") or "").upper().split()
        user, password = self.username, self._password
        if "PLAIN" in offered:
            smtp.auth("PLAIN", lambda challenge=None: f"\0{user}\0{password}")
        elif "LOGIN" in offered:
            answers = iter((user, password))
            smtp.auth(
                "LOGIN",
                lambda challenge=None: next(answers, ""),
                initial_response_ok=False,
            )
        else:
            raise smtplib.SMTPNotSupportedError("no PLAIN or LOGIN")


class TokenLogin:
    """AUTH XOAUTH2 with a token fetched afresh for each connection."""

    __slots__ = ("token", "username")

    def __init__(self, username: str, token: Callable[[], str]) -> None:
        self.username = username
        self.token = token

    def __repr__(self) -> str:
        return f"TokenLogin({self.username!r}, ***)"

    def __call__(self, smtp: smtplib.SMTP) -> None:
        offered = (smtp.esmtp_features.get("auth") or "").upper().split()
        if "XOAUTH2" not in offered:
            raise smtplib.SMTPNotSupportedError("no XOAUTH2")
        initial = f"user={self.username}\x01auth=Bearer {self.token()}\x01\x01"
        # An error reply to XOAUTH2 is a base64 challenge with details; the
        # client answers it with an empty line to get the final status.
        smtp.auth(
            "XOAUTH2", lambda challenge=None: initial if challenge is None else ""
        )


def token_from_command(command: str, *, timeout: float = _COMMAND_TIMEOUT) -> str:
    """Run ``command`` (no shell) and return the token it prints.

    Raises:
        SendError: the command cannot run, fails or prints nothing; its
            output is never repeated, as it may hold the token.
    """
    try:
        argv = shlex.split(command)
    except ValueError as error:
        raise SendError(f"token_command {command!r} cannot be read: {error}") from None
    if not argv:
        raise SendError("token_command is empty; give the command that prints a token")
    try:
        done = subprocess.run(
            argv, capture_output=True, timeout=timeout, check=False, text=True
        )
    except FileNotFoundError:
        raise SendError(
            f"token_command: {argv[0]} not found; check the command in bulletin.toml"
        ) from None
    except subprocess.TimeoutExpired:
        raise SendError(
            f"token_command {argv[0]} gave no token within {timeout:.0f} s"
        ) from None
    token = done.stdout.strip()
    if done.returncode != 0 or not token:
        problem = (
            f"exited with {done.returncode}" if done.returncode else "printed nothing"
        )
        raise SendError(
            f"token_command {argv[0]} {problem}; run it yourself to see why"
        )
    if any(ord(c) < 0x21 or ord(c) == 0x7F for c in token):
        raise SendError(
            f"token_command {argv[0]} printed more than one token (spaces or lines); "
            "it must print the access token alone"
        )
    return token


def login_for(
    settings: SmtpSettings,
    *,
    token_command: str | None = None,
    environ: Mapping[str, str] | None = None,
    prompt: Callable[[str], str] | None = None,
) -> Login | None:
    """How to log in for ``settings``; None when no username is set.

    Args:
        token_command: for XOAUTH2, a command that prints a token, used when
            :data:`TOKEN_ENV` is not set.
        environ: where to find :data:`PASSWORD_ENV` and :data:`TOKEN_ENV`.
        prompt: asks for the password (hidden) when the variable is not set;
            None when no one can be asked.

    Raises:
        SendError: no password or token can be found; says how to give one.
    """
    env = os.environ if environ is None else environ
    username = settings.username
    if username is None:
        return None
    if settings.auth == "xoauth2":
        token = env.get(TOKEN_ENV)
        if token:
            fixed = token.strip()
            return TokenLogin(username, lambda: fixed)
        if token_command:
            command = token_command
            return TokenLogin(username, lambda: token_from_command(command))
        raise SendError(
            f"no OAuth token for {username}: set {TOKEN_ENV}, or token_command under "
            "[smtp] to a command that prints one"
        )
    password = env.get(PASSWORD_ENV)
    if not password and prompt is not None:
        password = prompt(f"Password for {username} at {settings.host}")
    if not password:
        raise SendError(
            f"no password for {username}: set {PASSWORD_ENV} (never put a password "
            "on the command line), or run at a terminal to be asked for it"
        )
    return PasswordLogin(username, password)

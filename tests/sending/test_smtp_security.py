"""The transport's security and the secrets, against the real test server.

Certificates are verified (the test CA is trusted only when given as
``ca_file``), STARTTLS is required when asked for, a plain connection goes
only to this computer and never logs in, and the password or token never
shows: not in a repr, an error, the CLI's output or a log record. What the
client actually sent is read from the server's transcripts
(tests/smtpserver.py), once each connection has closed.
"""

from __future__ import annotations

import base64
import json
import logging
import shlex
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner, Result

from bulletin.cli import app
from bulletin.commands.smtpconfig import ENVIRONMENT
from bulletin.errors import SendError
from bulletin.mail.unsubscribe import SECRET_ENV
from bulletin.sending.credentials import (
    PASSWORD_ENV,
    TOKEN_ENV,
    PasswordLogin,
    TokenLogin,
    login_for,
    token_from_command,
)
from bulletin.sending.smtp import (
    Login,
    SendStoppedError,
    SmtpConnection,
    SmtpSettings,
    Verdict,
)
from tests.conftest import EXAMPLES
from tests.smtpserver import Session, SmtpServer

Factory = Callable[..., SmtpServer]

runner = CliRunner()

SENDER = "editor@example.org"
READER = "ann@example.org"
MESSAGE = (
    f"From: {SENDER}\r\nTo: {READER}\r\nSubject: Hello\r\n"
    "Message-ID: <1@bulletin.test>\r\n\r\nHello, reader.\r\n"
).encode()
UNSUBSCRIBE_SECRET = "a-long-random-test-secret-0123456789"
QUIET = frozenset({"EHLO", "HELO", "QUIT", "RSET", "NOOP"})
"""Commands that carry nothing of a message or a login."""
SERVER_LOGGER = "mail.log"
"""aiosmtpd's logger: the test server's own records, not the client's."""


# Fixtures and helpers -------------------------------------------------------------


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever the machine running the tests has set, no SMTP settings or secrets."""
    for name in (*ENVIRONMENT.values(), PASSWORD_ENV, TOKEN_ENV):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(SECRET_ENV, UNSUBSCRIBE_SECRET)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A copy of the example bulletin (bulletin.toml beside edition.md)."""
    copy = tmp_path / "dscp"
    shutil.copytree(EXAMPLES / "dscp-2025-01", copy)
    return copy


@pytest.fixture
def edition(folder: Path) -> Path:
    return folder / "edition.md"


@pytest.fixture
def logged(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Every log record of the test, from DEBUG up."""
    with caplog.at_level(logging.DEBUG):
        yield caplog


def settings(server: SmtpServer, **options: object) -> SmtpSettings:
    """Settings for ``server``: its security, trusting its CA, logging in as its user."""
    chosen: dict[str, object] = {
        "security": "tls" if server.security == "tls" else "starttls",
        "ca_file": server.ca_file,
        "username": server.username,
        "timeout": 5.0,
    }
    chosen.update(options)
    return SmtpSettings(server.host, server.port, **chosen)  # type: ignore[arg-type]  # checked at run time


def finished(server: SmtpServer) -> list[Session]:
    """The server's sessions once every connection has closed."""
    for session in server.sessions:
        assert session.closed.wait(5), f"session {session.number} still open"
    return server.sessions


def verbs(server: SmtpServer) -> list[str]:
    """The first word of every command the server received, upper case."""
    return [
        (command.split() or [""])[0].upper()
        for session in finished(server)
        for command in session.commands
    ]


def nothing_sent(server: SmtpServer) -> None:
    """No AUTH, no MAIL, no message reached the server."""
    assert not {"AUTH", "MAIL", "RCPT", "DATA"} & set(verbs(server))
    assert server.auth_attempts == []
    assert server.deliveries == []


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def forms(username: str, secret: str) -> set[str]:
    """The secret as it could leak: as is, base64, and inside AUTH PLAIN or XOAUTH2."""
    return {
        secret,
        b64(secret),
        b64(f"\0{username}\0{secret}"),
        b64(f"user={username}\x01auth=Bearer {secret}\x01\x01"),
    }


def assert_hidden(text: str, username: str, secret: str) -> None:
    leaked = [form for form in forms(username, secret) if form in text]
    assert not leaked, f"the secret shows in {text!r}"


def client_log(caplog: pytest.LogCaptureFixture) -> str:
    """Every record but the test server's own, formatted with any traceback."""
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    return "\n".join(
        formatter.format(record)
        for record in caplog.records
        if record.name != SERVER_LOGGER
    )


def send(*args: str | Path) -> Result:
    return runner.invoke(app, ["send", *map(str, args)])


def send_test_copy(edition: Path, server: SmtpServer, *options: str | Path) -> Result:
    """``bulletin send EDITION --test-to READER`` at ``server``."""
    return send(
        edition,
        "--test-to",
        READER,
        "--smtp-host",
        server.host,
        "--smtp-port",
        str(server.port),
        *options,
    )


def one_line_error(result: Result) -> str:
    """The CLI failed with exit 1 and a single ``error:`` line; return it."""
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert "Traceback" not in result.output
    assert not isinstance(result.exception, Exception), result.exception
    return lines[0]


def token_script(tmp_path: Path, body: str, name: str = "token.py") -> str:
    """A command running a small Python script; its text is ``body``."""
    script = tmp_path / name
    script.write_text(body, encoding="utf-8")
    return f"{shlex.quote(sys.executable)} {shlex.quote(str(script))}"


# Certificates -----------------------------------------------------------------------


@pytest.mark.parametrize("security", ["starttls", "tls"])
def test_a_certificate_from_an_unknown_authority_is_refused(
    smtp_server_factory: Factory, security: str
) -> None:
    server = smtp_server_factory(security=security)
    connection = SmtpConnection(
        settings(server, ca_file=None),
        PasswordLogin(server.username, server.password),
    )

    with pytest.raises(SendStoppedError) as raised:
        connection.send(SENDER, READER, MESSAGE)

    message = str(raised.value)
    assert "certificate" in message
    assert "could not be verified" in message
    assert "ca_file" in message
    assert "nothing was sent" in message
    assert_hidden(message, server.username, server.password)
    nothing_sent(server)
    assert set(verbs(server)) <= {*QUIET, "STARTTLS"}
    if security == "tls":
        assert server.sessions == [], "the handshake failed before any SMTP"
    else:
        assert verbs(server)[-1] == "STARTTLS"


@pytest.mark.parametrize("security", ["starttls", "tls"])
def test_the_servers_authority_given_as_ca_file_is_trusted(
    smtp_server_factory: Factory, security: str
) -> None:
    server = smtp_server_factory(security=security)

    with SmtpConnection(
        settings(server), PasswordLogin(server.username, server.password)
    ) as connection:
        attempt = connection.send(SENDER, READER, MESSAGE)

    assert attempt.verdict is Verdict.SENT
    assert server.delivered_to() == {READER: 1}
    [session] = finished(server)
    assert session.tls
    assert session.authenticated
    assert [a.tls for a in server.auth_attempts] == [True]


def test_a_ca_file_that_is_not_a_certificate_is_an_error_before_connecting(
    smtp_server: SmtpServer, tmp_path: Path
) -> None:
    garbage = tmp_path / "ca.pem"
    garbage.write_text("not a certificate\n", encoding="utf-8")
    connection = SmtpConnection(settings(smtp_server, ca_file=garbage))

    with pytest.raises(SendError, match="cannot be read as a CA certificate"):
        connection.open()

    assert smtp_server.sessions == []


# STARTTLS required, and the wrong kind of TLS -------------------------------------


@pytest.mark.parametrize("mode", ["none", "insecure-auth"])
def test_starttls_not_offered_aborts_before_mail_or_auth(
    smtp_server_factory: Factory, mode: str
) -> None:
    server = smtp_server_factory(security=mode)
    connection = SmtpConnection(
        settings(server, security="starttls"),
        PasswordLogin(server.username, server.password),
    )

    with pytest.raises(SendStoppedError) as raised:
        connection.send(SENDER, READER, MESSAGE)

    message = str(raised.value)
    assert "STARTTLS" in message
    assert "nothing was sent" in message
    assert_hidden(message, server.username, server.password)
    assert set(verbs(server)) <= QUIET
    assert "EHLO" in verbs(server)
    nothing_sent(server)
    assert not connection.is_open


def test_implicit_tls_against_a_plain_server_is_a_clear_error(
    smtp_server_factory: Factory,
) -> None:
    server = smtp_server_factory(security="none")
    connection = SmtpConnection(
        settings(server, security="tls", timeout=0.5),
        PasswordLogin(server.username, server.password),
    )
    started = time.monotonic()

    with pytest.raises(SendStoppedError) as raised:
        connection.open()

    assert time.monotonic() - started < 5
    message = str(raised.value)
    assert "TLS" in message
    assert 'security = "starttls"' in message
    assert f"{server.host}:{server.port}" in message
    nothing_sent(server)


def test_starttls_against_an_implicit_tls_port_gives_up_at_the_timeout(
    smtp_server_factory: Factory,
) -> None:
    server = smtp_server_factory(security="tls")
    connection = SmtpConnection(
        settings(server, security="starttls", timeout=0.5),
        PasswordLogin(server.username, server.password),
    )
    started = time.monotonic()

    with pytest.raises((SendError, OSError)) as raised:
        connection.open()

    assert time.monotonic() - started < 5, "no hang past the timeout"
    message = str(raised.value)
    assert f"{server.host}:{server.port}" in message
    assert "timed out" in message
    assert_hidden(message, server.username, server.password)
    assert not connection.is_open
    nothing_sent(server)


# No AUTH without TLS ----------------------------------------------------------------


@pytest.mark.parametrize("host", ["127.0.0.1", "::1", "localhost", "[::1]"])
def test_a_plain_connection_is_allowed_to_this_computer(host: str) -> None:
    chosen = SmtpSettings(host, security="none")

    assert chosen.security == "none"
    assert chosen.username is None


@pytest.mark.parametrize(
    "host", ["smtp.example.org", "192.168.1.10", "localhost.example.org"]
)
def test_a_plain_connection_to_another_computer_is_refused(host: str) -> None:
    with pytest.raises(SendError) as raised:
        SmtpSettings(host, security="none")

    message = str(raised.value)
    assert host in message
    assert "starttls" in message


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_a_plain_connection_cannot_log_in(host: str) -> None:
    with pytest.raises(SendError, match="cannot log in"):
        SmtpSettings(host, security="none", username="x")


def test_a_login_on_a_plain_connection_is_refused_before_connecting(
    smtp_server_factory: Factory,
) -> None:
    server = smtp_server_factory(security="insecure-auth")
    plain = SmtpSettings(server.host, server.port, security="none", timeout=5.0)

    with pytest.raises(SendError) as raised:
        SmtpConnection(plain, login=PasswordLogin(server.username, server.password))

    assert_hidden(str(raised.value), server.username, server.password)
    assert server.sessions == []
    assert server.auth_attempts == []


def test_a_plain_connection_to_a_server_offering_auth_never_sends_auth(
    smtp_server_factory: Factory,
) -> None:
    server = smtp_server_factory(security="insecure-auth")
    plain = SmtpSettings(server.host, server.port, security="none", timeout=5.0)

    with SmtpConnection(plain) as connection, pytest.raises(SendStoppedError) as raised:
        connection.send(SENDER, READER, MESSAGE)

    assert "530" in str(raised.value), "the server wants a login first"
    assert "AUTH" not in verbs(server)
    assert server.auth_attempts == []
    assert server.deliveries == []


def test_a_plain_relay_on_this_computer_takes_mail_without_a_login(
    smtp_server_factory: Factory,
) -> None:
    server = smtp_server_factory(security="none", auth_required=False)
    plain = SmtpSettings(server.host, server.port, security="none", timeout=5.0)

    with SmtpConnection(plain) as connection:
        attempt = connection.send(SENDER, READER, MESSAGE)

    assert attempt.verdict is Verdict.SENT
    assert server.delivered_to() == {READER: 1}
    [session] = finished(server)
    assert not session.tls
    assert "AUTH" not in verbs(server)


# Logging in -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("offered", "used"),
    [(("LOGIN", "PLAIN", "XOAUTH2"), "PLAIN"), (("LOGIN",), "LOGIN")],
)
def test_password_login_uses_plain_or_else_login(
    smtp_server_factory: Factory, offered: tuple[str, ...], used: str
) -> None:
    server = smtp_server_factory(auth_mechanisms=offered)

    with SmtpConnection(
        settings(server), PasswordLogin(server.username, server.password)
    ) as connection:
        attempt = connection.send(SENDER, READER, MESSAGE)

    assert attempt.verdict is Verdict.SENT
    [auth] = server.auth_attempts
    assert (auth.mechanism, auth.username, auth.tls, auth.success) == (
        used,
        server.username,
        True,
        True,
    )
    assert server.delivered_to() == {READER: 1}


def test_xoauth2_logs_in_with_the_token(smtp_server: SmtpServer) -> None:
    token = smtp_server.token

    with SmtpConnection(
        settings(smtp_server, auth="xoauth2"),
        TokenLogin(smtp_server.username, lambda: token),
    ) as connection:
        attempt = connection.send(SENDER, READER, MESSAGE)

    assert attempt.verdict is Verdict.SENT
    [auth] = smtp_server.auth_attempts
    assert (auth.mechanism, auth.tls, auth.success) == ("XOAUTH2", True, True)
    assert smtp_server.delivered_to() == {READER: 1}


def wrong_login(mechanism: str, server: SmtpServer) -> tuple[Login, str]:
    """A login of ``mechanism`` with the wrong secret, and that secret."""
    if mechanism == "XOAUTH2":
        token = "wrong-token-5f2a"
        return TokenLogin(server.username, lambda: token), token
    password = "wrong-password-5f2a"
    return PasswordLogin(server.username, password), password


@pytest.mark.parametrize("mechanism", ["PLAIN", "LOGIN", "XOAUTH2"])
def test_a_wrong_password_or_token_stops_the_run_naming_the_login(
    smtp_server_factory: Factory, mechanism: str
) -> None:
    server = smtp_server_factory(auth_mechanisms=(mechanism,))
    login, secret = wrong_login(mechanism, server)
    auth = "xoauth2" if mechanism == "XOAUTH2" else "password"
    connection = SmtpConnection(settings(server, auth=auth), login)

    with pytest.raises(SendStoppedError) as raised:
        connection.send(SENDER, READER, MESSAGE)

    message = str(raised.value)
    assert "refused the login" in message
    assert "535" in message
    assert_hidden(message, server.username, secret)
    assert_hidden(repr(raised.value), server.username, secret)
    assert [(a.mechanism, a.success) for a in server.auth_attempts] == [
        (mechanism, False)
    ]
    assert "MAIL" not in verbs(server)
    assert server.deliveries == []
    assert not connection.is_open


@pytest.mark.parametrize("mechanism", ["PLAIN", "LOGIN", "XOAUTH2"])
def test_a_wrong_password_or_token_says_to_check_them(
    smtp_server_factory: Factory, mechanism: str
) -> None:
    server = smtp_server_factory(auth_mechanisms=(mechanism,))
    login, _ = wrong_login(mechanism, server)
    auth = "xoauth2" if mechanism == "XOAUTH2" else "password"
    connection = SmtpConnection(settings(server, auth=auth), login)

    with pytest.raises(SendStoppedError) as raised:
        connection.open()

    assert "check the username and the password or token" in str(raised.value)


def test_basic_auth_turned_off_says_to_use_xoauth2_or_a_relay(
    smtp_server: SmtpServer,
) -> None:
    smtp_server.at_auth(
        "535 5.7.30 Authentication unsuccessful, basic authentication is disabled"
    )
    connection = SmtpConnection(
        settings(smtp_server), PasswordLogin(smtp_server.username, smtp_server.password)
    )

    with pytest.raises(SendStoppedError) as raised:
        connection.send(SENDER, READER, MESSAGE)

    message = str(raised.value)
    assert "5.7.30" in message
    assert "xoauth2" in message
    assert "relay" in message
    assert_hidden(message, smtp_server.username, smtp_server.password)
    assert "MAIL" not in verbs(smtp_server)
    assert smtp_server.deliveries == []


# Where the password and the token come from -----------------------------------------


def test_no_username_means_no_login() -> None:
    chosen = SmtpSettings("smtp.example.org")

    assert login_for(chosen, environ={PASSWORD_ENV: "unused"}) is None


def test_the_password_comes_from_the_environment(smtp_server: SmtpServer) -> None:
    asked: list[str] = []

    def prompt(question: str) -> str:
        asked.append(question)
        return "not-this-one"

    login = login_for(
        settings(smtp_server),
        environ={PASSWORD_ENV: smtp_server.password},
        prompt=prompt,
    )

    assert isinstance(login, PasswordLogin)
    assert asked == [], "no question when the variable is set"
    with SmtpConnection(settings(smtp_server), login) as connection:
        connection.open()
    assert [a.success for a in smtp_server.auth_attempts] == [True]


@pytest.mark.parametrize("environ", [{}, {PASSWORD_ENV: ""}])
def test_the_password_comes_from_the_prompt_without_the_variable(
    smtp_server: SmtpServer, environ: dict[str, str]
) -> None:
    asked: list[str] = []

    def prompt(question: str) -> str:
        asked.append(question)
        return smtp_server.password

    login = login_for(settings(smtp_server), environ=environ, prompt=prompt)

    assert len(asked) == 1
    assert smtp_server.username in asked[0]
    assert login is not None
    with SmtpConnection(settings(smtp_server), login) as connection:
        connection.open()
    assert [a.success for a in smtp_server.auth_attempts] == [True]


@pytest.mark.parametrize("prompt", [None, lambda question: ""])
def test_no_password_anywhere_names_the_variable(
    prompt: Callable[[str], str] | None,
) -> None:
    chosen = SmtpSettings("smtp.example.org", username="news@example.org")

    with pytest.raises(SendError) as raised:
        login_for(chosen, environ={}, prompt=prompt)

    message = str(raised.value)
    assert PASSWORD_ENV in message
    assert "news@example.org" in message


def test_the_token_comes_from_the_environment_before_the_command(
    smtp_server: SmtpServer, tmp_path: Path
) -> None:
    chosen = settings(smtp_server, auth="xoauth2")
    login = login_for(
        chosen,
        environ={TOKEN_ENV: smtp_server.token},
        token_command=str(tmp_path / "no-such-program"),
    )

    assert isinstance(login, TokenLogin)
    with SmtpConnection(chosen, login) as connection:
        connection.open()
    assert [(a.mechanism, a.success) for a in smtp_server.auth_attempts] == [
        ("XOAUTH2", True)
    ]


def test_the_token_command_runs_again_for_each_new_connection(
    smtp_server: SmtpServer, tmp_path: Path
) -> None:
    runs = tmp_path / "runs.txt"
    command = token_script(
        tmp_path,
        f"with open({str(runs)!r}, 'a') as runs:\n"
        "    runs.write('run\\n')\n"
        f"print({smtp_server.token!r})\n",
    )
    chosen = settings(smtp_server, auth="xoauth2")
    login = login_for(chosen, environ={}, token_command=command)
    assert isinstance(login, TokenLogin)
    connection = SmtpConnection(chosen, login)

    for _ in range(3):
        connection.open()
        connection.send(SENDER, READER, MESSAGE)
        connection.close()

    assert connection.sessions == 3
    assert runs.read_text(encoding="utf-8").splitlines() == ["run"] * 3
    assert [(a.mechanism, a.success) for a in smtp_server.auth_attempts] == [
        ("XOAUTH2", True)
    ] * 3
    assert smtp_server.delivered_to() == {READER: 3}


def test_no_token_anywhere_names_the_variable_and_token_command() -> None:
    chosen = SmtpSettings(
        "smtp.example.org", username="news@example.org", auth="xoauth2"
    )

    with pytest.raises(SendError) as raised:
        login_for(chosen, environ={PASSWORD_ENV: "a password is not a token"})

    message = str(raised.value)
    assert TOKEN_ENV in message
    assert "token_command" in message


LEAKY = "leaky-secret-7d1c0b"
"""What a failing token command prints: it may be a token, so never repeated."""

FAILING_COMMANDS = {
    "exits 1": f"import sys\nprint({LEAKY!r})\nprint({LEAKY!r}, file=sys.stderr)\n"
    "sys.exit(1)\n",
    "prints nothing": f"import sys\nprint({LEAKY!r}, file=sys.stderr)\n",
    "prints two lines": f"print({LEAKY!r})\nprint({LEAKY!r} + '-again')\n",
}


@pytest.mark.parametrize("case", [*FAILING_COMMANDS, "missing program"])
def test_a_failing_token_command_is_an_error_that_repeats_none_of_its_output(
    tmp_path: Path, case: str
) -> None:
    if case == "missing program":
        command = shlex.quote(str(tmp_path / "no-such-program"))
    else:
        command = token_script(tmp_path, FAILING_COMMANDS[case])

    with pytest.raises(SendError) as raised:
        token_from_command(command)

    message = str(raised.value)
    assert "token_command" in message
    assert LEAKY not in message
    assert LEAKY not in repr(raised.value)
    if case == "missing program":
        assert "not found" in message


def test_a_failing_token_command_stops_the_login_before_auth(
    smtp_server: SmtpServer, tmp_path: Path
) -> None:
    command = token_script(tmp_path, FAILING_COMMANDS["exits 1"])
    chosen = settings(smtp_server, auth="xoauth2")
    login = login_for(chosen, environ={}, token_command=command)
    assert login is not None
    connection = SmtpConnection(chosen, login)

    with pytest.raises(SendError) as raised:
        connection.send(SENDER, READER, MESSAGE)

    assert LEAKY not in str(raised.value)
    assert "AUTH" not in verbs(smtp_server)
    assert smtp_server.deliveries == []
    assert not connection.is_open


# The secrets never show -------------------------------------------------------------


def test_login_objects_hide_their_secret_in_repr() -> None:
    password = "hunter2-password-8c1f"
    token = "eyJ0eXAiOiJKV1QiLCJhbGciOi-token-8c1f"

    shown = [
        repr(PasswordLogin("news@example.org", password)),
        str(PasswordLogin("news@example.org", password)),
        repr(TokenLogin("news@example.org", lambda: token)),
        repr(
            login_for(SmtpSettings("h", username="u"), environ={PASSWORD_ENV: password})
        ),
        repr(
            login_for(
                SmtpSettings("h", username="u", auth="xoauth2"),
                environ={TOKEN_ENV: token},
            )
        ),
    ]

    for text in shown:
        assert password not in text
        assert token not in text
        assert "***" in text
    assert "news@example.org" in shown[0]


def test_the_send_command_takes_no_password_or_token_option() -> None:
    result = runner.invoke(app, ["send", "--help"], env={"COLUMNS": "200"})

    assert result.exit_code == 0
    assert "--username" in result.output, "the help is the send command's"
    assert "--password" not in result.output
    assert "--token" not in result.output
    command = typer.main.get_command(app)
    send_command = command.commands["send"]  # type: ignore[attr-defined]  # a click Group
    names = [name for param in send_command.params for name in param.opts]
    assert names, "the options were found"
    for name in names:
        assert not any(word in name for word in ("pass", "token", "secret")), name


def test_a_test_copy_by_the_cli_shows_the_password_nowhere(
    monkeypatch: pytest.MonkeyPatch,
    logged: pytest.LogCaptureFixture,
    smtp_server: SmtpServer,
    edition: Path,
) -> None:
    monkeypatch.setenv(PASSWORD_ENV, smtp_server.password)

    result = send_test_copy(
        edition,
        smtp_server,
        "--username",
        smtp_server.username,
        "--ca-file",
        smtp_server.ca_file,
    )

    assert result.exit_code == 0, result.output
    assert f"test copy sent to {READER}" in result.stdout
    assert smtp_server.delivered_to() == {READER: 1}
    assert [(a.tls, a.success) for a in smtp_server.auth_attempts] == [(True, True)]
    for text in (result.stdout, result.stderr, result.output, client_log(logged)):
        assert_hidden(text, smtp_server.username, smtp_server.password)


@pytest.mark.parametrize("failure", ["5.7.30", "wrong password", "certificate"])
def test_a_failed_send_by_the_cli_shows_the_password_nowhere(
    monkeypatch: pytest.MonkeyPatch,
    logged: pytest.LogCaptureFixture,
    smtp_server: SmtpServer,
    edition: Path,
    failure: str,
) -> None:
    password = smtp_server.password
    trust: tuple[str | Path, ...] = ("--ca-file", smtp_server.ca_file)
    if failure == "5.7.30":
        smtp_server.at_auth(
            "535 5.7.30 Authentication unsuccessful, basic authentication is disabled"
        )
    elif failure == "wrong password":
        password = "the-wrong-password-31b9"
    else:
        trust = ()
    monkeypatch.setenv(PASSWORD_ENV, password)

    result = send_test_copy(
        edition, smtp_server, "--username", smtp_server.username, *trust
    )

    error = one_line_error(result)
    expected = {
        "5.7.30": "xoauth2",
        "wrong password": "refused the login",
        "certificate": "could not be verified",
    }[failure]
    assert expected in error
    assert smtp_server.deliveries == []
    for text in (result.stdout, result.stderr, result.output, client_log(logged)):
        assert_hidden(text, smtp_server.username, password)


def write_smtp_table(folder: Path, server: SmtpServer, **extra: str) -> None:
    """Add an ``[smtp]`` table for ``server`` (XOAUTH2) to the copy's bulletin.toml."""
    values = {
        "host": server.host,
        "security": "starttls",
        "username": server.username,
        "auth": "xoauth2",
        "ca_file": str(server.ca_file),
        **extra,
    }
    lines = [f"{key} = {json.dumps(value)}" for key, value in values.items()]
    config = folder / "bulletin.toml"
    with config.open("a", encoding="utf-8") as toml:
        toml.write(f"\n[smtp]\nport = {server.port}\n" + "\n".join(lines) + "\n")


def test_a_test_copy_by_the_cli_with_a_token_shows_it_nowhere(
    monkeypatch: pytest.MonkeyPatch,
    logged: pytest.LogCaptureFixture,
    smtp_server: SmtpServer,
    folder: Path,
    edition: Path,
) -> None:
    write_smtp_table(folder, smtp_server)
    monkeypatch.setenv(TOKEN_ENV, smtp_server.token)

    result = send(edition, "--test-to", READER)

    assert result.exit_code == 0, result.output
    assert smtp_server.delivered_to() == {READER: 1}
    assert [(a.mechanism, a.success) for a in smtp_server.auth_attempts] == [
        ("XOAUTH2", True)
    ]
    for text in (result.stdout, result.stderr, result.output, client_log(logged)):
        assert_hidden(text, smtp_server.username, smtp_server.token)


def test_a_refused_token_by_the_cli_shows_it_nowhere(
    monkeypatch: pytest.MonkeyPatch,
    logged: pytest.LogCaptureFixture,
    smtp_server: SmtpServer,
    folder: Path,
    edition: Path,
) -> None:
    write_smtp_table(folder, smtp_server)
    token = "an-expired-token-4e7a"
    monkeypatch.setenv(TOKEN_ENV, token)

    result = send(edition, "--test-to", READER)

    assert "refused the login" in one_line_error(result)
    assert [(a.mechanism, a.success) for a in smtp_server.auth_attempts] == [
        ("XOAUTH2", False)
    ]
    for text in (result.stdout, result.stderr, result.output, client_log(logged)):
        assert_hidden(text, smtp_server.username, token)


def test_a_failing_token_command_by_the_cli_shows_none_of_its_output(
    logged: pytest.LogCaptureFixture,
    smtp_server: SmtpServer,
    folder: Path,
    edition: Path,
    tmp_path: Path,
) -> None:
    command = token_script(tmp_path, FAILING_COMMANDS["exits 1"])
    write_smtp_table(folder, smtp_server, token_command=command)

    result = send(edition, "--test-to", READER)

    assert "token_command" in one_line_error(result)
    assert LEAKY not in result.output
    assert LEAKY not in client_log(logged)
    assert "AUTH" not in verbs(smtp_server)
    assert smtp_server.deliveries == []


# The CLI and security = "none" ------------------------------------------------------


def test_the_cli_refuses_a_plain_connection_to_a_remote_host(
    monkeypatch: pytest.MonkeyPatch, edition: Path
) -> None:
    monkeypatch.setenv(PASSWORD_ENV, "never-shown-password-0a9b")

    result = send(
        edition,
        "--test-to",
        READER,
        "--security",
        "none",
        "--smtp-host",
        "smtp.example.org",
    )

    error = one_line_error(result)
    assert "smtp.example.org" in error
    assert "starttls" in error
    assert "never-shown-password-0a9b" not in result.output


def test_the_cli_refuses_a_login_on_a_plain_connection(
    monkeypatch: pytest.MonkeyPatch,
    smtp_server_factory: Factory,
    edition: Path,
) -> None:
    server = smtp_server_factory(security="insecure-auth")
    monkeypatch.setenv(PASSWORD_ENV, server.password)

    result = send_test_copy(
        edition, server, "--security", "none", "--username", server.username
    )

    assert "cannot log in" in one_line_error(result)
    assert_hidden(result.output, server.username, server.password)
    assert server.sessions == [], "refused before connecting"
    assert server.auth_attempts == []


def test_the_cli_sends_in_the_clear_to_a_relay_on_this_computer(
    smtp_server_factory: Factory, edition: Path
) -> None:
    server = smtp_server_factory(security="none", auth_required=False)

    result = send_test_copy(edition, server, "--security", "none")

    assert result.exit_code == 0, result.output
    assert server.delivered_to() == {READER: 1}
    assert [session.tls for session in finished(server)] == [False]
    assert "AUTH" not in verbs(server)

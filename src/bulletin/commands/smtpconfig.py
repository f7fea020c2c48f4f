"""Where an edition is sent from: ``[smtp]`` in bulletin.toml, the environment, options.

::

    [smtp]
    host = "smtp.office365.com"
    port = 587                    # 465 means TLS from the start
    security = "starttls"         # "tls", "starttls", or "none" for a local relay
    username = "news@example.org"
    auth = "xoauth2"              # or "password" (the default)
    token_command = "get-token --mailbox news@example.org"
    ca_file = "certs/our-ca.pem"  # only for a private certificate authority
    timeout = 60
    connections = 4               # messages sent side by side (default 1)
    preset = "m365"               # 30 a minute, 10,000 a day
    rates = ["5/s"]

Each can also come from ``BULLETIN_SMTP_HOST``, ``_PORT``, ``_SECURITY`` or
``_USERNAME`` in the environment, and from options, which win. Passwords and
tokens never come from here: see :mod:`bulletin.sending.credentials`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bulletin.errors import ContentError, SendError
from bulletin.loading.config import Config, toml_location
from bulletin.sending.ratelimit import PRESETS, Cap
from bulletin.sending.smtp import SECURITY_MODES, SmtpSettings

__all__ = ["ENVIRONMENT", "MAX_CONNECTIONS", "Outgoing", "outgoing"]

ENVIRONMENT: Mapping[str, str] = {
    "host": "BULLETIN_SMTP_HOST",
    "port": "BULLETIN_SMTP_PORT",
    "security": "BULLETIN_SMTP_SECURITY",
    "username": "BULLETIN_SMTP_USERNAME",
}
"""The environment variables that give ``[smtp]`` keys."""


@dataclass(frozen=True, slots=True)
class Outgoing:
    """The server and the pace: everything about sending but the secrets."""

    smtp: SmtpSettings
    caps: tuple[Cap, ...]
    token_command: str | None
    connections: int = 1
    """How many connections to send through at once (``connections`` in ``[smtp]``)."""


MAX_CONNECTIONS = 32
"""The most connections a send opens at once."""


def outgoing(
    config: Config | None,
    *,
    environ: Mapping[str, str] | None = None,
    options: Mapping[str, object] | None = None,
    rates: Sequence[str] = (),
    preset: str | None = None,
) -> Outgoing:
    """Merge ``[smtp]``, the environment and ``options`` (keys as in ``[smtp]``).

    ``rates`` and ``preset`` from the command line replace those of the file.

    Raises:
        ContentError: a value in bulletin.toml is wrong (at its line).
        SendError: a value from the environment or an option is wrong, or no
            host is given anywhere.
    """
    env = os.environ if environ is None else environ
    table: Mapping[str, Any] = config.smtp if config is not None else {}
    written = dict(table)
    values: dict[str, Any] = dict(table)
    origin: dict[str, str] = dict.fromkeys(table, "file")
    for key, name in ENVIRONMENT.items():
        if env.get(name):
            values[key], origin[key] = env[name], name
    for key, value in (options or {}).items():
        if value is not None:
            values[key], origin[key] = value, "option"

    def fail(key: str, message: str) -> Exception:
        if origin.get(key) == "file" and config is not None and config.path:
            return ContentError(message, toml_location(config.path, ("smtp", key)))
        source = origin.get(key, "")
        where = f"{source}: " if source.startswith("BULLETIN_") else ""
        return SendError(where + message)

    host = values.get("host")
    if not host:
        raise SendError(
            'no SMTP server: add [smtp] with e.g. host = "smtp.office365.com" to '
            "bulletin.toml (or set BULLETIN_SMTP_HOST), or write the messages with "
            "--outbox FOLDER"
        )
    port = values.get("port")
    if isinstance(port, str):
        if not port.isdigit():
            raise fail("port", f"SMTP port {port!r} is not a number, e.g. 587")
        port = int(port)
    security = values.get("security") or ("tls" if port == 465 else "starttls")
    if security not in SECURITY_MODES:
        raise fail(
            "security",
            f"security {security!r} is not one of tls, starttls, none "
            '(e.g. security = "starttls")',
        )
    auth = values.get("auth", "password")
    if auth not in ("password", "xoauth2"):
        raise fail("auth", f'auth {auth!r} is not "password" or "xoauth2"')
    ca_file = values.get("ca_file")
    ca_path: Path | None = None
    if ca_file:
        ca_path = Path(ca_file)
        if origin["ca_file"] == "file" and config is not None and config.folder:
            ca_path = config.folder / ca_path
        if not ca_path.is_file():
            raise fail("ca_file", f"ca_file {ca_file} not found ({ca_path})")
    timeout = values.get("timeout", 60)
    connections = values.get("connections", 1)
    if isinstance(connections, str) and connections.strip().isdigit():
        connections = int(connections)
    if (
        isinstance(connections, bool)
        or not isinstance(connections, int)
        or not 1 <= connections <= MAX_CONNECTIONS
    ):
        raise fail(
            "connections",
            f"connections {connections!r} is not a whole number from 1 to "
            f"{MAX_CONNECTIONS} (e.g. connections = 4)",
        )
    try:
        smtp = SmtpSettings(
            host=str(host),
            port=port,
            security=security,
            username=values.get("username") or None,
            auth=auth,
            ca_file=ca_path,
            timeout=float(timeout),
        )
    except SendError as error:
        blamed = next(
            (
                key
                for key in ("security", "username", "port", "timeout")
                if key in origin
            ),
            "host",
        )
        raise fail(blamed, str(error)) from None
    caps: list[Cap] = []
    chosen_preset = preset if preset is not None else written.get("preset")
    if isinstance(chosen_preset, str) and chosen_preset.strip().casefold() == "none":
        chosen_preset = ""  # no caps, written in words
    if chosen_preset:
        if chosen_preset not in PRESETS:
            message = (
                f"preset {chosen_preset!r} is unknown; known: {', '.join(PRESETS)}"
            )
            if preset is None:
                raise fail("preset", message)
            raise SendError(message)
        caps.extend(PRESETS[chosen_preset])
    for text in rates if (rates or preset is not None) else written.get("rates", ()):
        try:
            caps.append(Cap.parse(text))
        except SendError as error:
            if rates:
                raise
            raise fail("rates", str(error)) from None
    return Outgoing(smtp, tuple(caps), values.get("token_command") or None, connections)

"""Run the service under uvicorn, as ``bulletin serve`` does."""

from __future__ import annotations

import logging
import socket
from pathlib import Path
from typing import TYPE_CHECKING

from bulletin.errors import ServiceError
from bulletin.service.app import UnsubscribeApp
from bulletin.service.config import ServiceConfig
from bulletin.service.storage import open_store

if TYPE_CHECKING:
    import uvicorn

__all__ = ["DEFAULT_DATABASE", "listening_socket", "make_server", "serve"]

DEFAULT_DATABASE = "unsubscribes.sqlite3"
"""The SQLite file used when no database is given, in the working folder."""

logger = logging.getLogger(__name__)


def make_server(
    app: UnsubscribeApp,
    *,
    host: str = "127.0.0.1",
    port: int = 8080,
    proxied: bool = False,
) -> uvicorn.Server:
    """A uvicorn ``Server`` running ``app``, not yet started, set up as
    ``bulletin serve`` runs it (the tests start the same).

    ``proxied`` trusts ``X-Forwarded-For`` and ``X-Forwarded-Proto`` from a
    proxy on this machine (127.0.0.1), as behind nginx or Caddy.

    Raises:
        ServiceError: uvicorn is not installed.
    """
    try:
        import uvicorn
    except ImportError:
        raise ServiceError(
            'the unsubscribe service needs uvicorn; install bulletin with: pip install "bulletin[server]"'
        ) from None
    server_config = uvicorn.Config(
        app,
        host=host,
        port=port,
        # uvicorn's access log prints the query, and the query holds the token
        # (the reader's address): the app logs each request without it.
        access_log=False,
        log_config=None,
        server_header=False,
        proxy_headers=proxied,
        forwarded_allow_ips="127.0.0.1" if proxied else None,
        # httptools (the server extra installs it: a third less CPU per request
        # than h11, measured), else h11. The app refuses over 16 KB of headers
        # itself (431) with either; h11 also stops headers still arriving there.
        http="auto",
        h11_max_incomplete_event_size=16 * 1024,
        limit_concurrency=200,
        timeout_keep_alive=5,
    )
    return uvicorn.Server(server_config)


def serve(
    config: ServiceConfig,
    database: str | Path = DEFAULT_DATABASE,
    *,
    host: str = "127.0.0.1",
    port: int = 8080,
    proxied: bool = False,
) -> None:
    """Serve until interrupted (Ctrl-C).

    Raises:
        ServiceError: uvicorn is missing, the database cannot be opened, or the
            port cannot be listened on.
    """
    server = make_server(
        UnsubscribeApp(config, open_store(database)),
        host=host,
        port=port,
        proxied=proxied,
    )
    try:
        sock = listening_socket(host, port)
    except OSError as error:
        raise ServiceError(
            f"cannot listen on {host}:{port} ({error.strerror or error}); "
            "choose another port"
        ) from None
    logger.info("serving the unsubscribe service on http://%s:%d", host, port)
    with sock:
        server.run(sockets=[sock])


def listening_socket(host: str, port: int) -> socket.socket:
    """A TCP socket listening on ``host`` and ``port`` (0: a free one), for uvicorn.

    Made with the protocol named (``IPPROTO_TCP``): asyncio turns Nagle's
    algorithm off only on such sockets, and with it on, each answer written in
    two parts (head, body) waits 40 ms for the client's delayed ACK.

    Raises:
        OSError: the address cannot be listened on.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(512)
    except OSError:
        sock.close()
        raise
    return sock

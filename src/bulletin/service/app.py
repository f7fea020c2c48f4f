"""The unsubscribe service as an ASGI application (plain ASGI, no framework).

Routes:

- ``GET /unsubscribe?token=...``: a page with a button that POSTs. Never
  changes anything: mail scanners fetch every link in an email.
- ``POST /unsubscribe?token=...``: unsubscribes the reader at once. With the
  body ``List-Unsubscribe=One-Click`` (RFC 8058, sent by the mail program's own
  button, urlencoded or multipart) the answer is a short ``200`` text; from the
  page's button, a page saying it is done, with a button to subscribe again.
- ``POST /resubscribe?token=...``: undoes it (``GET`` shows the page only).
- ``GET /sync?since=N``: the events after ``N``, for ``bulletin suppress sync``,
  with ``Authorization: Bearer <sync key>`` (see :mod:`bulletin.mail.syncing`).
- ``GET /health``: ``200 ok`` when the database answers, else ``503``.

A token that is forged, from another list or signed with a secret no longer
accepted gets a polite page (``400``) that says no more than "not working",
and nothing changes. Bodies over ``max_body`` bytes get ``413``, and over
:data:`MAX_HEADERS` bytes of headers and query ``431``. Nothing is
logged about a reader at INFO: no address, no token (it holds the address).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email.parser
import email.policy
import json
import logging
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qsl, urlencode

from bulletin.mail.syncing import EventKind, event_to_json, sync_key_matches
from bulletin.mail.unsubscribe import verify_unsubscribe_token
from bulletin.service.config import ServiceConfig
from bulletin.service.pages import Page, page
from bulletin.service.storage import Store
from bulletin.service.words import WORDS, choose_language

__all__ = ["MAX_HEADERS", "UnsubscribeApp"]

MAX_HEADERS = 16 * 1024
"""The most bytes of headers and query a request may have; more get ``431``."""

logger = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

_SECURITY_HEADERS = [
    (b"cache-control", b"no-store"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
]
_PAGE_CSP = (
    b"default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
    b"frame-ancestors 'none'; base-uri 'none'"
)


class _TooLargeError(Exception):
    """The request's body is over the limit."""


class UnsubscribeApp:
    """The ASGI application: ``uvicorn`` (or any ASGI server) runs it.

    Args:
        config: the list, secrets and look.
        store: where unsubscribes are kept (see :func:`~bulletin.service.storage.open_store`).
        clock: the time now, timezone-aware (tests pin it).
    """

    def __init__(
        self,
        config: ServiceConfig,
        store: Store,
        *,
        clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    ) -> None:
        self.config = config
        self.store = store
        self.clock = clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        method, path = scope["method"], scope["path"]
        query = scope.get("query_string", b"").decode("latin-1")
        size = len(query) + sum(len(k) + len(v) for k, v in scope.get("headers", ()))
        if size > MAX_HEADERS:
            status = await _respond(send, 431, b"Request headers too large.\n")
            logger.info("%s %r %d", method, path, status)
            return
        try:
            status = await self._route(scope, receive, send, method, path, query)
        except _TooLargeError:
            status = await self._page(send, scope, query, 413, "too_large")
        # The path only: the query holds the token, and the token the address.
        logger.info("%s %r %d%s", method, path, status, scope.get("bulletin.note", ""))

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await asyncio.to_thread(self.store.close)
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _route(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        method: str,
        path: str,
        query: str,
    ) -> int:
        if path == "/health":
            if method not in ("GET", "HEAD"):
                return await _respond(send, 405, b"", allow=b"GET, HEAD")
            try:
                await asyncio.to_thread(self.store.check)
            except Exception:
                logger.exception("the database does not answer")
                return await _respond(send, 503, b"database unavailable\n")
            return await _respond(send, 200, b"ok\n")
        if path == "/sync":
            if method != "GET":
                return await _respond(send, 405, b"", allow=b"GET")
            return await self._sync(scope, send, query)
        if path in ("/unsubscribe", "/resubscribe"):
            kind: EventKind = (
                "unsubscribed" if path == "/unsubscribe" else "resubscribed"
            )
            if method in ("GET", "HEAD"):
                await _drain(receive, self.config.max_body, scope)
                return await self._show(scope, send, query, method == "HEAD")
            if method == "POST":
                body = await _drain(receive, self.config.max_body, scope)
                return await self._change(scope, send, query, kind, body)
            return await _respond(send, 405, b"", allow=b"GET, HEAD, POST")
        return await self._page(send, scope, query, 404, "not_found")

    def _address(self, query: str) -> str | None:
        token = dict(parse_qsl(query)).get("token", "")
        return verify_unsubscribe_token(
            token, list_id=self.config.list_id, secrets=self.config.secrets
        )

    async def _show(self, scope: Scope, send: Send, query: str, head: bool) -> int:
        """The page for a link: never a change, whoever fetches it."""
        address = self._address(query)
        if address is None:
            scope["bulletin.note"] = " (token refused)"
            return await self._page(send, scope, query, 400, "invalid")
        try:
            gone = await asyncio.to_thread(self.store.is_unsubscribed, address)
        except Exception:
            logger.exception("the database does not answer")
            return await self._page(send, scope, query, 503, "error")
        language = self._language(scope, query)
        content = (
            self._done(address, language, query)
            if gone
            else self._confirm(address, language, query)
        )
        return await _respond(
            send,
            200,
            b"" if head else page(self.config, language, content, switch_query=query),
            html=True,
        )

    async def _change(
        self, scope: Scope, send: Send, query: str, kind: EventKind, body: bytes
    ) -> int:
        fields = _form_fields(scope, body)
        one_click = fields.get("List-Unsubscribe") == "One-Click"
        address = self._address(query)
        if address is None:
            scope["bulletin.note"] = " (token refused)"
            if one_click:
                return await _respond(send, 400, b"This link is not valid.\n")
            return await self._page(send, scope, query, 400, "invalid")
        if one_click and kind != "unsubscribed":
            return await _respond(send, 400, b"One-click is for unsubscribing.\n")
        if not one_click and fields.get("confirm") != "yes":
            # Neither the mail program's button nor ours: change nothing.
            return await self._page(send, scope, query, 400, "unsure")
        try:
            changed = await asyncio.to_thread(
                self.store.record, address, kind, self.clock()
            )
        except Exception:
            logger.exception("could not record a %s", kind)
            if one_click:
                return await _respond(send, 503, b"Please try again later.\n")
            return await self._page(send, scope, query, 503, "error")
        scope["bulletin.note"] = (
            f" ({kind}: recorded)" if changed else f" ({kind} already: no change)"
        )
        if one_click:
            return await _respond(send, 200, b"Unsubscribed.\n")
        language = self._language(scope, query)
        content = (
            self._done(address, language, query)
            if kind == "unsubscribed"
            else self._resubscribed(address, language, query)
        )
        body = page(self.config, language, content, switch_query=query)
        return await _respond(send, 200, body, html=True)

    async def _sync(self, scope: Scope, send: Send, query: str) -> int:
        given = _header(scope, b"authorization")
        scheme, _, key = given.partition(" ")
        if scheme.casefold() != "bearer" or not sync_key_matches(
            key.strip(), self.config.secrets
        ):
            scope["bulletin.note"] = " (sync key refused)"
            return await _respond(
                send, 401, b"not authorised\n", extra=[(b"www-authenticate", b"Bearer")]
            )
        parameters = dict(parse_qsl(query))
        since_text = parameters.get("since", "0") or "0"
        if not since_text.isascii() or not since_text.isdigit() or len(since_text) > 18:
            return await _respond(send, 400, b"since must be a cursor (a number)\n")
        since = int(since_text)
        limit = self.config.sync_page
        try:
            events = await asyncio.to_thread(self.store.events_since, since, limit + 1)
        except Exception:
            logger.exception("the database does not answer")
            return await _respond(send, 503, b"database unavailable\n")
        more = len(events) > limit
        events = events[:limit]
        cursor = events[-1].cursor if events else since
        answer = {
            "list_id": self.config.list_id,
            "cursor": str(cursor),
            "more": more,
            "events": [event_to_json(event) for event in events],
        }
        scope["bulletin.note"] = f" ({len(events)} events after {since})"
        return await _respond(
            send,
            200,
            json.dumps(answer, ensure_ascii=False, separators=(",", ":")).encode(),
            content_type=b"application/json",
        )

    def _language(self, scope: Scope, query: str) -> str:
        return choose_language(
            dict(parse_qsl(query)).get("lang"), _header(scope, b"accept-language")
        )

    def _words(self, language: str) -> tuple[dict[str, str], str]:
        words = dict(WORDS[language])
        publisher = self.config.publisher or words["this_list"]
        return words, publisher

    def _action(self, path: str, query: str, language: str) -> str:
        token = dict(parse_qsl(query)).get("token", "")
        return f"{path}?{urlencode({'token': token, 'lang': language})}"

    def _confirm(self, address: str, language: str, query: str) -> Page:
        words, publisher = self._words(language)
        button = self.config.unsubscribe_words.get(language) or words["confirm_button"]
        return Page(
            words["confirm_heading"].format(publisher=publisher),
            (words["confirm_body"].format(address=address),),
            form=(self._action("/unsubscribe", query, language), button),
        )

    def _done(self, address: str, language: str, query: str) -> Page:
        words, publisher = self._words(language)
        return Page(
            words["done_heading"],
            (words["done_body"].format(address=address, publisher=publisher),),
            second_heading=words["mistake_heading"],
            second_form=(
                self._action("/resubscribe", query, language),
                words["resubscribe_button"],
            ),
        )

    def _resubscribed(self, address: str, language: str, query: str) -> Page:
        words, publisher = self._words(language)
        return Page(
            words["resubscribed_heading"],
            (words["resubscribed_body"].format(address=address, publisher=publisher),),
        )

    async def _page(
        self, send: Send, scope: Scope, query: str, status: int, name: str
    ) -> int:
        language = self._language(scope, query)
        words = WORDS[language]
        paragraphs = [words[f"{name}_body"]]
        if name == "invalid":
            paragraphs.append(
                words["invalid_contact_email"].format(email=self.config.contact_email)
                if self.config.contact_email
                else words["invalid_contact"]
            )
        content = Page(words[f"{name}_heading"], tuple(paragraphs))
        # The other language's link keeps the query only for a page that is about it.
        keep = query if name in ("invalid", "unsure") else ""
        body = page(self.config, language, content, switch_query=keep)
        return await _respond(send, status, body, html=True)


async def _drain(receive: Receive, limit: int, scope: Scope) -> bytes:
    """The request's body, or :class:`_TooLargeError` once it passes ``limit`` bytes."""
    declared = _header(scope, b"content-length")
    if declared.isdigit() and int(declared) > limit:
        raise _TooLargeError
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise _TooLargeError
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _form_fields(scope: Scope, body: bytes) -> dict[str, str]:
    """The fields of a urlencoded or multipart form (RFC 8058 allows both)."""
    content_type = _header(scope, b"content-type")
    if content_type.casefold().startswith("multipart/form-data"):
        head = f"Content-Type: {content_type}\r\n\r\n".encode("latin-1")
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            head + body
        )
        fields: dict[str, str] = {}
        if message.is_multipart():
            for part in message.iter_parts():
                name = part.get_param("name", header="content-disposition")
                payload = part.get_payload(decode=True)
                if isinstance(name, str) and isinstance(payload, bytes):
                    fields[name] = payload.decode("utf-8", "replace").strip()
        return fields
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return {}
    return dict(parse_qsl(text.strip()))


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return ""


async def _respond(
    send: Send,
    status: int,
    body: bytes,
    *,
    html: bool = False,
    content_type: bytes = b"text/plain; charset=utf-8",
    allow: bytes = b"",
    extra: list[tuple[bytes, bytes]] | None = None,
) -> int:
    headers = [
        (b"content-type", b"text/html; charset=utf-8" if html else content_type),
        (b"content-length", str(len(body)).encode()),
        *_SECURITY_HEADERS,
        *(extra or []),
    ]
    if html:
        headers.append((b"content-security-policy", _PAGE_CSP))
    if allow:
        headers.append((b"allow", allow))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
    return status

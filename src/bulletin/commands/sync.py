"""``bulletin suppress sync``: bring the unsubscribe service's news into the suppression list.

The service (``bulletin serve``) numbers each unsubscribe and resubscribe it
records. This asks it for those after the last one seen (the cursor, kept in
``<list>.sync.json`` beside the suppression list), over HTTPS, with the key
made from ``BULLETIN_UNSUBSCRIBE_SECRET`` (see :mod:`bulletin.mail.syncing`),
and merges them: a reader whose last word was "unsubscribe" is added as
``unsubscribed``; one who subscribed again is taken off, if the list has them
as unsubscribed no later than that (a bounce or a manual entry stays). The
cursor moves on only after the list is saved, so a sync cut short is simply
run again.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import ssl
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit

from bulletin.errors import BulletinError, ServiceError
from bulletin.files import write_atomic
from bulletin.loading.config import find_config, load_config
from bulletin.mail.message import list_id as settings_list_id
from bulletin.mail.recipients import address_key
from bulletin.mail.suppression import Suppression, SuppressionList
from bulletin.mail.syncing import SubscriptionEvent, event_from_json, sync_key
from bulletin.mail.unsubscribe import SECRET_ENV, current_secret

if TYPE_CHECKING:
    import urllib.request

__all__ = [
    "DEFAULT_MAX_SYNC_AGE",
    "LOCAL_HOSTS",
    "MAX_ANSWER",
    "MAX_PAGES",
    "SYNC_NOTE",
    "SyncResult",
    "last_sync",
    "sync",
    "sync_before_send",
    "sync_state_path",
]

logger = logging.getLogger(__name__)

LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
"""Hosts a service may be reached on without HTTPS (this computer only)."""

MAX_ANSWER = 8 * 1024 * 1024
"""The largest answer read from the service, in bytes (a page of events is
a few MB at most)."""

MAX_PAGES = 1000
"""The most pages one sync reads: a service that never says it is done is
not followed for ever."""

DEFAULT_MAX_SYNC_AGE = dt.timedelta(days=1)
"""How old the last sync may be before a send refuses to go ahead."""

SYNC_NOTE = "unsubscribe service"
"""The note on each address a sync adds."""

Fetch = Callable[["urllib.request.Request"], bytes]


@dataclass(frozen=True, slots=True)
class SyncResult:
    """What one sync did."""

    path: Path
    """The suppression list changed."""
    events: int
    """How many events the service sent."""
    added: tuple[Suppression, ...]
    """Addresses added (unsubscribed)."""
    removed: tuple[Suppression, ...]
    """Addresses taken off (subscribed again)."""
    cursor: int
    """The last event seen: the next sync starts after it."""


def sync_state_path(path: Path) -> Path:
    """Where the cursor of the suppression list at ``path`` is kept."""
    return path.with_name(f"{path.stem}.sync.json")


def last_sync(path: Path, url: str) -> dt.datetime | None:
    """When the suppression list at ``path`` was last synced from ``url``, if ever."""
    state = _read_state(sync_state_path(path))
    when = state.get(_service_base(url), {}).get("synced_at")
    if not isinstance(when, str):
        return None
    try:
        found = dt.datetime.fromisoformat(when)
    except ValueError:
        return None  # edited by hand: as if never synced
    return found if found.tzinfo is not None else None


def sync(
    url: str,
    path: Path,
    *,
    environ: Mapping[str, str] | None = None,
    fetch: Fetch | None = None,
    now: dt.datetime | None = None,
) -> SyncResult:
    """Merge the unsubscribe service's new events at ``url`` into the list at ``path``.

    Args:
        url: the service's address, e.g. ``https://unsubscribe.example.org``.
        path: the suppression list's file.
        environ: where :data:`~bulletin.mail.unsubscribe.SECRET_ENV` is read.
        fetch: sends a request and returns the answer's body (tests).
        now: the time of this sync, kept with the cursor.

    Raises:
        ServiceError: the URL is not HTTPS, no secret, the service refused or
            did not answer, or its answer is not a sync answer for this list.
        RecipientError: the suppression list cannot be read.
        OSError: it cannot be written.
    """
    base = _service_base(url)
    secret = current_secret(environ)
    if secret is None:
        raise ServiceError(
            f"{SECRET_ENV} is not set; set it to the secret the service checks "
            "links with (the one bulletin send signs them with)"
        )
    expected_list = _list_id(path)
    state_path = sync_state_path(path)
    state = _read_state(state_path)
    cursor = _cursor(state.get(base, {}).get("cursor"))
    get = fetch or _fetch
    key = sync_key(secret)
    latest: dict[str, SubscriptionEvent] = {}
    count = 0
    import urllib.request  # only a sync needs it (~6 ms on every send otherwise)

    for _page_number in range(MAX_PAGES):
        request = urllib.request.Request(
            f"{base}/sync?{urlencode({'since': cursor})}",
            headers={"Authorization": f"Bearer {key}", "Accept": "application/json"},
        )
        page = _page(get(request), base, expected_list)
        for event in page["events"]:
            if event.cursor <= cursor:
                raise ServiceError(
                    f"{base} sent events out of order; nothing was changed"
                )
            cursor = event.cursor
            latest[address_key(event.address)] = event
            count += 1
        if not page["more"] or not page["events"]:
            break
    else:
        raise ServiceError(
            f"{base} still had more after {MAX_PAGES} pages; nothing was changed"
        )
    added, removed = _merge(path, latest.values()) if latest else ([], [])
    when = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    state[base] = {"cursor": str(cursor), "synced_at": when.isoformat()}
    write_atomic(
        state_path, (json.dumps(state, indent=2, sort_keys=True) + "\n").encode()
    )
    logger.info(
        "synced %d events: %d added, %d removed", count, len(added), len(removed)
    )
    return SyncResult(path, count, tuple(added), tuple(removed), cursor)


def _merge(
    path: Path, events: Iterable[SubscriptionEvent]
) -> tuple[list[Suppression], list[Suppression]]:
    """Apply each reader's latest event to the list at ``path``."""
    suppressions = SuppressionList.load(path)
    to_add: list[Suppression] = []
    to_remove: list[str] = []
    for event in events:
        if event.kind == "unsubscribed":
            to_add.append(
                Suppression(event.address, "unsubscribed", event.at.date(), SYNC_NOTE)
            )
            continue
        entry = suppressions.get(event.address)
        if (
            entry is not None
            and entry.reason == "unsubscribed"
            and (entry.date is None or entry.date <= event.at.date())
        ):
            to_remove.append(entry.address)
    added = suppressions.add(to_add) if to_add else []
    removed = suppressions.remove(to_remove) if to_remove else []
    return added, removed


def _service_base(url: str) -> str:
    """The service's address, checked: HTTPS, or HTTP to this computer only.

    Raises:
        ServiceError: any other address.
    """
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname or ""
        parts.port  # noqa: B018  # a port that is not a number raises here
    except ValueError as error:
        raise ServiceError(f"{url!r} is not an address: {error}") from None
    if (parts.scheme == "https" and host) or (
        parts.scheme == "http" and host in LOCAL_HOSTS
    ):
        pass
    else:
        raise ServiceError(
            f"{url!r} is not an https:// address; the unsubscribe service must be "
            "reached over HTTPS (plain http:// only on this computer: 127.0.0.1 or "
            "localhost)"
        )
    if parts.username or parts.password or parts.query or parts.fragment:
        raise ServiceError(
            f"{url!r} should be the service's address only, e.g. "
            "https://unsubscribe.example.org (no user, ? or #)"
        )
    path = parts.path.rstrip("/").removesuffix("/sync")
    return f"{parts.scheme}://{parts.netloc}{path}"


def _fetch(request: urllib.request.Request) -> bytes:
    import http.client
    import urllib.error
    import urllib.request

    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        """A redirect is refused: it could lead the key to plain HTTP or elsewhere."""

        def redirect_request(self, *args: Any, **kwargs: Any) -> None:
            return None

    opener = urllib.request.build_opener(
        urllib.request.HTTPSHandler(context=ssl.create_default_context()),
        _NoRedirect,
    )
    where = f"{urlsplit(request.full_url).scheme}://{request.host}"
    try:
        with opener.open(request, timeout=60) as answer:
            body: bytes = answer.read(MAX_ANSWER + 1)
    except urllib.error.HTTPError as error:
        error.close()
        if error.code == 401:
            raise ServiceError(
                f"{where} refused the sync key: is {SECRET_ENV} the same secret the "
                "service has?"
            ) from None
        if 300 <= error.code < 400:
            raise ServiceError(
                f"{where} answered with a redirect, which is not followed; give the "
                "service's own address"
            ) from None
        raise ServiceError(f"{where} answered {error.code} {error.reason}") from None
    except urllib.error.URLError as error:
        reason = error.reason
        if isinstance(reason, ssl.SSLCertVerificationError):
            raise ServiceError(
                f"{where}: its certificate could not be verified "
                f"({reason.verify_message}); nothing was changed"
            ) from None
        raise ServiceError(f"cannot reach {where}: {reason}") from None
    except (OSError, TimeoutError) as error:
        raise ServiceError(f"cannot reach {where}: {error}") from None
    except (http.client.HTTPException, ValueError) as error:
        raise ServiceError(
            f"{where} did not answer as a web service should "
            f"({type(error).__name__}); nothing was changed"
        ) from None
    if len(body) > MAX_ANSWER:
        raise ServiceError(f"{where} sent an answer over {MAX_ANSWER} bytes")
    return body


def _page(body: bytes, base: str, expected_list: str | None) -> dict[str, Any]:
    try:
        data = json.loads(body)
        if not isinstance(data, dict) or not isinstance(data.get("events"), list):
            raise ValueError("not a sync answer")
        listed = data.get("list_id")
        events = [event_from_json(each) for each in data["events"]]
    except (ValueError, RecursionError, OverflowError) as error:
        raise ServiceError(
            f"{base} did not answer as a bulletin unsubscribe service "
            f"({str(error)[:200]}); "
            "nothing was changed"
        ) from None
    if expected_list is not None and listed != expected_list:
        raise ServiceError(
            f"{base} keeps the list {listed!r}, but bulletin.toml's list is "
            f"{expected_list!r}; nothing was changed"
        )
    return {"events": events, "more": data.get("more") is True}


def _list_id(path: Path) -> str | None:
    found = find_config(path.parent) if path.parent.is_dir() else None
    if found is None:
        return None
    try:
        return settings_list_id(load_config(found).settings)
    except BulletinError:
        return None


def _read_state(path: Path) -> dict[str, dict[str, Any]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as error:
        raise ServiceError(
            f"{path}: cannot read where the last sync stopped ({error}); delete the "
            "file to sync everything again"
        ) from None
    if not isinstance(data, dict):
        return {}
    return {k: v for k, v in data.items() if isinstance(v, dict)}


def _cursor(value: object) -> int:
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    return 0


_MAX_HOURS = 24 * 366
"""``max_sync_age_hours`` beyond a year is taken as a year."""


def sync_before_send(
    service: Mapping[str, object],
    path: Path,
    *,
    environ: Mapping[str, str] | None = None,
    fetch: Fetch | None = None,
    now: dt.datetime | None = None,
) -> tuple[SyncResult | None, str | None]:
    """Sync from ``[unsubscribe] service_url`` before a send; say if it may not go.

    Returns what the sync did (None when it failed or no service is set) and,
    when the send must not go ahead, why: the sync failed and the last one is
    older than ``max_sync_age_hours`` (a day unless set), so readers who
    unsubscribed since might be sent to.
    """
    url = service.get("service_url")
    if not isinstance(url, str) or not url:
        return None, None
    hours = service.get("max_sync_age_hours")
    limit = (
        dt.timedelta(hours=min(max(hours, 0), _MAX_HOURS))
        if isinstance(hours, int)
        else DEFAULT_MAX_SYNC_AGE
    )
    now = now or dt.datetime.now(dt.UTC)
    try:
        return sync(url, path, environ=environ, fetch=fetch, now=now), None
    except ServiceError as error:
        failure = str(error)
    last = last_sync(path, url)
    if last is not None and now - last <= limit:
        return None, None  # recent enough: a passing outage need not stop a send
    when = "never" if last is None else f"last on {last:%Y-%m-%d %H:%M}"
    return None, (
        f"cannot sync unsubscribes from {url} ({failure}), and the suppression list "
        f"was synced {when}, longer ago than {limit.total_seconds() / 3600:g} hours: "
        "readers who unsubscribed since could be sent to. Fix the connection, or "
        "raise max_sync_age_hours under [unsubscribe] in bulletin.toml"
    )

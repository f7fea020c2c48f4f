"""The service under a real uvicorn on 127.0.0.1, driven by a plain HTTP client."""

from __future__ import annotations

import logging
import re
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterable
from urllib.parse import quote

import pytest

from bulletin.mail.syncing import sync_key
from tests.service.conftest import LIST_ID, OLD_SECRET, SECRET, Running, token

ONE_CLICK = b"List-Unsubscribe=One-Click"


def request(
    url: str,
    data: bytes | None = None,
    *,
    method: str | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, str], bytes]:
    sent = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    if data is not None and "Content-Type" not in (headers or {}):
        sent.add_header("Content-Type", "application/x-www-form-urlencoded")
    try:
        with urllib.request.urlopen(sent, timeout=10) as answer:
            return answer.status, _lower(answer.headers.items()), answer.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, _lower(error.headers.items()), error.read()


def _lower(items: Iterable[tuple[str, str]]) -> dict[str, str]:
    return {name.casefold(): value for name, value in items}


def link(service: Running, address: str, **kwargs: str) -> str:
    return f"{service.url}/unsubscribe?token={quote(token(address, **kwargs))}"


def test_a_one_click_post_unsubscribes_at_once(service: Running) -> None:
    status, headers, _body = request(link(service, "ann@example.org"), ONE_CLICK)
    assert status == 200
    assert "set-cookie" not in headers
    assert service.store.is_unsubscribed("ann@example.org")
    [event] = service.store.events_since(0, 10)
    assert event.kind == "unsubscribed"


def test_a_multipart_one_click_post_as_rfc_8058_shows_it(service: Running) -> None:
    body = (
        b'--XyZ\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\n'
        b"One-Click\r\n--XyZ--\r\n"
    )
    status, _, _ = request(
        link(service, "ann@example.org"),
        body,
        headers={"Content-Type": "multipart/form-data; boundary=XyZ"},
    )
    assert status == 200
    assert service.store.is_unsubscribed("ann@example.org")


def test_repeated_posts_record_one_event(service: Running) -> None:
    for _ in range(3):
        status, _, _ = request(link(service, "bob@example.org"), ONE_CLICK)
        assert status == 200
    assert len(service.store.events_since(0, 10)) == 1


def test_concurrent_posts_for_one_address_record_it_once(service: Running) -> None:
    url = link(service, "cat@example.org")
    statuses: list[int] = []
    barrier = threading.Barrier(10)

    def post() -> None:
        barrier.wait()
        statuses.append(request(url, ONE_CLICK)[0])

    threads = [threading.Thread(target=post) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * 10
    assert len(service.store.events_since(0, 100)) == 1


def test_a_token_signed_with_the_previous_secret_still_works(service: Running) -> None:
    status, _, _ = request(
        link(service, "dan@example.org", secret=OLD_SECRET), ONE_CLICK
    )
    assert status == 200
    assert service.store.is_unsubscribed("dan@example.org")


@pytest.mark.parametrize(
    "bad",
    [
        "forged",
        "wrong list",
        "stale secret",
        "edited address",
        "garbage",
        "empty",
    ],
)
def test_a_bad_token_gets_a_polite_page_and_changes_nothing(
    service: Running, bad: str
) -> None:
    genuine = token("eve@example.org")
    tokens = {
        "forged": genuine[:-2] + ("AA" if not genuine.endswith("AA") else "BB"),
        "wrong list": token("eve@example.org", list_id="other.example.org"),
        "stale secret": token("eve@example.org", secret="a-secret-nobody-accepts-now"),
        "edited address": token("mallory@example.org").split(".")[0]
        + "."
        + genuine.split(".")[1],
        "garbage": "%%%<script>",
        "empty": "",
    }
    url = f"{service.url}/unsubscribe?token={quote(tokens[bad])}"
    status, _, page = request(url)
    assert status == 400
    assert b"This link is not working" in page
    assert b"news@example.org" in page  # where to write instead
    assert b"<script>" not in page
    for body in (ONE_CLICK, b"confirm=yes"):
        status, _, answer = request(url, body)
        assert status == 400
        assert b"signature" not in answer.lower()
        assert b"secret" not in answer.lower()
    assert service.store.events_since(0, 10) == []


def test_a_get_from_a_mail_scanner_changes_nothing(service: Running) -> None:
    url = link(service, "fay@example.org")
    for method in ("GET", "HEAD", "GET"):
        status, headers, page = request(url, method=method)
        assert status == 200
    assert headers["referrer-policy"] == "no-referrer"
    assert "form-action 'self'" in headers["content-security-policy"]
    assert not service.store.is_unsubscribed("fay@example.org")
    assert service.store.events_since(0, 10) == []
    # The page only offers a button that POSTs.
    assert b'<form method="post"' in page


def test_a_post_that_is_neither_one_click_nor_the_button_changes_nothing(
    service: Running,
) -> None:
    status, _, _ = request(link(service, "gus@example.org"), b"something=else")
    assert status == 400
    assert service.store.events_since(0, 10) == []


def test_an_oversized_body_is_refused_with_413(service: Running) -> None:
    url = link(service, "hal@example.org")
    status, _, _ = request(url, ONE_CLICK + b"&pad=" + b"x" * 10_000)
    assert status == 413
    # Without a Content-Length too (chunked), counted as it arrives.
    import http.client

    host, port = service.url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    path = url.removeprefix(service.url)
    connection.putrequest("POST", path)
    connection.putheader("Transfer-Encoding", "chunked")
    connection.putheader("Content-Type", "application/x-www-form-urlencoded")
    connection.endheaders()
    try:
        for _ in range(10):
            connection.send(b"400\r\n" + b"x" * 0x400 + b"\r\n")
        connection.send(b"0\r\n\r\n")
    except OSError:
        pass  # the server may close before it has all of it
    assert connection.getresponse().status == 413
    connection.close()
    assert service.store.events_since(0, 10) == []


def test_the_page_is_in_welsh_when_asked(service: Running) -> None:
    url = link(service, "ifan@example.org")
    _, _, page = request(url, headers={"Accept-Language": "cy-GB,cy;q=0.9,en;q=0.5"})
    assert b'<html lang="cy"' in page
    assert b"Dad-danysgrifio" in page
    _, _, page = request(url + "&lang=en", headers={"Accept-Language": "cy"})
    assert b'<html lang="en-GB"' in page


def test_the_health_endpoint_says_ok(service: Running) -> None:
    assert request(f"{service.url}/health")[:1] == (200,)
    assert request(f"{service.url}/health", b"x")[0] == 405


def test_an_unknown_path_is_a_polite_404(service: Running) -> None:
    status, _, page = request(f"{service.url}/wp-admin")
    assert status == 404
    assert b"<main>" in page


def test_sync_needs_the_key_from_the_secret(service: Running) -> None:
    request(link(service, "jo@example.org"), ONE_CLICK)
    url = f"{service.url}/sync?since=0"
    for key in ("", "Bearer wrong", f"Basic {sync_key(SECRET)}", "Bearer " + "A" * 43):
        status, _headers, _ = request(url, headers={"Authorization": key})
        assert status == 401
    for secret in (SECRET, OLD_SECRET):  # either key during a rotation
        status, _, body = request(
            url, headers={"Authorization": f"Bearer {sync_key(secret)}"}
        )
        assert status == 200
        assert b'"email":"jo@example.org"' in body
        assert f'"list_id":"{LIST_ID}"'.encode() in body
    bad = request(
        f"{service.url}/sync?since=-1",
        headers={"Authorization": f"Bearer {sync_key(SECRET)}"},
    )
    assert bad[0] == 400


def test_no_address_is_logged_at_info(
    service: Running, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="bulletin"):
        request(link(service, "kim@example.org"))
        request(link(service, "kim@example.org"), ONE_CLICK)
        request(link(service, "kim@example.org", list_id="x.example.org"), ONE_CLICK)
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "POST '/unsubscribe' 200" in logged
    token_part = token("kim@example.org").split(".")[0]
    assert "kim" not in logged
    assert token_part not in logged
    assert not re.search(r"[\w.]+@[\w.]+", logged)


def test_the_fallback_colours_are_the_classic_layouts_and_readable() -> None:
    from bulletin.model.colours import contrast_ratio
    from bulletin.rendering.layouts import load_layout
    from bulletin.service.config import PAGE_CONTRAST
    from bulletin.service.pages import FALLBACK_COLOURS

    classic = load_layout("classic").colours
    assert {name: classic[name] for name in FALLBACK_COLOURS} == FALLBACK_COLOURS
    for text, background in PAGE_CONTRAST:
        assert (
            contrast_ratio(FALLBACK_COLOURS[text], FALLBACK_COLOURS[background]) >= 4.5
        )


def test_oversized_headers_are_refused_before_the_app(service: Running) -> None:
    url = link(service, "lea@example.org")
    status, _, _ = request(url, ONE_CLICK, headers={"X-Padding": "x" * 20_000})
    assert status == 431
    assert service.store.events_since(0, 10) == []


def test_a_line_break_in_a_path_cannot_forge_a_log_line(
    service: Running, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="bulletin"):
        request(f"{service.url}/x%0AGET%20/unsubscribe%20200")
        # The line is logged just after the answer went: wait for it.
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and not caplog.records:
            time.sleep(0.01)
    [message] = [
        record.getMessage() for record in caplog.records if "/x" in record.getMessage()
    ]
    assert "\n" not in message
    assert "'/x\\nGET /unsubscribe 200'" in message

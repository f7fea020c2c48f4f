"""GET -> confirm -> POST in real Chromium, and the page's accessibility basics."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import Browser, Page

from bulletin.model.colours import contrast_ratio
from tests.e2e.conftest import browser  # noqa: F401 - the shared Chromium fixture
from tests.service.conftest import Running, token

pytestmark = pytest.mark.browser

# Each element that shows words, with the colour of what is behind it.
_COLOURS = """
() => {
  const hex = (rgb) => '#' + rgb.match(/\\d+/g).slice(0, 3)
      .map((n) => Number(n).toString(16).padStart(2, '0')).join('');
  const behind = (node) => {
    for (; node; node = node.parentElement) {
      const colour = getComputedStyle(node).backgroundColor;
      if (!colour.startsWith('rgba(0, 0, 0, 0)') && colour !== 'transparent') return hex(colour);
    }
    return '#ffffff';
  };
  return [...document.querySelectorAll('h1, h2, p, a, button')].map((node) => (
    [node.tagName, hex(getComputedStyle(node).color), behind(node)]));
}
"""


def check_accessible(page: Page, lang: str) -> None:
    assert page.locator("html").get_attribute("lang") == lang
    assert page.locator("main").count() == 1
    assert page.locator("main h1").count() == 1
    assert page.title()
    for tag, colour, background in page.evaluate(_COLOURS):
        ratio = contrast_ratio(colour, background)
        assert ratio >= 4.5, (tag, colour, background, ratio)
    # Nothing scrolls sideways on a phone.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_get_confirm_post_then_resubscribe(
    browser: Browser,  # noqa: F811 - the fixture imported above
    service: Running,
) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 700})
    page = context.new_page()
    try:
        url = f"{service.url}/unsubscribe?token={token('ann@example.org')}"
        page.goto(url)
        check_accessible(page, "en-GB")
        assert "ann@example.org" in page.locator("main").inner_text()
        # Showing the page (as a scanner fetching the link would) changed nothing.
        assert not service.store.is_unsubscribed("ann@example.org")

        page.get_by_role("button", name="Unsubscribe").click()
        page.wait_for_load_state()
        assert page.locator("h1").inner_text() == "You have been unsubscribed"
        assert service.store.is_unsubscribed("ann@example.org")
        check_accessible(page, "en-GB")

        page.get_by_role("button", name="Subscribe again").click()
        page.wait_for_load_state()
        assert page.locator("h1").inner_text() == "You are subscribed again"
        assert not service.store.is_unsubscribed("ann@example.org")
        kinds = [event.kind for event in service.store.events_since(0, 10)]
        assert kinds == ["unsubscribed", "resubscribed"]
        now = dt.datetime.now(dt.UTC)
        assert all(
            abs((now - event.at).total_seconds()) < 600
            for event in service.store.events_since(0, 10)
        )
    finally:
        context.close()


def test_the_page_in_welsh(
    browser: Browser,  # noqa: F811 - the fixture imported above
    sqlite_service: Running,
) -> None:
    page = browser.new_page()
    try:
        page.goto(f"{sqlite_service.url}/unsubscribe?token={token('bob@example.org')}")
        page.get_by_role("link", name="Cymraeg").click()
        page.wait_for_load_state()
        check_accessible(page, "cy")
        page.get_by_role("button", name="Dad-danysgrifio").click()
        page.wait_for_load_state()
        assert page.locator("h1").inner_text() == "Rydych wedi dad-danysgrifio"
        assert sqlite_service.store.is_unsubscribed("bob@example.org")
        check_accessible(page, "cy")
    finally:
        page.close()


def test_a_forged_link_is_a_polite_accessible_page(
    browser: Browser,  # noqa: F811 - the fixture imported above
    sqlite_service: Running,
) -> None:
    page = browser.new_page()
    try:
        forged = re.sub(
            r"\.[^.]+$", ".AAAAAAAAAAAAAAAAAAAAAA", token("cat@example.org")
        )
        answer = page.goto(f"{sqlite_service.url}/unsubscribe?token={forged}")
        assert answer is not None
        assert answer.status == 400
        check_accessible(page, "en-GB")
        assert page.get_by_role("button").count() == 0
        assert sqlite_service.store.events_since(0, 10) == []
    finally:
        page.close()

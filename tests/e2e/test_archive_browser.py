"""The archive in real Chromium, opened from ``file://``: it fits a phone, every
link goes somewhere, the index's links open their editions, and its text is
readable (4.5:1) and in landmarks."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Route

from bulletin.commands.archive import archive
from tests.conftest import EXAMPLE_NAMES, EXAMPLES
from tests.e2e.test_browser import BACKGROUND_JS, MIN_CONTRAST, contrast

pytestmark = pytest.mark.browser

MOBILE = 375
HEIGHT = 800

# Every visible element with text of its own, with its colours.
TEXT_COLOURS_JS = f"""() => [...document.querySelectorAll('body *')]
  .filter(e => e.getClientRects().length && [...e.childNodes].some(
    n => n.nodeType === Node.TEXT_NODE && n.textContent.trim()))
  .map(e => ({{
    tag: e.tagName.toLowerCase(),
    text: e.textContent.trim().slice(0, 40),
    color: getComputedStyle(e).color,
    background: ({BACKGROUND_JS})(e),
  }}))"""

# Visible text outside every landmark (banner, main, contentinfo, navigation).
OUTSIDE_LANDMARKS_JS = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getClientRects().length && [...e.childNodes].some(
    n => n.nodeType === Node.TEXT_NODE && n.textContent.trim()))
  .filter(e => !e.closest('main, header, footer, nav'))
  .map(e => e.textContent.trim().slice(0, 40))"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The archive of copies of the three examples."""
    editions = tmp_path_factory.mktemp("editions")
    for name in EXAMPLE_NAMES:
        shutil.copytree(EXAMPLES / name, editions / name)
    out = tmp_path_factory.mktemp("archive")
    archived = archive(editions, out)
    assert archived.problems == ()
    return out


@pytest.fixture
def phone(browser: Browser, site: Path) -> Iterator[tuple[Page, list[str]]]:
    """A 375 px wide page that may only load the archive's own files."""
    page = browser.new_page(viewport={"width": MOBILE, "height": HEIGHT})
    blocked: list[str] = []
    own = site.as_uri() + "/"

    def only_ours(route: Route) -> None:
        if route.request.url.startswith((own, "data:")):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    page.route("**/*", only_ours)
    yield page, blocked
    page.close()


def pages(site: Path) -> list[str]:
    return sorted(path.name for path in site.glob("*.html"))


def test_no_page_scrolls_sideways_on_a_phone(
    phone: tuple[Page, list[str]], site: Path
) -> None:
    page, blocked = phone
    assert len(pages(site)) == 4
    for name in pages(site):
        page.goto((site / name).as_uri(), wait_until="load")
        scroll, inner = page.evaluate(
            "() => [document.documentElement.scrollWidth, window.innerWidth]"
        )
        assert scroll <= inner, f"{name}: {scroll}px wide in {inner}px"
    assert blocked == []


def test_every_link_and_picture_resolves_in_the_browser(
    phone: tuple[Page, list[str]], site: Path
) -> None:
    page, blocked = phone
    for name in pages(site):
        page.goto((site / name).as_uri(), wait_until="load")
        broken = page.evaluate(
            """() => [...document.images].filter(i => !i.complete || !i.naturalWidth)
                .map(i => i.getAttribute('src'))"""
        )
        assert broken == [], name
        hrefs: list[str] = page.evaluate(
            "() => [...document.querySelectorAll('a[href]')].map(a => a.href)"
        )
        for href in hrefs:
            if href.startswith("file://"):
                target = Path(href.removeprefix("file://").split("#")[0])
                assert target.is_file(), f"{name}: {href}"
    assert blocked == []


def test_index_links_open_their_editions(
    phone: tuple[Page, list[str]], site: Path
) -> None:
    page, _ = phone
    index = (site / "index.html").as_uri()
    page.goto(index, wait_until="load")
    titles = page.locator("main h3 a").all_inner_texts()
    assert titles == [
        "ESCP Annual Report 2024 to 2025",
        "DSCP Newsletter - January 2025",
        "February 2019 newsletter",
    ]
    for title in titles:
        page.goto(index, wait_until="load")
        page.get_by_role("link", name=title, exact=True).click()
        page.wait_for_load_state("load")
        assert page.url.endswith(".html")
        assert page.url != index
        assert page.locator("h1").first.inner_text().strip(), page.url
        assert title.split(" - ")[0].split(" ")[0] in page.title()
        page.get_by_role("link", name="All editions").click()
        page.wait_for_load_state("load")
        assert page.url == index
    page.goto(index, wait_until="load")
    page.get_by_role("link", name="Follow new editions in a feed reader (Atom)").click()
    page.wait_for_load_state("load")
    assert page.url.endswith("/feed.xml")


def test_index_is_readable_and_in_landmarks(
    phone: tuple[Page, list[str]], site: Path
) -> None:
    page, _ = phone
    page.goto((site / "index.html").as_uri(), wait_until="load")

    assert page.evaluate("() => document.documentElement.lang") == "en-GB"
    assert page.locator("main").count() == 1
    assert page.locator("h1").count() == 1
    assert page.evaluate(OUTSIDE_LANDMARKS_JS) == []
    texts = page.evaluate(TEXT_COLOURS_JS)
    assert texts
    low = [
        text
        for text in texts
        if contrast(text["color"], text["background"]) < MIN_CONTRAST
    ]
    assert low == []


def test_edition_pages_keep_their_landmarks(
    phone: tuple[Page, list[str]], site: Path
) -> None:
    page, _ = phone
    for name in pages(site):
        if name == "index.html":
            continue
        page.goto((site / name).as_uri(), wait_until="load")
        assert page.locator("main").count() == 1, name
        assert page.locator("nav[aria-label='Archive']").count() == 1, name
        assert page.evaluate("() => document.documentElement.lang"), name
        link = page.locator("nav[aria-label='Archive'] a")
        colours = link.evaluate(
            f"""a => ({{ color: getComputedStyle(a).color,
                        background: ({BACKGROUND_JS})(a) }})"""
        )
        assert contrast(colours["color"], colours["background"]) >= MIN_CONTRAST

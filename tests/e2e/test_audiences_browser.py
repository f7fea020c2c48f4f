"""Each audience's email, and the web copy, in a real browser (Debian's Chromium).

The edition of tests/e2e/test_audiences.py is built once per variant with
``bulletin build --audience ...`` (no audience, each of the three, and all
three), and each ``.html`` is opened from its folder with ``file://`` (its
``cid:`` pictures pointed at ``assets/`` beside it, as tests/e2e/test_browser.py
does). What a reader would see is checked, not the markup: the visible text,
the pictures that load, the contents links and where they lead, and in the web
copy each part's label just before it. Positions are compared with a
sub-pixel allowance, never exactly.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image as Pillow
from playwright.sync_api import Browser, Page, Route
from typer.testing import CliRunner

from bulletin.cli import app
from tests.e2e.conftest import CHROMIUM
from tests.e2e.test_audiences import (
    ALL_WORDS,
    DECLARED,
    EDITION,
    EXAMPLE,
    PARTS,
    PICTURE_COLOUR,
    READERS_CSV,
    SLUG,
    label_of,
    seen,
    words_for,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason=f"no Chromium at {CHROMIUM} (`make test` installs Debian's chromium)",
    ),
]

runner = CliRunner()

WIDTH = 800
HEIGHT = 800
SUBPIXEL = 1.0
"""How far positions may differ between browser versions' rounding, in CSS pixels."""

VARIANTS: dict[str, str | None] = {
    "none": None,
    "schools": "schools",
    "health": "health",
    "police": "police",
    "all": ", ".join(DECLARED),
}
"""Each variant built, with the ``--audience`` it is built with."""
ALT_WORDS = frozenset({"deltaalt"})
"""Marker words that are a picture's description, not text on the page."""
SECTIONS = ("bravohead", "charliehead", "echohead")
"""The headings' words of the edition's sections, in order."""


def audiences_of(variant: str) -> frozenset[str]:
    given = VARIANTS[variant]
    return frozenset() if given is None else frozenset(re.split(r",\s*", given))


def visible_words(audiences: frozenset[str] | None) -> frozenset[str]:
    return words_for(audiences) - ALT_WORDS


# JavaScript run in the page --------------------------------------------------

IMAGES_JS = """() => [...document.images].map(image => ({
  alt: image.getAttribute('alt'),
  complete: image.complete,
  naturalWidth: image.naturalWidth,
  width: image.getBoundingClientRect().width,
}))"""

CONTENTS_JS = """() => {
  const nav = document.querySelector('[aria-label="In this edition"]');
  if (!nav) return null;
  return [...nav.querySelectorAll('a[href]')].map(a => {
    const id = a.getAttribute('href').replace(/^#/, '');
    const target = document.getElementById(id);
    const box = target ? target.getBoundingClientRect() : null;
    return {
      text: a.innerText.trim(),
      href: a.getAttribute('href'),
      found: !!target,
      targetText: target ? target.innerText.trim() : null,
      targetHeight: box ? box.height : 0,
    };
  });
}"""

# For each audience label: its text and box, and the nearest text before and
# after it in document order, with the box of the text after it.
LABELS_JS = """() => {
  const texts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.textContent.trim() && !node.parentElement.closest('style, script'))
      texts.push(node);
  }
  return [...document.querySelectorAll('.audience')].map(label => {
    const inside = texts.filter(node => label.contains(node));
    const first = texts.indexOf(inside[0]);
    const last = texts.indexOf(inside[inside.length - 1]);
    const after = texts[last + 1];
    const before = texts[first - 1];
    const range = document.createRange();
    range.selectNodeContents(after);
    const afterBox = range.getBoundingClientRect();
    const box = label.getBoundingClientRect();
    const style = getComputedStyle(label);
    return {
      text: label.innerText.trim(),
      shown: label.checkVisibility({opacityProperty: true, visibilityProperty: true})
        && box.width > 0 && box.height > 0 && style.display !== 'none',
      top: box.top, bottom: box.bottom,
      before: before ? before.textContent : '',
      after: after ? after.textContent : '',
      afterTop: afterBox.top, afterHeight: afterBox.height,
    };
  });
}"""


# Fixtures ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each variant's files, built once, with ``email.html`` (its pictures local)."""
    project = tmp_path_factory.mktemp("news")
    shutil.copytree(EXAMPLE / "images", project / "images")
    Pillow.new("RGB", (600, 300), PICTURE_COLOUR).save(project / "images/orchard.png")
    config = (EXAMPLE / "bulletin.toml").read_text(encoding="utf-8")
    config = config.replace(
        "schema = 1\n", 'schema = 1\naudiences = ["schools", "health", "police"]\n', 1
    )
    assert "audiences = " in config
    (project / "bulletin.toml").write_text(config, encoding="utf-8")
    (project / "edition.md").write_text(EDITION, encoding="utf-8")
    (project / "readers.csv").write_text(READERS_CSV, encoding="utf-8")
    folders = {}
    for name, audience in VARIANTS.items():
        out = project / "out" / name
        chosen = [] if audience is None else ["--audience", audience]
        result = runner.invoke(
            app, ["build", str(project / "edition.md"), "-o", str(out), *chosen]
        )
        assert result.exit_code == 0, result.output
        email = (out / f"{SLUG}.html").read_text(encoding="utf-8")
        names = set(re.findall(r'src="cid:([^"]+)"', email))
        assert names, "the email shows no picture at all (not even the logo)"
        for asset in names:
            assert (out / "assets" / asset).is_file(), asset
            email = email.replace(f"cid:{asset}", f"assets/{asset}")
        (out / "email.html").write_text(email, encoding="utf-8")
        folders[name] = out
    return folders


class Pages:
    """Opens built files in Chromium; any request outside their folder is aborted."""

    def __init__(self, browser: Browser) -> None:
        self.browser = browser
        self.opened: list[Page] = []
        self.blocked: list[str] = []

    def open(self, folder: Path, name: str) -> Page:
        page = self.browser.new_page(viewport={"width": WIDTH, "height": HEIGHT})
        self.opened.append(page)
        own = folder.as_uri() + "/"

        def only_ours(route: Route) -> None:
            if route.request.url.startswith((own, "data:")):
                route.continue_()
            else:
                self.blocked.append(route.request.url)
                route.abort()

        page.route("**/*", only_ours)
        page.goto(own + name, wait_until="load")
        return page

    def close(self) -> None:
        for page in self.opened:
            page.close()


@pytest.fixture
def pages(browser: Browser) -> Iterator[Pages]:
    opened = Pages(browser)
    yield opened
    opened.close()
    assert opened.blocked == [], "a page asked for something off this machine"


def markers(text: str) -> frozenset[str]:
    folded = text.casefold()
    return frozenset(word for word in ALL_WORDS if word in folded)


# Each variant's email ------------------------------------------------------------


@pytest.mark.parametrize("variant", VARIANTS)
def test_the_email_shows_exactly_its_variants_parts(
    pages: Pages, built: dict[str, Path], variant: str
) -> None:
    audiences = audiences_of(variant)
    page = pages.open(built[variant], "email.html")

    shown = page.inner_text("body")

    assert markers(shown) == visible_words(audiences)
    assert page.locator(".audience").count() == 0, "the email carries web labels"
    images: list[dict[str, Any]] = page.evaluate(IMAGES_JS)
    for image in images:
        assert image["complete"], image
        assert image["naturalWidth"] > 0, image
        assert image["width"] > 0, image
    orchard = [image for image in images if "deltaalt" in (image["alt"] or "")]
    assert len(orchard) == (1 if "schools" in audiences else 0), images
    assert any(image["alt"] == "DSCP logo" for image in images), images


@pytest.mark.parametrize("variant", VARIANTS)
def test_the_contents_lead_only_to_sections_the_reader_has(
    pages: Pages, built: dict[str, Path], variant: str
) -> None:
    audiences = audiences_of(variant)
    page = pages.open(built[variant], "email.html")

    links: list[dict[str, Any]] | None = page.evaluate(CONTENTS_JS)

    assert links, "no contents"
    expected = [
        word
        for word in SECTIONS
        if any(part.words[0] == word and seen(part, audiences) for part in PARTS)
    ]
    assert [markers(link["text"]) for link in links] == [{w} for w in expected]
    for link in links:
        assert link["found"], f"{link['href']} leads nowhere"
        assert link["targetText"] == link["text"], link
        assert link["targetHeight"] > 0, f"{link['href']} leads to nothing visible"


def test_a_contents_link_scrolls_to_its_section(
    pages: Pages, built: dict[str, Path]
) -> None:
    page = pages.open(built["schools"], "email.html")
    link = page.locator('[aria-label="In this edition"] a', has_text="charliehead")
    target = link.get_attribute("href")
    assert target
    assert page.evaluate("() => window.scrollY") == 0

    link.click()

    page.wait_for_function("() => window.scrollY > 0", timeout=5_000)
    top = page.evaluate(
        "id => document.getElementById(id).getBoundingClientRect().top", target[1:]
    )
    assert -SUBPIXEL <= top < HEIGHT, f"{target} is at {top}px, outside the viewport"


# The web copy -------------------------------------------------------------------


@pytest.mark.parametrize("variant", ["none", "health"])
def test_the_web_copy_shows_every_part_whichever_build(
    pages: Pages, built: dict[str, Path], variant: str
) -> None:
    page = pages.open(built[variant], f"{SLUG}.web.html")

    shown = page.inner_text("body")

    assert markers(shown) == ALL_WORDS - ALT_WORDS
    alts = page.evaluate("() => [...document.images].map(i => i.getAttribute('alt'))")
    assert any("deltaalt" in (alt or "") for alt in alts), alts
    links: list[dict[str, Any]] = page.evaluate(CONTENTS_JS)
    assert [markers(link["text"]) for link in links] == [{w} for w in SECTIONS]
    assert all(link["found"] and link["targetHeight"] > 0 for link in links), links


def test_the_web_copy_labels_each_tagged_part_just_before_it(
    pages: Pages, built: dict[str, Path]
) -> None:
    page = pages.open(built["all"], f"{SLUG}.web.html")

    labels: list[dict[str, Any]] = page.evaluate(LABELS_JS)

    tagged = [part for part in PARTS if part.tags]
    assert len(labels) == len(tagged), labels
    for part in tagged:
        [label] = [label for label in labels if part.labelled in label["after"]]
        assert label["text"].casefold() == label_of(part).casefold(), label
        assert label["shown"], f"the label of {part.words} is not visible"
        # Just before the part: above its first line (give or take rounding).
        assert label["afterHeight"] > 0, label
        assert label["bottom"] <= label["afterTop"] + SUBPIXEL, label
        assert label["afterTop"] - label["bottom"] < 100, label
        if not part.box:
            # A section's or an article's label follows its heading.
            assert part.words[0] in label["before"], label


def test_the_web_copy_labels_are_not_in_the_emails(built: dict[str, Path]) -> None:
    """Without a browser: a guard that the label class the test above finds exists."""
    web = (built["none"] / f"{SLUG}.web.html").read_text(encoding="utf-8")
    assert web.count('class="audience"') == sum(1 for part in PARTS if part.tags)
    for name in VARIANTS:
        email = (built[name] / f"{SLUG}.html").read_text(encoding="utf-8")
        assert 'class="audience"' not in email, name

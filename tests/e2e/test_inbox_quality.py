"""Inbox quality in a real browser (issue 15): every layout, every example, light
and dark, on a phone (375 px) and a desktop (800 px).

- **Pictures true to shape**: each picture is shown at its file's aspect ratio.
- **No horizontal overflow**, with images loaded and with images blocked (as many
  mail clients do until the reader allows them).
- **Contrast**: every visible piece of text is at least 4.5:1 against the colour
  behind it, in light and in dark mode (the layouts' ``prefers-color-scheme``
  CSS).
- **Contents links** reach their sections by ``id`` and by ``<a name>`` (Gmail
  webmail and Outlook on Windows follow only ``name``).

Each example's ``edition.md`` is rendered with each layout, and its email and web
copy are written to a temporary folder with the images in ``assets/`` beside
them (the email's ``cid:`` references pointed there), then opened from there
with ``file://``. One Chromium serves the module, one page each email or web
copy (and one more with images blocked); each test sets the viewport and the
emulated colour scheme on that page rather than opening a new one. Nothing
leaves the machine: every request that is not for the page's own folder is
aborted.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pytest
from playwright.sync_api import Browser, Page, Route

from bulletin import load, render
from bulletin.model.rendered import Rendered
from tests.conftest import EXAMPLES
from tests.e2e.conftest import CHROMIUM

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason=f"no Chromium at {CHROMIUM} (`make test` installs Debian's chromium)",
    ),
]

LAYOUTS = ("classic", "compact")
EDITIONS = tuple(sorted(EXAMPLES.glob("*/edition.md")))
EXAMPLE_NAMES = tuple(path.parent.name for path in EDITIONS)
Kind = Literal["email", "web"]
KINDS: tuple[Kind, ...] = ("email", "web")
Scheme = Literal["light", "dark"]
SCHEMES: tuple[Scheme, ...] = ("light", "dark")
WIDTHS = (375, 800)
HEIGHT = 800
"""The viewport's height, in CSS px."""

SUBPIXEL = 1.0
"""How far positions may differ between browser versions' rounding, in CSS px."""
ASPECT_TOLERANCE = 0.01
"""A picture's shown aspect ratio may differ from its file's by 1%."""
MIN_CONTRAST = 4.5
"""WCAG AA for body text."""


# The cases ---------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One page as a reader sees it: layout, example, email or web, scheme, width."""

    layout: str
    example: str
    kind: Kind
    scheme: Scheme
    width: int

    def __str__(self) -> str:
        return (
            f"{self.layout} layout, {self.example} {self.kind}, "
            f"{self.scheme} mode, {self.width} px"
        )


CASES = [
    pytest.param(
        Case(layout, example, kind, scheme, width),
        id=f"{layout}-{example}-{kind}-{scheme}-{width}px",
    )
    for layout in LAYOUTS
    for example in EXAMPLE_NAMES
    for kind in KINDS
    for scheme in SCHEMES
    for width in WIDTHS
]


# JavaScript run in the page ----------------------------------------------------

# Every picture that comes from a real file: the ones in our assets/ folder (a
# tracking pixel or spacer would be a remote or 1x1 image).
PICTURES_JS = """() => [...document.images]
  .filter(image => (image.getAttribute('src') || '').startsWith('assets/'))
  .map(image => {
    const box = image.getBoundingClientRect();
    return {
      src: image.getAttribute('src'),
      alt: (image.getAttribute('alt') || '').slice(0, 40),
      shown: image.getClientRects().length > 0,
      complete: image.complete,
      naturalWidth: image.naturalWidth, naturalHeight: image.naturalHeight,
      width: box.width, height: box.height,
      widthAttribute: image.getAttribute('width'),
      heightAttribute: image.getAttribute('height'),
      style: image.getAttribute('style'),
    };
  })
  .filter(picture => picture.naturalWidth > 2 && picture.naturalHeight > 2
    || !picture.complete || picture.naturalWidth === 0)"""

IMAGES_STATE_JS = """() => [...document.images].map(image => ({
  src: image.getAttribute('src'), complete: image.complete,
  naturalWidth: image.naturalWidth,
}))"""

OVERFLOW_JS = """() => {
  const viewport = document.documentElement.clientWidth;
  const sticksOut = element => element.getBoundingClientRect().right > viewport + 1;
  // The innermost elements that stick out past the right edge, those with a
  // fixed width attribute first: the likely culprits, rather than every table
  // around them.
  const culprits = [...document.body.querySelectorAll('*')]
    .filter(element => sticksOut(element) && ![...element.children].some(sticksOut))
    .sort((a, b) => b.hasAttribute('width') - a.hasAttribute('width'))
    .slice(0, 3)
    .map(element => ({
      tag: element.tagName.toLowerCase(),
      class: element.getAttribute('class'),
      width: element.getAttribute('width'),
      style: (element.getAttribute('style') || '').slice(0, 120),
      text: (element.getAttribute('alt') || element.textContent).trim().slice(0, 40),
      right: Math.round(element.getBoundingClientRect().right),
    }));
  return {
    scrollWidth: document.scrollingElement.scrollWidth,
    innerWidth: window.innerWidth,
    culprits,
  };
}"""

# The colour behind an element: the first ancestor-or-self background colour that
# is not fully transparent (bgcolor attributes are part of the computed style),
# else the canvas, whose colour follows the root's colour scheme.
BACKGROUND_JS = """element => {
  for (; element; element = element.parentElement) {
    const style = getComputedStyle(element);
    const colour = style.backgroundColor;
    const transparent = colour === 'transparent' || /^rgba\\(.*,\\s*0\\)$/.test(colour);
    if (!transparent) return {colour, from: element.tagName.toLowerCase()};
  }
  const probe = document.createElement('div');
  probe.style.backgroundColor = 'Canvas';
  document.documentElement.appendChild(probe);
  const canvas = getComputedStyle(probe).backgroundColor;
  probe.remove();
  return {colour: canvas, from: 'canvas'};
}"""

# Every visible element holding text of its own, with its colours. Invisible
# characters (zero-width joiners, the preheader's fillers) do not count as text.
TEXT_COLOURS_JS = f"""() => {{
  const background = {BACKGROUND_JS};
  const invisible = /[\\s\\u034f\\u200b-\\u200d\\u2060\\ufeff]/g;
  const hasText = element => [...element.childNodes].some(
    node => node.nodeType === Node.TEXT_NODE
      && node.textContent.replace(invisible, '').length > 0);
  const visible = element => {{
    const box = element.getBoundingClientRect();
    if (!element.getClientRects().length || box.width < 1 || box.height < 1) return false;
    for (let e = element; e; e = e.parentElement) {{
      const style = getComputedStyle(e);
      if (style.visibility !== 'visible' && e === element) return false;
      if (Number(style.opacity) === 0 || style.display === 'none') return false;
    }}
    return true;
  }};
  return [...document.body.querySelectorAll('*')]
    .filter(element => hasText(element) && visible(element))
    .map(element => {{
      const behind = background(element);
      return {{
        tag: element.tagName.toLowerCase(),
        class: element.getAttribute('class'),
        text: element.textContent.trim().replace(/\\s+/g, ' ').slice(0, 50),
        color: getComputedStyle(element).color,
        background: behind.colour,
        backgroundFrom: behind.from,
      }};
    }});
}}"""

CONTENTS_JS = """() => [...document.querySelectorAll('a[href^="#"]')]
  .map(link => link.getAttribute('href').slice(1))
  .filter(target => target.length > 0)
  .map(target => ({
    target,
    byId: document.getElementById(target) !== null,
    byName: [...document.getElementsByName(target)].some(
      element => element.tagName === 'A'),
  }))"""

# Click the contents link to ``target`` from the top of the page, the way a
# reader does, and say where things ended up. With ``hideIds`` every id is
# renamed first (and restored after), so the browser can only follow <a name>.
FOLLOW_LINK_JS = """({target, hideIds}) => {
  const renamed = hideIds ? [...document.querySelectorAll('[id]')] : [];
  for (const element of renamed) {
    element.setAttribute('data-hidden-id', element.id);
    element.removeAttribute('id');
  }
  try {
    history.replaceState(null, '', location.pathname);
    window.scrollTo(0, 0);
    const link = [...document.querySelectorAll('a[href^="#"]')]
      .find(a => a.getAttribute('href') === '#' + target);
    // Following a link to a fragment scrolls at once (HTML's "navigate to a
    // fragment" is synchronous), so the positions can be read straight after.
    link.click();
    const reached = hideIds
      ? [...document.getElementsByName(target)].find(e => e.tagName === 'A')
      : document.getElementById(target);
    const section = hideIds
      ? document.querySelector(`[data-hidden-id="${CSS.escape(target)}"]`)
      : reached;
    const box = element => element ? element.getBoundingClientRect().toJSON() : null;
    const scroller = document.scrollingElement;
    return {
      scrollY: window.scrollY,
      maxScrollY: scroller.scrollHeight - window.innerHeight,
      innerHeight: window.innerHeight,
      reached: box(reached),
      section: box(section),
    };
  } finally {
    for (const element of renamed) {
      element.id = element.getAttribute('data-hidden-id');
      element.removeAttribute('data-hidden-id');
    }
    history.replaceState(null, '', location.pathname);
    window.scrollTo(0, 0);
  }
}"""


# Colour arithmetic ---------------------------------------------------------------

RGB = tuple[float, float, float]


def parse_colour(colour: str) -> tuple[RGB, float]:
    """The channels (0-255) and alpha (0-1) of a computed ``rgb()``/``rgba()``."""
    match = re.fullmatch(
        r"rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?\)", colour.strip()
    )
    assert match, f"not a computed rgb() colour: {colour!r}"
    red, green, blue = (float(channel) for channel in match.groups()[:3])
    alpha = float(match.group(4)) if match.group(4) is not None else 1.0
    return (red, green, blue), alpha


def luminance(rgb: RGB) -> float:
    """WCAG 2 relative luminance, 0 (black) to 1 (white)."""
    linear = [
        c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
        for c in (channel / 255 for channel in rgb)
    ]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(foreground: str, background: str) -> float:
    """WCAG 2 contrast ratio of a text colour on a background, 1 to 21.

    A translucent text colour is blended onto the background first, as drawn.
    """
    behind, _ = parse_colour(background)
    text, alpha = parse_colour(foreground)
    drawn = (
        alpha * text[0] + (1 - alpha) * behind[0],
        alpha * text[1] + (1 - alpha) * behind[1],
        alpha * text[2] + (1 - alpha) * behind[2],
    )
    lighter, darker = sorted((luminance(drawn), luminance(behind)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


# Pages ---------------------------------------------------------------------------


def _local_pages(rendered: Rendered, base_url: str | None) -> tuple[str, str]:
    """The email and web copy with every image pointed at ``assets/<name>``.

    The email refers to its images as ``cid:<name>`` (embedded) or at
    ``<image_base_url>/assets/<name>``; the web copy as ``assets/<name>`` or at the
    base URL. A browser can load neither of the first two forms from a file.
    """
    pages = []
    for document in (rendered.html, rendered.web_html):
        for asset in rendered.assets:
            document = document.replace(f"cid:{asset.name}", asset.path)
            if base_url:
                document = document.replace(
                    f"{base_url.rstrip('/')}/{asset.path}", asset.path
                )
        assert "cid:" not in document, "a page refers to an image that is not an asset"
        pages.append(document)
    return pages[0], pages[1]


@dataclass
class Pages:
    """One Chromium page per layout, example, kind and images on or off."""

    browser: Browser
    folders: dict[tuple[str, str], Path]
    blocked: list[str]
    """Requests that left the page's folder, and so were aborted."""
    opened: dict[tuple[str, str, Kind, bool], Page]

    def get(self, case: Case, *, images: bool = True) -> Page:
        """The page for ``case``, at its width and colour scheme, scrolled to the top."""
        key = (case.layout, case.example, case.kind, images)
        page = self.opened.get(key)
        if page is None:
            page = self._open(self.folders[case.layout, case.example], case, images)
            self.opened[key] = page
        page.set_viewport_size({"width": case.width, "height": HEIGHT})
        page.emulate_media(color_scheme=case.scheme)
        page.evaluate("() => window.scrollTo(0, 0)")
        return page

    def _open(self, folder: Path, case: Case, images: bool) -> Page:
        page = self.browser.new_page(
            viewport={"width": case.width, "height": HEIGHT},
            color_scheme=case.scheme,
        )
        own = folder.as_uri() + "/"

        def only_ours(route: Route) -> None:
            request = route.request
            if not request.url.startswith((own, "data:")):
                self.blocked.append(request.url)
                route.abort()
            elif not images and request.resource_type == "image":
                route.abort("blockedbyclient")
            else:
                route.continue_()

        page.route("**/*", only_ours)
        page.goto(f"{own}{case.kind}.html", wait_until="load")
        return page


@pytest.fixture(scope="module")
def pages(
    browser: Browser, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Pages]:
    """Every example's edition.md rendered with every layout, written once."""
    folders = {}
    for path in EDITIONS:
        source = load(path)
        for layout in LAYOUTS:
            rendered = render(
                source.edition,
                source.settings,
                layout=layout,
                base_dir=source.base_dir,
                digest=source.digest,
            )
            folder = tmp_path_factory.mktemp(f"{layout}-{path.parent.name}")
            (folder / "assets").mkdir()
            for asset in rendered.assets:
                (folder / asset.path).write_bytes(asset.data)
            email, web = _local_pages(rendered, source.settings.image_base_url)
            (folder / "email.html").write_text(email, encoding="utf-8")
            (folder / "web.html").write_text(web, encoding="utf-8")
            folders[layout, path.parent.name] = folder
    opened = Pages(browser, folders, [], {})
    yield opened
    for page in opened.opened.values():
        page.close()
    assert opened.blocked == [], f"requests left the machine: {opened.blocked}"


@pytest.fixture(scope="module")
def scratch(browser: Browser) -> Iterator[Page]:
    """A blank page for checking the checks on made-up HTML."""
    page = browser.new_page(viewport={"width": 375, "height": HEIGHT})
    yield page
    page.close()


# The checks, as functions of a page, so that each can be shown to fail -----------


def aspect_problems(page: Page) -> tuple[list[dict[str, Any]], list[str]]:
    """The pictures found, and how each one's shape differs from its file's."""
    pictures: list[dict[str, Any]] = page.evaluate(PICTURES_JS)
    problems = []
    for picture in pictures:
        where = f"<img src={picture['src']!r} alt={picture['alt']!r}>"
        if not picture["complete"] or picture["naturalWidth"] == 0:
            problems.append(f"{where} did not load")
            continue
        if not picture["shown"]:
            continue
        natural = picture["naturalWidth"] / picture["naturalHeight"]
        if picture["height"] <= 0:
            problems.append(f"{where} is shown {picture['width']:.1f} px wide, 0 high")
            continue
        shown = picture["width"] / picture["height"]
        if abs(shown / natural - 1) > ASPECT_TOLERANCE:
            expected_height = picture["width"] / natural
            problems.append(
                f"{where} is shown at {picture['width']:.1f}x{picture['height']:.1f} px "
                f"(ratio {shown:.3f}), its file is "
                f"{picture['naturalWidth']}x{picture['naturalHeight']} "
                f"(ratio {natural:.3f}): expected {picture['width']:.1f}x"
                f"{expected_height:.1f}, {abs(shown / natural - 1):.1%} off; "
                f"width={picture['widthAttribute']!r} "
                f"height={picture['heightAttribute']!r} style={picture['style']!r}"
            )
    return pictures, problems


def low_contrast(page: Page) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Every visible text element, and those below ``MIN_CONTRAST``."""
    texts: list[dict[str, Any]] = page.evaluate(TEXT_COLOURS_JS)
    low = []
    for text in texts:
        ratio = contrast(text["color"], text["background"])
        if ratio < MIN_CONTRAST:
            low.append({"contrast": round(ratio, 2), **text})
    return texts, low


def overflow(page: Page, width: int) -> dict[str, Any] | None:
    """What sticks out when the page is wider than ``width``; None when it fits."""
    measured: dict[str, Any] = page.evaluate(OVERFLOW_JS)
    assert measured["innerWidth"] == width
    if measured["scrollWidth"] <= width + SUBPIXEL:
        return None
    return measured


def follow(page: Page, target: str, *, by_name: bool) -> str | None:
    """Click the contents link to ``target``; what went wrong, or None."""
    where: dict[str, Any] = page.evaluate(
        FOLLOW_LINK_JS, {"target": target, "hideIds": by_name}
    )
    how = "<a name>" if by_name else "id"
    reached, section = where["reached"], where["section"]
    if reached is None or section is None:
        return f"#{target}: no target by {how}"
    height = where["innerHeight"]
    at_end = where["scrollY"] >= where["maxScrollY"] - SUBPIXEL
    # The target comes to the top of the window, or as near as the page's end allows.
    on_top = -SUBPIXEL <= reached["top"] <= SUBPIXEL or (
        at_end and -SUBPIXEL <= reached["top"] < height
    )
    # And the section's heading is in view (an <a name> inside it, or just before
    # it, may sit a little lower or higher than its top).
    in_view = section["bottom"] > SUBPIXEL and section["top"] < height
    if on_top and in_view:
        return None
    return (
        f"#{target} by {how}: after the click scrollY={where['scrollY']:.1f} "
        f"(max {where['maxScrollY']:.1f}), target top={reached['top']:.2f} px, "
        f"heading top={section['top']:.2f} bottom={section['bottom']:.2f} px; expected "
        f"the target at 0 ± {SUBPIXEL} (or the page scrolled to its end) and the "
        f"heading in the {height} px window"
    )


def contents_targets(page: Page) -> list[dict[str, Any]]:
    links: list[dict[str, Any]] = page.evaluate(CONTENTS_JS)
    return links


# The checks can fail ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("foreground", "background", "expected"),
    [
        pytest.param("rgb(119, 119, 119)", "rgb(255, 255, 255)", 4.48, id="777-on-fff"),
        pytest.param("rgb(0, 0, 0)", "rgb(255, 255, 255)", 21.0, id="black-on-white"),
        pytest.param("rgb(255, 255, 255)", "rgb(255, 255, 255)", 1.0, id="same"),
        pytest.param(
            "rgb(68, 68, 68)", "rgb(28, 28, 28)", 1.75, id="dark-grey-on-black"
        ),
        pytest.param(
            "rgba(0, 0, 0, 0.5)", "rgb(255, 255, 255)", 3.98, id="translucent-black"
        ),
    ],
)
def test_contrast_ratio_is_wcag(
    foreground: str, background: str, expected: float
) -> None:
    assert round(contrast(foreground, background), 2) == expected


def test_contrast_check_finds_low_contrast_text(scratch: Page) -> None:
    scratch.emulate_media(color_scheme="dark")
    scratch.set_content(
        """<style>@media (prefers-color-scheme: dark) { .dark { color: #333 } }</style>
        <body style="background:#fff">
        <p style="color:#777">grey on white</p>
        <p style="color:#000">black on white</p>
        <table bgcolor="#000000"><tr><td><span style="color:#222">by bgcolor</span>
        </td></tr></table>
        <div style="background:#16191e"><h1 class="dark">title</h1></div>
        <div style="display:none;color:#fff">hidden preheader</div>
        <div style="opacity:0;color:#fff">transparent</div></body>"""
    )
    texts, low = low_contrast(scratch)
    assert {text["text"] for text in texts} == {
        "grey on white",
        "black on white",
        "by bgcolor",
        "title",
    }
    assert {(text["text"], text["contrast"]) for text in low} == {
        ("grey on white", 4.48),
        ("by bgcolor", 1.32),
        ("title", 1.39),
    }


def test_aspect_check_finds_a_stretched_picture(
    scratch: Page, tmp_path: Path, make_png: Callable[..., Path]
) -> None:
    make_png("wide.png", size=(200, 100))
    (tmp_path / "assets").mkdir()
    (tmp_path / "wide.png").rename(tmp_path / "assets" / "wide.png")
    (tmp_path / "page.html").write_text(
        """<body style="margin:0">
        <img src="assets/wide.png" alt="true" width="200" style="width:100%;height:auto">
        <img src="assets/wide.png" alt="stretched" width="200" height="100"
             style="width:100%;height:100px">
        <img src="assets/missing.png" alt="missing" width="10" height="10"></body>""",
        encoding="utf-8",
    )
    scratch.goto((tmp_path / "page.html").as_uri(), wait_until="load")
    pictures, problems = aspect_problems(scratch)
    assert [picture["alt"] for picture in pictures] == ["true", "stretched", "missing"]
    assert len(problems) == 2, problems
    assert "alt='stretched'> is shown at 375.0x100.0 px (ratio 3.750)" in problems[0]
    assert "expected 375.0x187.5" in problems[0]
    assert "alt='missing'> did not load" in problems[1]


def test_overflow_check_finds_a_fixed_width(scratch: Page) -> None:
    scratch.set_viewport_size({"width": 375, "height": HEIGHT})
    scratch.set_content('<body style="margin:0"><div style="width:375px">fits</div>')
    assert overflow(scratch, 375) is None
    scratch.set_content(
        '<body style="margin:0"><img alt="x" width="600" height="10" '
        'style="height:10px"></body>'
    )
    found = overflow(scratch, 375)
    assert found is not None
    assert found["scrollWidth"] == 600
    assert [culprit["tag"] for culprit in found["culprits"]] == ["img"]


def test_contents_checks_find_missing_names_and_links_that_do_not_scroll(
    scratch: Page,
) -> None:
    scratch.set_viewport_size({"width": 375, "height": 400})
    filler = '<p style="height:1000px">text</p>'
    scratch.set_content(
        f"""<body style="margin:0">
        <a href="#one">One</a> <a href="#two">Two</a> <a href="#three">Three</a>
        {filler}<a name="one"></a><h2 id="one" style="margin:0">One</h2>
        {filler}<h2 id="two" style="margin:0">Two</h2>
        {filler}<a name="three"></a><h2 style="margin:0">Three</h2>{filler}</body>"""
    )
    assert contents_targets(scratch) == [
        {"target": "one", "byId": True, "byName": True},
        {"target": "two", "byId": True, "byName": False},
        {"target": "three", "byId": False, "byName": True},
    ]
    assert follow(scratch, "one", by_name=False) is None
    assert follow(scratch, "one", by_name=True) is None
    assert follow(scratch, "two", by_name=False) is None
    assert follow(scratch, "two", by_name=True) == "#two: no target by <a name>"
    # Followed by name the section must be in view; an <a name> far from the
    # heading it belongs to is caught.
    scratch.set_content(
        f"""<body style="margin:0"><a href="#one">One</a>
        <a name="one"></a>{filler}<h2 id="one" style="margin:0">One</h2>{filler}</body>"""
    )
    problem = follow(scratch, "one", by_name=True)
    assert problem is not None
    assert "heading top=" in problem


# The examples, in every layout, mode and width ---------------------------------------


@pytest.mark.parametrize("case", CASES)
def test_pictures_keep_their_shape(pages: Pages, case: Case) -> None:
    pictures, problems = aspect_problems(pages.get(case))
    assert pictures, f"{case}: no pictures from assets/ found"
    assert problems == [], f"{case}: pictures not true to shape:\n" + "\n".join(
        problems
    )


@pytest.mark.parametrize("case", CASES)
def test_no_horizontal_overflow_with_images(pages: Pages, case: Case) -> None:
    page = pages.get(case)
    found = overflow(page, case.width)
    assert found is None, (
        f"{case}, images loaded: the page is {found['scrollWidth']} px wide in a "
        f"{case.width} px window (allowed {case.width + SUBPIXEL:g}); innermost "
        f"elements past the edge: {found['culprits']}"
    )


@pytest.mark.parametrize("case", CASES)
def test_no_horizontal_overflow_with_images_blocked(pages: Pages, case: Case) -> None:
    page = pages.get(case, images=False)
    images = page.evaluate(IMAGES_STATE_JS)
    assert images, f"{case}: no images on the page"
    loaded = [image["src"] for image in images if image["naturalWidth"] > 0]
    assert loaded == [], f"{case}: images were to be blocked but loaded: {loaded}"
    found = overflow(page, case.width)
    assert found is None, (
        f"{case}, images blocked: the page is {found['scrollWidth']} px wide in a "
        f"{case.width} px window (allowed {case.width + SUBPIXEL:g}); innermost "
        f"elements past the edge: {found['culprits']}"
    )


@pytest.mark.parametrize("case", CASES)
def test_text_contrast(pages: Pages, case: Case) -> None:
    texts, low = low_contrast(pages.get(case))
    assert texts, f"{case}: no visible text found"
    # The colour scheme took effect: most text is dark on light, or light on dark.
    light_on_dark = sum(
        luminance(parse_colour(text["color"])[0])
        > luminance(parse_colour(text["background"])[0])
        for text in texts
    )
    expected_most = (
        light_on_dark if case.scheme == "dark" else len(texts) - light_on_dark
    )
    assert expected_most > len(texts) / 2, (
        f"{case}: the {case.scheme} scheme is not applied: {light_on_dark} of "
        f"{len(texts)} text elements are light on dark"
    )
    assert low == [], (
        f"{case}: {len(low)} of {len(texts)} text elements below {MIN_CONTRAST}:1:\n"
        + "\n".join(
            f"  {text['contrast']}:1  <{text['tag']} class={text['class']!r}> "
            f"{text['text']!r}: {text['color']} on {text['background']} "
            f"(from {text['backgroundFrom']})"
            for text in low
        )
    )


@pytest.mark.parametrize("case", CASES)
def test_contents_links_have_id_and_name_targets(pages: Pages, case: Case) -> None:
    links = contents_targets(pages.get(case))
    assert links, f'{case}: no contents links (href="#...")'
    no_id = [link["target"] for link in links if not link["byId"]]
    no_name = [link["target"] for link in links if not link["byName"]]
    assert (no_id, no_name) == ([], []), (
        f"{case}: of {len(links)} contents links, these have no element with that "
        f"id: {no_id}; these have no <a name> target: {no_name}"
    )


@pytest.mark.parametrize("case", CASES)
def test_contents_links_scroll_to_their_targets_by_id(pages: Pages, case: Case) -> None:
    page = pages.get(case)
    links = contents_targets(page)
    assert links, f"{case}: no contents links"
    problems = [
        problem
        for link in links
        if (problem := follow(page, link["target"], by_name=False))
    ]
    assert problems == [], f"{case}:\n" + "\n".join(problems)


@pytest.mark.parametrize("case", CASES)
def test_contents_links_scroll_to_their_targets_by_name(
    pages: Pages, case: Case
) -> None:
    """As in Gmail webmail and Outlook on Windows, which do not follow ids."""
    page = pages.get(case)
    links = contents_targets(page)
    assert links, f"{case}: no contents links"
    problems = [
        problem
        for link in links
        if (problem := follow(page, link["target"], by_name=True))
    ]
    assert problems == [], f"{case}:\n" + "\n".join(problems)


# Footnotes -----------------------------------------------------------------------

FOOTNOTES_JS = """() => {
  const results = [];
  for (const ref of document.querySelectorAll('sup a[href^="#"]')) {
    const target = ref.getAttribute('href').slice(1);
    window.scrollTo(0, 0);
    ref.click();
    const note = document.getElementById(target);
    const noteTop = note ? note.getBoundingClientRect().top : null;
    const back = note ? note.querySelector('a[href^="#"]') : null;
    let refTop = null;
    if (back) {
      back.click();
      const again = document.getElementById(back.getAttribute('href').slice(1));
      refTop = again ? again.getBoundingClientRect().top : null;
    }
    results.push({
      target, noteTop, refTop,
      backTo: back ? back.getAttribute('href') : null,
      scrollY: window.scrollY,
      maxScrollY: document.scrollingElement.scrollHeight - window.innerHeight,
      innerHeight: window.innerHeight,
    });
  }
  return results;
}"""

FOOTNOTE_CASES = [
    pytest.param(case, id=f"{case.layout}-{case.example}-{case.scheme}-{case.width}px")
    for case in (param.values[0] for param in CASES)
    if isinstance(case, Case) and case.kind == "web" and "annual" in case.example
]


@pytest.mark.parametrize("case", FOOTNOTE_CASES)
def test_footnote_links_reach_their_notes_and_back(pages: Pages, case: Case) -> None:
    results: list[dict[str, Any]] = pages.get(case).evaluate(FOOTNOTES_JS)

    assert results, f"{case}: no footnote references"
    problems = []
    for result in results:
        height = result["innerHeight"]
        for what, top in (("note", result["noteTop"]), ("reference", result["refTop"])):
            if top is None or not (-SUBPIXEL <= top < height):
                problems.append(
                    f"#{result['target']}: after the click the {what} is at {top} px, "
                    f"outside the {height} px window"
                )
    assert problems == [], f"{case}:\n" + "\n".join(problems)


HEADINGS_JS = """() => [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')]
  .filter(heading => heading.getClientRects().length > 0)
  .map(heading => ({level: Number(heading.tagName[1]), text: heading.textContent.trim().slice(0, 40)}))"""

HEADING_CASES = [
    pytest.param(case, id=f"{case.layout}-{case.example}-{case.kind}")
    for case in (param.values[0] for param in CASES)
    if isinstance(case, Case) and case.scheme == "light" and case.width == WIDTHS[0]
]


@pytest.mark.parametrize("case", HEADING_CASES)
def test_headings_never_skip_a_level(pages: Pages, case: Case) -> None:
    headings: list[dict[str, Any]] = pages.get(case).evaluate(HEADINGS_JS)

    assert headings, f"{case}: no headings"
    skips = [
        f"h{before['level']} {before['text']!r} then h{after['level']} {after['text']!r}"
        for before, after in itertools.pairwise(headings)
        if after["level"] > before["level"] + 1
    ]
    assert skips == [], f"{case}: " + "; ".join(skips)

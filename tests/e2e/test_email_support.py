"""The email relies on nothing Gmail or Outlook drops.

From caniemail.com's data (https://www.caniemail.com/features/<slug>/, read
December 2026): Gmail removes ``position`` (css-position), CSS variables
(css-variables), ``@font-face`` (css-at-font-face) and ``@import``
(css-at-import), and flex and grid layout (css-display-flex,
css-display-grid), which Outlook on Windows (Word's engine) does not lay out
either; ``<svg>``, ``<video>``, ``<audio>`` and forms (html-svg, html-video,
html-audio, html-form) are dropped or inert in one or both. Outlook on Windows
ignores ``background-image`` (css-background-image) and a div's padding and
background (the boxes are table cells for that). Gmail rewrites ``<nav>``
(found in issue 15's measurement), and scripts run nowhere.
"""

from __future__ import annotations

import re

import pytest

from bulletin import render
from bulletin.loading.source import load
from tests.conftest import EXAMPLES

DROPPED_ELEMENTS = (
    "script",
    "svg",
    "video",
    "audio",
    "form",
    "input",
    "button",
    "iframe",
    "object",
    "embed",
    "nav",
    "link",
)
"""Elements the email must not contain."""

DROPPED_CSS = {
    "position": re.compile(r"(?<![-\w])position\s*:"),
    "flex or grid layout": re.compile(r"display\s*:\s*(?:inline-)?(?:flex|grid)"),
    "CSS variables": re.compile(r"var\(\s*--|(?<![-\w])--[\w-]+\s*:"),
    "@font-face": re.compile(r"@font-face"),
    "@import": re.compile(r"@import"),
    "background-image": re.compile(r"background-image\s*:|background\s*:[^;\"]*url\("),
}
"""CSS the email must not use, by what it is."""

CASES = [
    pytest.param((example, layout), id=f"{example.parent.name}-{layout}")
    for example in sorted(EXAMPLES.glob("*/edition.md"))
    for layout in ("classic", "compact")
]


@pytest.fixture(scope="module", params=CASES)
def email(request: pytest.FixtureRequest) -> str:
    path, layout = request.param
    source = load(path)
    return render(
        source.edition, source.settings, layout=layout, base_dir=source.base_dir
    ).html


def test_no_element_a_mail_program_drops(email: str) -> None:
    found = sorted(
        {tag for tag in DROPPED_ELEMENTS if re.search(rf"<{tag}[\s>/]", email, re.I)}
    )

    assert found == []


def test_no_css_a_mail_program_drops(email: str) -> None:
    found = sorted(
        name for name, pattern in DROPPED_CSS.items() if pattern.search(email)
    )

    assert found == []


def test_the_checks_catch_what_they_look_for() -> None:
    sample = (
        '<nav><div style="position:absolute;display:flex;color:var(--x);'
        'background:#fff url(a.png)"></div></nav><svg></svg>'
    )

    assert {
        tag for tag in DROPPED_ELEMENTS if re.search(rf"<{tag}[\s>/]", sample, re.I)
    } == {"nav", "svg"}
    assert {
        name for name, pattern in DROPPED_CSS.items() if pattern.search(sample)
    } == {
        "position",
        "flex or grid layout",
        "CSS variables",
        "background-image",
    }

"""Inlining the layout CSS: premailer's result, from rules kept between runs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bulletin.rendering import css as css_module
from bulletin.rendering import cssrules
from bulletin.rendering.context import Page
from bulletin.rendering.css import inline_css
from bulletin.rendering.images import prepare_images
from bulletin.rendering.layouts import load_layout
from bulletin.rendering.mjml import compile_mjml
from bulletin.rendering.pipeline import collect_images
from bulletin.rendering.template import render_css, render_mjml
from tests.conftest import Example

# Rules premailer treats each in its own way: pseudo-classes and media queries
# it keeps in a style block, !important, unset, short colours, px sizes,
# first-child kept as a filter, nth-child(n) left over, * and : ignored.
_TRICKY_CSS = """
p { color: #abc; margin: 0 0 14px; }
p.lead, td.cell { text-align: center; vertical-align: top; width: 120px; }
.wide { width: 100%; height: 20px; background-color: transparent; }
.boxed { background-color: #f0f; border: 1px solid red !important; }
li:first-child { margin-top: 0; }
li:nth-child(2) { color: green; }
a:hover { color: red; }
a { color: blue; text-decoration: underline; }
.gone { color: unset; }
* { box-sizing: border-box; }
@media only screen and (max-width: 480px) { p { font-size: 18px; } }
/* a comment */
"""
_TRICKY_HTML = """<!doctype html>
<html><head><title>t</title>
<style type="text/css">.keep { color: red !important; }</style>
<style media="only screen and (max-width:480px)">.m { width: 100% !important; }</style>
</head><body>
<!--[if mso]><style>.o { color: red; }</style><![endif]-->
<p class="lead" style="color: #123456; font-weight: bold">Lead</p>
<p>Plain <a href="https://example.org">link</a></p>
<p style="margin: 4px">Own margin</p>
<ul><li>One</li><li style="padding:0">Two</li><li>Three</li></ul>
<table><tr><td class="cell wide boxed">x</td></tr></table>
<div class="gone">g</div>
</body></html>"""


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty cache folder of this test's own, and nothing kept in this process."""
    monkeypatch.setenv("BULLETIN_CACHE_DIR", str(tmp_path / "cache"))
    cssrules._kept.clear()
    yield tmp_path / "cache" / "css"
    cssrules._kept.clear()


def premailer_output(html: str, css: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """What premailer itself makes of it (the stage as it was)."""
    with monkeypatch.context() as patched:
        patched.setattr(css_module, "_transform", lambda html, sheet: None)
        return inline_css(html, css)


def email_html_and_css(example: Example, layout_name: str) -> tuple[str, str]:
    settings = example.settings
    layout = load_layout(layout_name)
    wanted = list(
        collect_images(example.edition, settings, layout.width - 2 * layout.gutter)
    )
    images, _ = prepare_images(wanted, example.folder, base_url=None)
    page = Page(example.edition, settings, layout, personal=True, images=images)
    return compile_mjml(render_mjml(page)), render_css(page)


@pytest.mark.parametrize("layout_name", ["classic", "compact"])
@pytest.mark.parametrize("name", ["dscp-2025-01", "dscb-2019-02"])
def test_inlining_is_premailers_byte_for_byte(
    examples: dict[str, Example],
    name: str,
    layout_name: str,
    cache: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    html, css = email_html_and_css(examples[name], layout_name)
    expected = premailer_output(html, css, monkeypatch)
    assert inline_css(html, css) == expected  # worked out
    marked = css_module._STYLE_TAG.sub("<style" + css_module._IGNORED, html)
    assert css_module._transform(marked, cssrules.stylesheet(css)) is not None
    cssrules._kept.clear()
    assert inline_css(html, css) == expected  # read back


def test_the_unusual_rules_premailer_handles_come_out_the_same(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = premailer_output(_TRICKY_HTML, _TRICKY_CSS, monkeypatch)
    sheet = cssrules.stylesheet(_TRICKY_CSS)
    marked = css_module._STYLE_TAG.sub("<style" + css_module._IGNORED, _TRICKY_HTML)
    assert css_module._transform(marked, sheet) is not None  # not handed to premailer
    assert inline_css(_TRICKY_HTML, _TRICKY_CSS) == expected
    assert "@media only screen" in expected  # left over, in the head
    assert 'bgcolor="#ff00ff"' in expected  # a short colour made long
    cssrules._kept.clear()
    assert inline_css(_TRICKY_HTML, _TRICKY_CSS) == expected


@pytest.mark.parametrize(
    ("html", "css"),
    [
        ("<html><head></head><body><p>x</p></body></html>", ""),
        ("<html><head></head><body><p>x</p></body></html>", "   "),
        ("<html><body><p>x</p></body></html>", "p { color: red }"),
        ("<p>x</p>", "p { color: red }"),
        # A style block premailer would read too: premailer itself does it.
        (
            "<html><head></head><body><STYLE>p{color:red}</STYLE><p>x</p></body></html>",
            "p { margin: 0 }",
        ),
    ],
)
def test_odd_documents_come_out_as_premailer_makes_them(
    html: str, css: str, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert inline_css(html, css) == premailer_output(html, css, monkeypatch)


def test_a_warm_cache_gives_identical_output_without_premailer(
    examples: dict[str, Example], cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    html, css = email_html_and_css(examples["dscp-2025-01"], "classic")
    cold = inline_css(html, css)
    [kept] = cache.glob("*.json")
    written = kept.stat().st_mtime_ns, kept.read_bytes()
    cssrules._kept.clear()

    def not_again(css: str, key: str) -> cssrules.Stylesheet:
        raise AssertionError("the kept rules were not used")

    monkeypatch.setattr(cssrules, "_work_out", not_again)
    assert inline_css(html, css) == cold
    assert (kept.stat().st_mtime_ns, kept.read_bytes()) == written  # not rewritten


@pytest.mark.slow
def test_a_process_with_a_warm_cache_never_imports_cssutils(tmp_path: Path) -> None:
    code = (
        "import sys; from datetime import date; from bulletin import Edition, render; "
        "e = Edition('News', date(2025, 1, 15)); e.section('A').paragraph('x'); "
        "html = render(e).html; "
        "print(sorted(m for m in ('cssutils', 'premailer') if m in sys.modules))"
    )
    env = {**os.environ, "BULLETIN_CACHE_DIR": str(tmp_path)}
    runs = [
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, env=env
        ).stdout.strip()
        for _ in range(2)
    ]
    assert runs == ["['cssutils', 'premailer']", "[]"]


@pytest.mark.parametrize(
    "damage",
    [
        b"",
        b"not json",
        b'{"format": 1',
        b"[]",
        b'{"format": 1, "key": "other", "rules": [], "leftover": null, "styles": {}}',
        b'{"format": 99, "key": "KEY", "rules": [], "leftover": null, "styles": {}}',
        b'{"format": 1, "key": "KEY", "rules": [["x", 1, []]], "leftover": null, "styles": {}}',
        b'{"format": 1, "key": "KEY", "rules": [], "leftover": 7, "styles": {}}',
        b'{"format": 1, "key": "KEY", "rules": [], "leftover": null, "styles": {"a": [[1, 2]]}}',
        b'{"format": 1, "key": "KEY", "rules": [], "leftover": null, "styles": []}',
        b"\xff\xfe\x00",
    ],
)
def test_a_corrupt_cache_file_is_ignored_and_replaced(
    damage: bytes, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = premailer_output(_TRICKY_HTML, _TRICKY_CSS, monkeypatch)
    inline_css(_TRICKY_HTML, _TRICKY_CSS)
    [kept] = cache.glob("*.json")
    kept.write_bytes(damage.replace(b"KEY", kept.stem.encode()))
    cssrules._kept.clear()
    assert inline_css(_TRICKY_HTML, _TRICKY_CSS) == expected
    assert json.loads(kept.read_bytes())["key"] == kept.stem  # written afresh


def test_a_cache_that_cannot_be_written_is_no_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = premailer_output(_TRICKY_HTML, _TRICKY_CSS, monkeypatch)
    # The cache folder cannot be made: a file is in the way.
    (tmp_path / "file").write_text("")
    monkeypatch.setenv("BULLETIN_CACHE_DIR", str(tmp_path / "file" / "cache"))
    cssrules._kept.clear()
    assert inline_css(_TRICKY_HTML, _TRICKY_CSS) == expected
    # The folder is there, but its file cannot be written (a folder is in the way).
    monkeypatch.setenv("BULLETIN_CACHE_DIR", str(tmp_path / "cache"))
    key = cssrules._key(_TRICKY_CSS)
    (tmp_path / "cache" / "css" / f"{key}.json").mkdir(parents=True)
    cssrules._kept.clear()
    assert inline_css(_TRICKY_HTML, _TRICKY_CSS) == expected
    cssrules._kept.clear()


@pytest.mark.skipif(
    sys.platform == "win32" or os.geteuid() == 0,
    reason="needs POSIX permissions that bind (root ignores them)",
)
def test_a_read_only_cache_folder_is_no_error(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = premailer_output(_TRICKY_HTML, _TRICKY_CSS, monkeypatch)
    cache.mkdir(parents=True)
    cache.chmod(0o500)
    try:
        assert inline_css(_TRICKY_HTML, _TRICKY_CSS) == expected
        assert not list(cache.iterdir())
    finally:
        cache.chmod(0o700)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX owners and modes")
def test_a_cache_others_could_write_is_not_read(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inline_css(_TRICKY_HTML, _TRICKY_CSS)
    [kept] = cache.glob("*.json")
    data = json.loads(kept.read_bytes())
    data["rules"][0][2] = [["color", "hotpink"]]
    kept.write_text(json.dumps(data))
    cssrules._kept.clear()
    assert "hotpink" in inline_css(_TRICKY_HTML, _TRICKY_CSS)  # ours: read

    cache.chmod(0o777)
    try:
        cssrules._kept.clear()
        assert cssrules._read(kept.stem) is None
    finally:
        cache.chmod(0o700)
    if os.geteuid() == 0:  # only root can give a file away
        os.chown(kept, 4242, 4242)
        assert cssrules._read(kept.stem) is None


def test_the_key_follows_the_css_and_the_library_versions() -> None:
    assert cssrules._key("p { color: red }") != cssrules._key("p { color: blue }")
    versions = " ".join(cssrules._library_versions())
    for name in ("premailer-", "cssutils-", "cssselect-", "lxml-"):
        assert name in versions


def test_a_cache_file_holds_no_code(cache: Path) -> None:
    inline_css(_TRICKY_HTML, _TRICKY_CSS)
    [kept] = cache.glob("*.json")
    assert set(json.loads(kept.read_bytes())) == {
        "format",
        "key",
        "rules",
        "leftover",
        "styles",
    }

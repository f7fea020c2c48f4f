"""Render benchmarks for the January 2025 example (run with ``make benchmark``).

Prints:
- the warm render median (model -> Rendered) and each stage's share of it;
- the long annual report example's warm render (a digest), as a multiple of January's;
- the email's HTML size after inlining (Gmail clips at about 102 KB);
- ``bulletin --version`` start-up time;
- how render time scales with ten times the content;
- node MJML's time on the same MJML, when node and the mjml package are installed
  (``npm install --prefix benchmarks/node mjml``).
"""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
import sys
from pathlib import Path

from timing import median_ms, process_ms

from bulletin import Edition, Settings, render
from bulletin.loading.source import load as load_source
from bulletin.rendering.context import Page
from bulletin.rendering.css import inline_css
from bulletin.rendering.images import prepare_images
from bulletin.rendering.layouts import load_layout
from bulletin.rendering.mjml import compile_mjml
from bulletin.rendering.pipeline import collect_images
from bulletin.rendering.plaintext import plain_text
from bulletin.rendering.template import render_css, render_mjml
from bulletin.rendering.validate import check_mjml

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "dscp-2025-01"
ANNUAL_REPORT = ROOT / "examples" / "escp-annual-report-2024-25"
RUNS = 200


def load() -> tuple[Edition, Settings]:
    import runpy

    names = runpy.run_path(str(EXAMPLE / "edition.py"))
    return names["edition"], names["settings"]


def stages(edition: Edition, settings: Settings) -> dict[str, float]:
    """Median time of each stage, run as the pipeline runs them."""
    layout = load_layout("classic")
    wanted = list(collect_images(edition, settings, layout.width - 2 * layout.gutter))
    refs, _ = prepare_images(wanted, EXAMPLE, base_url=None)
    web_refs, _ = prepare_images(wanted, EXAMPLE, base_url=None, web=True)
    page = Page(edition, settings, layout, personal=True, images=refs)
    web = Page(edition, settings, layout, personal=False, images=web_refs)
    mjml = render_mjml(page)
    html = compile_mjml(mjml)
    css = render_css(page)
    return {
        "images": median_ms(lambda: prepare_images(wanted, EXAMPLE, base_url=None)) * 2,
        "template": median_ms(lambda: render_mjml(page)) * 2,
        "validate": median_ms(lambda: check_mjml(mjml)) * 2,
        "mjml": median_ms(lambda: compile_mjml(mjml)) * 2,
        "inline (premailer)": median_ms(lambda: inline_css(html, css)),
        "web css": median_ms(lambda: render_css(web)),
        "text": median_ms(lambda: plain_text(page)),
    }


def node_mjml_ms(mjml: str) -> str:
    node = shutil.which("node")
    package = ROOT / "benchmarks" / "node" / "node_modules" / "mjml"
    if node is None or not package.is_dir():
        return "not installed (npm install --prefix benchmarks/node mjml)"
    script = (
        "const mjml = require(process.argv[1]); const fs = require('fs');"
        "const src = fs.readFileSync(0, 'utf8'); mjml(src, {validationLevel: 'skip'});"
        "const t = []; for (let i = 0; i < 50; i++) { const s = process.hrtime.bigint();"
        " mjml(src, {validationLevel: 'skip'}); t.push(Number(process.hrtime.bigint() - s) / 1e6); }"
        "t.sort((a, b) => a - b); console.log(JSON.stringify(t[25]));"
    )
    result = subprocess.run(
        [node, "-e", script, str(package)],
        input=mjml,
        capture_output=True,
        text=True,
        check=True,
    )
    return f"{json.loads(result.stdout):.1f} ms median"


def main() -> None:
    edition, settings = load()
    rendered = render(edition, settings, base_dir=EXAMPLE)
    warm = median_ms(lambda: render(edition, settings, base_dir=EXAMPLE))
    print(
        f"warm render (model -> Rendered), January 2025: {warm:.2f} ms median of {RUNS}  [target <= 8 ms]"
    )
    report = load_source(ANNUAL_REPORT / "edition.md")
    long_ms = median_ms(
        lambda: render(
            report.edition,
            report.settings,
            base_dir=ANNUAL_REPORT,
            digest=report.digest,
        ),
        runs=50,
    )
    print(
        f"warm render, annual report 2024-25 (digest): {long_ms:.2f} ms median of 50 "
        f"= {long_ms / warm:.1f}x January  [target <= 4x]"
    )
    parts = stages(edition, settings)
    total = sum(parts.values())
    for name, ms in parts.items():
        print(f"  {name:<20} {ms:6.2f} ms  {ms / total:5.1%}")
    size = len(rendered.html.encode())
    print(
        f"email HTML after inlining: {size / 1000:.1f} KB  [target <= 60 KB; Gmail clips at ~102 KB]"
    )
    print(
        f"plain text: {len(rendered.text.encode()) / 1000:.1f} KB; web copy: {len(rendered.web_html.encode()) / 1000:.1f} KB"
    )

    big = copy.deepcopy(edition)
    big.sections = [
        copy.deepcopy(section) for _ in range(10) for section in edition.sections
    ]
    big_ms = median_ms(lambda: render(big, settings, base_dir=EXAMPLE), runs=30)
    print(f"10x content: {big_ms:.1f} ms = {big_ms / warm:.1f}x  [guard <= 10.5x]")

    version = process_ms([sys.executable, "-m", "bulletin", "--version"])
    print(f"bulletin --version: {version:.0f} ms median  [guard <= 150 ms]")

    layout = load_layout("classic")
    refs, _ = prepare_images(
        list(collect_images(edition, settings, 552)), EXAMPLE, base_url=None
    )
    mjml = render_mjml(Page(edition, settings, layout, personal=True, images=refs))
    print(
        f"mjml-python on the same MJML: {median_ms(lambda: compile_mjml(mjml)):.2f} ms; node MJML: {node_mjml_ms(mjml)}"
    )


if __name__ == "__main__":
    main()

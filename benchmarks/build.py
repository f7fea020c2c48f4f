"""Editors' path benchmarks for the January 2025 example (run with ``make benchmark``).

Prints:
- ``bulletin build examples/dscp-2025-01/edition.md`` as a whole process, median
  of several runs, and the share of it spent importing (a process that only
  imports what ``build`` imports);
- loading the Markdown edition (front matter, body, bulletin.toml), warm;
- ``bulletin check`` on the same edition, whole process.
"""

from __future__ import annotations

import sys
import tempfile

from timing import ROOT, median_ms, process_ms

from bulletin.loading.config import find_config, load_config
from bulletin.loading.source import load

EDITION = ROOT / "examples" / "dscp-2025-01" / "edition.md"
BULLETIN = [sys.executable, "-m", "bulletin"]
# What `bulletin build` imports before it does any work.
IMPORTS = (
    "from bulletin.rendering.css import _inliner; _inliner();"
    "import bulletin.cli, bulletin.commands.build, bulletin.loading.source, bulletin.rendering.pipeline,"
    " bulletin.rendering.images, jinja2, mjml, premailer, PIL.Image, markdown_it, yaml"
)


def main() -> None:
    with tempfile.TemporaryDirectory() as out:
        build = process_ms([*BULLETIN, "build", str(EDITION), "-o", out])
    imports = process_ms([sys.executable, "-c", IMPORTS])
    bare = process_ms([sys.executable, "-c", "pass"])
    print(
        f"bulletin build {EDITION.relative_to(ROOT)}: {build:.0f} ms median, whole "
        f"process  [target <= 450 ms]"
    )
    print(
        f"  of which starting Python {bare:.0f} ms, importing {imports - bare:.0f} ms "
        f"({(imports - bare) / build:.0%}), the build itself {build - imports:.0f} ms"
    )
    config = load_config(find_config(EDITION))  # type: ignore[arg-type]  # the example has one
    loading = median_ms(lambda: load(EDITION, config=config))
    with_config = median_ms(lambda: load(EDITION))
    print(
        f"loading the Markdown edition: {loading:.2f} ms warm; {with_config:.2f} ms "
        "with finding and reading bulletin.toml  [target <= 5 ms]"
    )
    check = process_ms([*BULLETIN, "check", str(EDITION)], runs=5)
    print(f"bulletin check, whole process: {check:.0f} ms median")


if __name__ == "__main__":
    main()

"""Build every example in this folder into ``out/<example>/`` (``make demo`` runs this).

Usage: ``python examples/build.py [OUT] [EXAMPLE...]``

Each example is a folder holding ``edition.py``, which defines ``edition`` (an
``Edition``) and ``settings`` (a ``Settings``); its images sit beside it.
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

from bulletin import BulletinError, render
from bulletin.export import export

HERE = Path(__file__).resolve().parent


def build(example: Path, out: Path) -> list[Path]:
    """Render one example folder and write its files under ``out``."""
    names = runpy.run_path(str(example / "edition.py"))
    rendered = render(names["edition"], names["settings"], base_dir=example)
    return export(rendered, out / example.name)


def main(argv: list[str]) -> int:
    out = Path(argv[1] if len(argv) > 1 else "out").resolve()
    wanted = set(argv[2:])
    examples = sorted(
        path.parent
        for path in HERE.glob("*/edition.py")
        if not wanted or path.parent.name in wanted
    )
    for example in examples:
        try:
            written = build(example, out)
        except BulletinError as error:
            print(f"error: {example.name}: {error}", file=sys.stderr)
            return 1
        pages = [path for path in written if path.suffix in (".html", ".txt")]
        for path in pages:
            print(
                f"  wrote {path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path}"
            )
    print(
        "\nOpen a .web.html file in a browser to see an edition with its pictures."
        "\nThe .html file is the email itself: mail clients show its pictures from the"
        "\nattached images (cid:), which a browser cannot. The .txt file is its"
        "\nplain-text version."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

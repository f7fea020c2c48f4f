"""The README's Python example runs as written."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_example_runs() -> None:
    blocks = re.findall(
        r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S
    )
    assert blocks, "the README should show a Python example"
    names: dict[str, object] = {}
    exec(compile(blocks[0], str(README), "exec"), names)
    rendered = names["rendered"]
    assert "Partnership News - January 2025" in rendered.html  # type: ignore[attr-defined]
    assert "{{unsubscribe_url}}" in rendered.html  # type: ignore[attr-defined]

"""``docs/checks.md``, written from the rule registry so the two never disagree.

Regenerate it after adding or changing a rule::

    python -m bulletin.checking.docs docs/checks.md

Without a path, the page goes to standard output. A test fails while the
file in the repository differs from :func:`checks_page`.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from bulletin.checking.registry import RULES, SCOPES, Scope
from bulletin.checking.report import LOAD

__all__ = ["checks_page", "main"]

_SCOPES: dict[Scope, str] = {
    "content": "the edition's words and blocks",
    "email": "the email as rendered: its size, pictures, headings and colours",
    "sending": "what a real send needs from bulletin.toml",
}


def checks_page() -> str:
    """The Markdown of ``docs/checks.md``: every rule's code, level, scope and meaning."""
    lines = [
        "# What `bulletin check` looks for",
        "",
        "<!-- Written by `python -m bulletin.checking.docs docs/checks.md` from the",
        "     rules in src/bulletin/checking/registry.py: change those, not this file. -->",
        "",
        "Each finding has a code. An **error** means the edition cannot go out like",
        "this; a **warning** means it can, but readers will be worse off. To leave one",
        "kind of finding out, give its code: `bulletin check edition.md --ignore CODE`",
        "(once for each code). The editors' guide says how to fix the common ones:",
        "[section 5](editors.md#5-check-an-edition).",
    ]
    for scope in SCOPES:
        lines += [
            "",
            f"## `{scope}`: {_SCOPES[scope]}",
            "",
            "| Code | Level | What it means |",
            "| --- | --- | --- |",
        ]
        lines += [
            f"| `{rule.code}` | {rule.level} | {rule.doc.replace('|', chr(92) + '|')} |"
            for rule in RULES
            if rule.scope == scope
        ]
    lines += [
        "",
        "## When the edition cannot be read",
        "",
        "A problem that stops the edition loading or rendering at all is an error with",
        f"the code `{LOAD}`, one for each problem, with its place. It cannot be ignored:",
        "until it is fixed there is no email to check.",
    ]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """Write :func:`checks_page` to the path given, or to standard output."""
    args = list(sys.argv[1:] if argv is None else argv)
    page = checks_page()
    if not args:
        sys.stdout.write(page)
        return 0
    Path(args[0]).write_text(page, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

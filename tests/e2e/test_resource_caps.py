"""The worst input each cap accepts builds in under 5 s of CPU and 1 GB.

Each cap (file size, blocks, list depth, text length, front matter size) is
the line past which an edition is refused; what it lets through must still
be cheap to build, or the cap is in the wrong place.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from bulletin.loading.frontmatter import MAX_FRONT_MATTER_CHARS
from bulletin.loading.limits import MAX_BLOCKS
from bulletin.loading.textfile import MAX_FILE_BYTES
from bulletin.model.blocks import MAX_LIST_DEPTH
from bulletin.model.text import MAX_TEXT_CHARS

pytestmark = pytest.mark.slow

HEAD = "---\ntitle: Big\ndate: 2025-01-15\n---\n"
CPU_SECONDS = 8.0
"""A guard against runaway cost (a quadratic path takes minutes), not a
benchmark: the heaviest accepted input, 400 KB of six-deep lists, takes 4.3 to
5.6 s of CPU on the 2-core CI machine, so 5 s failed on a busy day."""
MEMORY_BYTES = 1024**3


def fill(unit: Callable[[int], str], limit: int = MAX_FILE_BYTES) -> str:
    """As many ``unit(n)`` as fit under ``limit`` bytes after the head."""
    parts, size, number = [HEAD], len(HEAD), 0
    while True:
        piece = unit(number)
        if size + len(piece.encode()) > limit:
            return "".join(parts)
        parts.append(piece)
        size += len(piece.encode())
        number += 1


def largest_file() -> str:
    paragraph = (
        "Words of a long paragraph with a [link](https://example.org/{n}), **bold** "
        "and *italic* text, as an annual report has. "
    ) * 6
    return fill(
        lambda n: (
            (f"# Section {n}\n\n" if n % 40 == 0 else "")
            + (f"## Article {n}\n\n" if n % 4 == 0 else "")
            + paragraph.replace("{n}", str(n))
            + "\n\n- one\n- two\n\n"
        )
    )


def most_blocks() -> str:
    return HEAD + "# A\n\n" + "A short paragraph.\n\n" * (MAX_BLOCKS - 1)


def deepest_lists() -> str:
    nested = "".join(
        f"{'  ' * level}- level {level}\n" for level in range(MAX_LIST_DEPTH)
    )
    return fill(
        lambda n: (f"# S{n}\n\n" if n % 50 == 0 else "") + nested + "\n", 400_000
    )


def longest_texts() -> str:
    return HEAD + "# A\n\n" + ("w" * 9 + " ") * (MAX_TEXT_CHARS // 10) + "\n\n"


def largest_front_matter() -> str:
    filler = "# a comment line in the front matter\n"
    count = (MAX_FRONT_MATTER_CHARS - 64) // len(filler)
    return f"---\ntitle: Big\ndate: 2025-01-15\n{filler * count}---\n# A\n\nText.\n"


CASES = {
    "largest-file": largest_file,
    "most-blocks": most_blocks,
    "deepest-lists": deepest_lists,
    "longest-text": longest_texts,
    "largest-front-matter": largest_front_matter,
}


@pytest.mark.parametrize("make", CASES.values(), ids=CASES.keys())
def test_the_worst_accepted_input_is_cheap(
    make: Callable[[], str], tmp_path: Path
) -> None:
    path = tmp_path / "edition.md"
    path.write_text(make(), encoding="utf-8")
    assert path.stat().st_size <= MAX_FILE_BYTES
    command = [
        sys.executable,
        "-m",
        "bulletin",
        "build",
        str(path),
        "-o",
        str(tmp_path / "out"),
    ]

    # wait4 gives this child's own usage: RUSAGE_CHILDREN would also count any
    # other process the test session reaps meanwhile (a browser, a server).
    with subprocess.Popen(command, stderr=subprocess.PIPE, text=True) as process:
        assert process.stderr is not None
        stderr = process.stderr.read()
        _, _, usage = os.wait4(process.pid, 0)
        process.returncode = 0  # reaped above; Popen must not wait again

    cpu = usage.ru_utime + usage.ru_stime
    assert "Traceback" not in stderr
    assert (tmp_path / "out").is_dir(), stderr  # accepted, and built
    assert cpu < CPU_SECONDS, f"{cpu:.1f} s of CPU"
    assert usage.ru_maxrss * 1024 < MEMORY_BYTES, f"{usage.ru_maxrss / 1024:.0f} MB"


def test_one_past_each_cap_is_refused(tmp_path: Path) -> None:
    for name, (text, said) in {
        "file": (HEAD + "# A\n\n" + "x " * (MAX_FILE_BYTES // 2), "over 1 MB"),
        "blocks": (
            HEAD + "# A\n\n" + "A short paragraph.\n\n" * MAX_BLOCKS,
            f"more than {MAX_BLOCKS:,} blocks",
        ),
    }.items():
        path = tmp_path / f"{name}.md"
        path.write_text(text, encoding="utf-8")
        result = subprocess.run(
            [sys.executable, "-m", "bulletin", "check", str(path)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 1, name
        assert said in result.stdout, result.stdout
        assert "Traceback" not in result.stdout + result.stderr

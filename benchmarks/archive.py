"""Archive benchmark: ``bulletin archive`` of 100 editions (run with ``make benchmark``).

The editions are made from the three examples, each with its own title and
date (a week apart), in a temporary folder. Prints, each a whole process and
the median of a few runs after a warm-up run:

- ``bulletin archive`` of the 100 into an empty folder;
- building the same 100 one by one (``build()`` of each, in one process, as
  a script would): the archive should take at most 1.5 times as long;
- ``bulletin archive`` again with nothing changed, and after adding one edition
  (only that edition's page, the index and the feed are written).
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from timing import ROOT, process_env, process_ms

EXAMPLES = ("dscp-2025-01", "dscb-2019-02", "escp-annual-report-2024-25")
COUNT = 100
RUNS = 3
BULLETIN = [sys.executable, "-m", "bulletin"]

_BUILD_EACH = """
import sys
from pathlib import Path
from bulletin.commands.build import build
source, out = Path(sys.argv[1]), Path(sys.argv[2])
for path in sorted(source.glob("*/edition.md")):
    build(path, out / path.parent.name)
"""


def make_editions(folder: Path, count: int, start: int = 0) -> list[Path]:
    """``count`` editions made from the examples, each with its own title and date."""
    made = []
    first = dt.date(2020, 1, 6)
    for number in range(start, start + count):
        example = EXAMPLES[number % len(EXAMPLES)]
        target = folder / f"{number:03d}-{example}"
        shutil.copytree(
            ROOT / "examples" / example, target, ignore=shutil.ignore_patterns("out")
        )
        edition = target / "edition.md"
        text = edition.read_text(encoding="utf-8")
        date = first + dt.timedelta(weeks=number)
        text = re.sub(
            r"^(title: .*)$",
            rf"\1 - issue {number + 1}",
            text,
            count=1,
            flags=re.MULTILINE,
        )
        text = re.sub(
            r"^date: .*$",
            f"date: {date.isoformat()}",
            text,
            count=1,
            flags=re.MULTILINE,
        )
        edition.write_text(text, encoding="utf-8")
        made.append(edition)
    return made


def main() -> None:
    env = process_env()
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        source = root / "editions"
        make_editions(source, COUNT)
        fresh = root / "fresh"

        def archive_into_empty() -> list[str]:
            shutil.rmtree(fresh, ignore_errors=True)
            return [*BULLETIN, "archive", str(source), "-o", str(fresh)]

        archive_ms = _median(archive_into_empty, env)
        built = root / "built"
        build_ms = process_ms(
            [sys.executable, "-c", _BUILD_EACH, str(source), str(built)], RUNS, env
        )
        kept = root / "kept"
        command = [*BULLETIN, "archive", str(source), "-o", str(kept)]
        again_ms = process_ms(command, RUNS, env)
        make_editions(source, 1, start=COUNT)
        added_ms = process_ms(command, 0, env)
    ratio = archive_ms / build_ms
    print(
        f"bulletin archive of {COUNT} editions: {archive_ms:.0f} ms median, whole "
        f"process ({archive_ms / COUNT:.1f} ms an edition)"
    )
    print(
        f"building the same {COUNT} one by one (build() in one process): "
        f"{build_ms:.0f} ms median ({build_ms / COUNT:.1f} ms an edition)"
    )
    print(f"  archive / build one by one = {ratio:.2f}x  [target <= 1.5x]")
    print(f"bulletin archive again, nothing changed: {again_ms:.0f} ms median")
    print(f"bulletin archive after adding edition {COUNT + 1}: {added_ms:.0f} ms")


def _median(command: Callable[[], list[str]], env: dict[str, str]) -> float:
    """The median of RUNS runs (after a warm-up) of a command made afresh each time."""
    times = []
    for _ in range(RUNS + 1):
        argv = command()
        start = time.perf_counter()
        subprocess.run(argv, check=True, capture_output=True, cwd=ROOT, env=env)
        times.append(time.perf_counter() - start)
    return statistics.median(times[1:]) * 1000


if __name__ == "__main__":
    main()

"""Editors' path benchmarks for the January 2025 example (run with ``make benchmark``).

Prints, each a whole process (median of several runs, after a first run that
fills Python's and bulletin's caches, as an installed bulletin has them):
- ``bulletin build examples/dscp-2025-01/edition.md``, split into starting
  Python, importing what ``build`` imports and the build itself; and the first
  build, with bulletin's cache empty;
- ``bulletin build`` of the long annual report example, as a multiple of January's;
- ``bulletin --version``, and ``python -c "import bulletin"``;
- inkletter's ``md2html`` on the same Markdown and how long ``bulletin build``
  takes beside it, when inkletter is installed (``pip install inkletter``; it
  is not a dependency, only a yardstick);
- loading the Markdown edition (front matter, body, bulletin.toml), warm;
- ``bulletin check`` on the same edition.
"""

from __future__ import annotations

import importlib.util
import sys
import tempfile
from pathlib import Path

from timing import ROOT, median_ms, process_env, process_ms, process_times

from bulletin.loading.config import find_config, load_config
from bulletin.loading.source import load

EDITION = ROOT / "examples" / "dscp-2025-01" / "edition.md"
ANNUAL_REPORT = ROOT / "examples" / "escp-annual-report-2024-25" / "edition.md"
BULLETIN = [sys.executable, "-m", "bulletin"]
RUNS = 21

# Runs `bulletin build` and lists the modules it imported, in order, and those
# it only stood in for (deferred, never loaded).
_LIST_IMPORTS = """
import json, runpy, sys, types
out, listing = sys.argv[1:]
sys.argv = ["bulletin", "build", {edition!r}, "-o", out]
try:
    runpy.run_module("bulletin", run_name="__main__", alter_sys=True)
except SystemExit:
    pass
modules = list(sys.modules.items())
loaded = [name for name, module in modules if type(module) is types.ModuleType
          and module.__spec__ is not None and name != "__main__"]
deferred = [name for name, module in modules if type(module) is not types.ModuleType]
with open(listing, "w") as file:
    json.dump([loaded, deferred], file)
"""
_IMPORT = """
import importlib, json, sys, types
loaded, deferred = json.load(open(sys.argv[1]))
for name in deferred:
    sys.modules[name] = types.ModuleType(name)
for name in loaded:
    try:
        importlib.import_module(name)
    except Exception:
        pass
"""
# inkletter's console script, run the way `python -m bulletin` is.
_INKLETTER = "import sys; from inkletter.cli import cli; sys.exit(cli())"


def main() -> None:
    env = process_env()
    bare = process_ms([sys.executable, "-c", "pass"], RUNS, env)
    with tempfile.TemporaryDirectory() as out:
        command = [*BULLETIN, "build", str(EDITION), "-o", out]
        # Python compiles its modules once, outside bulletin's cache.
        process_ms(command, 0, {**env, "BULLETIN_CACHE_DIR": str(Path(out) / "cache")})
        first, build = process_times(command, RUNS, env)
        long = process_ms(
            [*BULLETIN, "build", str(ANNUAL_REPORT), "-o", out], RUNS, env
        )
        imports = _imports_ms(out, env)
        inkletter = _inkletter_ms(Path(out), env)
    print(
        f"bulletin build {EDITION.relative_to(ROOT)}: {build:.0f} ms median, whole "
        f"process  [target <= 250 ms]"
    )
    print(
        f"  of which starting Python {bare:.0f} ms, importing {imports - bare:.0f} ms "
        f"({(imports - bare) / build:.0%}), the build itself {build - imports:.0f} ms"
    )
    print(f"  the first build, with bulletin's cache empty: {first:.0f} ms")
    print(
        f"bulletin build {ANNUAL_REPORT.relative_to(ROOT)}: {long:.0f} ms median, "
        f"whole process = {long / build:.2f}x January  [target <= 1.5x]"
    )
    version = process_ms([*BULLETIN, "--version"], RUNS, env)
    print(
        f"bulletin --version: {version:.0f} ms median, whole process  [target <= 60 ms]"
    )
    facade = process_ms([sys.executable, "-c", "import bulletin"], RUNS, env)
    print(
        f"import bulletin: {facade - bare:.0f} ms (a process that imports it, "
        f"less one that only starts Python)"
    )
    if inkletter is None:
        print("inkletter md2html: not installed (pip install inkletter to compare)")
    else:
        print(
            f"inkletter md2html on the same Markdown: {inkletter:.0f} ms median, whole "
            f"process; bulletin build takes {build / inkletter:.2f}x as long  "
            f"[target <= 1.5x]"
        )

    config = load_config(find_config(EDITION))  # type: ignore[arg-type]  # the example has one
    loading = median_ms(lambda: load(EDITION, config=config))
    with_config = median_ms(lambda: load(EDITION))
    print(
        f"loading the Markdown edition: {loading:.2f} ms warm; {with_config:.2f} ms "
        "with finding and reading bulletin.toml  [target <= 5 ms]"
    )
    check = process_ms([*BULLETIN, "check", str(EDITION)], 5, env)
    print(f"bulletin check, whole process: {check:.0f} ms median")


def _imports_ms(out: str, env: dict[str, str]) -> float:
    """A process that imports what ``bulletin build`` imports, and nothing else."""
    listing = Path(out) / "imports.json"
    script = _LIST_IMPORTS.format(edition=str(EDITION))
    process_ms([sys.executable, "-c", script, out, str(listing)], 0, env)
    return process_ms([sys.executable, "-c", _IMPORT, str(listing)], RUNS, env)


def _inkletter_ms(out: Path, env: dict[str, str]) -> float | None:
    if importlib.util.find_spec("inkletter") is None:
        return None
    html = out / "inkletter.html"
    command = [
        sys.executable,
        "-c",
        _INKLETTER,
        "md2html",
        str(EDITION),
        "-o",
        str(html),
    ]
    return process_ms(command, RUNS, env)


if __name__ == "__main__":
    main()

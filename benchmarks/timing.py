"""Timing helpers shared by the benchmark scripts."""

from __future__ import annotations

import atexit
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def median_ms(function: Callable[[], object], runs: int = 200) -> float:
    """The median time of ``function`` in ms, after one warm-up call."""
    function()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def process_ms(
    command: list[str], runs: int = 11, env: Mapping[str, str] | None = None
) -> float:
    """The median wall time of running ``command`` in ms, after one warm-up run."""
    return process_times(command, runs, env)[1]


def process_times(
    command: list[str], runs: int = 11, env: Mapping[str, str] | None = None
) -> tuple[float, float]:
    """The first run's wall time of ``command`` and the median of ``runs`` more, in ms."""
    environment = dict(env) if env is not None else process_env()
    times = []
    for _ in range(runs + 1):
        start = time.perf_counter()
        subprocess.run(
            command, check=True, capture_output=True, cwd=ROOT, env=environment
        )
        times.append(time.perf_counter() - start)
    return times[0] * 1000, statistics.median(times[1:] or times) * 1000


def process_env() -> dict[str, str]:
    """The environment for timing a whole process as an installed bulletin runs.

    Python may write its compiled modules (an installed package has them,
    whatever ``PYTHONDONTWRITEBYTECODE`` says in a development shell), to a
    folder of this run's own so the source tree is not touched; and bulletin's
    cache starts empty, so the first run of a command is the cold one.
    """
    environment = dict(os.environ)
    environment.pop("PYTHONDONTWRITEBYTECODE", None)
    environment["PYTHONPYCACHEPREFIX"] = str(_scratch() / "pycache")
    environment["BULLETIN_CACHE_DIR"] = str(_scratch() / "cache")
    return environment


_SCRATCH: list[Path] = []


def _scratch() -> Path:
    if not _SCRATCH:
        folder = Path(tempfile.mkdtemp(prefix="bulletin-benchmark-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        _SCRATCH.append(folder)
    return _SCRATCH[0]

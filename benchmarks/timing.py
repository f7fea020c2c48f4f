"""Timing helpers shared by the benchmark scripts."""

from __future__ import annotations

import statistics
import subprocess
import time
from collections.abc import Callable
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


def process_ms(command: list[str], runs: int = 11) -> float:
    """The median wall time of running ``command`` in ms, after one warm-up run."""
    subprocess.run(command, check=True, capture_output=True, cwd=ROOT)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, cwd=ROOT)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000

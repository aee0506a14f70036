"""Timing: medians of several runs, in milliseconds, as wall time and as this process's CPU time.

Wall time is what a user waits; CPU time (time.process_time) is what the work costs on a machine that other
jobs share, where wall time also counts the waits for a CPU. Both are medians of the same runs.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def median_wall_cpu_ms(fn: Callable[[], object], runs: int, *, warmup: int = 0) -> tuple[float, float]:
    """(median wall time, median CPU time) of `fn()` over `runs` calls, after `warmup` untimed calls."""
    for _ in range(warmup):
        fn()
    wall, cpu = [], []
    for _ in range(max(1, runs)):
        c0, t0 = time.process_time(), time.perf_counter()
        fn()
        wall.append((time.perf_counter() - t0) * 1e3)
        cpu.append((time.process_time() - c0) * 1e3)
    return statistics.median(wall), statistics.median(cpu)


def median_ms(fn: Callable[[], object], runs: int, *, warmup: int = 0) -> float:
    """Median wall time of `fn()` over `runs` calls, after `warmup` untimed calls."""
    return median_wall_cpu_ms(fn, runs, warmup=warmup)[0]


def median_of(samples_ms: list[float]) -> float:
    return statistics.median(samples_ms)

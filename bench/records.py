"""Benchmark records: {"op", "case", "metric", "value"}; a value is a number, a bool, or an "n/a (why)" string."""

from __future__ import annotations

import math
from typing import Any

from kernel_quality import QUALITY_METRICS

SOURCES = ("interp", "emu")  # ascendc-stage interpreter counters, emulator counters

COMPILE_METRICS = (
    "compile_cold_ms",
    "compile_warm_ms",
    "compile_warm_cpu_ms",
    "compile_warm_sources_ms",
    "pyasc_cold_ms",
    "pyasc_warm_ms",
    "cold_vs_pyasc",
    "warm_vs_pyasc",
)
SPEED_METRICS = (
    "numpy_ms",
    "interp_tile_ms",
    "interp_ascendc_ms",
    "emulator_ms",
    "interp_tile_vs_numpy",
    "interp_tile_vs_numpy_cpu",
    "interp_ascendc_vs_numpy",
    "emulator_vs_numpy",
    "exact_interp_tile",
    "exact_interp_ascendc",
    "exact_emulator",
)
QUALITY_RECORD_METRICS = (
    "gm_min_bytes",
    "model_a2_floor_us",
    *(f"{m}@{s}" for s in SOURCES for m in QUALITY_METRICS),
)
# The NsaCompressWithCache grid: cores that did DMA, and the work items (compressing batch x head).
GRID_METRICS = ("busy_cores@emu", "work_items")
ALL_METRICS = COMPILE_METRICS + SPEED_METRICS + QUALITY_RECORD_METRICS + GRID_METRICS


def clean(value: Any) -> Any:
    """Numbers to 4 significant digits (integers stay exact); NaN becomes n/a."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return value
    v = float(value)
    if math.isnan(v):
        return "n/a (undefined)"
    return float(f"{v:.4g}")


class Records:
    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []

    def add(self, op: str, case: str, metric: str, value: Any) -> None:
        assert metric in ALL_METRICS, metric
        self.items.append({"op": op, "case": case, "metric": metric, "value": clean(value)})

    def get(self, op: str, case: str, metric: str) -> Any:
        for r in self.items:
            if (r["op"], r["case"], r["metric"]) == (op, case, metric):
                return r["value"]
        return None

    def keys(self, metrics: tuple[str, ...]) -> list[tuple[str, str]]:
        """(op, case) pairs that have any of `metrics`, in first-seen order."""
        out: list[tuple[str, str]] = []
        for r in self.items:
            key = (r["op"], r["case"])
            if r["metric"] in metrics and key not in out:
                out.append(key)
        return out

"""The Markdown report (bench/RESULTS.md) built from the records, so that the tables and --json always agree."""

from __future__ import annotations

import functools
from typing import Any

import a2_model
from kernel_quality import QUALITY_METRICS
from polling import polling_table
from records import SOURCES, Records

_footnotes: dict[str, int] = {}  # n/a reason -> footnote number, for the report being built


def na(text: str) -> str:
    """An "n/a (reason)" value as a short cell; the reason goes to the footnotes under the tables."""
    reason = text[len("n/a (") : -1] if text.startswith("n/a (") and text.endswith(")") else text
    n = _footnotes.setdefault(reason, len(_footnotes) + 1)
    return f"n/a [{n}]"


def fmt(v: Any, unit: str = "") -> str:
    if v is None:
        return "—"
    if isinstance(v, bool):
        return "yes" if v else "**NO**"
    if isinstance(v, str):
        return na(v)
    if isinstance(v, int):
        return f"{v:,}{unit}"
    if abs(v) >= 100:
        return f"{v:,.0f}{unit}"
    return f"{v:.3g}{unit}"


def ratio(v: Any) -> str:
    return fmt(v, "×") if isinstance(v, int | float) and not isinstance(v, bool) else fmt(v)


def na_reason(values: list[Any]) -> str | None:
    """The reason when every value is the same n/a string."""
    if values and all(isinstance(v, str) for v in values) and len(set(values)) == 1:
        return values[0]
    return None


def compile_table(rec: Records) -> list[str]:
    lines = [
        "| kernel | cold, new process | warm, full project | (its CPU time) | warm, sources only | pyasc cold "
        "| pyasc warm | cold ÷ pyasc | warm ÷ pyasc |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for op, case in rec.keys(("compile_cold_ms",)):
        g = functools.partial(rec.get, op, case)
        lines.append(
            f"| {op} | {fmt(g('compile_cold_ms'), ' ms')} | {fmt(g('compile_warm_ms'), ' ms')} | "
            f"{fmt(g('compile_warm_cpu_ms'), ' ms')} | "
            f"{fmt(g('compile_warm_sources_ms'), ' ms')} | {fmt(g('pyasc_cold_ms'), ' ms')} | {fmt(g('pyasc_warm_ms'), ' ms')} | "
            f"{ratio(g('cold_vs_pyasc'))} | {ratio(g('warm_vs_pyasc'))} |"
        )
    return lines


def speed_table(rec: Records) -> list[str]:
    lines = [
        "| op | case | numpy (vectorized) | interp, tile stage | interp, ascendc stage | emulator | bit-exact vs numpy (tile / ascendc / emu) |",
        "|---|---|---:|---:|---:|---:|---|",
    ]
    for op, case in rec.keys(("numpy_ms", "interp_tile_vs_numpy")):
        g = functools.partial(rec.get, op, case)
        reason = na_reason([g("numpy_ms"), g("interp_tile_vs_numpy")])
        if reason:
            lines.append(f"| {op} | {case} | {na(reason)} | | | | |")
            continue

        def cell(ms: str, r: str, g: Any = g) -> str:
            if isinstance(g(ms), str):
                return na(g(ms))
            cpu = g(f"{r}_cpu")
            in_cpu = f"; CPU time {ratio(cpu)}" if cpu is not None else ""
            return f"{fmt(g(ms), ' ms')} ({ratio(g(r))}{in_cpu})"

        exact = " / ".join(
            fmt(g(m)) if not isinstance(g(m), str) else "n/a"
            for m in ("exact_interp_tile", "exact_interp_ascendc", "exact_emulator")
        )
        lines.append(
            f"| {op} | {case} | {fmt(g('numpy_ms'), ' ms')} | {cell('interp_tile_ms', 'interp_tile_vs_numpy')} | "
            f"{cell('interp_ascendc_ms', 'interp_ascendc_vs_numpy')} | {cell('emulator_ms', 'emulator_vs_numpy')} | {exact} |"
        )
    return lines


QUALITY_COLUMNS = (
    ("gm_bytes", "GM bytes", ""),
    ("gm_vs_min", "GM ÷ min", "×"),
    ("dma_count", "DMAs", ""),
    ("mean_dma_bytes", "mean DMA", " B"),
    ("scalar_gm_ops", "scalar GM ops", ""),
    ("core_balance", "balance", "×"),
    ("cores_launched", "cores launched", ""),
    ("cores_used", "cores used", ""),
    ("ub_bytes_per_core", "UB / core", " B"),
    ("model_a2_us", "model A2", " µs"),
)
# Ratios a target is set on, shown with enough digits to tell 1.0004 from 1.02.
FIXED_DIGITS = {"gm_vs_min": 4, "core_balance": 3}
assert {m for m, _, _ in QUALITY_COLUMNS} == set(QUALITY_METRICS)


def quality_table(rec: Records) -> list[str]:
    head = (
        "| op | case | counters | min GM bytes | " + " | ".join(t for _, t, _ in QUALITY_COLUMNS) + " | model floor |"
    )
    lines = [head, "|---|---|---|" + "---:|" * (len(QUALITY_COLUMNS) + 2)]
    for op, case in rec.keys(("gm_min_bytes",)):
        g = functools.partial(rec.get, op, case)
        reason = na_reason([g("gm_min_bytes"), *(g(f"{m}@{s}") for s in SOURCES for m in QUALITY_METRICS)])
        if reason:
            lines.append(f"| {op} | {case} | {na(reason)} |" + " |" * (len(QUALITY_COLUMNS) + 2))
            continue
        for s in SOURCES:
            label = {"interp": "ascendc-stage interpreter", "emu": "emulator"}[s]
            vals = [g(f"{m}@{s}") for m, _, _ in QUALITY_COLUMNS]
            src_reason = na_reason(vals)
            if src_reason:
                cells = [na(src_reason)] + [""] * (len(QUALITY_COLUMNS) - 1)
            else:
                cells = [
                    f"{v:.{FIXED_DIGITS[m]}f}{unit}" if m in FIXED_DIGITS and isinstance(v, float) else fmt(v, unit)
                    for v, (m, _, unit) in zip(vals, QUALITY_COLUMNS, strict=True)
                ]
            lines.append(
                f"| {op} | {case} | {label} | {fmt(g('gm_min_bytes'))} | "
                + " | ".join(cells)
                + f" | {fmt(g('model_a2_floor_us'), ' µs')} |"
            )
    return lines


def markdown(rec: Records, meta: dict[str, Any]) -> str:
    _footnotes.clear()
    tables = (compile_table(rec), speed_table(rec), quality_table(rec), polling_table(rec))
    notes = [f"[{n}] {reason}" for reason, n in _footnotes.items()]
    out = [
        "# ascdsl benchmarks: latest results",
        "",
        "Produced by:",
        "",
        f"    {meta['command']}",
        "",
        f"{meta['when']} · {meta['machine']} · {meta['versions']} · mode: {meta['mode']}",
        "",
        f"Load average (1 min) at start and end: {meta['load']} on {meta['cpus']} CPUs. {meta['load_note']}",
        "",
        "Ratios are taken within this one run. What each figure means, and what to compare it with: bench/README.md.",
        "",
        "## 1. Compile latency (median)",
        "",
        'DSL source to the full CANN project on disk (op_host, op_kernel, CMake, msopgen JSON); "sources only" stops at',
        "the kernel, tiling and host C++ strings. pyasc compiles the same vector add from Python to Ascend C kernel source",
        "(its codegen, MLIR passes and translation; no bisheng, no CANN); ratios are ascdsl ÷ pyasc.",
        "",
        *tables[0],
        "",
        *(f"- {n}" for n in meta["compile_notes"]),
        "",
        "## 2. CPU reference speed (median wall time; × = ratio to the vectorized numpy implementation)",
        "",
        *tables[1],
        "",
        *(f"- {n}" for n in meta["speed_notes"]),
        "",
        "## 3. Generated-kernel quality (per-core counters of one launch)",
        "",
        *tables[2],
        "",
        "Minimum GM traffic, per operator:",
        "",
        *(f"- {op}: {formula}" for op, formula in meta["formulas"].items()),
        "",
        f'Model (labelled "model A2"; an estimate, not a measurement): {a2_model.CONSTANTS_TEXT} "model floor" is the',
        "minimum traffic at the full bandwidth with no DMA cost.",
        "",
        *(f"- {n}" for n in meta["quality_notes"]),
        "",
        "## 4. Polling: GM reads per poll iteration (InplaceAttentionWorkerScheduler)",
        "",
        "One poll iteration reads the polled micro-batch's F int32 flags and run_flag. Measured as the reads of a launch",
        "whose flags are ready on entry (one iteration) minus those of a launch with run_flag 0 (none). The baseline is",
        "the same kernel reading the flags one volatile scalar at a time (bench/polling.py).",
        "",
        *tables[3],
        "",
        "## n/a: why",
        "",
        *(f"- {n}" for n in notes),
        "",
        "## Issue 5 targets",
        "",
        "| target | measured | met |",
        "|---|---:|---|",
        *(f"| {t} | {m} | {ok} |" for t, m, ok in meta["targets"]),
        "",
    ]
    return "\n".join(out)

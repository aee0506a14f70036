"""bench/run.py --quick --json runs end to end and reports every metric as well-formed records."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

# Every metric the bench reports (bench/records.py), written out here so that dropping one fails the test.
COMPILE = [
    "compile_cold_ms",
    "compile_warm_ms",
    "compile_warm_cpu_ms",
    "compile_warm_sources_ms",
    "pyasc_cold_ms",
    "pyasc_warm_ms",
    "cold_vs_pyasc",
    "warm_vs_pyasc",
]
SPEED = [
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
]
QUALITY = [
    "gm_bytes",
    "gm_vs_min",
    "dma_count",
    "mean_dma_bytes",
    "scalar_gm_ops",
    "core_balance",
    "cores_launched",
    "cores_used",
    "ub_bytes_per_core",
    "model_a2_us",
]
METRICS = {
    *COMPILE,
    *SPEED,
    "gm_min_bytes",
    "model_a2_floor_us",
    *(f"{m}@{s}" for m in QUALITY for s in ("interp", "emu")),
    *(
        f"{m}@{s}"
        for m in (
            "poll_gm_reads_per_iter",
            "poll_dma_reads_per_iter",
            "poll_scalar_reads_per_iter",
            "poll_read_bytes_per_iter",
            "scalar_poll_gm_reads_per_iter",
        )
        for s in ("interp", "emu")
    ),
}


def test_quick_json_records() -> None:
    # About 15 s once the emulator's g++ objects are cached; the first run on a machine also builds them.
    proc = subprocess.run(
        [sys.executable, str(REPO / "bench" / "run.py"), "--quick", "--json"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    records = json.loads(proc.stdout)
    assert isinstance(records, list) and records
    for r in records:
        assert set(r) == {"op", "case", "metric", "value"}, r
        assert isinstance(r["op"], str) and r["op"] and isinstance(r["case"], str) and r["case"], r
        v = r["value"]
        assert isinstance(v, bool | int | float) or (
            isinstance(v, str) and v.startswith("n/a (") and v.endswith(")")
        ), r
    seen = {r["metric"] for r in records}
    assert seen == METRICS, f"missing {sorted(METRICS - seen)}, unexpected {sorted(seen - METRICS)}"
    keys = [(r["op"], r["case"], r["metric"]) for r in records]
    assert len(keys) == len(set(keys)), "a metric is reported twice for one op and case"

    by = {(r["op"], r["metric"]): r["value"] for r in records}
    assert isinstance(by[("vadd", "compile_cold_ms")], float)
    for op in ("vadd", "gather_pa_kv_cache"):
        # What needs no optional tool is always measured, and the CPU runs agree with numpy bit for bit.
        for m in (
            "compile_warm_ms",
            "numpy_ms",
            "interp_tile_ms",
            "interp_ascendc_ms",
            "gm_vs_min@interp",
        ):
            assert isinstance(by[(op, m)], float | int) and by[(op, m)] > 0, (op, m, by[(op, m)])
        assert by[(op, "exact_interp_tile")] is True
        assert by[(op, "exact_interp_ascendc")] is True
        assert by[(op, "gm_vs_min@interp")] >= 1.0  # nothing moves less than the minimum
        if by[(op, "exact_emulator")] is not True:
            assert str(by[(op, "exact_emulator")]).startswith("n/a ("), by[(op, "exact_emulator")]
    assert isinstance(by[("nsa_compress_with_cache", "interp_tile_ms")], float)  # the quick NsaCompressWithCache case ran
    assert by[("nsa_compress_with_cache", "exact_interp_ascendc")] is True

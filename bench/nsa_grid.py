"""The NsaCompressWithCache grid of issue 7 (B = 4, N x D x cbs), measured on the emulator only.

Each case runs the printed kernel once (the project is compiled once, for all shapes) and records its output's
agreement with the numpy reference and the kernel-quality counters; the targets are GM traffic ≤ 1.10× the
minimum, UB ≤ 184 KiB per core and at least min(work items, AIV cores) cores doing DMA.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import emulator_probe
import numpy as np
import records as R
from ascdsl.lowering.compile import compile_project, compile_sources
from cases import same_bits
from kernel_quality import quality
from kernels import NSA
from nsa_cases import nsa_grid, work_items
from runners import TARGET, EmulatorRunner

UB_LIMIT = 184 * 1024


def bench_nsa_grid(rec: R.Records, emu: emulator_probe.EmulatorStatus, workdir: Path, log: Any) -> list[str]:
    """Run the grid; returns one note line (or why it was not measured)."""
    if not emu.available:
        return [f"NsaCompressWithCache grid: {emu.na()}"]
    kernel = NSA.load()
    project = workdir / "nsa_grid"
    compile_project(kernel, project)
    runner = EmulatorRunner(emu.run_project, project, compile_sources(kernel).sig.spec)  # type: ignore[arg-type]
    for case in nsa_grid():
        log(f"{case.op} {case.label}: emulator")
        args = case.fresh_args()
        runner(args)
        assert runner.last is not None
        expected = case.expected()
        rec.add(case.op, case.label, "exact_emulator", same_bits(args["output_cache"], expected["output_cache"]))
        rec.add(case.op, case.label, "gm_min_bytes", case.min_gm_bytes)
        for m, v in quality(runner.last, case.min_gm_bytes).items():
            rec.add(case.op, case.label, f"{m}@emu", v)
        busy = sum(1 for c in runner.last.cores if c.dma_count > 0)
        rec.add(case.op, case.label, "busy_cores@emu", busy)
        rec.add(case.op, case.label, "work_items", work_items(case))
    return []


def grid_targets(rec: R.Records) -> list[tuple[str, str, str]]:
    cases = nsa_grid()
    get = rec.get
    op = cases[0].op
    gm = [get(op, c.label, "gm_vs_min@emu") for c in cases]
    if any(not isinstance(v, float) for v in gm):
        return [("NsaCompressWithCache grid (48 shapes)", "not measured", "not measured")]
    ub = [get(op, c.label, "ub_bytes_per_core@emu") for c in cases]
    short = [c.label for c in cases
             if get(op, c.label, "busy_cores@emu") < min(get(op, c.label, "work_items"), TARGET.aiv_cores)]
    exact = [c.label for c in cases if not get(op, c.label, "exact_emulator")]
    worst = cases[int(np.argmax(gm))].label
    return [
        ("NsaCompressWithCache grid (48 shapes): GM traffic ≤ 1.10× the minimum (emulator)", f"max {max(gm):.4f} ({worst})",
         "yes" if max(gm) <= 1.10 else "**no**"),
        ("… UB ≤ 184 KiB per core (emulator)", f"max {max(ub):,} B", "yes" if max(ub) <= UB_LIMIT else "**no**"),
        ("… cores doing DMA ≥ min(work items, AIV cores) (emulator)", "every case" if not short else f"short: {', '.join(short)}",
         "yes" if not short else "**no**"),
        ("… output equal to the numpy reference (emulator)", "every case" if not exact else f"differs: {', '.join(exact)}",
         "yes" if not exact else "**no**"),
    ]

"""Compile latency of ascdsl: DSL source to the full CANN project on disk.

cold: a new `python -c` process that imports ascdsl and compiles (the wall time of the whole process, bytecode
cache warm);
warm: in this process, a fresh Kernel from the same source each time (parse, IR, passes, printers, files).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ascdsl.lowering.compile import compile_project, compile_sources
from kernels import KernelRef, fresh
from timing import median_ms, median_of, median_wall_cpu_ms

COLD_SNIPPET = """\
import sys, tempfile
from pathlib import Path
from ascdsl.cli import pick_kernel
from ascdsl.lowering.compile import compile_project
with tempfile.TemporaryDirectory() as out:
    compile_project(pick_kernel(sys.argv[1]), Path(out))
"""


def cold_env(pycache: Path) -> dict[str, str]:
    """The environment of a cold process: Python's bytecode cache on (in `pycache`), as a user's install has it,
    even where this shell disables it (PYTHONDONTWRITEBYTECODE)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(pycache)
    return env


def timed_processes(cmd: list[str], runs: int, env: dict[str, str], what: str, *, warmup: bool) -> float:
    """Median wall time of `cmd` as a new process; with `warmup`, after one untimed run that fills the bytecode cache."""
    samples = []
    first = 0 if warmup else 1
    for i in range(first, max(1, runs) + 1):
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
        elapsed = (time.perf_counter() - t0) * 1e3
        if proc.returncode != 0:
            raise RuntimeError(f"{what} failed:\n{proc.stderr[-2000:]}")
        if i:
            samples.append(elapsed)
    return median_of(samples)


def cold_ms(ref: KernelRef, runs: int, pycache: Path, *, warmup: bool = True) -> float:
    cmd = [sys.executable, "-c", COLD_SNIPPET, ref.cli_target]
    return timed_processes(cmd, runs, cold_env(pycache), f"cold compile of {ref.op}", warmup=warmup)


def warm_ms(ref: KernelRef, runs: int, *, warmup: bool = True) -> tuple[float, float, float]:
    """Medians: (full project wall, full project CPU time, kernel sources only wall); with `warmup`, one untimed
    run first loads the lazily imported modules."""
    k = ref.load()
    with tempfile.TemporaryDirectory(prefix="ascdsl-bench-") as tmp:
        out = Path(tmp)
        counter = iter(range(1_000_000))

        def project() -> None:
            compile_project(fresh(k), out / str(next(counter)))

        full, full_cpu = median_wall_cpu_ms(project, runs, warmup=int(warmup))
    sources = median_ms(lambda: compile_sources(fresh(k)), runs, warmup=int(warmup))
    return full, full_cpu, sources

"""The main job: compile every operator and example to a CANN project and check each on the CPU.

For each kernel: the project is written under the build directory; the kernel runs at every pipeline stage on
generated inputs and must agree with its tile stage; each operator's documented examples run on every
backend this machine has and must give the results their docs state.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
import time
from pathlib import Path

import numpy as np

from ascdsl.checking import compare_stages, generate_args
from ascdsl.errors import AscdslError
from ascdsl.kernel import Kernel

CASES_PER_KERNEL = 3


def operator_kernels() -> list[Kernel]:
    import ascdsl.ops as ops

    found: list[Kernel] = []
    for info in pkgutil.iter_modules(ops.__path__):
        module = importlib.import_module(f"ascdsl.ops.{info.name}")
        found += [v for v in vars(module).values() if isinstance(v, Kernel) and v not in found]
    return found


def example_kernels(root: Path = Path("examples")) -> list[Kernel]:
    from ascdsl.cli import load_kernels

    if not root.is_dir():
        return []
    out: list[Kernel] = []
    for file in sorted(root.glob("*.py")):
        out += list(load_kernels(str(file)).values())
    return out


def check_file(label: str, k: Kernel, build_dir: Path | None = None) -> bool:
    start = time.perf_counter()
    try:
        if build_dir is not None:
            from ascdsl.lowering.compile import compile_project

            compile_project(k, build_dir / k.name)
        cases = 0
        module = sys.modules.get(k.globals.get("__name__", ""))
        provided = getattr(module, "example_calls", None)
        rng = np.random.default_rng(0)
        candidates = provided(k, rng) if callable(provided) else generate_args(k, rng)
        for args in candidates:
            mismatch = compare_stages(k, args)
            if mismatch is not None:
                print(f"FAIL  {label}: {mismatch}")
                return False
            cases += 1
            if cases >= CASES_PER_KERNEL:
                break
        if cases == 0:
            print(f"FAIL  {label}: no generated input passed the kernel's checks")
            return False
    except AscdslError as exc:
        print(f"FAIL  {label}: {exc}")
        return False
    where = f", project in {build_dir / k.name}" if build_dir is not None else ""
    print(f"PASS  {label}: every stage agrees on {cases} generated cases{where} ({time.perf_counter() - start:.1f}s)")
    return True


def check_everything(build_dir: Path) -> bool:
    from ascdsl.ops.examples import check_all

    ok = True
    for k in operator_kernels() + example_kernels():
        ok &= check_file(f"{k.name} ({Path(k.filename).name})", k, build_dir)
    ok &= check_all(verbose=True)
    print("main job: all checks passed" if ok else "main job: some checks FAILED")
    return ok

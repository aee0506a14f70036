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
from ascdsl.operator import Operator

CASES_PER_KERNEL = 3


def operator_units() -> list[Kernel | Operator]:
    """The operators of ascdsl.ops: multi-kernel operators, and kernels that belong to none."""
    import ascdsl.ops as ops

    found: list[Kernel | Operator] = []
    for info in pkgutil.iter_modules(ops.__path__):
        module = importlib.import_module(f"ascdsl.ops.{info.name}")
        units = [v for v in vars(module).values() if isinstance(v, Kernel | Operator)]
        owned = {id(k) for u in units if isinstance(u, Operator) for _, k in u.kernels}
        found += [u for u in units if not (isinstance(u, Kernel) and id(u) in owned) and u not in found]
    return found


def example_kernels(root: Path = Path("examples")) -> list[Kernel]:
    from ascdsl.cli import load_kernels

    if not root.is_dir():
        return []
    out: list[Kernel] = []
    for file in sorted(root.glob("*.py")):
        out += list(load_kernels(str(file)).values())
    return out


def check_unit(unit: Kernel | Operator, build_dir: Path | None) -> bool:
    """Compile an operator (all its kernels into one project) and check each kernel at every stage."""
    if isinstance(unit, Kernel):
        return check_file(f"{unit.name} ({Path(unit.filename).name})", unit, build_dir)
    label = f"operator {unit.op_type}"
    try:
        if build_dir is not None:
            from ascdsl.lowering.compile import compile_project

            compile_project(unit, build_dir / unit.op_type)
            print(f"PASS  {label}: one project with {len(unit.kernels)} tiling keys in {build_dir / unit.op_type}")
    except AscdslError as exc:
        print(f"FAIL  {label}: {exc}")
        return False
    ok = True
    for when, k in unit.kernels:
        ok &= check_file(f"{k.name} ({unit.select}={when})", k, None)
    return ok


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
        memory_of = getattr(module, "example_memory", None)  # kernels that follow device addresses
        memory = memory_of() if callable(memory_of) else None
        for args in candidates:
            mismatch = compare_stages(k, args, memory=memory)
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
    for unit in operator_units() + example_kernels():
        ok &= check_unit(unit, build_dir)
    ok &= check_all(verbose=True)
    print("main job: all checks passed" if ok else "main job: some checks FAILED")
    return ok

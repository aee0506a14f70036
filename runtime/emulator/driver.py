"""Run a printed CANN op project on the CPU emulator.

`run_project` compiles op_host/*.cpp and op_kernel/<kernel>.cpp with g++ against the emulator headers
(cached), runs the registered tiling function on the tensors' shapes, dtypes and the attributes, runs the
kernel on every core (one thread each), writes the results into the out/inout arrays in place, and returns
the launch parameters with per-core counters. A broken hardware rule, a failing tiling function or a hang
raises `DeviceRuntimeError` with the emulator's message; a compile error raises `EmuCompileError`.
"""

from __future__ import annotations

import subprocess
import tempfile
import threading
from pathlib import Path

import numpy as np
from ascdsl.lowering.opspec import OpSpec
from ascdsl.runtime.device_memory import DeviceMemory
from ascdsl.runtime.emulator.build import build_project
from ascdsl.runtime.emulator.report import EmuReport, parse_report
from ascdsl.runtime.emulator.run_dir import BoundTensor, bind_tensors, encode_attrs, read_outputs, write_run_dir

from ascdsl import dtypes
from ascdsl.errors import AscdslError, DeviceRuntimeError, KernelTimeout

_BUILD_LOCK = threading.Lock()

# The binary runs its own watchdog at `timeout`; this margin only catches a binary that ignores it.
_KILL_MARGIN_S = 30.0


def combination(op: OpSpec, bound: list[BoundTensor]) -> int:
    """The OpSpec dtype combination the arrays match; checked before compiling, since the kernel is compiled
    for one combination (its DTYPE_* macros) and a mismatch would only show up as a g++ error."""
    for j in range(op.combinations):
        if all(b.dtype is None or b.param.dtypes[j] == b.dtype.name for b in bound):
            return j
    call = ", ".join(f"{b.param.name}={b.dtype.name if b.dtype else 'absent'}" for b in bound)
    supported = "; ".join(", ".join(t.dtypes[j] for t in op.tensors) for j in range(op.combinations))
    raise AscdslError(f"{op.op_type}: no dtype combination matches {call} (supported, in tensor order: {supported})")


def dtype_defines(op: OpSpec, bound: list[BoundTensor], column: int) -> list[str]:
    """-DDTYPE_<NAME>=<C type> per tensor, as the CANN op compiler passes them (inout tensors get _REF).

    An absent optional input takes its dtype from the matched combination.
    """
    out = []
    for b in bound:
        name = b.dtype.name if b.dtype is not None else b.param.dtypes[column]
        suffix = "_REF" if b.param.role == "inout" else ""
        out.append(f"-DDTYPE_{b.param.name.upper()}{suffix}={dtypes.BY_NAME[name].ascendc}")
    return out


def run_project(
    project_dir: Path,
    op: OpSpec,
    tensors: dict[str, np.ndarray | None],
    attrs: dict[str, object],
    *,
    soc: str = "ascend910b",
    core_num: int = 40,
    ub_bytes: int = 196352,
    timeout: float = 60.0,
    memory: DeviceMemory | None = None,
    comm_line: str | None = None,
) -> EmuReport:
    project_dir = Path(project_dir)
    # Caller mistakes first: they need no compiler.
    bound = bind_tensors(op, tensors)
    attr_lines = encode_attrs(op, attrs)
    defines = dtype_defines(op, bound, combination(op, bound))
    argc = len(op.inputs) + len(op.outputs) + 2
    with _BUILD_LOCK:  # ranks of a communication domain run from threads: one build, then all use it
        build = build_project(project_dir, op.kernel_name, defines, argc)
    with tempfile.TemporaryDirectory(prefix="ascdsl-emu-") as tmp:
        run_dir = Path(tmp)
        extra = [comm_line] if comm_line else []
        write_run_dir(run_dir, op, bound, attr_lines + extra, soc=soc, core_num=core_num, ub_bytes=ub_bytes, timeout=timeout, memory=memory)
        try:
            proc = subprocess.run(
                [str(build.binary), str(run_dir)],
                capture_output=True,
                text=True,
                timeout=timeout + _KILL_MARGIN_S,
                check=False,
            )
        except subprocess.TimeoutExpired as e:
            raise DeviceRuntimeError(
                f"{op.op_type}: the emulator did not finish within {timeout} s and was killed"
            ) from e
        error_file = run_dir / "error.txt"
        if proc.returncode == 3 and error_file.is_file():
            raise KernelTimeout(f"{op.op_type}: {error_file.read_text()}")
        if proc.returncode in (2, 3) and error_file.is_file():
            raise DeviceRuntimeError(f"{op.op_type}: {error_file.read_text()}")
        if proc.returncode != 0:
            tail = "\n".join(proc.stderr.strip().splitlines()[-5:])
            raise DeviceRuntimeError(f"{op.op_type}: the emulator exited with status {proc.returncode}: {tail}")
        read_outputs(run_dir, bound, memory)
        return parse_report((run_dir / "report.txt").read_text(), compiled=build.compiled, stdout=proc.stdout)

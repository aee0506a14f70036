"""Running kernels: the CPU interpreter today; the Ascend C emulator and the NPU launcher are backends too."""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from typing import Any

from ascdsl.runtime.device_memory import DeviceMemory
from ascdsl.runtime.interpreter.engine import Budget
from ascdsl.runtime.interpreter.engine import run as interpret

from ascdsl.errors import AscdslError, BackendUnavailableError
from ascdsl.kernel import Kernel
from ascdsl.operator import Operator
from ascdsl.pipeline import lower

BACKENDS = ("interp", "emu", "npu")


def run(
    kernel: Kernel | Operator,
    args: Mapping[str, Any],
    *,
    backend: str = "interp",
    budget: Budget | None = None,
    stage: str = "tile",
    memory: DeviceMemory | None = None,
    timeout: float | None = None,
) -> Any:
    """Run `kernel` on `args` (parameter name -> numpy array, host list or attribute value).

    Out and InOut tensors are updated in place when the whole run succeeds; an invalid call raises
    `AclnnError` with the aclnn status code before anything is written. `stage` picks the pipeline stage the
    interpreter runs (ascdsl.pipeline.STAGES); every stage gives the same results.

    `memory` is the device address space that addresses read by the kernel (`gm_tensor`) point into; tensors
    may be views of it (`memory.array(...)`), which another thread may change while the kernel runs.
    `timeout` (seconds) bounds the run: `KernelTimeout` when it expires, with nothing written.

    Returns what the backend measured: the interpreter's launch (block dim, tiling fields and, at the ascendc
    stages, per-core counters) or the emulator's report (per-core GM bytes, DMA sizes, UB use).
    """
    if backend == "interp":
        if isinstance(kernel, Operator):
            kernel = kernel.kernel_for(args)
        module = kernel.ir if stage == "tile" else lower(kernel.ir, stage)
        if timeout is not None:
            budget = Budget(max_ops=budget.max_ops if budget else None, timeout=timeout)
        return interpret(module, args, budget=budget, memory=memory)
    if backend == "emu":
        if shutil.which("g++") is None:
            raise BackendUnavailableError("backend 'emu' compiles the printed Ascend C with g++, which was not found")
        from ascdsl.runtime.emu_backend import run_emu

        return run_emu(kernel, args, memory=memory, timeout=60.0 if timeout is None else timeout)
    if backend == "npu":
        missing = "an Ascend NPU and the CANN toolkit (ASCEND_HOME_PATH, bisheng)"
        if shutil.which("bisheng") is None:
            raise BackendUnavailableError(f"backend 'npu' needs {missing}; neither was found on this machine")
        raise BackendUnavailableError("backend 'npu' is not implemented in this version of ascdsl")
    raise AscdslError(f"unknown backend {backend!r}; choose one of {', '.join(BACKENDS)}")


__all__ = ["BACKENDS", "Budget", "DeviceMemory", "run"]

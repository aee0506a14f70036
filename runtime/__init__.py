"""Running kernels: the CPU interpreter today; the Ascend C emulator and the NPU launcher are backends too."""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from typing import Any

from ascdsl.runtime.comm_domain import CommDomain
from ascdsl.runtime.device_memory import DeviceMemory
from ascdsl.runtime.interpreter.comm_impls import CommLink
from ascdsl.runtime.interpreter.engine import Budget, check_call
from ascdsl.runtime.interpreter.engine import run as interpret

from ascdsl.dialects import tile_ops as t
from ascdsl.dialects.comm import comm_groups
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
    rank: int | None = None,
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
        link = _comm_link(kernel, args, rank)
        module = kernel.ir if stage == "tile" else lower(kernel.ir, stage)
        if timeout is not None:
            budget = Budget(max_ops=budget.max_ops if budget else None, timeout=timeout)
        return interpret(module, args, budget=budget, memory=memory, comm=link)
    if backend == "emu":
        if shutil.which("g++") is None:
            raise BackendUnavailableError("backend 'emu' compiles the printed Ascend C with g++, which was not found")
        from ascdsl.runtime.emu_backend import run_emu

        link = _comm_link(kernel.kernel_for(args) if isinstance(kernel, Operator) else kernel, args, rank)
        if timeout is None:
            timeout = budget.timeout if budget is not None and budget.timeout is not None else 60.0
        return run_emu(kernel, args, memory=memory, comm=link, timeout=timeout)
    if backend == "npu":
        missing = "an Ascend NPU and the CANN toolkit (ASCEND_HOME_PATH, bisheng)"
        if shutil.which("bisheng") is None:
            raise BackendUnavailableError(f"backend 'npu' needs {missing}; neither was found on this machine")
        raise BackendUnavailableError("backend 'npu' is not implemented in this version of ascdsl")
    raise AscdslError(f"unknown backend {backend!r}; choose one of {', '.join(BACKENDS)}")


def _comm_link(kernel: Kernel, args: Mapping[str, Any], rank: int | None) -> CommLink | None:
    """The domain and rank a communicating kernel runs in; the call's own checks come first (check_call)."""
    kernel_op = next(op for op in kernel.ir.ops if isinstance(op, t.KernelOp))
    groups = comm_groups(kernel_op)
    if not groups:
        return None
    check_call(kernel_op, args)  # an invalid call fails with its aclnn code before any domain is looked up
    if len(groups) > 1:
        raise AscdslError(f"kernel {kernel.name} uses several communicators ({', '.join(groups)}); one is supported")
    if rank is None:
        raise AscdslError(f"kernel {kernel.name} communicates (through '{groups[0]}'): pass rank=... to run it as one rank")
    domain = CommDomain.find(args[groups[0]])
    if not isinstance(rank, int) or not 0 <= rank < domain.world_size:
        raise AscdslError(f"rank {rank!r} is outside the communication domain '{domain.name}' (world size {domain.world_size})")
    return CommLink(domain, rank)


__all__ = ["BACKENDS", "Budget", "CommDomain", "DeviceMemory", "run"]

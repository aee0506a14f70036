"""Running a `tile` kernel on the CPU with xDSL's interpreter and our numpy function tables.

A run has two phases, as on the device: the host phase evaluates the top-level ops that depend only on
shapes, dtypes and attributes (the `require` checks among them) and fails before any output is touched;
the device phase runs the rest. Outputs are written to working copies and copied back only when the
whole kernel succeeded, so a failing run leaves the caller's arrays as they were.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from ascdsl.runtime.binding import Bound, bind
from ascdsl.runtime.interpreter import write_behind
from ascdsl.runtime.interpreter.ascendc_impls import AscendCFunctions, UnifiedBuffer
from ascdsl.runtime.interpreter.comm_impls import CommFunctions, CommLink
from ascdsl.runtime.interpreter.launch_impls import LaunchFunctions
from ascdsl.runtime.interpreter.memory_impls import MemoryFunctions
from ascdsl.runtime.interpreter.scalar_impls import ScalarFunctions
from ascdsl.runtime.interpreter.tile_impls import KernelEnv, TileFunctions, rollback
from xdsl.dialects.builtin import ModuleOp
from xdsl.interpreter import Interpreter, PythonValues
from xdsl.interpreters.scf import ScfFunctions
from xdsl.ir import Block, Operation
from xdsl.traits import IsTerminator

from ascdsl.analysis.host_values import is_host_op
from ascdsl.dialects import host
from ascdsl.dialects import tile_ops as t
from ascdsl.dialects.comm import has_core_barrier
from ascdsl.errors import AscdslError, DeviceRuntimeError, KernelTimeout
from ascdsl.frontend.irgen import span_of_location
from ascdsl.targets import Target, get_target


@dataclass
class Budget:
    """Limits of one interpreter run, so that no CPU run hangs: operations executed and wall time."""

    max_ops: int | None = None
    timeout: float | None = None


class _Watch(Interpreter.Listener):
    """Counts ops, enforces the budget, and remembers the current op to locate errors."""

    def __init__(self, budget: Budget) -> None:
        self.budget = budget
        self.count = 0
        self.current: Operation | None = None
        self.deadline = None if budget.timeout is None else time.monotonic() + budget.timeout

    def will_interpret_op(self, op: Operation, args: PythonValues) -> None:
        self.current = op
        self.count += 1
        if self.budget.max_ops is not None and self.count > self.budget.max_ops:
            raise DeviceRuntimeError(f"the kernel ran more than {self.budget.max_ops} operations (the step budget)")
        # Checked every 64 ops: a polling loop runs a few dozen ops per iteration, so every iteration or two.
        if self.deadline is not None and self.count % 64 == 0 and time.monotonic() > self.deadline:
            raise KernelTimeout(f"the kernel ran longer than {self.budget.timeout} s (the time budget)")


def find_kernel(module: ModuleOp, name: str | None = None) -> t.KernelOp:
    kernels = [op for op in module.ops if isinstance(op, t.KernelOp)]
    if name is not None:
        kernels = [k for k in kernels if k.sym_name.data == name]
    if len(kernels) != 1:
        have = ", ".join(k.sym_name.data for k in module.ops if isinstance(k, t.KernelOp))
        raise AscdslError(f"no single kernel {name or ''} in the module (it has: {have or 'none'})")
    return kernels[0]


def _run_ops(interp: Interpreter, ops: list[Operation]) -> None:
    for op in ops:
        results = interp.run_op(op, interp.get_values(op.operands))
        interp.set_values(zip(op.results, results, strict=True))


def _interpreter(module: ModuleOp, env: KernelEnv, watch: _Watch) -> Interpreter:
    interp = Interpreter(module, listeners=(watch,))
    interp.kenv = env  # type: ignore[attr-defined]
    for functions in (
        ScalarFunctions(), ScfFunctions(), TileFunctions(), LaunchFunctions(), AscendCFunctions(), MemoryFunctions(), CommFunctions()
    ):
        interp.register_implementations(functions)
    return interp


def _run_block(interp: Interpreter, watch: _Watch, block: Block, values: list[Any], *, host_first: bool) -> None:
    """Run a kernel or tiling-function body; with `host_first`, its host-known ops (the checks) go first."""
    interp.push_scope("body")
    interp.set_values(zip(block.args, values, strict=True))
    body = [op for op in block.ops if not op.has_trait(IsTerminator)]
    host_ops = [op for op in body if is_host_op(op)] if host_first else []
    try:
        # The vector unit computes IEEE results (inf, NaN) silently: numpy's floating-point warnings would only be
        # noise, and under `-W error` they would even fail a valid kernel.
        with np.errstate(all="ignore"):
            _run_ops(interp, host_ops)
            _run_ops(interp, [op for op in body if op not in host_ops])
    except DeviceRuntimeError as exc:
        if exc.span is None and watch.current is not None:
            raise type(exc)(exc.message, span_of_location(watch.current.location)) from None
        raise
    except AscdslError:
        raise
    except Exception as exc:  # a numpy or interpreter failure inside an op: report it at the DSL line
        span = span_of_location(watch.current.location) if watch.current is not None else None
        raise DeviceRuntimeError(f"{type(exc).__name__}: {exc}", span) from exc
    finally:
        interp.pop_scope()


def find_tiling_func(module: ModuleOp, name: str) -> host.TilingFuncOp | None:
    return next((f for f in module.ops if isinstance(f, host.TilingFuncOp) and f.kernel.data == name), None)


def launch(
    kernel: t.KernelOp, bound: Bound, *, budget: Budget | None = None, target: Target | None = None, comm: CommLink | None = None,
    memory: Any = None,
) -> KernelEnv:
    """Run the tiling function (if the kernel has been split), then the kernel once per core of the launch.

    Cores run one after another, unless the kernel has a core barrier (SyncAll): then they run concurrently,
    one thread each, meeting at the barrier; every wait is bounded."""
    module = kernel.parent_op()
    assert isinstance(module, ModuleOp)
    tgt = target or get_target()
    env = KernelEnv(dtype_env=bound.dtype_env, core_num=tgt.aiv_cores, ub_budget=tgt.ub_budget, comm=comm, memory=memory)
    if comm is None and memory is None:  # nobody else touches memory during the run (write_behind.py)
        env.behind = write_behind.plan(kernel, bound.values)
    watch = _Watch(budget or Budget())
    interp = _interpreter(module, env, watch)
    func = find_tiling_func(module, kernel.sym_name.data)
    if func is not None:
        _run_block(interp, watch, func.body.block, bound.values, host_first=False)
    try:
        if has_core_barrier(kernel) and env.block_dim > 1:
            _run_cores_concurrently(module, kernel, env, bound, budget or Budget(), tgt, host_first=func is None)
        else:
            for core in range(env.block_dim):
                env.block_idx = core
                env.ub = UnifiedBuffer(tgt.ub_budget)
                _run_block(interp, watch, kernel.body.block, bound.values, host_first=func is None)
                env.ub.check_released()
                env.counters.append(env.ub.counters)
    except BaseException:
        rollback(env)  # a failed run leaves the caller's arrays as they were
        raise
    env.behind.commit()
    env.journal.clear()
    return env


def _run_cores_concurrently(
    module: ModuleOp, kernel: t.KernelOp, env: KernelEnv, bound: Bound, budget: Budget, tgt: Target, *, host_first: bool
) -> None:
    """One thread per core, each with its own interpreter and UB; GM, the tiling data and the journal are shared.

    The first failing core breaks the barrier, so the others stop at it instead of waiting forever."""
    barrier = threading.Barrier(env.block_dim)
    envs = [replace(env, block_idx=core, ub=UnifiedBuffer(tgt.ub_budget), barrier=barrier) for core in range(env.block_dim)]
    errors: list[tuple[int, BaseException]] = []

    def run_core(core_env: KernelEnv) -> None:
        watch = _Watch(budget)
        try:
            _run_block(_interpreter(module, core_env, watch), watch, kernel.body.block, bound.values, host_first=host_first)
            core_env.ub.check_released()
        except BaseException as exc:
            errors.append((core_env.block_idx, exc))
            barrier.abort()

    threads = [threading.Thread(target=run_core, args=(e,), daemon=True) for e in envs]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    if errors:
        # The core that failed first in core order, preferring a real failure over a broken barrier.
        errors.sort(key=lambda ce: (isinstance(ce[1], DeviceRuntimeError) and "barrier" in ce[1].message, ce[0]))
        raise errors[0][1]
    env.counters.extend(e.ub.counters for e in envs)


def check_call(kernel: t.KernelOp, args: Mapping[str, Any]) -> None:
    """Everything a call must pass before it runs, on any backend: the signature, then the kernel's checks."""
    module = kernel.parent_op()
    assert isinstance(module, ModuleOp)
    bound = bind(kernel, args)
    env = KernelEnv(dtype_env=bound.dtype_env)
    watch = _Watch(Budget())
    interp = _interpreter(module, env, watch)
    block = kernel.body.block
    checks = [op for op in block.ops if is_host_op(op)]
    interp.push_scope("checks")
    interp.set_values(zip(block.args, bound.values, strict=True))
    try:
        _run_ops(interp, checks)
    finally:
        interp.pop_scope()


def run(
    module: ModuleOp,
    args: Mapping[str, Any],
    *,
    kernel: str | None = None,
    budget: Budget | None = None,
    target: Target | None = None,
    memory: Any = None,
    comm: CommLink | None = None,
) -> KernelEnv:
    """Check the call, run the kernel, and write its outputs into the caller's arrays."""
    k = find_kernel(module, kernel)
    bound = bind(k, args)
    env = launch(k, bound, budget=budget, target=target, comm=comm, memory=memory)
    bound.commit()
    return env

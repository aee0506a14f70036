"""Running a `tile` kernel on the CPU with xDSL's interpreter and our numpy function tables.

A run has two phases, as on the device: the host phase evaluates the top-level ops that depend only on
shapes, dtypes and attributes (the `require` checks among them) and fails before any output is touched;
the device phase runs the rest. Outputs are written to working copies and copied back only when the
whole kernel succeeded, so a failing run leaves the caller's arrays as they were.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ascdsl.runtime.binding import Bound, bind
from ascdsl.runtime.interpreter.scalar_impls import ScalarFunctions
from ascdsl.runtime.interpreter.tile_impls import KernelEnv, TileFunctions
from xdsl.dialects.builtin import ModuleOp
from xdsl.interpreter import Interpreter, PythonValues
from xdsl.interpreters.scf import ScfFunctions
from xdsl.ir import Operation

from ascdsl.analysis.host_values import is_host_op
from ascdsl.dialects import tile_ops as t
from ascdsl.errors import AscdslError, DeviceRuntimeError
from ascdsl.frontend.irgen import span_of_location


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
        if self.deadline is not None and self.count % 256 == 0 and time.monotonic() > self.deadline:
            raise DeviceRuntimeError(f"the kernel ran longer than {self.budget.timeout} s (the time budget)")


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


def run_bound(kernel: t.KernelOp, bound: Bound, budget: Budget | None = None) -> None:
    module = kernel.parent_op()
    assert isinstance(module, ModuleOp)
    watch = _Watch(budget or Budget())
    interp = Interpreter(module, listeners=(watch,))
    interp.kenv = KernelEnv(dtype_env=bound.dtype_env)  # type: ignore[attr-defined]
    for functions in (ScalarFunctions(), ScfFunctions(), TileFunctions()):
        interp.register_implementations(functions)
    block = kernel.body.block
    interp.push_scope("kernel")
    interp.set_values(zip(block.args, bound.values, strict=True))
    body = [op for op in block.ops if not isinstance(op, t.ReturnOp)]
    host = [op for op in body if is_host_op(op)]
    try:
        _run_ops(interp, host)
        _run_ops(interp, [op for op in body if op not in host])
    except DeviceRuntimeError as exc:
        if exc.span is None and watch.current is not None:
            raise DeviceRuntimeError(exc.message, span_of_location(watch.current.location)) from None
        raise
    except AscdslError:
        raise
    except Exception as exc:  # a numpy or interpreter failure inside an op: report it at the DSL line
        span = span_of_location(watch.current.location) if watch.current is not None else None
        raise DeviceRuntimeError(f"{type(exc).__name__}: {exc}", span) from exc


def run(module: ModuleOp, args: Mapping[str, Any], *, kernel: str | None = None, budget: Budget | None = None) -> None:
    """Check the call, run the kernel, and write its outputs into the caller's arrays."""
    k = find_kernel(module, kernel)
    bound = bind(k, args)
    run_bound(k, bound, budget)
    bound.commit()

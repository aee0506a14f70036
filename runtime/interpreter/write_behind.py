"""Write-behind for output tensors the kernel never reads: their GM writes wait in a list and land only when
the run has succeeded, so a failing run needs no undo record of them.

Why: a failing run must leave the caller's arrays as they were. The undo journal (tile_impls.before_write)
copies what every write overwrites, which doubles the memory traffic of a kernel that mostly moves data (a
gather writes each output row once: the journal copies each row's old bytes first). A tensor the kernel only
writes can instead take its writes late: nothing in the run reads it, so the order of the writes among
themselves (kept) is all that matters. A copy from an input that no output overlaps is kept as a view of the
input, which cannot change during the run, and copied once at commit.

Not used when another party may touch memory during the run (a DeviceMemory or a communication domain), or
when the caller's arrays overlap, since then an input could observe the output's writes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from xdsl.ir import SSAValue

from ascdsl.dialects import tile_ops as t


@dataclass
class WriteBehind:
    """Which parameters take write-behind (`deferred`), which inputs may be copied from late (`stable`), and the
    writes waiting for the end of the run, in program order."""

    deferred: frozenset[str] = frozenset()
    stable: frozenset[str] = frozenset()
    pending: list[tuple[np.ndarray, Any, Any]] = field(default_factory=list)

    def commit(self) -> None:
        for target, key, value in self.pending:
            target[key] = value
        self.pending.clear()

    def discard(self) -> None:
        self.pending.clear()


def _only_written(value: SSAValue) -> bool:
    """Whether every use of a GM value writes it (or asks for its shape), through any chain of views."""
    for use in value.uses:
        op = use.operation
        if isinstance(op, t.DimOp | t.PresentOp):
            continue
        if isinstance(op, t.ViewOp) and use.index == 0:
            if not _only_written(op.result):
                return False
            continue
        if isinstance(op, t.FillOp | t.CopyOp) and op.dest is value:
            continue
        if isinstance(op, t.WriteOp) and op.dest is value:
            continue
        if isinstance(op, t.StoreOp) and op.dest is value and not op.is_atomic:  # an atomic add reads GM
            continue
        return False
    return True


def write_only_params(kernel: t.KernelOp) -> frozenset[str]:
    """The output parameters whose data the kernel never reads."""
    args = kernel.body.block.args
    return frozenset(
        name
        for name, role, arg in zip(kernel.names, kernel.roles, args, strict=True)
        if role in ("out", "inout") and _only_written(arg)
    )


def plan(kernel: t.KernelOp, values: Sequence[Any]) -> WriteBehind:
    """Write-behind for this call: the write-only outputs that share no memory with another tensor argument."""
    arrays = {
        name: v.array
        for name, v in zip(kernel.names, values, strict=True)
        if isinstance(getattr(v, "array", None), np.ndarray)
    }

    def alone(name: str) -> bool:
        return not any(other != name and np.may_share_memory(arrays[name], a) for other, a in arrays.items())

    roles = dict(zip(kernel.names, kernel.roles, strict=True))
    deferred = frozenset(n for n in write_only_params(kernel) if n in arrays and alone(n))
    if not deferred:
        return WriteBehind()
    stable = frozenset(n for n in arrays if roles[n] == "in" and alone(n))
    return WriteBehind(deferred, stable)

"""Which values depend only on shapes, dtypes and attributes, so the host can compute them before launch.

`require` conditions must be such values; the interpreter evaluates them first, and the host/device split
pass moves them into the tiling function.
"""

from __future__ import annotations

from xdsl.dialects import scf
from xdsl.ir import Block, BlockArgument, Operation, SSAValue

from ascdsl.dialects import tile_ops as t
from ascdsl.dialects.tile_types import HostArrayType

_ALWAYS_HOST = (t.DTypeInOp, t.SizeOfOp, t.PresentOp)


def _kernel_arg(v: SSAValue) -> t.KernelOp | None:
    if isinstance(v, BlockArgument):
        parent = v.block.parent_op()
        if isinstance(parent, t.KernelOp):
            return parent
    return None


def is_host_value(v: SSAValue) -> bool:
    kernel = _kernel_arg(v)
    if kernel is not None:
        assert isinstance(v, BlockArgument)
        return kernel.roles[v.index] in ("attr", "host")
    if isinstance(v, BlockArgument):
        return False
    return is_host_op(v.owner)  # type: ignore[arg-type]


def is_host_op(op: Operation) -> bool:
    """An op whose results the host can compute (a `require` counts when its condition is host-known)."""
    if isinstance(op, _ALWAYS_HOST):
        return True
    if isinstance(op, t.DimOp):
        return _kernel_arg(op.source) is not None
    if isinstance(op, t.StrInOp | t.RequireOp):
        return all(is_host_value(o) for o in op.operands)
    if isinstance(op, t.ReadOp):
        return isinstance(op.source.type, HostArrayType) and all(is_host_value(o) for o in op.operands)
    if op.dialect_name() == "arith":
        return all(is_host_value(o) for o in op.operands)
    if isinstance(op, scf.IfOp | scf.YieldOp):
        return all(is_host_value(o) for o in op.operands) and all(
            _block_is_host(b) for r in op.regions for b in r.blocks
        )
    return False


def _block_is_host(block: Block) -> bool:
    return all(is_host_op(op) for op in block.ops)


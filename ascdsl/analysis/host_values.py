"""Which values depend only on shapes, dtypes and attributes, so the host can compute them before launch.

`require` conditions must be such values; the interpreter evaluates them first, and the host/device split
pass moves them into the tiling function.
"""

from __future__ import annotations

from xdsl.dialects import scf
from xdsl.ir import BlockArgument, Operation, SSAValue

from ascdsl.dialects import tile_ops as t
from ascdsl.dialects.tile_types import HostArrayType

_ALWAYS_HOST = (t.DTypeInOp, t.SizeOfOp, t.PresentOp)


def _kernel_arg(v: SSAValue) -> t.KernelOp | None:
    if isinstance(v, BlockArgument):
        parent = v.block.parent_op()
        if isinstance(parent, t.KernelOp):
            return parent
    return None


def _arg_is_host(v: BlockArgument) -> bool:
    kernel = _kernel_arg(v)
    return kernel is not None and kernel.roles[v.index] in ("attr", "host")


def _value(v: SSAValue, memo: dict[Operation, bool]) -> bool:
    if isinstance(v, BlockArgument):
        return _arg_is_host(v)
    return memo[v.owner]  # type: ignore[index]


def _deps(op: Operation) -> list[Operation]:
    """The ops whose host-ness decides this op's: producers of its operands, and for an scf.if the ops inside."""
    out = [o.owner for o in op.operands if isinstance(o.owner, Operation)]
    if isinstance(op, scf.IfOp):
        out += [inner for r in op.regions for inner in r.walk()]
    return out  # type: ignore[return-value]


def _local(op: Operation, memo: dict[Operation, bool]) -> bool:
    if isinstance(op, _ALWAYS_HOST):
        return True
    if isinstance(op, t.DimOp):
        return _kernel_arg(op.source) is not None
    operands_host = all(_value(o, memo) for o in op.operands)
    if isinstance(op, t.StrInOp | t.RequireOp) or op.dialect_name() == "arith":
        return operands_host
    if isinstance(op, t.ReadOp):
        return isinstance(op.source.type, HostArrayType) and operands_host
    if isinstance(op, scf.IfOp | scf.YieldOp):
        return operands_host and all(memo[inner] for r in op.regions for inner in r.walk())
    return False


def is_host_op(op: Operation) -> bool:
    """An op whose results the host can compute (a `require` counts when its condition is host-known).

    Iterative over the def chain, so arbitrarily long chains of scalar statements do not exhaust the stack."""
    memo: dict[Operation, bool] = {}
    stack: list[tuple[Operation, bool]] = [(op, False)]
    while stack:
        cur, ready = stack.pop()
        if cur in memo:
            continue
        if ready:
            memo[cur] = _local(cur, memo)
            continue
        stack.append((cur, True))
        stack.extend((d, False) for d in _deps(cur) if d not in memo)
    return memo[op]


def is_host_value(v: SSAValue) -> bool:
    if isinstance(v, BlockArgument):
        return _arg_is_host(v)
    return is_host_op(v.owner)  # type: ignore[arg-type]

"""Switches: host-known yes/no facts the kernel reads, which are worth a specialisation of the kernel each.

A switch is a boolean tiling field whose host value is a `bool` attribute, whether an optional tensor is
present, or a test of a `str` attribute against its finite set of values (`mode in ("a", "b")`). Each has two
values, so n switches give 2**n specialisations; the kernel keeps at most MAX_SWITCHES of them (the first
ones it reads) and tests any others at run time. The dtype is not a switch: the CANN build already compiles
the kernel once per dtype combination of the OpDef.
"""

from __future__ import annotations

from xdsl.dialects import arith
from xdsl.dialects.builtin import IntegerType
from xdsl.ir import BlockArgument, SSAValue

from ascdsl.dialects import host
from ascdsl.dialects import tile_ops as t

MAX_SWITCHES = 3  # at most 8 specialisations of one kernel: the kernel binary grows with each


def _is_switch_value(v: SSAValue, func: host.TilingFuncOp) -> bool:
    """A host bool computed only from bool attributes, optional presence and tests of str attributes."""
    if v.type != IntegerType(1):
        return False
    if isinstance(v, BlockArgument):
        return v.owner is func.body.block  # a bool attribute
    owner = v.owner
    if isinstance(owner, t.PresentOp | t.StrInOp | arith.ConstantOp):
        return True
    if isinstance(owner, arith.AndIOp | arith.OrIOp | arith.XOrIOp | arith.SelectOp):
        return all(_is_switch_value(o, func) for o in owner.operands)
    return False


def kernel_switches(kernel: t.KernelOp, func: host.TilingFuncOp) -> list[str]:
    """The tiling fields of `kernel` to specialise on, in the order the kernel first reads them."""
    candidates = {
        op.field.data for op in func.body.block.ops if isinstance(op, host.SetFieldOp) and _is_switch_value(op.value, func)
    }
    found: list[str] = []
    for op in kernel.body.walk():
        if isinstance(op, t.TilingFieldOp) and op.result.uses and op.field.data in candidates and op.field.data not in found:
            found.append(op.field.data)
    return found[:MAX_SWITCHES]

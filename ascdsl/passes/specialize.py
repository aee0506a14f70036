"""Specialisation: the kernel once per combination of its switches (ascdsl.analysis.switches), chosen by tiling key.

The kernel's code (everything but its buffer declarations) becomes the regions of one
`ascendc.tiling_key_switch`; in region k each switch field reads as the constant bit of k, and the branches
that decides are folded away (ascdsl.passes.const_fold, from the switches' uses only: the code was cleaned up
before it was copied), so no specialisation tests a switch at run time. The tiling
function computes k from the same host values (`host.set_tiling_key`): the host picks the specialisation,
the printer gives each one its own tiling key and kernel function, and the interpreter runs region k.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects import arith
from xdsl.dialects.builtin import IntegerAttr, IntegerType, ModuleOp
from xdsl.ir import Block, Operation, Region
from xdsl.passes import ModulePass
from xdsl.rewriter import Rewriter

from ascdsl.analysis.switches import kernel_switches
from ascdsl.dialects import ascendc as ac
from ascdsl.dialects import host
from ascdsl.dialects import tile_ops as t
from ascdsl.passes.builder import Builder
from ascdsl.passes.const_fold import drop_dead, fold_from
from ascdsl.passes.host_values import kernels_and_tiling


def _variant(code: list[Operation], switches: list[str], k: int, ctx: Context) -> Region:
    """A copy of `code` with switch i read as bit i of `k`, and what that decides folded away."""
    block = Block()
    mapping: dict = {}
    for op in code:
        c = op.clone(value_mapper=mapping)
        block.add_op(c)
        mapping.update(zip(op.results, c.results, strict=True))
    consts = []
    for op in list(block.walk()):
        if isinstance(op, t.TilingFieldOp) and op.field.data in switches:
            bit = (k >> switches.index(op.field.data)) & 1
            const = arith.ConstantOp(IntegerAttr(-bit, IntegerType(1)))
            const.location = op.location
            Rewriter.replace_op(op, const)
            consts.append(const.result)
    region = Region(block)
    fold_from(consts, ctx)
    drop_dead(region)
    return region


def _host_key(func: host.TilingFuncOp, switches: list[str]) -> None:
    """key = sum of 2**i over the switches that are on, from the values the tiling function stores in them."""
    ret = func.body.block.last_op
    assert isinstance(ret, host.ReturnOp)
    values = {op.field.data: op.value for op in func.body.block.ops if isinstance(op, host.SetFieldOp)}
    b = Builder.before(ret)
    key = b.const(0)
    for i, name in enumerate(switches):
        key = b.add_(key, b.select(values[name], b.const(1 << i), b.const(0)))
    b.add(host.SetTilingKeyOp(key))


def specialize_kernel(kernel: t.KernelOp, func: host.TilingFuncOp, ctx: Context) -> None:
    switches = kernel_switches(kernel, func)
    if not switches:
        return
    block = kernel.body.block
    code = [op for op in block.ops if not isinstance(op, ac.BufferOp | t.ReturnOp)]
    switch = ac.TilingKeySwitchOp(switches, [_variant(code, switches, k, ctx) for k in range(1 << len(switches))])
    switch.location = code[0].location
    for op in code:
        op.detach()
    for op in reversed(code):
        op.erase(safe_erase=False)
    block.insert_op_before(switch, block.last_op)  # type: ignore[arg-type]
    _host_key(func, switches)


@dataclass(frozen=True)
class Specialize(ModulePass):
    name = "specialize"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        for kernel, func in kernels_and_tiling(op):
            specialize_kernel(kernel, func, ctx)

"""Core distribution: every core gets a balanced, contiguous share of the work.

* `parallel(n)` becomes a loop over this core's range of [0, n).
* Two nested `parallel` loops whose inner trip count depends on the outer index are flattened: when their items
  are divisible (only data-movement groups write), every core takes an equal share of the items' GM bytes
  (passes/distribute_bytes.py); otherwise the items are dealt whole to the cores in turn.
* A data-movement group at the top level of the kernel (a whole-tensor `store`, `copy` or `fill`) is split
  along its first dim in units of whole 32-byte blocks, so cores never share a block of the destination.
* Any other top-level write runs on core 0 only.

The host sets the block dim to the most work items any of these offers, capped at the AIV core count; each
split uses the launch's block count, so cores with no share of one loop simply skip it.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects import arith, scf
from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import Operation, SSAValue
from xdsl.passes import ModulePass

from ascdsl.analysis.groups import SINKS, erase_group, group_of, rebuild
from ascdsl.analysis.item_work import divisible_item
from ascdsl.dialects import host
from ascdsl.dialects import tile_ops as t
from ascdsl.dialects.tile_types import DYN
from ascdsl.passes.builder import Builder
from ascdsl.passes.distribute_accumulate import distribute_accumulation
from ascdsl.passes.distribute_bytes import ByteDistribution
from ascdsl.passes.host_values import HostValues, kernels_and_tiling

MIN_BYTES_PER_CORE = 4096  # below this a core's share costs more in launch and setup than it saves


def core_range(b: Builder, units: SSAValue) -> tuple[SSAValue, SSAValue]:
    """[start, end) of this core's share of `units` items: the first `units % cores` cores take one more."""
    idx = b.v(t.BlockIdxOp())
    num = b.v(t.BlockNumOp())
    per = b.floordiv(units, num)
    rem = b.sub(units, b.mul(per, num))
    start = b.add_(b.mul(idx, per), b.min_(idx, rem))
    extra = b.v(arith.ExtUIOp(b.cmp("slt", idx, rem), arith.IntegerType(64)))
    count = b.add_(per, b.v(arith.IndexCastOp(extra, arith.IndexType())))
    return start, b.add_(start, count)


def _distribute_parallel(op: t.ParallelOp, hv: HostValues) -> None:
    b = Builder.before(op)
    start, end = core_range(b, op.upper)
    hv.offer_work(op.upper)
    _replace_by_loop(op, b, start, end)


def _replace_by_loop(op: t.ParallelOp, b: Builder, lb: SSAValue, ub: SSAValue) -> None:
    """`op` becomes `for i in range(lb, ub)` over its body."""
    body = op.body.block
    body.last_op.detach()  # the tile.end terminator  # type: ignore[union-attr]
    y = scf.YieldOp()
    y.location = op.location
    body.add_op(y)
    b.add(scf.ForOp(lb, ub, b.const(1), [], op.body.clone()))
    op.detach()
    op.erase()


def _nested_parallel(op: t.ParallelOp) -> t.ParallelOp | None:
    """The inner `parallel` of `for b in parallel(B): <reads and arithmetic>; for j in parallel(M(b)): ...`."""
    ops = [o for o in op.body.block.ops if not isinstance(o, t.EndOp)]
    if not ops or not isinstance(ops[-1], t.ParallelOp):
        return None
    if any(_writes(o) for o in ops[:-1]):
        return None  # the per-b part writes: it must run once per b, on one core
    return ops[-1]


def _distribute_nested(op: t.ParallelOp, inner: t.ParallelOp, hv: HostValues) -> None:
    """Flatten two nested parallel loops whose inner trip count depends on the outer index: the (b, j) items are
    dealt to the cores in turn (item k to core k mod cores), so every core gets a share of every kind of item
    (full and partial, cheap and dear) even when there are fewer outer items than cores. Each core walks the
    outer index with the cheap per-b part (scalar reads and arithmetic) and runs its own j of each b."""
    b = Builder.before(op)
    pre = [o for o in op.body.block.ops if o is not inner and not isinstance(o, t.EndOp)]
    idx = b.v(t.BlockIdxOp())
    num = b.v(t.BlockNumOp())

    def running(bb: Builder, iv: SSAValue, acc: SSAValue) -> list[SSAValue]:
        from xdsl.ir import Region

        mapping: dict[SSAValue, SSAValue] = {op.body.block.args[0]: iv}
        for o in pre:
            c = o.clone(value_mapper=mapping)
            bb.add(c).location = o.location
            for old, new in zip(o.results, c.results, strict=True):
                mapping[old] = new
        m = bb.max_(mapping.get(inner.upper, inner.upper), bb.const(0))
        # the first j of this b that is this core's: (idx - acc) mod num
        diff = bb.sub(idx, acc)
        first = bb.sub(diff, bb.mul(bb.floordiv(diff, num), num))
        region = Region()
        inner.body.clone_into(region, value_mapper=dict(mapping))
        blk = region.block
        blk.last_op.detach()  # tile.end  # type: ignore[union-attr]
        y = scf.YieldOp()
        y.location = inner.location
        blk.add_op(y)
        bb.add(scf.ForOp(first, m, num, [], region))
        return [bb.add_(acc, m)]

    _for_carry(b, op.upper, running)
    hv.work.append(hv.core_num())  # the flattened work is known only on the device
    op.detach()
    op.erase()


def _for_carry(b: Builder, upper: SSAValue, body_fn) -> SSAValue:
    """`acc = 0; for i in range(upper): acc = body_fn(i, acc)`; returns the final acc."""
    from xdsl.dialects.builtin import IndexType
    from xdsl.ir import Block, Region

    block = Block(arg_types=[IndexType(), IndexType()])
    inner = Builder.at_end(block, b.loc)
    outs = body_fn(inner, block.args[0], block.args[1])
    inner.add(scf.YieldOp(*outs))
    loop = b.add(scf.ForOp(b.const(0), upper, b.const(1), [b.const(0)], Region(block)))
    return loop.results[0]


def _sequential(op: t.ParallelOp) -> None:
    """A `parallel` that is not distributed (nested, or on a core's own share) runs as an ordinary loop."""
    b = Builder.before(op)
    _replace_by_loop(op, b, b.const(0), op.upper)


def _distribute_group(sink: Operation, hv: HostValues) -> bool:
    group = group_of(sink)
    if not group.elementwise or group.rank == 0:
        return False
    b = Builder.before(sink)
    dims = b.dims(group.dest)
    rows = dims[0]
    inner = b.product(dims[1:])
    # Units of whole 32-byte blocks of rows, and enough bytes per core to be worth a core.
    esize = hv.device_sizeof(b, group.dest)
    row_bytes = b.mul(inner, esize)
    g = b.max_(b.const(1), b.ceildiv(b.const(32), b.max_(row_bytes, b.const(1))))
    units = b.ceildiv(rows, g)
    hv.offer_group_work(group.dest, units, MIN_BYTES_PER_CORE)
    start_u, end_u = core_range(b, units)
    start = b.min_(b.mul(start_u, g), rows)
    end = b.min_(b.mul(end_u, g), rows)
    size = b.sub(end, start)
    new_dims = (DYN, *group.dest.type.dims[1:])  # type: ignore[attr-defined]

    def view(v: SSAValue) -> SSAValue:
        return b.slice_axis(v, 0, start, size)

    sizes = [size, *dims[1:]]
    rebuild(group, view, new_dims, sizes, b.add)
    erase_group(group)
    return True


def _only_core0(op: Operation) -> None:
    """Run a write that is not split over cores on core 0 only."""
    b = Builder.before(op)
    cond = b.cmp("eq", b.v(t.BlockIdxOp()), b.const(0))
    guard = b.if_(cond, lambda inner: None)
    then_block = guard.regions[0].block
    op.detach()
    then_block.insert_op_before(op, then_block.last_op)  # before the scf.yield


def _writes(op: Operation) -> bool:
    return any(isinstance(o, (*SINKS, t.WriteOp)) for o in op.walk())


def distribute_kernel(kernel: t.KernelOp, func: host.TilingFuncOp) -> None:
    hv = HostValues(kernel, func)
    for op in list(kernel.body.block.ops):
        if isinstance(op, t.ParallelOp):
            inner = _nested_parallel(op)
            item = divisible_item(inner) if inner is not None else None
            if item is not None:
                ByteDistribution(op, inner, item, hv).apply()  # type: ignore[arg-type]
            elif inner is not None:
                _distribute_nested(op, inner, hv)
            else:
                _distribute_parallel(op, hv)
        elif isinstance(op, SINKS):
            if not _distribute_group(op, hv) and not distribute_accumulation(op, hv, core_range):
                _only_core0(op)
        elif not isinstance(op, t.ReturnOp) and _writes(op):
            _only_core0(op)
    for op in [o for o in kernel.body.walk() if isinstance(o, t.ParallelOp)]:
        _sequential(op)
    hv.finish_block_dim()


@dataclass(frozen=True)
class DistributeCores(ModulePass):
    name = "distribute-cores"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        for kernel, func in kernels_and_tiling(op):
            distribute_kernel(kernel, func)

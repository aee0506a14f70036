"""Nested parallel loops shared over the cores by bytes: every core moves the same number of GM bytes.

`for b in parallel(B): <per-b scalars>; for j in parallel(M(b)): <item>` with a data-dependent M(b) and items of
uneven weight (full and partial blocks, copies that read and write, fills that only write) cannot be balanced
by dealing whole items. When the items are divisible (ascdsl.analysis.item_work), each core

1. adds up the bytes of every item with a dry run of the items' control flow (scalars only, no transfers):
   the total T, the same on every core;
2. takes the byte range [idx·T // cores, (idx+1)·T // cores) of the items laid end to end, and runs, for
   every item that overlaps it, just the overlapping fraction of the item (every group of the item gets the
   same fraction of its rows).

The ranges of the cores meet exactly, so every row is written once. A core stops walking the items once it is
past its range.
"""

from __future__ import annotations

from collections.abc import Callable

from xdsl.dialects import scf
from xdsl.dialects.builtin import IndexType
from xdsl.ir import Block, Operation, Region, SSAValue

from ascdsl.analysis.groups import SINKS, erase_group, group_of, rebuild
from ascdsl.analysis.item_work import DivisibleItem
from ascdsl.dialects import tile_ops as t
from ascdsl.dialects.tile_types import DYN
from ascdsl.passes.builder import Builder
from ascdsl.passes.host_values import HostValues

Mapping = dict[SSAValue, SSAValue]


def _for_carry(b: Builder, upper: SSAValue, init: SSAValue, body: Callable[[Builder, SSAValue, SSAValue], SSAValue]) -> SSAValue:
    """`acc = init; for i in range(upper): acc = body(i, acc)`; the final acc."""
    block = Block(arg_types=[IndexType(), IndexType()])
    inner = Builder.at_end(block, b.loc)
    inner.add(scf.YieldOp(body(inner, block.args[0], block.args[1])))
    return b.add(scf.ForOp(b.const(0), upper, b.const(1), [init], Region(block))).results[0]


def _if_else_value(b: Builder, cond: SSAValue, then: Callable[[Builder], SSAValue], other: Callable[[Builder], SSAValue]) -> SSAValue:
    blocks = []
    for fill in (then, other):
        block = Block()
        inner = Builder.at_end(block, b.loc)
        inner.add(scf.YieldOp(fill(inner)))
        blocks.append(block)
    return b.add(scf.IfOp(cond, [IndexType()], [blocks[0]], [blocks[1]])).results[0]


def _clone_into(b: Builder, ops: list[Operation], mapping: Mapping) -> list[Operation]:
    made = []
    for o in ops:
        c = o.clone(value_mapper=mapping)
        b.add(c)
        mapping.update(zip(o.results, c.results, strict=True))
        made.append(c)
    return made


class ByteDistribution:
    def __init__(self, outer: t.ParallelOp, inner: t.ParallelOp, item: DivisibleItem, hv: HostValues) -> None:
        self.outer = outer
        self.inner = inner
        self.item = item
        self.hv = hv
        self.pre = [o for o in outer.body.block.ops if o is not inner and not isinstance(o, t.EndOp)]

    # ------------------------------------------------------------ the walk over the items

    def _per_b(self, b: Builder, iv: SSAValue) -> tuple[Mapping, SSAValue]:
        """The per-b scalars for outer index `iv`, and the item count of this b."""
        mapping: Mapping = {self.outer.body.block.args[0]: iv}
        _clone_into(b, self.pre, mapping)
        return mapping, b.max_(mapping.get(self.inner.upper, self.inner.upper), b.const(0))

    def _total(self, b: Builder) -> SSAValue:
        def per_b(bb: Builder, iv: SSAValue, acc: SSAValue) -> SSAValue:
            mapping, m = self._per_b(bb, iv)

            def per_item(bi: Builder, j: SSAValue, acc_j: SSAValue) -> SSAValue:
                return bi.add_(acc_j, self._dry_run(bi, self.item.body, {**mapping, self.inner.body.block.args[0]: j}))

            return _for_carry(bb, m, acc, per_item)

        return _for_carry(b, self.outer.upper, b.const(0), per_b)

    def _run_range(self, b: Builder, lo: SSAValue, hi: SSAValue) -> None:
        def per_b(bb: Builder, iv: SSAValue, acc: SSAValue) -> SSAValue:
            def walk(bw: Builder) -> SSAValue:
                mapping, m = self._per_b(bw, iv)

                def per_item(bi: Builder, j: SSAValue, acc_j: SSAValue) -> SSAValue:
                    return _if_else_value(
                        bi, bi.cmp("slt", acc_j, hi), lambda bt: self._item(bt, {**mapping, self.inner.body.block.args[0]: j}, acc_j, lo, hi), lambda _: acc_j
                    )

                return _for_carry(bw, m, acc, per_item)

            return _if_else_value(bb, bb.cmp("slt", acc, hi), walk, lambda _: acc)  # past the range: skip the rest

        _for_carry(b, self.outer.upper, b.const(0), per_b)

    def _item(self, b: Builder, mapping: Mapping, acc: SSAValue, lo: SSAValue, hi: SSAValue) -> SSAValue:
        """Run the part of the item at bytes [acc, acc + w) that falls in [lo, hi); the next acc."""
        w = self._dry_run(b, self.item.body, mapping)
        zero = b.const(0)
        a = b.min_(b.max_(b.sub(lo, acc), zero), w)
        e = b.min_(b.max_(b.sub(hi, acc), zero), w)
        b.if_(b.cmp("slt", a, e), lambda bt: self._fraction(bt, mapping, a, e, w))
        return b.add_(acc, w)

    # ------------------------------------------------------------ one item

    def _dry_run(self, b: Builder, block: Block, mapping: Mapping) -> SSAValue:
        """The GM bytes the item's groups in `block` move: its branches and sizes computed, nothing transferred."""
        w = b.const(0)
        for o in block.ops:
            if o is block.last_op:
                continue
            if isinstance(o, SINKS):
                w = b.add_(w, self._group_bytes(b, o, mapping))
            elif isinstance(o, scf.IfOp) and self.item.has_sinks(o):
                w = b.add_(w, self._dry_run_if(b, o, mapping))
            elif o in self.item.needed:
                _clone_into(b, [o], mapping)
        return w

    def _dry_run_if(self, b: Builder, op: scf.IfOp, mapping: Mapping) -> SSAValue:
        blocks = []
        for region in op.regions:
            block = Block()
            inner = Builder.at_end(block, op.location)
            if region.blocks:
                src = region.block
                w = self._dry_run(inner, src, mapping)
                outs = [mapping.get(v, v) for v in src.last_op.operands]  # type: ignore[union-attr]
            else:
                w, outs = inner.const(0), []
            inner.add(scf.YieldOp(*outs, w))
            blocks.append(block)
        new = scf.IfOp(mapping.get(op.cond, op.cond), [*op.result_types, IndexType()], [blocks[0]], [blocks[1]])
        new.location = op.location
        b.add(new)
        mapping.update(zip(op.results, new.results[:-1], strict=True))
        return new.results[-1]

    def _group_bytes(self, b: Builder, sink: Operation, mapping: Mapping) -> SSAValue:
        """Dim 0 of the group's destination times the bytes of one of its rows in the destination and every source."""
        g = group_of(sink)
        dims = b.dims(mapping.get(g.dest, g.dest))
        elem_bytes = self.hv.device_sizeof(b, g.dest)
        for src in g.sources:
            elem_bytes = b.add_(elem_bytes, self.hv.device_sizeof(b, src))
        return b.mul(dims[0], b.mul(b.product(dims[1:]), elem_bytes))

    def _fraction(self, b: Builder, mapping: Mapping, a: SSAValue, e: SSAValue, w: SSAValue) -> None:
        """The item with every group cut to rows [a·r // w, e·r // w) of its r rows."""
        made = _clone_into(b, [o for o in self.item.body.ops if o is not self.item.body.last_op], dict(mapping))
        for sink in [s for c in made for s in c.walk() if isinstance(s, SINKS)]:
            g = group_of(sink)
            sb = Builder.before(sink)
            dims = sb.dims(g.dest)
            first = sb.floordiv(sb.mul(a, dims[0]), w)
            size = sb.sub(sb.floordiv(sb.mul(e, dims[0]), w), first)
            rebuild(g, lambda v, sb=sb, first=first, size=size: sb.slice_axis(v, 0, first, size), (DYN, *g.dest.type.dims[1:]), [size, *dims[1:]], sb.add)  # type: ignore[attr-defined]
            erase_group(g)

    # ------------------------------------------------------------ the rewrite

    def apply(self) -> None:
        b = Builder.before(self.outer)
        total = self._total(b)
        idx = b.v(t.BlockIdxOp())
        num = b.v(t.BlockNumOp())
        lo = b.floordiv(b.mul(idx, total), num)
        hi = b.floordiv(b.mul(b.add_(idx, b.const(1)), total), num)
        self._run_range(b, lo, hi)
        self.hv.work.append(self.hv.core_num())  # the bytes are known only on the device
        self.outer.detach()
        self.outer.erase()

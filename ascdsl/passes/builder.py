"""A small IR builder for passes: every op it makes carries the location it was given (the user's line)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from xdsl.dialects import arith, scf
from xdsl.dialects.builtin import IndexType, IntegerAttr, IntegerType, LocationAttr, UnknownLoc
from xdsl.ir import Block, Operation, Region, SSAValue

from ascdsl.dialects import tile_ops as t
from ascdsl.dialects.tile_types import DYN, TensorType, ViewType, shape_attr


class Builder:
    def __init__(self, loc: LocationAttr, insert: Callable[[Operation], None]) -> None:
        self.loc = loc
        self._insert = insert

    @classmethod
    def before(cls, anchor: Operation) -> Builder:
        block = anchor.parent_block()
        assert block is not None
        return cls(anchor.location, lambda op: block.insert_op_before(op, anchor))

    @classmethod
    def at_end(cls, block: Block, loc: LocationAttr) -> Builder:
        return cls(loc, block.add_op)

    def add(self, op: Operation) -> Operation:
        if isinstance(op.location, UnknownLoc):  # a rebuilt op keeps the location of what it replaces
            op.location = self.loc
        self._insert(op)
        return op

    def v(self, op: Operation) -> SSAValue:
        return self.add(op).results[0]

    # ------------------------------------------------------------ scalars

    def const(self, value: int) -> SSAValue:
        return self.v(arith.ConstantOp(IntegerAttr(value, IndexType())))

    def const_bool(self, value: bool) -> SSAValue:
        return self.v(arith.ConstantOp(IntegerAttr(-1 if value else 0, IntegerType(1))))

    def add_(self, a: SSAValue, b: SSAValue) -> SSAValue:
        return self.v(arith.AddiOp(a, b))

    def sub(self, a: SSAValue, b: SSAValue) -> SSAValue:
        return self.v(arith.SubiOp(a, b))

    def mul(self, a: SSAValue, b: SSAValue) -> SSAValue:
        return self.v(arith.MuliOp(a, b))

    def floordiv(self, a: SSAValue, b: SSAValue) -> SSAValue:
        return self.v(arith.FloorDivSIOp(a, b))

    def ceildiv(self, a: SSAValue, b: SSAValue) -> SSAValue:
        one = self.const(1)
        return self.floordiv(self.add_(a, self.sub(b, one)), b)

    def min_(self, a: SSAValue, b: SSAValue) -> SSAValue:
        return self.v(arith.MinSIOp(a, b))

    def max_(self, a: SSAValue, b: SSAValue) -> SSAValue:
        return self.v(arith.MaxSIOp(a, b))

    def cmp(self, pred: str, a: SSAValue, b: SSAValue) -> SSAValue:
        return self.v(arith.CmpiOp(a, b, pred))

    def select(self, c: SSAValue, a: SSAValue, b: SSAValue) -> SSAValue:
        return self.v(arith.SelectOp(c, a, b))

    def product(self, values: Sequence[SSAValue]) -> SSAValue:
        acc = self.const(1)
        for v in values:
            acc = self.mul(acc, v)
        return acc

    # ------------------------------------------------------------ views

    def dim(self, view: SSAValue, axis: int) -> SSAValue:
        return self.v(t.DimOp(view, axis))

    def dims(self, view: SSAValue) -> list[SSAValue]:
        return [self.dim(view, a) for a in range(view.type.rank)]  # type: ignore[attr-defined]

    def slice_axis(self, view: SSAValue, axis: int, offset: SSAValue, size: SSAValue) -> SSAValue:
        """`view` with dim `axis` narrowed to [offset, offset + size); the other dims whole."""
        ty = view.type
        assert isinstance(ty, TensorType | ViewType)
        zero = self.const(0)
        offsets = [offset if a == axis else zero for a in range(ty.rank)]
        sizes = [size if a == axis else self.dim(view, a) for a in range(ty.rank)]
        dims = [DYN if a == axis else d for a, d in enumerate(ty.dims)]
        full = [a != axis for a in range(ty.rank)]
        rtype = ViewType(ty.element, shape_attr(dims))
        return self.v(t.ViewOp(view, offsets, sizes, [1] * ty.rank, [False] * ty.rank, rtype, full))

    def index_outer(self, view: SSAValue, indices: Sequence[SSAValue]) -> SSAValue:
        """`view[i0, i1, ...]` for the leading dims, the rest whole."""
        ty = view.type
        assert isinstance(ty, TensorType | ViewType)
        k = len(indices)
        if k == 0:
            return view
        one = self.const(1)
        zero = self.const(0)
        offsets = list(indices) + [zero] * (ty.rank - k)
        sizes = [one] * k + [self.dim(view, a) for a in range(k, ty.rank)]
        rtype = ViewType(ty.element, shape_attr(ty.dims[k:]))
        return self.v(
            t.ViewOp(view, offsets, sizes, [1] * ty.rank, [True] * k + [False] * (ty.rank - k), rtype, [False] * k + [True] * (ty.rank - k))
        )

    def flatten(self, view: SSAValue, size: SSAValue) -> SSAValue:
        ty = view.type
        assert isinstance(ty, TensorType | ViewType)
        if ty.rank == 1:
            return view
        return self.v(t.ReshapeOp(view, [size], ViewType(ty.element, shape_attr([DYN]))))

    # ------------------------------------------------------------ control flow

    def for_(self, lb: SSAValue, ub: SSAValue, step: SSAValue, body: Callable[[Builder, SSAValue], None]) -> Operation:
        block = Block(arg_types=[IndexType()])
        inner = Builder.at_end(block, self.loc)
        body(inner, block.args[0])
        inner.add(scf.YieldOp())
        return self.add(scf.ForOp(lb, ub, step, [], Region(block)))

    def if_else(self, cond: SSAValue, then: Callable[[Builder], None], other: Callable[[Builder], None]) -> Operation:
        blocks = []
        for fill in (then, other):
            block = Block()
            inner = Builder.at_end(block, self.loc)
            fill(inner)
            inner.add(scf.YieldOp())
            blocks.append(block)
        return self.add(scf.IfOp(cond, [], [blocks[0]], [blocks[1]]))

    def reshape(self, view: SSAValue, sizes: list[SSAValue]) -> SSAValue:
        ty = view.type
        assert isinstance(ty, TensorType | ViewType)
        return self.v(t.ReshapeOp(view, sizes, ViewType(ty.element, shape_attr([DYN] * len(sizes)))))

    def if_(self, cond: SSAValue, then: Callable[[Builder], None]) -> Operation:
        block = Block()
        inner = Builder.at_end(block, self.loc)
        then(inner)
        inner.add(scf.YieldOp())
        other = Block()
        Builder.at_end(other, self.loc).add(scf.YieldOp())
        return self.add(scf.IfOp(cond, [], [block], [other]))

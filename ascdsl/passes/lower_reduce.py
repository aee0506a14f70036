"""Lowering of a strip-mined float reduction chunk to the `ascendc` dialect.

    tree:   loads through VECIN queues, vector ops into VECCALC buffers (as a data-movement group)
    ReduceSum / ReduceMax / ReduceMin(dst, reduced tile, tmp, n)
    SetFlag / WaitFlag V->S, then dst.GetValue(0): the partial result as a scalar

The chunk loop around it (ub_tiling_reduce) combines the partial results on the scalar unit.
"""

from __future__ import annotations

from xdsl.ir import SSAValue

from ascdsl.analysis.reductions import reduction_of
from ascdsl.dialects import ascendc as ac
from ascdsl.dialects import tile_ops as t
from ascdsl.errors import DslError
from ascdsl.frontend.irgen import span_of_location
from ascdsl.passes.allocate_buffers import BUFFER_ATTR, REDUCE_TMP_ATTR
from ascdsl.passes.builder import Builder

_FN = {"sum": "ReduceSum", "max": "ReduceMax", "min": "ReduceMin"}


class ReductionLowering:
    """Mixed into the lowering (it provides _lower_tree, check_vector)."""

    def lower_reduction(self, op: t.ReduceOp) -> None:
        red = reduction_of(op)
        if red is None:
            raise DslError("internal: a strip-mined reduction lost its shape", span_of_location(op.location))
        element = op.source.type.element  # type: ignore[attr-defined]
        fn = _FN[op.kind.data]
        self.check_vector(fn, element, op)  # type: ignore[attr-defined]
        b = Builder.before(red.tree[0])
        # the chunk's length: a size of the views it loads (never a dim of the tiles, erased below)
        n = b.dim(red.sources[0], 0) if red.sources else next(o for o in red.tree if isinstance(o, t.FullOp)).sizes[0]
        values: dict[SSAValue, tuple[SSAValue, str, str]] = {}
        self._lower_tree(red.tree, values, n, None, None)  # type: ignore[attr-defined]
        b = Builder.before(op)
        dst = b.v(ac.GetBufOp(op.attributes[BUFFER_ATTR].data, element))  # type: ignore[attr-defined]
        tmp = b.v(ac.GetBufOp(op.attributes[REDUCE_TMP_ATTR].data, element))  # type: ignore[attr-defined]
        src, _, _ = values[op.source]
        b.add(ac.VecReduceOp(fn, dst, src, tmp, n))
        if values[op.source][2] == "in":  # a reduced load (the tree frees the others after their last use)
            b.add(ac.FreeTensorOp(values[op.source][1], src))
        b.add(ac.FlagOp("V_S"))
        scalar = b.v(ac.LocalGetValueOp(dst, b.const(0), op.result.type))
        op.result.replace_all_uses_with(scalar)
        op.detach()
        op.erase()
        for old in reversed(red.tree):
            old.detach()
            old.erase()

"""UB tiling of reduction groups (ascdsl.analysis.reductions): the tree runs chunk by chunk and the partial
results combine in a float32 scalar carried by the chunk loop.

    r = init                                      # 0 for a sum, -inf / +inf for max / min
    for c in range(0, n, chunk):
        r = combine(r, reduce(tree over the views sliced to [c, c + chunk)))

Only trees whose views are contiguous over the whole tile are strip-mined here (one flat run); others stay as
they are and the device lowering says it cannot run them.
"""

from __future__ import annotations

from xdsl.dialects import arith, scf
from xdsl.dialects.builtin import Float32Type, FloatAttr, IndexType, StringAttr
from xdsl.ir import Block, Region, SSAValue

from ascdsl.analysis.groups import rebuilt_op
from ascdsl.analysis.reductions import Reduction
from ascdsl.analysis.views import contiguous_suffix
from ascdsl.dialects import tile_ops as t
from ascdsl.dialects.tile_types import DYN, TileType, shape_attr
from ascdsl.passes.builder import Builder

RED_ATTR = "ascdsl.reduce_chunk"  # on the ops of a strip-mined reduction: the tiling field of its chunk
_INIT = {"sum": 0.0, "max": float("-inf"), "min": float("inf")}
_COMBINE = {"sum": arith.AddfOp, "max": arith.MaximumfOp, "min": arith.MinimumfOp}


def can_tile(red: Reduction) -> bool:
    return all(contiguous_suffix(v) == red.rank for v in red.sources)


def tile_reduction(red: Reduction, field: str) -> None:
    op = red.op
    b = Builder.before(op)
    if red.sources:  # the reduced tile has the shape of every view it loads
        run = b.product(b.dims(red.sources[0]))
    else:
        full = next(o for o in red.tree if isinstance(o, t.FullOp))
        run = b.product(list(full.sizes))
    chunk = b.v(t.TilingFieldOp(field, IndexType()))
    kind = op.kind.data
    f32 = Float32Type()
    init = b.v(arith.ConstantOp(FloatAttr(_INIT[kind], f32)))
    body = Block(arg_types=[IndexType(), f32])
    ib = Builder.at_end(body, op.location)
    c, acc = body.args
    n = ib.min_(chunk, ib.sub(run, c))
    mapping: dict[SSAValue, SSAValue] = {}

    def view(v: SSAValue) -> SSAValue:
        return ib.slice_axis(ib.flatten(v, run), 0, c, n)

    for old in red.tree:
        new = rebuilt_op(old, lambda v: mapping.get(v, v), view, TileType(old.results[0].type.element, shape_attr((DYN,))), [n])  # type: ignore[attr-defined]
        new.attributes[RED_ATTR] = StringAttr(field)
        ib.add(new)
        mapping[old.results[0]] = new.results[0]
    part = ib.v(t.ReduceOp(mapping[op.source], kind, [0], f32))
    part.owner.attributes[RED_ATTR] = StringAttr(field)  # type: ignore[union-attr]
    ib.add(scf.YieldOp(ib.v(_COMBINE[kind](acc, part))))
    loop = b.add(scf.ForOp(b.const(0), run, chunk, [init], Region(body)))
    op.result.replace_all_uses_with(loop.results[0])
    op.detach()
    op.erase()
    for old in reversed(red.tree):
        if all(not r.uses for r in old.results):  # tiles that other groups still read stay for them
            old.detach()
            old.erase()

"""Reduction groups: a float `reduce_sum / reduce_max / reduce_min` over every axis of an elementwise tile tree.

    r = reduce_sum(g * (a * w0) + load(v) ...)     # loads, fulls, scalars, elementwise ops; one shape

Like a data-movement group, any chunk of the reduced tile determines the chunks of its loads, so the compiler
strip-mines the tree and combines the chunks' partial results in a scalar (sum, max or min).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from xdsl.ir import Operation, SSAValue

from ascdsl.analysis.accumulators import _tree
from ascdsl.analysis.buffers import BufferSpec
from ascdsl.dialects import tile_ops as t
from ascdsl.dialects.tile_types import TileType


@dataclass
class Reduction:
    op: t.ReduceOp
    tree: list[Operation] = field(default_factory=list)  # producers of the reduced tile, operands first
    sources: list[SSAValue] = field(default_factory=list)  # GM views loaded

    @property
    def rank(self) -> int:
        return self.op.source.type.rank  # type: ignore[attr-defined]


def reduction_of(op: Operation) -> Reduction | None:
    """The reduction group of a float full reduction, or None (integer reductions lower to scalar loops)."""
    if not isinstance(op, t.ReduceOp) or isinstance(op.result.type, TileType):
        return None
    src = op.source
    if len(op.axes.data) != src.type.rank or src.type.rank == 0:  # type: ignore[attr-defined]
        return None
    if str(op.result.type) != "f32":
        return None  # an integer reduction: a scalar loop of GetValue (lower_to_ascendc)
    block = op.parent_block()
    assert block is not None
    red = Reduction(op)
    try:
        if _tree(src, block, None, src, red.tree, red.sources, set()) is not None:
            return None
    except ValueError:
        return None
    if not red.tree:
        return None
    return red  # its tiles may feed other groups too: the rewrite re-emits the tree and keeps what others use


def reduction_plan(red: Reduction) -> list[BufferSpec]:
    """A VECIN queue per load, VECCALC for every computed tile (the reduced one included: ReduceSum reads it),
    then two float32 VECCALC buffers for ReduceSum's result and its work area (`producer` the reduce op)."""
    specs = []
    for op in red.tree:
        el = op.results[0].type.element  # type: ignore[attr-defined]
        specs.append(BufferSpec("in", 2, el, op) if isinstance(op, t.LoadOp) else BufferSpec("calc", 1, el, op))
    element = red.op.source.type.element  # type: ignore[attr-defined]
    specs += [BufferSpec("calc", 1, element, red.op), BufferSpec("calc", 1, element, red.op)]
    return specs


def reductions_in(op: Operation) -> list[Reduction]:
    found = (reduction_of(o) for o in op.walk() if isinstance(o, t.ReduceOp))
    return [r for r in found if r is not None]

"""Data-movement groups: one GM write (store, copy or fill) with the elementwise tile computation feeding it.

A group is the unit the compiler splits over cores and strip-mines into the UB: every tile in it has the
shape of the destination, so any slice of the destination determines the slices of its sources.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from xdsl.ir import Attribute, Operation, SSAValue

from ascdsl.dialects import tile_ops as t
from ascdsl.dialects.tile_types import TileType, shape_attr

# Tile ops that compute element i of their result from element i of their operands.
ELEMENTWISE = (t.AddOp, t.SubOp, t.MulOp, t.DivOp, t.MaxOp, t.MinOp, t.AndOp, t.OrOp, t.CmpOp, t.WhereOp, t.UnaryOp, t.CastOp)
SINKS = (t.StoreOp, t.CopyOp, t.FillOp)


@dataclass
class Group:
    sink: Operation
    dest: SSAValue
    tree: list[Operation] = field(default_factory=list)  # producers of the stored tile, operands first
    sources: list[SSAValue] = field(default_factory=list)  # GM views read (loads and the copy source)
    elementwise: bool = True  # False: a broadcast or another shape change; not sliceable

    @property
    def rank(self) -> int:
        return self.dest.type.rank  # type: ignore[attr-defined]


def _tree(value: SSAValue, group: Group, seen: set[Operation]) -> None:
    owner = value.owner
    if not isinstance(owner, Operation) or not isinstance(value.type, TileType):
        return  # a scalar operand
    if owner in seen:
        return
    if isinstance(owner, t.LoadOp):
        group.sources.append(owner.source)
    elif isinstance(owner, t.FullOp):
        pass
    elif isinstance(owner, ELEMENTWISE):
        for operand in owner.operands:
            _tree(operand, group, seen)
    else:
        group.elementwise = False  # reductions, expand_dims, loop-carried tiles
    if value.type.rank != group.rank or any(d == 1 and e != 1 for d, e in zip(value.type.dims, group.dest.type.dims, strict=False)):  # type: ignore[attr-defined]
        group.elementwise = False
    seen.add(owner)
    group.tree.append(owner)


def group_of(sink: Operation) -> Group:
    if isinstance(sink, t.StoreOp):
        g = Group(sink, sink.dest)
        _tree(sink.value, g, set())
        return g
    if isinstance(sink, t.CopyOp):
        return Group(sink, sink.dest, sources=[sink.source])
    assert isinstance(sink, t.FillOp)
    return Group(sink, sink.dest)


def sinks_in(op: Operation) -> list[Operation]:
    return [o for o in op.walk() if isinstance(o, SINKS)]


Rebuilder = Callable[[SSAValue], SSAValue]


def rebuilt_op(op: Operation, get: Rebuilder, view: Rebuilder, res_type: TileType, sizes: list[SSAValue]) -> Operation:
    """`op` (a load, full or elementwise tile op) re-made with result type `res_type`, operands mapped by `get`
    and a load's GM view by `view`; `sizes` are the run-time sizes of the new tile (for `full`)."""
    new: Operation
    if isinstance(op, t.LoadOp):
        new = t.LoadOp(view(op.source), res_type)
    elif isinstance(op, t.FullOp):
        new = t.FullOp(sizes, get(op.value), res_type)
    elif isinstance(op, t.CmpOp):
        new = t.CmpOp(get(op.lhs), get(op.rhs), op.predicate.data, res_type)
    elif isinstance(op, t.WhereOp):
        new = t.WhereOp(get(op.cond), get(op.lhs), get(op.rhs), res_type)
    elif isinstance(op, t.UnaryOp):
        new = t.UnaryOp(get(op.source), op.kind.data)
    elif isinstance(op, t.CastOp):
        new = t.CastOp(get(op.source), op.round.data, res_type)
    else:
        assert isinstance(op, t._BinaryOp)
        new = type(op)(get(op.lhs), get(op.rhs), res_type)
    new.location = op.location
    return new


def rebuild(
    group: Group, view: Rebuilder, dims: tuple[int | str, ...], sizes: list[SSAValue], add: Callable[[Operation], None]
) -> list[Operation]:
    """Re-emit the group over new views: `view` maps each GM view of the group to its slice; new tiles have `dims`.

    `sizes` are the run-time sizes of the new tiles (for `full`); `add` emits an op (keeping locations).
    """
    mapping: dict[SSAValue, SSAValue] = {}
    made: list[Operation] = []

    def tile_type(element: Attribute) -> TileType:
        return TileType(element, shape_attr(dims))

    def get(v: SSAValue) -> SSAValue:
        return mapping.get(v, v)

    for op in group.tree:
        res_type = op.results[0].type
        assert isinstance(res_type, TileType)
        new = rebuilt_op(op, get, view, tile_type(res_type.element), sizes)
        new.location = op.location
        add(new)
        made.append(new)
        mapping[op.results[0]] = new.results[0]
    sink = group.sink
    if isinstance(sink, t.StoreOp):
        out: Operation = t.StoreOp(get(sink.value), view(sink.dest), atomic=sink.is_atomic)
    elif isinstance(sink, t.CopyOp):
        out = t.CopyOp(view(sink.dest), view(sink.source))
    else:
        assert isinstance(sink, t.FillOp)
        out = t.FillOp(view(sink.dest), sink.value)
    out.location = sink.location
    add(out)
    made.append(out)
    return made


def erase_group(group: Group) -> None:
    """Remove the original sink and the tree ops nobody else uses."""
    group.sink.detach()
    group.sink.erase()
    for op in reversed(group.tree):
        if all(not r.uses for r in op.results):
            op.detach()
            op.erase()

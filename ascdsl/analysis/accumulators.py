"""Accumulation groups: a tile carried through a `range` loop, updated elementwise, then stored.

    acc = zeros(shape, f32)                  # init: a `full`
    for t in range(n):                       # the loop carries exactly this one tile
        acc += f(load(view_t), ...)          # step: elementwise over acc and tiles of acc's shape
    store(dest, g(acc, ...))                 # post: elementwise, then the sink

Every tile of the group has the destination's shape, so a chunk of the destination determines the chunk of
every load in the step and the post trees: the compiler strip-mines the whole group (init, loop, post and
store) chunk by chunk, and the accumulator stays in the UB across the iterations of the loop.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from xdsl.dialects import scf
from xdsl.ir import Block, BlockArgument, Operation, SSAValue

from ascdsl.analysis.buffers import BufferSpec
from ascdsl.analysis.groups import ELEMENTWISE
from ascdsl.dialects import tile_ops as t
from ascdsl.dialects.tile_types import TileType


@dataclass
class Accumulation:
    sink: t.StoreOp
    loop: scf.ForOp
    init: t.FullOp
    step: list[Operation] = field(default_factory=list)  # loop-body ops computing the yielded tile, operands first
    post: list[Operation] = field(default_factory=list)  # ops after the loop computing the stored tile
    step_sources: list[SSAValue] = field(default_factory=list)  # GM views the step loads (defined in the loop)
    post_sources: list[SSAValue] = field(default_factory=list)

    @property
    def dest(self) -> SSAValue:
        return self.sink.dest

    @property
    def rank(self) -> int:
        return self.dest.type.rank  # type: ignore[attr-defined]

    @property
    def carried(self) -> BlockArgument:
        return self.loop.body.block.args[1]

    @property
    def yielded(self) -> Operation:
        """The step op whose result the loop yields: it writes the accumulator's buffer in place."""
        return self.step[-1]


def _same_shape(value: SSAValue, dest: SSAValue) -> bool:
    ty, dt = value.type, dest.type
    return isinstance(ty, TileType) and ty.rank == dt.rank and all(  # type: ignore[attr-defined]
        not (d == 1 and e != 1) for d, e in zip(ty.dims, dt.dims, strict=True)  # type: ignore[attr-defined]
    )


def _tree(value: SSAValue, block: Block, stop: SSAValue | None, dest: SSAValue, ops: list[Operation], sources: list[SSAValue],
          seen: set[Operation]) -> SSAValue | None:
    """Collect the elementwise tree of `value` within `block`, operands first. Returns the one leaf that is not
    a load, a full or a scalar (the carried tile or the loop result), or None; raises ValueError when the tree is
    not an accumulation's."""
    if not isinstance(value.type, TileType):
        return None  # a scalar operand
    if value is stop:
        return value
    owner = value.owner
    if not isinstance(owner, Operation) or owner.parent_block() is not block:
        raise ValueError("a tile from elsewhere")
    if not _same_shape(value, dest):
        raise ValueError("a broadcast or another shape")
    if owner in seen:
        return None
    leaf = None
    if isinstance(owner, t.LoadOp):
        sources.append(owner.source)
    elif isinstance(owner, ELEMENTWISE):
        for operand in owner.operands:
            found = _tree(operand, block, stop, dest, ops, sources, seen)
            leaf = leaf or found
    elif not isinstance(owner, t.FullOp):
        raise ValueError(f"{owner.name} is not elementwise")
    seen.add(owner)
    ops.append(owner)
    return leaf


def accumulation_of(sink: Operation) -> Accumulation | None:
    """The accumulation group ending in `sink`, or None when the sink is not one."""
    if not isinstance(sink, t.StoreOp):
        return None
    block = sink.parent_block()
    assert block is not None
    loop = _loop_feeding(sink.value, block)
    if loop is None or len(loop.results) != 1 or len(loop.iter_args) != 1:
        return None
    init = loop.iter_args[0].owner
    if not isinstance(init, t.FullOp) or init.parent_block() is not block or not _same_shape(init.result, sink.dest):
        return None
    acc = Accumulation(sink, loop, init)
    try:
        if _tree(sink.value, block, loop.results[0], sink.dest, acc.post, acc.post_sources, set()) is not loop.results[0]:
            return None
        body = loop.body.block
        yield_op = body.last_op
        assert isinstance(yield_op, scf.YieldOp)
        if _tree(yield_op.operands[0], body, acc.carried, sink.dest, acc.step, acc.step_sources, set()) is not acc.carried:
            return None
    except ValueError:
        return None
    if not acc.step or not acc.post or acc.yielded.results[0] is not yield_op.operands[0]:
        return None  # the stored tile must be computed after the loop (it goes out through a queue)
    if not _private(acc):
        return None
    return acc


def _loop_feeding(value: SSAValue, block: Block) -> scf.ForOp | None:
    """The scf.for among the producers of `value` (through elementwise ops in `block`)."""
    owner = value.owner
    if isinstance(owner, scf.ForOp) and owner.parent_block() is block:
        return owner
    if isinstance(owner, ELEMENTWISE) and owner.parent_block() is block:
        for operand in owner.operands:
            found = _loop_feeding(operand, block)
            if found is not None:
                return found
    return None


def _private(acc: Accumulation) -> bool:
    """The group's tiles are used only inside the group, so it can be rewritten chunk by chunk."""
    members = set(acc.step) | set(acc.post) | {acc.sink, acc.loop.body.block.last_op}
    values = [acc.carried, acc.loop.results[0], *(r for op in acc.step + acc.post for r in op.results)]
    return all(use.operation in members for v in values for use in v.uses) and all(
        use.operation is acc.loop for use in acc.init.result.uses
    )


def accumulation_plan(acc: Accumulation) -> list[BufferSpec]:
    """The UB buffers of an accumulation group: the accumulator (VECCALC, lives across the loop), a VECIN queue
    per load, VECCALC for intermediate tiles, a VECOUT queue for the stored tile. The yielded step op writes the
    accumulator in place, so it has no buffer of its own."""
    element = acc.init.result.type.element  # type: ignore[attr-defined]
    specs = [BufferSpec("calc", 1, element, acc.init)]
    stored = acc.sink.value.owner
    for op in acc.step + acc.post:
        if op is acc.yielded:
            continue
        el = op.results[0].type.element  # type: ignore[attr-defined]
        if isinstance(op, t.LoadOp):
            specs.append(BufferSpec("in", 2, el, op))
        elif op is stored:
            specs.append(BufferSpec("out", 2, el, op))
        else:
            specs.append(BufferSpec("calc", 1, el, op))
    return specs


def accumulations_in(op: Operation) -> list[Accumulation]:
    found = (accumulation_of(o) for o in op.walk() if isinstance(o, t.StoreOp))
    return [a for a in found if a is not None]

"""UB tiling of accumulation groups (ascdsl.analysis.accumulators): the whole group runs chunk by chunk.

    for each chunk c of the destination (outer dims that are not contiguous become loops):
        acc_c = full(n, init)
        for t in range(...):           # the original loop, its scalar code cloned as it was
            acc_c = step(acc_c, loads of view_t sliced to c)
        store(dest sliced to c, post(acc_c, loads sliced to c))

The chunk size is a tiling field sized by the UB tiling pass from the group's buffers, so the accumulator,
the loads of one iteration and the stored tile fit the budget together, whatever the tile's shape.
"""

from __future__ import annotations

from xdsl.dialects import scf
from xdsl.dialects.builtin import IndexType, StringAttr
from xdsl.ir import Block, Operation, Region, SSAValue

from ascdsl.analysis.accumulators import Accumulation
from ascdsl.analysis.groups import rebuilt_op
from ascdsl.analysis.views import contiguous_suffix
from ascdsl.dialects import tile_ops as t
from ascdsl.dialects.tile_types import DYN, TileType, shape_attr
from ascdsl.passes.builder import Builder

ACC_ATTR = "ascdsl.acc_chunk"  # on every op of a strip-mined accumulation group: the tiling field of its chunk


def _tag(op: Operation, field: str) -> Operation:
    op.attributes[ACC_ATTR] = StringAttr(field)
    return op


def tile_accumulation(acc: Accumulation, field: str) -> None:
    sink = acc.sink
    b = Builder.before(sink)
    views = [acc.dest, *acc.step_sources, *acc.post_sources]
    k = acc.rank - min(contiguous_suffix(v) for v in views)
    dims = b.dims(acc.dest)
    chunk = b.v(t.TilingFieldOp(field, IndexType()))

    def chunks(bb: Builder, outer: list[SSAValue]) -> None:
        run = bb.product(dims[k:])

        def body(ib: Builder, c: SSAValue) -> None:
            n = ib.min_(chunk, ib.sub(run, c))

            def sliced(builder: Builder):
                def view(v: SSAValue) -> SSAValue:
                    return builder.slice_axis(builder.flatten(builder.index_outer(v, outer), run), 0, c, n)

                return view

            _emit_chunk(acc, ib, n, sliced, field)

        bb.for_(bb.const(0), run, chunk, body)

    def nest(bb: Builder, axis: int, outer: list[SSAValue]) -> None:
        if axis == k:
            chunks(bb, outer)
            return
        bb.for_(bb.const(0), dims[axis], bb.const(1), lambda ib, i: nest(ib, axis + 1, [*outer, i]))

    nest(b, 0, [])
    erase_accumulation(acc)


def _emit_chunk(acc: Accumulation, b: Builder, n: SSAValue, sliced, field: str) -> None:
    rebuild_accumulation(acc, b, [n], (DYN,), sliced, field)


def rebuild_accumulation(acc: Accumulation, b: Builder, sizes: list[SSAValue], dims: tuple[int | str, ...], sliced,
                         field: str | None) -> None:
    """Re-emit the whole group at `b`: tiles of `dims` (run-time `sizes`), every GM view mapped by `sliced(builder)`
    (a function of the builder where the view is needed, since views of the loop body live in the new body)."""

    def tile_type(op: Operation) -> TileType:
        return TileType(op.results[0].type.element, shape_attr(dims))  # type: ignore[attr-defined]

    def tag(op: Operation) -> Operation:
        return _tag(op, field) if field is not None else op

    init = tag(b.add(t.FullOp(sizes, acc.init.value, tile_type(acc.init))))
    old = acc.loop.body.block
    body = Block(arg_types=[IndexType(), init.results[0].type])
    mapping: dict[SSAValue, SSAValue] = {old.args[0]: body.args[0], acc.carried: body.args[1]}
    ib = Builder.at_end(body, acc.loop.location)
    step = set(acc.step)
    view = sliced(ib)
    for op in old.ops:
        if op in step:
            new = tag(rebuilt_op(op, lambda v: mapping.get(v, v), lambda v: view(mapping.get(v, v)), tile_type(op), sizes))
        elif isinstance(op, scf.YieldOp):
            new = scf.YieldOp(mapping[op.operands[0]])
            new.location = op.location
        else:
            new = op.clone(value_mapper=mapping)
        ib.add(new)
        for r_old, r_new in zip(op.results, new.results, strict=True):
            mapping[r_old] = r_new
    loop = tag(b.add(scf.ForOp(*_mapped_bounds(acc.loop), [init.results[0]], Region(body))))
    loop.location = acc.loop.location
    mapping[acc.loop.results[0]] = loop.results[0]
    view = sliced(b)
    for op in acc.post:
        new = tag(b.add(rebuilt_op(op, lambda v: mapping.get(v, v), view, tile_type(op), sizes)))
        mapping[op.results[0]] = new.results[0]
    store = tag(b.add(t.StoreOp(mapping[acc.sink.value], view(acc.dest), atomic=acc.sink.is_atomic)))
    store.location = acc.sink.location


def _mapped_bounds(loop: scf.ForOp) -> tuple[SSAValue, SSAValue, SSAValue]:
    return loop.lb, loop.ub, loop.step


def erase_accumulation(acc: Accumulation) -> None:
    acc.sink.detach()
    acc.sink.erase()
    for op in reversed(acc.post):
        op.detach()
        op.erase()
    acc.loop.detach()
    acc.loop.erase()
    acc.init.detach()
    acc.init.erase()

"""UB tiling: every data-movement group is strip-mined into chunks that fit the Unified Buffer.

The destination and the sources of a group are walked as contiguous runs (the longest trailing dims that
are contiguous in every view of the group; outer dims become loops), and each run in chunks of `C`
elements, the last chunk shorter. `C` is a tiling field: the host divides the UB budget among the groups and
by the bytes one element costs in the group's buffers (the same buffer model the allocator uses), rounded
down to whole 32-byte blocks so every full chunk is an aligned DMA.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp, StringAttr
from xdsl.ir import SSAValue
from xdsl.passes import ModulePass

from ascdsl.analysis.accumulators import accumulation_plan, accumulations_in
from ascdsl.analysis.buffer_reuse import reuse_slots
from ascdsl.analysis.buffers import BufferSpec, buffer_plan
from ascdsl.analysis.groups import Group, erase_group, group_of, rebuild, sinks_in
from ascdsl.analysis.reductions import reduction_plan, reductions_in
from ascdsl.analysis.views import contiguous_suffix
from ascdsl.dialects import host
from ascdsl.dialects import tile_ops as t
from ascdsl.dialects.tile_types import DYN
from ascdsl.passes.builder import Builder
from ascdsl.passes.host_values import HostValues, kernels_and_tiling
from ascdsl.passes.lower_count import reserved_ub_bytes
from ascdsl.passes.ub_tiling_accumulate import tile_accumulation
from ascdsl.passes.ub_tiling_reduce import can_tile, tile_reduction

CHUNK_ATTR = "ascdsl.chunk"
MAX_BLOCK_COUNT = 4095  # DataCopyParams / DataCopyExtParams blockCount limit  # on every op of a strip-mined group: the tiling field holding its chunk size


def _plan_costs(hv: HostValues, plan: list[BufferSpec]) -> tuple[SSAValue, SSAValue]:
    """Host: (UB bytes one element of a group costs over all its buffers, the chunk alignment in elements:
    whole 32-byte blocks of the smallest element)."""
    h = hv.host
    per_elem = h.const(0)
    smallest: SSAValue | None = None
    slots = reuse_slots(plan)
    for buf in (b for b, shared in zip(plan, slots, strict=True) if shared is None):  # a shared buffer costs once
        size = hv.host_sizeof(buf.element)
        per_elem = h.add_(per_elem, h.mul(h.const(buf.depth), size))
        smallest = size if smallest is None else h.min_(smallest, size)
    assert smallest is not None
    return h.max_(per_elem, h.const(1)), h.floordiv(h.const(32), smallest)


def _chunk_fields(hv: HostValues, plans: list[list[BufferSpec]]) -> list[str]:
    """Each group first gets its smallest chunk (one aligned unit), then an equal share of what is left, so the
    buffers of all groups together never exceed the budget."""
    h = hv.host
    costs = [_plan_costs(hv, p) for p in plans]
    minimums = [h.mul(per, align) for per, align in costs]
    ub = h.v(host.UbBytesOp())
    reserved = reserved_ub_bytes(hv.kernel)  # fixed buffers of count_equal (lower_count.py)
    if reserved:
        ub = h.sub(ub, h.const(reserved))
    spare = h.max_(h.const(0), h.sub(ub, _sum(h, minimums)))
    extra = h.floordiv(spare, h.const(len(plans)))
    names = []
    for i, ((per, align), least) in enumerate(zip(costs, minimums, strict=True)):
        elems = h.floordiv(h.add_(least, extra), per)
        chunk = h.max_(align, h.mul(h.floordiv(elems, align), align))
        names.append(f"chunk{i}")
        hv.publish(chunk, names[-1])
    return names


def _sum(h: Builder, values: list[SSAValue]) -> SSAValue:
    acc = h.const(0)
    for v in values:
        acc = h.add_(acc, v)
    return acc


def _tile_group(group: Group, field: str, hv: HostValues) -> None:
    sink = group.sink
    b = Builder.before(sink)
    views = [group.dest, *group.sources]
    k = group.rank - min(contiguous_suffix(v) for v in views)
    dims = b.dims(group.dest)
    chunk = b.v(t.TilingFieldOp(field, hv.fields[field].type))

    def chunks(bb: Builder, outer: list[SSAValue]) -> None:
        run = bb.product(dims[k:])
        flat: dict[SSAValue, SSAValue] = {}

        def flat_of(v: SSAValue, builder: Builder) -> SSAValue:
            if v not in flat:
                flat[v] = builder.flatten(builder.index_outer(v, outer), run)
            return flat[v]

        for v in views:
            flat_of(v, bb)

        def body(ib: Builder, c: SSAValue) -> None:
            n = ib.min_(chunk, ib.sub(run, c))
            made = rebuild(group, lambda v: ib.slice_axis(flat[v], 0, c, n), (DYN,), [n], ib.add)
            for op in made:
                op.attributes[CHUNK_ATTR] = StringAttr(field)

        bb.for_(bb.const(0), run, chunk, body)

    def rows(bb: Builder, outer: list[SSAValue]) -> None:
        """Strided 2-D chunks: several rows of dim k-1 per DMA when a padded row fits a chunk, else row by row."""
        n_rows = dims[k - 1]
        run = bb.product(dims[k:])
        esize = hv.device_sizeof(bb, group.dest)
        padded = bb.floordiv(bb.mul(bb.ceildiv(bb.mul(run, esize), bb.const(32)), bb.const(32)), esize)

        def many(tb: Builder) -> None:
            per = tb.min_(tb.floordiv(chunk, tb.max_(padded, tb.const(1))), tb.const(MAX_BLOCK_COUNT))
            bases = {v: tb.index_outer(v, outer) for v in views}

            def body(ib: Builder, i: SSAValue) -> None:
                r = ib.min_(per, ib.sub(n_rows, i))

                def view(v: SSAValue) -> SSAValue:
                    return ib.reshape(ib.slice_axis(bases[v], 0, i, r), [r, run])

                made = rebuild(group, view, (DYN, DYN), [r, run], ib.add)
                for op in made:
                    op.attributes[CHUNK_ATTR] = StringAttr(field)

            tb.for_(tb.const(0), n_rows, per, body)

        def one_by_one(eb: Builder) -> None:
            eb.for_(eb.const(0), n_rows, eb.const(1), lambda ib, i: chunks(ib, [*outer, i]))

        bb.if_else(bb.cmp("sle", padded, chunk), many, one_by_one)

    two_d = k >= 1 and _uniform_elements(group)

    def nest(bb: Builder, axis: int, outer: list[SSAValue]) -> None:
        if two_d and axis == k - 1:
            rows(bb, outer)
            return
        if axis == k:
            chunks(bb, outer)
            return
        bb.for_(bb.const(0), dims[axis], bb.const(1), lambda ib, i: nest(ib, axis + 1, [*outer, i]))

    nest(b, 0, [])
    erase_group(group)


def _uniform_elements(group: Group) -> bool:
    """Padded UB rows line up across the group's buffers only when every buffer has the same element type."""
    return len({str(spec.element) for spec in buffer_plan(group)}) == 1


def tile_kernel(kernel: t.KernelOp, func: host.TilingFuncOp) -> None:
    hv = HostValues(kernel, func)
    groups = [g for g in (group_of(s) for s in sinks_in(kernel)) if g.elementwise]
    accumulations = accumulations_in(kernel)
    reductions = [r for r in reductions_in(kernel) if can_tile(r)]
    if not groups and not accumulations and not reductions:
        return
    plans = [buffer_plan(g) for g in groups] + [accumulation_plan(a) for a in accumulations]
    plans += [reduction_plan(r) for r in reductions]
    fields = _chunk_fields(hv, plans)
    for r, field in zip(reductions, fields[len(groups) + len(accumulations) :], strict=True):
        tile_reduction(r, field)  # first: an accumulation's loop body may hold a reduction, and is cloned
    for g, field in zip(groups, fields, strict=False):
        _tile_group(g, field, hv)
    for a, field in zip(accumulations, fields[len(groups) : len(groups) + len(accumulations)], strict=True):
        tile_accumulation(a, field)


@dataclass(frozen=True)
class TileToUB(ModulePass):
    name = "tile-to-ub"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        for kernel, func in kernels_and_tiling(op):
            tile_kernel(kernel, func)




"""Core distribution of an accumulation group at the top level of a kernel (not inside a `parallel`).

The destination's first dim is split among the cores in units of whole 32-byte blocks of rows, like a
data-movement group; the whole group (init, loop, post, store) is re-emitted over each core's rows, so every
core accumulates its own rows in its own UB and no two cores write the same block.
"""

from __future__ import annotations

from xdsl.ir import Operation, SSAValue

from ascdsl.analysis.accumulators import accumulation_of
from ascdsl.dialects.tile_types import DYN
from ascdsl.passes.builder import Builder
from ascdsl.passes.host_values import HostValues
from ascdsl.passes.ub_tiling_accumulate import erase_accumulation, rebuild_accumulation

MIN_BYTES_PER_CORE = 4096  # as for data-movement groups: below this a core's share costs more than it saves


def distribute_accumulation(sink: Operation, hv: HostValues, core_range) -> bool:
    """Split the accumulation ending in `sink` over the cores; False when `sink` ends none (or it is 0-D)."""
    acc = accumulation_of(sink)
    if acc is None or acc.rank == 0:
        return False
    b = Builder.before(sink)
    dims = b.dims(acc.dest)
    rows = dims[0]
    esize = hv.device_sizeof(b, acc.dest)
    row_bytes = b.mul(b.product(dims[1:]), esize)
    g = b.max_(b.const(1), b.ceildiv(b.const(32), b.max_(row_bytes, b.const(1))))
    units = b.ceildiv(rows, g)
    hv.offer_group_work(acc.dest, units, MIN_BYTES_PER_CORE)
    start_u, end_u = core_range(b, units)
    start = b.min_(b.mul(start_u, g), rows)
    size = b.sub(b.min_(b.mul(end_u, g), rows), start)

    def sliced(builder: Builder):
        def view(v: SSAValue) -> SSAValue:
            return builder.slice_axis(v, 0, start, size)

        return view

    new_dims = (DYN, *acc.dest.type.dims[1:])  # type: ignore[attr-defined]
    rebuild_accumulation(acc, b, [size, *dims[1:]], new_dims, sliced, None)
    erase_accumulation(acc)
    return True

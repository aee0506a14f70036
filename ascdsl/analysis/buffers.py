"""The buffer model of a data-movement group: which UB buffers it needs, of what kind and depth.

UB tiling sizes chunks with it and the allocator declares exactly these buffers, so the two always agree.

* a copy (or a store of a plain load) streams through one VECIN->VECOUT queue pair bound together (TQueBind),
  double-buffered so the next chunk's load overlaps this chunk's store;
* each load feeding computation gets a VECIN queue (depth 2), the stored result a VECOUT queue (depth 2);
* intermediate results live in VECCALC buffers (TBuf, depth 1);
* a fill duplicates its value into a VECOUT queue (depth 2).
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.ir import Attribute, Operation

from ascdsl.analysis.groups import Group
from ascdsl.dialects import tile_ops as t


@dataclass(frozen=True)
class BufferSpec:
    role: str  # "bind" (VECIN->VECOUT), "in" (VECIN), "out" (VECOUT), "calc" (VECCALC)
    depth: int
    element: Attribute
    producer: Operation | None  # the op whose result lives in this buffer (None: the copy's staging buffer)


def buffer_plan(group: Group) -> list[BufferSpec]:
    sink = group.sink
    if isinstance(sink, t.CopyOp):
        return [BufferSpec("bind", 2, sink.dest.type.element, None)]  # type: ignore[attr-defined]
    if isinstance(sink, t.FillOp):
        return [BufferSpec("out", 2, sink.dest.type.element, None)]  # type: ignore[attr-defined]
    assert isinstance(sink, t.StoreOp)
    stored = sink.value.owner
    out: list[BufferSpec] = []
    for op in group.tree:
        element = op.results[0].type.element  # type: ignore[attr-defined]
        if op is stored and isinstance(op, t.LoadOp):
            out.append(BufferSpec("bind", 2, element, op))
        elif isinstance(op, t.LoadOp):
            out.append(BufferSpec("in", 2, element, op))
        elif op is stored:
            out.append(BufferSpec("out", 2, element, op))
        else:
            out.append(BufferSpec("calc", 1, element, op))
    return out

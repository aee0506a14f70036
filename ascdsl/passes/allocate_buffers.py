"""Buffer allocation: each strip-mined group gets the UB buffers of its buffer model, declared once per kernel.

Buffers are `ascendc.buffer` declarations at the top of the kernel (the TPipe's TQue / TQueBind / TBuf);
the group's ops are tagged with the buffer holding their result. Chunk sizes were chosen so the buffers fit
the budget; what cannot shrink (one 32-byte block per buffer and slot) is checked here, and an overflow is
an error at the user's line that lists what uses the space.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp, StringAttr
from xdsl.ir import Operation
from xdsl.passes import ModulePass

from ascdsl.analysis.accumulators import accumulation_of, accumulation_plan
from ascdsl.analysis.buffer_reuse import reuse_slots
from ascdsl.analysis.buffers import BufferSpec, buffer_plan
from ascdsl.analysis.groups import group_of, sinks_in
from ascdsl.analysis.reductions import reduction_of, reduction_plan
from ascdsl.dialects import ascendc
from ascdsl.dialects import tile_ops as t
from ascdsl.errors import DslError
from ascdsl.frontend.irgen import span_of_location
from ascdsl.passes.ub_tiling import CHUNK_ATTR
from ascdsl.passes.ub_tiling_accumulate import ACC_ATTR
from ascdsl.passes.ub_tiling_reduce import RED_ATTR
from ascdsl.targets import Target, get_target

BUFFER_ATTR = "ascdsl.buffer"  # on a group op: the buffer its result lives in
REDUCE_TMP_ATTR = "ascdsl.reduce_tmp"  # on a strip-mined float reduction: the buffer of ReduceSum's work area
MAX_BUFFERS = 64  # TPipe's limit on InitBuffer calls


def _describe(spec: BufferSpec, name: str) -> str:
    what = spec.producer.name if spec.producer is not None else "staging"
    return f"{name} ({spec.role}, depth {spec.depth}, for {what})"


def _plan_of(sink: Operation) -> list[BufferSpec]:
    """The buffers of a strip-mined data-movement group or accumulation group."""
    if RED_ATTR in sink.attributes and isinstance(sink, t.ReduceOp):
        red = reduction_of(sink)
        if red is None:
            raise DslError("internal: a strip-mined reduction lost its shape", span_of_location(sink.location))
        return reduction_plan(red)
    if ACC_ATTR in sink.attributes:
        acc = accumulation_of(sink)
        if acc is None:
            raise DslError("internal: a strip-mined accumulation lost its shape", span_of_location(sink.location))
        return accumulation_plan(acc)
    return buffer_plan(group_of(sink))


def allocate_kernel(kernel: t.KernelOp, target: Target) -> list[ascendc.BufferOp]:
    decls: list[ascendc.BufferOp] = []
    users: list[tuple[str, Operation]] = []
    # The strip-mined copies of one group (a 2-D and a row-by-row variant) run one after the other and share
    # the group's buffers: they are keyed by the group's chunk field.
    by_field: dict[str, list[str]] = {}
    anchors = [*sinks_in(kernel), *(o for o in kernel.body.walk() if isinstance(o, t.ReduceOp) and RED_ATTR in o.attributes)]
    for sink in anchors:
        field = sink.attributes.get(CHUNK_ATTR) or sink.attributes.get(ACC_ATTR) or sink.attributes.get(RED_ATTR)
        if not isinstance(field, StringAttr):
            continue
        plan = _plan_of(sink)
        names = by_field.setdefault(field.data, [])
        given: set[Operation] = set()
        slots = reuse_slots(plan)
        for i, spec in enumerate(plan):
            holder = spec.producer if spec.producer is not None else sink
            # a reduction's second buffer (ReduceSum's work area) is named on the same op under its own key
            key = REDUCE_TMP_ATTR if holder in given and isinstance(holder, t.ReduceOp) else BUFFER_ATTR
            given.add(holder)
            if i < len(names):
                holder.attributes[key] = StringAttr(names[i])
                continue
            shared = slots[i]
            if shared is not None:  # a VECCALC buffer whose tile is dead by now
                names.append(names[shared])
                holder.attributes[key] = StringAttr(names[shared])
                continue
            name = f"buf{len(decls)}"
            names.append(name)
            decl = ascendc.BufferOp(name, spec.role, spec.depth, spec.element, field.data)
            decl.location = (spec.producer or sink).location
            decls.append(decl)
            holder.attributes[key] = StringAttr(name)
            users.append((_describe(spec, name), holder))
    if len(decls) > MAX_BUFFERS:
        raise DslError(
            f"the kernel needs {len(decls)} UB buffers, more than the {MAX_BUFFERS} a TPipe can hold",
            span_of_location(users[MAX_BUFFERS][1].location),
            "split the kernel, or write fewer separate stores",
        )
    floor_bytes = sum(d.depth.data * target.block_bytes for d in decls)
    if floor_bytes > target.ub_budget:
        listing = "; ".join(desc for desc, _ in users)
        raise DslError(
            f"the UB buffers need at least {floor_bytes} bytes, over the {target.ub_budget}-byte budget: {listing}",
            span_of_location(users[-1][1].location),
            "fewer simultaneous stores or intermediate tiles",
        )
    block = kernel.body.block
    for decl in reversed(decls):
        block.insert_op_before(decl, block.first_op)  # type: ignore[arg-type]
    return decls


@dataclass(frozen=True)
class AllocateBuffers(ModulePass):
    name = "allocate-buffers"
    soc: str | None = None

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        target = get_target(self.soc)
        for kernel in [k for k in op.ops if isinstance(k, t.KernelOp)]:
            allocate_kernel(kernel, target)

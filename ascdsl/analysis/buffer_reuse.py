"""Reuse of VECCALC buffers inside one group: a computed tile whose last reader has run frees its buffer for a
later tile of the same element type, so a long expression needs as many VECCALC buffers as tiles live at once,
not one per operation (a TPipe holds at most 64 buffers, and the UB budget is shared by all of them).
"""

from __future__ import annotations

from xdsl.ir import Operation

from ascdsl.analysis.buffers import BufferSpec

_FOREVER = 1 << 30


def reuse_slots(plan: list[BufferSpec]) -> list[int | None]:
    """For each buffer of `plan`, the index of the earlier buffer it shares (None: a buffer of its own).

    A buffer is free after the last reader of its current tile that is in the plan; a tile read by anything outside the plan (the loop's yield,
    a reduction's scalar result) keeps its buffer to the end. The reader never writes into its operand's buffer.
    """
    # Positions are the order the device runs the ops in (the program order: a group's loads may all come before
    # its arithmetic, whatever the order of the plan).
    producers = [spec.producer for spec in plan if spec.producer is not None]
    if not producers:
        return [None] * len(plan)
    root = producers[0]
    while root.parent_op() is not None:
        root = root.parent_op()  # type: ignore[assignment]
    members = set(producers)
    pos: dict[Operation, int] = {}
    for n, op in enumerate(root.walk()):
        if op in members:
            pos[op] = n

    def last_use(spec: BufferSpec) -> int:
        op = spec.producer
        if op is None:
            return _FOREVER
        ends = [pos.get(u.operation, _FOREVER) for r in op.results for u in r.uses]
        return max(ends, default=_FOREVER)

    slots: list[int | None] = []
    owners: list[tuple[int, str, int]] = []  # (owning index, element, busy until)
    for i, spec in enumerate(plan):
        start = pos[spec.producer] if spec.producer is not None else _FOREVER
        taken = None
        if spec.role == "calc" and spec.depth == 1 and spec.producer is not None:
            for n, (owner, element, busy) in enumerate(owners):
                if element == str(spec.element) and busy < start:
                    taken = owner
                    owners[n] = (owner, element, last_use(spec))
                    break
        slots.append(taken)
        if taken is None and spec.role == "calc" and spec.depth == 1:
            owners.append((i, str(spec.element), last_use(spec)))
    return slots

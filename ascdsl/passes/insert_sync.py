"""Sync insertion: the hardware orders the pipes only where the code says so.

Data that flows through a queue is ordered by its EnQue/DeQue pair (the lowering emits those). What remains:
* a scalar read (GetValue) of a GM tensor the kernel also writes by DMA must wait for MTE3 and must not hit
  a stale line of the scalar data cache: MTE3->S flag, then DataCacheCleanAndInvalid of the line;
* a scalar write (SetValue) sits in the data cache: it is cleaned out right away (so DMA and the host see it),
  and an S->MTE3 flag orders it before later DMA writes; a MTE3->S flag orders it after earlier DMA writes;
* a volatile scalar read (memory another agent writes) invalidates its cache line first, on every read;
* two vector ops where the second reads what the first wrote: PipeBarrier<PIPE_V> between them.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import Block, Operation, SSAValue
from xdsl.passes import ModulePass

from ascdsl.dialects import ascendc as ac
from ascdsl.dialects import tile_ops as t
from ascdsl.dialects.tile_memory import is_volatile

_DMA_OUT = (ac.DataCopyOutOp, ac.DataCopyPadOutOp)
_VECTOR = (ac.VecBinaryOp, ac.VecScalarOp, ac.VecUnaryOp, ac.DuplicateOp, ac.CastOp)


def _insert_before(anchor: Operation, op: Operation) -> None:
    op.location = anchor.location
    block = anchor.parent_block()
    assert block is not None
    block.insert_op_before(op, anchor)


def _insert_after(anchor: Operation, op: Operation) -> None:
    op.location = anchor.location
    block = anchor.parent_block()
    assert block is not None
    block.insert_op_after(op, anchor)


def _vector_reads(op: Operation) -> list[SSAValue]:
    return [v for v in op.operands[1:] if isinstance(v.type, ac.LocalType)]


def _barriers_in(block: Block) -> None:
    """PipeBarrier<PIPE_V> before a vector op that reads a local the previous vector ops wrote."""
    written: set[SSAValue] = set()
    for op in list(block.ops):
        for region in op.regions:
            for inner in region.blocks:
                _barriers_in(inner)
        if isinstance(op, _VECTOR):
            if any(v in written for v in _vector_reads(op)):
                _insert_before(op, ac.PipeBarrierOp("V"))
                written.clear()
            written.add(op.operands[0])
        elif isinstance(op, ac.PipeBarrierOp):
            written.clear()


def sync_kernel(kernel: t.KernelOp) -> None:
    dma_written = {op.gm for op in kernel.body.walk() if isinstance(op, _DMA_OUT)}
    dma_out_before = False  # a DMA write comes earlier in program order
    for op in list(kernel.body.walk()):
        if isinstance(op, _DMA_OUT):
            dma_out_before = True
        elif isinstance(op, ac.SetValueOp) and dma_out_before:
            # A scalar write after DMA writes (reset the flags, then publish the id): MTE3 finishes first, so no
            # agent sees the scalar before the data written ahead of it.
            _insert_before(op, ac.FlagOp("MTE3_S"))
            dma_out_before = False
        if isinstance(op, ac.GetValueOp) and is_volatile(op):
            # Another agent writes this memory: drop the cached line before every read (a poll sees the new value).
            _insert_before(op, ac.DataCacheCleanOp(op.gm, op.offset))
            if op.gm in dma_written:
                _insert_before(op, ac.FlagOp("MTE3_S"))
        elif isinstance(op, ac.GetValueOp) and op.gm in dma_written:
            _insert_before(op, ac.FlagOp("MTE3_S"))
            _insert_before(op, ac.DataCacheCleanOp(op.gm, op.offset))
        elif isinstance(op, ac.SetValueOp):
            _insert_after(op, ac.FlagOp("S_MTE3"))
            _insert_after(op, ac.DataCacheCleanOp(op.gm, op.offset))
    _barriers_in(kernel.body.block)


@dataclass(frozen=True)
class InsertSync(ModulePass):
    name = "insert-sync"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        for kernel in [k for k in op.ops if isinstance(k, t.KernelOp)]:
            sync_kernel(kernel)

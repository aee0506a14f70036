"""GM transfers per poll iteration of InplaceAttentionWorkerScheduler (issue 9, item 6).

One poll iteration reads the F flags of the polled micro-batch and run_flag. The figure is measured, not
derived: run A has its flags ready on entry (exactly one iteration, then the reset), run B has run_flag 0 on
entry (no iteration, nothing written); the reset reads nothing, so the GM *reads* of A minus those of B are one
iteration's: DMA reads (GM -> UB transfers) plus scalar reads (GetValue). The counters come from the
ascendc-stage interpreter and from the emulator.

The baseline is the same kernel polling with one volatile scalar read per flag (bench-only, below): the
design the issue asks to beat ("the flags in one DMA, not one scalar read per flag").
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from ascdsl.ops.attention_worker_scheduler import ScheduleContext, attention_worker_scheduler, make_context
from ascdsl.runtime import DeviceMemory
from ascdsl.runtime.interpreter.engine import run as interpret

from ascdsl import InOut, Tensor, as_struct, gm_tensor, i8, i32, kernel, volatile
from ascdsl.kernel import Kernel
from ascdsl.pipeline import lower

OP = "InplaceAttentionWorkerScheduler"
SOURCES = ("interp", "emu")
PER_SOURCE = ("poll_gm_reads_per_iter", "poll_dma_reads_per_iter", "poll_scalar_reads_per_iter", "poll_read_bytes_per_iter")
POLL_METRICS = (
    *(f"{m}@{s}" for s in SOURCES for m in PER_SOURCE),
    *(f"scalar_poll_gm_reads_per_iter@{s}" for s in SOURCES),
)
# (label, micro_batch_num, micro_batch_size, selected_expert_num)
CASES = [("doc example, F = 432", 2, 48, 9), ("F = 4,500", 2, 500, 9)]
QUICK_CASES = CASES[:1]


@kernel(op_type="ScalarPollScheduler")
def scalar_poll_scheduler(schedule_context: InOut[Tensor[i8, N]]):  # noqa: F821 (N: a DSL dim symbol)
    """The scheduler polling flag by flag (a baseline for the figure only; the operator counts by DMA)."""
    ctx = as_struct(schedule_context, ScheduleContext)
    mbn = ctx.common.micro_batch_num
    flag_num = ctx.common.micro_batch_size * ctx.common.selected_expert_num
    target = (ctx.attention.micro_batch_id + 1) % mbn
    flags = gm_tensor(ctx.attention.token_info_buf + target * flag_num * 4, i32, flag_num)
    running = volatile(ctx.control.run_flag) != 0
    ready = 0
    while running and ready < flag_num:
        ready = 0
        for i in range(flag_num):
            if volatile(flags[i]) == 1:
                ready += 1
        running = volatile(ctx.control.run_flag) != 0
    if running:
        flags[0:flag_num] = 0
        ctx.attention.micro_batch_id = target


def _reads(k: Kernel, backend: str, mbn: int, mbs: int, sen: int, run_flag: int, emu_run: Callable[..., Any] | None) -> tuple[int, int, int]:
    """(DMA reads, scalar reads, bytes read) of one launch on a fresh context."""
    with DeviceMemory(1 << 22) as mem:
        ctx, _, _ = make_context(mem, mbn=mbn, mbs=mbs, sen=sen, micro_batch_id=mbn - 1, run_flag=run_flag, ready_batches=(0,))
        address = mem.malloc(ctx.size)
        mem.write(address, ctx)
        args = {"schedule_context": mem.array(address, np.int8, ctx.size)}
        if backend == "interp":
            env = interpret(lower(k.ir, "clean"), args, memory=mem)
            c = env.counters[0]
            # The interpreter counts DMA bytes only; every scalar this kernel reads in its loop is an int32.
            return c.dma_reads, c.scalar_gm_reads, c.gm_read_bytes + 4 * c.scalar_gm_reads
        assert emu_run is not None
        report = emu_run(k, args, memory=mem)
        core = report.cores[0]
        return core.dma_in, core.scalar_gm_reads, core.gm_read_bytes


def per_iteration(k: Kernel, backend: str, mbn: int, mbs: int, sen: int, emu_run: Callable[..., Any] | None = None) -> dict[str, int]:
    a = _reads(k, backend, mbn, mbs, sen, 1, emu_run)  # one poll iteration, then the reset (which reads nothing)
    b = _reads(k, backend, mbn, mbs, sen, 0, emu_run)  # no poll iteration
    dma, scalar, nbytes = (x - y for x, y in zip(a, b, strict=True))
    return {"poll_gm_reads_per_iter": dma + scalar, "poll_dma_reads_per_iter": dma, "poll_scalar_reads_per_iter": scalar,
            "poll_read_bytes_per_iter": nbytes}


def bench_polling(rec: Any, quick: bool, emu_available: bool, emu_na: str, log: Callable[[str], None]) -> None:
    emu_run = None
    if emu_available:
        from ascdsl.runtime.emu_backend import run_emu

        emu_run = run_emu
    for label, mbn, mbs, sen in QUICK_CASES if quick else CASES:
        for source in SOURCES:
            if source == "emu" and emu_run is None:
                for m in (*PER_SOURCE, "scalar_poll_gm_reads_per_iter"):
                    rec.add(OP, label, f"{m}@emu", emu_na)
                continue
            log(f"{OP} {label}: GM reads per poll iteration ({source})")
            for m, v in per_iteration(attention_worker_scheduler, source, mbn, mbs, sen, emu_run).items():
                rec.add(OP, label, f"{m}@{source}", v)
            base = per_iteration(scalar_poll_scheduler, source, mbn, mbs, sen, emu_run)
            rec.add(OP, label, f"scalar_poll_gm_reads_per_iter@{source}", base["poll_gm_reads_per_iter"])


def polling_table(rec: Any) -> list[str]:
    head = [
        "| case | GM reads / iteration | of which DMA | of which scalar | bytes read / iteration | one scalar read per flag (baseline) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    rows = []
    for label, *_ in CASES:
        for source in SOURCES:
            g = [rec.get(OP, label, f"{m}@{source}") for m in (*PER_SOURCE, "scalar_poll_gm_reads_per_iter")]
            if all(v is None for v in g):
                continue
            cells = " | ".join("n/a" if v is None else str(v) for v in g)
            rows.append(f"| {label} ({source}) | {cells} |")
    return head + rows

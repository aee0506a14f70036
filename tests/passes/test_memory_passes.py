"""Passes on struct fields, device addresses, volatile reads and count_equal.

Each feature survives the pipeline as the device needs it: fields and device addresses stay GM tensors of
their own; volatile reads keep their mark to the end, each behind a cache invalidate, never merged by cleanup;
count_equal becomes one DMA per chunk with a vector count, in fixed buffers the UB budget leaves room for.
"""

from __future__ import annotations

import numpy as np
from ascdsl.runtime import DeviceMemory, run
from ascdsl.runtime.interpreter.engine import run as interpret
from xdsl.dialects import scf

from ascdsl import InOut, Tensor, as_struct, count_equal, gm_tensor, i8, i32, kernel, struct, u32, u64, volatile
from ascdsl.dialects import ascendc as ac
from ascdsl.dialects.tile_memory import VOLATILE, CountEqOp, GmAtOp, ReinterpretOp
from ascdsl.passes.lower_count import COUNT_CHUNK, reserved_ub_bytes
from ascdsl.pipeline import STAGES, lower
from ascdsl.targets import get_target


@struct(size=16)
class Mailbox:
    flag: i32
    seen: u32
    data: u64


@kernel
def wait_twice(box: InOut[Tensor[i8, N]]):
    m = as_struct(box, Mailbox)
    a = volatile(m.flag)
    b = volatile(m.flag)  # the same field, read again: must not be merged with the first read
    m.seen = a + b


@kernel
def count_and_clear(box: InOut[Tensor[i8, N]], big: InOut[Tensor[i32, K]]):
    m = as_struct(box, Mailbox)
    flags = gm_tensor(m.data, i32, m.seen)
    m.flag = count_equal(flags, 1)
    big[0:K] = 0  # a large fill: its chunks share the UB with the count buffers


def _ops(module, cls):
    return [op for op in module.walk() if isinstance(op, cls)]


def test_volatile_reads_survive_cleanup_each_behind_an_invalidate() -> None:
    m = lower(wait_twice.ir, "clean")
    gets = [op for op in _ops(m, ac.GetValueOp) if VOLATILE in op.attributes]
    assert len(gets) == 2
    for g in gets:
        assert isinstance(g.prev_op, ac.DataCacheCleanOp)


def test_fields_and_addresses_stay_gm_tensors_to_the_end() -> None:
    m = lower(count_and_clear.ir, "clean")
    assert len(_ops(m, ReinterpretOp)) >= 3
    assert len(_ops(m, GmAtOp)) == 1
    assert not _ops(m, CountEqOp)


def test_count_equal_is_dma_and_a_vector_reduction_per_chunk() -> None:
    m = lower(count_and_clear.ir, "ascendc")
    loops = [op for op in m.walk() if isinstance(op, scf.ForOp) and _ops(op, ac.VecReduceOp)]
    assert len(loops) == 1
    loop = loops[0]
    ins = [op for op in loop.walk() if isinstance(op, ac.DataCopyInOp | ac.DataCopyPadInOp)]
    assert len(ins) == 2  # DataCopy for a whole chunk, DataCopyPad for the tail: one of them runs per chunk
    assert not [op for op in loop.walk() if isinstance(op, ac.GetValueOp)]  # no scalar read of a flag
    buffers = {op.sym.data for op in _ops(m, ac.BufferOp)}
    assert {"countIn", "countF", "countTmp", "countSum"} <= buffers


def test_count_buffers_are_left_out_of_the_groups_ub_share() -> None:
    assert reserved_ub_bytes(count_and_clear.ir.ops.first) > 0  # type: ignore[arg-type]
    assert reserved_ub_bytes(wait_twice.ir.ops.first) == 0  # type: ignore[arg-type]
    with DeviceMemory(1 << 20) as mem:
        box = mem.array(mem.malloc(16), np.int8, 16)
        flags = mem.array(mem.malloc(4 * 5000), np.int32, 5000)
        flags[::3] = 1
        flags[1::7] = 2
        Mailbox.view(box)["data"] = mem.address_of(flags)
        Mailbox.view(box)["seen"] = 5000
        big = np.ones(200_000, np.int32)  # 800 KB: chunked to fill the UB budget
        env = interpret(lower(count_and_clear.ir, "clean"), {"box": box, "big": big}, memory=mem)
        assert int(Mailbox.view(box)["flag"]) == int(np.count_nonzero(flags == 1))
        assert not big.any()
        assert max(c.ub_bytes for c in env.counters) <= get_target().ub_budget
        dmas = env.counters[0].dma_sizes
        assert dmas.count(4 * COUNT_CHUNK) >= 2 and 4 * (5000 - 2 * COUNT_CHUNK) in dmas  # 2 chunks and the tail


def test_every_stage_counts_the_same() -> None:
    with DeviceMemory(1 << 20) as mem:
        flags = mem.array(mem.malloc(4 * 3000), np.int32, 3000)
        flags[:] = np.random.default_rng(1).integers(-3, 4, 3000)
        for stage in STAGES:
            box = mem.array(mem.malloc(16), np.int8, 16)
            Mailbox.view(box)["data"] = mem.address_of(flags)
            Mailbox.view(box)["seen"] = 3000
            run(count_and_clear, {"box": box, "big": np.ones(64, np.int32)}, memory=mem, stage=stage)
            assert int(Mailbox.view(box)["flag"]) == int(np.count_nonzero(flags == 1)), stage

"""InplaceAttentionWorkerScheduler on the interpreter and the emulator vs the numpy golden (op_semantics.md 1).

Contexts are built byte by byte at the doc's offsets (attention_scheduler_golden.put), not with the
operator's own struct. Another agent is a Python thread writing into the shared DeviceMemory while the kernel
polls, on both backends (the emulator process maps the same memory).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import numpy as np
import pytest
from ascdsl.ops.attention_worker_scheduler import attention_worker_scheduler, inplace_attention_worker_scheduler
from ascdsl.runtime import DeviceMemory, run
from attention_scheduler_golden import (
    OFF_DATA_BUF,
    OFF_INFO_BUF,
    OFF_INFO_SIZE,
    OFF_MB_ID,
    OFF_MBN,
    OFF_MBS,
    OFF_MODE,
    OFF_RUN_FLAG,
    OFF_SEN,
    invalid_field,
    put,
    scheduler_golden,
    u32,
)

from ascdsl.errors import AclnnError, AscdslError
from ascdsl.pipeline import STAGES

BACKENDS = ["interp", "emu"]


@dataclass
class Case:
    memory: DeviceMemory
    ctx: np.ndarray  # int8[1024]
    info: int  # address of the flag buffer
    mbn: int
    flag_num: int

    def flags(self) -> np.ndarray:
        return self.memory.array(self.info, np.int32, self.mbn * self.flag_num)

    def batch(self, m: int) -> np.ndarray:
        return self.flags()[m * self.flag_num : (m + 1) * self.flag_num]


def build(memory: DeviceMemory, *, mbn: int, mbs: int, sen: int, mb_id: int, run_flag: int = 1,
          ready: tuple[int, ...] = (), mode: int = 1) -> Case:
    f = mbs * sen
    info = memory.malloc(mbn * f * 4)
    data = memory.malloc(100)  # the doc's separate 100-byte token data buffer
    ctx = np.zeros(1024, np.int8)
    for fmt, off, v in (
        ("<I", 0, 1), ("<I", OFF_MBN, mbn), ("<I", OFF_MBS, mbs), ("<I", OFF_SEN, sen), ("<I", 16, 16),
        ("<I", 20, 512), ("<I", 24, 512), ("<i", OFF_MODE, mode), ("<i", OFF_RUN_FLAG, run_flag),
        ("<Q", OFF_INFO_BUF, info), ("<Q", OFF_INFO_SIZE, mbn * f * 4), ("<Q", OFF_DATA_BUF, data), ("<Q", 280, 100),
        ("<I", OFF_MB_ID, mb_id),
    ):
        put(ctx, fmt, off, v)
    case = Case(memory, ctx, info, mbn, f)
    rng = np.random.default_rng(mbn * 1000 + f)
    case.flags()[:] = rng.integers(0, 3, mbn * f)  # other micro-batches hold anything: never touched
    for m in ready:
        case.batch(m)[:] = 1
    return case


def in_memory(case: Case) -> int:
    """The context copied into device memory; returns its address (used in place by the operator)."""
    address = case.memory.malloc(1024)
    case.memory.write(address, case.ctx)
    return address


@pytest.fixture
def memory() -> DeviceMemory:
    with DeviceMemory(4 << 20) as mem:
        yield mem


def check_against_golden(case: Case, backend: str) -> None:
    want = scheduler_golden(case.ctx, case.flags())
    assert want.completed
    out = inplace_attention_worker_scheduler(case.ctx, memory=case.memory, backend=backend)
    assert out is case.ctx
    np.testing.assert_array_equal(case.ctx, want.ctx)
    np.testing.assert_array_equal(case.flags(), want.flags)


@pytest.mark.parametrize("backend", BACKENDS)
def test_doc_example(memory: DeviceMemory, backend: str) -> None:
    """The doc: num 2, size 48, 9 experts, id 1, the 432 flags of micro-batch 0 set: id becomes 0, flags 0."""
    case = build(memory, mbn=2, mbs=48, sen=9, mb_id=1, ready=(0,))
    other = case.batch(1).copy()
    check_against_golden(case, backend)
    assert u32(case.ctx, OFF_MB_ID) == 0
    assert not case.batch(0).any()
    np.testing.assert_array_equal(case.batch(1), other)


@pytest.mark.parametrize("backend", BACKENDS)
def test_aicpu_ut_all_flags_ready(memory: DeviceMemory, backend: str) -> None:
    case = build(memory, mbn=2, mbs=6, sen=2, mb_id=1, ready=(0,))
    check_against_golden(case, backend)
    assert u32(case.ctx, OFF_MB_ID) == 0


@pytest.mark.parametrize("backend", BACKENDS)
def test_wraps_around(memory: DeviceMemory, backend: str) -> None:
    case = build(memory, mbn=3, mbs=5, sen=3, mb_id=2, ready=(0,))
    check_against_golden(case, backend)
    assert u32(case.ctx, OFF_MB_ID) == 0


@pytest.mark.parametrize("backend", BACKENDS)
def test_polls_the_next_batch_not_the_last(memory: DeviceMemory, backend: str) -> None:
    case = build(memory, mbn=4, mbs=3, sen=3, mb_id=1, ready=(1, 2))
    check_against_golden(case, backend)
    assert u32(case.ctx, OFF_MB_ID) == 2
    assert (case.batch(1) == 1).all()  # the last consumed batch is not touched


@pytest.mark.parametrize("backend", BACKENDS)
def test_run_flag_zero_on_entry_changes_nothing(memory: DeviceMemory, backend: str) -> None:
    case = build(memory, mbn=2, mbs=6, sen=2, mb_id=0, run_flag=0, ready=(1,))
    ctx, flags = case.ctx.copy(), case.flags().copy()
    inplace_attention_worker_scheduler(case.ctx, memory=memory, backend=backend)
    np.testing.assert_array_equal(case.ctx, ctx)
    np.testing.assert_array_equal(case.flags(), flags)


@pytest.mark.parametrize("backend", BACKENDS)
def test_more_flags_than_one_dma_chunk(memory: DeviceMemory, backend: str) -> None:
    """4,500 flags: the device counts them in three DMA chunks (2048 + 2048 + a 404-flag tail)."""
    case = build(memory, mbn=2, mbs=500, sen=9, mb_id=0, ready=(1,))
    check_against_golden(case, backend)


def _later(delay: float, action: object) -> threading.Thread:
    def go() -> None:
        time.sleep(delay)
        action()  # type: ignore[operator]

    th = threading.Thread(target=go, daemon=True)
    th.start()
    return th


@pytest.mark.parametrize("backend", BACKENDS)
def test_producer_thread_sets_flags_one_by_one(memory: DeviceMemory, backend: str) -> None:
    """Another agent sets the polled flags one at a time while the kernel polls; the call ends when the last is set."""
    case = build(memory, mbn=2, mbs=4, sen=3, mb_id=0)
    case.batch(1)[:] = 0
    address = in_memory(case)
    order = np.random.default_rng(7).permutation(case.flag_num)
    flags = case.batch(1)
    last_set: list[float] = []

    def produce() -> None:
        time.sleep(0.3)  # the kernel is polling by now
        for n, i in enumerate(order):
            if n == len(order) - 1:
                last_set.append(time.monotonic())  # the call cannot end before this moment
            flags[i] = 1
            time.sleep(0.02)

    th = threading.Thread(target=produce, daemon=True)
    th.start()
    inplace_attention_worker_scheduler(address, memory=memory, backend=backend, timeout=60)
    returned = time.monotonic()
    th.join()
    assert last_set and returned >= last_set[0]  # it waited for the last flag
    ctx = memory.read(address, np.int8, 1024)
    assert u32(ctx, OFF_MB_ID) == 1
    assert not case.batch(1).any()


@pytest.mark.parametrize("backend", BACKENDS)
def test_run_flag_cleared_by_another_thread(memory: DeviceMemory, backend: str) -> None:
    case = build(memory, mbn=2, mbs=4, sen=3, mb_id=1, ready=())
    case.batch(0)[:5] = 1
    address = in_memory(case)
    flags = case.flags().copy()
    run_flag = memory.array(address + OFF_RUN_FLAG, np.int32, 1)
    th = _later(0.5, lambda: run_flag.__setitem__(0, 0))
    inplace_attention_worker_scheduler(address, memory=memory, backend=backend, timeout=60)
    th.join()
    ctx = memory.read(address, np.int8, 1024)
    expected = case.ctx.copy()
    put(expected, "<i", OFF_RUN_FLAG, 0)  # the other agent's write; the operator wrote nothing
    np.testing.assert_array_equal(ctx, expected)
    np.testing.assert_array_equal(case.flags(), flags)


@pytest.mark.parametrize("backend", BACKENDS)
def test_flags_equal_to_two_never_count(memory: DeviceMemory, backend: str) -> None:
    case = build(memory, mbn=2, mbs=4, sen=3, mb_id=1, ready=(0,))
    case.batch(0)[7] = 2
    ctx, flags = case.ctx.copy(), case.flags().copy()
    assert not scheduler_golden(ctx, flags).completed
    with pytest.raises(AscdslError, match=r"micro-batch 0: 11 of its 12 flags were ready") as info:
        inplace_attention_worker_scheduler(case.ctx, memory=memory, backend=backend, timeout=1.0)
    assert not isinstance(info.value, AclnnError)
    np.testing.assert_array_equal(case.ctx, ctx)
    np.testing.assert_array_equal(case.flags(), flags)


@pytest.mark.parametrize("backend", BACKENDS)
def test_timeout_names_the_batch_and_the_ready_count(memory: DeviceMemory, backend: str) -> None:
    case = build(memory, mbn=3, mbs=2, sen=5, mb_id=0, ready=())
    case.batch(1)[:] = 0
    case.batch(1)[:3] = 1
    ctx, flags = case.ctx.copy(), case.flags().copy()
    start = time.monotonic()
    with pytest.raises(AscdslError, match=r"timed out after 0.5 s waiting for micro-batch 1: 3 of its 10 flags"):
        inplace_attention_worker_scheduler(case.ctx, memory=memory, backend=backend, timeout=0.5)
    assert time.monotonic() - start < 30
    np.testing.assert_array_equal(case.ctx, ctx)
    np.testing.assert_array_equal(case.flags(), flags)


# ------------------------------------------------------------------ invalid calls: nothing changes


INVALID_CONTEXTS = [
    ("schedule_mode", "<i", OFF_MODE, 2, r"common\.schedule_mode is 2"),
    ("schedule_mode", "<i", OFF_MODE, 0, r"common\.schedule_mode is 0"),
    ("micro_batch_num", "<I", OFF_MBN, 0, r"common\.micro_batch_num is 0"),
    ("micro_batch_size", "<I", OFF_MBS, 0, r"common\.micro_batch_size is 0"),
    ("selected_expert_num", "<I", OFF_SEN, 0, r"common\.selected_expert_num is 0"),
    ("token_info_buf", "<Q", OFF_INFO_BUF, 0, r"attention\.token_info_buf is 0"),
    ("token_data_buf", "<Q", OFF_DATA_BUF, 0, r"attention\.token_data_buf is 0"),
    ("token_info_buf_size", "<Q", OFF_INFO_SIZE, 2 * 12 * 4 - 1, r"attention\.token_info_buf_size is 95"),
    ("micro_batch_id", "<I", OFF_MB_ID, 2, r"attention\.micro_batch_id is 2"),
]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(("field", "fmt", "off", "value", "message"), INVALID_CONTEXTS, ids=[f"{c[0]}={c[3]}" for c in INVALID_CONTEXTS])
def test_invalid_context_is_561002(memory: DeviceMemory, backend: str, field: str, fmt: str, off: int, value: int, message: str) -> None:
    case = build(memory, mbn=2, mbs=4, sen=3, mb_id=1, ready=(0,))
    put(case.ctx, fmt, off, value)
    assert invalid_field(case.ctx) == field
    ctx, flags = case.ctx.copy(), case.flags().copy()
    with pytest.raises(AclnnError, match=message) as info:
        inplace_attention_worker_scheduler(case.ctx, memory=memory, backend=backend)
    assert info.value.code == 561002
    np.testing.assert_array_equal(case.ctx, ctx)
    np.testing.assert_array_equal(case.flags(), flags)


def test_invalid_context_is_rejected_even_with_run_flag_zero(memory: DeviceMemory) -> None:
    case = build(memory, mbn=2, mbs=4, sen=3, mb_id=1, run_flag=0)
    put(case.ctx, "<i", OFF_MODE, 2)
    with pytest.raises(AclnnError) as info:
        inplace_attention_worker_scheduler(case.ctx, memory=memory)
    assert info.value.code == 561002


@pytest.mark.parametrize(
    ("value", "code", "message"),
    [
        (None, 161001, "schedule_context is required"),
        (0, 161001, "null address"),
        (np.zeros((1024, 2), np.int8), 161002, "1-D"),
        (np.zeros(0, np.int8), 161002, "empty"),
        (np.zeros(1024, np.int32), 161002, "INT8"),
        (np.zeros(1023, np.int8), 161002, "1024 bytes"),
        (np.zeros(2048, np.int8)[::2], 161002, "contiguous"),
        ([0] * 1024, 161002, "int8 array"),
    ],
    ids=["null", "null-address", "rank2", "empty", "int32", "1023", "strided", "list"],
)
def test_invalid_tensor(memory: DeviceMemory, value: object, code: int, message: str) -> None:
    before = memory.allocations()
    with pytest.raises(AclnnError, match=message) as info:
        inplace_attention_worker_scheduler(value, memory=memory)  # type: ignore[arg-type]
    assert info.value.code == code
    assert memory.allocations() == before  # nothing allocated or leaked


def test_flag_buffer_outside_device_memory_is_a_runtime_error(memory: DeviceMemory) -> None:
    """A token_info_buf that points past its allocation: the bounds check names it, nothing changes."""
    case = build(memory, mbn=2, mbs=4, sen=3, mb_id=1, ready=(0,))
    put(case.ctx, "<Q", OFF_INFO_BUF, case.info + 64)  # the size field still claims the whole buffer
    ctx = case.ctx.copy()
    with pytest.raises(AscdslError, match="past its end"):
        inplace_attention_worker_scheduler(case.ctx, memory=memory)
    np.testing.assert_array_equal(case.ctx, ctx)


# ------------------------------------------------------------------ every pipeline stage, random shapes


@pytest.mark.parametrize("stage", STAGES)
def test_every_stage_matches_the_golden(memory: DeviceMemory, stage: str) -> None:
    rng = np.random.default_rng(11)
    for _ in range(3):
        mbn, mbs, sen = int(rng.integers(1, 5)), int(rng.integers(1, 60)), int(rng.integers(1, 10))
        mb_id = int(rng.integers(0, mbn))
        case = build(memory, mbn=mbn, mbs=mbs, sen=sen, mb_id=mb_id, ready=((mb_id + 1) % mbn,))
        address = in_memory(case)
        want = scheduler_golden(case.ctx, case.flags())
        run(attention_worker_scheduler, {"schedule_context": memory.array(address, np.int8, 1024)}, memory=memory, stage=stage)
        np.testing.assert_array_equal(memory.read(address, np.int8, 1024), want.ctx)
        np.testing.assert_array_equal(case.flags(), want.flags)


def test_random_cases_on_interp(memory: DeviceMemory) -> None:
    rng = np.random.default_rng(3)
    for _ in range(20):
        mbn, mbs, sen = int(rng.integers(1, 6)), int(rng.integers(1, 100)), int(rng.integers(1, 12))
        mb_id = int(rng.integers(0, mbn))
        case = build(memory, mbn=mbn, mbs=mbs, sen=sen, mb_id=mb_id, run_flag=int(rng.integers(0, 2)), ready=((mb_id + 1) % mbn,))
        check_against_golden(case, "interp")

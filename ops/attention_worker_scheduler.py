"""InplaceAttentionWorkerScheduler: the attention side of Attention/FFN disaggregation
(aclnnInplaceAttentionWorkerScheduler, GE op AttentionWorkerScheduler).

Semantics: ../shared/reference/op_semantics.md section 1 ("Project decision" of 1.4 and 1.6). The 1024-byte
ScheduleContext names a flag buffer in device memory; the kernel polls micro-batch (micro_batch_id + 1) %
micro_batch_num until all its micro_batch_size * selected_expert_num int32 flags equal exactly 1 or run_flag
becomes 0, then zeroes those flags and publishes the new micro_batch_id. With run_flag 0 it changes nothing.
Another agent (a Python thread here) writes the flags and run_flag while the kernel polls.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from ascdsl.runtime import run
from ascdsl.runtime.device_memory import DeviceMemory

from ascdsl import (
    Array,
    InOut,
    Reserved,
    Tensor,
    as_struct,
    at,
    count_equal,
    gm_tensor,
    i8,
    i32,
    kernel,
    require,
    struct,
    u32,
    u64,
    volatile,
)
from ascdsl.errors import (
    ACLNN_ERR_INNER_TILING_ERROR,
    ACLNN_ERR_PARAM_INVALID,
    ACLNN_ERR_PARAM_NULLPTR,
    AclnnError,
    AscdslError,
    KernelTimeout,
)

CONTEXT_BYTES = 1024
ATTENTION_MODE = 1  # schedule_mode of the attention side (0 is the FFN side)

# ------------------------------------------------------------------ the ScheduleContext (#pragma pack(1) in the doc)


@struct(size=128)
class CommonArea:
    session_num: u32
    micro_batch_num: u32
    micro_batch_size: u32
    selected_expert_num: u32
    expert_num: u32
    attn_to_ffn_token_size: u32
    ffn_to_attn_token_size: u32
    schedule_mode: i32
    reserve0: Reserved[96]


@struct(size=128)
class ControlArea:
    run_flag: i32  # 0: exit; anything else: running. Re-read on every poll.
    reserve2: Reserved[124]


@struct(size=128)
class AttentionArea:
    token_info_buf: u64  # device address of the flags: micro_batch_num descriptors of F int32 flags
    token_info_buf_size: u64
    token_data_buf: u64
    token_data_buf_size: u64
    micro_batch_id: u32 = at(32)
    reserve5: Reserved[92]


@struct(size=256)
class FfnArea:
    token_info_buf: u64
    token_info_buf_size: u64
    token_data_buf: u64
    token_data_buf_size: u64
    polling_index: u64
    reserve3: Reserved[88]
    layer_ids_buf: u64 = at(128)
    layer_ids_buf_size: u64
    session_ids_buf: u64
    session_ids_buf_size: u64
    micro_batch_ids_buf: u64
    micro_batch_ids_buf_size: u64
    expert_ids_buf: u64
    expert_ids_buf_size: u64
    out_num: u32 = at(192)
    reserve4: Array[i8, 60]


@struct(size=CONTEXT_BYTES)
class ScheduleContext:
    common: CommonArea
    control: ControlArea = at(128)
    attention: AttentionArea = at(256)
    ffn: FfnArea = at(384)
    reserve6: Reserved[384]


# ------------------------------------------------------------------ the kernel


@kernel(op_type="AttentionWorkerScheduler")
def attention_worker_scheduler(schedule_context: InOut[Tensor[i8, N]]):
    require(N > 0, code=161002, msg="schedule_context must not be empty")
    require(N == 1024, code=161002, msg="schedule_context must have exactly 1024 bytes (shape [1024])")
    ctx = as_struct(schedule_context, ScheduleContext)
    mbn = ctx.common.micro_batch_num
    flag_num = ctx.common.micro_batch_size * ctx.common.selected_expert_num
    last = ctx.attention.micro_batch_id
    buf = ctx.attention.token_info_buf
    # The host validated the context (561002); on the device an invalid one exits without writing anything.
    valid = ctx.common.schedule_mode == 1 and mbn > 0 and flag_num > 0 and buf != 0 and ctx.attention.token_data_buf != 0
    if valid:
        size = ctx.attention.token_info_buf_size  # a u64: sizes of 2**63 and more read as negative on the device
        valid = last < mbn and (size < 0 or flag_num <= size // 4 // mbn)
    if valid:
        target = (last + 1) % mbn
        flags = gm_tensor(buf + target * flag_num * 4, i32, flag_num)  # the polled micro-batch only
        running = volatile(ctx.control.run_flag) != 0
        ready = 0
        while running and ready < flag_num:
            ready = count_equal(flags, 1)  # only exactly 1 counts; one DMA per chunk of flags
            running = volatile(ctx.control.run_flag) != 0
        if running:
            flags[0:flag_num] = 0  # reset first ...
            ctx.attention.micro_batch_id = target  # ... then publish the id


# ------------------------------------------------------------------ host side


def _context_fields(data: np.ndarray) -> np.ndarray:
    return ScheduleContext.view(data)


def validate_context(data: np.ndarray) -> None:
    """The kernel-time checks of the official AICPU kernel, run before anything is touched (561002)."""
    c = _context_fields(data)
    common, att = c["common"], c["attention"]

    def bad(field: str, value: int, why: str) -> AclnnError:
        return AclnnError(ACLNN_ERR_INNER_TILING_ERROR, f"schedule_context {field} is {value}: {why}")

    if int(common["schedule_mode"]) != ATTENTION_MODE:
        raise bad("common.schedule_mode", int(common["schedule_mode"]), "it must be 1 (attention)")
    for name in ("micro_batch_num", "micro_batch_size", "selected_expert_num"):
        if int(common[name]) == 0:
            raise bad(f"common.{name}", 0, "it must be greater than 0")
    if int(att["token_info_buf"]) == 0:
        raise bad("attention.token_info_buf", 0, "the flag buffer address must not be null")
    if int(att["token_data_buf"]) == 0:
        raise bad("attention.token_data_buf", 0, "the token data buffer address must not be null")
    mbn, flag_num = int(common["micro_batch_num"]), int(common["micro_batch_size"]) * int(common["selected_expert_num"])
    need = mbn * flag_num * 4
    if int(att["token_info_buf_size"]) < need:
        raise bad("attention.token_info_buf_size", int(att["token_info_buf_size"]),
                  f"micro_batch_num * micro_batch_size * selected_expert_num * 4 = {need} bytes are needed")
    if int(att["micro_batch_id"]) >= mbn:
        raise bad("attention.micro_batch_id", int(att["micro_batch_id"]), f"it must be less than micro_batch_num ({mbn})")


def _context_array(schedule_context: Any, memory: DeviceMemory) -> tuple[np.ndarray, int | None]:
    """The context as a view of `memory` and, when the caller passed an array, the allocation made for it."""
    if schedule_context is None:
        raise AclnnError(ACLNN_ERR_PARAM_NULLPTR, "schedule_context is required but was not given (null)")
    if isinstance(schedule_context, int | np.integer) and not isinstance(schedule_context, bool):
        if int(schedule_context) == 0:
            raise AclnnError(ACLNN_ERR_PARAM_NULLPTR, "schedule_context is a null address")
        return memory.array(int(schedule_context), np.int8, CONTEXT_BYTES), None
    if not isinstance(schedule_context, np.ndarray):
        raise AclnnError(ACLNN_ERR_PARAM_INVALID, f"schedule_context must be an int8 array or an address in memory, got {type(schedule_context).__name__}")
    a = schedule_context
    if a.ndim != 1:
        raise AclnnError(ACLNN_ERR_PARAM_INVALID, f"schedule_context must be 1-D, got shape {list(a.shape)}")
    if a.size == 0:
        raise AclnnError(ACLNN_ERR_PARAM_INVALID, "schedule_context must not be empty")
    if a.dtype != np.int8:
        raise AclnnError(ACLNN_ERR_PARAM_INVALID, f"schedule_context must have dtype INT8, got {a.dtype}")
    if a.size != CONTEXT_BYTES:
        raise AclnnError(ACLNN_ERR_PARAM_INVALID, f"schedule_context must have exactly 1024 bytes, got {a.size}")
    if not a.flags.c_contiguous:
        raise AclnnError(ACLNN_ERR_PARAM_INVALID, "schedule_context is not contiguous; pass np.ascontiguousarray(schedule_context)")
    if memory.address_of(a) is not None:
        return a, None
    address = memory.malloc(CONTEXT_BYTES)
    memory.write(address, a)
    return memory.array(address, np.int8, CONTEXT_BYTES), address


def _timeout_error(ctx: np.ndarray, memory: DeviceMemory, timeout: float) -> AscdslError:
    c = _context_fields(ctx)
    mbn = int(c["common"]["micro_batch_num"])
    flag_num = int(c["common"]["micro_batch_size"]) * int(c["common"]["selected_expert_num"])
    target = (int(c["attention"]["micro_batch_id"]) + 1) % mbn
    flags = memory.read(int(c["attention"]["token_info_buf"]) + target * flag_num * 4, np.int32, flag_num)
    ready = int(np.count_nonzero(flags == 1))
    return AscdslError(
        f"InplaceAttentionWorkerScheduler: timed out after {timeout} s waiting for micro-batch {target}: "
        f"{ready} of its {flag_num} flags were ready (equal to 1); nothing was changed"
    )


def inplace_attention_worker_scheduler(
    schedule_context: np.ndarray | int | None,
    *,
    memory: DeviceMemory,
    backend: str = "interp",
    timeout: float | None = None,
) -> np.ndarray | int:
    """aclnnInplaceAttentionWorkerScheduler on `schedule_context`, updated in place, and returned.

    `schedule_context` is an int8 array of 1024 bytes (copied into `memory` and back) or the address of the
    context in `memory` (used in place, so another thread can clear run_flag while the kernel polls). The
    flag buffer it names must be in `memory`. Raises `AclnnError` 161001 / 161002 / 561002 before anything
    is written; when `timeout` (seconds) expires, an `AscdslError` naming the micro-batch it waited for and
    how many of its flags were ready, with nothing changed.
    """
    ctx, copied = _context_array(schedule_context, memory)
    try:
        validate_context(ctx)
        try:
            run(attention_worker_scheduler, {"schedule_context": ctx}, backend=backend, memory=memory, timeout=timeout)
        except KernelTimeout:
            raise _timeout_error(ctx, memory, timeout if timeout is not None else 0.0) from None
        if copied is not None:
            np.copyto(schedule_context, ctx)  # type: ignore[arg-type]
    finally:
        if copied is not None:
            memory.free(copied)
    return schedule_context  # type: ignore[return-value]


# ------------------------------------------------------------------ examples for `ascdsl check`

_EXAMPLE_MEMORY: DeviceMemory | None = None


def example_memory() -> DeviceMemory:
    """The device memory the example calls' addresses point into (one per process)."""
    global _EXAMPLE_MEMORY
    if _EXAMPLE_MEMORY is None:
        _EXAMPLE_MEMORY = DeviceMemory(1 << 20)
    return _EXAMPLE_MEMORY


def make_context(memory: DeviceMemory, *, mbn: int, mbs: int, sen: int, micro_batch_id: int, run_flag: int = 1,
                 ready_batches: tuple[int, ...] = ()) -> tuple[np.ndarray, int, int]:
    """A valid context (int8[1024]) with a fresh flag buffer in `memory`; the flags of `ready_batches` are 1.

    Returns the context, the flag buffer's address and the token data buffer's address."""
    flag_num = mbs * sen
    info = memory.malloc(mbn * flag_num * 4)
    data = memory.malloc(100)
    flags = memory.array(info, np.int32, (mbn, flag_num))
    for m in ready_batches:
        flags[m] = 1
    ctx = np.zeros(CONTEXT_BYTES, np.int8)
    c = ScheduleContext.view(ctx)
    c["common"]["session_num"] = 1
    c["common"]["micro_batch_num"] = mbn
    c["common"]["micro_batch_size"] = mbs
    c["common"]["selected_expert_num"] = sen
    c["common"]["schedule_mode"] = ATTENTION_MODE
    c["control"]["run_flag"] = run_flag
    c["attention"]["token_info_buf"] = info
    c["attention"]["token_info_buf_size"] = mbn * flag_num * 4
    c["attention"]["token_data_buf"] = data
    c["attention"]["token_data_buf_size"] = 100
    c["attention"]["micro_batch_id"] = micro_batch_id
    return ctx, info, data


def example_calls(k: object, rng: np.random.Generator, count: int = 3) -> list[dict[str, Any]]:
    """Calls whose flags are ready (or whose run_flag is 0), so no stage waits: contexts in device memory."""
    memory = example_memory()
    calls = []
    for i in range(count):
        mbn, mbs, sen = int(rng.integers(1, 4)), int(rng.integers(1, 40)), int(rng.integers(1, 10))
        last = int(rng.integers(0, mbn))
        ctx, _, _ = make_context(memory, mbn=mbn, mbs=mbs, sen=sen, micro_batch_id=last, run_flag=0 if i == 2 else 1,
                                 ready_batches=((last + 1) % mbn,))
        address = memory.malloc(CONTEXT_BYTES)
        memory.write(address, ctx)
        calls.append({"schedule_context": memory.array(address, np.int8, CONTEXT_BYTES)})
    return calls

"""Numpy golden of InplaceAttentionWorkerScheduler, written from op_semantics.md section 1 alone.

The context is read and written with the byte offsets of the doc's table (1.2) through Python's `struct`
module, not through ascdsl's @struct declaration, so a layout mistake in the operator cannot hide here.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

import numpy as np

OFF_MBN, OFF_MBS, OFF_SEN, OFF_MODE = 4, 8, 12, 28
OFF_RUN_FLAG = 128
OFF_INFO_BUF, OFF_INFO_SIZE, OFF_DATA_BUF, OFF_MB_ID = 256, 264, 272, 288


def u32(ctx: np.ndarray, off: int) -> int:
    return int(struct.unpack_from("<I", ctx.tobytes(), off)[0])


def i32(ctx: np.ndarray, off: int) -> int:
    return int(struct.unpack_from("<i", ctx.tobytes(), off)[0])


def u64(ctx: np.ndarray, off: int) -> int:
    return int(struct.unpack_from("<Q", ctx.tobytes(), off)[0])


def put(ctx: np.ndarray, fmt: str, off: int, value: int) -> None:
    raw = bytearray(ctx.tobytes())
    struct.pack_into(fmt, raw, off, value)
    ctx[:] = np.frombuffer(bytes(raw), np.int8)


@dataclass
class Outcome:
    ctx: np.ndarray  # the context after the call
    flags: np.ndarray  # the whole flag buffer (int32, micro_batch_num * F) after the call
    waited_for: int  # the micro-batch that was polled
    completed: bool  # False when the call would keep waiting (flags not all 1 and run_flag != 0)


def scheduler_golden(ctx: np.ndarray, flags: np.ndarray) -> Outcome:
    """One call on a valid context with the flags as they are (no other agent): the expected result."""
    ctx, flags = ctx.copy(), flags.copy()
    mbn = u32(ctx, OFF_MBN)
    f = u32(ctx, OFF_MBS) * u32(ctx, OFF_SEN)
    target = (u32(ctx, OFF_MB_ID) + 1) % mbn
    if i32(ctx, OFF_RUN_FLAG) == 0:
        return Outcome(ctx, flags, target, True)
    polled = flags[target * f : (target + 1) * f]
    if int(np.count_nonzero(polled == 1)) != f:
        return Outcome(ctx, flags, target, False)
    polled[:] = 0
    put(ctx, "<I", OFF_MB_ID, target)
    return Outcome(ctx, flags, target, True)


def invalid_field(ctx: np.ndarray) -> str | None:
    """The first context field the doc's kernel-time checks reject (1.6), or None."""
    mbn, mbs, sen = u32(ctx, OFF_MBN), u32(ctx, OFF_MBS), u32(ctx, OFF_SEN)
    if i32(ctx, OFF_MODE) != 1:
        return "schedule_mode"
    for name, v in (("micro_batch_num", mbn), ("micro_batch_size", mbs), ("selected_expert_num", sen)):
        if v == 0:
            return name
    if u64(ctx, OFF_INFO_BUF) == 0:
        return "token_info_buf"
    if u64(ctx, OFF_DATA_BUF) == 0:
        return "token_data_buf"
    if u64(ctx, OFF_INFO_SIZE) < mbn * mbs * sen * 4:
        return "token_info_buf_size"
    if u32(ctx, OFF_MB_ID) >= mbn:
        return "micro_batch_id"
    return None

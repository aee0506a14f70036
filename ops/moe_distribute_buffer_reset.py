"""MoeDistributeBufferReset: zero this rank's expert-parallel communication windows, optionally with a
cross-rank handshake (aclnnMoeDistributeBufferReset, an MC2 operator).

Semantics: ../shared/reference/op_semantics.md section 4 (the "Project decision" of 4.3 and 4.4). Every rank
that runs zeroes its whole data window and the first 1,024,032 bytes of its state window, split over all AIV
cores. With need_sync = 1, after a barrier of the cores, it writes a 32-byte flag (float 1.0, then zeros) at
byte 1,024,032 + 32 * rank of the state window of every rank marked 1 in elastic_info, waits until the flags
of exactly those ranks are set in its own state window, then zeroes the flag slots of all ranks.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
from ascdsl.runtime import Budget, CommDomain, run

from ascdsl import (
    Attr,
    Tensor,
    comm_rank,
    data_window,
    f32,
    fill,
    full,
    i32,
    kernel,
    require,
    state_window,
    store,
    sync_all,
)
from ascdsl.errors import ACLNN_ERR_PARAM_INVALID, AclnnError, DeviceRuntimeError

FLAG_AREA = 1_024_032  # state bytes zeroed before the flags: 1 MiB - 767 * 32
SLOT_BYTES = 32  # one flag slot per sending rank
DEFAULT_TIMEOUT_S = 30.0  # the doc's example synchronises its stream with a timeout too


@kernel(op_type="MoeDistributeBufferReset")
def moe_distribute_buffer_reset_kernel(
    elastic_info: Tensor[i32, W],
    group_ep: Attr[str],
    ep_world_size: Attr[int],
    need_sync: Attr[int],
):
    require(ep_world_size == W, code=161002, msg="elastic_info must have shape (ep_world_size,)")
    require(
        ep_world_size >= 16 and ep_world_size <= 128 and ep_world_size % 16 == 0,
        code=561002,
        msg="ep_world_size must be a multiple of 16 in [16, 128]",
    )
    require(need_sync == 0 or need_sync == 1, code=561002, msg="need_sync must be 0 or 1")

    me = comm_rank(group_ep)
    # Whole windows at the top level: the compiler splits each fill over all AIV cores in large DMAs.
    fill(data_window(group_ep, me), 0)
    fill(state_window(group_ep, me)[0:FLAG_AREA], 0)  # the flag area after it may already hold early flags
    if need_sync == 1:
        sync_all()  # every core has finished cleaning before any flag leaves
    if need_sync == 1:
        first = (FLAG_AREA + SLOT_BYTES * me) // 4  # this rank's slot, in floats
        for t in range(W):
            if elastic_info[t] == 1:
                slot = state_window(group_ep, t, f32)[first : first + 8]
                store(slot[0:1], full([1], 1.0, f32))
                store(slot[1:8], full([7], 0.0, f32))
        mine = state_window(group_ep, me, f32)
        t = 0
        while t < W:  # wait for the linked ranks in turn; the runtime bounds the wait
            if elastic_info[t] != 1 or mine[FLAG_AREA // 4 + 8 * t] == 1.0:
                t += 1
        fill(state_window(group_ep, me)[FLAG_AREA : FLAG_AREA + SLOT_BYTES * W], 0)


def moe_distribute_buffer_reset(
    elastic_info: np.ndarray | None,
    group_ep: str | None,
    ep_world_size: int,
    need_sync: int,
    *,
    rank: int,
    backend: str = "interp",
    timeout: float | None = None,
    stage: str = "tile",
) -> Any:
    """aclnnMoeDistributeBufferReset for one rank of the CommDomain named `group_ep` (`stage`: the pipeline stage
    the interpreter runs, for checking the compiler).

    Raises `AclnnError` (161001 null, 161002 invalid elastic_info or group_ep, 561002 invalid ep_world_size or
    need_sync) before anything is written; `DeviceRuntimeError` naming the ranks whose flag never arrived when
    the handshake does not complete within `timeout` seconds (the local clean has happened by then).
    """
    args: dict[str, Any] = {
        "elastic_info": elastic_info,
        "group_ep": group_ep,
        "ep_world_size": ep_world_size,
        "need_sync": need_sync,
    }
    # The group length is checked by the official aclnn wrapper (strnlen), before the generated aclnn and its
    # tiling; here likewise, once neither argument is null (a null one is run's 161001, which comes first).
    if elastic_info is not None and isinstance(group_ep, str) and not 0 < len(group_ep) < 128:
        raise AclnnError(ACLNN_ERR_PARAM_INVALID, f"group_ep must have 1 to 127 characters, got {len(group_ep)}")
    limit = DEFAULT_TIMEOUT_S if timeout is None else float(timeout)
    start = time.monotonic()
    try:
        return run(moe_distribute_buffer_reset_kernel, args, backend=backend, stage=stage, rank=rank, budget=Budget(timeout=limit))
    except DeviceRuntimeError as exc:
        if time.monotonic() - start < limit:
            raise
        missing = missing_flags(CommDomain.find(group_ep), rank, elastic_info)  # type: ignore[arg-type]
        if not missing:
            raise
        raise DeviceRuntimeError(
            f"rank {rank}: the flags of ranks {missing} did not arrive within {limit} s "
            "(are they running, and do they mark this rank as linked in their elastic_info?)"
        ) from exc


def missing_flags(domain: CommDomain, rank: int, elastic_info: np.ndarray) -> list[int]:
    """The linked ranks whose flag (float 1.0 at the start of their slot) is not in this rank's state window."""
    state = domain.state_window(rank)
    slots = np.frombuffer(state[FLAG_AREA : FLAG_AREA + SLOT_BYTES * domain.world_size].tobytes(), np.float32).reshape(-1, 8)
    return [int(t) for t in range(len(elastic_info)) if elastic_info[t] == 1 and slots[t, 0] != 1.0]


def example_calls(k: object, rng: np.random.Generator, count: int = 3) -> list[dict[str, Any]]:
    """Calls for the main job's stage-by-stage check, which runs them as the only rank of a one-rank domain:
    with need_sync 1 that rank is the only one it marks linked, so it sends its flag to itself and waits for it."""
    calls = []
    for w, need_sync in ((16, 0), (32, 1), (128, 1))[:count]:
        elastic = np.zeros(w, np.int32)
        elastic[0] = 1
        calls.append({"elastic_info": elastic, "group_ep": "ascdsl_check_ep", "ep_world_size": w, "need_sync": need_sync})
    return calls

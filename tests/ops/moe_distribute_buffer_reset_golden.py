"""Plain-numpy golden of MoeDistributeBufferReset (op_semantics.md 4.3, project decision), written from the doc.

It takes every rank's windows before the call and returns them after a successful call of the given ranks,
each with its own elasticInfo row.
"""

from __future__ import annotations

import numpy as np

STATE_CLEAN_BYTES = 1_024_032  # 1 MiB - 767 * 32
SLOT = 32


def flag_bytes() -> np.ndarray:
    slot = np.zeros(8, dtype="<f4")
    slot[0] = 1.0
    return slot.view(np.uint8)  # 00 00 80 3F, then 28 zero bytes


def buffer_reset_golden(
    data: list[np.ndarray],
    state: list[np.ndarray],
    elastic: dict[int, np.ndarray],
    running: list[int],
    need_sync: int,
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    world = len(data)
    data = [d.copy() for d in data]
    state = [s.copy() for s in state]
    for r in running:
        data[r][:] = 0
        state[r][:STATE_CLEAN_BYTES] = 0
    if need_sync == 1:
        for r in running:
            for t in range(world):
                if elastic[r][t] == 1:
                    at = STATE_CLEAN_BYTES + SLOT * r
                    state[t][at : at + SLOT] = flag_bytes()
        for r in running:  # every linked flag arrived (the caller checks the call succeeded), then the slots are zeroed
            state[r][STATE_CLEAN_BYTES : STATE_CLEAN_BYTES + SLOT * world] = 0
    return data, state

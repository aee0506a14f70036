"""Plain-numpy golden of NsaCompressWithCache, written from op_semantics.md 3.2 (not from the DSL kernel).

float32 products and a float32 sum in token order, then one cast rounding half to even (ml_dtypes and numpy
both round to nearest even); the doc's tree order may differ by 1 ulp of the output dtype, which the tests allow.
"""

from __future__ import annotations

import numpy as np


def compressing(act_seq_len: list[int], cbs: int, stride: int) -> list[int]:
    """Batches whose length reaches a compression point."""
    return [b for b, s in enumerate(act_seq_len) if s >= cbs and (s - cbs) % stride == 0]


def nsa_compress_golden(inp: np.ndarray, weight: np.ndarray, slot_mapping: np.ndarray, act_seq_len: list[int],
                        block_table: np.ndarray, cbs: int, stride: int, pbs: int, out_cache: np.ndarray) -> np.ndarray:
    """A new output_cache: the input one with each compressing batch's slot replaced."""
    out = out_cache.copy()
    n, d = inp.shape[2], inp.shape[3]
    for b in compressing(act_seq_len, cbs, stride):
        t0 = act_seq_len[b] - cbs
        acc = np.zeros((n, d), np.float32)
        for t in range(cbs):
            g = t0 + t
            tokens = inp[block_table[b, g // pbs], g % pbs].astype(np.float32)  # [N, D]
            acc += tokens * weight[t].astype(np.float32)[:, None]
        out[slot_mapping[b]] = acc.astype(inp.dtype)
    return out


def ulp_distance(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """How many representable 16-bit floats (fp16 or bf16) lie between a and b, element by element."""
    def ordered(x: np.ndarray) -> np.ndarray:
        bits = np.ascontiguousarray(x).view(np.uint16).astype(np.int32)
        return np.where(bits & 0x8000, -(bits & 0x7FFF), bits)

    return np.abs(ordered(a) - ordered(b))

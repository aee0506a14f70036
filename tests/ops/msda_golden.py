"""Plain-numpy golden of MultiScaleDeformableAttn V2 forward, from op_semantics.md 5.2 (not from the DSL kernel).

Vectorized over (batch, query, head, level, point) in float64: each of the four bilinear corners is gathered at
its key index and zeroed when out of range (per-corner zero padding, align_corners=False).
"""

from __future__ import annotations

import numpy as np


def msda_forward_golden(value: np.ndarray, shapes: np.ndarray, starts: np.ndarray, loc: np.ndarray, attn: np.ndarray) -> np.ndarray:
    bs, _, nh, e = value.shape
    nq = loc.shape[1]
    v = value.astype(np.float64)
    hs = shapes[:, 0].astype(np.int64)[None, None, None, :, None]
    ws = shapes[:, 1].astype(np.int64)[None, None, None, :, None]
    st = starts.astype(np.int64)[None, None, None, :, None]
    x = loc[..., 0].astype(np.float64) * ws - 0.5
    y = loc[..., 1].astype(np.float64) * hs - 0.5
    x0, y0 = np.floor(x), np.floor(y)
    ax, ay = x - x0, y - y0
    x0, y0 = x0.astype(np.int64), y0.astype(np.int64)
    b_idx = np.arange(bs)[:, None, None, None, None]
    h_idx = np.arange(nh)[None, None, :, None, None]
    out = np.zeros((bs, nq, nh, e))
    for dy, dx, wgt in ((0, 0, (1 - ay) * (1 - ax)), (0, 1, (1 - ay) * ax), (1, 0, ay * (1 - ax)), (1, 1, ay * ax)):
        yy, xx = y0 + dy, x0 + dx
        inside = (yy >= 0) & (yy < hs) & (xx >= 0) & (xx < ws)
        k = np.where(inside, st + yy * ws + xx, 0)
        rows = v[b_idx, k, h_idx]  # (bs, nq, nh, nl, np, e)
        coef = np.where(inside, wgt, 0.0) * attn.astype(np.float64)
        out += np.einsum("bqhlp,bqhlpe->bqhe", coef, rows)
    return out.reshape(bs, nq, nh * e)


def level_layout(shapes: list[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray, int]:
    """spatial_shape, level_start_index and num_keys of a list of (H, W) levels."""
    s = np.array(shapes, np.int32)
    sizes = s[:, 0].astype(np.int64) * s[:, 1]
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int32)
    return s, starts, int(sizes.sum())

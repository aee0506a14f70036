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


def msda_backward_golden(value: np.ndarray, shapes: np.ndarray, starts: np.ndarray, loc: np.ndarray, attn: np.ndarray,
                         grad_out: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """op_semantics.md 5.3 (mmcv col2im rule), point by point in float64: (grad_value, grad_location, grad_attn)."""
    bs, _, nh, e = value.shape
    _, nq, _, nl, npt, _ = loc.shape
    v = value.astype(np.float64)
    g_all = grad_out.astype(np.float64).reshape(bs, nq, nh, e)
    gv = np.zeros(value.shape)
    gl = np.zeros(loc.shape)
    ga = np.zeros(attn.shape)
    for b in range(bs):
        for q in range(nq):
            for h in range(nh):
                g = g_all[b, q, h]
                for lv in range(nl):
                    hh, ww = int(shapes[lv, 0]), int(shapes[lv, 1])
                    st = int(starts[lv])
                    for p in range(npt):
                        x = float(loc[b, q, h, lv, p, 0]) * ww - 0.5
                        y = float(loc[b, q, h, lv, p, 1]) * hh - 0.5
                        if not (-1 < y < hh and -1 < x < ww):
                            continue
                        x0, y0 = int(np.floor(x)), int(np.floor(y))
                        ax, ay = x - x0, y - y0
                        a = float(attn[b, q, h, lv, p])

                        c00, c01, c10, c11 = (_corner(v, b, h, st, hh, ww, yy, xx) for yy, xx in
                                              ((y0, x0), (y0, x0 + 1), (y0 + 1, x0), (y0 + 1, x0 + 1)))
                        s = (1 - ay) * (1 - ax) * c00 + (1 - ay) * ax * c01 + ay * (1 - ax) * c10 + ay * ax * c11
                        for yy, xx, w in ((y0, x0, (1 - ay) * (1 - ax)), (y0, x0 + 1, (1 - ay) * ax), (y0 + 1, x0, ay * (1 - ax)),
                                          (y0 + 1, x0 + 1, ay * ax)):
                            if 0 <= yy < hh and 0 <= xx < ww:
                                gv[b, st + yy * ww + xx, h] += w * a * g
                        dsdx = (1 - ay) * (c01 - c00) + ay * (c11 - c10)
                        dsdy = (1 - ax) * (c10 - c00) + ax * (c11 - c01)
                        ga[b, q, h, lv, p] = g @ s
                        gl[b, q, h, lv, p, 0] = ww * a * (g @ dsdx)
                        gl[b, q, h, lv, p, 1] = hh * a * (g @ dsdy)
    return gv, gl, ga


def _corner(v: np.ndarray, b: int, h: int, start: int, hh: int, ww: int, yy: int, xx: int) -> np.ndarray:
    """value's row at pixel (yy, xx) of a level, zeros outside it."""
    return v[b, start + yy * ww + xx, h] if 0 <= yy < hh and 0 <= xx < ww else np.zeros(v.shape[3])

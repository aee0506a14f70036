"""MultiScaleDeformableAttn V2 on the Deformable-DETR encoder shape (issue 8), forward and gradient.

The kernels sample point by point, so the interpreter runs tens of scalar operations per sampling point: the
full shape (2.55 M points) is measured on the emulator only, and the interpreter's speed against vectorized
numpy on a 32-query slice of the same maps (the ratio per point is what the full shape would give).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import emulator_probe
import numpy as np
import records as R
from ascdsl.lowering.compile import compile_project, compile_sources
from ascdsl.ops.multi_scale_deformable_attn import (
    msda_forward_kernel,
    msda_grad_kernel,
    multi_scale_deformable_attn_func_v2,
    multi_scale_deformable_attn_grad_v2,
)
from kernel_quality import quality
from runners import EmulatorRunner

DETR_LEVELS = ((100, 150), (50, 75), (25, 38), (13, 19))
OP_FWD, OP_GRAD = "msda_forward", "msda_grad"
LABEL = "Deformable-DETR encoder"
UB_LIMIT = 184 * 1024


def detr_args(nq: int | None = None, seed: int = 0) -> dict[str, Any]:
    """bs 1, the four DETR levels (19,947 keys), 8 heads, E 32, 4 points, float32; nq queries (all keys by default)."""
    rng = np.random.default_rng(seed)
    shapes = np.array(DETR_LEVELS, np.int32)
    sizes = shapes[:, 0] * shapes[:, 1]
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int32)
    nk = int(sizes.sum())
    nq = nq or nk
    nh, e, nl, npt = 8, 32, 4, 4
    return {
        "value": rng.standard_normal((1, nk, nh, e), dtype=np.float32),
        "spatial_shape": shapes,
        "level_start_index": starts,
        "location": rng.uniform(-0.05, 1.05, (1, nq, nh, nl, npt, 2)).astype(np.float32),
        "attn_weight": rng.uniform(0, 1, (1, nq, nh, nl, npt)).astype(np.float32),
        "grad_output": rng.standard_normal((1, nq, nh * e), dtype=np.float32),
    }


def _corners(a: dict[str, Any]) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Per corner: (key index clamped, bilinear weight with out-of-range corners zeroed, the in-range mask)."""
    shapes = a["spatial_shape"].astype(np.int64)
    hs, ws = shapes[:, 0][None, None, None, :, None], shapes[:, 1][None, None, None, :, None]
    st = a["level_start_index"].astype(np.int64)[None, None, None, :, None]
    # x and y in float32 like the kernel (and numpy_grad): a point within rounding of a pixel edge must fall on the
    # same side in every formula, since the location gradient jumps there
    x = a["location"][..., 0] * ws.astype(np.float32) - np.float32(0.5)
    y = a["location"][..., 1] * hs.astype(np.float32) - np.float32(0.5)
    x0, y0 = np.floor(x), np.floor(y)
    ax, ay = x - x0, y - y0
    x0, y0 = x0.astype(np.int64), y0.astype(np.int64)
    out = []
    for dy, dx, w in ((0, 0, (1 - ay) * (1 - ax)), (0, 1, (1 - ay) * ax), (1, 0, ay * (1 - ax)), (1, 1, ay * ax)):
        yy, xx = y0 + dy, x0 + dx
        inside = (yy >= 0) & (yy < hs) & (xx >= 0) & (xx < ws)
        out.append((np.where(inside, st + yy * ws + xx, 0), np.where(inside, w, 0).astype(np.float32), inside))
    return out


def numpy_forward(a: dict[str, Any]) -> np.ndarray:
    """Vectorized float32 numpy: gather the four corner rows of every point, weight, sum over levels and points."""
    v = a["value"][0]  # (nk, nh, e)
    nh = v.shape[1]
    h = np.arange(nh)[None, :, None, None]
    out = 0
    for k, w, _ in _corners(a):
        rows = v[k[0], h]  # (nq, nh, nl, np, e)
        out = out + np.einsum("qhlp,qhlpe->qhe", w[0] * a["attn_weight"][0], rows)
    return np.asarray(out, np.float32).reshape(1, -1, nh * v.shape[2])


def numpy_grad(a: dict[str, Any]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Vectorized float32 numpy of the mmcv rule (the reference of the gradient's speed and accuracy)."""
    v = a["value"][0]
    nq, nh = a["location"].shape[1:3]
    e = v.shape[2]
    g = a["grad_output"][0].reshape(nq, nh, 1, 1, e)
    attn = a["attn_weight"][0]
    shapes = a["spatial_shape"].astype(np.float32)
    x = a["location"][0, ..., 0] * shapes[:, 1][None, None, :, None] - 0.5
    y = a["location"][0, ..., 1] * shapes[:, 0][None, None, :, None] - 0.5
    live = (x > -1) & (x < shapes[:, 1][None, None, :, None]) & (y > -1) & (y < shapes[:, 0][None, None, :, None])
    ax, ay = x - np.floor(x), y - np.floor(y)
    h = np.arange(nh)[None, :, None, None]
    rows = [v[k[0], h] * m[0][..., None] for k, _, m in _corners(a)]  # masked corner rows (nq, nh, nl, np, e)
    s = sum(w[0][..., None] * r for (_, w, _), r in zip(_corners(a), rows, strict=True))
    dx = (1 - ay)[..., None] * (rows[1] - rows[0]) + ay[..., None] * (rows[3] - rows[2])
    dy = (1 - ax)[..., None] * (rows[2] - rows[0]) + ax[..., None] * (rows[3] - rows[1])
    grad_attn = np.where(live, (g * s).sum(-1), 0).astype(np.float32)[None]
    gl = np.stack([shapes[:, 1][None, None, :, None] * attn * (g * dx).sum(-1), shapes[:, 0][None, None, :, None] * attn * (g * dy).sum(-1)], -1)
    grad_loc = np.where(live[..., None], gl, 0).astype(np.float32)[None]
    grad_value = np.zeros_like(v)
    for (k, w, _), _r in zip(_corners(a), rows, strict=True):
        contrib = np.where(live, w[0] * attn, 0)[..., None] * g  # (nq, nh, nl, np, e)
        np.add.at(grad_value, (k[0], np.broadcast_to(h, k[0].shape)), contrib)
    return grad_value[None], grad_loc, grad_attn


def min_bytes(a: dict[str, Any], grad: bool) -> int:
    """The four corner rows of every point, location and weight once, output (or grad_output and the gradients) once."""
    points = a["attn_weight"].size
    row = a["value"].shape[3] * 4
    base = points * (4 * row + 2 * 4 + 4)
    if not grad:
        return base + a["grad_output"].size * 4  # the output is as large as grad_output
    return base + points * 4 * row + a["grad_output"].size * 4 + points * (2 * 4 + 4)  # + atomic rows, grads


def _time(fn: Any) -> float:
    t = time.perf_counter()
    fn()
    return (time.perf_counter() - t) * 1000


def bench_msda(rec: R.Records, emu: emulator_probe.EmulatorStatus, workdir: Path, log: Any) -> list[str]:
    notes = []
    small = detr_args(32)
    fwd = lambda a: multi_scale_deformable_attn_func_v2(a["value"], a["spatial_shape"], a["level_start_index"], a["location"], a["attn_weight"])  # noqa: E731
    grad = lambda a: multi_scale_deformable_attn_grad_v2(  # noqa: E731
        a["value"], a["spatial_shape"], a["level_start_index"], a["location"], a["attn_weight"], a["grad_output"])
    for op, run_fn, ref in ((OP_FWD, fwd, numpy_forward), (OP_GRAD, grad, numpy_grad)):
        log(f"{op} {LABEL}: interpreter and numpy on a 32-query slice")
        run_fn(small)  # builds the IR
        interp_ms = _time(lambda run_fn=run_fn: run_fn(small))
        numpy_ms = min(_time(lambda ref=ref: ref(small)) for _ in range(3))
        rec.add(op, LABEL, "interp_tile_vs_numpy", interp_ms / numpy_ms)
        notes.append(f"{op}: interpreter {interp_ms:,.0f} ms vs numpy {numpy_ms:,.1f} ms on 32 queries (×{interp_ms / numpy_ms:,.0f}).")
    if not emu.available:
        return [*notes, f"MultiScaleDeformableAttn: {emu.na()}"]
    full = detr_args()
    for op, kernel in ((OP_FWD, msda_forward_kernel), (OP_GRAD, msda_grad_kernel)):
        log(f"{op} {LABEL}: emulator (2.55 M sampling points)")
        project = workdir / op
        compile_project(kernel, project)
        runner = EmulatorRunner(emu.run_project, project, compile_sources(kernel).sig.spec)  # type: ignore[arg-type]
        args = {k: v for k, v in full.items() if k in {t.name for t in compile_sources(kernel).sig.spec.tensors}}
        nq = full["location"].shape[1]
        if op == OP_FWD:
            args["output"] = np.zeros((1, nq, 8 * 32), np.float32)
        else:
            args["grad_value"] = np.zeros(full["value"].shape, np.float32)
            args["grad_location"] = np.zeros(full["location"].shape, np.float32)
            args["grad_attn_weight"] = np.zeros(full["attn_weight"].shape, np.float32)
        ms = _time(lambda args=args, runner=runner: runner(args))
        assert runner.last is not None
        rec.add(op, LABEL, "emulator_ms", ms)
        minimum = min_bytes(full, op == OP_GRAD)
        rec.add(op, LABEL, "gm_min_bytes", minimum)
        for m, v in quality(runner.last, minimum).items():
            rec.add(op, LABEL, f"{m}@emu", v)
        if op == OP_FWD:
            want = numpy_forward(full)
            err = float(np.abs(args["output"] - want).max() / max(1.0, np.abs(want).max()))
        else:
            want3 = numpy_grad(full)
            got3 = (args["grad_value"], args["grad_location"], args["grad_attn_weight"])
            err = max(float(np.abs(g - w).max() / max(1.0, np.abs(w).max())) for g, w in zip(got3, want3, strict=True))
        notes.append(f"{op}, {LABEL}: emulator result within {err:.2e} (relative to the largest value) of vectorized numpy.")
    return notes


def msda_targets(rec: R.Records) -> list[tuple[str, str, str]]:
    rows = []
    for op in (OP_FWD, OP_GRAD):
        get = lambda m, op=op: rec.get(op, LABEL, m)  # noqa: E731
        ratio = get("interp_tile_vs_numpy")
        rows.append((f"MSDA {op.split('_')[1]} ({LABEL}): interp ≤ 3× numpy (32-query slice)",
                     f"{ratio:,.0f}" if isinstance(ratio, float) else str(ratio),
                     "yes" if isinstance(ratio, float) and ratio <= 3 else "**no**"))
        for metric, text, ok, fmt in (("gm_vs_min@emu", "GM traffic ≤ 1.05× the minimum", lambda v: v <= 1.05, "{:.4f}"),
                                      ("ub_bytes_per_core@emu", "UB ≤ 184 KiB", lambda v: v <= UB_LIMIT, "{:,} B"),
                                      ("core_balance@emu", "core balance ≤ 1.10", lambda v: v <= 1.10, "{:.3f}")):
            v = get(metric)
            shown = fmt.format(v) if isinstance(v, int | float) else str(v)
            rows.append((f"… {text} (emulator)", shown, ("yes" if ok(v) else "**no**") if isinstance(v, int | float) else "not measured"))
    return rows

"""MultiScaleDeformableAttn V2, forward and gradient (aclnnMultiScaleDeformableAttnFuncV2 / GradV2): for each
query, head, level and point, sample `value` bilinearly at a learned location and sum the samples weighted by the
attention weights; the gradient scatters into grad_value with atomic adds.

Semantics: ../shared/reference/op_semantics.md section 5 (5.2 forward, 5.5 validation), README layouts: value
(bs, num_keys, num_heads, E), location (bs, nq, nh, nl, np, 2) with x first, output (bs, nq, nh*E). Sampling at
x = u*W - 0.5, y = v*H - 0.5; each out-of-range corner counts as zero. Computed in float32 for every dtype, cast
once at the end (round half to even). Gradient: op_semantics.md 5.3 (the mmcv rule).

The kernel samples one (query, head) at a time: its E-wide float32 accumulator stays in the UB while the
(level, point) loop adds the four weighted corner rows; the corner rows are read at clamped indices and an
out-of-range corner gets weight 0, so every iteration has the same shape. The gradient kernel works point by
point: three dot products (reductions of E-wide tiles) and four atomic adds of E-wide rows.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from ascdsl.runtime import run

from ascdsl import (
    InOut,
    Tensor,
    atomic_add,
    bf16,
    cast,
    f16,
    f32,
    floor,
    i32,
    i64,
    kernel,
    load,
    parallel,
    reduce_sum,
    require,
    store,
    zeros,
)
from ascdsl.errors import AclnnError

ERR_PARAM_INVALID = 161002


@kernel(op_type="MultiScaleDeformableAttnFuncV2")
def msda_forward_kernel(
    value: Tensor[T, BS, NK, NH, E],
    spatial_shape: Tensor[I, NL, 2],
    level_start_index: Tensor[I, NL],
    location: Tensor[T, BS, NQ, NH, NL, NP, 2],
    attn_weight: Tensor[T, BS, NQ, NH, NL, NP],
    output: InOut[Tensor[T, BS, NQ, HE]],
):
    require(T in (f32, f16, bf16), code=161002, msg="value, location, attn_weight and output must be FLOAT, FLOAT16 or BFLOAT16")
    require(I in (i32, i64), code=161002, msg="spatial_shape and level_start_index must be INT32 or INT64")
    require(HE == NH * E, code=161002, msg="output.shape[2] must be num_heads * embed_dims (value.shape[2] * value.shape[3])")
    require(E > 0 and E % 8 == 0 and E <= 256, code=161002, msg="embed_dims (value.shape[3]) must be a multiple of 8 and at most 256")
    require(NQ >= 32 and NQ < 500000, code=161002, msg="num_queries (location.shape[1]) must be in [32, 500000)")
    require(NL > 0 and NL <= 16, code=161002, msg="num_levels (spatial_shape.shape[0]) must be in [1, 16]")
    require(NH > 0 and NH <= 16, code=161002, msg="num_heads (value.shape[2]) must be in [1, 16]")
    require(NP > 0 and NP <= 16, code=161002, msg="num_points (location.shape[4]) must be in [1, 16]")
    require(BS > 0 and NK > 0, code=161002, msg="value must not be empty")

    for bq in parallel(BS * NQ):
        b = bq // NQ
        q = bq % NQ
        for h in range(NH):
            acc = zeros([E], f32)
            for lp in range(NL * NP):
                lv = lp // NP
                p = lp % NP
                hh = spatial_shape[lv, 0]
                ww = spatial_shape[lv, 1]
                start = level_start_index[lv]
                x = location[b, q, h, lv, p, 0] * ww - 0.5
                y = location[b, q, h, lv, p, 1] * hh - 0.5
                xf = floor(x)  # a true floor: negative coordinates round down
                yf = floor(y)
                ax = x - xf
                ay = y - yf
                a = attn_weight[b, q, h, lv, p]
                x0 = int(xf)
                y0 = int(yf)
                x1 = x0 + 1
                y1 = y0 + 1
                in_x0 = x0 >= 0 and x0 < ww
                in_x1 = x1 >= 0 and x1 < ww
                in_y0 = y0 >= 0 and y0 < hh
                in_y1 = y1 >= 0 and y1 < hh
                # an out-of-range corner contributes zero: weight 0, read at a clamped (valid) index
                w00 = (1.0 - ay) * (1.0 - ax) * a if in_y0 and in_x0 else 0.0
                w01 = (1.0 - ay) * ax * a if in_y0 and in_x1 else 0.0
                w10 = ay * (1.0 - ax) * a if in_y1 and in_x0 else 0.0
                w11 = ay * ax * a if in_y1 and in_x1 else 0.0
                cx0 = min(max(x0, 0), ww - 1)
                cx1 = min(max(x1, 0), ww - 1)
                cy0 = min(max(y0, 0), hh - 1)
                cy1 = min(max(y1, 0), hh - 1)
                v00 = cast(load(value[b, start + cy0 * ww + cx0, h]), f32)
                v01 = cast(load(value[b, start + cy0 * ww + cx1, h]), f32)
                v10 = cast(load(value[b, start + cy1 * ww + cx0, h]), f32)
                v11 = cast(load(value[b, start + cy1 * ww + cx1, h]), f32)
                acc += v00 * w00 + v01 * w01 + v10 * w10 + v11 * w11
            store(output[b, q, h * E : (h + 1) * E], cast(acc, T, round="rint"))


@kernel(op_type="MultiScaleDeformableAttnGradV2")
def msda_grad_kernel(
    value: Tensor[T, BS, NK, NH, E],
    spatial_shape: Tensor[I, NL, 2],
    level_start_index: Tensor[I, NL],
    location: Tensor[T, BS, NQ, NH, NL, NP, 2],
    attn_weight: Tensor[T, BS, NQ, NH, NL, NP],
    grad_output: Tensor[T, BS, NQ, HE],
    grad_value: InOut[Tensor[f32, BS, NK, NH, E]],
    grad_location: InOut[Tensor[T, BS, NQ, NH, NL, NP, 2]],
    grad_attn_weight: InOut[Tensor[T, BS, NQ, NH, NL, NP]],
):
    """The mmcv col2im rule (op_semantics.md 5.3): grad_value is scattered with atomic adds into a float32 tensor
    (the entry casts it to value's dtype); the location and weight gradients are dot products of grad_output with
    the sampled value and its x / y derivatives. Points outside (-1, H) x (-1, W) keep zero gradients."""
    require(T in (f32, f16, bf16), code=161002, msg="value, location, attn_weight and the gradients must be FLOAT, FLOAT16 or BFLOAT16")
    require(I in (i32, i64), code=161002, msg="spatial_shape and level_start_index must be INT32 or INT64")
    require(HE == NH * E, code=161002, msg="grad_output.shape[2] must be num_heads * embed_dims (value.shape[2] * value.shape[3])")
    require(E > 0 and E % 8 == 0 and E <= 256, code=161002, msg="embed_dims (value.shape[3]) must be a multiple of 8 and at most 256")
    require(NQ >= 32 and NQ < 500000, code=161002, msg="num_queries (location.shape[1]) must be in [32, 500000)")
    require(NL > 0 and NL <= 16, code=161002, msg="num_levels (spatial_shape.shape[0]) must be in [1, 16]")
    require(NH > 0 and NH <= 16, code=161002, msg="num_heads (value.shape[2]) must be in [1, 16]")
    require(NP > 0 and NP <= 16, code=161002, msg="num_points (location.shape[4]) must be in [1, 16]")
    require(BS > 0 and NK > 0, code=161002, msg="value must not be empty")

    for bq in parallel(BS * NQ):
        b = bq // NQ
        q = bq % NQ
        for h in range(NH):
            for lp in range(NL * NP):
                lv = lp // NP
                p = lp % NP
                hh = spatial_shape[lv, 0]
                ww = spatial_shape[lv, 1]
                start = level_start_index[lv]
                x = location[b, q, h, lv, p, 0] * ww - 0.5
                y = location[b, q, h, lv, p, 1] * hh - 0.5
                if x > -1.0 and x < ww and y > -1.0 and y < hh:  # else every gradient of the point stays 0
                    xf = floor(x)
                    yf = floor(y)
                    ax = x - xf
                    ay = y - yf
                    a = attn_weight[b, q, h, lv, p]
                    x0 = int(xf)
                    y0 = int(yf)
                    x1 = x0 + 1
                    y1 = y0 + 1
                    in00 = y0 >= 0 and x0 >= 0
                    in01 = y0 >= 0 and x1 < ww
                    in10 = y1 < hh and x0 >= 0
                    in11 = y1 < hh and x1 < ww
                    m00 = 1.0 if in00 else 0.0  # out-of-range corners count as 0 in the sample and its derivatives
                    m01 = 1.0 if in01 else 0.0
                    m10 = 1.0 if in10 else 0.0
                    m11 = 1.0 if in11 else 0.0
                    cx0 = min(max(x0, 0), ww - 1)
                    cx1 = min(max(x1, 0), ww - 1)
                    cy0 = min(max(y0, 0), hh - 1)
                    cy1 = min(max(y1, 0), hh - 1)
                    k00 = start + cy0 * ww + cx0
                    k01 = start + cy0 * ww + cx1
                    k10 = start + cy1 * ww + cx0
                    k11 = start + cy1 * ww + cx1
                    g = cast(load(grad_output[b, q, h * E : (h + 1) * E]), f32)
                    v00 = cast(load(value[b, k00, h]), f32) * m00
                    v01 = cast(load(value[b, k01, h]), f32) * m01
                    v10 = cast(load(value[b, k10, h]), f32) * m10
                    v11 = cast(load(value[b, k11, h]), f32) * m11
                    w00 = (1.0 - ay) * (1.0 - ax)
                    w01 = (1.0 - ay) * ax
                    w10 = ay * (1.0 - ax)
                    w11 = ay * ax
                    grad_attn_weight[b, q, h, lv, p] = reduce_sum(g * (v00 * w00 + v01 * w01 + v10 * w10 + v11 * w11))
                    dx = reduce_sum(g * ((v01 - v00) * (1.0 - ay) + (v11 - v10) * ay))
                    dy = reduce_sum(g * ((v10 - v00) * (1.0 - ax) + (v11 - v01) * ax))
                    grad_location[b, q, h, lv, p, 0] = ww * a * dx
                    grad_location[b, q, h, lv, p, 1] = hh * a * dy
                    if in00:
                        atomic_add(grad_value[b, k00, h], g * (a * w00))
                    if in01:
                        atomic_add(grad_value[b, k01, h], g * (a * w01))
                    if in10:
                        atomic_add(grad_value[b, k10, h], g * (a * w10))
                    if in11:
                        atomic_add(grad_value[b, k11, h], g * (a * w11))


def _check_levels(value: Any, spatial_shape: Any, level_start_index: Any) -> None:
    """Host-side check of what the device trusts (op_semantics.md 5.4): the levels tile value's key axis."""
    if not all(isinstance(a, np.ndarray) for a in (value, spatial_shape, level_start_index)):
        return
    if value.ndim != 4 or spatial_shape.ndim != 2 or spatial_shape.shape[1:] != (2,) or level_start_index.ndim != 1:
        return  # the kernel's shape checks report these
    if spatial_shape.dtype.kind != "i" or level_start_index.dtype.kind != "i" or level_start_index.shape[0] != spatial_shape.shape[0]:
        return
    if (spatial_shape < 1).any():
        raise AclnnError(ERR_PARAM_INVALID, "spatial_shape: every level's H and W must be at least 1")
    sizes = spatial_shape[:, 0].astype(np.int64) * spatial_shape[:, 1].astype(np.int64)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    if not np.array_equal(level_start_index.astype(np.int64), starts):
        raise AclnnError(ERR_PARAM_INVALID, "level_start_index must be the exclusive cumulative sum of H*W over spatial_shape")
    if int(sizes.sum()) != value.shape[1]:
        raise AclnnError(ERR_PARAM_INVALID, f"value.shape[1] ({value.shape[1]}) must equal the sum of H*W over spatial_shape ({int(sizes.sum())})")


def _output_for(value: Any, location: Any) -> np.ndarray | None:
    """The (bs, nq, nh*E) output in value's dtype, or None when the shapes do not say (the checks then report why)."""
    if not (isinstance(value, np.ndarray) and isinstance(location, np.ndarray) and value.ndim == 4 and location.ndim >= 3):
        return np.zeros((0, 0, 0), value.dtype if isinstance(value, np.ndarray) else np.float32)
    return np.zeros((value.shape[0], location.shape[1], value.shape[2] * value.shape[3]), value.dtype)


def multi_scale_deformable_attn_func_v2(
    value: np.ndarray | None,
    spatial_shape: np.ndarray | None,
    level_start_index: np.ndarray | None,
    location: np.ndarray | None,
    attn_weight: np.ndarray | None,
    *,
    backend: str = "interp",
) -> np.ndarray:
    """aclnnMultiScaleDeformableAttnFuncV2: returns output (bs, nq, num_heads*E) in value's dtype.

    Raises `AclnnError` (161001 null, 161002 invalid dtype, shape or constraint) before computing anything.
    """
    inputs = [np.ascontiguousarray(a) if isinstance(a, np.ndarray) else a for a in (value, spatial_shape, level_start_index, location, attn_weight)]
    value, spatial_shape, level_start_index, location, attn_weight = inputs
    output = _output_for(value, location)
    args: dict[str, Any] = {
        "value": value,
        "spatial_shape": spatial_shape,
        "level_start_index": level_start_index,
        "location": location,
        "attn_weight": attn_weight,
        "output": output,
    }
    if all(a is not None for a in inputs):
        _check_levels(value, spatial_shape, level_start_index)
    run(msda_forward_kernel, args, backend=backend)
    return output  # type: ignore[return-value]


def multi_scale_deformable_attn_grad_v2(
    value: np.ndarray | None,
    spatial_shape: np.ndarray | None,
    level_start_index: np.ndarray | None,
    location: np.ndarray | None,
    attn_weight: np.ndarray | None,
    grad_output: np.ndarray | None,
    *,
    backend: str = "interp",
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """aclnnMultiScaleDeformableAttnGradV2: returns (grad_value, grad_location, grad_attn_weight) in value's dtype.

    grad_value is accumulated in float32 (atomic adds on the device) and cast once, rounding half to even.
    Raises `AclnnError` (161001 null, 161002 invalid dtype, shape or constraint) before computing anything.
    """
    given = (value, spatial_shape, level_start_index, location, attn_weight, grad_output)
    inputs = [np.ascontiguousarray(a) if isinstance(a, np.ndarray) else a for a in given]
    value, spatial_shape, level_start_index, location, attn_weight, grad_output = inputs
    dtype = value.dtype if isinstance(value, np.ndarray) else np.float32
    grad_value = np.zeros(value.shape, np.float32) if isinstance(value, np.ndarray) else None
    grad_location = np.zeros(location.shape, dtype) if isinstance(location, np.ndarray) else None
    grad_attn = np.zeros(attn_weight.shape, dtype) if isinstance(attn_weight, np.ndarray) else None
    args: dict[str, Any] = {
        "value": value,
        "spatial_shape": spatial_shape,
        "level_start_index": level_start_index,
        "location": location,
        "attn_weight": attn_weight,
        "grad_output": grad_output,
        "grad_value": grad_value,
        "grad_location": grad_location,
        "grad_attn_weight": grad_attn,
    }
    if all(a is not None for a in inputs):
        _check_levels(value, spatial_shape, level_start_index)
    run(msda_grad_kernel, args, backend=backend)
    assert grad_value is not None and grad_location is not None and grad_attn is not None
    return grad_value.astype(dtype), grad_location, grad_attn


def example_calls(k: object, rng: np.random.Generator, count: int = 3) -> list[dict[str, Any]]:
    """Small valid calls of either kernel (locations partly outside the maps, a single-pixel level) for the main job."""
    calls = []
    for i in range(count):
        dtype = (np.float32, np.float16, np.float32)[i % 3]
        shapes = np.array([[3, 4], [1, 1], [2, 5]][: 1 + i % 3], np.int32)
        sizes = shapes[:, 0] * shapes[:, 1]
        starts = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int32)
        bs, nq, nh, e, npt = 1, 32, 1 + i % 2, 8, 1 + i % 2
        nl = len(shapes)
        calls.append(
            {
                "value": rng.standard_normal((bs, int(sizes.sum()), nh, e)).astype(dtype),
                "spatial_shape": shapes,
                "level_start_index": starts,
                "location": rng.uniform(-0.3, 1.3, (bs, nq, nh, nl, npt, 2)).astype(dtype),
                "attn_weight": rng.uniform(0, 1, (bs, nq, nh, nl, npt)).astype(dtype),
                "output": np.zeros((bs, nq, nh * e), dtype),
            }
        )
        if k is msda_grad_kernel:
            call = calls[-1]
            del call["output"]
            call["grad_output"] = rng.uniform(-1, 1, (bs, nq, nh * e)).astype(dtype)
            call["grad_value"] = np.zeros(call["value"].shape, np.float32)
            call["grad_location"] = np.zeros(call["location"].shape, dtype)
            call["grad_attn_weight"] = np.zeros(call["attn_weight"].shape, dtype)
    return calls

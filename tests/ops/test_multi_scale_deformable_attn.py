"""MultiScaleDeformableAttn V2 forward and gradient: the DSL operators on every backend and stage vs the independent numpy golden.

float32 within 1e-4 relative (of the output's scale); float16 / bfloat16 computed in float32 and rounded once,
within a few ulp of the golden. Invalid calls raise 161001 / 161002 before computing anything.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, replace
from typing import Any

import ml_dtypes
import numpy as np
import pytest
from ascdsl.ops.multi_scale_deformable_attn import (
    msda_forward_kernel,
    msda_grad_kernel,
    multi_scale_deformable_attn_func_v2,
    multi_scale_deformable_attn_grad_v2,
)
from ascdsl.runtime import run
from msda_golden import level_layout, msda_backward_golden, msda_forward_golden

from ascdsl.errors import AclnnError
from ascdsl.pipeline import STAGES

needs_gxx = pytest.mark.skipif(shutil.which("g++") is None, reason="backend 'emu' needs g++")


@dataclass
class MsdaCase:
    value: Any
    spatial_shape: Any
    level_start_index: Any
    location: Any
    attn_weight: Any

    def call(self, backend: str = "interp") -> np.ndarray:
        return multi_scale_deformable_attn_func_v2(self.value, self.spatial_shape, self.level_start_index, self.location,
                                                   self.attn_weight, backend=backend)

    def expected(self) -> np.ndarray:
        return msda_forward_golden(self.value, self.spatial_shape, self.level_start_index, self.location, self.attn_weight)


def make_case(rng: np.random.Generator, *, levels: list[tuple[int, int]], bs: int = 1, nq: int = 32, nh: int = 2, e: int = 8,
              npt: int = 2, dtype: Any = np.float32, spread: float = 0.3, index: Any = np.int32) -> MsdaCase:
    """Locations in [-spread, 1 + spread]: some points fall outside the maps, some straddle their borders."""
    shapes, starts, nk = level_layout(levels)
    nl = len(levels)
    return MsdaCase(
        value=rng.uniform(-2, 2, (bs, nk, nh, e)).astype(dtype),
        spatial_shape=shapes.astype(index),
        level_start_index=starts.astype(index),
        location=rng.uniform(-spread, 1 + spread, (bs, nq, nh, nl, npt, 2)).astype(dtype),
        attn_weight=rng.uniform(0, 1, (bs, nq, nh, nl, npt)).astype(dtype),
    )


def assert_close(case: MsdaCase, got: np.ndarray) -> None:
    want = case.expected()
    assert got.shape == want.shape and got.dtype == case.value.dtype
    scale = max(1.0, float(np.abs(want).max()))
    if case.value.dtype == np.float32:
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4 * scale)
    else:  # one rounding of the float32 result: half an ulp, plus float32 accumulation
        eps = 2.0**-8 if case.value.dtype == ml_dtypes.bfloat16 else 2.0**-11
        np.testing.assert_allclose(got.astype(np.float64), want, rtol=2 * eps, atol=2 * eps * scale)


LEVELS = [(3, 4), (1, 1), (2, 5)]  # one single-pixel level


def test_forward_against_the_golden() -> None:
    case = make_case(np.random.default_rng(0), levels=LEVELS)
    assert_close(case, case.call())


@pytest.mark.parametrize("stage", STAGES)
def test_every_stage_agrees_with_the_golden(stage: str) -> None:
    case = make_case(np.random.default_rng(1), levels=LEVELS, bs=2, npt=1, nh=1)
    out = np.zeros((2, 32, 8), np.float32)
    run(msda_forward_kernel, {"value": case.value, "spatial_shape": case.spatial_shape, "level_start_index": case.level_start_index,
                              "location": case.location, "attn_weight": case.attn_weight, "output": out}, stage=stage)
    assert_close(case, out)


@pytest.mark.parametrize("dtype", [np.float16, ml_dtypes.bfloat16])
def test_half_precision_accumulates_in_float32(dtype: Any) -> None:
    case = make_case(np.random.default_rng(2), levels=[(4, 4), (2, 3)], dtype=dtype, npt=3)
    assert_close(case, case.call())


def test_embed_dims_256_and_int64_shapes() -> None:
    case = make_case(np.random.default_rng(3), levels=[(2, 3)], e=256, nh=1, npt=1, index=np.int64)
    assert_close(case, case.call())


def test_locations_far_outside_give_zeros() -> None:
    case = make_case(np.random.default_rng(4), levels=LEVELS, nh=1, npt=1)
    case.location[:] = -3.0
    assert not case.call().any()


def test_points_on_the_border_sample_half_a_pixel() -> None:
    """u = 0 is x = -0.5: half of column 0, half of the zero padding."""
    shapes, starts, nk = level_layout([(1, 2)])
    value = np.zeros((1, nk, 1, 8), np.float32)
    value[0, 0, 0, :] = 4.0
    loc = np.zeros((1, 32, 1, 1, 1, 2), np.float32)
    loc[..., 1] = 0.5  # y = 0: the only row
    attn = np.ones((1, 32, 1, 1, 1), np.float32)
    out = multi_scale_deformable_attn_func_v2(value, shapes, starts, loc, attn)
    np.testing.assert_allclose(out, 2.0)


@needs_gxx
@pytest.mark.parametrize(
    "dtype,levels,nh,e,npt",
    [(np.float32, LEVELS, 2, 8, 2), (np.float16, [(4, 4), (1, 1)], 1, 256, 1), (np.float32, [(2, 2)] * 16, 16, 8, 16)],
)
def test_emulator_agrees_with_the_golden(dtype: Any, levels: list[tuple[int, int]], nh: int, e: int, npt: int) -> None:
    case = make_case(np.random.default_rng(nh * e), levels=levels, nh=nh, e=e, npt=npt, dtype=dtype)
    assert_close(case, case.call("emu"))


# ------------------------------------------------------------------ validation


def _base() -> MsdaCase:
    return make_case(np.random.default_rng(9), levels=LEVELS, nh=1, npt=1)


ERRORS: list[tuple[str, Any, int, str]] = [
    ("null value", lambda c: replace(c, value=None), 161001, "value"),
    ("null spatial_shape", lambda c: replace(c, spatial_shape=None), 161001, "spatial_shape"),
    ("null level_start_index", lambda c: replace(c, level_start_index=None), 161001, "level_start_index"),
    ("null location", lambda c: replace(c, location=None), 161001, "location"),
    ("null attn_weight", lambda c: replace(c, attn_weight=None), 161001, "attn_weight"),
    ("int32 value", lambda c: replace(c, value=c.value.astype(np.int32)), 161002, "value"),
    ("float16 location with float32 value", lambda c: replace(c, location=c.location.astype(np.float16)), 161002, "location"),
    ("float shapes", lambda c: replace(c, spatial_shape=c.spatial_shape.astype(np.float32)), 161002, "spatial_shape"),
    ("3-D value", lambda c: replace(c, value=c.value[0]), 161002, "value"),
    ("spatial_shape last dim 3", lambda c: replace(c, spatial_shape=np.ones((3, 3), np.int32)), 161002, "spatial_shape"),
    ("location last dim 3", lambda c: replace(c, location=np.zeros((*c.location.shape[:-1], 3), np.float32)), 161002, "location"),
    ("heads differ", lambda c: replace(c, attn_weight=np.zeros((1, 32, 2, 3, 1), np.float32)), 161002, "attn_weight"),
    ("E not a multiple of 8", lambda c: replace(c, value=np.zeros((*c.value.shape[:3], 12), np.float32)), 161002, "embed_dims"),
    ("E 264", lambda c: replace(c, value=np.zeros((*c.value.shape[:3], 264), np.float32)), 161002, "embed_dims"),
    ("31 queries", lambda c: replace(c, location=c.location[:, :31], attn_weight=c.attn_weight[:, :31]), 161002, "num_queries"),
    ("17 heads", lambda c: replace(c, value=np.zeros((1, 23, 17, 8), np.float32), location=np.zeros((1, 32, 17, 3, 1, 2), np.float32),
                                   attn_weight=np.zeros((1, 32, 17, 3, 1), np.float32)), 161002, "num_heads"),
    ("17 points", lambda c: replace(c, location=np.zeros((1, 32, 1, 3, 17, 2), np.float32), attn_weight=np.zeros((1, 32, 1, 3, 17), np.float32)),
     161002, "num_points"),
    ("17 levels", lambda c: replace(c, spatial_shape=np.ones((17, 2), np.int32), level_start_index=np.arange(17, dtype=np.int32),
                                    value=np.zeros((1, 17, 1, 8), np.float32), location=np.zeros((1, 32, 1, 17, 1, 2), np.float32),
                                    attn_weight=np.zeros((1, 32, 1, 17, 1), np.float32)), 161002, "num_levels"),
    ("500000 queries", lambda c: replace(c, location=np.zeros((1, 500000, 1, 3, 1, 2), np.float32),
                                         attn_weight=np.zeros((1, 500000, 1, 3, 1), np.float32)), 161002, "num_queries"),
    ("starts not the cumsum", lambda c: replace(c, level_start_index=np.array([0, 12, 12], np.int32)), 161002, "level_start_index"),
    ("keys not the sum of H*W", lambda c: replace(c, value=np.zeros((1, 24, 1, 8), np.float32)), 161002, "value.shape[1]"),
]


@pytest.mark.parametrize("what,mutate,code,fragment", ERRORS, ids=[e[0] for e in ERRORS])
def test_invalid_calls_raise(what: str, mutate: Any, code: int, fragment: str) -> None:
    case = mutate(_base())
    with pytest.raises(AclnnError) as info:
        case.call()
    assert info.value.code == code, str(info.value)
    assert fragment in str(info.value)


def test_non_contiguous_inputs_are_accepted() -> None:
    case = _base()
    case.value = np.asfortranarray(case.value)
    case.location = np.asfortranarray(case.location)
    assert_close(case, case.call())


# ------------------------------------------------------------------ gradient


def grad_call(case: MsdaCase, grad_output: np.ndarray, backend: str = "interp") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return multi_scale_deformable_attn_grad_v2(case.value, case.spatial_shape, case.level_start_index, case.location,
                                               case.attn_weight, grad_output, backend=backend)


def _grad_output(case: MsdaCase, seed: int) -> np.ndarray:
    bs, nq = case.location.shape[:2]
    return np.random.default_rng(seed).uniform(-1, 1, (bs, nq, case.value.shape[2] * case.value.shape[3])).astype(case.value.dtype)


def assert_grads_close(case: MsdaCase, go: np.ndarray, got: tuple[np.ndarray, np.ndarray, np.ndarray]) -> None:
    want = msda_backward_golden(case.value, case.spatial_shape, case.level_start_index, case.location, case.attn_weight, go)
    for name, g, w in zip(("grad_value", "grad_location", "grad_attn_weight"), got, want, strict=True):
        assert g.shape == w.shape and g.dtype == case.value.dtype, name
        scale = max(1.0, float(np.abs(w).max()))
        if case.value.dtype == np.float32:
            np.testing.assert_allclose(g, w, rtol=1e-4, atol=1e-4 * scale, err_msg=name)
        else:
            eps = 2.0**-8 if case.value.dtype == ml_dtypes.bfloat16 else 2.0**-11
            np.testing.assert_allclose(g.astype(np.float64), w, rtol=4 * eps, atol=4 * eps * scale, err_msg=name)


def test_gradient_against_the_golden() -> None:
    case = make_case(np.random.default_rng(20), levels=LEVELS)
    go = _grad_output(case, 21)
    assert_grads_close(case, go, grad_call(case, go))


def test_gradient_matches_float64_finite_differences() -> None:
    """d/d(input) of sum(forward(...) * grad_output), by central differences of the float64 forward golden."""
    case = make_case(np.random.default_rng(22), levels=[(3, 4), (2, 2)], nh=1, npt=2)
    go = _grad_output(case, 23)
    gv, gl, ga = grad_call(case, go)

    def loss(value: np.ndarray, loc: np.ndarray, attn: np.ndarray) -> float:
        out = msda_forward_golden(value, case.spatial_shape, case.level_start_index, loc, attn)
        return float((out * go.astype(np.float64)).sum())

    base = [case.value.astype(np.float64), case.location.astype(np.float64), case.attn_weight.astype(np.float64)]
    rng = np.random.default_rng(24)
    for which, got in enumerate((gv, gl, ga)):
        for flat in rng.choice(base[which].size, 12, replace=False):
            idx = np.unravel_index(flat, base[which].shape)
            eps = 1e-6
            up = [a.copy() for a in base]
            down = [a.copy() for a in base]
            up[which][idx] += eps
            down[which][idx] -= eps
            numeric = (loss(*up) - loss(*down)) / (2 * eps)
            if which == 1:  # the mmcv rule zeroes the points outside (-1, H) x (-1, W); autograd may not there
                lv = idx[3]
                hh, ww = case.spatial_shape[lv]
                u, v = case.location[idx[:5]]
                if not (-1 < u * ww - 0.5 < ww and -1 < v * hh - 0.5 < hh):
                    assert got[idx] == 0.0
                    continue
            assert abs(float(got[idx]) - numeric) <= 1e-4 * max(1.0, abs(numeric)), (which, idx, float(got[idx]), numeric)


def test_points_outside_get_zero_gradients() -> None:
    case = make_case(np.random.default_rng(25), levels=LEVELS, nh=1, npt=1)
    case.location[..., 0] = -0.9  # x = -0.9 W - 0.5 <= -1 on every level
    go = _grad_output(case, 26)
    gv, gl, ga = grad_call(case, go)
    assert not gv.any() and not gl.any() and not ga.any()


@pytest.mark.parametrize("stage", STAGES)
def test_gradient_at_every_stage(stage: str) -> None:
    case = make_case(np.random.default_rng(27), levels=LEVELS, nh=1, npt=1)
    go = _grad_output(case, 28)
    gv = np.zeros(case.value.shape, np.float32)
    gl = np.zeros(case.location.shape, np.float32)
    ga = np.zeros(case.attn_weight.shape, np.float32)
    run(msda_grad_kernel, {"value": case.value, "spatial_shape": case.spatial_shape, "level_start_index": case.level_start_index,
                           "location": case.location, "attn_weight": case.attn_weight, "grad_output": go,
                           "grad_value": gv, "grad_location": gl, "grad_attn_weight": ga}, stage=stage)
    assert_grads_close(case, go, (gv, gl, ga))


@pytest.mark.parametrize("dtype", [np.float16, ml_dtypes.bfloat16])
def test_half_precision_gradients(dtype: Any) -> None:
    case = make_case(np.random.default_rng(29), levels=[(4, 4), (1, 1)], dtype=dtype, nh=1, npt=2)
    go = _grad_output(case, 30)
    assert_grads_close(case, go, grad_call(case, go))


@needs_gxx
@pytest.mark.parametrize(
    "dtype,levels,nh,e,npt",
    [(np.float32, LEVELS, 2, 8, 2), (np.float16, [(4, 4), (1, 1)], 1, 256, 1), (np.float32, [(2, 2)] * 16, 16, 8, 16)],
)
def test_emulator_gradients(dtype: Any, levels: list[tuple[int, int]], nh: int, e: int, npt: int) -> None:
    case = make_case(np.random.default_rng(31 + e), levels=levels, nh=nh, e=e, npt=npt, dtype=dtype)
    go = _grad_output(case, 32)
    assert_grads_close(case, go, grad_call(case, go, "emu"))


def test_gradient_validation() -> None:
    case = _base()
    go = _grad_output(case, 33)
    with pytest.raises(AclnnError) as info:
        grad_call(case, None)  # type: ignore[arg-type]
    assert info.value.code == 161001 and "grad_output" in str(info.value)
    with pytest.raises(AclnnError) as info:
        grad_call(case, go[:, :, :4].copy())
    assert info.value.code == 161002 and "grad_output" in str(info.value)
    with pytest.raises(AclnnError) as info:
        grad_call(replace(case, level_start_index=np.array([0, 12, 12], np.int32)), go)
    assert info.value.code == 161002

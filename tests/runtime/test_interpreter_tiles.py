"""Tile ops on the CPU interpreter, checked against plain numpy / Python written here.

Expected values never come from ascdsl: float arithmetic is computed in float64 (exact or innocuously
rounded for + - * / of two values of a narrower type) and rounded once to the element type; rounding modes
of casts are written with `decimal`, `math` and `struct`.
"""

from __future__ import annotations

import decimal
import math
import struct
import warnings

import ml_dtypes
import numpy as np
import pytest
from ascdsl.runtime import run
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from ascdsl import (
    Attr,
    DeviceRuntimeError,
    Out,
    Tensor,
    bf16,
    cast,
    ceil,
    exp,
    f16,
    f32,
    floor,
    full,
    i8,
    i32,
    load,
    reduce_max,
    reduce_min,
    reduce_sum,
    require,
    sqrt,
    store,
    u8,
    where,
    zeros,
)
from ascdsl import kernel as dsl_kernel

BF16 = np.dtype(ml_dtypes.bfloat16)
F16 = np.dtype(np.float16)
F32 = np.dtype(np.float32)


# ------------------------------------------------------------------------------------------ kernels


@dsl_kernel
def k_add(x: Tensor[T, N], y: Tensor[T, N], z: Out[Tensor[T, N]]):
    store(z, load(x) + load(y))


@dsl_kernel
def k_sub(x: Tensor[T, N], y: Tensor[T, N], z: Out[Tensor[T, N]]):
    store(z, load(x) - load(y))


@dsl_kernel
def k_mul(x: Tensor[T, N], y: Tensor[T, N], z: Out[Tensor[T, N]]):
    store(z, load(x) * load(y))


@dsl_kernel
def k_div(x: Tensor[T, N], y: Tensor[T, N], z: Out[Tensor[T, N]]):
    store(z, load(x) / load(y))


@dsl_kernel
def k_bcast_row(x: Tensor[T, M, N], r: Tensor[T, N], z: Out[Tensor[T, M, N]]):
    store(z, load(x) - load(r))


@dsl_kernel
def k_bcast_col(x: Tensor[T, M, N], c: Tensor[T, M], z: Out[Tensor[T, M, N]]):
    store(z, load(x) * load(c)[:, None])


@dsl_kernel
def k_outer(a: Tensor[T, M], b: Tensor[T, N], z: Out[Tensor[T, M, N]]):
    store(z, load(a)[:, None] + load(b)[None, :])


@dsl_kernel
def k_bcast_dyn(x: Tensor[f32, N], a: Attr[int], b: Attr[int], z: Out[Tensor[f32, N]]):
    store(z[0:a], load(x[0:a]) + load(x[0:b]))


@dsl_kernel
def k_scalar_ops(x: Tensor[T, N], s: Attr[float], z: Out[Tensor[T, 4, N]]):
    t = load(x)
    store(z[0], t + s)
    store(z[1], s - t)
    store(z[2], t * 2.5)
    store(z[3], 1.0 / t)


@dsl_kernel
def k_int_scalar_ops(x: Tensor[T, N], k: Attr[int], z: Out[Tensor[T, 4, N]]):
    t = load(x)
    store(z[0], t + k)
    store(z[1], k - t)
    store(z[2], t * 3)
    store(z[3], max(t, k))


@dsl_kernel
def k_i32_times_float(x: Tensor[i32, N], z: Out[Tensor[i32, N]]):
    store(z, load(x) * 2.5)


@dsl_kernel
def k_i32_div(x: Tensor[i32, N], z: Out[Tensor[i32, N]]):
    store(z, load(x) / load(x))


@dsl_kernel
def k_i8_plus(x: Tensor[i8, N], k: Attr[int], z: Out[Tensor[i8, N]]):
    store(z, load(x) + k)


@dsl_kernel
def k_minmax(x: Tensor[T, N], y: Tensor[T, N], z: Out[Tensor[T, 4, N]]):
    a = load(x)
    b = load(y)
    store(z[0], max(a, b))
    store(z[1], min(a, b))
    store(z[2], max(a, 0.0))
    store(z[3], min(a, b, 1.0))


@dsl_kernel
def k_compare(x: Tensor[T, N], y: Tensor[T, N], z: Out[Tensor[bool, 8, N]]):
    a = load(x)
    b = load(y)
    store(z[0], a < b)
    store(z[1], a <= b)
    store(z[2], a > b)
    store(z[3], a >= b)
    store(z[4], a == b)
    store(z[5], a != b)
    store(z[6], a > 0.5)
    store(z[7], (a < b) & (b < 0.0))


@dsl_kernel
def k_and_or(x: Tensor[T, N], y: Tensor[T, N], z: Out[Tensor[T, 3, N]]):
    store(z[0], load(x) & load(y))
    store(z[1], load(x) | load(y))
    store(z[2], load(x) & 1)


@dsl_kernel
def k_where(x: Tensor[T, N], y: Tensor[T, N], z: Out[Tensor[T, 3, N]]):
    a = load(x)
    b = load(y)
    store(z[0], where(a > b, a, b))
    store(z[1], where(a < 0.0, 0.0, a))
    store(z[2], where(b >= a, a, -1.0))


@dsl_kernel
def k_where_bcast(c: Tensor[bool, M], x: Tensor[f32, M, N], z: Out[Tensor[f32, M, N]]):
    store(z, where(load(c)[:, None], load(x), 7.0))


@dsl_kernel
def k_unary(x: Tensor[T, N], z: Out[Tensor[T, 4, N]]):
    t = load(x)
    store(z[0], -t)
    store(z[1], abs(t))
    store(z[2], floor(t))
    store(z[3], ceil(t))


@dsl_kernel
def k_exp_sqrt(x: Tensor[T, N], z: Out[Tensor[T, 2, N]]):
    t = load(x)
    store(z[0], exp(t))
    store(z[1], sqrt(t))


@dsl_kernel
def k_int_unary(x: Tensor[i32, N], z: Out[Tensor[i32, 2, N]]):
    t = load(x)
    store(z[0], -t)
    store(z[1], abs(t))


@dsl_kernel
def k_cast_none(x: Tensor[S, N], z: Out[Tensor[D, N]]):
    store(z, cast(load(x), D, round="none"))


@dsl_kernel
def k_cast_rint(x: Tensor[S, N], z: Out[Tensor[D, N]]):
    store(z, cast(load(x), D, round="rint"))


@dsl_kernel
def k_cast_round(x: Tensor[S, N], z: Out[Tensor[D, N]]):
    store(z, cast(load(x), D, round="round"))


@dsl_kernel
def k_cast_floor(x: Tensor[S, N], z: Out[Tensor[D, N]]):
    store(z, cast(load(x), D, round="floor"))


@dsl_kernel
def k_cast_ceil(x: Tensor[S, N], z: Out[Tensor[D, N]]):
    store(z, cast(load(x), D, round="ceil"))


@dsl_kernel
def k_cast_trunc(x: Tensor[S, N], z: Out[Tensor[D, N]]):
    store(z, cast(load(x), D, round="trunc"))


@dsl_kernel
def k_cast_odd(x: Tensor[S, N], z: Out[Tensor[D, N]]):
    store(z, cast(load(x), D, round="odd"))


@dsl_kernel
def k_cast_default(x: Tensor[S, N], z: Out[Tensor[D, N]]):
    store(z, cast(load(x), D))


@dsl_kernel
def k_cast_to_f16(x: Tensor[f32, N], z: Out[Tensor[f16, N]]):
    store(z, cast(load(x), f16))


@dsl_kernel
def k_cast_to_bf16(x: Tensor[f32, N], z: Out[Tensor[bf16, N]]):
    store(z, cast(load(x), bf16))


@dsl_kernel
def k_cast_u8_f32(x: Tensor[u8, N], z: Out[Tensor[f32, N]]):
    store(z, cast(load(x), f32) * 0.5)


@dsl_kernel
def k_cast_bool(x: Tensor[f32, N], z: Out[Tensor[f32, N]], w: Out[Tensor[i32, N]]):
    c = load(x) > 0.0
    store(z, cast(c, f32))
    store(w, cast(c, i32))


CAST_KERNELS = {
    "none": k_cast_none,
    "rint": k_cast_rint,
    "round": k_cast_round,
    "floor": k_cast_floor,
    "ceil": k_cast_ceil,
    "trunc": k_cast_trunc,
}


@dsl_kernel
def k_reduce_all_int(x: Tensor[T, M, N], z: Out[Tensor[T, 3]]):
    require(T in (i32, i16, u8), code=161002, msg="integers")
    t = load(x)
    z[0] = reduce_sum(t)
    z[1] = reduce_max(t)
    z[2] = reduce_min(t)


@dsl_kernel
def k_reduce_all_float(x: Tensor[T, M, N], z: Out[Tensor[T, 3]]):
    require(T in (f16, bf16, f32), code=161002, msg="floats")
    t = load(x)
    z[0] = reduce_sum(t)
    z[1] = reduce_max(t)
    z[2] = reduce_min(t)


@dsl_kernel
def k_reduce_all_f32(x: Tensor[f32, M, N], z: Out[Tensor[f32, 3]]):
    t = load(x)
    z[0] = reduce_sum(t)
    z[1] = reduce_max(t)
    z[2] = reduce_min(t)


@dsl_kernel
def k_reduce_axis1(x: Tensor[T, M, N], z: Out[Tensor[T, 3, M]]):
    t = load(x)
    store(z[0], reduce_sum(t, axis=1))
    store(z[1], reduce_max(t, axis=1))
    store(z[2], reduce_min(t, axis=-1))


@dsl_kernel
def k_reduce_axis0(x: Tensor[T, M, N], z: Out[Tensor[T, 3, N]]):
    t = load(x)
    store(z[0], reduce_sum(t, axis=0))
    store(z[1], reduce_max(t, axis=0))
    store(z[2], reduce_min(t, axis=0))


@dsl_kernel
def k_reduce_max_vec(x: Tensor[f32, N], z: Out[Tensor[f32, 1]]):
    z[0] = reduce_max(load(x))


@dsl_kernel
def k_reduce_sum_vec(x: Tensor[i32, N], z: Out[Tensor[i32, 1]]):
    z[0] = reduce_sum(load(x))


@dsl_kernel
def k_row_accumulate(x: Tensor[f32, M, N], flag: Attr[bool], z: Out[Tensor[f32, N]]):
    acc = zeros((N,), f32)
    for i in range(M):
        acc = acc * 0.5 + load(x[i])
    if flag:
        acc = -acc
    store(z, acc)


@dsl_kernel
def k_zeros_full(m: Attr[int], z: Out[Tensor[f32, 2, M, N]], w: Out[Tensor[i32, M, N]]):
    store(z[0], zeros((M, N), f32))
    store(z[1], full((M, N), 1.5, f32) + full((1, N), 0.25, f32))
    store(w, full((M, N), m, i32) - zeros((N,), i32))


@dsl_kernel
def k_full_f16(v: Attr[float], z: Out[Tensor[f16, N]]):
    store(z, full((N,), v, f16))


@dsl_kernel
def k_full_i32_float(z: Out[Tensor[i32, N]]):
    store(z, full((N,), 0.5, i32))


# ------------------------------------------------------------------------------------------ helpers

FLOAT_DTYPES = [F16, BF16, F32]


def finite_floats(dtype: np.dtype, n: int | None = None, lo: float = -1e4, hi: float = 1e4) -> st.SearchStrategy:
    """Arrays of finite values exactly representable in `dtype`, drawn from its own value grid."""
    width = 16 if dtype == F16 else 32
    elems = st.floats(lo, hi, width=width, allow_nan=False, allow_infinity=False).map(
        lambda v: float(np.asarray(v, dtype=np.float64).astype(dtype))
    )
    shape = st.integers(1, 16) if n is None else st.just(n)
    return shape.flatmap(lambda k: st.lists(elems, min_size=k, max_size=k)).map(lambda v: np.array(v, dtype=dtype))


def ref(dtype: np.dtype, fn, *arrays: np.ndarray) -> np.ndarray:
    """fn over float64 (or Python int) values, rounded once to `dtype`."""
    with np.errstate(all="ignore"):
        wide = [a.astype(np.float64) if a.dtype.kind == "f" or a.dtype == BF16 else a.astype(np.int64) for a in arrays]
        return np.asarray(fn(*wide)).astype(dtype)


def assert_bits(got: np.ndarray, want: np.ndarray) -> None:
    """Same shape, dtype and values; NaNs must be NaN on both sides (any payload), -0.0 must stay -0.0."""
    assert got.dtype == want.dtype and got.shape == want.shape
    if got.dtype.kind == "f" or got.dtype == BF16:
        g, w = got.astype(np.float64), want.astype(np.float64)
        nan = np.isnan(w)
        assert np.array_equal(np.isnan(g), nan), f"NaN positions differ:\n{got}\n{want}"
        assert np.array_equal(g[~nan], w[~nan]), f"\ngot  {got}\nwant {want}"
        assert np.array_equal(np.signbit(g[~nan]), np.signbit(w[~nan])), "signs of zero differ"
    else:
        assert np.array_equal(got, want), f"\ngot  {got}\nwant {want}"


def line_of(k, text: str) -> int:
    """The line number, in this file, of the kernel source line that contains `text`."""
    lines = k.source.splitlines()
    return k.first_line + next(i for i, line in enumerate(lines) if text in line)


def out(shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    """An output array filled with a sentinel, so that unwritten elements show."""
    return np.full(shape, 99, dtype=dtype)


# ------------------------------------------------------------------------------------------ arithmetic


@given(dtype=st.sampled_from(FLOAT_DTYPES), data=st.data())
@settings(deadline=None)
def test_float_add_sub_mul(dtype: np.dtype, data: st.DataObject) -> None:
    x = data.draw(finite_floats(dtype))
    y = data.draw(finite_floats(dtype, len(x)))
    for k, fn in ((k_add, np.add), (k_sub, np.subtract), (k_mul, np.multiply)):
        z = out(x.shape, dtype)
        run(k, {"x": x, "y": y, "z": z})
        assert_bits(z, ref(dtype, fn, x, y))


@given(dtype=st.sampled_from([F16, F32]), data=st.data())
@settings(deadline=None)
def test_float_div(dtype: np.dtype, data: st.DataObject) -> None:
    x = data.draw(finite_floats(dtype))
    y = data.draw(finite_floats(dtype, len(x)))
    z = out(x.shape, dtype)
    run(k_div, {"x": x, "y": y, "z": z})
    assert_bits(z, ref(dtype, np.divide, x, y))


def test_float_div_by_zero_is_ieee_and_quiet() -> None:
    x = np.array([1.0, -2.0, 0.0, 3.0], dtype=np.float32)
    y = np.array([0.0, 0.0, 0.0, -0.0], dtype=np.float32)
    z = out(x.shape, F32)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the device has no floating-point warnings; neither should the CPU run
        run(k_div, {"x": x, "y": y, "z": z})
    assert_bits(z, np.array([math.inf, -math.inf, math.nan, -math.inf], dtype=np.float32))


@given(x=hnp.arrays(np.int32, st.integers(1, 16), elements=st.integers(-(2**20), 2**20)), data=st.data())
@settings(deadline=None)
def test_int32_add_sub_mul(x: np.ndarray, data: st.DataObject) -> None:
    y = data.draw(hnp.arrays(np.int32, x.shape, elements=st.integers(-(2**10), 2**10)))
    for k, fn in ((k_add, lambda a, b: a + b), (k_sub, lambda a, b: a - b), (k_mul, lambda a, b: a * b)):
        z = out(x.shape, np.dtype(np.int32))
        run(k, {"x": x, "y": y, "z": z})
        want = np.array([fn(int(a), int(b)) for a, b in zip(x, y, strict=True)], dtype=np.int32)
        assert_bits(z, want)


def test_int_tile_division_is_an_error() -> None:
    z = out((3,), np.dtype(np.int32))
    with pytest.raises(DeviceRuntimeError, match="integer tile division"):
        run(k_i32_div, {"x": np.array([1, 2, 3], dtype=np.int32), "z": z})
    assert np.all(z == 99)


@pytest.mark.parametrize("dtype", FLOAT_DTYPES, ids=str)
def test_broadcast_row_col_and_outer(dtype: np.dtype) -> None:
    rng = np.random.default_rng(1)
    x = rng.uniform(-8, 8, size=(3, 5)).astype(dtype)
    r = rng.uniform(-8, 8, size=5).astype(dtype)
    c = rng.uniform(-8, 8, size=3).astype(dtype)
    z = out((3, 5), dtype)
    run(k_bcast_row, {"x": x, "r": r, "z": z})
    assert_bits(z, ref(dtype, lambda a, b: a - b[None, :], x, r))
    z = out((3, 5), dtype)
    run(k_bcast_col, {"x": x, "c": c, "z": z})
    assert_bits(z, ref(dtype, lambda a, b: a * b.reshape(3, 1), x, c))
    z = out((3, 5), dtype)
    run(k_outer, {"a": c, "b": r, "z": z})
    want = np.array([[float(c[i]) + float(r[j]) for j in range(5)] for i in range(3)]).astype(dtype)
    assert_bits(z, want)


def test_broadcast_of_run_time_sizes() -> None:
    x = np.array([1.0, 2.0, 4.0, 8.0], dtype=np.float32)
    z = out((4,), F32)
    run(k_bcast_dyn, {"x": x, "a": 3, "b": 1, "z": z})  # [3] + [1] broadcasts
    assert_bits(z, np.array([2.0, 3.0, 5.0, 99.0], dtype=np.float32))
    z = out((4,), F32)
    with pytest.raises(DeviceRuntimeError) as exc:
        run(k_bcast_dyn, {"x": x, "a": 3, "b": 2, "z": z})  # [3] + [2] does not
    assert f"{__file__}:{line_of(k_bcast_dyn, 'load(x[0:a]) + load(x[0:b])')}:" in str(exc.value)
    assert np.all(z == 99)


@given(dtype=st.sampled_from(FLOAT_DTYPES), data=st.data(), s=st.floats(-100, 100, width=32))
@settings(deadline=None)
def test_float_scalar_operands(dtype: np.dtype, data: st.DataObject, s: float) -> None:
    x = data.draw(finite_floats(dtype, lo=-100, hi=100).filter(lambda a: bool(np.all(a != 0))))
    z = out((4, len(x)), dtype)
    run(k_scalar_ops, {"x": x, "s": s, "z": z})
    # A scalar operand takes the tile's element type first (as the vector unit's scalar operand does).
    s_t = np.asarray(s, dtype=np.float64).astype(dtype)
    assert_bits(z[0], ref(dtype, lambda a, b: a + b, x, s_t))
    assert_bits(z[1], ref(dtype, lambda a, b: b - a, x, s_t))
    assert_bits(z[2], ref(dtype, lambda a: a * 2.5, x))
    if dtype != BF16:  # 1/x of bf16 would be rounded twice by numpy's and by this reference
        assert_bits(z[3], ref(dtype, lambda a: 1.0 / a, x))


@given(
    x=hnp.arrays(np.int32, st.integers(1, 12), elements=st.integers(-(2**16), 2**16)),
    k=st.integers(-(2**16), 2**16),
)
@settings(deadline=None)
def test_int_scalar_operands(x: np.ndarray, k: int) -> None:
    z = out((4, len(x)), np.dtype(np.int32))
    run(k_int_scalar_ops, {"x": x, "k": k, "z": z})
    xs = [int(v) for v in x]
    assert z[0].tolist() == [v + k for v in xs]
    assert z[1].tolist() == [k - v for v in xs]
    assert z[2].tolist() == [v * 3 for v in xs]
    assert z[3].tolist() == [max(v, k) for v in xs]


def test_scalar_that_does_not_fit_the_tile_type_is_an_error() -> None:
    with pytest.raises(DeviceRuntimeError, match=r"2\.5"):
        run(k_i32_times_float, {"x": np.ones(2, np.int32), "z": out((2,), np.dtype(np.int32))})
    with pytest.raises(DeviceRuntimeError, match="300"):
        run(k_i8_plus, {"x": np.ones(2, np.int8), "k": 300, "z": out((2,), np.dtype(np.int8))})
    z = out((2,), np.dtype(np.int8))
    run(k_i8_plus, {"x": np.array([1, -1], np.int8), "k": 127 - 1, "z": z})
    assert z.tolist() == [127, 125]


@given(dtype=st.sampled_from(FLOAT_DTYPES), data=st.data())
@settings(deadline=None)
def test_max_min(dtype: np.dtype, data: st.DataObject) -> None:
    x = data.draw(finite_floats(dtype, lo=-4, hi=4))
    y = data.draw(finite_floats(dtype, len(x), lo=-4, hi=4))
    z = out((4, len(x)), dtype)
    run(k_minmax, {"x": x, "y": y, "z": z})
    a, b = x.astype(np.float64), y.astype(np.float64)
    assert np.array_equal(z[0].astype(np.float64), [max(p, q) for p, q in zip(a, b, strict=True)])
    assert np.array_equal(z[1].astype(np.float64), [min(p, q) for p, q in zip(a, b, strict=True)])
    assert np.array_equal(z[2].astype(np.float64), [max(p, 0.0) for p in a])
    assert np.array_equal(z[3].astype(np.float64), [min(p, q, 1.0) for p, q in zip(a, b, strict=True)])


# ------------------------------------------------------------------------------------------ comparisons, where


@pytest.mark.parametrize("dtype", FLOAT_DTYPES, ids=str)
def test_comparisons_ieee(dtype: np.dtype) -> None:
    x = np.array([1.0, 2.0, -1.0, 0.5, math.nan, 0.0, -3.0, math.inf], dtype=np.float64).astype(dtype)
    y = np.array([2.0, 2.0, -2.0, 0.25, 1.0, -0.0, -1.0, math.nan], dtype=np.float64).astype(dtype)
    z = np.zeros((8, len(x)), dtype=bool)
    run(k_compare, {"x": x, "y": y, "z": z})
    a, b = [float(v) for v in x], [float(v) for v in y]
    pairs = list(zip(a, b, strict=True))
    assert z[0].tolist() == [p < q for p, q in pairs]
    assert z[1].tolist() == [p <= q for p, q in pairs]
    assert z[2].tolist() == [p > q for p, q in pairs]
    assert z[3].tolist() == [p >= q for p, q in pairs]
    assert z[4].tolist() == [p == q for p, q in pairs]  # 0.0 == -0.0
    assert z[5].tolist() == [p != q for p, q in pairs]  # NaN != anything
    assert z[6].tolist() == [p > 0.5 for p in a]
    assert z[7].tolist() == [p < q and q < 0.0 for p, q in pairs]


def test_comparisons_int32() -> None:
    x = np.array([1, 5, -7, 0, 2**31 - 1, -(2**31)], dtype=np.int32)
    y = np.array([1, 4, -6, 0, -(2**31), 2**31 - 1], dtype=np.int32)
    z = np.zeros((8, len(x)), dtype=bool)
    with pytest.raises(DeviceRuntimeError, match=r"0\.5"):  # a float scalar is not an int32 tile value
        run(k_compare, {"x": x, "y": y, "z": z})
    assert not z.any()


@given(
    dtype=st.sampled_from([np.int32, np.uint8, np.int16]),
    data=st.data(),
)
@settings(deadline=None)
def test_and_or_on_int_tiles_are_bitwise(dtype: type, data: st.DataObject) -> None:
    info = np.iinfo(dtype)
    x = data.draw(hnp.arrays(dtype, st.integers(1, 12), elements=st.integers(int(info.min), int(info.max))))
    y = data.draw(hnp.arrays(dtype, x.shape, elements=st.integers(int(info.min), int(info.max))))
    z = out((3, len(x)), np.dtype(dtype))
    run(k_and_or, {"x": x, "y": y, "z": z})
    a, b = [int(v) for v in x], [int(v) for v in y]  # Python's & and | on ints (two's complement for negatives)
    assert z[0].tolist() == [p & q for p, q in zip(a, b, strict=True)]
    assert z[1].tolist() == [p | q for p, q in zip(a, b, strict=True)]
    assert z[2].tolist() == [p & 1 for p in a]


def test_and_or_on_bool_tiles_are_logical() -> None:
    x = np.array([True, True, False, False])
    y = np.array([True, False, True, False])
    z = np.zeros((3, 4), dtype=bool)
    run(k_and_or, {"x": x, "y": y, "z": z})
    assert z.tolist() == [[True, False, False, False], [True, True, True, False], [True, True, False, False]]


def test_and_or_on_float_tiles_is_an_error() -> None:
    z = out((3, 2), F32)
    with pytest.raises(DeviceRuntimeError, match="'&'"):
        run(k_and_or, {"x": np.ones(2, np.float32), "y": np.ones(2, np.float32), "z": z})
    assert np.all(z == 99)


@given(dtype=st.sampled_from(FLOAT_DTYPES), data=st.data())
@settings(deadline=None)
def test_where(dtype: np.dtype, data: st.DataObject) -> None:
    x = data.draw(finite_floats(dtype, lo=-10, hi=10))
    y = data.draw(finite_floats(dtype, len(x), lo=-10, hi=10))
    z = out((3, len(x)), dtype)
    run(k_where, {"x": x, "y": y, "z": z})
    a, b = [float(v) for v in x], [float(v) for v in y]
    pairs = list(zip(a, b, strict=True))
    assert z[0].astype(np.float64).tolist() == [p if p > q else q for p, q in pairs]
    assert z[1].astype(np.float64).tolist() == [0.0 if p < 0 else p for p in a]
    assert z[2].astype(np.float64).tolist() == [p if q >= p else -1.0 for p, q in pairs]


def test_where_broadcasts_its_condition() -> None:
    c = np.array([True, False, True])
    x = np.arange(12, dtype=np.float32).reshape(3, 4)
    z = out((3, 4), F32)
    run(k_where_bcast, {"c": c, "x": x, "z": z})
    want = np.array([[float(x[i, j]) if c[i] else 7.0 for j in range(4)] for i in range(3)], dtype=np.float32)
    assert_bits(z, want)


# ------------------------------------------------------------------------------------------ unary


def ieee_integral(fn, v: float) -> float:
    """floor/ceil as IEEE defines them on floats: a zero result keeps the operand's sign (ceil(-0.5) is -0.0)."""
    r = float(fn(v))
    return math.copysign(r, v) if r == 0 else r


@given(dtype=st.sampled_from(FLOAT_DTYPES), data=st.data())
@settings(deadline=None)
def test_neg_abs_floor_ceil(dtype: np.dtype, data: st.DataObject) -> None:
    x = data.draw(finite_floats(dtype, lo=-300, hi=300))
    z = out((4, len(x)), dtype)
    run(k_unary, {"x": x, "z": z})
    a = [float(v) for v in x]
    assert_bits(z[0], np.array([-v for v in a]).astype(dtype))
    assert_bits(z[1], np.array([math.fabs(v) for v in a]).astype(dtype))
    assert_bits(z[2], np.array([ieee_integral(math.floor, v) for v in a]).astype(dtype))
    assert_bits(z[3], np.array([ieee_integral(math.ceil, v) for v in a]).astype(dtype))


def test_unary_special_values() -> None:
    x = np.array([-0.0, 0.0, math.inf, -math.inf, math.nan, -0.5, 0.5, -2.5], dtype=np.float32)
    z = out((4, len(x)), F32)
    run(k_unary, {"x": x, "z": z})
    assert_bits(z[0], np.array([0.0, -0.0, -math.inf, math.inf, math.nan, 0.5, -0.5, 2.5], np.float32))
    assert_bits(z[1], np.array([0.0, 0.0, math.inf, math.inf, math.nan, 0.5, 0.5, 2.5], np.float32))
    assert_bits(z[2], np.array([-0.0, 0.0, math.inf, -math.inf, math.nan, -1.0, 0.0, -3.0], np.float32))
    assert_bits(z[3], np.array([-0.0, 0.0, math.inf, -math.inf, math.nan, -0.0, 1.0, -2.0], np.float32))


def test_int_neg_abs() -> None:
    x = np.array([0, 3, -4, 2**31 - 1, -(2**31) + 1], dtype=np.int32)
    z = out((2, len(x)), np.dtype(np.int32))
    run(k_int_unary, {"x": x, "z": z})
    assert z[0].tolist() == [-int(v) for v in x]
    assert z[1].tolist() == [abs(int(v)) for v in x]


@given(dtype=st.sampled_from(FLOAT_DTYPES), data=st.data())
@settings(deadline=None)
def test_exp_sqrt(dtype: np.dtype, data: st.DataObject) -> None:
    x = data.draw(finite_floats(dtype, lo=0, hi=10))
    z = out((2, len(x)), dtype)
    run(k_exp_sqrt, {"x": x, "z": z})
    a = [float(v) for v in x]
    # exp: within a few units in the last place (numpy's float32 exp, like the device's, is not correctly
    # rounded); sqrt is correctly rounded in IEEE.
    eps = float(np.finfo(dtype).eps) if dtype != BF16 else 2.0**-7
    want_exp = np.array([math.exp(v) for v in a])
    np.testing.assert_allclose(z[0].astype(np.float64), want_exp, rtol=4 * eps)
    if dtype != BF16:
        assert_bits(z[1], np.array([math.sqrt(v) for v in a]).astype(dtype))
    else:
        np.testing.assert_allclose(z[1].astype(np.float64), [math.sqrt(v) for v in a], rtol=eps)


def test_exp_sqrt_special_values_are_quiet() -> None:
    x = np.array([-1.0, 0.0, -0.0, math.inf, 100.0, -math.inf, math.nan], dtype=np.float32)
    z = out((2, len(x)), F32)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        run(k_exp_sqrt, {"x": x, "z": z})
    assert_bits(z[0][1:], np.array([1.0, 1.0, math.inf, math.inf, 0.0, math.nan], dtype=np.float32))
    assert abs(float(z[0][0]) - math.exp(-1.0)) <= 4 * 2.0**-24
    assert_bits(z[1], np.array([math.nan, 0.0, -0.0, math.inf, 10.0, math.nan, math.nan], dtype=np.float32))


# ------------------------------------------------------------------------------------------ casts


def ref_round(v: float, mode: str) -> int:
    """The integer a float rounds to, written with decimal / math (exact on every float)."""
    if mode in ("rint", "none"):  # CAST_NONE rounds like CAST_RINT when precision is lost
        return round(v)  # Python's round() on a float is round-half-to-even, exactly
    if mode == "round":  # half away from zero
        return int(decimal.Decimal(v).to_integral_value(rounding=decimal.ROUND_HALF_UP))
    return {"floor": math.floor, "ceil": math.ceil, "trunc": math.trunc}[mode](v)


def ref_float_to_int(x: np.ndarray, dst: np.dtype, mode: str) -> np.ndarray:
    lo, hi = int(np.iinfo(dst).min), int(np.iinfo(dst).max)
    res = []
    for v in x.astype(np.float64).tolist():
        if math.isnan(v):
            res.append(0)
        elif math.isinf(v):
            res.append(hi if v > 0 else lo)
        else:
            res.append(min(hi, max(lo, ref_round(v, mode))))
    return np.array(res, dtype=dst)


TIES = [0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 0.49999997, 2.4999998, -3.5000002, 1e-30, -1e-30, 0.0, -0.0]
INT_TARGETS = [np.int8, np.uint8, np.int16, np.uint16, np.int32, np.uint32, np.int64, np.uint64]


@pytest.mark.parametrize("mode", list(CAST_KERNELS))
@pytest.mark.parametrize("dst", INT_TARGETS, ids=lambda d: np.dtype(d).name)
def test_cast_f32_to_int_every_mode_with_saturation(mode: str, dst: type) -> None:
    extremes = [
        1e30,
        -1e30,
        math.inf,
        -math.inf,
        math.nan,
        127.5,
        -128.5,
        255.5,
        65535.5,
        -32768.5,
        2.0**31,
        -(2.0**31) - 256,
    ]
    extremes += [2.0**32, 2.0**63, -(2.0**63), 2.0**64, 1.8446743e19, 9.223371e18]
    x = np.array(TIES + extremes + [7.25, -7.25, 7.75, -7.75], dtype=np.float32)
    z = np.zeros(len(x), dtype=dst)
    run(CAST_KERNELS[mode], {"x": x, "z": z})
    want = ref_float_to_int(x, np.dtype(dst), mode)
    bad = [(float(v), int(g), int(w)) for v, g, w in zip(x, z, want, strict=True) if g != w]
    assert not bad, f"(input, got, want): {bad}"


@given(src=st.sampled_from(FLOAT_DTYPES), data=st.data())
@settings(deadline=None)
def test_cast_float_to_i32_random_bits_every_mode(src: np.dtype, data: st.DataObject) -> None:
    bits = data.draw(hnp.arrays(np.uint16 if src.itemsize == 2 else np.uint32, st.integers(1, 16)))
    x = bits.view(src)
    for mode, k in CAST_KERNELS.items():
        z = np.zeros(len(x), dtype=np.int32)
        run(k, {"x": x, "z": z})
        assert_bits(z, ref_float_to_int(x, np.dtype(np.int32), mode))


def test_cast_odd_is_rejected_for_float_to_int() -> None:
    with pytest.raises(DeviceRuntimeError, match="odd"):
        run(k_cast_odd, {"x": np.ones(2, np.float32), "z": np.zeros(2, np.int32)})


def ref_f32_to_f16(v: float) -> float:
    """Round-half-to-even to binary16 with `struct` (exact for a float32 input), overflowing to inf."""
    if math.isnan(v) or math.isinf(v):
        return v
    if abs(v) >= 65520.0:  # at or past the midpoint between 65504 and 2**16 (the next binade's first value)
        return math.copysign(math.inf, v)
    return struct.unpack("<e", struct.pack("<e", v))[0]


def ref_f32_to_bf16_bits(bits: int) -> int:
    """Round-half-to-even of a float32 bit pattern to bfloat16's 16 high bits (NaN stays NaN, quieted)."""
    if (bits & 0x7F800000) == 0x7F800000 and (bits & 0x007FFFFF):
        return (bits >> 16) | 0x0040
    low = bits & 0xFFFF
    high = bits >> 16
    if low > 0x8000 or (low == 0x8000 and high & 1):
        high += 1
    return high & 0xFFFF


F16_TIES = [
    1.0 + 2.0**-11,  # halfway between 1 and 1 + 2**-10: to 1 (even)
    1.0 + 3 * 2.0**-11,  # halfway between 1 + 2**-10 and 1 + 2**-9: to 1 + 2**-9 (even)
    -(1.0 + 2.0**-11),
    2049.0,
    2051.0,
    65504.0,
    65519.996,  # just below the overflow midpoint: 65504
    65520.0,  # the midpoint: inf (even)
    2.0**-25,  # half the smallest subnormal: to 0 (even)
    3 * 2.0**-25,  # 1.5 subnormal ulps: to 2 ulps
    2.0**-24,
    -(2.0**-26),
    1e-8,
]


def test_cast_f32_to_f16_round_half_to_even() -> None:
    x = np.array([*F16_TIES, math.inf, -math.inf, 1e10, -1e10, 0.0, -0.0], dtype=np.float32)
    for k in (k_cast_to_f16, k_cast_rint, k_cast_none, k_cast_default):
        z = np.zeros(len(x), dtype=np.float16)
        run(k, {"x": x, "z": z})
        assert_bits(z, np.array([ref_f32_to_f16(float(v)) for v in x], dtype=np.float16))


@given(bits=hnp.arrays(np.uint32, st.integers(1, 32)))
@settings(deadline=None)
def test_cast_f32_to_f16_random_bits(bits: np.ndarray) -> None:
    x = bits.view(np.float32)
    z = np.zeros(len(x), dtype=np.float16)
    run(k_cast_to_f16, {"x": x, "z": z})
    assert_bits(z, np.array([ref_f32_to_f16(float(v)) for v in x], dtype=np.float16))


BF16_TIES = [
    1.0 + 2.0**-8,  # halfway between 1 and 1 + 2**-7: to 1
    1.0 + 3 * 2.0**-8,  # to 1 + 2**-6
    1.0 + 2.0**-8 + 2.0**-23,  # just above the midpoint: up
    -(1.0 + 2.0**-8),
    3.3895314e38,  # past the largest bf16 finite's midpoint: inf
    1e-40,  # a float32 subnormal
]


@given(bits=hnp.arrays(np.uint32, st.integers(1, 32)))
@settings(deadline=None)
def test_cast_f32_to_bf16_round_half_to_even(bits: np.ndarray) -> None:
    x = np.concatenate([np.array(BF16_TIES, dtype=np.float32), bits.view(np.float32)])
    z = np.zeros(len(x), dtype=BF16)
    run(k_cast_to_bf16, {"x": x, "z": z})
    want_bits = np.array([ref_f32_to_bf16_bits(int(b)) for b in x.view(np.uint32)], dtype=np.uint16)
    assert_bits(z, want_bits.view(BF16))


@pytest.mark.parametrize("mode", ["round", "floor", "ceil", "trunc", "odd"])
@pytest.mark.parametrize("dst", [F16, BF16], ids=str)
def test_cast_float_narrowing_other_modes_are_rejected(mode: str, dst: np.dtype) -> None:
    kernel = CAST_KERNELS.get(mode, k_cast_odd)
    z = np.zeros(2, dtype=dst)
    with pytest.raises(DeviceRuntimeError, match=mode):
        run(kernel, {"x": np.array([1.1, 2.2], np.float32), "z": z})
    assert np.all(z.astype(np.float64) == 0)


@pytest.mark.parametrize("mode", list(CAST_KERNELS))
def test_cast_float_widening_is_exact_in_every_mode(mode: str) -> None:
    x = np.array([1.0 + 2.0**-10, -(2.0**-24), 65504.0, math.inf, -0.0, math.nan], dtype=np.float16)
    z = np.zeros(len(x), dtype=np.float32)
    run(CAST_KERNELS[mode], {"x": x, "z": z})
    assert_bits(z, np.array([float(v) for v in x], dtype=np.float32))


@pytest.mark.parametrize("mode", ["none", "rint"])
def test_cast_int_to_float_rounds_half_to_even(mode: str) -> None:
    x = np.array([2**24 + 1, 2**24 + 3, -(2**24) - 1, 2**31 - 1, 7, -(2**31)], dtype=np.int32)
    z = np.zeros(len(x), dtype=np.float32)
    run(CAST_KERNELS[mode], {"x": x, "z": z})
    # float32 has 24 significant bits: 2**24 + 1 is a tie between 2**24 and 2**24 + 2
    want = [2.0**24, 2.0**24 + 4, -(2.0**24), 2.0**31, 7.0, -(2.0**31)]
    assert z.astype(np.float64).tolist() == want


@pytest.mark.parametrize("mode", ["floor", "ceil", "trunc", "round"])
def test_cast_int_to_float_directed_modes_are_not_ignored(mode: str) -> None:
    x = np.array([2**24 + 1, -(2**24) - 1, 2**24 + 3], dtype=np.int32)
    z = np.zeros(len(x), dtype=np.float32)
    want = {
        "floor": [2.0**24, -(2.0**24) - 2, 2.0**24 + 2],
        "ceil": [2.0**24 + 2, -(2.0**24), 2.0**24 + 4],
        "trunc": [2.0**24, -(2.0**24), 2.0**24 + 2],
        "round": [2.0**24 + 2, -(2.0**24) - 2, 2.0**24 + 4],
    }[mode]
    try:
        run(CAST_KERNELS[mode], {"x": x, "z": z})
    except DeviceRuntimeError as exc:  # an explicit refusal is fine; a silently wrong rounding is not
        assert mode in str(exc)
        assert np.all(z == 0)
        return
    assert z.astype(np.float64).tolist() == want


def test_cast_exact_int_to_float_in_any_mode() -> None:
    x = np.array([0, 1, 127, 128, 255], dtype=np.uint8)
    z = np.zeros(len(x), dtype=np.float32)
    run(k_cast_u8_f32, {"x": x, "z": z})
    assert z.tolist() == [v / 2 for v in x.tolist()]
    for mode, k in CAST_KERNELS.items():
        z16 = np.zeros(len(x), dtype=np.float16)
        run(k, {"x": x, "z": z16})
        assert z16.astype(np.float64).tolist() == [float(v) for v in x.tolist()], mode


def test_cast_bool_tile_to_numbers() -> None:
    x = np.array([-1.0, 2.0, 0.0, math.nan, math.inf], dtype=np.float32)
    z, w = out((5,), F32), out((5,), np.dtype(np.int32))
    run(k_cast_bool, {"x": x, "z": z, "w": w})
    assert z.tolist() == [0.0, 1.0, 0.0, 0.0, 1.0]
    assert w.tolist() == [0, 1, 0, 0, 1]


# ------------------------------------------------------------------------------------------ reductions


@given(dtype=st.sampled_from([np.int32, np.int16, np.uint8]), data=st.data())
@settings(deadline=None)
def test_reduce_int_all_axes_and_one_axis(dtype: type, data: st.DataObject) -> None:
    info = np.iinfo(dtype)
    m, n = data.draw(st.integers(1, 5)), data.draw(st.integers(1, 6))
    lim = min(int(info.max) // (m * n), 1000)
    lo = max(int(info.min), -lim)
    x = data.draw(hnp.arrays(dtype, (m, n), elements=st.integers(lo, lim)))
    rows = [[int(v) for v in r] for r in x]
    flat = [v for r in rows for v in r]
    z = out((3,), np.dtype(dtype))
    run(k_reduce_all_int, {"x": x, "z": z})
    assert z.tolist() == [sum(flat), max(flat), min(flat)]
    z = out((3, m), np.dtype(dtype))
    run(k_reduce_axis1, {"x": x, "z": z})
    assert z.tolist() == [[sum(r) for r in rows], [max(r) for r in rows], [min(r) for r in rows]]
    z = out((3, n), np.dtype(dtype))
    run(k_reduce_axis0, {"x": x, "z": z})
    cols = list(zip(*rows, strict=True))
    assert z.tolist() == [[sum(c) for c in cols], [max(c) for c in cols], [min(c) for c in cols]]


@given(dtype=st.sampled_from(FLOAT_DTYPES), data=st.data())
@settings(deadline=None)
def test_reduce_float(dtype: np.dtype, data: st.DataObject) -> None:
    m, n = data.draw(st.integers(1, 5)), data.draw(st.integers(1, 6))
    x = data.draw(finite_floats(dtype, m * n, lo=-100, hi=100)).reshape(m, n)
    a = x.astype(np.float64)
    z = out((3,), dtype)
    run(k_reduce_all_float, {"x": x, "z": z})
    # max and min are exact; the sum accumulates in float32, so allow float32 rounding, then the element type's
    assert z[1].astype(np.float64) == a.max() and z[2].astype(np.float64) == a.min()
    tol = float(np.finfo(np.float32).eps) * np.abs(a).sum() * m * n + (
        2.0**-7 if dtype == BF16 else float(np.finfo(dtype).eps)
    ) * abs(a.sum())
    assert abs(float(z[0]) - a.sum()) <= tol + 1e-30
    z = out((3, m), dtype)
    run(k_reduce_axis1, {"x": x, "z": z})
    assert np.array_equal(z[1].astype(np.float64), a.max(axis=1))
    assert np.array_equal(z[2].astype(np.float64), a.min(axis=1))
    np.testing.assert_allclose(
        z[0].astype(np.float64), a.sum(axis=1), rtol=0.02 if dtype != F32 else 1e-5, atol=1e-3 * np.abs(a).max()
    )


def test_reduce_sum_float32_scalar_result() -> None:
    x = np.array([[1e8, 1.0, -1e8, 0.5]], dtype=np.float32)
    z = out((3,), F32)
    run(k_reduce_all_f32, {"x": x, "z": z})
    assert z[1] == np.float32(1e8) and z[2] == np.float32(-1e8)
    assert z[0] in (np.float32(0.5), np.float32(1.5))  # float32 accumulation, in some order


def test_reduce_sum_int_beyond_int32_is_an_error_when_written() -> None:
    x = np.full(4, 2**30, dtype=np.int32)
    z = out((1,), np.dtype(np.int32))
    with pytest.raises(DeviceRuntimeError, match=str(2**32)):
        run(k_reduce_sum_vec, {"x": x, "z": z})  # the scalar sum is exact: 2**32 does not fit z
    assert z.tolist() == [99]


def test_reduce_max_of_empty_tile_is_an_error() -> None:
    with pytest.raises(DeviceRuntimeError, match="empty"):
        run(k_reduce_max_vec, {"x": np.zeros(0, np.float32), "z": out((1,), F32)})


def test_reduce_sum_of_empty_tile_is_zero() -> None:
    z = out((1,), np.dtype(np.int32))
    run(k_reduce_sum_vec, {"x": np.zeros(0, np.int32), "z": z})
    assert z.tolist() == [0]


# ------------------------------------------------------------------------------------------ tiles in control flow


@given(
    x=hnp.arrays(np.float32, st.tuples(st.integers(0, 5), st.integers(1, 6)), elements=st.floats(-1e3, 1e3, width=32)),
    flag=st.booleans(),
)
@settings(deadline=None)
def test_tile_carried_by_a_loop_and_merged_by_an_if(x: np.ndarray, flag: bool) -> None:
    z = out((x.shape[1],), F32)
    run(k_row_accumulate, {"x": x, "flag": flag, "z": z})
    acc = [np.float32(0.0)] * x.shape[1]
    for row in x:
        acc = [np.float32(a * np.float32(0.5)) + v for a, v in zip(acc, row, strict=True)]
    want = np.array([-a if flag else a for a in acc], dtype=np.float32)
    assert_bits(z, want)


# ------------------------------------------------------------------------------------------ zeros, full


@pytest.mark.parametrize(("m", "n"), [(1, 1), (2, 3), (0, 4), (3, 0)])
def test_zeros_and_full(m: int, n: int) -> None:
    z = out((2, m, n), F32)
    w = out((m, n), np.dtype(np.int32))
    run(k_zeros_full, {"m": -7, "z": z, "w": w})
    assert_bits(z[0], np.zeros((m, n), np.float32))
    assert_bits(z[1], np.full((m, n), 1.75, np.float32))
    assert w.tolist() == [[-7] * n for _ in range(m)]


def test_full_rounds_its_value_to_the_element_type() -> None:
    z = np.zeros(3, np.float16)
    run(k_full_f16, {"v": 1.0 + 2.0**-11 + 2.0**-20, "z": z})  # above the f16 midpoint: rounds up
    assert z.tolist() == [1.0 + 2.0**-10] * 3


def test_full_float_into_int_tile_is_an_error() -> None:
    with pytest.raises(DeviceRuntimeError, match=r"0\.5"):
        run(k_full_i32_float, {"z": np.zeros(2, np.int32)})

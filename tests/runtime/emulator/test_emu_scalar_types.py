"""`half` and `bfloat16_t` scalars: conversion from float and double rounds half to even with IEEE
subnormals, infinities and NaN, and widening is exact; checked bit for bit on every 16-bit pattern and on
float inputs around every rounding boundary."""

from __future__ import annotations

from pathlib import Path

import ml_dtypes
import numpy as np
import pytest
from emu_probe_project import run_probe, write_probe_project
from emu_rounding import assert_same

KERNEL = """
template <typename S, typename D>
__aicore__ inline void Convert(GM_ADDR x, GM_ADDR y, uint32_t xBytes)
{
    uint32_t n = xBytes / sizeof(S);
    GlobalTensor<S> xGm;
    GlobalTensor<D> yGm;
    xGm.SetGlobalBuffer((__gm__ S*)x, n);
    yGm.SetGlobalBuffer((__gm__ D*)y, n);
    for (uint32_t i = 0; i < n; ++i) {
        D value = static_cast<D>(xGm.GetValue(i));
        yGm.SetValue(i, value);
    }
}

extern "C" __global__ __aicore__ void emu_probe(GM_ADDR x, GM_ADDR w, GM_ADDR y, GM_ADDR workspace, GM_ADDR tiling)
{
    REGISTER_TILING_DEFAULT(EmuProbeTiling);
    GET_TILING_DATA(t, tiling);
    if (TILING_KEY_IS(1)) Convert<float, half>(x, y, t.xBytes);
    else if (TILING_KEY_IS(2)) Convert<float, bfloat16_t>(x, y, t.xBytes);
    else if (TILING_KEY_IS(3)) Convert<double, half>(x, y, t.xBytes);
    else if (TILING_KEY_IS(4)) Convert<half, float>(x, y, t.xBytes);
    else if (TILING_KEY_IS(5)) Convert<bfloat16_t, float>(x, y, t.xBytes);
    else if (TILING_KEY_IS(6)) Convert<int32_t, half>(x, y, t.xBytes);
    else if (TILING_KEY_IS(7)) {
        // Arithmetic goes through float and rounds back on assignment.
        GlobalTensor<half> yGm;
        yGm.SetGlobalBuffer((__gm__ half*)y, 4);
        half a = 1.0f;
        half b = half(2049.0f);
        a += 1;
        b *= 2;
        half c = a + b;
        yGm.SetValue(0, a);
        yGm.SetValue(1, b);
        yGm.SetValue(2, c);
        yGm.SetValue(3, half(c > a ? 1 : 0));
    }
}
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_probe_project(tmp_path_factory.mktemp("scalar"), KERNEL)


def _convert(project: Path, case: int, x: np.ndarray, out: np.dtype) -> np.ndarray:
    y = np.zeros(x.size, out)
    run_probe(project, case, np.ascontiguousarray(x).view(np.uint8), y.view(np.uint8))
    return y


def _boundaries(bits16: np.ndarray, widen: np.dtype) -> np.ndarray:
    """Every 16-bit value as float32, the midpoints to its neighbour and the floats beside them."""
    v = bits16.view(widen).astype(np.float32)
    nxt = (bits16 + 1).view(widen).astype(np.float32)
    ok = np.isfinite(v) & np.isfinite(nxt)
    mid = ((v[ok].astype(np.float64) + nxt[ok]) / 2).astype(np.float32)
    return np.concatenate([v, mid, np.nextafter(mid, np.float32(np.inf)), np.nextafter(mid, np.float32(-np.inf))])


ALL16 = np.arange(0x10000, dtype=np.uint32).astype(np.uint16)


def test_float_to_half(project: Path) -> None:
    x = _boundaries(ALL16[::3], np.float16)
    x = np.concatenate([x, np.array([1e-45, -1e-45, 3.4e38, 65520, -65520, np.inf, np.nan], np.float32)])
    with np.errstate(over="ignore"):
        assert_same(_convert(project, 1, x, np.float16), x.astype(np.float16))


def test_float_to_bfloat16(project: Path) -> None:
    x = _boundaries(ALL16[::3], ml_dtypes.bfloat16)
    with np.errstate(invalid="ignore"):
        assert_same(_convert(project, 2, x, ml_dtypes.bfloat16), x.astype(ml_dtypes.bfloat16))


def test_double_to_half_rounds_once(project: Path) -> None:
    # 1 + 2^-11 + 2^-40: float would round it to the tie 1 + 2^-11 first, then to 1; one rounding gives 1 + 2^-10.
    x = np.array([1 + 2**-11 + 2**-40, 1 + 2**-11, -(2**-25) - 2**-60, 2**-25], np.float64)
    assert_same(_convert(project, 3, x, np.float16), np.array([1 + 2**-10, 1, -(2**-24), 0], np.float16))


def test_widening_is_exact(project: Path) -> None:
    assert_same(_convert(project, 4, ALL16.view(np.float16), np.float32), ALL16.view(np.float16).astype(np.float32))
    bf = ALL16.view(ml_dtypes.bfloat16)
    assert_same(_convert(project, 5, bf, np.float32), bf.astype(np.float32))


def test_int_to_half(project: Path) -> None:
    x = np.array([0, 1, -1, 2049, 2051, 65504, 65519, 65520, 100000, -100000, 2**31 - 1], np.int32)
    with np.errstate(over="ignore"):
        assert_same(_convert(project, 6, x, np.float16), x.astype(np.float16))


def test_half_arithmetic(project: Path) -> None:
    y = np.zeros(4, np.float16)
    run_probe(project, 7, np.zeros(4, np.uint8), y.view(np.uint8))
    # 2049 is not a half: it rounds to 2048 (even), times 2 is 4096; 2 + 4096 rounds to 4096.
    np.testing.assert_array_equal(y, np.array([2, 4096, 4096, 1], np.float16))

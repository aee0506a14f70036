"""Cast with every RoundMode, against references built from numpy / ml_dtypes round-half-to-even.

The kernel casts a byte buffer of element type S into one of type D (selected by the tiling key); the mode
is the `arg` attribute. Inputs cover ties, subnormals, overflow, infinities and NaN.
"""

from __future__ import annotations

from pathlib import Path

import ml_dtypes
import numpy as np
import pytest
from emu_probe_project import run_probe, write_probe_project
from emu_rounding import MODES, assert_same, narrow, round_integral, to_int

from ascdsl.errors import DeviceRuntimeError

KERNEL = """
template <typename S, typename D>
__aicore__ inline void CastCase(GM_ADDR x, GM_ADDR y, uint32_t xBytes, RoundMode mode)
{
    uint32_t n = xBytes / sizeof(S);
    GlobalTensor<S> xGm;
    GlobalTensor<D> yGm;
    xGm.SetGlobalBuffer((__gm__ S*)x, n);
    yGm.SetGlobalBuffer((__gm__ D*)y, n);
    TPipe pipe;
    TBuf<TPosition::VECCALC> a, b, c;
    pipe.InitBuffer(a, n * sizeof(S));
    pipe.InitBuffer(b, n * sizeof(D));
    pipe.InitBuffer(c, n * sizeof(half));
    LocalTensor<S> src = a.Get<S>();
    LocalTensor<D> dst = b.Get<D>();
    DataCopyPad(src, xGm, DataCopyExtParams{1, static_cast<uint32_t>(n * sizeof(S)), 0, 0, 0}, DataCopyPadExtParams<S>{false, 0, 0, 0});
    SetFlag<HardEvent::MTE2_V>(EVENT_ID0);
    WaitFlag<HardEvent::MTE2_V>(EVENT_ID0);
    if constexpr (std::is_same_v<S, float> && std::is_same_v<D, int8_t>) {
        // No float -> int8_t instruction: through half.
        Cast(c.Get<half>(), src, RoundMode::CAST_RINT, n);
        Cast(dst, c.Get<half>(), mode, n);
    } else {
        Cast(dst, src, mode, n);
    }
    SetFlag<HardEvent::V_MTE3>(EVENT_ID0);
    WaitFlag<HardEvent::V_MTE3>(EVENT_ID0);
    DataCopyPad(yGm, dst, DataCopyExtParams{1, static_cast<uint32_t>(n * sizeof(D)), 0, 0, 0});
}

extern "C" __global__ __aicore__ void emu_probe(GM_ADDR x, GM_ADDR w, GM_ADDR y, GM_ADDR workspace, GM_ADDR tiling)
{
    REGISTER_TILING_DEFAULT(EmuProbeTiling);
    GET_TILING_DATA(t, tiling);
    RoundMode mode = static_cast<RoundMode>(t.arg);
    if (TILING_KEY_IS(1)) CastCase<float, half>(x, y, t.xBytes, mode);
    else if (TILING_KEY_IS(2)) CastCase<float, int32_t>(x, y, t.xBytes, mode);
    else if (TILING_KEY_IS(3)) CastCase<float, bfloat16_t>(x, y, t.xBytes, mode);
    else if (TILING_KEY_IS(4)) CastCase<float, int8_t>(x, y, t.xBytes, mode);
    else if (TILING_KEY_IS(5)) CastCase<int32_t, float>(x, y, t.xBytes, mode);
    else if (TILING_KEY_IS(6)) CastCase<half, float>(x, y, t.xBytes, mode);
    else if (TILING_KEY_IS(7)) CastCase<bfloat16_t, float>(x, y, t.xBytes, mode);
    else if (TILING_KEY_IS(8)) CastCase<float, float>(x, y, t.xBytes, mode);
    else if (TILING_KEY_IS(9)) CastCase<float, int16_t>(x, y, t.xBytes, mode);
    else if (TILING_KEY_IS(10)) CastCase<half, int32_t>(x, y, t.xBytes, mode);
    else if (TILING_KEY_IS(11)) CastCase<int16_t, half>(x, y, t.xBytes, mode);
}
"""

CASES = {
    "f32->f16": 1,
    "f32->i32": 2,
    "f32->bf16": 3,
    "f32->i8": 4,
    "i32->f32": 5,
    "f16->f32": 6,
    "bf16->f32": 7,
    "f32->f32": 8,
    "f32->i16": 9,
    "f16->i32": 10,
    "i16->f16": 11,
}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_probe_project(tmp_path_factory.mktemp("cast"), KERNEL)


def _cast(project: Path, pair: str, x: np.ndarray, out: type, mode: str) -> np.ndarray:
    # Chunks of 8192 elements keep the kernel's three UB buffers inside 192 KiB.
    parts = []
    for start in range(0, x.size, 8192):
        chunk = np.ascontiguousarray(x[start : start + 8192])
        y = np.zeros(chunk.size, out)
        run_probe(project, CASES[pair], chunk.view(np.uint8), y.view(np.uint8), arg=MODES[mode])
        parts.append(y)
    return np.concatenate(parts)


def _halves_and_ties(rng: np.random.Generator) -> np.ndarray:
    """Random half values, their exact midpoints (ties) and points just beside them, as float32."""
    h = rng.integers(0, 0x7C00, 2000, dtype=np.uint16)
    h = np.concatenate([h, h | 0x8000]).view(np.float16)
    lo = h.astype(np.float32)
    hi = np.nextafter(h, np.float16(np.inf) * np.sign(h.astype(np.float32) + 0.5)).astype(np.float32)
    mid = (lo + hi) / 2  # exact in float32
    return np.concatenate([lo, mid, np.nextafter(mid, np.float32(np.inf)), np.nextafter(mid, np.float32(-np.inf))])


SPECIAL = np.array(
    [
        0.0,
        -0.0,
        np.inf,
        -np.inf,
        np.nan,
        65504,
        65519,
        65520,
        65535,
        65536,
        1e6,
        -65520,
        -1e6,
        2**-24,
        2**-25,
        3 * 2**-26,
        2**-26,
        -(2**-25),
        1e-30,
        3.4e38,
        -3.4e38,
        1e-45,
    ],
    np.float32,
)


def _floats(seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    wide = (rng.standard_normal(3000) * np.exp2(rng.integers(-30, 30, 3000))).astype(np.float32)
    return np.concatenate([SPECIAL, _halves_and_ties(rng), wide])


@pytest.mark.parametrize("mode", ["none", "rint", "floor", "ceil", "round", "trunc", "odd"])
def test_float_to_half(project: Path, mode: str) -> None:
    x = _floats(1)
    assert_same(_cast(project, "f32->f16", x, np.float16, mode), narrow(x, np.float16, mode))


@pytest.mark.parametrize("mode", ["rint", "floor", "ceil", "round", "trunc"])
def test_float_to_bfloat16(project: Path, mode: str) -> None:
    x = _floats(2)
    assert_same(_cast(project, "f32->bf16", x, ml_dtypes.bfloat16, mode), narrow(x, ml_dtypes.bfloat16, mode))


INTEGRAL = np.array(
    [
        0.5,
        1.5,
        2.5,
        -0.5,
        -1.5,
        -2.5,
        2.4999998,
        -7.7,
        7.7,
        3e9,
        -3e9,
        1e20,
        np.inf,
        -np.inf,
        np.nan,
        40000.5,
        -40000.5,
        200.5,
        -200.5,
    ],
    np.float32,
)


@pytest.mark.parametrize("mode", ["rint", "floor", "ceil", "round", "trunc"])
@pytest.mark.parametrize(("pair", "out"), [("f32->i32", np.int32), ("f32->i16", np.int16)])
def test_float_to_int_saturates(project: Path, mode: str, pair: str, out: type) -> None:
    x = np.concatenate([INTEGRAL, (np.random.default_rng(3).standard_normal(500) * 1000).astype(np.float32)])
    np.testing.assert_array_equal(_cast(project, pair, x, out, mode), to_int(x, out, mode))


@pytest.mark.parametrize("mode", ["none", "rint", "floor", "round", "trunc"])
def test_float_to_int8_through_half(project: Path, mode: str) -> None:
    x = np.concatenate([INTEGRAL, np.arange(-300, 300, 0.25, dtype=np.float32)])
    with np.errstate(over="ignore"):
        h = x.astype(np.float16).astype(np.float32)
    np.testing.assert_array_equal(_cast(project, "f32->i8", x, np.int8, mode), to_int(h, np.int8, mode))


@pytest.mark.parametrize("mode", ["rint", "floor", "ceil", "round", "trunc"])
def test_float_to_float_rounds_to_integral(project: Path, mode: str) -> None:
    x = np.concatenate([INTEGRAL, (np.random.default_rng(4).standard_normal(500) * 100).astype(np.float32)])
    assert_same(_cast(project, "f32->f32", x, np.float32, mode), round_integral(x, mode).astype(np.float32))


@pytest.mark.parametrize("mode", ["none", "rint", "floor", "ceil", "round", "trunc"])
def test_int32_to_float(project: Path, mode: str) -> None:
    base = np.array([2**24 + 1, 2**24 + 3, -(2**24) - 1, 2**31 - 1, -(2**31), 123456789, 0, -5], np.int64)
    x = np.concatenate([base, np.random.default_rng(5).integers(-(2**31), 2**31, 1000)]).astype(np.int32)
    assert_same(_cast(project, "i32->f32", x, np.float32, mode), narrow_int(x, mode))


def narrow_int(x: np.ndarray, mode: str) -> np.ndarray:
    # float64 holds every int32 exactly, so rounding float64 -> float32 is rounding the integer.
    return narrow(x.astype(np.float64), np.float32, mode)


def test_widening_casts_are_exact(project: Path) -> None:
    halves = np.arange(0x10000, dtype=np.uint32).astype(np.uint16).view(np.float16)
    assert_same(_cast(project, "f16->f32", halves, np.float32, "none"), halves.astype(np.float32))
    bf = np.arange(0x10000, dtype=np.uint32).astype(np.uint16).view(ml_dtypes.bfloat16)
    assert_same(_cast(project, "bf16->f32", bf, np.float32, "none"), bf.astype(np.float32))
    ints = np.arange(-32768, 32768, dtype=np.int32).astype(np.int16)
    assert_same(_cast(project, "i16->f16", ints, np.float16, "rint"), ints.astype(np.float16))
    np.testing.assert_array_equal(
        _cast(project, "f16->i32", halves[:0x7C00], np.int32, "trunc"), halves[:0x7C00].astype(np.int32)
    )


@pytest.mark.parametrize(
    ("pair", "mode", "supported"),
    [
        ("f32->bf16", "none", "CAST_RINT, CAST_FLOOR, CAST_CEIL, CAST_ROUND, CAST_TRUNC"),
        ("f32->i32", "odd", "CAST_RINT, CAST_FLOOR"),
        ("f16->f32", "rint", "supported: CAST_NONE)"),
        ("f32->f32", "none", "CAST_TRUNC)"),
    ],
)
def test_a_mode_the_pair_lacks_is_an_error(project: Path, pair: str, mode: str, supported: str) -> None:
    src = np.float16 if pair.startswith("f16") else np.float32
    with pytest.raises(DeviceRuntimeError, match=r"Cast: .* is not supported on Atlas A2") as info:
        _cast(project, pair, np.zeros(16, src), np.float32, mode)
    assert supported in str(info.value)

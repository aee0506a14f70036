"""Reference conversions with the Ascend C rounding modes, built from numpy's round-half-to-even.

For a narrowing float conversion, x lies between two neighbours lo <= x <= hi of the target type (found from
numpy's RNE result and a one-ulp step); each mode picks one of them. Integer targets saturate, NaN -> 0.
"""

from __future__ import annotations

import ml_dtypes
import numpy as np

MODES = {"none": 0, "rint": 1, "floor": 2, "ceil": 3, "round": 4, "trunc": 5, "odd": 6}

_BITS = {np.dtype(np.float16): np.uint16, np.dtype(ml_dtypes.bfloat16): np.uint16, np.dtype(np.float32): np.uint32}


def _step(v: np.ndarray, up: np.ndarray) -> np.ndarray:
    """The neighbour of each v above (up) or below it, by stepping the bit pattern."""
    bits_t = _BITS[v.dtype]
    bits = v.view(bits_t).astype(np.int64)
    sign_bit = 1 << (8 * v.dtype.itemsize - 1)
    positive = (bits & sign_bit) == 0
    is_zero = (bits & (sign_bit - 1)) == 0
    away = positive == up  # moving away from zero grows the magnitude bits
    stepped = np.where(away, bits + 1, bits - 1)
    stepped = np.where(is_zero, np.where(up, 1, sign_bit | 1), stepped)
    return stepped.astype(bits_t).view(v.dtype)


def narrow(x: np.ndarray, dtype: np.dtype, mode: str) -> np.ndarray:
    """float32 x -> a narrower float type with the given mode (NaN stays NaN)."""
    with np.errstate(over="ignore", invalid="ignore"):
        return _narrow(x, np.dtype(dtype), mode)


def _narrow(x: np.ndarray, dtype: np.dtype, mode: str) -> np.ndarray:
    rne = x.astype(dtype)
    if mode in ("rint", "none"):
        return rne
    xd = x.astype(np.float64)
    r = rne.astype(np.float64)
    lo = np.where(r <= xd, rne, _step(rne, np.zeros(x.shape, bool)))
    hi = np.where(r >= xd, rne, _step(rne, np.ones(x.shape, bool)))
    lo_d, hi_d = lo.astype(np.float64), hi.astype(np.float64)
    exact = lo_d == hi_d
    if mode == "floor":
        out = lo
    elif mode == "ceil":
        out = hi
    elif mode == "trunc":
        out = np.where(xd >= 0, lo, hi)
    elif mode == "round":
        # An infinite neighbour stands for the next power of two, as in IEEE overflow rounding.
        top = 2.0 ** (np.floor(np.log2(float(ml_dtypes.finfo(dtype).max))) + 1)
        hi_f = np.where(np.isinf(hi_d), top, hi_d)
        lo_f = np.where(np.isinf(lo_d), -top, lo_d)
        mid = (lo_f + hi_f) / 2
        out = np.where(xd > mid, hi, np.where(xd < mid, lo, np.where(xd > 0, hi, lo)))
    elif mode == "odd":
        lo_odd = (lo.view(_BITS[lo.dtype]) & 1) == 1
        out = np.where(lo_odd, lo, hi)
    else:
        raise ValueError(mode)
    out = np.where(exact, lo, out).astype(dtype)
    return np.where(np.isnan(x), rne, out).astype(dtype)


def round_integral(x: np.ndarray, mode: str) -> np.ndarray:
    xd = x.astype(np.float64)
    if mode in ("rint", "none"):
        return np.rint(xd)
    if mode == "floor":
        return np.floor(xd)
    if mode == "ceil":
        return np.ceil(xd)
    if mode == "trunc":
        return np.trunc(xd)
    if mode == "round":
        return np.sign(xd) * np.floor(np.abs(xd) + 0.5)
    raise ValueError(mode)


def to_int(x: np.ndarray, dtype: type, mode: str) -> np.ndarray:
    info = np.iinfo(dtype)
    r = np.nan_to_num(round_integral(x, mode), nan=0.0, posinf=info.max, neginf=info.min)
    return np.clip(r, info.min, info.max).astype(dtype)


def assert_same(actual: np.ndarray, expected: np.ndarray) -> None:
    """Bitwise equality, except that any NaN matches any NaN (payloads differ between implementations)."""
    a = actual.astype(np.float64) if actual.dtype.kind == "V" or actual.dtype == ml_dtypes.bfloat16 else actual
    e = expected.astype(np.float64) if expected.dtype.kind == "V" or expected.dtype == ml_dtypes.bfloat16 else expected
    nan = np.isnan(e) if e.dtype.kind == "f" else np.zeros(e.shape, bool)
    if nan.any():
        assert np.array_equal(np.isnan(a), nan), "NaN positions differ"
    bits = _BITS.get(actual.dtype)
    av = actual.view(bits) if bits is not None else actual
    ev = expected.view(bits) if bits is not None else expected
    bad = np.nonzero((av != ev) & ~nan)[0]
    assert bad.size == 0, f"{bad.size} mismatches, first at {bad[:5]}: got {actual[bad[:5]]}, want {expected[bad[:5]]}"

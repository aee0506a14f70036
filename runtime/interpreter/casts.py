"""Element conversions with Ascend C rounding modes, on whole arrays."""

from __future__ import annotations

import ml_dtypes
import numpy as np

from ascdsl import dtypes
from ascdsl.errors import DeviceRuntimeError


def _round(x: np.ndarray, mode: str) -> np.ndarray:
    if mode in ("rint", "none"):
        return np.rint(x)
    if mode == "round":  # half away from zero
        return np.sign(x) * np.floor(np.abs(x) + 0.5)
    if mode == "floor":
        return np.floor(x)
    if mode == "ceil":
        return np.ceil(x)
    if mode == "trunc":
        return np.trunc(x)
    raise DeviceRuntimeError(f"rounding mode {mode!r} is not defined for a float to integer cast")


def _saturate(wide: np.ndarray, dst: dtypes.DType) -> np.ndarray:
    """Integral float64 values to an integer type: out-of-range values saturate, NaN becomes 0 (the vector unit's
    behaviour). The bounds are compared in float64 before converting: float(iinfo(int64).max) is 2**63, which
    does not fit int64, so clipping to it and converting would overflow."""
    info = np.iinfo(dst.numpy)
    lo, hi = float(info.min), float(info.max) + 1.0  # -2**(n-1) or 0, and 2**n or 2**(n-1): exact in float64
    inside = (wide >= lo) & (wide < hi)  # False for NaN
    out = np.where(inside, wide, 0.0).astype(dst.numpy)
    out[wide >= hi] = info.max
    out[wide < lo] = info.min
    return out


def _int_to_float_is_exact(src: dtypes.DType, dst: dtypes.DType) -> bool:
    info = np.iinfo(src.numpy)
    value_bits = info.bits - (1 if info.min < 0 else 0)
    return value_bits <= ml_dtypes.finfo(dst.numpy).nmant + 1


def cast_array(x: np.ndarray, dst: dtypes.DType, mode: str) -> np.ndarray:
    src = dtypes.from_numpy(x.dtype)
    assert src is not None
    if src.is_float and dst.is_integer:
        return _saturate(_round(x.astype(np.float64), mode), dst)
    if src.is_integer and dst.is_integer:
        # The vector unit's integer conversions saturate (as the emulator's Cast does), they do not wrap.
        info = np.iinfo(dst.numpy)
        return np.clip(x.astype(np.int64) if src.name != "u64" else x, info.min, info.max).astype(dst.numpy)
    narrowing = (src.is_float and dst.is_float and dst.itemsize < src.itemsize) or (src.name, dst.name) == ("f16", "bf16")
    inexact_int = src.is_integer and dst.is_float and not _int_to_float_is_exact(src, dst)
    if (narrowing or inexact_int) and mode not in ("rint", "none"):
        raise DeviceRuntimeError(
            f"rounding mode {mode!r} for {src.name} -> {dst.name} is not supported; use round=\"rint\""
        )
    # numpy and ml_dtypes narrow floats with round-half-to-even, which is "rint".
    return x.astype(dst.numpy)

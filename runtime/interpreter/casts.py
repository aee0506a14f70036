"""Element conversions with Ascend C rounding modes, on whole arrays."""

from __future__ import annotations

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


def cast_array(x: np.ndarray, dst: dtypes.DType, mode: str) -> np.ndarray:
    src = dtypes.from_numpy(x.dtype)
    assert src is not None
    if src.is_float and dst.is_integer:
        wide = _round(x.astype(np.float64), mode)
        info = np.iinfo(dst.numpy)
        # The vector unit saturates; NaN becomes 0.
        return np.nan_to_num(np.clip(wide, info.min, info.max), nan=0.0).astype(dst.numpy)
    narrowing = (src.is_float and dst.is_float and dst.itemsize < src.itemsize) or (src.name, dst.name) == ("f16", "bf16")
    if narrowing and mode not in ("rint", "none"):
        raise DeviceRuntimeError(f"rounding mode {mode!r} for {src.name} -> {dst.name} is not supported; use round=\"rint\"")
    # numpy and ml_dtypes narrow floats with round-half-to-even, which is "rint".
    return x.astype(dst.numpy)

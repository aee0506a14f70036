"""Loop-carried tile accumulators on the emulator: the printed Ascend C (Duplicate, Cast, Muls, Add in place on
a VECCALC accumulator, Cast with CAST_RINT out) gives the numpy result, bit for bit, on one core and several."""

from __future__ import annotations

import shutil

import ml_dtypes
import numpy as np
import pytest
from ascdsl.runtime import run

from ascdsl import InOut, Tensor, bf16, cast, f16, f32, kernel, load, require, store, zeros

pytestmark = pytest.mark.skipif(shutil.which("g++") is None, reason="backend 'emu' needs g++")


@kernel
def emu_weighted_sum(x: Tensor[T, K, R, C], w: Tensor[f32, K], z: InOut[Tensor[T, R, C]]):
    require(T in (f16, bf16), code=161002, msg="x must be FLOAT16 or BFLOAT16")
    acc = zeros([R, C], f32)
    for k in range(K):
        acc += cast(load(x[k]), f32) * w[k]
    store(z, cast(acc, T, round="rint"))


@pytest.mark.parametrize("dtype,shape", [(np.float16, (3, 1, 24)), (ml_dtypes.bfloat16, (5, 300, 48)), (np.float16, (2, 7, 1000))])
def test_weighted_sum_matches_numpy(dtype, shape) -> None:
    rng = np.random.default_rng(sum(shape))
    x = rng.uniform(-3, 3, shape).astype(dtype)
    w = rng.uniform(-2, 2, shape[0]).astype(np.float32)
    z = np.zeros(shape[1:], dtype)
    report = run(emu_weighted_sum, {"x": x, "w": w, "z": z}, backend="emu")
    acc = np.zeros(shape[1:], np.float32)
    for k in range(shape[0]):
        acc += x[k].astype(np.float32) * w[k]
    assert z.tobytes() == acc.astype(dtype).tobytes()
    assert max(c.ub_bytes for c in report.cores) <= 184 * 1024
    if shape[1] * shape[2] * 2 >= 8 * 4096:
        assert sum(1 for c in report.cores if c.gm_write_bytes > 0) > 1  # the rows are shared by several cores

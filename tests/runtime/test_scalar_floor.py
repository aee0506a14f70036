"""floor / ceil of float scalars (truncate, then step toward -inf / +inf): exact on the interpreter at every stage
and on the emulator, for negatives, integers, halves and magnitudes past 2**23 (already integral)."""

from __future__ import annotations

import math
import shutil

import numpy as np
import pytest
from ascdsl.runtime import run

from ascdsl import InOut, Tensor, ceil, f32, floor, kernel, parallel
from ascdsl.pipeline import STAGES


@kernel
def floors(x: Tensor[f32, N], lo: InOut[Tensor[f32, N]], hi: InOut[Tensor[f32, N]]):
    for i in parallel(N):
        lo[i] = floor(x[i])
        hi[i] = ceil(x[i])


VALUES = np.array([-2.5, -2.0, -1.5, -0.25, -0.0, 0.0, 0.25, 1.0, 1.5, 2.75, -1e-7, 8388607.5, -8388607.5, 3e9, -3e9, 1e30], np.float32)


def _expect(fn) -> np.ndarray:
    return np.array([fn(float(v)) for v in VALUES], np.float32)


@pytest.mark.parametrize("stage", STAGES)
def test_floor_and_ceil_at_every_stage(stage: str) -> None:
    lo, hi = np.zeros_like(VALUES), np.zeros_like(VALUES)
    run(floors, {"x": VALUES, "lo": lo, "hi": hi}, stage=stage)
    assert np.array_equal(lo, _expect(math.floor)) and np.array_equal(hi, _expect(math.ceil))


@pytest.mark.skipif(shutil.which("g++") is None, reason="backend 'emu' needs g++")
def test_floor_and_ceil_on_the_emulator() -> None:
    lo, hi = np.zeros_like(VALUES), np.zeros_like(VALUES)
    run(floors, {"x": VALUES, "lo": lo, "hi": hi}, backend="emu")
    assert np.array_equal(lo, _expect(math.floor)) and np.array_equal(hi, _expect(math.ceil))


def test_a_scalar_floor_is_scalar_code() -> None:
    ops = [op.name for op in floors.ir.walk()]
    assert "arith.fptosi" in ops  # the scalar form, not a tile op
    assert "tile.unary" not in ops

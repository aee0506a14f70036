"""atomic_add (a store that adds into GM: SetAtomicAdd around the copy out) and float reductions of tile trees
(strip-mined, ReduceSum per chunk, the partials combined on the scalar unit): every stage and the emulator give
the numpy result, whatever the UB budget."""

from __future__ import annotations

import dataclasses
import shutil

import numpy as np
import pytest
from ascdsl.runtime import run
from ascdsl.runtime.binding import bind
from ascdsl.runtime.interpreter.engine import find_kernel, launch
from hypothesis import given
from hypothesis import strategies as st
from kernels_for_atomic_reduce import row_dots, scatter_rows

from ascdsl.dialects import ascendc as ac
from ascdsl.dialects import tile_ops as t
from ascdsl.pipeline import STAGES, lower
from ascdsl.targets import get_target

needs_gxx = pytest.mark.skipif(shutil.which("g++") is None, reason="backend 'emu' needs g++")


def _scatter_args(n: int, c: int, m: int, seed: int) -> tuple[dict, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, c)).astype(np.float32)
    idx = rng.integers(0, m, n).astype(np.int32)
    z = rng.standard_normal((m, c)).astype(np.float32)
    want = z.astype(np.float64)
    for i in range(n):
        want[idx[i]] += 2.0 * x[i]
    return {"x": x, "idx": idx, "z": z}, want


@pytest.mark.parametrize("stage", STAGES)
def test_atomic_add_accumulates_at_every_stage(stage: str) -> None:
    args, want = _scatter_args(30, 40, 4, 0)
    run(scatter_rows, args, stage=stage)
    np.testing.assert_allclose(args["z"], want, rtol=1e-5, atol=1e-5)


def test_atomic_add_lowers_to_set_atomic_add_around_the_copy_out() -> None:
    m = lower(scatter_rows.ir, "clean")
    names = [op.name for op in m.walk() if op.name.startswith("ascendc.")]
    i = names.index("ascendc.set_atomic_add")
    j = names.index("ascendc.set_atomic_none", i)
    assert any(n.startswith(("ascendc.data_copy", "ascendc.copy2d_out")) and "out" in n for n in names[i:j])
    stores = [op for op in lower(scatter_rows.ir, "tiled").walk() if isinstance(op, t.StoreOp)]
    assert stores and all(op.is_atomic for op in stores)


def _dots(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return (x.astype(np.float64) * y * 0.5).sum(axis=1)


@given(n=st.integers(1, 4), c=st.integers(1, 700), ub=st.sampled_from([1024, 4096, 188416]), stage=st.sampled_from(["tiled", "clean"]))
def test_reductions_cover_every_chunk(n: int, c: int, ub: int, stage: str) -> None:
    rng = np.random.default_rng(n * 1000 + c)
    x = rng.standard_normal((n, c)).astype(np.float32)
    y = rng.standard_normal((n, c)).astype(np.float32)
    z, mx = np.zeros(n, np.float32), np.zeros(n, np.float32)
    target = dataclasses.replace(get_target("ascend910b"), aiv_cores=2, ub_budget=ub)
    k = find_kernel(lower(row_dots.ir, stage))
    bound = bind(k, {"x": x, "y": y, "z": z, "m": mx})
    launch(k, bound, target=target)
    bound.commit()
    np.testing.assert_allclose(z, _dots(x, y), rtol=1e-4, atol=1e-4)
    assert np.array_equal(mx, x.max(axis=1))


def test_a_reduction_reads_its_result_after_a_vector_to_scalar_flag() -> None:
    ops = [op for op in lower(row_dots.ir, "clean").walk()]
    reduces = [i for i, op in enumerate(ops) if isinstance(op, ac.VecReduceOp)]
    assert {ops[i].fn.data for i in reduces} == {"ReduceSum", "ReduceMax"}
    for i in reduces:
        after = ops[i + 1 :]
        flag = next(k for k, op in enumerate(after) if isinstance(op, ac.FlagOp))
        assert after[flag].event.data == "V_S"
        assert isinstance(after[flag + 1], ac.LocalGetValueOp)


@needs_gxx
def test_emulator_runs_both() -> None:
    args, want = _scatter_args(60, 24, 5, 1)
    run(scatter_rows, args, backend="emu")
    np.testing.assert_allclose(args["z"], want, rtol=1e-5, atol=1e-5)
    rng = np.random.default_rng(2)
    x = rng.standard_normal((5, 3000)).astype(np.float32)
    y = rng.standard_normal((5, 3000)).astype(np.float32)
    z, mx = np.zeros(5, np.float32), np.zeros(5, np.float32)
    run(row_dots, {"x": x, "y": y, "z": z, "m": mx}, backend="emu")
    np.testing.assert_allclose(z, _dots(x, y), rtol=1e-4, atol=1e-4)
    assert np.array_equal(mx, x.max(axis=1))

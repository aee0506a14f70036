"""Accumulation groups: a loop-carried tile is strip-mined with its loop, kept in the UB across iterations and
lowered to in-place vector ops; every stage gives the numpy result, whatever the UB budget."""

from __future__ import annotations

import dataclasses

import ml_dtypes
import numpy as np
import pytest
from ascdsl.runtime import run
from ascdsl.runtime.binding import bind
from ascdsl.runtime.interpreter.engine import find_kernel, launch
from hypothesis import given
from hypothesis import strategies as st
from kernels_for_accumulate import column_sum, row_scaled_sum, weighted_sum
from xdsl.dialects import scf

from ascdsl.analysis.accumulators import accumulations_in
from ascdsl.dialects import ascendc as ac
from ascdsl.dialects import tile_ops as t
from ascdsl.errors import DslError
from ascdsl.pipeline import STAGES, lower
from ascdsl.targets import get_target


def _run(module, args, ub: int, cores: int = 2):
    target = dataclasses.replace(get_target("ascend910b"), aiv_cores=cores, ub_budget=ub)
    k = find_kernel(module)
    bound = bind(k, args)
    env = launch(k, bound, target=target)
    bound.commit()
    return env


def _weighted_golden(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    acc = np.zeros(x.shape[1:], np.float32)
    for k in range(x.shape[0]):
        acc += x[k].astype(np.float32) * w[k]
    return acc.astype(x.dtype)


def test_the_accumulation_is_found_and_every_op_tagged() -> None:
    assert len(accumulations_in(weighted_sum.ir)) == 1
    m = lower(weighted_sum.ir, "tiled")
    stores = [op for op in m.walk() if isinstance(op, t.StoreOp)]
    assert len(stores) == 1 and "ascdsl.acc_chunk" in stores[0].attributes
    assert stores[0].value.type.dims == ("?",)  # one flat chunk of the destination
    loops = [op for op in m.walk() if isinstance(op, scf.ForOp) and op.iter_args]
    assert len(loops) == 1 and loops[0].iter_args[0].type.dims == ("?",)


def test_a_broadcast_is_not_an_accumulation_group() -> None:
    assert accumulations_in(row_scaled_sum.ir) == []


def test_the_lowered_loop_carries_nothing_and_adds_in_place() -> None:
    m = lower(weighted_sum.ir, "ascendc")
    assert not [op for op in m.walk() if isinstance(op, scf.ForOp) and op.iter_args]
    adds = [op for op in m.walk() if isinstance(op, ac.VecBinaryOp) and op.fn.data == "Add"]
    assert len(adds) == 1 and adds[0].dst is adds[0].lhs  # acc = acc + p, in the accumulator's buffer
    calc = [op for op in m.walk() if isinstance(op, ac.BufferOp) and op.role.data == "calc"]
    assert any(str(op.element) == "f32" for op in calc)
    assert [op for op in m.walk() if isinstance(op, ac.DuplicateOp)]  # the init, once per chunk


@given(
    k=st.integers(1, 5), r=st.integers(1, 4), c=st.integers(1, 70), bf=st.booleans(),
    ub=st.sampled_from([512, 1024, 4096, 188416]), stage=st.sampled_from(["tiled", "allocated", "clean"]),
)
def test_chunks_cover_everything_with_tails(k: int, r: int, c: int, bf: bool, ub: int, stage: str) -> None:
    dtype = ml_dtypes.bfloat16 if bf else np.float16
    rng = np.random.default_rng(k * 1000 + r * 100 + c)
    x = rng.uniform(-3, 3, (k, r, c)).astype(dtype)
    w = rng.uniform(-2, 2, k).astype(np.float32)
    z = np.zeros((r, c), dtype)
    env = _run(lower(weighted_sum.ir, stage), {"x": x, "w": w, "z": z}, ub)
    assert z.tobytes() == _weighted_golden(x, w).tobytes()
    chunk = env.fields["chunk0"]
    # f32 accumulator + f32 product (VECCALC) + 2 x T load + 2 x T store queues fit the budget
    assert chunk % 16 == 0 and chunk * (4 + 4 + 2 * 2 + 2 * 2) <= max(ub, 16 * 16)


@pytest.mark.parametrize("stage", STAGES)
def test_strided_accumulators_at_every_stage(stage: str) -> None:
    rng = np.random.default_rng(5)
    x = rng.standard_normal((3, 4, 40)).astype(np.float32)
    z = rng.standard_normal((4, 40)).astype(np.float32)
    want = z.copy()
    want[:, 5:30] = x[:, :, 5:30].sum(axis=0, dtype=np.float32) * np.float32(0.5) + z[:, 5:30]
    run(column_sum, {"x": x, "z": z, "c0": 5, "width": 25}, stage=stage)
    np.testing.assert_allclose(z, want, rtol=1e-6)
    assert np.array_equal(z[:, :5], want[:, :5]) and np.array_equal(z[:, 30:], want[:, 30:])


def test_an_accumulation_with_a_broadcast_runs_on_the_interpreter_only() -> None:
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 3, 8)).astype(np.float32)
    w = rng.standard_normal((2, 3)).astype(np.float32)
    z = np.zeros((3, 8), np.float32)
    run(row_scaled_sum, {"x": x, "w": w, "z": z})
    np.testing.assert_allclose(z, (x * w[:, :, None]).sum(axis=0), rtol=1e-6)
    with pytest.raises(DslError) as info:
        lower(row_scaled_sum.ir, "ascendc")
    assert "kernels_for_accumulate.py:" in str(info.value)  # located at the user's line

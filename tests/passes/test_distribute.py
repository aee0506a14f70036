"""Core distribution: every work item runs exactly once whatever the core count; block dim from the host."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from ascdsl.runtime.binding import bind
from ascdsl.runtime.interpreter.engine import find_kernel, launch
from hypothesis import given
from hypothesis import strategies as st
from kernels_for_passes import axpy_rows, count_visits

from ascdsl.dialects import tile_ops as t
from ascdsl.pipeline import lower
from ascdsl.targets import get_target


def _target(cores: int):
    return dataclasses.replace(get_target("ascend910b"), aiv_cores=cores)


def test_parallel_becomes_a_per_core_loop() -> None:
    m = lower(count_visits.ir, "distributed")
    assert not [op for op in m.walk() if isinstance(op, t.ParallelOp)]
    assert [op for op in m.walk() if isinstance(op, t.BlockIdxOp)]


@given(n=st.integers(1, 70), cores=st.integers(1, 48))
def test_every_parallel_item_runs_once(n: int, cores: int) -> None:
    m = lower(count_visits.ir, "distributed")
    hits = np.zeros(n, np.int32)
    k = find_kernel(m)
    bound = bind(k, {"n_items": np.zeros(n, np.int32), "hits": hits, "scale": 1})
    env = launch(k, bound, target=_target(cores))
    bound.commit()
    assert hits.tolist() == [1] * n
    assert env.block_dim == min(n, cores)


@pytest.mark.parametrize(("rows", "cols", "dtype"), [(1, 3, np.float32), (5, 7, np.float16), (300, 64, np.float32), (2, 40000, np.float16)])
def test_whole_tensor_store_is_split_over_cores(rows: int, cols: int, dtype: type) -> None:
    rng = np.random.default_rng(rows * cols)
    x = rng.standard_normal((rows, cols)).astype(dtype)
    y = rng.standard_normal((rows, cols)).astype(dtype)
    z = np.zeros_like(x)
    m = lower(axpy_rows.ir, "distributed")
    k = find_kernel(m)
    bound = bind(k, {"x": x, "y": y, "z": z})
    env = launch(k, bound, target=_target(8))
    bound.commit()
    expected = (x * dtype(2.0) + y).astype(dtype)
    np.testing.assert_array_equal(z, expected)
    nbytes = x.nbytes
    assert env.block_dim == max(1, min(8, rows if cols * x.itemsize >= 32 else -(-rows // -(-32 // (cols * x.itemsize))), max(1, nbytes // 4096)))

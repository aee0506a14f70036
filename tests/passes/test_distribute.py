"""Core distribution: every work item runs exactly once whatever the core count; block dim from the host."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from ascdsl.runtime.binding import bind
from ascdsl.runtime.interpreter.engine import find_kernel, launch
from hypothesis import given
from hypothesis import strategies as st
from kernels_for_passes import axpy_rows, count_visits, ragged_blocks, ragged_marks

from ascdsl.analysis.item_work import divisible_item
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


def _ragged(rng: np.random.Generator, batch: int, block: int) -> tuple[np.ndarray, np.ndarray, int]:
    """Disjoint row ranges (some empty) in random order, with gaps: starts, lengths and the rows they need."""
    lens = rng.integers(0, 4 * block + 2, batch).astype(np.int32)
    gaps = rng.integers(0, 3, batch)
    order = rng.permutation(batch)
    starts = np.zeros(batch, np.int32)
    at = 0
    for b in order:
        at += int(gaps[b])
        starts[b] = at
        at += int(lens[b])
    return starts, lens, max(at, 1)


def _ragged_call(seed: int, dtype: type, cols: int) -> tuple[dict, np.ndarray, int]:
    rng = np.random.default_rng(seed)
    batch, block = int(rng.integers(1, 9)), int(rng.integers(1, 6))
    starts, lens, rows = _ragged(rng, batch, block)
    keep = rng.integers(0, 2, batch).astype(np.int32)
    src = rng.integers(-100, 100, (rows, cols)).astype(dtype)
    dst = np.full((rows, cols), 5, dtype)
    expected = dst.copy()
    for b in range(batch):
        s, n = int(starts[b]), int(lens[b])
        expected[s : s + n] = src[s : s + n] if keep[b] else 0
    args = {"starts": starts, "lens": lens, "keep": keep, "src": src, "dst": dst, "block": block}
    row_bytes = cols * np.dtype(dtype).itemsize
    moved = sum(int(lens[b]) * row_bytes * (2 if keep[b] else 1) for b in range(batch))
    return args, expected, moved


@given(seed=st.integers(0, 2**31), cores=st.integers(1, 48), stage=st.sampled_from(["distributed", "clean"]))
def test_nested_parallel_writes_every_row_once(seed: int, cores: int, stage: str) -> None:
    args, expected, _ = _ragged_call(seed, np.float16, 24)
    k = find_kernel(lower(ragged_blocks.ir, stage))
    bound = bind(k, args)
    launch(k, bound, target=_target(cores))
    bound.commit()
    np.testing.assert_array_equal(args["dst"], expected)


@given(seed=st.integers(0, 2**31), cores=st.integers(1, 48), cols=st.sampled_from([8, 16, 40]))
def test_nested_parallel_shares_bytes_evenly(seed: int, cores: int, cols: int) -> None:
    """Each core moves its share of the bytes to within two rows, whatever the mix of copies (read and write)
    and fills (write only) and of full and partial blocks."""
    args, expected, moved = _ragged_call(seed, np.float32, cols)
    k = find_kernel(lower(ragged_blocks.ir, "clean"))
    bound = bind(k, args)
    env = launch(k, bound, target=_target(cores))
    bound.commit()
    np.testing.assert_array_equal(args["dst"], expected)
    per_core = [c.gm_read_bytes + c.gm_write_bytes for c in env.counters]
    assert sum(per_core) == moved
    copy_row = 2 * cols * 4
    assert max(per_core) <= -(-moved // env.block_dim) + 2 * copy_row


@given(seed=st.integers(0, 2**31), cores=st.integers(1, 48))
def test_nested_parallel_with_whole_items_runs_each_once(seed: int, cores: int) -> None:
    """A body that reads what it writes cannot be cut: its items are dealt whole, each run once."""
    rng = np.random.default_rng(seed)
    block = int(rng.integers(1, 5))
    starts, lens, rows = _ragged(rng, int(rng.integers(1, 9)), block)
    dst = np.zeros(rows, np.int32)
    expected = dst.copy()
    for s, n in zip(starts.tolist(), lens.tolist(), strict=True):
        expected[s : s + n : block] += 1
    k = find_kernel(lower(ragged_marks.ir, "clean"))
    bound = bind(k, {"starts": starts, "lens": lens, "dst": dst, "block": block})
    launch(k, bound, target=_target(cores))
    bound.commit()
    np.testing.assert_array_equal(dst, expected)


def _inner_parallel(kernel_ir) -> t.ParallelOp:
    m = lower(kernel_ir, "split")
    loops = [op for op in m.walk() if isinstance(op, t.ParallelOp)]
    return loops[1]  # walk order: the outer loop, then the one nested in it


def test_items_that_only_move_data_are_divisible() -> None:
    item = divisible_item(_inner_parallel(ragged_blocks.ir))
    assert item is not None
    # the dry run recomputes the branch condition (a scalar read) but none of the copies' transfers
    assert any(isinstance(o, t.ReadOp) for o in item.needed)
    assert not any(isinstance(o, t.CopyOp | t.FillOp | t.LoadOp) for o in item.needed)


def test_items_with_scalar_writes_are_not_divisible() -> None:
    assert divisible_item(_inner_parallel(ragged_marks.ir)) is None

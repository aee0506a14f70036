"""UB tiling: groups are strip-mined into chunks that fit the budget, tails and strided views included."""

from __future__ import annotations

import dataclasses

import numpy as np
from ascdsl.runtime.binding import bind
from ascdsl.runtime.interpreter.engine import find_kernel, launch
from hypothesis import given
from hypothesis import strategies as st
from kernels_for_passes import axpy_rows, column_copy

from ascdsl.dialects import tile_ops as t
from ascdsl.pipeline import lower
from ascdsl.targets import get_target


def _run(module, args, cores: int, ub: int):
    target = dataclasses.replace(get_target("ascend910b"), aiv_cores=cores, ub_budget=ub)
    k = find_kernel(module)
    bound = bind(k, args)
    env = launch(k, bound, target=target)
    bound.commit()
    return env


def test_every_group_op_is_chunked() -> None:
    m = lower(axpy_rows.ir, "tiled")
    stores = [op for op in m.walk() if isinstance(op, t.StoreOp)]
    assert stores and all("ascdsl.chunk" in op.attributes for op in stores)
    assert all(op.value.type.dims == ("?",) for op in stores)


@given(rows=st.integers(1, 9), cols=st.integers(1, 300), cores=st.integers(1, 6), ub=st.sampled_from([256, 1000, 4096, 188416]))
def test_chunks_cover_everything_with_tails(rows: int, cols: int, cores: int, ub: int) -> None:
    rng = np.random.default_rng(rows * 1000 + cols)
    x = rng.standard_normal((rows, cols)).astype(np.float16)
    y = rng.standard_normal((rows, cols)).astype(np.float16)
    z = np.zeros_like(x)
    env = _run(lower(axpy_rows.ir, "tiled"), {"x": x, "y": y, "z": z}, cores, ub)
    np.testing.assert_array_equal(z, (x * np.float16(2) + y).astype(np.float16))
    chunk = env.fields["chunk0"]
    # 3 double-buffered queues of 2-byte elements must fit the budget, in whole 32-byte blocks
    assert chunk % 16 == 0
    assert chunk * 2 * 2 * 3 <= max(ub, 3 * 2 * 32)


@given(rows=st.integers(1, 6), cols=st.integers(1, 40), data=st.data(), stage=st.sampled_from(["tiled", "clean"]))
def test_strided_views_are_walked_row_by_row(rows: int, cols: int, data: st.DataObject, stage: str) -> None:
    col0 = data.draw(st.integers(0, cols))
    width = data.draw(st.integers(0, cols - col0))
    x = np.arange(rows * cols, dtype=np.float32).reshape(rows, cols)
    z = np.full((rows, cols), -1.0, np.float32)
    ub = data.draw(st.sampled_from([512, 188416]))
    env = _run(lower(column_copy.ir, stage), {"x": x, "z": z, "col0": col0, "width": width}, 3, ub)
    expected = np.full((rows, cols), -1.0, np.float32)
    expected[:, col0 : col0 + width] = x[:, col0 : col0 + width]
    expected[0, 0] = 7.0
    np.testing.assert_array_equal(z, expected)
    if stage == "clean" and width and ub > 1000:
        # each core's strided block of rows moves in one transfer each way
        assert all(len(c.dma_sizes) in (0, 2) for c in env.counters)

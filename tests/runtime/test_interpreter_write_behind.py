"""Write-behind (runtime/interpreter/write_behind.py): outputs a kernel only writes take their writes at the end
of a successful run; the results are those of writing at once, and a failing run still writes nothing."""

from __future__ import annotations

import numpy as np
import pytest
from ascdsl.runtime import run
from ascdsl.runtime.binding import bind
from ascdsl.runtime.interpreter import write_behind

from ascdsl import DeviceRuntimeError, InOut, Out, Tensor, atomic_add, copy, f32, fill, i32, load, parallel, store
from ascdsl import kernel as dsl_kernel
from ascdsl.dialects import tile_ops as t


@dsl_kernel
def k_gather_rows(src: Tensor[f32, M, D], rows: Tensor[i32, N], dst: InOut[Tensor[f32, N, D]], n: Out[Tensor[f32, N]]):
    for i in parallel(N):
        r = rows[i]
        if r < 0:
            fill(dst[i], 0.0)  # a missing row is zero-filled
        else:
            copy(dst[i], src[r])
        n[i] = 1.0 if r >= 0 else 0.0


@dsl_kernel
def k_copy_rows_in_order(src: Tensor[f32, M, D], rows: Tensor[i32, N], dst: InOut[Tensor[f32, N, D]]):
    for i in range(N):  # in order: a later row may copy what an earlier one wrote when dst overlaps src
        copy(dst[i], src[rows[i]])


@dsl_kernel
def k_read_back(x: Tensor[f32, N], z: InOut[Tensor[f32, N]], w: Out[Tensor[f32, N]]):
    store(z, load(x))
    store(w, load(z) + 1.0)  # z is read after it is written: it must be written at once


@dsl_kernel
def k_accumulate(x: Tensor[f32, N], z: InOut[Tensor[f32, N]]):
    atomic_add(z, load(x))


def _kernel_op(k: object) -> t.KernelOp:
    return next(op for op in k.ir.ops if isinstance(op, t.KernelOp))  # type: ignore[attr-defined]


def _gather_reference(src: np.ndarray, rows: np.ndarray, dst: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    out = dst.copy()
    out[rows >= 0] = src[rows[rows >= 0]]
    out[rows < 0] = 0.0
    return out, (rows >= 0).astype(np.float32)


def test_outputs_only_written_are_found() -> None:
    assert write_behind.write_only_params(_kernel_op(k_gather_rows)) == {"dst", "n"}
    assert write_behind.write_only_params(_kernel_op(k_read_back)) == {"w"}
    assert write_behind.write_only_params(_kernel_op(k_accumulate)) == frozenset()  # an atomic add reads


def test_held_back_writes_give_the_same_result() -> None:
    rng = np.random.default_rng(0)
    src = rng.standard_normal((7, 5)).astype(np.float32)
    rows = np.array([3, -1, 0, 6, -1, 2], np.int32)
    dst = rng.standard_normal((6, 5)).astype(np.float32)
    n = np.full(6, 9.0, np.float32)
    expected, expected_n = _gather_reference(src, rows, dst)
    run(k_gather_rows, {"src": src, "rows": rows, "dst": dst, "n": n})
    assert np.array_equal(dst, expected) and np.array_equal(n, expected_n)


def test_a_failing_run_writes_nothing_into_held_back_outputs() -> None:
    rng = np.random.default_rng(1)
    src = rng.standard_normal((4, 3)).astype(np.float32)
    rows = np.array([0, 1, 2, 9], np.int32)  # row 9 does not exist: the last iteration fails
    dst = rng.standard_normal((4, 3)).astype(np.float32)
    n = np.full(4, 5.0, np.float32)
    before = dst.copy(), n.copy()
    with pytest.raises(DeviceRuntimeError, match="src"):
        run(k_gather_rows, {"src": src, "rows": rows, "dst": dst, "n": n})
    assert dst.tobytes() == before[0].tobytes() and n.tobytes() == before[1].tobytes()


def test_read_back_outputs_are_written_at_once() -> None:
    x = np.arange(4, dtype=np.float32)
    z, w = np.zeros(4, np.float32), np.zeros(4, np.float32)
    run(k_read_back, {"x": x, "z": z, "w": w})
    assert z.tolist() == [0, 1, 2, 3] and w.tolist() == [1, 2, 3, 4]


def test_overlapping_arguments_are_not_held_back() -> None:
    """An output that shares memory with an input is written at once, so the input sees what the run wrote."""
    src = np.arange(12, dtype=np.float32).reshape(4, 3)
    rows = np.array([1, 0], np.int32)
    dst = src[:2]  # the destination is the first two rows of the source
    kop = _kernel_op(k_copy_rows_in_order)
    plan = write_behind.plan(kop, bind(kop, {"src": src, "rows": rows, "dst": dst}).values)
    assert "dst" not in plan.deferred and "src" not in plan.stable
    run(k_copy_rows_in_order, {"src": src, "rows": rows, "dst": dst})
    # row 0 takes row 1, then row 1 takes the new row 0: the writes happened at once
    assert src[:2].tolist() == [[3, 4, 5], [3, 4, 5]]

"""Sync insertion: scalar GM access is ordered against DMA; dependent vector ops get a V barrier."""

from __future__ import annotations

import numpy as np
from ascdsl.runtime.interpreter.engine import run
from kernels_for_passes import axpy_rows, column_copy

from ascdsl.dialects import ascendc as ac
from ascdsl.pipeline import lower


def _ops(module, cls):
    return [op for op in module.walk() if isinstance(op, cls)]


def test_scalar_write_is_cleaned_out_and_ordered_before_dma() -> None:
    m = lower(column_copy.ir, "synced")
    (setv,) = _ops(m, ac.SetValueOp)
    after = [setv.next_op, setv.next_op.next_op]
    assert isinstance(after[0], ac.DataCacheCleanOp)
    assert isinstance(after[1], ac.FlagOp) and after[1].event.data == "S_MTE3"


def test_dependent_vector_ops_get_a_barrier() -> None:
    m = lower(axpy_rows.ir, "synced")
    barriers = _ops(m, ac.PipeBarrierOp)
    assert len(barriers) == 1 and barriers[0].pipe.data == "V"
    assert isinstance(barriers[0].next_op, ac.VecBinaryOp)  # x*2 (Muls) then + y (Add reads its result)


def test_synced_stage_still_computes_the_same() -> None:
    x = np.arange(12, dtype=np.float32).reshape(3, 4)
    z = np.full((3, 4), -1.0, np.float32)
    run(lower(column_copy.ir, "clean"), {"x": x, "z": z, "col0": 1, "width": 2})
    expected = np.full((3, 4), -1.0, np.float32)
    expected[:, 1:3] = x[:, 1:3]
    expected[0, 0] = 7.0
    np.testing.assert_array_equal(z, expected)

"""Host/device split: checks and host-only values move to the tiling function; the kernel reads fields."""

from __future__ import annotations

import numpy as np
import pytest
from ascdsl.runtime.interpreter.engine import run
from kernels_for_passes import column_copy, count_visits

from ascdsl import AclnnError
from ascdsl.dialects import host
from ascdsl.dialects import tile_ops as t
from ascdsl.pipeline import lower


def _ops(module, cls):
    return [op for op in module.walk() if isinstance(op, cls)]


def test_requires_move_to_the_host_function() -> None:
    m = lower(count_visits.ir, "split")
    kernel = next(op for op in m.ops if isinstance(op, t.KernelOp))
    func = next(op for op in m.ops if isinstance(op, host.TilingFuncOp))
    assert not _ops(kernel, t.RequireOp)
    assert len([op for op in func.body.walk() if isinstance(op, t.RequireOp)]) == 2


def test_device_uses_of_dims_and_attrs_become_fields() -> None:
    m = lower(count_visits.ir, "split")
    kernel = next(op for op in m.ops if isinstance(op, t.KernelOp))
    fields = {op.field.data for op in _ops(kernel, t.TilingFieldOp)}
    assert {"N", "scale"} <= fields
    assert not _ops(kernel, t.DimOp) or all(not isinstance(op.source.owner, t.KernelOp) for op in _ops(kernel, t.DimOp))
    set_fields = {op.field.data for op in m.walk() if isinstance(op, host.SetFieldOp)}
    assert fields <= set_fields


def test_attr_arguments_are_not_read_on_the_device() -> None:
    m = lower(column_copy.ir, "split")
    kernel = next(op for op in m.ops if isinstance(op, t.KernelOp))
    for arg, role in zip(kernel.body.block.args, kernel.roles, strict=True):
        if role == "attr":
            assert not arg.uses


@pytest.mark.parametrize("stage", ["tile", "split"])
def test_failed_check_keeps_its_code_and_writes_nothing(stage: str) -> None:
    hits = np.arange(4, dtype=np.int32)
    with pytest.raises(AclnnError) as info:
        run(lower(count_visits.ir, stage), {"n_items": hits.copy(), "hits": hits, "scale": 0})
    assert info.value.code == 561002
    assert hits.tolist() == [0, 1, 2, 3]

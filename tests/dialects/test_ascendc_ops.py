"""ascendc ops that later operators need (reductions with their tmp buffer, atomics, SyncAll): their
interpretation and their printed Ascend C, on small hand-built kernels."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from ascdsl.runtime.interpreter.engine import run
from xdsl.dialects import arith
from xdsl.dialects.builtin import IndexType, IntegerAttr, ModuleOp
from xdsl.ir import Block, Region, SSAValue

from ascdsl.dialects import ascendc as ac
from ascdsl.dialects import host
from ascdsl.dialects import tile_ops as t
from ascdsl.dialects.tile_types import TensorType, make_element, shape_attr

F32 = make_element("f32")


def _const(block: Block, value: int) -> SSAValue:
    op = arith.ConstantOp(IntegerAttr(value, IndexType()))
    block.add_op(op)
    return op.result


def _module(body: Callable[[Block, SSAValue, SSAValue], None], block_dim: int = 1) -> ModuleOp:
    """A kernel over x: Tensor[f32, 64] (in) and z: InOut[Tensor[f32, 64]] with two 64-element buffers."""
    ty = TensorType(F32, shape_attr([64]))
    kb = Block(arg_types=[ty, ty])
    kb.add_op(ac.BufferOp("buf0", "in", 1, F32, "n"))
    kb.add_op(ac.BufferOp("buf1", "calc", 1, F32, "n"))
    body(kb, kb.args[0], kb.args[1])
    kb.add_op(t.ReturnOp())
    kernel = t.KernelOp("k", ["x", "z"], ["in", "inout"], [False, False], {}, Region(kb))
    hb = Block(arg_types=[ty, ty])
    hb.add_op(host.SetFieldOp(_const(hb, 64), "n"))
    hb.add_op(host.SetBlockDimOp(_const(hb, block_dim)))
    hb.add_op(host.ReturnOp())
    return ModuleOp([kernel, host.TilingFuncOp("k", Region(hb))])


def _load(block: Block, x: SSAValue) -> tuple[SSAValue, SSAValue]:
    local = ac.AllocTensorOp("buf0", F32)
    block.add_op(local)
    zero, n = _const(block, 0), _const(block, 64)
    block.add_op(ac.DataCopyInOp(x, zero, local.result, n))
    block.add_op(ac.EnQueOp("buf0", local.result))
    got = ac.DeQueOp("buf0", F32)
    block.add_op(got)
    return got.result, n


def test_reduce_sum_with_its_tmp_buffer() -> None:
    def body(b: Block, x: SSAValue, z: SSAValue) -> None:
        src, n = _load(b, x)
        tmp = ac.GetBufOp("buf1", F32)
        b.add_op(tmp)
        b.add_op(ac.VecReduceOp("ReduceSum", tmp.result, src, tmp.result, n))
        b.add_op(ac.DataCopyOutOp(z, _const(b, 0), tmp.result, _const(b, 8)))
        b.add_op(ac.FreeTensorOp("buf0", src))

    x = np.arange(64, dtype=np.float32)
    z = np.zeros(64, np.float32)
    run(_module(body), {"x": x, "z": z})
    assert z[0] == np.float32(x.sum())


def test_atomic_add_accumulates_into_gm() -> None:
    def body(b: Block, x: SSAValue, z: SSAValue) -> None:
        src, n = _load(b, x)
        b.add_op(ac.SetAtomicAddOp(F32))
        b.add_op(ac.DataCopyOutOp(z, _const(b, 0), src, n))
        b.add_op(ac.DataCopyOutOp(z, _const(b, 0), src, n))
        b.add_op(ac.SetAtomicNoneOp())
        b.add_op(ac.FreeTensorOp("buf0", src))

    x = np.arange(64, dtype=np.float32)
    z = np.ones(64, np.float32)
    run(_module(body), {"x": x, "z": z})
    np.testing.assert_array_equal(z, 1 + 2 * x)


def test_sync_all_runs_the_cores_concurrently() -> None:
    """With SyncAll the interpreter runs the cores of a launch one thread each, meeting at the barrier."""

    def body(b: Block, x: SSAValue, z: SSAValue) -> None:
        b.add_op(ac.SyncAllOp())

    z = np.zeros(64, np.float32)
    run(_module(body, block_dim=1), {"x": np.zeros(64, np.float32), "z": z})
    env = run(_module(body, block_dim=4), {"x": np.zeros(64, np.float32), "z": z})
    assert env.block_dim == 4 and len(env.counters) == 4


def test_printed_forms() -> None:
    from ascdsl.lowering.kernel_printer import KernelPrinter

    class _Sig:
        def cxx_element(self, element: object) -> str:
            return "float"

    def body(b: Block, x: SSAValue, z: SSAValue) -> None:
        src, n = _load(b, x)
        tmp = ac.GetBufOp("buf1", F32)
        b.add_op(tmp)
        b.add_op(ac.VecReduceOp("ReduceMax", tmp.result, src, tmp.result, n))
        b.add_op(ac.SetAtomicAddOp(F32))
        b.add_op(ac.SetAtomicNoneOp())
        b.add_op(ac.SyncAllOp())

    module = _module(body)
    kernel = next(op for op in module.ops if isinstance(op, t.KernelOp))
    printer = KernelPrinter(_Sig(), kernel)  # type: ignore[arg-type]
    printer.gm = {kernel.body.block.args[0]: "xGm", kernel.body.block.args[1]: "zGm"}
    printer.block(kernel.body.block)
    text = "\n".join(printer.lines)
    assert "AscendC::ReduceMax(" in text and "static_cast<int32_t>(64)" in text
    assert "AscendC::SetAtomicAdd<float>();" in text
    assert "AscendC::SetAtomicNone();" in text
    assert "AscendC::SyncAll();" in text

"""Lowering of `tile.count_eq` (count_equal(view, v)): whole chunks of the view by DMA, counted by the vector unit.

Per chunk of at most COUNT_CHUNK elements: one DataCopy (DataCopyPad for a tail) GM -> UB, then
    Cast to float; Adds(-v); Abs; Mins(1)   -> 0 where x == v, 1 elsewhere (|x - v| >= 1 for integers x != v)
    ReduceSum                               -> the elements that differ (exact: at most COUNT_CHUNK < 2^24)
and one scalar read of the sum from UB. A poll of F flags is ceil(F / COUNT_CHUNK) DMAs, not F scalar reads.
Exact for int32 (and narrower) elements and |v| < 2^24, which the frontend's integer flags satisfy.

The buffers are fixed-size (a few KB); ub_tiling leaves them out of the budget it shares among the groups.
"""

from __future__ import annotations

from typing import Any

from xdsl.dialects import arith, scf
from xdsl.dialects.builtin import Float32Type, FloatAttr, IndexType, IntegerType
from xdsl.ir import Block

from ascdsl import dtypes
from ascdsl.dialects import ascendc as ac
from ascdsl.dialects import tile_ops as t
from ascdsl.dialects.tile_memory import CountEqOp
from ascdsl.errors import DslError
from ascdsl.frontend.irgen import span_of_location
from ascdsl.passes.builder import Builder

COUNT_CHUNK = 2048  # elements per DMA and vector pass: 8 KB of int32
_TMP = 64  # ReduceSum work area (floats): one partial per 256-byte repeat of COUNT_CHUNK floats is 32
F32 = Float32Type()
# name, role, element, elements
_BUFFERS: tuple[tuple[str, str, str, int], ...] = (
    ("countIn", "in", "i32", COUNT_CHUNK),
    ("countF", "calc", "f32", COUNT_CHUNK),
    ("countTmp", "calc", "f32", _TMP),
    ("countSum", "calc", "f32", 8),
)


def reserved_ub_bytes(kernel: t.KernelOp) -> int:
    """UB the count buffers take, when the kernel counts at all (ub_tiling keeps it out of the groups' share)."""
    if not any(isinstance(op, CountEqOp) for op in kernel.body.walk()):
        return 0
    return sum(-(-n * dtypes.BY_NAME[el].itemsize // 32) * 32 for _, _, el, n in _BUFFERS)


def _declare(low: Any) -> None:
    kernel: t.KernelOp = low.kernel
    first = kernel.body.block.first_op
    assert first is not None
    for name, role, el, n in _BUFFERS:
        field = f"{name}_count"
        low.hv.publish(low.hv.host.const(n), field)
        decl = ac.BufferOp(name, role, 1, dtypes.BY_NAME[el].mlir(), field)
        decl.location = kernel.location
        kernel.body.block.insert_op_before(decl, first)


def _lower_one(low: Any, op: CountEqOp) -> None:
    ty = op.source.type
    el = dtypes.from_mlir(ty.element)  # type: ignore[attr-defined]
    if el is None or el.name != "i32":
        raise DslError(f"count_equal on the device counts int32 elements, not {ty.element_name()}",  # type: ignore[attr-defined]
                       span_of_location(op.location), "the interpreter counts any integer dtype (backend='interp')")
    b = Builder.before(op)
    base, off, (stride,) = low.address(b, op.source)
    n = b.dim(op.source, 0)
    chunk = b.const(COUNT_CHUNK)
    minus_v = b.v(arith.SIToFPOp(b.v(arith.IndexCastOp(b.sub(b.const(0), op.value), IntegerType(64))), F32))
    one = b.v(arith.ConstantOp(FloatAttr(1.0, F32)))
    body = Block(arg_types=[IndexType(), IndexType()])
    ib = Builder.at_end(body, op.location)
    c, acc = body.args
    start = ib.mul(c, chunk)
    m = ib.min_(chunk, ib.sub(n, start))
    local = ib.v(ac.AllocTensorOp("countIn", ty.element))  # type: ignore[attr-defined]
    src_off = ib.add_(off, ib.mul(start, stride))
    low.aligned_or_pad(ib, op.source, m, ac.DataCopyInOp(base, src_off, local, m), ac.DataCopyPadInOp(base, src_off, local, m))
    ib.add(ac.EnQueOp("countIn", local))
    local = ib.v(ac.DeQueOp("countIn", ty.element))  # type: ignore[attr-defined]
    f = ib.v(ac.GetBufOp("countF", F32))
    ib.add(ac.CastOp(f, local, "none", m))
    ib.add(ac.FreeTensorOp("countIn", local))
    ib.add(ac.VecScalarOp("Adds", f, f, minus_v, m))
    ib.add(ac.VecUnaryOp("Abs", f, f, m))
    ib.add(ac.VecScalarOp("Mins", f, f, one, m))
    tmp = ib.v(ac.GetBufOp("countTmp", F32))
    total = ib.v(ac.GetBufOp("countSum", F32))
    ib.add(ac.PipeBarrierOp("V"))
    ib.add(ac.VecReduceOp("ReduceSum", total, f, tmp, m))
    ib.add(ac.FlagOp("V_S"))  # the sum is in UB: the scalar unit waits for the vector unit
    differ = ib.v(ac.LocalGetValueOp(total, ib.const(0), F32))
    ib.add(ac.FlagOp("S_V"))  # and the next chunk's vector ops wait for the scalar read
    differ_i = ib.v(arith.IndexCastOp(ib.v(arith.FPToSIOp(differ, IntegerType(64))), IndexType()))
    ib.add(scf.YieldOp(ib.add_(acc, ib.sub(m, differ_i))))
    loop = b.add(scf.ForOp(b.const(0), b.ceildiv(n, chunk), b.const(1), [b.const(0)], body))
    op.result.replace_all_uses_with(loop.results[0])
    op.detach()
    op.erase()


def lower_count_ops(low: Any) -> None:
    """Every count_equal of the kernel; `low` is the ascendc lowering (addresses, host values, DMA helpers)."""
    ops = [op for op in low.kernel.body.walk() if isinstance(op, CountEqOp)]
    if not ops:
        return
    _declare(low)
    for op in ops:
        _lower_one(low, op)

"""Lowering of a strip-mined accumulation group to the `ascendc` dialect.

    acc = Get(accumulator TBuf); Duplicate(acc, init, n)      # before the loop
    for t in ...:                                             # the loop no longer carries a value
        loads: AllocTensor, DataCopy(Pad), EnQue, DeQue
        step:  vector ops into VECCALC buffers; the last one writes `acc` in place
    post:  vector ops, the stored tile through its VECOUT queue, DataCopy(Pad) out

The accumulator lives in its VECCALC buffer for the whole loop: the UB holds it across the iterations.
"""

from __future__ import annotations

from xdsl.dialects import scf
from xdsl.dialects.builtin import IndexType
from xdsl.ir import Block, Operation, Region, SSAValue

from ascdsl.analysis.accumulators import Accumulation, accumulation_of
from ascdsl.dialects import ascendc as ac
from ascdsl.dialects import tile_ops as t
from ascdsl.errors import DslError
from ascdsl.frontend.irgen import span_of_location
from ascdsl.passes.allocate_buffers import BUFFER_ATTR
from ascdsl.passes.builder import Builder

Values = dict[SSAValue, tuple[SSAValue, str, str]]  # tile -> (local tensor, buffer, role)


class AccumulationLowering:
    """Mixed into the lowering (it provides copy_in, compute, role_of and through_queue)."""

    def lower_accumulation(self, sink: Operation) -> None:
        acc = accumulation_of(sink)
        if acc is None:
            raise DslError("internal: a strip-mined accumulation lost its shape", span_of_location(sink.location))
        n = acc.init.sizes[0]
        b = Builder.before(acc.init)
        buf = acc.init.attributes[BUFFER_ATTR].data  # type: ignore[attr-defined]
        element = acc.init.result.type.element  # type: ignore[attr-defined]
        local = b.v(ac.GetBufOp(buf, element))
        self.check_vector("Duplicate", element, acc.init)  # type: ignore[attr-defined]
        b.add(ac.DuplicateOp(local, acc.init.value, n))
        values: Values = {acc.carried: (local, buf, "calc")}
        self._lower_tree(acc.step, values, n, acc.yielded, local)
        values[acc.loop.results[0]] = (local, buf, "calc")
        self._lower_tree(acc.post, values, n, None, None)
        stored, out_buf, role = values[acc.sink.value]
        if role == "calc":
            raise DslError("internal: the stored tile has no output buffer", span_of_location(sink.location))
        self.through_queue(Builder.before(sink), out_buf, stored, acc.sink.value.type.element, acc.dest, n,  # type: ignore[attr-defined]
                           atomic=sink.is_atomic)
        _erase(acc)

    def _lower_tree(self, ops: list[Operation], values: Values, n: SSAValue, in_place: Operation | None, acc_local: SSAValue | None) -> None:
        last_use: dict[SSAValue, Operation] = {}
        for op in ops:
            for operand in op.operands:
                last_use[operand] = op
        for op in ops:
            b = Builder.before(op)
            element = op.results[0].type.element  # type: ignore[attr-defined]
            if op is in_place:
                assert acc_local is not None
                self.compute(b, op, acc_local, values, n)  # type: ignore[attr-defined]
            else:
                buf = op.attributes[BUFFER_ATTR].data  # type: ignore[attr-defined]
                role = self.role_of(buf)  # type: ignore[attr-defined]
                if isinstance(op, t.LoadOp):
                    local = b.v(ac.AllocTensorOp(buf, element))
                    self.copy_in(b, op.source, local, n)  # type: ignore[attr-defined]
                    b.add(ac.EnQueOp(buf, local))
                    values[op.results[0]] = (b.v(ac.DeQueOp(buf, element)), buf, role)
                    continue
                dst = b.v(ac.GetBufOp(buf, element) if role == "calc" else ac.AllocTensorOp(buf, element))
                self.compute(b, op, dst, values, n)  # type: ignore[attr-defined]
                values[op.results[0]] = (dst, buf, role)
            for operand in dict.fromkeys(op.operands):
                if last_use.get(operand) is op and operand in values and values[operand][2] == "in":
                    local_in, buf_in, _ = values[operand]
                    b.add(ac.FreeTensorOp(buf_in, local_in))


def _erase(acc: Accumulation) -> None:
    """Remove the tile ops and give the loop back without its carried tile (the accumulator is in the UB)."""
    acc.sink.detach()
    acc.sink.erase()
    for op in reversed(acc.post):
        op.detach()
        op.erase()
    old = acc.loop.body.block
    yield_op = old.last_op
    assert isinstance(yield_op, scf.YieldOp)
    yield_op.detach()
    yield_op.erase()
    for op in reversed(acc.step):
        op.detach()
        op.erase()
    body = Block(arg_types=[IndexType()])
    old.args[0].replace_all_uses_with(body.args[0])
    for op in list(old.ops):
        op.detach()
        body.add_op(op)
    end = scf.YieldOp()
    end.location = acc.loop.location
    body.add_op(end)
    loop = scf.ForOp(acc.loop.lb, acc.loop.ub, acc.loop.step, [], Region(body))
    loop.location = acc.loop.location
    block = acc.loop.parent_block()
    assert block is not None
    block.insert_op_before(loop, acc.loop)
    acc.loop.detach()
    acc.loop.erase()
    acc.init.detach()
    acc.init.erase()

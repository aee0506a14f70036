"""`tile` ops that make GM tensors out of raw memory: a typed window at a byte offset of another GM tensor
(struct fields of a byte buffer) and a tensor at a device address read from memory (a pointer field).

Both give a dense, row-major `!tile.tensor`, so views, loads, stores and scalar reads work on them as on a
kernel argument. `VOLATILE` marks a scalar read (`tile.read`) of memory another agent writes while the kernel
runs: it is never cached or hoisted, and on the device its cache line is invalidated before every read.
"""

from __future__ import annotations

from collections.abc import Sequence

from xdsl.dialects.builtin import IndexType
from xdsl.ir import Operation, SSAValue
from xdsl.irdl import IRDLOperation, irdl_op_definition, operand_def, result_def, var_operand_def
from xdsl.utils.exceptions import VerifyException

from ascdsl.dialects.tile_types import TensorType, ViewType

VOLATILE = "volatile"  # a unit attribute on tile.read and ascendc.get_value


def is_volatile(op: Operation) -> bool:
    return VOLATILE in op.attributes


@irdl_op_definition
class ReinterpretOp(IRDLOperation):
    """The bytes of a GM tensor from `byte_offset` on, read as a dense tensor of the result's element type."""

    name = "tile.reinterpret"
    source = operand_def()
    byte_offset = operand_def(IndexType)
    sizes = var_operand_def(IndexType)
    result = result_def(TensorType)

    def __init__(self, source: SSAValue, byte_offset: SSAValue, sizes: Sequence[SSAValue], result_type: TensorType) -> None:
        super().__init__(operands=[source, byte_offset, sizes], result_types=[result_type])

    def verify_(self) -> None:
        if not isinstance(self.source.type, TensorType | ViewType):
            raise VerifyException("tile.reinterpret: the source must be a GM tensor or view")
        if len(self.sizes) != self.result.type.rank:
            raise VerifyException("tile.reinterpret: one size per result dim")


@irdl_op_definition
class GmAtOp(IRDLOperation):
    """A GM tensor of the result's element type and the given sizes at a device address (a pointer value)."""

    name = "tile.gm_at"
    address = operand_def(IndexType)
    sizes = var_operand_def(IndexType)
    result = result_def(TensorType)

    def __init__(self, address: SSAValue, sizes: Sequence[SSAValue], result_type: TensorType) -> None:
        super().__init__(operands=[address, sizes], result_types=[result_type])

    def verify_(self) -> None:
        if len(self.sizes) != self.result.type.rank:
            raise VerifyException("tile.gm_at: one size per result dim")


@irdl_op_definition
class CountEqOp(IRDLOperation):
    """How many elements of a 1-D GM view equal a scalar: one DMA per UB chunk and a vector reduction on the
    device, rather than one scalar read per element (the polling of a flag array)."""

    name = "tile.count_eq"
    source = operand_def()
    value = operand_def(IndexType)
    result = result_def(IndexType)

    def __init__(self, source: SSAValue, value: SSAValue) -> None:
        super().__init__(operands=[source, value], result_types=[IndexType()])

    def verify_(self) -> None:
        if not isinstance(self.source.type, TensorType | ViewType) or self.source.type.rank != 1:
            raise VerifyException("tile.count_eq: the source must be a 1-D GM tensor or view")


MEMORY_OPS = (ReinterpretOp, GmAtOp, CountEqOp)

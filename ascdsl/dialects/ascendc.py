"""The `ascendc` dialect: one op per Ascend C construct the printer emits.

GM is addressed as (kernel tensor argument, element offset); UB tensors are `!ascendc.local<T>` values
taken from the buffers declared with `ascendc.buffer` at the top of the kernel (TQue, TQueBind or TBuf).
"""

from __future__ import annotations

from collections.abc import Sequence

from xdsl.dialects.builtin import IndexType, IntAttr, StringAttr
from xdsl.ir import Attribute, Dialect, ParametrizedAttribute, SSAValue, TypeAttribute
from xdsl.irdl import (
    IRDLOperation,
    irdl_attr_definition,
    irdl_op_definition,
    operand_def,
    param_def,
    prop_def,
    result_def,
    traits_def,
)
from xdsl.parser import AttrParser
from xdsl.printer import Printer
from xdsl.traits import MemoryReadEffect
from xdsl.utils.exceptions import VerifyException

BUFFER_ROLES = {
    # role: (C++ type template, position(s)) -- what the printer declares for the role
    "in": "TQue<AscendC::TPosition::VECIN, {depth}>",
    "out": "TQue<AscendC::TPosition::VECOUT, {depth}>",
    "bind": "TQueBind<AscendC::TPosition::VECIN, AscendC::TPosition::VECOUT, {depth}>",
    "calc": "TBuf<AscendC::TPosition::VECCALC>",
}
BINARY = ("Add", "Sub", "Mul", "Div", "Max", "Min", "And", "Or")
SCALAR = ("Adds", "Muls", "Maxs", "Mins")
UNARY = ("Exp", "Ln", "Abs", "Sqrt", "Relu", "Not")
ROUND_MODES = {"none": "CAST_NONE", "rint": "CAST_RINT", "floor": "CAST_FLOOR", "ceil": "CAST_CEIL", "round": "CAST_ROUND", "trunc": "CAST_TRUNC", "odd": "CAST_ODD"}
HARD_EVENTS = ("MTE2_V", "V_MTE2", "MTE3_V", "V_MTE3", "MTE2_S", "S_MTE2", "S_V", "V_S", "MTE3_S", "S_MTE3", "MTE2_MTE3", "MTE3_MTE2")


@irdl_attr_definition
class LocalType(ParametrizedAttribute, TypeAttribute):
    """An Ascend C `LocalTensor<T>`: a window of one UB buffer."""

    name = "ascendc.local"
    element: Attribute = param_def()

    @classmethod
    def parse_parameters(cls, parser: AttrParser) -> Sequence[Attribute]:
        with parser.in_angle_brackets():
            return (parser.parse_attribute(),)

    def print_parameters(self, printer: Printer) -> None:
        with printer.in_angle_brackets():
            printer.print_attribute(self.element)


@irdl_op_definition
class BufferOp(IRDLOperation):
    """A UB buffer of the kernel's TPipe: `bytes_field` names the tiling field with its element count."""

    name = "ascendc.buffer"
    sym = prop_def(StringAttr)
    role = prop_def(StringAttr)
    depth = prop_def(IntAttr)
    element = prop_def(Attribute)
    count_field = prop_def(StringAttr)

    def __init__(self, sym: str, role: str, depth: int, element: Attribute, count_field: str) -> None:
        super().__init__(
            properties={
                "sym": StringAttr(sym),
                "role": StringAttr(role),
                "depth": IntAttr(depth),
                "element": element,
                "count_field": StringAttr(count_field),
            }
        )

    def verify_(self) -> None:
        if self.role.data not in BUFFER_ROLES:
            raise VerifyException(f"ascendc.buffer: unknown role {self.role.data!r}")
        if not 1 <= self.depth.data <= 2 or (self.role.data == "calc" and self.depth.data != 1):
            raise VerifyException("ascendc.buffer: depth 1 or 2 (1 for VECCALC)")


class _BufferUse(IRDLOperation):
    buffer = prop_def(StringAttr)


@irdl_op_definition
class AllocTensorOp(_BufferUse):
    name = "ascendc.alloc_tensor"
    result = result_def(LocalType)

    def __init__(self, buffer: str, element: Attribute) -> None:
        super().__init__(properties={"buffer": StringAttr(buffer)}, result_types=[LocalType(element)])


@irdl_op_definition
class GetBufOp(_BufferUse):
    """TBuf::Get<T>(): the whole VECCALC buffer."""

    name = "ascendc.get_buf"
    result = result_def(LocalType)

    def __init__(self, buffer: str, element: Attribute) -> None:
        super().__init__(properties={"buffer": StringAttr(buffer)}, result_types=[LocalType(element)])


@irdl_op_definition
class EnQueOp(_BufferUse):
    name = "ascendc.enque"
    tensor = operand_def(LocalType)

    def __init__(self, buffer: str, tensor: SSAValue) -> None:
        super().__init__(properties={"buffer": StringAttr(buffer)}, operands=[tensor])


@irdl_op_definition
class DeQueOp(_BufferUse):
    name = "ascendc.deque"
    result = result_def(LocalType)

    def __init__(self, buffer: str, element: Attribute) -> None:
        super().__init__(properties={"buffer": StringAttr(buffer)}, result_types=[LocalType(element)])


@irdl_op_definition
class FreeTensorOp(_BufferUse):
    name = "ascendc.free_tensor"
    tensor = operand_def(LocalType)

    def __init__(self, buffer: str, tensor: SSAValue) -> None:
        super().__init__(properties={"buffer": StringAttr(buffer)}, operands=[tensor])


class _Copy(IRDLOperation):
    """GM (tensor argument + element offset) <-> UB, `count` elements."""

    gm = operand_def()
    offset = operand_def(IndexType)
    local = operand_def(LocalType)
    count = operand_def(IndexType)

    def __init__(self, gm: SSAValue, offset: SSAValue, local: SSAValue, count: SSAValue) -> None:
        super().__init__(operands=[gm, offset, local, count])


@irdl_op_definition
class DataCopyInOp(_Copy):
    """DataCopy GM->UB: `count * sizeof(T)` must be a multiple of 32 bytes (the hardware rounds down)."""

    name = "ascendc.data_copy_in"


@irdl_op_definition
class DataCopyOutOp(_Copy):
    name = "ascendc.data_copy_out"


@irdl_op_definition
class DataCopyPadInOp(_Copy):
    """DataCopyPad GM->UB with one block of `count * sizeof(T)` bytes, any length."""

    name = "ascendc.data_copy_pad_in"


@irdl_op_definition
class DataCopyPadOutOp(_Copy):
    name = "ascendc.data_copy_pad_out"


class _Copy2D(IRDLOperation):
    """A strided GM <-> UB transfer of `rows` rows of `run` elements; GM rows are `stride` elements apart, UB
    rows are packed, each padded to 32 bytes. `pad` selects DataCopyPad (any sizes, byte strides) over
    DataCopy with DataCopyParams (whole 32-byte blocks)."""

    gm = operand_def()
    offset = operand_def(IndexType)
    local = operand_def(LocalType)
    rows = operand_def(IndexType)
    run = operand_def(IndexType)
    stride = operand_def(IndexType)
    pad = prop_def(IntAttr)

    def __init__(self, gm: SSAValue, offset: SSAValue, local: SSAValue, rows: SSAValue, run: SSAValue, stride: SSAValue, pad: bool) -> None:
        super().__init__(operands=[gm, offset, local, rows, run, stride], properties={"pad": IntAttr(int(pad))})


@irdl_op_definition
class Copy2DInOp(_Copy2D):
    name = "ascendc.copy2d_in"


@irdl_op_definition
class Copy2DOutOp(_Copy2D):
    name = "ascendc.copy2d_out"


@irdl_op_definition
class VecBinaryOp(IRDLOperation):
    name = "ascendc.vec_binary"
    fn = prop_def(StringAttr)
    dst = operand_def(LocalType)
    lhs = operand_def(LocalType)
    rhs = operand_def(LocalType)
    count = operand_def(IndexType)

    def __init__(self, fn: str, dst: SSAValue, lhs: SSAValue, rhs: SSAValue, count: SSAValue) -> None:
        super().__init__(properties={"fn": StringAttr(fn)}, operands=[dst, lhs, rhs, count])

    def verify_(self) -> None:
        if self.fn.data not in BINARY:
            raise VerifyException(f"ascendc.vec_binary: unknown {self.fn.data}")


@irdl_op_definition
class VecScalarOp(IRDLOperation):
    """Adds/Muls/Maxs/Mins: the scalar is converted to exactly the element type by the printer."""

    name = "ascendc.vec_scalar"
    fn = prop_def(StringAttr)
    dst = operand_def(LocalType)
    src = operand_def(LocalType)
    scalar = operand_def()
    count = operand_def(IndexType)

    def __init__(self, fn: str, dst: SSAValue, src: SSAValue, scalar: SSAValue, count: SSAValue) -> None:
        super().__init__(properties={"fn": StringAttr(fn)}, operands=[dst, src, scalar, count])

    def verify_(self) -> None:
        if self.fn.data not in SCALAR:
            raise VerifyException(f"ascendc.vec_scalar: unknown {self.fn.data}")


@irdl_op_definition
class VecUnaryOp(IRDLOperation):
    name = "ascendc.vec_unary"
    fn = prop_def(StringAttr)
    dst = operand_def(LocalType)
    src = operand_def(LocalType)
    count = operand_def(IndexType)

    def __init__(self, fn: str, dst: SSAValue, src: SSAValue, count: SSAValue) -> None:
        super().__init__(properties={"fn": StringAttr(fn)}, operands=[dst, src, count])

    def verify_(self) -> None:
        if self.fn.data not in UNARY:
            raise VerifyException(f"ascendc.vec_unary: unknown {self.fn.data}")


@irdl_op_definition
class DuplicateOp(IRDLOperation):
    name = "ascendc.duplicate"
    dst = operand_def(LocalType)
    scalar = operand_def()
    count = operand_def(IndexType)

    def __init__(self, dst: SSAValue, scalar: SSAValue, count: SSAValue) -> None:
        super().__init__(operands=[dst, scalar, count])


@irdl_op_definition
class CastOp(IRDLOperation):
    name = "ascendc.cast"
    dst = operand_def(LocalType)
    src = operand_def(LocalType)
    round = prop_def(StringAttr)
    count = operand_def(IndexType)

    def __init__(self, dst: SSAValue, src: SSAValue, round_mode: str, count: SSAValue) -> None:
        super().__init__(properties={"round": StringAttr(round_mode)}, operands=[dst, src, count])

    def verify_(self) -> None:
        if self.round.data not in ROUND_MODES:
            raise VerifyException(f"ascendc.cast: unknown rounding mode {self.round.data!r}")


@irdl_op_definition
class GetValueOp(IRDLOperation):
    """GlobalTensor::GetValue: a scalar read of GM through the scalar unit."""

    name = "ascendc.get_value"
    gm = operand_def()
    offset = operand_def(IndexType)
    result = result_def()
    traits = traits_def(MemoryReadEffect())  # a read: removable when unused

    def __init__(self, gm: SSAValue, offset: SSAValue, result_type: Attribute) -> None:
        super().__init__(operands=[gm, offset], result_types=[result_type])


@irdl_op_definition
class LocalGetValueOp(IRDLOperation):
    """LocalTensor::GetValue: the scalar unit reads one UB element (after a V->S flag when the vector unit wrote it)."""

    name = "ascendc.local_get_value"
    local = operand_def(LocalType)
    offset = operand_def(IndexType)
    result = result_def()

    def __init__(self, local: SSAValue, offset: SSAValue, result_type: Attribute) -> None:
        super().__init__(operands=[local, offset], result_types=[result_type])


@irdl_op_definition
class SetValueOp(IRDLOperation):
    name = "ascendc.set_value"
    gm = operand_def()
    offset = operand_def(IndexType)
    value = operand_def()

    def __init__(self, gm: SSAValue, offset: SSAValue, value: SSAValue) -> None:
        super().__init__(operands=[gm, offset, value])


@irdl_op_definition
class FlagOp(IRDLOperation):
    """SetFlag<HardEvent::E>(id); WaitFlag<HardEvent::E>(id): order two pipes."""

    name = "ascendc.flag"
    event = prop_def(StringAttr)
    event_id = prop_def(IntAttr)

    def __init__(self, event: str, event_id: int = 0) -> None:
        super().__init__(properties={"event": StringAttr(event), "event_id": IntAttr(event_id)})

    def verify_(self) -> None:
        if self.event.data not in HARD_EVENTS or not 0 <= self.event_id.data <= 7:
            raise VerifyException(f"ascendc.flag: bad event {self.event.data} id {self.event_id.data}")


REDUCE = ("ReduceSum", "ReduceMax", "ReduceMin")


@irdl_op_definition
class VecReduceOp(IRDLOperation):
    """ReduceSum / ReduceMax / ReduceMin(dst, src, tmp, count): the result in dst[0]; tmp is the work buffer
    the API requires (ceil(count / elements per repeat) elements, rounded up to a 32-byte block)."""

    name = "ascendc.vec_reduce"
    fn = prop_def(StringAttr)
    dst = operand_def(LocalType)
    src = operand_def(LocalType)
    tmp = operand_def(LocalType)
    count = operand_def(IndexType)

    def __init__(self, fn: str, dst: SSAValue, src: SSAValue, tmp: SSAValue, count: SSAValue) -> None:
        super().__init__(properties={"fn": StringAttr(fn)}, operands=[dst, src, tmp, count])

    def verify_(self) -> None:
        if self.fn.data not in REDUCE:
            raise VerifyException(f"ascendc.vec_reduce: unknown {self.fn.data}")


@irdl_op_definition
class SetAtomicAddOp(IRDLOperation):
    """SetAtomicAdd<T>(): the following UB->GM copies add into GM instead of overwriting it."""

    name = "ascendc.set_atomic_add"
    element = prop_def(Attribute)

    def __init__(self, element: Attribute) -> None:
        super().__init__(properties={"element": element})


@irdl_op_definition
class SetAtomicNoneOp(IRDLOperation):
    name = "ascendc.set_atomic_none"

    def __init__(self) -> None:
        super().__init__()


@irdl_op_definition
class SyncAllOp(IRDLOperation):
    """SyncAll<true>(): every core of the launch reaches this point before any goes on (needs schedule mode 1)."""

    name = "ascendc.sync_all"

    def __init__(self) -> None:
        super().__init__()


PIPES = ("S", "V", "MTE2", "MTE3", "ALL")


@irdl_op_definition
class PipeBarrierOp(IRDLOperation):
    """PipeBarrier<PIPE_X>(): everything issued to the pipe so far completes first."""

    name = "ascendc.pipe_barrier"
    pipe = prop_def(StringAttr)

    def __init__(self, pipe: str) -> None:
        super().__init__(properties={"pipe": StringAttr(pipe)})

    def verify_(self) -> None:
        if self.pipe.data not in PIPES:
            raise VerifyException(f"ascendc.pipe_barrier: unknown pipe {self.pipe.data}")


@irdl_op_definition
class DataCacheCleanOp(IRDLOperation):
    """DataCacheCleanAndInvalid on the cache line of a GM element (publish a scalar write, or re-read)."""

    name = "ascendc.dcci"
    gm = operand_def()
    offset = operand_def(IndexType)

    def __init__(self, gm: SSAValue, offset: SSAValue) -> None:
        super().__init__(operands=[gm, offset])


ASCENDC = Dialect(
    "ascendc",
    [
        BufferOp,
        AllocTensorOp,
        GetBufOp,
        EnQueOp,
        DeQueOp,
        FreeTensorOp,
        DataCopyInOp,
        DataCopyOutOp,
        DataCopyPadInOp,
        DataCopyPadOutOp,
        Copy2DInOp,
        Copy2DOutOp,
        VecBinaryOp,
        VecScalarOp,
        VecUnaryOp,
        DuplicateOp,
        CastOp,
        GetValueOp,
        LocalGetValueOp,
        SetValueOp,
        FlagOp,
        VecReduceOp,
        SetAtomicAddOp,
        SetAtomicNoneOp,
        SyncAllOp,
        PipeBarrierOp,
        DataCacheCleanOp,
    ],
    [LocalType],
)

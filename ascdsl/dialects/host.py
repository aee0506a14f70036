"""The `host` dialect: the tiling function that runs on the host before a launch.

Its body computes from shapes, dtypes, attributes and platform facts (core count, UB size) what the kernel
needs: tiling-data fields, the block dim, the tiling key and the workspace size, and it runs the kernel's
`require` checks. Its block arguments mirror the kernel's parameters, so `tile.dim`, `tile.dtype_in` and
the like work unchanged inside it.
"""

from __future__ import annotations

from xdsl.dialects.builtin import IndexType, StringAttr
from xdsl.ir import Dialect, Region, SSAValue
from xdsl.irdl import IRDLOperation, irdl_op_definition, operand_def, prop_def, region_def, result_def, traits_def
from xdsl.traits import IsolatedFromAbove, IsTerminator, Pure


@irdl_op_definition
class TilingFuncOp(IRDLOperation):
    name = "host.tiling_func"
    kernel = prop_def(StringAttr)  # the kernel it tiles (not a symbol: the kernel owns the name)
    body = region_def("single_block")
    traits = traits_def(IsolatedFromAbove())

    def __init__(self, name: str, body: Region) -> None:
        super().__init__(properties={"kernel": StringAttr(name)}, regions=[body])


@irdl_op_definition
class ReturnOp(IRDLOperation):
    name = "host.return"
    traits = traits_def(IsTerminator())


@irdl_op_definition
class SetFieldOp(IRDLOperation):
    """Store a value into the tiling data under `field`; the kernel reads it with `tile.tiling_field`."""

    name = "host.set_field"
    value = operand_def()
    field = prop_def(StringAttr)

    def __init__(self, value: SSAValue, field: str) -> None:
        super().__init__(operands=[value], properties={"field": StringAttr(field)})


@irdl_op_definition
class SetBlockDimOp(IRDLOperation):
    name = "host.set_block_dim"
    value = operand_def(IndexType)

    def __init__(self, value: SSAValue) -> None:
        super().__init__(operands=[value])


@irdl_op_definition
class SetTilingKeyOp(IRDLOperation):
    """Which specialisation of the kernel the launch runs (0 .. n-1 of its `ascendc.tiling_key_switch`); the
    printer adds the kernel's first tiling key to it."""

    name = "host.set_tiling_key"
    value = operand_def(IndexType)

    def __init__(self, value: SSAValue) -> None:
        super().__init__(operands=[value])


@irdl_op_definition
class CoreNumOp(IRDLOperation):
    """The number of AIV cores of the target (a platform query)."""

    name = "host.core_num"
    result = result_def(IndexType)
    traits = traits_def(Pure())

    def __init__(self) -> None:
        super().__init__(result_types=[IndexType()])


@irdl_op_definition
class UbBytesOp(IRDLOperation):
    """Bytes of the Unified Buffer the generated allocations may use on one core."""

    name = "host.ub_bytes"
    result = result_def(IndexType)
    traits = traits_def(Pure())

    def __init__(self) -> None:
        super().__init__(result_types=[IndexType()])


HOST = Dialect("host", [TilingFuncOp, ReturnOp, SetFieldOp, SetBlockDimOp, SetTilingKeyOp, CoreNumOp, UbBytesOp], [])

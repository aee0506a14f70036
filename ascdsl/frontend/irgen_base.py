"""Shared state of IR generation: the insertion block, the name environment, locations and scalar coercions."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from xdsl.dialects import arith
from xdsl.dialects.builtin import (
    FileLineColLoc,
    FloatAttr,
    IndexType,
    IntAttr,
    IntegerAttr,
    IntegerType,
    StringAttr,
)
from xdsl.ir import Block, Operation, SSAValue

from ascdsl.errors import DslError, Span
from ascdsl.frontend.values import F32, I1, Py, Value, describe, kind

I64 = IntegerType(64)


def location(span: Span) -> FileLineColLoc:
    return FileLineColLoc(StringAttr(span.file), IntAttr(span.line), IntAttr(span.col))


class GenBase:
    """State and helpers that statement and expression generation share."""

    def __init__(self, filename: str, globals_: dict[str, Any]) -> None:
        self.filename = filename
        self.globals = globals_
        self.block = Block()
        self.env: dict[str, Value] = {}
        # Names that exist in Python but not here, with the reason, for a precise error on use.
        self.unavailable: dict[str, str] = {}
        self.loop_depth = 0
        self.current_span: Span | None = None  # the statement being generated

    # ---------------------------------------------------------------- emission

    def emit(self, op: Operation, span: Span) -> Operation:
        op.location = location(span)
        self.block.add_op(op)
        return op

    def emit1(self, op: Operation, span: Span) -> SSAValue:
        return self.emit(op, span).results[0]

    @contextmanager
    def in_block(self, block: Block) -> Iterator[None]:
        saved = self.block
        self.block = block
        try:
            yield
        finally:
            self.block = saved

    # ---------------------------------------------------------------- constants and coercions

    def const_int(self, value: int, span: Span) -> SSAValue:
        if not -(2**63) <= value < 2**63:
            shown = str(value) if value.bit_length() <= 256 else f"of {value.bit_length()} bits"
            raise DslError(f"integer constant {shown} does not fit in 64 bits", span, "use a smaller value")
        return self.emit1(arith.ConstantOp(IntegerAttr(value, IndexType())), span)

    def const_float(self, value: float, span: Span) -> SSAValue:
        return self.emit1(arith.ConstantOp(FloatAttr(float(value), F32)), span)

    def const_bool(self, value: bool, span: Span) -> SSAValue:
        return self.emit1(arith.ConstantOp(IntegerAttr(-1 if value else 0, I1)), span)

    def as_int(self, v: Value, span: Span, what: str) -> SSAValue:
        if isinstance(v, Py) and isinstance(v.value, int) and not isinstance(v.value, bool):
            return self.const_int(v.value, span)
        if isinstance(v, SSAValue) and isinstance(v.type, IndexType):
            return v
        if isinstance(v, SSAValue) and v.type == I1:
            wide = self.emit1(arith.ExtUIOp(v, I64), span)
            return self.emit1(arith.IndexCastOp(wide, IndexType()), span)
        hint = "convert a float with int(...)" if kind(v) == "float" else None
        raise DslError(f"{what} must be an integer, got a {describe(v)}", span, hint)

    def as_float(self, v: Value, span: Span, what: str) -> SSAValue:
        if isinstance(v, Py) and isinstance(v.value, int | float) and not isinstance(v.value, bool):
            return self.const_float(float(v.value), span)
        if isinstance(v, SSAValue) and v.type == F32:
            return v
        if isinstance(v, SSAValue) and isinstance(v.type, IndexType):
            wide = self.emit1(arith.IndexCastOp(v, I64), span)
            return self.emit1(arith.SIToFPOp(wide, F32), span)
        raise DslError(f"{what} must be a number, got a {describe(v)}", span)

    def as_bool(self, v: Value, span: Span, what: str) -> SSAValue:
        if isinstance(v, Py) and isinstance(v.value, bool | int):
            return self.const_bool(bool(v.value), span)
        if isinstance(v, SSAValue) and v.type == I1:
            return v
        if isinstance(v, SSAValue) and isinstance(v.type, IndexType):
            zero = self.const_int(0, span)
            return self.emit1(arith.CmpiOp(v, zero, "ne"), span)
        raise DslError(f"{what} must be a condition (bool), got a {describe(v)}", span)

    def materialize(self, v: Value, span: Span, name: str) -> SSAValue:
        """An SSA value for a run-time scalar, tile or view; compile-time constants become arith constants."""
        if isinstance(v, SSAValue):
            return v
        if isinstance(v, Py):
            if isinstance(v.value, bool):
                return self.const_bool(v.value, span)
            if isinstance(v.value, int):
                return self.const_int(v.value, span)
            if isinstance(v.value, float):
                return self.const_float(v.value, span)
        raise DslError(
            f"'{name}' holds a {describe(v)}, which cannot change inside a loop or an if",
            span,
            "assign it once, outside the control flow",
        )

    def unify_scalar(self, a: Value, b: Value, span: Span) -> tuple[SSAValue, SSAValue]:
        """Two scalars of one type: ints stay index, an int meeting a float becomes f32."""
        ka, kb = kind(a), kind(b)
        if "float" in (ka, kb):
            return self.as_float(a, span, "operand"), self.as_float(b, span, "operand")
        if ka == kb == "bool":
            return self.as_bool(a, span, "operand"), self.as_bool(b, span, "operand")
        return self.as_int(a, span, "operand"), self.as_int(b, span, "operand")

"""Scalar `arith` ops on Python values: integers are exact Python ints (index), floats are rounded to
float32 after every op (as the device computes them), booleans are Python bools."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
from xdsl.dialects import arith
from xdsl.dialects.builtin import FloatAttr, IntegerAttr, IntegerType
from xdsl.interpreter import Interpreter, InterpreterFunctions, PythonValues, impl, register_impls

from ascdsl.errors import DeviceRuntimeError


def f32(x: float) -> float:
    return float(np.float32(x))


def _is_bool(op: arith.ConstantOp) -> bool:
    t = op.value.type  # type: ignore[union-attr]
    return isinstance(t, IntegerType) and t.width.data == 1


_CMPI: dict[int, Callable[[Any, Any], bool]] = {
    0: lambda a, b: a == b,
    1: lambda a, b: a != b,
    2: lambda a, b: a < b,
    3: lambda a, b: a <= b,
    4: lambda a, b: a > b,
    5: lambda a, b: a >= b,
}
# Ordered predicates are false on NaN; "une" (13) is true on NaN.
_CMPF: dict[int, Callable[[float, float], bool]] = {
    1: lambda a, b: a == b,
    2: lambda a, b: a > b,
    3: lambda a, b: a >= b,
    4: lambda a, b: a < b,
    5: lambda a, b: a <= b,
    6: lambda a, b: a != b and not (math.isnan(a) or math.isnan(b)),
    13: lambda a, b: a != b,  # unordered or unequal: true on NaN
}


def _floordiv(a: int, b: int) -> int:
    if b == 0:
        raise DeviceRuntimeError("integer division by zero")
    return a // b


def _bitwise(py_bool: Callable[[bool, bool], bool], py_int: Callable[[int, int], int]) -> Callable[[Any, Any], Any]:
    def run(a: Any, b: Any) -> Any:
        if isinstance(a, bool) or isinstance(b, bool):
            return py_bool(bool(a), bool(b))
        return py_int(a, b)

    return run


_BINARY: dict[type, Callable[[Any, Any], Any]] = {
    arith.AddiOp: lambda a, b: a + b,
    arith.SubiOp: lambda a, b: a - b,
    arith.MuliOp: lambda a, b: a * b,
    arith.FloorDivSIOp: _floordiv,
    arith.MinSIOp: min,
    arith.MaxSIOp: max,
    arith.AndIOp: _bitwise(lambda a, b: a and b, lambda a, b: a & b),
    arith.OrIOp: _bitwise(lambda a, b: a or b, lambda a, b: a | b),
    arith.XOrIOp: _bitwise(lambda a, b: a != b, lambda a, b: a ^ b),
    arith.ShLIOp: lambda a, b: a << b,
    arith.ShRSIOp: lambda a, b: a >> b,
    arith.AddfOp: lambda a, b: f32(a + b),
    arith.SubfOp: lambda a, b: f32(a - b),
    arith.MulfOp: lambda a, b: f32(a * b),
    arith.DivfOp: lambda a, b: f32(np.float32(a) / np.float32(b)),
    arith.MinimumfOp: lambda a, b: a if math.isnan(a) else (b if math.isnan(b) else min(a, b)),
    arith.MaximumfOp: lambda a, b: a if math.isnan(a) else (b if math.isnan(b) else max(a, b)),
}


class ScalarFunctions(InterpreterFunctions):
    @impl(arith.ConstantOp)
    def run_constant(self, interpreter: Interpreter, op: arith.ConstantOp, args: PythonValues) -> PythonValues:
        value = op.value
        if isinstance(value, FloatAttr):
            return (f32(value.value.data),)
        assert isinstance(value, IntegerAttr)
        if _is_bool(op):
            return (value.value.data != 0,)
        return (value.value.data,)

    @impl(arith.CmpiOp)
    def run_cmpi(self, interpreter: Interpreter, op: arith.CmpiOp, args: PythonValues) -> PythonValues:
        return (_CMPI[op.predicate.value.data](args[0], args[1]),)

    @impl(arith.CmpfOp)
    def run_cmpf(self, interpreter: Interpreter, op: arith.CmpfOp, args: PythonValues) -> PythonValues:
        return (_CMPF[op.predicate.value.data](args[0], args[1]),)

    @impl(arith.NegfOp)
    def run_negf(self, interpreter: Interpreter, op: arith.NegfOp, args: PythonValues) -> PythonValues:
        return (-args[0],)

    @impl(arith.IndexCastOp)
    def run_index_cast(self, interpreter: Interpreter, op: arith.IndexCastOp, args: PythonValues) -> PythonValues:
        return (int(args[0]),)

    @impl(arith.ExtUIOp)
    def run_extui(self, interpreter: Interpreter, op: arith.ExtUIOp, args: PythonValues) -> PythonValues:
        return (int(args[0]),)

    @impl(arith.SIToFPOp)
    def run_sitofp(self, interpreter: Interpreter, op: arith.SIToFPOp, args: PythonValues) -> PythonValues:
        return (f32(float(args[0])),)

    @impl(arith.FPToSIOp)
    def run_fptosi(self, interpreter: Interpreter, op: arith.FPToSIOp, args: PythonValues) -> PythonValues:
        if not math.isfinite(args[0]):
            raise DeviceRuntimeError(f"int() of {args[0]}")
        return (int(args[0]),)  # truncation toward zero, as C does

    @impl(arith.SelectOp)
    def run_select(self, interpreter: Interpreter, op: arith.SelectOp, args: PythonValues) -> PythonValues:
        return (args[1] if args[0] else args[2],)


def _binary(self: ScalarFunctions, interpreter: Interpreter, op: Any, args: PythonValues) -> PythonValues:
    return (_BINARY[type(op)](args[0], args[1]),)


# One table-driven implementation serves every binary op: attach it once per op class, then register.
for _cls in _BINARY:
    setattr(ScalarFunctions, f"run_{_cls.__name__}", impl(_cls)(_binary))
register_impls(ScalarFunctions)

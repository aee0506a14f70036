"""What a name or an expression stands for while the frontend builds IR.

Run-time values are SSA values (scalars, GM tensors and views, tiles, string attributes); compile-time
values are Python constants, dtypes, DSL builtins, and bound methods of GM values (`x.reshape`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from xdsl.dialects.builtin import Float32Type, IndexType, IntegerType
from xdsl.ir import Attribute, SSAValue

from ascdsl.dialects.tile_types import HostArrayType, StrType, TensorType, TileType, ViewType, element_name

INDEX = IndexType()
F32 = Float32Type()
I1 = IntegerType(1)


@dataclass(frozen=True)
class Py:
    """A Python constant known at compile time: int, float, bool, str, None, or a tuple of them."""

    value: Any


@dataclass(frozen=True)
class DTypeRef:
    """A dtype or dtype variable used as a value, e.g. the `f32` in `cast(x, f32)`."""

    element: Attribute

    @property
    def name(self) -> str:
        return element_name(self.element)


@dataclass(frozen=True)
class Builtin:
    name: str


@dataclass(frozen=True)
class ShapeOf:
    """`x.shape`: subscript it with a constant to get a dim."""

    source: SSAValue


@dataclass(frozen=True)
class Method:
    source: SSAValue
    name: str


@dataclass(frozen=True)
class TupleVal:
    items: tuple[Value, ...]


Value = SSAValue | Py | DTypeRef | Builtin | ShapeOf | Method | TupleVal


def kind(v: Value) -> str:
    """A word for what the value is, for error messages and dispatch."""
    if isinstance(v, SSAValue):
        t = v.type
        if isinstance(t, IndexType):
            return "int"
        if t == I1:
            return "bool"
        if isinstance(t, Float32Type):
            return "float"
        if isinstance(t, TensorType | ViewType):
            return "gm"
        if isinstance(t, TileType):
            return "tile"
        if isinstance(t, StrType):
            return "str"
        if isinstance(t, HostArrayType):
            return "host"
        return str(t)
    if isinstance(v, Py):
        if isinstance(v.value, bool):
            return "bool"
        if isinstance(v.value, int):
            return "int"
        if isinstance(v.value, float):
            return "float"
        if isinstance(v.value, str):
            return "str"
        if v.value is None:
            return "None"
        return "constant"
    if isinstance(v, DTypeRef):
        return "dtype"
    if isinstance(v, Builtin):
        return "builtin"
    if isinstance(v, TupleVal):
        return "tuple"
    if isinstance(v, ShapeOf):
        return "shape"
    return "method"


def describe(v: Value) -> str:
    k = kind(v)
    if k in ("gm", "tile") and isinstance(v, SSAValue):
        t = v.type
        assert isinstance(t, TensorType | ViewType | TileType)
        dims = ", ".join(str(d) for d in t.dims)
        word = "tile" if k == "tile" else "GM view"
        return f"{word} of {t.element_name()} [{dims}]"
    if k in ("int", "float", "bool") and isinstance(v, SSAValue | Py):
        return f"{k} scalar"
    return k

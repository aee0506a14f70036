"""Element types: one table links the DSL name, the numpy dtype, the MLIR type and the Ascend C type.

Every other module asks this table; no pass or printer spells a dtype on its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import ml_dtypes
import numpy as np
from xdsl.dialects import builtin
from xdsl.ir import Attribute

Kind = Literal["float", "int", "uint", "bool", "bytes"]


@dataclass(frozen=True)
class DType:
    name: str  # the DSL spelling: f16, bf16, i32, ...
    kind: Kind
    itemsize: int
    numpy: np.dtype
    ascendc: str  # the Ascend C spelling
    aclnn: str  # the aclDataType name, for messages that speak the operator's language

    @property
    def is_float(self) -> bool:
        return self.kind == "float"

    @property
    def is_integer(self) -> bool:
        return self.kind in ("int", "uint")

    def mlir(self) -> Attribute:
        return _MLIR[self.name]()

    def __str__(self) -> str:
        return self.name


def _d(name: str, kind: Kind, np_dtype: object, ascendc: str, aclnn: str) -> DType:
    dt = np.dtype(np_dtype)
    return DType(name, kind, dt.itemsize, dt, ascendc, aclnn)


ALL: tuple[DType, ...] = (
    _d("f16", "float", np.float16, "half", "FLOAT16"),
    _d("bf16", "float", ml_dtypes.bfloat16, "bfloat16_t", "BFLOAT16"),
    _d("f32", "float", np.float32, "float", "FLOAT"),
    _d("f8e5m2", "float", ml_dtypes.float8_e5m2, "fp8_e5m2_t", "FLOAT8_E5M2"),
    _d("f8e4m3fn", "float", ml_dtypes.float8_e4m3fn, "fp8_e4m3fn_t", "FLOAT8_E4M3FN"),
    _d("i8", "int", np.int8, "int8_t", "INT8"),
    _d("u8", "uint", np.uint8, "uint8_t", "UINT8"),
    _d("i16", "int", np.int16, "int16_t", "INT16"),
    _d("u16", "uint", np.uint16, "uint16_t", "UINT16"),
    _d("i32", "int", np.int32, "int32_t", "INT32"),
    _d("u32", "uint", np.uint32, "uint32_t", "UINT32"),
    _d("i64", "int", np.int64, "int64_t", "INT64"),
    _d("u64", "uint", np.uint64, "uint64_t", "UINT64"),
    _d("bool", "bool", np.bool_, "bool", "BOOL"),
    # HiFloat8 has no numpy type: it is stored and moved as opaque bytes (numpy "V1"), never computed on.
    _d("hif8", "bytes", np.dtype("V1"), "hifloat8_t", "HIFLOAT8"),
)

BY_NAME: dict[str, DType] = {d.name: d for d in ALL}
_BY_NUMPY: dict[np.dtype, DType] = {d.numpy: d for d in ALL}

_MLIR = {
    "f16": builtin.Float16Type,
    "bf16": builtin.BFloat16Type,
    "f32": builtin.Float32Type,
    "f8e5m2": builtin.Float8E5M2Type,
    "f8e4m3fn": builtin.Float8E4M3FNType,
    "i8": lambda: builtin.IntegerType(8),
    "u8": lambda: builtin.IntegerType(8, builtin.Signedness.UNSIGNED),
    "i16": lambda: builtin.IntegerType(16),
    "u16": lambda: builtin.IntegerType(16, builtin.Signedness.UNSIGNED),
    "i32": lambda: builtin.IntegerType(32),
    "u32": lambda: builtin.IntegerType(32, builtin.Signedness.UNSIGNED),
    "i64": lambda: builtin.IntegerType(64),
    "u64": lambda: builtin.IntegerType(64, builtin.Signedness.UNSIGNED),
    "bool": lambda: builtin.IntegerType(1),
    "hif8": lambda: _hif8_type(),
}


def _hif8_type() -> Attribute:
    from ascdsl.dialects.tile_types import HiFloat8Type  # the tile dialect defines it; imported late (cycle)

    return HiFloat8Type()


def from_numpy(dt: np.dtype) -> DType | None:
    """The DType of a numpy dtype, or None when ascdsl has no such element type."""
    return _BY_NUMPY.get(np.dtype(dt))


def from_mlir(attr: Attribute) -> DType | None:
    for d in ALL:
        if d.mlir() == attr:
            return d
    return None


def describe_numpy(dt: np.dtype) -> str:
    d = from_numpy(dt)
    return d.name if d is not None else str(np.dtype(dt))

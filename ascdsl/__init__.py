"""ascdsl: a compiler for Huawei Ascend NPU operators written in a small Python DSL."""

from __future__ import annotations

from pathlib import Path as _Path

from ascdsl.errors import AclnnError, AscdslError, BackendUnavailableError, DeviceRuntimeError, DslError
from ascdsl.kernel import Kernel, kernel
from ascdsl.lang import (
    Attr,
    HostArray,
    InOut,
    Out,
    Tensor,
    atomic_add,
    bf16,
    cast,
    ceil,
    copy,
    exp,
    f8e4m3fn,
    f8e5m2,
    f16,
    f32,
    fill,
    floor,
    full,
    hif8,
    i8,
    i16,
    i32,
    i64,
    load,
    parallel,
    reduce_max,
    reduce_min,
    reduce_sum,
    require,
    sizeof,
    sqrt,
    store,
    u8,
    u16,
    u32,
    u64,
    where,
    zeros,
)

# Installed, setuptools puts ops/, lowering/ and runtime/ inside this package (ascdsl.ops, ...). In a source
# checkout they sit beside it; adding the checkout to the package path gives the same import names, so
# `python -m pytest` or `python -c` from the checkout see one layout whichever copy Python finds first.
_root = _Path(__file__).resolve().parent.parent
if (_root / "pyproject.toml").is_file() and (_root / "runtime" / "__init__.py").is_file():
    __path__.append(str(_root))  # type: ignore[name-defined]

__version__ = "0.1.0"

__all__ = [
    "AclnnError",
    "AscdslError",
    "Attr",
    "BackendUnavailableError",
    "DeviceRuntimeError",
    "DslError",
    "HostArray",
    "InOut",
    "Kernel",
    "Out",
    "Tensor",
    "atomic_add",
    "bf16",
    "cast",
    "ceil",
    "copy",
    "exp",
    "f8e4m3fn",
    "f8e5m2",
    "f16",
    "f32",
    "fill",
    "floor",
    "full",
    "hif8",
    "i8",
    "i16",
    "i32",
    "i64",
    "kernel",
    "load",
    "parallel",
    "reduce_max",
    "reduce_min",
    "reduce_sum",
    "require",
    "sizeof",
    "sqrt",
    "store",
    "u8",
    "u16",
    "u32",
    "u64",
    "where",
    "zeros",
]

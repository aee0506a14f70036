"""Names a kernel module imports: annotations, dtypes and builtins.

Python never runs a kernel's body, so these objects only have to exist (for imports, linters and editors);
the frontend gives them their meaning. Calling a builtin from plain Python says so.
"""

from __future__ import annotations

from typing import Any

from ascdsl import dtypes
from ascdsl.errors import AscdslError

# Builtin functions of the DSL, with the argument names they take (for arity errors).
BUILTINS: dict[str, str] = {
    "require": "require(cond, code=..., msg=...)",
    "range": "range(stop) / range(start, stop[, step])",
    "parallel": "parallel(n)",
    "load": "load(view)",
    "store": "store(view, tile)",
    "atomic_add": "atomic_add(view, tile)",
    "copy": "copy(dst_view, src_view)",
    "fill": "fill(view, value)",
    "zeros": "zeros(shape, dtype)",
    "full": "full(shape, value, dtype)",
    "cast": "cast(x, dtype, round=...)",
    "where": "where(cond, a, b)",
    "min": "min(a, b, ...)",
    "max": "max(a, b, ...)",
    "abs": "abs(x)",
    "floor": "floor(x)",
    "ceil": "ceil(x)",
    "exp": "exp(x)",
    "sqrt": "sqrt(x)",
    "reduce_sum": "reduce_sum(tile, axis=None)",
    "reduce_max": "reduce_max(tile, axis=None)",
    "reduce_min": "reduce_min(tile, axis=None)",
    "sizeof": "sizeof(dtype)",
    "int": "int(x)",
    "float": "float(x)",
    # structs and raw device memory (ascdsl.structs, frontend/irgen_structs.py)
    "as_struct": "as_struct(tensor, struct)",
    "gm_tensor": "gm_tensor(address, dtype, shape)",
    "volatile": "volatile(read)",
    "count_equal": "count_equal(view, value)",
    # communication (ascdsl/frontend/irgen_comm.py)
    "comm_rank": "comm_rank(group)",
    "comm_size": "comm_size(group)",
    "data_window": "data_window(group, rank, dtype=u8)",
    "state_window": "state_window(group, rank, dtype=u8)",
    "sync_all": "sync_all()",
}


class _Marker:
    """An annotation name such as Tensor: subscriptable so `Tensor[f16, N]` is valid Python if evaluated."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __getitem__(self, item: Any) -> _Marker:
        return self

    def __repr__(self) -> str:
        return self.name


class DTypeName(_Marker):
    """A dtype name usable in kernels: f16, bf16, f32, i32, ..."""


class _BuiltinFunction:
    def __init__(self, name: str) -> None:
        self.name = name

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise AscdslError(f"{self.name}() is a DSL builtin: it works inside an @kernel body, not in plain Python")


Tensor = _Marker("Tensor")
InOut = _Marker("InOut")
Out = _Marker("Out")
Attr = _Marker("Attr")
HostArray = _Marker("HostArray")

f16 = DTypeName("f16")
bf16 = DTypeName("bf16")
f32 = DTypeName("f32")
f8e5m2 = DTypeName("f8e5m2")
f8e4m3fn = DTypeName("f8e4m3fn")
i8 = DTypeName("i8")
u8 = DTypeName("u8")
i16 = DTypeName("i16")
u16 = DTypeName("u16")
i32 = DTypeName("i32")
u32 = DTypeName("u32")
i64 = DTypeName("i64")
u64 = DTypeName("u64")
hif8 = DTypeName("hif8")

require = _BuiltinFunction("require")
parallel = _BuiltinFunction("parallel")
load = _BuiltinFunction("load")
store = _BuiltinFunction("store")
atomic_add = _BuiltinFunction("atomic_add")
copy = _BuiltinFunction("copy")
fill = _BuiltinFunction("fill")
zeros = _BuiltinFunction("zeros")
full = _BuiltinFunction("full")
cast = _BuiltinFunction("cast")
where = _BuiltinFunction("where")
floor = _BuiltinFunction("floor")
ceil = _BuiltinFunction("ceil")
exp = _BuiltinFunction("exp")
sqrt = _BuiltinFunction("sqrt")
reduce_sum = _BuiltinFunction("reduce_sum")
reduce_max = _BuiltinFunction("reduce_max")
reduce_min = _BuiltinFunction("reduce_min")
sizeof = _BuiltinFunction("sizeof")
as_struct = _BuiltinFunction("as_struct")
gm_tensor = _BuiltinFunction("gm_tensor")
volatile = _BuiltinFunction("volatile")
count_equal = _BuiltinFunction("count_equal")
comm_rank = _BuiltinFunction("comm_rank")
comm_size = _BuiltinFunction("comm_size")
data_window = _BuiltinFunction("data_window")
state_window = _BuiltinFunction("state_window")
sync_all = _BuiltinFunction("sync_all")

assert {d.name for d in dtypes.ALL} - {"bool"} <= set(globals()), "every dtype needs a name here"

"""Checking a call against a kernel's signature, before anything runs.

The order is aclnn's: missing required arguments (161001), then tensor descriptors: type, dtype, rank,
contiguity, dims (161002). The kernel's own `require` checks come after, on the host, with their codes.
Every backend binds through here, so every backend rejects the same calls the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from ascdsl.runtime.interpreter.gm import GmRef

from ascdsl import dtypes
from ascdsl.dialects import tile_ops as t
from ascdsl.dialects.tile_types import DTypeVarAttr, HostArrayType, StrType, TensorType
from ascdsl.errors import ACLNN_ERR_PARAM_INVALID, ACLNN_ERR_PARAM_NULLPTR, AclnnError, AscdslError

_ATTR_PY: dict[str, tuple[type, ...]] = {"index": (int, np.integer), "i1": (bool, np.bool_), "f32": (float, int, np.floating, np.integer)}


@dataclass
class Bound:
    """A checked call: one value per kernel parameter, and what the call binds."""

    values: list[Any]
    dtype_env: dict[str, dtypes.DType] = field(default_factory=dict)
    symbols: dict[str, int] = field(default_factory=dict)
    def commit(self) -> None:
        """Results are written in place as the kernel runs (a failing run is rolled back from its journal)."""


def _shape(dims: tuple[int | str, ...]) -> str:
    return "[" + ", ".join(str(d) for d in dims) + "]"


class _Binder:
    def __init__(self, kernel: t.KernelOp) -> None:
        self.kernel = kernel
        self.bound = Bound([])
        self.dtype_origin: dict[str, str] = {}
        self.symbol_origin: dict[str, str] = {}

    def bind_dtype(self, name: str, element: Any, got: dtypes.DType) -> None:
        if isinstance(element, DTypeVarAttr):
            var = element.var.data
            have = self.bound.dtype_env.get(var)
            if have is None:
                self.bound.dtype_env[var] = got
                self.dtype_origin[var] = name
            elif have != got:
                raise AclnnError(
                    ACLNN_ERR_PARAM_INVALID,
                    f"{name} has dtype {got.aclnn} but {self.dtype_origin[var]} has {have.aclnn}; "
                    f"they must have the same dtype ({var})",
                )
            return
        want = dtypes.from_mlir(element)
        if want != got:
            raise AclnnError(ACLNN_ERR_PARAM_INVALID, f"{name} must have dtype {want.aclnn if want else element}, got {got.aclnn}")

    def bind_dims(self, name: str, dims: tuple[int | str, ...], shape: tuple[int, ...]) -> None:
        if len(dims) != len(shape):
            raise AclnnError(
                ACLNN_ERR_PARAM_INVALID,
                f"{name} must have rank {len(dims)} {_shape(dims)}, got shape {list(shape)}",
            )
        for axis, (d, s) in enumerate(zip(dims, shape, strict=True)):
            where = f"{name}.shape[{axis}]"
            if isinstance(d, int):
                if d != s:
                    raise AclnnError(ACLNN_ERR_PARAM_INVALID, f"{where} must be {d}, got {s}")
                continue
            if d == "?":
                continue
            have = self.bound.symbols.get(d)
            if have is None:
                self.bound.symbols[d] = s
                self.symbol_origin[d] = where
            elif have != s:
                raise AclnnError(
                    ACLNN_ERR_PARAM_INVALID,
                    f"{where} is {s} but {self.symbol_origin[d]} is {have}; both are {d} and must be equal",
                )

    def tensor(self, name: str, role: str, ty: TensorType, value: Any) -> GmRef:
        if not isinstance(value, np.ndarray):
            raise AclnnError(ACLNN_ERR_PARAM_INVALID, f"{name} must be a numpy array, got {type(value).__name__}")
        got = dtypes.from_numpy(value.dtype)
        if got is None:
            raise AclnnError(ACLNN_ERR_PARAM_INVALID, f"{name} has dtype {value.dtype}, which is not supported")
        self.bind_dtype(name, ty.element, got)
        self.bind_dims(name, ty.dims, value.shape)
        if not value.flags.c_contiguous:
            raise AclnnError(
                ACLNN_ERR_PARAM_INVALID, f"{name} is not contiguous; pass np.ascontiguousarray({name})"
            )
        if role == "in":
            ro = value.view()
            ro.flags.writeable = False  # the compiler forbids writing inputs; this catches any slip
            return GmRef(name, ro)
        if not value.flags.writeable:  # the kernel writes it in place
            raise AclnnError(ACLNN_ERR_PARAM_INVALID, f"{name} is read-only, but it is an {role} tensor")
        return GmRef(name, value)

    def host_array(self, name: str, ty: HostArrayType, value: Any) -> GmRef:
        dt = dtypes.from_mlir(ty.element)
        try:
            arr = np.asarray(value)
        except (TypeError, ValueError):
            raise AclnnError(ACLNN_ERR_PARAM_INVALID, f"{name} must be a list of numbers") from None
        if arr.ndim != len(ty.dims) or (arr.size and not np.issubdtype(arr.dtype, np.number)):
            raise AclnnError(ACLNN_ERR_PARAM_INVALID, f"{name} must be a {len(ty.dims)}-D list of numbers")
        if dt is not None:
            arr = arr.astype(dt.numpy)
        self.bind_dims(name, ty.dims, arr.shape)
        return GmRef(name, arr)

    def attr(self, name: str, ty: Any, value: Any) -> Any:
        if isinstance(ty, StrType):
            if not isinstance(value, str):
                raise AclnnError(ACLNN_ERR_PARAM_INVALID, f"{name} must be a string, got {type(value).__name__}")
            return value
        key = str(ty)
        if key == "i1":
            if isinstance(value, bool | np.bool_) or (isinstance(value, int | np.integer) and int(value) in (0, 1)):
                return bool(value)
            raise AclnnError(ACLNN_ERR_PARAM_INVALID, f"{name} must be a bool, got {value!r}")
        if key == "index":
            if isinstance(value, bool | np.bool_) or not isinstance(value, int | np.integer):
                raise AclnnError(ACLNN_ERR_PARAM_INVALID, f"{name} must be an int, got {value!r}")
            return int(value)
        if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
            raise AclnnError(ACLNN_ERR_PARAM_INVALID, f"{name} must be a float, got {value!r}")
        return float(np.float32(value))


def bind(kernel: t.KernelOp, args: Mapping[str, Any]) -> Bound:
    names, roles, optional = kernel.names, kernel.roles, kernel.optional
    unknown = sorted(set(args) - set(names))
    if unknown:
        raise AscdslError(f"kernel {kernel.sym_name.data} has no parameter {unknown[0]!r}; its parameters: {', '.join(names)}")
    args = dict(args)
    for name in names:
        if args.get(name) is None and kernel.default_of(name) is not None:
            args[name] = kernel.default_of(name)
    for name, opt in zip(names, optional, strict=True):
        if args.get(name) is None and not opt:
            raise AclnnError(ACLNN_ERR_PARAM_NULLPTR, f"{name} is required but was not given (null)")
    binder = _Binder(kernel)
    for name, role, arg in zip(names, roles, kernel.body.block.args, strict=True):
        value = args.get(name)
        ty = arg.type
        if value is None:
            binder.bound.values.append(None)
        elif role in ("in", "out", "inout"):
            assert isinstance(ty, TensorType)
            binder.bound.values.append(binder.tensor(name, role, ty, value))
        elif role == "host":
            assert isinstance(ty, HostArrayType)
            binder.bound.values.append(binder.host_array(name, ty, value))
        else:
            binder.bound.values.append(binder.attr(name, ty, value))
    return binder.bound

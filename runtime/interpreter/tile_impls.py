"""The `tile` dialect on numpy: one array operation per tile op, never a loop over elements."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from ascdsl.runtime.interpreter import gm
from ascdsl.runtime.interpreter.casts import cast_array
from ascdsl.runtime.interpreter.write_behind import WriteBehind
from xdsl.interpreter import (
    Interpreter,
    InterpreterFunctions,
    PythonValues,
    ReturnedValues,
    TerminatorValue,
    impl,
    impl_terminator,
    register_impls,
)
from xdsl.ir import Attribute

from ascdsl import dtypes
from ascdsl.dialects import tile_ops as t
from ascdsl.dialects.tile_types import DTypeVarAttr, TileType
from ascdsl.errors import AclnnError, DeviceRuntimeError


@dataclass
class KernelEnv:
    """What a launch binds: dtype variables, the tiling data the host computed, and which core this is."""

    dtype_env: dict[str, dtypes.DType] = field(default_factory=dict)
    fields: dict[str, Any] = field(default_factory=dict)
    block_dim: int = 1
    tiling_key: int = 0  # the kernel's specialisation the host picked (host.set_tiling_key)
    block_idx: int = 0
    core_num: int = 1
    ub_budget: int = 0
    ub: Any = None  # the simulated Unified Buffer of the core that is running (ascendc stage)
    # What each GM write overwrote, so that a failing run can give the caller back its arrays unchanged.
    journal: list[tuple[np.ndarray, Any, np.ndarray]] = field(default_factory=list)
    counters: list[Any] = field(default_factory=list)  # per core, at the ascendc stage
    memory: Any = None  # the DeviceMemory that device addresses (gm_tensor) point into, if the run has one
    comm: Any = None  # the rank's link to its communication domain (comm_impls.CommLink), if any
    barrier: Any = None  # the launch's core barrier when the cores run concurrently (SyncAll)
    behind: WriteBehind = field(default_factory=WriteBehind)  # writes held back until the run has succeeded


def kenv(interpreter: Interpreter) -> KernelEnv:
    return interpreter.kenv  # type: ignore[attr-defined,no-any-return]


def before_write(interpreter: Interpreter, target: np.ndarray, key: Any = ...) -> None:
    """Remember what `target[key]` holds before a GM write overwrites it (window memory outlives the call)."""
    env = kenv(interpreter)
    if env.comm is not None and env.comm.domain.owns(target):
        return
    kenv(interpreter).journal.append((target, key, np.array(target[key], copy=True)))


def rollback(env: KernelEnv) -> None:
    """Undo every GM write of the run, newest first, and drop the writes held back."""
    env.behind.discard()
    for target, key, saved in reversed(env.journal):
        target[key] = saved
    env.journal.clear()


def held_back(interpreter: Interpreter, dst: gm.GmRef, key: Any, value: Any) -> bool:
    """Hold back a write into a tensor the kernel never reads (write_behind.py); False: write it now."""
    behind = kenv(interpreter).behind
    if dst.name not in behind.deferred:
        return False
    behind.pending.append((dst.array, key, value))
    return True


def resolve(interpreter: Interpreter, element: Attribute) -> dtypes.DType:
    if isinstance(element, DTypeVarAttr):
        return kenv(interpreter).dtype_env[element.var.data]
    dt = dtypes.from_mlir(element)
    assert dt is not None, f"no dtype for {element}"
    return dt


def _scalar_to(value: Any, dt: dtypes.DType) -> np.ndarray:
    """A scalar converted to a tile's element type as the vector unit would see it."""
    if dt.kind == "bytes":  # opaque bytes: only zero (all bits clear) has a meaning
        if value != 0:
            raise DeviceRuntimeError(f"{dt.name} data is moved as bytes; only 0 can be written into it, not {value}")
        return np.zeros((), dt.numpy)
    if dt.kind in ("int", "uint"):
        info = np.iinfo(dt.numpy)
        if isinstance(value, float) or not info.min <= int(value) <= info.max:
            raise DeviceRuntimeError(f"the scalar {value} does not fit a {dt.name} tile")
    return np.asarray(value).astype(dt.numpy)


def _operands(interpreter: Interpreter, op: t._BinaryOp | t.CmpOp | t.WhereOp, values: PythonValues) -> list[np.ndarray]:
    tiles = [v.type for v in op.operands if isinstance(v.type, TileType)]
    dt = resolve(interpreter, tiles[-1].element)
    out = []
    for v in values:
        if isinstance(v, np.ndarray):
            out.append(v)
        else:  # a where() condition is always a tile, so scalars are values of the tile's type
            out.append(_scalar_to(v, dt))
    return out


_BINARY = {
    t.AddOp: np.add,
    t.SubOp: np.subtract,
    t.MulOp: np.multiply,
    t.MaxOp: np.maximum,
    t.MinOp: np.minimum,
    t.AndOp: np.bitwise_and,  # bitwise, as Python's & and | on ints; on bool tiles that is the logical and/or
    t.OrOp: np.bitwise_or,
}
_CMP = {"lt": np.less, "le": np.less_equal, "gt": np.greater, "ge": np.greater_equal, "eq": np.equal, "ne": np.not_equal}
_UNARY = {"neg": np.negative, "abs": np.abs, "floor": np.floor, "ceil": np.ceil, "exp": np.exp, "sqrt": np.sqrt}


class TileFunctions(InterpreterFunctions):
    # -------------------------------------------------------------- structure

    @impl_terminator(t.ReturnOp)
    def run_return(self, interpreter: Interpreter, op: t.ReturnOp, args: PythonValues) -> tuple[TerminatorValue, PythonValues]:
        return ReturnedValues(()), ()

    @impl_terminator(t.EndOp)
    def run_end(self, interpreter: Interpreter, op: t.EndOp, args: PythonValues) -> tuple[TerminatorValue, PythonValues]:
        return ReturnedValues(()), ()

    @impl(t.ParallelOp)
    def run_parallel(self, interpreter: Interpreter, op: t.ParallelOp, args: PythonValues) -> PythonValues:
        for i in range(args[0]):
            interpreter.run_ssacfg_region(op.body, (i,), "parallel")
        return ()

    # -------------------------------------------------------------- host-known values

    @impl(t.DimOp)
    def run_dim(self, interpreter: Interpreter, op: t.DimOp, args: PythonValues) -> PythonValues:
        src = args[0]
        if src is None:
            return (0,)  # an optional tensor that was not given has no elements
        arr = src.array if isinstance(src, gm.GmRef) else src
        return (int(arr.shape[op.axis.data]),)

    @impl(t.DTypeInOp)
    def run_dtype_in(self, interpreter: Interpreter, op: t.DTypeInOp, args: PythonValues) -> PythonValues:
        bound = kenv(interpreter).dtype_env.get(op.var.data)
        return (bound is not None and any(bound == dtypes.from_mlir(d) for d in op.dtypes.data),)

    @impl(t.SizeOfOp)
    def run_sizeof(self, interpreter: Interpreter, op: t.SizeOfOp, args: PythonValues) -> PythonValues:
        return (resolve(interpreter, op.element).itemsize,)

    @impl(t.PresentOp)
    def run_present(self, interpreter: Interpreter, op: t.PresentOp, args: PythonValues) -> PythonValues:
        return (args[0] is not None,)

    @impl(t.StrInOp)
    def run_str_in(self, interpreter: Interpreter, op: t.StrInOp, args: PythonValues) -> PythonValues:
        return (args[0] in [v.data for v in op.values.data],)

    @impl(t.RequireOp)
    def run_require(self, interpreter: Interpreter, op: t.RequireOp, args: PythonValues) -> PythonValues:
        if not args[0]:
            raise AclnnError(op.code.data, op.msg.data)
        return ()

    # -------------------------------------------------------------- GM

    @impl(t.ViewOp)
    def run_view(self, interpreter: Interpreter, op: t.ViewOp, args: PythonValues) -> PythonValues:
        n = len(op.offsets)
        src, offsets, sizes = args[0], args[1 : 1 + n], args[1 + n :]
        if src is None:
            raise DeviceRuntimeError("a view of an optional tensor that was not given")
        return (gm.view(src, offsets, sizes, [s.data for s in op.steps.data], [bool(d.data) for d in op.dropped.data]),)

    @impl(t.PermuteOp)
    def run_permute(self, interpreter: Interpreter, op: t.PermuteOp, args: PythonValues) -> PythonValues:
        return (gm.permute(args[0], [p.data for p in op.perm.data]),)

    @impl(t.ReshapeOp)
    def run_reshape(self, interpreter: Interpreter, op: t.ReshapeOp, args: PythonValues) -> PythonValues:
        return (gm.reshape(args[0], list(args[1:])),)

    @impl(t.ReadOp)
    def run_read(self, interpreter: Interpreter, op: t.ReadOp, args: PythonValues) -> PythonValues:
        src = args[0]
        if src is None:
            raise DeviceRuntimeError("a read of an optional tensor that was not given")
        index = gm.element_index(src, args[1:])
        value = src.array[index]
        link = kenv(interpreter).comm
        if link is not None:  # a read of window memory may be a poll: back off when it sees no change
            link.after_read(src.array[tuple(slice(i, i + 1) for i in index)], value)
        if np.issubdtype(src.array.dtype, np.integer):
            return (int(value),)
        if src.array.dtype == np.bool_:
            return (bool(value),)
        return (float(np.float32(value)),)

    @impl(t.WriteOp)
    def run_write(self, interpreter: Interpreter, op: t.WriteOp, args: PythonValues) -> PythonValues:
        value, dst = args[0], args[1]
        dt = dtypes.from_numpy(dst.array.dtype)
        assert dt is not None
        index = gm.element_index(dst, args[2:])
        if held_back(interpreter, dst, index, _scalar_to(value, dt)):
            return ()
        before_write(interpreter, dst.array, index)
        dst.array[index] = _scalar_to(value, dt)
        return ()

    @impl(t.LoadOp)
    def run_load(self, interpreter: Interpreter, op: t.LoadOp, args: PythonValues) -> PythonValues:
        return (np.array(args[0].array, copy=True),)

    @impl(t.StoreOp)
    def run_store(self, interpreter: Interpreter, op: t.StoreOp, args: PythonValues) -> PythonValues:
        tile, dst = args
        gm.check_same_shape("atomic_add" if op.is_atomic else "store", dst.array, tile.shape, dst.name)
        if not op.is_atomic and held_back(interpreter, dst, ..., tile):  # tiles are values: never changed later
            return ()
        before_write(interpreter, dst.array)
        if op.is_atomic:  # GM += tile, in the element type (what the device's atomic add computes)
            dst.array[...] = (dst.array + tile).astype(dst.array.dtype)
        else:
            dst.array[...] = tile
        return ()

    @impl(t.CopyOp)
    def run_copy(self, interpreter: Interpreter, op: t.CopyOp, args: PythonValues) -> PythonValues:
        dst, src = args
        gm.check_same_shape(f"copy from {src.name}", dst.array, src.array.shape, dst.name)
        stable = src.name in kenv(interpreter).behind.stable  # an input nothing writes: copied at commit
        if held_back(interpreter, dst, ..., src.array if stable else np.array(src.array, copy=True)):
            return ()
        before_write(interpreter, dst.array)
        np.copyto(dst.array, src.array)  # numpy buffers overlapping views, as a staged copy does
        return ()

    @impl(t.FillOp)
    def run_fill(self, interpreter: Interpreter, op: t.FillOp, args: PythonValues) -> PythonValues:
        dst, value = args
        dt = dtypes.from_numpy(dst.array.dtype)
        assert dt is not None
        if held_back(interpreter, dst, ..., _scalar_to(value, dt)):
            return ()
        before_write(interpreter, dst.array)
        dst.array[...] = _scalar_to(value, dt)
        return ()

    # -------------------------------------------------------------- tiles

    @impl(t.FullOp)
    def run_full(self, interpreter: Interpreter, op: t.FullOp, args: PythonValues) -> PythonValues:
        *sizes, value = args
        if any(s < 0 for s in sizes):
            raise DeviceRuntimeError(f"a tile of negative size {sizes}")
        dt = resolve(interpreter, op.result.type.element)
        return (np.full(sizes, _scalar_to(value, dt), dtype=dt.numpy),)

    def _binary(self, interpreter: Interpreter, op: t._BinaryOp, args: PythonValues) -> PythonValues:
        a, b = _operands(interpreter, op, args)
        dt = resolve(interpreter, op.result.type.element)
        if isinstance(op, t.DivOp):
            if dt.is_integer:
                raise DeviceRuntimeError("integer tile division is not supported; cast to f32 first")
            out = np.divide(a, b)
        elif isinstance(op, t.AndOp | t.OrOp) and dt.is_float:
            sym = "&" if isinstance(op, t.AndOp) else "|"
            raise DeviceRuntimeError(
                f"'{sym}' needs integer or bool tiles, not {dt.name}; compare first, e.g. (x > 0) {sym} m"
            )
        else:
            out = _BINARY[type(op)](a, b)
        return (np.asarray(out).astype(dt.numpy, copy=False),)

    @impl(t.CmpOp)
    def run_cmp(self, interpreter: Interpreter, op: t.CmpOp, args: PythonValues) -> PythonValues:
        a, b = _operands(interpreter, op, args)
        return (_CMP[op.predicate.data](a, b),)

    @impl(t.WhereOp)
    def run_where(self, interpreter: Interpreter, op: t.WhereOp, args: PythonValues) -> PythonValues:
        c, a, b = _operands(interpreter, op, args)
        dt = resolve(interpreter, op.result.type.element)
        return (np.where(c, a, b).astype(dt.numpy, copy=False),)

    @impl(t.UnaryOp)
    def run_unary(self, interpreter: Interpreter, op: t.UnaryOp, args: PythonValues) -> PythonValues:
        x = args[0]
        return (np.asarray(_UNARY[op.kind.data](x)).astype(x.dtype, copy=False),)

    @impl(t.CastOp)
    def run_cast(self, interpreter: Interpreter, op: t.CastOp, args: PythonValues) -> PythonValues:
        dt = resolve(interpreter, op.result.type.element)
        return (cast_array(args[0], dt, op.round.data),)

    @impl(t.ReduceOp)
    def run_reduce(self, interpreter: Interpreter, op: t.ReduceOp, args: PythonValues) -> PythonValues:
        x: np.ndarray = args[0]
        axes = tuple(a.data for a in op.axes.data)
        kind = op.kind.data
        if kind != "sum" and any(x.shape[a] == 0 for a in axes):
            raise DeviceRuntimeError(f"reduce_{kind} of an empty tile of shape {list(x.shape)}")
        is_int = np.issubdtype(x.dtype, np.integer)
        acc_dtype = np.int64 if is_int else np.float32  # float32 accumulation, as the vector unit does
        if kind == "sum":
            out = np.sum(x, axis=axes, dtype=acc_dtype)
        else:
            out = (np.max if kind == "max" else np.min)(x.astype(acc_dtype), axis=axes)
        if isinstance(op.result.type, TileType):
            return (np.asarray(out).astype(x.dtype),)
        return (int(out) if is_int else float(np.float32(out)),)

    @impl(t.ExpandDimsOp)
    def run_expand_dims(self, interpreter: Interpreter, op: t.ExpandDimsOp, args: PythonValues) -> PythonValues:
        return (np.expand_dims(args[0], op.axis.data),)


for _cls in _BINARY | {t.DivOp: None}:
    setattr(TileFunctions, f"run_{_cls.__name__}", impl(_cls)(TileFunctions._binary))
register_impls(TileFunctions)

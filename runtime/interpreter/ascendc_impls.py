"""The `ascendc` dialect on numpy, with a simulated Unified Buffer per core.

The rules of the hardware that change results or fail on the device are enforced here too: UB capacity,
queue discipline (AllocTensor / EnQue / DeQue / FreeTensor and the depth of each queue), DataCopy's
rounding of a transfer down to whole 32-byte blocks, GM bounds, scalars of exactly the element type.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from ascdsl.runtime.interpreter.casts import cast_array
from ascdsl.runtime.interpreter.gm import GmRef
from ascdsl.runtime.interpreter.tile_impls import before_write, kenv, resolve
from xdsl.interpreter import Interpreter, InterpreterFunctions, PythonValues, impl, register_impls

from ascdsl import dtypes
from ascdsl.dialects import ascendc as ac
from ascdsl.errors import DeviceRuntimeError


@dataclass
class Buffer:
    name: str
    role: str
    depth: int
    dtype: dtypes.DType
    count: int
    slots: list[np.ndarray]
    free: list[int]
    queued: list[int] = field(default_factory=list)
    held: set[int] = field(default_factory=set)  # allocated or dequeued, not yet freed


@dataclass(frozen=True)
class Local:
    buffer: str
    slot: int
    array: np.ndarray


@dataclass
class CoreCounters:
    """What one core did at the ascendc stage: the figures benchmarks compare with the emulator's."""

    gm_read_bytes: int = 0
    gm_write_bytes: int = 0
    dma_sizes: list[int] = field(default_factory=list)  # bytes of every DataCopy / DataCopyPad
    scalar_gm_reads: int = 0
    scalar_gm_writes: int = 0
    vector_ops: int = 0
    ub_bytes: int = 0


@dataclass
class UnifiedBuffer:
    budget: int
    atomic_add: bool = False  # SetAtomicAdd is in force: UB->GM copies accumulate
    used: int = 0
    buffers: dict[str, Buffer] = field(default_factory=dict)
    counters: CoreCounters = field(default_factory=CoreCounters)

    def check_released(self) -> None:
        for b in self.buffers.values():
            if b.held or b.queued:
                raise DeviceRuntimeError(f"the kernel ended with a tensor of {b.name} still allocated or queued")


def _ub(interpreter: Interpreter) -> UnifiedBuffer:
    return kenv(interpreter).ub  # type: ignore[no-any-return]


def _buf(interpreter: Interpreter, name: str) -> Buffer:
    return _ub(interpreter).buffers[name]


def _flat(gm: GmRef, offset: int, count: int, what: str) -> np.ndarray:
    flat = gm.array.reshape(-1)
    if offset < 0 or offset + count > flat.size:
        raise DeviceRuntimeError(f"{what}: elements [{offset}, {offset + count}) are outside {gm.name} ({flat.size} elements)")
    return flat[offset : offset + count]


def _dma_count(count: int, itemsize: int) -> int:
    """What DataCopy really moves: the hardware rounds the bytes down to whole 32-byte blocks."""
    return (count * itemsize // 32) * 32 // itemsize


def _exact(value: Any, dt: dtypes.DType) -> Any:
    return np.asarray(value).astype(dt.numpy)


@register_impls
class AscendCFunctions(InterpreterFunctions):
    @impl(ac.BufferOp)
    def run_buffer(self, interpreter: Interpreter, op: ac.BufferOp, args: PythonValues) -> PythonValues:
        ub = _ub(interpreter)
        dt = resolve(interpreter, op.element)
        fields = kenv(interpreter).fields
        if op.count_field.data not in fields:
            raise DeviceRuntimeError(f"the tiling data has no field {op.count_field.data!r} (the size of {op.sym.data})")
        count = int(fields[op.count_field.data])
        slot_bytes = -(-count * dt.itemsize // 32) * 32  # InitBuffer rounds each slot up to 32 bytes
        ub.used += slot_bytes * op.depth.data
        ub.counters.ub_bytes = ub.used
        if ub.used > ub.budget:
            raise DeviceRuntimeError(f"InitBuffer of {op.sym.data} ({op.depth.data} x {slot_bytes} B) exceeds the UB budget: {ub.used} > {ub.budget} bytes")
        slots = [np.zeros(count, dtype=dt.numpy) for _ in range(op.depth.data)]
        ub.buffers[op.sym.data] = Buffer(op.sym.data, op.role.data, op.depth.data, dt, count, slots, list(range(op.depth.data)))
        return ()

    @impl(ac.AllocTensorOp)
    def run_alloc(self, interpreter: Interpreter, op: ac.AllocTensorOp, args: PythonValues) -> PythonValues:
        b = _buf(interpreter, op.buffer.data)
        if not b.free:
            raise DeviceRuntimeError(f"AllocTensor on {b.name}: all {b.depth} buffers are in use (FreeTensor missing?)")
        slot = b.free.pop(0)
        b.held.add(slot)
        return (Local(b.name, slot, b.slots[slot]),)

    @impl(ac.GetBufOp)
    def run_get_buf(self, interpreter: Interpreter, op: ac.GetBufOp, args: PythonValues) -> PythonValues:
        b = _buf(interpreter, op.buffer.data)
        return (Local(b.name, 0, b.slots[0]),)

    @impl(ac.EnQueOp)
    def run_enque(self, interpreter: Interpreter, op: ac.EnQueOp, args: PythonValues) -> PythonValues:
        b = _buf(interpreter, op.buffer.data)
        local: Local = args[0]
        if local.buffer != b.name or local.slot not in b.held:
            raise DeviceRuntimeError(f"EnQue on {b.name} of a tensor it did not allocate")
        b.held.discard(local.slot)
        b.queued.append(local.slot)
        return ()

    @impl(ac.DeQueOp)
    def run_deque(self, interpreter: Interpreter, op: ac.DeQueOp, args: PythonValues) -> PythonValues:
        b = _buf(interpreter, op.buffer.data)
        if not b.queued:
            raise DeviceRuntimeError(f"DeQue on {b.name}: the queue is empty")
        slot = b.queued.pop(0)
        b.held.add(slot)
        return (Local(b.name, slot, b.slots[slot]),)

    @impl(ac.FreeTensorOp)
    def run_free(self, interpreter: Interpreter, op: ac.FreeTensorOp, args: PythonValues) -> PythonValues:
        b = _buf(interpreter, op.buffer.data)
        local: Local = args[0]
        if local.buffer != b.name or local.slot not in b.held:
            raise DeviceRuntimeError(f"FreeTensor on {b.name} of a tensor it does not hold")
        b.held.discard(local.slot)
        b.free.append(local.slot)
        return ()

    def _copy(self, interpreter: Interpreter, op: ac._Copy, args: PythonValues, to_ub: bool, pad: bool) -> PythonValues:
        gm, offset, local, count = args
        itemsize = local.array.dtype.itemsize
        if count > local.array.size:
            raise DeviceRuntimeError(f"{op.name}: {count} elements do not fit {local.buffer} ({local.array.size})")
        n = count if pad else _dma_count(count, itemsize)
        window = _flat(gm, offset, n, op.name)
        counters = _ub(interpreter).counters
        nbytes = n * itemsize
        counters.dma_sizes.append(nbytes)
        if to_ub:
            counters.gm_read_bytes += nbytes
        else:
            counters.gm_write_bytes += nbytes
        if not to_ub:
            before_write(interpreter, window)
        if to_ub:
            local.array[:n] = window
        elif _ub(interpreter).atomic_add:
            window[...] = (window + local.array[:n]).astype(window.dtype)
        else:
            window[...] = local.array[:n]
        return ()

    @impl(ac.DataCopyInOp)
    def run_copy_in(self, interpreter: Interpreter, op: ac.DataCopyInOp, args: PythonValues) -> PythonValues:
        return self._copy(interpreter, op, args, to_ub=True, pad=False)

    @impl(ac.DataCopyPadInOp)
    def run_copy_pad_in(self, interpreter: Interpreter, op: ac.DataCopyPadInOp, args: PythonValues) -> PythonValues:
        return self._copy(interpreter, op, args, to_ub=True, pad=True)

    @impl(ac.DataCopyOutOp)
    def run_copy_out(self, interpreter: Interpreter, op: ac.DataCopyOutOp, args: PythonValues) -> PythonValues:
        return self._copy(interpreter, op, args, to_ub=False, pad=False)

    @impl(ac.DataCopyPadOutOp)
    def run_copy_pad_out(self, interpreter: Interpreter, op: ac.DataCopyPadOutOp, args: PythonValues) -> PythonValues:
        return self._copy(interpreter, op, args, to_ub=False, pad=True)

    def _copy2d(self, interpreter: Interpreter, op: ac._Copy2D, args: PythonValues, to_ub: bool) -> PythonValues:
        gm, offset, local, rows, run, stride = args
        itemsize = local.array.dtype.itemsize
        padded = -(-run * itemsize // 32) * 32 // itemsize
        n = run if op.pad.data else _dma_count(run, itemsize)  # DataCopyParams moves whole blocks only
        if rows * padded > local.array.size:
            raise DeviceRuntimeError(f"{op.name}: {rows} rows of {padded} elements do not fit {local.buffer} ({local.array.size})")
        if rows == 0 or n == 0:
            return ()
        flat = gm.array.reshape(-1)
        index = offset + np.arange(rows)[:, None] * stride + np.arange(n)[None, :]
        if index.min() < 0 or index.max() >= flat.size:
            raise DeviceRuntimeError(f"{op.name}: rows reach outside {gm.name} ({flat.size} elements)")
        ub_index = np.arange(rows)[:, None] * padded + np.arange(n)[None, :]
        counters = _ub(interpreter).counters
        counters.dma_sizes.append(rows * n * itemsize)
        if to_ub:
            counters.gm_read_bytes += rows * n * itemsize
            local.array[ub_index] = flat[index]
        else:
            counters.gm_write_bytes += rows * n * itemsize
            before_write(interpreter, flat, index)
            flat[index] = local.array[ub_index]
        return ()

    @impl(ac.Copy2DInOp)
    def run_copy2d_in(self, interpreter: Interpreter, op: ac.Copy2DInOp, args: PythonValues) -> PythonValues:
        return self._copy2d(interpreter, op, args, to_ub=True)

    @impl(ac.Copy2DOutOp)
    def run_copy2d_out(self, interpreter: Interpreter, op: ac.Copy2DOutOp, args: PythonValues) -> PythonValues:
        return self._copy2d(interpreter, op, args, to_ub=False)

    @impl(ac.VecBinaryOp)
    def run_binary(self, interpreter: Interpreter, op: ac.VecBinaryOp, args: PythonValues) -> PythonValues:
        dst, a, b, n = args
        fn = {"Add": np.add, "Sub": np.subtract, "Mul": np.multiply, "Div": np.divide, "Max": np.maximum, "Min": np.minimum, "And": np.bitwise_and, "Or": np.bitwise_or}[op.fn.data]
        dst.array[:n] = fn(a.array[:n], b.array[:n]).astype(dst.array.dtype)
        _ub(interpreter).counters.vector_ops += 1
        return ()

    @impl(ac.VecScalarOp)
    def run_scalar(self, interpreter: Interpreter, op: ac.VecScalarOp, args: PythonValues) -> PythonValues:
        dst, src, scalar, n = args
        dt = dtypes.from_numpy(dst.array.dtype)
        assert dt is not None
        s = _exact(scalar, dt)
        fn = {"Adds": np.add, "Muls": np.multiply, "Maxs": np.maximum, "Mins": np.minimum}[op.fn.data]
        dst.array[:n] = fn(src.array[:n], s).astype(dst.array.dtype)
        _ub(interpreter).counters.vector_ops += 1
        return ()

    @impl(ac.VecUnaryOp)
    def run_unary(self, interpreter: Interpreter, op: ac.VecUnaryOp, args: PythonValues) -> PythonValues:
        dst, src, n = args
        fn = {"Exp": np.exp, "Ln": np.log, "Abs": np.abs, "Sqrt": np.sqrt, "Relu": lambda x: np.maximum(x, 0), "Not": np.invert}[op.fn.data]
        dst.array[:n] = np.asarray(fn(src.array[:n])).astype(dst.array.dtype)
        _ub(interpreter).counters.vector_ops += 1
        return ()

    @impl(ac.DuplicateOp)
    def run_duplicate(self, interpreter: Interpreter, op: ac.DuplicateOp, args: PythonValues) -> PythonValues:
        dst, scalar, n = args
        dt = dtypes.from_numpy(dst.array.dtype)
        assert dt is not None
        dst.array[:n] = _exact(scalar, dt)
        _ub(interpreter).counters.vector_ops += 1
        return ()

    @impl(ac.CastOp)
    def run_cast(self, interpreter: Interpreter, op: ac.CastOp, args: PythonValues) -> PythonValues:
        dst, src, n = args
        dt = dtypes.from_numpy(dst.array.dtype)
        assert dt is not None
        dst.array[:n] = cast_array(src.array[:n], dt, op.round.data)
        _ub(interpreter).counters.vector_ops += 1
        return ()

    @impl(ac.GetValueOp)
    def run_get_value(self, interpreter: Interpreter, op: ac.GetValueOp, args: PythonValues) -> PythonValues:
        gm, offset = args
        _ub(interpreter).counters.scalar_gm_reads += 1
        value = _flat(gm, offset, 1, "GetValue")[0]
        if np.issubdtype(gm.array.dtype, np.integer):
            return (int(value),)
        if gm.array.dtype == np.bool_:
            return (bool(value),)
        return (float(np.float32(value)),)

    @impl(ac.LocalGetValueOp)
    def run_local_get_value(self, interpreter: Interpreter, op: ac.LocalGetValueOp, args: PythonValues) -> PythonValues:
        local, offset = args
        if not 0 <= offset < local.array.size:
            raise DeviceRuntimeError(f"LocalTensor::GetValue({offset}) is outside {local.buffer} ({local.array.size} elements)")
        value = local.array[offset]
        if np.issubdtype(local.array.dtype, np.integer):
            return (int(value),)
        return (float(np.float32(value)),)

    @impl(ac.SetValueOp)
    def run_set_value(self, interpreter: Interpreter, op: ac.SetValueOp, args: PythonValues) -> PythonValues:
        gm, offset, value = args
        dt = dtypes.from_numpy(gm.array.dtype)
        assert dt is not None
        _ub(interpreter).counters.scalar_gm_writes += 1
        cell = _flat(gm, offset, 1, "SetValue")
        before_write(interpreter, cell)
        cell[0] = _exact(value, dt)
        return ()

    @impl(ac.FlagOp)
    def run_flag(self, interpreter: Interpreter, op: ac.FlagOp, args: PythonValues) -> PythonValues:
        return ()  # ordering between pipes: the interpreter runs in program order

    @impl(ac.VecReduceOp)
    def run_reduce(self, interpreter: Interpreter, op: ac.VecReduceOp, args: PythonValues) -> PythonValues:
        dst, src, tmp, n = args
        if n <= 0:
            raise DeviceRuntimeError(f"{op.fn.data} of {n} elements")
        need = -(-n * src.array.dtype.itemsize // 256)  # one partial result per 256-byte repeat
        if tmp.array.size < need:
            raise DeviceRuntimeError(f"{op.fn.data}: the tmp buffer holds {tmp.array.size} elements, {need} are needed")
        data = src.array[:n].astype(np.float32)  # accumulated in float32, like the vector unit
        value = {"ReduceSum": np.sum, "ReduceMax": np.max, "ReduceMin": np.min}[op.fn.data](data)
        dst.array[0] = np.asarray(value).astype(dst.array.dtype)
        _ub(interpreter).counters.vector_ops += 1
        return ()

    @impl(ac.SetAtomicAddOp)
    def run_atomic_add(self, interpreter: Interpreter, op: ac.SetAtomicAddOp, args: PythonValues) -> PythonValues:
        _ub(interpreter).atomic_add = True
        return ()

    @impl(ac.SetAtomicNoneOp)
    def run_atomic_none(self, interpreter: Interpreter, op: ac.SetAtomicNoneOp, args: PythonValues) -> PythonValues:
        _ub(interpreter).atomic_add = False
        return ()

    @impl(ac.SyncAllOp)
    def run_sync_all(self, interpreter: Interpreter, op: ac.SyncAllOp, args: PythonValues) -> PythonValues:
        # Cores run one after another in the interpreter, so a barrier between them cannot be honoured here:
        # a kernel that needs one runs on the emulator (one thread per core).
        if kenv(interpreter).block_dim > 1:
            raise DeviceRuntimeError("SyncAll across several cores needs backend='emu' (cores run concurrently there)")
        return ()

    @impl(ac.PipeBarrierOp)
    def run_pipe_barrier(self, interpreter: Interpreter, op: ac.PipeBarrierOp, args: PythonValues) -> PythonValues:
        return ()  # the interpreter runs in program order

    @impl(ac.DataCacheCleanOp)
    def run_dcci(self, interpreter: Interpreter, op: ac.DataCacheCleanOp, args: PythonValues) -> PythonValues:
        _flat(args[0], args[1], 1, "DataCacheCleanAndInvalid")
        return ()

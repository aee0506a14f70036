"""The interpreter's raw-memory ops: typed windows of GM bytes (struct fields) and tensors at device addresses.

Both give numpy views that share memory with their source, so reads see what other threads write into a
`DeviceMemory` while the kernel runs, and writes go through the GM undo journal like any other.
"""

from __future__ import annotations

import numpy as np
from ascdsl.runtime.interpreter import gm
from ascdsl.runtime.interpreter.tile_impls import kenv, resolve
from xdsl.interpreter import Interpreter, InterpreterFunctions, PythonValues, impl, register_impls

from ascdsl.dialects.tile_memory import CountEqOp, GmAtOp, ReinterpretOp
from ascdsl.errors import DeviceRuntimeError


def reinterpret(src: gm.GmRef, byte_offset: int, dtype: np.dtype, sizes: list[int]) -> gm.GmRef:
    arr = src.array
    if not arr.flags.c_contiguous:
        raise DeviceRuntimeError(f"a struct or typed view needs contiguous bytes; this view of {src.name} is strided")
    raw = arr.reshape(-1).view(np.uint8)
    nbytes = int(np.prod(sizes, dtype=np.int64)) * dtype.itemsize
    if byte_offset < 0 or byte_offset + nbytes > raw.size:
        raise DeviceRuntimeError(
            f"bytes [{byte_offset}, {byte_offset + nbytes}) of {src.name} read as {dtype.name}: {src.name} has only {raw.size} bytes"
        )
    out = raw[byte_offset : byte_offset + nbytes].view(dtype).reshape(sizes)
    if not arr.flags.writeable:
        out.flags.writeable = False
    return gm.GmRef(f"{src.name}[bytes {byte_offset}:{byte_offset + nbytes}]", out)


@register_impls
class MemoryFunctions(InterpreterFunctions):
    @impl(ReinterpretOp)
    def run_reinterpret(self, interpreter: Interpreter, op: ReinterpretOp, args: PythonValues) -> PythonValues:
        src, offset, *sizes = args
        if src is None:
            raise DeviceRuntimeError("a struct view of an optional tensor that was not given")
        dt = resolve(interpreter, op.result.type.element)
        return (reinterpret(src, int(offset), dt.numpy, [int(s) for s in sizes]),)

    @impl(GmAtOp)
    def run_gm_at(self, interpreter: Interpreter, op: GmAtOp, args: PythonValues) -> PythonValues:
        address, *sizes = (int(a) for a in args)
        memory = kenv(interpreter).memory
        dt = resolve(interpreter, op.result.type.element)
        if memory is None:
            raise DeviceRuntimeError(
                f"gm_tensor(...) uses the device address {address:#x}, but the run has no device memory: "
                "pass memory=DeviceMemory(...) to run(...)"
            )
        return (gm.GmRef(f"device memory at {address:#x}", memory.array(address, dt.numpy, tuple(sizes))),)

    @impl(CountEqOp)
    def run_count_eq(self, interpreter: Interpreter, op: CountEqOp, args: PythonValues) -> PythonValues:
        src, value = args
        if src is None:
            raise DeviceRuntimeError("count_equal of an optional tensor that was not given")
        return (int(np.count_nonzero(src.array == value)),)

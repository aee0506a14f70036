"""The vector add written for pyasc (Huawei's Python frontend for Ascend C), compiled to Ascend C source.

Run by bench/pyasc_peer.py with the Python of a separate virtual environment (pyasc needs numpy < 2). It uses
pyasc's own code generation, MLIR passes and Ascend C translation, the steps `asc.jit` runs before it calls
bisheng; bisheng, ld.lld and the CANN runtime (needed to build and launch the binary) are not involved.
The kernel follows pyasc's TPipe/TQue style: each core adds a contiguous range, `tile` elements at a time,
with double-buffered queues.

    python pyasc_vadd.py --once            compile once (for a cold, new-process measurement)
    python pyasc_vadd.py --warm N          compile N+1 times in process; print the last N times as JSON
    python pyasc_vadd.py --print           print the generated Ascend C source
"""

# No `from __future__ import annotations`: pyasc reads the kernel's annotations as objects (asc.ConstExpr[int]).

import inspect
import json
import sys
import time

import asc
import numpy as np
from asc.codegen.function_visitor import CodegenOptions
from asc.codegen.specialization import Specialization
from asc.runtime.compiler import CompileOptions, Compiler
from asc.runtime.jit import JITFunction

DEPTH = 2  # buffers per queue
N = 1 << 20
CORES = 40
TILE = 2048


def vadd(x: asc.GlobalAddress, y: asc.GlobalAddress, z: asc.GlobalAddress, per_core: int, tile: asc.ConstExpr[int]):
    base = asc.get_block_idx() * per_core
    xg = asc.GlobalTensor()
    yg = asc.GlobalTensor()
    zg = asc.GlobalTensor()
    xg.set_global_buffer(x + base)
    yg.set_global_buffer(y + base)
    zg.set_global_buffer(z + base)
    pipe = asc.TPipe()
    qx = asc.TQue(asc.TPosition.VECIN, DEPTH)
    qy = asc.TQue(asc.TPosition.VECIN, DEPTH)
    qz = asc.TQue(asc.TPosition.VECOUT, DEPTH)
    pipe.init_buffer(qx, DEPTH, tile * x.dtype.sizeof())
    pipe.init_buffer(qy, DEPTH, tile * y.dtype.sizeof())
    pipe.init_buffer(qz, DEPTH, tile * z.dtype.sizeof())
    for i in range(per_core // tile):
        xl = qx.alloc_tensor(x.dtype)
        yl = qy.alloc_tensor(y.dtype)
        asc.data_copy(xl, xg[i * tile :], tile)
        asc.data_copy(yl, yg[i * tile :], tile)
        qx.enque(xl)
        qy.enque(yl)
        xa = qx.deque(x.dtype)
        ya = qy.deque(y.dtype)
        zl = qz.alloc_tensor(z.dtype)
        asc.add(zl, xa, ya, tile)
        qz.enque(zl)
        qx.free_tensor(xa)
        qy.free_tensor(ya)
        zo = qz.deque(z.dtype)
        asc.data_copy(zg[i * tile :], zo, tile)
        qz.free_tensor(zo)


def compile_to_source() -> str:
    """Python source to Ascend C source, from a fresh JITFunction (no pyasc cache involved)."""
    fn = JITFunction(vadd)
    x = np.zeros(N, np.float32)
    call = inspect.signature(vadd).bind(x, x, x, N // CORES, TILE).arguments
    runtime_args, constexprs = fn.split_args(call, vadd.__annotations__)
    spec = Specialization({k: fn.get_arg_type(v) for k, v in runtime_args.items()}, constexprs)
    module = fn._run_codegen(spec, CodegenOptions())
    # Compiler.__init__ looks up the SoC and bisheng; the passes and the translation need neither.
    compiler = Compiler.__new__(Compiler)
    compiler.options = CompileOptions()
    compiler.run_passes(module)
    return Compiler.run_translation(module)


def main(argv: list[str]) -> int:
    if argv[:1] == ["--once"]:
        compile_to_source()
        return 0
    if argv[:1] == ["--print"]:
        print(compile_to_source())
        return 0
    if argv[:1] == ["--warm"] and len(argv) == 2:
        compile_to_source()
        times = []
        for _ in range(int(argv[1])):
            t0 = time.perf_counter()
            source = compile_to_source()
            times.append((time.perf_counter() - t0) * 1e3)
        print(json.dumps({"warm_ms": times, "source_lines": len(source.splitlines()), "pyasc": asc_version()}))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


def asc_version() -> str:
    from importlib.metadata import version

    return version("pyasc")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""The `comm` dialect on the CPU: this rank's place in a simulated communication domain, its windows, and
the barrier of the cores of a launch (the cores then run concurrently, one thread each).

Window memory belongs to the domain, not to the call: writes into it are not journalled, so a failing run
(a sync timeout) leaves what it already cleared, as the device would.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from ascdsl.runtime.interpreter.gm import GmRef
from ascdsl.runtime.interpreter.tile_impls import kenv
from xdsl.interpreter import Interpreter, InterpreterFunctions, PythonValues, impl, register_impls

from ascdsl import dtypes
from ascdsl.dialects import comm
from ascdsl.errors import DeviceRuntimeError

BARRIER_TIMEOUT_S = 60.0  # a core that never reaches the barrier fails the launch instead of hanging it


POLL_BACKOFF_S = 0.001  # a window read that sees the same value as the last read of that address sleeps this long


@dataclass(frozen=True)
class CommLink:
    """What a launch on one rank sees of its domain: the domain (runtime.comm_domain.CommDomain) and the rank."""

    domain: Any
    rank: int
    last_read: dict[int, Any] = field(default_factory=dict)  # window address -> value, to detect polling

    def after_read(self, cell: np.ndarray, value: Any) -> None:
        """A scalar read of `cell`: when it is window memory that has not changed since the last read, the
        kernel is polling; sleeping briefly lets the ranks it waits for run (they share the CPU with it)."""
        if not self.domain.owns(cell):
            return
        addr = int(cell.__array_interface__["data"][0])
        unchanged = addr in self.last_read and self.last_read[addr] == value
        self.last_read[addr] = value
        if unchanged:
            time.sleep(POLL_BACKOFF_S)


def core_barrier(interpreter: Interpreter) -> None:
    """Wait until every core of the launch is here; a single core passes straight through."""
    barrier: threading.Barrier | None = getattr(kenv(interpreter), "barrier", None)
    if barrier is None or barrier.parties == 1:
        return
    try:
        barrier.wait(BARRIER_TIMEOUT_S)
    except threading.BrokenBarrierError:
        raise DeviceRuntimeError(
            "a core barrier (SyncAll) was broken: another core failed or did not arrive within "
            f"{BARRIER_TIMEOUT_S:.0f} s (every core must reach each barrier equally often)"
        ) from None


def _link(interpreter: Interpreter, op: comm._InGroup) -> CommLink:
    link: CommLink | None = getattr(kenv(interpreter), "comm", None)
    if link is None:
        raise DeviceRuntimeError(
            f"the kernel uses the communicator '{op.group.data}' but runs outside a communication domain: "
            "create a runtime.CommDomain and pass rank=... to run(...)"
        )
    return link


def _check_rank(link: CommLink, rank: int) -> None:
    if not 0 <= rank < link.domain.world_size:
        raise DeviceRuntimeError(f"rank {rank} is outside the communication domain (world size {link.domain.world_size})")


@register_impls
class CommFunctions(InterpreterFunctions):
    @impl(comm.RankOp)
    def run_rank(self, interpreter: Interpreter, op: comm.RankOp, args: PythonValues) -> PythonValues:
        return (_link(interpreter, op).rank,)

    @impl(comm.SizeOp)
    def run_size(self, interpreter: Interpreter, op: comm.SizeOp, args: PythonValues) -> PythonValues:
        return (_link(interpreter, op).domain.world_size,)

    @impl(comm.WindowBytesOp)
    def run_window_bytes(self, interpreter: Interpreter, op: comm.WindowBytesOp, args: PythonValues) -> PythonValues:
        d = _link(interpreter, op).domain
        return (d.data_window_bytes if op.kind.data == "data" else d.state_window_bytes,)

    @impl(comm.WindowOp)
    def run_window(self, interpreter: Interpreter, op: comm.WindowOp, args: PythonValues) -> PythonValues:
        link = _link(interpreter, op)
        rank = int(args[0])
        _check_rank(link, rank)
        raw = link.domain.window(op.kind.data, rank)
        dt = dtypes.from_mlir(op.result.type.element)
        assert dt is not None
        usable = raw[: raw.size // dt.itemsize * dt.itemsize]
        return (GmRef(f"the {op.kind.data} window of rank {rank}", usable.view(dt.numpy)),)

    @impl(comm.SyncAllOp)
    def run_sync_all(self, interpreter: Interpreter, op: comm.SyncAllOp, args: PythonValues) -> PythonValues:
        core_barrier(interpreter)
        return ()


def is_window_memory(interpreter: Interpreter, target: np.ndarray) -> bool:
    """Whether a GM write lands in a communication window (not journalled: it outlives the call)."""
    link: CommLink | None = getattr(kenv(interpreter), "comm", None)
    return link is not None and link.domain.owns(target)

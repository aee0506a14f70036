"""A simulated flat device address space: `malloc`, `free`, `read`, `write` by address, shared with kernels.

Pointers stored in device memory (a pointer field of a struct) must mean the same thing to the host code, to
the interpreter and to the emulator process. So the memory is one file (in /dev/shm when there is one)
mapped MAP_SHARED: Python maps it with numpy, the emulator maps the same file at the arena's fixed virtual
address (`base`, MAP_FIXED_NOREPLACE), so an address is a valid pointer, unchanged, in the printed code.
Another Python thread may write into it while a kernel runs on either backend: both see the same bytes.

Allocations are 512-byte aligned like device allocations and separated by an unallocated gap, so a read past
the end of one allocation is outside every allocation: `DeviceRuntimeError`, as the emulator's GM checks
report it. Thread-safe: the allocation table is guarded by a lock; data accesses are plain loads and stores.
"""

from __future__ import annotations

import bisect
import contextlib
import os
import tempfile
import threading
from pathlib import Path
from typing import Any

import numpy as np

from ascdsl.errors import AscdslError, DeviceRuntimeError

DEFAULT_BASE = 0x1000_0000_0000  # far from the heap, the libraries and the stacks of a Linux x86-64/aarch64 process
DEFAULT_SIZE = 64 * 1024 * 1024
ALIGN = 512
GUARD = 512  # unallocated bytes after every allocation


def _round_up(n: int, a: int) -> int:
    return (n + a - 1) // a * a


class DeviceMemory:
    """A device address space of `size` bytes starting at address `base` (never 0: 0 is the null pointer)."""

    def __init__(self, size: int = DEFAULT_SIZE, *, base: int = DEFAULT_BASE) -> None:
        if size <= 0 or size % 4096 or base <= 0 or base % 4096:
            raise AscdslError(f"DeviceMemory needs a positive size and base that are multiples of 4096, got {size} and {base:#x}")
        self.base = base
        self.size = size
        shm = Path("/dev/shm")
        fd, name = tempfile.mkstemp(prefix="ascdsl-devmem-", suffix=".bin", dir=shm if shm.is_dir() and os.access(shm, os.W_OK) else None)
        self.path = Path(name)
        try:
            os.ftruncate(fd, size)
        finally:
            os.close(fd)
        self._mem: np.memmap | None = np.memmap(self.path, dtype=np.uint8, mode="r+", shape=(size,))
        self._lock = threading.Lock()
        self._starts: list[int] = []  # sorted offsets of live allocations
        self._sizes: dict[int, int] = {}  # offset -> requested bytes

    # ------------------------------------------------------------ allocation

    def malloc(self, nbytes: int) -> int:
        """A new zeroed allocation of `nbytes` (> 0); returns its device address."""
        if not isinstance(nbytes, int | np.integer) or nbytes <= 0:
            raise AscdslError(f"malloc needs a positive byte count, got {nbytes!r}")
        need = _round_up(int(nbytes), ALIGN) + GUARD
        with self._lock:
            mem = self._live()
            cursor = 0
            for start in self._starts:  # first fit between allocations
                if start - cursor >= need:
                    break
                cursor = start + _round_up(self._sizes[start], ALIGN) + GUARD
            if cursor + need > self.size:
                raise DeviceRuntimeError(f"device memory is full: {nbytes} bytes do not fit in the {self.size}-byte arena")
            bisect.insort(self._starts, cursor)
            self._sizes[cursor] = int(nbytes)
            mem[cursor : cursor + int(nbytes)] = 0
            return self.base + cursor

    def free(self, address: int) -> None:
        with self._lock:
            off = int(address) - self.base
            if off not in self._sizes:
                raise DeviceRuntimeError(f"free({int(address):#x}): not the address of a live allocation")
            del self._sizes[off]
            self._starts.remove(off)

    def allocations(self) -> list[tuple[int, int]]:
        """(address, bytes) of every live allocation, in address order."""
        with self._lock:
            return [(self.base + s, self._sizes[s]) for s in self._starts]

    # ------------------------------------------------------------ access

    def _live(self) -> np.memmap:
        if self._mem is None:
            raise AscdslError("this DeviceMemory is closed")
        return self._mem

    def check(self, address: int, nbytes: int, what: str = "an access") -> int:
        """The arena offset of [address, address + nbytes) if it lies in one allocation; else DeviceRuntimeError."""
        address, nbytes = int(address), int(nbytes)
        off = address - self.base
        with self._lock:
            i = bisect.bisect_right(self._starts, off) - 1
            if i >= 0 and nbytes >= 0:
                start = self._starts[i]
                size = self._sizes[start]
                if off + nbytes <= start + size:
                    return off
                if off < start + size + GUARD:
                    raise DeviceRuntimeError(
                        f"{what} of {nbytes} bytes at {address:#x} is bytes [{off - start}, {off - start + nbytes}) of the "
                        f"allocation at {self.base + start:#x}, which has {size} bytes: {off + nbytes - start - size} bytes past its end"
                    )
        if address == 0:
            raise DeviceRuntimeError(f"{what} of {nbytes} bytes at the null address")
        raise DeviceRuntimeError(f"{what} of {nbytes} bytes at {address:#x} is outside every allocation of device memory")

    def array(self, address: int, dtype: Any, shape: int | tuple[int, ...]) -> np.ndarray:
        """A numpy view (shared, writable) of `shape` elements of `dtype` at `address`, bounds-checked."""
        dt = np.dtype(dtype)
        dims = (int(shape),) if isinstance(shape, int | np.integer) else tuple(int(d) for d in shape)
        if any(d < 0 for d in dims):
            raise DeviceRuntimeError(f"a view of device memory with a negative dim {list(dims)}")
        nbytes = int(np.prod(dims, dtype=np.int64)) * dt.itemsize
        off = self.check(address, nbytes, f"a {dt.name} view {list(dims)}")
        return self._live()[off : off + nbytes].view(dt).reshape(dims)

    def read(self, address: int, dtype: Any, count: int) -> np.ndarray:
        """A copy of `count` elements of `dtype` at `address`."""
        return np.array(self.array(address, dtype, count), copy=True)

    def write(self, address: int, data: Any) -> None:
        """Copy the bytes of `data` (any numpy array or array-like) to `address`."""
        arr = np.ascontiguousarray(data)
        self.array(address, np.uint8, arr.nbytes)[...] = arr.reshape(-1).view(np.uint8)

    def address_of(self, arr: np.ndarray) -> int | None:
        """The device address of an array that views this memory (from `array(...)`), else None."""
        if self._mem is None or not isinstance(arr, np.ndarray) or arr.size == 0:
            return None
        start = self._mem.__array_interface__["data"][0]
        ptr = arr.__array_interface__["data"][0]
        if start <= ptr < start + self.size:
            return self.base + (ptr - start)
        return None

    def snapshot(self) -> np.ndarray:
        """A copy of every byte of the arena (to restore it, or to compare two runs)."""
        return np.array(self._live(), copy=True)

    def restore(self, snapshot: np.ndarray) -> None:
        self._live()[...] = snapshot

    # ------------------------------------------------------------ life

    def close(self) -> None:
        if self._mem is not None:
            mem, self._mem = self._mem, None
            del mem
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()

    def __enter__(self) -> DeviceMemory:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        with contextlib.suppress(Exception):  # interpreter shutdown: nothing left to report to
            self.close()

    def __repr__(self) -> str:
        return f"<DeviceMemory {self.size} bytes at {self.base:#x}, {len(self._starts)} allocations, {self.path}>"

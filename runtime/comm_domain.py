"""Simulated communication domains: ranks with a data window and a state window each.

A domain is what an HCCL communicator gives an MC2 kernel: every rank's windows, readable and writable by
every rank. Here the windows are files mapped MAP_SHARED, so that Python (numpy memmaps), the interpreter's
threads and the emulator's processes (backend="emu", one process per rank) all see the same bytes.

    with CommDomain("ep", world_size=16, data_window_bytes=64 << 10) as dom:
        dom.data_window(3)[:] = 7                      # writable uint8 views
        dom.run(lambda r: op(..., group_ep="ep", rank=r))   # all ranks at once, the first error re-raised

Kernels find their domain by name: the value of the operator's communicator attribute (`group_ep`).
"""

from __future__ import annotations

import shutil
import tempfile
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np

from ascdsl.errors import AscdslError

_DOMAINS: dict[str, CommDomain] = {}
_LOCK = threading.Lock()
RUN_JOIN_TIMEOUT_S = 600.0  # a last resort: every wait inside a rank is bounded by its own timeout


class CommDomain:
    def __init__(self, name: str, world_size: int, data_window_bytes: int, state_window_bytes: int = 1 << 20) -> None:
        if not isinstance(name, str) or not name:
            raise AscdslError("a communication domain needs a non-empty name (the operator's group attribute)")
        if not isinstance(world_size, int) or world_size < 1:
            raise AscdslError(f"world_size must be a positive int, got {world_size!r}")
        for what, n in (("data_window_bytes", data_window_bytes), ("state_window_bytes", state_window_bytes)):
            if not isinstance(n, int) or n < 32 or n % 32:
                raise AscdslError(f"{what} must be a positive multiple of 32 bytes, got {n!r}")
        self.name = name
        self.world_size = world_size
        self.data_window_bytes = data_window_bytes
        self.state_window_bytes = state_window_bytes
        self.dir = Path(tempfile.mkdtemp(prefix=f"ascdsl-comm-{_safe(name)}-"))
        self._windows: dict[tuple[str, int], np.memmap] = {}
        for r in range(world_size):
            for kind, size in (("data", data_window_bytes), ("state", state_window_bytes)):
                self._windows[(kind, r)] = np.memmap(self.window_path(kind, r), dtype=np.uint8, mode="w+", shape=(size,))
        self._roots = {id(m) for m in self._windows.values()}
        with _LOCK:
            _DOMAINS[name] = self  # a newer domain of the same name replaces the older one
        self.closed = False

    # ------------------------------------------------------------ windows

    def window_path(self, kind: str, rank: int) -> Path:
        """The file behind a window (the emulator maps it): <dir>/<kind><rank>.bin."""
        return self.dir / f"{kind}{rank}.bin"

    def window(self, kind: str, rank: int) -> np.ndarray:
        if self.closed:
            raise AscdslError(f"the communication domain '{self.name}' is closed")
        if not 0 <= rank < self.world_size:
            raise AscdslError(f"rank {rank} is outside the communication domain '{self.name}' (world size {self.world_size})")
        return self._windows[(kind, rank)]

    def data_window(self, rank: int) -> np.ndarray:
        return self.window("data", rank)

    def state_window(self, rank: int) -> np.ndarray:
        return self.window("state", rank)

    def owns(self, array: np.ndarray) -> bool:
        """Whether `array` is (a view of) one of this domain's windows."""
        a: Any = array
        while isinstance(a, np.ndarray):
            if id(a) in self._roots:
                return True
            a = a.base
        return False

    # ------------------------------------------------------------ running ranks

    def run(self, fn: Callable[[int], Any], ranks: Iterable[int] | None = None) -> list[Any]:
        """Run `fn(rank)` for those ranks (all by default) concurrently, one thread each; return the results in
        rank order, or re-raise the first error (in time) after every rank has stopped."""
        chosen = list(range(self.world_size) if ranks is None else ranks)
        for r in chosen:
            self.window("data", r)  # checks the rank
        results: dict[int, Any] = {}
        errors: list[BaseException] = []
        lock = threading.Lock()

        def one(rank: int) -> None:
            try:
                out = fn(rank)
                with lock:
                    results[rank] = out
            except BaseException as exc:
                with lock:
                    errors.append(exc)

        threads = [threading.Thread(target=one, args=(r,), name=f"{self.name}-rank{r}", daemon=True) for r in chosen]
        for th in threads:
            th.start()
        for th in threads:
            th.join(RUN_JOIN_TIMEOUT_S)
        if any(th.is_alive() for th in threads):
            stuck = [r for r, th in zip(chosen, threads, strict=True) if th.is_alive()]
            raise AscdslError(f"ranks {stuck} of '{self.name}' did not stop within {RUN_JOIN_TIMEOUT_S:.0f} s")
        if errors:
            raise errors[0]
        return [results[r] for r in chosen]

    # ------------------------------------------------------------ lifetime

    @staticmethod
    def find(name: str) -> CommDomain:
        with _LOCK:
            dom = _DOMAINS.get(name)
        if dom is None or dom.closed:
            known = ", ".join(sorted(n for n, d in _DOMAINS.items() if not d.closed)) or "none"
            raise AscdslError(f"no communication domain named {name!r} (known: {known}); create a runtime.CommDomain first")
        return dom

    def close(self) -> None:
        """Forget the domain and delete its window files."""
        if self.closed:
            return
        self.closed = True
        with _LOCK:
            if _DOMAINS.get(self.name) is self:
                del _DOMAINS[self.name]
        for m in self._windows.values():
            m._mmap.close()  # type: ignore[attr-defined]
        self._windows.clear()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> CommDomain:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<CommDomain {self.name!r}: {self.world_size} ranks, data {self.data_window_bytes} B, state {self.state_window_bytes} B>"


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in name)[:32]

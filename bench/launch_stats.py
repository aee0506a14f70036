"""Per-core counters of one launch, in one shape whichever runner produced them (interpreter or emulator)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class CoreStats:
    dma_bytes: int  # GM <-> UB DataCopy / DataCopyPad bytes
    dma_count: int
    scalar_ops: int  # scalar GM reads and writes (GetValue / SetValue)
    scalar_bytes: int  # their bytes (estimated from the case's index size for the interpreter)
    ub_bytes: int  # UB allocated (high-water mark)

    @property
    def gm_bytes(self) -> int:
        return self.dma_bytes + self.scalar_bytes


@dataclass(frozen=True)
class LaunchStats:
    source: str  # "interp" (ascendc-stage interpreter) or "emu" (Ascend C emulator)
    block_dim: int
    cores: tuple[CoreStats, ...]


def from_interpreter(block_dim: int, counters: Iterable[Any], scalar_itemsize: int) -> LaunchStats:
    """From `KernelEnv.counters` (ascdsl.runtime.interpreter.ascendc_impls.CoreCounters), which count DMA bytes
    only: scalar accesses are counted, and given `scalar_itemsize` bytes each here."""
    cores = []
    for c in counters:
        ops = c.scalar_gm_reads + c.scalar_gm_writes
        cores.append(
            CoreStats(
                dma_bytes=c.gm_read_bytes + c.gm_write_bytes,
                dma_count=len(c.dma_sizes),
                scalar_ops=ops,
                scalar_bytes=ops * scalar_itemsize,
                ub_bytes=c.ub_bytes,
            )
        )
    return LaunchStats("interp", block_dim, tuple(cores))


def from_emulator(report: Any) -> LaunchStats:
    """From an `EmuReport`, whose GM byte counters include the scalar traffic."""
    cores = []
    for c in report.cores:
        dma = sum(size * n for size, n in c.dma_sizes.items())
        total = c.gm_read_bytes + c.gm_write_bytes
        cores.append(
            CoreStats(
                dma_bytes=dma,
                dma_count=sum(c.dma_sizes.values()),
                scalar_ops=c.scalar_gm_ops,
                scalar_bytes=max(0, total - dma),
                ub_bytes=c.ub_bytes,
            )
        )
    return LaunchStats("emu", report.block_dim, tuple(cores))

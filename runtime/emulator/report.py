"""What one emulator run reports: the launch the tiling function chose and per-core counters."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass(frozen=True)
class CoreCounters:
    """Counters of one AIV core. GM bytes include scalar GetValue/SetValue traffic, not the tiling load."""

    core: int
    gm_read_bytes: int
    gm_write_bytes: int
    dma_ops: int  # GM <-> UB transfers: one per DataCopy / DataCopyPad call
    dma_sizes: dict[int, int]  # bytes of one transfer -> number of transfers
    ub_copies: int  # UB -> UB DataCopy calls
    vector_ops: int
    scalar_gm_ops: int
    ub_bytes: int  # high-water mark of TPipe::InitBuffer allocations
    tiling_read_bytes: int
    dma_in: int = 0  # of dma_ops, GM -> UB
    scalar_gm_reads: int = 0  # of scalar_gm_ops, GetValue


@dataclass(frozen=True)
class EmuReport:
    block_dim: int
    tiling_key: int
    schedule_mode: int
    need_atomic: bool
    workspace_bytes: int
    tiling_data: bytes
    cores: list[CoreCounters]
    compiled: bool  # whether this call ran g++ (False: everything came from the cache)
    stdout: str = ""  # what the kernel printed (AscendC::printf)
    gm_read_bytes: int = field(init=False)
    gm_write_bytes: int = field(init=False)
    dma_ops: int = field(init=False)
    dma_sizes: dict[int, int] = field(init=False)
    vector_ops: int = field(init=False)

    def __post_init__(self) -> None:
        sizes: Counter[int] = Counter()
        for c in self.cores:
            sizes.update(c.dma_sizes)
        object.__setattr__(self, "gm_read_bytes", sum(c.gm_read_bytes for c in self.cores))
        object.__setattr__(self, "gm_write_bytes", sum(c.gm_write_bytes for c in self.cores))
        object.__setattr__(self, "dma_ops", sum(c.dma_ops for c in self.cores))
        object.__setattr__(self, "dma_sizes", dict(sorted(sizes.items())))
        object.__setattr__(self, "vector_ops", sum(c.vector_ops for c in self.cores))


def parse_report(text: str, *, compiled: bool, stdout: str) -> EmuReport:
    """Read the harness's report.txt (see runtime/emulator/harness/main.cpp)."""
    head: dict[str, str] = {}
    counters: dict[int, dict[str, int]] = {}
    sizes: dict[int, dict[int, int]] = {}
    for line in text.splitlines():
        parts = line.split()
        if not parts:
            continue
        if parts[0] == "core":
            core = int(parts[1])
            counters[core] = {parts[i]: int(parts[i + 1]) for i in range(2, len(parts), 2)}
        elif parts[0] == "dma":
            sizes[int(parts[1])] = {int(s): int(n) for s, n in (p.split(":") for p in parts[2:])}
        else:
            head[parts[0]] = parts[1]
    cores = [
        CoreCounters(
            core=i,
            gm_read_bytes=k["gm_read"],
            gm_write_bytes=k["gm_write"],
            dma_ops=k["dma_ops"],
            dma_sizes=sizes.get(i, {}),
            ub_copies=k["ub_copies"],
            vector_ops=k["vector_ops"],
            scalar_gm_ops=k["scalar_gm"],
            ub_bytes=k["ub_bytes"],
            tiling_read_bytes=k["tiling_read"],
            dma_in=k.get("dma_in", 0),
            scalar_gm_reads=k.get("scalar_gm_read", 0),
        )
        for i, k in sorted(counters.items())
    ]
    tiling = head.get("tiling_data", "-")
    return EmuReport(
        block_dim=int(head["block_dim"]),
        tiling_key=int(head["tiling_key"]),
        schedule_mode=int(head["schedule_mode"]),
        need_atomic=head["need_atomic"] == "1",
        workspace_bytes=int(head["workspace_bytes"]),
        tiling_data=b"" if tiling == "-" else bytes.fromhex(tiling),
        cores=cores,
        compiled=compiled,
        stdout=stdout,
    )

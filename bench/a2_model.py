"""A modeled Atlas A2 kernel time: a model, not a measurement. Every constant is an assumption, kept here.

Each core in use moves its GM bytes at an equal share of the HBM bandwidth and pays a fixed cost per DMA
transfer (issue and latency, assumed not hidden by double buffering); the kernel takes as long as its slowest
core. Launch overhead and vector compute are left out: the benchmarked kernels are bandwidth-bound.
"""

from __future__ import annotations

from launch_stats import LaunchStats

HBM_BYTES_PER_S = 1.6e12  # assumed Atlas A2 HBM bandwidth (1.6 TB/s)
DMA_COST_S = 1.0e-6  # assumed cost of one GM <-> UB transfer (~1 µs)
AIV_CORES = 40  # vector cores of an Atlas A2 (ascend910b)

CONSTANTS_TEXT = (
    f"HBM bandwidth {HBM_BYTES_PER_S / 1e12:g} TB/s shared equally by the cores in use, "
    f"{DMA_COST_S * 1e6:g} µs per DMA transfer, {AIV_CORES} AIV cores; slowest core wins; "
    "launch and vector compute not modeled. All are assumptions, not measurements."
)


def modeled_us(stats: LaunchStats) -> float:
    used = [c for c in stats.cores if c.gm_bytes > 0]
    if not used:
        return 0.0
    share = HBM_BYTES_PER_S / len(used)
    return max(c.gm_bytes / share + c.dma_count * DMA_COST_S for c in used) * 1e6


def floor_us(min_gm_bytes: int) -> float:
    """The bandwidth floor: the operator's minimum traffic at the full HBM bandwidth, with no DMA cost."""
    return min_gm_bytes / HBM_BYTES_PER_S * 1e6

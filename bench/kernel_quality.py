"""Generated-kernel quality from per-core counters: traffic against the minimum, DMA sizes, balance, UB."""

from __future__ import annotations

import a2_model
from launch_stats import LaunchStats

# metric -> what it is (the report prints these)
QUALITY_METRICS = {
    "gm_bytes": "GM bytes moved (DMA + scalar)",
    "gm_vs_min": "GM bytes / the operator's minimum",
    "dma_count": "GM <-> UB transfers",
    "mean_dma_bytes": "mean bytes per transfer",
    "scalar_gm_ops": "scalar GM reads and writes",
    "core_balance": "most GM bytes on one core / mean over used cores",
    "cores_launched": "block_dim",
    "cores_used": "cores that moved GM bytes",
    "ub_bytes_per_core": "UB allocated, most on one core",
    "model_a2_us": "modeled Atlas A2 time (µs)",
}


def quality(stats: LaunchStats, min_gm_bytes: int) -> dict[str, float | int]:
    used = [c for c in stats.cores if c.gm_bytes > 0]
    total = sum(c.gm_bytes for c in stats.cores)
    dmas = sum(c.dma_count for c in stats.cores)
    dma_bytes = sum(c.dma_bytes for c in stats.cores)
    mean_used = total / len(used) if used else 0.0
    return {
        "gm_bytes": total,
        "gm_vs_min": total / min_gm_bytes if min_gm_bytes else float("nan"),
        "dma_count": dmas,
        "mean_dma_bytes": dma_bytes / dmas if dmas else 0.0,
        "scalar_gm_ops": sum(c.scalar_ops for c in stats.cores),
        "core_balance": max(c.gm_bytes for c in used) / mean_used if used else float("nan"),
        "cores_launched": stats.block_dim,
        "cores_used": len(used),
        "ub_bytes_per_core": max((c.ub_bytes for c in stats.cores), default=0),
        "model_a2_us": a2_model.modeled_us(stats),
    }

"""MoeDistributeBufferReset figures (issue 10): what one rank writes to clear its windows, and how.

One rank of a 16-rank domain runs; its windows start as 0xFF bytes. `exact_*` says the windows afterwards
are zero exactly on the cleared range and 0xFF elsewhere; with `gm_vs_min` = 1.00 (bytes written = cleared
bytes, the operator's minimum) that means no byte written twice and none missed. need_sync 1 runs the rank
alone, linked only to itself: it sends its flag to itself, waits for it and zeroes the flag slots.

The real data window is the HCCL window of the communicator (hundreds of MiB; the doc does not fix it); the
bench uses 32 MiB (1 MiB with --quick) to keep the run short. The state window has its real 1 MiB.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import a2_model
import numpy as np
import records as R
from ascdsl.ops.moe_distribute_buffer_reset import FLAG_AREA, SLOT_BYTES, moe_distribute_buffer_reset
from ascdsl.runtime import CommDomain
from kernel_quality import QUALITY_METRICS, quality
from launch_stats import LaunchStats, from_emulator, from_interpreter
from timing import median_wall_cpu_ms

OP = "moe_distribute_buffer_reset"
WORLD = 16


def cleared_bytes(data_bytes: int, need_sync: int) -> int:
    """Bytes the rank must write: its data window, the state window up to the flags, and with need_sync its
    flag (to itself) and the W flag slots."""
    return data_bytes + FLAG_AREA + (SLOT_BYTES + SLOT_BYTES * WORLD if need_sync else 0)


def min_formula() -> str:
    return (
        f"data window + {FLAG_AREA:,} state bytes (need_sync 0); + 32 (own flag) + 32·W (slots) with need_sync 1; "
        "reads of elasticInfo and of the flag are scalar and not in the minimum"
    )


def _expected(data_bytes: int, need_sync: int) -> tuple[np.ndarray, np.ndarray]:
    data = np.zeros(data_bytes, np.uint8)
    state = np.full(1 << 20, 0xFF, np.uint8)
    end = FLAG_AREA + (SLOT_BYTES * WORLD if need_sync else 0)
    state[:end] = 0
    return data, state


def bench_buffer_reset(rec: R.Records, quick: bool, emu_available: bool, runs: int, log: Callable[[str], None]) -> list[str]:
    """Records the figures; returns the case labels (need_sync 0, then 1)."""
    data_bytes = (1 << 20) if quick else (32 << 20)
    labels = []
    for need_sync in (0, 1):
        label = f"W {WORLD}, data window {data_bytes >> 20} MiB, need_sync {need_sync}"
        labels.append(label)
        with CommDomain(f"bench_reset_{need_sync}", WORLD, data_bytes) as dom:
            _bench_case(rec, label, dom, need_sync, emu_available, runs, log)
    return labels


def _bench_case(
    rec: R.Records, label: str, dom: CommDomain, need_sync: int, emu_available: bool, runs: int, log: Callable[[str], None]
) -> None:
    data_bytes = dom.data_window_bytes
    elastic = np.zeros(WORLD, np.int32)
    elastic[0] = 1
    want_data, want_state = _expected(data_bytes, need_sync)

    def reset(backend: str, stage: str = "tile") -> Any:
        dom.data_window(0)[:] = 0xFF
        dom.state_window(0)[:] = 0xFF
        return moe_distribute_buffer_reset(elastic, dom.name, WORLD, need_sync, rank=0, backend=backend, stage=stage)

    def exact() -> bool:
        return bool(np.array_equal(dom.data_window(0), want_data) and np.array_equal(dom.state_window(0), want_state))

    minimum = cleared_bytes(data_bytes, need_sync)
    log(f"{OP} {label}: numpy")
    numpy_ms, _ = median_wall_cpu_ms(lambda: (np.zeros(data_bytes, np.uint8), np.full(1 << 20, 0xFF, np.uint8)), runs, warmup=1)
    rec.add(OP, label, "numpy_ms", numpy_ms)

    log(f"{OP} {label}: interpreter, tile stage")
    t, _ = median_wall_cpu_ms(lambda: reset("interp"), runs, warmup=1)
    rec.add(OP, label, "interp_tile_ms", t)
    rec.add(OP, label, "interp_tile_vs_numpy", t / numpy_ms)
    rec.add(OP, label, "exact_interp_tile", exact())

    log(f"{OP} {label}: interpreter, ascendc stage")
    start = time.perf_counter()
    env = reset("interp", "clean")
    rec.add(OP, label, "interp_ascendc_ms", (time.perf_counter() - start) * 1e3)
    rec.add(OP, label, "exact_interp_ascendc", exact())
    rec.add(OP, label, "gm_min_bytes", minimum)
    rec.add(OP, label, "model_a2_floor_us", a2_model.floor_us(minimum))
    stats: LaunchStats = from_interpreter(env.block_dim, env.counters, 4)
    for m, v in quality(stats, minimum).items():
        rec.add(OP, label, f"{m}@interp", v)

    if not emu_available:
        why = "n/a (the emulator is not available on this machine)"
        for m in ("emulator_ms", "emulator_vs_numpy", "exact_emulator", *(f"{q}@emu" for q in QUALITY_METRICS)):
            rec.add(OP, label, m, why)
        return
    log(f"{OP} {label}: emulator")
    reset("emu")  # builds the project once
    t, _ = median_wall_cpu_ms(lambda: reset("emu"), runs, warmup=0)
    report = reset("emu")
    rec.add(OP, label, "emulator_ms", t)
    rec.add(OP, label, "emulator_vs_numpy", t / numpy_ms)
    rec.add(OP, label, "exact_emulator", exact())
    for m, v in quality(from_emulator(report), minimum).items():
        rec.add(OP, label, f"{m}@emu", v)


def targets(rec: R.Records, labels: list[str], check: Callable[..., tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """Issue 10's figures: bytes written = cleared bytes exactly, all AIV cores, mean DMA ≥ 16 KiB."""
    label = labels[0]  # need_sync 0: the clean alone
    src = "emu" if isinstance(rec.get(OP, label, "gm_vs_min@emu"), float) else "interp"
    name = {"emu": "emulator", "interp": "ascendc-stage interpreter"}[src]

    def get(m: str) -> Any:
        return rec.get(OP, label, m)

    exact = get(f"exact_{'emulator' if src == 'emu' else 'interp_ascendc'}")
    written = get(f"gm_vs_min@{src}")
    return [
        check(
            f"MoeDistributeBufferReset ({label}): bytes written = cleared bytes, every cleared byte zero ({name})",
            written,
            lambda v: v == 1.0 and exact is True,
            ".4f",
        ),
        check(f"… all AIV cores used ({name})", get(f"cores_used@{src}"), lambda v: v == 40),
        check(f"… mean DMA ≥ 16 KiB ({name})", get(f"mean_dma_bytes@{src}"), lambda v: v >= 16384),
    ]

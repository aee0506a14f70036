"""Cores running together: SetAtomicAdd from several cores into one GM row, SyncAll barriers (hardware and
software form) exchanging data through the workspace, and a flag published by one core and polled by another."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from emu_probe_project import run_probe, write_probe_project

KERNEL = """
extern "C" __global__ __aicore__ void emu_probe(GM_ADDR x, GM_ADDR w, GM_ADDR y, GM_ADDR workspace, GM_ADDR tiling)
{
    REGISTER_TILING_DEFAULT(EmuProbeTiling);
    GET_TILING_DATA(t, tiling);
    uint32_t n = t.xBytes / sizeof(float);
    int32_t core = static_cast<int32_t>(GetBlockIdx());
    int32_t cores = static_cast<int32_t>(GetBlockNum());
    GlobalTensor<float> xGm, yGm, slots;
    xGm.SetGlobalBuffer((__gm__ float*)x, n);
    yGm.SetGlobalBuffer((__gm__ float*)y, t.yBytes / sizeof(float));
    slots.SetGlobalBuffer((__gm__ float*)GetUserWorkspace(workspace), t.userWorkspace / sizeof(float));
    TPipe pipe;
    TBuf<TPosition::VECCALC> a, b;
    pipe.InitBuffer(a, 4096);
    pipe.InitBuffer(b, 4096);
    LocalTensor<float> u = a.Get<float>();
    LocalTensor<float> v = b.Get<float>();
    if (TILING_KEY_IS(1)) {
        // Every core adds x into the same y.
        DataCopy(u, xGm, n);
        SetFlag<HardEvent::MTE2_MTE3>(EVENT_ID0);
        WaitFlag<HardEvent::MTE2_MTE3>(EVENT_ID0);
        SetAtomicAdd<float>();
        DataCopy(yGm, u, n);
        SetAtomicNone();
    } else if (TILING_KEY_IS(2)) {
        // Rounds of: publish (round * 100 + core) in my slot, barrier, read my right neighbour's, barrier.
        Duplicate(v, 0.0f, 8);
        for (int32_t round = 0; round < 20; ++round) {
            Duplicate(u, static_cast<float>(round * 100 + core), 8);
            SetFlag<HardEvent::V_MTE3>(EVENT_ID0);
            WaitFlag<HardEvent::V_MTE3>(EVENT_ID0);
            DataCopy(slots[core * 8], u, 8);
            SyncAll();
            DataCopy(u, slots[((core + 1) % cores) * 8], 8);
            SetFlag<HardEvent::MTE2_V>(EVENT_ID0);
            WaitFlag<HardEvent::MTE2_V>(EVENT_ID0);
            Add(v, v, u, 8);
            SyncAll();
        }
        SetFlag<HardEvent::V_MTE3>(EVENT_ID0);
        WaitFlag<HardEvent::V_MTE3>(EVENT_ID0);
        DataCopy(yGm[core * 8], v, 8);
    } else if (TILING_KEY_IS(3)) {
        // The software SyncAll over a zeroed GM workspace of blockNum * 32 bytes.
        GlobalTensor<int32_t> syncGm;
        syncGm.SetGlobalBuffer((__gm__ int32_t*)GetUserWorkspace(workspace) + cores * 8, cores * 8);
        Duplicate(u, static_cast<float>(core + 1), 8);
        DataCopy(slots[core * 8], u, 8);
        SyncAll(syncGm, b.Get<int32_t>(), cores);
        DataCopy(u, slots[((core + cores - 1) % cores) * 8], 8);
        SetFlag<HardEvent::MTE2_MTE3>(EVENT_ID0);
        WaitFlag<HardEvent::MTE2_MTE3>(EVENT_ID0);
        DataCopy(yGm[core * 8], u, 8);
    } else if (TILING_KEY_IS(4)) {
        // Core 0 publishes a flag with a scalar write; core 1 polls it, then writes y.
        if (core == 0) {
            slots.SetValue(0, 42.0f);
            DataCacheCleanAndInvalid<float, CacheLine::SINGLE_CACHE_LINE, DcciDst::CACHELINE_OUT>(slots);
        } else if (core == 1) {
            float seen = 0.0f;
            while (seen == 0.0f) {
                DataCacheCleanAndInvalid<float, CacheLine::SINGLE_CACHE_LINE, DcciDst::CACHELINE_OUT>(slots);
                seen = slots.GetValue(0);
            }
            yGm.SetValue(0, seen);
        }
    }
}
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_probe_project(tmp_path_factory.mktemp("multicore"), KERNEL)


def test_atomic_add_from_every_core(project: Path) -> None:
    x = np.arange(64, dtype=np.float32)
    y = np.full(64, 0.5, np.float32)
    report = run_probe(project, 1, x, y, cores=8)
    np.testing.assert_array_equal(y, 0.5 + 8 * x)
    assert report.gm_write_bytes == 8 * x.nbytes


@pytest.mark.parametrize("cores", [2, 7, 40])
def test_syncall_orders_the_rounds(project: Path, cores: int) -> None:
    y = np.zeros((cores, 8), np.float32)
    run_probe(project, 2, np.zeros(8, np.float32), y, cores=cores, sched=1, ws=cores * 32)
    neighbour = (np.arange(cores) + 1) % cores
    expected = sum(r * 100 + neighbour for r in range(20)).astype(np.float32)
    np.testing.assert_array_equal(y, np.repeat(expected[:, None], 8, axis=1))


def test_software_syncall(project: Path) -> None:
    cores = 6
    y = np.zeros((cores, 8), np.float32)
    run_probe(project, 3, np.zeros(8, np.float32), y, cores=cores, sched=1, ws=cores * 64)
    left = (np.arange(cores) + cores - 1) % cores + 1
    np.testing.assert_array_equal(y, np.repeat(left[:, None].astype(np.float32), 8, axis=1))


def test_cores_run_concurrently(project: Path) -> None:
    y = np.zeros(8, np.float32)
    report = run_probe(project, 4, np.zeros(8, np.float32), y, cores=2, ws=32, timeout=10.0)
    assert y[0] == 42.0
    assert report.cores[1].scalar_gm_ops >= 2

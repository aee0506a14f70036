"""DataCopy with DataCopyParams strides, DataCopyPad with padding and strides (new and old overloads), and
UB -> UB copies, against numpy slicing of 8 rows of 16 floats (64 bytes: two 32-byte blocks per row)."""

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
    uint16_t rows = static_cast<uint16_t>(n / 16);
    GlobalTensor<float> xGm, yGm;
    xGm.SetGlobalBuffer((__gm__ float*)x, n);
    yGm.SetGlobalBuffer((__gm__ float*)y, n);
    TPipe pipe;
    TQueBind<TPosition::VECIN, TPosition::VECOUT, 1> bind;
    pipe.InitBuffer(bind, 1, n * sizeof(float));
    LocalTensor<float> u = bind.AllocTensor<float>();
    if (TILING_KEY_IS(1)) {
        // The first block of every row in, then out into the second block of every row.
        DataCopy(u, xGm, DataCopyParams{rows, 1, 1, 0});
        bind.EnQue(u);
        u = bind.DeQue<float>();
        DataCopy(yGm[8], u, DataCopyParams{rows, 1, 0, 1});
    } else if (TILING_KEY_IS(2)) {
        // Five floats of every row (GM stride in bytes), padded with one -1 left and two right: one block each.
        DataCopyPad(u, xGm, DataCopyExtParams{rows, 20, 44, 0, 0}, DataCopyPadExtParams<float>{true, 1, 2, -1.0f});
        bind.EnQue(u);
        u = bind.DeQue<float>();
        DataCopy(yGm, u, DataCopyParams{rows, 1, 0, 1});
    } else if (TILING_KEY_IS(3)) {
        // Whole rows in; out the first three floats of every row (UB stride in blocks, GM stride in bytes).
        DataCopy(u, xGm, n);
        bind.EnQue(u);
        u = bind.DeQue<float>();
        DataCopyPad(yGm, u, DataCopyExtParams{rows, 12, 1, 52, 0});
    } else if (TILING_KEY_IS(4)) {
        // UB -> UB: the second half over the first, then everything out.
        DataCopy(u, xGm, n);
        DataCopy(u, u[n / 2], n / 2);
        bind.EnQue(u);
        u = bind.DeQue<float>();
        DataCopy(yGm, u, n);
    } else if (TILING_KEY_IS(5)) {
        // The older overloads: DataCopyParams with blockLen in bytes, a 64-bit pad value (the bits of 2.0f).
        DataCopyPad(u, xGm, DataCopyParams{rows, 20, 44, 0}, DataCopyPadParams{true, 0, 3, 0x40000000u});
        bind.EnQue(u);
        u = bind.DeQue<float>();
        DataCopy(yGm, u, DataCopyParams{rows, 1, 0, 1});
        DataCopyPad(yGm[13], u[0], DataCopyParams{rows, 8, 0, 56});
    }
    bind.FreeTensor(u);
}
"""

ROWS = 8


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_probe_project(tmp_path_factory.mktemp("copy"), KERNEL)


def _run(project: Path, case: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, object]:
    rng = np.random.default_rng(case)
    x = rng.standard_normal((ROWS, 16)).astype(np.float32)
    y = rng.standard_normal((ROWS, 16)).astype(np.float32)
    y0 = y.copy()
    report = run_probe(project, case, x, y)
    return x, y0, y, report


def test_strided_datacopy(project: Path) -> None:
    x, y0, y, report = _run(project, 1)
    np.testing.assert_array_equal(y[:, 8:], x[:, :8])
    np.testing.assert_array_equal(y[:, :8], y0[:, :8])
    assert (report.gm_read_bytes, report.gm_write_bytes, report.dma_ops) == (ROWS * 32, ROWS * 32, 2)


def test_datacopypad_pads_each_block(project: Path) -> None:
    x, y0, y, report = _run(project, 2)
    expected = np.concatenate(
        [np.full((ROWS, 1), -1, np.float32), x[:, :5], np.full((ROWS, 2), -1, np.float32)], axis=1
    )
    np.testing.assert_array_equal(y[:, :8], expected)
    np.testing.assert_array_equal(y[:, 8:], y0[:, 8:])
    assert report.gm_read_bytes == ROWS * 20


def test_datacopypad_out_with_strides(project: Path) -> None:
    x, y0, y, report = _run(project, 3)
    np.testing.assert_array_equal(y[:, :3], x[:, :3])
    np.testing.assert_array_equal(y[:, 3:], y0[:, 3:])
    assert (report.gm_read_bytes, report.gm_write_bytes) == (ROWS * 64, ROWS * 12)


def test_ub_to_ub_copy(project: Path) -> None:
    x, _, y, report = _run(project, 4)
    flat = x.reshape(-1)
    np.testing.assert_array_equal(y.reshape(-1), np.concatenate([flat[64:], flat[64:]]))
    assert report.cores[0].ub_copies == 1


def test_older_datacopypad_overloads(project: Path) -> None:
    x, y0, y, _ = _run(project, 5)
    np.testing.assert_array_equal(y[:, :5], x[:, :5])
    np.testing.assert_array_equal(y[:, 5:8], np.full((ROWS, 3), 2.0, np.float32))
    # Then 8 bytes of every UB block land at floats 13..14 of every row.
    np.testing.assert_array_equal(y[:, 13:15], x[:, :2])
    np.testing.assert_array_equal(y[:, 8:13], y0[:, 8:13])

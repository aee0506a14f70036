"""Vector instructions of the count form: reductions, Compare/Select, element-wise chains, Duplicate/Axpy,
bit operations and integer wrap-around, against numpy."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from emu_probe_project import run_probe, write_probe_project

from ascdsl.errors import DeviceRuntimeError

KERNEL = """
// Loads x (and w) into UB, runs one case, stores y; x, w and y have 48 KiB each.
template <typename T, typename U = T>
struct Bufs {
    TPipe pipe;
    TBuf<TPosition::VECCALC> bx, bw, by, bt;
    GlobalTensor<T> xGm, wGm;
    GlobalTensor<U> yGm;
    LocalTensor<T> x, w, tmp;
    LocalTensor<U> y;
    uint32_t n;
    __aicore__ inline Bufs(GM_ADDR xp, GM_ADDR wp, GM_ADDR yp, const EmuProbeTiling& t, uint32_t tmpBytes)
    {
        n = t.xBytes / sizeof(T);
        pipe.InitBuffer(bx, 49152);
        pipe.InitBuffer(bw, 49152);
        pipe.InitBuffer(by, 49152);
        pipe.InitBuffer(bt, tmpBytes);
        x = bx.Get<T>();
        w = bw.Get<T>();
        y = by.Get<U>();
        tmp = bt.Get<T>();
        xGm.SetGlobalBuffer((__gm__ T*)xp, n);
        yGm.SetGlobalBuffer((__gm__ U*)yp, t.yBytes / sizeof(U));
        DataCopyPad(x, xGm, DataCopyExtParams{1, t.xBytes, 0, 0, 0}, DataCopyPadExtParams<T>{false, 0, 0, 0});
        if (t.wPresent) {
            wGm.SetGlobalBuffer((__gm__ T*)wp, n);
            DataCopyPad(w, wGm, DataCopyExtParams{1, t.wBytes, 0, 0, 0}, DataCopyPadExtParams<T>{false, 0, 0, 0});
        }
        PipeBarrier<PIPE_ALL>();
    }
    __aicore__ inline void Store(uint32_t bytes)
    {
        PipeBarrier<PIPE_ALL>();
        DataCopyPad(yGm, y, DataCopyExtParams{1, bytes, 0, 0, 0});
    }
};

extern "C" __global__ __aicore__ void emu_probe(GM_ADDR x, GM_ADDR w, GM_ADDR y, GM_ADDR workspace, GM_ADDR tiling)
{
    REGISTER_TILING_DEFAULT(EmuProbeTiling);
    GET_TILING_DATA(t, tiling);
    if (TILING_KEY_IS(1)) {
        Bufs<float> b(x, w, y, t, 1024);
        ReduceSum(b.y, b.x, b.tmp, b.n);
        b.Store(4);
    } else if (TILING_KEY_IS(2)) {
        Bufs<half> b(x, w, y, t, 1024);
        ReduceSum(b.y, b.x, b.tmp, b.n);
        b.Store(2);
    } else if (TILING_KEY_IS(3)) {
        Bufs<float> b(x, w, y, t, 1024);
        ReduceMax(b.y, b.x, b.tmp, b.n, true);
        b.Store(8);
    } else if (TILING_KEY_IS(4)) {
        Bufs<half> b(x, w, y, t, 1024);
        ReduceMin(b.y, b.x, b.tmp, b.n, true);
        b.Store(4);
    } else if (TILING_KEY_IS(5)) {
        // max(x, 0) through a mask: CompareScalar then the tensor-scalar Select.
        Bufs<float> b(x, w, y, t, 1024);
        LocalTensor<uint8_t> mask = b.tmp.template ReinterpretCast<uint8_t>();
        CompareScalar(mask, b.x, 0.0f, CMPMODE::GT, b.n);
        Select(b.y, mask, b.x, 0.0f, SELMODE::VSEL_TENSOR_SCALAR_MODE, b.n);
        b.Store(t.xBytes);
    } else if (TILING_KEY_IS(6)) {
        // min(x, w) through Compare and the tensor-tensor Select.
        Bufs<float> b(x, w, y, t, 1024);
        LocalTensor<uint8_t> mask = b.tmp.template ReinterpretCast<uint8_t>();
        Compare(mask, b.x, b.w, CMPMODE::LT, b.n);
        Select(b.y, mask, b.x, b.w, SELMODE::VSEL_TENSOR_TENSOR_MODE, b.n);
        b.Store(t.xBytes);
    } else if (TILING_KEY_IS(7)) {
        // sqrt(|x| * 2 + 1) - x, then max with w, min with 3, divided by w, then relu.
        Bufs<float> b(x, w, y, t, 1024);
        Abs(b.y, b.x, b.n);
        Muls(b.y, b.y, 2.0f, b.n);
        Adds(b.y, b.y, 1.0f, b.n);
        Sqrt(b.y, b.y, b.n);
        Sub(b.y, b.y, b.x, b.n);
        Max(b.y, b.y, b.w, b.n);
        Mins(b.y, b.y, 3.0f, b.n);
        Div(b.y, b.y, b.w, b.n);
        Relu(b.y, b.y, b.n);
        b.Store(t.xBytes);
    } else if (TILING_KEY_IS(8)) {
        // In half: (x + w) * x / w, max with -1.
        Bufs<half> b(x, w, y, t, 1024);
        Add(b.y, b.x, b.w, b.n);
        Mul(b.y, b.y, b.x, b.n);
        Div(b.y, b.y, b.w, b.n);
        Maxs(b.y, b.y, (half)-1.0f, b.n);
        b.Store(t.xBytes);
    } else if (TILING_KEY_IS(9)) {
        // 1 + 0.5 x through Duplicate and Axpy; exp and ln.
        Bufs<float> b(x, w, y, t, 1024);
        Duplicate(b.y, 1.0f, b.n);
        Axpy(b.y, b.x, 0.5f, b.n);
        Exp(b.w, b.x, b.n);
        Ln(b.w, b.w, b.n);
        Add(b.y, b.y, b.w, b.n);
        b.Store(t.xBytes);
    } else if (TILING_KEY_IS(10)) {
        Bufs<int16_t> b(x, w, y, t, 4096);
        And(b.y, b.x, b.w, b.n);
        Not(b.tmp, b.x, b.n);
        Or(b.y, b.y, b.tmp, b.n);
        b.Store(t.xBytes);
    } else if (TILING_KEY_IS(11)) {
        Bufs<int32_t> b(x, w, y, t, 1024);
        Mul(b.y, b.x, b.x, b.n);
        Add(b.y, b.y, b.x, b.n);
        Adds(b.y, b.y, 7, b.n);
        b.Store(t.xBytes);
    } else if (TILING_KEY_IS(12)) {
        Bufs<float> b(x, w, y, t, 32);
        ReduceSum(b.y, b.x, b.tmp, b.n);
    }
}
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_probe_project(tmp_path_factory.mktemp("vector"), KERNEL)


def _run(project: Path, case: int, x: np.ndarray, out: np.ndarray, w: np.ndarray | None = None) -> np.ndarray:
    run_probe(project, case, x.view(np.uint8), out.view(np.uint8), w=None if w is None else w.view(np.uint8))
    return out


@pytest.mark.parametrize("n", [1, 63, 64, 1000, 8000])
def test_reduce_sum(project: Path, n: int) -> None:
    rng = np.random.default_rng(n)
    ints = rng.integers(-100, 100, n).astype(np.float32)  # exact in any order
    assert _run(project, 1, ints, np.zeros(1, np.float32))[0] == ints.sum()
    assert _run(project, 2, ints.astype(np.float16), np.zeros(1, np.float16))[0] == ints.sum()
    x = rng.standard_normal(n).astype(np.float32)
    np.testing.assert_allclose(
        _run(project, 1, x, np.zeros(1, np.float32))[0], x.astype(np.float64).sum(), rtol=1e-5, atol=1e-5
    )


def test_reduce_max_min_with_index(project: Path) -> None:
    x = np.random.default_rng(1).standard_normal(1000).astype(np.float32)
    y = _run(project, 3, x, np.zeros(2, np.float32))
    assert y[0] == x.max() and y[1:].view(np.uint32)[0] == x.argmax()
    h = x.astype(np.float16)
    y16 = _run(project, 4, h, np.zeros(2, np.float16))
    assert y16[0] == h.min() and y16[1:].view(np.uint16)[0] == h.argmin()


def test_reduce_needs_its_tmp_buffer(project: Path) -> None:
    with pytest.raises(DeviceRuntimeError, match="sharedTmpBuffer holds 8 elements but count 1000 needs 16"):
        _run(project, 12, np.zeros(1000, np.float32), np.zeros(1, np.float32))


def test_compare_and_select(project: Path) -> None:
    rng = np.random.default_rng(2)
    x = rng.standard_normal(512).astype(np.float32)
    w = rng.standard_normal(512).astype(np.float32)
    np.testing.assert_array_equal(_run(project, 5, x, np.zeros(512, np.float32)), np.where(x > 0, x, np.float32(0)))
    np.testing.assert_array_equal(_run(project, 6, x, np.zeros(512, np.float32), w), np.minimum(x, w))


def test_float_chain(project: Path) -> None:
    rng = np.random.default_rng(3)
    x = rng.standard_normal(1000).astype(np.float32)
    w = (rng.random(1000) + 0.5).astype(np.float32)
    f = np.float32
    expected = np.maximum(np.minimum(np.maximum(np.sqrt(np.abs(x) * f(2) + f(1)) - x, w), f(3)) / w, f(0))
    np.testing.assert_array_equal(_run(project, 7, x, np.zeros(1000, np.float32), w), expected)


def test_half_chain_rounds_every_step(project: Path) -> None:
    rng = np.random.default_rng(4)
    x = rng.standard_normal(1000).astype(np.float16)
    w = (rng.random(1000) + 0.5).astype(np.float16)
    expected = np.maximum((x + w) * x / w, np.float16(-1))
    np.testing.assert_array_equal(
        _run(project, 8, x, np.zeros(1000, np.float16), w).view(np.uint16), expected.view(np.uint16)
    )


def test_duplicate_axpy_exp_ln(project: Path) -> None:
    x = np.random.default_rng(5).standard_normal(1000).astype(np.float32)
    y = _run(project, 9, x, np.zeros(1000, np.float32), np.zeros(1000, np.float32))
    np.testing.assert_allclose(y, (1 + 0.5 * x) + x, rtol=1e-6, atol=1e-6)


def test_bit_operations(project: Path) -> None:
    rng = np.random.default_rng(6)
    x = rng.integers(-(2**15), 2**15, 1000).astype(np.int16)
    w = rng.integers(-(2**15), 2**15, 1000).astype(np.int16)
    np.testing.assert_array_equal(_run(project, 10, x, np.zeros(1000, np.int16), w), (x & w) | ~x)


def test_int32_arithmetic_wraps(project: Path) -> None:
    x = np.random.default_rng(7).integers(-(2**31), 2**31, 1000).astype(np.int32)
    with np.errstate(over="ignore"):
        expected = x * x + x + np.int32(7)
    np.testing.assert_array_equal(_run(project, 11, x, np.zeros(1000, np.int32)), expected)


def test_vector_ops_are_counted(project: Path) -> None:
    report = run_probe(project, 7, np.ones(64, np.float32), np.zeros(64, np.float32), w=np.ones(64, np.float32))
    assert report.vector_ops == 9

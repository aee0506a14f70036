"""Every hardware rule the emulator enforces: a kernel (or tiling) that breaks it, and the message it gets.

One probe kernel holds all the violations, selected by the tiling key, so the whole module compiles once.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from emu_probe_project import run_probe, write_probe_project

from ascdsl.errors import DeviceRuntimeError

KERNEL = """
extern "C" __global__ __aicore__ void emu_probe(GM_ADDR x, GM_ADDR w, GM_ADDR y, GM_ADDR workspace, GM_ADDR tiling)
{
    REGISTER_TILING_DEFAULT(EmuProbeTiling);
    GET_TILING_DATA(t, tiling);
    uint32_t n = t.xBytes / sizeof(float);
    GlobalTensor<float> xGm, yGm;
    xGm.SetGlobalBuffer((__gm__ float*)x, n);
    yGm.SetGlobalBuffer((__gm__ float*)y, t.yBytes / sizeof(float));
    TPipe pipe;
    TQue<QuePosition::VECIN, 1> inQ;
    TQue<QuePosition::VECOUT, 1> outQ;
    TBuf<TPosition::VECCALC> calc, calc2;
    if (TILING_KEY_IS(0)) {
        return;
    } else if (TILING_KEY_IS(1)) {
        pipe.InitBuffer(inQ, 2, 100000);
    } else if (TILING_KEY_IS(2)) {
        TBuf<TPosition::VECCALC> bufs[65];
        for (int i = 0; i < 65; ++i) pipe.InitBuffer(bufs[i], 32);
    } else if (TILING_KEY_IS(3)) {
        pipe.InitBuffer(calc, 1024);
        LocalTensor<float> u = calc.Get<float>();
        DataCopy(u[3], xGm, 8);
    } else if (TILING_KEY_IS(4)) {
        pipe.InitBuffer(calc, 1024);
        DataCopy(calc.Get<float>(), xGm, 7);
    } else if (TILING_KEY_IS(5)) {
        pipe.InitBuffer(calc, 1024);
        DataCopyParams p;
        p.blockCount = 1;
        p.blockLen = t.arg;
        DataCopy(calc.Get<float>(), xGm, p);
    } else if (TILING_KEY_IS(6)) {
        pipe.InitBuffer(calc, 1024);
        DataCopy(calc.Get<float>(), xGm, DataCopyParams{0, 1, 0, 0});
    } else if (TILING_KEY_IS(7)) {
        pipe.InitBuffer(calc, 1024);
        DataCopyPad(calc.Get<float>(), xGm, DataCopyExtParams{1, 6, 0, 0, 0}, DataCopyPadExtParams<float>{false, 0, 0, 0.0f});
    } else if (TILING_KEY_IS(8)) {
        pipe.InitBuffer(calc, 1024);
        DataCopyPad(yGm, calc.Get<float>(), DataCopyExtParams{1, 2097152, 0, 0, 0});
    } else if (TILING_KEY_IS(9)) {
        pipe.InitBuffer(inQ, 2, 1024);
        LocalTensor<float> a = inQ.AllocTensor<float>();
        LocalTensor<float> b = inQ.AllocTensor<float>();
        LocalTensor<float> c = inQ.AllocTensor<float>();
    } else if (TILING_KEY_IS(10)) {
        pipe.InitBuffer(inQ, 1, 1024);
        LocalTensor<float> a = inQ.DeQue<float>();
    } else if (TILING_KEY_IS(11)) {
        pipe.InitBuffer(inQ, 1, 1024);
        pipe.InitBuffer(outQ, 1, 1024);
        LocalTensor<float> a = inQ.AllocTensor<float>();
        outQ.FreeTensor(a);
    } else if (TILING_KEY_IS(12)) {
        pipe.InitBuffer(inQ, 1, 1024);
        LocalTensor<float> a = inQ.AllocTensor<float>();
        DataCopy(a, xGm, 8);
    } else if (TILING_KEY_IS(13)) {
        pipe.InitBuffer(inQ, 2, 1024);
        LocalTensor<float> a = inQ.AllocTensor<float>();
        LocalTensor<float> b = inQ.AllocTensor<float>();
        inQ.EnQue(a);
        inQ.EnQue(b);
    } else if (TILING_KEY_IS(14)) {
        pipe.InitBuffer(inQ, 1, 1024);
        LocalTensor<float> a = inQ.AllocTensor<float>();
        inQ.FreeTensor(a);
        Duplicate(a, 0.0f, 8);
    } else if (TILING_KEY_IS(15)) {
        SetFlag<HardEvent::MTE2_V>(8);
    } else if (TILING_KEY_IS(16)) {
        WaitFlag<HardEvent::V_MTE3>(2);
    } else if (TILING_KEY_IS(17)) {
        SetFlag<HardEvent::MTE3_MTE2>(1);
    } else if (TILING_KEY_IS(18)) {
        SetFlag<HardEvent::MTE2_S>(0);
        SetFlag<HardEvent::MTE2_S>(0);
    } else if (TILING_KEY_IS(19)) {
        pipe.InitBuffer(calc, 1024);
        DataCopy(calc.Get<float>(), xGm[n - 4], 8);
    } else if (TILING_KEY_IS(20)) {
        xGm.SetGlobalBuffer((__gm__ float*)x, n + 1);
    } else if (TILING_KEY_IS(21)) {
        pipe.InitBuffer(calc, 1024);
        pipe.InitBuffer(calc2, 64);
        LocalTensor<float> u = calc.Get<float>();
        Compare(calc2.Get<uint8_t>(), u, u, CMPMODE::LT, 32);
    } else if (TILING_KEY_IS(22)) {
        if (GetBlockIdx() == 0) SyncAll();
    } else if (TILING_KEY_IS(23)) {
        SyncAll();
    } else if (TILING_KEY_IS(24)) {
        while (xGm.GetValue(0) == 0.0f) {
        }
    } else if (TILING_KEY_IS(25)) {
        pipe.InitBuffer(calc, 1024);
        LocalTensor<float> u = calc.Get<float>();
        Add(u, u, u, 300);
    } else if (TILING_KEY_IS(26)) {
        LocalTensor<float> z;
        Duplicate(z, 0.0f, 8);
    } else if (TILING_KEY_IS(27)) {
        struct Bigger {
            EmuProbeTiling base;
            uint64_t more[4];
        };
        GET_TILING_DATA_WITH_STRUCT(Bigger, big, tiling);
    } else if (TILING_KEY_IS(28)) {
        pipe.InitBuffer(calc, 1024);
        LocalTensor<float> u = calc.Get<float>();
        Duplicate(u, 1.0f, 8);
        SetAtomicAdd<half>();
        DataCopy(yGm, u, 8);
    } else if (TILING_KEY_IS(29)) {
        pipe.InitBuffer(calc, 1024);
        pipe.InitBuffer(calc2, 1024);
        Cast(calc2.Get<int32_t>(), calc.Get<float>(), RoundMode::CAST_NONE, 8);
    } else if (TILING_KEY_IS(30)) {
        pipe.InitBuffer(inQ, 1, 1024);
        LocalTensor<float> a = inQ.AllocTensor<float>();
        inQ.EnQue(a);
        Duplicate(a, 0.0f, 8);
    } else if (TILING_KEY_IS(31)) {
        pipe.InitBuffer(calc, 64);
        float v = calc.Get<float>().GetValue(16);
        (void)v;
    } else if (TILING_KEY_IS(32)) {
        pipe.InitBuffer(inQ, 1, 1024);
        pipe.InitBuffer(inQ, 1, 1024);
    } else if (TILING_KEY_IS(33)) {
        pipe.InitBuffer(calc, 70000);
    } else if (TILING_KEY_IS(34)) {
        pipe.InitBuffer(calc, 1024);
        DataCopyPad(calc.Get<float>(), xGm, DataCopyExtParams{1, 16, 0, 0, 0}, DataCopyPadExtParams<float>{true, 9, 0, 0.0f});
    } else if (TILING_KEY_IS(35)) {
        GlobalTensor<float> user;
        user.SetGlobalBuffer((__gm__ float*)GetUserWorkspace(workspace));
        user.SetValue(0, 1.0f);
    } else if (TILING_KEY_IS(36)) {
        volatile float* p = nullptr;
        pipe.InitBuffer(calc, 64);
        *p = 1.0f;
    }
}
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_probe_project(tmp_path_factory.mktemp("rules"), KERNEL)


def _fail(project: Path, case: int, **kwargs: object) -> str:
    x = np.zeros(256, np.float32)
    y = np.zeros(256, np.float32)
    with pytest.raises(DeviceRuntimeError) as info:
        run_probe(project, case, x, y, **kwargs)
    return str(info.value)


# (case, attributes and run options, fragments the message must contain)
RULES = [
    pytest.param(
        1,
        {},
        ["TPipe::InitBuffer", "UB overflow", "num 2, len 100000", "200000 exceeds the UB size of 196352"],
        id="ub-capacity",
    ),
    pytest.param(33, {"ub_bytes": 65536}, ["UB overflow", "70016", "UB size of 65536"], id="ub-capacity-configurable"),
    pytest.param(2, {}, ["TPipe::InitBuffer", "64 + 1 buffers exceed the limit of 64"], id="buffer-count"),
    pytest.param(3, {}, ["DataCopy (GM->UB)", "UB offset 12", "not 32-byte aligned"], id="ub-alignment"),
    pytest.param(
        4,
        {},
        ["DataCopy (GM->UB)", "count 7 x sizeof(float) = 28 bytes is not a multiple of 32", "use DataCopyPad"],
        id="datacopy-32b",
    ),
    pytest.param(
        5, {"arg": 70000}, ["DataCopyParams.blockLen = 70000", "range 1..65535"], id="datacopyparams-blocklen"
    ),
    pytest.param(6, {}, ["DataCopyParams.blockCount = 0", "range 1..4095"], id="datacopyparams-blockcount"),
    pytest.param(
        7,
        {},
        ["DataCopyPad (GM->UB)", "blockLen 6 bytes is not a multiple of sizeof(float) = 4"],
        id="datacopypad-multiple",
    ),
    pytest.param(8, {}, ["DataCopyPad (UB->GM)", "blockLen = 2097152", "0..2097151"], id="datacopypad-range"),
    pytest.param(34, {}, ["DataCopyPad (GM->UB)", "leftPadding 9", "exceed 32 bytes"], id="datacopypad-padding"),
    pytest.param(
        9, {}, ["AllocTensor", "all 2 buffers of TQue<VECIN, depth 1> are allocated"], id="alloc-beyond-buffers"
    ),
    pytest.param(13, {}, ["EnQue", "already holds 1 tensors, its depth is 1"], id="enque-beyond-depth"),
    pytest.param(10, {}, ["DeQue", "TQue<VECIN, depth 1> is empty", "without a matching EnQue"], id="deque-empty"),
    pytest.param(
        11,
        {},
        ["FreeTensor", "buffer 0 of TQue<VECIN, depth 1>", "not a buffer of this TQue<VECOUT, depth 1>"],
        id="free-foreign",
    ),
    pytest.param(
        12,
        {},
        ["kernel end", "buffer 0 of TQue<VECIN, depth 1>", "is still allocated", "has no FreeTensor"],
        id="leak-at-end",
    ),
    pytest.param(14, {}, ["Duplicate", "after FreeTensor"], id="use-after-free"),
    pytest.param(30, {}, ["Duplicate", "between EnQue and DeQue"], id="use-while-queued"),
    pytest.param(32, {}, ["TPipe::InitBuffer", "TQue<VECIN, depth 1> already has buffers"], id="initbuffer-twice"),
    pytest.param(15, {}, ["SetFlag<HardEvent::MTE2_V>: event id 8 is outside 0..7"], id="event-id-range"),
    pytest.param(16, {}, ["WaitFlag<HardEvent::V_MTE3>: event id 2 has no SetFlag before it"], id="wait-without-set"),
    pytest.param(17, {}, ["kernel end", "SetFlag<HardEvent::MTE3_MTE2>(1) was never waited"], id="set-never-waited"),
    pytest.param(18, {}, ["SetFlag<HardEvent::MTE2_S>: event id 0 is already set and not yet waited"], id="set-twice"),
    pytest.param(
        19,
        {},
        ["DataCopy (GM->UB)", "reads bytes [1008, 1040) of input 'x', which has 1024 bytes: 16 bytes past its end"],
        id="gm-bounds",
    ),
    pytest.param(
        20,
        {},
        ["GlobalTensor::SetGlobalBuffer", "a buffer of 257 x float covers bytes [0, 1028) of input 'x'"],
        id="setglobalbuffer-size",
    ),
    pytest.param(35, {}, ["GlobalTensor::SetValue", "of workspace", "past its end"], id="user-workspace-bounds"),
    pytest.param(
        21, {}, ["Compare", "count 32 x sizeof(float) = 128 bytes is not a multiple of 256"], id="compare-256b"
    ),
    pytest.param(25, {}, ["Add", "dst needs 300 elements of float but the LocalTensor holds 256"], id="vector-count"),
    pytest.param(26, {}, ["Duplicate", "never allocated"], id="unallocated-tensor"),
    pytest.param(31, {}, ["LocalTensor::GetValue", "index 16 is out of range", "16 elements"], id="getvalue-range"),
    pytest.param(27, {}, ["GET_TILING_DATA", "tiling struct has 120 bytes but the host wrote 88"], id="tiling-size"),
    pytest.param(28, {}, ["SetAtomicAdd<half> is active but this copy moves float"], id="atomic-type"),
    pytest.param(
        29, {}, ["Cast", "float -> int32_t with CAST_NONE is not supported", "CAST_RINT, CAST_FLOOR"], id="cast-mode"
    ),
    pytest.param(
        22, {"cores": 2, "sched": 1}, ["SyncAll", "core(s) 1 already returned from the kernel"], id="syncall-unbalanced"
    ),
    pytest.param(23, {"cores": 2}, ["SyncAll", "SetScheduleMode(1)"], id="syncall-batch-mode"),
    pytest.param(0, {"cores": 41}, ["block dim 41", "exceeds the 40 AIV cores of ascend910b"], id="block-dim"),
    pytest.param(
        0, {"cores": 16, "core_num": 8}, ["block dim 16", "exceeds the 8 AIV cores"], id="block-dim-configurable"
    ),
    pytest.param(0, {"cores": 0}, ["set no block dim"], id="block-dim-zero"),
    pytest.param(999, {}, ["the tiling function of EmuProbe returned GRAPH_FAILED"], id="tiling-failed"),
]


@pytest.mark.parametrize(("case", "kwargs", "fragments"), RULES)
def test_rule_violation_is_reported(project: Path, case: int, kwargs: dict[str, object], fragments: list[str]) -> None:
    message = _fail(project, case, **kwargs)
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in:\n{message}"


def test_messages_name_the_kernel_line(project: Path) -> None:
    message = _fail(project, 4)
    line = next(
        i + 1
        for i, text in enumerate((project / "op_kernel/emu_probe.cpp").read_text().splitlines())
        if "xGm, 7);" in text
    )
    assert f"core 0: emu_probe.cpp:{line}: DataCopy (GM->UB)" in message


def test_hang_becomes_an_error_after_the_timeout(project: Path) -> None:
    message = _fail(project, 24, timeout=1.0)
    assert "did not finish within 1 s" in message
    assert "core 0: running, last call GlobalTensor::GetValue at emu_probe.cpp:" in message


def test_crash_names_the_core_and_last_call(project: Path) -> None:
    message = _fail(project, 36)
    assert "core 0 crashed with signal 11" in message
    assert "after its last API call TPipe::InitBuffer at emu_probe.cpp:" in message


def test_a_clean_kernel_passes(project: Path) -> None:
    run_probe(project, 0, np.zeros(256, np.float32), np.zeros(256, np.float32))

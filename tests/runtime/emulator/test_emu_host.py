"""The host side: what a tiling function sees through TilingContext and PlatformAscendC, the checks of the
registered OpDef against the call, optional inputs, and an inout tensor passed as one buffer."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from ascdsl.lowering.opspec import AttrParam, OpSpec, TensorParam
from ascdsl.runtime.emulator import run_project
from emu_add_project import write_project
from emu_probe_project import PROBE_SPEC, decode_tiling, run_probe, write_probe_project

from ascdsl.errors import AscdslError, DeviceRuntimeError

KERNEL = """
extern "C" __global__ __aicore__ void emu_probe(GM_ADDR x, GM_ADDR w, GM_ADDR y, GM_ADDR workspace, GM_ADDR tiling)
{
    REGISTER_TILING_DEFAULT(EmuProbeTiling);
    GET_TILING_DATA(t, tiling);
    if (TILING_KEY_IS(1)) {
        // An absent optional input arrives as a null pointer.
        GlobalTensor<float> wGm, yGm;
        yGm.SetGlobalBuffer((__gm__ float*)y, 8);
        if (w == nullptr) {
            yGm.SetValue(0, -1.0f);
        } else {
            wGm.SetGlobalBuffer((__gm__ float*)w, 1);
            yGm.SetValue(0, wGm.GetValue(0));
        }
        DataCacheCleanAndInvalid<float, CacheLine::SINGLE_CACHE_LINE, DcciDst::CACHELINE_OUT>(yGm);
    }
}
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_probe_project(tmp_path_factory.mktemp("host"), KERNEL)


def test_tiling_sees_shapes_attrs_and_platform(project: Path) -> None:
    x = np.zeros((6, 5), np.float32)
    report = run_probe(
        project, 0, x, np.zeros(3, np.float32), cores=3, sched=1, ws=4096, arg=-7, scale=0.25, flag=True, tag="hello"
    )
    t = decode_tiling(report.tiling_data)
    assert (t.key, t.cores, t.x_bytes, t.w_present, t.w_bytes, t.y_bytes) == (0, 3, 120, 0, 0, 12)
    assert (t.arg, t.scale, t.flag, t.tag) == (-7, 0.25, 1, "hello")
    assert (t.x_dim0, t.x_dim_num) == (6, 2)
    assert (t.core_num_aiv, t.ub_size, t.is_910b) == (40, 196352, 1)
    assert (report.block_dim, report.tiling_key, report.schedule_mode) == (3, 0, 1)
    assert report.workspace_bytes == 4096 + 16 * 1024 * 1024


def test_attribute_defaults_come_from_the_opdef(project: Path) -> None:
    t = decode_tiling(run_probe(project, 0, np.zeros(8, np.float32), np.zeros(8, np.float32)).tiling_data)
    assert (t.cores, t.arg, t.scale, t.flag, t.tag) == (1, 0, 1.0, 0, "none")


def test_platform_follows_the_soc_and_sizes(project: Path) -> None:
    report = run_probe(
        project, 0, np.zeros(8, np.float32), np.zeros(8, np.float32), soc="ascend910_93", core_num=48, ub_bytes=131072
    )
    t = decode_tiling(report.tiling_data)
    assert (t.core_num_aiv, t.ub_size, t.is_910b) == (48, 131072, 1)


def test_optional_input_absent_and_present(project: Path) -> None:
    y = np.zeros(8, np.float32)
    t = decode_tiling(run_probe(project, 1, np.zeros(8, np.float32), y).tiling_data)
    assert t.w_present == 0 and y[0] == -1.0
    w = np.full(4, 3.5, np.float32)
    t = decode_tiling(run_probe(project, 1, np.zeros(8, np.float32), y, w=w).tiling_data)
    assert (t.w_present, t.w_bytes) == (1, 16) and y[0] == 3.5


def _spec(**changes: object) -> OpSpec:
    return replace(PROBE_SPEC, **changes)  # type: ignore[arg-type]


def _run(
    project: Path, spec: OpSpec, tensors: dict[str, np.ndarray | None], attrs: dict[str, object] | None = None
) -> None:
    run_project(project, spec, tensors, {"case": 0} if attrs is None else attrs)


def test_opdef_tensor_names_must_match(project: Path) -> None:
    spec = _spec(tensors=(replace(PROBE_SPEC.tensors[0], name="a"), *PROBE_SPEC.tensors[1:]))
    with pytest.raises(
        DeviceRuntimeError, match=r"OpDef EmuProbe declares the inputs \(x, w\) but the call has the inputs \(a, w\)"
    ):
        _run(project, spec, {"a": np.zeros(8, np.float32), "y": np.zeros(8, np.float32)})


def test_opdef_dtypes_must_match(project: Path) -> None:
    dts = ("f32", "f16", "bf16")
    spec = _spec(tensors=tuple(replace(t, dtypes=dts) for t in PROBE_SPEC.tensors))
    bf16 = np.dtype("bfloat16")
    with pytest.raises(
        DeviceRuntimeError, match="EmuProbe supports no DataType combination matching x=DT_BF16, w=absent, y=DT_BF16"
    ):
        _run(project, spec, {"x": np.zeros(8, bf16), "y": np.zeros(8, bf16)})


def test_required_input_must_be_present(project: Path) -> None:
    spec = _spec(tensors=(replace(PROBE_SPEC.tensors[0], optional=True), *PROBE_SPEC.tensors[1:]))
    with pytest.raises(DeviceRuntimeError, match="the REQUIRED input 'x' is absent"):
        _run(project, spec, {"x": None, "y": np.zeros(8, np.float32)})


def test_attributes_must_match(project: Path) -> None:
    tensors = {"x": np.zeros(8, np.float32), "y": np.zeros(8, np.float32)}
    extra = _spec(attrs=(*PROBE_SPEC.attrs, AttrParam("alpha", "float", 1.0)))
    with pytest.raises(
        DeviceRuntimeError, match="passes the attribute 'alpha' but OpDef EmuProbe declares no such Attr"
    ):
        _run(project, extra, tensors, {"case": 0, "alpha": 2.0})
    typed = _spec(attrs=(AttrParam("case", "float"), *PROBE_SPEC.attrs[1:]))
    with pytest.raises(
        DeviceRuntimeError, match="attribute 'case' is int in OpDef EmuProbe but the call passes a float"
    ):
        _run(project, typed, tensors, {"case": 0.0})
    defaulted = _spec(attrs=(AttrParam("case", "int", 0), *PROBE_SPEC.attrs[1:]))
    with pytest.raises(DeviceRuntimeError, match="the REQUIRED attribute 'case' of EmuProbe has no value"):
        _run(project, defaulted, tensors, {})
    with pytest.raises(AscdslError, match="the required attribute 'case' has no value"):
        _run(project, PROBE_SPEC, tensors, {})


def test_the_op_must_be_registered(tmp_path: Path) -> None:
    root = write_probe_project(tmp_path, KERNEL.replace("void emu_probe(", "void emu_probe_x("))
    (root / "op_kernel/emu_probe.cpp").rename(root / "op_kernel/emu_probe_x.cpp")
    with pytest.raises(
        DeviceRuntimeError, match=r"register no OpDef named 'EmuProbeX' with OP_ADD \(registered: \(EmuProbe\)\)"
    ):
        _run(root, _spec(op_type="EmuProbeX"), {"x": np.zeros(8, np.float32), "y": np.zeros(8, np.float32)})


INOUT_SPEC = OpSpec(
    op_type="EmuAccumulate",
    tensors=(
        TensorParam("x", "in", False, ("f32",), ("ND",)),
        TensorParam("acc", "inout", False, ("f32",), ("ND",)),
    ),
    attrs=(),
)

INOUT_HOST = """\
#include "register/op_def_registry.h"

struct EmuAccTiling {
    uint32_t n;
};

namespace optiling {
static ge::graphStatus TilingFunc(gert::TilingContext* context)
{
    EmuAccTiling* t = context->GetTilingData<EmuAccTiling>();
    t->n = static_cast<uint32_t>(context->GetInputShape(0)->GetStorageShape().GetShapeSize());
    context->SetBlockDim(1);
    return ge::GRAPH_SUCCESS;
}
}  // namespace optiling

namespace ops {
class EmuAccumulate : public OpDef {
public:
    explicit EmuAccumulate(const char* name) : OpDef(name)
    {
        this->Input("x").ParamType(REQUIRED).DataType({ge::DT_FLOAT}).Format({ge::FORMAT_ND});
        this->Input("acc").ParamType(REQUIRED).DataType({ge::DT_FLOAT}).Format({ge::FORMAT_ND});
        this->Output("acc").ParamType(REQUIRED).DataType({ge::DT_FLOAT}).Format({ge::FORMAT_ND});
        this->AICore().SetTiling(optiling::TilingFunc).AddConfig("ascend910b");
    }
};
OP_ADD(EmuAccumulate);
}  // namespace ops
"""

INOUT_KERNEL = """\
#include "kernel_operator.h"
using namespace AscendC;

struct EmuAccTiling {
    uint32_t n;
};

extern "C" __global__ __aicore__ void emu_accumulate(GM_ADDR x, GM_ADDR accIn, GM_ADDR accOut, GM_ADDR workspace, GM_ADDR tiling)
{
    GET_TILING_DATA_WITH_STRUCT(EmuAccTiling, t, tiling);
    if (accIn != accOut) {
        LocalTensor<float> notOneBuffer;
        Duplicate(notOneBuffer, 0.0f, 8);
    }
    GlobalTensor<float> xGm;
    GlobalTensor<DTYPE_ACC_REF> accGm;
    xGm.SetGlobalBuffer((__gm__ float*)x, t.n);
    accGm.SetGlobalBuffer((__gm__ DTYPE_ACC_REF*)accOut, t.n);
    TPipe pipe;
    TBuf<TPosition::VECCALC> a, b;
    pipe.InitBuffer(a, t.n * sizeof(float));
    pipe.InitBuffer(b, t.n * sizeof(float));
    DataCopy(a.Get<float>(), xGm, t.n);
    DataCopy(b.Get<float>(), accGm, t.n);
    SetFlag<HardEvent::MTE2_V>(EVENT_ID0);
    WaitFlag<HardEvent::MTE2_V>(EVENT_ID0);
    Add(b.Get<float>(), b.Get<float>(), a.Get<float>(), t.n);
    SetFlag<HardEvent::V_MTE3>(EVENT_ID0);
    WaitFlag<HardEvent::V_MTE3>(EVENT_ID0);
    DataCopy(accGm, b.Get<float>(), t.n);
}
"""


def test_inout_tensor_is_one_buffer_updated_in_place(tmp_path: Path) -> None:
    root = write_project(
        tmp_path, {"op_host/emu_accumulate.cpp": INOUT_HOST, "op_kernel/emu_accumulate.cpp": INOUT_KERNEL}
    )
    x = np.arange(64, dtype=np.float32)
    acc = np.full(64, 0.5, np.float32)
    report = run_project(root, INOUT_SPEC, {"x": x, "acc": acc}, {})
    np.testing.assert_array_equal(acc, x + 0.5)
    assert report.gm_read_bytes == 2 * 256 and report.gm_write_bytes == 256

"""EmuProbe: one op_host shared by the feature and rule tests, each of which brings its own kernel.

The OpDef has an input x, an OPTIONAL input w and an output y (f32, f16 or raw u8 bytes) and attributes that
steer the launch: `case` becomes the tiling key, `cores` the block dim, `sched` the schedule mode, `ws` the
user workspace bytes, `arg` a free integer for the kernel. Because every probe project has the same op_host
and tiling header, the emulator compiles the host side once for all of them.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from ascdsl.lowering.opspec import AttrParam, OpSpec, TensorParam
from ascdsl.runtime.emulator import EmuReport, run_project
from emu_add_project import write_project

_DT = ("f32", "f16", "u8")
PROBE_SPEC = OpSpec(
    op_type="EmuProbe",
    tensors=(
        TensorParam("x", "in", False, _DT, ("ND",) * 3),
        TensorParam("w", "in", True, _DT, ("ND",) * 3),
        TensorParam("y", "out", False, _DT, ("ND",) * 3),
    ),
    attrs=(
        AttrParam("case", "int"),
        AttrParam("cores", "int", 1),
        AttrParam("sched", "int", 0),
        AttrParam("ws", "int", 0),
        AttrParam("arg", "int", 0),
        AttrParam("scale", "float", 1.0),
        AttrParam("flag", "bool", False),
        AttrParam("tag", "str", "none"),
    ),
)

TILING_H = """\
#ifndef EMU_PROBE_TILING_H
#define EMU_PROBE_TILING_H
#include <cstdint>

struct EmuProbeTiling {
    uint32_t key;
    uint32_t cores;
    uint32_t xBytes;
    uint32_t wBytes;
    uint32_t wPresent;
    uint32_t yBytes;
    int64_t arg;
    float scale;
    uint32_t flag;
    char tag[16];
    int64_t xDim0;
    uint32_t xDimNum;
    uint32_t coreNumAiv;
    uint64_t ubSize;
    uint32_t is910b;
    uint32_t userWorkspace;
};
#endif
"""

# Decodes EmuProbeTiling (natural alignment, little endian).
_TILING_FMT = "<6I q f I 16s q 2I Q 2I"


@dataclass(frozen=True)
class ProbeTiling:
    key: int
    cores: int
    x_bytes: int
    w_bytes: int
    w_present: int
    y_bytes: int
    arg: int
    scale: float
    flag: int
    tag: str
    x_dim0: int
    x_dim_num: int
    core_num_aiv: int
    ub_size: int
    is_910b: int
    user_workspace: int


def decode_tiling(data: bytes) -> ProbeTiling:
    fields = list(struct.unpack(_TILING_FMT, data[: struct.calcsize(_TILING_FMT)]))
    fields[9] = fields[9].split(b"\0")[0].decode()
    return ProbeTiling(*fields)


HOST_CPP = """\
#include <cstring>
#include "emu_probe_tiling.h"
#include "register/op_def_registry.h"
#include "tiling/platform/platform_ascendc.h"

namespace optiling {
static uint32_t TypeSize(ge::DataType dt)
{
    return dt == ge::DT_FLOAT ? 4 : (dt == ge::DT_FLOAT16 ? 2 : 1);
}

static ge::graphStatus TilingFunc(gert::TilingContext* context)
{
    const gert::RuntimeAttrs* attrs = context->GetAttrs();
    int64_t key = *attrs->GetInt(0);
    if (key == 999) {
        return ge::GRAPH_FAILED;
    }
    auto plat = platform_ascendc::PlatformAscendC(context->GetPlatformInfo());
    EmuProbeTiling* t = context->GetTilingData<EmuProbeTiling>();
    const gert::Shape& xShape = context->GetInputShape(0)->GetOriginShape();
    t->key = static_cast<uint32_t>(key);
    t->cores = static_cast<uint32_t>(*attrs->GetInt(1));
    t->xBytes = static_cast<uint32_t>(xShape.GetShapeSize()) * TypeSize(context->GetInputDesc(0)->GetDataType());
    const gert::StorageShape* w = context->GetOptionalInputShape(1);
    t->wPresent = w != nullptr;
    t->wBytes = w == nullptr ? 0 : static_cast<uint32_t>(w->GetOriginShape().GetShapeSize()) * TypeSize(context->GetOptionalInputDesc(1)->GetDataType());
    t->yBytes = static_cast<uint32_t>(context->GetOutputShape(0)->GetOriginShape().GetShapeSize()) * TypeSize(context->GetOutputDesc(0)->GetDataType());
    t->arg = *attrs->GetInt(4);
    t->scale = *attrs->GetFloat(5);
    t->flag = *attrs->GetBool(6) ? 1 : 0;
    std::strncpy(t->tag, attrs->GetStr(7), sizeof(t->tag) - 1);
    t->xDimNum = static_cast<uint32_t>(xShape.GetDimNum());
    t->xDim0 = xShape.GetDimNum() > 0 ? xShape.GetDim(0) : -1;
    t->coreNumAiv = plat.GetCoreNumAiv();
    plat.GetCoreMemSize(platform_ascendc::CoreMemType::UB, t->ubSize);
    t->is910b = plat.GetSocVersion() == platform_ascendc::SocVersion::ASCEND910B;
    t->userWorkspace = static_cast<uint32_t>(*attrs->GetInt(3));
    context->SetTilingKey(static_cast<uint64_t>(key));
    context->SetBlockDim(t->cores);
    context->SetScheduleMode(static_cast<uint32_t>(*attrs->GetInt(2)));
    size_t* ws = context->GetWorkspaceSizes(1);
    ws[0] = t->userWorkspace + plat.GetLibApiWorkSpaceSize();
    return ge::GRAPH_SUCCESS;
}
}  // namespace optiling

namespace ops {
class EmuProbe : public OpDef {
public:
    explicit EmuProbe(const char* name) : OpDef(name)
    {
        this->Input("x").ParamType(REQUIRED).DataType({ge::DT_FLOAT, ge::DT_FLOAT16, ge::DT_UINT8}).Format({ge::FORMAT_ND, ge::FORMAT_ND, ge::FORMAT_ND});
        this->Input("w").ParamType(OPTIONAL).DataType({ge::DT_FLOAT, ge::DT_FLOAT16, ge::DT_UINT8}).Format({ge::FORMAT_ND, ge::FORMAT_ND, ge::FORMAT_ND});
        this->Output("y").ParamType(REQUIRED).DataType({ge::DT_FLOAT, ge::DT_FLOAT16, ge::DT_UINT8}).Format({ge::FORMAT_ND, ge::FORMAT_ND, ge::FORMAT_ND});
        this->Attr("case").AttrType(REQUIRED).Int();
        this->Attr("cores").AttrType(OPTIONAL).Int(1);
        this->Attr("sched").AttrType(OPTIONAL).Int(0);
        this->Attr("ws").AttrType(OPTIONAL).Int(0);
        this->Attr("arg").AttrType(OPTIONAL).Int(0);
        this->Attr("scale").AttrType(OPTIONAL).Float(1.0);
        this->Attr("flag").AttrType(OPTIONAL).Bool(false);
        this->Attr("tag").AttrType(OPTIONAL).String("none");
        this->AICore().SetTiling(optiling::TilingFunc).AddConfig("ascend910b").AddConfig("ascend910_93");
    }
};
OP_ADD(EmuProbe);
}  // namespace ops
"""

# The preamble every probe kernel shares; the test's kernel body follows and sees x, w, y, workspace, t.
KERNEL_HEAD = """\
#include "kernel_operator.h"
#include "emu_probe_tiling.h"

using namespace AscendC;
"""


def write_probe_project(root: Path, kernel: str) -> Path:
    return write_project(
        root,
        {
            "op_host/emu_probe.cpp": HOST_CPP,
            "op_kernel/emu_probe.cpp": KERNEL_HEAD + kernel,
            "op_kernel/emu_probe_tiling.h": TILING_H,
        },
    )


def run_probe(
    project: Path,
    case: int,
    x: np.ndarray,
    y: np.ndarray,
    *,
    w: np.ndarray | None = None,
    **kwargs: object,
) -> EmuReport:
    """Run a probe kernel; keyword arguments that name a probe attribute are attributes, the rest go to run_project."""
    attr_names = {a.name for a in PROBE_SPEC.attrs}
    attrs: dict[str, object] = {"case": case, **{k: v for k, v in kwargs.items() if k in attr_names}}
    options = {k: v for k, v in kwargs.items() if k not in attr_names}
    return run_project(project, PROBE_SPEC, {"x": x, "w": w, "y": y}, attrs, **options)  # type: ignore[arg-type]

"""A hand-written AddCustom project in the msopgen layout, the style the Ascend C printer emits.

Host: OpDef with REQUIRED inputs, a tiling function using PlatformAscendC and the shared plain tiling struct.
Kernel: TPipe, TQue VECIN/VECOUT of depth 2 (double buffered), DataCopy for whole 32-byte blocks and
DataCopyPad for the tail, Add, a contiguous range per core chosen by GetBlockIdx.
"""

from __future__ import annotations

from pathlib import Path

from ascdsl.lowering.opspec import OpSpec, TensorParam

ADD_SPEC = OpSpec(
    op_type="AddCustom",
    tensors=(
        TensorParam("x", "in", False, ("f16", "f32"), ("ND", "ND")),
        TensorParam("y", "in", False, ("f16", "f32"), ("ND", "ND")),
        TensorParam("z", "out", False, ("f16", "f32"), ("ND", "ND")),
    ),
    attrs=(),
)

TILING_H = """\
#ifndef ADD_CUSTOM_TILING_H
#define ADD_CUSTOM_TILING_H
#include <cstdint>

struct AddCustomTilingData {
    uint32_t totalLength;  // elements
    uint32_t perCore;      // elements per core, a multiple of 32 bytes
    uint32_t tileLength;   // elements per tile, a multiple of 32 bytes
};
#endif
"""

HOST_CPP = """\
#include "add_custom_tiling.h"
#include "register/op_def_registry.h"
#include "tiling/platform/platform_ascendc.h"

namespace optiling {
static ge::graphStatus TilingFunc(gert::TilingContext* context)
{
    auto ascendcPlatform = platform_ascendc::PlatformAscendC(context->GetPlatformInfo());
    uint32_t coreNum = ascendcPlatform.GetCoreNumAiv();
    uint64_t ubSize = 0;
    ascendcPlatform.GetCoreMemSize(platform_ascendc::CoreMemType::UB, ubSize);
    uint32_t total = static_cast<uint32_t>(context->GetInputShape(0)->GetOriginShape().GetShapeSize());
    uint32_t typeSize = context->GetInputDesc(0)->GetDataType() == ge::DT_FLOAT ? 4 : 2;
    uint32_t align = 32 / typeSize;
    uint32_t perCore = (total + coreNum - 1) / coreNum;
    perCore = (perCore + align - 1) / align * align;
    if (perCore < 256) perCore = 256;
    // Three queues of two buffers each must fit in UB.
    uint32_t tile = static_cast<uint32_t>(ubSize / 6 / typeSize) / align * align;
    if (tile > 2048) tile = 2048;
    if (tile > perCore) tile = perCore;
    AddCustomTilingData* tiling = context->GetTilingData<AddCustomTilingData>();
    tiling->totalLength = total;
    tiling->perCore = perCore;
    tiling->tileLength = tile;
    context->SetBlockDim((total + perCore - 1) / perCore);
    size_t* currentWorkspace = context->GetWorkspaceSizes(1);
    currentWorkspace[0] = 0;
    return ge::GRAPH_SUCCESS;
}
}  // namespace optiling

namespace ge {
static graphStatus InferShape(gert::InferShapeContext* context)
{
    const gert::Shape* x1Shape = context->GetInputShape(0);
    gert::Shape* yShape = context->GetOutputShape(0);
    *yShape = *x1Shape;
    return GRAPH_SUCCESS;
}

static graphStatus InferDataType(gert::InferDataTypeContext* context)
{
    const auto inputDataType = context->GetInputDataType(0);
    context->SetOutputDataType(0, inputDataType);
    return ge::GRAPH_SUCCESS;
}
}  // namespace ge

namespace ops {
class AddCustom : public OpDef {
public:
    explicit AddCustom(const char* name) : OpDef(name)
    {
        this->Input("x").ParamType(REQUIRED).DataType({ge::DT_FLOAT16, ge::DT_FLOAT}).Format({ge::FORMAT_ND, ge::FORMAT_ND});
        this->Input("y").ParamType(REQUIRED).DataType({ge::DT_FLOAT16, ge::DT_FLOAT}).Format({ge::FORMAT_ND, ge::FORMAT_ND});
        this->Output("z").ParamType(REQUIRED).DataType({ge::DT_FLOAT16, ge::DT_FLOAT}).Format({ge::FORMAT_ND, ge::FORMAT_ND});
        this->SetInferShape(ge::InferShape).SetInferDataType(ge::InferDataType);
        this->AICore().SetTiling(optiling::TilingFunc).AddConfig("ascend910b").AddConfig("ascend910_93");
    }
};
OP_ADD(AddCustom);
}  // namespace ops
"""

KERNEL_CPP = """\
#include "kernel_operator.h"
#include "add_custom_tiling.h"

using namespace AscendC;
constexpr int32_t BUFFER_NUM = 2;

class KernelAdd {
public:
    __aicore__ inline KernelAdd() {}
    __aicore__ inline void Init(GM_ADDR x, GM_ADDR y, GM_ADDR z, const AddCustomTilingData& t, TPipe* pipe)
    {
        uint32_t start = static_cast<uint32_t>(GetBlockIdx()) * t.perCore;
        uint32_t end = start + t.perCore < t.totalLength ? start + t.perCore : t.totalLength;
        this->length = end - start;
        this->tileLength = t.tileLength;
        xGm.SetGlobalBuffer((__gm__ DTYPE_X*)x + start, this->length);
        yGm.SetGlobalBuffer((__gm__ DTYPE_Y*)y + start, this->length);
        zGm.SetGlobalBuffer((__gm__ DTYPE_Z*)z + start, this->length);
        pipe->InitBuffer(inQueueX, BUFFER_NUM, this->tileLength * sizeof(DTYPE_X));
        pipe->InitBuffer(inQueueY, BUFFER_NUM, this->tileLength * sizeof(DTYPE_Y));
        pipe->InitBuffer(outQueueZ, BUFFER_NUM, this->tileLength * sizeof(DTYPE_Z));
    }
    __aicore__ inline void Process()
    {
        uint32_t loops = (this->length + this->tileLength - 1) / this->tileLength;
        for (uint32_t i = 0; i < loops; i++) {
            uint32_t offset = i * this->tileLength;
            uint32_t n = this->length - offset < this->tileLength ? this->length - offset : this->tileLength;
            CopyIn(offset, n);
            Compute(n);
            CopyOut(offset, n);
        }
    }

private:
    template <typename T>
    __aicore__ inline void Load(const LocalTensor<T>& dst, const GlobalTensor<T>& src, uint32_t n)
    {
        if (n * sizeof(T) % 32 == 0) {
            DataCopy(dst, src, n);
        } else {
            DataCopyExtParams params{1, static_cast<uint32_t>(n * sizeof(T)), 0, 0, 0};
            DataCopyPadExtParams<T> pad{false, 0, 0, 0};
            DataCopyPad(dst, src, params, pad);
        }
    }
    __aicore__ inline void CopyIn(uint32_t offset, uint32_t n)
    {
        LocalTensor<DTYPE_X> xLocal = inQueueX.AllocTensor<DTYPE_X>();
        LocalTensor<DTYPE_Y> yLocal = inQueueY.AllocTensor<DTYPE_Y>();
        Load(xLocal, xGm[offset], n);
        Load(yLocal, yGm[offset], n);
        inQueueX.EnQue(xLocal);
        inQueueY.EnQue(yLocal);
    }
    __aicore__ inline void Compute(uint32_t n)
    {
        LocalTensor<DTYPE_X> xLocal = inQueueX.DeQue<DTYPE_X>();
        LocalTensor<DTYPE_Y> yLocal = inQueueY.DeQue<DTYPE_Y>();
        LocalTensor<DTYPE_Z> zLocal = outQueueZ.AllocTensor<DTYPE_Z>();
        Add(zLocal, xLocal, yLocal, n);
        outQueueZ.EnQue<DTYPE_Z>(zLocal);
        inQueueX.FreeTensor(xLocal);
        inQueueY.FreeTensor(yLocal);
    }
    __aicore__ inline void CopyOut(uint32_t offset, uint32_t n)
    {
        LocalTensor<DTYPE_Z> zLocal = outQueueZ.DeQue<DTYPE_Z>();
        if (n * sizeof(DTYPE_Z) % 32 == 0) {
            DataCopy(zGm[offset], zLocal, n);
        } else {
            DataCopyExtParams params{1, static_cast<uint32_t>(n * sizeof(DTYPE_Z)), 0, 0, 0};
            DataCopyPad(zGm[offset], zLocal, params);
        }
        outQueueZ.FreeTensor(zLocal);
    }

    TQue<QuePosition::VECIN, BUFFER_NUM> inQueueX, inQueueY;
    TQue<QuePosition::VECOUT, BUFFER_NUM> outQueueZ;
    GlobalTensor<DTYPE_X> xGm;
    GlobalTensor<DTYPE_Y> yGm;
    GlobalTensor<DTYPE_Z> zGm;
    uint32_t length;
    uint32_t tileLength;
};

extern "C" __global__ __aicore__ void add_custom(GM_ADDR x, GM_ADDR y, GM_ADDR z, GM_ADDR workspace, GM_ADDR tiling)
{
    KERNEL_TASK_TYPE_DEFAULT(KERNEL_TYPE_AIV_ONLY);
    REGISTER_TILING_DEFAULT(AddCustomTilingData);
    GET_TILING_DATA(tilingData, tiling);
    TPipe pipe;
    KernelAdd op;
    op.Init(x, y, z, tilingData, &pipe);
    op.Process();
}
"""


def write_project(root: Path, files: dict[str, str]) -> Path:
    """Write `files` (relative path -> text) under root; returns root."""
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def write_add_project(root: Path, kernel: str = KERNEL_CPP) -> Path:
    return write_project(
        root,
        {
            "op_host/add_custom.cpp": HOST_CPP,
            "op_kernel/add_custom.cpp": kernel,
            "op_kernel/add_custom_tiling.h": TILING_H,
        },
    )

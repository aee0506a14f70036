"""Operator specs and hand-written sources shared by the host-printer and project tests.

The kernel, tiling header and tiling function stand in for what the kernel/tiling printers will emit; they
only need to be plausible Ascend C, since these tests check what the project writer does with them.
"""

from __future__ import annotations

from ascdsl.lowering.opspec import AttrParam, OpSpec, TensorParam

ND2 = ("ND", "ND")

ADD_CUSTOM = OpSpec(
    op_type="AddCustom",
    tensors=(
        TensorParam("x", "in", False, ("f16", "f32"), ND2),
        TensorParam("y", "in", False, ("f16", "f32"), ND2),
        TensorParam("z", "out", False, ("f16", "f32"), ND2, like="x"),
    ),
    attrs=(),
)

ADD_CUSTOM_TILING_H = """\
#ifndef ADD_CUSTOM_TILING_H
#define ADD_CUSTOM_TILING_H
#include <cstdint>

struct AddCustomTilingData {
    uint32_t totalLength;
    uint32_t tileNum;
};
#endif
"""

ADD_CUSTOM_TILING_FUNC = """\
constexpr uint32_t TILE_NUM = 8;

static ge::graphStatus TilingFunc(gert::TilingContext* context)
{
    platform_ascendc::PlatformAscendC platform(context->GetPlatformInfo());
    const gert::StorageShape* xShape = context->GetInputShape(0);
    if (xShape == nullptr) {
        return ge::GRAPH_FAILED;
    }
    AddCustomTilingData* tiling = context->GetTilingData<AddCustomTilingData>();
    tiling->totalLength = static_cast<uint32_t>(xShape->GetOriginShape().GetShapeSize());
    tiling->tileNum = TILE_NUM;
    context->SetBlockDim(platform.GetCoreNumAiv());
    size_t* workspaces = context->GetWorkspaceSizes(1);
    workspaces[0] = platform.GetLibApiWorkSpaceSize();
    return ge::GRAPH_SUCCESS;
}
"""

ADD_CUSTOM_KERNEL = """\
#include "kernel_operator.h"
#include "add_custom_tiling.h"

extern "C" __global__ __aicore__ void add_custom(GM_ADDR x, GM_ADDR y, GM_ADDR z, GM_ADDR workspace, GM_ADDR tiling)
{
    REGISTER_TILING_DEFAULT(AddCustomTilingData);
    GET_TILING_DATA_WITH_STRUCT(AddCustomTilingData, tilingData, tiling);
    // the kernel printer's output goes here
}
"""

# GatherPaKvCache as its aclnn doc declares it: both attributes are passed explicitly (required), key and
# value are updated in place, seq_offset is optional.
_KV = ("i8", "f16", "bf16")
_I32 = ("i32", "i32", "i32")
_ND3 = ("ND", "ND", "ND")
GATHER_PA_KV_CACHE = OpSpec(
    op_type="GatherPaKvCache",
    tensors=(
        TensorParam("key_cache", "in", False, _KV, _ND3),
        TensorParam("value_cache", "in", False, _KV, _ND3),
        TensorParam("block_tables", "in", False, _I32, _ND3),
        TensorParam("seq_lens", "in", False, _I32, _ND3),
        TensorParam("key", "inout", False, _KV, _ND3),
        TensorParam("value", "inout", False, _KV, _ND3),
        TensorParam("seq_offset", "in", True, _I32, _ND3),
    ),
    attrs=(AttrParam("cache_mode", "str"), AttrParam("is_seq_lens_cumsum", "bool")),
)

# Two pure outputs that follow different inputs, and an attribute of every type with a default.
TWO_OUTPUTS = OpSpec(
    op_type="SplitScale",
    tensors=(
        TensorParam("x", "in", False, ("f16", "bf16"), ND2),
        TensorParam("scale", "in", False, ("f32", "f32"), ND2),
        TensorParam("y", "out", False, ("f16", "bf16"), ND2, like="x"),
        TensorParam("y_scale", "out", False, ("f32", "f32"), ND2, like="scale"),
    ),
    attrs=(
        AttrParam("mode", "str", "round_half"),
        AttrParam("axis", "int", -1),
        AttrParam("epsilon", "float", 1e-5),
        AttrParam("transpose", "bool", False),
    ),
    socs=("ascend910b",),
)

# A string attribute with a default (-> `Optional` suffix in aclnn), next to a required one.
OPTIONAL_STR_ATTR = OpSpec(
    op_type="RoundMode",
    tensors=(
        TensorParam("x", "in", False, ("f32",), ("ND",)),
        TensorParam("y", "out", False, ("f16",), ("ND",), like="x"),
    ),
    attrs=(AttrParam("round_mode", "str", "rint"), AttrParam("layout", "str")),
)

TRIVIAL_TILING_FUNC = """\
static ge::graphStatus TilingFunc(gert::TilingContext* context)
{
    context->SetBlockDim(1);
    return ge::GRAPH_SUCCESS;
}
"""

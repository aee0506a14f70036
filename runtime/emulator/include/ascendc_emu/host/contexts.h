// The contexts a tiling, InferShape and InferDataType function receives (metadef exe_graph/runtime).
//
// Index rules as in CANN: GetInputShape/GetInputDesc/GetInputTensor count the inputs that are present
// (an absent optional input is skipped); GetOptional* and GetRequired* take the index in the OpDef (IR
// index), GetOptional* returning nullptr for an absent input. Out-of-range indices and attribute type mismatches are errors here rather
// than a null pointer to dereference.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <type_traits>
#include <vector>

#include "../common/fault.h"
#include "graph.h"
#include "platform_infos.h"
#include "shape.h"

namespace gert {

class CompileTimeTensorDesc {
public:
    ge::DataType GetDataType() const { return dtype_; }
    ge::Format GetStorageFormat() const { return format_; }
    ge::Format GetOriginFormat() const { return format_; }

    ge::DataType dtype_ = ge::DT_UNDEFINED;
    ge::Format format_ = ge::FORMAT_ND;
};

// A tensor with host data: only ValueDepend inputs have one.
class Tensor {
public:
    int64_t GetShapeSize() const { return shape_.GetOriginShape().GetShapeSize(); }
    const Shape& GetOriginShape() const { return shape_.GetOriginShape(); }
    const Shape& GetStorageShape() const { return shape_.GetStorageShape(); }
    ge::DataType GetDataType() const { return dtype_; }
    template <typename T>
    const T* GetData() const { return reinterpret_cast<const T*>(data_); }
    const void* GetAddr() const { return data_; }

    StorageShape shape_;
    ge::DataType dtype_ = ge::DT_UNDEFINED;
    const void* data_ = nullptr;
};

class TilingData {
public:
    size_t GetCapacity() const { return capacity_; }
    size_t GetDataSize() const { return size_; }
    void SetDataSize(size_t size) {
        if (size > capacity_) ascendc_emu::host_fail(ascendc_emu::cat("TilingData::SetDataSize(", size, ") exceeds the capacity of ", capacity_, " bytes"));
        size_ = size;
    }
    void* GetData() { return data_; }
    const void* GetData() const { return data_; }

    static constexpr size_t kCapacity = 64 * 1024;
    alignas(64) uint8_t data_[kCapacity] = {};
    size_t capacity_ = kCapacity;
    size_t size_ = 0;
};

class RuntimeAttrs {
public:
    struct Value {
        std::string name;
        std::string type;  // int, bool, float, str, list_int, list_float
        int64_t i = 0;
        bool b = false;
        float f = 0.0f;
        std::string s;
        TypedContinuousVector<int64_t> li;
        TypedContinuousVector<float> lf;
    };

    const int64_t* GetInt(size_t index) const { return &get(index, "int", "GetInt").i; }
    const bool* GetBool(size_t index) const { return &get(index, "bool", "GetBool").b; }
    const float* GetFloat(size_t index) const { return &get(index, "float", "GetFloat").f; }
    const char* GetStr(size_t index) const { return get(index, "str", "GetStr").s.c_str(); }
    const TypedContinuousVector<int64_t>* GetListInt(size_t index) const { return &get(index, "list_int", "GetListInt").li; }
    const TypedContinuousVector<float>* GetListFloat(size_t index) const { return &get(index, "list_float", "GetListFloat").lf; }
    size_t GetAttrNum() const { return values_.size(); }

    template <typename T>
    const T* GetAttrPointer(size_t index) const {
        if constexpr (std::is_same_v<T, int64_t>) return GetInt(index);
        else if constexpr (std::is_same_v<T, bool>) return GetBool(index);
        else if constexpr (std::is_same_v<T, float>) return GetFloat(index);
        else if constexpr (std::is_same_v<T, char>) return GetStr(index);
        else {
            static_assert(sizeof(T) == 0, "GetAttrPointer<T>: the emulator supports int64_t, bool, float and char");
            return nullptr;
        }
    }

    std::vector<Value> values_;

private:
    const Value& get(size_t index, const char* type, const char* api) const {
        if (index >= values_.size()) {
            ascendc_emu::host_fail(ascendc_emu::cat("GetAttrs()->", api, "(", index, "): the OpDef declares ", values_.size(), " attributes"));
        }
        const Value& v = values_[index];
        if (v.type != type) {
            ascendc_emu::host_fail(ascendc_emu::cat("GetAttrs()->", api, "(", index, "): attribute '", v.name, "' is of type ", v.type, ", not ", type));
        }
        return v;
    }
};

// One tensor parameter of the op as the contexts see it.
struct ParamInfo {
    std::string name;
    bool present = true;
    StorageShape shape;
    CompileTimeTensorDesc desc;
    Tensor tensor;  // data only for ValueDepend inputs
    bool value_depend = false;
};

// Shared lookups by instance index (present tensors only) and by IR index.
class ParamTable {
public:
    std::vector<ParamInfo> params_;  // IR order

    const ParamInfo& instance(size_t index, const char* api, const char* kind) const {
        size_t seen = 0;
        for (const ParamInfo& p : params_) {
            if (!p.present) continue;
            if (seen++ == index) return p;
        }
        ascendc_emu::host_fail(ascendc_emu::cat(api, "(", index, "): the op has ", seen, " ", kind, " present (an absent optional input is not counted)"));
    }
    const ParamInfo* ir(size_t index, const char* api, const char* kind) const {
        if (index >= params_.size()) ascendc_emu::host_fail(ascendc_emu::cat(api, "(", index, "): the OpDef declares ", params_.size(), " ", kind));
        const ParamInfo& p = params_[index];
        return p.present ? &p : nullptr;
    }
    const ParamInfo& required(size_t index, const char* api, const char* kind) const {
        const ParamInfo* p = ir(index, api, kind);
        if (p == nullptr) ascendc_emu::host_fail(ascendc_emu::cat(api, "(", index, "): '", params_[index].name, "' is absent"));
        return *p;
    }
};

class TilingContext {
public:
    const StorageShape* GetInputShape(size_t index) const { return &inputs_.instance(index, "TilingContext::GetInputShape", "inputs").shape; }
    const StorageShape* GetOptionalInputShape(size_t ir_index) const {
        const ParamInfo* p = inputs_.ir(ir_index, "TilingContext::GetOptionalInputShape", "inputs");
        return p ? &p->shape : nullptr;
    }
    const StorageShape* GetOutputShape(size_t index) const { return &outputs_.instance(index, "TilingContext::GetOutputShape", "outputs").shape; }
    const CompileTimeTensorDesc* GetInputDesc(size_t index) const { return &inputs_.instance(index, "TilingContext::GetInputDesc", "inputs").desc; }
    const CompileTimeTensorDesc* GetOptionalInputDesc(size_t ir_index) const {
        const ParamInfo* p = inputs_.ir(ir_index, "TilingContext::GetOptionalInputDesc", "inputs");
        return p ? &p->desc : nullptr;
    }
    const CompileTimeTensorDesc* GetOutputDesc(size_t index) const { return &outputs_.instance(index, "TilingContext::GetOutputDesc", "outputs").desc; }
    const StorageShape* GetRequiredInputShape(size_t ir_index) const {
        return &inputs_.required(ir_index, "TilingContext::GetRequiredInputShape", "inputs").shape;
    }
    const CompileTimeTensorDesc* GetRequiredInputDesc(size_t ir_index) const {
        return &inputs_.required(ir_index, "TilingContext::GetRequiredInputDesc", "inputs").desc;
    }
    const Tensor* GetRequiredInputTensor(size_t ir_index) const {
        const ParamInfo& p = inputs_.required(ir_index, "TilingContext::GetRequiredInputTensor", "inputs");
        return p.value_depend ? &p.tensor : nullptr;
    }
    const Tensor* GetInputTensor(size_t index) const {
        const ParamInfo& p = inputs_.instance(index, "TilingContext::GetInputTensor", "inputs");
        return p.value_depend ? &p.tensor : nullptr;
    }
    const Tensor* GetOptionalInputTensor(size_t ir_index) const {
        const ParamInfo* p = inputs_.ir(ir_index, "TilingContext::GetOptionalInputTensor", "inputs");
        return p && p->value_depend ? &p->tensor : nullptr;
    }
    const RuntimeAttrs* GetAttrs() const { return &attrs_; }
    const char* GetNodeName() const { return node_name_.c_str(); }
    const char* GetNodeType() const { return node_type_.c_str(); }

    ge::graphStatus SetBlockDim(uint32_t block_dim) {
        block_dim_ = block_dim;
        return ge::GRAPH_SUCCESS;
    }
    uint32_t GetBlockDim() const { return block_dim_; }
    ge::graphStatus SetTilingKey(uint64_t key) {
        tiling_key_ = key;
        return ge::GRAPH_SUCCESS;
    }
    uint64_t GetTilingKey() const { return tiling_key_; }
    ge::graphStatus SetScheduleMode(uint32_t mode) {
        schedule_mode_ = mode;
        return ge::GRAPH_SUCCESS;
    }
    uint32_t GetScheduleMode() const { return schedule_mode_; }
    ge::graphStatus SetNeedAtomic(bool need) {
        need_atomic_ = need;
        return ge::GRAPH_SUCCESS;
    }
    size_t* GetWorkspaceSizes(size_t num) {
        if (num > kMaxWorkspaces) ascendc_emu::host_fail(ascendc_emu::cat("TilingContext::GetWorkspaceSizes(", num, "): at most ", kMaxWorkspaces));
        if (num > workspace_num_) workspace_num_ = num;
        return workspaces_;
    }
    size_t GetWorkspaceNum() const { return workspace_num_; }
    TilingData* GetRawTilingData() { return &tiling_; }
    template <typename T>
    T* GetTilingData() {
        static_assert(std::is_trivially_copyable_v<T>, "GetTilingData<T>: the tiling struct must be plain data");
        if (sizeof(T) > tiling_.GetCapacity()) return nullptr;
        tiling_.SetDataSize(sizeof(T));
        return reinterpret_cast<T*>(tiling_.GetData());
    }
    fe::PlatFormInfos* GetPlatformInfo() const { return platform_; }

    // Emulator state, filled by the harness.
    static constexpr size_t kMaxWorkspaces = 16;
    ParamTable inputs_;
    ParamTable outputs_;
    RuntimeAttrs attrs_;
    std::string node_name_;
    std::string node_type_;
    fe::PlatFormInfos* platform_ = nullptr;
    uint32_t block_dim_ = 0;
    uint64_t tiling_key_ = 0;
    uint32_t schedule_mode_ = 0;
    bool need_atomic_ = false;
    size_t workspaces_[kMaxWorkspaces] = {};
    size_t workspace_num_ = 0;
    TilingData tiling_;
};

class InferShapeContext {
public:
    const Shape* GetInputShape(size_t index) const { return &inputs_.instance(index, "InferShapeContext::GetInputShape", "inputs").shape.GetOriginShape(); }
    const Shape* GetOptionalInputShape(size_t ir_index) const {
        const ParamInfo* p = inputs_.ir(ir_index, "InferShapeContext::GetOptionalInputShape", "inputs");
        return p ? &p->shape.GetOriginShape() : nullptr;
    }
    const Shape* GetRequiredInputShape(size_t ir_index) const {
        return &inputs_.required(ir_index, "InferShapeContext::GetRequiredInputShape", "inputs").shape.GetOriginShape();
    }
    const Tensor* GetRequiredInputTensor(size_t ir_index) const {
        const ParamInfo& p = inputs_.required(ir_index, "InferShapeContext::GetRequiredInputTensor", "inputs");
        return p.value_depend ? &p.tensor : nullptr;
    }
    Shape* GetOutputShape(size_t index) {
        if (index >= outputs_.size()) ascendc_emu::host_fail(ascendc_emu::cat("InferShapeContext::GetOutputShape(", index, "): the op has ", outputs_.size(), " outputs"));
        return &outputs_[index];
    }
    const Tensor* GetInputTensor(size_t index) const {
        const ParamInfo& p = inputs_.instance(index, "InferShapeContext::GetInputTensor", "inputs");
        return p.value_depend ? &p.tensor : nullptr;
    }
    const RuntimeAttrs* GetAttrs() const { return &attrs_; }

    ParamTable inputs_;
    std::vector<Shape> outputs_;
    RuntimeAttrs attrs_;
};

class InferDataTypeContext {
public:
    ge::DataType GetInputDataType(size_t index) const { return inputs_.instance(index, "InferDataTypeContext::GetInputDataType", "inputs").desc.dtype_; }
    ge::DataType GetOptionalInputDataType(size_t ir_index) const {
        const ParamInfo* p = inputs_.ir(ir_index, "InferDataTypeContext::GetOptionalInputDataType", "inputs");
        return p ? p->desc.dtype_ : ge::DT_UNDEFINED;
    }
    ge::DataType GetRequiredInputDataType(size_t ir_index) const {
        return inputs_.required(ir_index, "InferDataTypeContext::GetRequiredInputDataType", "inputs").desc.dtype_;
    }
    ge::graphStatus SetOutputDataType(size_t index, ge::DataType dtype) {
        if (index >= outputs_.size()) {
            ascendc_emu::host_fail(ascendc_emu::cat("InferDataTypeContext::SetOutputDataType(", index, "): the op has ", outputs_.size(), " outputs"));
        }
        outputs_[index] = dtype;
        return ge::GRAPH_SUCCESS;
    }
    ge::DataType GetOutputDataType(size_t index) const { return index < outputs_.size() ? outputs_[index] : ge::DT_UNDEFINED; }
    const RuntimeAttrs* GetAttrs() const { return &attrs_; }

    ParamTable inputs_;
    std::vector<ge::DataType> outputs_;
    RuntimeAttrs attrs_;
};

}  // namespace gert

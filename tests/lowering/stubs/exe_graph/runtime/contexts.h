// Stub of the gert runtime contexts (exe_graph/runtime/{shape,storage_shape,infer_shape_context,
// infer_datatype_context,tiling_context}.h): declarations only, for syntax checks.
#ifndef ASCDSL_STUB_EXE_GRAPH_CONTEXTS_H
#define ASCDSL_STUB_EXE_GRAPH_CONTEXTS_H
#include <cstddef>
#include <cstdint>

#include "graph/types.h"

namespace fe {
class PlatFormInfos;
}  // namespace fe

namespace gert {
class Shape {
public:
    Shape();
    Shape(const Shape& other);
    Shape& operator=(const Shape& other);
    size_t GetDimNum() const;
    int64_t GetDim(size_t index) const;
    int64_t GetShapeSize() const;
    void SetDimNum(size_t dim_num);
    Shape& AppendDim(int64_t value);
    ge::graphStatus SetDim(size_t index, int64_t value);
};

class StorageShape {
public:
    const Shape& GetOriginShape() const;
    const Shape& GetStorageShape() const;
};

class CompileTimeTensorDesc {
public:
    ge::DataType GetDataType() const;
};

class RuntimeAttrs {
public:
    const int64_t* GetInt(size_t index) const;
    const float* GetFloat(size_t index) const;
    const bool* GetBool(size_t index) const;
    const char* GetStr(size_t index) const;
};

class InferShapeContext {
public:
    const Shape* GetInputShape(size_t index) const;
    const Shape* GetRequiredInputShape(size_t ir_index) const;
    const Shape* GetOptionalInputShape(size_t ir_index) const;
    Shape* GetOutputShape(size_t index);
    const RuntimeAttrs* GetAttrs() const;
};

class InferDataTypeContext {
public:
    ge::DataType GetInputDataType(size_t index) const;
    ge::DataType GetRequiredInputDataType(size_t ir_index) const;
    ge::DataType GetOptionalInputDataType(size_t ir_index) const;
    ge::graphStatus SetOutputDataType(size_t index, ge::DataType data_type);
};

class TilingData {
public:
    void* GetData();
    size_t GetCapacity() const;
    void SetDataSize(size_t size);
};

class TilingContext {
public:
    const StorageShape* GetInputShape(size_t index) const;
    const StorageShape* GetOptionalInputShape(size_t ir_index) const;
    const StorageShape* GetOutputShape(size_t index) const;
    const CompileTimeTensorDesc* GetInputDesc(size_t index) const;
    const RuntimeAttrs* GetAttrs() const;
    ge::graphStatus SetBlockDim(uint32_t block_dim);
    ge::graphStatus SetTilingKey(uint64_t tiling_key);
    ge::graphStatus SetScheduleMode(uint32_t schedule_mode);
    ge::graphStatus SetNeedAtomic(bool need_atomic);
    size_t* GetWorkspaceSizes(size_t workspace_count);
    TilingData* GetRawTilingData();
    fe::PlatFormInfos* GetPlatformInfo() const;
    template <typename T>
    T* GetTilingData();
};

using InferShapeKernelFunc = ge::graphStatus (*)(InferShapeContext*);
using InferDataTypeKernelFunc = ge::graphStatus (*)(InferDataTypeContext*);
using TilingKernelFunc = ge::graphStatus (*)(TilingContext*);
}  // namespace gert
#endif

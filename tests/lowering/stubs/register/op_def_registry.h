// Stub of metadef register/op_def.h and register/op_def_registry.h: the OpDef builder API and OP_ADD,
// declared with the signatures the generated code relies on. Syntax checks only.
#ifndef ASCDSL_STUB_REGISTER_OP_DEF_REGISTRY_H
#define ASCDSL_STUB_REGISTER_OP_DEF_REGISTRY_H
#include <cstdint>
#include <vector>

#include "exe_graph/runtime/contexts.h"
#include "graph/types.h"

namespace ops {
enum Option { IGNORE = 0, OPTIONAL = 1, REQUIRED = 2, DYNAMIC = 3, VIRTUAL = 4 };

class OpParamDef {
public:
    OpParamDef& ParamType(Option param_type);
    OpParamDef& DataType(std::vector<ge::DataType> types);
    OpParamDef& Format(std::vector<ge::Format> formats);
    OpParamDef& UnknownShapeFormat(std::vector<ge::Format> formats);
    OpParamDef& ValueDepend(Option value_depend);
    OpParamDef& AutoContiguous();
};

class OpAttrDef {
public:
    OpAttrDef& AttrType(Option attr_type);
    OpAttrDef& Bool();
    OpAttrDef& Bool(bool value);
    OpAttrDef& Float();
    OpAttrDef& Float(float value);
    OpAttrDef& Int();
    OpAttrDef& Int(int64_t value);
    OpAttrDef& String();
    OpAttrDef& String(const char* value);
};

class OpAICoreConfig;

class OpAICoreDef {
public:
    OpAICoreDef& SetTiling(gert::TilingKernelFunc func);
    OpAICoreDef& AddConfig(const char* soc);
    OpAICoreDef& AddConfig(const char* soc, OpAICoreConfig& config);
};

class OpDef {
public:
    explicit OpDef(const char* type);
    OpParamDef& Input(const char* name);
    OpParamDef& Output(const char* name);
    OpAttrDef& Attr(const char* name);
    OpDef& SetInferShape(gert::InferShapeKernelFunc func);
    OpDef& SetInferDataType(gert::InferDataTypeKernelFunc func);
    OpAICoreDef& AICore();
};

template <typename T>
int RegisterOpDef(const char* op_type);
}  // namespace ops

// The real macro builds the OpDef through a creator in a static registrar; this keeps the same use.
#define OP_ADD(opType) static const int g_##opType##_registered = ::ops::RegisterOpDef<opType>(#opType)
#endif

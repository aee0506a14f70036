// ops::OpDef and OP_ADD: the op registration of a CANN op_host file, kept in a registry the harness reads.
#pragma once

#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "../common/fault.h"
#include "contexts.h"
#include "graph.h"

namespace gert {
using TilingKernelFunc = ge::graphStatus (*)(TilingContext*);
using InferShapeKernelFunc = ge::graphStatus (*)(InferShapeContext*);
using InferDataTypeKernelFunc = ge::graphStatus (*)(InferDataTypeContext*);
}  // namespace gert

namespace ops {

enum Option { IGNORE = 0, OPTIONAL = 1, REQUIRED = 2, DYNAMIC = 3, VIRTUAL = 4 };
enum class DependScope : uint32_t { ALL = 0, TILING = 1, INVALID_SCOPE };
enum class FollowType : uint32_t { ALL = 0, DTYPE = 1, FORMAT = 2, SHAPE = 3, INVALID_TYPE };

class OpParamDef {
public:
    explicit OpParamDef(const char* name) : name_(name) {}

    OpParamDef& ParamType(Option option) {
        option_ = option;
        return *this;
    }
    OpParamDef& DataType(std::vector<ge::DataType> types) {
        dtypes_ = std::move(types);
        return *this;
    }
    OpParamDef& DataTypeList(std::vector<ge::DataType> types) {
        dtypes_ = std::move(types);
        dtype_list_ = true;
        return *this;
    }
    OpParamDef& Format(std::vector<ge::Format> formats) {
        formats_ = std::move(formats);
        return *this;
    }
    OpParamDef& FormatList(std::vector<ge::Format> formats) {
        formats_ = std::move(formats);
        format_list_ = true;
        return *this;
    }
    OpParamDef& UnknownShapeFormat(std::vector<ge::Format> formats) {
        unknown_shape_formats_ = std::move(formats);
        return *this;
    }
    OpParamDef& ValueDepend(Option) {
        value_depend_ = true;
        return *this;
    }
    OpParamDef& ValueDepend(Option, DependScope) {
        value_depend_ = true;
        return *this;
    }
    OpParamDef& AutoContiguous() { return *this; }
    OpParamDef& IgnoreContiguous() { return *this; }
    OpParamDef& Scalar() { return *this; }
    OpParamDef& ScalarList() { return *this; }
    OpParamDef& Follow(const char* name) {
        follow_ = name;
        return *this;
    }
    OpParamDef& Follow(const char* name, FollowType) { return Follow(name); }
    OpParamDef& Version(uint32_t) { return *this; }
    OpParamDef& OutputShapeDependOnCompute() { return *this; }
    OpParamDef& InitValue(uint64_t) { return *this; }

    // Emulator state.
    std::string name_;
    Option option_ = REQUIRED;
    std::vector<ge::DataType> dtypes_;
    std::vector<ge::Format> formats_;
    std::vector<ge::Format> unknown_shape_formats_;
    bool dtype_list_ = false;
    bool format_list_ = false;
    bool value_depend_ = false;
    std::string follow_;
};

class OpAttrDef {
public:
    explicit OpAttrDef(const char* name) : name_(name) {}

    OpAttrDef& AttrType(Option option) {
        option_ = option;
        return *this;
    }
    OpAttrDef& Bool() { return type("bool"); }
    OpAttrDef& Bool(bool value) {
        b_ = value;
        return type("bool", true);
    }
    OpAttrDef& Float() { return type("float"); }
    OpAttrDef& Float(float value) {
        f_ = value;
        return type("float", true);
    }
    OpAttrDef& Int() { return type("int"); }
    OpAttrDef& Int(int64_t value) {
        i_ = value;
        return type("int", true);
    }
    OpAttrDef& String() { return type("str"); }
    OpAttrDef& String(const char* value) {
        s_ = value;
        return type("str", true);
    }
    OpAttrDef& ListInt() { return type("list_int"); }
    OpAttrDef& ListInt(std::vector<int64_t> value) {
        li_ = std::move(value);
        return type("list_int", true);
    }
    OpAttrDef& ListFloat() { return type("list_float"); }
    OpAttrDef& ListFloat(std::vector<float> value) {
        lf_ = std::move(value);
        return type("list_float", true);
    }
    OpAttrDef& Version(uint32_t) { return *this; }

    // Emulator state.
    std::string name_;
    Option option_ = REQUIRED;
    std::string type_;
    bool has_default_ = false;
    bool b_ = false;
    float f_ = 0.0f;
    int64_t i_ = 0;
    std::string s_;
    std::vector<int64_t> li_;
    std::vector<float> lf_;

private:
    OpAttrDef& type(const char* t, bool with_default = false) {
        type_ = t;
        has_default_ = with_default;
        return *this;
    }
};

class OpAICoreConfig {
public:
    OpAICoreConfig() = default;
    explicit OpAICoreConfig(const char*) {}
    OpAICoreConfig& DynamicCompileStaticFlag(bool) { return *this; }
    OpAICoreConfig& DynamicFormatFlag(bool) { return *this; }
    OpAICoreConfig& DynamicRankSupportFlag(bool) { return *this; }
    OpAICoreConfig& DynamicShapeSupportFlag(bool) { return *this; }
    OpAICoreConfig& NeedCheckSupportFlag(bool) { return *this; }
    OpAICoreConfig& PrecisionReduceFlag(bool) { return *this; }
    OpAICoreConfig& ExtendCfgInfo(const char*, const char*) { return *this; }
};

class OpAICoreDef {
public:
    OpAICoreDef& SetTiling(gert::TilingKernelFunc func) {
        tiling_ = func;
        return *this;
    }
    template <class F>
    OpAICoreDef& SetCheckSupport(F) {
        return *this;
    }
    template <class F>
    OpAICoreDef& SetOpSelectFormat(F) {
        return *this;
    }
    OpAICoreDef& AddConfig(const char* soc) {
        socs_.push_back(soc);
        return *this;
    }
    OpAICoreDef& AddConfig(const char* soc, OpAICoreConfig&) { return AddConfig(soc); }

    // Emulator state.
    gert::TilingKernelFunc tiling_ = nullptr;
    std::vector<std::string> socs_;
};

// OpDef::MC2(): an operator that communicates; HcclGroup names the string attribute holding the communicator.
class OpMC2Def {
public:
    OpMC2Def& HcclGroup(const char* attr) {
        groups_.push_back(attr);
        return *this;
    }
    std::vector<std::string> groups_;
};

class OpDef {
public:
    explicit OpDef(const char* type) : type_(type) {}
    virtual ~OpDef() = default;

    OpParamDef& Input(const char* name) { return add(inputs_, name, "Input"); }
    OpParamDef& Output(const char* name) { return add(outputs_, name, "Output"); }
    OpAttrDef& Attr(const char* name) {
        for (const OpAttrDef& a : attrs_)
            if (a.name_ == name) ascendc_emu::host_fail(ascendc_emu::cat("OpDef ", type_, ": Attr(\"", name, "\") declared twice"));
        attrs_.emplace_back(name);
        return attrs_.back();
    }
    OpDef& SetInferShape(gert::InferShapeKernelFunc func) {
        infer_shape_ = func;
        return *this;
    }
    OpDef& SetInferDataType(gert::InferDataTypeKernelFunc func) {
        infer_dtype_ = func;
        return *this;
    }
    template <class F>
    OpDef& SetInferShapeRange(F) {
        return *this;
    }
    OpAICoreDef& AICore() { return aicore_; }
    OpMC2Def& MC2() { return mc2_; }

    // Emulator state.
    std::string type_;
    std::deque<OpParamDef> inputs_;
    std::deque<OpParamDef> outputs_;
    std::deque<OpAttrDef> attrs_;
    gert::InferShapeKernelFunc infer_shape_ = nullptr;
    gert::InferDataTypeKernelFunc infer_dtype_ = nullptr;
    OpAICoreDef aicore_;
    OpMC2Def mc2_;

private:
    OpParamDef& add(std::deque<OpParamDef>& list, const char* name, const char* what) {
        for (const OpParamDef& p : list)
            if (p.name_ == name) ascendc_emu::host_fail(ascendc_emu::cat("OpDef ", type_, ": ", what, "(\"", name, "\") declared twice"));
        list.emplace_back(name);
        return list.back();
    }
};

}  // namespace ops

namespace ascendc_emu {

// Every OP_ADD of the linked op_host files, by OpType; a constructor that failed leaves its message.
struct OpEntry {
    std::unique_ptr<ops::OpDef> def;
    std::string error;
};

inline std::map<std::string, OpEntry>& op_registry() {
    static std::map<std::string, OpEntry> registry;
    return registry;
}

struct OpRegistrar {
    OpRegistrar(const char* type, const std::function<ops::OpDef*()>& make) {
        OpEntry& e = op_registry()[type];
        try {
            e.def.reset(make());
        } catch (const std::exception& ex) {
            e.error = ex.what();
        }
    }
};

}  // namespace ascendc_emu

#define OP_ADD(opType, ...) \
    static ::ascendc_emu::OpRegistrar ascendc_emu_op_registrar_##opType(#opType, [] { return static_cast<::ops::OpDef*>(new opType(#opType)); })

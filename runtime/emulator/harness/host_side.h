// The host half of a launch: find the registered OpDef, check it against the call, build the contexts, run
// InferShape / InferDataType (when set) and the tiling function, and check what tiling decided.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "ascendc_emu/host/op_def.h"
#include "ascendc_emu/host/platform_infos.h"
#include "manifest.h"

namespace harness {

using ascendc_emu::cat;
using ascendc_emu::host_fail;

struct DTypeInfo {
    const char* name;
    ge::DataType ge;
    const char* ge_name;
    size_t size;
};

inline const DTypeInfo& dtype_info(const std::string& name) {
    static const DTypeInfo table[] = {
        {"f16", ge::DT_FLOAT16, "DT_FLOAT16", 2},  {"bf16", ge::DT_BF16, "DT_BF16", 2},
        {"f32", ge::DT_FLOAT, "DT_FLOAT", 4},      {"f8e5m2", ge::DT_FLOAT8_E5M2, "DT_FLOAT8_E5M2", 1},
        {"f8e4m3fn", ge::DT_FLOAT8_E4M3FN, "DT_FLOAT8_E4M3FN", 1}, {"hif8", ge::DT_HIFLOAT8, "DT_HIFLOAT8", 1},
        {"i8", ge::DT_INT8, "DT_INT8", 1},         {"u8", ge::DT_UINT8, "DT_UINT8", 1},
        {"i16", ge::DT_INT16, "DT_INT16", 2},      {"u16", ge::DT_UINT16, "DT_UINT16", 2},
        {"i32", ge::DT_INT32, "DT_INT32", 4},      {"u32", ge::DT_UINT32, "DT_UINT32", 4},
        {"i64", ge::DT_INT64, "DT_INT64", 8},      {"u64", ge::DT_UINT64, "DT_UINT64", 8},
        {"bool", ge::DT_BOOL, "DT_BOOL", 1},
    };
    for (const DTypeInfo& d : table)
        if (name == d.name) return d;
    host_fail("unknown dtype '" + name + "'");
}

inline const char* ge_name(ge::DataType t) {
    static const char* names[] = {"f16", "bf16", "f32", "f8e5m2", "f8e4m3fn", "hif8", "i8", "u8", "i16", "u16", "i32", "u32", "i64", "u64", "bool"};
    for (const char* n : names)
        if (dtype_info(n).ge == t) return dtype_info(n).ge_name;
    return "DT_?";
}

inline uint64_t elements(const std::vector<int64_t>& shape) {
    uint64_t n = 1;
    for (int64_t d : shape) n *= uint64_t(d);
    return n;
}

inline std::string join_names(const std::vector<std::string>& names) {
    std::string out;
    for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
    return "(" + out + ")";
}

inline std::string shape_text(const std::vector<int64_t>& dims) {
    std::string out;
    for (int64_t d : dims) out += (out.empty() ? "" : ", ") + std::to_string(d);
    return "[" + out + "]";
}

// What the host side hands to the launch.
struct HostResult {
    std::vector<const TensorArg*> inputs;   // OpDef input order; absent optional inputs are present() == false
    std::vector<const TensorArg*> outputs;  // OpDef output order
    uint32_t block_dim = 0;
    uint64_t tiling_key = 0;
    uint32_t schedule_mode = 0;
    bool need_atomic = false;
    uint64_t workspace_bytes = 0;
    std::vector<uint8_t> tiling;
};

inline const ops::OpDef& find_op(const Manifest& m) {
    auto& reg = ascendc_emu::op_registry();
    auto it = reg.find(m.op);
    if (it == reg.end()) {
        std::vector<std::string> names;
        for (auto& kv : reg) names.push_back(kv.first);
        host_fail(cat("the op_host sources register no OpDef named '", m.op, "' with OP_ADD (registered: ", names.empty() ? "none" : join_names(names), ")"));
    }
    if (!it->second.error.empty()) host_fail(cat("the OpDef constructor of ", m.op, " failed: ", it->second.error));
    return *it->second.def;
}

// Match the OpDef's inputs (or outputs) with the call's tensors, by name and in order.
inline std::vector<const TensorArg*> match_params(const Manifest& m, const std::deque<ops::OpParamDef>& defs, bool inputs) {
    std::vector<std::string> declared, called;
    std::vector<const TensorArg*> out;
    for (const auto& p : defs) declared.push_back(p.name_);
    for (const TensorArg& t : m.tensors)
        if (inputs ? t.is_input() : t.is_output()) {
            called.push_back(t.name);
            out.push_back(&t);
        }
    const char* kind = inputs ? "inputs" : "outputs";
    if (declared != called) host_fail(cat("OpDef ", m.op, " declares the ", kind, " ", join_names(declared), " but the call has the ", kind, " ", join_names(called)));
    for (size_t i = 0; i < defs.size(); ++i) {
        const ops::OpParamDef& d = defs[i];
        if (d.option_ == ops::DYNAMIC) host_fail(cat("OpDef ", m.op, ": DYNAMIC ", kind, " ('", d.name_, "') are not supported by the emulator"));
        if (!out[i]->present() && d.option_ != ops::OPTIONAL) host_fail(cat("OpDef ", m.op, ": the REQUIRED input '", d.name_, "' is absent"));
    }
    return out;
}

// The OpDef's DataType lists are columns of supported combinations; the call must match one column.
inline void check_dtypes(const Manifest& m, const ops::OpDef& op, const HostResult& h) {
    std::vector<std::pair<const ops::OpParamDef*, const TensorArg*>> all;
    for (size_t i = 0; i < op.inputs_.size(); ++i) all.push_back({&op.inputs_[i], h.inputs[i]});
    for (size_t i = 0; i < op.outputs_.size(); ++i) all.push_back({&op.outputs_[i], h.outputs[i]});
    size_t columns = all.empty() ? 0 : all[0].first->dtypes_.size();
    for (auto& [def, arg] : all) {
        if (def->dtypes_.size() != columns) {
            host_fail(cat("OpDef ", m.op, ": the DataType lists differ in length ('", all[0].first->name_, "' has ", columns, ", '", def->name_, "' has ",
                          def->dtypes_.size(), "); entry i of every list is one supported combination"));
        }
        if (!def->formats_.empty() && def->formats_.size() != columns) {
            host_fail(cat("OpDef ", m.op, ": '", def->name_, "' has ", def->formats_.size(), " formats but ", columns, " data types"));
        }
    }
    for (size_t j = 0; j < columns; ++j) {
        bool ok = true;
        for (auto& [def, arg] : all)
            if (arg->present() && def->dtypes_[j] != dtype_info(arg->dtype).ge) ok = false;
        if (ok) return;
    }
    std::string call;
    for (auto& [def, arg] : all) call += cat(call.empty() ? "" : ", ", def->name_, "=", arg->present() ? dtype_info(arg->dtype).ge_name : "absent");
    host_fail(cat("OpDef ", m.op, " supports no DataType combination matching ", call));
}

inline gert::RuntimeAttrs make_attrs(const Manifest& m, const ops::OpDef& op) {
    gert::RuntimeAttrs attrs;
    for (const AttrArg& a : m.attrs) {
        bool known = false;
        for (const auto& d : op.attrs_) known |= d.name_ == a.name;
        if (!known) host_fail(cat("the call passes the attribute '", a.name, "' but OpDef ", m.op, " declares no such Attr"));
    }
    for (const ops::OpAttrDef& d : op.attrs_) {
        gert::RuntimeAttrs::Value v;
        v.name = d.name_;
        v.type = d.type_;
        const AttrArg* given = nullptr;
        for (const AttrArg& a : m.attrs)
            if (a.name == d.name_) given = &a;
        if (given == nullptr) {
            if (d.option_ == ops::REQUIRED) host_fail(cat("the REQUIRED attribute '", d.name_, "' of ", m.op, " has no value"));
            if (!d.has_default_) host_fail(cat("the OPTIONAL attribute '", d.name_, "' of ", m.op, " has no value and the OpDef gives no default"));
            v.i = d.i_, v.b = d.b_, v.f = d.f_, v.s = d.s_;
            v.li = gert::TypedContinuousVector<int64_t>(d.li_);
            v.lf = gert::TypedContinuousVector<float>(d.lf_);
        } else {
            if (given->type != d.type_) host_fail(cat("attribute '", d.name_, "' is ", d.type_, " in OpDef ", m.op, " but the call passes a ", given->type));
            const auto& vals = given->values;
            if (d.type_ == "int") v.i = std::stoll(vals.at(0));
            else if (d.type_ == "bool") v.b = vals.at(0) == "1";
            else if (d.type_ == "float") v.f = float(std::strtod(vals.at(0).c_str(), nullptr));
            else if (d.type_ == "str") v.s = unhex(vals.at(0));
            else if (d.type_ == "list_int") {
                std::vector<int64_t> li;
                for (size_t k = 1; k < vals.size(); ++k) li.push_back(std::stoll(vals[k]));
                v.li = gert::TypedContinuousVector<int64_t>(li);
            } else if (d.type_ == "list_float") {
                std::vector<float> lf;
                for (size_t k = 1; k < vals.size(); ++k) lf.push_back(float(std::strtod(vals[k].c_str(), nullptr)));
                v.lf = gert::TypedContinuousVector<float>(lf);
            }
        }
        attrs.values_.push_back(v);
    }
    return attrs;
}

inline std::vector<uint8_t> read_file(const std::string& path, uint64_t bytes) {
    std::vector<uint8_t> data(bytes);
    std::ifstream in(path, std::ios::binary);
    if (!in) host_fail("cannot read " + path);
    in.read(reinterpret_cast<char*>(data.data()), std::streamsize(bytes));
    if (uint64_t(in.gcount()) != bytes) host_fail(cat(path, " holds fewer than the ", bytes, " bytes its shape and dtype need"));
    return data;
}

inline gert::ParamTable make_table(const Manifest& m, const std::deque<ops::OpParamDef>& defs, const std::vector<const TensorArg*>& args) {
    gert::ParamTable table;
    for (size_t i = 0; i < defs.size(); ++i) {
        const TensorArg& a = *args[i];
        gert::ParamInfo p;
        p.name = a.name;
        p.present = a.present();
        if (p.present) {
            gert::Shape s;
            for (int64_t d : a.shape) s.AppendDim(d);
            p.shape = gert::StorageShape(s, s);
            p.desc.dtype_ = dtype_info(a.dtype).ge;
            p.desc.format_ = defs[i].formats_.empty() ? ge::FORMAT_ND : defs[i].formats_[0];
            p.value_depend = defs[i].value_depend_;
            p.tensor.shape_ = p.shape;
            p.tensor.dtype_ = p.desc.dtype_;
        }
        table.params_.push_back(p);
    }
    (void)m;
    return table;
}

inline void run_inference(const Manifest& m, const ops::OpDef& op, const gert::ParamTable& inputs, const gert::RuntimeAttrs& attrs, const HostResult& h) {
    if (op.infer_shape_ != nullptr) {
        gert::InferShapeContext ctx;
        ctx.inputs_ = inputs;
        ctx.attrs_ = attrs;
        ctx.outputs_.resize(h.outputs.size());
        if (op.infer_shape_(&ctx) != ge::GRAPH_SUCCESS) host_fail(cat("the InferShape function of ", m.op, " failed"));
        for (size_t i = 0; i < h.outputs.size(); ++i) {
            if (ctx.outputs_[i].dims() != h.outputs[i]->shape) {
                host_fail(cat("InferShape of ", m.op, " gives output '", h.outputs[i]->name, "' the shape ", shape_text(ctx.outputs_[i].dims()),
                              " but the array passed has the shape ", shape_text(h.outputs[i]->shape)));
            }
        }
    }
    if (op.infer_dtype_ != nullptr) {
        gert::InferDataTypeContext ctx;
        ctx.inputs_ = inputs;
        ctx.attrs_ = attrs;
        ctx.outputs_.assign(h.outputs.size(), ge::DT_UNDEFINED);
        if (op.infer_dtype_(&ctx) != ge::GRAPH_SUCCESS) host_fail(cat("the InferDataType function of ", m.op, " failed"));
        for (size_t i = 0; i < h.outputs.size(); ++i) {
            ge::DataType want = dtype_info(h.outputs[i]->dtype).ge;
            if (ctx.outputs_[i] != want) {
                host_fail(cat("InferDataType of ", m.op, " gives output '", h.outputs[i]->name, "' ", ge_name(ctx.outputs_[i]), " but the array passed is ",
                              ge_name(want)));
            }
        }
    }
}

inline HostResult run_host(const Manifest& m) {
    const ops::OpDef& op = find_op(m);
    HostResult h;
    h.inputs = match_params(m, op.inputs_, true);
    h.outputs = match_params(m, op.outputs_, false);
    check_dtypes(m, op, h);
    bool soc_ok = false;
    for (const std::string& s : op.aicore_.socs_) soc_ok |= s == m.soc;
    if (!soc_ok) host_fail(cat("OpDef ", m.op, " has no AICore().AddConfig(\"", m.soc, "\") (configured: ", join_names(op.aicore_.socs_), ")"));
    if (op.aicore_.tiling_ == nullptr) host_fail(cat("OpDef ", m.op, " sets no tiling function (AICore().SetTiling)"));

    gert::RuntimeAttrs attrs = make_attrs(m, op);
    std::vector<std::vector<uint8_t>> value_data;  // host copies of ValueDepend inputs
    gert::ParamTable inputs = make_table(m, op.inputs_, h.inputs);
    for (gert::ParamInfo& p : inputs.params_) {
        if (!p.present || !p.value_depend) continue;
        for (const TensorArg* a : h.inputs)
            if (a->name == p.name) {
                value_data.push_back(read_file(m.dir + "/t" + std::to_string(a->index) + ".bin", elements(a->shape) * dtype_info(a->dtype).size));
                p.tensor.data_ = value_data.back().data();
            }
    }
    run_inference(m, op, inputs, attrs, h);

    fe::PlatFormInfos platform;
    platform.soc = m.soc;
    platform.core_num = m.core_num;
    platform.ub_bytes = m.ub_bytes;
    auto ctx = std::make_unique<gert::TilingContext>();
    ctx->inputs_ = inputs;
    ctx->outputs_ = make_table(m, op.outputs_, h.outputs);
    ctx->attrs_ = attrs;
    ctx->node_name_ = m.op;
    ctx->node_type_ = m.op;
    ctx->platform_ = &platform;
    if (op.aicore_.tiling_(ctx.get()) != ge::GRAPH_SUCCESS) host_fail(cat("the tiling function of ", m.op, " returned GRAPH_FAILED"));

    h.block_dim = ctx->block_dim_;
    h.tiling_key = ctx->tiling_key_;
    h.schedule_mode = ctx->schedule_mode_;
    h.need_atomic = ctx->need_atomic_;
    for (size_t i = 0; i < ctx->workspace_num_; ++i) h.workspace_bytes += ctx->workspaces_[i];
    const uint8_t* td = ctx->tiling_.data_;
    h.tiling.assign(td, td + ctx->tiling_.size_);
    if (h.block_dim == 0) host_fail(cat("the tiling function of ", m.op, " set no block dim (SetBlockDim was not called or got 0)"));
    if (h.block_dim > m.core_num) {
        host_fail(cat("block dim ", h.block_dim, " set by the tiling function of ", m.op, " exceeds the ", m.core_num, " AIV cores of ", m.soc));
    }
    return h;
}

}  // namespace harness

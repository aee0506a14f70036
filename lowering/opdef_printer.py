"""C++ for the host half of an operator's registration: the OpDef class and its shape/dtype inference.

`print_opdef` writes `namespace ops { class <OpType> : public OpDef {...}; OP_ADD(<OpType>); }` following
metadef `register/op_def.h`; `print_infer_functions` writes `ge::InferShape` / `ge::InferDataType`, which the
OpDef installs with SetInferShape/SetInferDataType. The OpDef also names `optiling::TilingFunc`, which the
tiling printer defines earlier in the same file (see op_host_printer.py).
"""

from __future__ import annotations

import math

from ascdsl.lowering.ge_types import ge_dtype, ge_format
from ascdsl.lowering.names import check_param_name, lower_camel
from ascdsl.lowering.opspec import AttrParam, OpSpec, TensorParam

TILING_FUNC = "optiling::TilingFunc"
INFER_SHAPE_FUNC = "ge::InferShape"
INFER_DTYPE_FUNC = "ge::InferDataType"

_FLT_MAX = 3.4028234663852886e38

_ATTR_SETTERS: dict[str, str] = {"int": "Int", "bool": "Bool", "float": "Float", "str": "String"}


def check_spec(spec: OpSpec) -> None:
    """Reject specs CANN cannot register or that would print ambiguous C++; messages name the parameter."""
    _ = spec.combinations  # raises when the dtype/format lists are not index-aligned
    seen: set[str] = set()
    for t in spec.tensors:
        check_param_name(t.name)
        if t.name in seen:
            raise ValueError(f"{spec.op_type}: tensor {t.name!r} is declared twice")
        seen.add(t.name)
        if t.role not in ("in", "out", "inout"):
            raise ValueError(f"{spec.op_type}: tensor {t.name!r} has role {t.role!r}; expected in, out or inout")
        if t.role == "inout" and t.optional:
            # opbuild names both twins `<name>RefOptional`, so it no longer sees the output as a Ref and
            # declares that aclnn parameter twice: the generated aclnn source would not compile.
            raise ValueError(f"{spec.op_type}: inout tensor {t.name!r} cannot be optional")
    for a in spec.attrs:
        check_param_name(a.name)
        if a.name in seen:
            raise ValueError(f"{spec.op_type}: attribute {a.name!r} reuses a parameter name")
        seen.add(a.name)
    # An MC2 operator may have no output: it writes the communicator's windows.
    if not spec.inputs or (not spec.outputs and not spec.comm_groups):
        raise ValueError(f"{spec.op_type}: an operator needs at least one input and one output")
    if not spec.socs:
        raise ValueError(f"{spec.op_type}: no SoC to register the operator for")


def _vector(items: list[str]) -> str:
    return "{" + ", ".join(items) + "}"


def _tensor_stmt(api: str, t: TensorParam) -> str:
    dtypes = _vector([ge_dtype(d) for d in t.dtypes])
    formats = _vector([ge_format(f) for f in t.formats])
    return (
        f'        this->{api}("{t.name}")\n'
        f"            .ParamType({'OPTIONAL' if t.optional else 'REQUIRED'})\n"
        f"            .DataType({dtypes})\n"
        f"            .Format({formats})\n"
        f"            .UnknownShapeFormat({formats});\n"
    )


def cpp_string(text: str) -> str:
    """A C++ string literal; only printable ASCII is accepted so the literal means the same everywhere."""
    if any(not (" " <= ch <= "~") for ch in text):
        raise ValueError(f"string {text!r}: only printable ASCII can be a default value")
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _float_literal(value: float) -> str:
    if not math.isfinite(value) or abs(value) > _FLT_MAX:
        raise ValueError(f"float default {value!r} is not a finite float32 (OpAttrDef::Float takes a float)")
    text = repr(float(value))  # shortest round-trip form: 1.0, 1e-05, 1e+20
    return text + "f"


def attr_default_literal(a: AttrParam) -> str:
    """The C++ argument of the typed OpAttrDef setter for the attribute's default."""
    v = a.default
    if a.type == "bool" and isinstance(v, bool):
        return "true" if v else "false"
    if a.type == "int" and isinstance(v, int) and not isinstance(v, bool):
        if not -(2**63) <= v < 2**63:
            raise ValueError(f"attribute {a.name!r}: default {v} does not fit int64_t")
        return str(v)
    if a.type == "float" and isinstance(v, (int, float)) and not isinstance(v, bool):
        return _float_literal(float(v))
    if a.type == "str" and isinstance(v, str):
        return cpp_string(v)
    raise ValueError(f"attribute {a.name!r} of type {a.type!r} cannot take the default {v!r}")


def _attr_stmt(a: AttrParam) -> str:
    if a.type not in _ATTR_SETTERS:
        raise ValueError(f"attribute {a.name!r}: unsupported type {a.type!r}; known: {', '.join(_ATTR_SETTERS)}")
    setter = _ATTR_SETTERS[a.type]
    if a.default is None:
        return f'        this->Attr("{a.name}").AttrType(REQUIRED).{setter}();\n'
    return f'        this->Attr("{a.name}").AttrType(OPTIONAL).{setter}({attr_default_literal(a)});\n'


def print_opdef(spec: OpSpec) -> str:
    check_spec(spec)
    body = "".join(_tensor_stmt("Input", t) for t in spec.inputs)
    body += "".join(_tensor_stmt("Output", t) for t in spec.outputs)
    body += "".join(_attr_stmt(a) for a in spec.attrs)
    body += f"\n        this->SetInferShape({INFER_SHAPE_FUNC}).SetInferDataType({INFER_DTYPE_FUNC});\n"
    body += f"        this->AICore().SetTiling({TILING_FUNC});\n"
    # An MC2 operator: the framework hands the kernel the resources of the communicator the attribute names.
    body += "".join(f'        this->MC2().HcclGroup("{g}");\n' for g in spec.comm_groups)
    body += "".join(f'        this->AICore().AddConfig("{soc}");\n' for soc in spec.socs)
    return (
        "namespace ops {\n"
        f"class {spec.op_type} : public OpDef {{\n"
        "public:\n"
        f"    explicit {spec.op_type}(const char* name) : OpDef(name)\n"
        "    {\n"
        f"{body}"
        "    }\n"
        "};\n"
        "\n"
        f"OP_ADD({spec.op_type});\n"
        "}  // namespace ops\n"
    )


def _source_of(spec: OpSpec, out: TensorParam) -> tuple[int, TensorParam]:
    """The OpDef input (index, tensor) whose shape and dtype the output copies."""
    name = out.name if out.is_input else out.like
    if name is None:
        raise ValueError(f"{spec.op_type}: output {out.name!r} needs like=<input name> so InferShape knows its shape")
    for i, t in enumerate(spec.inputs):
        if t.name == name:
            if t.optional and not out.is_input:
                raise ValueError(f"{spec.op_type}: output {out.name!r} cannot follow optional input {name!r}")
            return i, t
    raise ValueError(f"{spec.op_type}: output {out.name!r} follows {name!r}, which is not an input")


def print_infer_functions(spec: OpSpec) -> str:
    check_spec(spec)
    shape_body = ""
    dtype_body = ""
    for j, out in enumerate(spec.outputs):
        i, src = _source_of(spec, out)
        src_var = lower_camel(src.name) + "InShape"
        out_var = lower_camel(out.name) + "OutShape"
        how = "is updated in place" if out.is_input else f"has the shape and dtype of input {src.name}"
        # One block per output: two outputs may follow the same input without redeclaring its variable.
        # The Required accessors take the IR (OpDef) index; the plain ones take the instance index, which
        # shifts when an optional input before it is absent.
        shape_body += (
            f"    {{  // output {j} ({out.name}) {how}\n"
            f"        const gert::Shape* {src_var} = context->GetRequiredInputShape({i});\n"
            f"        gert::Shape* {out_var} = context->GetOutputShape({j});\n"
            f"        if ({src_var} == nullptr || {out_var} == nullptr) {{\n"
            "            return GRAPH_FAILED;\n"
            "        }\n"
            f"        *{out_var} = *{src_var};\n"
            "    }\n"
        )
        dtype_body += (
            f"    // output {j} ({out.name}) takes the dtype of input {i} ({src.name})\n"
            f"    if (context->SetOutputDataType({j}, context->GetRequiredInputDataType({i})) != GRAPH_SUCCESS) {{\n"
            "        return GRAPH_FAILED;\n"
            "    }\n"
        )
    return (
        "namespace ge {\n"
        "static graphStatus InferShape(gert::InferShapeContext* context)\n"
        "{\n"
        f"{shape_body}"
        "    return GRAPH_SUCCESS;\n"
        "}\n"
        "\n"
        "static graphStatus InferDataType(gert::InferDataTypeContext* context)\n"
        "{\n"
        f"{dtype_body}"
        "    return GRAPH_SUCCESS;\n"
        "}\n"
        "}  // namespace ge\n"
    )

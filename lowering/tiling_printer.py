"""The host tiling function (`optiling::TilingFunc`) from the `host.tiling_func` of a kernel.

It reads shapes, dtypes and attributes from the `gert::TilingContext`, runs the kernel's `require` checks
(a failed check returns GRAPH_FAILED, which aclnn reports as a tiling error), fills the tiling struct, and
sets the block dim and workspace from `platform_ascendc::PlatformAscendC`.
"""

from __future__ import annotations

from ascdsl.lowering.cxx_emitter import CxxEmitter
from ascdsl.lowering.ge_types import ge_dtype
from ascdsl.lowering.kernel_signature import Signature
from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import BlockArgument, Operation

from ascdsl import dtypes
from ascdsl.dialects import host
from ascdsl.dialects import tile_ops as t
from ascdsl.dialects.comm import has_core_barrier
from ascdsl.dialects.tile_types import DTypeVarAttr, HostArrayType, StrType, TensorType

UB_BUDGET_BYTES = 184 * 1024  # generated allocations stay below the scratch area some APIs use at 184 KiB

TILING_HELPERS = """\
// Bytes of one element of a tensor's dtype.
static int64_t DTypeBytes(ge::DataType dt)
{
    switch (dt) {
        case ge::DT_INT8: case ge::DT_UINT8: case ge::DT_BOOL:
        case ge::DT_FLOAT8_E5M2: case ge::DT_FLOAT8_E4M3FN:
            return 1;
        case ge::DT_FLOAT16: case ge::DT_BF16: case ge::DT_INT16: case ge::DT_UINT16:
            return 2;
        case ge::DT_FLOAT: case ge::DT_INT32: case ge::DT_UINT32:
            return 4;
        default:
            return 8;
    }
}

// String attribute comparison without the C library (the file is included inside a namespace).
static bool SameText(const char* a, const char* b)
{
    while (*a != '\\0' && *a == *b) {
        ++a;
        ++b;
    }
    return *a == *b;
}

// Python's floor division, as the DSL defines `//`.
static int64_t FloorDiv(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}
"""


class TilingPrinter(CxxEmitter):
    def __init__(self, sig: Signature, func: host.TilingFuncOp) -> None:
        super().__init__()
        self.sig = sig
        self.func = func
        self.params = {p.name: p for p in sig.params}
        self.used.update({"context", "tiling", "platform", "attrs"})

    def shape_of(self, name: str) -> str:
        p = self.sig.tensor(name)
        if p.is_input:
            i = self.sig.input_index(name)
            if p.optional:
                return f"context->GetOptionalInputShape({i})->GetStorageShape()"
            return f"context->GetInputShape({i})->GetStorageShape()"
        return f"context->GetOutputShape({self.sig.output_index(name)})->GetStorageShape()"

    def dtype_of(self, var: str) -> str:
        p = self.sig.first_with(var)
        if p.is_input:
            return f"context->GetInputDesc({self.sig.input_index(p.name)})->GetDataType()"
        return f"context->GetOutputDesc({self.sig.output_index(p.name)})->GetDataType()"

    def bind_args(self) -> None:
        kernel = self.sig.kernel
        for arg, name, role in zip(self.func.body.block.args, kernel.names, kernel.roles, strict=True):
            if role != "attr" or not arg.uses:
                continue
            i = self.sig.attr_index(name)
            kind = self.params[name].attr_type
            var = self.fresh(name)
            if isinstance(arg.type, StrType):
                self.line(f"const char* {var} = attrs->GetStr({i});")
            elif kind == "bool":
                self.line(f"bool {var} = *attrs->GetBool({i});")
            elif kind == "float":
                self.line(f"float {var} = *attrs->GetFloat({i});")
            else:
                self.line(f"int64_t {var} = *attrs->GetInt({i});")
            self.names[arg] = var

    def emit_op(self, op: Operation) -> None:
        if isinstance(op, t.DimOp):
            src = op.source
            assert isinstance(src, BlockArgument) and isinstance(src.type, TensorType | HostArrayType)
            name = self.sig.kernel.names[src.index]
            dim = f"static_cast<int64_t>({self.shape_of(name)}.GetDim({op.axis.data}))"
            p = self.sig.tensor(name)
            if p.optional:  # an absent optional tensor has no elements
                dim = f"(context->GetOptionalInputShape({self.sig.input_index(name)}) != nullptr ? {dim} : 0)"
            self.define(op.result, dim)
        elif isinstance(op, t.DTypeInOp):
            dt = self.dtype_of(op.var.data)
            names = [ge_dtype(dtypes.from_mlir(d).name) for d in op.dtypes.data]  # type: ignore[union-attr]
            tests = " || ".join(f"dt == {n}" for n in names)
            self.define(op.result, f"[&]() {{ ge::DataType dt = {dt}; return {tests}; }}()")
        elif isinstance(op, t.SizeOfOp):
            el = op.element
            if isinstance(el, DTypeVarAttr):
                self.define(op.result, f"DTypeBytes({self.dtype_of(el.var.data)})")
            else:
                self.define(op.result, str(dtypes.from_mlir(el).itemsize))  # type: ignore[union-attr]
        elif isinstance(op, t.PresentOp):
            name = self.sig.kernel.names[op.source.index]  # type: ignore[union-attr]
            self.define(op.result, f"(context->GetOptionalInputShape({self.sig.input_index(name)}) != nullptr)")
        elif isinstance(op, t.StrInOp):
            tests = " || ".join(f'SameText({self.expr(op.source)}, "{v.data}")' for v in op.values.data)
            self.define(op.result, f"({self.expr(op.source)} != nullptr && ({tests}))")
        elif isinstance(op, t.RequireOp):
            msg = op.msg.data.replace("\\", "\\\\").replace('"', '\\"')
            self.line(f"if (!{self.expr(op.cond)}) {{")
            self.line(f'    // aclnn status {op.code.data}: "{msg}"')
            self.line("    return ge::GRAPH_FAILED;")
            self.line("}")
        elif isinstance(op, host.SetFieldOp):
            self.line(f"tiling->{op.field.data} = {self.expr(op.value)};")
        elif isinstance(op, host.SetBlockDimOp):
            self.line(f"context->SetBlockDim(static_cast<uint32_t>({self.expr(op.value)}));")
        elif isinstance(op, host.SetTilingKeyOp):  # a specialisation of the kernel: its first key + the index
            self.line(f"context->SetTilingKey(static_cast<uint64_t>({self.sig.tiling_key} + {self.expr(op.value)}));")
        elif isinstance(op, host.CoreNumOp):
            self.define(op.result, "static_cast<int64_t>(platform.GetCoreNumAiv())")
        elif isinstance(op, host.UbBytesOp):
            self.line("uint64_t ubSize = 0;")
            self.line("platform.GetCoreMemSize(platform_ascendc::CoreMemType::UB, ubSize);")
            self.define(op.result, f"static_cast<int64_t>(ubSize < {UB_BUDGET_BYTES} ? ubSize : {UB_BUDGET_BYTES})")
        elif isinstance(op, host.ReturnOp):
            pass
        else:
            super().emit_op(op)

    def print(self) -> str:
        self.line(f"auto* tiling = context->GetTilingData<{self.sig.struct}>();")
        self.line("auto platform = platform_ascendc::PlatformAscendC(context->GetPlatformInfo());")
        self.line("const gert::RuntimeAttrs* attrs = context->GetAttrs();")
        self.line("(void)attrs;")
        self.bind_args()
        self.block(self.func.body.block)
        if not any(isinstance(op, host.SetTilingKeyOp) for op in self.func.body.block.ops):
            self.line(f"context->SetTilingKey({self.sig.tiling_key});")
        if has_core_barrier(self.sig.kernel):
            self.line("context->SetScheduleMode(1);  // batch mode: all cores start together, as SyncAll needs")
        self.line("size_t* workspace = context->GetWorkspaceSizes(1);")
        self.line("workspace[0] = platform.GetLibApiWorkSpaceSize();")
        self.line("return ge::GRAPH_SUCCESS;")
        name = f"TilingFuncKey{self.sig.tiling_key}" if self.sig.keyed else "TilingFunc"
        head = [f"static ge::graphStatus {name}(gert::TilingContext* context)", "{"]
        return "\n".join(head + self.lines + ["}", ""])


def print_tiling_func(parts: list[tuple[Signature, ModuleOp]], select: tuple[str, list[str]] | None = None) -> str:
    """The tiling function; for an operator of several kernels, one per tiling key and a `TilingFunc` that
    picks one by the value of the `select` attribute (the first kernel for any other value)."""
    out = [TILING_HELPERS]
    for sig, module in parts:
        func = next(f for f in module.ops if isinstance(f, host.TilingFuncOp))
        out.append(TilingPrinter(sig, func).print())
    if len(parts) > 1:
        assert select is not None
        attr, values = select
        sig0 = parts[0][0]
        index = sig0.attr_index(attr)
        lines = ["static ge::graphStatus TilingFunc(gert::TilingContext* context)", "{"]
        lines.append(f"    const char* choice = context->GetAttrs()->GetStr({index});")
        for (sig, _), value in zip(parts[1:], values[1:], strict=True):
            lines.append(f'    if (choice != nullptr && SameText(choice, "{value}")) {{')
            lines.append(f"        return TilingFuncKey{sig.tiling_key}(context);")
            lines.append("    }")
        lines.append(f"    return TilingFuncKey{sig0.tiling_key}(context);")
        lines += ["}", ""]
        out.append("\n".join(lines))
    return "\n".join(out)




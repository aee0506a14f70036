"""What the printers need to know of a kernel's parameters: C++ names, OpDef indices, dtype macros, OpSpec."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from ascdsl.lowering.opspec import AttrParam, OpSpec, TensorParam
from xdsl.ir import Attribute

from ascdsl import dtypes
from ascdsl.dialects import tile_ops as t
from ascdsl.dialects.comm import comm_groups
from ascdsl.dialects.tile_types import DTypeVarAttr, TensorType
from ascdsl.errors import DslError
from ascdsl.frontend.signature import ParamSpec, read_param
from ascdsl.kernel import Kernel
from ascdsl.targets import get_target


def camel(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in name.split("_") if part)


@dataclass(frozen=True)
class Signature:
    kernel: t.KernelOp
    spec: OpSpec
    params: list[ParamSpec]
    tiling_key: int = 1  # the first tiling key of the kernel; its specialisations take the next ones
    keyed: bool = False  # one of several kernels of an operator: names carry the tiling key
    variants: int = 1  # specialisations of the kernel (regions of its ascendc.tiling_key_switch)

    @property
    def struct(self) -> str:
        return f"{self.spec.op_type}Key{self.tiling_key}TilingData" if self.keyed else f"{self.spec.op_type}TilingData"

    @property
    def body_name(self) -> str:
        return self.body_name_of(0)

    def body_name_of(self, variant: int) -> str:
        return f"{self.spec.kernel_name}_key{self.tiling_key + variant}"

    @property
    def keys(self) -> range:
        return range(self.tiling_key, self.tiling_key + self.variants)

    def input_index(self, name: str) -> int:
        return [p.name for p in self.spec.inputs].index(name)

    def output_index(self, name: str) -> int:
        return [p.name for p in self.spec.outputs].index(name)

    def attr_index(self, name: str) -> int:
        return [a.name for a in self.spec.attrs].index(name)

    def tensor(self, name: str) -> TensorParam:
        return next(p for p in self.spec.tensors if p.name == name)

    def first_with(self, var: str) -> TensorParam:
        """The tensor whose dtype names a dtype variable: an input if one has it (no _REF suffix)."""
        with_var = [p for p in self.params if p.element == var and p.is_tensor]
        with_var.sort(key=lambda p: p.role != "in")
        return self.tensor(with_var[0].name)

    def cxx_element(self, element: Attribute) -> str:
        """The C++ element type in the kernel: a DTYPE_<NAME> macro for a dtype variable."""
        if isinstance(element, DTypeVarAttr):
            p = self.first_with(element.var.data)
            return f"DTYPE_{p.name.upper()}" + ("_REF" if p.role == "inout" else "")
        dt = dtypes.from_mlir(element)
        assert dt is not None
        return "uint8_t" if dt.name.startswith("f8") else dt.ascendc  # A2 moves 8-bit floats as bytes

    def gm_params(self) -> list[tuple[str, str]]:
        """(C++ parameter name, DSL tensor name) of the kernel entry: OpDef inputs, then outputs."""
        out = [(p.name, p.name) for p in self.spec.inputs]
        out += [(f"{p.name}_ref" if p.role == "inout" else p.name, p.name) for p in self.spec.outputs]
        return out


def _dtype_columns(kernel: t.KernelOp, params: list[ParamSpec]) -> list[dict[str, str]]:
    """One dtype assignment per supported combination: the product of the dtype variables' domains."""
    domains = {k: [dtypes.from_mlir(d).name for d in v.data] for k, v in kernel.dtype_domains.data.items()}  # type: ignore[union-attr,attr-defined]
    used = sorted({p.element for p in params if p.is_tensor and p.element not in dtypes.BY_NAME})
    missing = [v for v in used if v not in domains]
    if missing:
        p = next(p for p in params if p.element == missing[0])
        raise DslError(
            f"the dtypes of dtype variable {missing[0]} are not listed, so no CANN project can declare them",
            p.span,
            f"add require({missing[0]} in (f16, f32, ...), code=161002, msg=...) at the top of the kernel",
        )
    combos = list(itertools.product(*[domains[v] for v in used]))
    return [dict(zip(used, c, strict=True)) for c in combos]


def signature_of(k: Kernel, op_type: str | None = None, socs: tuple[str, ...] = ("ascend910b", "ascend910_93")) -> Signature:
    module = k.ir
    kernel = next(op for op in module.ops if isinstance(op, t.KernelOp))
    params = [read_param(p, k.globals) for p in k.syntax.params]
    columns = _dtype_columns(kernel, params)
    missing = set().union(*(get_target(soc).missing_dtypes for soc in socs))
    columns = [col for col in columns if not set(col.values()) & missing]
    tensors = []
    for p, arg in zip(params, kernel.body.block.args, strict=True):
        if not p.is_tensor:
            continue
        assert isinstance(arg.type, TensorType) and p.element is not None
        names = [col.get(p.element, p.element) for col in columns]
        like = None
        if p.role == "out":
            like = next((q.name for q in params if q.role == "in" and q.element == p.element and not q.optional), None)
        tensors.append(TensorParam(p.name, p.role, p.optional, tuple(names), ("ND",) * len(names), like))
    attrs = [AttrParam(p.name, p.attr_type or "int", p.default) for p in params if p.role == "attr"]
    spec = OpSpec(op_type or getattr(k, "op_type", None) or camel(k.name), tuple(tensors), tuple(attrs), socs, tuple(comm_groups(kernel)))
    return Signature(kernel, spec, params)




"""The kernel signature: parameter annotations read as data, never evaluated by Python.

    x: Tensor[T, B, 16]             input GM tensor, dtype T (a variable), dims B (a symbol) and 16
    y: InOut[Tensor[T, B, 16]]      updated in place
    z: Out[Tensor[f32, B]]          written
    o: Optional[Tensor[I, B]]       may be None
    n: Attr[int]                    an operator attribute (int, bool, float or str)
    a: HostArray[i64, B]            a host list (aclIntArray)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ascdsl import dtypes
from ascdsl.errors import DslError, Span
from ascdsl.frontend import ast

TENSOR_ROLES = {"Tensor": "in", "InOut": "inout", "Out": "out"}
ATTR_TYPES = ("int", "bool", "float", "str")
_USAGE = (
    "annotate each parameter as Tensor[dtype, dims...], InOut[Tensor[...]], Out[Tensor[...]], "
    "Optional[Tensor[...]], Attr[int|bool|float|str] or HostArray[dtype, dims...]"
)


@dataclass(frozen=True)
class ParamSpec:
    name: str
    role: str  # in, out, inout, attr, host
    optional: bool
    element: str | None  # a dtype name or a dtype variable; None for attributes
    dims: tuple[int | str, ...]  # static sizes and symbol names
    attr_type: str | None  # int, bool, float, str for attributes
    default: Any
    span: Span

    @property
    def is_tensor(self) -> bool:
        return self.role in ("in", "out", "inout")


def _subscript_items(node: ast.Expr, what: str) -> tuple[str, list[ast.Expr]]:
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):
        return node.value.id, node.indices
    if isinstance(node, ast.Name):
        return node.id, []
    raise DslError(f"cannot read the annotation of {what}", node.span, _USAGE)


def _size(value: int, node: ast.Expr, param: str) -> int:
    if value < 0:
        raise DslError(f"dimension of {param} is negative ({value})", node.span, "dimensions are sizes: 0 or more")
    if value >= 2**63:
        raise DslError(f"dimension of {param} does not fit in 64 bits", node.span, "dimensions are 64-bit sizes")
    return value


def _dim(node: ast.Expr, globals_: dict[str, Any], param: str) -> int | str:
    if isinstance(node, ast.Constant) and isinstance(node.value, int) and not isinstance(node.value, bool):
        return _size(node.value, node, param)
    if isinstance(node, ast.UnaryOp) and node.op == "-" and isinstance(node.operand, ast.Constant):
        raise DslError(f"dimension of {param} is negative", node.span, "dimensions are sizes: 0 or more")
    if isinstance(node, ast.Name):
        value = globals_.get(node.id)
        if isinstance(value, int) and not isinstance(value, bool):
            return _size(value, node, param)
        if node.id in dtypes.BY_NAME:
            raise DslError(f"{node.id} is a dtype, not a dimension", node.span, "write Tensor[dtype, dim0, dim1, ...]")
        return node.id
    raise DslError(
        f"a dimension of {param} must be a name or an integer",
        node.span,
        "give the dimension a symbol (e.g. N) and relate symbols with require(...)",
    )


def _element(node: ast.Expr, param: str) -> str:
    if isinstance(node, ast.Name):
        return node.id
    raise DslError(f"the dtype of {param} must be a dtype name or a dtype variable", node.span, "e.g. Tensor[f16, N]")


def _shaped(node: ast.Expr, globals_: dict[str, Any], param: str) -> tuple[str, tuple[int | str, ...]]:
    head, items = _subscript_items(node, param)
    if not items:
        raise DslError(f"{head}[...] of {param} needs a dtype", node.span, "e.g. Tensor[f16, N, D]")
    return _element(items[0], param), tuple(_dim(d, globals_, param) for d in items[1:])


def _default(node: ast.Expr | None) -> Any:
    if node is None:
        return None
    if isinstance(node, ast.Constant):
        return node.value
    if (
        isinstance(node, ast.UnaryOp)
        and node.op == "-"
        and isinstance(node.operand, ast.Constant)
        and isinstance(node.operand.value, int | float)
        and not isinstance(node.operand.value, bool)
    ):
        return -node.operand.value
    raise DslError("a default value must be a literal", node.span, "e.g. stride: Attr[int] = 16")


def read_param(param: ast.Param, globals_: dict[str, Any]) -> ParamSpec:
    if param.annotation is None:
        raise DslError(f"parameter {param.name} has no annotation", param.span, _USAGE)
    node = param.annotation
    head, items = _subscript_items(node, param.name)
    optional = False
    if head == "Optional":
        if len(items) != 1:
            raise DslError("Optional[...] takes one annotation", node.span, "e.g. Optional[Tensor[i32, B]]")
        optional = True
        node = items[0]
        head, items = _subscript_items(node, param.name)
    default = _default(param.default)
    if head == "Tensor":
        element, dims = _shaped(node, globals_, param.name)
        return ParamSpec(param.name, "in", optional, element, dims, None, default, param.span)
    if head in ("InOut", "Out"):
        if len(items) != 1:
            raise DslError(f"{head}[...] wraps one Tensor[...]", node.span, f"e.g. {head}[Tensor[f16, N]]")
        inner_head, _ = _subscript_items(items[0], param.name)
        if inner_head != "Tensor":
            raise DslError(f"{head}[...] wraps a Tensor[...]", items[0].span, f"e.g. {head}[Tensor[f16, N]]")
        element, dims = _shaped(items[0], globals_, param.name)
        return ParamSpec(param.name, TENSOR_ROLES[head], optional, element, dims, None, default, param.span)
    if head == "HostArray":
        element, dims = _shaped(node, globals_, param.name)
        return ParamSpec(param.name, "host", optional, element, dims, None, default, param.span)
    if head == "Attr":
        if len(items) != 1 or not isinstance(items[0], ast.Name) or items[0].id not in ATTR_TYPES:
            raise DslError(f"Attr[...] of {param.name} takes one of {', '.join(ATTR_TYPES)}", node.span, "e.g. Attr[int]")
        return ParamSpec(param.name, "attr", optional, None, (), items[0].id, default, param.span)
    raise DslError(f"unknown annotation {head!r} on parameter {param.name}", node.span, _USAGE)

"""From a parsed kernel to a verified `tile` module."""

from __future__ import annotations

from typing import Any

from xdsl.dialects.builtin import ArrayAttr, FileLineColLoc, FloatAttr, IntegerAttr, ModuleOp, StringAttr
from xdsl.ir import Attribute, Block, Region, SSAValue
from xdsl.utils.exceptions import VerifyException

from ascdsl import dtypes
from ascdsl.analysis.host_values import is_host_value
from ascdsl.dialects import tile_ops as t
from ascdsl.dialects.tile_types import HostArrayType, StrType, TensorType, make_element, shape_attr
from ascdsl.errors import DslError, Span
from ascdsl.frontend import ast
from ascdsl.frontend.irgen_base import location
from ascdsl.frontend.irgen_comm import CommCallGen
from ascdsl.frontend.irgen_stmts import StmtGen
from ascdsl.frontend.loop_rewrite import rewrite_loops
from ascdsl.frontend.signature import ParamSpec, read_param
from ascdsl.frontend.values import F32, I1, INDEX, DTypeRef

_ATTR_TYPES: dict[str, Attribute] = {"int": INDEX, "bool": I1, "float": F32, "str": StrType()}


def span_of_location(loc: Attribute) -> Span | None:
    if isinstance(loc, FileLineColLoc):
        return Span(loc.filename.data, loc.line.data, loc.column.data, loc.line.data, loc.column.data + 1)
    return None


def _domains(body: list[ast.Stmt]) -> dict[str, list[str]]:
    """Dtype variable domains from top-level `require(V in (d1, d2, ...), ...)` statements."""
    out: dict[str, list[str]] = {}
    for s in body:
        if not (isinstance(s, ast.ExprStmt) and isinstance(s.value, ast.Call)):
            continue
        call = s.value
        if not (isinstance(call.func, ast.Name) and call.func.id == "require" and call.args):
            continue
        cond = call.args[0]
        if (
            isinstance(cond, ast.Compare)
            and len(cond.ops) == 1
            and cond.ops[0] in ("in", "==")
            and isinstance(cond.left, ast.Name)
        ):
            right = cond.comparators[0]
            items = right.elts if isinstance(right, ast.Tuple | ast.List) else [right]
            names = [i.id for i in items if isinstance(i, ast.Name) and i.id in dtypes.BY_NAME]
            if names and len(names) == len(items):
                out[cond.left.id] = names
    return out


def _default_attr(spec: ParamSpec) -> Attribute:
    value = spec.default
    if spec.attr_type == "str" and isinstance(value, str):
        return StringAttr(value)
    if spec.attr_type == "bool" and isinstance(value, bool):
        return IntegerAttr(-1 if value else 0, I1)
    if spec.attr_type == "float" and isinstance(value, int | float) and not isinstance(value, bool):
        return FloatAttr(float(value), F32)
    if spec.attr_type == "int" and isinstance(value, int) and not isinstance(value, bool):
        if not -(2**63) <= value < 2**63:
            raise DslError(f"the default of {spec.name} does not fit in 64 bits", spec.span, "use a smaller value")
        return IntegerAttr(value, INDEX)
    raise DslError(f"the default of {spec.name} does not match Attr[{spec.attr_type}]", spec.span)


class KernelGen(StmtGen, CommCallGen):
    def __init__(self, fn: ast.FunctionDef, filename: str, globals_: dict[str, Any]) -> None:
        super().__init__(filename, globals_)
        self.fn = fn
        self.domains: dict[str, list[str]] = {}

    def dtype_domain(self, var: str) -> list[Attribute] | None:
        names = self.domains.get(var)
        return [dtypes.BY_NAME[n].mlir() for n in names] if names else None

    def check_host_known(self, value: SSAValue, span: Span) -> None:
        if not is_host_value(value):
            raise DslError(
                "require(...) may only test shapes, dtypes and attributes, but this condition depends on device data",
                span,
                "check device data in the kernel with if ...: fill/skip, or validate it before the call",
            )

    def _arg_type(self, spec: ParamSpec) -> Attribute:
        if spec.role == "attr":
            return _ATTR_TYPES[spec.attr_type or "int"]
        assert spec.element is not None
        element = make_element(spec.element)
        if spec.role == "host":
            return HostArrayType(element, shape_attr(spec.dims))
        return TensorType(element, shape_attr(spec.dims))

    def build(self) -> ModuleOp:
        fn = self.fn
        specs = [read_param(p, self.globals) for p in fn.params]
        seen: set[str] = set()
        for spec in specs:
            if spec.name in seen:
                raise DslError(f"parameter {spec.name} is declared twice", spec.span)
            seen.add(spec.name)
        self.domains = _domains(fn.body)
        for var in self.domains:
            if var in seen:
                raise DslError(f"{var} is a parameter, not a dtype variable", fn.span)
        block = Block(arg_types=[self._arg_type(s) for s in specs])
        for spec, arg in zip(specs, block.args, strict=True):
            arg.location = location(spec.span)
            arg.name_hint = spec.name
        domains: dict[str, Attribute] = {
            v: ArrayAttr([dtypes.BY_NAME[n].mlir() for n in names]) for v, names in self.domains.items()
        }
        # The kernel op exists before its body, so that analyses see the parameters' roles while it is built.
        kernel = t.KernelOp(
            fn.name, [s.name for s in specs], [s.role for s in specs], [s.optional for s in specs], domains,
            Region(block), {s.name: _default_attr(s) for s in specs if s.role == "attr" and s.default is not None},
        )
        kernel.location = location(fn.span)
        self.block = block
        self.kernel_block = block
        for spec, arg in zip(specs, block.args, strict=True):
            self.env[spec.name] = arg
        self._bind_symbols(specs, block.args)
        body = list(fn.body)
        if body and isinstance(body[-1], ast.Return) and body[-1].value is None:
            body.pop()
        self.stmts(rewrite_loops(body))
        self.emit(t.ReturnOp(), fn.span)
        module = ModuleOp([kernel])
        verify_located(module)
        return module

    def _bind_symbols(self, specs: list[ParamSpec], args: tuple[SSAValue, ...] | list[SSAValue]) -> None:
        """Symbols (dims) become `tile.dim` values at entry; dtype variables become dtype references.

        A symbol is read from a required tensor when one has it: an optional tensor may be absent."""
        pairs = sorted(zip(specs, args, strict=True), key=lambda sa: sa[0].optional)
        for spec, arg in pairs:
            if spec.element is not None and spec.element not in dtypes.BY_NAME:
                if spec.element in self.env and not isinstance(self.env[spec.element], DTypeRef):
                    raise DslError(f"{spec.element} names a parameter and a dtype variable", spec.span)
                self.env[spec.element] = DTypeRef(make_element(spec.element))
            for axis, dim in enumerate(spec.dims):
                if isinstance(dim, int) or dim in self.env:
                    if isinstance(dim, str) and isinstance(self.env[dim], DTypeRef):
                        raise DslError(f"{dim} is used as a dtype and as a dimension", spec.span)
                    continue
                if dim in seen_params(specs):
                    raise DslError(f"dimension {dim} has the name of a parameter", spec.span, "rename the dimension")
                self.env[dim] = self.emit1(t.DimOp(arg, axis), spec.span)
                self.env[dim].name_hint = dim


def seen_params(specs: list[ParamSpec]) -> set[str]:
    return {s.name for s in specs}


def verify_located(module: ModuleOp) -> None:
    """Verify every op; a failure is reported at the DSL line of the op that failed."""
    for op in module.walk():
        try:
            op.verify(verify_nested_ops=False)
        except VerifyException as exc:
            raise DslError(f"invalid IR: {exc}", span_of_location(op.location),
                           "this is a compiler bug if the kernel is valid; please report it") from None


def generate(fn: ast.FunctionDef, filename: str, globals_: dict[str, Any]) -> ModuleOp:
    gen = KernelGen(fn, filename, globals_)
    try:
        return gen.build()
    except RecursionError:  # an expression nested deeper than Python's stack allows
        raise DslError(
            "this statement is nested too deeply to compile",
            gen.current_span or fn.span,
            "split deeply nested expressions into several statements",
        ) from None

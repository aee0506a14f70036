"""IR generation for expressions: names, constants, operators, comparisons and subscripts."""

from __future__ import annotations

import difflib
import operator
from collections.abc import Callable
from typing import Any

import numpy as np
from xdsl.dialects import arith, scf
from xdsl.dialects.builtin import IndexType
from xdsl.ir import Attribute, Block, BlockArgument, SSAValue

from ascdsl import dtypes, lang
from ascdsl.dialects import tile_ops as t
from ascdsl.dialects.tile_types import (
    DYN,
    DTypeVarAttr,
    HostArrayType,
    StrType,
    TensorType,
    TileType,
    ViewType,
    shape_attr,
)
from ascdsl.errors import DslError, Span
from ascdsl.frontend import ast
from ascdsl.frontend.irgen_base import GenBase
from ascdsl.frontend.values import (
    F32,
    I1,
    Builtin,
    DTypeRef,
    Method,
    Py,
    ShapeOf,
    TupleVal,
    Value,
    describe,
    kind,
)

_PY_BINOPS: dict[str, Callable[[Any, Any], Any]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": operator.truediv,
    "//": operator.floordiv,
    "%": operator.mod,
    "**": operator.pow,
    "&": operator.and_,
    "|": operator.or_,
    "^": operator.xor,
    "<<": operator.lshift,
    ">>": operator.rshift,
}
_PY_CMP: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
}
_INT_CMP = {"<": "slt", "<=": "sle", ">": "sgt", ">=": "sge", "==": "eq", "!=": "ne"}
_FLOAT_CMP = {"<": "olt", "<=": "ole", ">": "ogt", ">=": "oge", "==": "oeq", "!=": "une"}
_TILE_CMP = {"<": "lt", "<=": "le", ">": "gt", ">=": "ge", "==": "eq", "!=": "ne"}
_TILE_BINOPS: dict[str, type[t._BinaryOp]] = {
    "+": t.AddOp,
    "-": t.SubOp,
    "*": t.MulOp,
    "/": t.DivOp,
    "&": t.AndOp,
    "|": t.OrOp,
}
_INT_BINOPS = {
    "+": arith.AddiOp,
    "-": arith.SubiOp,
    "*": arith.MuliOp,
    "//": arith.FloorDivSIOp,
    "&": arith.AndIOp,
    "|": arith.OrIOp,
    "^": arith.XOrIOp,
    "<<": arith.ShLIOp,
    ">>": arith.ShRSIOp,
}
_FLOAT_BINOPS = {"+": arith.AddfOp, "-": arith.SubfOp, "*": arith.MulfOp, "/": arith.DivfOp}
_BOOL_BINOPS = {"&": arith.AndIOp, "|": arith.OrIOp, "^": arith.XOrIOp}


def _may_have_effects(node: ast.Expr) -> bool:
    """Whether evaluating `node` may read memory or fail, so that `and`/`or` must not evaluate it eagerly."""
    stack: list[Any] = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, ast.Call | ast.Subscript) or (isinstance(n, ast.BinOp) and n.op in ("//", "%", "/")):
            return True  # may read memory, or divide by zero
        if isinstance(n, ast.Node):
            stack.extend(v for v in vars(n).values() if isinstance(v, ast.Node | list))
        elif isinstance(n, list):
            stack.extend(n)
    return False


# Integer constants are folded exactly, as Python does, but only up to this many bits: a kernel's integers are
# 64-bit at run time, and `2 ** 10 ** 10` or `1 << 10 ** 10` would take the compiler minutes and gigabytes.
MAX_CONSTANT_BITS = 1024


def _too_big(value: object) -> bool:
    return isinstance(value, int) and value.bit_length() > MAX_CONSTANT_BITS


def fold_constant(op: str, x: Any, y: Any, span: Span) -> Any:
    """`x op y` of two compile-time constants, as Python computes it (floats rounded to float32)."""
    if _huge_string(op, x, y):
        raise DslError("this string constant is too long", span, "kernels use short strings (attribute values)")
    if _too_big(x) or _too_big(y) or _huge_result(op, x, y):
        raise DslError(f"the constant '{op}' computes is too large (over {MAX_CONSTANT_BITS} bits)", span,
                       "kernel integers are 64-bit: use smaller values")
    try:
        value = _PY_BINOPS[op](x, y)
    except ZeroDivisionError:
        raise DslError("cannot compute this constant: division by zero", span) from None
    except OverflowError:
        raise DslError("cannot compute this constant: the result overflows a float", span) from None
    except (TypeError, ValueError) as exc:
        raise DslError(f"cannot compute this constant: {exc}", span) from None
    if _too_big(value):
        raise DslError(f"the constant '{op}' computes is too large (over {MAX_CONSTANT_BITS} bits)", span,
                       "kernel integers are 64-bit: use smaller values")
    if isinstance(value, complex):
        raise DslError("cannot compute this constant: the result is a complex number", span)
    if isinstance(value, float):  # float scalars are float32 at run time: fold the same way
        with np.errstate(over="ignore"):  # beyond float32 is inf, as at run time; no warning on stderr
            value = float(np.float32(value))
    return value


def _huge_string(op: str, x: Any, y: Any) -> bool:
    """`"ab" * 10 ** 12`: a string constant no kernel needs, and no memory holds."""
    if op != "*":
        return False
    text, times = (x, y) if isinstance(x, str) else (y, x)
    return isinstance(text, str) and isinstance(times, int) and len(text) * times > 1 << 16


def _huge_result(op: str, x: Any, y: Any) -> bool:
    """Whether an integer `**` or `<<` would be far too large, decided before computing it."""
    if not (isinstance(x, int) and isinstance(y, int)) or y <= 0:
        return False
    if op == "**":
        return abs(x) > 1 and y * (abs(x).bit_length() - 1) > MAX_CONSTANT_BITS
    if op == "<<":
        return x != 0 and y > MAX_CONSTANT_BITS
    return False


def broadcast_dims(a: tuple[int | str, ...], b: tuple[int | str, ...], span: Span) -> tuple[int | str, ...]:
    """numpy broadcasting over static, symbolic and dynamic dims."""
    out: list[int | str] = []
    for i in range(max(len(a), len(b))):
        da = a[len(a) - 1 - i] if i < len(a) else 1
        db = b[len(b) - 1 - i] if i < len(b) else 1
        if da == db or db == 1:
            out.append(da)
        elif da == 1:
            out.append(db)
        elif DYN in (da, db) or isinstance(da, str) or isinstance(db, str):
            out.append(DYN)  # checked when the kernel runs
        else:
            raise DslError(
                f"tile shapes [{', '.join(map(str, a))}] and [{', '.join(map(str, b))}] do not broadcast",
                span,
                "make the dims equal, or 1 where one side should repeat (t[:, None] adds an axis)",
            )
    return tuple(reversed(out))


class ExprGen(GenBase):
    """Expressions; statement generation and builtin calls build on it."""

    def call(self, node: ast.Call) -> Value:  # provided by the builtins mixin
        raise NotImplementedError

    # ---------------------------------------------------------------- entry

    def expr(self, node: ast.Expr) -> Value:
        if isinstance(node, ast.Constant):
            return Py(node.value)
        if isinstance(node, ast.Name):
            return self.lookup(node.id, node.span)
        if isinstance(node, ast.Tuple | ast.List):
            return TupleVal(tuple(self.expr(e) for e in node.elts))
        if isinstance(node, ast.BinOp):
            return self.binop(node.op, self.expr(node.left), self.expr(node.right), node.span)
        if isinstance(node, ast.UnaryOp):
            return self.unary(node)
        if isinstance(node, ast.BoolOp):
            return self.boolop(node)
        if isinstance(node, ast.Compare):
            return self.compare(node)
        if isinstance(node, ast.IfExp):
            return self.ifexp(node)
        if isinstance(node, ast.Call):
            return self.call(node)
        if isinstance(node, ast.Attribute):
            return self.attribute(node)
        if isinstance(node, ast.Subscript):
            return self.subscript(node)
        if isinstance(node, ast.Slice):
            raise DslError("a slice is only allowed inside [...]", node.span)
        raise DslError(f"unsupported expression {type(node).__name__}", node.span)

    def lookup(self, name: str, span: Span) -> Value:
        if name in self.env:
            return self.env[name]
        if name in self.unavailable:
            raise DslError(f"'{name}' is not available here: {self.unavailable[name]}", span,
                           f"assign '{name}' before the loop or if, so that it exists on every path")
        if name in dtypes.BY_NAME:
            return DTypeRef(dtypes.BY_NAME[name].mlir())
        if name in lang.BUILTINS:
            return Builtin(name)
        if name in ("True", "False", "None"):
            return Py({"True": True, "False": False, "None": None}[name])
        if name in self.globals:
            g = self.globals[name]
            if isinstance(g, bool | int | float | str):
                return Py(g)
            if isinstance(g, lang.DTypeName):
                return DTypeRef(dtypes.BY_NAME[g.name].mlir())
            if isinstance(g, tuple) and all(isinstance(x, bool | int | float | str) for x in g):
                return TupleVal(tuple(Py(x) for x in g))
        known = list(self.env) + list(lang.BUILTINS) + list(dtypes.BY_NAME)
        close = difflib.get_close_matches(name, known, n=3)
        hint = f"did you mean {', '.join(close)}?" if close else "define it before use, or pass it as a parameter"
        raise DslError(f"name '{name}' is not defined", span, hint)

    # ---------------------------------------------------------------- operators

    def binop(self, op: str, a: Value, b: Value, span: Span) -> Value:
        ka, kb = kind(a), kind(b)
        if isinstance(a, Py) and isinstance(b, Py) and op in _PY_BINOPS:
            return Py(fold_constant(op, a.value, b.value, span))
        if "gm" in (ka, kb):
            raise DslError(f"cannot apply '{op}' to a GM view", span, "load(...) it into a tile first")
        if "tile" in (ka, kb):
            return self.tile_binop(op, a, b, span)
        if ka not in ("int", "float", "bool") or kb not in ("int", "float", "bool"):
            raise DslError(f"cannot apply '{op}' to a {describe(a)} and a {describe(b)}", span)
        if op == "/" and "float" not in (ka, kb):
            raise DslError("'/' between integers is not supported", span,
                           "write '//' for integer division, or float(x) / y for a float")
        x, y = self.unify_scalar(a, b, span)
        if x.type == F32:
            if op not in _FLOAT_BINOPS:
                raise DslError(f"'{op}' is not defined on float scalars", span)
            return self.emit1(_FLOAT_BINOPS[op](x, y), span)
        if x.type == I1:
            if op not in _BOOL_BINOPS:
                raise DslError(f"'{op}' is not defined on booleans", span, "use 'and', 'or', 'not'")
            return self.emit1(_BOOL_BINOPS[op](x, y), span)
        if op == "%":  # Python's floor modulo: x - (x // y) * y
            q = self.emit1(arith.FloorDivSIOp(x, y), span)
            return self.emit1(arith.SubiOp(x, self.emit1(arith.MuliOp(q, y), span)), span)
        if op not in _INT_BINOPS:
            raise DslError(f"'{op}' is not supported on integer scalars", span)
        return self.emit1(_INT_BINOPS[op](x, y), span)

    def tile_binop(self, op: str, a: Value, b: Value, span: Span) -> SSAValue:
        if op not in _TILE_BINOPS:
            raise DslError(f"'{op}' is not supported on tiles", span, "supported: + - * / & |")
        x = self.tile_operand(a, span)
        y = self.tile_operand(b, span)
        return self.emit1(_TILE_BINOPS[op](x, y, self.elementwise_type(x, y, span)), span)

    def tile_operand(self, v: Value, span: Span) -> SSAValue:
        if isinstance(v, SSAValue) and isinstance(v.type, TileType):
            return v
        k = kind(v)
        if k == "float":
            return self.as_float(v, span, "operand")
        if k == "int":
            return self.as_int(v, span, "operand")
        if k == "bool":
            return self.as_bool(v, span, "operand")
        raise DslError(f"a {describe(v)} cannot be combined with a tile", span)

    def elementwise_type(self, x: SSAValue, y: SSAValue, span: Span, element: Attribute | None = None) -> TileType:
        tiles = [v.type for v in (x, y) if isinstance(v.type, TileType)]
        elements = {tt.element for tt in tiles}
        if len(elements) > 1:
            a, b = tiles
            raise DslError(
                f"tiles of {a.element_name()} and {b.element_name()} cannot be combined",
                span,
                f"cast one side first, e.g. cast(x, {b.element_name()})",
            )
        dims: tuple[int | str, ...] = ()
        for tt in tiles:
            dims = broadcast_dims(dims, tt.dims, span)
        return TileType(element or tiles[0].element, shape_attr(dims))

    def unary(self, node: ast.UnaryOp) -> Value:
        v = self.expr(node.operand)
        span = node.span
        if isinstance(v, Py):
            try:
                return Py({"-": operator.neg, "+": operator.pos, "~": operator.invert, "not": operator.not_}[node.op](v.value))
            except TypeError as exc:
                raise DslError(f"cannot compute this constant: {exc}", span) from None
        k = kind(v)
        if node.op == "not":
            return self.emit1(arith.XOrIOp(self.as_bool(v, span, "operand of not"), self.const_bool(True, span)), span)
        if node.op == "+" and k in ("int", "float", "tile"):
            return v
        if node.op == "-":
            if k == "tile":
                assert isinstance(v, SSAValue)
                return self.emit1(t.UnaryOp(v, "neg"), span)
            if k == "float":
                assert isinstance(v, SSAValue)
                return self.emit1(arith.NegfOp(v), span)
            return self.emit1(arith.SubiOp(self.const_int(0, span), self.as_int(v, span, "operand of -")), span)
        if node.op == "~" and k == "int":
            return self.emit1(arith.XOrIOp(self.as_int(v, span, "operand"), self.const_int(-1, span)), span)
        raise DslError(f"'{node.op}' cannot be applied to a {describe(v)}", span)

    def boolop(self, node: ast.BoolOp) -> Value:
        result = self.expr(node.values[0])
        for rhs_node in node.values[1:]:
            span = node.span
            if isinstance(result, Py):  # constant left side: Python short-circuit at compile time
                if (node.op == "and") != bool(result.value):
                    return result
                result = self.expr(rhs_node)
                continue
            left = self.as_bool(result, span, f"operand of {node.op}")
            if not _may_have_effects(rhs_node):
                right = self.as_bool(self.expr(rhs_node), rhs_node.span, f"operand of {node.op}")
                cls = arith.AndIOp if node.op == "and" else arith.OrIOp
                result = self.emit1(cls(left, right), span)
                continue
            # The right side reads memory: evaluate it only when the left side does not decide.
            inner, short = Block(), Block()
            with self.in_block(inner):
                right = self.as_bool(self.expr(rhs_node), rhs_node.span, f"operand of {node.op}")
                self.emit(scf.YieldOp(right), span)
            with self.in_block(short):
                self.emit(scf.YieldOp(self.const_bool(node.op == "or", span)), span)
            then_b, else_b = (inner, short) if node.op == "and" else (short, inner)
            result = self.emit1(scf.IfOp(left, [I1], [then_b], [else_b]), span)
        return result

    def ifexp(self, node: ast.IfExp) -> Value:
        cond = self.expr(node.test)
        if isinstance(cond, Py):
            return self.expr(node.body if cond.value else node.orelse)
        c = self.as_bool(cond, node.test.span, "condition")
        then_b, else_b = Block(), Block()
        with self.in_block(then_b):
            a = self.expr(node.body)
        with self.in_block(else_b):
            b = self.expr(node.orelse)
        ka, kb = kind(a), kind(b)
        if ka not in ("int", "float", "bool") or kb not in ("int", "float", "bool"):
            raise DslError("both sides of 'x if c else y' must be scalars", node.span,
                           "use where(cond, a, b) for tiles")
        target = "float" if "float" in (ka, kb) else ("bool" if ka == kb == "bool" else "int")
        conv = {"float": self.as_float, "bool": self.as_bool, "int": self.as_int}[target]
        with self.in_block(then_b):
            self.emit(scf.YieldOp(conv(a, node.body.span, "value")), node.span)
        with self.in_block(else_b):
            self.emit(scf.YieldOp(conv(b, node.orelse.span, "value")), node.span)
        rtype = {"float": F32, "bool": I1, "int": IndexType()}[target]
        return self.emit1(scf.IfOp(c, [rtype], [then_b], [else_b]), node.span)

    # ---------------------------------------------------------------- comparisons

    def compare(self, node: ast.Compare) -> Value:
        left = self.expr(node.left)
        result: Value | None = None
        for op, right_node in zip(node.ops, node.comparators, strict=True):
            right = self.expr(right_node)
            one = self.compare_one(op, left, right, node.span)
            if result is None:
                result = one
            elif isinstance(result, Py) and isinstance(one, Py):
                result = Py(result.value and one.value)
            else:
                a = self.as_bool(result, node.span, "comparison")
                result = self.emit1(arith.AndIOp(a, self.as_bool(one, node.span, "comparison")), node.span)
            left = right
        assert result is not None
        return result

    def compare_one(self, op: str, a: Value, b: Value, span: Span) -> Value:
        ka, kb = kind(a), kind(b)
        negate = op in ("not in", "is not", "!=")
        if op in ("is", "is not"):
            return self.is_none(a, b, negate, span)
        if ka == "dtype" or kb == "dtype":
            return self.dtype_compare(op, a, b, span)
        if ka == "str" or kb == "str":
            return self.str_compare(op, a, b, span)
        if op in ("in", "not in"):
            if not isinstance(b, TupleVal):
                raise DslError(f"'{op}' needs a tuple on its right", span, "e.g. x in (1, 2, 4)")
            acc: Value = Py(False)
            for item in b.items:
                eq = self.compare_one("==", a, item, span)
                acc = self.bool_or(acc, eq, span)
            return self.bool_not(acc, span) if negate else acc
        if isinstance(a, Py) and isinstance(b, Py):
            return self.const_compare(op, a, b, span)
        if "tile" in (ka, kb):
            x, y = self.tile_operand(a, span), self.tile_operand(b, span)
            rtype = self.elementwise_type(x, y, span, element=dtypes.BY_NAME["bool"].mlir())
            return self.emit1(t.CmpOp(x, y, _TILE_CMP[op], rtype), span)
        if ka not in ("int", "float", "bool") or kb not in ("int", "float", "bool"):
            raise DslError(f"cannot compare a {describe(a)} with a {describe(b)}", span)
        x, y = self.unify_scalar(a, b, span)
        if x.type == F32:
            return self.emit1(arith.CmpfOp(x, y, _FLOAT_CMP[op]), span)
        return self.emit1(arith.CmpiOp(x, y, _INT_CMP[op]), span)

    def bool_or(self, a: Value, b: Value, span: Span) -> Value:
        if isinstance(a, Py) and isinstance(b, Py):
            return Py(bool(a.value) or bool(b.value))
        if isinstance(a, Py):
            return b if not a.value else a
        return self.emit1(arith.OrIOp(self.as_bool(a, span, "operand"), self.as_bool(b, span, "operand")), span)

    def bool_not(self, a: Value, span: Span) -> Value:
        if isinstance(a, Py):
            return Py(not a.value)
        return self.emit1(arith.XOrIOp(self.as_bool(a, span, "operand"), self.const_bool(True, span)), span)

    def is_none(self, a: Value, b: Value, negate: bool, span: Span) -> Value:
        if not (isinstance(b, Py) and b.value is None):
            raise DslError("'is' is only supported as 'x is None' / 'x is not None'", span, "use == to compare values")
        if isinstance(a, Py):
            return Py((a.value is None) != negate)
        if isinstance(a, BlockArgument) and isinstance(a.type, TensorType) and self.is_optional_param(a):
            present = self.emit1(t.PresentOp(a), span)
            kernel = a.block.parent_op()
            assert isinstance(kernel, t.KernelOp)
            present.name_hint = f"{kernel.names[a.index]}_present"  # the tiling field's name, if it becomes one
            return present if negate else self.bool_not(present, span)
        raise DslError(f"a {describe(a)} is never None", span, "only Optional[...] tensor parameters can be None")

    @staticmethod
    def is_optional_param(arg: BlockArgument) -> bool:
        kernel = arg.block.parent_op()
        return isinstance(kernel, t.KernelOp) and kernel.optional[arg.index]

    def dtype_compare(self, op: str, a: Value, b: Value, span: Span) -> Value:
        if not isinstance(a, DTypeRef):
            raise DslError("put the dtype variable on the left, e.g. T in (f16, bf16)", span)
        if op in ("in", "not in"):
            if not isinstance(b, TupleVal) or not all(isinstance(i, DTypeRef) for i in b.items):
                raise DslError(f"'{op}' on a dtype needs a tuple of dtypes", span, "e.g. T in (f16, bf16)")
            choices = [i.element for i in b.items]  # type: ignore[union-attr]
        elif op in ("==", "!="):
            if not isinstance(b, DTypeRef):
                raise DslError("a dtype can only be compared with a dtype", span)
            choices = [b.element]
        else:
            raise DslError(f"dtypes do not support '{op}'", span, "use ==, !=, in, not in")
        negate = op in ("!=", "not in")
        if not isinstance(a.element, DTypeVarAttr):
            return Py((a.element in choices) != negate)
        res = self.emit1(t.DTypeInOp(a.element.var.data, choices), span)
        return self.bool_not(res, span) if negate else res

    def const_compare(self, op: str, a: Py, b: Py, span: Span) -> Py:
        """A comparison of two compile-time constants, with Python's result (`in` on strings is a substring test)."""
        try:
            if op in ("in", "not in"):
                if not isinstance(b.value, str):
                    raise DslError(f"'{op}' needs a tuple on its right", span, "e.g. x in (1, 2, 4)")
                return Py((a.value in b.value) != (op == "not in"))
            return Py(_PY_CMP[op](a.value, b.value))
        except TypeError:
            raise DslError(f"cannot compare a {describe(a)} with a {describe(b)} using '{op}'", span) from None

    def str_compare(self, op: str, a: Value, b: Value, span: Span) -> Value:
        if isinstance(a, Py) and isinstance(b, Py):
            return self.const_compare(op, a, b, span)
        if isinstance(b, TupleVal) and op in ("in", "not in") and isinstance(a, Py):
            acc: Value = Py(False)  # item by item: an item may be a string attribute
            for item in b.items:
                acc = self.bool_or(acc, self.compare_one("==", a, item, span), span)
            return self.bool_not(acc, span) if op == "not in" else acc
        if isinstance(a, Py) and isinstance(b, SSAValue) and isinstance(b.type, StrType) and op in ("==", "!="):
            return self.str_compare(op, b, a, span)  # "Norm" == mode
        if not (isinstance(a, SSAValue) and isinstance(a.type, StrType)):
            raise DslError(f"cannot compare a {describe(a)} with a {describe(b)} using '{op}'", span,
                           'compare a string attribute with string literals, e.g. mode == "Norm"')
        if op in ("==", "!=") and isinstance(b, Py) and isinstance(b.value, str):
            values = [b.value]
        elif op in ("in", "not in") and isinstance(b, TupleVal) and all(
            isinstance(i, Py) and isinstance(i.value, str) for i in b.items
        ):
            values = [i.value for i in b.items]  # type: ignore[union-attr]
        elif op in ("==", "!=", "in", "not in"):
            raise DslError(f"a string attribute is compared with string literals, not with a {describe(b)}", span,
                           'e.g. mode == "Norm" or mode in ("Norm", "PA_NZ")')
        else:
            raise DslError(f"a string attribute supports ==, !=, in and not in with literals, not '{op}'", span)
        res = self.emit1(t.StrInOp(a, values), span)
        return self.bool_not(res, span) if op in ("!=", "not in") else res

    # ---------------------------------------------------------------- attributes and subscripts

    def attribute(self, node: ast.Attribute) -> Value:
        return self.attribute_of(self.expr(node.value), node)

    def attribute_of(self, base: Value, node: ast.Attribute) -> Value:
        if isinstance(base, SSAValue) and isinstance(base.type, TensorType | ViewType | TileType | HostArrayType):
            if node.attr == "shape":
                return ShapeOf(base)
            if node.attr == "dtype":
                return DTypeRef(base.type.element)
            if node.attr in ("reshape", "permute") and kind(base) == "gm":
                return Method(base, node.attr)
        raise DslError(f"a {describe(base)} has no attribute '{node.attr}'", node.span,
                       "GM views have .shape, .dtype, .reshape(...), .permute(...); tiles have .shape and .dtype")

    def subscript(self, node: ast.Subscript) -> Value:
        base = self.expr(node.value)
        if isinstance(base, ShapeOf):
            return self.shape_item(base, node)
        if isinstance(base, TupleVal):
            idx = self.expr(node.indices[0]) if len(node.indices) == 1 else None
            if not (isinstance(idx, Py) and isinstance(idx.value, int)):
                raise DslError("a tuple is indexed by one integer constant", node.span)
            try:
                return base.items[idx.value]
            except IndexError:
                raise DslError(f"index {idx.value} is outside the tuple of {len(base.items)}", node.span) from None
        if isinstance(base, SSAValue) and isinstance(base.type, TensorType | ViewType | HostArrayType):
            return self.gm_subscript(base, node)
        if isinstance(base, SSAValue) and isinstance(base.type, TileType):
            return self.tile_subscript(base, node)
        raise DslError(f"a {describe(base)} cannot be subscripted", node.span)

    def shape_item(self, base: ShapeOf, node: ast.Subscript) -> Value:
        idx = self.expr(node.indices[0]) if len(node.indices) == 1 else None
        rank = base.source.type.rank  # type: ignore[attr-defined]
        if not (isinstance(idx, Py) and isinstance(idx.value, int)) or not -rank <= idx.value < rank:
            raise DslError(f".shape[...] takes one integer constant in [-{rank}, {rank})", node.span)
        return self.emit1(t.DimOp(base.source, idx.value % rank), node.span)

    def gm_subscript(self, base: SSAValue, node: ast.Subscript) -> Value:
        ty = base.type
        assert isinstance(ty, TensorType | ViewType | HostArrayType)
        if len(node.indices) > ty.rank:
            raise DslError(f"{len(node.indices)} indices for a tensor of rank {ty.rank}", node.span)
        if all(not isinstance(i, ast.Slice) for i in node.indices) and len(node.indices) == ty.rank:
            indices = [self.as_int(self.expr(i), i.span, "an index") for i in node.indices]
            return self.emit1(t.ReadOp(base, indices, self.scalar_type(ty.element, node.span)), node.span)
        if isinstance(ty, HostArrayType):
            raise DslError("a host array is read one element at a time", node.span, "index every dim")
        return self.make_view(base, node)

    def scalar_type(self, element: Attribute, span: Span) -> Attribute:
        """The scalar type an element reads as: index for integers, f32 for floats, i1 for bool."""
        names = [element.var.data] if isinstance(element, DTypeVarAttr) else []
        if names:
            domain = self.dtype_domain(names[0])
            if domain is None:
                raise DslError(
                    f"cannot tell whether dtype variable {names[0]} is an integer or a float type",
                    span,
                    f"constrain it first, e.g. require({names[0]} in (i32, i64), code=161002, msg=...)",
                )
            kinds = {dtypes.from_mlir(d).kind for d in domain}  # type: ignore[union-attr]
        else:
            dt = dtypes.from_mlir(element)
            assert dt is not None
            kinds = {dt.kind}
        if kinds <= {"int", "uint"}:
            return IndexType()
        if kinds == {"float"}:
            return F32
        if kinds == {"bool"}:
            return I1
        raise DslError("elements of mixed integer and float dtypes cannot be read as scalars", span,
                       "split the kernel by dtype with require(...)")

    def dtype_domain(self, var: str) -> list[Attribute] | None:  # provided by the kernel generator
        return None

    def make_view(self, base: SSAValue, node: ast.Subscript) -> SSAValue:
        ty = base.type
        assert isinstance(ty, TensorType | ViewType)
        offsets: list[SSAValue] = []
        sizes: list[SSAValue] = []
        steps: list[int] = []
        dropped: list[bool] = []
        fulls: list[bool] = []
        dims: list[int | str] = []
        span = node.span
        items: list[ast.Expr] = list(node.indices) + [
            ast.Slice(span, None, None, None) for _ in range(ty.rank - len(node.indices))
        ]
        for axis, item in enumerate(items):
            if isinstance(item, ast.Constant) and item.value is None:
                raise DslError("None (a new axis) is not allowed on a GM view", item.span, "load(...) it and index the tile")
            if not isinstance(item, ast.Slice):
                offsets.append(self.as_int(self.expr(item), item.span, "an index"))
                sizes.append(self.const_int(1, item.span))
                steps.append(1)
                dropped.append(True)
                fulls.append(False)
                continue
            step = 1
            if item.step is not None:
                sv = self.expr(item.step)
                if not (isinstance(sv, Py) and isinstance(sv.value, int) and sv.value > 0):
                    raise DslError("a slice step must be a positive integer constant", item.step.span)
                step = sv.value
            lo = self.expr(item.lower) if item.lower is not None else Py(0)
            if item.upper is None:
                hi_val: Value = self.emit1(t.DimOp(base, axis), item.span)
                full = item.lower is None and step == 1
            else:
                hi_val = self.expr(item.upper)
                full = False
            lo_ssa = self.as_int(lo, item.span, "a slice start")
            hi_ssa = self.as_int(hi_val, item.span, "a slice stop")
            length = self.emit1(arith.SubiOp(hi_ssa, lo_ssa), item.span)
            if step != 1:
                bumped = self.emit1(arith.AddiOp(length, self.const_int(step - 1, item.span)), item.span)
                length = self.emit1(arith.FloorDivSIOp(bumped, self.const_int(step, item.span)), item.span)
            # An empty or reversed slice has no elements, as in Python.
            length = self.emit1(arith.MaxSIOp(length, self.const_int(0, item.span)), item.span)
            offsets.append(lo_ssa)
            sizes.append(length)
            steps.append(step)
            dropped.append(False)
            fulls.append(full)
            if full:
                dims.append(ty.dims[axis])
            elif isinstance(lo, Py) and isinstance(hi_val, Py) and isinstance(lo.value, int) and isinstance(hi_val.value, int):
                dims.append(max(0, -(-(hi_val.value - lo.value) // step)))
            else:
                dims.append(DYN)
        rtype = ViewType(ty.element, shape_attr(dims))
        return self.emit1(t.ViewOp(base, offsets, sizes, steps, dropped, rtype, fulls), span)

    def tile_subscript(self, base: SSAValue, node: ast.Subscript) -> SSAValue:
        ty = base.type
        assert isinstance(ty, TileType)
        out = base
        axis = 0
        for item in node.indices:
            if isinstance(item, ast.Constant) and item.value is None:
                cur = out.type
                assert isinstance(cur, TileType)
                dims = list(cur.dims)
                dims.insert(axis, 1)
                out = self.emit1(t.ExpandDimsOp(out, axis, TileType(cur.element, shape_attr(dims))), item.span)
                axis += 1
            elif isinstance(item, ast.Slice) and item.lower is None and item.upper is None and item.step is None:
                axis += 1
            else:
                raise DslError("tiles are indexed with ':' and None only", item.span,
                               "slice the GM view before load(...) to take part of the data")
        if axis > ty.rank + sum(1 for i in node.indices if isinstance(i, ast.Constant)):
            raise DslError(f"too many indices for a tile of rank {ty.rank}", node.span)
        return out

    def gm_method(self, m: Method, node: ast.Call) -> SSAValue:
        ty = m.source.type
        assert isinstance(ty, TensorType | ViewType)
        args = [self.expr(a) for a in node.args]
        if len(args) == 1 and isinstance(args[0], TupleVal):
            args = list(args[0].items)
        if node.keywords:
            raise DslError(f".{m.name}(...) takes no keyword arguments", node.keywords[0].span)
        if m.name == "permute":
            perm = [a.value for a in args if isinstance(a, Py) and isinstance(a.value, int)]
            if len(perm) != len(args) or sorted(perm) != list(range(ty.rank)):
                raise DslError(f".permute(...) takes a permutation of 0..{ty.rank - 1} as constants", node.span)
            dims = [ty.dims[p] for p in perm]
            return self.emit1(t.PermuteOp(m.source, perm, ViewType(ty.element, shape_attr(dims))), node.span)
        for a in args:
            if isinstance(a, Py) and isinstance(a.value, int) and not isinstance(a.value, bool) and a.value < 0:
                raise DslError(f"a reshape size is negative ({a.value})", node.span,
                               "give every size (there is no -1 to infer one)")
        if not args:
            raise DslError(".reshape(...) takes the new sizes", node.span, "e.g. x.reshape(n, H, A)")
        sizes = [self.as_int(a, node.span, "a reshape size") for a in args]
        dims = [a.value if isinstance(a, Py) else DYN for a in args]
        return self.emit1(t.ReshapeOp(m.source, sizes, ViewType(ty.element, shape_attr(dims))), node.span)

    def element_of(self, v: Value, span: Span, what: str) -> Attribute:
        if isinstance(v, DTypeRef):
            return v.element
        raise DslError(f"{what} must be a dtype (f16, bf16, f32, i32, ... or a dtype variable), got a {describe(v)}", span)


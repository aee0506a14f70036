"""IR generation for calls of DSL builtins (load, store, copy, cast, require, ...)."""

from __future__ import annotations

import math
from collections.abc import Callable

from xdsl.dialects import arith
from xdsl.dialects.builtin import IndexType
from xdsl.ir import Attribute, BlockArgument, OpResult, SSAValue

from ascdsl import dtypes, lang
from ascdsl.dialects import tile_ops as t
from ascdsl.dialects.tile_types import DYN, DTypeVarAttr, TensorType, TileType, ViewType, shape_attr
from ascdsl.errors import DslError, Span
from ascdsl.frontend import ast
from ascdsl.frontend.irgen_base import I64
from ascdsl.frontend.irgen_exprs import ExprGen, broadcast_dims
from ascdsl.frontend.values import F32, I1, Builtin, Method, Py, TupleVal, Value, describe, kind


def bind(node: ast.Call, name: str, params: list[str], defaults: dict[str, object]) -> list[ast.Expr | None]:
    """Match a call's arguments to a builtin's parameters; returns the argument nodes too, for spans."""
    usage = lang.BUILTINS.get(name, name)
    if len(node.args) > len(params):
        raise DslError(f"{name}() takes at most {len(params)} arguments, got {len(node.args)}", node.span,
                       f"call it as {usage}")
    given: dict[str, ast.Expr] = dict(zip(params, node.args, strict=False))
    for kw in node.keywords:
        if kw.name not in params:
            raise DslError(f"{name}() has no parameter '{kw.name}'", kw.span, f"call it as {usage}")
        if kw.name in given:
            raise DslError(f"{name}() got '{kw.name}' twice", kw.span, f"call it as {usage}")
        given[kw.name] = kw.value
    missing = [p for p in params if p not in given and p not in defaults]
    if missing:
        raise DslError(f"{name}() is missing its argument '{missing[0]}'", node.span, f"call it as {usage}")
    return [given.get(p) for p in params]


class CallGen(ExprGen):
    def call(self, node: ast.Call) -> Value:
        func = self.expr(node.func)
        if isinstance(func, Method):
            return self.gm_method(func, node)
        if not isinstance(func, Builtin):
            raise DslError(f"a {describe(func)} cannot be called", node.func.span,
                           f"callable builtins: {', '.join(sorted(lang.BUILTINS))}")
        handler: Callable[[ast.Call], Value] | None = getattr(self, f"builtin_{func.name}", None)
        if handler is None:  # range/parallel outside a for
            raise DslError(f"{func.name}(...) is only allowed as the iterable of a for loop", node.span,
                           f"write: for i in {func.name}(n):")
        return handler(node)

    def _args(self, node: ast.Call, name: str, params: list[str], defaults: dict[str, object] | None = None) -> list[tuple[Value, Span]]:
        defaults = defaults or {}
        nodes = bind(node, name, params, defaults)
        out: list[tuple[Value, Span]] = []
        for p, n in zip(params, nodes, strict=True):
            if n is None:
                out.append((Py(defaults[p]), node.span))
            else:
                out.append((self.expr(n), n.span))
        return out

    def _gm(self, v: Value, span: Span, what: str) -> SSAValue:
        if isinstance(v, SSAValue) and isinstance(v.type, TensorType | ViewType):
            return v
        raise DslError(f"{what} must be a GM tensor or view, got a {describe(v)}", span)

    @staticmethod
    def check_same_static_shape(what: str, src: tuple, dst: tuple, span: Span) -> None:
        """A transfer between shapes known to differ is an error now, not a failed DMA later."""
        for axis, (a, b) in enumerate(zip(src, dst, strict=True)):
            if isinstance(a, int) and isinstance(b, int) and a != b:
                shape = lambda dims: "[" + ", ".join(map(str, dims)) + "]"  # noqa: E731
                raise DslError(
                    f"{what} from shape {shape(src)} to shape {shape(dst)}: dim {axis} is {a} on one side and {b} on the other",
                    span,
                    "make both sides the same size (check the slice bounds)",
                )

    def check_writable(self, dst: SSAValue, span: Span) -> None:
        """Only Out and InOut tensors (and views of them) may be written."""
        root = dst
        while isinstance(root, OpResult) and isinstance(root.owner, t.ViewOp | t.PermuteOp | t.ReshapeOp):
            root = root.owner.source
        if isinstance(root, BlockArgument):
            kernel = root.block.parent_op()
            if isinstance(kernel, t.KernelOp) and kernel.roles[root.index] not in ("out", "inout"):
                name = kernel.names[root.index]
                raise DslError(f"cannot write into {name}: it is an input of the kernel", span,
                               "declare it InOut[Tensor[...]] (updated in place) or Out[Tensor[...]]")

    def _tile(self, v: Value, span: Span, what: str) -> SSAValue:
        if isinstance(v, SSAValue) and isinstance(v.type, TileType):
            return v
        hint = "load(...) it first" if kind(v) == "gm" else None
        raise DslError(f"{what} must be a tile, got a {describe(v)}", span, hint)

    def _const(self, v: Value, span: Span, what: str, types: type | tuple[type, ...]) -> object:
        if isinstance(v, Py) and isinstance(v.value, types) and not (types is int and isinstance(v.value, bool)):
            return v.value
        raise DslError(f"{what} must be a constant", span)

    # ---------------------------------------------------------------- checks

    def builtin_require(self, node: ast.Call) -> Value:
        (cond, cspan), (code, kspan), (msg, mspan) = self._args(node, "require", ["cond", "code", "msg"])
        code_v = self._const(code, kspan, "require code", int)
        if not 0 < code_v < 2**31:  # type: ignore[operator]
            raise DslError("require code must be a positive 32-bit aclnn status code", kspan,
                           "e.g. code=161002 (ACLNN_ERR_PARAM_INVALID)")
        msg_v = self._const(msg, mspan, "require msg", str)
        if self.loop_depth or self.block is not self.kernel_block:
            raise DslError("require(...) must be at the top level of the kernel body", node.span,
                           "checks run on the host before the kernel; move it before the loops and ifs")
        if isinstance(cond, Py):
            if not cond.value:
                raise DslError(f"this require(...) always fails: {msg_v}", node.span)
            return Py(None)
        c = self.as_bool(cond, cspan, "the condition of require")
        self.check_host_known(c, cspan)
        self.emit(t.RequireOp(c, int(code_v), str(msg_v)), node.span)  # type: ignore[call-overload]
        return Py(None)

    def check_host_known(self, value: SSAValue, span: Span) -> None:  # provided by the kernel generator
        pass

    kernel_block: object = None

    # ---------------------------------------------------------------- data movement

    def builtin_load(self, node: ast.Call) -> Value:
        ((v, span),) = self._args(node, "load", ["view"])
        src = self._gm(v, span, "the argument of load")
        ty = src.type
        assert isinstance(ty, TensorType | ViewType)
        return self.emit1(t.LoadOp(src, TileType(ty.element, ty.shape)), node.span)

    def builtin_store(self, node: ast.Call) -> Value:
        (dst, dspan), (val, vspan) = self._args(node, "store", ["view", "tile"])
        self.store_into(self._gm(dst, dspan, "the first argument of store"), val, vspan, node.span)
        return Py(None)

    def builtin_atomic_add(self, node: ast.Call) -> Value:
        (dst, dspan), (val, vspan) = self._args(node, "atomic_add", ["view", "tile"])
        self.store_into(self._gm(dst, dspan, "the first argument of atomic_add"), val, vspan, node.span, atomic=True)
        return Py(None)

    def store_into(self, dst: SSAValue, val: Value, vspan: Span, span: Span, atomic: bool = False) -> None:
        tile = self._tile(val, vspan, "the value stored")
        dty, tty = dst.type, tile.type
        assert isinstance(dty, TensorType | ViewType) and isinstance(tty, TileType)
        if dty.element != tty.element:
            raise DslError(f"cannot store a tile of {tty.element_name()} into {dty.element_name()} memory", span,
                           f"cast it first: cast(x, {dty.element_name()})")
        if dty.rank != tty.rank:
            raise DslError(f"cannot store a tile of rank {tty.rank} into a view of rank {dty.rank}", span,
                           "index or reshape the view so it has the tile's dims")
        self.check_same_static_shape("store", tty.dims, dty.dims, span)
        self.check_writable(dst, span)
        self.emit(t.StoreOp(tile, dst, atomic=atomic), span)

    def builtin_copy(self, node: ast.Call) -> Value:
        (dst, dspan), (src, sspan) = self._args(node, "copy", ["dst", "src"])
        self.copy_into(self._gm(dst, dspan, "the destination of copy"), self._gm(src, sspan, "the source of copy"), node.span)
        return Py(None)

    def copy_into(self, d: SSAValue, s: SSAValue, span: Span) -> None:
        dty, sty = d.type, s.type
        assert isinstance(dty, TensorType | ViewType) and isinstance(sty, TensorType | ViewType)
        if dty.element != sty.element:
            raise DslError(f"copy from {sty.element_name()} to {dty.element_name()} memory", span,
                           "copy moves data unchanged; load, cast and store to convert")
        if dty.rank != sty.rank:
            raise DslError(f"copy between views of rank {sty.rank} and {dty.rank}", span,
                           "index or reshape one side so both have the same dims")
        self.check_same_static_shape("copy", sty.dims, dty.dims, span)
        self.check_writable(d, span)
        self.emit(t.CopyOp(d, s), span)

    def builtin_fill(self, node: ast.Call) -> Value:
        (dst, dspan), (val, vspan) = self._args(node, "fill", ["view", "value"])
        self.fill_into(self._gm(dst, dspan, "the destination of fill"), val, vspan, node.span)
        return Py(None)

    def fill_into(self, d: SSAValue, val: Value, vspan: Span, span: Span) -> None:
        if kind(val) not in ("int", "float", "bool"):
            raise DslError(f"fill takes a scalar value, got a {describe(val)}", vspan, "use store(view, tile) for tiles")
        self.check_writable(d, span)
        self.emit(t.FillOp(d, self.scalar(val, vspan)), span)

    def scalar(self, v: Value, span: Span) -> SSAValue:
        k = kind(v)
        if k == "float":
            return self.as_float(v, span, "value")
        if k == "bool":
            return self.as_bool(v, span, "value")
        return self.as_int(v, span, "value")

    # ---------------------------------------------------------------- tile construction and math

    def _shape(self, v: Value, span: Span) -> tuple[list[SSAValue], list[int | str]]:
        items = v.items if isinstance(v, TupleVal) else (v,)
        for i in items:
            if isinstance(i, Py) and isinstance(i.value, int) and not isinstance(i.value, bool) and i.value < 0:
                raise DslError(f"a tile size is negative ({i.value})", span, "sizes are 0 or more")
        sizes = [self.as_int(i, span, "a tile size") for i in items]
        dims: list[int | str] = [i.value if isinstance(i, Py) else DYN for i in items]  # type: ignore[misc]
        return sizes, dims

    def builtin_zeros(self, node: ast.Call) -> Value:
        (shape, sspan), (dt, dspan) = self._args(node, "zeros", ["shape", "dtype"])
        return self._full(shape, sspan, Py(0), node.span, dt, dspan, node.span)

    def builtin_full(self, node: ast.Call) -> Value:
        (shape, sspan), (val, vspan), (dt, dspan) = self._args(node, "full", ["shape", "value", "dtype"])
        return self._full(shape, sspan, val, vspan, dt, dspan, node.span)

    def _full(self, shape: Value, sspan: Span, val: Value, vspan: Span, dt: Value, dspan: Span, span: Span) -> SSAValue:
        element = self.element_of(dt, dspan, "the dtype")
        sizes, dims = self._shape(shape, sspan)
        return self.emit1(t.FullOp(sizes, self.scalar(val, vspan), TileType(element, shape_attr(dims))), span)

    def builtin_cast(self, node: ast.Call) -> Value:
        (x, xspan), (dt, dspan), (rnd, rspan) = self._args(node, "cast", ["x", "dtype", "round"], {"round": None})
        element = self.element_of(dt, dspan, "the target dtype")
        src = self._tile(x, xspan, "the argument of cast")
        sty = src.type
        assert isinstance(sty, TileType)
        if rnd.value is None:  # type: ignore[union-attr]
            mode = self.default_round(sty.element, element)
        else:
            mode = str(self._const(rnd, rspan, "round", str))
            if mode not in t.ROUND_MODES:
                raise DslError(f"unknown rounding mode {mode!r}", rspan, f"one of {', '.join(t.ROUND_MODES)}")
        return self.emit1(t.CastOp(src, mode, TileType(element, sty.shape)), node.span)

    def default_round(self, src: Attribute, dst: Attribute) -> str:
        """Round half to even whenever precision can be lost; `none` for exact conversions. A dtype variable
        converts exactly when every dtype of its domain does (f16 or bf16 to f32)."""
        sources = self._candidates(src)
        targets = self._candidates(dst)
        if sources is None or targets is None:
            return "rint"
        modes = {self._round_between(a, b) for a in sources for b in targets}
        return "none" if modes == {"none"} else "rint"

    def _candidates(self, element: Attribute) -> list[Attribute] | None:
        if isinstance(element, DTypeVarAttr):
            return self.dtype_domain(element.var.data)  # type: ignore[attr-defined]
        return [element]

    @staticmethod
    def _round_between(src: Attribute, dst: Attribute) -> str:
        a, b = dtypes.from_mlir(src), dtypes.from_mlir(dst)
        if a is None or b is None:
            return "rint"
        if a.is_float and (not b.is_float or b.itemsize < a.itemsize or (a.name, b.name) == ("f16", "bf16")):
            return "rint"
        if a.is_integer and b.is_float and a.itemsize >= b.itemsize:
            return "rint"
        return "none"

    def builtin_where(self, node: ast.Call) -> Value:
        (c, cspan), (a, aspan), (b, bspan) = self._args(node, "where", ["cond", "a", "b"])
        cond = self._tile(c, cspan, "the condition of where")
        x, y = self.tile_operand(a, aspan), self.tile_operand(b, bspan)
        rtype = self.elementwise_type(x, y, node.span) if kind(a) == "tile" or kind(b) == "tile" else None
        if rtype is None:
            raise DslError("where(...) needs a tile as one of its values", node.span)
        cty = cond.type
        assert isinstance(cty, TileType)
        dims = broadcast_dims(cty.dims, rtype.dims, node.span)
        return self.emit1(t.WhereOp(cond, x, y, TileType(rtype.element, shape_attr(dims))), node.span)

    def _minmax(self, node: ast.Call, name: str) -> Value:
        if node.keywords or len(node.args) < 2:
            raise DslError(f"{name}() takes two or more positional arguments", node.span)
        vals = [(self.expr(a), a.span) for a in node.args]
        acc, _ = vals[0]
        for v, _span in vals[1:]:
            acc = self._minmax2(name, acc, v, node.span)
        return acc

    def _minmax2(self, name: str, a: Value, b: Value, span: Span) -> Value:
        if isinstance(a, Py) and isinstance(b, Py):
            for v in (a, b):
                if kind(v) not in ("int", "float", "bool"):
                    raise DslError(f"{name}() takes numbers or tiles, got a {describe(v)}", span)
            return Py(min(a.value, b.value) if name == "min" else max(a.value, b.value))
        if "tile" in (kind(a), kind(b)):
            x, y = self.tile_operand(a, span), self.tile_operand(b, span)
            cls = t.MinOp if name == "min" else t.MaxOp
            return self.emit1(cls(x, y, self.elementwise_type(x, y, span)), span)
        x, y = self.unify_scalar(a, b, span)
        if x.type == F32:
            return self.emit1((arith.MinimumfOp if name == "min" else arith.MaximumfOp)(x, y), span)
        if x.type == I1:
            raise DslError(f"{name}() of booleans", span, "use 'and' / 'or'")
        return self.emit1((arith.MinSIOp if name == "min" else arith.MaxSIOp)(x, y), span)

    def builtin_min(self, node: ast.Call) -> Value:
        return self._minmax(node, "min")

    def builtin_max(self, node: ast.Call) -> Value:
        return self._minmax(node, "max")

    def _unary(self, node: ast.Call, name: str) -> Value:
        ((x, xspan),) = self._args(node, name, ["x"])
        if kind(x) == "int" and name in ("abs",):
            v = self.as_int(x, xspan, "operand")
            neg = self.emit1(arith.SubiOp(self.const_int(0, xspan), v), node.span)
            return self.emit1(arith.MaxSIOp(v, neg), node.span)
        if kind(x) == "float" and name in ("floor", "ceil"):
            return self._round_scalar(x, node.span, name)  # type: ignore[arg-type]
        if isinstance(x, Py) and name in ("floor", "ceil") and isinstance(x.value, int | float) and not isinstance(x.value, bool):
            return Py(float(math.floor(x.value) if name == "floor" else math.ceil(x.value)))
        return self.emit1(t.UnaryOp(self._tile(x, xspan, f"the argument of {name}"), name), node.span)

    def _round_scalar(self, x: SSAValue, span: Span, name: str) -> SSAValue:
        """floor / ceil of a float scalar, as a float: truncate, then step down (floor of a negative non-integer)
        or up (ceil of a positive one). Floats of magnitude 2**23 and above are integers already (and may not fit
        the truncation), so they are returned as they are."""
        whole = self.emit1(arith.SIToFPOp(self.emit1(arith.FPToSIOp(x, I64), span), F32), span)
        one = self.const_float(1.0, span)
        if name == "floor":
            stepped = self.emit1(arith.SubfOp(whole, one), span)
            off = self.emit1(arith.CmpfOp(x, whole, "olt"), span)
        else:
            stepped = self.emit1(arith.AddfOp(whole, one), span)
            off = self.emit1(arith.CmpfOp(x, whole, "ogt"), span)
        rounded = self.emit1(arith.SelectOp(off, stepped, whole), span)
        magnitude = self.emit1(arith.MaximumfOp(x, self.emit1(arith.NegfOp(x), span)), span)
        small = self.emit1(arith.CmpfOp(magnitude, self.const_float(float(2**23), span), "olt"), span)
        return self.emit1(arith.SelectOp(small, rounded, x), span)

    def builtin_abs(self, node: ast.Call) -> Value:
        return self._unary(node, "abs")

    def builtin_floor(self, node: ast.Call) -> Value:
        return self._unary(node, "floor")

    def builtin_ceil(self, node: ast.Call) -> Value:
        return self._unary(node, "ceil")

    def builtin_exp(self, node: ast.Call) -> Value:
        return self._unary(node, "exp")

    def builtin_sqrt(self, node: ast.Call) -> Value:
        return self._unary(node, "sqrt")

    def _reduce(self, node: ast.Call, kind_: str) -> Value:
        name = f"reduce_{kind_}"
        (x, xspan), (axis, aspan) = self._args(node, name, ["tile", "axis"], {"axis": None})
        src = self._tile(x, xspan, f"the argument of {name}")
        ty = src.type
        assert isinstance(ty, TileType)
        if isinstance(axis, Py) and axis.value is None:
            axes = list(range(ty.rank))
        else:
            items = axis.items if isinstance(axis, TupleVal) else (axis,)
            axes = []
            for i in items:
                a = int(self._const(i, aspan, "axis", int))  # type: ignore[call-overload]
                if not -ty.rank <= a < ty.rank:
                    raise DslError(f"axis {a} is out of range for a tile of rank {ty.rank}", aspan,
                                   f"an axis is in [-{ty.rank}, {ty.rank})" if ty.rank else "a rank-0 tile has no axes")
                if a % ty.rank in axes:
                    raise DslError(f"axis {a} is repeated", aspan, "name each axis once")
                axes.append(a % ty.rank)
        if len(axes) == ty.rank:
            rtype: Attribute = self.scalar_type(ty.element, node.span)
        else:
            dims = [d for i, d in enumerate(ty.dims) if i not in axes]
            rtype = TileType(ty.element, shape_attr(dims))
        return self.emit1(t.ReduceOp(src, kind_, axes, rtype), node.span)

    def builtin_reduce_sum(self, node: ast.Call) -> Value:
        return self._reduce(node, "sum")

    def builtin_reduce_max(self, node: ast.Call) -> Value:
        return self._reduce(node, "max")

    def builtin_reduce_min(self, node: ast.Call) -> Value:
        return self._reduce(node, "min")

    # ---------------------------------------------------------------- scalars

    def builtin_sizeof(self, node: ast.Call) -> Value:
        ((dt, dspan),) = self._args(node, "sizeof", ["dtype"])
        element = self.element_of(dt, dspan, "the argument of sizeof")
        concrete = dtypes.from_mlir(element)
        if concrete is not None:
            return Py(concrete.itemsize)
        return self.emit1(t.SizeOfOp(element), node.span)

    def builtin_int(self, node: ast.Call) -> Value:
        ((x, xspan),) = self._args(node, "int", ["x"])
        if isinstance(x, Py) and isinstance(x.value, int | float):
            try:
                return Py(int(x.value))
            except (OverflowError, ValueError):  # int(inf), int(nan)
                raise DslError(f"int() of {x.value} has no integer value", xspan) from None
        if kind(x) == "float":
            assert isinstance(x, SSAValue)
            wide = self.emit1(arith.FPToSIOp(x, I64), node.span)
            return self.emit1(arith.IndexCastOp(wide, IndexType()), node.span)
        return self.as_int(x, xspan, "the argument of int")

    def builtin_float(self, node: ast.Call) -> Value:
        ((x, xspan),) = self._args(node, "float", ["x"])
        if isinstance(x, Py) and isinstance(x.value, int | float):
            try:
                return Py(float(x.value))
            except OverflowError:
                raise DslError("float() of this integer overflows a float", xspan) from None
        return self.as_float(x, xspan, "the argument of float")


"""IR generation for structs and raw device memory: `as_struct(t, S)`, field reads and writes, `gm_tensor(address,
dtype, shape)` and `volatile(read)`.

A struct view is a compile-time value (the GM byte tensor, a static byte offset and the layout); reading a
field emits `tile.reinterpret` of the bytes at the field's offset and a `tile.read`, writing one a
`tile.write`. An array field is a GM tensor of its elements, so it is indexed, sliced, loaded and filled like
any other.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from xdsl.dialects.builtin import UnitAttr
from xdsl.ir import BlockArgument, OpResult, SSAValue

from ascdsl import dtypes
from ascdsl.dialects import tile_ops as t
from ascdsl.dialects.tile_memory import VOLATILE, CountEqOp, GmAtOp, ReinterpretOp
from ascdsl.dialects.tile_types import DYN, TensorType, ViewType, shape_attr
from ascdsl.errors import DslError, Span
from ascdsl.frontend import ast
from ascdsl.frontend.irgen_calls import CallGen
from ascdsl.frontend.values import DTypeRef, Py, TupleVal, Value, describe, kind
from ascdsl.structs import Field, Struct, StructLayout


@dataclass(frozen=True)
class StructDecl:
    """A `@struct` class named in a kernel (the second argument of as_struct)."""

    struct: Struct


@dataclass(frozen=True)
class StructRef:
    """A struct laid over GM bytes: `base` (an i8/u8 GM tensor or view) from byte `offset` on."""

    base: SSAValue
    offset: int
    layout: StructLayout


_BYTE_DTYPES = ("i8", "u8")


class StructGen(CallGen):
    # ---------------------------------------------------------------- names and attributes

    def lookup(self, name: str, span: Span) -> Value:
        if name not in self.env and isinstance(self.globals.get(name), Struct):
            return StructDecl(self.globals[name])  # type: ignore[return-value]
        return super().lookup(name, span)

    def attribute_of(self, base: Value, node: ast.Attribute) -> Value:
        if isinstance(base, StructRef):
            return self.field_value(base, node.attr, node.span)
        return super().attribute_of(base, node)

    def field_of(self, ref: StructRef, name: str, span: Span) -> Field:
        f = ref.layout.field(name)
        if f is None:
            reserved = any(g.name == name for g in ref.layout.fields)
            close = difflib.get_close_matches(name, ref.layout.accessible(), n=3, cutoff=0.5)
            hint = f"did you mean {', '.join(close)}?" if close else f"its fields: {', '.join(ref.layout.accessible())}"
            what = "is a reserved area" if reserved else "has no field"
            raise DslError(f"struct {ref.layout.name} {what} {name!r}" if reserved else f"struct {ref.layout.name} has no field {name!r}",
                           span, "reserved areas are padding: declare a field there to use it" if reserved else hint)
        return f

    def field_tensor(self, ref: StructRef, f: Field, span: Span) -> SSAValue:
        """The field's bytes as a dense GM tensor of its elements (1 element for a scalar)."""
        assert f.dtype is not None
        off = self.const_int(ref.offset + f.offset, span)
        n = self.const_int(f.count, span)
        ty = TensorType(f.dtype.mlir(), shape_attr([f.count]))
        out = self.emit1(ReinterpretOp(ref.base, off, [n], ty), span)
        out.name_hint = f.name  # the printed GlobalTensor is named after its field
        return out

    def field_value(self, ref: StructRef, name: str, span: Span) -> Value:
        f = self.field_of(ref, name, span)
        if f.kind == "struct":
            assert f.struct is not None
            return StructRef(ref.base, ref.offset + f.offset, f.struct)  # type: ignore[return-value]
        gm = self.field_tensor(ref, f, span)
        if f.kind == "array":
            return gm
        assert f.dtype is not None
        zero = self.const_int(0, span)
        return self.emit1(t.ReadOp(gm, [zero], self.scalar_type(f.dtype.mlir(), span)), span)

    # ---------------------------------------------------------------- writes

    def assign_attribute(self, target: ast.Attribute, value: Value, vspan: Span) -> None:
        base = self.expr(target.value)
        if isinstance(base, StructRef):
            self.assign_field(base, target, value, vspan)
            return
        raise DslError(f"cannot assign to an attribute of a {describe(base)}", target.span,
                       "only struct fields take attribute assignment: s = as_struct(t, S); s.field = v")

    def assign_field(self, ref: StructRef, target: ast.Attribute, value: Value, vspan: Span) -> None:
        f = self.field_of(ref, target.attr, target.span)
        if f.kind == "struct":
            raise DslError(f"field {f.name} is a struct: assign its fields one by one", target.span)
        gm = self.field_tensor(ref, f, target.span)
        self.check_writable(gm, target.span)
        k = kind(value)
        if f.kind == "array":
            self.assign_view(gm, value, vspan, target.span)
            return
        if k not in ("int", "float", "bool"):
            raise DslError(f"field {f.name} takes a scalar, got a {describe(value)}", vspan)
        zero = self.const_int(0, target.span)
        self.emit(t.WriteOp(self.scalar(value, vspan), gm, [zero]), target.span)

    def assign_view(self, view: SSAValue, value: Value, vspan: Span, span: Span) -> None:
        """`view[...] = value` or `s.array_field = value`: store a tile, copy a GM view, or fill with a scalar."""
        k = kind(value)
        if k == "tile":
            self.store_into(view, value, vspan, span)
        elif k == "gm":
            assert isinstance(value, SSAValue)
            self.copy_into(view, value, span)
        else:
            self.fill_into(view, value, vspan, span)

    def check_writable(self, dst: SSAValue, span: Span) -> None:
        root = dst
        while isinstance(root, OpResult) and isinstance(root.owner, ReinterpretOp | t.ViewOp | t.PermuteOp | t.ReshapeOp):
            root = root.owner.source
        super().check_writable(root, span)

    # ---------------------------------------------------------------- builtins

    def builtin_as_struct(self, node: ast.Call) -> Value:
        (src, sspan), (decl, dspan) = self._args(node, "as_struct", ["tensor", "struct"])
        if not isinstance(decl, StructDecl):
            raise DslError(f"the second argument of as_struct must be a @struct class, got a {describe(decl)}", dspan,
                           "declare it at module level with @struct and pass its name")
        gm = self._gm(src, sspan, "the first argument of as_struct")
        ty = gm.type
        assert isinstance(ty, TensorType | ViewType)
        name = ty.element_name()
        if name not in _BYTE_DTYPES:
            raise DslError(f"as_struct views bytes: the tensor must be i8 or u8, got {name}", sspan,
                           "declare the tensor as Tensor[i8, N] (a byte buffer)")
        if ty.rank != 1:
            raise DslError(f"as_struct views a 1-D byte tensor, got rank {ty.rank}", sspan, "reshape it to 1-D first")
        size = decl.struct.size
        if isinstance(ty.dims[0], int) and ty.dims[0] < size:
            raise DslError(f"struct {decl.struct.layout.name} has {size} bytes, the tensor only {ty.dims[0]}", sspan)
        return StructRef(gm, 0, decl.struct.layout)  # type: ignore[return-value]

    def builtin_gm_tensor(self, node: ast.Call) -> Value:
        (addr, aspan), (dt, dspan), (shape, shspan) = self._args(node, "gm_tensor", ["address", "dtype", "shape"])
        if kind(addr) != "int":
            raise DslError(f"the address of gm_tensor must be an integer (a pointer field), got a {describe(addr)}", aspan)
        if not isinstance(dt, DTypeRef) or dtypes.from_mlir(dt.element) is None:
            raise DslError("the dtype of gm_tensor must be a concrete dtype such as i32", dspan)
        items = shape.items if isinstance(shape, TupleVal) else (shape,)
        sizes = [self.as_int(i, shspan, "a dim of gm_tensor") for i in items]
        dims = [i.value if isinstance(i, Py) else DYN for i in items]
        ty = TensorType(dt.element, shape_attr(dims))
        return self.emit1(GmAtOp(self.as_int(addr, aspan, "the address"), sizes, ty), node.span)

    def builtin_volatile(self, node: ast.Call) -> Value:
        ((v, span),) = self._args(node, "volatile", ["read"])
        owner = v.owner if isinstance(v, OpResult) else None
        if not isinstance(owner, t.ReadOp) or isinstance(v, BlockArgument):
            raise DslError(f"volatile(...) takes one scalar read of GM (a struct field or x[i]), got a {describe(v)}", span,
                           "e.g. volatile(ctx.control.run_flag) or volatile(flags[i])")
        owner.attributes[VOLATILE] = UnitAttr()
        return v

    def builtin_count_equal(self, node: ast.Call) -> Value:
        (src, sspan), (val, vspan) = self._args(node, "count_equal", ["view", "value"])
        gm = self._gm(src, sspan, "the first argument of count_equal")
        ty = gm.type
        assert isinstance(ty, TensorType | ViewType)
        if ty.rank != 1:
            raise DslError(f"count_equal counts in a 1-D view, got rank {ty.rank}", sspan, "flatten it with .reshape(n) first")
        dt = dtypes.from_mlir(ty.element)
        if dt is None or dt.kind not in ("int", "uint"):
            raise DslError(f"count_equal counts integer elements, got {ty.element_name()}", sspan)
        return self.emit1(CountEqOp(gm, self.as_int(val, vspan, "the value of count_equal")), node.span)

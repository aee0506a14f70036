"""`@struct`: a C struct with an exact byte layout, declared as a Python class of typed fields.

    @struct(size=128)
    class ControlArea:
        run_flag: i32           # byte 0
        reserve: Reserved[124]  # bytes 4..127: padding nobody reads

Fields are packed in declaration order, little-endian, with no implicit padding: the layout is exactly what
the declaration says, like `#pragma pack(1)` in C. A field is a scalar dtype (`u32`), a fixed array
(`Array[i32, 4]`), another struct (nested), or a reserved area (`Reserved[n]` bytes, not accessible).
`size=` states the total and `at(n)` a field's offset: the declaration is checked against them, and a layout
that disagrees is an error at the field's file:line:col. Scalars must sit at a multiple of their size (the
scalar unit reads GM naturally aligned); put a reserved area before a field to align it.

A kernel views a GM byte tensor as a struct (`as_struct(t, Header)`) and reads and writes its fields
by name; the same `StructLayout` gives Python a numpy structured dtype to build or inspect the bytes.
"""

from __future__ import annotations

import ast as pyast
import inspect
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ascdsl import dtypes
from ascdsl.errors import AscdslError, DslError, Span
from ascdsl.lang import _Marker

Array = _Marker("Array")  # Array[dtype, n]: n elements of dtype
Reserved = _Marker("Reserved")  # Reserved[n]: n bytes of padding


def at(offset: int) -> int:
    """`field: u32 = at(288)`: the declaration states the field's byte offset; the layout is checked against it."""
    return offset


@dataclass(frozen=True)
class Field:
    name: str
    offset: int  # bytes from the start of the struct
    kind: str  # "scalar", "array", "struct" or "reserved"
    dtype: dtypes.DType | None  # scalars and arrays
    count: int  # elements of an array; 1 for a scalar
    nbytes: int
    struct: StructLayout | None  # a nested struct
    span: Span


@dataclass(frozen=True)
class StructLayout:
    """The checked layout of a `@struct` class: its fields at their byte offsets, and its size."""

    name: str
    size: int
    fields: tuple[Field, ...]
    span: Span

    def field(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name and f.kind != "reserved"), None)

    def accessible(self) -> list[str]:
        return [f.name for f in self.fields if f.kind != "reserved"]

    def numpy_dtype(self) -> np.dtype:
        """A packed little-endian structured dtype of exactly `size` bytes (reserved areas left out)."""
        names, formats, offsets = [], [], []
        for f in self.fields:
            if f.kind == "reserved":
                continue
            names.append(f.name)
            offsets.append(f.offset)
            if f.kind == "struct":
                assert f.struct is not None
                formats.append(f.struct.numpy_dtype())
            else:
                assert f.dtype is not None
                base = f.dtype.numpy.newbyteorder("<")
                formats.append(base if f.kind == "scalar" else np.dtype((base, (f.count,))))
        return np.dtype({"names": names, "formats": formats, "offsets": offsets, "itemsize": self.size})

    def view(self, data: np.ndarray) -> np.ndarray:
        """The fields of `data` (exactly `size` bytes) as a numpy record, sharing its memory."""
        raw = np.ascontiguousarray(data).view(np.uint8) if data.dtype != np.uint8 else data
        if raw.size != self.size:
            raise AscdslError(f"struct {self.name} has {self.size} bytes, the buffer {raw.size}")
        return raw.view(self.numpy_dtype())[0]


class Struct:
    """What `@struct` turns a class into: its layout, usable by kernels and by Python."""

    def __init__(self, cls: type, layout: StructLayout) -> None:
        self.cls = cls
        self.layout = layout
        self.__doc__ = cls.__doc__
        self.__name__ = cls.__name__

    @property
    def size(self) -> int:
        return self.layout.size

    def numpy_dtype(self) -> np.dtype:
        return self.layout.numpy_dtype()

    def view(self, data: np.ndarray) -> np.ndarray:
        return self.layout.view(data)

    def zeros(self) -> np.ndarray:
        """`size` zero bytes as int8 (the usual type of a context tensor)."""
        return np.zeros(self.layout.size, np.int8)

    def __repr__(self) -> str:
        return f"<ascdsl struct {self.layout.name}, {self.layout.size} bytes>"


def _span(filename: str, node: pyast.AST, line0: int, col0: int) -> Span:
    line = getattr(node, "lineno", 1) + line0
    col = getattr(node, "col_offset", 0) + 1 + col0
    end_line = (getattr(node, "end_lineno", None) or getattr(node, "lineno", 1)) + line0
    end_col = (getattr(node, "end_col_offset", None) or getattr(node, "col_offset", 0)) + 1 + col0
    return Span(filename, line, col, end_line, end_col)


_USAGE = "a field is `name: dtype`, `name: Array[dtype, n]`, `name: Reserved[n]` or `name: OtherStruct`"


class _LayoutReader:
    def __init__(self, cls: type, filename: str, line0: int, col0: int) -> None:
        self.cls = cls
        self.filename = filename
        self.line0 = line0
        self.col0 = col0
        self.globals: dict[str, Any] = dict(getattr(inspect.getmodule(cls), "__dict__", {}))

    def span(self, node: pyast.AST) -> Span:
        return _span(self.filename, node, self.line0, self.col0)

    def int_const(self, node: pyast.expr, what: str) -> int:
        if isinstance(node, pyast.Constant) and isinstance(node.value, int) and not isinstance(node.value, bool):
            return node.value
        if isinstance(node, pyast.Name) and isinstance(self.globals.get(node.id), int) and not isinstance(self.globals[node.id], bool):
            return int(self.globals[node.id])
        raise DslError(f"{what} must be an integer constant", self.span(node), "write a literal such as 96")

    def dtype(self, node: pyast.expr) -> dtypes.DType | None:
        if isinstance(node, pyast.Name) and node.id in dtypes.BY_NAME and node.id != "bool":
            return dtypes.BY_NAME[node.id]
        return None

    def field(self, stmt: pyast.AnnAssign, offset: int) -> Field:
        assert isinstance(stmt.target, pyast.Name)
        name, ann, span = stmt.target.id, stmt.annotation, self.span(stmt.target)
        dt = self.dtype(ann)
        if dt is not None:
            if dt.kind in ("bytes",) or dt.itemsize not in (1, 2, 4, 8):
                raise DslError(f"field {name}: {dt.name} cannot be a struct field", self.span(ann), "use an integer or float dtype")
            return Field(name, offset, "scalar", dt, 1, dt.itemsize, None, span)
        if isinstance(ann, pyast.Subscript) and isinstance(ann.value, pyast.Name):
            head = ann.value.id
            items = list(ann.slice.elts) if isinstance(ann.slice, pyast.Tuple) else [ann.slice]
            if head == "Reserved":
                if len(items) != 1:
                    raise DslError(f"field {name}: Reserved takes one byte count", self.span(ann), "e.g. Reserved[96]")
                n = self.int_const(items[0], f"the size of {name}")
                if n <= 0:
                    raise DslError(f"field {name}: a reserved area of {n} bytes", self.span(items[0]), "reserve 1 byte or more")
                return Field(name, offset, "reserved", None, n, n, None, span)
            if head == "Array":
                edt = self.dtype(items[0]) if len(items) == 2 else None
                if edt is None:
                    raise DslError(f"field {name}: Array takes a dtype and a length", self.span(ann), "e.g. Array[i32, 4]")
                n = self.int_const(items[1], f"the length of {name}")
                if n <= 0:
                    raise DslError(f"field {name}: an array of {n} elements", self.span(items[1]), "give it 1 element or more")
                return Field(name, offset, "array", edt, n, n * edt.itemsize, None, span)
        if isinstance(ann, pyast.Name) and isinstance(self.globals.get(ann.id), Struct):
            inner: Struct = self.globals[ann.id]
            return Field(name, offset, "struct", None, 1, inner.layout.size, inner.layout, span)
        raise DslError(f"field {name}: cannot read its type", self.span(ann), _USAGE)

    def read(self, size: int | None) -> StructLayout:
        try:
            lines, first = inspect.getsourcelines(self.cls)
        except (OSError, TypeError) as exc:
            raise AscdslError(f"cannot read the source of struct {self.cls.__qualname__}: {exc}") from None
        text = "".join(lines)
        dedented = textwrap.dedent(text)
        head = next((line for line in text.splitlines() if line.strip()), "")
        self.col0 = len(head) - len(head.lstrip()) if dedented != text else 0
        self.line0 = first - 1
        tree = pyast.parse(dedented)
        cls_node = next(n for n in tree.body if isinstance(n, pyast.ClassDef))
        fields: list[Field] = []
        offset = 0
        seen: set[str] = set()
        for stmt in cls_node.body:
            if isinstance(stmt, pyast.Expr) and isinstance(stmt.value, pyast.Constant) and isinstance(stmt.value.value, str):
                continue  # docstring
            if isinstance(stmt, pyast.Pass):
                continue
            if not (isinstance(stmt, pyast.AnnAssign) and isinstance(stmt.target, pyast.Name)):
                raise DslError("a struct body holds only field declarations", self.span(stmt), _USAGE)
            f = self.field(stmt, offset)
            if f.name in seen:
                raise DslError(f"field {f.name} is declared twice", f.span, "give every field its own name")
            seen.add(f.name)
            if stmt.value is not None:
                want = self._stated_offset(stmt.value, f.name)
                if want != offset:
                    raise DslError(
                        f"field {f.name} is at byte {offset}, but the declaration says at({want})",
                        self.span(stmt.value),
                        f"the fields before it take {offset} bytes; add Reserved[{want - offset}] before it"
                        if want > offset else f"the fields before it take {offset} bytes, {offset - want} too many",
                    )
            if f.kind == "scalar" and f.offset % f.nbytes != 0:
                raise DslError(
                    f"field {f.name} ({f.dtype}) is at byte {f.offset}, not a multiple of its {f.nbytes} bytes",
                    f.span,
                    "the scalar unit reads GM naturally aligned: add a Reserved[...] area before it",
                )
            if f.kind == "array" and f.dtype is not None and f.offset % f.dtype.itemsize != 0:
                raise DslError(
                    f"array {f.name} of {f.dtype} starts at byte {f.offset}, not a multiple of {f.dtype.itemsize}",
                    f.span,
                    "add a Reserved[...] area before it",
                )
            fields.append(f)
            offset += f.nbytes
        span = self.span(cls_node)
        if not fields:
            raise DslError(f"struct {cls_node.name} has no fields", span, _USAGE)
        if size is not None and size != offset:
            raise DslError(
                f"struct {cls_node.name} has {offset} bytes, but size={size} is declared",
                span,
                f"add Reserved[{size - offset}] at the end" if size > offset else f"remove {offset - size} bytes of fields",
            )
        return StructLayout(cls_node.name, offset, tuple(fields), span)

    def _stated_offset(self, node: pyast.expr, name: str) -> int:
        if isinstance(node, pyast.Call) and isinstance(node.func, pyast.Name) and node.func.id == "at" and len(node.args) == 1:
            return self.int_const(node.args[0], f"the offset of {name}")
        raise DslError(f"field {name}: the only value a field takes is its offset, at(n)", self.span(node), "e.g. run_flag: i32 = at(128)")


def struct(cls: type | None = None, *, size: int | None = None) -> Any:
    """Declare a struct: `@struct` or `@struct(size=1024)` on a class of typed fields (see the module doc)."""

    def make(c: type) -> Struct:
        try:
            filename = inspect.getsourcefile(c) or "<struct>"
        except (OSError, TypeError) as exc:
            raise AscdslError(f"cannot read the source of struct {c.__qualname__}: {exc}") from None
        return Struct(c, _LayoutReader(c, filename, 0, 0).read(size))

    if cls is not None:
        return make(cls)
    return make


StructDecorator = Callable[[type], Struct]

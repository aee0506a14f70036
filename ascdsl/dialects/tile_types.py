"""Types and attributes of the `tile` dialect.

Shapes are lists of dims; a dim is a static size (int), a symbol of the kernel signature (a name such as
`NB`, bound when the kernel is called) or `?` (known only at run time). Element types are builtin MLIR types
or a dtype variable `#tile.dtype_var<"T">` bound, like symbols, from the arguments of a call.
"""

from __future__ import annotations

from collections.abc import Sequence

from xdsl.dialects.builtin import ArrayAttr, IntAttr, StringAttr
from xdsl.ir import Attribute, ParametrizedAttribute, TypeAttribute
from xdsl.irdl import irdl_attr_definition, param_def
from xdsl.parser import AttrParser
from xdsl.printer import Printer

from ascdsl import dtypes

Dim = int | str  # a static size, a symbol name, or "?"
DYN = "?"


@irdl_attr_definition
class DTypeVarAttr(ParametrizedAttribute):
    """A dtype variable of the kernel signature, e.g. `T` in `Tensor[T, N]`."""

    name = "tile.dtype_var"
    var: StringAttr = param_def()

    @classmethod
    def parse_parameters(cls, parser: AttrParser) -> Sequence[Attribute]:
        with parser.in_angle_brackets():
            return (StringAttr(parser.parse_str_literal()),)

    def print_parameters(self, printer: Printer) -> None:
        with printer.in_angle_brackets():
            printer.print_string_literal(self.var.data)


def _parse_shape(parser: AttrParser) -> ArrayAttr[Attribute]:
    def one() -> Attribute:
        if parser.parse_optional_punctuation("?") is not None:
            return StringAttr(DYN)
        value = parser.parse_optional_integer(allow_boolean=False, allow_negative=False)
        if value is not None:
            return IntAttr(value)
        return StringAttr(parser.parse_identifier())

    return ArrayAttr(parser.parse_comma_separated_list(parser.Delimiter.SQUARE, one))


def _print_shape(printer: Printer, shape: ArrayAttr[Attribute]) -> None:
    def one(d: Attribute) -> None:
        printer.print_string(str(d.data) if isinstance(d, IntAttr) else d.data)  # type: ignore[attr-defined]

    with printer.in_square_brackets():
        printer.print_list(shape.data, one)


def shape_attr(dims: Sequence[Dim]) -> ArrayAttr[Attribute]:
    return ArrayAttr([IntAttr(d) if isinstance(d, int) else StringAttr(d) for d in dims])


def shape_dims(shape: ArrayAttr[Attribute]) -> tuple[Dim, ...]:
    return tuple(d.data for d in shape.data)  # type: ignore[attr-defined]


class _ShapedType(ParametrizedAttribute, TypeAttribute):
    """Common parse/print for tensor, view and tile types: `<element, [d0, d1, ...]>`."""

    element: Attribute = param_def()
    shape: ArrayAttr[Attribute] = param_def()

    @classmethod
    def parse_parameters(cls, parser: AttrParser) -> Sequence[Attribute]:
        with parser.in_angle_brackets():
            element = parser.parse_attribute()
            parser.parse_punctuation(",")
            shape = _parse_shape(parser)
        return (element, shape)

    def print_parameters(self, printer: Printer) -> None:
        with printer.in_angle_brackets():
            printer.print_attribute(self.element)
            printer.print_string(", ")
            _print_shape(printer, self.shape)

    @property
    def dims(self) -> tuple[Dim, ...]:
        return shape_dims(self.shape)

    @property
    def rank(self) -> int:
        return len(self.shape.data)

    def element_name(self) -> str:
        return element_name(self.element)


@irdl_attr_definition
class TensorType(_ShapedType):
    """A kernel argument in global memory (GM)."""

    name = "tile.tensor"


@irdl_attr_definition
class ViewType(_ShapedType):
    """A window of a GM tensor: offsets, sizes, steps, a permutation or a reshape of one."""

    name = "tile.view"


@irdl_attr_definition
class TileType(_ShapedType):
    """A value in on-chip memory, made by `load` or computed; any size (tiling to the UB is the compiler's job)."""

    name = "tile.tile"


@irdl_attr_definition
class HostArrayType(_ShapedType):
    """A host-side list argument (an aclIntArray), readable by the host and, through tiling data, by the kernel."""

    name = "tile.host_array"


@irdl_attr_definition
class HiFloat8Type(ParametrizedAttribute, TypeAttribute):
    """HiFloat8 (Ascend 950): MLIR has no builtin for it; ascdsl only moves it as bytes."""

    name = "tile.hif8"


@irdl_attr_definition
class StrType(ParametrizedAttribute, TypeAttribute):
    """A string attribute of the operator."""

    name = "tile.str"


GmType = TensorType | ViewType


def element_name(element: Attribute) -> str:
    if isinstance(element, DTypeVarAttr):
        return element.var.data
    dt = dtypes.from_mlir(element)
    return dt.name if dt is not None else str(element)


def make_element(name_or_dtype: str | dtypes.DType) -> Attribute:
    """The element attribute of a concrete dtype name, or a dtype variable for any other name."""
    if isinstance(name_or_dtype, dtypes.DType):
        return name_or_dtype.mlir()
    if name_or_dtype in dtypes.BY_NAME:
        return dtypes.BY_NAME[name_or_dtype].mlir()
    return DTypeVarAttr(StringAttr(name_or_dtype))

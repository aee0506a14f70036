"""Operations of the `tile` dialect: what the frontend builds from a kernel.

Scalars live in `arith` (integers as `index`, floats as `f32`, booleans as `i1`), structured control flow in
`scf`. Every op carries the DSL source location (`op.location`), which rewrites keep.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from xdsl.dialects.builtin import (
    ArrayAttr,
    DictionaryAttr,
    IndexType,
    IntAttr,
    IntegerAttr,
    IntegerType,
    StringAttr,
)
from xdsl.ir import Attribute, Block, Region, SSAValue
from xdsl.irdl import (
    AttrSizedOperandSegments,
    IRDLOperation,
    irdl_op_definition,
    operand_def,
    prop_def,
    region_def,
    result_def,
    traits_def,
    var_operand_def,
)
from xdsl.traits import IsolatedFromAbove, IsTerminator, Pure
from xdsl.utils.exceptions import VerifyException

from ascdsl.dialects.tile_types import (
    HostArrayType,
    StrType,
    TensorType,
    TileType,
    ViewType,
)

ROLES = ("in", "out", "inout", "attr", "host")
I1 = IntegerType(1)


def _gm(v: SSAValue, what: str) -> TensorType | ViewType:
    if not isinstance(v.type, TensorType | ViewType):
        raise VerifyException(f"{what} must be a GM tensor or view, got {v.type}")
    return v.type


# ------------------------------------------------------------------ kernel structure


@irdl_op_definition
class KernelOp(IRDLOperation):
    """A kernel: block arguments are its parameters, in order, with their names and roles.

    `dtype_domains` maps a dtype variable to the dtypes its `require(T in (...))` allows; the frontend uses it
    to type scalar reads, later passes to enumerate specialisations.
    """

    name = "tile.kernel"
    sym_name = prop_def(StringAttr)
    arg_names = prop_def(ArrayAttr[StringAttr])
    arg_roles = prop_def(ArrayAttr[StringAttr])
    arg_optional = prop_def(ArrayAttr[IntAttr])
    dtype_domains = prop_def(DictionaryAttr)
    # Attribute defaults from the signature (`n: Attr[int] = 4`), by parameter name.
    arg_defaults = prop_def(DictionaryAttr, default_value=DictionaryAttr({}))
    body = region_def("single_block")
    traits = traits_def(IsolatedFromAbove())

    def __init__(
        self,
        name: str,
        arg_names: Sequence[str],
        arg_roles: Sequence[str],
        arg_optional: Sequence[bool],
        dtype_domains: dict[str, Attribute],
        body: Region,
        arg_defaults: dict[str, Attribute] | None = None,
    ) -> None:
        super().__init__(
            properties={
                "sym_name": StringAttr(name),
                "arg_names": ArrayAttr([StringAttr(n) for n in arg_names]),
                "arg_roles": ArrayAttr([StringAttr(r) for r in arg_roles]),
                "arg_optional": ArrayAttr([IntAttr(int(o)) for o in arg_optional]),
                "dtype_domains": DictionaryAttr(dtype_domains),
                "arg_defaults": DictionaryAttr(arg_defaults or {}),
            },
            regions=[body],
        )

    @property
    def names(self) -> list[str]:
        return [n.data for n in self.arg_names.data]

    @property
    def roles(self) -> list[str]:
        return [r.data for r in self.arg_roles.data]

    def default_of(self, name: str) -> Any:
        """The Python value of an attribute's default, or None."""
        attr = self.arg_defaults.data.get(name)
        if attr is None:
            return None
        if isinstance(attr, StringAttr):
            return attr.data
        if isinstance(attr, IntegerAttr) and attr.type == I1:
            return bool(attr.value.data)
        return attr.value.data  # type: ignore[attr-defined]

    @property
    def optional(self) -> list[bool]:
        return [bool(o.data) for o in self.arg_optional.data]

    def verify_(self) -> None:
        args = self.body.block.args
        n = len(args)
        if not (len(self.arg_names.data) == len(self.arg_roles.data) == len(self.arg_optional.data) == n):
            raise VerifyException("tile.kernel: one name, role and optional flag per block argument")
        for role, arg in zip(self.roles, args, strict=True):
            if role not in ROLES:
                raise VerifyException(f"tile.kernel: unknown role {role!r}")
            if role in ("in", "out", "inout") and not isinstance(arg.type, TensorType):
                raise VerifyException(f"tile.kernel: a {role} argument must be a !tile.tensor")
            if role == "host" and not isinstance(arg.type, HostArrayType):
                raise VerifyException("tile.kernel: a host argument must be a !tile.host_array")
        if not isinstance(self.body.block.last_op, ReturnOp):
            raise VerifyException("tile.kernel: the body must end with tile.return")


@irdl_op_definition
class ReturnOp(IRDLOperation):
    name = "tile.return"
    traits = traits_def(IsTerminator())


@irdl_op_definition
class ParallelOp(IRDLOperation):
    """`for i in parallel(n)`: independent iterations the compiler spreads over the cores."""

    name = "tile.parallel"
    upper = operand_def(IndexType)
    body = region_def("single_block")

    def __init__(self, upper: SSAValue, body: Region) -> None:
        super().__init__(operands=[upper], regions=[body])

    def verify_(self) -> None:
        block = self.body.block
        if len(block.args) != 1 or not isinstance(block.args[0].type, IndexType):
            raise VerifyException("tile.parallel: the body takes one index argument")
        if not isinstance(block.last_op, EndOp):
            raise VerifyException("tile.parallel: the body must end with tile.end")


@irdl_op_definition
class EndOp(IRDLOperation):
    name = "tile.end"
    traits = traits_def(IsTerminator())


# ------------------------------------------------------------------ host-known values


@irdl_op_definition
class DimOp(IRDLOperation):
    """A dimension of a tensor, view or host array."""

    name = "tile.dim"
    source = operand_def()
    axis = prop_def(IntAttr)
    result = result_def(IndexType)
    traits = traits_def(Pure())

    def __init__(self, source: SSAValue, axis: int) -> None:
        super().__init__(operands=[source], properties={"axis": IntAttr(axis)}, result_types=[IndexType()])

    def verify_(self) -> None:
        t = self.source.type
        if not isinstance(t, TensorType | ViewType | HostArrayType | TileType):
            raise VerifyException("tile.dim: the source must be shaped")
        if not 0 <= self.axis.data < t.rank:
            raise VerifyException(f"tile.dim: axis {self.axis.data} is outside rank {t.rank}")


@irdl_op_definition
class DTypeInOp(IRDLOperation):
    """Whether a dtype variable is bound to one of the listed dtypes."""

    name = "tile.dtype_in"
    var = prop_def(StringAttr)
    dtypes = prop_def(ArrayAttr)
    result = result_def(I1)
    traits = traits_def(Pure())

    def __init__(self, var: str, dtypes: Sequence[Attribute]) -> None:
        super().__init__(
            properties={"var": StringAttr(var), "dtypes": ArrayAttr(dtypes)}, result_types=[I1]
        )


@irdl_op_definition
class SizeOfOp(IRDLOperation):
    """Bytes of one element of a dtype (concrete or a variable)."""

    name = "tile.sizeof"
    element = prop_def(Attribute)
    result = result_def(IndexType)
    traits = traits_def(Pure())

    def __init__(self, element: Attribute) -> None:
        super().__init__(properties={"element": element}, result_types=[IndexType()])


@irdl_op_definition
class PresentOp(IRDLOperation):
    """Whether an optional tensor argument was given."""

    name = "tile.present"
    source = operand_def(TensorType)
    result = result_def(I1)
    traits = traits_def(Pure())

    def __init__(self, source: SSAValue) -> None:
        super().__init__(operands=[source], result_types=[I1])


@irdl_op_definition
class StrInOp(IRDLOperation):
    """Whether a string attribute equals one of the listed strings."""

    name = "tile.str_in"
    source = operand_def(StrType)
    values = prop_def(ArrayAttr[StringAttr])
    result = result_def(I1)
    traits = traits_def(Pure())

    def __init__(self, source: SSAValue, values: Sequence[str]) -> None:
        super().__init__(
            operands=[source],
            properties={"values": ArrayAttr([StringAttr(v) for v in values])},
            result_types=[I1],
        )


@irdl_op_definition
class RequireOp(IRDLOperation):
    """A check of the call (shapes, dtypes, attributes) with the aclnn status code of its failure."""

    name = "tile.require"
    cond = operand_def(I1)
    code = prop_def(IntAttr)
    msg = prop_def(StringAttr)

    def __init__(self, cond: SSAValue, code: int, msg: str) -> None:
        super().__init__(operands=[cond], properties={"code": IntAttr(code), "msg": StringAttr(msg)})


@irdl_op_definition
class TilingFieldOp(IRDLOperation):
    """A value the host tiling function computed, read from the tiling data."""

    name = "tile.tiling_field"
    field = prop_def(StringAttr)
    result = result_def()
    traits = traits_def(Pure())

    def __init__(self, field: str, result_type: Attribute) -> None:
        super().__init__(properties={"field": StringAttr(field)}, result_types=[result_type])


@irdl_op_definition
class BlockIdxOp(IRDLOperation):
    """This core's index in the launch (GetBlockIdx)."""

    name = "tile.block_idx"
    result = result_def(IndexType)
    traits = traits_def(Pure())  # one value per core for the whole launch

    def __init__(self) -> None:
        super().__init__(result_types=[IndexType()])


@irdl_op_definition
class BlockNumOp(IRDLOperation):
    """The number of cores of the launch (GetBlockNum)."""

    name = "tile.block_num"
    result = result_def(IndexType)
    traits = traits_def(Pure())

    def __init__(self) -> None:
        super().__init__(result_types=[IndexType()])


# ------------------------------------------------------------------ GM views and data movement


@irdl_op_definition
class ViewOp(IRDLOperation):
    """A strided window: per source dim an offset, a size and a step; `dropped` dims were indexed by a scalar."""

    name = "tile.view"
    source = operand_def()
    offsets = var_operand_def(IndexType)
    sizes = var_operand_def(IndexType)
    steps = prop_def(ArrayAttr[IntAttr])
    dropped = prop_def(ArrayAttr[IntAttr])
    # Dims taken whole (`:`): known statically, so passes can prove a view contiguous without the shapes.
    full = prop_def(ArrayAttr[IntAttr])
    result = result_def(ViewType)
    irdl_options = (AttrSizedOperandSegments(as_property=True),)
    traits = traits_def(Pure())

    def __init__(
        self,
        source: SSAValue,
        offsets: Sequence[SSAValue],
        sizes: Sequence[SSAValue],
        steps: Sequence[int],
        dropped: Sequence[bool],
        result_type: ViewType,
        full: Sequence[bool] | None = None,
    ) -> None:
        full = full if full is not None else [False] * len(steps)
        super().__init__(
            operands=[source, offsets, sizes],
            properties={
                "steps": ArrayAttr([IntAttr(s) for s in steps]),
                "dropped": ArrayAttr([IntAttr(int(d)) for d in dropped]),
                "full": ArrayAttr([IntAttr(int(f)) for f in full]),
            },
            result_types=[result_type],
        )

    def verify_(self) -> None:
        src = _gm(self.source, "tile.view source")
        n = src.rank
        if not (len(self.offsets) == len(self.sizes) == len(self.steps.data) == len(self.dropped.data) == len(self.full.data) == n):
            raise VerifyException(f"tile.view: needs one offset, size, step and drop flag per source dim ({n})")
        if any(s.data <= 0 for s in self.steps.data):
            raise VerifyException("tile.view: steps must be positive")
        kept = sum(1 for d in self.dropped.data if not d.data)
        if self.result.type.rank != kept:
            raise VerifyException(f"tile.view: result rank {self.result.type.rank} != kept dims {kept}")
        if self.result.type.element != src.element:
            raise VerifyException("tile.view: the element type must not change")


@irdl_op_definition
class PermuteOp(IRDLOperation):
    name = "tile.permute"
    source = operand_def()
    perm = prop_def(ArrayAttr[IntAttr])
    result = result_def(ViewType)
    traits = traits_def(Pure())

    def __init__(self, source: SSAValue, perm: Sequence[int], result_type: ViewType) -> None:
        super().__init__(
            operands=[source], properties={"perm": ArrayAttr([IntAttr(p) for p in perm])}, result_types=[result_type]
        )

    def verify_(self) -> None:
        src = _gm(self.source, "tile.permute source")
        if sorted(p.data for p in self.perm.data) != list(range(src.rank)):
            raise VerifyException(f"tile.permute: {[p.data for p in self.perm.data]} is not a permutation")


@irdl_op_definition
class ReshapeOp(IRDLOperation):
    name = "tile.reshape"
    source = operand_def()
    sizes = var_operand_def(IndexType)
    result = result_def(ViewType)
    traits = traits_def(Pure())

    def __init__(self, source: SSAValue, sizes: Sequence[SSAValue], result_type: ViewType) -> None:
        super().__init__(operands=[source, sizes], result_types=[result_type])

    def verify_(self) -> None:
        _gm(self.source, "tile.reshape source")
        if len(self.sizes) != self.result.type.rank:
            raise VerifyException("tile.reshape: one size per result dim")


@irdl_op_definition
class ReadOp(IRDLOperation):
    """Read one element of GM (or of a host array) as a scalar."""

    name = "tile.read"
    source = operand_def()
    indices = var_operand_def(IndexType)
    result = result_def()

    def __init__(self, source: SSAValue, indices: Sequence[SSAValue], result_type: Attribute) -> None:
        super().__init__(operands=[source, indices], result_types=[result_type])

    def verify_(self) -> None:
        t = self.source.type
        if not isinstance(t, TensorType | ViewType | HostArrayType):
            raise VerifyException("tile.read: the source must be a GM tensor, view or host array")
        if len(self.indices) != t.rank:
            raise VerifyException(f"tile.read: {len(self.indices)} indices for rank {t.rank}")


@irdl_op_definition
class WriteOp(IRDLOperation):
    """Write one scalar into GM."""

    name = "tile.write"
    value = operand_def()
    dest = operand_def()
    indices = var_operand_def(IndexType)

    def __init__(self, value: SSAValue, dest: SSAValue, indices: Sequence[SSAValue]) -> None:
        super().__init__(operands=[value, dest, indices])

    def verify_(self) -> None:
        t = _gm(self.dest, "tile.write destination")
        if len(self.indices) != t.rank:
            raise VerifyException(f"tile.write: {len(self.indices)} indices for rank {t.rank}")


@irdl_op_definition
class LoadOp(IRDLOperation):
    name = "tile.load"
    source = operand_def()
    result = result_def(TileType)

    def __init__(self, source: SSAValue, result_type: TileType) -> None:
        super().__init__(operands=[source], result_types=[result_type])

    def verify_(self) -> None:
        src = _gm(self.source, "tile.load source")
        if src.element != self.result.type.element:
            raise VerifyException("tile.load: the tile's element type must be the source's")


@irdl_op_definition
class StoreOp(IRDLOperation):
    """`store(view, tile)`; with `atomic` set, `atomic_add(view, tile)`: the tile is added into GM (atomically on the
    device, so several cores or iterations may add into the same elements). Groups, tiling and buffers treat both
    alike; the lowering wraps an atomic store's copy out in SetAtomicAdd / SetAtomicNone."""

    name = "tile.store"
    value = operand_def(TileType)
    dest = operand_def()
    atomic = prop_def(IntAttr, default_value=IntAttr(0))

    def __init__(self, value: SSAValue, dest: SSAValue, atomic: bool = False) -> None:
        super().__init__(operands=[value, dest], properties={"atomic": IntAttr(int(atomic))})

    @property
    def is_atomic(self) -> bool:
        return bool(self.atomic.data)

    def verify_(self) -> None:
        dst = _gm(self.dest, "tile.store destination")
        if dst.element != self.value.type.element:  # type: ignore[attr-defined]
            raise VerifyException("tile.store: the tile's element type must be the destination's")


@irdl_op_definition
class CopyOp(IRDLOperation):
    """GM to GM copy of a view of any size; the compiler stages it through the UB."""

    name = "tile.copy"
    dest = operand_def()
    source = operand_def()

    def __init__(self, dest: SSAValue, source: SSAValue) -> None:
        super().__init__(operands=[dest, source])

    def verify_(self) -> None:
        dst, src = _gm(self.dest, "tile.copy destination"), _gm(self.source, "tile.copy source")
        if dst.element != src.element:
            raise VerifyException("tile.copy: source and destination element types differ")
        if dst.rank != src.rank:
            raise VerifyException("tile.copy: source and destination ranks differ")


@irdl_op_definition
class FillOp(IRDLOperation):
    """Set every element of a GM view to a scalar."""

    name = "tile.fill"
    dest = operand_def()
    value = operand_def()

    def __init__(self, dest: SSAValue, value: SSAValue) -> None:
        super().__init__(operands=[dest, value])

    def verify_(self) -> None:
        _gm(self.dest, "tile.fill destination")


# ------------------------------------------------------------------ tile computation


@irdl_op_definition
class FullOp(IRDLOperation):
    """A tile of the given sizes with every element set to a scalar."""

    name = "tile.full"
    sizes = var_operand_def(IndexType)
    value = operand_def()
    result = result_def(TileType)
    irdl_options = (AttrSizedOperandSegments(as_property=True),)
    traits = traits_def(Pure())

    def __init__(self, sizes: Sequence[SSAValue], value: SSAValue, result_type: TileType) -> None:
        super().__init__(operands=[sizes, value], result_types=[result_type])

    def verify_(self) -> None:
        if len(self.sizes) != self.result.type.rank:
            raise VerifyException("tile.full: one size per dim")


class _BinaryOp(IRDLOperation):
    """Elementwise, numpy broadcasting; either operand may be a scalar, converted to the tile's element type."""

    lhs = operand_def()
    rhs = operand_def()
    result = result_def(TileType)
    traits = traits_def(Pure())

    def __init__(self, lhs: SSAValue, rhs: SSAValue, result_type: TileType) -> None:
        super().__init__(operands=[lhs, rhs], result_types=[result_type])

    def verify_(self) -> None:
        tiles = [v.type for v in (self.lhs, self.rhs) if isinstance(v.type, TileType)]
        if not tiles:
            raise VerifyException(f"{self.name}: at least one operand must be a tile")
        if len({t.element for t in tiles}) != 1:
            raise VerifyException(f"{self.name}: tile operands have different element types")


@irdl_op_definition
class AddOp(_BinaryOp):
    name = "tile.add"


@irdl_op_definition
class SubOp(_BinaryOp):
    name = "tile.sub"


@irdl_op_definition
class MulOp(_BinaryOp):
    name = "tile.mul"


@irdl_op_definition
class DivOp(_BinaryOp):
    name = "tile.div"


@irdl_op_definition
class MaxOp(_BinaryOp):
    name = "tile.max"


@irdl_op_definition
class MinOp(_BinaryOp):
    name = "tile.min"


@irdl_op_definition
class AndOp(_BinaryOp):
    name = "tile.and"


@irdl_op_definition
class OrOp(_BinaryOp):
    name = "tile.or"


CMP_PREDICATES = ("lt", "le", "gt", "ge", "eq", "ne")


@irdl_op_definition
class CmpOp(IRDLOperation):
    """Elementwise comparison giving a bool tile."""

    name = "tile.cmp"
    lhs = operand_def()
    rhs = operand_def()
    predicate = prop_def(StringAttr)
    result = result_def(TileType)
    traits = traits_def(Pure())

    def __init__(self, lhs: SSAValue, rhs: SSAValue, predicate: str, result_type: TileType) -> None:
        super().__init__(
            operands=[lhs, rhs], properties={"predicate": StringAttr(predicate)}, result_types=[result_type]
        )

    def verify_(self) -> None:
        if self.predicate.data not in CMP_PREDICATES:
            raise VerifyException(f"tile.cmp: unknown predicate {self.predicate.data!r}")


@irdl_op_definition
class WhereOp(IRDLOperation):
    name = "tile.where"
    cond = operand_def()
    lhs = operand_def()
    rhs = operand_def()
    result = result_def(TileType)
    traits = traits_def(Pure())

    def __init__(self, cond: SSAValue, lhs: SSAValue, rhs: SSAValue, result_type: TileType) -> None:
        super().__init__(operands=[cond, lhs, rhs], result_types=[result_type])


UNARY_KINDS = ("neg", "abs", "floor", "ceil", "exp", "sqrt")


@irdl_op_definition
class UnaryOp(IRDLOperation):
    name = "tile.unary"
    source = operand_def(TileType)
    kind = prop_def(StringAttr)
    result = result_def(TileType)
    traits = traits_def(Pure())

    def __init__(self, source: SSAValue, kind: str) -> None:
        super().__init__(operands=[source], properties={"kind": StringAttr(kind)}, result_types=[source.type])

    def verify_(self) -> None:
        if self.kind.data not in UNARY_KINDS:
            raise VerifyException(f"tile.unary: unknown kind {self.kind.data!r}")


ROUND_MODES = ("none", "rint", "round", "floor", "ceil", "trunc", "odd")


@irdl_op_definition
class CastOp(IRDLOperation):
    """Element type conversion with an explicit rounding mode (Ascend C `RoundMode`)."""

    name = "tile.cast"
    source = operand_def(TileType)
    round = prop_def(StringAttr)
    result = result_def(TileType)
    traits = traits_def(Pure())

    def __init__(self, source: SSAValue, round_mode: str, result_type: TileType) -> None:
        super().__init__(
            operands=[source], properties={"round": StringAttr(round_mode)}, result_types=[result_type]
        )

    def verify_(self) -> None:
        if self.round.data not in ROUND_MODES:
            raise VerifyException(f"tile.cast: unknown rounding mode {self.round.data!r}")
        if self.source.type.dims != self.result.type.dims:  # type: ignore[attr-defined]
            raise VerifyException("tile.cast: the shape must not change")


REDUCE_KINDS = ("sum", "max", "min")


@irdl_op_definition
class ReduceOp(IRDLOperation):
    """Reduce over `axes`; over every axis the result is a scalar (index for integers, f32 for floats)."""

    name = "tile.reduce"
    source = operand_def(TileType)
    kind = prop_def(StringAttr)
    axes = prop_def(ArrayAttr[IntAttr])
    result = result_def()
    traits = traits_def(Pure())

    def __init__(self, source: SSAValue, kind: str, axes: Sequence[int], result_type: Attribute) -> None:
        super().__init__(
            operands=[source],
            properties={"kind": StringAttr(kind), "axes": ArrayAttr([IntAttr(a) for a in axes])},
            result_types=[result_type],
        )

    def verify_(self) -> None:
        if self.kind.data not in REDUCE_KINDS:
            raise VerifyException(f"tile.reduce: unknown kind {self.kind.data!r}")
        rank = self.source.type.rank  # type: ignore[attr-defined]
        if any(not 0 <= a.data < rank for a in self.axes.data):
            raise VerifyException("tile.reduce: axis out of range")


@irdl_op_definition
class ExpandDimsOp(IRDLOperation):
    """Insert a size-1 axis (`t[:, None]`)."""

    name = "tile.expand_dims"
    source = operand_def(TileType)
    axis = prop_def(IntAttr)
    result = result_def(TileType)
    traits = traits_def(Pure())

    def __init__(self, source: SSAValue, axis: int, result_type: TileType) -> None:
        super().__init__(operands=[source], properties={"axis": IntAttr(axis)}, result_types=[result_type])


def new_block_region(arg_types: Sequence[Attribute]) -> tuple[Region, Block]:
    block = Block(arg_types=arg_types)
    return Region(block), block


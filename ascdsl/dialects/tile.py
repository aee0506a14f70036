"""The `tile` dialect: registration of its ops and attributes."""

from __future__ import annotations

from xdsl.ir import Dialect

from ascdsl.dialects import tile_memory as memory
from ascdsl.dialects import tile_ops as ops
from ascdsl.dialects import tile_types as types

TILE = Dialect(
    "tile",
    [
        ops.KernelOp,
        ops.ReturnOp,
        ops.ParallelOp,
        ops.EndOp,
        ops.DimOp,
        ops.DTypeInOp,
        ops.SizeOfOp,
        ops.PresentOp,
        ops.StrInOp,
        ops.RequireOp,
        ops.TilingFieldOp,
        ops.BlockIdxOp,
        ops.BlockNumOp,
        ops.ViewOp,
        ops.PermuteOp,
        ops.ReshapeOp,
        ops.ReadOp,
        ops.WriteOp,
        ops.LoadOp,
        ops.StoreOp,
        ops.CopyOp,
        ops.FillOp,
        ops.FullOp,
        ops.AddOp,
        ops.SubOp,
        ops.MulOp,
        ops.DivOp,
        ops.MaxOp,
        ops.MinOp,
        ops.AndOp,
        ops.OrOp,
        ops.CmpOp,
        ops.WhereOp,
        ops.UnaryOp,
        ops.CastOp,
        ops.ReduceOp,
        ops.ExpandDimsOp,
        *memory.MEMORY_OPS,
    ],
    [
        types.DTypeVarAttr,
        types.TensorType,
        types.ViewType,
        types.TileType,
        types.HostArrayType,
        types.StrType,
        types.HiFloat8Type,
    ],
)

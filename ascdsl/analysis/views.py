"""Static layout facts of GM views: how many trailing dims form one contiguous run of memory.

A DMA moves one contiguous run per block; the longer the runs, the fewer and larger the transfers. The
facts come from the view chain alone (which dims were taken whole, which were indexed by a scalar), so they
hold whatever the shapes turn out to be.
"""

from __future__ import annotations

from xdsl.ir import BlockArgument, SSAValue

from ascdsl.dialects import tile_ops as t
from ascdsl.dialects.tile_types import TensorType, ViewType


def contiguous_suffix(view: SSAValue) -> int:
    """How many trailing dims of `view` are laid out as one contiguous run (0 when even the last one is strided)."""
    ty = view.type
    assert isinstance(ty, TensorType | ViewType)
    if isinstance(view, BlockArgument) or isinstance(ty, TensorType):
        return ty.rank  # a kernel argument is dense and row-major
    op = view.owner
    if isinstance(op, t.ReshapeOp):
        return ty.rank if contiguous_suffix(op.source) == op.source.type.rank else 0  # type: ignore[attr-defined]
    if isinstance(op, t.PermuteOp):
        perm = [p.data for p in op.perm.data]
        inner = contiguous_suffix(op.source)
        # Trailing dims that stay in place keep their layout.
        n = 0
        for i in range(len(perm) - 1, -1, -1):
            if perm[i] != i or len(perm) - i > inner:
                break
            n += 1
        return n
    if isinstance(op, t.ViewOp):
        src_rank = op.source.type.rank  # type: ignore[attr-defined]
        src_suffix = contiguous_suffix(op.source)
        steps = [s.data for s in op.steps.data]
        dropped = [bool(d.data) for d in op.dropped.data]
        full = [bool(f.data) for f in op.full.data]
        run = 0  # kept dims in the run so far
        for axis in range(src_rank - 1, -1, -1):
            if src_rank - axis > src_suffix:
                break  # the source itself is strided here
            if dropped[axis]:
                # A scalar index outside the run is fine only if every dim further out is a scalar index too.
                if all(dropped[a] for a in range(axis + 1)):
                    return ty.rank
                break
            if steps[axis] != 1:
                break
            run += 1
            if not full[axis]:
                # A partial dim closes the run: dims further out must be scalar indices for it to continue.
                if all(dropped[a] for a in range(axis)):
                    return ty.rank
                break
        return run
    return 0


def is_contiguous(view: SSAValue) -> bool:
    return contiguous_suffix(view) == view.type.rank  # type: ignore[attr-defined]

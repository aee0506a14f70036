"""Small kernels with atomic_add and float reductions (module level, so @kernel can read their source)."""

from __future__ import annotations

from ascdsl import InOut, Tensor, atomic_add, f32, i32, kernel, load, parallel, reduce_max, reduce_sum


@kernel
def scatter_rows(x: Tensor[f32, N, C], idx: Tensor[i32, N], z: InOut[Tensor[f32, M, C]]):
    """Rows of x, doubled, added into the rows of z that idx names (repeats accumulate)."""
    for i in parallel(N):
        atomic_add(z[idx[i]], load(x[i]) * 2.0)


@kernel
def row_dots(x: Tensor[f32, N, C], y: Tensor[f32, N, C], z: InOut[Tensor[f32, N]], m: InOut[Tensor[f32, N]]):
    """A dot product and a max per row, written as scalars."""
    for i in parallel(N):
        z[i] = reduce_sum(load(x[i]) * load(y[i]) * 0.5)
        m[i] = reduce_max(load(x[i]))

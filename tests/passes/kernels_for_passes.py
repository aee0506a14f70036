"""Small kernels the pass tests compile (module level, so @kernel can read their source)."""

from __future__ import annotations

from ascdsl import Attr, InOut, Out, Tensor, f16, f32, i32, kernel, load, parallel, require, store


@kernel
def count_visits(n_items: Tensor[i32, N], hits: InOut[Tensor[i32, N]], scale: Attr[int]):
    require(N > 0, code=161002, msg="n_items must not be empty")
    require(scale >= 1, code=561002, msg="scale must be at least 1")
    for b in parallel(N):
        hits[b] = hits[b] + scale


@kernel
def axpy_rows(x: Tensor[T, R, C], y: Tensor[T, R, C], z: Out[Tensor[T, R, C]]):
    require(T in (f16, f32), code=161002, msg="x must be FLOAT16 or FLOAT")
    store(z, load(x) * 2.0 + load(y))


@kernel
def column_copy(x: Tensor[f32, R, C], z: InOut[Tensor[f32, R, C]], col0: Attr[int], width: Attr[int]):
    require(col0 >= 0 and width >= 0 and col0 + width <= C, code=561002, msg="columns out of range")
    z[:, col0 : col0 + width] = x[:, col0 : col0 + width]
    z[0, 0] = 7.0

"""Small kernels the pass tests compile (module level, so @kernel can read their source)."""

from __future__ import annotations

from typing import Optional

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


@kernel
def ragged_blocks(starts: Tensor[i32, B], lens: Tensor[i32, B], keep: Tensor[i32, B], src: Tensor[T, R, C], dst: InOut[Tensor[T, R, C]], block: Attr[int]):
    """Sequence b's rows [starts[b], starts[b] + lens[b]) in blocks of `block` rows: copied when keep[b], else zeroed."""
    require(block >= 1, code=561002, msg="block must be at least 1")
    for b in parallel(B):
        start = starts[b]
        n_rows = lens[b]
        for j in parallel((n_rows + block - 1) // block):
            row = start + j * block
            n = min(block, n_rows - j * block)
            if keep[b] != 0:
                dst[row : row + n] = src[row : row + n]
            else:
                dst[row : row + n] = 0


@kernel
def ragged_marks(starts: Tensor[i32, B], lens: Tensor[i32, B], dst: InOut[Tensor[i32, R]], block: Attr[int]):
    """Adds 1 at the first row of every block: a scalar read-modify-write, so blocks stay whole."""
    require(block >= 1, code=561002, msg="block must be at least 1")
    for b in parallel(B):
        start = starts[b]
        n_rows = lens[b]
        for j in parallel((n_rows + block - 1) // block):
            row = start + j * block
            dst[row] = dst[row] + 1


@kernel
def switched_scale(x: Tensor[f32, N], bias: Optional[Tensor[f32, N]], z: InOut[Tensor[f32, N]], double: Attr[bool], mode: Attr[str]):
    """Host-known switches: a bool attribute, and an optional tensor's presence combined with a str attribute."""
    require(mode in ("add", "keep"), code=561002, msg='mode must be "add" or "keep"')
    for i in parallel(N):
        v = x[i]
        if double:
            v = v * 2.0
        if bias is not None and mode in ("add",):
            v = v + bias[i]
        z[i] = v


@kernel
def four_flags(x: Tensor[i32, N], z: InOut[Tensor[i32, N]], a: Attr[bool], b: Attr[bool], c: Attr[bool], d: Attr[bool]):
    """More switches than a kernel is specialised on: the last one stays a run-time test."""
    for i in parallel(N):
        v = x[i]
        if a:
            v = v + 1
        if b:
            v = v + 2
        if c:
            v = v + 4
        if d:
            v = v + 8
        z[i] = v

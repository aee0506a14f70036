"""Small kernels with loop-carried tile accumulators (module level, so @kernel can read their source)."""

from __future__ import annotations

from ascdsl import Attr, InOut, Out, Tensor, bf16, cast, f16, f32, kernel, load, require, store, zeros


@kernel
def weighted_sum(x: Tensor[T, K, R, C], w: Tensor[f32, K], z: Out[Tensor[T, R, C]]):
    """z = sum over k of x[k] * w[k], accumulated in float32, rounded half to even once."""
    require(T in (f16, bf16), code=161002, msg="x must be FLOAT16 or BFLOAT16")
    acc = zeros([R, C], f32)
    for k in range(K):
        acc += cast(load(x[k]), f32) * w[k]
    store(z, cast(acc, T, round="rint"))


@kernel
def column_sum(x: Tensor[f32, K, R, C], z: InOut[Tensor[f32, R, C]], c0: Attr[int], width: Attr[int]):
    """A strided accumulator: columns [c0, c0 + width) of every row; outer rows become loops."""
    require(c0 >= 0 and width >= 0 and c0 + width <= C, code=561002, msg="columns out of range")
    acc = zeros([R, width], f32)
    for k in range(K):
        acc = acc + load(x[k, :, c0 : c0 + width])
    store(z[:, c0 : c0 + width], acc * 0.5 + load(z[:, c0 : c0 + width]))


@kernel
def row_scaled_sum(x: Tensor[f32, K, R, C], w: Tensor[f32, K, R], z: Out[Tensor[f32, R, C]]):
    """A broadcast inside the accumulation: the interpreter runs it; the device backend says it cannot."""
    acc = zeros([R, C], f32)
    for k in range(K):
        acc += load(x[k]) * load(w[k])[:, None]
    store(z, acc * 1.0)

"""The smallest ascdsl kernel: z = x + y over whole tensors of any length."""

from __future__ import annotations

from ascdsl import Out, Tensor, f16, f32, i32, kernel, load, require, store


@kernel
def vadd(x: Tensor[T, N], y: Tensor[T, N], z: Out[Tensor[T, N]]):
    require(T in (f16, f32, i32), code=161002, msg="x, y and z must be FLOAT16, FLOAT or INT32")
    store(z, load(x) + load(y))

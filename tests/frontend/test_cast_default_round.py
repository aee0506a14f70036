"""The rounding mode `cast` gets when the kernel names none: CAST_NONE for exact conversions, including a dtype
variable whose every dtype converts exactly (f16/bf16 -> f32); round half to even wherever precision can be lost."""

from __future__ import annotations

from ascdsl import InOut, Tensor, bf16, cast, f16, f32, i32, kernel, load, require, store
from ascdsl.dialects import tile_ops as t


@kernel
def widen_var(x: Tensor[T, N], z: InOut[Tensor[f32, N]]):
    require(T in (f16, bf16), code=161002, msg="x must be FLOAT16 or BFLOAT16")
    store(z, cast(load(x), f32))


@kernel
def narrow_var(x: Tensor[f32, N], z: InOut[Tensor[T, N]]):
    require(T in (f16, bf16), code=161002, msg="z must be FLOAT16 or BFLOAT16")
    store(z, cast(load(x), T))


@kernel
def widen_or_not(x: Tensor[T, N], z: InOut[Tensor[f32, N]]):
    require(T in (f16, i32), code=161002, msg="x must be FLOAT16 or INT32")
    store(z, cast(load(x), f32))


def _modes(k) -> list[str]:
    return [op.round.data for op in k.ir.walk() if isinstance(op, t.CastOp)]


def test_a_dtype_variable_that_always_widens_exactly_casts_with_none() -> None:
    assert _modes(widen_var) == ["none"]


def test_narrowing_to_a_dtype_variable_rounds_half_to_even() -> None:
    assert _modes(narrow_var) == ["rint"]


def test_one_inexact_dtype_in_the_domain_makes_it_rint() -> None:
    assert _modes(widen_or_not) == ["rint"]  # i32 -> f32 can lose precision

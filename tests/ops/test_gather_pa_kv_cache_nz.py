"""GatherPaKvCache in PA_NZ mode: the same results as Norm on the same data, in NZ cache layout.

The NZ cache is built from a Norm cache by the layout rule of op_semantics.md 2.2
(`C = cache.transpose(0, 2, 1, 3).reshape(nb, bs, H)`), so the independent Norm golden gives the expected rows.
"""

from __future__ import annotations

import numpy as np
import pytest
from ascdsl.ops.gather_pa_kv_cache import gather_pa_kv_cache_nz
from ascdsl.runtime.interpreter.engine import run
from gather_inputs import GatherCase, assert_same_bits, doc_example_case, gather_cases
from gather_pa_kv_cache_golden import gather_pa_kv_cache_golden
from hypothesis import given, settings

from ascdsl import ops
from ascdsl.errors import AclnnError
from ascdsl.pipeline import lower


def to_nz(cache: np.ndarray) -> np.ndarray:
    nb, bs, nh, d = cache.shape
    a = 32 // cache.dtype.itemsize
    return np.ascontiguousarray(cache.reshape(nb, bs, nh * d // a, a).transpose(0, 2, 1, 3))


def nz_args(c: GatherCase) -> dict:
    t = c.key.shape[0]
    return {
        "key_cache": to_nz(c.key_cache),
        "value_cache": to_nz(c.value_cache),
        "block_tables": c.block_tables,
        "seq_lens": c.seq_lens,
        "key": c.key.reshape(t, -1).copy(),
        "value": c.value.reshape(t, -1).copy(),
        "seq_offset": c.seq_offset,
        "cache_mode": "PA_NZ",
        "is_seq_lens_cumsum": c.is_seq_lens_cumsum,
    }


def expected(c: GatherCase) -> tuple[np.ndarray, np.ndarray]:
    k, v = gather_pa_kv_cache_golden(*c.golden_args())
    t = c.key.shape[0]
    return k.reshape(t, -1), v.reshape(t, -1)


def nz_compatible(c: GatherCase) -> bool:
    a = 32 // c.key_cache.dtype.itemsize
    return (c.key_cache.shape[2] * c.key_cache.shape[3]) % a == 0 and (c.value_cache.shape[2] * c.value_cache.shape[3]) % a == 0


def test_doc_example_in_nz_layout() -> None:
    c = doc_example_case()
    args = nz_args(c)
    ops.gather_pa_kv_cache(**args)
    ek, ev = expected(c)
    assert_same_bits(args["key"], ek, "key")
    assert_same_bits(args["value"], ev, "value")


@settings(deadline=None)
@given(c=gather_cases())
def test_matches_the_norm_golden(c: GatherCase) -> None:
    if not nz_compatible(c):
        return
    args = nz_args(c)
    ops.gather_pa_kv_cache(**args)
    ek, ev = expected(c)
    assert_same_bits(args["key"], ek, "key")
    assert_same_bits(args["value"], ev, "value")


@settings(deadline=None, max_examples=8)
@given(c=gather_cases())
def test_compiled_stage_matches_the_norm_golden(c: GatherCase) -> None:
    if not nz_compatible(c):
        return
    args = nz_args(c)
    run(lower(gather_pa_kv_cache_nz.ir, "clean"), args)
    ek, ev = expected(c)
    assert_same_bits(args["key"], ek, "key")
    assert_same_bits(args["value"], ev, "value")


def test_last_dim_must_be_32_bytes() -> None:
    c = doc_example_case()
    args = nz_args(c)
    args["key_cache"] = np.ascontiguousarray(args["key_cache"][..., :8])  # 8 fp16 = 16 bytes per unit
    args["value_cache"] = np.ascontiguousarray(args["value_cache"][..., :8])
    before = args["key"].copy()
    with pytest.raises(AclnnError) as info:
        ops.gather_pa_kv_cache(**args)
    assert info.value.code == 161002
    assert "32 bytes" in info.value.message
    np.testing.assert_array_equal(args["key"], before)

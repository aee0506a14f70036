"""HiFloat8 data (numpy has no type for it: opaque 1-byte "V1" elements) is moved as bytes, in both layouts
and at every stage; Atlas A2/A3 have no HiFloat8 type, so the emulator backend refuses it with 161002."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
from ascdsl.ops.gather_pa_kv_cache import gather_pa_kv_cache_norm
from ascdsl.runtime.interpreter.engine import run
from gather_inputs import assert_same_bits, doc_example_case
from gather_pa_kv_cache_golden import gather_pa_kv_cache_golden
from test_gather_pa_kv_cache_nz import to_nz

from ascdsl import AclnnError, ops
from ascdsl.pipeline import lower


def _bytes(a: np.ndarray, seed: int) -> np.ndarray:
    return np.frombuffer(np.random.default_rng(seed).bytes(a.size), "V1").reshape(a.shape).copy()


def _case():
    c = doc_example_case()
    kc, vc = _bytes(c.key_cache, 1), _bytes(c.value_cache, 2)
    k, v = _bytes(c.key, 3), _bytes(c.value, 4)
    expected = gather_pa_kv_cache_golden(kc, vc, c.block_tables, c.seq_lens, k, v, c.seq_offset, False)
    return c, kc, vc, k, v, expected


@pytest.mark.parametrize("stage", ["tile", "clean"])
def test_norm_moves_the_bytes(stage: str) -> None:
    c, kc, vc, k, v, (ek, ev) = _case()
    args = dict(key_cache=kc, value_cache=vc, block_tables=c.block_tables, seq_lens=c.seq_lens, key=k, value=v, seq_offset=c.seq_offset, cache_mode="Norm", is_seq_lens_cumsum=False)
    run(gather_pa_kv_cache_norm.ir if stage == "tile" else lower(gather_pa_kv_cache_norm.ir, stage), args)
    assert_same_bits(k, ek, "key")
    assert_same_bits(v, ev, "value")


def test_pa_nz_moves_the_bytes() -> None:
    c, kc, vc, k, v, (ek, ev) = _case()
    t = k.shape[0]
    key, value = k.reshape(t, -1).copy(), v.reshape(t, -1).copy()
    ops.gather_pa_kv_cache(to_nz(kc), to_nz(vc), c.block_tables, c.seq_lens, key, value, c.seq_offset, "PA_NZ", False)
    assert_same_bits(key, ek.reshape(t, -1), "key")
    assert_same_bits(value, ev.reshape(t, -1), "value")


@pytest.mark.skipif(shutil.which("g++") is None, reason="the emulator needs g++")
def test_the_a2_emulator_refuses_it() -> None:
    c, kc, vc, k, v, _ = _case()
    before = k.copy()
    with pytest.raises(AclnnError) as info:
        ops.gather_pa_kv_cache(kc, vc, c.block_tables, c.seq_lens, k, v, c.seq_offset, "Norm", False, backend="emu")
    assert info.value.code == 161002 and "HIFLOAT8" in info.value.message
    assert_same_bits(k, before, "key")

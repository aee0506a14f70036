"""GatherPaKvCache on the doc's shapes (op_semantics.md 2.6 case 3), bit-exact with the golden on the tile
stage, the last compiler stage and the emulator."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
from ascdsl.ops.gather_pa_kv_cache import gather_pa_kv_cache_norm, gather_pa_kv_cache_nz
from ascdsl.runtime.interpreter.engine import run
from gather_inputs import assert_same_bits
from gather_pa_kv_cache_golden import gather_pa_kv_cache_golden

from ascdsl import ops
from ascdsl.pipeline import lower

BACKENDS = ["tile", "clean", "emu"]


def _case(rng: np.random.Generator, dtype: type, kc: tuple, vc: tuple, b: int, w: int, tokens: int, nz: bool):
    """Random caches, block tables within range, lengths that sum past `tokens` (the last batch truncated)."""
    nb, bs = kc[0], (kc[2] if nz else kc[1])
    lens = rng.integers(0, bs * w + 1, b)
    lens[-1] += max(0, tokens + 5 - int(lens.sum()))
    tables = rng.integers(0, nb, (b, w)).astype(np.int32)
    key_cache = rng.integers(-128, 128, kc).astype(dtype)
    value_cache = rng.integers(-128, 128, vc).astype(dtype)
    return key_cache, value_cache, tables, lens.astype(np.int32)


def _norm_view(cache: np.ndarray) -> np.ndarray:
    """The NZ cache as the Norm layout the golden reads: C = cache.transpose(0, 2, 1, 3).reshape(nb, bs, H)."""
    nb, units, bs, a = cache.shape
    return np.ascontiguousarray(cache.transpose(0, 2, 1, 3).reshape(nb, bs, 1, units * a))


def _run(kernel, args: dict, how: str) -> None:
    if how == "emu":
        if shutil.which("g++") is None:
            pytest.skip("the emulator needs g++")
        ops.gather_pa_kv_cache(**args, backend="emu")
    else:
        run(kernel.ir if how == "tile" else lower(kernel.ir, how), args)


@pytest.mark.parametrize("how", BACKENDS)
def test_norm_fp16_doc_shape(how: str) -> None:
    rng = np.random.default_rng(11)
    kc, vc, bt, sl = _case(rng, np.float16, (128, 128, 16, 144), (128, 128, 16, 128), 16, 12, 8931, nz=False)
    offsets = (rng.integers(0, 3, 16) * 128 + rng.integers(0, 128, 16)).astype(np.int32)
    key = rng.standard_normal((8931, 16, 144)).astype(np.float16)
    value = rng.standard_normal((8931, 16, 128)).astype(np.float16)
    ek, ev = gather_pa_kv_cache_golden(kc, vc, bt, sl, key, value, offsets, False)
    args = dict(key_cache=kc, value_cache=vc, block_tables=bt, seq_lens=sl, key=key, value=value, seq_offset=offsets, cache_mode="Norm", is_seq_lens_cumsum=False)
    _run(gather_pa_kv_cache_norm, args, how)
    assert_same_bits(key, ek, "key")
    assert_same_bits(value, ev, "value")


@pytest.mark.parametrize("how", BACKENDS)
def test_pa_nz_int8_doc_shape(how: str) -> None:
    rng = np.random.default_rng(12)
    kc, vc, bt, sl = _case(rng, np.int8, (30, 101, 128, 32), (30, 127, 128, 32), 36, 8, 18933, nz=True)
    key = np.zeros((18933, 3232), np.int8)
    value = np.zeros((18933, 4064), np.int8)
    ek, ev = gather_pa_kv_cache_golden(_norm_view(kc), _norm_view(vc), bt, sl, key.reshape(18933, 1, 3232), value.reshape(18933, 1, 4064), None, False)
    args = dict(key_cache=kc, value_cache=vc, block_tables=bt, seq_lens=sl, key=key, value=value, seq_offset=None, cache_mode="PA_NZ", is_seq_lens_cumsum=False)
    _run(gather_pa_kv_cache_nz, args, how)
    assert_same_bits(key, ek.reshape(18933, 3232), "key")
    assert_same_bits(value, ev.reshape(18933, 4064), "value")

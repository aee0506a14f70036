"""GatherPaKvCache: gather a paged KV cache into contiguous key/value tensors (aclnnGatherPaKvCache).

Semantics: ../shared/reference/op_semantics.md section 2 (the "Project decision" of 2.2 and 2.4): each batch's
tokens are copied block by block from the cache blocks its block-table row names, starting at the column
seq_offset[b] // block_size; a column past the table, or a block id outside the cache, gives zeros; tokens at
or past key.shape[0] are dropped. The "Norm" and "PA_NZ" cache layouts are two kernels; the entry picks one by cache_mode.
"""

from __future__ import annotations

from typing import Any, Optional

import numpy as np
from ascdsl.runtime import run

from ascdsl import (
    Attr,
    InOut,
    Tensor,
    bf16,
    copy,
    f8e4m3fn,
    f8e5m2,
    f16,
    f32,
    hif8,
    i8,
    i16,
    i32,
    i64,
    kernel,
    load,
    parallel,
    reduce_sum,
    require,
    sizeof,
    u8,
    u16,
    u32,
)
from ascdsl.operator import operator

MAX_TOKEN_BYTES = 148 * 1024  # the doc's limit on one token of key or value


@kernel(op_type="GatherPaKvCache")
def gather_pa_kv_cache_norm(
    key_cache: Tensor[T, NB, BS, NH, DK],
    value_cache: Tensor[T, NB, BS, NH, DV],
    block_tables: Tensor[I, B, W],
    seq_lens: Tensor[I, L],
    key: InOut[Tensor[T, TOK, NH, DK]],
    value: InOut[Tensor[T, TOK, NH, DV]],
    seq_offset: Optional[Tensor[I, B]],
    cache_mode: Attr[str],
    is_seq_lens_cumsum: Attr[bool],
):
    require(
        T in (f16, bf16, f32, i8, u8, i16, u16, i32, u32, f8e5m2, f8e4m3fn, hif8),
        code=161002,
        msg="key_cache, value_cache, key and value must be FLOAT16, BFLOAT16, FLOAT, INT8, UINT8, INT16, UINT16, "
        "INT32, UINT32, HIFLOAT8, FLOAT8_E5M2 or FLOAT8_E4M3FN",
    )
    require(I in (i32, i64), code=161002, msg="block_tables, seq_lens and seq_offset must be INT32 or INT64")
    require(NB > 0 and BS > 0 and NH > 0 and DK > 0 and DV > 0, code=161002, msg="key_cache and value_cache must not be empty")
    require(B > 0 and W > 0, code=161002, msg="block_tables must not be empty")
    require(L > 0, code=161002, msg="seq_lens must not be empty")
    require(TOK > 0, code=161002, msg="key and value must not be empty")
    require(
        L == B + 1 if is_seq_lens_cumsum else L == B,
        code=161002,
        msg="seq_lens must have B + 1 entries when is_seq_lens_cumsum is true, else B (B = block_tables.shape[0])",
    )
    require(cache_mode in ("Norm", "PA_NZ"), code=561002, msg='cache_mode must be "Norm" or "PA_NZ"')
    require(
        NH * DK * sizeof(T) <= 148 * 1024 and NH * DV * sizeof(T) <= 148 * 1024,
        code=561002,
        msg="one token of key or value (num_heads * head_size * element size) must be at most 148 KB",
    )

    for b in parallel(B):
        if is_seq_lens_cumsum:
            start = seq_lens[b]
            end = seq_lens[b + 1]
        else:
            start = reduce_sum(load(seq_lens[0:b]))
            end = start + seq_lens[b]
        n_tokens = min(end, TOK) - start  # truncated at key.shape[0]; nothing when start >= TOK
        shift = 0
        if seq_offset is not None:
            shift = seq_offset[b] // BS  # whole blocks only: the remainder is ignored
        for j in parallel((n_tokens + BS - 1) // BS):  # blocks are independent: cores share them
            row = start + j * BS
            n = min(BS, n_tokens - j * BS)  # the last block may be partial: its first n slots
            col = shift + j
            blk = -1
            if col < W:
                blk = block_tables[b, col]
            if blk >= 0 and blk < NB:
                key[row : row + n] = key_cache[blk, 0:n]
                value[row : row + n] = value_cache[blk, 0:n]
            else:
                key[row : row + n] = 0
                value[row : row + n] = 0


@kernel(op_type="GatherPaKvCache")
def gather_pa_kv_cache_nz(
    key_cache: Tensor[T, NB, HKA, BS, A],
    value_cache: Tensor[T, NB, HVA, BS, A],
    block_tables: Tensor[I, B, W],
    seq_lens: Tensor[I, L],
    key: InOut[Tensor[T, TOK, HK]],
    value: InOut[Tensor[T, TOK, HV]],
    seq_offset: Optional[Tensor[I, B]],
    cache_mode: Attr[str],
    is_seq_lens_cumsum: Attr[bool],
):
    """PA_NZ: cache block c of a token holds its elements [c*A, (c+1)*A), one 32-byte unit of A elements."""
    require(
        T in (f16, bf16, f32, i8, u8, i16, u16, i32, u32, f8e5m2, f8e4m3fn, hif8),
        code=161002,
        msg="key_cache, value_cache, key and value must be FLOAT16, BFLOAT16, FLOAT, INT8, UINT8, INT16, UINT16, "
        "INT32, UINT32, HIFLOAT8, FLOAT8_E5M2 or FLOAT8_E4M3FN",
    )
    require(I in (i32, i64), code=161002, msg="block_tables, seq_lens and seq_offset must be INT32 or INT64")
    require(NB > 0 and BS > 0 and HKA > 0 and HVA > 0, code=161002, msg="key_cache and value_cache must not be empty")
    require(A * sizeof(T) == 32, code=161002, msg="the last dim of key_cache and value_cache must be 32 bytes (PA_NZ)")
    require(B > 0 and W > 0, code=161002, msg="block_tables must not be empty")
    require(L > 0, code=161002, msg="seq_lens must not be empty")
    require(TOK > 0, code=161002, msg="key and value must not be empty")
    require(HK == HKA * A, code=161002, msg="key.shape[1] must equal key_cache.shape[1] * key_cache.shape[3] (PA_NZ)")
    require(HV == HVA * A, code=161002, msg="value.shape[1] must equal value_cache.shape[1] * value_cache.shape[3] (PA_NZ)")
    require(
        L == B + 1 if is_seq_lens_cumsum else L == B,
        code=161002,
        msg="seq_lens must have B + 1 entries when is_seq_lens_cumsum is true, else B (B = block_tables.shape[0])",
    )
    require(cache_mode in ("Norm", "PA_NZ"), code=561002, msg='cache_mode must be "Norm" or "PA_NZ"')
    require(
        HK * sizeof(T) <= 148 * 1024 and HV * sizeof(T) <= 148 * 1024,
        code=561002,
        msg="one token of key or value (num_heads * head_size * element size) must be at most 148 KB",
    )

    for b in parallel(B):
        if is_seq_lens_cumsum:
            start = seq_lens[b]
            end = seq_lens[b + 1]
        else:
            start = reduce_sum(load(seq_lens[0:b]))
            end = start + seq_lens[b]
        n_tokens = min(end, TOK) - start
        shift = 0
        if seq_offset is not None:
            shift = seq_offset[b] // BS
        for j in parallel((n_tokens + BS - 1) // BS):  # blocks are independent: cores share them
            row = start + j * BS
            n = min(BS, n_tokens - j * BS)
            col = shift + j
            blk = -1
            if col < W:
                blk = block_tables[b, col]
            if blk >= 0 and blk < NB:
                # token-major rows from the cache's [unit, slot, element] order
                copy(key[row : row + n].reshape(n, HKA, A), key_cache[blk, :, 0:n, :].permute(1, 0, 2))
                copy(value[row : row + n].reshape(n, HVA, A), value_cache[blk, :, 0:n, :].permute(1, 0, 2))
            else:
                key[row : row + n] = 0
                value[row : row + n] = 0


GATHER_PA_KV_CACHE = operator("GatherPaKvCache", "cache_mode", {"Norm": gather_pa_kv_cache_norm, "PA_NZ": gather_pa_kv_cache_nz})


def gather_pa_kv_cache(
    key_cache: np.ndarray | None,
    value_cache: np.ndarray | None,
    block_tables: np.ndarray | None,
    seq_lens: np.ndarray | None,
    key: np.ndarray | None,
    value: np.ndarray | None,
    seq_offset: np.ndarray | None = None,
    cache_mode: str | None = "Norm",
    is_seq_lens_cumsum: bool = False,
    *,
    backend: str = "interp",
) -> tuple[np.ndarray, np.ndarray]:
    """aclnnGatherPaKvCache: updates `key` and `value` in place and returns them.

    Raises `AclnnError` (161001 null, 161002 invalid tensor, 561002 invalid attribute) before writing anything.
    """
    args: dict[str, Any] = {
        "key_cache": key_cache,
        "value_cache": value_cache,
        "block_tables": block_tables,
        "seq_lens": seq_lens,
        "key": key,
        "value": value,
        "seq_offset": seq_offset,
        "cache_mode": cache_mode,
        "is_seq_lens_cumsum": is_seq_lens_cumsum,
    }
    # The two layouts are two kernels of one operator; the mode picks one (an invalid mode is the Norm
    # kernel's 561002, after the tensors' own checks, as aclnn orders them).
    run(GATHER_PA_KV_CACHE, args, backend=backend)
    return key, value  # type: ignore[return-value]


def example_calls(k: object, rng: np.random.Generator, count: int = 3) -> list[dict[str, Any]]:
    """Small valid calls of either kernel, for the main job's stage-by-stage check."""
    nz = k is gather_pa_kv_cache_nz
    calls = []
    for dtype in (np.float16, np.int8, np.float32)[:count]:
        nb, bs, nh, a = 4, 4, 2, 32 // np.dtype(dtype).itemsize
        dk, dv = a, 2 * a
        b, w = 3, 3
        lens = rng.integers(0, bs * w + 2, b).astype(np.int32)
        tok = max(1, int(lens.sum()) - 1)  # one token short: the last batch is truncated
        caches = [rng.integers(-50, 50, (nb, bs, nh, d)).astype(dtype) for d in (dk, dv)]
        if nz:
            caches = [np.ascontiguousarray(c.reshape(nb, bs, nh * c.shape[3] // a, a).transpose(0, 2, 1, 3)) for c in caches]
        shape_k, shape_v = ((tok, nh * dk), (tok, nh * dv)) if nz else ((tok, nh, dk), (tok, nh, dv))
        calls.append(
            {
                "key_cache": caches[0],
                "value_cache": caches[1],
                "block_tables": rng.integers(-1, nb + 1, (b, w)).astype(np.int32),
                "seq_lens": lens,
                "key": np.zeros(shape_k, dtype),
                "value": np.zeros(shape_v, dtype),
                "seq_offset": (rng.integers(0, 2, b) * bs).astype(np.int32),
                "cache_mode": "PA_NZ" if nz else "Norm",
                "is_seq_lens_cumsum": False,
            }
        )
    return calls

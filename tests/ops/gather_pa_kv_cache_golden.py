"""Plain-numpy golden for GatherPaKvCache, "Norm" cache mode.

Written from `shared/reference/op_semantics.md` section 2.2 ("Project decision"), independently of
`ascdsl`. Pure data movement: rows are copied as raw bytes, so every bit pattern (NaN payloads of
float16 / bfloat16 / float8, negative zero) survives exactly.

Semantics, per batch b (rows of key/value are tokens, a token is `num_heads * head_size` elements):

* rows `[start, end)`: not cumsum `start = sum(seq_lens[:b])`, `end = start + seq_lens[b]`;
  cumsum `start = seq_lens[b]`, `end = seq_lens[b + 1]` (absolute rows, so with `seq_lens[0] > 0`
  the leading rows are never written).
* `T = key.shape[0]`: a batch with `start >= T` and every later batch are skipped; the batch that
  crosses T is truncated to `T - start` tokens.
* `shift = seq_offset[b] // block_size` (whole blocks; the remainder is ignored, every block is
  read from its slot 0). Block j of the batch is table column `shift + j`; its tokens are slots
  `0 .. n-1` of that block (the last block may be partial).
* zero-fill the rows of a block whose column is `>= W` or whose block id is outside
  `[0, num_blocks)`.
* rows that no batch writes keep their previous contents.
"""

from __future__ import annotations

import itertools

import numpy as np


def _byte_rows(a: np.ndarray, lead: int) -> np.ndarray:
    """A contiguous uint8 view of `a` with its first `lead` axes kept and the rest flattened."""
    c = np.ascontiguousarray(a)
    return c.view(np.uint8).reshape(*c.shape[:lead], -1)


def _check_preconditions(
    key_cache: np.ndarray,
    value_cache: np.ndarray,
    block_tables: np.ndarray,
    seq_lens: np.ndarray,
    key: np.ndarray,
    value: np.ndarray,
    seq_offset: np.ndarray | None,
    is_seq_lens_cumsum: bool,
) -> None:
    """Reject inputs the golden has no defined answer for (test-generator bugs, not op errors)."""
    if key_cache.ndim != 4 or value_cache.ndim != 4:
        raise ValueError("caches must be 4-D [num_blocks, block_size, num_heads, head_size]")
    if key.ndim != 3 or value.ndim != 3:
        raise ValueError("key/value must be 3-D [T, num_heads, head_size]")
    if value_cache.shape[:3] != key_cache.shape[:3]:
        raise ValueError("value_cache dims 0..2 must equal key_cache's")
    if key.shape[1:] != key_cache.shape[2:] or value.shape[1:] != value_cache.shape[2:]:
        raise ValueError("key/value token shapes must match the caches")
    if key.shape[0] != value.shape[0]:
        raise ValueError("key and value must have the same number of rows")
    if not (key.dtype == value.dtype == key_cache.dtype == value_cache.dtype):
        raise ValueError("key, value and both caches must share one dtype")
    if block_tables.ndim != 2:
        raise ValueError("block_tables must be 2-D")
    batch = block_tables.shape[0]
    want = batch + 1 if is_seq_lens_cumsum else batch
    if seq_lens.shape != (want,):
        raise ValueError(f"seq_lens must have shape ({want},)")
    lens = [int(x) for x in seq_lens]
    if is_seq_lens_cumsum:
        if lens[0] < 0 or any(b < a for a, b in itertools.pairwise(lens)):
            raise ValueError("cumsum seq_lens must be non-negative and non-decreasing")
    elif any(x < 0 for x in lens):
        raise ValueError("seq_lens must be non-negative")
    if seq_offset is not None:
        if seq_offset.shape != (batch,):
            raise ValueError(f"seq_offset must have shape ({batch},)")
        if any(int(x) < 0 for x in seq_offset):
            raise ValueError("seq_offset must be non-negative")


def gather_pa_kv_cache_golden(
    key_cache: np.ndarray,
    value_cache: np.ndarray,
    block_tables: np.ndarray,
    seq_lens: np.ndarray,
    key: np.ndarray,
    value: np.ndarray,
    seq_offset: np.ndarray | None,
    is_seq_lens_cumsum: bool,
) -> tuple[np.ndarray, np.ndarray]:
    """Return `(new_key, new_value)`: copies of `key`/`value` with the gathered rows written.

    The inputs are not modified. Raises ValueError for inputs outside the defined domain
    (negative lengths, decreasing cumsum, negative offsets, inconsistent shapes).
    """
    _check_preconditions(
        key_cache,
        value_cache,
        block_tables,
        seq_lens,
        key,
        value,
        seq_offset,
        is_seq_lens_cumsum,
    )
    num_blocks, block_size = key_cache.shape[0], key_cache.shape[1]
    batch, width = block_tables.shape
    num_rows = key.shape[0]

    # [num_blocks, block_size, token_bytes] byte views of the caches.
    kc = _byte_rows(key_cache, 2)
    vc = _byte_rows(value_cache, 2)

    new_key = np.array(key, copy=True, order="C")
    new_value = np.array(value, copy=True, order="C")
    # [T, token_bytes] byte views that write through to new_key / new_value.
    kout = new_key.view(np.uint8).reshape(num_rows, -1)
    vout = new_value.view(np.uint8).reshape(num_rows, -1)

    lens = [int(x) for x in seq_lens]
    offsets = None if seq_offset is None else [int(x) for x in seq_offset]
    running = 0
    for b in range(batch):
        if is_seq_lens_cumsum:
            start, end = lens[b], lens[b + 1]
        else:
            start, end = running, running + lens[b]
            running = end
        if start >= num_rows:
            break  # this batch and all later ones are skipped
        length = min(end, num_rows) - start
        shift = 0 if offsets is None else offsets[b] // block_size
        for j in range(-(-length // block_size)):
            n = min(block_size, length - j * block_size)
            row = start + j * block_size
            col = shift + j
            blk = int(block_tables[b, col]) if col < width else -1
            if 0 <= blk < num_blocks:
                kout[row : row + n] = kc[blk, :n]
                vout[row : row + n] = vc[blk, :n]
            else:
                kout[row : row + n] = 0
                vout[row : row + n] = 0
    return new_key, new_value

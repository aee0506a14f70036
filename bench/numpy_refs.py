"""Vectorized plain-numpy implementations of the benchmarked operators: the CPU speed baseline.

They update their output arrays in place, as the operators do, and move raw bytes, so results compare bit for
bit with the kernels' (NaN payloads included). No Python loop runs per token or per block.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def vadd(x: np.ndarray, y: np.ndarray, z: np.ndarray) -> np.ndarray:
    np.add(x, y, out=z)
    return z


@dataclass(frozen=True)
class RowMap:
    """Where each output row of GatherPaKvCache (Norm) comes from.

    rows: the output rows written, in batch order; src: for each, the flat cache row `block * BS + slot` it
    copies, or -1 when it is zero-filled (column past the table, or block id outside the cache);
    table_reads: how many block-table entries the operator must read (one per block whose column is in the table).
    """

    rows: np.ndarray
    src: np.ndarray
    table_reads: int


def gather_row_map(
    num_blocks: int,
    block_size: int,
    num_rows: int,
    block_tables: np.ndarray,
    seq_lens: np.ndarray,
    seq_offset: np.ndarray | None,
    is_seq_lens_cumsum: bool,
) -> RowMap:
    batch, width = block_tables.shape
    lens = seq_lens.astype(np.int64)
    if is_seq_lens_cumsum:
        starts, ends = lens[:-1], lens[1:]
    else:
        ends = np.cumsum(lens)
        starts = ends - lens
    # Rows at or past key.shape[0] are dropped; a batch starting there writes nothing (nor do later ones,
    # whose starts are no smaller).
    counts = np.maximum(np.minimum(ends, num_rows) - starts, 0)
    shift = np.zeros(batch, np.int64) if seq_offset is None else seq_offset.astype(np.int64) // block_size

    total = int(counts.sum())
    which = np.repeat(np.arange(batch), counts)  # the batch of every written row
    first = np.cumsum(counts) - counts
    pos = np.arange(total, dtype=np.int64) - np.repeat(first, counts)  # token index within its batch
    rows = starts[which] + pos
    col = shift[which] + pos // block_size
    in_table = col < width
    blk = np.full(total, -1, np.int64)
    blk[in_table] = block_tables[which[in_table], col[in_table]]
    valid = (blk >= 0) & (blk < num_blocks)
    src = np.where(valid, blk * block_size + pos % block_size, -1)

    blocks_per_batch = -(-counts // block_size)
    # Columns shift .. shift + blocks - 1 of each batch; those below the width are read from the table.
    table_reads = int(np.clip(width - shift, 0, blocks_per_batch).sum())
    return RowMap(rows, src, table_reads)


def _byte_rows(a: np.ndarray, lead: int) -> np.ndarray:
    return a.view(np.uint8).reshape(*a.shape[:lead], -1)


def gather_pa_kv_cache_norm(
    key_cache: np.ndarray,
    value_cache: np.ndarray,
    block_tables: np.ndarray,
    seq_lens: np.ndarray,
    key: np.ndarray,
    value: np.ndarray,
    seq_offset: np.ndarray | None = None,
    is_seq_lens_cumsum: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """GatherPaKvCache, "Norm" cache mode: writes the gathered rows of `key` and `value` in place."""
    num_blocks, block_size = key_cache.shape[:2]
    m = gather_row_map(num_blocks, block_size, key.shape[0], block_tables, seq_lens, seq_offset, is_seq_lens_cumsum)
    ok = m.src >= 0
    for cache, out in ((key_cache, key), (value_cache, value)):
        src = _byte_rows(np.ascontiguousarray(cache), 2).reshape(num_blocks * block_size, -1)
        dst = out if out.flags.c_contiguous else np.ascontiguousarray(out)
        rows = _byte_rows(dst, 1)
        rows[m.rows[ok]] = src[m.src[ok]]
        rows[m.rows[~ok]] = 0
        if dst is not out:
            out[...] = dst
    return key, value

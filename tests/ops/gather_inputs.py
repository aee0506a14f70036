"""Input builders for the GatherPaKvCache tests ("Norm" cache mode).

Shared by the golden's own tests and the operator tests. Imports nothing from `ascdsl`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import ml_dtypes
import numpy as np
from hypothesis import strategies as st

# Data dtypes of caches / key / value ("Norm", Ascend 910_95 list without HIFLOAT8).
DATA_DTYPES: list[np.dtype] = [
    np.dtype(np.float16),
    np.dtype(ml_dtypes.bfloat16),
    np.dtype(np.float32),
    np.dtype(np.int8),
    np.dtype(np.uint8),
    np.dtype(np.int16),
    np.dtype(np.uint16),
    np.dtype(np.int32),
    np.dtype(np.uint32),
    np.dtype(ml_dtypes.float8_e5m2),
    np.dtype(ml_dtypes.float8_e4m3fn),
]
INDEX_DTYPES: list[np.dtype] = [np.dtype(np.int32), np.dtype(np.int64)]

# Largest accepted token (num_heads * head_size * itemsize of key or value), in bytes.
TOKEN_LIMIT_BYTES = 148 * 1024


def random_bits(rng: np.random.Generator, shape: Sequence[int], dtype: np.dtype) -> np.ndarray:
    """A C-contiguous array owning its memory, filled with uniformly random bytes.

    Every bit pattern can occur, including NaN payloads and infinities of float dtypes.
    """
    dtype = np.dtype(dtype)
    count = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    raw = rng.integers(0, 256, size=count, dtype=np.uint8)
    return raw.view(dtype).reshape(tuple(shape)).copy()


def same_bits(a: np.ndarray | None, b: np.ndarray | None) -> bool:
    """True when a and b have the same dtype, shape and raw bytes (None only equals None)."""
    if a is None or b is None:
        return a is None and b is None
    if a.dtype != b.dtype or a.shape != b.shape:
        return False
    ab = np.ascontiguousarray(a).view(np.uint8)
    bb = np.ascontiguousarray(b).view(np.uint8)
    return bool(np.array_equal(ab, bb))


def assert_same_bits(actual: np.ndarray, expected: np.ndarray, what: str) -> None:
    """Assert bit-identical arrays; on failure name the first differing leading-axis rows."""
    assert actual.dtype == expected.dtype, f"{what}: dtype {actual.dtype} != {expected.dtype}"
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape} != {expected.shape}"
    if same_bits(actual, expected):
        return
    a = np.ascontiguousarray(actual).view(np.uint8).reshape(actual.shape[0], -1)
    e = np.ascontiguousarray(expected).view(np.uint8).reshape(expected.shape[0], -1)
    bad = np.flatnonzero((a != e).any(axis=1))
    raise AssertionError(
        f"{what}: {bad.size} of {actual.shape[0]} rows differ, first rows {bad[:8].tolist()}; "
        f"row {bad[0]} actual bytes {a[bad[0], :16].tolist()} expected {e[bad[0], :16].tolist()}"
    )


@dataclasses.dataclass
class GatherCase:
    """One complete set of operator inputs ("Norm" mode)."""

    key_cache: np.ndarray
    value_cache: np.ndarray
    block_tables: np.ndarray
    seq_lens: np.ndarray
    key: np.ndarray
    value: np.ndarray
    seq_offset: np.ndarray | None
    is_seq_lens_cumsum: bool

    def copy(self) -> GatherCase:
        """A deep copy (every array copied)."""
        return GatherCase(
            key_cache=self.key_cache.copy(),
            value_cache=self.value_cache.copy(),
            block_tables=self.block_tables.copy(),
            seq_lens=self.seq_lens.copy(),
            key=self.key.copy(),
            value=self.value.copy(),
            seq_offset=None if self.seq_offset is None else self.seq_offset.copy(),
            is_seq_lens_cumsum=self.is_seq_lens_cumsum,
        )

    def golden_args(self) -> tuple:
        """Positional arguments of `gather_pa_kv_cache_golden`."""
        return (
            self.key_cache,
            self.value_cache,
            self.block_tables,
            self.seq_lens,
            self.key,
            self.value,
            self.seq_offset,
            self.is_seq_lens_cumsum,
        )

    @property
    def block_size(self) -> int:
        return int(self.key_cache.shape[1])

    @property
    def num_rows(self) -> int:
        return int(self.key.shape[0])

    def total_rows(self) -> int:
        """Rows the sequences describe: seq_lens[-1] (cumsum) or sum(seq_lens)."""
        if self.is_seq_lens_cumsum:
            return int(self.seq_lens[-1])
        return int(sum(int(x) for x in self.seq_lens))


def make_case(
    rng: np.random.Generator,
    *,
    lengths: Sequence[int],
    dtype: np.dtype | type = np.float16,
    index_dtype: np.dtype | type = np.int32,
    num_blocks: int = 4,
    block_size: int = 4,
    num_heads: int = 2,
    head_size_k: int = 4,
    head_size_v: int = 8,
    width: int | None = None,
    block_tables: Sequence[Sequence[int]] | np.ndarray | None = None,
    seq_offset: Sequence[int] | None = None,
    cumsum: bool = False,
    first_row: int = 0,
    num_rows: int | None = None,
) -> GatherCase:
    """Build a valid case from per-batch `lengths`.

    With `cumsum`, seq_lens is `first_row + [0, cumsum(lengths)...]` (so `first_row > 0` leaves the
    leading rows unwritten). `num_rows` (T) defaults to the total; key/value start with random bytes
    so untouched rows are recognisable. Block tables default to random in-range ids.
    """
    index_dtype = np.dtype(index_dtype)
    batch = len(lengths)
    if block_tables is None:
        w = width if width is not None else 3
        bt = rng.integers(0, num_blocks, size=(batch, w)).astype(index_dtype)
    else:
        bt = np.array(block_tables, dtype=index_dtype).reshape(batch, -1)
    if cumsum:
        seq = np.array([first_row, *(first_row + np.cumsum(lengths, dtype=np.int64))])
    else:
        assert first_row == 0, "first_row only exists in cumsum mode"
        seq = np.array(lengths, dtype=np.int64)
    seq_lens = seq.astype(index_dtype)
    total = int(seq[-1]) if cumsum else int(seq.sum())
    rows = total if num_rows is None else num_rows
    offs = None if seq_offset is None else np.array(seq_offset, dtype=index_dtype)
    return GatherCase(
        key_cache=random_bits(rng, (num_blocks, block_size, num_heads, head_size_k), dtype),
        value_cache=random_bits(rng, (num_blocks, block_size, num_heads, head_size_v), dtype),
        block_tables=bt,
        seq_lens=seq_lens,
        key=random_bits(rng, (rows, num_heads, head_size_k), dtype),
        value=random_bits(rng, (rows, num_heads, head_size_v), dtype),
        seq_offset=offs,
        is_seq_lens_cumsum=cumsum,
    )


def doc_example_case() -> GatherCase:
    """op_semantics 2.6 case 1 (the doc's C++ sample): every output element becomes 0x0001."""
    one = np.uint16(1)
    return GatherCase(
        key_cache=np.full((2, 2, 32, 2), one, np.uint16).view(np.float16),
        value_cache=np.full((2, 2, 32, 4), one, np.uint16).view(np.float16),
        block_tables=np.ones((4, 6), np.int32),
        seq_lens=np.full(4, 3, np.int32),
        key=np.zeros((12, 32, 2), np.float16),
        value=np.zeros((12, 32, 4), np.float16),
        seq_offset=np.full(4, 2, np.int32),
        is_seq_lens_cumsum=False,
    )


def doc_shape_case(rng: np.random.Generator) -> GatherCase:
    """op_semantics 2.6 case 2: the doc's shapes, fp16 random bits, seq_offset given.

    keyCache [128,128,16,144], valueCache [128,128,16,128], blockTables [16,12], seqLens [16]
    summing to 8931, keyRef [8931,16,144], valueRef [8931,16,128], seqOffset [16]. Offsets are
    random and mostly not multiples of 128 (remainder ignored); they keep every column within W
    except for batch 0, whose last block falls one column past W (zero-filled).
    """
    num_blocks, block_size, batch, width, total = 128, 128, 16, 12, 8931
    # Random lengths summing to `total`, each at most (width - 1) * block_size.
    cap = (width - 1) * block_size
    while True:
        cuts = np.sort(rng.choice(np.arange(1, total), size=batch - 1, replace=False))
        lengths = np.diff(np.concatenate([[0], cuts, [total]]))
        if lengths.max() <= cap and lengths[0] > block_size:
            break
    offsets = []
    for b, length in enumerate(lengths):
        blocks = -(-int(length) // block_size)
        # Batch 0's last block lands on column W (zero-fill); the others stay within the table.
        shift = width - blocks + 1 if b == 0 else int(rng.integers(0, width - blocks + 1))
        offsets.append(shift * block_size + int(rng.integers(0, block_size)))
    return make_case(
        rng,
        lengths=[int(x) for x in lengths],
        dtype=np.float16,
        index_dtype=np.int32,
        num_blocks=num_blocks,
        block_size=block_size,
        num_heads=16,
        head_size_k=144,
        head_size_v=128,
        width=width,
        seq_offset=offsets,
    )


@st.composite
def gather_cases(
    draw: st.DrawFn,
    *,
    dtype: np.dtype | None = None,
    agreement_only: bool = False,
) -> GatherCase:
    """Random valid small cases.

    Covers partial last blocks, zero-length sequences, cumsum (with a leading gap), seq_offset
    (present or not, not a multiple of block_size, past the table width, huge), T equal to,
    smaller than or larger than the total, and out-of-range block ids.

    With `agreement_only` the cases stay where a plain vLLM-style gather agrees with the
    operator: cumsum starting at 0, offsets a multiple of block_size, every column within the
    table, block ids in range, T equal to the total (and at least 1).
    """
    dt = np.dtype(draw(st.sampled_from(DATA_DTYPES))) if dtype is None else np.dtype(dtype)
    index_dtype = draw(st.sampled_from(INDEX_DTYPES))
    imax = int(np.iinfo(index_dtype).max)
    num_blocks = draw(st.integers(1, 6))
    block_size = draw(st.integers(1, 8))
    num_heads = draw(st.integers(1, 3))
    head_size_k = draw(st.integers(1, 8))
    head_size_v = draw(st.integers(1, 8))
    batch = draw(st.integers(1, 5))
    width = draw(st.integers(1, 4))
    cumsum = draw(st.booleans())
    has_offset = draw(st.booleans())

    lengths: list[int] = []
    offsets: list[int] = []
    for _ in range(batch):
        if agreement_only:
            shift = draw(st.integers(0, width - 1)) if has_offset else 0
            lengths.append(draw(st.integers(0, (width - shift) * block_size)))
            offsets.append(shift * block_size)
        else:
            # Up to one block past the table width; offsets with a remainder, past W, or huge.
            lengths.append(draw(st.integers(0, (width + 1) * block_size)))
            offsets.append(draw(st.integers(0, (width + 1) * block_size) | st.just(imax // 2)))

    in_range = st.integers(0, num_blocks - 1)
    if not agreement_only and draw(st.booleans()):
        ids = in_range | st.sampled_from([-1, num_blocks, num_blocks + 5, int(np.iinfo(index_dtype).min), imax])
    else:
        ids = in_range
    table = [[draw(ids) for _ in range(width)] for _ in range(batch)]

    first_row = 0
    if cumsum and not agreement_only:
        first_row = draw(st.integers(0, 2 * block_size))
    total = first_row + sum(lengths)
    mode = "exact" if agreement_only else draw(st.sampled_from(["exact", "short", "long"]))
    if mode == "short" and total > 1:
        num_rows = draw(st.integers(1, total - 1))
    elif mode == "long":
        num_rows = total + draw(st.integers(1, 2 * block_size))
    else:
        num_rows = total
    if num_rows == 0:
        # Empty key/value are invalid; give the all-empty case one spare (untouched) row, or in
        # the agreement domain one real token.
        if agreement_only:
            lengths[0] = 1
            num_rows = 1
        else:
            num_rows = 1

    seed = draw(st.integers(0, 2**32 - 1))
    return make_case(
        np.random.default_rng(seed),
        lengths=lengths,
        dtype=dt,
        index_dtype=index_dtype,
        num_blocks=num_blocks,
        block_size=block_size,
        num_heads=num_heads,
        head_size_k=head_size_k,
        head_size_v=head_size_v,
        block_tables=table,
        seq_offset=offsets if has_offset else None,
        cumsum=cumsum,
        first_row=first_row,
        num_rows=num_rows,
    )

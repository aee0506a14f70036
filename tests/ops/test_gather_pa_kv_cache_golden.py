"""Tests of the GatherPaKvCache numpy golden itself (no ascdsl involved).

* the doc example (op_semantics 2.6 case 1);
* hand-computed small cases for each Ascend-specific rule (truncation, zero-fill past the table
  width, out-of-range block ids, cumsum with a leading gap, seq_offset remainder ignored, zero
  lengths and partial blocks, trailing rows untouched);
* two independently written references: a row-major loop with the full semantics (every random
  case), and a vLLM-style per-batch concatenation (only where vLLM agrees with the operator).
"""

from __future__ import annotations

import ml_dtypes
import numpy as np
import pytest
from gather_inputs import (
    DATA_DTYPES,
    GatherCase,
    assert_same_bits,
    doc_example_case,
    doc_shape_case,
    gather_cases,
    make_case,
    same_bits,
)
from gather_pa_kv_cache_golden import gather_pa_kv_cache_golden
from hypothesis import given, settings

# --------------------------------------------------------------------------------------------
# Second references
# --------------------------------------------------------------------------------------------


def row_major_reference(case: GatherCase) -> tuple[np.ndarray, np.ndarray]:
    """Full semantics, written per output row instead of per block.

    For each row r < T find the batch whose row range holds r; its token index i gives table
    column `seq_offset[b] // block_size + i // block_size` and slot `i % block_size`. Rows no
    batch covers keep their contents. Truncation and the skip of later batches follow from only
    visiting rows < T.
    """
    num_blocks, block_size = case.key_cache.shape[:2]
    batch, width = case.block_tables.shape
    lens = [int(x) for x in case.seq_lens]
    if case.is_seq_lens_cumsum:
        ranges = [(lens[b], lens[b + 1]) for b in range(batch)]
    else:
        bounds = np.concatenate([[0], np.cumsum(lens)]).tolist()
        ranges = [(bounds[b], bounds[b + 1]) for b in range(batch)]
    key = case.key.copy()
    value = case.value.copy()
    for r in range(case.num_rows):
        owners = [b for b, (s, e) in enumerate(ranges) if s <= r < e]
        if not owners:
            continue
        (b,) = owners
        i = r - ranges[b][0]
        shift = 0 if case.seq_offset is None else int(case.seq_offset[b]) // block_size
        col = shift + i // block_size
        slot = i % block_size
        blk = int(case.block_tables[b, col]) if col < width else None
        if blk is not None and 0 <= blk < num_blocks:
            key[r] = case.key_cache[blk, slot]
            value[r] = case.value_cache[blk, slot]
        else:
            key[r] = np.zeros((), dtype=key.dtype)
            value[r] = np.zeros((), dtype=value.dtype)
    return key, value


def vllm_style_reference(case: GatherCase) -> tuple[np.ndarray, np.ndarray]:
    """The vLLM `test_gather_cache_mla` oracle loop, in numpy, once per cache.

    Per batch with `s` tokens: the full blocks `block_table[b, off : off + tot - 1]`, then the
    first `s - (tot - 1) * block_size` slots of the last block, concatenated into a dense
    result; `off = seq_starts[b] // block_size` (torch_npu variant). No truncation, no zero
    fill, cumsum must start at 0; valid only in that agreement domain.
    """
    block_size = case.block_size
    lens = case.seq_lens.astype(np.int64)
    s_all = np.diff(lens) if case.is_seq_lens_cumsum else lens

    def gather(cache: np.ndarray) -> np.ndarray:
        parts = []
        for b, s in enumerate(s_all.tolist()):
            if s == 0:
                continue
            tot = -(-s // block_size)
            off = 0 if case.seq_offset is None else int(case.seq_offset[b]) // block_size
            blocks = case.block_tables[b, off : off + tot]
            for i in range(tot - 1):
                parts.append(cache[blocks[i]])
            remaining = s - (tot - 1) * block_size
            parts.append(cache[blocks[-1], :remaining])
        return np.concatenate(parts, axis=0)

    return gather(case.key_cache), gather(case.value_cache)


# --------------------------------------------------------------------------------------------
# Doc example and basic contract
# --------------------------------------------------------------------------------------------


def test_doc_example_all_ones() -> None:
    case = doc_example_case()
    key, value = gather_pa_kv_cache_golden(*case.golden_args())
    assert key.shape == (12, 32, 2) and value.shape == (12, 32, 4)
    assert key.dtype == np.float16 and value.dtype == np.float16
    assert np.all(key.view(np.uint16) == 1)
    assert np.all(value.view(np.uint16) == 1)


def test_doc_example_first_256_key_elements() -> None:
    # The doc prints the first 256 uint16 values of keyRef: all 1.
    case = doc_example_case()
    key, _ = gather_pa_kv_cache_golden(*case.golden_args())
    assert key.view(np.uint16).reshape(-1)[:256].tolist() == [1] * 256


def test_golden_does_not_mutate_inputs_and_returns_new_arrays() -> None:
    rng = np.random.default_rng(1)
    case = make_case(rng, lengths=[3, 5, 2], seq_offset=[0, 4, 1], num_rows=12)
    before = case.copy()
    key, value = gather_pa_kv_cache_golden(*case.golden_args())
    for field in (
        "key_cache",
        "value_cache",
        "block_tables",
        "seq_lens",
        "key",
        "value",
        "seq_offset",
    ):
        assert same_bits(getattr(case, field), getattr(before, field)), field
    assert not np.shares_memory(key, case.key)
    assert not np.shares_memory(value, case.value)
    assert key.flags.c_contiguous and value.flags.c_contiguous


@pytest.mark.parametrize(
    "bad",
    [
        pytest.param({"lengths": [2, -1]}, id="negative-length"),
        pytest.param({"seq_offset": [0, -1]}, id="negative-offset"),
    ],
)
def test_golden_rejects_undefined_inputs(bad: dict) -> None:
    rng = np.random.default_rng(2)
    args = {"lengths": [2, 2], "seq_offset": [0, 0], "num_rows": 4}
    args.update(bad)
    case = make_case(rng, **args)
    with pytest.raises(ValueError):
        gather_pa_kv_cache_golden(*case.golden_args())


def test_golden_rejects_decreasing_cumsum() -> None:
    case = make_case(np.random.default_rng(3), lengths=[2, 2], cumsum=True)
    case.seq_lens[:] = [0, 3, 2]
    with pytest.raises(ValueError):
        gather_pa_kv_cache_golden(*case.golden_args())


# --------------------------------------------------------------------------------------------
# Hand-computed cases
# --------------------------------------------------------------------------------------------

UNTOUCHED = -7  # initial content of every key/value element in the tagged cases


def tag(blk: int, slot: int) -> int:
    """The key_cache value of (block, slot) in the tagged cases; 0 is reserved for zero fill."""
    return 10 * blk + slot + 1


def tagged_case(
    *,
    block_size: int,
    block_tables: list[list[int]],
    seq_lens: list[int],
    num_rows: int,
    seq_offset: list[int] | None = None,
    cumsum: bool = False,
    num_blocks: int = 4,
    index_dtype: type = np.int32,
) -> GatherCase:
    """int32 caches with one head: key token = [tag], value token = [100*tag, 100*tag + 1]."""
    tags = np.array([[tag(b, s) for s in range(block_size)] for b in range(num_blocks)], np.int32)
    value_cache = np.stack([100 * tags, 100 * tags + 1], axis=-1)
    return GatherCase(
        key_cache=tags.reshape(num_blocks, block_size, 1, 1),
        value_cache=value_cache.reshape(num_blocks, block_size, 1, 2).astype(np.int32),
        block_tables=np.array(block_tables, index_dtype),
        seq_lens=np.array(seq_lens, index_dtype),
        key=np.full((num_rows, 1, 1), UNTOUCHED, np.int32),
        value=np.full((num_rows, 1, 2), UNTOUCHED, np.int32),
        seq_offset=None if seq_offset is None else np.array(seq_offset, index_dtype),
        is_seq_lens_cumsum=cumsum,
    )


def expected_from_tags(rows: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """Expected key/value from per-row tags (0 = zero-filled, UNTOUCHED = never written)."""
    t = np.array(rows, np.int32)
    key = t.reshape(-1, 1, 1)
    copied = np.stack([100 * t, 100 * t + 1], axis=-1)
    value = np.where((t == UNTOUCHED)[:, None], UNTOUCHED, copied)
    value = np.where((t == 0)[:, None], 0, value).reshape(-1, 1, 2)
    return key, value


U = UNTOUCHED
HAND_CASES = [
    pytest.param(
        # Batch 0 rows 0-2: col 0 = block 1 (2 slots), col 1 = block 2 (slot 0).
        # Batch 1 crosses T=4: only its first token (block 3 slot 0). Batch 2 starts at 5 >= T.
        {
            "block_size": 2,
            "block_tables": [[1, 2], [3, 0], [2, 1]],
            "seq_lens": [3, 2, 2],
            "num_rows": 4,
        },
        [tag(1, 0), tag(1, 1), tag(2, 0), tag(3, 0)],
        id="truncation-and-later-batches-skipped",
    ),
    pytest.param(
        # T=5 cuts batch 1 exactly at a block boundary; batch 2 (start 5) is skipped.
        {
            "block_size": 2,
            "block_tables": [[1, 2], [3, 0], [2, 1]],
            "seq_lens": [3, 4, 2],
            "num_rows": 5,
        },
        [tag(1, 0), tag(1, 1), tag(2, 0), tag(3, 0), tag(3, 1)],
        id="truncation-at-block-boundary",
    ),
    pytest.param(
        # 6 tokens, W=2 columns of 2 slots: the third block is past W -> zeros; row 6 untouched.
        {
            "block_size": 2,
            "block_tables": [[1, 2]],
            "seq_lens": [6],
            "num_rows": 7,
        },
        [tag(1, 0), tag(1, 1), tag(2, 0), tag(2, 1), 0, 0, U],
        id="zero-fill-past-width-trailing-row-untouched",
    ),
    pytest.param(
        # Offset 3 with block_size 2: shift 1, remainder 1 ignored (block 2 read from slot 0).
        # Offset 5: shift 2 -> col 2 (block 2), then col 3 >= W=3 -> zero.
        {
            "block_size": 2,
            "block_tables": [[1, 2, 3], [0, 1, 2]],
            "seq_lens": [3, 3],
            "seq_offset": [3, 5],
            "num_rows": 6,
        },
        [tag(2, 0), tag(2, 1), tag(3, 0), tag(2, 0), tag(2, 1), 0],
        id="seq-offset-remainder-ignored-and-past-width",
    ),
    pytest.param(
        # Offset 2 == block_size: exactly one column; offset 1 < block_size: no shift at all.
        {
            "block_size": 2,
            "block_tables": [[1, 2, 3], [3, 0, 1]],
            "seq_lens": [2, 3],
            "seq_offset": [2, 1],
            "num_rows": 5,
        },
        [tag(2, 0), tag(2, 1), tag(3, 0), tag(3, 1), tag(0, 0)],
        id="seq-offset-exact-block-and-below-block",
    ),
    pytest.param(
        # cumsum [2, 5, 6]: batch 0 writes rows 2-4, batch 1 row 5; rows 0, 1 and 6 untouched.
        {
            "block_size": 2,
            "block_tables": [[1, 2], [3, 0]],
            "seq_lens": [2, 5, 6],
            "cumsum": True,
            "num_rows": 7,
        },
        [U, U, tag(1, 0), tag(1, 1), tag(2, 0), tag(3, 0), U],
        id="cumsum-leading-gap",
    ),
    pytest.param(
        # cumsum [0, 0, 3, 3, 5]: zero-length batches 0 and 2.
        {
            "block_size": 2,
            "block_tables": [[3, 3], [2, 0], [1, 1], [0, 3]],
            "seq_lens": [0, 0, 3, 3, 5],
            "cumsum": True,
            "num_rows": 5,
        },
        [tag(2, 0), tag(2, 1), tag(0, 0), tag(0, 0), tag(0, 1)],
        id="cumsum-zero-lengths",
    ),
    pytest.param(
        # cumsum [1, 4] with T=3: batch 0 rows 1-2 only (truncated), row 0 untouched.
        {
            "block_size": 4,
            "block_tables": [[2]],
            "seq_lens": [1, 4],
            "cumsum": True,
            "num_rows": 3,
        },
        [U, tag(2, 0), tag(2, 1)],
        id="cumsum-leading-gap-truncated",
    ),
    pytest.param(
        # Block 4 == num_blocks and -1 are out of range: zero fill for their tokens only.
        {
            "block_size": 2,
            "block_tables": [[1, 4], [-1, 3]],
            "seq_lens": [3, 3],
            "num_rows": 6,
        },
        [tag(1, 0), tag(1, 1), 0, 0, 0, tag(3, 0)],
        id="out-of-range-block-ids",
    ),
    pytest.param(
        # Zero-length batches 0 and 2; partial blocks of 3 slots.
        {
            "block_size": 3,
            "block_tables": [[1, 2], [3, 0], [2, 2]],
            "seq_lens": [0, 4, 0],
            "num_rows": 4,
        },
        [tag(3, 0), tag(3, 1), tag(3, 2), tag(0, 0)],
        id="zero-lengths-partial-block",
    ),
    pytest.param(
        # All lengths zero: nothing written.
        {
            "block_size": 2,
            "block_tables": [[1], [2]],
            "seq_lens": [0, 0],
            "num_rows": 2,
        },
        [U, U],
        id="all-lengths-zero",
    ),
]


@pytest.mark.parametrize(("args", "rows"), HAND_CASES)
def test_hand_computed(args: dict, rows: list[int]) -> None:
    case = tagged_case(**args)
    key, value = gather_pa_kv_cache_golden(*case.golden_args())
    exp_key, exp_value = expected_from_tags(rows)
    assert key.tolist() == exp_key.tolist()
    assert value.tolist() == exp_value.tolist()


@pytest.mark.parametrize(("args", "rows"), HAND_CASES)
def test_row_major_reference_on_hand_cases(args: dict, rows: list[int]) -> None:
    # The second reference must itself reproduce the hand-computed answers.
    case = tagged_case(**args)
    key, value = row_major_reference(case)
    exp_key, exp_value = expected_from_tags(rows)
    assert key.tolist() == exp_key.tolist()
    assert value.tolist() == exp_value.tolist()


def test_int64_indices_with_values_beyond_int32() -> None:
    # int64 block id 2**32 + 1 is out of range (no 32-bit wrap to block 1); an int64 offset
    # beyond int32 pushes every column past W.
    case = tagged_case(
        block_size=2,
        block_tables=[[2**32 + 1, 1], [1, 2]],
        seq_lens=[3, 2],
        seq_offset=[0, 2**40],
        num_rows=5,
        index_dtype=np.int64,
    )
    key, value = gather_pa_kv_cache_golden(*case.golden_args())
    exp_key, exp_value = expected_from_tags([0, 0, tag(1, 0), 0, 0])
    assert key.tolist() == exp_key.tolist()
    assert value.tolist() == exp_value.tolist()


@pytest.mark.parametrize(
    ("dtype", "patterns"),
    [
        (np.float16, [0x7E01, 0xFC01, 0x7C00, 0x8000, 0x7FFF]),
        (ml_dtypes.bfloat16, [0x7FC1, 0xFF81, 0x8000, 0x7F80]),
        (np.float32, [0x7FC00001, 0xFF800001, 0x80000000]),
        (ml_dtypes.float8_e4m3fn, [0x7F, 0xFF, 0x80]),
        (ml_dtypes.float8_e5m2, [0x7D, 0xFE, 0x7C, 0x80]),
    ],
    ids=["float16", "bfloat16", "float32", "float8_e4m3fn", "float8_e5m2"],
)
def test_nan_payloads_and_negative_zero_copied_bit_exactly(dtype: type, patterns: list[int]) -> None:
    dt = np.dtype(dtype)
    uint = np.dtype(f"uint{8 * dt.itemsize}")
    bits = np.resize(np.array(patterns, uint), 2 * 2 * 1 * 4).reshape(2, 2, 1, 4)
    cache = bits.view(dt)
    case = GatherCase(
        key_cache=cache,
        value_cache=cache.copy(),
        block_tables=np.array([[1, 0]], np.int32),
        seq_lens=np.array([4], np.int32),
        key=np.zeros((4, 1, 4), dt),
        value=np.zeros((4, 1, 4), dt),
        seq_offset=None,
        is_seq_lens_cumsum=False,
    )
    key, value = gather_pa_kv_cache_golden(*case.golden_args())
    expected = np.concatenate([bits[1], bits[0]])
    assert np.array_equal(key.view(uint), expected)
    assert np.array_equal(value.view(uint), expected)


# --------------------------------------------------------------------------------------------
# Cross-checks against the second references on random cases
# --------------------------------------------------------------------------------------------


@settings(deadline=None)
@given(case=gather_cases())
def test_matches_row_major_reference(case: GatherCase) -> None:
    before = case.copy()
    key, value = gather_pa_kv_cache_golden(*case.golden_args())
    ref_key, ref_value = row_major_reference(before)
    assert_same_bits(key, ref_key, "key")
    assert_same_bits(value, ref_value, "value")


@settings(deadline=None)
@given(case=gather_cases(agreement_only=True))
def test_matches_vllm_style_reference_in_agreement_domain(case: GatherCase) -> None:
    assert case.total_rows() == case.num_rows
    key, value = gather_pa_kv_cache_golden(*case.golden_args())
    ref_key, ref_value = vllm_style_reference(case)
    assert_same_bits(key, ref_key, "key")
    assert_same_bits(value, ref_value, "value")


@pytest.mark.parametrize("dtype", DATA_DTYPES, ids=lambda d: d.name)
@pytest.mark.parametrize("cumsum", [False, True], ids=["lens", "cumsum"])
def test_matches_references_every_dtype(dtype: np.dtype, cumsum: bool) -> None:
    rng = np.random.default_rng(100 + DATA_DTYPES.index(dtype))
    # Offsets are whole blocks and every column stays within W=3: both references apply.
    case = make_case(
        rng,
        lengths=[5, 0, 9, 3],
        dtype=dtype,
        num_blocks=6,
        block_size=4,
        num_heads=3,
        head_size_k=5,
        head_size_v=7,
        width=3,
        seq_offset=[0, 4, 0, 8],
        cumsum=cumsum,
    )
    key, value = gather_pa_kv_cache_golden(*case.golden_args())
    for ref in (row_major_reference, vllm_style_reference):
        ref_key, ref_value = ref(case)
        assert_same_bits(key, ref_key, f"key vs {ref.__name__}")
        assert_same_bits(value, ref_value, f"value vs {ref.__name__}")


def test_doc_shape_matches_row_major_reference() -> None:
    case = doc_shape_case(np.random.default_rng(20251231))
    assert case.key_cache.shape == (128, 128, 16, 144)
    assert case.value_cache.shape == (128, 128, 16, 128)
    assert case.block_tables.shape == (16, 12)
    assert case.seq_lens.shape == (16,) and case.seq_offset is not None
    assert case.seq_offset.shape == (16,)
    assert case.key.shape == (8931, 16, 144) and case.value.shape == (8931, 16, 128)
    assert case.total_rows() == 8931
    key, value = gather_pa_kv_cache_golden(*case.golden_args())
    ref_key, ref_value = row_major_reference(case)
    assert_same_bits(key, ref_key, "key")
    assert_same_bits(value, ref_value, "value")
    # Batch 0's last block is past W: its rows are zero; everything before is copied.
    n0 = int(case.seq_lens[0])
    last = (n0 - 1) // 128 * 128
    assert not key[last:n0].any()

"""The bench's vectorized numpy GatherPaKvCache (Norm) against the loop-based golden of tests/ops, bit for bit."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given

REPO = Path(__file__).resolve().parents[2]
for folder in (REPO / "tests" / "ops", REPO / "bench"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from gather_inputs import GatherCase, assert_same_bits, doc_example_case, doc_shape_case, gather_cases, make_case  # noqa: E402
from gather_pa_kv_cache_golden import gather_pa_kv_cache_golden  # noqa: E402
from numpy_refs import gather_pa_kv_cache_norm, gather_row_map, vadd  # noqa: E402


def check(case: GatherCase) -> None:
    exp_key, exp_value = gather_pa_kv_cache_golden(*case.copy().golden_args())
    c = case.copy()
    out_key, out_value = gather_pa_kv_cache_norm(
        c.key_cache, c.value_cache, c.block_tables, c.seq_lens, c.key, c.value, c.seq_offset, c.is_seq_lens_cumsum
    )
    assert out_key is c.key and out_value is c.value  # updated in place
    assert_same_bits(c.key, exp_key, "key")
    assert_same_bits(c.value, exp_value, "value")
    for name in ("key_cache", "value_cache", "block_tables", "seq_lens", "seq_offset"):
        before, after = getattr(case, name), getattr(c, name)
        assert (before is None and after is None) or np.array_equal(before.view(np.uint8), after.view(np.uint8)), name


@given(gather_cases())
def test_random_cases_match_golden(case: GatherCase) -> None:
    check(case)


@pytest.mark.parametrize("seed", range(4))
def test_seeded_cases_with_offsets_truncation_and_bad_blocks(seed: int) -> None:
    rng = np.random.default_rng(seed)
    case = make_case(
        rng,
        lengths=[5, 0, 9, 3],
        num_blocks=3,
        block_size=4,
        width=3,
        block_tables=[[0, 2, -1], [1, 1, 1], [2, 3, 0], [1, 0, 2]],
        seq_offset=[4, 0, 1, 11],
        cumsum=bool(seed % 2),
        first_row=2 if seed % 2 else 0,
        num_rows=14 if seed < 2 else 25,
    )
    check(case)


def test_doc_example_and_doc_shape() -> None:
    check(doc_example_case())
    check(doc_shape_case(np.random.default_rng(7)))


def test_row_map_counts_table_reads() -> None:
    # Batch 0: 9 tokens in blocks of 4 from column 1 (offset 5): columns 1, 2 in the table, 3 past it.
    # Batch 1: 4 tokens from column 0: one read.
    m = gather_row_map(4, 4, 13, np.array([[0, 1, 2], [3, 3, 3]]), np.array([9, 4]), np.array([5, 0]), False)
    assert m.table_reads == 3
    assert m.rows.tolist() == list(range(13))
    assert (m.src[8] == -1) and (m.src[:8] >= 0).all()


def test_vadd() -> None:
    x, y = np.arange(5, dtype=np.float32), np.ones(5, np.float32)
    z = np.zeros(5, np.float32)
    assert vadd(x, y, z) is z
    assert z.tolist() == [1, 2, 3, 4, 5]

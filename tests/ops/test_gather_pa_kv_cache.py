"""GatherPaKvCache ("Norm" mode): the DSL operator on the interpreter vs the numpy golden.

Results are compared bit-exactly (raw bytes), so NaN payloads of the float dtypes must survive.
The operator updates key/value in place; the other inputs must stay untouched. Invalid calls
raise `AclnnError` with the aclnn status code before anything is written.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ml_dtypes
import numpy as np
import pytest
from gather_inputs import (
    DATA_DTYPES,
    INDEX_DTYPES,
    TOKEN_LIMIT_BYTES,
    GatherCase,
    assert_same_bits,
    doc_example_case,
    doc_shape_case,
    gather_cases,
    make_case,
    random_bits,
    same_bits,
)
from gather_pa_kv_cache_golden import gather_pa_kv_cache_golden
from hypothesis import given, settings
from hypothesis import strategies as st

from ascdsl import ops
from ascdsl.errors import AclnnError

BACKEND = "interp"
INPUT_FIELDS = ("key_cache", "value_cache", "block_tables", "seq_lens", "seq_offset")


def run_op(case: GatherCase) -> None:
    """Call the operator on the case's arrays (key/value are updated in place)."""
    ops.gather_pa_kv_cache(
        case.key_cache,
        case.value_cache,
        case.block_tables,
        case.seq_lens,
        case.key,
        case.value,
        case.seq_offset,
        cache_mode="Norm",
        is_seq_lens_cumsum=case.is_seq_lens_cumsum,
        backend=BACKEND,
    )


def check_against_golden(case: GatherCase) -> None:
    """Run the operator in place and compare key/value with the golden, bit for bit."""
    before = case.copy()
    exp_key, exp_value = gather_pa_kv_cache_golden(*before.golden_args())
    run_op(case)
    assert_same_bits(case.key, exp_key, "key")
    assert_same_bits(case.value, exp_value, "value")
    for field in INPUT_FIELDS:
        assert same_bits(getattr(case, field), getattr(before, field)), f"{field} was modified"


# --------------------------------------------------------------------------------------------
# Doc cases
# --------------------------------------------------------------------------------------------


def test_doc_example() -> None:
    case = doc_example_case()
    check_against_golden(case)
    assert np.all(case.key.view(np.uint16) == 1)
    assert np.all(case.value.view(np.uint16) == 1)


def test_doc_shape_fp16_random() -> None:
    # keyCache [128,128,16,144], valueCache [128,128,16,128], blockTables [16,12],
    # seqLens [16] (sum 8931), keyRef [8931,16,144], valueRef [8931,16,128], seqOffset [16].
    case = doc_shape_case(np.random.default_rng(20251231))
    assert case.key.shape == (8931, 16, 144) and case.value.shape == (8931, 16, 128)
    check_against_golden(case)


# --------------------------------------------------------------------------------------------
# Targeted scenarios (deterministic)
# --------------------------------------------------------------------------------------------

SCENARIOS: list[Any] = [
    pytest.param({"lengths": [3, 5, 2]}, id="basic-partial-blocks"),
    pytest.param({"lengths": [4, 8, 12], "width": 3}, id="full-blocks-only"),
    pytest.param({"lengths": [0, 5, 0, 3], "width": 2}, id="zero-lengths"),
    pytest.param({"lengths": [0, 0], "num_rows": 2}, id="all-lengths-zero"),
    pytest.param({"lengths": [5, 6, 7], "num_rows": 8}, id="truncation-mid-batch"),
    pytest.param({"lengths": [5, 3, 7], "num_rows": 8}, id="truncation-at-batch-end"),
    pytest.param({"lengths": [5, 6], "num_rows": 3}, id="truncation-first-batch"),
    pytest.param({"lengths": [3, 5, 2], "num_rows": 17}, id="t-larger-than-total"),
    pytest.param({"lengths": [9, 14], "width": 2}, id="zero-fill-past-width"),
    pytest.param(
        {"lengths": [6, 7, 5], "seq_offset": [5, 1, 11], "width": 3},
        id="seq-offset-remainder-ignored",
    ),
    pytest.param(
        {"lengths": [6, 7], "seq_offset": [8, 12], "width": 3},
        id="seq-offset-past-width",
    ),
    pytest.param(
        {"lengths": [6, 7], "seq_offset": [2**30, 0], "width": 3},
        id="seq-offset-huge",
    ),
    pytest.param(
        {
            "lengths": [3, 5, 2],
            "block_tables": [[0, -1, 2], [4, 1, 3], [2**31 - 1, 1, 0]],
        },
        id="out-of-range-block-ids",
    ),
    pytest.param({"lengths": [3, 5, 2], "cumsum": True}, id="cumsum"),
    pytest.param(
        {"lengths": [3, 0, 6], "cumsum": True, "first_row": 5},
        id="cumsum-leading-gap",
    ),
    pytest.param(
        {"lengths": [3, 6, 2], "cumsum": True, "first_row": 2, "num_rows": 7},
        id="cumsum-leading-gap-truncated",
    ),
    pytest.param(
        {"lengths": [3, 6], "cumsum": True, "first_row": 20, "num_rows": 10},
        id="cumsum-start-past-t",
    ),
    pytest.param(
        {
            "lengths": [6, 9, 1],
            "cumsum": True,
            "first_row": 1,
            "seq_offset": [3, 4, 13],
            "num_rows": 20,
            "width": 3,
        },
        id="cumsum-offset-zero-fill-trailing",
    ),
    pytest.param({"lengths": [7, 2], "block_size": 1, "width": 8}, id="block-size-1"),
    pytest.param(
        {"lengths": [3, 1], "num_heads": 1, "head_size_k": 1, "head_size_v": 1},
        id="one-element-tokens",
    ),
]

SCENARIO_DTYPES = [
    np.dtype(np.float16),
    np.dtype(ml_dtypes.float8_e4m3fn),
    np.dtype(np.uint32),
]


@pytest.mark.parametrize("index_dtype", INDEX_DTYPES, ids=lambda d: d.name)
@pytest.mark.parametrize("dtype", SCENARIO_DTYPES, ids=lambda d: d.name)
@pytest.mark.parametrize("args", SCENARIOS)
def test_scenario(args: dict[str, Any], dtype: np.dtype, index_dtype: np.dtype) -> None:
    rng = np.random.default_rng(7)
    case = make_case(rng, dtype=dtype, index_dtype=index_dtype, **args)
    initial_key = case.key.copy()
    initial_value = case.value.copy()
    check_against_golden(case)
    # Rows past the total (or before a cumsum start) are never written: independent check.
    total = case.total_rows()
    if case.num_rows > total:
        assert same_bits(case.key[total:], initial_key[total:])
        assert same_bits(case.value[total:], initial_value[total:])
    if case.is_seq_lens_cumsum:
        first = min(int(case.seq_lens[0]), case.num_rows)
        assert same_bits(case.key[:first], initial_key[:first])
        assert same_bits(case.value[:first], initial_value[:first])


def test_int64_indices_beyond_int32() -> None:
    # Block id 2**32 + 1 must not wrap to block 1; an offset of 2**40 pushes every column past W.
    rng = np.random.default_rng(8)
    case = make_case(
        rng,
        lengths=[5, 3],
        index_dtype=np.int64,
        block_tables=[[2**32 + 1, 1, 2], [1, 2, 3]],
        seq_offset=[0, 2**40],
    )
    check_against_golden(case)


@pytest.mark.parametrize(
    ("dtype", "num_heads", "head_size"),
    [
        (np.float16, 128, 576),  # the doc's example token (147,456 bytes)
        (np.float16, 1, TOKEN_LIMIT_BYTES // 2),  # exactly 148 KiB
        (np.float32, 2, TOKEN_LIMIT_BYTES // 8),
        (np.int8, 1, TOKEN_LIMIT_BYTES),
    ],
    ids=["doc-128x576-fp16", "limit-fp16", "limit-fp32", "limit-int8"],
)
def test_token_size_at_limit_is_accepted(dtype: type, num_heads: int, head_size: int) -> None:
    rng = np.random.default_rng(9)
    case = make_case(
        rng,
        lengths=[3, 2],
        dtype=dtype,
        num_blocks=3,
        block_size=2,
        num_heads=num_heads,
        head_size_k=head_size,
        head_size_v=head_size,
        width=2,
        seq_offset=[1, 2],
    )
    check_against_golden(case)


# --------------------------------------------------------------------------------------------
# Property tests
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", DATA_DTYPES, ids=lambda d: d.name)
@settings(deadline=None)
@given(data=st.data())
def test_matches_golden_per_dtype(dtype: np.dtype, data: st.DataObject) -> None:
    check_against_golden(data.draw(gather_cases(dtype=dtype), label="case"))


@settings(deadline=None)
@given(case=gather_cases())
def test_matches_golden_any_dtype(case: GatherCase) -> None:
    check_against_golden(case)


@settings(deadline=None)
@given(case=gather_cases(agreement_only=True))
def test_matches_golden_plain_gather(case: GatherCase) -> None:
    # Block ids in range, whole-block offsets, no column past W, T equal to the total: every row
    # is copied from the cache (the domain where vLLM-style gathers agree with the operator).
    check_against_golden(case)


# --------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------

Args = dict[str, Any]


def valid_args(
    *,
    dtype: type | np.dtype = np.float16,
    index_dtype: type | np.dtype = np.int32,
    num_heads: int = 2,
    head_size_k: int = 4,
    head_size_v: int = 8,
) -> Args:
    """Keyword arguments of a valid call: 4 blocks of 4, W=3, seq_lens [3, 5, 2], T=10."""
    case = make_case(
        np.random.default_rng(11),
        lengths=[3, 5, 2],
        dtype=dtype,
        index_dtype=index_dtype,
        num_blocks=4,
        block_size=4,
        num_heads=num_heads,
        head_size_k=head_size_k,
        head_size_v=head_size_v,
        width=3,
        seq_offset=[0, 4, 1],
    )
    return {
        "key_cache": case.key_cache,
        "value_cache": case.value_cache,
        "block_tables": case.block_tables,
        "seq_lens": case.seq_lens,
        "key": case.key,
        "value": case.value,
        "seq_offset": case.seq_offset,
        "cache_mode": "Norm",
        "is_seq_lens_cumsum": False,
    }


def cumsum_args() -> Args:
    """A valid cumsum call: seq_lens [0, 3, 8, 10]."""
    a = valid_args()
    a["seq_lens"] = np.array([0, 3, 8, 10], np.int32)
    a["is_seq_lens_cumsum"] = True
    return a


def rand(shape: tuple[int, ...], dtype: type | np.dtype) -> np.ndarray:
    """Random data of any dtype (random bytes; 0/1 for bool)."""
    rng = np.random.default_rng(12)
    if np.dtype(dtype) == np.bool_:
        return rng.integers(0, 2, size=shape).astype(np.bool_)
    return random_bits(rng, shape, np.dtype(dtype))


def with_(base: Callable[[], Args] = valid_args, **changes: Any) -> Callable[[], Args]:
    """Args of `base()` with some entries replaced (callables get the base args)."""

    def make() -> Args:
        a = base()
        for name, new in changes.items():
            a[name] = new(a) if callable(new) else new
        return a

    return make


def retype_data(*names: str, dtype: type | np.dtype) -> Callable[[], Args]:
    """Valid args with the named data tensors replaced by random data of another dtype."""

    def make() -> Args:
        a = valid_args()
        for name in names:
            a[name] = rand(a[name].shape, dtype)
        return a

    return make


def retype_index(*names: str, dtype: type | np.dtype) -> Callable[[], Args]:
    """Valid args with the named index tensors converted to another dtype (same values)."""

    def make() -> Args:
        a = valid_args()
        for name in names:
            a[name] = a[name].astype(dtype)
        return a

    return make


def reshaped(name: str, shape: Callable[[tuple[int, ...]], tuple[int, ...]]) -> Callable[[], Args]:
    """Valid args with one tensor replaced by random data of a new shape (same dtype)."""

    def make() -> Args:
        a = valid_args()
        a[name] = rand(shape(a[name].shape), a[name].dtype)
        return a

    return make


def non_contiguous(name: str) -> Callable[[], Args]:
    """Valid args with one tensor replaced by a strided view holding the same values."""

    def make() -> Args:
        a = valid_args()
        x = a[name]
        view = np.repeat(x, 2, axis=-1)[..., ::2]
        assert not view.flags.c_contiguous and same_bits(np.ascontiguousarray(view), x)
        a[name] = view
        return a

    return make


def empty_caches(axis: int) -> Callable[[], Args]:
    """Both caches with a zero-length axis (consistent with each other)."""

    def make() -> Args:
        a = valid_args()
        for name in ("key_cache", "value_cache"):
            shape = list(a[name].shape)
            shape[axis] = 0
            a[name] = np.zeros(shape, a[name].dtype)
        return a

    return make


def empty_head_size(kind: str) -> Callable[[], Args]:
    """key (or value) and its cache with head size 0."""

    def make() -> Args:
        a = valid_args()
        for name in (f"{kind}_cache", kind):
            a[name] = np.zeros((*a[name].shape[:-1], 0), a[name].dtype)
        return a

    return make


def empty_heads() -> Args:
    a = valid_args()
    for name in ("key_cache", "value_cache"):
        nb, bs, _, hs = a[name].shape
        a[name] = np.zeros((nb, bs, 0, hs), a[name].dtype)
    for name in ("key", "value"):
        t, _, hs = a[name].shape
        a[name] = np.zeros((t, 0, hs), a[name].dtype)
    return a


def empty_batch(cumsum: bool) -> Callable[[], Args]:
    """B = 0: block_tables [0, W], seq_lens [0] or [1], seq_offset [0] (consistent)."""

    def make() -> Args:
        a = cumsum_args() if cumsum else valid_args()
        a["block_tables"] = np.zeros((0, 3), np.int32)
        a["seq_lens"] = np.zeros((1,) if cumsum else (0,), np.int32)
        a["seq_offset"] = None if cumsum else np.zeros((0,), np.int32)
        return a

    return make


def empty_tokens() -> Args:
    a = valid_args()
    for name in ("key", "value"):
        a[name] = np.zeros((0, *a[name].shape[1:]), a[name].dtype)
    return a


def too_large_token(kind: str, dtype: type, num_heads: int) -> Callable[[], Args]:
    """One byte-granule over the 148 KiB token limit on key or value only."""
    itemsize = np.dtype(dtype).itemsize
    head_size = TOKEN_LIMIT_BYTES // (num_heads * itemsize) + 1
    assert num_heads * head_size * itemsize > TOKEN_LIMIT_BYTES
    other = 4
    if kind == "key":
        return lambda: valid_args(dtype=dtype, num_heads=num_heads, head_size_k=head_size, head_size_v=other)
    return lambda: valid_args(dtype=dtype, num_heads=num_heads, head_size_k=other, head_size_v=head_size)


NULL = 161001
INVALID = 161002
TILING = 561002
F16 = np.float16
BF16 = ml_dtypes.bfloat16
E4M3 = ml_dtypes.float8_e4m3fn
E5M2 = ml_dtypes.float8_e5m2


ERROR_ROWS: list[Any] = [
    # ---- 161001: a required tensor or cache_mode is None
    *[
        pytest.param(with_(**{name: None}), NULL, id=f"null-{name}")
        for name in (
            "key_cache",
            "value_cache",
            "block_tables",
            "seq_lens",
            "key",
            "value",
        )
    ],
    pytest.param(with_(cache_mode=None), NULL, id="null-cache_mode"),
    # Nulls are checked before descriptors and tiling checks.
    pytest.param(with_(key=None, cache_mode="bad"), NULL, id="null-before-cache-mode"),
    pytest.param(
        with_(key_cache=None, value=lambda a: rand(a["value"].shape, np.float32)),
        NULL,
        id="null-before-dtype",
    ),
    # ---- 161002: data dtypes
    pytest.param(
        retype_data("key_cache", "value_cache", "key", "value", dtype=np.float64),
        INVALID,
        id="dtype-float64",
    ),
    pytest.param(
        retype_data("key_cache", "value_cache", "key", "value", dtype=np.int64),
        INVALID,
        id="dtype-int64",
    ),
    pytest.param(
        retype_data("key_cache", "value_cache", "key", "value", dtype=np.bool_),
        INVALID,
        id="dtype-bool",
    ),
    pytest.param(
        retype_data("key_cache", "value_cache", "key", "value", dtype=np.complex64),
        INVALID,
        id="dtype-complex64",
    ),
    pytest.param(retype_data("key", dtype=np.float32), INVALID, id="dtype-key-differs"),
    pytest.param(retype_data("value", dtype=BF16), INVALID, id="dtype-value-differs"),
    pytest.param(retype_data("key_cache", dtype=np.uint16), INVALID, id="dtype-key_cache-differs"),
    pytest.param(retype_data("value_cache", dtype=BF16), INVALID, id="dtype-value_cache-differs"),
    pytest.param(
        with_(
            lambda: valid_args(dtype=E4M3),
            value=lambda a: a["value"].view(E5M2),
        ),
        INVALID,
        id="dtype-fp8-value-e5m2-vs-e4m3",
    ),
    # ---- 161002: index dtypes
    pytest.param(
        retype_index("block_tables", dtype=np.int64),
        INVALID,
        id="index-block_tables-int64-vs-int32",
    ),
    pytest.param(
        retype_index("seq_lens", dtype=np.int64),
        INVALID,
        id="index-seq_lens-int64-vs-int32",
    ),
    pytest.param(
        retype_index("seq_offset", dtype=np.int64),
        INVALID,
        id="index-seq_offset-int64-vs-int32",
    ),
    pytest.param(
        with_(
            lambda: valid_args(index_dtype=np.int64),
            seq_offset=lambda a: a["seq_offset"].astype(np.int32),
        ),
        INVALID,
        id="index-seq_offset-int32-vs-int64",
    ),
    *[
        pytest.param(
            retype_index("block_tables", "seq_lens", "seq_offset", dtype=dt),
            INVALID,
            id=f"index-all-{np.dtype(dt).name}",
        )
        for dt in (np.int16, np.uint32, np.uint64, np.float32)
    ],
    # ---- 161002: ranks
    pytest.param(
        reshaped("key_cache", lambda s: (s[0], s[1], s[2] * s[3])),
        INVALID,
        id="rank-key_cache-3",
    ),
    pytest.param(reshaped("key_cache", lambda s: (*s, 1)), INVALID, id="rank-key_cache-5"),
    pytest.param(
        reshaped("value_cache", lambda s: (s[0], s[1], s[2] * s[3])),
        INVALID,
        id="rank-value_cache-3",
    ),
    pytest.param(reshaped("value_cache", lambda s: (*s, 1)), INVALID, id="rank-value_cache-5"),
    pytest.param(
        reshaped("block_tables", lambda s: (s[0] * s[1],)),
        INVALID,
        id="rank-block_tables-1",
    ),
    pytest.param(reshaped("block_tables", lambda s: (*s, 1)), INVALID, id="rank-block_tables-3"),
    pytest.param(
        with_(seq_lens=lambda a: a["seq_lens"].reshape(-1, 1)),
        INVALID,
        id="rank-seq_lens-2",
    ),
    pytest.param(
        with_(seq_lens=lambda a: np.array(a["seq_lens"][0])),
        INVALID,
        id="rank-seq_lens-0",
    ),
    pytest.param(
        with_(seq_offset=lambda a: a["seq_offset"].reshape(-1, 1)),
        INVALID,
        id="rank-seq_offset-2",
    ),
    pytest.param(reshaped("key", lambda s: (s[0], s[1] * s[2])), INVALID, id="rank-key-2"),
    pytest.param(reshaped("key", lambda s: (*s, 1)), INVALID, id="rank-key-4"),
    pytest.param(reshaped("value", lambda s: (s[0], s[1] * s[2])), INVALID, id="rank-value-2"),
    pytest.param(reshaped("value", lambda s: (*s, 1)), INVALID, id="rank-value-4"),
    # ---- 161002: shape relations (each row breaks exactly one relation)
    pytest.param(
        reshaped("value_cache", lambda s: (s[0] + 1, *s[1:])),
        INVALID,
        id="shape-value_cache-num_blocks",
    ),
    pytest.param(
        reshaped("value_cache", lambda s: (s[0], s[1] + 1, *s[2:])),
        INVALID,
        id="shape-value_cache-block_size",
    ),
    pytest.param(
        with_(
            value_cache=lambda a: rand((4, 4, 3, 8), a["value_cache"].dtype),
            value=lambda a: rand((10, 3, 8), a["value"].dtype),
        ),
        INVALID,
        id="shape-value_cache-heads",
    ),
    pytest.param(reshaped("key", lambda s: (s[0], s[1] + 1, s[2])), INVALID, id="shape-key-heads"),
    pytest.param(
        reshaped("key", lambda s: (s[0], s[1], s[2] + 1)),
        INVALID,
        id="shape-key-head_size",
    ),
    pytest.param(
        reshaped("value", lambda s: (s[0], s[1] + 1, s[2])),
        INVALID,
        id="shape-value-heads",
    ),
    pytest.param(
        reshaped("value", lambda s: (s[0], s[1], s[2] - 1)),
        INVALID,
        id="shape-value-head_size",
    ),
    pytest.param(
        reshaped("value", lambda s: (s[0] + 1, *s[1:])),
        INVALID,
        id="shape-value-tokens",
    ),
    pytest.param(reshaped("key", lambda s: (s[0] - 1, *s[1:])), INVALID, id="shape-key-tokens"),
    pytest.param(
        with_(seq_lens=np.array([3, 5, 2, 0], np.int32)),
        INVALID,
        id="shape-seq_lens-B+1",
    ),
    pytest.param(with_(seq_lens=np.array([3, 5], np.int32)), INVALID, id="shape-seq_lens-B-1"),
    pytest.param(
        with_(cumsum_args, seq_lens=np.array([0, 3, 8], np.int32)),
        INVALID,
        id="shape-seq_lens-B-with-cumsum",
    ),
    pytest.param(
        with_(cumsum_args, seq_lens=np.array([0, 3, 8, 10, 10], np.int32)),
        INVALID,
        id="shape-seq_lens-B+2-with-cumsum",
    ),
    pytest.param(
        with_(seq_offset=np.array([0, 4, 1, 0], np.int32)),
        INVALID,
        id="shape-seq_offset-B+1",
    ),
    pytest.param(with_(seq_offset=np.array([0, 4], np.int32)), INVALID, id="shape-seq_offset-B-1"),
    pytest.param(
        with_(cumsum_args, seq_offset=np.array([0, 4, 1, 0], np.int32)),
        INVALID,
        id="shape-seq_offset-B+1-with-cumsum",
    ),
    # ---- 161002: empty tensors (each otherwise consistent)
    pytest.param(empty_caches(0), INVALID, id="empty-caches-num_blocks"),
    pytest.param(empty_caches(1), INVALID, id="empty-caches-block_size"),
    pytest.param(empty_heads, INVALID, id="empty-heads"),
    pytest.param(empty_head_size("key"), INVALID, id="empty-key-head_size"),
    pytest.param(empty_head_size("value"), INVALID, id="empty-value-head_size"),
    pytest.param(
        with_(block_tables=np.zeros((3, 0), np.int32)),
        INVALID,
        id="empty-block_tables-width",
    ),
    pytest.param(empty_batch(cumsum=False), INVALID, id="empty-batch"),
    pytest.param(empty_batch(cumsum=True), INVALID, id="empty-batch-cumsum"),
    pytest.param(empty_tokens, INVALID, id="empty-key-value-tokens"),
    # ---- 161002: non-contiguous tensors
    *[
        pytest.param(non_contiguous(name), INVALID, id=f"non-contiguous-{name}")
        for name in (
            "key_cache",
            "value_cache",
            "block_tables",
            "seq_lens",
            "key",
            "value",
            "seq_offset",
        )
    ],
    pytest.param(
        with_(key=lambda a: np.asfortranarray(a["key"])),
        INVALID,
        id="fortran-order-key",
    ),
    # ---- 561002: cache_mode other than exactly "Norm" / "PA_NZ"
    *[
        pytest.param(with_(cache_mode=mode), TILING, id=f"cache_mode-{mode!r}")
        for mode in (
            "",
            "norm",
            "NORM",
            " Norm",
            "Norm ",
            "ND",
            "pa_nz",
            "PA_NZ ",
            "NZ",
        )
    ],
    # ---- 561002: token larger than 148 KiB
    pytest.param(too_large_token("key", np.float16, 2), TILING, id="token-key-fp16-too-large"),
    pytest.param(too_large_token("value", np.float16, 2), TILING, id="token-value-fp16-too-large"),
    pytest.param(too_large_token("key", np.float32, 1), TILING, id="token-key-fp32-too-large"),
    pytest.param(too_large_token("value", np.int8, 3), TILING, id="token-value-int8-too-large"),
    # Descriptor checks come before tiling checks.
    pytest.param(
        with_(cache_mode="bad", key=lambda a: rand(a["key"].shape, np.float32)),
        INVALID,
        id="dtype-before-cache-mode",
    ),
    pytest.param(
        with_(
            too_large_token("key", np.float16, 2),
            seq_offset=lambda a: a["seq_offset"].astype(np.int64),
        ),
        INVALID,
        id="index-dtype-before-token-size",
    ),
]


def _owner(x: Any) -> Any:
    """The array owning x's memory (so a write through any view is seen), or x itself."""
    if isinstance(x, np.ndarray) and isinstance(x.base, np.ndarray):
        return x.base
    return x


@pytest.mark.parametrize(("make_args", "code"), ERROR_ROWS)
def test_invalid_call_raises_and_writes_nothing(make_args: Callable[[], Args], code: int) -> None:
    args = make_args()
    watched = {
        name: _owner(args[name])
        for name in ("key", "value", "key_cache", "value_cache")
        if isinstance(args[name], np.ndarray)
    }
    before = {name: np.array(x, copy=True) for name, x in watched.items()}
    with pytest.raises(AclnnError) as excinfo:
        ops.gather_pa_kv_cache(
            args["key_cache"],
            args["value_cache"],
            args["block_tables"],
            args["seq_lens"],
            args["key"],
            args["value"],
            args["seq_offset"],
            cache_mode=args["cache_mode"],
            is_seq_lens_cumsum=args["is_seq_lens_cumsum"],
            backend=BACKEND,
        )
    assert excinfo.value.code == code, str(excinfo.value)
    for name, x in watched.items():
        assert same_bits(x, before[name]), f"{name} was written by a rejected call"


@pytest.mark.parametrize(
    "make_args",
    [
        pytest.param(valid_args, id="base"),
        pytest.param(cumsum_args, id="cumsum"),
        pytest.param(with_(seq_offset=None), id="no-seq_offset"),
        pytest.param(lambda: valid_args(index_dtype=np.int64), id="int64-indices"),
        pytest.param(lambda: valid_args(dtype=E5M2), id="float8_e5m2"),
    ],
)
def test_error_table_baselines_are_valid(make_args: Callable[[], Args]) -> None:
    # The error rows start from these; they must be accepted and match the golden.
    a = make_args()
    case = GatherCase(
        key_cache=a["key_cache"],
        value_cache=a["value_cache"],
        block_tables=a["block_tables"],
        seq_lens=a["seq_lens"],
        key=a["key"],
        value=a["value"],
        seq_offset=a["seq_offset"],
        is_seq_lens_cumsum=a["is_seq_lens_cumsum"],
    )
    check_against_golden(case)

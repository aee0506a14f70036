"""NsaCompressWithCache: the DSL operator on every backend and stage vs the independent numpy golden.

Results must be within 1 ulp of the output dtype (the doc example exactly); rows of output_cache that no
compressing batch names must keep their bits. Invalid calls raise `AclnnError` with the status code of
op_semantics.md 3.4 before anything is written.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, replace
from typing import Any

import ml_dtypes
import numpy as np
import pytest
from ascdsl.ops.nsa_compress_with_cache import nsa_compress_with_cache, nsa_compress_with_cache_kernel
from ascdsl.runtime import run
from hypothesis import given, settings
from hypothesis import strategies as st
from nsa_compress_golden import compressing, nsa_compress_golden, ulp_distance

from ascdsl.errors import AclnnError
from ascdsl.pipeline import STAGES

LEGAL_BLOCKS = [(cbs, stride) for cbs in (16, 32, 48, 64) for stride in (16, 32, 48, 64) if stride <= cbs]
needs_gxx = pytest.mark.skipif(shutil.which("g++") is None, reason="backend 'emu' needs g++")


@dataclass
class NsaCase:
    inp: np.ndarray
    weight: np.ndarray
    slot_mapping: np.ndarray
    act_seq_len: list[int]
    block_table: np.ndarray
    cbs: int
    stride: int
    pbs: int
    out: np.ndarray
    layout: str | None = "TND"
    act_seq_len_type: int = 1

    def call(self, backend: str = "interp") -> np.ndarray:
        return nsa_compress_with_cache(self.inp, self.weight, self.slot_mapping, self.act_seq_len, self.block_table,
                                       self.layout, self.cbs, self.stride, self.act_seq_len_type, self.pbs, self.out,
                                       backend=backend)

    def kernel_args(self) -> dict[str, Any]:
        return {"input": self.inp, "weight": self.weight, "slot_mapping": self.slot_mapping, "output_cache": self.out,
                "act_seq_len": np.array(self.act_seq_len, np.int64), "block_table": self.block_table,
                "layout": "TND", "compress_block_size": self.cbs, "compress_stride": self.stride,
                "act_seq_len_type": 1, "page_block_size": self.pbs}

    def expected(self) -> np.ndarray:
        return nsa_compress_golden(self.inp, self.weight, self.slot_mapping, self.act_seq_len, self.block_table,
                                   self.cbs, self.stride, self.pbs, self.out)

    def fresh(self) -> NsaCase:
        return replace(self, out=self.out.copy())


def make_case(rng: np.random.Generator, dtype: Any, n: int, d: int, cbs: int, stride: int, pbs: int,
              batches: int = 3, pages: int = 2) -> NsaCase:
    """Random data and block tables; batch lengths mix compression points and lengths that do not compress."""
    capacity = pages * pbs
    points = list(range(cbs, capacity + 1, stride))
    misses = [s for s in (0, cbs - 1, cbs + 1, capacity - 1) if s <= capacity and (s < cbs or (s - cbs) % stride)]
    lengths = [int(rng.choice(points)) if b % 3 != 1 else int(rng.choice(misses)) for b in range(batches)]
    nb = batches * pages + 1
    slots = 2 * batches
    return NsaCase(
        inp=rng.uniform(-4, 4, (nb, pbs, n, d)).astype(dtype),
        weight=rng.uniform(-2, 2, (cbs, n)).astype(dtype),
        slot_mapping=rng.permutation(slots)[:batches].astype(np.int32),
        act_seq_len=lengths,
        block_table=rng.permutation(nb)[: batches * pages].reshape(batches, pages).astype(np.int32),
        cbs=cbs, stride=stride, pbs=pbs,
        out=rng.uniform(-1, 1, (slots, n, d)).astype(dtype),
    )


def assert_close(case: NsaCase, got: np.ndarray) -> None:
    """Compressed slots within 1 ulp of the golden; every other row bit-identical to before."""
    want = case.expected()
    dist = ulp_distance(got, want)
    assert dist.max() <= 1, f"{int(dist.max())} ulp off at {np.unravel_index(dist.argmax(), dist.shape)}"
    written = {int(case.slot_mapping[b]) for b in compressing(case.act_seq_len, case.cbs, case.stride)}
    for row in range(case.out.shape[0]):
        if row not in written:
            assert got[row].tobytes() == want[row].tobytes(), f"row {row} changed"


# ------------------------------------------------------------------ the doc example


def doc_example() -> NsaCase:
    return NsaCase(np.ones((16, 128, 24, 192), np.float16), np.ones((32, 24), np.float16), np.zeros(4, np.int32),
                   [32, 0, 0, 0], np.zeros((4, 4), np.int32), 32, 16, 128, np.ones((512, 24, 192), np.float16))


@pytest.mark.parametrize("backend", ["interp", pytest.param("emu", marks=needs_gxx)])
def test_doc_example_exactly(backend: str) -> None:
    case = doc_example()
    out = case.call(backend)
    assert out is case.out
    flat = out.reshape(-1)
    assert np.all(flat[4592:4608] == 32.0) and np.all(flat[4608:4624] == 1.0)  # what the doc prints
    assert np.all(out[0] == 32.0) and np.all(out[1:] == 1.0)


# ------------------------------------------------------------------ generated cases


@pytest.mark.parametrize("cbs,stride", LEGAL_BLOCKS)
def test_every_legal_block_size_and_stride(cbs: int, stride: int) -> None:
    rng = np.random.default_rng(cbs * 100 + stride)
    dtype = np.float16 if stride % 32 else ml_dtypes.bfloat16
    case = make_case(rng, dtype, n=3, d=32, cbs=cbs, stride=stride, pbs=64 if cbs % 32 else 128)
    assert_close(case, case.fresh().call())


@pytest.mark.parametrize(
    "n,d,pbs,dtype",
    [(1, 16, 64, np.float16), (24, 192, 128, ml_dtypes.bfloat16), (37, 256, 64, np.float16), (52, 96, 128, ml_dtypes.bfloat16),
     (64, 256, 128, np.float16)],
)
def test_head_counts_and_dims(n: int, d: int, pbs: int, dtype: Any) -> None:
    rng = np.random.default_rng(n * d)
    case = make_case(rng, dtype, n=n, d=d, cbs=16, stride=16, pbs=pbs, batches=2, pages=1)
    assert_close(case, case.fresh().call())


@settings(max_examples=8)
@given(
    block=st.sampled_from(LEGAL_BLOCKS),
    n=st.integers(1, 64).filter(lambda n: n <= 50 or n % 2 == 0),
    d=st.integers(1, 16).map(lambda k: 16 * k),
    pbs=st.sampled_from([64, 128]),
    bf=st.booleans(),
    seed=st.integers(0, 2**32 - 1),
)
def test_generated_shapes(block: tuple[int, int], n: int, d: int, pbs: int, bf: bool, seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = min(n, 16) if block[0] * d > 2048 else n  # keep the interpreter's token x head loop short
    case = make_case(rng, ml_dtypes.bfloat16 if bf else np.float16, n=n, d=d, cbs=block[0], stride=block[1], pbs=pbs,
                     batches=2, pages=1)
    assert_close(case, case.fresh().call())


@pytest.mark.parametrize("stage", STAGES)
def test_every_stage_agrees_with_the_golden(stage: str) -> None:
    case = make_case(np.random.default_rng(7), np.float16, n=5, d=48, cbs=32, stride=16, pbs=64, batches=4)
    got = case.fresh()
    run(nsa_compress_with_cache_kernel, got.kernel_args(), stage=stage)
    assert_close(case, got.out)


@needs_gxx
@pytest.mark.parametrize("dtype,n,d,cbs,stride,pbs", [(np.float16, 5, 48, 32, 16, 64), (ml_dtypes.bfloat16, 37, 256, 64, 16, 128),
                                                      (ml_dtypes.bfloat16, 2, 16, 48, 48, 64)])
def test_emulator_agrees_with_the_golden(dtype: Any, n: int, d: int, cbs: int, stride: int, pbs: int) -> None:
    case = make_case(np.random.default_rng(n), dtype, n=n, d=d, cbs=cbs, stride=stride, pbs=pbs, batches=3)
    got = case.fresh()
    got.call("emu")
    assert_close(case, got.out)


def test_no_batch_compresses_writes_nothing() -> None:
    case = make_case(np.random.default_rng(3), np.float16, n=4, d=32, cbs=16, stride=16, pbs=64)
    case.act_seq_len = [1, 2, 3]
    before = case.out.copy()
    case.call()
    assert case.out.tobytes() == before.tobytes()


def test_inputs_are_untouched() -> None:
    case = make_case(np.random.default_rng(4), np.float16, n=4, d=32, cbs=16, stride=16, pbs=64)
    copies = [a.copy() for a in (case.inp, case.weight, case.slot_mapping, case.block_table)]
    case.call()
    for a, b in zip(copies, (case.inp, case.weight, case.slot_mapping, case.block_table), strict=True):
        assert a.tobytes() == b.tobytes()


# ------------------------------------------------------------------ validation


def _base() -> NsaCase:
    return make_case(np.random.default_rng(11), np.float16, n=4, d=32, cbs=32, stride=16, pbs=64, batches=2)


ERRORS: list[tuple[str, Any, int, str]] = [
    ("null input", lambda c: replace(c, inp=None), 161001, "input"),
    ("null weight", lambda c: replace(c, weight=None), 161001, "weight"),
    ("null slot_mapping", lambda c: replace(c, slot_mapping=None), 161001, "slot_mapping"),
    ("null act_seq_len", lambda c: replace(c, act_seq_len=None), 161001, "act_seq_len"),
    ("null block_table", lambda c: replace(c, block_table=None), 161001, "block_table"),
    ("null output_cache", lambda c: replace(c, out=None), 161001, "output_cache"),
    ("float32 input", lambda c: replace(c, inp=c.inp.astype(np.float32), weight=c.weight.astype(np.float32),
                                       out=c.out.astype(np.float32)), 161002, "FLOAT16"),
    ("dtypes differ", lambda c: replace(c, weight=c.weight.astype(ml_dtypes.bfloat16)), 161002, "weight"),
    ("int64 slot_mapping", lambda c: replace(c, slot_mapping=c.slot_mapping.astype(np.int64)), 161002, "slot_mapping"),
    ("int64 block_table", lambda c: replace(c, block_table=c.block_table.astype(np.int64)), 161002, "block_table"),
    ("3-D input", lambda c: replace(c, inp=c.inp[0]), 161002, "input"),
    ("empty input", lambda c: replace(c, inp=c.inp[:0]), 161002, "input"),
    ("empty output_cache", lambda c: replace(c, out=np.ascontiguousarray(c.out[:0])), 161002, "output_cache"),
    ("weight heads differ", lambda c: replace(c, weight=c.weight[:, :3]), 561002, "weight.shape[1]"),
    ("cbs not a multiple of 16", lambda c: replace(c, cbs=24, weight=c.weight[:24]), 561002, "compress_block_size"),
    ("cbs 65", lambda c: replace(c, cbs=65), 561002, "compress_block_size"),
    ("cbs 80", lambda c: replace(c, cbs=80), 561002, "at most 64"),
    ("stride 15", lambda c: replace(c, stride=15), 561002, "compress_stride"),
    ("cbs < stride", lambda c: replace(c, stride=48), 561002, "at least compress_stride"),
    ("act_seq_len_type 0", lambda c: replace(c, act_seq_len_type=0), 561002, "act_seq_len_type"),
    ("non-contiguous output_cache", lambda c: replace(c, out=c.out[:, :, ::2]), 161002, "output_cache"),
    ("layout name", lambda c: replace(c, layout="NTD"), 561002, "layout"),
    ("page_block_size 32", lambda c: replace(c, pbs=32, inp=c.inp[:, :32]), 561002, "page_block_size"),
    ("head dim 40", lambda c: replace(c, inp=c.inp[..., :24], out=np.ascontiguousarray(c.out[..., :24])), 561002, "multiple of 16"),
    ("head dim 272", lambda c: replace(c, inp=np.zeros((*c.inp.shape[:3], 272), np.float16),
                                       out=np.zeros((*c.out.shape[:2], 272), np.float16)), 561002, "at most 256"),
    ("65 heads", lambda c: replace(c, inp=np.zeros((*c.inp.shape[:2], 66, 32), np.float16), weight=np.zeros((32, 66), np.float16),
                                   out=np.zeros((4, 66, 32), np.float16)), 561002, "at most 64"),
    ("51 heads", lambda c: replace(c, inp=np.zeros((*c.inp.shape[:2], 51, 32), np.float16), weight=np.zeros((32, 51), np.float16),
                                   out=np.zeros((4, 51, 32), np.float16)), 561002, "even"),
    ("weight rows != cbs", lambda c: replace(c, weight=c.weight[:16]), 561002, "weight.shape[0]"),
    ("input pages != pbs", lambda c: replace(c, pbs=128), 561002, "input.shape[1]"),
    ("output heads differ", lambda c: replace(c, out=np.ascontiguousarray(c.out[:, :3])), 561002, "output_cache.shape"),
    ("batches differ", lambda c: replace(c, act_seq_len=[*c.act_seq_len, 0]), 561002, "one entry per batch"),
    ("length past the pages", lambda c: replace(c, act_seq_len=[c.block_table.shape[1] * c.pbs + 16, 0]), 561002, "act_seq_len[0]"),
]


@pytest.mark.parametrize("what,mutate,code,fragment", ERRORS, ids=[e[0] for e in ERRORS])
def test_invalid_calls_raise_and_write_nothing(what: str, mutate: Any, code: int, fragment: str) -> None:
    case = mutate(_base())
    before = None if case.out is None else case.out.copy()
    with pytest.raises(AclnnError) as info:
        case.call()
    assert info.value.code == code, str(info.value)
    assert fragment in str(info.value)
    if before is not None:
        assert case.out.tobytes() == before.tobytes()


def test_non_contiguous_input_and_weight_are_accepted() -> None:
    case = _base()
    case.inp = np.asfortranarray(case.inp)
    case.weight = np.asfortranarray(case.weight)
    assert_close(case, case.fresh().call())


def test_layout_is_case_insensitive_and_may_be_null() -> None:
    for layout in ("tnd", "Bsh", None):
        case = _base()
        case.layout = layout
        assert_close(case, case.fresh().call())

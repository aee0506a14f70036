"""Every pipeline stage computes the same bytes as an independent numpy golden, on small targets.

vadd (f16 / f32 / i32, lengths 1..5000) and GatherPaKvCache ("Norm") run at each stage of
ascdsl.pipeline.STAGES with 2-5 cores and UB budgets from 1 KiB to the real 184 KiB, and are compared bit
for bit with numpy. ascdsl.checking's own stage comparison and input generator are checked too, including
that the comparison does report a stage that breaks.
"""

from __future__ import annotations

import dataclasses
import itertools
import sys
from functools import cache
from pathlib import Path

import numpy as np
import pytest
from ascdsl.ops.gather_pa_kv_cache import gather_pa_kv_cache_norm
from ascdsl.runtime.binding import bind
from ascdsl.runtime.interpreter.engine import find_kernel, launch, run
from hypothesis import example, given, settings
from hypothesis import strategies as st

from ascdsl import checking
from ascdsl.checking import StageMismatch, compare_stages, generate_args
from ascdsl.cli import load_kernels
from ascdsl.dialects import ascendc as ac
from ascdsl.errors import AclnnError
from ascdsl.pipeline import STAGES, lower
from ascdsl.targets import get_target

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "ops"))

from gather_inputs import GatherCase, assert_same_bits, doc_example_case, gather_cases, make_case  # noqa: E402
from gather_pa_kv_cache_golden import gather_pa_kv_cache_golden  # noqa: E402

VADD = load_kernels(str(ROOT / "examples" / "vadd.py"))["vadd"]
GATHER = gather_pa_kv_cache_norm
UB_BUDGETS = (1024, 4096, 184 * 1024)


@cache
def _stage(k, stage: str):
    return k.ir if stage == "tile" else lower(k.ir, stage)


def _target(cores: int, ub: int):
    return dataclasses.replace(get_target("ascend910b"), aiv_cores=cores, ub_budget=ub)


def _run_stage(k, stage: str, args: dict, target) -> None:
    module = _stage(k, stage)
    kop = find_kernel(module)
    bound = bind(kop, args)
    launch(kop, bound, target=target)
    bound.commit()


def test_the_pipeline_has_the_documented_stages_in_order() -> None:
    assert STAGES[0] == "tile" and STAGES[-2:] == ("clean", "specialized")  # the printers read the last
    for stage in ("split", "distributed", "tiled", "allocated", "ascendc"):
        assert stage in STAGES
    assert [s for s in STAGES if s in ("split", "distributed", "tiled", "allocated", "ascendc")] == [
        "split",
        "distributed",
        "tiled",
        "allocated",
        "ascendc",
    ]


# ---------------------------------------------------------------- vadd


def _vadd_operand(rng: np.random.Generator, n: int, dtype: np.dtype) -> np.ndarray:
    if dtype.kind == "i":
        info = np.iinfo(dtype)
        return rng.integers(info.min, info.max, n, endpoint=True, dtype=dtype)  # sums wrap, as on the device
    a = rng.standard_normal(n).astype(dtype)
    specials = np.array([np.inf, -np.inf, np.nan, -0.0, 0.0, 65504.0], dtype=dtype)
    where = rng.random(n) < 0.02
    a[where] = rng.choice(specials, int(where.sum()))
    return a


@settings(deadline=None)
@given(
    dtype=st.sampled_from([np.dtype(np.float16), np.dtype(np.float32), np.dtype(np.int32)]),
    n=st.integers(1, 5000),
    cores=st.integers(2, 5),
    ub=st.sampled_from(UB_BUDGETS),
    seed=st.integers(0, 2**32 - 1),
)
@example(dtype=np.dtype(np.float16), n=1, cores=2, ub=1024, seed=0)
@example(dtype=np.dtype(np.float16), n=17, cores=5, ub=1024, seed=1)
@example(dtype=np.dtype(np.int32), n=5000, cores=3, ub=1024, seed=2)
@example(dtype=np.dtype(np.float32), n=4097, cores=4, ub=4096, seed=3)
def test_vadd_at_every_stage_equals_numpy(dtype: np.dtype, n: int, cores: int, ub: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    x = _vadd_operand(rng, n, dtype)
    y = _vadd_operand(rng, n, dtype)
    expected = x + y  # numpy's own IEEE / wrapping add, element by element
    assert expected.dtype == dtype
    target = _target(cores, ub)
    for stage in STAGES:
        z = np.full(n, 3, dtype)
        _run_stage(VADD, stage, {"x": x, "y": y, "z": z}, target)
        assert z.tobytes() == expected.tobytes(), (
            f"stage {stage}: first difference at {np.flatnonzero(z.view(np.uint8) != expected.view(np.uint8))[:1]}"
        )


# ---------------------------------------------------------------- GatherPaKvCache


def _gather_args(case: GatherCase) -> dict:
    return {
        "key_cache": case.key_cache,
        "value_cache": case.value_cache,
        "block_tables": case.block_tables,
        "seq_lens": case.seq_lens,
        "key": case.key,
        "value": case.value,
        "seq_offset": case.seq_offset,
        "cache_mode": "Norm",
        "is_seq_lens_cumsum": case.is_seq_lens_cumsum,
    }


def _check_gather(case: GatherCase, target) -> None:
    exp_key, exp_value = gather_pa_kv_cache_golden(*case.golden_args())
    for stage in STAGES:
        c = case.copy()
        _run_stage(GATHER, stage, _gather_args(c), target)
        assert_same_bits(c.key, exp_key, f"key at stage {stage}")
        assert_same_bits(c.value, exp_value, f"value at stage {stage}")
        for name in ("key_cache", "value_cache", "block_tables", "seq_lens"):
            assert_same_bits(getattr(c, name), getattr(case, name), f"{name} (an input) at stage {stage}")


@settings(deadline=None)
@given(case=gather_cases(), cores=st.integers(2, 5), ub=st.sampled_from(UB_BUDGETS))
def test_gather_at_every_stage_equals_the_golden(case: GatherCase, cores: int, ub: int) -> None:
    _check_gather(case, _target(cores, ub))


@pytest.mark.parametrize("ub", UB_BUDGETS)
def test_gather_doc_example_at_every_stage(ub: int) -> None:
    _check_gather(doc_example_case(), _target(3, ub))


@pytest.mark.parametrize("dtype", [np.int8, np.float32])
def test_gather_tokens_longer_than_a_chunk_at_every_stage(dtype: type) -> None:
    # 3 heads x 40 = 120 elements per token: several chunks per block under a 1 KiB budget
    rng = np.random.default_rng(5)
    case = make_case(
        rng,
        lengths=[9, 0, 6],
        dtype=dtype,
        num_blocks=5,
        block_size=4,
        num_heads=3,
        head_size_k=40,
        head_size_v=33,
        seq_offset=[4, 0, 9],
    )
    _check_gather(case, _target(2, 1024))


# ---------------------------------------------------------------- ascdsl.checking


@pytest.mark.parametrize(("k", "count"), [(VADD, 3), (GATHER, 1)], ids=["vadd", "gather"])
def test_compare_stages_finds_no_difference_on_generated_cases(k, count: int) -> None:
    cases = list(itertools.islice(generate_args(k, np.random.default_rng(11)), count))
    assert len(cases) == count
    for args in cases:
        assert compare_stages(k, args) is None


def test_generate_args_yields_one_accepted_call_per_vadd_dtype() -> None:
    calls = list(generate_args(VADD, np.random.default_rng(2)))
    assert sorted(str(a["x"].dtype) for a in calls) == ["float16", "float32", "int32"]
    for args in calls:
        x, y, z = args["x"], args["y"], args["z"]
        assert x.shape == y.shape == z.shape and x.dtype == y.dtype == z.dtype
        run(VADD.ir, args)  # accepted: no AclnnError
        np.testing.assert_array_equal(z, x + y)


def test_generate_args_yields_calls_the_gather_checks_accept() -> None:
    calls = list(itertools.islice(generate_args(GATHER, np.random.default_rng(4)), 4))
    assert len(calls) == 4
    for args in calls:
        key, value = args["key"], args["value"]
        assert key.dtype == value.dtype == args["key_cache"].dtype
        assert args["block_tables"].dtype == args["seq_lens"].dtype
        want = args["block_tables"].shape[0] + (1 if args["is_seq_lens_cumsum"] else 0)
        assert args["seq_lens"].shape == (want,)
        try:
            run(GATHER.ir, {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in args.items()})
        except AclnnError as exc:  # pragma: no cover - a failure message
            pytest.fail(f"generate_args yielded a call the kernel rejects: {exc}")


def test_compare_stages_reports_the_first_stage_that_breaks(monkeypatch: pytest.MonkeyPatch) -> None:
    broken = STAGES[-1]

    def lower_but_break_the_last_stage(module, stage=STAGES[-1], ctx=None):
        out = lower(module, stage, ctx)
        if stage == broken:  # DataCopy instead of DataCopyPad: an unaligned tail is never written
            for pad in [op for op in out.walk() if isinstance(op, ac.DataCopyPadOutOp)]:
                new = ac.DataCopyOutOp(*pad.operands)
                new.location = pad.location
                pad.parent_block().insert_op_before(new, pad)
                pad.detach()
                pad.erase()
        return out

    monkeypatch.setattr(checking, "lower", lower_but_break_the_last_stage)
    x = np.arange(37, dtype=np.float16)
    args = {"x": x, "y": np.ones(37, np.float16), "z": np.zeros(37, np.float16)}
    mismatch = compare_stages(VADD, args)
    assert isinstance(mismatch, StageMismatch)
    assert (mismatch.stage, mismatch.tensor, mismatch.index) == (broken, "z", (32,))
    assert mismatch.expected == np.float16(33) and mismatch.got == 0
    assert f"stage {broken}" in str(mismatch) and "z[32]" in str(mismatch)
    # the ops that write z in that stage, at the user's line of the store
    assert mismatch.writers and all("vadd.py:" in w for w in mismatch.writers)
    assert any(w.startswith("ascendc.data_copy_out at ") for w in mismatch.writers)
    assert args["z"].tolist() == [0] * 37, "compare_stages works on copies"

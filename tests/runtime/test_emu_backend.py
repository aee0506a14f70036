"""backend="emu": the printed Ascend C, compiled with g++ against the emulator, gives the interpreter's
results and moves exactly the bytes the ascendc-stage interpreter counts."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import numpy as np
import pytest
from ascdsl.runtime import run
from ascdsl.runtime.interpreter.engine import run as interpret
from hypothesis import given, settings
from hypothesis import strategies as st

from ascdsl import AclnnError, ops
from ascdsl.kernel import Kernel
from ascdsl.pipeline import lower

pytestmark = pytest.mark.skipif(shutil.which("g++") is None, reason="the emulator needs g++")

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "examples"))
sys.path.insert(0, str(ROOT / "tests" / "ops"))

from gather_inputs import GatherCase, assert_same_bits, doc_shape_case, gather_cases  # noqa: E402
from gather_pa_kv_cache_golden import gather_pa_kv_cache_golden  # noqa: E402
from test_gather_pa_kv_cache_nz import expected, nz_args, nz_compatible  # noqa: E402  (imported here, not in a @given test)
from vadd import vadd  # noqa: E402


@settings(deadline=None, max_examples=6)
@given(n=st.integers(1, 70000), dtype=st.sampled_from([np.float16, np.float32, np.int32]))
def test_vadd_matches_numpy(n: int, dtype: type) -> None:
    rng = np.random.default_rng(n)
    x = (rng.standard_normal(n) * 100).astype(dtype)
    y = (rng.standard_normal(n) * 100).astype(dtype)
    z = np.zeros(n, dtype)
    run(vadd, {"x": x, "y": y, "z": z}, backend="emu")
    np.testing.assert_array_equal(z, (x + y).astype(dtype))


def _gather(c: GatherCase, backend: str) -> tuple[np.ndarray, np.ndarray]:
    k, v = c.key.copy(), c.value.copy()
    ops.gather_pa_kv_cache(c.key_cache, c.value_cache, c.block_tables, c.seq_lens, k, v, c.seq_offset, "Norm", c.is_seq_lens_cumsum, backend=backend)
    return k, v


@settings(deadline=None, max_examples=8)
@given(c=gather_cases())
def test_gather_matches_the_golden(c: GatherCase) -> None:
    ek, ev = gather_pa_kv_cache_golden(*c.golden_args())
    if (c.key.dtype.itemsize == 1 and c.key.dtype.kind == "V") or c.key.dtype.name.startswith("float8"):
        with pytest.raises(AclnnError) as info:  # Atlas A2 has no 8-bit float type
            _gather(c, "emu")
        assert info.value.code == 161002
        return
    k, v = _gather(c, "emu")
    assert_same_bits(k, ek, "key")
    assert_same_bits(v, ev, "value")


def test_gather_doc_shape() -> None:
    c = doc_shape_case(np.random.default_rng(3))
    ek, ev = gather_pa_kv_cache_golden(*c.golden_args())
    k, v = _gather(c, "emu")
    assert_same_bits(k, ek, "key")
    assert_same_bits(v, ev, "value")


def test_errors_are_the_same_and_nothing_is_written() -> None:
    x = np.ones(8, np.float64)
    z = np.full(8, 3.0, np.float32)
    with pytest.raises(AclnnError) as info:
        run(vadd, {"x": x, "y": x, "z": z}, backend="emu")
    assert info.value.code == 161002
    assert z.tolist() == [3.0] * 8


def _counters(k: Kernel, args: dict) -> tuple[int, int, int]:
    copies = {n: (v.copy() if isinstance(v, np.ndarray) else v) for n, v in args.items()}
    env = interpret(lower(k.ir), copies)
    read = sum(c.gm_read_bytes for c in env.counters)
    written = sum(c.gm_write_bytes for c in env.counters)
    return read, written, env.block_dim


def test_emulator_moves_the_bytes_the_interpreter_counts() -> None:
    rng = np.random.default_rng(5)
    x = rng.standard_normal(50_001).astype(np.float16)
    y = rng.standard_normal(50_001).astype(np.float16)
    z = np.zeros_like(x)
    read, written, block_dim = _counters(vadd, {"x": x, "y": y, "z": z})
    report = run(vadd, {"x": x, "y": y, "z": z}, backend="emu")
    assert report.block_dim == block_dim
    assert (report.gm_read_bytes, report.gm_write_bytes) == (read, written) == (2 * x.nbytes, z.nbytes)


@settings(deadline=None, max_examples=5)
@given(c=gather_cases())
def test_gather_pa_nz_matches_the_golden(c: GatherCase) -> None:
    if not nz_compatible(c) or c.key.dtype.name.startswith("float8") or c.key.dtype.kind == "V":
        return
    args = nz_args(c)
    ops.gather_pa_kv_cache(**args, backend="emu")
    ek, ev = expected(c)
    assert_same_bits(args["key"], ek, "key")
    assert_same_bits(args["value"], ev, "value")

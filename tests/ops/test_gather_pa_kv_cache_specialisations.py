"""GatherPaKvCache as one CANN project: every (cache mode, is_seq_lens_cumsum, seq_offset given) is a kernel
specialisation with its own tiling key, picked by the host; the data dtype's size is specialised by the CANN
build itself (one kernel binary per dtype of the OpDef), so the cases cover 1-, 2- and 4-byte elements.

Each specialisation must agree with the independent numpy golden on every interpreter stage and on the
emulator, and the printed kernel must not test a specialised condition at run time.
"""

from __future__ import annotations

import functools
import re
import shutil

import numpy as np
import pytest
from ascdsl.lowering.compile import CompiledKernel, compile_sources
from ascdsl.ops.gather_pa_kv_cache import GATHER_PA_KV_CACHE
from ascdsl.runtime import run
from ascdsl.runtime.interpreter.engine import run as interpret
from gather_inputs import GatherCase, assert_same_bits, make_case
from gather_pa_kv_cache_golden import gather_pa_kv_cache_golden
from test_gather_pa_kv_cache_nz import to_nz
from xdsl.dialects.builtin import ModuleOp

from ascdsl.pipeline import lower

SWITCHES = ("is_seq_lens_cumsum", "seq_offset_present")  # the tiling fields the kernel branches on


def _case(dtype: type, cumsum: bool, with_offset: bool) -> GatherCase:
    rng = np.random.default_rng(7)
    lengths = [6, 0, 9]
    return make_case(
        rng,
        lengths=lengths,
        dtype=dtype,
        num_blocks=5,
        block_size=4,
        num_heads=2,
        head_size_k=16,
        head_size_v=32,
        width=3,
        seq_offset=[4, 3, 5] if with_offset else None,  # whole blocks count: shifts 1, 0, 1 (the last overruns the table)
        cumsum=cumsum,
        first_row=1 if cumsum else 0,
        num_rows=(1 if cumsum else 0) + sum(lengths) - 2,  # the last tokens fall past key.shape[0]
    )


def _args(c: GatherCase, mode: str) -> dict:
    args = {
        "key_cache": c.key_cache,
        "value_cache": c.value_cache,
        "block_tables": c.block_tables,
        "seq_lens": c.seq_lens,
        "key": c.key.copy(),
        "value": c.value.copy(),
        "seq_offset": c.seq_offset,
        "cache_mode": mode,
        "is_seq_lens_cumsum": c.is_seq_lens_cumsum,
    }
    if mode == "PA_NZ":
        t = c.key.shape[0]
        args.update(key_cache=to_nz(c.key_cache), value_cache=to_nz(c.value_cache), key=args["key"].reshape(t, -1), value=args["value"].reshape(t, -1))
    return args


def _check(args: dict, c: GatherCase) -> None:
    ek, ev = gather_pa_kv_cache_golden(*c.golden_args())
    assert_same_bits(args["key"].reshape(ek.shape), ek, "key")
    assert_same_bits(args["value"].reshape(ev.shape), ev, "value")


@functools.cache
def _lowered(mode: str, stage: str) -> ModuleOp:
    return lower(GATHER_PA_KV_CACHE.kernel_for({"cache_mode": mode}).ir, stage)


@functools.cache
def _compiled() -> CompiledKernel:
    return compile_sources(GATHER_PA_KV_CACHE)


def _functions(cpp: str) -> dict[str, str]:
    """Name -> body of every `__aicore__ inline void <name>(...)` kernel function."""
    out = {}
    for m in re.finditer(r"__aicore__ inline void (\w+)\(GM_ADDR[^\n]*\n\{\n(.*?)\n\}\n", cpp, re.S):
        out[m.group(1)] = m.group(2)
    return out


def _specialised_for(body: str) -> dict[str, bool]:
    m = re.search(r"// the specialisation for (.*) \(the host", body)
    assert m, "a specialised function says what it is specialised for"
    return {k: v == "true" for k, v in re.findall(r"td\.(\w+) == (true|false)", m.group(1))}


MODES = ["Norm", "PA_NZ"]
COMBOS = [(m, cs, off) for m in MODES for cs in (False, True) for off in (False, True)]


def test_one_project_has_a_tiling_key_per_specialisation_and_no_run_time_test_of_one() -> None:
    c = _compiled()
    functions = _functions(c.kernel_cpp)
    assert len(functions) == len(COMBOS) == 8
    seen = set()
    for name, body in functions.items():
        fixed = _specialised_for(body)
        assert set(fixed) == set(SWITCHES)
        seen.add((int(name.rsplit("key", 1)[1]) > 4, *fixed.values()))  # keys 1-4: Norm, 5-8: PA_NZ
        code = "\n".join(line for line in body.splitlines() if not line.strip().startswith("//"))
        for switch in SWITCHES:
            assert f"td.{switch}" not in code  # no run-time test of a specialised switch
        assert ("seq_offsetGm" in code) == fixed["seq_offset_present"]  # what a switch turned off is gone
    assert len(seen) == 8
    entry = c.kernel_cpp.split('extern "C"', 1)[1]
    assert [int(k) for k in re.findall(r"TILING_KEY_IS\((\d+)\)", entry)] == list(range(1, 9))
    # the host computes the key from the same switches: the first key of each kernel plus the switch bits
    assert re.findall(r"SetTilingKey\(static_cast<uint64_t>\((\d+) \+", c.tiling_func_cpp) == ["1", "5"]


@pytest.mark.parametrize("dtype", [np.int8, np.float16, np.float32], ids=["1-byte", "2-byte", "4-byte"])
@pytest.mark.parametrize(("mode", "cumsum", "with_offset"), COMBOS)
def test_every_specialisation_matches_the_golden_on_every_interpreter_stage(dtype: type, mode: str, cumsum: bool, with_offset: bool) -> None:
    c = _case(dtype, cumsum, with_offset)
    for stage in ("tile", "distributed", "clean", "specialized"):
        args = _args(c, mode)
        env = interpret(_lowered(mode, stage), args)
        _check(args, c)
        if stage == "specialized":  # the host picked the specialisation of these switches
            assert env.tiling_key == int(cumsum) + 2 * int(with_offset)


@pytest.mark.skipif(shutil.which("g++") is None, reason="the emulator needs g++")
@pytest.mark.parametrize("dtype", [np.int8, np.float16], ids=["1-byte", "2-byte"])
@pytest.mark.parametrize(("mode", "cumsum", "with_offset"), COMBOS)
def test_every_specialisation_matches_the_golden_on_the_emulator(dtype: type, mode: str, cumsum: bool, with_offset: bool) -> None:
    c = _case(dtype, cumsum, with_offset)
    args = _args(c, mode)
    report = run(GATHER_PA_KV_CACHE, args, backend="emu")
    _check(args, c)
    body = _functions(_compiled().kernel_cpp)[f"gather_pa_kv_cache_key{report.tiling_key}"]
    assert _specialised_for(body) == {"is_seq_lens_cumsum": cumsum, "seq_offset_present": with_offset}
    assert (report.tiling_key > 4) == (mode == "PA_NZ")

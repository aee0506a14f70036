"""Specialisation: a kernel once per combination of its host-known switches, picked by the host's tiling key."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from ascdsl.lowering.compile import compile_sources
from ascdsl.runtime.interpreter.engine import run
from kernels_for_passes import four_flags, switched_scale

from ascdsl.analysis.switches import MAX_SWITCHES
from ascdsl.dialects import ascendc as ac
from ascdsl.dialects import tile_ops as t
from ascdsl.pipeline import STAGES, lower


def _switch(module) -> ac.TilingKeySwitchOp:
    found = [op for op in module.walk() if isinstance(op, ac.TilingKeySwitchOp)]
    assert len(found) == 1
    return found[0]


def test_a_bool_attribute_and_an_optional_tensor_tested_with_a_str_attribute_are_switches() -> None:
    switch = _switch(lower(switched_scale.ir, "specialized"))
    names = [s.data for s in switch.switches.data]
    # `bias is not None and mode in (...)` short-circuits on the device: two host bools, two switches
    assert names[:2] == ["double", "bias_present"] and len(names) == 3
    assert len(switch.variants) == 8
    for region in switch.variants:  # every region reads its switches as constants
        fields = {op.field.data for op in region.walk() if isinstance(op, t.TilingFieldOp)}
        assert not fields & {s.data for s in switch.switches.data}


@pytest.mark.parametrize(("double", "with_bias", "mode"), list(itertools.product([False, True], [False, True], ["add", "keep"])))
def test_every_stage_runs_the_specialisation_the_host_picks(double: bool, with_bias: bool, mode: str) -> None:
    rng = np.random.default_rng(3)
    x = rng.integers(-9, 9, 37).astype(np.float32)
    bias = rng.integers(-9, 9, 37).astype(np.float32) if with_bias else None
    expected = x * (2 if double else 1) + (bias if with_bias and mode == "add" else 0)
    for stage in STAGES:
        z = np.zeros_like(x)
        module = switched_scale.ir if stage == "tile" else lower(switched_scale.ir, stage)
        env = run(module, {"x": x, "bias": bias, "z": z, "double": double, "mode": mode})
        np.testing.assert_array_equal(z, expected, err_msg=stage)
        if STAGES.index(stage) >= STAGES.index("specialized"):
            assert env.tiling_key == int(double) + 2 * int(with_bias) + 4 * int(mode == "add")


def test_the_printed_specialisations_do_not_test_their_switches() -> None:
    c = compile_sources(switched_scale)
    bodies = c.kernel_cpp.split("__aicore__ inline void switched_scale_key")[1:]
    assert len(bodies) == 8
    for body in bodies:
        code = "\n".join(line for line in body.split('extern "C"')[0].splitlines() if not line.strip().startswith("//"))
        assert "td.double" not in code and "td.bias_present" not in code
    assert "context->SetTilingKey(static_cast<uint64_t>(1 + " in c.tiling_func_cpp
    entry = c.kernel_cpp.split('extern "C"')[1]
    assert all(f"TILING_KEY_IS({k})" in entry for k in range(1, 9))


def test_the_number_of_specialisations_is_bounded() -> None:
    switch = _switch(lower(four_flags.ir, "specialized"))
    assert len(switch.switches.data) == MAX_SWITCHES
    assert len(switch.variants) == 2**MAX_SWITCHES
    x = np.arange(5, dtype=np.int32)
    module = lower(four_flags.ir, "clean")
    for flags in itertools.product([False, True], repeat=4):
        z = np.zeros_like(x)
        run(module, {"x": x, "z": z, **dict(zip("abcd", flags, strict=True))})
        np.testing.assert_array_equal(z, x + sum(w for w, f in zip((1, 2, 4, 8), flags, strict=True) if f))


def test_the_project_readme_lists_every_tiling_key(tmp_path) -> None:
    from ascdsl.lowering.compile import compile_project

    compile_project(switched_scale, tmp_path)
    readme = (tmp_path / "README.md").read_text()
    rows = [line for line in readme.splitlines() if line.startswith("| ") and "`switched_scale_key" in line]
    assert len(rows) == 8
    assert "`double` = true, `bias_present` = true" in rows[-1]
    assert "the kernel once per dtype combination" in readme.replace("\n", " ")

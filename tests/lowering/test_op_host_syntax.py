"""The printed op_host/<op>.cpp is C++ that a compiler accepts, checked against declaration-only stubs.

The stubs under stubs/ declare the CANN API the host printers use with the real signatures, so a misspelt
method, a wrong argument type or a missing brace in the printed code fails here without a toolkit.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from ascdsl.lowering.opspec import OpSpec
from ascdsl.lowering.project_writer import write_project
from lowering_examples import (
    ADD_CUSTOM,
    ADD_CUSTOM_KERNEL,
    ADD_CUSTOM_TILING_FUNC,
    ADD_CUSTOM_TILING_H,
    GATHER_PA_KV_CACHE,
    OPTIONAL_STR_ATTR,
    TRIVIAL_TILING_FUNC,
    TWO_OUTPUTS,
)

STUBS = Path(__file__).parent / "stubs"
GXX = shutil.which("g++")

pytestmark = pytest.mark.skipif(GXX is None, reason="g++ not installed")


def _syntax_check(source: Path) -> None:
    assert GXX is not None
    result = subprocess.run(
        [GXX, "-fsyntax-only", "-std=c++17", "-Wall", "-Wextra", "-Werror", "-I", str(STUBS), str(source)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr


def test_add_custom_op_host_compiles(tmp_path: Path) -> None:
    write_project(
        tmp_path,
        ADD_CUSTOM,
        kernel_cpp=ADD_CUSTOM_KERNEL,
        tiling_h=ADD_CUSTOM_TILING_H,
        tiling_func_cpp=ADD_CUSTOM_TILING_FUNC,
    )
    _syntax_check(tmp_path / "op_host/add_custom.cpp")


@pytest.mark.parametrize("spec", [GATHER_PA_KV_CACHE, TWO_OUTPUTS, OPTIONAL_STR_ATTR], ids=lambda s: s.op_type)
def test_op_host_with_refs_attrs_and_optionals_compiles(tmp_path: Path, spec: OpSpec) -> None:
    tiling_h = f"#pragma once\n#include <cstdint>\nstruct {spec.op_type}TilingData {{\n    uint32_t n;\n}};\n"
    write_project(tmp_path, spec, kernel_cpp="", tiling_h=tiling_h, tiling_func_cpp=TRIVIAL_TILING_FUNC)
    _syntax_check(tmp_path / f"op_host/{spec.kernel_name}.cpp")


def test_the_stubs_catch_mistakes(tmp_path: Path) -> None:
    """A wrong setter name must fail, or the check above proves nothing."""
    write_project(
        tmp_path, ADD_CUSTOM, kernel_cpp="", tiling_h=ADD_CUSTOM_TILING_H, tiling_func_cpp=ADD_CUSTOM_TILING_FUNC
    )
    source = tmp_path / "op_host/add_custom.cpp"
    source.write_text(source.read_text().replace(".UnknownShapeFormat(", ".UnknownShapeFormats(", 1))
    with pytest.raises(AssertionError, match="UnknownShapeFormats"):
        _syntax_check(source)

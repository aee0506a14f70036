"""The custom-operator project written for an OpSpec: layout, goldens, determinism, build.sh behaviour."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest
from ascdsl.lowering.aclnn_prototype import aclnn_prototypes
from ascdsl.lowering.msopgen_json import msopgen_compute_units
from ascdsl.lowering.opspec import OpSpec
from ascdsl.lowering.project_writer import write_project
from golden_files import check_golden_tree
from lowering_examples import (
    ADD_CUSTOM,
    ADD_CUSTOM_KERNEL,
    ADD_CUSTOM_TILING_FUNC,
    ADD_CUSTOM_TILING_H,
    GATHER_PA_KV_CACHE,
    TRIVIAL_TILING_FUNC,
)

LAYOUT = [
    "CMakeLists.txt",
    "CMakePresets.json",
    "README.md",
    "build.sh",
    "add_custom.json",
    "op_host/CMakeLists.txt",
    "op_host/add_custom.cpp",
    "op_kernel/CMakeLists.txt",
    "op_kernel/add_custom.cpp",
    "op_kernel/add_custom_tiling.h",
]


def _write_add_custom(out: Path, vendor: str = "ascdsl") -> list[Path]:
    return write_project(
        out,
        ADD_CUSTOM,
        kernel_cpp=ADD_CUSTOM_KERNEL,
        tiling_h=ADD_CUSTOM_TILING_H,
        tiling_func_cpp=ADD_CUSTOM_TILING_FUNC,
        vendor=vendor,
    )


def _tree_bytes(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_layout_and_modes(tmp_path: Path) -> None:
    written = _write_add_custom(tmp_path / "proj")
    assert [p.relative_to(tmp_path / "proj").as_posix() for p in written] == LAYOUT
    assert (tmp_path / "proj/build.sh").stat().st_mode & stat.S_IXUSR
    assert not (tmp_path / "proj/README.md").stat().st_mode & stat.S_IXUSR


def test_add_custom_project_golden(tmp_path: Path) -> None:
    _write_add_custom(tmp_path / "proj")
    check_golden_tree("add_custom_project", tmp_path / "proj")


def test_same_input_same_bytes(tmp_path: Path) -> None:
    _write_add_custom(tmp_path / "a")
    _write_add_custom(tmp_path / "b")
    _write_add_custom(tmp_path / "a")  # rewriting in place changes nothing either
    assert _tree_bytes(tmp_path / "a") == _tree_bytes(tmp_path / "b")


def test_sources_are_placed_as_given(tmp_path: Path) -> None:
    _write_add_custom(tmp_path)
    assert (tmp_path / "op_kernel/add_custom.cpp").read_text() == ADD_CUSTOM_KERNEL
    assert (tmp_path / "op_kernel/add_custom_tiling.h").read_text() == ADD_CUSTOM_TILING_H
    host = (tmp_path / "op_host/add_custom.cpp").read_text()
    includes = [line for line in host.splitlines() if line.startswith("#include")]
    assert includes == [
        '#include "register/op_def_registry.h"',
        '#include "tiling/platform/platform_ascendc.h"',
        '#include "../op_kernel/add_custom_tiling.h"',
    ]
    assert "namespace optiling {\n" + ADD_CUSTOM_TILING_FUNC + "}  // namespace optiling\n" in host
    # inference and OpDef follow the tiling function, which the OpDef names
    assert host.index("namespace optiling") < host.index("namespace ge") < host.index("namespace ops")
    assert "this->AICore().SetTiling(optiling::TilingFunc);" in host


def test_presets(tmp_path: Path) -> None:
    write_project(
        tmp_path, GATHER_PA_KV_CACHE, kernel_cpp="", tiling_h="", tiling_func_cpp=TRIVIAL_TILING_FUNC, vendor="acme"
    )
    preset = json.loads((tmp_path / "CMakePresets.json").read_text())["configurePresets"][0]
    cache = {k: v["value"] for k, v in preset["cacheVariables"].items()}
    assert preset["binaryDir"] == "${sourceDir}/build_out"
    assert cache == {
        "CMAKE_BUILD_TYPE": "Release",
        "CMAKE_INSTALL_PREFIX": "${sourceDir}/build_out",
        "ASCEND_COMPUTE_UNIT": "ascend910b;ascend910_93",
        "ASCEND_CANN_PACKAGE_PATH": "$env{ASCEND_HOME_PATH}",
        "ASCEND_PYTHON_EXECUTABLE": "python3",
        "vendor_name": "acme",
        "ENABLE_SOURCE_PACKAGE": "True",
        "ENABLE_BINARY_PACKAGE": "True",
        "ENABLE_CROSS_COMPILE": "False",
        "ASCEND_PACK_SHARED_LIBRARY": "False",
    }


def test_msopgen_description(tmp_path: Path) -> None:
    write_project(tmp_path, GATHER_PA_KV_CACHE, kernel_cpp="", tiling_h="", tiling_func_cpp=TRIVIAL_TILING_FUNC)
    [desc] = json.loads((tmp_path / "gather_pa_kv_cache.json").read_text())
    assert desc["op"] == "GatherPaKvCache"
    assert desc["language"] == "cpp"
    assert [t["name"] for t in desc["input_desc"]] == [
        "key_cache", "value_cache", "block_tables", "seq_lens", "key", "value", "seq_offset"
    ]  # fmt: skip
    assert [t["name"] for t in desc["output_desc"]] == ["key", "value"]  # same names: msopgen's Ref marker
    assert desc["input_desc"][0] == {
        "name": "key_cache",
        "param_type": "required",
        "format": ["ND", "ND", "ND"],
        "type": ["int8", "float16", "bfloat16"],
    }
    assert desc["input_desc"][6]["param_type"] == "optional"
    assert desc["attr"] == [
        {"name": "cache_mode", "param_type": "required", "type": "string"},
        {"name": "is_seq_lens_cumsum", "param_type": "required", "type": "bool"},
    ]
    # msopgen maps chip names to SoC families; "ascend910b" alone would mean the old Ascend910.
    assert msopgen_compute_units(GATHER_PA_KV_CACHE) == "ai_core-Ascend910B1,ai_core-Ascend910_9391"


def test_readme_gives_the_aclnn_api_and_the_steps(tmp_path: Path) -> None:
    _write_add_custom(tmp_path, vendor="acme")
    readme = (tmp_path / "README.md").read_text()
    first, second = aclnn_prototypes(ADD_CUSTOM)
    assert f"{first};\n{second};\n" in readme
    assert "bash build.sh" in readme
    assert "custom_opp_<os>_<arch>.run --install-path=/abs/dir\nsource /abs/dir/vendors/acme/bin/set_env.bash" in readme
    assert "vendors/acme/op_api/lib" in readme


def test_bad_vendor_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="vendor 'my vendor'"):
        _write_add_custom(tmp_path, vendor="my vendor")


# ---- build.sh, run against fake toolkits ------------------------------------------------------------------

needs_bash = pytest.mark.skipif(shutil.which("bash") is None, reason="bash not installed")


def _exe(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(0o755)


def _env(toolkit: Path | None, bin_dir: Path, home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASCEND")}
    env["PATH"] = f"{bin_dir}:{env.get('PATH', '')}"
    env["HOME"] = str(home)
    if toolkit is not None:
        env["ASCEND_HOME_PATH"] = str(toolkit)
    return env


def _run(project: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", "build.sh"], cwd=project, env=env, capture_output=True, text=True, timeout=60)


@needs_bash
def test_build_sh_parses(tmp_path: Path) -> None:
    _write_add_custom(tmp_path)
    subprocess.run(["bash", "-n", str(tmp_path / "build.sh")], check=True)


# A stand-in for msopgen: records its arguments and writes a skeleton whose build.sh "builds" a .run
# containing the op_host source and the preset it was given, so the test can see what was overlaid.
FAKE_MSOPGEN = """#!/bin/bash
echo "$@" > "$FAKE_LOG"
while [ $# -gt 0 ]; do case "$1" in -out) out="$2"; shift 2;; *) shift;; esac; done
mkdir -p "$out/op_host" "$out/op_kernel" "$out/cmake"
echo stub > "$out/op_host/add_custom.cpp"
echo stub > "$out/op_host/add_custom_tiling.h"
echo stub > "$out/op_kernel/add_custom.cpp"
cat > "$out/CMakePresets.json" <<'JSON'
{"version": 1, "configurePresets": [{"name": "default", "cacheVariables": {
  "vendor_name": {"type": "STRING", "value": "customize"},
  "CMAKE_INSTALL_PREFIX": {"type": "PATH", "value": "${sourceDir}/build_out"}}}]}
JSON
cat > "$out/build.sh" <<'SH'
mkdir -p build_out/autogen
cat op_host/add_custom.cpp op_kernel/add_custom_tiling.h CMakePresets.json > build_out/custom_opp_test_x86_64.run
ls op_host > build_out/op_host_files.txt
echo "// header" > build_out/autogen/aclnn_add_custom.h
SH
"""


@needs_bash
def test_build_sh_msopgen_mode_overlays_our_sources(tmp_path: Path) -> None:
    proj, toolkit, bin_dir = tmp_path / "proj", tmp_path / "toolkit", tmp_path / "bin"
    _write_add_custom(proj, vendor="acme")
    toolkit.mkdir()
    _exe(bin_dir / "msopgen", FAKE_MSOPGEN)
    for tool in ("cmake",):  # present but unused in this mode
        _exe(bin_dir / tool, "#!/bin/bash\necho 'cmake version 3.28.0'\n")
    env = _env(toolkit, bin_dir, tmp_path) | {"FAKE_LOG": str(tmp_path / "msopgen.log")}
    result = _run(proj, env)
    assert result.returncode == 0, result.stdout + result.stderr

    args = (tmp_path / "msopgen.log").read_text().split()
    assert args[:3] == ["gen", "-i", str(proj / "add_custom.json")]
    assert args[args.index("-c") + 1] == "ai_core-Ascend910B1,ai_core-Ascend910_9391"
    assert args[args.index("-f") + 1] == "aclnn"
    assert args[args.index("-lan") + 1] == "cpp"

    package = (proj / "build_out/custom_opp_test_x86_64.run").read_text()
    assert (proj / "op_host/add_custom.cpp").read_text() in package  # our op_host replaced the stub
    assert ADD_CUSTOM_TILING_H in package
    presets = json.loads(package[package.index('{\n    "version"') :])
    cache = presets["configurePresets"][0]["cacheVariables"]
    assert cache["vendor_name"]["value"] == "acme"
    assert cache["ASCEND_COMPUTE_UNIT"]["value"] == "ascend910b;ascend910_93"
    assert cache["ASCEND_CANN_PACKAGE_PATH"]["value"] == str(toolkit)
    assert cache["CMAKE_INSTALL_PREFIX"]["value"] == "${sourceDir}/build_out"
    assert (proj / "build_out/msopgen_project/build_out/op_host_files.txt").read_text().split() == ["add_custom.cpp"]
    assert (proj / "build_out/include/aclnn_add_custom.h").is_file()


# A stand-in for cmake: logs each call; the package step leaves a .run where CPack would.
FAKE_CMAKE = """#!/bin/bash
if [ "$1" = --version ]; then echo "cmake version ${FAKE_CMAKE_VERSION:-3.28.0}"; exit 0; fi
echo "$@" >> "$FAKE_LOG"
for a in "$@"; do if [ "$a" = package ]; then mkdir -p "$FAKE_BUILD_DIR"; : > "$FAKE_BUILD_DIR/custom_opp_test_x86_64.run"; fi; done
"""


@needs_bash
@pytest.mark.parametrize("cmake_version", ["3.28.0", "3.18.4"])
def test_build_sh_direct_mode_uses_the_preset(tmp_path: Path, cmake_version: str) -> None:
    proj, toolkit, bin_dir, log = tmp_path / "proj", tmp_path / "toolkit", tmp_path / "bin", tmp_path / "cmake.log"
    _write_add_custom(proj, vendor="acme")
    toolkit.mkdir()
    _exe(bin_dir / "cmake", FAKE_CMAKE)
    env = _env(toolkit, bin_dir, tmp_path) | {
        "FAKE_LOG": str(log),
        "FAKE_BUILD_DIR": str(proj / "build_out"),
        "FAKE_CMAKE_VERSION": cmake_version,
        "ASCDSL_BUILD_MODE": "direct",
    }
    result = _run(proj, env)
    assert result.returncode == 0, result.stdout + result.stderr
    configure, build_binary, build_package = log.read_text().splitlines()
    if cmake_version == "3.28.0":
        assert configure.startswith("--preset=default ")
    else:  # no presets before 3.19: the same cache variables as -D options
        assert "-Dvendor_name:STRING=acme" in configure.split()
        assert f"-DCMAKE_INSTALL_PREFIX:PATH={proj}/build_out" in configure.split()
    assert f"-DASCEND_CANN_PACKAGE_PATH={toolkit}" in configure.split()
    assert f"-DCMAKE_PREFIX_PATH={toolkit}" in configure.split()
    assert build_binary.split()[:4] == ["--build", str(proj / "build_out"), "--target", "binary"]
    assert build_package.split()[:4] == ["--build", str(proj / "build_out"), "--target", "package"]
    assert "package: " + str(proj / "build_out/custom_opp_test_x86_64.run") in result.stdout


@needs_bash
def test_build_sh_says_what_is_missing(tmp_path: Path) -> None:
    if Path("/usr/local/Ascend/ascend-toolkit/latest").exists() or Path("/usr/local/Ascend/cann").exists():
        pytest.skip("a CANN toolkit is installed at a default path")
    _write_add_custom(tmp_path / "proj")
    result = _run(tmp_path / "proj", _env(None, tmp_path / "bin", tmp_path))
    assert result.returncode == 1
    assert "no CANN toolkit found" in result.stderr
    assert "ASCEND_HOME_PATH" in result.stderr and "set_env.sh" in result.stderr


@needs_bash
def test_build_sh_rejects_an_unknown_mode(tmp_path: Path) -> None:
    (tmp_path / "toolkit").mkdir()
    _exe(tmp_path / "bin/cmake", "#!/bin/bash\n")
    _write_add_custom(tmp_path / "proj")
    env = _env(tmp_path / "toolkit", tmp_path / "bin", tmp_path) | {"ASCDSL_BUILD_MODE": "fast"}
    result = _run(tmp_path / "proj", env)
    assert result.returncode == 1
    assert "ASCDSL_BUILD_MODE must be msopgen or direct, not 'fast'" in result.stderr


def test_every_soc_gets_a_compute_unit() -> None:
    spec = OpSpec("A", ADD_CUSTOM.tensors, (), socs=("ascend910b", "ascend310p", "ascend910"))
    assert msopgen_compute_units(spec) == "ai_core-Ascend910B1,ai_core-Ascend310P1,ai_core-Ascend910"

"""The msopgen-style AddCustom project on the emulator: numerics, launch, counters and the compile cache."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from ascdsl.runtime.emulator import build, run_project
from emu_add_project import ADD_SPEC, KERNEL_CPP, write_add_project

from ascdsl.errors import AscdslError, DeviceRuntimeError

LENGTHS = [1, 15, 16, 100, 1000, 4099, 40 * 256 + 17, 200_003]


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_add_project(tmp_path_factory.mktemp("add"))


def _inputs(n: int, dtype: type, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.standard_normal(n).astype(dtype), rng.standard_normal(n).astype(dtype)


@pytest.mark.parametrize("dtype", [np.float16, np.float32])
@pytest.mark.parametrize("n", LENGTHS)
def test_add_matches_numpy(project: Path, dtype: type, n: int) -> None:
    x, y = _inputs(n, dtype, n)
    z = np.full(n, np.nan, dtype)
    run_project(project, ADD_SPEC, {"x": x, "y": y, "z": z}, {})
    # numpy adds 16-bit floats in float32 and rounds once, as the vector unit does: the bits must agree.
    np.testing.assert_array_equal(z.view(np.uint8), (x + y).view(np.uint8))


def test_inputs_are_not_modified(project: Path) -> None:
    x, y = _inputs(1000, np.float32, 1)
    x0, y0 = x.copy(), y.copy()
    run_project(project, ADD_SPEC, {"x": x, "y": y, "z": np.zeros(1000, np.float32)}, {})
    np.testing.assert_array_equal(x, x0)
    np.testing.assert_array_equal(y, y0)


def test_counters_equal_the_tensor_bytes(project: Path) -> None:
    n = 40 * 272 - 5  # 272 halves per core (a multiple of 32 bytes); the last core gets 267
    x, y = _inputs(n, np.float16, 2)
    z = np.zeros(n, np.float16)
    report = run_project(project, ADD_SPEC, {"x": x, "y": y, "z": z}, {})
    assert report.block_dim == 40
    assert report.tiling_key == 0
    assert len(report.cores) == 40
    assert report.gm_read_bytes == x.nbytes + y.nbytes
    assert report.gm_write_bytes == z.nbytes
    assert sum(report.dma_sizes.values()) == report.dma_ops == 3 * 40
    assert report.dma_sizes == {544: 3 * 39, 534: 3}
    assert report.vector_ops == 40
    assert report.cores[0].gm_read_bytes == 2 * 544
    assert report.cores[39].dma_sizes == {534: 3}
    # Three queues of two tiles of 272 halves (544 bytes, already 32-byte aligned).
    assert all(c.ub_bytes == 6 * 544 for c in report.cores)
    assert all(c.tiling_read_bytes == 12 for c in report.cores)


def test_second_run_compiles_nothing(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    x, y = _inputs(64, np.float32, 3)
    run_project(project, ADD_SPEC, {"x": x, "y": y, "z": np.zeros(64, np.float32)}, {})

    def no_compiler(args: Sequence[str]) -> None:
        raise AssertionError(f"g++ was started: {args}")

    monkeypatch.setattr(build, "run_gxx", no_compiler)
    report = run_project(project, ADD_SPEC, {"x": x, "y": y, "z": np.zeros(64, np.float32)}, {})
    assert report.compiled is False


def test_a_kernel_edit_recompiles_only_the_kernel(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    x, y = _inputs(64, np.float32, 4)
    run_project(write_add_project(tmp_path / "a"), ADD_SPEC, {"x": x, "y": y, "z": np.zeros(64, np.float32)}, {})
    # A private cache seeded with the harness and host objects, so the edited kernel is new to it.
    cache = tmp_path / "cache"
    (cache / "emu" / "obj").mkdir(parents=True)
    for obj in (build.cache_dir() / "obj").glob("*.o"):
        if obj.name.startswith(("harness-", "host-")):
            shutil.copy(obj, cache / "emu" / "obj" / obj.name)
    shutil.copytree(build.cache_dir() / "pch", cache / "emu" / "pch")
    monkeypatch.setenv("ASCDSL_CACHE_DIR", str(cache))
    calls: list[list[str]] = []
    real = build.run_gxx

    def counting(args: Sequence[str]) -> subprocess.CompletedProcess[str]:
        calls.append(list(args))
        return real(args)

    monkeypatch.setattr(build, "run_gxx", counting)
    edited = write_add_project(tmp_path / "b", KERNEL_CPP + "\n// an edit\n")
    report = run_project(edited, ADD_SPEC, {"x": x, "y": y, "z": np.zeros(64, np.float32)}, {})
    assert report.compiled is True
    compiled = [a[a.index("-c") + 1] for a in calls if "-c" in a]
    assert len(compiled) == 1 and "entry-" in compiled[0]  # the kernel only
    assert len(calls) == 2  # and the link


def test_cache_dir_follows_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ASCDSL_CACHE_DIR", str(tmp_path))
    assert build.cache_dir() == tmp_path / "emu"
    monkeypatch.delenv("ASCDSL_CACHE_DIR")
    assert build.cache_dir() == Path.home() / ".cache" / "ascdsl" / "emu"


def test_infer_shape_is_checked_against_the_outputs(project: Path) -> None:
    x, y = _inputs(64, np.float32, 5)
    with pytest.raises(
        DeviceRuntimeError,
        match=r"InferShape of AddCustom gives output 'z' the shape \[64\] but the array passed has the shape \[65\]",
    ):
        run_project(project, ADD_SPEC, {"x": x, "y": y, "z": np.zeros(65, np.float32)}, {})


def test_the_soc_must_be_configured(project: Path) -> None:
    x, y = _inputs(8, np.float32, 7)
    with pytest.raises(DeviceRuntimeError, match=r'has no AICore\(\).AddConfig\("ascend310p"\)'):
        run_project(project, ADD_SPEC, {"x": x, "y": y, "z": np.zeros(8, np.float32)}, {}, soc="ascend310p")
    run_project(project, ADD_SPEC, {"x": x, "y": y, "z": np.zeros(8, np.float32)}, {}, soc="ascend910_93", core_num=48)


def test_caller_mistakes_are_reported_before_compiling(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_compiler(args: Sequence[str]) -> None:
        raise AssertionError("g++ was started")

    monkeypatch.setattr(build, "run_gxx", no_compiler)
    project = write_add_project(tmp_path, KERNEL_CPP + "// never compiled\n")
    f32 = np.zeros(8, np.float32)
    with pytest.raises(AscdslError, match="AddCustom has no tensor named q"):
        run_project(project, ADD_SPEC, {"x": f32, "y": f32, "z": f32.copy(), "q": None}, {})
    with pytest.raises(AscdslError, match=r"tensor 'y' \(in\) needs an array"):
        run_project(project, ADD_SPEC, {"x": f32, "z": f32.copy()}, {})
    with pytest.raises(AscdslError, match="AddCustom has no attribute named alpha"):
        run_project(project, ADD_SPEC, {"x": f32, "y": f32, "z": f32.copy()}, {"alpha": 1})
    with pytest.raises(AscdslError, match="the out tensor 'z' is read-only"):
        run_project(project, ADD_SPEC, {"x": f32, "y": f32, "z": np.broadcast_to(np.float32(0), (8,))}, {})
    with pytest.raises(AscdslError, match="no dtype combination matches x=f32, y=f32, z=f16"):
        run_project(project, ADD_SPEC, {"x": f32, "y": f32, "z": np.zeros(8, np.float16)}, {})

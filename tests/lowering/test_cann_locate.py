"""Finding the CANN toolkit, and `build_project` saying exactly what is missing."""

from __future__ import annotations

from pathlib import Path

import pytest
from ascdsl.lowering import cann
from ascdsl.lowering.project_writer import write_project
from lowering_examples import ADD_CUSTOM, ADD_CUSTOM_KERNEL, ADD_CUSTOM_TILING_FUNC, ADD_CUSTOM_TILING_H

from ascdsl.errors import BackendUnavailableError


@pytest.fixture
def no_toolkit(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No toolkit variable set, and the default install path points into the test's own directory."""
    for var in cann.TOOLKIT_ENV_VARS:
        monkeypatch.delenv(var, raising=False)
    default = tmp_path / "usr/local/Ascend/ascend-toolkit/latest"
    monkeypatch.setattr(cann, "DEFAULT_TOOLKIT_PATHS", (default,))
    return default


def test_not_found(no_toolkit: Path) -> None:
    assert cann.find_cann() is None


def test_found_at_the_default_path(no_toolkit: Path) -> None:
    no_toolkit.mkdir(parents=True)
    assert cann.find_cann() == no_toolkit


@pytest.mark.parametrize("var", ["ASCEND_HOME_PATH", "ASCEND_TOOLKIT_HOME", "ASCEND_CANN_PACKAGE_PATH"])
def test_found_through_each_variable(
    no_toolkit: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, var: str
) -> None:
    (tmp_path / var).mkdir()
    monkeypatch.setenv(var, str(tmp_path / var))
    assert cann.find_cann() == tmp_path / var


def test_order_and_stale_values(no_toolkit: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("toolkit_home", "package_path"):
        (tmp_path / name).mkdir()
    no_toolkit.mkdir(parents=True)
    monkeypatch.setenv("ASCEND_HOME_PATH", str(tmp_path / "removed"))  # set, but not a directory: skipped
    monkeypatch.setenv("ASCEND_TOOLKIT_HOME", str(tmp_path / "toolkit_home"))
    monkeypatch.setenv("ASCEND_CANN_PACKAGE_PATH", str(tmp_path / "package_path"))
    assert cann.find_cann() == tmp_path / "toolkit_home"
    monkeypatch.delenv("ASCEND_TOOLKIT_HOME")
    assert cann.find_cann() == tmp_path / "package_path"
    monkeypatch.delenv("ASCEND_CANN_PACKAGE_PATH")
    assert cann.find_cann() == no_toolkit


def _project(tmp_path: Path) -> Path:
    proj = tmp_path / "proj"
    write_project(
        proj,
        ADD_CUSTOM,
        kernel_cpp=ADD_CUSTOM_KERNEL,
        tiling_h=ADD_CUSTOM_TILING_H,
        tiling_func_cpp=ADD_CUSTOM_TILING_FUNC,
    )
    return proj


def test_build_project_says_what_is_missing(no_toolkit: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ASCEND_CANN_PACKAGE_PATH", str(tmp_path / "gone"))
    proj = _project(tmp_path)
    with pytest.raises(BackendUnavailableError) as info:
        cann.build_project(proj)
    message = str(info.value)
    assert message.startswith(f"cannot build {proj}: no CANN toolkit found.")
    assert "  ASCEND_HOME_PATH: not set" in message
    assert "  ASCEND_TOOLKIT_HOME: not set" in message
    assert f"  ASCEND_CANN_PACKAGE_PATH: set to {tmp_path / 'gone'}, which is not a directory" in message
    assert f"  {no_toolkit}: does not exist" in message
    assert "install the CANN toolkit" in message and "set_env.sh" in message


def test_build_project_needs_a_project(tmp_path: Path) -> None:
    with pytest.raises(BackendUnavailableError, match=r"has no build\.sh"):
        cann.build_project(tmp_path)


def test_build_project_runs_build_sh(no_toolkit: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    toolkit = tmp_path / "toolkit"
    toolkit.mkdir()
    monkeypatch.setenv("ASCEND_TOOLKIT_HOME", str(toolkit))
    proj = tmp_path / "proj"
    proj.mkdir()
    # a stand-in build.sh reporting where it ran and which toolkit it was pointed at
    (proj / "build.sh").write_text('echo "$PWD $ASCEND_TOOLKIT_HOME ${ASCEND_HOME_PATH:-unset}" > ran.txt\nexit 3\n')
    assert cann.build_project(proj) == 3
    assert (proj / "ran.txt").read_text().split() == [str(proj), str(toolkit), "unset"]

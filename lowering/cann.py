"""Finding the CANN toolkit and running a generated project's build.sh with it."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from ascdsl.errors import BackendUnavailableError

# Checked in this order; set_env.sh of the toolkit exports the first two, CMake projects use the third.
TOOLKIT_ENV_VARS: tuple[str, ...] = ("ASCEND_HOME_PATH", "ASCEND_TOOLKIT_HOME", "ASCEND_CANN_PACKAGE_PATH")
# Where the toolkit installer puts it by default when run as root.
DEFAULT_TOOLKIT_PATHS: tuple[Path, ...] = (Path("/usr/local/Ascend/ascend-toolkit/latest"),)


@dataclass(frozen=True)
class _Probe:
    where: str  # "ASCEND_HOME_PATH" or a path
    path: Path | None
    status: str  # "not set", "set to X, which is not a directory", "does not exist", "found"

    @property
    def found(self) -> bool:
        return self.status == "found"


def _probes() -> list[_Probe]:
    probes: list[_Probe] = []
    for var in TOOLKIT_ENV_VARS:
        value = os.environ.get(var, "")
        if not value:
            probes.append(_Probe(var, None, "not set"))
        elif Path(value).is_dir():
            probes.append(_Probe(var, Path(value), "found"))
        else:
            probes.append(_Probe(var, Path(value), f"set to {value}, which is not a directory"))
    for path in DEFAULT_TOOLKIT_PATHS:
        probes.append(_Probe(str(path), path, "found" if path.is_dir() else "does not exist"))
    return probes


def find_cann() -> Path | None:
    """The CANN toolkit root: the first of $ASCEND_HOME_PATH, $ASCEND_TOOLKIT_HOME, $ASCEND_CANN_PACKAGE_PATH and
    /usr/local/Ascend/ascend-toolkit/latest that is a directory, or None."""
    for probe in _probes():
        if probe.found:
            return probe.path
    return None


def _not_found_message(project_dir: Path) -> str:
    probes = _probes()
    env = [p for p in probes if p.where in TOOLKIT_ENV_VARS]
    paths = [p for p in probes if p.where not in TOOLKIT_ENV_VARS]
    lines = [f"cannot build {project_dir}: no CANN toolkit found.", "checked environment variables:"]
    lines += [f"  {p.where}: {p.status}" for p in env]
    lines.append("checked paths:")
    lines += [f"  {p.where}: {p.status}" for p in paths]
    lines += [
        "to fix: install the CANN toolkit (the Ascend-cann-toolkit_<version>_linux-<arch>.run installer; no NPU",
        "is needed to build) and load its environment, e.g.",
        "  source /usr/local/Ascend/ascend-toolkit/set_env.sh   (CANN 9: source <install dir>/cann/set_env.sh)",
        "so that ASCEND_HOME_PATH points at it. build.sh also needs cmake >= 3.16 and python3.",
    ]
    return "\n".join(lines)


def build_project(project_dir: Path) -> int:
    """Run `bash build.sh` in a project written by write_project; return its exit status.

    Raises BackendUnavailableError, saying what is missing, when there is no toolkit or no bash.
    """
    project_dir = Path(project_dir)
    script = project_dir / "build.sh"
    if not script.is_file():
        raise BackendUnavailableError(
            f"cannot build {project_dir}: it has no build.sh (write it with `ascdsl compile ... -o {project_dir}`)"
        )
    toolkit = find_cann()
    if toolkit is None:
        raise BackendUnavailableError(_not_found_message(project_dir))
    bash = shutil.which("bash")
    if bash is None:
        raise BackendUnavailableError(f"cannot build {project_dir}: bash is not on PATH")
    env = dict(os.environ)
    if not Path(env.get("ASCEND_HOME_PATH") or "/nonexistent").is_dir():
        # build.sh trusts a set ASCEND_HOME_PATH; when it is unset or stale, let the script find the
        # toolkit found here (through ASCEND_TOOLKIT_HOME) and source its set_env.sh, which also puts
        # msopgen and the compilers on PATH.
        env.pop("ASCEND_HOME_PATH", None)
        env["ASCEND_TOOLKIT_HOME"] = str(toolkit)
    return subprocess.run([bash, "build.sh"], cwd=project_dir, env=env, check=False).returncode

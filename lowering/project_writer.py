"""Writes the complete CANN custom-operator project of one operator.

Layout (msopgen's, so the toolkit's tools and anyone who knows them find everything where expected):

    <out_dir>/CMakeLists.txt, CMakePresets.json, build.sh, README.md, <kernel_name>.json
    <out_dir>/op_host/<kernel_name>.cpp, op_host/CMakeLists.txt
    <out_dir>/op_kernel/<kernel_name>.cpp, op_kernel/<kernel_name>_tiling.h, op_kernel/CMakeLists.txt

The output depends only on the arguments: same input, same bytes (no dates, paths or host names).
"""

from __future__ import annotations

import re
from pathlib import Path

from ascdsl.lowering.build_script import print_build_sh
from ascdsl.lowering.cmake_printer import (
    print_cmake_presets,
    print_op_host_cmakelists,
    print_op_kernel_cmakelists,
    print_root_cmakelists,
)
from ascdsl.lowering.msopgen_json import print_msopgen_json
from ascdsl.lowering.op_host_printer import print_op_host
from ascdsl.lowering.opdef_printer import check_spec
from ascdsl.lowering.opspec import OpSpec
from ascdsl.lowering.project_readme import TilingKey, print_readme

# The vendor becomes a directory name and is substituted into the toolkit's install scripts with sed.
_VENDOR = re.compile(r"[A-Za-z0-9_]+")


def _ends_with_newline(text: str) -> str:
    return text if text.endswith("\n") else text + "\n"


def project_files(
    spec: OpSpec,
    *,
    kernel_cpp: str,
    tiling_h: str,
    tiling_func_cpp: str,
    vendor: str = "ascdsl",
    tiling_keys: tuple[TilingKey, ...] = (),
) -> dict[str, str]:
    """Relative path -> content of every file of the project, in the order they are written."""
    check_spec(spec)
    if not _VENDOR.fullmatch(vendor):
        raise ValueError(f"vendor {vendor!r}: use letters, digits and underscores only")
    k = spec.kernel_name
    return {
        "CMakeLists.txt": print_root_cmakelists(spec),
        "CMakePresets.json": print_cmake_presets(spec, vendor),
        "README.md": print_readme(spec, vendor, tiling_keys),
        "build.sh": print_build_sh(spec),
        f"{k}.json": print_msopgen_json(spec),
        "op_host/CMakeLists.txt": print_op_host_cmakelists(spec),
        f"op_host/{k}.cpp": print_op_host(spec, tiling_func_cpp),
        "op_kernel/CMakeLists.txt": print_op_kernel_cmakelists(spec),
        f"op_kernel/{k}.cpp": _ends_with_newline(kernel_cpp),
        f"op_kernel/{k}_tiling.h": _ends_with_newline(tiling_h),
    }


def write_project(
    out_dir: Path,
    spec: OpSpec,
    *,
    kernel_cpp: str,
    tiling_h: str,
    tiling_func_cpp: str,
    vendor: str = "ascdsl",
    tiling_keys: tuple[TilingKey, ...] = (),
) -> list[Path]:
    """Write the project into `out_dir` (created if needed; other files there are left alone)."""
    files = project_files(
        spec, kernel_cpp=kernel_cpp, tiling_h=tiling_h, tiling_func_cpp=tiling_func_cpp, vendor=vendor, tiling_keys=tiling_keys
    )
    written: list[Path] = []
    for rel, text in files.items():
        path = out_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        # newline="\n": the same bytes on every platform; build.sh must not get CRLFs.
        with path.open("w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        path.chmod(0o755 if rel.endswith(".sh") else 0o644)
        written.append(path)
    return written

"""Compile a CANN op project against the emulator headers, caching objects and binaries by content.

Keys hash the emulator's own sources, the project's op_host/ and op_kernel/ files, the compiler and the
flags, so an unchanged project runs no g++ at all on the second call. Objects are shared between projects
with the same content (the kernel object also depends on the DTYPE_* defines).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path

from ascdsl.errors import AscdslError

EMU_ROOT = Path(__file__).resolve().parent
INCLUDE_DIR = EMU_ROOT / "include"
HARNESS_DIR = EMU_ROOT / "harness"
COMPILER = "g++"
FLAGS: tuple[str, ...] = ("-std=c++17", "-O1", "-pthread", "-fno-strict-aliasing", "-fmax-errors=5")
SOURCE_SUFFIXES = (".cpp", ".cc", ".h", ".hpp", ".inc")
HEADER_SUFFIXES = (".h", ".hpp", ".inc")


class EmuCompileError(AscdslError):
    """g++ rejected a project source (or the emulator's headers rejected a construct, e.g. a Cast pair)."""


@dataclass(frozen=True)
class Build:
    binary: Path
    compiled: bool


def cache_dir() -> Path:
    """`$ASCDSL_CACHE_DIR/emu`, by default `~/.cache/ascdsl/emu`."""
    root = os.environ.get("ASCDSL_CACHE_DIR")
    return (Path(root) if root else Path.home() / ".cache" / "ascdsl") / "emu"


def _digest(parts: Iterable[bytes | str]) -> str:
    h = hashlib.sha256()
    for p in parts:
        data = p.encode() if isinstance(p, str) else p
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()[:32]


def _tree(root: Path, suffixes: tuple[str, ...] = SOURCE_SUFFIXES) -> list[bytes | str]:
    out: list[bytes | str] = []
    for path in sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in suffixes):
        out += [str(path.relative_to(root)), path.read_bytes()]
    return out


def _compiler_identity() -> str:
    # Identify the compiler without running it: a cache hit must not start g++.
    path = shutil.which(COMPILER)
    if path is None:
        raise AscdslError(f"the emulator needs {COMPILER}, which is not on PATH")
    st = Path(path).resolve().stat()
    return f"{Path(path).resolve()}:{st.st_size}:{st.st_mtime_ns}"


def run_gxx(args: Sequence[str]) -> subprocess.CompletedProcess[str]:
    """The single place that starts the compiler (tests replace it to prove a cache hit).

    The C locale keeps messages in English with ASCII quotes, whatever the user's environment.
    """
    env = {**os.environ, "LC_ALL": "C"}
    return subprocess.run([COMPILER, *args], capture_output=True, text=True, check=False, env=env)


def first_errors(stderr: str, limit: int = 10) -> str:
    """The error lines of g++ output and where templates were instantiated from, not the whole spew."""
    keep = [ln for ln in stderr.splitlines() if "error" in ln or "required from here" in ln]
    if not keep:
        keep = stderr.splitlines()[-limit:]
    return "\n".join(keep[:limit])


@dataclass(frozen=True)
class _Job:
    """One translation unit to compile into a cached object."""

    source: Path
    obj: Path
    includes: Sequence[Path]
    extra: Sequence[str]  # -D and -include options
    what: str


def _compile(job: _Job) -> None:
    job.obj.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=job.obj.stem, suffix=".o.tmp", dir=job.obj.parent)
    os.close(fd)
    args = [*FLAGS, *(f"-I{p}" for p in job.includes), *job.extra, "-c", str(job.source), "-o", tmp]
    result = run_gxx(args)
    if result.returncode != 0:
        Path(tmp).unlink(missing_ok=True)
        raise EmuCompileError(f"g++ could not compile {job.what} ({job.source}):\n{first_errors(result.stderr)}")
    os.replace(tmp, job.obj)


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.is_file() and path.read_text() == text:
        return
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def _kernel_pch(emu: str) -> Path:
    """A precompiled kernel_operator.h (built once per emulator version), forced in with -include.

    It saves a third of every kernel compile. GCC ignores a PCH that does not fit and reads the header
    instead, and the kernel's own `#include "kernel_operator.h"` is then a no-op (#pragma once).
    """
    stub = cache_dir() / "pch" / emu / "kernel_operator.h"
    gch = stub.with_name(stub.name + ".gch")
    if gch.is_file():
        return stub
    _write_atomically(stub, f'#include "{INCLUDE_DIR / "kernel_operator.h"}"\n')
    fd, tmp = tempfile.mkstemp(prefix="kernel_operator", suffix=".gch.tmp", dir=stub.parent)
    os.close(fd)
    result = run_gxx([*FLAGS, f"-I{INCLUDE_DIR}", "-x", "c++-header", str(stub), "-o", tmp])
    if result.returncode != 0:
        Path(tmp).unlink(missing_ok=True)
        raise EmuCompileError(f"g++ could not precompile the emulator headers:\n{first_errors(result.stderr)}")
    os.replace(tmp, gch)
    return stub


def _entry_source(kernel_file: Path, kernel_name: str, argc: int) -> str:
    args = ", ".join(f"a[{i}]" for i in range(argc))
    return (
        "// Generated by the ascdsl emulator driver: the kernel source, included unchanged, and its launcher.\n"
        f'#include "{kernel_file}"\n'
        f'extern "C" void ascendc_emu_kernel_entry(uint8_t** a) {{ {kernel_name}({args}); }}\n'
    )


def build_project(project_dir: Path, kernel_name: str, defines: Sequence[str], argc: int) -> Build:
    """The emulator binary for a project: op_host/*.cpp + op_kernel/<kernel_name>.cpp + the harness."""
    host_sources = sorted((project_dir / "op_host").glob("*.cpp"))
    kernel_file = (project_dir / "op_kernel" / f"{kernel_name}.cpp").resolve()
    if not host_sources:
        raise AscdslError(f"{project_dir / 'op_host'} has no .cpp file")
    if not kernel_file.is_file():
        raise AscdslError(f"the kernel source {kernel_file} does not exist")
    includes = [INCLUDE_DIR, project_dir.resolve() / "op_kernel", project_dir.resolve() / "op_host"]
    emu = _digest([_compiler_identity(), *FLAGS, *_tree(INCLUDE_DIR), *_tree(HARNESS_DIR)])
    # A host object depends on op_host and the headers it can include from op_kernel (the shared tiling
    # struct), not on the kernel source; so projects that differ only in their kernel share it.
    host_side = _digest([*_tree(project_dir / "op_host"), *_tree(project_dir / "op_kernel", HEADER_SUFFIXES)])
    kernel_side = _digest([*_tree(project_dir / "op_kernel"), *_tree(project_dir / "op_host", HEADER_SUFFIXES)])
    objs = cache_dir() / "obj"
    harness = _Job(
        HARNESS_DIR / "main.cpp", objs / f"harness-{emu}.o", [INCLUDE_DIR, HARNESS_DIR], [], "the emulator harness"
    )
    hosts = [
        _Job(
            src, objs / f"host-{_digest([emu, host_side, src.name])}.o", includes, [], f"the op_host source {src.name}"
        )
        for src in host_sources
    ]
    kernel_key = _digest([emu, kernel_side, kernel_name, str(argc), *defines])
    entry = cache_dir() / "src" / f"entry-{kernel_key}.cpp"
    kernel = _Job(entry, objs / f"kernel-{kernel_key}.o", includes, defines, f"the kernel {kernel_name}.cpp")
    objects = [harness.obj, *(h.obj for h in hosts), kernel.obj]
    binary = cache_dir() / "bin" / f"emu-{_digest([o.name for o in objects])}"
    if binary.is_file():
        return Build(binary, compiled=False)

    _write_atomically(entry, _entry_source(kernel_file, kernel_name, argc))

    def compile_kernel() -> None:
        _compile(replace(kernel, extra=[*kernel.extra, "-include", str(_kernel_pch(emu))]))

    todo = [compile_kernel] if not kernel.obj.is_file() else []
    todo += [partial(_compile, job) for job in (harness, *hosts) if not job.obj.is_file()]
    with ThreadPoolExecutor(max_workers=max(1, os.cpu_count() or 1)) as pool:
        for future in [pool.submit(job) for job in todo]:
            future.result()
    _link(objects, binary, kernel_name)
    return Build(binary, compiled=True)


def _link(objects: Sequence[Path], binary: Path, kernel_name: str) -> None:
    binary.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix="emu", suffix=".tmp", dir=binary.parent)
    os.close(fd)
    result = run_gxx(["-pthread", *(str(o) for o in objects), "-o", tmp])
    if result.returncode != 0:
        Path(tmp).unlink(missing_ok=True)
        raise EmuCompileError(f"linking the emulator binary for {kernel_name} failed:\n{first_errors(result.stderr)}")
    os.replace(tmp, binary)

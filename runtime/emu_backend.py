"""backend="emu": compile the printed project and run it with g++ against the Ascend C CPU emulator.

The call is checked first exactly as on every backend (signature, then the kernel's `require` checks, with
their aclnn codes), so a bad call fails before anything runs. The printed sources are written to a project
directory named by their content hash (the emulator caches its builds the same way), outputs go to working
copies and reach the caller's arrays only when the whole run succeeded.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
from ascdsl.runtime.binding import bind
from ascdsl.runtime.device_memory import DeviceMemory
from ascdsl.runtime.emulator.build import cache_dir
from ascdsl.runtime.emulator.driver import run_project
from ascdsl.runtime.emulator.report import EmuReport
from ascdsl.runtime.interpreter.comm_impls import CommLink
from ascdsl.runtime.interpreter.engine import check_call

from ascdsl.errors import ACLNN_ERR_PARAM_INVALID, AclnnError
from ascdsl.kernel import Kernel
from ascdsl.operator import Operator
from ascdsl.targets import get_target

_compiled: dict[int, tuple[Any, Path]] = {}
_PROJECT_LOCK = threading.Lock()


def _project(k: Kernel | Operator) -> tuple[Any, Path]:
    """The kernel's compiled sources and their project directory (written once per content)."""
    with _PROJECT_LOCK:  # several ranks of a communication domain may ask at once
        return _project_locked(k)


def _project_locked(k: Kernel | Operator) -> tuple[Any, Path]:
    if id(k) in _compiled:
        return _compiled[id(k)]
    from ascdsl.lowering.compile import compile_sources
    from ascdsl.lowering.project_writer import project_files

    c = compile_sources(k)
    files = project_files(c.sig.spec, kernel_cpp=c.kernel_cpp, tiling_h=c.tiling_h, tiling_func_cpp=c.tiling_func_cpp)
    digest = hashlib.sha256("".join(f"{p}\0{t}\0" for p, t in sorted(files.items())).encode()).hexdigest()[:20]
    root = cache_dir().parent / "projects" / f"{c.sig.spec.kernel_name}-{digest}"
    if not (root / ".complete").is_file():
        for rel, text in files.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        (root / ".complete").write_text("")
    _compiled[id(k)] = (c, root)
    return c, root


def run_emu(
    unit: Kernel | Operator,
    args: Mapping[str, Any],
    *,
    soc: str | None = None,
    timeout: float = 60.0,
    memory: DeviceMemory | None = None,
    comm: CommLink | None = None,
) -> EmuReport:
    k = unit.kernel_for(args) if isinstance(unit, Operator) else unit
    kernel_op = next(op for op in k.ir.ops if op.name == "tile.kernel")
    check_call(kernel_op, args)  # AclnnError with its code before anything runs
    bound = bind(kernel_op, args)  # defaults applied, arrays checked
    target = get_target(soc)
    for var, dt in bound.dtype_env.items():
        if dt.name in target.missing_dtypes:
            raise AclnnError(ACLNN_ERR_PARAM_INVALID, f"dtype {dt.aclnn} ({var}) is not supported on {target.soc}")
    c, root = _project(unit)
    names, roles = kernel_op.names, kernel_op.roles  # type: ignore[attr-defined]
    tensors: dict[str, np.ndarray | None] = {}
    attrs: dict[str, object] = {}
    originals: list[tuple[np.ndarray, np.ndarray]] = []
    for name, role, value in zip(names, roles, bound.values, strict=True):
        if role == "attr":
            attrs[name] = value
        elif role in ("in", "out", "inout"):
            if value is None:
                tensors[name] = None
                continue
            if memory is not None and memory.address_of(args[name]) is not None:
                tensors[name] = args[name]  # in device memory: the emulator maps it and works in place
                continue
            work = np.array(value.array, copy=True)
            tensors[name] = work
            if role != "in":
                originals.append((args[name], work))
    comm_line = None
    if comm is not None:  # the rank's windows and its peers': the domain's shared files
        d = comm.domain
        comm_line = f"comm {comm.rank} {d.world_size} {d.data_window_bytes} {d.state_window_bytes} {str(d.dir).encode().hex()}"
    report = run_project(
        root, c.sig.spec, tensors, attrs, soc=target.soc, core_num=target.aiv_cores, ub_bytes=target.ub_bytes, timeout=timeout,
        memory=memory, comm_line=comm_line,
    )
    for user, work in originals:
        np.copyto(user, work)
    return report

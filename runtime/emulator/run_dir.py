"""The files a run exchanges with the emulator binary: manifest.txt, one raw data file per tensor.

The format is read by runtime/emulator/harness/manifest.h. Tensors are written in OpSpec order; an absent
optional input is a `none` line without a file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from ascdsl.lowering.opspec import AttrParam, OpSpec, TensorParam
from ascdsl.runtime.device_memory import DeviceMemory

from ascdsl import dtypes
from ascdsl.errors import AscdslError


@dataclass(frozen=True)
class BoundTensor:
    param: TensorParam
    array: np.ndarray | None  # None: an absent optional input
    dtype: dtypes.DType | None


def bind_tensors(op: OpSpec, tensors: Mapping[str, np.ndarray | None]) -> list[BoundTensor]:
    """Match the caller's arrays with the OpSpec's tensors, by name; check what the emulator cannot."""
    unknown = sorted(set(tensors) - {t.name for t in op.tensors})
    if unknown:
        raise AscdslError(
            f"{op.op_type} has no tensor named {', '.join(unknown)}; its tensors are {', '.join(t.name for t in op.tensors)}"
        )
    bound = []
    for t in op.tensors:
        arr = tensors.get(t.name)
        if arr is None:
            if not (t.optional and t.role == "in"):
                raise AscdslError(f"{op.op_type}: tensor '{t.name}' ({t.role}) needs an array")
            bound.append(BoundTensor(t, None, None))
            continue
        if not isinstance(arr, np.ndarray):
            raise AscdslError(f"{op.op_type}: tensor '{t.name}' must be a numpy array, not {type(arr).__name__}")
        dt = dtypes.from_numpy(arr.dtype)
        if dt is None:
            raise AscdslError(
                f"{op.op_type}: tensor '{t.name}' has the numpy dtype {arr.dtype}, which Ascend C has no type for"
            )
        if t.is_output and not arr.flags.writeable:
            raise AscdslError(
                f"{op.op_type}: the {t.role} tensor '{t.name}' is read-only; results are written into it in place"
            )
        bound.append(BoundTensor(t, arr, dt))
    return bound


def _attr_value(a: AttrParam, value: object) -> str:
    if a.type == "bool":
        return "1" if bool(value) else "0"
    if a.type == "int":
        return str(int(value))  # type: ignore[call-overload]
    if a.type == "float":
        return repr(float(value))  # type: ignore[arg-type]
    if a.type == "str":
        return str(value).encode().hex() or "-"
    if a.type in ("list_int", "list_float"):
        items = list(value)  # type: ignore[call-overload]
        conv = int if a.type == "list_int" else float
        return " ".join([str(len(items)), *(repr(conv(v)) for v in items)])
    raise AscdslError(f"attribute '{a.name}' has the type {a.type!r}, which the emulator does not pass")


def encode_attrs(op: OpSpec, attrs: Mapping[str, object]) -> list[str]:
    """The manifest lines of the attributes the call passes; an attribute left out takes the OpDef default."""
    by_name = {a.name: a for a in op.attrs}
    unknown = sorted(set(attrs) - set(by_name))
    if unknown:
        raise AscdslError(f"{op.op_type} has no attribute named {', '.join(unknown)}")
    lines = []
    for a in op.attrs:
        if a.name in attrs:
            lines.append(f"attr {a.name} {a.type} {_attr_value(a, attrs[a.name])}")
        elif a.default is None:
            raise AscdslError(f"{op.op_type}: the required attribute '{a.name}' has no value")
    return lines


def write_run_dir(
    run_dir: Path,
    op: OpSpec,
    bound: list[BoundTensor],
    attr_lines: list[str],
    *,
    soc: str,
    core_num: int,
    ub_bytes: int,
    timeout: float,
    memory: DeviceMemory | None = None,
) -> None:
    """The manifest and data files. Tensors that are views of `memory` are passed by address, not copied."""
    lines = [f"op {op.op_type}", f"soc {soc}", f"core_num {core_num}", f"ub_bytes {ub_bytes}", f"timeout {timeout!r}"]
    if memory is not None:
        lines.append(f"memory {memory.path} {memory.base} {memory.size}")
        lines += [f"region {addr} {nbytes}" for addr, nbytes in memory.allocations()]
    for i, b in enumerate(bound):
        if b.array is None or b.dtype is None:
            lines.append(f"tensor {b.param.role} {b.param.name} none 0")
            continue
        shape = " ".join(str(d) for d in b.array.shape)
        line = f"tensor {b.param.role} {b.param.name} {b.dtype.name} {b.array.ndim} {shape}".rstrip()
        address = memory.address_of(b.array) if memory is not None else None
        if address is not None:
            memory.check(address, b.array.nbytes, f"tensor {b.param.name}")  # type: ignore[union-attr]
            lines.append(f"{line} at {address}")
            continue
        lines.append(line)
        (run_dir / f"t{i}.bin").write_bytes(np.ascontiguousarray(b.array).tobytes())
    (run_dir / "manifest.txt").write_text("\n".join([*lines, *attr_lines]) + "\n")


def read_outputs(run_dir: Path, bound: list[BoundTensor], memory: DeviceMemory | None = None) -> None:
    """Copy the results into the caller's out and inout arrays, in place (tensors in `memory` already are)."""
    for i, b in enumerate(bound):
        if b.array is None or not b.param.is_output:
            continue
        if memory is not None and memory.address_of(b.array) is not None:
            continue
        data = np.frombuffer((run_dir / f"out{i}.bin").read_bytes(), dtype=b.array.dtype)
        b.array[...] = data.reshape(b.array.shape)

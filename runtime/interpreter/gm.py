"""Global-memory values of the interpreter: numpy views of the bound arrays, bounds-checked on creation."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ascdsl.errors import DeviceRuntimeError


@dataclass(frozen=True)
class GmRef:
    """A GM tensor or a view of one: `name` is the kernel parameter it belongs to."""

    name: str
    array: np.ndarray


def _fmt(shape: Sequence[int]) -> str:
    return "[" + ", ".join(str(d) for d in shape) + "]"


def view(src: GmRef, offsets: Sequence[int], sizes: Sequence[int], steps: Sequence[int], dropped: Sequence[bool]) -> GmRef:
    index: list[int | slice] = []
    for axis, (off, size, step, drop) in enumerate(zip(offsets, sizes, steps, dropped, strict=True)):
        dim = src.array.shape[axis]
        if drop:
            if not 0 <= off < dim:
                hint = "; negative indices do not count from the end in ascdsl" if off < 0 else ""
                raise DeviceRuntimeError(
                    f"index {off} is out of range for dim {axis} of {src.name} (size {dim}, view shape "
                    f"{_fmt(src.array.shape)}){hint}"
                )
            index.append(off)
            continue
        if size > 0 and (off < 0 or off + (size - 1) * step >= dim):
            last = off + (size - 1) * step
            raise DeviceRuntimeError(
                f"slice {off}:{last + 1} is out of range for dim {axis} of {src.name} (size {dim}, view shape "
                f"{_fmt(src.array.shape)})"
            )
        index.append(slice(off, off + size * step, step) if size > 0 else slice(0, 0))
    return GmRef(src.name, src.array[tuple(index)])


def element_index(src: GmRef, indices: Sequence[int]) -> tuple[int, ...]:
    for axis, (i, dim) in enumerate(zip(indices, src.array.shape, strict=True)):
        if not 0 <= i < dim:
            raise DeviceRuntimeError(
                f"index {list(indices)} is out of range for {src.name} of shape {_fmt(src.array.shape)} "
                f"(dim {axis}: {i} is not in [0, {dim}))"
            )
    return tuple(indices)


def permute(src: GmRef, perm: Sequence[int]) -> GmRef:
    return GmRef(src.name, src.array.transpose(perm))


def reshape(src: GmRef, sizes: Sequence[int]) -> GmRef:
    if int(np.prod(sizes)) != src.array.size or any(s < 0 for s in sizes):
        raise DeviceRuntimeError(
            f"cannot reshape a view of {src.name} of shape {_fmt(src.array.shape)} to {_fmt(sizes)}: "
            "the element counts differ"
        )
    out = src.array.view()
    try:
        out.shape = tuple(sizes)  # fails instead of copying when the view's strides do not allow it
    except AttributeError:
        raise DeviceRuntimeError(
            f"cannot reshape a strided view of {src.name} of shape {_fmt(src.array.shape)} to {_fmt(sizes)} "
            "without copying; reshape the whole tensor first, then slice"
        ) from None
    return GmRef(src.name, out)


def check_same_shape(what: str, dst: np.ndarray, src_shape: Sequence[int], dst_name: str) -> None:
    if tuple(dst.shape) != tuple(src_shape):
        raise DeviceRuntimeError(f"{what}: shape {_fmt(src_shape)} does not match the view of {dst_name} of shape {_fmt(dst.shape)}")

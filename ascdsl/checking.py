"""Differential checking: run a kernel at every pipeline stage on the same inputs and compare with the tile stage.

A stage whose outputs differ names the pass that broke them, the output tensor and the first differing
element. Inputs come from the operator's examples, or are generated from the signature (small random dims,
every dtype of each dtype variable, attribute defaults) until the kernel's checks accept them.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
from xdsl.ir import OpResult

from ascdsl import dtypes
from ascdsl.dialects import tile_ops as t
from ascdsl.dialects.comm import comm_groups
from ascdsl.errors import AclnnError, AscdslError
from ascdsl.frontend.irgen import span_of_location
from ascdsl.frontend.signature import ParamSpec, read_param
from ascdsl.kernel import Kernel
from ascdsl.pipeline import PIPELINE, STAGES, lower
from ascdsl.runtime.comm_domain import CommDomain
from ascdsl.runtime.interpreter.comm_impls import CommLink
from ascdsl.runtime.interpreter.engine import run


@dataclass
class StageMismatch:
    stage: str
    pass_name: str
    tensor: str
    index: tuple[int, ...]
    expected: Any
    got: Any
    writers: list[str]  # the ops of that stage that write the tensor, with their DSL lines

    def __str__(self) -> str:
        where = f"; written by {', '.join(self.writers)}" if self.writers else ""
        return (
            f"stage {self.stage} (pass {self.pass_name}) differs from the tile stage: {self.tensor}{list(self.index)} "
            f"is {self.got!r}, expected {self.expected!r}{where}"
        )


_WRITES = ("tile.store", "tile.copy", "tile.fill", "tile.write", "ascendc.data_copy_out", "ascendc.data_copy_pad_out", "ascendc.copy2d_out", "ascendc.set_value")


def _writers(module: Any, tensor: str) -> list[str]:
    """`op @ file:line:col` for every op of the module that writes into the kernel parameter `tensor`."""
    kernel = next(op for op in module.ops if isinstance(op, t.KernelOp))
    arg = kernel.body.block.args[kernel.names.index(tensor)]
    out: list[str] = []
    for op in kernel.walk():
        if op.name not in _WRITES:
            continue
        roots = {_root(v) for v in op.operands}
        if arg in roots:
            span = span_of_location(op.location)
            out.append(f"{op.name} at {span}" if span else op.name)
    return out


def _root(v: Any) -> Any:
    while isinstance(v, OpResult) and isinstance(v.owner, t.ViewOp | t.PermuteOp | t.ReshapeOp):
        v = v.owner.source
    return v


def _copy_args(args: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in args.items()}


def _first_difference(a: np.ndarray, b: np.ndarray) -> tuple[int, ...] | None:
    ba, bb = a.view(np.uint8).reshape((*a.shape, -1)), b.view(np.uint8).reshape((*b.shape, -1))
    diff = np.any(ba != bb, axis=-1)
    if not diff.any():
        return None
    return tuple(int(i) for i in np.argwhere(diff)[0])


def compare_stages(k: Kernel, args: dict[str, Any], stages: tuple[str, ...] = STAGES, memory: Any = None) -> StageMismatch | None:
    """None when every stage writes the same bytes as the tile stage; else the first stage that does not.

    With a `DeviceMemory` (kernels that follow device addresses), every stage starts from the same memory and
    must leave the same bytes in it. A kernel that communicates runs as rank 0 of a fresh one-rank domain per
    stage, its windows starting from the same random bytes; the windows count as its outputs."""
    kernel = next(op for op in k.ir.ops if isinstance(op, t.KernelOp))
    outputs = [n for n, r in zip(kernel.names, kernel.roles, strict=True) if r in ("out", "inout")]
    start = memory.snapshot() if memory is not None else None
    reference = _copy_args(args)
    reference.update(_run_stage(k.ir, reference, kernel, memory))
    expected_memory = memory.snapshot() if memory is not None else None
    passes = dict((name, p.name if p else "frontend") for name, p in PIPELINE)
    for stage in stages[1:]:
        if memory is not None:
            memory.restore(start)
        got = _copy_args(args)
        module = lower(k.ir, stage)
        windows = _run_stage(module, got, kernel, memory)
        got.update(windows)
        if memory is not None:
            where = _first_difference(expected_memory, memory.snapshot())
            if where is not None:
                i = where[0]
                return StageMismatch(stage, passes[stage], f"device memory at {memory.base + i:#x}", (), expected_memory[i],
                                     memory.snapshot()[i], [])
        for name in outputs + list(windows):
            if reference.get(name) is None:
                continue
            where = _first_difference(reference[name], got[name])
            if where is not None:
                return StageMismatch(stage, passes[stage], name, where, reference[name][where], got[name][where], _writers(module, name))
    if memory is not None:
        memory.restore(start)
    return None


CHECK_WINDOW_BYTES = 64 << 10  # data window of the one-rank domain a communicating kernel is checked in


def _run_stage(module: Any, args: dict[str, Any], kernel: t.KernelOp, memory: Any = None) -> dict[str, np.ndarray]:
    """Run one stage; for a communicating kernel, return its rank's windows afterwards (by a descriptive name)."""
    groups = comm_groups(kernel)
    if not groups:
        run(module, args, memory=memory)
        return {}
    with CommDomain(args[groups[0]], 1, CHECK_WINDOW_BYTES) as dom:
        rng = np.random.default_rng(0)
        dom.data_window(0)[:] = rng.integers(0, 256, dom.data_window_bytes, dtype=np.uint8)
        dom.state_window(0)[:] = rng.integers(0, 256, dom.state_window_bytes, dtype=np.uint8)
        run(module, args, comm=CommLink(dom, 0), memory=memory)
        return {"data window": dom.data_window(0).copy(), "state window": dom.state_window(0).copy()}


def _params(k: Kernel) -> list[ParamSpec]:
    return [read_param(p, k.globals) for p in k.syntax.params]


def generate_args(k: Kernel, rng: np.random.Generator, tries: int = 200) -> Iterator[dict[str, Any]]:
    """Random valid calls: one per dtype combination the kernel declares, each accepted by its checks."""
    kernel = next(op for op in k.ir.ops if isinstance(op, t.KernelOp))
    params = _params(k)
    domains = {v: [dtypes.from_mlir(d) for d in a.data] for v, a in kernel.dtype_domains.data.items()}  # type: ignore[attr-defined]
    variables = sorted(domains)
    choices = _string_choices(kernel)
    for combo in itertools.product(*[domains[v] for v in variables]):
        binding = dict(zip(variables, combo, strict=True))
        for _ in range(tries):
            args = _draw(params, binding, rng, choices)
            try:
                run(k.ir, _copy_args(args))
            except AclnnError:
                continue
            yield args
            break


def _string_choices(kernel: t.KernelOp) -> dict[str, list[str]]:
    """The strings a kernel compares each string attribute with: the values worth generating."""
    out: dict[str, list[str]] = {}
    for op in kernel.walk():
        if isinstance(op, t.StrInOp) and op.source in kernel.body.block.args:
            name = kernel.names[kernel.body.block.args.index(op.source)]
            out.setdefault(name, []).extend(v.data for v in op.values.data)
    return out


def _draw(params: list[ParamSpec], binding: dict[str, Any], rng: np.random.Generator, choices: dict[str, list[str]]) -> dict[str, Any]:
    dims: dict[str, int] = {}
    args: dict[str, Any] = {}
    for p in params:
        if p.role == "attr" and p.name in choices and p.default is None:
            args[p.name] = choices[p.name][int(rng.integers(0, len(choices[p.name])))]
            continue
        if p.role == "attr":
            args[p.name] = p.default if p.default is not None else {"int": int(rng.integers(0, 4)), "bool": bool(rng.integers(0, 2)), "float": 1.0, "str": ""}[p.attr_type or "int"]
            continue
        shape = []
        for d in p.dims:
            if isinstance(d, int):
                shape.append(d)
            else:
                dims.setdefault(d, int(rng.integers(1, 9)))
                shape.append(dims[d])
        element = p.element or "f32"
        dt = binding.get(element) or dtypes.BY_NAME.get(element)
        if dt is None:
            raise AscdslError(f"no dtype for {p.name}")
        if p.optional and rng.integers(0, 2):
            args[p.name] = None
            continue
        if dt.is_float:
            arr = rng.standard_normal(shape).astype(dt.numpy)
        elif dt.kind == "bool":
            arr = rng.integers(0, 2, shape).astype(np.bool_)
        else:
            arr = rng.integers(0, 8, shape).astype(dt.numpy)
        args[p.name] = np.ascontiguousarray(arr)
    return args

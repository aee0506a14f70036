"""From a DSL kernel to a CANN custom-operator project on disk."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from ascdsl.lowering.kernel_printer import key_switch, print_kernel, print_tiling_header, specialisations, tiling_fields
from ascdsl.lowering.kernel_signature import Signature, signature_of
from ascdsl.lowering.project_readme import TilingKey
from ascdsl.lowering.project_writer import write_project
from ascdsl.lowering.tiling_printer import print_tiling_func
from xdsl.dialects.builtin import ModuleOp

from ascdsl.dialects import tile_ops as t
from ascdsl.errors import AscdslError
from ascdsl.kernel import Kernel
from ascdsl.operator import Operator
from ascdsl.pipeline import lower
from ascdsl.targets import get_target


@dataclasses.dataclass(frozen=True)
class CompiledKernel:
    sig: Signature
    kernel_cpp: str
    tiling_h: str
    tiling_func_cpp: str
    tiling_keys: tuple[TilingKey, ...] = ()  # every key the host may pick, with what it specialises


def compile_sources(
    unit: Kernel | Operator, *, socs: tuple[str, ...] = ("ascend910b", "ascend910_93"), op_type: str | None = None
) -> CompiledKernel:
    """The printed sources of a kernel, or of an operator of several kernels (one tiling key each)."""
    for soc in socs:
        get_target(soc)  # an unknown SoC is an error before any work
    kernels = [k for _, k in unit.kernels] if isinstance(unit, Operator) else [unit]
    name = op_type or (unit.op_type if isinstance(unit, Operator) else None)
    parts: list[tuple[Signature, ModuleOp]] = []
    key = 1
    for k in kernels:
        module = lower(k.ir)
        variants = specialisations(module)
        sig = dataclasses.replace(signature_of(k, name, socs), tiling_key=key, keyed=len(kernels) > 1, variants=variants)
        parts.append((sig, module))
        key += variants  # a kernel's specialisations take consecutive keys
    _check_same_interface(parts)
    sig0 = parts[0][0]
    source = ", ".join(f"{Path(k.filename).name}:{k.first_line}" for k in kernels)
    select = (unit.select, [v for v, _ in unit.kernels]) if isinstance(unit, Operator) else None
    headers = [(sig, tiling_fields(module, sig.kernel.sym_name.data)) for sig, module in parts]
    picks = [((unit.select, f'"{v}"'),) for v, _ in unit.kernels] if isinstance(unit, Operator) else [()]
    keys = tuple(key for (sig, module), pick in zip(parts, picks, strict=True) for key in _keys_of(sig, module, pick))
    return CompiledKernel(sig0, print_kernel(parts, source), print_tiling_header(headers), print_tiling_func(parts, select), keys)


def _keys_of(sig: Signature, module: ModuleOp, pick: tuple[tuple[str, str], ...]) -> list[TilingKey]:
    """The tiling keys of one kernel: its specialisations, each with the switch values it fixes."""
    kernel = next(op for op in module.ops if isinstance(op, t.KernelOp))
    switch = key_switch(kernel)
    names = [s.data for s in switch.switches.data] if switch is not None else []
    return [
        TilingKey(key, sig.body_name_of(v), kernel.sym_name.data, pick + tuple((n, "true" if v >> i & 1 else "false") for i, n in enumerate(names)))
        for v, key in enumerate(sig.keys)
    ]


def _check_same_interface(parts: list[tuple[Signature, ModuleOp]]) -> None:
    first = parts[0][0].spec
    for sig, _ in parts[1:]:
        a = [(p.name, p.role, p.optional, p.dtypes) for p in first.tensors]
        b = [(p.name, p.role, p.optional, p.dtypes) for p in sig.spec.tensors]
        if a != b or first.attrs != sig.spec.attrs:
            raise AscdslError(
                f"the kernels of operator {first.op_type} declare different parameters, attributes or dtypes; "
                "one operator has one interface"
            )


def compile_project(k: Kernel | Operator, out_dir: Path, **kwargs: object) -> list[Path]:
    c = compile_sources(k, **kwargs)  # type: ignore[arg-type]
    return write_project(
        out_dir, c.sig.spec, kernel_cpp=c.kernel_cpp, tiling_h=c.tiling_h, tiling_func_cpp=c.tiling_func_cpp, tiling_keys=c.tiling_keys
    )

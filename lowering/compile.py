"""From a DSL kernel to a CANN custom-operator project on disk."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from ascdsl.lowering.kernel_printer import print_kernel, print_tiling_header, tiling_fields
from ascdsl.lowering.kernel_signature import Signature, signature_of
from ascdsl.lowering.project_writer import write_project
from ascdsl.lowering.tiling_printer import print_tiling_func

from ascdsl.kernel import Kernel
from ascdsl.pipeline import lower
from ascdsl.targets import get_target


@dataclasses.dataclass(frozen=True)
class CompiledKernel:
    sig: Signature
    kernel_cpp: str
    tiling_h: str
    tiling_func_cpp: str


def compile_sources(k: Kernel, *, socs: tuple[str, ...] = ("ascend910b", "ascend910_93"), op_type: str | None = None) -> CompiledKernel:
    for soc in socs:
        get_target(soc)  # an unknown SoC is an error before any work
    sig = signature_of(k, op_type, socs)
    module = lower(k.ir)
    kernel_name = sig.kernel.sym_name.data
    source = f"{Path(k.filename).name}:{k.first_line}"
    return CompiledKernel(
        sig,
        print_kernel(sig, module, source),
        print_tiling_header(sig, tiling_fields(module, kernel_name)),
        print_tiling_func(sig, module),
    )


def compile_project(k: Kernel, out_dir: Path, **kwargs: object) -> list[Path]:
    c = compile_sources(k, **kwargs)  # type: ignore[arg-type]
    return write_project(out_dir, c.sig.spec, kernel_cpp=c.kernel_cpp, tiling_h=c.tiling_h, tiling_func_cpp=c.tiling_func_cpp)

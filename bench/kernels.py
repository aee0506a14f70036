"""The kernels the bench measures, named by a CLI target (FILE or FILE:KERNEL), and fresh copies of them.

A target is loaded the way `ascdsl compile` loads it, so the cold-compile subprocess and the in-process runs
compile exactly the same source.
"""

from __future__ import annotations

from dataclasses import dataclass

from paths import REPO

from ascdsl.cli import pick_kernel
from ascdsl.kernel import Kernel


@dataclass(frozen=True)
class KernelRef:
    op: str  # the name records use
    target: str  # FILE or FILE:KERNEL, relative to the repository

    @property
    def cli_target(self) -> str:
        path, sep, name = self.target.partition(":")
        return f"{REPO / path}{sep}{name}"

    def load(self) -> Kernel:
        return pick_kernel(self.cli_target)


VADD = KernelRef("vadd", "examples/vadd.py")
GATHER = KernelRef("gather_pa_kv_cache", "ops/gather_pa_kv_cache.py:gather_pa_kv_cache_norm")
GATHER_NZ = KernelRef("gather_pa_kv_cache_nz", "ops/gather_pa_kv_cache.py:gather_pa_kv_cache_nz")
NSA = KernelRef("nsa_compress_with_cache", "ops/nsa_compress_with_cache.py:nsa_compress_with_cache_kernel")
KERNELS = (VADD, GATHER, GATHER_NZ, NSA)


def fresh(k: Kernel) -> Kernel:
    """A new Kernel from the same function source: nothing parsed or lowered yet, so no cache hides the work."""
    new = Kernel(k.source, k.filename, k.first_line, k.globals, k.name)
    new.op_type = k.op_type
    return new

"""An operator made of several kernels: one per layout or mode, picked on the host by a string attribute.

All its kernels share the signature (parameter names, roles and attributes; ranks may differ). Compiled, they
become one CANN project: one tiling function that picks a tiling key, one kernel entry with a branch per key.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ascdsl.errors import AscdslError
from ascdsl.kernel import Kernel


@dataclass(frozen=True)
class Operator:
    op_type: str
    select: str  # the string attribute whose value picks the kernel
    kernels: tuple[tuple[str, Kernel], ...]  # (attribute value, kernel); the first is also the default

    def __post_init__(self) -> None:
        if not self.kernels:
            raise AscdslError(f"operator {self.op_type} has no kernel")

    @property
    def name(self) -> str:
        return self.kernels[0][1].name

    def kernel_for(self, args: Mapping[str, Any]) -> Kernel:
        """The kernel the host would pick for this call (any other value: the first, whose checks reject it)."""
        value = args.get(self.select)
        for when, k in self.kernels:
            if value == when:
                return k
        return self.kernels[0][1]


def operator(op_type: str, select: str, kernels: Mapping[str, Kernel]) -> Operator:
    return Operator(op_type, select, tuple(kernels.items()))

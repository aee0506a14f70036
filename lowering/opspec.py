"""What the host side of a CANN custom operator declares: its tensors, attributes, dtypes and SoCs.

Printers (OpDef, the aclnn prototype in the project README) and the emulator's harness read this one
description, so that the order and names of parameters agree everywhere.

Order rules (CANN):
* OpDef inputs are the `in` and `inout` tensors in kernel-signature order; OpDef outputs are the `out` and
  `inout` tensors in order. An `inout` tensor is an input and an output with the same name ("Ref").
* Kernel entry parameters: every OpDef input, then every OpDef output, then `workspace`, then `tiling`.
* aclnnXxxGetWorkspaceSize: inputs (Ref ones included, named `<name>Ref`), then attributes, then outputs that
  are not Ref, then `uint64_t* workspaceSize`, `aclOpExecutor** executor`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TensorParam:
    name: str  # snake_case, as in the DSL signature
    role: str  # "in", "out" or "inout"
    optional: bool
    # One entry per supported dtype/format combination; index i across all tensors is one combination.
    dtypes: tuple[str, ...]  # DSL dtype names: f16, bf16, f32, i8, ...
    formats: tuple[str, ...]  # "ND" or "FRACTAL_NZ"
    # For an `out` tensor: the input whose shape and dtype it has (InferShape/InferDataType copy them).
    # `inout` tensors follow themselves and leave this None.
    like: str | None = None

    @property
    def is_input(self) -> bool:
        return self.role in ("in", "inout")

    @property
    def is_output(self) -> bool:
        return self.role in ("out", "inout")


@dataclass(frozen=True)
class AttrParam:
    name: str  # snake_case
    type: str  # "int", "bool", "float", "str"
    default: int | bool | float | str | None = None  # None: the attribute is required


@dataclass(frozen=True)
class OpSpec:
    op_type: str  # CamelCase OpType, e.g. "AddCustom"
    tensors: tuple[TensorParam, ...]
    attrs: tuple[AttrParam, ...]
    socs: tuple[str, ...] = ("ascend910b", "ascend910_93")
    comm_groups: tuple[str, ...] = ()  # attributes naming HCCL communicators (an MC2 operator)

    @property
    def kernel_name(self) -> str:
        """snake_case of the OpType: the kernel entry and file name."""
        out = []
        for i, ch in enumerate(self.op_type):
            if ch.isupper() and i and (not self.op_type[i - 1].isupper() or (i + 1 < len(self.op_type) and self.op_type[i + 1].islower())):
                out.append("_")
            out.append(ch.lower())
        return "".join(out)

    @property
    def inputs(self) -> tuple[TensorParam, ...]:
        return tuple(t for t in self.tensors if t.is_input)

    @property
    def outputs(self) -> tuple[TensorParam, ...]:
        return tuple(t for t in self.tensors if t.is_output)

    @property
    def combinations(self) -> int:
        counts = {len(t.dtypes) for t in self.tensors} | {len(t.formats) for t in self.tensors}
        if len(counts) != 1:
            raise ValueError(f"{self.op_type}: every tensor needs the same number of dtype/format combinations")
        return counts.pop()

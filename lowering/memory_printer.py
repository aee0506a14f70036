"""C++ for the raw-memory ops: a GlobalTensor over bytes of another one (a struct field) or at a device address.

    AscendC::GlobalTensor<uint32_t> ctx_n;   // struct field: the bytes at offset 4 of the context buffer
    ctx_n.SetGlobalBuffer(reinterpret_cast<__gm__ uint32_t*>(reinterpret_cast<__gm__ uint8_t*>(ctxGm.GetPhyAddr()) + 4), 1);
    AscendC::GlobalTensor<int32_t> flags;    // a tensor at an address read from memory
    flags.SetGlobalBuffer(reinterpret_cast<__gm__ int32_t*>(static_cast<uint64_t>(addr)), n);
"""

from __future__ import annotations

from typing import Protocol

from xdsl.ir import Attribute, SSAValue

from ascdsl.dialects.tile_memory import GmAtOp, ReinterpretOp
from ascdsl.errors import DslError
from ascdsl.frontend.irgen import span_of_location


class _Printer(Protocol):
    gm: dict[SSAValue, str]

    def elem(self, element: Attribute) -> str: ...
    def expr(self, v: SSAValue) -> str: ...
    def fresh(self, hint: str | None) -> str: ...
    def line(self, text: str) -> None: ...


def _count(p: _Printer, sizes: tuple[SSAValue, ...] | list[SSAValue]) -> str:
    return " * ".join(f"static_cast<uint64_t>({p.expr(s)})" for s in sizes) or "1"


def emit_memory_op(p: _Printer, op: ReinterpretOp | GmAtOp) -> None:
    el = p.elem(op.result.type.element)
    name = p.fresh(op.result.name_hint or ("field" if isinstance(op, ReinterpretOp) else "at"))
    if isinstance(op, ReinterpretOp):
        if op.source not in p.gm:
            raise DslError("a struct view of a strided or offset GM view is not supported by the Ascend C backend",
                           span_of_location(op.location), "view the whole byte tensor: as_struct(t, S)")
        src = p.gm[op.source]
        ptr = f"reinterpret_cast<__gm__ uint8_t*>({src}.GetPhyAddr()) + {p.expr(op.byte_offset)}"
    else:
        ptr = f"static_cast<uint64_t>({p.expr(op.address)})"
    p.line(f"AscendC::GlobalTensor<{el}> {name};")
    p.line(f"{name}.SetGlobalBuffer(reinterpret_cast<__gm__ {el}*>({ptr}), {_count(p, op.sizes)});")
    p.gm[op.result] = name

"""Ascend C for the `comm` dialect: the communicator's windows as MC2 kernels reach them.

An MC2 operator (its OpDef names the communicator attribute with `MC2().HcclGroup(...)`) gets the HCCL
resource block of that communicator from `AscendC::GetHcclContext<AscendC::HCCL_GROUP_ID_0>()`: on Atlas A3 an
`HcclOpResParam` with this rank (`localUsrRankId`), the rank count (`rankSize`), the local data and state
windows (`localWindowsIn`, `localWindowsExp`, sizes `winSize`, `winExpSize`) and, per peer, a pointer to its
`HcclRankRelationResV2` (`windowsIn`, `windowsExp`). The kernel file includes the declaration of that layout
(`mc2_hccl_context.h`; on CANN it is the one the ops-transformer MC2 kernels declare).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from xdsl.ir import Operation

from ascdsl.dialects import comm

if TYPE_CHECKING:
    from ascdsl.lowering.kernel_printer import KernelPrinter

CONTEXT = "commCtx"
INCLUDE = '#include "mc2_hccl_context.h"'

HELPERS = """\
namespace {
// The data ("windows in") or state ("windows exp") window of a rank of the kernel's communicator; a peer's
// window is its memory mapped through the interconnect.
__aicore__ inline GM_ADDR CommWindow(__gm__ HcclOpResParam* ctx, int64_t rank, bool state)
{
    if (rank == static_cast<int64_t>(ctx->localUsrRankId)) {
        return (GM_ADDR)(state ? ctx->localWindowsExp : ctx->localWindowsIn);
    }
    __gm__ HcclRankRelationResV2* peer = (__gm__ HcclRankRelationResV2*)(ctx->remoteRes[rank].nextDevicePtr);
    return (GM_ADDR)(state ? peer->windowsExp : peer->windowsIn);
}
}  // namespace
"""


def uses_comm(kernel: Operation) -> bool:
    return any(op.dialect_name() == "comm" and not isinstance(op, comm.SyncAllOp) for op in kernel.walk())


def prologue(p: KernelPrinter) -> None:
    p.used.add(CONTEXT)
    p.line(f"__gm__ HcclOpResParam* {CONTEXT} = (__gm__ HcclOpResParam*)AscendC::GetHcclContext<AscendC::HCCL_GROUP_ID_0>();")


def _window_bytes(kind: str) -> str:
    return f"{CONTEXT}->{'winExpSize' if kind == 'state' else 'winSize'}"


def emit(p: KernelPrinter, op: Operation) -> None:
    if isinstance(op, comm.RankOp):
        p.define(op.result, f"static_cast<int64_t>({CONTEXT}->localUsrRankId)")
    elif isinstance(op, comm.SizeOp):
        p.define(op.result, f"static_cast<int64_t>({CONTEXT}->rankSize)")
    elif isinstance(op, comm.WindowBytesOp):
        p.define(op.result, f"static_cast<int64_t>({_window_bytes(op.kind.data)})")
    elif isinstance(op, comm.WindowOp):
        el = p.elem(op.result.type.element)
        kind = op.kind.data
        name = p.fresh(f"{kind}Win")
        state = "true" if kind == "state" else "false"
        p.line(f"AscendC::GlobalTensor<{el}> {name};")
        p.line(
            f"{name}.SetGlobalBuffer(reinterpret_cast<__gm__ {el}*>(CommWindow({CONTEXT}, {p.expr(op.rank)}, {state})), "
            f"{_window_bytes(kind)} / sizeof({el}));"
        )
        p.gm[op.result] = name
    elif isinstance(op, comm.SyncAllOp):
        # The cleared memory must have left the DMA queues before another core may depend on it.
        p.line("AscendC::PipeBarrier<PIPE_ALL>();")
        p.line("AscendC::SyncAll<true>();")
    else:
        raise AssertionError(f"no Ascend C for {op.name}")

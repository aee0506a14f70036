"""The `comm` dialect: what a kernel sees of its communication domain (HCCL communicator on the device).

A kernel that communicates names the string attribute holding its communicator (`group`, e.g. `group_ep`); on
the device the domain is the MC2 context of that communicator (`GetHcclContext`). The ops stay unchanged from
the `tile` stage to the `ascendc` stage: the interpreter runs them at every stage, the printer prints them.

* `comm.rank` / `comm.size`: this rank's id in the domain and the number of ranks.
* `comm.window_bytes`: the size of a window (`data` = the HCCL "windows in", `state` = the "windows exp").
* `comm.window`: a rank's window as a flat GM tensor of `element`; a peer's window is written through the
  interconnect. Reads of a window are reads of memory other agents write (the printer invalidates the
  scalar cache before a scalar read).
* `comm.sync_all`: a barrier of all cores of this device's launch (SyncAll; the host sets batch mode).
"""

from __future__ import annotations

from xdsl.dialects.builtin import IndexType, StringAttr
from xdsl.ir import Dialect, SSAValue
from xdsl.irdl import IRDLOperation, irdl_op_definition, operand_def, prop_def, result_def, traits_def
from xdsl.traits import Pure
from xdsl.utils.exceptions import VerifyException

from ascdsl.dialects.tile_types import TensorType

WINDOW_KINDS = ("data", "state")


class _InGroup(IRDLOperation):
    group = prop_def(StringAttr)  # the kernel's string attribute that names the communicator


@irdl_op_definition
class RankOp(_InGroup):
    name = "comm.rank"
    result = result_def(IndexType)
    traits = traits_def(Pure())  # one value for the whole launch

    def __init__(self, group: str) -> None:
        super().__init__(properties={"group": StringAttr(group)}, result_types=[IndexType()])


@irdl_op_definition
class SizeOp(_InGroup):
    name = "comm.size"
    result = result_def(IndexType)
    traits = traits_def(Pure())

    def __init__(self, group: str) -> None:
        super().__init__(properties={"group": StringAttr(group)}, result_types=[IndexType()])


def _check_kind(op: IRDLOperation, kind: StringAttr) -> None:
    if kind.data not in WINDOW_KINDS:
        raise VerifyException(f"{op.name}: unknown window kind {kind.data!r}; one of {', '.join(WINDOW_KINDS)}")


@irdl_op_definition
class WindowBytesOp(_InGroup):
    name = "comm.window_bytes"
    kind = prop_def(StringAttr)
    result = result_def(IndexType)
    traits = traits_def(Pure())

    def __init__(self, group: str, kind: str) -> None:
        super().__init__(properties={"group": StringAttr(group), "kind": StringAttr(kind)}, result_types=[IndexType()])

    def verify_(self) -> None:
        _check_kind(self, self.kind)


@irdl_op_definition
class WindowOp(_InGroup):
    """The window of rank `rank` as a flat GM tensor (its dim: window bytes // element size)."""

    name = "comm.window"
    kind = prop_def(StringAttr)
    rank = operand_def(IndexType)
    result = result_def(TensorType)
    # Not Pure: two windows of one rank differ by element type only, which common-subexpression elimination
    # does not look at; each stays its own GlobalTensor.

    def __init__(self, group: str, kind: str, rank: SSAValue, result_type: TensorType) -> None:
        super().__init__(
            properties={"group": StringAttr(group), "kind": StringAttr(kind)}, operands=[rank], result_types=[result_type]
        )

    def verify_(self) -> None:
        _check_kind(self, self.kind)
        if self.result.type.rank != 1:
            raise VerifyException("comm.window: a window is a flat (rank-1) tensor")


@irdl_op_definition
class SyncAllOp(IRDLOperation):
    """Every core of the launch reaches this point before any goes on; their GM writes are complete."""

    name = "comm.sync_all"

    def __init__(self) -> None:
        super().__init__()


COMM = Dialect("comm", [RankOp, SizeOp, WindowBytesOp, WindowOp, SyncAllOp], [])


def comm_groups(root: IRDLOperation) -> list[str]:
    """The communicator attributes the ops under `root` use, in order of first use."""
    out: list[str] = []
    for op in root.walk():
        if isinstance(op, _InGroup) and op.group.data not in out:
            out.append(op.group.data)
    return out


def has_core_barrier(root: IRDLOperation) -> bool:
    return any(isinstance(op, SyncAllOp) or op.name == "ascendc.sync_all" for op in root.walk())

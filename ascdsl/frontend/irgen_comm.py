"""IR generation for the communication builtins: ranks, windows, the core barrier.

    me = comm_rank(group_ep)                     # this rank in the communicator named by the attribute
    n = comm_size(group_ep)
    w = data_window(group_ep, me)                # a flat GM tensor of bytes (u8) ...
    s = state_window(group_ep, peer, f32)        # ... or of another element type
    sync_all()                                   # every core of the launch gets here first

A window is an ordinary GM view: slice it, `fill`/`copy`/`store`/`load` it. A peer's window is written
through the interconnect; the local window may be polled in a `while` loop (each read sees other ranks'
writes). The communicator is a string attribute of the kernel, which the operator's OpDef names as its HCCL
group.
"""

from __future__ import annotations

from xdsl.dialects.builtin import IndexType
from xdsl.ir import BlockArgument, SSAValue

from ascdsl import dtypes
from ascdsl.dialects import comm
from ascdsl.dialects import tile_ops as t
from ascdsl.dialects.tile_types import DYN, StrType, TensorType, ViewType, shape_attr
from ascdsl.errors import DslError, Span
from ascdsl.frontend import ast
from ascdsl.frontend.irgen_calls import CallGen
from ascdsl.frontend.values import Py, Value, describe


class CommCallGen(CallGen):
    def _group(self, v: Value, span: Span, name: str) -> str:
        """The name of the kernel's string attribute that names the communicator."""
        if isinstance(v, BlockArgument) and isinstance(v.type, StrType) and v.block is self.kernel_block and v.name_hint:
            return v.name_hint
        raise DslError(
            f"the first argument of {name} must be the kernel's string attribute naming the communicator, "
            f"got a {describe(v)}",
            span,
            "declare a parameter group_ep: Attr[str] and pass it: comm_rank(group_ep)",
        )

    def builtin_comm_rank(self, node: ast.Call) -> Value:
        ((g, gspan),) = self._args(node, "comm_rank", ["group"])
        return self.emit1(comm.RankOp(self._group(g, gspan, "comm_rank")), node.span)

    def builtin_comm_size(self, node: ast.Call) -> Value:
        ((g, gspan),) = self._args(node, "comm_size", ["group"])
        return self.emit1(comm.SizeOp(self._group(g, gspan, "comm_size")), node.span)

    def _window(self, node: ast.Call, kind: str) -> Value:
        name = f"{kind}_window"
        (g, gspan), (r, rspan), (dt, dspan) = self._args(node, name, ["group", "rank", "dtype"], {"dtype": None})
        group = self._group(g, gspan, name)
        element = dtypes.BY_NAME["u8"].mlir() if isinstance(dt, Py) and dt.value is None else self.element_of(dt, dspan, "the dtype")
        concrete = dtypes.from_mlir(element)
        if concrete is None:
            raise DslError(f"{name} needs a concrete dtype, not a dtype variable", dspan, "e.g. u8, i32 or f32")
        rank = self.as_int(r, rspan, f"the rank of {name}")
        window = self.emit1(comm.WindowOp(group, kind, rank, TensorType(element, shape_attr([DYN]))), node.span)
        # A view of the whole window with its element count explicit, so every pass sees an ordinary GM view.
        nbytes = self.emit1(comm.WindowBytesOp(group, kind), node.span)
        size = nbytes if concrete.itemsize == 1 else self.binop("//", nbytes, Py(concrete.itemsize), node.span)
        assert isinstance(size, SSAValue) and isinstance(size.type, IndexType)
        zero = self.const_int(0, node.span)
        view = t.ViewOp(window, [zero], [size], [1], [False], ViewType(element, shape_attr([DYN])), [True])
        return self.emit1(view, node.span)

    def builtin_data_window(self, node: ast.Call) -> Value:
        return self._window(node, "data")

    def builtin_state_window(self, node: ast.Call) -> Value:
        return self._window(node, "state")

    def builtin_sync_all(self, node: ast.Call) -> Value:
        self._args(node, "sync_all", [])
        if self.loop_depth:
            raise DslError("sync_all() inside a loop", node.span,
                           "every core must reach each barrier equally often: call it at the top level or in an if on attributes")
        self.emit(comm.SyncAllOp(), node.span)
        return Py(None)

"""Host/device split: what depends only on shapes, dtypes and attributes moves into the host tiling function.

The `require` checks and the top-level host computations move wholesale; inside device code, the leaves the
device cannot compute itself (dims, dtype tests, attribute values, optional-tensor presence) become
tiling-data fields, read with `tile.tiling_field`. Arithmetic on those leaves stays on the device, where it
is cheap, so the tiling data holds only what it must.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects import arith
from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import Block, BlockArgument, Operation, Region, SSAValue
from xdsl.passes import ModulePass

from ascdsl.analysis.host_values import is_host_op
from ascdsl.dialects import host
from ascdsl.dialects import tile_ops as t
from ascdsl.errors import DslError
from ascdsl.frontend.irgen import span_of_location

# Leaves of host-known computations: the device cannot produce these without the tiling data.
_LEAVES = (t.DimOp, t.DTypeInOp, t.SizeOfOp, t.PresentOp, t.StrInOp, t.ReadOp)


class _FieldNames:
    def __init__(self) -> None:
        self.used: set[str] = set()

    def make(self, value: SSAValue) -> str:
        base = value.name_hint or "v"
        name = base
        n = 1
        while name in self.used:
            n += 1
            name = f"{base}_{n}"
        self.used.add(name)
        return name


def _hoisted_ops(kernel: t.KernelOp) -> list[Operation]:
    out: list[Operation] = []
    top = kernel.body.block
    for op in top.ops:
        if isinstance(op, t.ReturnOp | arith.ConstantOp):
            continue
        if is_host_op(op):
            out.append(op)
    taken = set(out)
    for op in kernel.body.walk():
        if op.parent_block() is top or op in taken:
            continue
        if isinstance(op, _LEAVES) and is_host_op(op) and not any(a in taken for a in _ancestors(op)):
            out.append(op)
    return out


def _ancestors(op: Operation) -> list[Operation]:
    res = []
    cur = op.parent_op()
    while cur is not None:
        res.append(cur)
        cur = cur.parent_op()
    return res


def _clone_into(op: Operation, host_block: Block, mapping: dict[SSAValue, SSAValue]) -> None:
    """Clone `op` into the host block, first cloning the outside constants it (or its regions) uses."""
    inner = set(op.walk())
    for user in inner:
        for operand in user.operands:
            owner = operand.owner
            if operand in mapping or (isinstance(owner, Operation) and owner in inner):
                continue
            if isinstance(owner, Block) and owner.parent_op() in inner:
                continue
            if isinstance(owner, arith.ConstantOp):
                c = owner.clone()
                host_block.add_op(c)
                mapping[operand] = c.results[0]
            else:
                raise DslError("internal: a host computation uses a device value", span_of_location(op.location))
    clone = op.clone(value_mapper=mapping)
    host_block.add_op(clone)
    for old, new in zip(op.results, clone.results, strict=True):
        mapping[old] = new


def split_kernel(module: ModuleOp, kernel: t.KernelOp) -> host.TilingFuncOp:
    block = kernel.body.block
    host_block = Block(arg_types=[a.type for a in block.args])
    mapping: dict[SSAValue, SSAValue] = dict(zip(block.args, host_block.args, strict=True))
    hoisted = _hoisted_ops(kernel)
    hoisted_set = set(hoisted)
    for op in hoisted:
        _clone_into(op, host_block, mapping)
    names = _FieldNames()
    fields: list[Operation] = []

    def device_uses(v: SSAValue) -> list:
        return [u for u in v.uses if u.operation not in hoisted_set and not any(a in hoisted_set for a in _ancestors(u.operation))]

    def publish(v: SSAValue) -> None:
        uses = device_uses(v)
        if not uses:
            return
        name = names.make(v)
        set_op = host.SetFieldOp(mapping[v], name)
        set_op.location = _loc(v)
        host_block.add_op(set_op)
        read = t.TilingFieldOp(name, v.type)
        read.location = set_op.location
        read.results[0].name_hint = v.name_hint
        fields.append(read)
        for use in uses:
            use.operation.operands[use.index] = read.results[0]

    roles = kernel.roles
    for arg, role in zip(block.args, roles, strict=True):
        if role == "attr":
            publish(arg)
        elif role == "host" and device_uses(arg):
            raise DslError(
                f"the host array {kernel.names[arg.index]} is read on the device with a device index; "
                "this compiler version passes host arrays only as host values",
                span_of_location(device_uses(arg)[0].operation.location),
            )
    for op in hoisted:
        for r in op.results:
            publish(r)
    for op in reversed(hoisted):
        op.detach()
        op.erase(safe_erase=False)
    for read in reversed(fields):
        block.insert_op_before(read, block.first_op) if block.first_op else block.add_op(read)
    ret = host.ReturnOp()
    ret.location = kernel.location
    host_block.add_op(ret)
    func = host.TilingFuncOp(kernel.sym_name.data, Region(host_block))
    func.location = kernel.location
    module.body.block.insert_op_after(func, kernel)
    return func


def _loc(v: SSAValue):
    if isinstance(v, BlockArgument):
        return v.location
    return v.owner.location  # type: ignore[union-attr]


@dataclass(frozen=True)
class HostDeviceSplit(ModulePass):
    name = "host-device-split"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        for kernel in [k for k in op.ops if isinstance(k, t.KernelOp)]:
            split_kernel(op, kernel)

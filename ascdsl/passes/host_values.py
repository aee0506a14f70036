"""Passes that need host facts (how much work there is, element sizes) go through here.

It finds the host value behind a kernel value (a tiling field, a constant), adds host computations before the
tiling function's return, and publishes new tiling fields for the kernel.
"""

from __future__ import annotations

from xdsl.dialects import arith
from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import Attribute, BlockArgument, Operation, SSAValue

from ascdsl import dtypes
from ascdsl.dialects import host
from ascdsl.dialects import tile_ops as t
from ascdsl.dialects.tile_types import DTypeVarAttr, TensorType, ViewType
from ascdsl.passes.builder import Builder


def kernels_and_tiling(module: ModuleOp) -> list[tuple[t.KernelOp, host.TilingFuncOp]]:
    """Every kernel of a split module with its host tiling function."""
    funcs = {f.kernel.data: f for f in module.ops if isinstance(f, host.TilingFuncOp)}
    return [(k, funcs[k.sym_name.data]) for k in module.ops if isinstance(k, t.KernelOp)]


class HostValues:
    def __init__(self, kernel: t.KernelOp, func: host.TilingFuncOp) -> None:
        self.kernel = kernel
        self.func = func
        self.block = func.body.block
        self.ret = self.block.last_op
        assert isinstance(self.ret, host.ReturnOp)
        self.host = Builder.before(self.ret)
        self.work: list[SSAValue] = []  # host values: work items offered by each distributed loop
        self.fields = {op.field.data: op.value for op in self.block.ops if isinstance(op, host.SetFieldOp)}
        self._sizeof_fields: dict[str, SSAValue] = {}
        self._core_num: SSAValue | None = None

    def core_num(self) -> SSAValue:
        if self._core_num is None:
            self._core_num = self.host.v(host.CoreNumOp())
        return self._core_num

    def to_host(self, v: SSAValue) -> SSAValue | None:
        """The host value equal to kernel value `v`, or None when only the device knows it."""
        owner = v.owner
        if isinstance(owner, t.TilingFieldOp):
            return self.fields.get(owner.field.data)
        if isinstance(owner, t.DimOp) and isinstance(owner.source, BlockArgument) and owner.source.owner is self.kernel.body.block:
            return self.host.dim(self.block.args[owner.source.index], owner.axis.data)
        if isinstance(owner, arith.ConstantOp):
            c = owner.clone()
            return self.host.add(c).results[0]
        if isinstance(owner, Operation) and owner.dialect_name() == "arith":
            args = [self.to_host(o) for o in owner.operands]
            if any(a is None for a in args):
                return None
            mapping = dict(zip(owner.operands, args, strict=True))
            return self.host.add(owner.clone(value_mapper=mapping)).results[0]  # type: ignore[arg-type]
        return None

    def offer_work(self, n: SSAValue) -> None:
        hn = self.to_host(n)
        self.work.append(hn if hn is not None else self.core_num())

    def offer_group_work(self, dest: SSAValue, units: SSAValue, min_bytes: int) -> None:
        """Work of a group writing `dest`: its units, but no more cores than `min_bytes` per core allows."""
        hu = self.to_host(units)
        if hu is None or not isinstance(dest, BlockArgument):
            self.work.append(self.core_num())
            return
        h = self.host
        arg = self.block.args[dest.index]
        total = h.product([h.dim(arg, a) for a in range(dest.type.rank)])  # type: ignore[attr-defined]
        nbytes = h.mul(total, self.host_sizeof(dest.type.element))  # type: ignore[attr-defined]
        by_bytes = h.max_(h.const(1), h.floordiv(nbytes, h.const(min_bytes)))
        self.work.append(h.min_(hu, by_bytes))

    def host_sizeof(self, element: Attribute) -> SSAValue:
        if isinstance(element, DTypeVarAttr):
            return self.host.v(t.SizeOfOp(element))
        dt = dtypes.from_mlir(element)
        assert dt is not None
        return self.host.const(dt.itemsize)

    def device_sizeof(self, b: Builder, view: SSAValue) -> SSAValue:
        """Bytes of one element of `view`, as a kernel value (a tiling field for a dtype variable)."""
        ty = view.type
        assert isinstance(ty, TensorType | ViewType)
        if not isinstance(ty.element, DTypeVarAttr):
            dt = dtypes.from_mlir(ty.element)
            assert dt is not None
            return b.const(dt.itemsize)
        var = ty.element.var.data
        name = f"sizeof_{var}"
        if name not in self.fields:
            self.publish(self.host_sizeof(ty.element), name)
        return b.v(t.TilingFieldOp(name, self.fields[name].type))

    def publish(self, value: SSAValue, name: str) -> None:
        self.host.add(host.SetFieldOp(value, name))
        self.fields[name] = value
        self._sizeof_fields[name] = value

    def finish_block_dim(self) -> None:
        h = self.host
        most = h.const(1)
        for w in self.work:
            most = h.max_(most, w)
        h.add(host.SetBlockDimOp(h.min_(most, self.core_num())))

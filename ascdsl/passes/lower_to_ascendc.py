"""Lowering to the `ascendc` dialect: GM views become (tensor, offset) addresses, groups become queue traffic,
DMA and count-form vector ops, scalar GM reads become GetValue.

Per chunk of a group, data flows through the buffers the allocator chose:
  load   -> AllocTensor, DataCopy (whole 32-byte blocks) or DataCopyPad (a tail), EnQue, DeQue
  math   -> a vector op into a VECOUT / VECCALC buffer; inputs are freed after their last use
  store  -> EnQue, DeQue, DataCopy / DataCopyPad out, FreeTensor
The EnQue/DeQue pairs are the synchronisation of the pipes (MTE2 -> V -> MTE3).
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects import arith, scf
from xdsl.dialects.builtin import IndexType, ModuleOp
from xdsl.ir import Attribute, Block, BlockArgument, Operation, SSAValue
from xdsl.passes import ModulePass

from ascdsl import dtypes
from ascdsl.analysis.groups import group_of, sinks_in
from ascdsl.dialects import ascendc as ac
from ascdsl.dialects import comm
from ascdsl.dialects import tile_ops as t
from ascdsl.dialects.tile_memory import MEMORY_OPS, VOLATILE, GmAtOp, ReinterpretOp, is_volatile
from ascdsl.dialects.tile_types import DTypeVarAttr, element_name
from ascdsl.errors import DslError
from ascdsl.frontend.irgen import span_of_location
from ascdsl.passes.allocate_buffers import BUFFER_ATTR
from ascdsl.passes.builder import Builder
from ascdsl.passes.host_values import HostValues, kernels_and_tiling
from ascdsl.passes.lower_accumulate import AccumulationLowering
from ascdsl.passes.lower_count import lower_count_ops
from ascdsl.passes.lower_reduce import ReductionLowering
from ascdsl.passes.ub_tiling import CHUNK_ATTR
from ascdsl.passes.ub_tiling_accumulate import ACC_ATTR
from ascdsl.passes.ub_tiling_reduce import RED_ATTR

# What the Atlas A2 vector unit computes in each op (Ascend C static_asserts), by DSL dtype name.
VECTOR_DTYPES: dict[str, set[str]] = {
    "Add": {"f16", "f32", "i16", "i32"},
    "Sub": {"f16", "f32", "i16", "i32"},
    "Mul": {"f16", "f32", "i16", "i32"},
    "Max": {"f16", "f32", "i16", "i32"},
    "Min": {"f16", "f32", "i16", "i32"},
    "Div": {"f16", "f32"},
    "And": {"i16", "u16"},
    "Or": {"i16", "u16"},
    "Abs": {"f16", "f32"},
    "Exp": {"f16", "f32"},
    "Sqrt": {"f16", "f32"},
    # Duplicate itself takes 2- and 4-byte types; the printed FillLocal helper fills 1-byte types as byte pairs.
    "AtomicAdd": {"f32", "f16", "bf16", "i16", "i32"},  # SetAtomicAdd<T>: the types the DMA adds
    "Duplicate": {"f16", "bf16", "f32", "i16", "u16", "i32", "u32", "i8", "u8", "f8e5m2", "f8e4m3fn", "hif8"},
}
_BINARY = {t.AddOp: "Add", t.SubOp: "Sub", t.MulOp: "Mul", t.DivOp: "Div", t.MaxOp: "Max", t.MinOp: "Min", t.AndOp: "And", t.OrOp: "Or"}
_SCALAR = {t.AddOp: "Adds", t.MulOp: "Muls", t.MaxOp: "Maxs", t.MinOp: "Mins"}
_UNARY = {"abs": "Abs", "exp": "Exp", "sqrt": "Sqrt"}
# Conversions the A2 Cast does not have (the header rejects them at compile time).
_NO_CAST = {("f32", "i8"), ("bf16", "f16")}


class _Lowering(AccumulationLowering, ReductionLowering):
    def __init__(self, kernel: t.KernelOp, hv: HostValues) -> None:
        self.kernel = kernel
        self.hv = hv
        self.domains = {k: [dtypes.from_mlir(d) for d in v.data] for k, v in kernel.dtype_domains.data.items()}  # type: ignore[attr-defined]

    # ------------------------------------------------------------ dtype checks

    def dtype_names(self, element: Attribute) -> list[str]:
        if isinstance(element, DTypeVarAttr):
            return [d.name for d in self.domains.get(element.var.data, []) if d is not None]
        return [element_name(element)]

    def check_vector(self, fn: str, element: Attribute, op: Operation) -> None:
        allowed = VECTOR_DTYPES.get(fn)
        if allowed is None:
            return
        bad = [n for n in self.dtype_names(element) if n not in allowed]
        if bad:
            raise DslError(
                f"{fn} on {', '.join(bad)} is not supported by the Atlas A2 vector unit",
                span_of_location(op.location),
                f"cast to one of {', '.join(sorted(allowed))} first, or narrow the dtype with require(...)",
            )

    # ------------------------------------------------------------ addresses

    def address(self, b: Builder, view: SSAValue) -> tuple[SSAValue, SSAValue, list[SSAValue]]:
        """(kernel tensor argument, element offset, element strides of each dim) of a GM view."""
        if isinstance(view, BlockArgument):
            dims = [self.dim_of_arg(b, view, a) for a in range(view.type.rank)]  # type: ignore[attr-defined]
            strides = self.row_major(b, dims)
            return view, b.const(0), strides
        op = view.owner
        if isinstance(op, MEMORY_OPS):  # a GM tensor of its own (struct field, device address): printed as a GlobalTensor
            return view, b.const(0), self.row_major(b, list(op.sizes))
        if isinstance(op, comm.WindowOp):  # a communication window: a flat GM tensor of its own
            return view, b.const(0), [b.const(1)]
        if isinstance(op, t.ViewOp):
            base, off, st = self.address(b, op.source)
            for o, s in zip(op.offsets, st, strict=True):
                off = b.add_(off, b.mul(o, s))
            kept = []
            for s, step, dropped in zip(st, op.steps.data, op.dropped.data, strict=True):
                if not dropped.data:
                    kept.append(s if step.data == 1 else b.mul(s, b.const(step.data)))
            return base, off, kept
        if isinstance(op, t.ReshapeOp):
            base, off, st = self.address(b, op.source)
            if len(op.sizes) == 2 and len(st) >= 2:
                return base, off, [st[0], b.const(1)]  # rows kept, contiguous trailing dims merged
            return base, off, self.row_major(b, list(op.sizes))
        if isinstance(op, t.PermuteOp):
            base, off, st = self.address(b, op.source)
            return base, off, [st[p.data] for p in op.perm.data]
        raise DslError("internal: a GM view of unknown origin", span_of_location(op.location))  # type: ignore[union-attr]

    @staticmethod
    def row_major(b: Builder, dims: list[SSAValue]) -> list[SSAValue]:
        strides: list[SSAValue] = []
        acc = b.const(1)
        for d in reversed(dims):
            strides.append(acc)
            acc = b.mul(acc, d)
        return list(reversed(strides))

    def dim_of_arg(self, b: Builder, arg: BlockArgument, axis: int) -> SSAValue:
        """A dim of a kernel tensor on the device: a tiling field, published on the host when first needed."""
        name = f"{self.kernel.names[arg.index]}_dim{axis}"
        if name not in self.hv.fields:
            self.hv.publish(self.hv.host.dim(self.hv.block.args[arg.index], axis), name)
        return b.v(t.TilingFieldOp(name, IndexType()))

    # ------------------------------------------------------------ groups

    _IN = (ac.Copy2DInOp, ac.DataCopyInOp, ac.DataCopyPadInOp)
    _OUT = (ac.Copy2DOutOp, ac.DataCopyOutOp, ac.DataCopyPadOutOp)

    def copy_in(self, b: Builder, view: SSAValue, local: SSAValue, n: SSAValue) -> None:
        self.transfer(b, view, local, n, self._IN)

    def copy_out(self, b: Builder, view: SSAValue, local: SSAValue, n: SSAValue) -> None:
        self.transfer(b, view, local, n, self._OUT)

    def transfer(self, b: Builder, view: SSAValue, local: SSAValue, n: SSAValue, ops: tuple[type, type, type]) -> None:
        """One GM <-> UB transfer of a chunk view: strided 2-D, or a contiguous run (DataCopy / DataCopyPad)."""
        two_d, whole, pad = ops
        if view.type.rank == 2:  # type: ignore[attr-defined]
            self.copy_2d(b, view, local, two_d)
            return
        base, off, _ = self.address(b, view)
        self.aligned_or_pad(b, view, n, whole(base, off, local, n), pad(base, off, local, n))

    def copy_2d(self, b: Builder, view: SSAValue, local: SSAValue, cls: type[ac._Copy2D]) -> None:
        """DataCopy with DataCopyParams when rows and gaps are whole blocks within its 16-bit fields, else DataCopyPad."""
        base, off, (stride, _) = self.address(b, view)
        rows, run = b.dim(view, 0), b.dim(view, 1)
        esize = self.hv.device_sizeof(b, view)
        run_bytes = b.mul(run, esize)
        gap_bytes = b.mul(b.sub(stride, run), esize)
        c32 = b.const(32)
        aligned = b.v(arith.AndIOp(b.cmp("eq", b.sub(run_bytes, b.mul(b.floordiv(run_bytes, c32), c32)), b.const(0)),
                                   b.cmp("eq", b.sub(gap_bytes, b.mul(b.floordiv(gap_bytes, c32), c32)), b.const(0))))
        small = b.v(arith.AndIOp(b.cmp("sle", b.floordiv(gap_bytes, c32), b.const(65535)), b.cmp("sle", b.floordiv(run_bytes, c32), b.const(65535))))
        use_params = b.v(arith.AndIOp(aligned, small))
        then_b, else_b = Block(), Block()
        for blk, pad in ((then_b, False), (else_b, True)):
            inner = Builder.at_end(blk, b.loc)
            inner.add(cls(base, off, local, rows, run, stride, pad))
            inner.add(scf.YieldOp())
        b.add(scf.IfOp(use_params, [], [then_b], [else_b]))

    def aligned_or_pad(self, b: Builder, view: SSAValue, n: SSAValue, whole: Operation, pad: Operation) -> None:
        """DataCopy when the bytes are whole 32-byte blocks (every full chunk), DataCopyPad otherwise (the tail)."""
        nbytes = b.mul(n, self.hv.device_sizeof(b, view))
        rem = b.sub(nbytes, b.mul(b.floordiv(nbytes, b.const(32)), b.const(32)))
        aligned = b.cmp("eq", rem, b.const(0))
        then_b, else_b = Block(), Block()
        for blk, op in ((then_b, whole), (else_b, pad)):
            inner = Builder.at_end(blk, b.loc)
            inner.add(op)
            inner.add(scf.YieldOp())
        b.add(scf.IfOp(aligned, [], [then_b], [else_b]))

    def lower_group(self, sink: Operation) -> None:
        group = group_of(sink)
        b = Builder.before(sink)
        dest_view = group.dest
        if dest_view.type.rank == 2:  # type: ignore[attr-defined]
            # rows of `run` elements, each padded to 32 bytes in UB: vector ops cover the padding too
            esize = self.hv.device_sizeof(b, dest_view)
            run = b.dim(dest_view, 1)
            padded = b.floordiv(b.mul(b.ceildiv(b.mul(run, esize), b.const(32)), b.const(32)), esize)
            n = b.mul(b.dim(dest_view, 0), padded)
        else:
            n = b.dim(dest_view, 0)  # the chunk length; resolved to its size operand below
        if isinstance(sink, t.CopyOp):
            buf = sink.attributes[BUFFER_ATTR].data  # type: ignore[attr-defined]
            element = dest_view.type.element  # type: ignore[attr-defined]
            local = b.v(ac.AllocTensorOp(buf, element))
            self.copy_in(b, sink.source, local, n)
            self.through_queue(b, buf, local, element, dest_view, n)
            return
        if isinstance(sink, t.FillOp):
            buf = sink.attributes[BUFFER_ATTR].data  # type: ignore[attr-defined]
            element = dest_view.type.element  # type: ignore[attr-defined]
            self.check_vector("Duplicate", element, sink)
            local = b.v(ac.AllocTensorOp(buf, element))
            b.add(ac.DuplicateOp(local, sink.value, n))
            self.through_queue(b, buf, local, element, dest_view, n)
            return
        assert isinstance(sink, t.StoreOp)
        values: dict[SSAValue, tuple[SSAValue, str, str]] = {}  # tile -> (local, buffer, role)
        last_use: dict[SSAValue, Operation] = {}
        for op in group.tree:
            for operand in op.operands:
                last_use[operand] = op
        roles = {}
        for op in group.tree:
            buf = op.attributes[BUFFER_ATTR].data  # type: ignore[attr-defined]
            element = op.results[0].type.element  # type: ignore[attr-defined]
            role = self.role_of(buf)
            roles[buf] = role
            if isinstance(op, t.LoadOp):
                local = b.v(ac.AllocTensorOp(buf, element))
                self.copy_in(b, op.source, local, n)
                if role == "in":
                    b.add(ac.EnQueOp(buf, local))
                    local = b.v(ac.DeQueOp(buf, element))
                values[op.results[0]] = (local, buf, role)
                continue
            dst = b.v(ac.GetBufOp(buf, element) if role == "calc" else ac.AllocTensorOp(buf, element))
            self.compute(b, op, dst, values, n)
            values[op.results[0]] = (dst, buf, role)
            for operand in dict.fromkeys(op.operands):  # once each: `a * a` frees `a` once
                if last_use.get(operand) is op and operand in values and values[operand][2] == "in":
                    local_in, buf_in, _ = values[operand]
                    b.add(ac.FreeTensorOp(buf_in, local_in))
        local, buf, role = values[sink.value]
        element = sink.value.type.element  # type: ignore[attr-defined]
        if role == "calc":
            raise DslError("internal: the stored tile has no output buffer", span_of_location(sink.location))
        self.through_queue(b, buf, local, element, dest_view, n, atomic=sink.is_atomic)

    def role_of(self, buf: str) -> str:
        for op in self.kernel.body.block.ops:
            if isinstance(op, ac.BufferOp) and op.sym.data == buf:
                return op.role.data
        raise KeyError(buf)

    def through_queue(self, b: Builder, buf: str, local: SSAValue, element: Attribute, dest: SSAValue, n: SSAValue,
                      atomic: bool = False) -> None:
        b.add(ac.EnQueOp(buf, local))
        out = b.v(ac.DeQueOp(buf, element))
        if atomic:  # the copy out adds into GM: SetAtomicAdd around it, for this copy only
            self.check_vector("AtomicAdd", element, dest.owner if isinstance(dest.owner, Operation) else out.owner)  # type: ignore[arg-type]
            b.add(ac.SetAtomicAddOp(element))
            self.copy_out(b, dest, out, n)
            b.add(ac.SetAtomicNoneOp())
        else:
            self.copy_out(b, dest, out, n)
        b.add(ac.FreeTensorOp(buf, out))

    def compute(self, b: Builder, op: Operation, dst: SSAValue, values: dict, n: SSAValue) -> None:
        def local(v: SSAValue) -> SSAValue | None:
            return values[v][0] if v in values else None

        element = op.results[0].type.element  # type: ignore[attr-defined]
        if isinstance(op, t.FullOp):
            self.check_vector("Duplicate", element, op)
            b.add(ac.DuplicateOp(dst, op.value, n))
        elif isinstance(op, t._BinaryOp):
            lhs, rhs = local(op.lhs), local(op.rhs)
            if lhs is not None and rhs is not None:
                fn = _BINARY[type(op)]
                self.check_vector(fn, element, op)
                b.add(ac.VecBinaryOp(fn, dst, lhs, rhs, n))
            else:
                self.scalar_form(b, op, dst, lhs, rhs, n)
        elif isinstance(op, t.UnaryOp):
            src = local(op.source)
            assert src is not None
            if op.kind.data == "neg":
                self.check_vector("Mul", element, op)
                b.add(ac.VecScalarOp("Muls", dst, src, b.const(-1), n))
            elif op.kind.data in _UNARY:
                fn = _UNARY[op.kind.data]
                self.check_vector(fn, element, op)
                b.add(ac.VecUnaryOp(fn, dst, src, n))
            else:
                self.unsupported(op, f"{op.kind.data}(...) on tiles")
        elif isinstance(op, t.CastOp):
            src = local(op.source)
            assert src is not None
            pairs = [(a, c) for a in self.dtype_names(op.source.type.element) for c in self.dtype_names(element)]  # type: ignore[attr-defined]
            bad = [p for p in pairs if p in _NO_CAST]
            if bad:
                raise DslError(
                    f"Atlas A2 has no direct Cast from {bad[0][0]} to {bad[0][1]}",
                    span_of_location(op.location),
                    "cast in two steps (f32 -> f16 -> i8, bf16 -> f32 -> f16)",
                )
            b.add(ac.CastOp(dst, src, op.round.data, n))
        else:
            self.unsupported(op, op.name)

    def scalar_form(self, b: Builder, op: t._BinaryOp, dst: SSAValue, lhs: SSAValue | None, rhs: SSAValue | None, n: SSAValue) -> None:
        tile_first = lhs is not None
        src = lhs if tile_first else rhs
        scalar = op.rhs if tile_first else op.lhs
        assert src is not None
        element = op.results[0].type.element  # type: ignore[attr-defined]
        if type(op) in _SCALAR:
            fn = _SCALAR[type(op)]
            self.check_vector(fn.rstrip("s"), element, op)
            b.add(ac.VecScalarOp(fn, dst, src, scalar, n))
        elif isinstance(op, t.SubOp) and tile_first:
            self.check_vector("Add", element, op)
            neg = b.v(arith.NegfOp(scalar)) if not isinstance(scalar.type, IndexType) else b.sub(b.const(0), scalar)
            b.add(ac.VecScalarOp("Adds", dst, src, neg, n))
        elif isinstance(op, t.SubOp):
            self.check_vector("Mul", element, op)
            minus_one = b.const(-1)
            b.add(ac.VecScalarOp("Muls", dst, src, minus_one, n))
            b.add(ac.VecScalarOp("Adds", dst, dst, scalar, n))
        else:
            self.unsupported(op, f"{op.name} with a scalar operand")

    def unsupported(self, op: Operation, what: str) -> None:
        raise DslError(
            f"{what} is not supported by the Ascend C backend of this version",
            span_of_location(op.location),
            "the interpreter runs it (backend='interp'); for the device, express it with + - * max min, cast, abs, exp, sqrt",
        )

    # ------------------------------------------------------------ scalars and leftovers

    def lower_read(self, op: t.ReadOp) -> None:
        b = Builder.before(op)
        base, off, st = self.address(b, op.source)
        for i, s in zip(op.indices, st, strict=True):
            off = b.add_(off, b.mul(i, s))
        if isinstance(base.owner, comm.WindowOp):
            # Window memory is written by other ranks: drop the scalar cache's copy of the line first.
            b.add(ac.DataCacheCleanOp(base, off))
        get = ac.GetValueOp(base, off, op.result.type)
        if is_volatile(op):
            get.attributes[VOLATILE] = op.attributes[VOLATILE]
        value = b.v(get)
        op.result.replace_all_uses_with(value)
        op.detach()
        op.erase()

    def lower_write(self, op: t.WriteOp) -> None:
        b = Builder.before(op)
        base, off, st = self.address(b, op.dest)
        for i, s in zip(op.indices, st, strict=True):
            off = b.add_(off, b.mul(i, s))
        b.add(ac.SetValueOp(base, off, op.value))
        op.detach()
        op.erase()

    def lower_reduce(self, op: t.ReduceOp) -> None:
        """An integer reduction of a loaded GM view to a scalar: a scalar loop of GetValue (A2 has no integer
        ReduceSum); used for short index prefixes."""
        load = op.source.owner
        is_int = isinstance(op.result.type, IndexType)
        if not (isinstance(load, t.LoadOp) and is_int and op.source.type.rank == 1 and op.kind.data == "sum"):  # type: ignore[attr-defined]
            self.unsupported(op, f"reduce_{op.kind.data} of this tile")
        assert isinstance(load, t.LoadOp)
        b = Builder.before(op)
        base, off, (stride,) = self.address(b, load.source)
        size = b.dim(load.source, 0)
        body = Block(arg_types=[IndexType(), IndexType()])
        ib = Builder.at_end(body, op.location)
        i, acc = body.args
        v = ib.v(ac.GetValueOp(base, ib.add_(off, ib.mul(i, stride)), IndexType()))
        ib.add(scf.YieldOp(ib.add_(acc, v)))
        loop = b.add(scf.ForOp(b.const(0), size, b.const(1), [b.const(0)], body))
        op.result.replace_all_uses_with(loop.results[0])
        op.detach()
        op.erase()
        if not load.result.uses:
            load.detach()
            load.erase()

    def resolve_dims(self) -> None:
        """`tile.dim` of a view is one of its size operands; of a kernel tensor, a tiling field."""
        changed = True
        while changed:
            changed = False
            for op in list(self.kernel.body.walk()):
                if not isinstance(op, t.DimOp):
                    continue
                src, axis = op.source, op.axis.data
                if isinstance(src, BlockArgument) and src.owner is self.kernel.body.block:
                    b = Builder.before(op)
                    new = self.dim_of_arg(b, src, axis)
                elif isinstance(src.owner, t.ViewOp):
                    view = src.owner
                    kept = [i for i, d in enumerate(view.dropped.data) if not d.data]
                    new = view.sizes[kept[axis]]
                elif isinstance(src.owner, t.ReshapeOp | ReinterpretOp | GmAtOp):
                    new = src.owner.sizes[axis]
                elif isinstance(src.owner, t.PermuteOp):
                    b = Builder.before(op)
                    new = b.dim(src.owner.source, src.owner.perm.data[axis].data)
                else:
                    continue
                op.result.replace_all_uses_with(new)
                op.detach()
                op.erase()
                changed = True

    def remove_dead(self) -> None:
        """Views and other pure tile-level values nobody uses any more."""
        dead = (t.ViewOp, t.ReshapeOp, t.PermuteOp, t.DimOp, arith.ConstantOp, t.TilingFieldOp, *MEMORY_OPS)
        changed = True
        while changed:
            changed = False
            for op in reversed(list(self.kernel.body.walk())):
                removable = isinstance(op, dead) or op.dialect_name() == "arith"
                if removable and op.results and all(not r.uses for r in op.results):
                    op.detach()
                    op.erase()
                    changed = True

    def publish_sizes(self) -> None:
        """Every GM tensor the device touches gets its element count in the tiling data (SetGlobalBuffer's size)."""
        for arg, name, role in zip(self.kernel.body.block.args, self.kernel.names, self.kernel.roles, strict=True):
            if role in ("in", "out", "inout") and arg.uses:
                host_arg = self.hv.block.args[arg.index]
                self.hv.publish(self.host_numel(host_arg, self.kernel.optional[arg.index]), f"{name}_numel")

    def host_numel(self, host_arg: SSAValue, optional: bool) -> SSAValue:
        """Elements of a tensor on the host; 0 for an optional tensor that was not given."""
        h = self.hv.host
        rank = host_arg.type.rank  # type: ignore[attr-defined]
        if not optional:
            return h.product([h.dim(host_arg, a) for a in range(rank)])
        then_b, else_b = Block(), Block()
        tb = Builder.at_end(then_b, h.loc)
        tb.add(scf.YieldOp(tb.product([tb.dim(host_arg, a) for a in range(rank)])))
        eb = Builder.at_end(else_b, h.loc)
        eb.add(scf.YieldOp(eb.const(0)))
        present = h.v(t.PresentOp(host_arg))
        return h.add(scf.IfOp(present, [IndexType()], [then_b], [else_b])).results[0]

    def drop_unused_tiles(self) -> None:
        """Tiles computed but never stored (or only feeding such tiles) do nothing on the device."""
        pure = (t.LoadOp, t.FullOp, t._BinaryOp, t.CmpOp, t.WhereOp, t.UnaryOp, t.CastOp, t.ReduceOp, t.ExpandDimsOp)
        changed = True
        while changed:
            changed = False
            for op in reversed(list(self.kernel.body.walk())):
                if isinstance(op, pure) and all(not r.uses for r in op.results):
                    op.detach()
                    op.erase()
                    changed = True

    def run(self) -> None:
        self.drop_unused_tiles()
        lower_count_ops(self)
        for sink in sinks_in(self.kernel):
            if CHUNK_ATTR in sink.attributes:
                self.lower_group(sink)
                group = group_of(sink)
                sink.detach()
                sink.erase()
                for op in reversed(group.tree):
                    op.detach()
                    op.erase(safe_erase=False)
            elif ACC_ATTR in sink.attributes:
                self.lower_accumulation(sink)
            else:
                self.unsupported(sink, f"{sink.name} of a tile the compiler cannot strip-mine (a broadcast or reduction)")
        for op in list(self.kernel.body.walk()):
            if isinstance(op, t.ReduceOp) and RED_ATTR in op.attributes:
                self.lower_reduction(op)
            elif isinstance(op, t.ReduceOp):
                self.lower_reduce(op)
        for op in list(self.kernel.body.walk()):
            if isinstance(op, t.ReadOp):
                self.lower_read(op)
            elif isinstance(op, t.WriteOp):
                self.lower_write(op)
        self.resolve_dims()
        self.remove_dead()
        self.publish_sizes()
        for op in self.kernel.body.walk():
            if op.dialect_name() == "tile" and not isinstance(op, t.TilingFieldOp | t.BlockIdxOp | t.BlockNumOp | t.ReturnOp | t.KernelOp | ReinterpretOp | GmAtOp):
                self.unsupported(op, op.name)


@dataclass(frozen=True)
class LowerToAscendC(ModulePass):
    name = "lower-to-ascendc"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        for kernel, func in kernels_and_tiling(op):
            _Lowering(kernel, HostValues(kernel, func)).run()


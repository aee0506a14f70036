"""Folding that starts from a few known constants and touches only what depends on them.

A whole-module canonicalisation costs time in proportion to the code; when a pass has just made a handful of
values constant (a specialisation's switches), following their uses folds the same branches for a fraction
of that: `scf.if` on a constant runs its taken branch inline, `arith.select` picks its operand, boolean
`and`/`or`/`xor` with a constant simplify, and other arith ops fold with xDSL's folders. Then the pure ops
nobody uses any more are dropped.
"""

from __future__ import annotations

from collections.abc import Iterable

from xdsl.context import Context
from xdsl.dialects import arith, scf
from xdsl.dialects.builtin import IntegerAttr, IntegerType
from xdsl.folder import Folder
from xdsl.ir import Operation, Region, SSAValue
from xdsl.traits import Pure

I1 = IntegerType(1)


def _const_bool(v: SSAValue) -> bool | None:
    owner = v.owner
    if isinstance(owner, arith.ConstantOp) and v.type == I1 and isinstance(owner.value, IntegerAttr):
        return bool(owner.value.value.data)
    return None


def _bool_const(before: Operation, value: bool) -> SSAValue:
    c = arith.ConstantOp(IntegerAttr(-1 if value else 0, I1))
    c.location = before.location
    before.parent_block().insert_op_before(c, before)  # type: ignore[union-attr]
    return c.result


def _boolean(op: Operation) -> SSAValue | None:
    """`x and/or/xor c` with a constant c, as a value (None when nothing simplifies)."""
    if not isinstance(op, arith.AndIOp | arith.OrIOp | arith.XOrIOp) or op.results[0].type != I1:
        return None
    a, b = op.operands
    ca, cb = _const_bool(a), _const_bool(b)
    if ca is None and cb is None:
        return None
    if ca is not None and cb is not None:
        value = {arith.AndIOp: ca and cb, arith.OrIOp: ca or cb, arith.XOrIOp: ca != cb}[type(op)]
        return _bool_const(op, value)
    x, c = (b, ca) if ca is not None else (a, cb)
    if isinstance(op, arith.AndIOp):
        return x if c else _bool_const(op, False)
    if isinstance(op, arith.OrIOp):
        return _bool_const(op, True) if c else x
    return None if c else x  # xor with true is a negation: left as it is


def _inline_if(op: scf.IfOp, taken: bool) -> list[SSAValue]:
    """Run the taken branch of `op` in its place; the values that replace its results."""
    region = op.true_region if taken else op.false_region
    block = op.parent_block()
    assert block is not None
    outs: list[SSAValue] = []
    if region.blocks:
        body = region.block
        yield_op = body.last_op
        assert isinstance(yield_op, scf.YieldOp)
        outs = list(yield_op.operands)
        for inner in list(body.ops):
            if inner is yield_op:
                break
            inner.detach()
            block.insert_op_before(inner, op)
    return outs


def _replace(op: Operation, values: list[SSAValue]) -> list[Operation]:
    """Replace `op`'s results by `values` and erase it; the ops that used them."""
    users = [u.operation for r in op.results for u in r.uses]
    for r, v in zip(op.results, values, strict=True):
        r.replace_all_uses_with(v)
    op.detach()
    op.erase()
    return users


def fold_from(values: Iterable[SSAValue], ctx: Context) -> None:
    folder = Folder(ctx)
    work = [u.operation for v in values for u in v.uses]
    while work:
        op = work.pop()
        if op.parent is None:
            continue  # erased meanwhile
        if isinstance(op, scf.IfOp) and (c := _const_bool(op.cond)) is not None:
            work += _replace(op, _inline_if(op, c))
        elif isinstance(op, arith.SelectOp) and (c := _const_bool(op.cond)) is not None:
            work += _replace(op, [op.lhs if c else op.rhs])
        elif (v := _boolean(op)) is not None:
            work += _replace(op, [v])
        elif op.dialect_name() == "arith" and (folded := folder.try_fold(op)) is not None:
            new_values, new_ops = folded
            for n in new_ops:
                n.location = op.location
                op.parent_block().insert_op_before(n, op)  # type: ignore[union-attr]
            work += _replace(op, new_values)


def drop_dead(region: Region) -> None:
    """Erase pure ops whose results nobody uses (users first, so chains go in one sweep)."""
    for op in reversed(list(region.walk())):
        unused = op.parent is not None and op.results and all(not r.uses for r in op.results)
        if unused and (op.has_trait(Pure) or op.dialect_name() == "arith"):
            op.detach()
            op.erase()

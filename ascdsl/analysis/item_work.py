"""The GM work of one item of a `parallel` loop, so that core distribution can share items by bytes, not by count.

An item is *divisible* when every GM write in its body is a data-movement group (a `store`, `copy` or `fill`
of an elementwise tile tree) reached through `scf.if` branches only, and nothing in the body reads a tensor
the body writes. Then:

* its work is the bytes its groups move: per group, dim 0 of the destination times the bytes of one dim-0 row
  of the destination and of every GM source (a copy moves a row twice, a fill once); the work of a branch is
  counted only when the branch is taken, so a dry run of the item's control flow (its scalar reads and
  arithmetic, no transfers) gives the exact bytes;
* any contiguous fraction [a, e) of those bytes can be run alone, by giving every group the same fraction of
  its dim-0 rows: rows [a·r // w, e·r // w). Adjacent fractions meet exactly, so every row is written once,
  by one core.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.dialects import scf
from xdsl.ir import Block, BlockArgument, Operation, Region, SSAValue
from xdsl.traits import Pure

from ascdsl.analysis.groups import SINKS, group_of
from ascdsl.dialects import tile_ops as t


@dataclass(frozen=True)
class DivisibleItem:
    """The body of a parallel item whose work is divisible, with what a dry run of it must compute."""

    body: Block
    needed: frozenset[Operation]  # ops (outside the groups' tile trees) the sinks' sizes and branches depend on

    def has_sinks(self, op: Operation) -> bool:
        return any(isinstance(o, SINKS) for o in op.walk())


def base_tensor(view: SSAValue) -> SSAValue:
    """The kernel argument a GM view is a view of."""
    while isinstance(view.owner, t.ViewOp | t.PermuteOp | t.ReshapeOp):
        view = view.owner.source
    return view


def _inside(op: Operation, region: Region) -> bool:
    p = op.parent_region()
    while p is not None:
        if p is region:
            return True
        parent = p.parent_op()
        p = parent.parent_region() if parent is not None else None
    return False


def _owner_in(v: SSAValue, region: Region) -> Operation | None:
    """The op defining `v` when it lies inside `region` (block arguments are the loop's or a nested loop's)."""
    owner = v.owner
    if isinstance(owner, Operation) and _inside(owner, region):
        return owner
    return None


def divisible_item(loop: t.ParallelOp) -> DivisibleItem | None:
    """`loop`'s body as a DivisibleItem, or None when its items cannot be divided by bytes."""
    region = loop.body
    body = region.block
    sinks = [o for o in body.walk() if isinstance(o, SINKS)]
    if not sinks:
        return None
    written: set[SSAValue] = set()
    for s in sinks:
        g = group_of(s)
        if not g.elementwise or g.rank == 0:
            return None
        anc = s.parent_op()
        while anc is not loop:  # reached through scf.if only: no loop repeats a group
            if not isinstance(anc, scf.IfOp):
                return None
            anc = anc.parent_op()
        written.add(base_tensor(g.dest))
    for o in body.walk():
        if not _known_effects(o):
            return None  # a write that is not a group, a loop, or an op whose effects are not known here
        if isinstance(o, t.ReadOp | t.LoadOp | t.CopyOp) and base_tensor(o.source) in written:
            return None  # the body reads what it writes: a fraction of it would see other fractions' writes
    return DivisibleItem(body, frozenset(_needed(sinks, region)))


def _known_effects(op: Operation) -> bool:
    """Ops a divisible item may hold: groups, GM reads, pure computation and branches."""
    if isinstance(op, (*SINKS, t.ReadOp, t.LoadOp, t.EndOp, scf.IfOp, scf.YieldOp)):
        return True
    return op.has_trait(Pure) or op.dialect_name() == "arith"


def _needed(sinks: list[Operation], region: Region) -> set[Operation]:
    """Ops a dry run must recompute: the producers of the sinks' destinations and of the conditions and yields
    of every branch that holds a sink (with everything they use), but not the groups' tile trees."""
    trees = {o for s in sinks for o in group_of(s).tree}
    work: list[SSAValue] = []
    for s in sinks:
        work.append(group_of(s).dest)
        anc = s.parent_op()
        while isinstance(anc, scf.IfOp) and _inside(anc, region):
            work.append(anc.cond)
            for r in anc.regions:
                for blk in r.blocks:
                    work.extend(blk.last_op.operands if blk.last_op is not None else [])  # type: ignore[union-attr]
            anc = anc.parent_op()
    needed: set[Operation] = set()
    while work:
        v = work.pop()
        if isinstance(v, BlockArgument):
            continue
        owner = _owner_in(v, region)
        if owner is None or owner in needed or owner in trees or isinstance(owner, SINKS):
            continue
        if isinstance(owner, scf.IfOp) and any(isinstance(o, SINKS) for o in owner.walk()):
            continue  # rebuilt by the dry run itself
        needed.add(owner)
        for inner in owner.walk():
            work.extend(inner.operands)
    return needed

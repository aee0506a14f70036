"""Cleanup before printing: fold constants, merge identical pure computations, drop what nobody uses.

The earlier passes build addresses and sizes naively (one multiply per dim, the same dim read many times);
this makes the printed code read like code written by hand.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.passes import ModulePass
from xdsl.transforms.canonicalize import CanonicalizePass
from xdsl.transforms.common_subexpression_elimination import CommonSubexpressionElimination


@dataclass(frozen=True)
class Cleanup(ModulePass):
    name = "cleanup"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        for _ in range(2):
            CanonicalizePass().apply(ctx, op)
            CommonSubexpressionElimination().apply(ctx, op)

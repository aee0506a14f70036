"""MLIR text of the IR, with locations, and parsing it back."""

from __future__ import annotations

import io

from xdsl.context import Context
from xdsl.dialects import arith, builtin, scf
from xdsl.dialects.builtin import ModuleOp
from xdsl.parser import Parser
from xdsl.printer import Printer

from ascdsl.dialects.ascendc import ASCENDC
from ascdsl.dialects.comm import COMM
from ascdsl.dialects.host import HOST
from ascdsl.dialects.tile import TILE


def context() -> Context:
    ctx = Context()
    for dialect in (builtin.Builtin, arith.Arith, scf.Scf, TILE, HOST, ASCENDC, COMM):
        ctx.load_dialect(dialect)
    return ctx


def print_module(module: ModuleOp, *, locations: bool = True) -> str:
    """MLIR text. With locations it is in the generic op format, which xDSL prints and parses back exactly
    (the custom format of `scf.while` puts the location before its regions, where the parser rejects it)."""
    out = io.StringIO()
    Printer(stream=out, print_debuginfo=locations, print_generic_format=locations).print_op(module)
    return out.getvalue() + "\n"


def parse_module(text: str) -> ModuleOp:
    return Parser(context(), text).parse_module()

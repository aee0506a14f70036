"""C++ statements from structured IR (`arith`, `scf`): shared by the kernel printer and the tiling printer.

SSA values become locals of their exact C++ type (index -> int64_t, i1 -> bool, f32 -> float); constants and
pure leaves print inline. `scf.for` / `scf.if` / `scf.while` become C++ loops and ifs, their carried values
mutable locals assigned at the end of each iteration or branch. Dialect-specific ops are handed to
`emit_op`, which subclasses implement.
"""

from __future__ import annotations

from xdsl.dialects import arith, scf
from xdsl.dialects.builtin import Float32Type, FloatAttr, IndexType, IntegerAttr, IntegerType
from xdsl.ir import Attribute, Block, Operation, SSAValue

from ascdsl.errors import DslError
from ascdsl.frontend.irgen import span_of_location

_INT_BIN = {arith.AddiOp: "+", arith.SubiOp: "-", arith.MuliOp: "*", arith.AndIOp: "&", arith.OrIOp: "|", arith.XOrIOp: "^", arith.ShLIOp: "<<", arith.ShRSIOp: ">>"}
_FLOAT_BIN = {arith.AddfOp: "+", arith.SubfOp: "-", arith.MulfOp: "*", arith.DivfOp: "/"}
_CMPI = {0: "==", 1: "!=", 2: "<", 3: "<=", 4: ">", 5: ">="}
_CMPF = {1: "==", 2: ">", 3: ">=", 4: "<", 5: "<=", 6: "!=", 13: "!="}


def cxx_type(t: Attribute) -> str:
    if isinstance(t, IndexType):
        return "int64_t"
    if isinstance(t, IntegerType) and t.width.data == 1:
        return "bool"
    if isinstance(t, IntegerType):
        return f"int{t.width.data}_t"
    if isinstance(t, Float32Type):
        return "float"
    raise ValueError(f"no C++ scalar type for {t}")


def float_literal(v: float) -> str:
    text = repr(float(v))
    if text in ("inf", "-inf", "nan"):
        return {"inf": "(1.0f / 0.0f)", "-inf": "(-1.0f / 0.0f)", "nan": "(0.0f / 0.0f)"}[text]
    if "e" not in text and "." not in text:
        text += ".0"
    return text + "f"


class CxxEmitter:
    """Print a block of structured IR as C++ statements."""

    def __init__(self, indent: str = "    ") -> None:
        self.lines: list[str] = []
        self.names: dict[SSAValue, str] = {}
        self.used: set[str] = set()
        self.indent_unit = indent
        self.depth = 1
        self.floor_div = "FloorDiv"  # the helper the generated file defines (C++ `/` truncates)

    # ------------------------------------------------------------ names and expressions

    def fresh(self, hint: str | None) -> str:
        base = (hint or "v").replace(".", "_")
        if not base.isidentifier() or base in ("int", "float", "bool", "char", "auto", "case", "default", "new", "delete", "template"):
            base = "v_" + base if base.isidentifier() else "v"
        name = base
        n = 1
        while name in self.used:
            n += 1
            name = f"{base}_{n}"
        self.used.add(name)
        return name

    def expr(self, v: SSAValue) -> str:
        if v in self.names:
            return self.names[v]
        owner = v.owner
        if isinstance(owner, arith.ConstantOp):
            return self.const(owner)
        raise KeyError(f"value {v} has no C++ name yet")

    def const(self, op: arith.ConstantOp) -> str:
        value = op.value
        if isinstance(value, FloatAttr):
            return float_literal(value.value.data)
        assert isinstance(value, IntegerAttr)
        if isinstance(value.type, IntegerType) and value.type.width.data == 1:
            return "true" if value.value.data else "false"
        n = value.value.data
        return f"int64_t({n})" if n < 0 else f"int64_t({n})" if n > 2**31 - 1 else str(n)

    def line(self, text: str) -> None:
        self.lines.append(self.indent_unit * self.depth + text)

    def define(self, v: SSAValue, text: str) -> None:
        """`T name = text;` for a value, or inline when it is cheap to repeat."""
        name = self.fresh(v.name_hint)
        self.line(f"{cxx_type(v.type)} {name} = {text};")
        self.names[v] = name

    # ------------------------------------------------------------ blocks

    def block(self, block: Block) -> None:
        for op in block.ops:
            self.op(op)

    def op(self, op: Operation) -> None:
        if isinstance(op, arith.ConstantOp):
            return  # printed inline where used
        if self.arith(op):
            return
        if isinstance(op, scf.ForOp):
            self.for_(op)
        elif isinstance(op, scf.IfOp):
            self.if_(op)
        elif isinstance(op, scf.WhileOp):
            self.while_(op)
        elif isinstance(op, scf.YieldOp | scf.ConditionOp):
            pass  # handled by the parent
        else:
            self.emit_op(op)

    def emit_op(self, op: Operation) -> None:
        raise DslError(f"the C++ printer has no form for {op.name}", span_of_location(op.location))

    def arith(self, op: Operation) -> bool:
        e = self.expr
        if type(op) in _INT_BIN:
            a, b = op.operands
            if a.type == IntegerType(1) and type(op) in (arith.AndIOp, arith.OrIOp, arith.XOrIOp):
                sym = {arith.AndIOp: "&&", arith.OrIOp: "||", arith.XOrIOp: "!="}[type(op)]
                self.define(op.results[0], f"({e(a)} {sym} {e(b)})")
            else:
                self.define(op.results[0], f"({e(a)} {_INT_BIN[type(op)]} {e(b)})")
        elif type(op) in _FLOAT_BIN:
            a, b = op.operands
            self.define(op.results[0], f"({e(a)} {_FLOAT_BIN[type(op)]} {e(b)})")
        elif isinstance(op, arith.FloorDivSIOp):
            self.define(op.result, f"{self.floor_div}({e(op.lhs)}, {e(op.rhs)})")
        elif isinstance(op, arith.MinSIOp | arith.MinimumfOp):
            self.define(op.result, f"({e(op.lhs)} < {e(op.rhs)} ? {e(op.lhs)} : {e(op.rhs)})")
        elif isinstance(op, arith.MaxSIOp | arith.MaximumfOp):
            self.define(op.result, f"({e(op.lhs)} > {e(op.rhs)} ? {e(op.lhs)} : {e(op.rhs)})")
        elif isinstance(op, arith.CmpiOp):
            self.define(op.result, f"({e(op.lhs)} {_CMPI[op.predicate.value.data]} {e(op.rhs)})")
        elif isinstance(op, arith.CmpfOp):
            self.define(op.result, f"({e(op.lhs)} {_CMPF[op.predicate.value.data]} {e(op.rhs)})")
        elif isinstance(op, arith.SelectOp):
            self.define(op.result, f"({e(op.cond)} ? {e(op.lhs)} : {e(op.rhs)})")
        elif isinstance(op, arith.IndexCastOp | arith.ExtUIOp | arith.SIToFPOp | arith.FPToSIOp):
            self.define(op.results[0], f"static_cast<{cxx_type(op.results[0].type)}>({e(op.operands[0])})")
        elif isinstance(op, arith.NegfOp):
            self.define(op.result, f"(-{e(op.operand)})")
        else:
            return False
        return True

    # ------------------------------------------------------------ control flow

    def carried(self, results: tuple[SSAValue, ...] | list[SSAValue], inits: list[str]) -> list[str]:
        names = []
        for r, init in zip(results, inits, strict=True):
            name = self.fresh(r.name_hint)
            self.line(f"{cxx_type(r.type)} {name} = {init};")
            self.names[r] = name
            names.append(name)
        return names

    def assign_yield(self, block: Block, targets: list[str]) -> None:
        last = block.last_op
        if isinstance(last, scf.YieldOp):
            values = [self.expr(v) for v in last.operands]
            for tgt, val in zip(targets, values, strict=True):
                if tgt != val:
                    self.line(f"{tgt} = {val};")

    def for_(self, op: scf.ForOp) -> None:
        inits = [self.expr(v) for v in op.iter_args]
        names = self.carried(op.results, inits)
        body = op.body.block
        iv = self.fresh(body.args[0].name_hint or "i")
        self.names[body.args[0]] = iv
        for arg, name in zip(body.args[1:], names, strict=True):
            self.names[arg] = name
        self.line(f"for (int64_t {iv} = {self.expr(op.lb)}; {iv} < {self.expr(op.ub)}; {iv} += {self.expr(op.step)}) {{")
        self.depth += 1
        self.block(body)
        self.assign_yield(body, names)
        self.depth -= 1
        self.line("}")

    def if_(self, op: scf.IfOp) -> None:
        names = self.carried(op.results, [self.default_value(r.type) for r in op.results])
        self.line(f"if ({self.expr(op.cond)}) {{")
        self.depth += 1
        self.block(op.true_region.block)
        self.assign_yield(op.true_region.block, names)
        self.depth -= 1
        if op.false_region.blocks and (len(op.false_region.block.ops) > 1 or names):
            self.line("} else {")
            self.depth += 1
            self.block(op.false_region.block)
            self.assign_yield(op.false_region.block, names)
            self.depth -= 1
        self.line("}")

    @staticmethod
    def default_value(t: Attribute) -> str:
        return {"int64_t": "0", "bool": "false", "float": "0.0f"}.get(cxx_type(t), "0")

    def while_(self, op: scf.WhileOp) -> None:
        names = self.carried(op.results, [self.expr(v) for v in op.arguments])
        before, after = op.before_region.block, op.after_region.block
        for arg, name in zip(before.args, names, strict=True):
            self.names[arg] = name
        for arg, name in zip(after.args, names, strict=True):
            self.names[arg] = name
        self.line("while (true) {")
        self.depth += 1
        self.block(before)
        cond = before.last_op
        assert isinstance(cond, scf.ConditionOp)
        self.line(f"if (!{self.expr(cond.condition)}) {{")
        self.line(f"{self.indent_unit}break;")
        self.line("}")
        self.block(after)
        self.assign_yield(after, names)
        self.depth -= 1
        self.line("}")

"""The DSL's syntax tree: what the lark parser gives, every node with the span of its source text.

Only the supported Python subset has nodes here; constructs outside it are rejected by the parser with a
`DslError` at their keyword, so later stages never see them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ascdsl.errors import Span


@dataclass
class Node:
    span: Span


# ---------------------------------------------------------------- expressions


@dataclass
class Expr(Node):
    pass


@dataclass
class Name(Expr):
    id: str


@dataclass
class Constant(Expr):
    """An int, float, bool, str or None literal."""

    value: int | float | bool | str | None


@dataclass
class BinOp(Expr):
    """`left op right` with op one of + - * / // % ** & | ^ << >> @."""

    op: str
    left: Expr
    right: Expr


@dataclass
class UnaryOp(Expr):
    """op one of "-", "+", "~", "not"."""

    op: str
    operand: Expr


@dataclass
class BoolOp(Expr):
    """`a and b and c` / `a or b`: op is "and" or "or", values has two or more items."""

    op: str
    values: list[Expr]


@dataclass
class Compare(Expr):
    """A comparison chain `left ops[0] comparators[0] ops[1] comparators[1] ...`.

    ops items: "<", "<=", ">", ">=", "==", "!=", "in", "not in", "is", "is not".
    """

    left: Expr
    ops: list[str]
    comparators: list[Expr]


@dataclass
class IfExp(Expr):
    """`body if test else orelse`."""

    test: Expr
    body: Expr
    orelse: Expr


@dataclass
class Keyword(Node):
    name: str
    value: Expr


@dataclass
class Call(Expr):
    func: Expr
    args: list[Expr]
    keywords: list[Keyword]


@dataclass
class Attribute(Expr):
    value: Expr
    attr: str


@dataclass
class Slice(Expr):
    """`lower:upper:step` inside a subscript; each part may be None."""

    lower: Expr | None
    upper: Expr | None
    step: Expr | None


@dataclass
class Subscript(Expr):
    """`value[i0, i1, ...]`: each index is an Expr, a Slice, or Constant(None) for a new axis."""

    value: Expr
    indices: list[Expr]


@dataclass
class Tuple(Expr):
    elts: list[Expr]


@dataclass
class List(Expr):
    elts: list[Expr]


# ---------------------------------------------------------------- statements


@dataclass
class Stmt(Node):
    pass


@dataclass
class Assign(Stmt):
    """`t0 = t1 = value`: each target is a Name, a Tuple of Names, or a Subscript."""

    targets: list[Expr]
    value: Expr


@dataclass
class AugAssign(Stmt):
    """`target op= value`, op without the "=" (e.g. "+")."""

    target: Expr
    op: str
    value: Expr


@dataclass
class ExprStmt(Stmt):
    value: Expr


@dataclass
class If(Stmt):
    """`elif` is an If as the only statement of orelse."""

    test: Expr
    body: list[Stmt]
    orelse: list[Stmt]


@dataclass
class For(Stmt):
    target: Expr
    iter: Expr
    body: list[Stmt]


@dataclass
class While(Stmt):
    test: Expr
    body: list[Stmt]


@dataclass
class Break(Stmt):
    pass


@dataclass
class Continue(Stmt):
    pass


@dataclass
class Pass(Stmt):
    pass


@dataclass
class Return(Stmt):
    value: Expr | None


# ---------------------------------------------------------------- definitions


@dataclass
class Param(Node):
    name: str
    annotation: Expr | None
    default: Expr | None


@dataclass
class FunctionDef(Node):
    """A decorated kernel: `name_span` covers the function name in the `def` line."""

    name: str
    params: list[Param]
    body: list[Stmt]
    decorators: list[Expr] = field(default_factory=list)
    returns: Expr | None = None
    name_span: Span | None = None

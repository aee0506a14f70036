"""Tests of the DSL frontend parser: acceptance, precedence, spans, rejected constructs, syntax errors."""

from __future__ import annotations

import ast as pyast
import contextlib
import linecache
import warnings
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ascdsl.errors import DslError, Span
from ascdsl.frontend import ast as dsl
from ascdsl.frontend import parser as parser_module
from ascdsl.frontend.parser import parse_function

NSA_COMPRESS = '''\
@kernel
def nsa_compress(
    input: Tensor[T, NUM_PAGES, PBS, N, D],
    weight: Tensor[T, CBS, N],
    block_table: Tensor[i32, B, PAGES],
    output_cache: InOut[Tensor[T, S, N, D]],
    seq_offset: Optional[Tensor[I, B]],
    compress_stride: Attr[int],
):
    """Docstring."""
    require(T in (f16, bf16), code=161002, msg="input dtype must be float16 or bfloat16")
    require(compress_stride % 16 == 0 and compress_stride <= 64, code=561002, msg="bad stride")
    for b in parallel(B):  # spread over cores
        s = act_seq_len[b]
        if s >= CBS and (s - CBS) % compress_stride == 0:
            acc = zeros([N, D], f32)
            for t in range(CBS):
                g = s - CBS + t
                page = block_table[b, g // PBS]
                acc += cast(load(input[page, g % PBS]), f32) * cast(load(weight[t]), f32)[:, None]
            store(output_cache[slot_mapping[b]], cast(acc, T, round="rint"))
        elif s < 0:
            pass
        else:
            x, y = 1, -2.5e-3
    while i < n and not done:
        i += 1
        if seq_offset is not None:
            break
'''


# ---------------------------------------------------------------- helpers


def _body(code: str) -> list[dsl.Stmt]:
    """Parse `code` (statements at column 0) as the body of a function."""
    indented = "".join(f"    {line}" if line.strip() else line for line in code.splitlines(True))
    return parse_function(f"def f():\n{indented}", "<test>").body


def _expr(text: str) -> dsl.Expr:
    """Parse `text` as the value of a `return` on line 2, column 12 (continuation lines as given)."""
    (stmt,) = parse_function(f"def f():\n    return {text}\n", "<test>").body
    assert isinstance(stmt, dsl.Return) and stmt.value is not None
    return stmt.value


def _where(span: Span) -> tuple[int, int, int, int]:
    return span.line, span.col, span.end_line, span.end_col


def _tree(node: dsl.Node | None, spans: bool = False) -> object:
    """A comparable nested-tuple form of an ascdsl node: (kind, detail, [span,] children...)."""
    if node is None:
        return None
    where = (_where(node.span),) if spans else ()

    def rec(child: dsl.Node | None) -> object:
        return _tree(child, spans)

    match node:
        case dsl.Name(id=name):
            return ("Name", name, *where)
        case dsl.Constant(value=value):
            return ("Constant", repr(value), *where)
        case dsl.BinOp(op=op, left=left, right=right):
            return ("BinOp", op, *where, rec(left), rec(right))
        case dsl.UnaryOp(op=op, operand=operand):
            return ("UnaryOp", op, *where, rec(operand))
        case dsl.BoolOp(op=op, values=values):
            return ("BoolOp", op, *where, *map(rec, values))
        case dsl.Compare(left=left, ops=ops, comparators=comparators):
            return ("Compare", tuple(ops), *where, rec(left), *map(rec, comparators))
        case dsl.IfExp(test=test, body=body, orelse=orelse):
            return ("IfExp", "", *where, rec(test), rec(body), rec(orelse))
        case dsl.Call(func=func, args=args, keywords=keywords):
            kws = tuple((k.name, rec(k.value)) for k in keywords)
            return ("Call", kws, *where, rec(func), *map(rec, args))
        case dsl.Attribute(value=value, attr=attr):
            return ("Attribute", attr, *where, rec(value))
        case dsl.Subscript(value=value, indices=indices):
            return ("Subscript", "", *where, rec(value), *map(rec, indices))
        case dsl.Slice(lower=lower, upper=upper, step=step):
            return ("Slice", "", *where, rec(lower), rec(upper), rec(step))
        case dsl.Tuple(elts=elts):
            return ("Tuple", "", *where, *map(rec, elts))
        case dsl.List(elts=elts):
            return ("List", "", *where, *map(rec, elts))
    raise AssertionError(f"unexpected node {node!r}")


_PY_OPS = {
    pyast.Add: "+",
    pyast.Sub: "-",
    pyast.Mult: "*",
    pyast.MatMult: "@",
    pyast.Div: "/",
    pyast.FloorDiv: "//",
    pyast.Mod: "%",
    pyast.Pow: "**",
    pyast.BitAnd: "&",
    pyast.BitOr: "|",
    pyast.BitXor: "^",
    pyast.LShift: "<<",
    pyast.RShift: ">>",
    pyast.USub: "-",
    pyast.UAdd: "+",
    pyast.Invert: "~",
    pyast.Not: "not",
    pyast.And: "and",
    pyast.Or: "or",
    pyast.Lt: "<",
    pyast.LtE: "<=",
    pyast.Gt: ">",
    pyast.GtE: ">=",
    pyast.Eq: "==",
    pyast.NotEq: "!=",
    pyast.In: "in",
    pyast.NotIn: "not in",
    pyast.Is: "is",
    pyast.IsNot: "is not",
}


def _py_tree(node: pyast.AST | None, spans: bool = False) -> object:
    """The same nested-tuple form for a node of Python's own ast (the reference)."""
    if node is None:
        return None
    where = ()
    if spans:
        where = (
            (
                node.lineno,
                node.col_offset + 1,
                node.end_lineno,
                node.end_col_offset + 1,
            ),
        )

    def rec(child: pyast.AST | None) -> object:
        return _py_tree(child, spans)

    def op(o: pyast.AST) -> str:
        return _PY_OPS[type(o)]

    match node:
        case pyast.Name(id=name):
            return ("Name", name, *where)
        case pyast.Constant(value=value):
            return ("Constant", repr(value), *where)
        case pyast.BinOp():
            return ("BinOp", op(node.op), *where, rec(node.left), rec(node.right))
        case pyast.UnaryOp():
            return ("UnaryOp", op(node.op), *where, rec(node.operand))
        case pyast.BoolOp():
            return ("BoolOp", op(node.op), *where, *map(rec, node.values))
        case pyast.Compare():
            ops = tuple(op(o) for o in node.ops)
            return ("Compare", ops, *where, rec(node.left), *map(rec, node.comparators))
        case pyast.IfExp():
            return ("IfExp", "", *where, rec(node.test), rec(node.body), rec(node.orelse))
        case pyast.Call():
            kws = tuple((k.arg, rec(k.value)) for k in node.keywords)
            return ("Call", kws, *where, rec(node.func), *map(rec, node.args))
        case pyast.Attribute():
            return ("Attribute", node.attr, *where, rec(node.value))
        case pyast.Subscript(slice=pyast.Tuple(elts=[first, *_]) as index) if (
            index.lineno,
            index.col_offset,
        ) == (first.lineno, first.col_offset):
            # `a[i, j]` without parentheses: Python makes one Tuple index, ascdsl lists the indices.
            return ("Subscript", "", *where, rec(node.value), *map(rec, index.elts))
        case pyast.Subscript():
            return ("Subscript", "", *where, rec(node.value), rec(node.slice))
        case pyast.Slice():
            return ("Slice", "", *where, rec(node.lower), rec(node.upper), rec(node.step))
        case pyast.Tuple():
            return ("Tuple", "", *where, *map(rec, node.elts))
        case pyast.List():
            return ("List", "", *where, *map(rec, node.elts))
    raise AssertionError(f"unexpected Python node {pyast.dump(node)}")


def _python_expr(text: str) -> pyast.expr:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # e.g. "'is' with a literal"
        return pyast.parse(f"def f():\n    return {text}\n").body[0].body[0].value


def _error(source: str, filename: str = "<test>", **offsets: int) -> DslError:
    with pytest.raises(DslError) as info:
        parse_function(source, filename, **offsets)
    return info.value


# ---------------------------------------------------------------- acceptance


def test_realistic_kernel_is_accepted() -> None:
    fn = parse_function(NSA_COMPRESS, "ops/nsa.py")
    assert fn.name == "nsa_compress"
    assert [_tree(d) for d in fn.decorators] == [("Name", "kernel")]
    assert [p.name for p in fn.params] == [
        "input",
        "weight",
        "block_table",
        "output_cache",
        "seq_offset",
        "compress_stride",
    ]
    assert _tree(fn.params[3].annotation) == (
        "Subscript",
        "",
        ("Name", "InOut"),
        ("Subscript", "", ("Name", "Tensor"), *(("Name", n) for n in "TSND")),
    )
    assert all(p.default is None for p in fn.params)
    assert [type(s).__name__ for s in fn.body] == ["ExprStmt", "ExprStmt", "ExprStmt", "For", "While"]
    doc = fn.body[0]
    assert isinstance(doc, dsl.ExprStmt) and _tree(doc.value) == ("Constant", "'Docstring.'")

    loop = fn.body[3]
    assert isinstance(loop, dsl.For)
    assert _tree(loop.target) == ("Name", "b")
    branch = loop.body[1]
    assert isinstance(branch, dsl.If)
    inner_for = branch.body[1]
    assert isinstance(inner_for, dsl.For)
    acc = inner_for.body[2]
    assert isinstance(acc, dsl.AugAssign) and acc.op == "+"
    # `cast(...)[:, None]`: a slice with no parts and a new axis.
    assert isinstance(acc.value, dsl.BinOp) and acc.value.op == "*"
    newaxis = acc.value.right
    assert isinstance(newaxis, dsl.Subscript)
    assert [_tree(i) for i in newaxis.indices] == [
        ("Slice", "", None, None, None),
        ("Constant", "None"),
    ]
    store = branch.body[2]
    assert isinstance(store, dsl.ExprStmt) and isinstance(store.value, dsl.Call)
    assert [k.name for k in store.value.args[1].keywords] == ["round"]

    (elif_,) = branch.orelse
    assert isinstance(elif_, dsl.If)
    assert isinstance(elif_.body[0], dsl.Pass)
    (unpack,) = elif_.orelse
    assert isinstance(unpack, dsl.Assign)
    assert _tree(unpack.targets[0]) == ("Tuple", "", ("Name", "x"), ("Name", "y"))
    assert _tree(unpack.value) == (
        "Tuple",
        "",
        ("Constant", "1"),
        ("UnaryOp", "-", ("Constant", "0.0025")),
    )

    loop2 = fn.body[4]
    assert isinstance(loop2, dsl.While)
    assert _tree(loop2.test) == (
        "BoolOp",
        "and",
        ("Compare", ("<",), ("Name", "i"), ("Name", "n")),
        ("UnaryOp", "not", ("Name", "done")),
    )
    aug, if_ = loop2.body
    assert isinstance(aug, dsl.AugAssign) and aug.op == "+" and _tree(aug.target) == ("Name", "i")
    assert isinstance(if_, dsl.If) and isinstance(if_.body[0], dsl.Break)
    assert _tree(if_.test) == ("Compare", ("is not",), ("Name", "seq_offset"), ("Constant", "None"))


def test_kernel_matches_python_ast_including_spans() -> None:
    """The sketch kernel's expressions have Python's structure and Python's spans."""
    fn = parse_function(NSA_COMPRESS, "<k>")
    py_fn = pyast.parse(NSA_COMPRESS).body[0]
    assert isinstance(py_fn, pyast.FunctionDef)
    assert [_tree(p.annotation, spans=True) for p in fn.params] == [
        _py_tree(a.annotation, spans=True) for a in py_fn.args.args
    ]
    assert [_tree(d, spans=True) for d in fn.decorators] == [_py_tree(d, spans=True) for d in py_fn.decorator_list]
    for ours, theirs in zip(_walk_stmts(fn.body), _walk_py_stmts(py_fn.body), strict=True):
        assert type(ours).__name__.replace("ExprStmt", "Expr") == type(theirs).__name__
        assert _where(ours.span) == (
            theirs.lineno,
            theirs.col_offset + 1,
            theirs.end_lineno,
            theirs.end_col_offset + 1,
        )
        for field in ("value", "test", "iter", "target"):
            if hasattr(ours, field) and getattr(ours, field) is not None:
                assert _tree(getattr(ours, field), spans=True) == _py_tree(getattr(theirs, field), spans=True)


def _walk_stmts(body: list[dsl.Stmt]) -> list[dsl.Stmt]:
    out: list[dsl.Stmt] = []
    for stmt in body:
        out.append(stmt)
        for field in ("body", "orelse"):
            out.extend(_walk_stmts(getattr(stmt, field, [])))
    return out


def _walk_py_stmts(body: list[pyast.stmt]) -> list[pyast.stmt]:
    out: list[pyast.stmt] = []
    for stmt in body:
        out.append(stmt)
        for field in ("body", "orelse"):
            out.extend(_walk_py_stmts(getattr(stmt, field, [])))
    return out


def test_parameters_with_defaults_and_return_annotation() -> None:
    fn = parse_function(
        "@kernel(block=128)\n@a.b.c\ndef k(x: Tensor[T, B, W], y: InOut[Tensor[T, N]], a: Attr[int] = 3,"
        " b=2,) -> None:\n    pass\n",
        "<test>",
    )
    assert [_tree(d) for d in fn.decorators] == [
        ("Call", (("block", ("Constant", "128")),), ("Name", "kernel")),
        ("Attribute", "c", ("Attribute", "b", ("Name", "a"))),
    ]
    assert [p.name for p in fn.params] == ["x", "y", "a", "b"]
    x, _, a, b = fn.params
    assert _tree(x.annotation) == (
        "Subscript",
        "",
        ("Name", "Tensor"),
        ("Name", "T"),
        ("Name", "B"),
        ("Name", "W"),
    )
    assert _tree(a.default) == ("Constant", "3") and b.annotation is None
    assert _tree(fn.returns) == ("Constant", "None")
    assert isinstance(fn.body[0], dsl.Pass)


def test_function_without_parameters_and_one_line_body() -> None:
    fn = parse_function("def k(): return", "<test>")
    assert fn.params == [] and isinstance(fn.body[0], dsl.Return) and fn.body[0].value is None


def test_statements() -> None:
    body = _body(
        "a = b\n"
        "a = b = c\n"
        "a, b = f()\n"
        "(a, b) = c\n"
        "x[i, j] = v\n"
        "a = 1; b = 2;\n"
        "if a: pass\n"
        "for i in range(n):\n"
        "    continue\n"
        "while True:\n"
        "    break\n"
        "return a, b\n"
    )
    kinds = [type(s).__name__ for s in body]
    assert kinds == [
        "Assign",
        "Assign",
        "Assign",
        "Assign",
        "Assign",
        "Assign",
        "Assign",
        "If",
        "For",
        "While",
        "Return",
    ]
    assert [_tree(t) for t in body[1].targets] == [("Name", "a"), ("Name", "b")]
    assert _tree(body[1].value) == ("Name", "c")
    assert _tree(body[2].targets[0]) == ("Tuple", "", ("Name", "a"), ("Name", "b"))
    assert _tree(body[3].targets[0]) == ("Tuple", "", ("Name", "a"), ("Name", "b"))
    assert _tree(body[4].targets[0]) == (
        "Subscript",
        "",
        ("Name", "x"),
        ("Name", "i"),
        ("Name", "j"),
    )
    assert _tree(body[10].value) == ("Tuple", "", ("Name", "a"), ("Name", "b"))


@pytest.mark.parametrize("op", ["+", "-", "*", "/", "//", "%", "&", "|", "^", "<<", ">>", "**", "@"])
def test_augmented_assignment(op: str) -> None:
    (stmt,) = _body(f"x[i] {op}= 2\n")
    assert isinstance(stmt, dsl.AugAssign)
    assert stmt.op == op and _tree(stmt.target) == ("Subscript", "", ("Name", "x"), ("Name", "i"))


def test_if_elif_else_chain() -> None:
    (stmt,) = _body("if a:\n    x = 1\nelif b:\n    x = 2\nelif c:\n    pass\nelse:\n    x = 3\n")
    assert isinstance(stmt, dsl.If) and _tree(stmt.test) == ("Name", "a")
    (elif1,) = stmt.orelse
    assert isinstance(elif1, dsl.If) and _tree(elif1.test) == ("Name", "b")
    (elif2,) = elif1.orelse
    assert isinstance(elif2, dsl.If) and _tree(elif2.test) == ("Name", "c")
    (else_,) = elif2.orelse
    assert isinstance(else_, dsl.Assign)
    # An elif spans from its keyword to the end of the chain.
    assert _where(elif1.span) == (4, 5, 9, 14)
    assert _where(elif2.span) == (6, 5, 9, 14)


def test_layout_comments_blank_lines_and_continuations() -> None:
    source = (
        "# leading comment\n"
        "\n"
        "@kernel  # decorator comment\n"
        "\n"
        "def k(a,\n"
        "      b):  # trailing\n"
        "    # comment line\n"
        "\n"
        "    x = a + \\\n"
        "        b\n"
        "# a comment at column 0 inside the body\n"
        "    y = f(\n"
        "        x,\n"
        "\n"
        "        z=1,\n"
        "    )\n"
        "    if x:\n"
        "\n"
        "        pass\n"
        "\n"
        "    return [x,\n"
        "            y]\n"
        "\n"
    )
    fn = parse_function(source, "<test>")
    assert [p.name for p in fn.params] == ["a", "b"]
    assert [type(s).__name__ for s in fn.body] == ["Assign", "Assign", "If", "Return"]
    assert _where(fn.body[0].span) == (9, 5, 10, 10)
    assert _tree(fn.body[1].value) == ("Call", (("z", ("Constant", "1")),), ("Name", "f"), ("Name", "x"))
    assert _where(fn.body[3].span) == (21, 5, 22, 15)
    assert _where(fn.span) == (3, 1, 22, 15)


def test_source_without_final_newline_and_with_crlf() -> None:
    fn = parse_function("def k():\r\n    x = 1\r\n    return x", "<test>")
    assert [type(s).__name__ for s in fn.body] == ["Assign", "Return"]
    assert _where(fn.body[1].span) == (3, 5, 3, 13)


def test_tabs_only_indentation_is_accepted() -> None:
    fn = parse_function("def k():\n\tif a:\n\t\tpass\n\tx = 1\n", "<test>")
    assert [type(s).__name__ for s in fn.body] == ["If", "Assign"]


# ---------------------------------------------------------------- literals


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("0", 0),
        ("00", 0),
        ("42", 42),
        ("1_000_000", 1_000_000),
        ("0x1F", 0x1F),
        ("0Xdead_BEEF", 0xDEADBEEF),
        ("0b1010", 0b1010),
        ("0b_1_0", 2),
        ("0o17", 0o17),
        ("1.0", 1.0),
        ("1.", 1.0),
        (".5", 0.5),
        ("1e-3", 1e-3),
        ("2.5E+10", 2.5e10),
        ("1_0.2_5", 10.25),
        ("True", True),
        ("False", False),
        ("None", None),
        ("'single'", "single"),
        ('"double"', "double"),
        ('"it\'s"', "it's"),
        ("'tab\\there'", "tab\there"),
        ("r'\\d+'", "\\d+"),
        ("'a' \"b\" 'c'", "abc"),
        ('"""tri\nple"""', "tri\nple"),
        ("'''x'''", "x"),
        ("u'uni'", "uni"),
    ],
)
def test_literals(text: str, value: object) -> None:
    node = _expr(text)
    assert isinstance(node, dsl.Constant)
    assert node.value == value and type(node.value) is type(value)


def test_literal_spans() -> None:
    node = _expr("'a' \\\n  'b'")
    assert isinstance(node, dsl.Constant) and node.value == "ab"
    assert _where(node.span) == (2, 12, 3, 6)


# ---------------------------------------------------------------- expressions and precedence


@pytest.mark.parametrize(
    "text",
    [
        "a + b * c",
        "(a + b) * c",
        "a - b - c",
        "a / b // c % d",
        "a ** b ** c",
        "-a ** b",
        "a ** -b",
        "-a * b",
        "~a + b",
        "+a",
        "- - a",
        "a @ b + c",
        "a << b + c",
        "a & b << c",
        "a ^ b & c",
        "a | b ^ c",
        "a | b < c",
        "a < b < c",
        "a < b == c != d >= e <= f > g",
        "a in b",
        "a not in b",
        "a is b",
        "a is not b",
        "not a == b",
        "not not a",
        "not a and b",
        "a and not b or c",
        "a or b and c",
        "a or b or c",
        "a and b and c",
        "(a or b) and c",
        "a if b else c",
        "a if b else c if d else e",
        "(a if b else c) if d else e",
        "a + b if c < d else e and f",
        "f(a, b, c=d, e=f(g))",
        "f()",
        "f()()",
        "a.b.c",
        "a.b(c).d[e]",
        "a[b][c]",
        "a[b:c]",
        "a[:]",
        "a[::]",
        "a[b:]",
        "a[:c]",
        "a[::d]",
        "a[b:c:d]",
        "a[None]",
        "a[:, None]",
        "a[b, c:d, ::2]",
        "[a, b]",
        "[]",
        "[a, b,]",
        "()",
        "(a,)",
        "(a, b)",
        "(a, b,)",
        "a, b",
        "a,",
        "(((a)))",
        "f(a,)",
        "-x[0].y",
        "x[i] ** 2",
        "2 ** x.y",
        "a * (b + c)",
        "-(a + b)",
        "a == (b,)",
        "'s'.join(x)",
        "1 .real",
        "a if b else (lambda_ or c)",
    ],
)
def test_expressions_match_python(text: str) -> None:
    assert _tree(_expr(text), spans=True) == _python_reference(text)


def _python_reference(text: str) -> object:
    return _py_tree(_python_expr(text), spans=True)


def test_precedence_spot_checks() -> None:
    assert _tree(_expr("-2 ** 2")) == (
        "UnaryOp",
        "-",
        ("BinOp", "**", ("Constant", "2"), ("Constant", "2")),
    )
    assert _tree(_expr("a ** b ** c")) == (
        "BinOp",
        "**",
        ("Name", "a"),
        ("BinOp", "**", ("Name", "b"), ("Name", "c")),
    )
    assert _tree(_expr("a - b - c")) == (
        "BinOp",
        "-",
        ("BinOp", "-", ("Name", "a"), ("Name", "b")),
        ("Name", "c"),
    )
    assert _tree(_expr("not a in b")) == (
        "UnaryOp",
        "not",
        ("Compare", ("in",), ("Name", "a"), ("Name", "b")),
    )
    assert _tree(_expr("a | b & c")) == (
        "BinOp",
        "|",
        ("Name", "a"),
        ("BinOp", "&", ("Name", "b"), ("Name", "c")),
    )


_LEAVES = ["a", "b", "x1", "1", "2.5", "True", "None", "'s'", "0x10"]
_BINARY = ["+", "-", "*", "/", "//", "%", "**", "@", "&", "|", "^", "<<", ">>"]
_COMPARE = ["<", "<=", ">", ">=", "==", "!=", "in", "not in", "is", "is not"]


def _extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.tuples(inner, st.sampled_from(_BINARY), inner).map(" ".join),
        st.tuples(inner, st.sampled_from(_COMPARE), inner).map(" ".join),
        st.tuples(inner, st.sampled_from(["and", "or"]), inner).map(" ".join),
        st.tuples(st.sampled_from(["-", "+", "~", "not "]), inner).map("".join),
        st.tuples(inner, inner, inner).map(lambda t: f"{t[0]} if {t[1]} else {t[2]}"),
        inner.map(lambda e: f"({e})"),
        st.tuples(inner, inner).map(lambda t: f"{t[0]}[{t[1]}]"),
        st.tuples(inner, inner).map(lambda t: f"f({t[0]}, k={t[1]})"),
        inner.map(lambda e: f"{e}.attr"),
    )


_EXPRESSIONS = st.recursive(st.sampled_from(_LEAVES), _extend, max_leaves=8)


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_EXPRESSIONS)
def test_random_expressions_parse_like_python(text: str) -> None:
    """Python accepts the text exactly when we do, and then with the same tree and spans."""
    try:
        reference = _python_reference(text)
    except SyntaxError:
        with pytest.raises(DslError):
            _expr(text)
        return
    assert _tree(_expr(text), spans=True) == reference


# ---------------------------------------------------------------- spans


def test_spans_use_line_and_column_offsets() -> None:
    source = "@kernel\ndef k(x: T, n: Attr[int] = 3):\n    y = f(x, k=2) + n\n    if y:\n        pass\n"
    fn = parse_function(source, "ops/k.py", line_offset=10, col_offset=4)
    assert fn.span == Span("ops/k.py", 11, 5, 15, 17)
    assert fn.name_span == Span("ops/k.py", 12, 9, 12, 10)
    assert _where(fn.decorators[0].span) == (11, 6, 11, 12)
    x, n = fn.params
    assert _where(x.span) == (12, 11, 12, 15)
    assert _where(n.span) == (12, 17, 12, 33)
    assign, if_ = fn.body
    assert isinstance(assign, dsl.Assign)
    assert _where(assign.span) == (13, 9, 13, 26)
    assert _where(assign.targets[0].span) == (13, 9, 13, 10)
    call = assign.value.left
    assert isinstance(call, dsl.Call)
    assert _where(call.span) == (13, 13, 13, 22)
    assert _where(call.keywords[0].span) == (13, 18, 13, 21)
    assert _where(assign.value.span) == (13, 13, 13, 26)
    assert _where(if_.span) == (14, 9, 15, 17)
    assert _where(if_.body[0].span) == (15, 13, 15, 17)


def test_slice_and_paren_spans() -> None:
    node = _expr("a[1:2, ::3, :]")
    assert isinstance(node, dsl.Subscript)
    assert [_where(i.span) for i in node.indices] == [
        (2, 14, 2, 17),
        (2, 19, 2, 22),
        (2, 24, 2, 25),
    ]
    paren = _expr("(a + b)")
    assert _where(paren.span) == (2, 13, 2, 18)  # like Python: the parentheses are not included
    tup = _expr("(a, b)")
    assert _where(tup.span) == (2, 12, 2, 18)


# ---------------------------------------------------------------- rejected constructs

REJECTED = [
    # (source body at column 0, words of the message, line, col, words of the hint)
    ("x = lambda y: y + 1\n", "lambda expressions are not supported", 2, 9, "define the computation inline"),
    ("try:\n    pass\nexcept E:\n    pass\n", "try statement", 2, 5, "require("),
    ("try:\n    pass\nfinally:\n    pass\n", "try statement", 2, 5, "require("),
    ("class A:\n    pass\n", "class definition", 2, 5, "@struct"),
    ("with open(p) as f:\n    pass\n", "with statement", 2, 5, None),
    ("x = [i * 2 for i in y if i]\n", "list comprehension", 2, 9, "for loop or a tile operation"),
    ("x = {i for i in y}\n", "set comprehension", 2, 9, "for loop or a tile operation"),
    ("x = {k: v for k in y}\n", "dict comprehension", 2, 9, "for loop or a tile operation"),
    ("x = (i for i in y)\n", "generator expression", 2, 9, "for loop or a tile operation"),
    ("x = sum(i for i in y)\n", "generator expression", 2, 13, "for loop or a tile operation"),
    ("while a:\n    pass\nelse:\n    pass\n", "while/else", 4, 5, "flag variable"),
    ("for i in x:\n    pass\nelse:\n    pass\n", "for/else", 4, 5, "flag variable"),
    ("f(*xs)\n", "star-args", 2, 7, None),
    ("f(a, **kw)\n", "double-star-args", 2, 10, None),
    ("global g\n", "global statement", 2, 5, "parameter"),
    ("nonlocal g\n", "nonlocal statement", 2, 5, "parameter"),
    ("import numpy as np\n", "import statement", 2, 5, "module level"),
    ("from math import sqrt\n", "from-import statement", 2, 5, "module level"),
    ("from .. import sqrt\n", "from-import statement", 2, 5, "module level"),
    ("del x\n", "del statement", 2, 5, None),
    ("raise ValueError('bad')\n", "raise statement", 2, 5, "require(cond, code=..., msg=...)"),
    ("assert x > 0, 'bad'\n", "assert statement", 2, 5, "require("),
    ("yield x\n", "yield expression", 2, 5, None),
    ("y = yield from x\n", "yield expression", 2, 9, None),
    ("z = (yield)\n", "yield expression", 2, 10, None),
    ("await x\n", "await expression", 2, 5, "synchronous"),
    ("async for i in x:\n    pass\n", "async for loop", 2, 5, "synchronous"),
    ("async with x:\n    pass\n", "async with statement", 2, 5, "synchronous"),
    ("def g():\n    pass\n", "nested function definition", 2, 5, "module level"),
    ("async def g():\n    pass\n", "async function definition", 2, 5, None),
    ("if (n := 10) > 5:\n    pass\n", "walrus", 2, 11, "own statement"),
    ("x = f'{a}'\n", "f-strings", 2, 9, "plain string"),
    ("x = 'a' F\"{b}\"\n", "f-strings", 2, 13, "plain string"),
    ("x = b'raw'\n", "bytes literals", 2, 9, None),
    ("x = {}\n", "dict literal", 2, 9, None),
    ("x = {'a': 1, **y}\n", "dict literal", 2, 9, None),
    ("x = {1, 2}\n", "set literal", 2, 9, "tuple"),
    ("x: int = 3\n", "annotated assignment", 2, 5, "x = v"),
    ("x: int\n", "annotated assignment", 2, 5, None),
    ("*a, b = c\n", "starred assignment target", 2, 5, None),
    ("a, *b = c\n", "starred assignment target", 2, 8, None),
    ("for *a, b in c:\n    pass\n", "starred assignment target", 2, 9, None),
    ("x = [*a, b]\n", "starred expression", 2, 10, None),
    ("@dec\ndef g():\n    pass\n", "decorator", 2, 5, "module level"),
    ("@dec\nclass A:\n    pass\n", "decorator", 2, 5, "module level"),
    ("x = ...\n", "Ellipsis", 2, 9, "pass"),
    ("x = 1j\n", "complex number literals", 2, 9, None),
    ("x = 012\n", "leading zeros", 2, 9, "0o"),
    ("f() = 1\n", "cannot assign to a function call", 2, 5, None),
    ("1 = x\n", "cannot assign to a literal", 2, 5, None),
    ("a[0], b = 1, 2\n", "only plain names can be unpacked", 2, 5, None),
    ("[a, b] = c\n", "a list cannot be an assignment target", 2, 5, "a, b = ..."),
    ("a, b += 1\n", "augmented assignment", 2, 5, None),
    ("for a[0] in b:\n    pass\n", "for loop variable", 2, 9, None),
    ("f(a=1, b)\n", "positional argument follows keyword argument", 2, 12, None),
    ("f(a=1, a=2)\n", "keyword argument 'a' is repeated", 2, 12, None),
]


@pytest.mark.parametrize(("body", "message", "line", "col", "hint"), REJECTED)
def test_rejected_constructs(body: str, message: str, line: int, col: int, hint: str | None) -> None:
    indented = "".join(f"    {row}" for row in body.splitlines(True))
    err = _error(f"def f():\n{indented}")
    assert message in err.message
    assert err.span is not None and (err.span.line, err.span.col) == (line, col)
    if hint is not None:
        assert err.hint is not None and hint in err.hint


@pytest.mark.parametrize(
    ("params", "message", "col"),
    [
        ("*args", "star-args parameter (*args)", 7),
        ("a, **kw", "double-star-args parameter (**kwargs)", 10),
        ("a, *, b", "keyword-only marker '*'", 10),
        ("a, /, b", "positional-only marker '/'", 10),
        ("a, a", "duplicate parameter 'a'", 10),
    ],
)
def test_rejected_parameters(params: str, message: str, col: int) -> None:
    err = _error(f"def f({params}):\n    pass\n")
    assert message in err.message
    assert err.span is not None and (err.span.line, err.span.col) == (1, col)


def test_rejected_async_kernel_and_nested_constructs_report_the_first_in_source() -> None:
    err = _error("async def f():\n    pass\n")
    assert "async function definition" in err.message
    assert err.span is not None and (err.span.line, err.span.col) == (1, 1)
    # A lambda inside a try: the try comes first in the text.
    err = _error("def f():\n    try:\n        x = lambda: 1\n    except E:\n        pass\n")
    assert "try statement" in err.message
    # A lambda in a while/else body comes before the `else`.
    err = _error("def f():\n    while a:\n        x = lambda: 1\n    else:\n        pass\n")
    assert "lambda" in err.message


def test_rejection_span_with_offsets_and_rendering() -> None:
    err = _error("def f():\n    x = lambda: 1\n", "<cell-7>", line_offset=20, col_offset=8)
    assert err.span == Span("<cell-7>", 22, 17, 22, 23)
    text = str(err)
    assert text.startswith("<cell-7>:22:17: error: lambda expressions are not supported")
    lines = text.splitlines()
    # The registered source has the original columns, so the caret sits under `lambda`.
    assert lines[1] == "    " + " " * 12 + "x = lambda: 1"
    assert lines[2] == "    " + " " * 16 + "^^^^^^"
    assert lines[3] == "  hint: define the computation inline"


# ---------------------------------------------------------------- syntax errors

SYNTAX_ERRORS = [
    # (source, words of the message, line, col)
    ("def f():\n    x = 1 +\n", "unexpected end of line; expected an expression", 2, 12),
    ("def f():\n    if x\n        pass\n", "unexpected end of line; expected ':'", 2, 9),
    ("def f():\n    if x = 1:\n        pass\n", "unexpected '='; expected ':'", 2, 10),
    ("def f():\n    x = 1 2\n", "unexpected number 2", 2, 11),
    ("def f():\n    x = )\n", "unexpected ')'; expected an expression", 2, 9),
    ("def f():\n    x = [1, 2)\n", "unexpected ')'; expected ',' or ']'", 2, 14),
    ("def f(:\n    pass\n", "unexpected ':'; expected ')' or a name", 1, 7),
    ("def f():\n    x = a if b\n", "expected 'else'", 2, 15),
    ("def f():\n    return return\n", "unexpected keyword 'return'", 2, 12),
    ("def f():\n    x = (1, 2\n", "'(' was never closed", 2, 9),
    ("def f():\n    x = (1,\n    y = 2\n", "unexpected '='", 3, 7),
    ("def f():\n    x = g(1,\n    y = 2\n", "'(' was never closed", 2, 10),
    ("def f():\n    x = $\n", "unexpected character '$'", 2, 9),
    ("def f():\n    x = a ! b\n", "unexpected character '!'", 2, 11),
    ("def f():\n    x = 'abc\n", "unterminated string literal", 2, 9),
    ("def f():\n    x = '''abc\n", "unterminated triple-quoted string literal", 2, 9),
    ("def f():\n    x = 1 \\ 2\n", "unexpected character '\\'", 2, 11),
    ("x = 1\n", "expected a function definition", 1, 1),
    ("", "expected a function definition", 1, 1),
    ("def f():\n    pass\nx = 1\n", "after the end of the kernel function", 3, 1),
    ("def f():\n    pass\ndef g():\n    pass\n", "after the end of the kernel function", 3, 1),
    ("def f():\nreturn 1\n", "expected an indented block, found keyword 'return'", 2, 1),
    ("def f():\n    if x:\n    y = 1\n", "expected an indented block", 3, 5),
    ("def f():\n    x = 1\n        y = 2\n", "unexpected indentation", 3, 9),
    ("def f():\n    if x:\n        pass\n      y = 1\n", "unindent does not match", 4, 1),
    ("def f():\n  if x:\n\tpass\n", "inconsistent use of tabs and spaces", 3, 1),
    ("def f():\n    if x:\n    \tpass\n", "inconsistent use of tabs and spaces", 3, 1),
    ("def f():\n\tx = 1\n    y = 2\n", "inconsistent use of tabs and spaces", 3, 1),
]


@pytest.mark.parametrize(("source", "message", "line", "col"), SYNTAX_ERRORS)
def test_syntax_errors(source: str, message: str, line: int, col: int) -> None:
    err = _error(source)
    assert message in err.message
    assert err.span is not None and (err.span.line, err.span.col) == (line, col)


def test_syntax_error_hints() -> None:
    assert "==" in (_error("def f():\n    if x = 1:\n        pass\n").hint or "")
    hint = _error("def f():\n    x = (1,\n    y = 2\n").hint or ""
    assert "'(' at line 2 column 9 is not closed" in hint
    assert "not x" in (_error("def f():\n    x = !a\n").hint or "")


def test_syntax_error_with_offsets() -> None:
    err = _error("def f():\n    x = 1 +\n", "<nb>", line_offset=4, col_offset=4)
    assert err.span is not None and (err.span.line, err.span.col) == (6, 16)
    assert str(err).splitlines()[1] == "            x = 1 +"


# ---------------------------------------------------------------- source registration


def test_real_file_is_not_overwritten_in_linecache(tmp_path: Path) -> None:
    path = tmp_path / "kern.py"
    path.write_text("import x\n\n\n@kernel\ndef f():\n    x = lambda: 1\n", encoding="utf-8")
    source = "@kernel\ndef f():\n    x = lambda: 1\n"
    err = _error(source, str(path), line_offset=3)
    assert err.span is not None and err.span.line == 6
    assert err.span.source_line() == "    x = lambda: 1"
    assert linecache.getline(str(path), 1) == "import x\n"


def test_pseudo_file_is_registered_with_matching_line_numbers() -> None:
    err = _error("def f():\n    del x\n", "<pseudo-file>", line_offset=2)
    assert err.span is not None and err.span.line == 4
    assert linecache.getline("<pseudo-file>", 4) == "    del x\n"
    assert linecache.getline("<pseudo-file>", 1) == "\n"


# ---------------------------------------------------------------- robustness


def test_parser_is_built_once() -> None:
    assert parser_module._lark() is parser_module._lark()


def test_deep_nesting_is_a_dsl_error() -> None:
    err = _error("def f():\n    x = " + "(" * 3000 + "1" + ")" * 3000 + "\n")
    assert "nested too deeply" in err.message


@settings(deadline=None)
@given(st.text(alphabet=st.characters(min_codepoint=9, max_codepoint=126), max_size=80))
def test_random_junk_raises_only_dsl_errors(junk: str) -> None:
    for source in (junk, f"def f():\n    {junk}\n"):
        try:
            parse_function(source, "<junk>", 3, 2)
        except DslError as err:
            assert err.span is None or (err.span.line >= 1 and err.span.col >= 1)


@settings(deadline=None)
@given(st.data())
def test_mutated_kernel_raises_only_dsl_errors(data: st.DataObject) -> None:
    source = NSA_COMPRESS
    for _ in range(data.draw(st.integers(1, 3))):
        pos = data.draw(st.integers(0, len(source)))
        piece = data.draw(st.sampled_from(["", "(", ")", ":", "\n", "\t", "  ", "'", "*", "lambda", "=", ",", "\\"]))
        cut = data.draw(st.integers(0, 2))
        source = source[:pos] + piece + source[pos + cut :]
    with contextlib.suppress(DslError):
        parse_function(source, "<mutant>")

"""Shared pieces of the DSL fuzz tests: the kernels to mutate, the mutations, and the checks of what a user sees.

Not a test module: `test_dsl_mutations.py`, `test_grammar_generated.py` and `test_regressions.py` import it
(pytest puts this folder on sys.path for the test modules in it).

A mutation works on a kernel file's text (tokens from `tokenize`, expressions and statements from `ast`),
changes one thing inside one kernel (its decorator, signature or body) and gives the whole mutated file, so
that the error a user sees can be checked against the lines of that file.
"""

from __future__ import annotations

import ast as pyast
import contextlib
import importlib.util
import io
import keyword
import re
import tokenize
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Protocol

from ascdsl import dtypes, lang
from ascdsl.cli import main
from ascdsl.errors import DslError
from ascdsl.kernel import Kernel

REPO = Path(__file__).resolve().parents[2]
KERNEL_FILES = (REPO / "examples" / "vadd.py", REPO / "ops" / "gather_pa_kv_cache.py")


# ---------------------------------------------------------------------------------------------- kernels


@dataclass(frozen=True)
class KernelSource:
    """One @kernel function of a file: its 1-based line range (decorator to last line) and where the body starts."""

    path: Path
    name: str
    text: str  # the whole file
    first_line: int  # the decorator's line
    body_line: int  # the first statement of the body
    last_line: int

    @property
    def lines(self) -> list[str]:
        return self.text.splitlines(keepends=True)


@cache
def kernel_sources() -> tuple[KernelSource, ...]:
    out = []
    for path in KERNEL_FILES:
        text = path.read_text()
        for node in pyast.parse(text).body:
            if not isinstance(node, pyast.FunctionDef) or not node.decorator_list:
                continue
            deco = node.decorator_list[0]
            head = deco.func if isinstance(deco, pyast.Call) else deco
            if isinstance(head, pyast.Name) and head.id == "kernel":
                first = min(d.lineno for d in node.decorator_list)
                out.append(
                    KernelSource(path, node.name, text, first, node.body[0].lineno, node.end_lineno or node.lineno)
                )
    assert len(out) >= 3, out
    return tuple(out)


# ---------------------------------------------------------------------------------------------- choices


class Chooser(Protocol):
    """Where a mutation gets its random choices: hypothesis' `data.draw` in tests, `random.Random` when exploring."""

    def choice(self, items: Sequence[Any]) -> Any: ...

    def randint(self, lo: int, hi: int) -> int: ...


class DataChooser:
    """A `Chooser` over hypothesis' `st.data()`, so that failures shrink and replay."""

    def __init__(self, data: Any) -> None:
        from hypothesis import strategies as st

        self.data = data
        self.st = st

    def choice(self, items: Sequence[Any]) -> Any:
        return self.data.draw(self.st.sampled_from(list(items)))

    def randint(self, lo: int, hi: int) -> int:
        return self.data.draw(self.st.integers(lo, hi))


# ---------------------------------------------------------------------------------------------- mutations


@dataclass(frozen=True)
class Mutant:
    source: KernelSource
    kind: str
    text: str  # the whole mutated file
    line: int  # 1-based line of the change in the original file
    what: str  # a description, for failure messages

    @property
    def in_body(self) -> bool:
        return self.line >= self.source.body_line


class NoSite(Exception):
    """The kernel has nothing this mutation can change; the caller picks another mutation."""


def _offsets(text: str) -> list[int]:
    starts = [0]
    for line in text.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    return starts


def _abs(text: str, line: int, col: int) -> int:
    return _offsets(text)[line - 1] + col


def _replace(src: KernelSource, start: tuple[int, int], end: tuple[int, int], new: str) -> str:
    text = src.text
    a, b = _abs(text, *start), _abs(text, *end)
    return text[:a] + new + text[b:]


def _tokens(src: KernelSource) -> list[tokenize.TokenInfo]:
    keep = (tokenize.NAME, tokenize.NUMBER, tokenize.OP, tokenize.STRING)
    toks = tokenize.generate_tokens(io.StringIO(src.text).readline)
    return [t for t in toks if t.type in keep and src.first_line <= t.start[0] <= src.last_line]


def _kernel_node(src: KernelSource) -> pyast.FunctionDef:
    for node in pyast.parse(src.text).body:
        if isinstance(node, pyast.FunctionDef) and node.name == src.name:
            return node
    raise AssertionError(src.name)


def _nodes(src: KernelSource, cls: type | tuple[type, ...], body_only: bool = True) -> list[Any]:
    fn = _kernel_node(src)
    roots: list[pyast.AST] = list(fn.body) if body_only else [fn]
    out = []
    for root in roots:
        for n in pyast.walk(root):
            if isinstance(n, cls) and hasattr(n, "lineno"):
                out.append(n)
    out.sort(key=lambda n: (n.lineno, n.col_offset))
    return out


def _pick(ch: Chooser, items: Sequence[Any]) -> Any:
    if not items:
        raise NoSite
    return items[ch.randint(0, len(items) - 1)]


def _span(node: pyast.AST) -> tuple[tuple[int, int], tuple[int, int]]:
    return (node.lineno, node.col_offset), (node.end_lineno, node.end_col_offset)  # type: ignore[attr-defined]


def _segment(src: KernelSource, node: pyast.AST) -> str:
    return pyast.get_source_segment(src.text, node) or ""


DTYPE_NAMES = sorted(d.name for d in dtypes.ALL)
OTHER_NAMES = ["len", "print", "sum", "list", "object", "self", "np", "run", "kernel", "Tensor", "x", "i", "_"]
HUGE_NUMBERS = [
    "0",
    "-1",
    "-7",
    "1" + "0" * 30,
    str(2**63),
    str(2**64 + 1),
    str(-(2**63) - 1),
    "0x7fffffffffffffff",
    "1e400",
    "1.5",
    "-0.0",
    "10**40",
    "2**63",
    "7" * 5000,
]
OPERATORS = ["+", "-", "*", "/", "//", "%", "**", "&", "|", "^", "<<", ">>", "<", ">", "<=", ">=", "==", "!=", "@"]
WORD_OPERATORS = ["and", "or", "in", "not in", "is", "is not", "if"]
EXPRESSIONS = ["0", "-1", "x", "N", "B + 1", "None", "1.5", "'a'", "10**20", "f32", "seq_lens", "key", "(1, 2)", "load"]
WRAPPERS = [
    "len",
    "print",
    "str",
    "sum",
    "list",
    "range",
    "parallel",
    "abs",
    "int",
    "float",
    "load",
    "exp",
    "sqrt",
    "floor",
    "cast",
    "reduce_sum",
    "reduce_max",
    "min",
    "sizeof",
    "zeros",
    "require",
    "copy",
    "fill",
    "store",
    "where",
]
EXTRA_ARGS = ["0", "x", "f32", "code=1", "msg='m'", "axis=0", "round='rint'", "foo=1", "None", "*xs", "**kw", "(1, 2)"]
# Statements outside the subset (and a few inside it, misplaced), at the indentation of the line they precede.
CONSTRUCTS = [
    "f = lambda q: q",
    "try:\n    pass\nexcept Exception:\n    pass",
    "with open('f') as fh:\n    pass",
    "q = [i for i in range(3)]",
    "q = {i: i for i in range(3)}",
    "q = (i for i in range(3))",
    "q = {1, 2}",
    "q = {1: 2}",
    "global x",
    "nonlocal x",
    "def h(*args):\n    pass",
    "class C:\n    pass",
    "store(*args)",
    "store(**kw)",
    "yield 1",
    "del x",
    "assert x",
    "raise ValueError",
    "import os",
    "from os import path",
    "q: int = 3",
    "print(x)",
    "q = (w := 3)",
    "q = f'{x}'",
    "q = b'x'",
    "q = 1j",
    "q = ...",
    "async def g():\n    pass",
    "await x",
    "return",
    "return 1",
    "break",
    "continue",
    "while True:\n    pass",
    "for i in x:\n    pass",
    "for i in range(3):\n    pass\nelse:\n    pass",
    "q = x.shape[7]",
    "q = x.foo",
    "x[0] = 1",
    "q = load(x)[0]",
    "q, r = 1",
    "q = 1 if x else load(x)",
    "q = not load(x)",
    "q = -load(x) @ 2",
    "q = 1 < 2 < 3",
    "@kernel\ndef inner():\n    pass",
    "require(False, code=1, msg='m')",
    "require(x, code='c', msg=1)",
    "q = zeros((10**9, 10**9), f32)",
    "q = full((4,), 1.0, i8) + full((4,), 1, i8)",
]


def _misspell(name: str, ch: Chooser) -> str:
    if len(name) < 2:
        return name + "x"
    i = ch.randint(0, len(name) - 1)
    how = ch.choice(["drop", "double", "swap", "case", "suffix"])
    if how == "drop":
        return name[:i] + name[i + 1 :] or "q"
    if how == "double":
        return name[:i] + name[i] + name[i:]
    if how == "swap" and i + 1 < len(name):
        return name[:i] + name[i + 1] + name[i] + name[i + 2 :]
    if how == "case":
        return name.swapcase()
    return name + "_"


def _indent_of(src: KernelSource, line: int) -> str:
    text = src.lines[line - 1]
    return text[: len(text) - len(text.lstrip())]


def m_delete_token(src: KernelSource, ch: Chooser) -> Mutant:
    t = _pick(ch, _tokens(src))
    return Mutant(src, "delete_token", _replace(src, t.start, t.end, ""), t.start[0], f"delete {t.string!r}")


def m_duplicate_token(src: KernelSource, ch: Chooser) -> Mutant:
    t = _pick(ch, _tokens(src))
    return Mutant(
        src, "duplicate_token", _replace(src, t.start, t.end, f"{t.string} {t.string}"), t.start[0], f"dup {t.string!r}"
    )


def m_swap_tokens(src: KernelSource, ch: Chooser) -> Mutant:
    toks = _tokens(src)
    i = ch.randint(0, len(toks) - 2)
    j = min(len(toks) - 1, i + ch.randint(1, 6))
    a, b = toks[i], toks[j]
    text = src.text
    sa, ea, sb, eb = (_abs(text, *p) for p in (a.start, a.end, b.start, b.end))
    new = text[:sa] + b.string + text[ea:sb] + a.string + text[eb:]
    return Mutant(src, "swap_tokens", new, a.start[0], f"swap {a.string!r} and {b.string!r}")


def m_replace_name(src: KernelSource, ch: Chooser) -> Mutant:
    toks = [t for t in _tokens(src) if t.type == tokenize.NAME and not keyword.iskeyword(t.string)]
    t = _pick(ch, toks)
    names = sorted({x.string for x in toks})
    pool = (
        names + sorted(lang.BUILTINS) + DTYPE_NAMES + OTHER_NAMES + ["lambda", "yield", "await", "None", "True", "if"]
    )
    new = _misspell(t.string, ch) if ch.randint(0, 2) == 0 else ch.choice(pool)
    return Mutant(src, "replace_name", _replace(src, t.start, t.end, new), t.start[0], f"{t.string!r} -> {new!r}")


def m_call_arity(src: KernelSource, ch: Chooser) -> Mutant:
    call = _pick(ch, _nodes(src, pyast.Call, body_only=ch.randint(0, 3) > 0))
    items: list[pyast.AST] = [*call.args, *call.keywords]
    items.sort(key=lambda n: (n.lineno, n.col_offset))
    if items and ch.randint(0, 1):
        k = ch.randint(0, len(items) - 1)
        item = items[k]
        start, end = _span(item)
        if k + 1 < len(items):
            end = _span(items[k + 1])[0]  # drop "arg, "
        elif k > 0:
            start = _span(items[k - 1])[1]  # drop ", arg"
        return Mutant(src, "call_arity", _replace(src, start, end, ""), call.lineno, f"drop {_segment(src, item)!r}")
    extra = ch.choice([*EXTRA_ARGS, *(_segment(src, i) for i in items)])
    _, (el, ec) = _span(call)
    sep = ", " if items else ""
    new = _replace(src, (el, ec - 1), (el, ec - 1), f"{sep}{extra}")
    return Mutant(src, "call_arity", new, call.lineno, f"add {extra!r} to {_segment(src, call.func)}(...)")


def m_replace_number(src: KernelSource, ch: Chooser) -> Mutant:
    t = _pick(ch, [t for t in _tokens(src) if t.type == tokenize.NUMBER])
    new = ch.choice(HUGE_NUMBERS)
    return Mutant(src, "replace_number", _replace(src, t.start, t.end, new), t.start[0], f"{t.string} -> {new[:20]}")


def m_replace_operator(src: KernelSource, ch: Chooser) -> Mutant:
    words = {"and", "or", "in", "is", "not"}
    toks = [t for t in _tokens(src) if (t.type == tokenize.OP and t.string in OPERATORS) or t.string in words]
    t = _pick(ch, toks)
    new = ch.choice(OPERATORS + WORD_OPERATORS)
    pad = f" {new} " if new[0].isalpha() else new
    return Mutant(src, "replace_operator", _replace(src, t.start, t.end, pad), t.start[0], f"{t.string!r} -> {new!r}")


def m_change_dtype(src: KernelSource, ch: Chooser) -> Mutant:
    toks = [t for t in _tokens(src) if t.type == tokenize.NAME and t.string in dtypes.BY_NAME]
    t = _pick(ch, toks)
    new = ch.choice([*DTYPE_NAMES, "f64", "bool", "float", "int", "u64", "T", "I", "Tensor"])
    return Mutant(src, "change_dtype", _replace(src, t.start, t.end, new), t.start[0], f"{t.string} -> {new}")


def m_insert_construct(src: KernelSource, ch: Chooser) -> Mutant:
    stmt = _pick(ch, _nodes(src, pyast.stmt))
    indent = _indent_of(src, stmt.lineno)
    snippet = ch.choice(CONSTRUCTS)
    block = "".join(f"{indent}{line}\n" for line in snippet.splitlines())
    new = _replace(src, (stmt.lineno, 0), (stmt.lineno, 0), block)
    return Mutant(src, "insert_construct", new, stmt.lineno, f"insert {snippet!r}")


def m_break_indentation(src: KernelSource, ch: Chooser) -> Mutant:
    lines = [i for i in range(src.body_line, src.last_line + 1) if src.lines[i - 1].strip()]
    line = _pick(ch, lines)
    indent = _indent_of(src, line)
    how = ch.choice(["+1", "-1", "+4", "-4", "tab", "zero", "tab+spaces"])
    new_indent = {
        "+1": indent + " ",
        "-1": indent[:-1],
        "+4": indent + "    ",
        "-4": indent[:-4],
        "tab": "\t" * (len(indent) // 4),
        "zero": "",
        "tab+spaces": "\t" + indent,
    }[how]
    new = _replace(src, (line, 0), (line, len(indent)), new_indent)
    return Mutant(src, "break_indentation", new, line, f"indent {how}")


def m_replace_slice_bound(src: KernelSource, ch: Chooser) -> Mutant:
    sl = _pick(ch, _nodes(src, pyast.Slice))
    lo = _segment(src, sl.lower) if sl.lower is not None else ""
    hi = _segment(src, sl.upper) if sl.upper is not None else ""
    which = ch.choice(["lower", "upper", "step", "both"])
    bound = ch.choice([*EXPRESSIONS, "", "-(2**70)", "TOK * 2", "b:b", "0.0"])
    if which in ("lower", "both"):
        lo = bound
    if which in ("upper", "both"):
        hi = ch.choice([*EXPRESSIONS, ""])
    text = f"{lo}:{hi}" + (f":{bound}" if which == "step" else "")
    start, end = _span(sl)
    return Mutant(src, "replace_slice_bound", _replace(src, start, end, text), sl.lineno, f"slice -> {text}")


def m_wrap_builtin(src: KernelSource, ch: Chooser) -> Mutant:
    node = _pick(ch, [n for n in _nodes(src, pyast.expr) if n.lineno == n.end_lineno])
    wrapper = ch.choice(WRAPPERS)
    seg = _segment(src, node)
    start, end = _span(node)
    return Mutant(
        src, "wrap_builtin", _replace(src, start, end, f"{wrapper}({seg})"), node.lineno, f"{wrapper}({seg[:30]})"
    )


MUTATIONS: dict[str, Callable[[KernelSource, Chooser], Mutant]] = {
    "delete_token": m_delete_token,
    "duplicate_token": m_duplicate_token,
    "swap_tokens": m_swap_tokens,
    "replace_name": m_replace_name,
    "call_arity": m_call_arity,
    "replace_number": m_replace_number,
    "replace_operator": m_replace_operator,
    "change_dtype": m_change_dtype,
    "insert_construct": m_insert_construct,
    "break_indentation": m_break_indentation,
    "replace_slice_bound": m_replace_slice_bound,
    "wrap_builtin": m_wrap_builtin,
}


def mutate(src: KernelSource, kind: str, ch: Chooser) -> Mutant | None:
    try:
        return MUTATIONS[kind](src, ch)
    except NoSite:
        return None


# ---------------------------------------------------------------------------------------------- checks

# Bugs outside the frontend and the CLI, each with a strict xfail test in test_regressions.py: the fuzz tests
# skip a result that matches one (and only that result), so they keep checking everything else.
KNOWN_BUGS: dict[str, re.Pattern[str]] = {}


def known_bug(err: str) -> str | None:
    return next((name for name, pattern in KNOWN_BUGS.items() if pattern.search(err)), None)


LOCATED = re.compile(r"^(?P<file>.+?):(?P<line>\d+):(?P<col>\d+): ")


@dataclass(frozen=True)
class CliResult:
    argv: tuple[str, ...]
    code: int
    out: str
    err: str

    def __str__(self) -> str:
        return f"ascdsl {' '.join(self.argv)} -> {self.code}\n--- stderr ---\n{self.err}\n--- stdout (head) ---\n{self.out[:500]}"


def run_cli(*argv: str) -> CliResult:
    """`ascdsl.cli.main(argv)` in-process; an exception escaping it is a test failure with its traceback."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(argv))
        except BaseException:
            raise AssertionError(f"ascdsl {' '.join(argv)} raised:\n{traceback.format_exc()}") from None
    return CliResult(tuple(argv), code, out.getvalue(), err.getvalue())


def assert_located_in(text: str, path: Path, context: object) -> tuple[int, int]:
    """`text` starts with `path:line:col: ` and that line and column exist in the file."""
    m = LOCATED.match(text)
    assert m is not None and m.group("file") == str(path), f"not located in {path}:\n{context}"
    line, col = int(m.group("line")), int(m.group("col"))
    lines = path.read_text().splitlines()
    assert 1 <= line <= len(lines) + 1, f"line {line} is outside {path} ({len(lines)} lines):\n{context}"
    width = len(lines[line - 1]) if line <= len(lines) else 0
    assert 1 <= col <= width + 1, f"column {col} is outside line {line} ({width} chars):\n{context}"
    return line, col


def assert_user_result(r: CliResult, path: Path, located: bool, context: object = "") -> None:
    """What the user sees: exit 0, or exit 1 with one message (no traceback), located in `path` when `located`."""
    where = f"{r}\n--- mutation ---\n{context}"
    assert r.code in (0, 1), where
    if r.code == 0:
        return
    assert r.err.strip(), f"exit 1 without a message:\n{where}"
    assert "Traceback" not in r.err, where
    assert r.out == "", f"output on a failure:\n{where}"
    assert r.err.count(": error: ") + r.err.count("\nerror: ") <= 1, f"more than one error:\n{where}"
    if located:
        assert_located_in(r.err, path, where)


# ---------------------------------------------------------------------------------------------- the Python API


@cache
def module_globals(path: Path) -> dict[str, Any]:
    """The globals of a kernel file, imported once under a private name (what its kernels' names resolve in)."""
    spec = importlib.util.spec_from_file_location(f"_fuzz_{path.stem}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return vars(module)


def mutant_kernel(m: Mutant, path: Path) -> Kernel:
    """The mutated kernel as `@kernel` would make it from `path`, but without Python parsing the file first:
    text Python rejects reaches the DSL parser too."""
    lines = m.text.splitlines(keepends=True)
    delta = len(lines) - len(m.source.lines)
    text = "".join(lines[m.source.first_line - 1 : m.source.last_line + delta])
    return Kernel(text, str(path), m.source.first_line, module_globals(m.source.path), m.source.name)


def assert_span_in(err: DslError, path: Path, context: object = "") -> None:
    assert err.span is not None, f"a DslError without a span:\n{err}\n{context}"
    assert err.span.file == str(path), f"the span is in {err.span.file}, not {path}:\n{err}\n{context}"
    assert_located_in(str(err), path, f"{err}\n{context}")

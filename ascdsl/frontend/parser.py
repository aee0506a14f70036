"""The DSL frontend: kernel source text to the `ascdsl.frontend.ast` tree.

`parse_function` parses the text of one (possibly decorated) function definition with the lark grammar
in `grammar.lark` and walks the lark tree into `ast` nodes, each with the span of its text in the
original file. Every failure is a `DslError`: syntax errors say what was found and what was expected,
and constructs outside the subset (lambda, try, comprehensions, ...) are rejected by name at their
keyword with a hint saying what to write instead.
"""

from __future__ import annotations

import ast as pyast
import linecache
import os
import threading
import warnings
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import ClassVar, NoReturn

from lark import Lark, Token, Tree
from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedInput, UnexpectedToken
from lark.indenter import Indenter
from lark.lexer import PatternStr

from ascdsl.errors import DslError, Span, register_source
from ascdsl.frontend import ast as dsl

__all__ = ["parse_function"]

_GRAMMAR_PATH = Path(__file__).with_name("grammar.lark")

# Layout tokens never count toward a node's span: a statement ends at its last character, not at the
# start of the next line where the newline/dedent tokens are positioned.
_LAYOUT_TOKENS = frozenset({"_NEWLINE", "_INDENT", "_DEDENT"})

_BRACKET_PAIRS = {"LPAR": "RPAR", "LSQB": "RSQB", "LBRACE": "RBRACE"}


class _Problem(Exception):
    """A user error found while parsing, in source coordinates (before line/col offsets).

    Raised internally and turned into a `DslError` by `parse_function`, once the source is registered
    for `Span.source_line` (a `DslError` renders its message when it is constructed).
    """

    def __init__(
        self,
        message: str,
        line: int,
        col: int,
        end_line: int,
        end_col: int,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.col = col
        self.end_line = end_line
        self.end_col = end_col
        self.hint = hint


class _KernelIndenter(Indenter):
    """Python-style INDENT/DEDENT postlexer that is strict about tabs and remembers open brackets.

    Indentation levels are compared as strings, not widths: a deeper line must start with the
    enclosing block's indentation, so a tab on one line and spaces on another is an error instead of
    depending on a tab width. The open-bracket stack lets a syntax error point at a bracket that was
    never closed.
    """

    NL_type = "_NEWLINE"
    OPEN_PAREN_types: ClassVar[list[str]] = list(_BRACKET_PAIRS)
    CLOSE_PAREN_types: ClassVar[list[str]] = list(_BRACKET_PAIRS.values())
    INDENT_type = "_INDENT"
    DEDENT_type = "_DEDENT"
    tab_len = 8

    def __init__(self) -> None:
        super().__init__()
        self.indents: list[str] = [""]
        self.open_brackets: list[Token] = []

    def process(self, stream: Iterator[Token]) -> Iterator[Token]:
        self.indents = [""]
        self.open_brackets = []
        return self._process(stream)

    def _process(self, stream: Iterator[Token]) -> Iterator[Token]:
        last: Token | None = None
        for token in stream:
            last = token
            if token.type == self.NL_type:
                # Inside brackets a newline is an implicit line continuation.
                if not self.open_brackets:
                    yield from self._newline(token)
                continue
            yield token
            if token.type in _BRACKET_PAIRS:
                self.open_brackets.append(token)
            elif token.type in self.CLOSE_PAREN_types and self.open_brackets:
                self.open_brackets.pop()
        while len(self.indents) > 1:
            self.indents.pop()
            yield _layout_token(self.DEDENT_type, last)

    def _newline(self, token: Token) -> Iterator[Token]:
        yield token
        indent = token.value.rsplit("\n", 1)[1].replace("\f", "")
        line = token.end_line
        if " " in indent and "\t" in indent:
            raise _Problem(
                "inconsistent use of tabs and spaces in indentation",
                line,
                1,
                line,
                len(indent) + 1,
                "indent with spaces only",
            )
        top = self.indents[-1]
        if indent == top:
            return
        if indent.startswith(top):
            self.indents.append(indent)
            yield _layout_token(self.INDENT_type, token)
            return
        if not top.startswith(indent):
            raise _Problem(
                "inconsistent use of tabs and spaces in indentation",
                line,
                1,
                line,
                len(indent) + 1,
                "indent with spaces only",
            )
        while len(self.indents[-1]) > len(indent):
            self.indents.pop()
            yield _layout_token(self.DEDENT_type, token)
        if self.indents[-1] != indent:
            raise _Problem(
                "unindent does not match any outer indentation level",
                line,
                1,
                line,
                len(indent) + 1,
                "line the statement up with the block it belongs to",
            )


def _layout_token(type_: str, newline: Token | None) -> Token:
    """An INDENT/DEDENT positioned at the first character of the line it introduces."""
    if newline is None:
        return Token(type_, "", 0, 1, 1, 1, 1, 0)
    return Token(
        type_,
        "",
        newline.end_pos,
        newline.end_line,
        newline.end_column,
        newline.end_line,
        newline.end_column,
        newline.end_pos,
    )


def _keep_for_positions(child: object) -> bool:
    return not (isinstance(child, Token) and child.type in _LAYOUT_TOKENS)


@lru_cache(maxsize=1)
def _lark() -> tuple[Lark, _KernelIndenter]:
    """The parser, built once per process (building the LALR tables is the slow part)."""
    indenter = _KernelIndenter()
    parser = Lark(
        _GRAMMAR_PATH.read_text(encoding="utf-8"),
        parser="lalr",
        lexer="basic",
        postlex=indenter,
        propagate_positions=_keep_for_positions,
        maybe_placeholders=True,
    )
    return parser, indenter


# The Indenter keeps per-parse state on the one cached instance.
_PARSE_LOCK = threading.Lock()


# ---------------------------------------------------------------- public entry point


def parse_function(source: str, filename: str, line_offset: int = 0, col_offset: int = 0) -> dsl.FunctionDef:
    """Parse the text of one (possibly decorated) function definition into a `FunctionDef`.

    `source` starts at column 0 (dedented by the caller). Spans are in the original file's
    coordinates: line = line in `source` + `line_offset`, col = column in `source` + `col_offset`.
    Raises `DslError` for anything that is not a kernel of the supported subset.
    """
    try:
        return _parse(source, filename, line_offset, col_offset)
    except _Problem as problem:
        _show_source(filename, source, line_offset, col_offset)
        span = Span(
            filename,
            problem.line + line_offset,
            problem.col + col_offset,
            problem.end_line + line_offset,
            problem.end_col + col_offset,
        )
        raise DslError(problem.message, span, problem.hint) from None
    except RecursionError:
        raise DslError(
            "the kernel is nested too deeply to parse",
            Span(filename, 1 + line_offset, 1 + col_offset, 1 + line_offset, 1 + col_offset),
            "split deeply nested expressions into several statements",
        ) from None


def _parse(source: str, filename: str, line_offset: int, col_offset: int) -> dsl.FunctionDef:
    # The grammar ends every statement with a newline; the last line of a source may lack one.
    # Dropping the "\r" of "\r\n" moves no character to another line or column.
    text = source.replace("\r\n", "\n")
    if not text.endswith("\n"):
        text += "\n"
    parser, indenter = _lark()
    with _PARSE_LOCK:
        try:
            tree = parser.parse(text)
        except UnexpectedInput as err:
            raise _syntax_problem(err, text, parser, list(indenter.open_brackets)) from None
        except LarkError as err:  # pragma: no cover - lark's own errors not covered above
            raise _Problem(f"cannot parse the kernel: {err}", 1, 1, 1, 1) from None
    return _Builder(filename, line_offset, col_offset).function(tree)


def _show_source(filename: str, source: str, line_offset: int, col_offset: int) -> None:
    """Let `Span.source_line` find the kernel's lines when `filename` is not a file on disk.

    The kernel's lines go at the same line numbers and columns as in the original file, so the caret
    lines up with the text; lines that linecache already holds before them (e.g. the start of a
    notebook cell) are kept.
    """
    if os.path.isfile(filename):
        return
    entry = linecache.cache.get(filename)
    before = list(entry[2][:line_offset]) if entry is not None and len(entry) == 4 else []
    before = [line if line.endswith("\n") else line + "\n" for line in before]
    before.extend(["\n"] * (line_offset - len(before)))
    ours = [(" " * col_offset + line if line.strip() else line) for line in source.splitlines(keepends=True)]
    lines = before + [line if line.endswith("\n") else line + "\n" for line in ours]
    register_source(filename, "".join(lines))


# ---------------------------------------------------------------- syntax errors

_NUMBER_TOKENS = frozenset({"DEC_NUMBER", "HEX_NUMBER", "BIN_NUMBER", "OCT_NUMBER", "FLOAT_NUMBER", "IMAG_NUMBER"})
_EXPRESSION_STARTS = _NUMBER_TOKENS | {
    "NAME",
    "STRING",
    "NONE",
    "TRUE",
    "FALSE",
    "ELLIPSIS",
    "LPAR",
    "LSQB",
    "LBRACE",
    "MINUS",
    "PLUS",
    "TILDE",
    "NOT",
    "LAMBDA",
    "AWAIT",
    "STAR",
    "DSTAR",
    "YIELD",
}
_STATEMENT_STARTS = _EXPRESSION_STARTS | {
    "PASS",
    "BREAK",
    "CONTINUE",
    "RETURN",
    "IF",
    "WHILE",
    "FOR",
    "TRY",
    "WITH",
    "DEF",
    "CLASS",
    "AT",
    "ASYNC",
    "GLOBAL",
    "NONLOCAL",
    "IMPORT",
    "FROM",
    "DEL",
    "RAISE",
    "ASSERT",
}
# Tokens that can continue a complete expression; many of them at once read as "an operator".
_OPERATOR_TOKENS = frozenset(
    {
        "PLUS",
        "MINUS",
        "STAR",
        "AT",
        "SLASH",
        "DSLASH",
        "PERCENT",
        "DSTAR",
        "VBAR",
        "CIRCUMFLEX",
        "AMPERSAND",
        "LSHIFT",
        "RSHIFT",
        "LESSTHAN",
        "MORETHAN",
        "DOT",
        "LPAR",
        "LSQB",
        "IF",
        "AND",
        "OR",
        "NOT",
        "IN",
        "IS",
        "WALRUS",
    }
)
# Keywords of constructs outside the subset: never worth suggesting in an "expected ..." list.
_UNSUPPORTED_KEYWORDS = frozenset(
    {
        "LAMBDA",
        "TRY",
        "EXCEPT",
        "FINALLY",
        "WITH",
        "CLASS",
        "GLOBAL",
        "NONLOCAL",
        "IMPORT",
        "DEL",
        "RAISE",
        "ASSERT",
        "YIELD",
        "ASYNC",
        "AWAIT",
        "WALRUS",
        "ELLIPSIS",
    }
)
_TOKEN_WORDS = {
    "NAME": "a name",
    "STRING": "a string",
    "_NEWLINE": "the end of the line",
    "_INDENT": "an indented block",
    "_DEDENT": "the end of the indented block",
    "$END": "the end of the input",
}


def _terminal_text(parser: Lark, name: str) -> str | None:
    """The literal text of a terminal defined by a plain string (operators, keywords)."""
    try:
        pattern = parser.get_terminal(name).pattern
    except KeyError:
        return None
    return pattern.value if isinstance(pattern, PatternStr) else None


def _describe_terminal(parser: Lark, name: str) -> str:
    if name in _TOKEN_WORDS:
        return _TOKEN_WORDS[name]
    if name in _NUMBER_TOKENS:
        return "a number"
    text = _terminal_text(parser, name)
    return f"'{text}'" if text is not None else name.lower()


def _describe_expected(parser: Lark, expected: set[str]) -> str:
    names = set(expected)
    phrases: list[str] = []
    if "NAME" in names and "DEC_NUMBER" in names:
        phrases.append("a statement" if "PASS" in names else "an expression")
        names -= _STATEMENT_STARTS if "PASS" in names else _EXPRESSION_STARTS
    operators = {n for n in names if n in _OPERATOR_TOKENS or _is_operator_text(parser, n)}
    augmented = {n for n in names if (_terminal_text(parser, n) or "").endswith("=")}
    augmented -= {"EQUAL"} | {n for n in names if _is_operator_text(parser, n)}
    if len(augmented) >= 3:
        # After a statement's first expression: '=' and every 'op=' read as "an assignment"; ':'
        # there only starts an (unsupported) annotation.
        names -= augmented | {"EQUAL", "COLON", "SEMICOLON"}
        phrases.append("an assignment")
    # '*', '**' and '/' alone also start parameters; they do not make an operator list.
    if len(operators - {"STAR", "DSTAR", "SLASH"}) >= 3:
        names -= operators
        phrases.append("an operator")
    # Outside an operator list these only start star-args or '/' parameters, which are rejected.
    names -= {"STAR", "DSTAR", "SLASH"}
    names -= _UNSUPPORTED_KEYWORDS
    words = sorted({_describe_terminal(parser, n) for n in names})
    # Quoted tokens first, then the phrases ("an expression", "the end of the line", ...).
    words.sort(key=lambda w: (not w.startswith("'"), w))
    items = words + phrases
    if not items:
        return "something else"
    if len(items) > 10:
        items = [*items[:9], f"one of {len(items) - 9} other tokens"]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


_COMPARISON_TEXTS = frozenset({"<", ">", "==", ">=", "<=", "!=", "is", "in", "not"})


def _is_operator_text(parser: Lark, name: str) -> bool:
    return _terminal_text(parser, name) in _COMPARISON_TEXTS


def _describe_found(parser: Lark, token: Token) -> str:
    kind = token.type
    if kind == "$END":
        return "end of input"
    if kind == "_NEWLINE":
        return "end of line"
    if kind == "_INDENT":
        return "indentation"
    if kind == "_DEDENT":
        return "end of the indented block"
    if kind == "NAME":
        return f"name '{token.value}'"
    if kind in _NUMBER_TOKENS:
        return f"number {token.value}"
    if kind == "STRING":
        return "string literal"
    text = _terminal_text(parser, kind)
    if text is not None and text.isalpha():
        return f"keyword '{text}'"
    return f"'{token.value}'"


def _end_of_text(text: str) -> tuple[int, int]:
    """The line and column just past the last non-blank character of `text`."""
    lines = text.rstrip().splitlines() or [""]
    return len(lines), len(lines[-1]) + 1


def _syntax_problem(err: UnexpectedInput, text: str, parser: Lark, open_brackets: list[Token]) -> _Problem:
    if isinstance(err, UnexpectedCharacters):
        line, col = err.line, err.column
        char = text[err.pos_in_stream] if 0 <= err.pos_in_stream < len(text) else ""
        start = err.pos_in_stream - 2
        if char in ("'", '"') and start >= 0 and text[start : err.pos_in_stream] == char * 2:
            # The lexer read the first two quotes of an unterminated triple quote as an empty string.
            return _Problem(
                "unterminated triple-quoted string literal",
                line,
                col - 2,
                line,
                col + 1,
                f"close the string with {char * 3}",
            )
        if char in ("'", '"'):
            return _Problem(
                "unterminated string literal",
                line,
                col,
                line,
                col + 1,
                "close the string on the same line, or use triple quotes for a multi-line string",
            )
        if char == "\\":
            return _Problem(
                "unexpected character '\\'",
                line,
                col,
                line,
                col + 1,
                "a backslash continues a line only as the last character of that line",
            )
        hint = "write `not x` for a logical negation" if char == "!" else None
        return _Problem(f"unexpected character {char!r}", line, col, line, col + 1, hint)

    if not isinstance(err, UnexpectedToken):
        line, col = _end_of_text(text)
        return _Problem("unexpected end of the input", line, col, line, col)

    token = err.token
    try:
        expected = set(err.accepts or err.expected)
    except Exception:  # pragma: no cover - the interactive parser should not fail; be safe anyway
        expected = set(err.expected)
    found = _describe_found(parser, token)

    if token.type in ("$END", "_DEDENT") and open_brackets:
        # Newlines inside brackets are skipped, so a dedent (or the end) there means the input ended
        # inside the bracket.
        bracket = open_brackets[-1]
        return _Problem(
            f"'{bracket.value}' was never closed",
            bracket.line,
            bracket.column,
            bracket.end_line,
            bracket.end_column,
            f"add the matching '{_terminal_text(parser, _BRACKET_PAIRS[bracket.type])}'",
        )
    if token.type == "$END":
        line, col = _end_of_text(text)
        end_line, end_col = line, col + 1
    else:
        line, col = token.line, token.column
        end_line, end_col = token.end_line, token.end_column
        if token.type in _LAYOUT_TOKENS:
            # Underline one column: a newline's text spans lines, INDENT/DEDENT are zero-width.
            end_line, end_col = line, col + 1

    hint: str | None = None
    if open_brackets and open_brackets[-1].line != token.line:
        bracket = open_brackets[-1]
        hint = f"the '{bracket.value}' at line {bracket.line} column {bracket.column} is not closed"

    if token.type == "_INDENT":
        return _Problem(
            "unexpected indentation",
            line,
            col,
            end_line,
            end_col,
            hint or "indent only the body of a def, if, elif, else, for or while",
        )
    if expected == {"_INDENT"}:
        return _Problem(
            f"expected an indented block, found {found}",
            line,
            col,
            end_line,
            end_col,
            "indent the body of the block (a block with nothing to do can be `pass`)",
        )
    if expected <= {"AT", "DEF", "ASYNC", "_NEWLINE"} and "DEF" in expected:
        return _Problem(
            f"expected a function definition ('def' or a decorator), found {found}",
            line,
            col,
            end_line,
            end_col,
            "pass the source of one kernel function",
        )
    if expected == {"$END"}:
        return _Problem(
            f"unexpected {found} after the end of the kernel function",
            line,
            col,
            end_line,
            end_col,
            "indent the statement into the function body; the source must hold one function",
        )
    if token.value == "=" and "COLON" in expected:
        hint = hint or "use `==` to compare"
    return _Problem(
        f"unexpected {found}; expected {_describe_expected(parser, expected)}",
        line,
        col,
        end_line,
        end_col,
        hint,
    )


# ---------------------------------------------------------------- rejected constructs

_NOT_SUPPORTED = "is not supported in ascdsl kernels"
_ARE_NOT_SUPPORTED = "are not supported in ascdsl kernels"
_REQUIRE_HINT = "use require(cond, code=..., msg=...)"
_LOOP_ELSE_HINT = "use a flag variable: set it before `break` and test it after the loop"
_COMPREHENSION_HINT = "use a for loop or a tile operation"
_BY_NAME_HINT = "declare every parameter by name"


def _is(node: object, type_: str) -> bool:
    return isinstance(node, Token) and node.type == type_


def _is_tree(node: object, data: str) -> bool:
    return isinstance(node, Tree) and node.data == data


class _Builder:
    """Walks the lark tree in source order, building `ast` nodes and rejecting what the subset lacks.

    Walking in source order makes the first problem in the text the one that is reported.
    """

    def __init__(self, filename: str, line_offset: int, col_offset: int) -> None:
        self.filename = filename
        self.line_offset = line_offset
        self.col_offset = col_offset

    # ------------------------------------------------------------ spans and errors

    @staticmethod
    def _pos(node: Tree | Token) -> tuple[int, int, int, int]:
        if isinstance(node, Token):
            return node.line, node.column, node.end_line, node.end_column
        meta = node.meta
        if meta.empty:  # pragma: no cover - every rule of the grammar covers some text
            return 1, 1, 1, 1
        return meta.line, meta.column, meta.end_line, meta.end_column

    def span(self, node: Tree | Token, last: Tree | Token | None = None) -> Span:
        line, col, end_line, end_col = self._pos(node)
        if last is not None:
            _, _, end_line, end_col = self._pos(last)
        return Span(
            self.filename,
            line + self.line_offset,
            col + self.col_offset,
            end_line + self.line_offset,
            end_col + self.col_offset,
        )

    def fail(self, message: str, at: Tree | Token, hint: str | None = None) -> NoReturn:
        line, col, end_line, end_col = self._pos(at)
        raise _Problem(message, line, col, end_line, end_col, hint)

    def fail_span(self, message: str, span: Span, hint: str | None = None) -> NoReturn:
        raise _Problem(
            message,
            span.line - self.line_offset,
            span.col - self.col_offset,
            span.end_line - self.line_offset,
            span.end_col - self.col_offset,
            hint,
        )

    # ------------------------------------------------------------ the function

    def function(self, tree: Tree) -> dsl.FunctionDef:
        items = [c for c in tree.children if c is not None]
        *decorator_trees, definition = items
        decorators = [self.expr(d.children[1]) for d in decorator_trees]
        if _is_tree(definition, "async_stmt"):
            self.fail(
                f"async function definition {_NOT_SUPPORTED}",
                definition.children[0],
                "kernels are synchronous; remove 'async'",
            )
        _, name, params_tree, returns_tree, suite = definition.children
        params = self.parameters(params_tree)
        returns = self.expr(returns_tree) if returns_tree is not None else None
        body = self.suite(suite)
        first = decorator_trees[0] if decorator_trees else definition
        return dsl.FunctionDef(
            span=self.span(first, definition),
            name=str(name),
            params=params,
            body=body,
            decorators=decorators,
            returns=returns,
            name_span=self.span(name),
        )

    def parameters(self, tree: Tree | None) -> list[dsl.Param]:
        if tree is None:
            return []
        params: list[dsl.Param] = []
        seen: set[str] = set()
        for item in tree.children:
            if item.data == "star_param":
                star = item.children[0]
                if item.children[1] is None:
                    self.fail(
                        f"keyword-only marker '*' in the parameter list {_NOT_SUPPORTED}",
                        star,
                        "declare every parameter by name, without '*'",
                    )
                self.fail(f"star-args parameter (*args) {_NOT_SUPPORTED}", item, _BY_NAME_HINT)
            if item.data == "dstar_param":
                self.fail(f"double-star-args parameter (**kwargs) {_NOT_SUPPORTED}", item, _BY_NAME_HINT)
            if item.data == "slash_param":
                self.fail(
                    f"positional-only marker '/' in the parameter list {_NOT_SUPPORTED}",
                    item,
                    "remove the '/'",
                )
            name, annotation, default = item.children
            if str(name) in seen:
                self.fail(f"duplicate parameter '{name}'", name, "give each parameter its own name")
            seen.add(str(name))
            params.append(
                dsl.Param(
                    span=self.span(item),
                    name=str(name),
                    annotation=self.expr(annotation) if annotation is not None else None,
                    default=self.expr(default) if default is not None else None,
                )
            )
        return params

    # ------------------------------------------------------------ statements

    def suite(self, tree: Tree) -> list[dsl.Stmt]:
        body: list[dsl.Stmt] = []
        for child in tree.children:
            if child is None:
                continue
            if _is_tree(child, "simple_stmts"):
                body.extend(self.stmt(s) for s in child.children if s is not None)
            else:
                body.append(self.stmt(child))
        return body

    def stmt(self, tree: Tree) -> dsl.Stmt:
        method = getattr(self, f"stmt_{tree.data}", None)
        if method is None:  # pragma: no cover - every statement rule has a method
            self.fail(f"unsupported statement '{tree.data}'", tree)
        return method(tree)

    def stmt_expr_stmt(self, tree: Tree) -> dsl.Stmt:
        return dsl.ExprStmt(span=self.span(tree), value=self.expr(tree.children[0]))

    def stmt_assign_stmt(self, tree: Tree) -> dsl.Stmt:
        *targets, value = tree.children
        built = [self.target(t) for t in targets]
        return dsl.Assign(span=self.span(tree), targets=built, value=self.expr(value))

    def stmt_aug_assign(self, tree: Tree) -> dsl.Stmt:
        target, op, value = tree.children
        if _is_tree(target, "tuple") or _is_tree(target, "paren_tuple"):
            self.fail(
                "a tuple cannot be the target of an augmented assignment",
                target,
                "update each name in its own statement",
            )
        built = self.target(target)
        return dsl.AugAssign(
            span=self.span(tree),
            target=built,
            op=str(op.children[0])[:-1],
            value=self.expr(value),
        )

    def stmt_ann_assign(self, tree: Tree) -> dsl.Stmt:
        self.fail(
            f"annotated assignment (x: T = v) {_NOT_SUPPORTED}",
            tree,
            "write `x = v`; convert with cast(...) if the value needs a specific type",
        )

    def stmt_yield_stmt(self, tree: Tree) -> dsl.Stmt:
        return dsl.ExprStmt(span=self.span(tree), value=self.expr(tree.children[0]))

    def stmt_pass_stmt(self, tree: Tree) -> dsl.Stmt:
        return dsl.Pass(span=self.span(tree))

    def stmt_break_stmt(self, tree: Tree) -> dsl.Stmt:
        return dsl.Break(span=self.span(tree))

    def stmt_continue_stmt(self, tree: Tree) -> dsl.Stmt:
        return dsl.Continue(span=self.span(tree))

    def stmt_return_stmt(self, tree: Tree) -> dsl.Stmt:
        value = tree.children[1]
        return dsl.Return(span=self.span(tree), value=self.expr(value) if value is not None else None)

    def stmt_global_stmt(self, tree: Tree) -> dsl.Stmt:
        self.fail(
            f"global statement {_NOT_SUPPORTED}",
            tree.children[0],
            "pass the value in as a parameter (Attr[...] for a scalar)",
        )

    def stmt_nonlocal_stmt(self, tree: Tree) -> dsl.Stmt:
        self.fail(
            f"nonlocal statement {_NOT_SUPPORTED}",
            tree.children[0],
            "pass the value in as a parameter (Attr[...] for a scalar)",
        )

    def stmt_import_stmt(self, tree: Tree) -> dsl.Stmt:
        self.fail(
            "import statement is not supported inside an ascdsl kernel",
            tree.children[0],
            "import at module level, outside the kernel",
        )

    def stmt_from_import_stmt(self, tree: Tree) -> dsl.Stmt:
        self.fail(
            "from-import statement is not supported inside an ascdsl kernel",
            tree.children[0],
            "import at module level, outside the kernel",
        )

    def stmt_del_stmt(self, tree: Tree) -> dsl.Stmt:
        self.fail(
            f"del statement {_NOT_SUPPORTED}",
            tree.children[0],
            "just stop using the variable; buffers are freed after their last use",
        )

    def stmt_raise_stmt(self, tree: Tree) -> dsl.Stmt:
        self.fail(f"raise statement {_NOT_SUPPORTED}", tree.children[0], _REQUIRE_HINT)

    def stmt_assert_stmt(self, tree: Tree) -> dsl.Stmt:
        self.fail(f"assert statement {_NOT_SUPPORTED}", tree.children[0], _REQUIRE_HINT)

    def stmt_if_stmt(self, tree: Tree) -> dsl.Stmt:
        _, test, suite, *clauses = tree.children
        else_clause = clauses.pop() if clauses else None
        built_test = self.expr(test)
        body = self.suite(suite)
        # Build the elif chain front to back (source order), then nest it back to front.
        elifs = [(c, self.expr(c.children[1]), self.suite(c.children[2])) for c in clauses]
        orelse = self.suite(else_clause.children[1]) if else_clause is not None else []
        last: Tree = else_clause if else_clause is not None else (clauses[-1] if clauses else tree)
        for clause, elif_test, elif_body in reversed(elifs):
            orelse = [
                dsl.If(
                    span=self.span(clause, last),
                    test=elif_test,
                    body=elif_body,
                    orelse=orelse,
                )
            ]
        return dsl.If(span=self.span(tree), test=built_test, body=body, orelse=orelse)

    def stmt_while_stmt(self, tree: Tree) -> dsl.Stmt:
        _, test, suite, else_clause = tree.children
        built_test = self.expr(test)
        body = self.suite(suite)
        if else_clause is not None:
            self.fail(f"while/else {_NOT_SUPPORTED}", else_clause.children[0], _LOOP_ELSE_HINT)
        return dsl.While(span=self.span(tree), test=built_test, body=body)

    def stmt_for_stmt(self, tree: Tree) -> dsl.Stmt:
        _, target, _, iterable, suite, else_clause = tree.children
        built_target = self.target(target, loop=True)
        built_iter = self.expr(iterable)
        body = self.suite(suite)
        if else_clause is not None:
            self.fail(f"for/else {_NOT_SUPPORTED}", else_clause.children[0], _LOOP_ELSE_HINT)
        return dsl.For(span=self.span(tree), target=built_target, iter=built_iter, body=body)

    def stmt_try_stmt(self, tree: Tree) -> dsl.Stmt:
        self.fail(
            f"try statement {_NOT_SUPPORTED}",
            tree.children[0],
            "kernels cannot catch errors; check conditions with require(...)",
        )

    def stmt_with_stmt(self, tree: Tree) -> dsl.Stmt:
        self.fail(
            f"with statement {_NOT_SUPPORTED}",
            tree.children[0],
            "write the setup and teardown calls as plain statements",
        )

    def stmt_classdef(self, tree: Tree) -> dsl.Stmt:
        self.fail(
            "class definition is not supported inside an ascdsl kernel",
            tree.children[0],
            "declare structs at module level with @struct",
        )

    def stmt_funcdef(self, tree: Tree) -> dsl.Stmt:
        self.fail(
            "nested function definition is not supported inside an ascdsl kernel",
            tree.children[0],
            "define helper functions at module level",
        )

    def stmt_decorated(self, tree: Tree) -> dsl.Stmt:
        self.fail(
            "decorator inside a kernel body is not supported in ascdsl kernels",
            tree.children[0],
            "decorated functions and structs belong at module level",
        )

    def stmt_async_stmt(self, tree: Tree) -> dsl.Stmt:
        inner = tree.children[1]
        what = {
            "funcdef": "async function definition",
            "for_stmt": "async for loop",
            "with_stmt": "async with statement",
        }[inner.data]
        self.fail(
            f"{what} {_NOT_SUPPORTED}",
            tree.children[0],
            "kernels are synchronous; remove 'async'",
        )

    # ------------------------------------------------------------ assignment targets

    def target(self, node: Tree | Token, loop: bool = False) -> dsl.Expr:
        """A Name, a Subscript, or (outside augmented assignment) a Tuple of Names."""
        if _is_tree(node, "star_expr"):
            self._fail_starred_target(node)
        if _is_tree(node, "tuple") or _is_tree(node, "paren_tuple"):
            items = node.children if node.data == "tuple" else node.children[0].children
            elts: list[dsl.Expr] = []
            for item in items:
                if item is None:
                    continue
                if _is_tree(item, "star_expr"):
                    self._fail_starred_target(item)
                elt = self.expr(item)
                if not isinstance(elt, dsl.Name):
                    self.fail_span(
                        "only plain names can be unpacked into",
                        elt.span,
                        "unpack into names first, then store them in a separate statement",
                    )
                elts.append(elt)
            return dsl.Tuple(span=self.span(node), elts=elts)
        if _is_tree(node, "list"):
            self.fail(
                "a list cannot be an assignment target",
                node,
                "unpack into a tuple of names: `a, b = ...`",
            )
        value = self.expr(node)
        if isinstance(value, dsl.Name) or (isinstance(value, dsl.Subscript | dsl.Attribute) and not loop):
            return value  # an attribute target is a struct field; irgen rejects any other
        if loop:
            self.fail_span(
                "a for loop variable must be a name or a tuple of names",
                value.span,
                "loop over a name and store it inside the loop body",
            )
        if isinstance(value, dsl.Attribute):
            self.fail_span(
                "assignment to an attribute is not supported in ascdsl kernels",
                value.span,
                "assign to a variable or a subscript",
            )
        what = {
            dsl.Call: "a function call",
            dsl.Constant: "a literal",
        }.get(type(value), "an expression")
        self.fail_span(
            f"cannot assign to {what}",
            value.span,
            "the target of an assignment must be a name, a tuple of names or a subscript",
        )

    def _fail_starred_target(self, node: Tree) -> NoReturn:
        self.fail(
            f"starred assignment target (*x) {_NOT_SUPPORTED}",
            node,
            "unpack into a fixed number of names",
        )

    # ------------------------------------------------------------ expressions

    def expr(self, node: Tree | Token) -> dsl.Expr:
        if isinstance(node, Token):
            return self.token_expr(node)
        method = getattr(self, f"expr_{node.data}", None)
        if method is None:  # pragma: no cover - every expression rule has a method
            self.fail(f"unsupported expression '{node.data}'", node)
        return method(node)

    def token_expr(self, token: Token) -> dsl.Expr:
        span = self.span(token)
        kind = token.type
        if kind == "NAME":
            return dsl.Name(span=span, id=str(token))
        if kind == "NONE":
            return dsl.Constant(span=span, value=None)
        if kind in ("TRUE", "FALSE"):
            return dsl.Constant(span=span, value=kind == "TRUE")
        if kind == "DEC_NUMBER":
            digits = str(token).replace("_", "")
            if len(digits) > 1 and digits[0] == "0" and digits.strip("0"):
                self.fail(
                    "leading zeros in decimal integer literals are not permitted",
                    token,
                    "write 0o... for an octal number",
                )
            return dsl.Constant(span=span, value=self._int(token, 10))
        if kind in ("HEX_NUMBER", "BIN_NUMBER", "OCT_NUMBER"):
            return dsl.Constant(span=span, value=self._int(token, 0))
        if kind == "FLOAT_NUMBER":
            return dsl.Constant(span=span, value=float(str(token)))
        if kind == "IMAG_NUMBER":
            self.fail(f"complex number literals {_ARE_NOT_SUPPORTED}", token)
        if kind == "ELLIPSIS":
            self.fail(
                f"Ellipsis ('...') {_NOT_SUPPORTED}",
                token,
                "write `pass` for an empty body and spell out every index",
            )
        self.fail(f"unexpected '{token}'", token)  # pragma: no cover - the grammar allows no other

    def _int(self, token: Token, base: int) -> int:
        try:
            return int(str(token), base)
        except ValueError:  # Python limits the digits of an int literal
            self.fail("integer literal is too large", token)

    def expr_strings(self, tree: Tree) -> dsl.Expr:
        parts: list[str] = []
        for token in tree.children:
            text = str(token)
            prefix = text[: min(i for i in (text.find("'"), text.find('"')) if i >= 0)].lower()
            if "f" in prefix:
                self.fail(f"f-strings {_ARE_NOT_SUPPORTED}", token, "use a plain string literal")
            if "b" in prefix:
                self.fail(f"bytes literals {_ARE_NOT_SUPPORTED}", token, "use a plain string literal")
            try:
                with warnings.catch_warnings():
                    # An unknown escape like "\d" only warns in Python; keep the warning quiet here.
                    warnings.simplefilter("ignore")
                    value = pyast.literal_eval(text)
            except (SyntaxError, ValueError, MemoryError) as err:
                self.fail(f"invalid string literal: {err}", token)
            parts.append(value)
        return dsl.Constant(span=self.span(tree), value="".join(parts))

    def expr_binop(self, tree: Tree) -> dsl.Expr:
        left, op, right = tree.children
        built_left = self.expr(left)
        return dsl.BinOp(span=self.span(tree), op=str(op), left=built_left, right=self.expr(right))

    def expr_unary(self, tree: Tree) -> dsl.Expr:
        op, operand = tree.children
        return dsl.UnaryOp(span=self.span(tree), op=str(op), operand=self.expr(operand))

    def expr_not_op(self, tree: Tree) -> dsl.Expr:
        return dsl.UnaryOp(span=self.span(tree), op="not", operand=self.expr(tree.children[1]))

    def _boolop(self, tree: Tree, op: str) -> dsl.Expr:
        values = [self.expr(c) for c in tree.children if not _is(c, op.upper())]
        return dsl.BoolOp(span=self.span(tree), op=op, values=values)

    def expr_or_test(self, tree: Tree) -> dsl.Expr:
        return self._boolop(tree, "or")

    def expr_and_test(self, tree: Tree) -> dsl.Expr:
        return self._boolop(tree, "and")

    def expr_comparison(self, tree: Tree) -> dsl.Expr:
        left, *rest = tree.children
        built_left = self.expr(left)
        ops: list[str] = []
        comparators: list[dsl.Expr] = []
        for op, operand in zip(rest[::2], rest[1::2], strict=True):
            ops.append(" ".join(str(t) for t in op.children))
            comparators.append(self.expr(operand))
        return dsl.Compare(span=self.span(tree), left=built_left, ops=ops, comparators=comparators)

    def expr_ifexp(self, tree: Tree) -> dsl.Expr:
        body, _, test, _, orelse = tree.children
        built_body = self.expr(body)
        built_test = self.expr(test)
        return dsl.IfExp(span=self.span(tree), test=built_test, body=built_body, orelse=self.expr(orelse))

    def expr_walrus(self, tree: Tree) -> dsl.Expr:
        self.fail(
            f"assignment expression (walrus ':=') {_NOT_SUPPORTED}",
            tree.children[1],
            "assign the value in its own statement first",
        )

    def expr_lambdef(self, tree: Tree) -> dsl.Expr:
        self.fail(
            "lambda expressions are not supported in ascdsl kernels",
            tree.children[0],
            "define the computation inline",
        )

    def expr_await_expr(self, tree: Tree) -> dsl.Expr:
        self.fail(
            f"await expression {_NOT_SUPPORTED}",
            tree.children[0],
            "kernels are synchronous; remove 'await'",
        )

    def expr_yield_expr(self, tree: Tree) -> dsl.Expr:
        self.fail(
            f"yield expression {_NOT_SUPPORTED}",
            tree.children[0],
            "store results into an output tensor instead",
        )

    def expr_star_expr(self, tree: Tree) -> dsl.Expr:
        self.fail(f"starred expression (*x) {_NOT_SUPPORTED}", tree, "list the elements explicitly")

    def expr_call(self, tree: Tree) -> dsl.Expr:
        func, arguments = tree.children
        built_func = self.expr(func)
        args: list[dsl.Expr] = []
        keywords: list[dsl.Keyword] = []
        if _is_tree(arguments, "genexp_arg"):
            self.fail(f"generator expression {_NOT_SUPPORTED}", arguments, _COMPREHENSION_HINT)
        for arg in arguments.children if arguments is not None else []:
            if _is_tree(arg, "stararg"):
                self.fail(
                    f"star-args (*xs) in a call {_ARE_NOT_SUPPORTED}",
                    arg,
                    "pass each argument explicitly",
                )
            if _is_tree(arg, "dstararg"):
                self.fail(
                    f"double-star-args (**kw) in a call {_ARE_NOT_SUPPORTED}",
                    arg,
                    "pass each keyword argument by name",
                )
            if _is_tree(arg, "kwarg"):
                name, value = arg.children
                if any(k.name == str(name) for k in keywords):
                    self.fail(f"keyword argument '{name}' is repeated", name)
                keywords.append(dsl.Keyword(span=self.span(arg), name=str(name), value=self.expr(value)))
                continue
            if keywords:
                self.fail(
                    "positional argument follows keyword argument",
                    arg,
                    "put the positional arguments first",
                )
            args.append(self.expr(arg))
        return dsl.Call(span=self.span(tree), func=built_func, args=args, keywords=keywords)

    def expr_attribute(self, tree: Tree) -> dsl.Expr:
        value, name = tree.children
        return dsl.Attribute(span=self.span(tree), value=self.expr(value), attr=str(name))

    def expr_subscript(self, tree: Tree) -> dsl.Expr:
        value, subscripts = tree.children
        built_value = self.expr(value)
        indices = [self.index(item) for item in subscripts.children if item is not None]
        return dsl.Subscript(span=self.span(tree), value=built_value, indices=indices)

    def index(self, node: Tree | Token) -> dsl.Expr:
        if not _is_tree(node, "slice"):
            return self.expr(node)
        parts = [self.expr(p) if p is not None else None for p in node.children]
        lower, upper, step = [*parts, None][:3]
        return dsl.Slice(span=self.span(node), lower=lower, upper=upper, step=step)

    def expr_paren(self, tree: Tree) -> dsl.Expr:
        # Like Python's ast, the parentheses of a grouping are not part of the inner span.
        return self.expr(tree.children[0])

    def expr_empty_tuple(self, tree: Tree) -> dsl.Expr:
        return dsl.Tuple(span=self.span(tree), elts=[])

    def _elements(self, items: list[Tree | Token | None]) -> list[dsl.Expr]:
        return [self.expr(item) for item in items if item is not None]

    def expr_tuple(self, tree: Tree) -> dsl.Expr:
        return dsl.Tuple(span=self.span(tree), elts=self._elements(tree.children))

    def expr_paren_tuple(self, tree: Tree) -> dsl.Expr:
        return dsl.Tuple(span=self.span(tree), elts=self._elements(tree.children[0].children))

    def expr_list(self, tree: Tree) -> dsl.Expr:
        items = tree.children[0].children if tree.children[0] is not None else []
        return dsl.List(span=self.span(tree), elts=self._elements(items))

    def expr_dict(self, tree: Tree) -> dsl.Expr:
        self.fail(f"dict literal {_NOT_SUPPORTED}", tree, "use separate variables or a tuple")

    def expr_set(self, tree: Tree) -> dsl.Expr:
        self.fail(
            f"set literal {_NOT_SUPPORTED}",
            tree,
            "test membership against a tuple: `x in (a, b)`",
        )

    def expr_listcomp(self, tree: Tree) -> dsl.Expr:
        self.fail(f"list comprehension {_NOT_SUPPORTED}", tree, _COMPREHENSION_HINT)

    def expr_setcomp(self, tree: Tree) -> dsl.Expr:
        self.fail(f"set comprehension {_NOT_SUPPORTED}", tree, _COMPREHENSION_HINT)

    def expr_dictcomp(self, tree: Tree) -> dsl.Expr:
        self.fail(f"dict comprehension {_NOT_SUPPORTED}", tree, _COMPREHENSION_HINT)

    def expr_genexp(self, tree: Tree) -> dsl.Expr:
        self.fail(f"generator expression {_NOT_SUPPORTED}", tree, _COMPREHENSION_HINT)

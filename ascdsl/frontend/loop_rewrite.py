"""`break` and `continue` rewritten into flags, so that loops stay structured (`scf.for` / `scf.while`).

    for i in range(n):            __break1 = False
        if c:                     for i in range(n):
            break         ==>         if not __break1:
        work()                            if c:
                                              __break1 = True
                                          if not __break1:
                                              work()

A `while` loop tests the flag in its condition; a `for` loop runs its remaining iterations without effect.
"""

from __future__ import annotations

import itertools

from ascdsl.frontend import ast

_counter = itertools.count(1)


def _jumps(stmts: list[ast.Stmt]) -> tuple[bool, bool]:
    """Whether the statements break / continue the enclosing loop (nested loops excluded)."""
    brk = cont = False
    for s in stmts:
        if isinstance(s, ast.Break):
            brk = True
        elif isinstance(s, ast.Continue):
            cont = True
        elif isinstance(s, ast.If):
            b1, c1 = _jumps(s.body)
            b2, c2 = _jumps(s.orelse)
            brk, cont = brk or b1 or b2, cont or c1 or c2
    return brk, cont


def _flag(name: str, value: bool, span: ast.Span) -> ast.Assign:
    return ast.Assign(span, [ast.Name(span, name)], ast.Constant(span, value))


def _not_any(names: list[str], span: ast.Span) -> ast.Expr:
    tests: list[ast.Expr] = [ast.UnaryOp(span, "not", ast.Name(span, n)) for n in names]
    return tests[0] if len(tests) == 1 else ast.BoolOp(span, "and", tests)


def _guard(stmts: list[ast.Stmt], brk: str, cont: str) -> list[ast.Stmt]:
    out: list[ast.Stmt] = []
    for i, s in enumerate(stmts):
        if isinstance(s, ast.Break):
            out.append(_flag(brk, True, s.span))
            return out  # what follows a jump never runs
        if isinstance(s, ast.Continue):
            out.append(_flag(cont, True, s.span))
            return out
        if isinstance(s, ast.If):
            s = ast.If(s.span, s.test, _guard(s.body, brk, cont), _guard(s.orelse, brk, cont))
        out.append(s)
        b, c = _jumps([s]) if not isinstance(s, ast.If) else _jumps_flags(s, brk, cont)
        rest = stmts[i + 1 :]
        if (b or c) and rest:
            flags = [n for n, used in ((brk, b), (cont, c)) if used]
            out.append(ast.If(rest[0].span, _not_any(flags, rest[0].span), _guard(rest, brk, cont), []))
            return out
    return out


def _jumps_flags(s: ast.If, brk: str, cont: str) -> tuple[bool, bool]:
    """Whether a guarded if sets the break or continue flag."""
    found = {brk: False, cont: False}

    def walk(ss: list[ast.Stmt]) -> None:
        for x in ss:
            if isinstance(x, ast.Assign) and isinstance(x.targets[0], ast.Name) and x.targets[0].id in found:
                found[x.targets[0].id] = True
            elif isinstance(x, ast.If):
                walk(x.body)
                walk(x.orelse)

    walk([s])
    return found[brk], found[cont]


def rewrite_loops(stmts: list[ast.Stmt]) -> list[ast.Stmt]:
    out: list[ast.Stmt] = []
    for s in stmts:
        if isinstance(s, ast.If):
            out.append(ast.If(s.span, s.test, rewrite_loops(s.body), rewrite_loops(s.orelse)))
            continue
        if not isinstance(s, ast.For | ast.While):
            out.append(s)
            continue
        body = rewrite_loops(s.body)
        brk_used, cont_used = _jumps(body)
        if not (brk_used or cont_used):
            out.append(ast.For(s.span, s.target, s.iter, body) if isinstance(s, ast.For) else ast.While(s.span, s.test, body))
            continue
        n = next(_counter)
        brk, cont = f"__break{n}", f"__continue{n}"
        new_body = _guard(body, brk, cont)
        if cont_used:
            new_body = [_flag(cont, False, s.span), *new_body]
        if brk_used:
            out.append(_flag(brk, False, s.span))
        if isinstance(s, ast.For):
            if brk_used:
                new_body = [ast.If(s.span, _not_any([brk], s.span), new_body, [])]
            out.append(ast.For(s.span, s.target, s.iter, new_body))
        else:
            test = ast.BoolOp(s.span, "and", [_not_any([brk], s.span), s.test]) if brk_used else s.test
            out.append(ast.While(s.span, test, new_body))
    return out

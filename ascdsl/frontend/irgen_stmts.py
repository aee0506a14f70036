"""IR generation for statements: assignments and structured control flow in SSA form.

Variables that an `if` or a loop reassigns become results of the `scf.if` / loop-carried values of the
`scf.for` / `scf.while`; names first bound inside a branch or loop body are not visible after it (the
error on use says so), which keeps every value defined on every path.
"""

from __future__ import annotations

from xdsl.dialects import scf
from xdsl.dialects.builtin import IndexType
from xdsl.ir import Attribute, Block, Region, SSAValue

from ascdsl.dialects import tile_ops as t
from ascdsl.dialects.tile_types import TensorType, ViewType
from ascdsl.errors import DslError, Span
from ascdsl.frontend import ast
from ascdsl.frontend.irgen_structs import StructGen
from ascdsl.frontend.values import Builtin, Py, TupleVal, Value, describe, kind


def assigned_names(stmts: list[ast.Stmt]) -> list[str]:
    """Names a statement list binds, in order of first binding, nested blocks included."""
    out: list[str] = []

    def target(e: ast.Expr) -> None:
        if isinstance(e, ast.Name) and e.id not in out:
            out.append(e.id)
        elif isinstance(e, ast.Tuple | ast.List):
            for x in e.elts:
                target(x)

    def walk(ss: list[ast.Stmt]) -> None:
        for s in ss:
            if isinstance(s, ast.Assign):
                for tg in s.targets:
                    target(tg)
            elif isinstance(s, ast.AugAssign):
                target(s.target)
            elif isinstance(s, ast.If):
                walk(s.body)
                walk(s.orelse)
            elif isinstance(s, ast.For):
                target(s.target)
                walk(s.body)
            elif isinstance(s, ast.While):
                walk(s.body)

    walk(stmts)
    return out


class StmtGen(StructGen):
    def stmts(self, body: list[ast.Stmt]) -> None:
        for s in body:
            self.stmt(s)

    def stmt(self, s: ast.Stmt) -> None:
        self.current_span = s.span  # where a failure deep inside the generator is reported
        if isinstance(s, ast.Assign):
            value = self.expr(s.value)
            for tg in s.targets:
                self.assign(tg, value, s.value.span)
        elif isinstance(s, ast.AugAssign):
            if not isinstance(s.target, ast.Name):
                raise DslError(f"'{s.op}=' needs a variable on its left", s.target.span,
                               "write the element explicitly: x[i] = x[i] + v")
            cur = self.lookup(s.target.id, s.target.span)
            self.assign(s.target, self.binop(s.op, cur, self.expr(s.value), s.span), s.span)
        elif isinstance(s, ast.ExprStmt):
            self.expr_stmt(s)
        elif isinstance(s, ast.If):
            self.if_stmt(s)
        elif isinstance(s, ast.For):
            self.for_stmt(s)
        elif isinstance(s, ast.While):
            self.while_stmt(s)
        elif isinstance(s, ast.Pass):
            pass
        elif isinstance(s, ast.Return):
            raise DslError("return is only allowed as the last statement of the kernel", s.span,
                           "kernels return nothing: write results with store(...), copy(...) or fill(...)")
        elif isinstance(s, ast.Break | ast.Continue):
            raise DslError(f"'{type(s).__name__.lower()}' outside a loop", s.span)
        else:
            raise DslError(f"unsupported statement {type(s).__name__}", s.span)

    def expr_stmt(self, s: ast.ExprStmt) -> None:
        if isinstance(s.value, ast.Constant) and isinstance(s.value.value, str):
            return  # a docstring or a comment string
        if not isinstance(s.value, ast.Call):
            raise DslError("this expression's value is not used", s.span, "assign it to a name, or remove it")
        self.expr(s.value)

    # ---------------------------------------------------------------- assignment

    def assign(self, target: ast.Expr, value: Value, vspan: Span) -> None:
        if isinstance(target, ast.Name):
            if isinstance(value, Builtin):
                raise DslError(f"cannot assign the builtin {value.name} to a variable", vspan)
            if isinstance(value, SSAValue) and value.name_hint is None and target.id.isidentifier():
                value.name_hint = target.id.strip("_") or None  # readable IR and tiling-field names
            self.env[target.id] = value
            self.unavailable.pop(target.id, None)
            return
        if isinstance(target, ast.Tuple | ast.List):
            items = value.items if isinstance(value, TupleVal) else None
            if items is None and isinstance(value, Py) and isinstance(value.value, tuple):
                items = tuple(Py(v) for v in value.value)
            if items is None:
                raise DslError(f"cannot unpack a {describe(value)}", vspan, "the right side must be a tuple")
            if len(items) != len(target.elts):
                raise DslError(f"{len(target.elts)} names on the left, {len(items)} values on the right", target.span)
            for tg, v in zip(target.elts, items, strict=True):
                self.assign(tg, v, vspan)
            return
        if isinstance(target, ast.Subscript):
            self.assign_subscript(target, value, vspan)
            return
        if isinstance(target, ast.Attribute):
            self.assign_attribute(target, value, vspan)
            return
        raise DslError("cannot assign to this expression", target.span, "assign to a name or to x[...]")

    def assign_subscript(self, target: ast.Subscript, value: Value, vspan: Span) -> None:
        base = self.expr(target.value)
        if not (isinstance(base, SSAValue) and isinstance(base.type, TensorType | ViewType)):
            raise DslError(f"cannot assign into a {describe(base)}", target.span,
                           "tiles are values: build a new tile instead; GM tensors take x[...] = ...")
        ty = base.type
        scalar_index = all(not isinstance(i, ast.Slice) for i in target.indices) and len(target.indices) == ty.rank
        if scalar_index:
            if kind(value) not in ("int", "float", "bool"):
                raise DslError(f"an element takes a scalar, got a {describe(value)}", vspan)
            idx = [self.as_int(self.expr(i), i.span, "an index") for i in target.indices]
            self.check_writable(base, target.span)
            self.emit(t.WriteOp(self.scalar(value, vspan), base, idx), target.span)
            return
        self.assign_view(self.make_view(base, target), value, vspan, target.span)

    # ---------------------------------------------------------------- if

    def if_stmt(self, s: ast.If) -> None:
        cond = self.expr(s.test)
        if isinstance(cond, Py):  # decided now: only the taken branch exists
            self.stmts(s.body if cond.value else s.orelse)
            return
        c = self.as_bool(cond, s.test.span, "the condition of if")
        before = dict(self.env)
        then_b, else_b = Block(), Block()
        with self.in_block(then_b):
            self.stmts(s.body)
            then_env = self.env
        self.env = dict(before)
        with self.in_block(else_b):
            self.stmts(s.orelse)
            else_env = self.env
        self.env = dict(before)
        changed = [n for n in dict.fromkeys([*then_env, *else_env]) if then_env.get(n) is not before.get(n)
                   or else_env.get(n) is not before.get(n)]
        merged = [n for n in changed if n in then_env and n in else_env]
        for n in changed:
            if n not in merged:
                self.env.pop(n, None)
                self.unavailable[n] = f"it is assigned in only one branch of the if at line {s.span.line}"
        then_vals = self.yield_values(then_b, then_env, merged, s.span)
        else_vals = self.yield_values(else_b, else_env, merged, s.span)
        types = self.merge_types(merged, then_vals, else_vals, s.span, "branches of the if")
        if_op = self.emit(scf.IfOp(c, types, [then_b], [else_b]), s.span)
        for n, r in zip(merged, if_op.results, strict=True):
            self.env[n] = r

    def yield_values(self, block: Block, env: dict[str, Value], names: list[str], span: Span) -> list[SSAValue]:
        with self.in_block(block):
            vals = [self.materialize(env[n], span, n) for n in names]
            self.emit(scf.YieldOp(*vals), span)
        return vals

    def merge_types(self, names: list[str], a: list[SSAValue], b: list[SSAValue], span: Span, where: str) -> list[Attribute]:
        out: list[Attribute] = []
        for n, x, y in zip(names, a, b, strict=True):
            if x.type != y.type:
                raise DslError(
                    f"'{n}' is a {describe(x)} in one of the {where} and a {describe(y)} in the other",
                    span,
                    f"give '{n}' the same type and shape on every path (cast, or use another name)",
                )
            out.append(x.type)
        return out

    # ---------------------------------------------------------------- loops

    def loop_bounds(self, it: ast.Expr) -> tuple[str, list[SSAValue]]:
        if not (isinstance(it, ast.Call) and isinstance(it.func, ast.Name) and it.func.id in ("range", "parallel")
                and it.func.id not in self.env):
            raise DslError("a for loop iterates over range(...) or parallel(...)", it.span,
                           "write: for i in range(n):  or  for b in parallel(B):")
        name = it.func.id
        if it.keywords:
            raise DslError(f"{name}() takes no keyword arguments", it.keywords[0].span)
        args = [self.as_int(self.expr(a), a.span, f"an argument of {name}") for a in it.args]
        if name == "parallel" and len(args) != 1:
            raise DslError("parallel() takes one argument, the number of iterations", it.span)
        if not 1 <= len(args) <= 3:
            raise DslError("range() takes one to three arguments", it.span)
        if len(args) == 1:
            args = [self.const_int(0, it.span), args[0]]
        if len(args) == 2:
            args.append(self.const_int(1, it.span))
        if len(it.args) == 3:
            step = self.expr(it.args[2])
            if not (isinstance(step, Py) and isinstance(step.value, int) and step.value > 0):
                raise DslError("a range step must be a positive integer constant", it.args[2].span)
        return name, args

    def for_stmt(self, s: ast.For) -> None:
        if not isinstance(s.target, ast.Name):
            raise DslError("a for loop binds one name", s.target.span, "e.g. for i in range(n):")
        name, (lb, ub, step) = self.loop_bounds(s.iter)
        if name == "parallel":
            self.parallel_stmt(s, ub)
            return
        before = dict(self.env)
        carried = [n for n in assigned_names(s.body) if n in self.env and n != s.target.id]
        inits = [self.materialize(self.env[n], s.span, n) for n in carried]
        body = Block(arg_types=[IndexType(), *[v.type for v in inits]])
        self.env = dict(before)
        self.env[s.target.id] = body.args[0]
        for n, arg in zip(carried, body.args[1:], strict=True):
            self.env[n] = arg
        self.loop_depth += 1
        with self.in_block(body):
            self.stmts(s.body)
            outs = [self.materialize(self.env[n], s.span, n) for n in carried]
            self.merge_types(carried, inits, outs, s.span, "iterations of the loop (before and after)")
            self.emit(scf.YieldOp(*outs), s.span)
        self.loop_depth -= 1
        inner = self.env
        op = self.emit(scf.ForOp(lb, ub, step, inits, body), s.span)
        self.env = dict(before)
        for n, r in zip(carried, op.results, strict=True):
            self.env[n] = r
        self.hide_loop_locals(inner, before, s, "loop")

    def hide_loop_locals(self, inner: dict[str, Value], before: dict[str, Value], s: ast.Stmt, what: str) -> None:
        for n in inner:
            if n not in before:
                self.unavailable[n] = f"it is assigned only inside the {what} at line {s.span.line}"

    def parallel_stmt(self, s: ast.For, ub: SSAValue) -> None:
        assert isinstance(s.target, ast.Name)
        before = dict(self.env)
        for n in assigned_names(s.body):
            if n in before and n != s.target.id:
                raise DslError(
                    f"parallel iterations are independent, so '{n}', defined before the loop, cannot be changed in it",
                    s.span,
                    "use a new name inside the loop, or a range(...) loop if iterations depend on each other",
                )
        body = Block(arg_types=[IndexType()])
        self.env[s.target.id] = body.args[0]
        self.loop_depth += 1
        with self.in_block(body):
            self.stmts(s.body)
            self.emit(t.EndOp(), s.span)
        self.loop_depth -= 1
        inner = self.env
        self.emit(t.ParallelOp(ub, Region(body)), s.span)
        self.env = before
        self.hide_loop_locals(inner, before, s, "parallel loop")

    def while_stmt(self, s: ast.While) -> None:
        before = dict(self.env)
        carried = [n for n in assigned_names(s.body) if n in self.env]
        inits = [self.materialize(self.env[n], s.span, n) for n in carried]
        types = [v.type for v in inits]
        cond_b = Block(arg_types=types)
        for n, arg in zip(carried, cond_b.args, strict=True):
            self.env[n] = arg
        with self.in_block(cond_b):
            c = self.as_bool(self.expr(s.test), s.test.span, "the condition of while")
            self.emit(scf.ConditionOp(c, *cond_b.args), s.span)
        body = Block(arg_types=types)
        self.env = dict(before)
        for n, arg in zip(carried, body.args, strict=True):
            self.env[n] = arg
        self.loop_depth += 1
        with self.in_block(body):
            self.stmts(s.body)
            outs = [self.materialize(self.env[n], s.span, n) for n in carried]
            self.merge_types(carried, inits, outs, s.span, "iterations of the loop (before and after)")
            self.emit(scf.YieldOp(*outs), s.span)
        self.loop_depth -= 1
        inner = self.env
        op = self.emit(scf.WhileOp(inits, types, Region(cond_b), Region(body)), s.span)
        self.env = dict(before)
        for n, r in zip(carried, op.results, strict=True):
            self.env[n] = r
        self.hide_loop_locals(inner, before, s, "loop")


"""Programs generated from the DSL grammar, inside a kernel of a fixed signature, through `ascdsl ir` at every stage.

The generator knows the subset's statements (assignments, augmented assignments, calls, if/elif/else, for over
range and parallel, while, break, continue, pass, a final return) and its expressions (names, literals, unary,
binary, comparison, boolean and conditional operators, builtin calls, subscripts with indices and slices,
`.shape`, `.dtype`, `.reshape`, `.permute`, tuples). Most choices follow the types (a tile where a tile
belongs, an index where an index belongs) so that many programs get through to the late passes; some pick any
expression at all, so that the type errors are reached as well.

Whatever the program, `ascdsl ir FILE --emit STAGE` exits 0, or 1 with one message at `file:line:col` of the file.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from fuzz_harness import Chooser, assert_user_result, known_bug, run_cli
from hypothesis import given, settings
from hypothesis import strategies as st

from ascdsl.pipeline import STAGES

HEADER = """\
from __future__ import annotations

from ascdsl import (
    Attr, InOut, Out, Tensor, cast, copy, exp, f16, f32, fill, full, i32, kernel, load, parallel, reduce_sum,
    require, sizeof, sqrt, store, where, zeros,
)


@kernel
def generated(
    x: Tensor[f32, N],
    w: Tensor[f16, N],
    m2: Tensor[f32, R, C],
    idx: Tensor[i32, M],
    y: Out[Tensor[f32, N]],
    acc: InOut[Tensor[i32, M]],
    k: Attr[int],
    mode: Attr[str],
    flag: Attr[bool],
    s: Attr[float],
):
"""

INT_NAMES = ["N", "M", "R", "C", "k"]
FLOAT_NAMES = ["s"]
GM_F32 = ["x", "y"]
GM_ANY = ["x", "w", "m2", "idx", "y", "acc"]
WRITABLE = ["y", "acc"]
DTYPES = ["f16", "f32", "i32", "i8", "bf16", "u8", "f16", "f32"]
BUILTINS = [
    "load",
    "store",
    "copy",
    "fill",
    "zeros",
    "full",
    "cast",
    "where",
    "min",
    "max",
    "abs",
    "exp",
    "sqrt",
    "reduce_sum",
    "sizeof",
    "int",
    "float",
    "range",
    "parallel",
    "require",
    "print",
    "len",
]
INT_LITERALS = ["0", "1", "2", "3", "7", "16", "-1", "-5", "10**20", "2**63", "9223372036854775807", "0x10", "0b11"]
FLOAT_LITERALS = ["0.0", "1.5", "-2.0", "1e30", "1e-30", "1e400", "0.5"]
OTHER_LITERALS = ['"Norm"', '"x"', "True", "False", "None", "()", "(1, 2)", "[1]"]
BIN_OPS = ["+", "-", "*", "/", "//", "%", "**", "&", "|", "^", "<<", ">>", "@"]
CMP_OPS = ["<", "<=", ">", ">=", "==", "!=", "in", "not in", "is", "is not"]


class Gen:
    """Random program text from choices; `names` tracks the scalar and tile locals bound so far."""

    def __init__(self, ch: Chooser) -> None:
        self.ch = ch
        self.ints: list[str] = []
        self.tiles: list[str] = []
        self.loop_vars: list[str] = []
        self.counter = 0

    def fresh(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    def chaos(self) -> bool:
        """Now and then, something else than the types ask for (never on the smallest choice, so shrinking and
        hypothesis' all-zero examples stay well-typed and terminate)."""
        return self.ch.randint(0, 9) == 9

    # ------------------------------------------------------------------ expressions

    def any_expr(self, depth: int) -> str:
        if depth < 0:
            return self.ch.choice(["1", "s", "x", "None"])
        pick = self.ch.randint(0, 5)
        return [self.int_expr, self.float_expr, self.bool_expr, self.tile_expr, self.view_expr, self.odd_expr][pick](
            depth
        )

    def odd_expr(self, depth: int) -> str:
        """Expressions of no particular type: literals of every kind, names, dtypes, builtins, tuples, attributes."""
        pick = self.ch.randint(0, 6 if depth > 0 else 1)
        if pick == 0:
            return self.ch.choice(OTHER_LITERALS + INT_LITERALS + FLOAT_LITERALS)
        if pick == 1:
            return self.ch.choice(DTYPES + BUILTINS + GM_ANY + ["mode", "flag", "undefined_name", "T"])
        if pick == 2 and depth > 0:
            return f"({self.any_expr(depth - 1)}, {self.any_expr(depth - 1)})"
        if pick == 3 and depth > 0:
            return f"{self.ch.choice(GM_ANY)}.{self.ch.choice(['shape', 'dtype', 'reshape', 'permute', 'T', 'size'])}"
        if pick == 4 and depth > 0:
            func = self.ch.choice(BUILTINS)
            args = [self.any_expr(depth - 1) for _ in range(self.ch.randint(0, 3))]
            if self.ch.randint(0, 3) == 0:
                args.append(
                    f"{self.ch.choice(['axis', 'round', 'code', 'msg', 'dtype', 'bogus'])}={self.any_expr(depth - 1)}"
                )
            return f"{func}({', '.join(args)})"
        if pick == 5 and depth > 0:
            return f"{self.any_expr(depth - 1)} {self.ch.choice(BIN_OPS + CMP_OPS + ['and', 'or'])} {self.any_expr(depth - 1)}"
        return f"({self.any_expr(depth - 1)} if {self.bool_expr(depth - 1)} else {self.any_expr(depth - 1)})"

    def int_expr(self, depth: int) -> str:
        if self.chaos():
            return self.any_expr(depth - 1)
        leaves = INT_NAMES + self.ints + self.loop_vars
        pick = self.ch.randint(0, 7 if depth > 0 else 1)
        if pick == 0:
            return self.ch.choice(leaves)
        if pick == 1:
            return self.ch.choice(INT_LITERALS) if self.chaos() else self.ch.choice(["0", "1", "2", "4", "16"])
        if pick == 2:
            op = self.ch.choice(["+", "-", "*", "//", "%", "+", "-"])
            return f"{self.int_expr(depth - 1)} {op} {self.int_expr(depth - 1)}"
        if pick == 3:
            return f"idx[{self.int_expr(depth - 1)}]"
        if pick == 4:
            return f"{self.ch.choice(GM_ANY)}.shape[{self.ch.choice(['0', '-1'] + ['1', '5'] * self.chaos())}]"
        if pick == 5:
            return f"{self.ch.choice(['min', 'max'])}({self.int_expr(depth - 1)}, {self.int_expr(depth - 1)})"
        if pick == 6:
            return f"({self.int_expr(depth - 1)} if {self.bool_expr(depth - 1)} else {self.int_expr(depth - 1)})"
        return self.ch.choice(
            [f"int({self.float_expr(depth - 1)})", f"sizeof({self.ch.choice(DTYPES)})", f"-{self.int_expr(depth - 1)}"]
        )

    def float_expr(self, depth: int) -> str:
        if self.chaos():
            return self.any_expr(depth - 1)
        pick = self.ch.randint(0, 4 if depth > 0 else 1)
        if pick == 0:
            return self.ch.choice(FLOAT_NAMES + FLOAT_LITERALS)
        if pick == 1:
            return f"x[{self.int_expr(max(depth - 1, 0))}]"
        if pick == 2:
            return f"{self.float_expr(depth - 1)} {self.ch.choice(['+', '-', '*', '/'])} {self.float_expr(depth - 1)}"
        if pick == 3:
            return f"float({self.int_expr(depth - 1)})"
        return f"reduce_sum(load(x[0:{self.int_expr(depth - 1)}]))"

    def bool_expr(self, depth: int) -> str:
        if self.chaos():
            return self.any_expr(depth - 1)
        pick = self.ch.randint(0, 5 if depth > 0 else 1)
        if pick == 0:
            return self.ch.choice(["flag", "True", "False"])
        if pick == 1:
            return self.ch.choice(['mode == "Norm"', 'mode in ("a", "b")', 'mode != "x"'])
        if pick == 2:
            return f"{self.int_expr(depth - 1)} {self.ch.choice(['<', '<=', '>', '>=', '==', '!='])} {self.int_expr(depth - 1)}"
        if pick == 3:
            return f"{self.bool_expr(depth - 1)} {self.ch.choice(['and', 'or'])} {self.bool_expr(depth - 1)}"
        if pick == 4:
            return f"not {self.bool_expr(depth - 1)}"
        return f"{self.float_expr(depth - 1)} < {self.float_expr(depth - 1)}"

    def bounds(self, depth: int) -> str:
        """A slice of a 1-D view: `a:b`, `:b`, `a:`, `:`, sometimes with a step."""
        lo = self.int_expr(depth) if self.ch.randint(0, 2) else ""
        hi = self.int_expr(depth) if self.ch.randint(0, 2) else ""
        step = f":{self.ch.choice(['1', '2'] + ['0', '-1', 'k'] * self.chaos())}" if self.ch.randint(0, 5) == 0 else ""
        return f"{lo}:{hi}{step}"

    def view_expr(self, depth: int, names: list[str] | None = None) -> str:
        if self.chaos():
            return self.any_expr(depth - 1)
        name = self.ch.choice(names or GM_F32)
        pick = self.ch.randint(0, 3)
        if pick == 0 or depth == 0:
            return name
        if pick == 1:
            return f"{name}[{self.bounds(depth - 1)}]"
        if pick == 2:
            return f"m2[{self.int_expr(depth - 1)}]" if name in ("x", "m2") else f"{name}[{self.int_expr(depth - 1)}:]"
        return (
            f"m2[{self.bounds(depth - 1)}, {self.bounds(depth - 1)}].reshape({self.int_expr(depth - 1)}, C)"
            if name == "m2"
            else name
        )

    def tile_expr(self, depth: int) -> str:
        if self.chaos():
            return self.any_expr(depth - 1)
        pick = self.ch.randint(0, 9 if depth > 0 else 1)
        if pick == 0:
            return f"load({self.view_expr(max(depth - 1, 0))})"
        if pick == 1:
            return self.ch.choice(self.tiles) if self.tiles else "load(x)"
        if pick == 2:
            return f"{self.tile_expr(depth - 1)} {self.ch.choice(['+', '-', '*', '/'])} {self.tile_expr(depth - 1)}"
        if pick == 3:
            return f"{self.tile_expr(depth - 1)} {self.ch.choice(['+', '-', '*'])} {self.float_expr(depth - 1)}"
        if pick == 4:
            return f"{self.ch.choice(['exp', 'sqrt', 'abs'])}({self.tile_expr(depth - 1)})"
        if pick == 5:
            return f"cast(cast({self.tile_expr(depth - 1)}, {self.ch.choice(DTYPES)}), f32)"
        if pick == 6:
            return f"where({self.tile_expr(depth - 1)} > 0.0, {self.tile_expr(depth - 1)}, 0.0)"
        if pick == 7:
            size = self.int_expr(depth - 1)
            return self.ch.choice([f"zeros(({size},), f32)", f"full(({size},), {self.float_expr(depth - 1)}, f32)"])
        if pick == 8:
            return f"{self.ch.choice(['max', 'min'])}({self.tile_expr(depth - 1)}, {self.float_expr(depth - 1)})"
        return f"{self.tile_expr(depth - 1)}[{self.ch.choice([':, None', 'None, :', ':', '0', '1:2'])}]"

    # ------------------------------------------------------------------ statements

    def stmt(self, depth: int, indent: str, in_loop: bool) -> list[str]:
        pick = self.ch.randint(0, 13 if depth > 0 else 8)
        e = 2  # expression depth
        if pick == 0:
            name = self.fresh("t")
            line = f"{name} = {self.tile_expr(e)}"
            self.tiles.append(name)
            return [indent + line]
        if pick == 1:
            name = self.fresh("n") if not self.ints or self.ch.randint(0, 1) else self.ch.choice(self.ints)
            line = f"{name} = {self.int_expr(e)}"
            if name not in self.ints:
                self.ints.append(name)
            return [indent + line]
        if pick == 2:
            return [indent + f"store({self.view_expr(e, ['y'])}, {self.tile_expr(e)})"]
        if pick == 3:
            return [
                indent + f"y[{self.bounds(e)}] = {self.ch.choice([self.tile_expr(e), self.float_expr(e), 'x[0:N]'])}"
            ]
        if pick == 4:
            return [
                indent
                + f"{self.ch.choice(WRITABLE)}[{self.int_expr(e)}] = {self.ch.choice([self.int_expr(e), self.float_expr(e)])}"
            ]
        if pick == 5:
            return [
                indent
                + self.ch.choice(
                    [
                        f"fill({self.view_expr(e, ['y'])}, {self.float_expr(e)})",
                        f"copy({self.view_expr(e, ['y'])}, {self.view_expr(e, ['x'])})",
                    ]
                )
            ]
        if pick == 6:
            target = self.ch.choice(self.ints) if self.ints else self.ch.choice(["k", "N", "undefined"])
            return [indent + f"{target} {self.ch.choice(['+=', '-=', '*=', '//=', '|='])} {self.int_expr(e)}"]
        if pick == 7:
            return [
                indent
                + self.ch.choice(
                    [
                        "pass",
                        f'require({self.bool_expr(e)}, code=161002, msg="m")',
                        f"{self.any_expr(e)}",
                        f"{self.fresh('q')} = {self.any_expr(e)}",
                    ]
                )
            ]
        if pick == 8:
            if in_loop:
                return [indent + self.ch.choice(["break", "continue"])]
            return [indent + self.ch.choice(["pass"] + ["return", "break"] * self.chaos())]
        if pick in (9, 10):
            var = self.fresh("i")
            loop = self.ch.choice(["range", "range", "parallel"])
            args = self.int_expr(1)
            if loop == "range" or self.chaos():
                args = args if self.ch.randint(0, 2) else f"{self.int_expr(1)}, {self.int_expr(1)}"
            if loop == "range" and self.ch.randint(0, 4) == 0:
                args += f", {self.ch.choice(['1', '2', '3'] + ['0', '-1', 'k'] * self.chaos())}"
            head = f"for {var} in {loop}({args}):"
            self.loop_vars.append(var)
            body = self.block(depth - 1, indent + "    ", in_loop=True)
            self.loop_vars.remove(var)
            return [indent + head, *body]
        if pick == 11:
            out = [indent + f"if {self.bool_expr(e)}:", *self.block(depth - 1, indent + "    ", in_loop)]
            for _ in range(self.ch.randint(0, 1)):
                out += [indent + f"elif {self.bool_expr(e)}:", *self.block(depth - 1, indent + "    ", in_loop)]
            if self.ch.randint(0, 1):
                out += [indent + "else:", *self.block(depth - 1, indent + "    ", in_loop)]
            return out
        if pick == 12:
            counter = self.fresh("c")
            self.ints.append(counter)
            return [
                indent + f"{counter} = 0",
                indent + f"while {counter} < {self.int_expr(1)}:",
                indent + f"    {counter} = {counter} + 1",
                *self.block(depth - 1, indent + "    ", in_loop=True),
            ]
        return [indent + f"{self.fresh('t')} = {self.any_expr(e)}"]

    def block(self, depth: int, indent: str, in_loop: bool) -> list[str]:
        # Names bound in a nested block may not exist after it: keep generating with what existed before.
        ints, tiles = list(self.ints), list(self.tiles)
        out = []
        for _ in range(self.ch.randint(1, 3)):
            out += self.stmt(depth, indent, in_loop)
        self.ints, self.tiles = ints, tiles
        return out

    def program(self) -> str:
        body = []
        if self.ch.randint(0, 1):
            body.append('    require(N > 0 and M > 0, code=161002, msg="empty")')
        for _ in range(self.ch.randint(1, 5)):
            body += self.stmt(2, "    ", in_loop=False)
        return HEADER + "\n".join(body) + "\n"


class DrawChooser:
    """A `Chooser` over a composite strategy's `draw`."""

    def __init__(self, draw: st.DrawFn) -> None:
        self.draw = draw

    def choice(self, items: Sequence[Any]) -> Any:
        return self.draw(st.sampled_from(list(items)))

    def randint(self, lo: int, hi: int) -> int:
        return self.draw(st.integers(lo, hi))


@st.composite
def programs(draw: st.DrawFn) -> str:
    return Gen(DrawChooser(draw)).program()


@settings(deadline=None)
@given(text=programs())
def test_generated_program_at_every_stage(text: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "generated.py"
        path.write_text(text)
        first_failure = None
        for stage in STAGES:
            r = run_cli("ir", str(path), "--emit", stage)
            if r.code == 2 and known_bug(r.err):
                continue
            assert_user_result(r, path, located=True, context=text)
            if r.code == 1:
                # a later stage fails where an earlier one did, or later; never an earlier stage's output changes
                first_failure = first_failure or stage
            else:
                assert first_failure is None, f"{stage} succeeds after {first_failure} failed:\n{text}"

"""`@kernel`: take a function's source, parse it, build its IR; Python never runs the body."""

from __future__ import annotations

import inspect
import textwrap
from collections.abc import Callable
from functools import cached_property
from typing import Any

from xdsl.dialects.builtin import ModuleOp

from ascdsl.errors import AscdslError
from ascdsl.frontend import ast
from ascdsl.frontend.irgen import generate
from ascdsl.frontend.parser import parse_function


class Kernel:
    """A DSL kernel: its source, syntax tree and `tile` IR (built once, on first use)."""

    def __init__(self, source: str, filename: str, first_line: int, globals_: dict[str, Any], name: str) -> None:
        self.source = source
        self.filename = filename
        self.first_line = first_line
        self.globals = globals_
        self.name = name
        self.op_type: str | None = None  # the CANN OpType; by default the CamelCase of the name

    @classmethod
    def from_function(cls, fn: Callable[..., Any]) -> Kernel:
        try:
            lines, first_line = inspect.getsourcelines(fn)
            filename = inspect.getsourcefile(fn) or inspect.getfile(fn)
        except (OSError, TypeError) as exc:
            raise AscdslError(f"cannot read the source of {fn.__qualname__}: {exc}") from None
        return cls("".join(lines), filename, first_line, fn.__globals__, fn.__name__)

    @cached_property
    def syntax(self) -> ast.FunctionDef:
        text = self.source
        dedented = textwrap.dedent(text)
        indent = 0
        if dedented != text:
            first = next((line for line in text.splitlines() if line.strip()), "")
            indent = len(first) - len(first.lstrip())
        return parse_function(dedented, self.filename, line_offset=self.first_line - 1, col_offset=indent)

    @cached_property
    def ir(self) -> ModuleOp:
        """The kernel's `tile` module. Treat it as read-only: passes work on a clone."""
        return generate(self.syntax, self.filename, self.globals)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise AscdslError(
            f"kernel {self.name} is not called directly: run it with ascdsl.runtime.run(kernel, args, backend=...)"
        )

    def __repr__(self) -> str:
        return f"<ascdsl kernel {self.name} at {self.filename}:{self.first_line}>"


def kernel(fn: Callable[..., Any] | None = None, *, op_type: str | None = None) -> Any:
    """Mark a function as an ascdsl kernel: `@kernel`, or `@kernel(op_type="AddCustom")` to name its CANN OpType.

    Parsing happens lazily, on first use of the kernel's IR.
    """

    def make(f: Callable[..., Any]) -> Kernel:
        k = Kernel.from_function(f)
        k.op_type = op_type
        return k

    return make(fn) if fn is not None else make

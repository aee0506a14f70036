"""The errors every ascdsl user can see.

`AscdslError` is the base of everything the tool raises for a user mistake; the CLI prints it as one
message and exits 1. `DslError` points at the kernel source; `AclnnError` carries the aclnn status code
of an invalid operator call.
"""

from __future__ import annotations

import linecache
from dataclasses import dataclass

# aclnn status codes used by the operators' docs.
ACLNN_ERR_PARAM_NULLPTR = 161001
ACLNN_ERR_PARAM_INVALID = 161002
ACLNN_ERR_INNER_TILING_ERROR = 561002


@dataclass(frozen=True)
class Span:
    """A range of the user's source: 1-based line and column of the first and one past the last character."""

    file: str
    line: int
    col: int
    end_line: int
    end_col: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"

    def source_line(self) -> str:
        return linecache.getline(self.file, self.line).rstrip("\n")


def register_source(filename: str, text: str) -> None:
    """Make `text` findable by `Span.source_line` for sources that are not files on disk."""
    lines = text.splitlines(keepends=True)
    linecache.cache[filename] = (len(text), None, lines, filename)


class AscdslError(Exception):
    """Base of every error ascdsl reports to a user."""


class DslError(AscdslError):
    """A mistake in a kernel's source: names the file, line and column, shows the line, says how to fix it."""

    def __init__(self, message: str, span: Span | None, hint: str | None = None) -> None:
        self.message = message
        self.span = span
        self.hint = hint
        super().__init__(self.render())

    def render(self) -> str:
        if self.span is None:
            head = f"error: {self.message}"
            return head if not self.hint else f"{head}\n  hint: {self.hint}"
        out = [f"{self.span}: error: {self.message}"]
        text = self.span.source_line()
        if text:
            width = 1
            if self.span.end_line == self.span.line and self.span.end_col > self.span.col:
                width = self.span.end_col - self.span.col
            out.append(f"    {text}")
            out.append("    " + " " * (self.span.col - 1) + "^" * width)
        if self.hint:
            out.append(f"  hint: {self.hint}")
        return "\n".join(out)


class AclnnError(AscdslError):
    """An invalid operator call, with the aclnn status code the operator's doc gives."""

    def __init__(self, code: int, message: str) -> None:
        self.code = code
        self.message = message
        super().__init__(f"aclnn error {code}: {message}")


class BackendUnavailableError(AscdslError):
    """A backend that needs hardware or software this machine does not have."""


class DeviceRuntimeError(AscdslError):
    """A kernel did something illegal while it ran (out-of-bounds access, a wait that timed out)."""

    def __init__(self, message: str, span: Span | None = None) -> None:
        self.message = message
        self.span = span
        where = f"{span}: " if span is not None else ""
        line = span.source_line().strip() if span is not None else ""
        text = f"{where}runtime error: {message}"
        if line:
            text += f"\n    {line}"
        super().__init__(text)


class KernelTimeout(DeviceRuntimeError):
    """A run exceeded its time limit (`timeout=`): typically a wait for another agent that never came."""

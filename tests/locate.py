"""Where a piece of text stands in a kernel's source, for asserting error locations exactly."""

from __future__ import annotations

from ascdsl.kernel import Kernel


def where(k: Kernel, text: str, nth: int = 0) -> tuple[int, int]:
    """1-based (line, column) of the nth occurrence of `text` in the kernel's source file."""
    seen = 0
    for i, line in enumerate(k.source.splitlines()):
        col = line.find(text)
        while col >= 0:
            if seen == nth:
                return k.first_line + i, col + 1
            seen += 1
            col = line.find(text, col + 1)
    raise AssertionError(f"{text!r} not in the source of {k.name}")

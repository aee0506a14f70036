"""Identifier spelling shared by the host printers."""

from __future__ import annotations

import re

_SNAKE = re.compile(r"[A-Za-z][A-Za-z0-9]*(_[A-Za-z0-9]+)*")


def check_param_name(name: str) -> str:
    """Reject names that CANN's generators would mangle (leading, trailing or doubled underscores)."""
    if not _SNAKE.fullmatch(name):
        raise ValueError(f"parameter name {name!r} is not snake_case (letters, digits, single inner underscores)")
    return name


def lower_camel(name: str) -> str:
    """snake_case -> lowerCamel exactly as opbuild's aclnn generator does it (ConvertName).

    Only the first character is lowered and each character after an underscore is raised; the rest is kept,
    so `x_scale` -> `xScale` and `seq_lens` -> `seqLens`.
    """
    check_param_name(name)
    head, *rest = name.split("_")
    return head[0].lower() + head[1:] + "".join(part[0].upper() + part[1:] for part in rest)

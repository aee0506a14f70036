"""Is the Ascend C CPU emulator usable? It is when its driver imports and runs the printed vadd project right."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from ascdsl.lowering.compile import compile_project, compile_sources
from kernels import VADD


@dataclass(frozen=True)
class EmulatorStatus:
    run_project: Callable[..., Any] | None
    reason: str  # why it is not available ("" when it is)

    @property
    def available(self) -> bool:
        return self.run_project is not None

    def na(self) -> str:
        return f"n/a (emulator not available: {self.reason})"


def short_error(exc: BaseException) -> str:
    lines = [ln.strip() for ln in str(exc).splitlines() if ln.strip()]
    head = lines[0] if lines else ""
    detail = next((ln for ln in lines[1:] if "error" in ln), "")
    if detail:
        # keep the compiler's message, not the temporary path in front of it
        detail = detail.split(": error: ", 1)[-1]
        head = f"{head} {detail}"
    text = re.sub(r"\s*\((/[^)]*)\)", "", f"{type(exc).__name__}: {head}")  # drop temporary paths
    return text if len(text) <= 240 else text[:237] + "..."


def probe() -> EmulatorStatus:
    try:
        from ascdsl.runtime.emulator.driver import run_project
    except Exception as exc:
        return EmulatorStatus(None, f"import ascdsl.runtime.emulator.driver failed ({short_error(exc)})")
    try:
        k = VADD.load()
        spec = compile_sources(k).sig.spec
        rng = np.random.default_rng(1)
        x = rng.standard_normal(4096, dtype=np.float32)
        y = rng.standard_normal(4096, dtype=np.float32)
        z = np.zeros_like(x)
        with tempfile.TemporaryDirectory(prefix="ascdsl-bench-probe-") as tmp:
            compile_project(k, Path(tmp))
            run_project(Path(tmp), spec, {"x": x, "y": y, "z": z}, {})
        if not np.array_equal(z, x + y):
            return EmulatorStatus(None, "the emulator ran vadd but its result differs from x + y")
    except Exception as exc:
        return EmulatorStatus(None, f"running the compiled vadd project failed: {short_error(exc)}")
    return EmulatorStatus(run_project, "")

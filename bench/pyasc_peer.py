"""The pyasc peer: the same vector add compiled by pyasc to Ascend C source, timed in the same run.

pyasc 1.1.1 requires numpy < 2, which would break this project's numpy 2 environment, so it lives in a virtual
environment of its own under the cache directory ($ASCDSL_CACHE_DIR/bench, by default ~/.cache/ascdsl/bench),
created on the first full run with `python -m venv` and `pip install pyasc==PYASC_VERSION` from PyPI, and it
runs as a subprocess (bench/peers/pyasc_vadd.py).
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from compile_latency import cold_env, timed_processes
from paths import cache_dir
from timing import median_of

PYASC_VERSION = "1.1.1"
SCRIPT = Path(__file__).resolve().parent / "peers" / "pyasc_vadd.py"


def venv_dir() -> Path:
    return cache_dir() / f"pyasc-{PYASC_VERSION}-venv"


@dataclass(frozen=True)
class Peer:
    python: Path | None
    reason: str  # why pyasc is not available ("" when it is)

    def na(self) -> str:
        return f"n/a (pyasc not available: {self.reason})"


def _python(venv: Path) -> Path:
    return venv / "bin" / "python"


def ensure(create: bool) -> Peer:
    """The venv's Python once pyasc imports there; with `create`, build the venv first if it is missing."""
    venv = venv_dir()
    ready = venv / ".pyasc-installed"
    if not ready.is_file():
        if not create:
            return Peer(None, f"its virtual environment {venv} is not set up (a full run creates it; --quick does not)")
        try:
            subprocess.run(
                [sys.executable, "-m", "venv", "--clear", str(venv)], check=True, capture_output=True, text=True
            )
            subprocess.run(
                [str(_python(venv)), "-m", "pip", "install", "--quiet", f"pyasc=={PYASC_VERSION}"],
                check=True,
                capture_output=True,
                text=True,
                timeout=900,
            )
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as exc:
            tail = getattr(exc, "stderr", "") or str(exc)
            return Peer(None, f"installing pyasc=={PYASC_VERSION} into {venv} failed: {tail.strip().splitlines()[-1:]}")
        ready.write_text(PYASC_VERSION + "\n")
    check = subprocess.run([str(_python(venv)), "-c", "import asc"], capture_output=True, text=True)
    if check.returncode != 0:
        return Peer(None, f"`import asc` fails in {venv}: {check.stderr.strip().splitlines()[-1:]}")
    return Peer(_python(venv), "")


def _run(peer: Peer, *args: str) -> subprocess.CompletedProcess[str]:
    assert peer.python is not None
    proc = subprocess.run([str(peer.python), str(SCRIPT), *args], capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"pyasc vadd {' '.join(args)} failed:\n{proc.stderr[-2000:]}")
    return proc


def cold_ms(peer: Peer, runs: int, pycache: Path, *, warmup: bool = True) -> float:
    assert peer.python is not None
    return timed_processes(
        [str(peer.python), str(SCRIPT), "--once"], runs, cold_env(pycache), "pyasc cold compile", warmup=warmup
    )


def warm_ms(peer: Peer, runs: int) -> tuple[float, int]:
    """(median in-process time, lines of the generated kernel source)."""
    out = json.loads(_run(peer, "--warm", str(max(1, runs))).stdout)
    return median_of(out["warm_ms"]), int(out["source_lines"])

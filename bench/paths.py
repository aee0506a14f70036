"""Where the bench finds the repository and keeps what it builds (outside the repository)."""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def cache_dir() -> Path:
    """`$ASCDSL_CACHE_DIR/bench`, by default `~/.cache/ascdsl/bench`: the pyasc venv and the bytecode cache."""
    root = os.environ.get("ASCDSL_CACHE_DIR")
    return (Path(root) if root else Path.home() / ".cache" / "ascdsl") / "bench"

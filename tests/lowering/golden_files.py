"""Golden-file comparison for printed sources: byte for byte, or rewritten when ASCDSL_UPDATE_GOLDEN=1.

Regenerate with `ASCDSL_UPDATE_GOLDEN=1 python -m pytest tests/lowering` and review the diff.
"""

from __future__ import annotations

import difflib
import os
import shutil
from pathlib import Path

GOLDEN_DIR = Path(__file__).parent / "golden"


def updating() -> bool:
    return os.environ.get("ASCDSL_UPDATE_GOLDEN") == "1"


def _diff(expected: str, actual: str, name: str) -> str:
    lines = difflib.unified_diff(
        expected.splitlines(keepends=True), actual.splitlines(keepends=True), f"golden/{name}", "printed"
    )
    return "".join(lines)[:4000]


def check_golden(rel: str, text: str) -> None:
    path = GOLDEN_DIR / rel
    if updating():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
        return
    assert path.is_file(), f"no golden file {path}; create it with ASCDSL_UPDATE_GOLDEN=1"
    expected = path.read_bytes()
    if expected != text.encode("utf-8"):
        raise AssertionError(
            f"{rel} differs from its golden file (ASCDSL_UPDATE_GOLDEN=1 rewrites it):\n"
            + _diff(expected.decode("utf-8", "replace"), text, rel)
        )


def check_golden_tree(rel_dir: str, tree: Path) -> None:
    """Compare every file under `tree` with golden/<rel_dir>, and the file lists themselves."""
    golden = GOLDEN_DIR / rel_dir
    actual = {p.relative_to(tree).as_posix() for p in tree.rglob("*") if p.is_file()}
    if updating():
        shutil.rmtree(golden, ignore_errors=True)  # drop files the writer no longer produces
    else:
        expected = {p.relative_to(golden).as_posix() for p in golden.rglob("*") if p.is_file()}
        assert actual == expected, f"file list differs: missing {expected - actual}, unexpected {actual - expected}"
    for rel in sorted(actual):
        check_golden(f"{rel_dir}/{rel}", (tree / rel).read_bytes().decode("utf-8"))

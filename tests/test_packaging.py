"""Packaging: one distribution and one import namespace; every package folder is installed."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAPPING = {"ascdsl": "ascdsl", "ops": "ascdsl.ops", "lowering": "ascdsl.lowering", "runtime": "ascdsl.runtime"}


def _config() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_every_package_folder_is_listed() -> None:
    listed = set(_config()["tool"]["setuptools"]["packages"])
    found = set()
    for top, name in MAPPING.items():
        for init in (ROOT / top).rglob("__init__.py"):
            rel = init.parent.relative_to(ROOT / top)
            found.add(".".join([name, *rel.parts]) if rel.parts else name)
    assert found == listed


def test_no_operator_name_in_the_compiler() -> None:
    names = ("gather_pa_kv", "GatherPaKv", "nsa_compress", "NsaCompress", "deformable", "Deformable", "worker_scheduler", "WorkerScheduler", "buffer_reset", "BufferReset")
    for top in ("ascdsl", "lowering", "runtime"):
        for path in (ROOT / top).rglob("*"):
            if path.is_file() and path.suffix in (".py", ".h", ".cpp", ".lark"):
                text = path.read_text(errors="replace")
                assert not any(n in text for n in names), f"{path} names an operator"


def test_dependencies_are_pinned_to_ranges() -> None:
    deps = _config()["project"]["dependencies"]
    for name in ("xdsl", "lark", "numpy", "ml_dtypes"):
        spec = next(d for d in deps if d.startswith(name))
        assert ">=" in spec and "<" in spec, spec

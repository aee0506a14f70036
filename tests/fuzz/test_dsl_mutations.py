"""Mutated operators and examples through `ascdsl ir` and `ascdsl compile`, and through the Python API.

Each example takes one kernel of `examples/` or `ops/`, changes one thing in it (a token deleted, duplicated
or swapped, a name replaced or misspelt, a call's arity, a number made huge, negative or 0, an operator, a
dtype, an unsupported construct inserted, the indentation broken, a slice bound replaced, an expression
wrapped in a wrong builtin) and writes the whole file, imports included, to a temporary file.

What a user must see: exit 0, or exit 1 with one message and no traceback; a mistake in a kernel's body is
reported at `file:line:col` of that file. Through the API, every exception is a `DslError` located in the file.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from fuzz_harness import (
    CONSTRUCTS,
    MUTATIONS,
    DataChooser,
    KernelSource,
    assert_located_in,
    assert_span_in,
    assert_user_result,
    kernel_sources,
    known_bug,
    mutant_kernel,
    mutate,
    run_cli,
)
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from ascdsl.errors import AscdslError, DslError
from ascdsl.pipeline import lower

KERNELS = kernel_sources()
KINDS = sorted(MUTATIONS)


def _cli_checks(path: Path, src: KernelSource, out_dir: Path, located: bool, context: object) -> None:
    target = f"{path}:{src.name}"
    for argv in (
        ("ir", target, "--emit", "tile"),
        ("ir", target, "--emit", "clean"),
        ("compile", target, "-o", str(out_dir)),
    ):
        r = run_cli(*argv)
        if r.code == 2 and known_bug(r.err):
            continue  # a known bug outside the frontend: see test_regressions.py
        assert_user_result(r, path, located, context)


@settings(deadline=None)
@given(src=st.sampled_from(KERNELS), kind=st.sampled_from(KINDS), data=st.data())
def test_mutated_kernel_through_the_cli(src: KernelSource, kind: str, data: st.DataObject) -> None:
    m = mutate(src, kind, DataChooser(data))
    assume(m is not None)
    assert m is not None
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"mutant_{src.name}.py"
        path.write_text(m.text)
        _cli_checks(path, src, Path(tmp) / "project", m.in_body, f"{m.kind}: {m.what} (line {m.line})")


@settings(deadline=None)
@given(src=st.sampled_from(KERNELS), kind=st.sampled_from(KINDS), data=st.data())
def test_mutated_kernel_through_the_api(src: KernelSource, kind: str, data: st.DataObject) -> None:
    """`Kernel.ir` and `pipeline.lower` on the mutated text, which Python never parsed: only located DslErrors."""
    m = mutate(src, kind, DataChooser(data))
    assume(m is not None)
    assert m is not None
    context = f"{m.kind}: {m.what} (line {m.line})"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"mutant_{src.name}.py"
        path.write_text(m.text)
        k = mutant_kernel(m, path)
        try:
            lower(k.ir, "clean")
        except DslError as err:
            assert_span_in(err, path, context)
        except AscdslError as err:  # pragma: no cover - the assertion says what was raised
            raise AssertionError(f"an AscdslError that is not a located DslError: {err!r}\n{context}") from None


@pytest.mark.parametrize("snippet", CONSTRUCTS, ids=[c.splitlines()[0][:40] for c in CONSTRUCTS])
def test_every_inserted_construct_is_reported_at_its_line(snippet: str, tmp_path: Path) -> None:
    """Each construct of the list, inserted before vadd's store: exit 0, or an error inside the inserted lines."""
    src = next(s for s in KERNELS if s.name == "vadd")
    lines = src.lines
    at = src.last_line  # the store
    indent = lines[at - 1][: len(lines[at - 1]) - len(lines[at - 1].lstrip())]
    block = [f"{indent}{line}\n" for line in snippet.splitlines()]
    path = tmp_path / "vadd_construct.py"
    path.write_text("".join([*lines[: at - 1], *block, *lines[at - 1 :]]))
    r = run_cli("ir", f"{path}:vadd", "--emit", "tile")
    assert_user_result(r, path, located=True, context=snippet)
    if r.code == 1:
        line, _ = assert_located_in(r.err, path, r)
        assert at <= line < at + len(block), f"the error is not in the inserted lines {at}..:\n{r}"

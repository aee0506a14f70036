"""Errors found by the late passes point at the user's statement and say what to change.

One kernel for each: more UB buffers than a TPipe holds (too many simultaneous stores), a vector op on a
dtype the A2 vector unit lacks (i8 add), a cast the target has no instruction for (f32 -> i8), and ops the
Ascend C backend does not lower (a where(...) store, a broadcast). Each goes through `ascdsl compile` (what a
user runs: one located message, exit 1) and through `pipeline.lower` (a `DslError` with the span and hint).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fuzz_harness import assert_located_in, assert_user_result, run_cli

from ascdsl.errors import DslError
from ascdsl.kernel import Kernel
from ascdsl.pipeline import lower

HEADER = """\
from __future__ import annotations

from ascdsl import Out, Tensor, cast, f16, f32, i8, i32, kernel, load, store, where


"""

# The 64 buffers of a TPipe; each store of `load(x) + load(y)` takes three (two inputs, one output).
MAX_BUFFERS = 64
BUFFERS_PER_STORE = 3
STORES = 30

UB_OVERFLOW = f"@kernel\ndef many(x: Tensor[f32, N], y: Tensor[f32, N], z: Out[Tensor[f32, {STORES}, N]]):\n" + "".join(
    f"    store(z[{i}], load(x) + load(y))\n" for i in range(STORES)
)

I8_ADD = """\
@kernel
def add8(x: Tensor[i8, N], y: Tensor[i8, N], z: Out[Tensor[i8, N]]):
    store(z, load(x) + load(y))
"""

F32_TO_I8 = """\
@kernel
def to8(x: Tensor[f32, N], z: Out[Tensor[i8, N]]):
    store(z, cast(load(x), i8))
"""

WHERE_STORE = """\
@kernel
def relu(x: Tensor[f32, N], z: Out[Tensor[f32, N]]):
    t = load(x)
    store(z, where(t > 0.0, t, 0.0))
"""

BROADCAST = """\
@kernel
def outer(x: Tensor[f32, N], y: Tensor[f32, M], z: Out[Tensor[f32, N, M]]):
    store(z, load(x)[:, None] * load(y)[None, :])
"""


def _line_of(path: Path, text: str, nth: int = 0) -> int:
    hits = [i for i, line in enumerate(path.read_text().splitlines(), 1) if text in line]
    return hits[nth]


def _check(tmp_path: Path, source: str, statement: str, message: str, hint: str, nth: int = 0, at: str | None = None) -> None:
    """`ascdsl compile` and `pipeline.lower` both report `message` on the nth line holding `statement`, with
    `hint`: at the sub-expression `at` when given (rewrites keep each op's own location), else at the statement."""
    path = tmp_path / "deep.py"
    path.write_text(HEADER + source)
    line = _line_of(path, statement, nth)
    text = path.read_text().splitlines()[line - 1]
    start = text.index(statement)
    col = (text.index(at, start) if at is not None else start) + 1

    r = run_cli("compile", str(path), "-o", str(tmp_path / "project"))
    assert r.code == 1, r
    assert_user_result(r, path, located=True)
    assert assert_located_in(r.err, path, r) == (line, col), r
    assert message in r.err and f"hint: {hint}" in r.err, r
    assert not (tmp_path / "project").exists(), "a failed compile wrote a project"

    r = run_cli("ir", str(path), "--emit", "tile")
    assert r.code == 0, f"the tile IR is fine; only the device lowering fails:\n{r}"

    kernels = [v for v in _import(path).values() if isinstance(v, Kernel)]
    assert len(kernels) == 1
    with pytest.raises(DslError) as info:
        lower(kernels[0].ir, "clean")
    err = info.value
    assert err.span is not None and (err.span.file, err.span.line, err.span.col) == (str(path), line, col), str(err)
    assert message in err.message and err.hint is not None and hint in err.hint, str(err)


def _import(path: Path) -> dict[str, object]:
    import importlib.util

    spec = importlib.util.spec_from_file_location(f"_deep_{path.parent.name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return vars(module)


def test_ub_overflow_points_at_the_store_that_does_not_fit(tmp_path: Path) -> None:
    first_over = MAX_BUFFERS // BUFFERS_PER_STORE  # 0-based: the store whose buffers pass the 64th
    _check(
        tmp_path,
        UB_OVERFLOW,
        f"store(z[{first_over}],",
        f"the kernel needs {STORES * BUFFERS_PER_STORE} UB buffers, more than the {MAX_BUFFERS} a TPipe can hold",
        "split the kernel, or write fewer separate stores",
        at="load(y)",  # the 64th buffer holds this load
    )


def test_vector_op_on_an_unsupported_dtype(tmp_path: Path) -> None:
    _check(
        tmp_path,
        I8_ADD,
        "store(z, load(x) + load(y))",
        "Add on i8 is not supported by the Atlas A2 vector unit",
        "cast to one of f16, f32, i16, i32 first",
        at="load(x) + load(y)",
    )


def test_cast_the_target_lacks(tmp_path: Path) -> None:
    _check(
        tmp_path,
        F32_TO_I8,
        "store(z, cast(load(x), i8))",
        "Atlas A2 has no direct Cast from f32 to i8",
        "cast in two steps (f32 -> f16 -> i8",
        at="cast(load(x), i8)",
    )


def test_where_store_the_device_backend_lacks(tmp_path: Path) -> None:
    _check(
        tmp_path,
        WHERE_STORE,
        "store(z, where(t > 0.0, t, 0.0))",
        "is not supported by the Ascend C backend of this version",
        "the interpreter runs it (backend='interp'); for the device, express it with + - * max min",
        at="t > 0.0",
    )


def test_broadcast_the_device_backend_lacks(tmp_path: Path) -> None:
    _check(
        tmp_path,
        BROADCAST,
        "store(z, load(x)[:, None] * load(y)[None, :])",
        "cannot strip-mine (a broadcast or reduction) is not supported by the Ascend C backend",
        "the interpreter runs it (backend='interp')",
    )

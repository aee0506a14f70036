"""Mistakes that parse but make no sense: each is a DslError at the user's line and column, with a hint."""

from __future__ import annotations

from typing import Optional

import pytest
from locate import where

from ascdsl import DslError, InOut, Out, Tensor, copy, f16, f32, i32, i64, kernel, load, parallel, require, store
from ascdsl.kernel import Kernel


@kernel
def undefined_name(x: Tensor[f32, N], y: Out[Tensor[f32, N]]):
    store(y, laod(x))


@kernel
def store_wrong_dtype(x: Tensor[f32, N], y: Out[Tensor[f16, N]]):
    store(y, load(x))


@kernel
def write_input(x: Tensor[f32, N], y: Out[Tensor[f32, N]]):
    x[0:2] = 0


@kernel
def require_in_loop(x: Tensor[f32, N], y: Out[Tensor[f32, N]]):
    for _i in range(N):
        require(N > 0, code=161002, msg="n")


@kernel
def require_device_data(x: Tensor[i32, N], y: Out[Tensor[i32, N]]):
    require(x[0] > 0, code=161002, msg="n")


@kernel
def one_branch_only(x: Tensor[i32, N], y: Out[Tensor[i32, N]]):
    if N > 3:
        k = 1
    y[0] = k


@kernel
def parallel_updates_outer(x: Tensor[i32, N], y: Out[Tensor[i32, N]]):
    total = 0
    for b in parallel(N):
        total = total + x[b]


@kernel
def bad_broadcast(x: Tensor[f32, 3], z: Tensor[f32, 4], y: Out[Tensor[f32, 3]]):
    store(y, load(x) + load(z))


@kernel
def int_true_division(x: Tensor[i32, N], y: Out[Tensor[i32, N]]):
    y[0] = N / 2


@kernel
def mixed_tile_dtypes(x: Tensor[f32, N], z: Tensor[f16, N], y: Out[Tensor[f32, N]]):
    store(y, load(x) * load(z))


@kernel
def unknown_round(x: Tensor[f32, N], y: Out[Tensor[f16, N]]):
    store(y, cast(load(x), f16, round="sideways"))


@kernel
def wrong_arity(x: Tensor[f32, N], y: Out[Tensor[f32, N]]):
    store(y, load(x, x))


@kernel
def unknown_annotation(x: Tensr[f32, N], y: Out[Tensor[f32, N]]):
    pass


@kernel
def unconstrained_scalar_read(x: Tensor[I, N], y: Out[Tensor[i32, N]]):
    y[0] = x[0]


@kernel
def type_changes_in_loop(x: Tensor[f32, N], y: Out[Tensor[f32, N]]):
    v = 0
    for _i in range(N):
        v = 1.5
    y[0] = v


@kernel
def return_value(x: Tensor[f32, N], y: Out[Tensor[f32, N]]):
    return 1


@kernel
def none_on_required(x: Tensor[f32, N], y: Out[Tensor[f32, N]]):
    if x is None:
        pass


@kernel
def optional_ok(x: Optional[Tensor[i64, N]], y: InOut[Tensor[f32, N]]):
    if x is not None:
        y[0] = 1.0


CASES = [
    (undefined_name, "laod", "name 'laod' is not defined", "did you mean load"),
    (store_wrong_dtype, "store(y", "cannot store a tile of f32 into f16 memory", "cast(x, f16)"),
    (write_input, "x[0:2]", "cannot write into x: it is an input", "InOut"),
    (require_in_loop, "require(", "must be at the top level", "move it before the loops"),
    (require_device_data, "x[0] > 0", "depends on device data", None),
    (one_branch_only, "y[0] = |k", "'k' is not available here", "assign 'k'"),
    (parallel_updates_outer, "for b", "'total', defined before the loop, cannot be changed", "range(...)"),
    (bad_broadcast, "load(x) + load(z)", "do not broadcast", None),
    (int_true_division, "N / 2", "'/' between integers", "'//'"),
    (mixed_tile_dtypes, "load(x) * load(z)", "tiles of f32 and f16 cannot be combined", "cast"),
    (unknown_round, '"sideways"', "unknown rounding mode 'sideways'", "rint"),
    (wrong_arity, "load(x, x)", "load() takes at most 1 arguments", "load(view)"),
    (unknown_annotation, "Tensr", "unknown annotation 'Tensr'", "Tensor[dtype"),
    (unconstrained_scalar_read, "x[0]", "cannot tell whether dtype variable I", "require(I in"),
    (type_changes_in_loop, "for _i", "'v' is a int scalar in one of the iterations", "same type"),
    (return_value, "return 1", "return is only allowed", "store"),
    (none_on_required, "x is None", "never None", "Optional"),
]


@pytest.mark.parametrize(("k", "marker", "message", "hint"), CASES, ids=[c[0].name for c in CASES])
def test_error_is_located(k: Kernel, marker: str, message: str, hint: str | None) -> None:
    with pytest.raises(DslError) as info:
        _ = k.ir
    err = info.value
    # "|" in a marker points at the character after it
    line, col = where(k, marker.replace("|", ""))
    col += marker.find("|") if "|" in marker else 0
    assert err.span is not None
    assert err.span.file == k.filename
    assert (err.span.line, err.span.col) == (line, col), str(err)
    assert message in err.message
    if hint is not None:
        assert err.hint is not None and hint in err.hint
    text = str(err)
    assert text.startswith(f"{k.filename}:{line}:{col}: error:")
    assert "^" in text  # the caret under the source line


def test_valid_optional_kernel_builds() -> None:
    assert "tile.present" in str(optional_ok.ir)


def test_kernel_called_directly_says_how_to_run_it() -> None:
    from ascdsl import AscdslError

    with pytest.raises(AscdslError, match=r"ascdsl\.runtime\.run"):
        optional_ok()


_ = (parallel, i64)


@kernel
def copy_shape_mismatch(x: Tensor[f32, N], z: Out[Tensor[f32, N]]):
    copy(z[0:4], x[0:5])


@kernel
def store_rank_mismatch(x: Tensor[f32, 4, 4], z: Out[Tensor[f32, 16]]):
    store(z, load(x))


@pytest.mark.parametrize(
    ("k", "marker", "message"),
    [
        (copy_shape_mismatch, "copy(", "copy from shape [5] to shape [4]: dim 0 is 5 on one side and 4 on the other"),
        (store_rank_mismatch, "store(", "cannot store a tile of rank 2 into a view of rank 1"),
    ],
    ids=["copy-shape", "store-rank"],
)
def test_illegal_transfer_shapes_are_located(k: Kernel, marker: str, message: str) -> None:
    with pytest.raises(DslError) as info:
        _ = k.ir
    assert info.value.span is not None
    assert (info.value.span.line, info.value.span.col) == where(k, marker)
    assert message in info.value.message

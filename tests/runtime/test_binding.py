"""Checking a call against a kernel's signature (aclnn status codes), `require`, and the step budget.

161001: a required argument is missing (null). 161002: a tensor or attribute is invalid (type, dtype, rank,
contiguity, dims). A kernel's `require(...)` fails with its own code. Every failure happens before anything
is written: the caller's arrays stay bit-identical.
"""

from __future__ import annotations

from typing import Any, Optional

import numpy as np
import pytest
from ascdsl.runtime import Budget, run

from ascdsl import (
    AclnnError,
    AscdslError,
    Attr,
    DeviceRuntimeError,
    HostArray,
    InOut,
    Out,
    Tensor,
    f16,
    f32,
    i32,
    i64,
    load,
    require,
    store,
)
from ascdsl import kernel as dsl_kernel

# ------------------------------------------------------------------------------------------ kernels


@dsl_kernel
def k_sig(
    x: Tensor[T, N, D],
    y: Tensor[T, N],
    idx: Tensor[i32, N],
    z: Out[Tensor[f32, 2, D]],
    acc: InOut[Tensor[T, N]],
    n: Attr[int],
    flag: Attr[bool],
    scale: Attr[float],
    mode: Attr[str],
    extra: Optional[Tensor[i32, N]],
):
    require(T in (f16, f32), code=161002, msg="x and y must be FLOAT16 or FLOAT")
    store(acc, load(acc) + load(y))
    s = 0
    for i in range(N):
        s = s + idx[i]
        if extra is not None:
            s = s + extra[i]
    if flag:
        s = s + n
    z[0, 0] = s * scale
    if mode == "twice":
        z[1, 0] = 2.0


@dsl_kernel
def k_require(x: Tensor[f32, N], z: Out[Tensor[f32, N]], y: InOut[Tensor[f32, N]], n: Attr[int], mode: Attr[str]):
    z[0] = x[N + 5]  # out of bounds: never reached when a require fails, since requires run first
    require(N > 1, code=161002, msg="x must have at least 2 elements")
    require(n >= 0, code=561002, msg="n must not be negative")
    require(mode in ("Norm", "PA_NZ"), code=561003, msg='mode must be "Norm" or "PA_NZ"')
    y[0] = 1.0


@dsl_kernel
def k_endless(n: Attr[int], z: Out[Tensor[i64, 1]]):
    i = 0
    while n > 0:
        i = i + 1
    z[0] = i


@dsl_kernel
def k_counting(n: Attr[int], z: Out[Tensor[i64, 1]]):
    i = 0
    while i < n:
        i = i + 1
    z[0] = i


@dsl_kernel
def k_host(a: HostArray[i64, K], z: Out[Tensor[i64, 1]]):
    s = 0
    for i in range(K):
        s = s + a[i]
    z[0] = s


@dsl_kernel
def k_default(x: Tensor[f32, N], z: Out[Tensor[f32, N]], s: Attr[float] = 2.0):
    store(z, load(x) * s)


@dsl_kernel
def k_optional_first(o: Optional[Tensor[i32, N]], x: Tensor[f32, N], z: Out[Tensor[f32, N]]):
    if o is not None:
        store(z, load(x) + 1.0)
    else:
        store(z, load(x))


# ------------------------------------------------------------------------------------------ helpers


def good_args(dtype: Any = np.float32) -> dict[str, Any]:
    rng = np.random.default_rng(0)
    return {
        "x": rng.standard_normal((3, 5)).astype(dtype),
        "y": np.ones(3, dtype=dtype),
        "idx": np.array([1, 2, 3], dtype=np.int32),
        "z": np.full((2, 5), 99, dtype=np.float32),
        "acc": np.arange(3, dtype=dtype),
        "n": 10,
        "flag": True,
        "scale": 0.5,
        "mode": "twice",
        "extra": None,
    }


def snapshot(args: dict[str, Any]) -> dict[str, bytes]:
    return {k: v.tobytes() for k, v in args.items() if isinstance(v, np.ndarray)}


def expect_error(args: dict[str, Any], code: int, *words: str) -> AclnnError:
    before = snapshot(args)
    with pytest.raises(AclnnError) as exc:
        run(k_sig, args)
    assert exc.value.code == code, str(exc.value)
    for w in words:
        assert w in str(exc.value), (w, str(exc.value))
    after = snapshot(args)
    assert after == {k: v for k, v in before.items() if k in after}, "a failed call wrote into an array"
    return exc.value


# ------------------------------------------------------------------------------------------ a good call


@pytest.mark.parametrize("dtype", [np.float32, np.float16])
def test_good_call(dtype: Any) -> None:
    args = good_args(dtype)
    run(k_sig, args)
    assert args["acc"].tolist() == [1.0, 2.0, 3.0]
    assert args["z"][:, 0].tolist() == [(6 + 10) * 0.5, 2.0]
    assert np.all(args["z"][:, 1:] == 99)


def test_good_call_with_optional_tensor_and_other_attrs() -> None:
    args = good_args()
    args.update(extra=np.array([10, 20, 30], dtype=np.int32), flag=False, mode="once", scale=2, n=np.int64(3))
    run(k_sig, args)
    assert args["z"][:, 0].tolist() == [(6 + 60) * 2.0, 99.0]
    args = good_args()
    del args["extra"]  # an optional tensor may be left out entirely
    run(k_sig, args)


# ------------------------------------------------------------------------------------------ 161001


@pytest.mark.parametrize("name", ["x", "y", "idx", "z", "acc"])
def test_missing_tensor_is_161001(name: str) -> None:
    args = good_args()
    args[name] = None
    expect_error(args, 161001, name)
    args = good_args()
    del args[name]
    expect_error(args, 161001, name)


@pytest.mark.parametrize("name", ["n", "flag", "scale", "mode"])
def test_missing_attr_is_161001(name: str) -> None:
    args = good_args()
    del args[name]
    expect_error(args, 161001, name)


def test_missing_comes_before_invalid() -> None:
    args = good_args()
    args["x"] = args["x"].astype(np.float64)  # invalid
    del args["idx"]  # and missing
    expect_error(args, 161001, "idx")


# ------------------------------------------------------------------------------------------ 161002


@pytest.mark.parametrize(
    ("name", "dtype"),
    [("idx", np.int64), ("idx", np.float32), ("z", np.float16), ("x", np.float64), ("x", np.complex64)],
)
def test_wrong_dtype_is_161002(name: str, dtype: Any) -> None:
    args = good_args()
    args[name] = args[name].astype(dtype)
    expect_error(args, 161002, name)


def test_dtype_variable_mismatch_is_161002() -> None:
    args = good_args()
    args["y"] = args["y"].astype(np.float16)  # T is float32 from x
    expect_error(args, 161002, "y", "x", "T")
    args = good_args()
    args["acc"] = args["acc"].astype(np.float16)
    expect_error(args, 161002, "acc")


def test_dtype_outside_the_require_domain_carries_the_require_code() -> None:
    args = good_args(np.int32)  # T = int32 binds, but require(T in (f16, f32)) fails
    args["x"] = args["x"].astype(np.int32)
    expect_error(args, 161002, "FLOAT16 or FLOAT")


@pytest.mark.parametrize(("name", "shape"), [("x", (15,)), ("x", (3, 5, 1)), ("y", ()), ("z", (10,)), ("idx", (3, 1))])
def test_wrong_rank_is_161002(name: str, shape: tuple[int, ...]) -> None:
    args = good_args()
    args[name] = np.zeros(shape, dtype=args[name].dtype)
    expect_error(args, 161002, name, "rank")


@pytest.mark.parametrize(("name", "shape"), [("y", (4,)), ("idx", (2,)), ("acc", (5,)), ("z", (2, 4))])
def test_dims_contradicting_a_shared_symbol_is_161002(name: str, shape: tuple[int, ...]) -> None:
    args = good_args()
    args[name] = np.zeros(shape, dtype=args[name].dtype)
    err = expect_error(args, 161002, name)
    assert "N" in str(err) or "D" in str(err)


def test_static_dim_mismatch_is_161002() -> None:
    args = good_args()
    args["z"] = np.zeros((3, 5), np.float32)  # z is [2, D]
    expect_error(args, 161002, "z.shape[0]", "2")


def test_optional_tensor_is_checked_when_given() -> None:
    args = good_args()
    args["extra"] = np.zeros(4, np.int32)
    expect_error(args, 161002, "extra")
    args = good_args()
    args["extra"] = np.zeros(3, np.int64)
    expect_error(args, 161002, "extra")


@pytest.mark.parametrize("how", ["transposed", "strided", "reversed"])
def test_non_contiguous_array_is_161002(how: str) -> None:
    args = good_args()
    base = np.zeros((5, 3), np.float32) if how == "transposed" else np.zeros((3, 10), np.float32)
    args["x"] = {"transposed": base.T, "strided": base[:, ::2], "reversed": base[::-1, :5]}[how]
    assert args["x"].shape == (3, 5) and not args["x"].flags.c_contiguous
    expect_error(args, 161002, "x", "contiguous")


@pytest.mark.parametrize("value", [[1.0, 2.0, 3.0], 3.0, "x"])
def test_tensor_that_is_not_an_array_is_161002(value: Any) -> None:
    args = good_args()
    args["y"] = value
    expect_error(args, 161002, "y")


def test_read_only_output_is_rejected_before_the_run() -> None:
    args = good_args()
    args["z"].flags.writeable = False
    expect_error(args, 161002, "z")
    args = good_args()
    args["acc"].flags.writeable = False
    expect_error(args, 161002, "acc")


def test_read_only_input_is_fine() -> None:
    args = good_args()
    args["x"].flags.writeable = False
    run(k_sig, args)
    assert args["z"][0, 0] == (6 + 10) * 0.5


@pytest.mark.parametrize(
    ("name", "value"),
    [("n", 2.0), ("n", True), ("n", "3"), ("flag", 2), ("flag", "yes"), ("scale", "1"), ("scale", True), ("mode", 1)],
)
def test_wrong_attr_type_is_161002(name: str, value: Any) -> None:
    args = good_args()
    args[name] = value
    expect_error(args, 161002, name)


def test_unknown_parameter_is_a_usage_error() -> None:
    args = good_args()
    args["w"] = np.zeros(3)
    with pytest.raises(AscdslError, match="'w'") as exc:
        run(k_sig, args)
    assert not isinstance(exc.value, AclnnError)


def test_host_array() -> None:
    z = np.zeros(1, np.int64)
    run(k_host, {"a": [1, 2, 3, 40], "z": z})
    assert z.tolist() == [46]
    run(k_host, {"a": [], "z": z})
    assert z.tolist() == [0]
    for bad in ([[1, 2]], ["a", "b"], None):
        with pytest.raises(AclnnError) as exc:
            run(k_host, {"a": bad, "z": z})
        assert exc.value.code == (161001 if bad is None else 161002)


# ------------------------------------------------------------------------------------------ require


def require_args(**kw: Any) -> dict[str, Any]:
    args: dict[str, Any] = {
        "x": np.arange(4, dtype=np.float32),
        "z": np.full(4, 99, np.float32),
        "y": np.full(4, 7, np.float32),
        "n": 1,
        "mode": "Norm",
    }
    args.update(kw)
    return args


@pytest.mark.parametrize(
    ("kw", "code", "text"),
    [
        (
            {"x": np.zeros(1, np.float32), "z": np.zeros(1, np.float32), "y": np.zeros(1, np.float32)},
            161002,
            "at least 2",
        ),
        ({"n": -1}, 561002, "n must not be negative"),
        ({"mode": "Other"}, 561003, '"Norm" or "PA_NZ"'),
    ],
)
def test_require_failures_carry_their_code_and_write_nothing(kw: dict[str, Any], code: int, text: str) -> None:
    args = require_args(**kw)
    before = snapshot(args)
    with pytest.raises(AclnnError) as exc:
        run(k_require, args)
    assert exc.value.code == code
    assert text in str(exc.value) and str(code) in str(exc.value)
    assert snapshot(args) == before


def test_requires_run_before_the_body() -> None:
    args = require_args()  # every require holds: the body runs and reads out of bounds
    before = snapshot(args)
    with pytest.raises(DeviceRuntimeError, match="out of range"):
        run(k_require, args)
    assert snapshot(args) == before


def test_require_codes_in_order() -> None:
    args = require_args(n=-1, mode="Other")  # both fail: the first in source order reports
    with pytest.raises(AclnnError) as exc:
        run(k_require, args)
    assert exc.value.code == 561002


# ------------------------------------------------------------------------------------------ budget


def test_step_budget_stops_an_endless_loop() -> None:
    z = np.full(1, 99, np.int64)
    with pytest.raises(DeviceRuntimeError, match="budget") as exc:
        run(k_endless, {"n": 1, "z": z}, budget=Budget(max_ops=10_000))
    assert __file__ in str(exc.value)
    assert z.tolist() == [99]


def test_time_budget_stops_an_endless_loop() -> None:
    z = np.full(1, 99, np.int64)
    with pytest.raises(DeviceRuntimeError, match="budget"):
        run(k_endless, {"n": 1, "z": z}, budget=Budget(timeout=0.2))
    assert z.tolist() == [99]


def test_budget_allows_a_finite_loop() -> None:
    z = np.zeros(1, np.int64)
    run(k_endless, {"n": 0, "z": z}, budget=Budget(max_ops=100))
    assert z.tolist() == [0]
    run(k_counting, {"n": 50, "z": z}, budget=Budget(max_ops=100_000))
    assert z.tolist() == [50]
    with pytest.raises(DeviceRuntimeError, match="100 operations"):
        run(k_counting, {"n": 50, "z": z}, budget=Budget(max_ops=100))
    assert z.tolist() == [50]


# ------------------------------------------------------------------------------------------ defaults, optional


def test_attr_given_explicitly_despite_a_default() -> None:
    z = np.zeros(2, np.float32)
    run(k_default, {"x": np.array([1.0, 2.0], np.float32), "z": z, "s": 3.0})
    assert z.tolist() == [3.0, 6.0]


def test_attr_default_is_used_when_left_out() -> None:
    z = np.zeros(2, np.float32)
    run(k_default, {"x": np.array([1.0, 2.0], np.float32), "z": z})
    assert z.tolist() == [2.0, 4.0]


def test_optional_tensor_first_in_the_signature_when_given() -> None:
    z = np.zeros(2, np.float32)
    run(k_optional_first, {"o": np.zeros(2, np.int32), "x": np.array([1.0, 2.0], np.float32), "z": z})
    assert z.tolist() == [2.0, 3.0]


def test_optional_tensor_first_in_the_signature_left_out() -> None:
    z = np.zeros(2, np.float32)
    run(k_optional_first, {"o": None, "x": np.array([1.0, 2.0], np.float32), "z": z})
    assert z.tolist() == [1.0, 2.0]

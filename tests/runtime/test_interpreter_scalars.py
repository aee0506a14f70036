"""Scalar arithmetic and control flow on the CPU interpreter, checked against plain Python twins.

Each kernel here has a Python function that does the same thing with Python semantics (or float32 numpy
arithmetic where the DSL computes in float32); the kernel's result must match it.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from ascdsl.runtime import run
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from ascdsl import Attr, DeviceRuntimeError, InOut, Out, Tensor, f32, i32, i64
from ascdsl import kernel as dsl_kernel

# ------------------------------------------------------------------------------------------ kernels


@dsl_kernel
def k_divmod(a: Attr[int], b: Attr[int], z: Out[Tensor[i64, 6]]):
    z[0] = a // b
    z[1] = a % b
    z[2] = -7 // 2
    z[3] = -7 % 2
    z[4] = 7 // -2
    z[5] = 7 % -2


@dsl_kernel
def k_divmod_device(x: Tensor[i64, 2], z: Out[Tensor[i64, 2]]):
    a = x[0]
    b = x[1]
    z[0] = a // b
    z[1] = a % b


@dsl_kernel
def k_minmax(a: Attr[int], b: Attr[int], c: Attr[int], f: Attr[float], z: Out[Tensor[i64, 4]], w: Out[Tensor[f32, 3]]):
    z[0] = min(a, b)
    z[1] = max(a, b)
    z[2] = min(a, b, c)
    z[3] = max(a, b, c, 0)
    w[0] = min(f, a)
    w[1] = max(f, 0.5)
    w[2] = max(a, f, b)


@dsl_kernel
def k_float_math(a: Attr[float], b: Attr[float], z: Out[Tensor[f32, 7]]):
    z[0] = a + b
    z[1] = (a + b) - a
    z[2] = a * b
    z[3] = a / b
    z[4] = a - b
    z[5] = a * b + a
    z[6] = -a


@dsl_kernel
def k_int_float(i: Attr[int], f: Attr[float], z: Out[Tensor[f32, 3]], n: Out[Tensor[i64, 2]]):
    z[0] = float(i)
    z[1] = i * 0.5
    z[2] = f + i
    n[0] = int(f)
    n[1] = int(-f)


@dsl_kernel
def k_const_float(a: Attr[float], z: Out[Tensor[f32, 2]]):
    z[0] = a + 1.0 - a
    z[1] = 1e8 + 1.0 - 1e8


@dsl_kernel
def k_if_chain(a: Attr[int], z: Out[Tensor[i64, 1]], w: Out[Tensor[f32, 1]]):
    v = 0
    f = 1.5
    if a < 0:
        v = -1
    elif a == 0:
        v = 100
        f = 2.5
    elif a < 10:
        if a % 2 == 0:
            v = a * 2
        else:
            v = a * 3
            f = -1.0
    else:
        v = a - 10
    z[0] = v
    w[0] = f


@dsl_kernel
def k_if_device(x: Tensor[i32, N], z: Out[Tensor[i64, N]]):
    for i in range(N):
        v = x[i]
        r = 0
        if v > 0:
            r = 1
        elif v < 0:
            r = -1
        z[i] = r * v


@dsl_kernel
def k_for_carry(start: Attr[int], stop: Attr[int], z: Out[Tensor[i64, 4]]):
    s = 0
    p = 1
    c = 0
    for i in range(start, stop):
        s = s + i
        c += 1
        if i % 3 == 0:
            p = p * 2
    t = 0
    for i in range(start, stop, 3):
        t = t * 10 + i
    z[0] = s
    z[1] = p
    z[2] = c
    z[3] = t


@dsl_kernel
def k_for_float_carry(x: Tensor[f32, N], z: Out[Tensor[f32, 1]]):
    acc = 0.0
    for i in range(N):
        acc = acc * 0.5 + x[i]
    z[0] = acc


@dsl_kernel
def k_while(n: Attr[int], z: Out[Tensor[i64, 2]]):
    steps = 0
    v = n
    while v != 1:
        if v % 2 == 0:  # noqa: SIM108 (an if statement inside a while, on purpose)
            v = v // 2
        else:
            v = 3 * v + 1
        steps += 1
    a = n
    b = 36
    while b != 0:
        a, b = b, a % b
    z[0] = steps
    z[1] = a


@dsl_kernel
def k_for_break(x: Tensor[i32, N], t: Attr[int], z: Out[Tensor[i64, 2]]):
    found = -1
    count = 0
    for i in range(N):
        if x[i] > t:
            found = i
            break
        count += 1
    z[0] = found
    z[1] = count


@dsl_kernel
def k_for_continue(x: Tensor[i32, N], z: Out[Tensor[i64, 2]]):
    s = 0
    skipped = 0
    for i in range(N):
        v = x[i]
        if v <= 0:
            skipped += 1
            continue
        elif v % 3 == 0:
            continue
        s = s + v
    z[0] = s
    z[1] = skipped


@dsl_kernel
def k_while_break_continue(x: Tensor[i32, N], t: Attr[int], z: Out[Tensor[i64, 3]]):
    i = 0
    odd_sum = 0
    while True:
        if i >= N:
            break
        v = x[i]
        i += 1
        if v == t:
            break
        if v % 2 == 0:
            continue
        odd_sum += v
    j = 0
    while x[j] != t:  # reads x[N] unless the break stops the loop first
        j += 1
        if j == N:
            break
    z[0] = i
    z[1] = odd_sum
    z[2] = j


@dsl_kernel
def k_nested_break_continue(x: Tensor[i32, N], limit: Attr[int], z: Out[Tensor[i64, 3]]):
    count = 0
    rows = 0
    last = -1
    for i in range(N):
        if x[i] < 0:
            continue
        for j in range(N):
            if j > i:
                break
            if (x[i] + x[j]) % 2 == 1:
                continue
            count += 1
            k = 0
            while k < j:
                k += 1
                if k == 2:
                    continue
                if k > 3:
                    break
                count += 10
        rows += 1
        last = i
        if count > limit:
            break
    z[0] = count
    z[1] = rows
    z[2] = last


@dsl_kernel
def k_ifexp(a: Attr[int], f: Attr[float], x: Tensor[i32, N], z: Out[Tensor[f32, 3]], w: Out[Tensor[i64, 2]]):
    z[0] = f if a > 0 else a
    z[1] = 1.5 if a > 10 else (2.5 if a > 0 else -0.5)
    z[2] = a if a < 0 else 0
    w[0] = x[a] if a < N and a >= 0 else -1
    w[1] = a if f > 0.0 else -a


@dsl_kernel
def k_short_circuit(x: Tensor[i32, N], i: Attr[int], z: Out[Tensor[i64, 5]]):
    r0 = 0
    if i < N and x[i] > 0:
        r0 = 1
    r1 = 0
    if i >= N or x[i] == 0:
        r1 = 1
    r2 = 0
    if i >= 0 and i < N and x[i] != 7:
        r2 = 1
    r3 = 0
    if not (i < N) or x[i] < 0:
        r3 = 1
    j = 0
    while j < N and x[j] != 0:
        j += 1
    z[0] = r0
    z[1] = r1
    z[2] = r2
    z[3] = r3
    z[4] = j


@dsl_kernel
def k_short_circuit_division(a: Attr[int], b: Attr[int], z: Out[Tensor[i64, 2]]):
    r = 0
    if b != 0 and a // b > 2:
        r = 1
    s = 0
    if b == 0 or a % b == 1:
        s = 1
    z[0] = r
    z[1] = s


@dsl_kernel
def k_chained(a: Attr[int], x: Tensor[i32, N], z: Out[Tensor[i64, 2]]):
    r = 0
    if 0 <= a < N:
        r = 1
    z[0] = r
    z[1] = 1 if 0 <= a < N and x[a] > 0 else 0


@dsl_kernel
def k_counter(y: InOut[Tensor[i32, N]]):
    for i in range(N):
        y[i] = y[i] + i


# ------------------------------------------------------------------------------------------ helpers

I64 = np.dtype(np.int64)
F32 = np.dtype(np.float32)


def zeros(n: int, dtype=I64) -> np.ndarray:
    return np.zeros(n, dtype=dtype)


def r32(v: float) -> float:
    """v rounded to float32."""
    return float(np.float32(v))


small_ints = st.integers(-(2**40), 2**40)
f32_values = st.floats(-1e6, 1e6, width=32, allow_nan=False)


def i32_arrays(max_size: int = 10, lo: int = -20, hi: int = 20) -> st.SearchStrategy:
    return hnp.arrays(np.int32, st.integers(1, max_size), elements=st.integers(lo, hi))


# ------------------------------------------------------------------------------------------ integer arithmetic


@given(a=small_ints, b=small_ints.filter(lambda v: v != 0))
@settings(deadline=None)
def test_floordiv_and_mod_follow_python(a: int, b: int) -> None:
    z = zeros(6)
    run(k_divmod, {"a": a, "b": b, "z": z})
    assert z.tolist() == [a // b, a % b, -4, 1, -4, -1]
    x = np.array([a, b], dtype=np.int64)
    z = zeros(2)
    run(k_divmod_device, {"x": x, "z": z})
    assert z.tolist() == [a // b, a % b]


@pytest.mark.parametrize(("a", "b"), [(-7, 2), (7, -2), (-7, -2), (-1, 3), (0, -5), (-6, 3), (-(2**62), 3)])
def test_floordiv_and_mod_negative_cases(a: int, b: int) -> None:
    z = zeros(2)
    run(k_divmod_device, {"x": np.array([a, b], dtype=np.int64), "z": z})
    assert z.tolist() == [a // b, a % b]


def test_integer_division_by_zero_is_an_error() -> None:
    with pytest.raises(DeviceRuntimeError, match="division by zero"):
        run(k_divmod_device, {"x": np.array([5, 0], dtype=np.int64), "z": zeros(2)})


@given(a=small_ints, b=small_ints, c=small_ints, f=f32_values)
@settings(deadline=None)
def test_min_max(a: int, b: int, c: int, f: float) -> None:
    z, w = zeros(4), zeros(3, F32)
    run(k_minmax, {"a": a, "b": b, "c": c, "f": f, "z": z, "w": w})
    assert z.tolist() == [min(a, b), max(a, b), min(a, b, c), max(a, b, c, 0)]
    fa, fb = r32(a), r32(b)  # ints meet floats as float32
    assert w.tolist() == [min(f, fa), max(f, 0.5), max(fa, f, fb)]


# ------------------------------------------------------------------------------------------ float scalars


@given(a=f32_values, b=f32_values.filter(lambda v: v != 0))
@settings(deadline=None)
def test_float_scalar_math_rounds_to_float32_after_every_op(a: float, b: float) -> None:
    z = zeros(7, F32)
    run(k_float_math, {"a": a, "b": b, "z": z})
    x, y = np.float32(a), np.float32(b)
    with np.errstate(over="ignore"):  # a / b may overflow to inf, as it does on the device
        want = [x + y, (x + y) - x, x * y, x / y, x - y, x * y + x, -x]  # numpy float32 arithmetic
    assert z.tolist() == [float(v) for v in np.array(want, dtype=np.float32)]


def test_float_rounding_is_visible() -> None:
    z = zeros(7, F32)
    run(k_float_math, {"a": 1e8, "b": 1.0, "z": z})
    assert z[1] == 0.0  # 1e8 + 1 rounds back to 1e8 in float32 (it would be 1.0 in double)
    assert z[0] == 1e8
    z = zeros(7, F32)
    run(k_float_math, {"a": 0.1, "b": 0.2, "z": z})
    assert z[0] == np.float32(np.float32(0.1) + np.float32(0.2))
    assert z[3] == np.float32(np.float32(0.1) / np.float32(0.2))


def test_float_division_by_zero_is_ieee() -> None:
    z = zeros(7, F32)
    run(k_float_math, {"a": 1.0, "b": 0.0, "z": z})
    assert z[3] == math.inf
    run(k_float_math, {"a": 0.0, "b": 0.0, "z": z})
    assert math.isnan(z[3])


@given(i=st.integers(-(2**30), 2**30), f=st.floats(-1e9, 1e9, width=32))
@settings(deadline=None)
def test_int_float_conversions(i: int, f: float) -> None:
    z, n = zeros(3, F32), zeros(2)
    run(k_int_float, {"i": i, "f": f, "z": z, "n": n})
    assert z.tolist() == [r32(i), r32(r32(i) * 0.5), r32(np.float32(f) + np.float32(i))]
    assert n.tolist() == [math.trunc(f), math.trunc(-f)]  # int() truncates toward zero


def test_int_of_float_truncates_toward_zero() -> None:
    n = zeros(2)
    run(k_int_float, {"i": 16777217, "f": 2.75, "z": zeros(3, F32), "n": n})
    assert n.tolist() == [2, -2]
    z = zeros(3, F32)
    run(k_int_float, {"i": 16777217, "f": -0.5, "z": z, "n": n})
    assert n.tolist() == [0, 0]
    assert z[0] == 16777216.0  # float() of an int rounds to float32


def test_int_of_nan_is_an_error() -> None:
    with pytest.raises(DeviceRuntimeError, match="int"):
        run(k_int_float, {"i": 1, "f": math.inf, "z": zeros(3, F32), "n": zeros(2)})


def test_constant_float_folding_matches_run_time_float32() -> None:
    z = zeros(2, F32)
    run(k_const_float, {"a": 1e8, "z": z})
    assert z[0] == 0.0
    assert z[1] == z[0]


# ------------------------------------------------------------------------------------------ if


def py_if_chain(a: int) -> tuple[int, float]:
    v, f = 0, 1.5
    if a < 0:
        v = -1
    elif a == 0:
        v, f = 100, 2.5
    elif a < 10:
        if a % 2 == 0:
            v = a * 2
        else:
            v, f = a * 3, -1.0
    else:
        v = a - 10
    return v, f


@pytest.mark.parametrize("a", [-5, 0, 4, 7, 10, 123])
def test_if_elif_else_merges_variables(a: int) -> None:
    z, w = zeros(1), zeros(1, F32)
    run(k_if_chain, {"a": a, "z": z, "w": w})
    assert (int(z[0]), float(w[0])) == py_if_chain(a)


@given(x=i32_arrays())
@settings(deadline=None)
def test_if_on_device_data(x: np.ndarray) -> None:
    z = zeros(len(x))
    run(k_if_device, {"x": x, "z": z})
    assert z.tolist() == [abs(int(v)) for v in x]


# ------------------------------------------------------------------------------------------ loops


def py_for_carry(start: int, stop: int) -> list[int]:
    s, p, c = 0, 1, 0
    for i in range(start, stop):
        s += i
        c += 1
        if i % 3 == 0:
            p *= 2
    t = 0
    for i in range(start, stop, 3):
        t = t * 10 + i
    return [s, p, c, t]


@given(start=st.integers(-10, 20), stop=st.integers(-10, 20))
@settings(deadline=None)
def test_for_loops_carry_variables(start: int, stop: int) -> None:
    z = zeros(4)
    run(k_for_carry, {"start": start, "stop": stop, "z": z})
    assert z.tolist() == py_for_carry(start, stop)  # an empty range leaves the variables as they were


@given(x=hnp.arrays(np.float32, st.integers(1, 10), elements=f32_values))
@settings(deadline=None)
def test_for_loop_carries_a_float32(x: np.ndarray) -> None:
    z = zeros(1, F32)
    run(k_for_float_carry, {"x": x, "z": z})
    acc = np.float32(0.0)
    for v in x:
        acc = np.float32(acc * np.float32(0.5)) + v
    assert z[0] == acc


def py_collatz_gcd(n: int) -> list[int]:
    steps, v = 0, n
    while v != 1:
        v = v // 2 if v % 2 == 0 else 3 * v + 1
        steps += 1
    return [steps, math.gcd(n, 36)]


@pytest.mark.parametrize("n", [1, 2, 6, 27, 97])
def test_while_loops(n: int) -> None:
    z = zeros(2)
    run(k_while, {"n": n, "z": z})
    assert z.tolist() == py_collatz_gcd(n)


def py_for_break(x: list[int], t: int) -> list[int]:
    found, count = -1, 0
    for i in range(len(x)):
        if x[i] > t:
            found = i
            break
        count += 1
    return [found, count]


@given(x=i32_arrays(), t=st.integers(-20, 20))
@settings(deadline=None)
def test_break_in_for(x: np.ndarray, t: int) -> None:
    z = zeros(2)
    run(k_for_break, {"x": x, "t": t, "z": z})
    assert z.tolist() == py_for_break(x.tolist(), t)


def py_for_continue(x: list[int]) -> list[int]:
    s = skipped = 0
    for v in x:
        if v <= 0:
            skipped += 1
            continue
        elif v % 3 == 0:
            continue
        s += v
    return [s, skipped]


@given(x=i32_arrays())
@settings(deadline=None)
def test_continue_in_for(x: np.ndarray) -> None:
    z = zeros(2)
    run(k_for_continue, {"x": x, "z": z})
    assert z.tolist() == py_for_continue(x.tolist())


def py_while_break_continue(x: list[int], t: int) -> list[int]:
    n = len(x)
    i = odd_sum = 0
    while True:
        if i >= n:
            break
        v = x[i]
        i += 1
        if v == t:
            break
        if v % 2 == 0:
            continue
        odd_sum += v
    j = 0
    while x[j] != t:
        j += 1
        if j == n:
            break
    return [i, odd_sum, j]


@given(x=i32_arrays(lo=-5, hi=5), t=st.integers(-5, 5))
@settings(deadline=None)
def test_break_and_continue_in_while(x: np.ndarray, t: int) -> None:
    z = zeros(3)
    run(k_while_break_continue, {"x": x, "t": t, "z": z})
    assert z.tolist() == py_while_break_continue(x.tolist(), t)


def py_nested(x: list[int], limit: int) -> list[int]:
    n = len(x)
    count = rows = 0
    last = -1
    for i in range(n):
        if x[i] < 0:
            continue
        for j in range(n):
            if j > i:
                break
            if (x[i] + x[j]) % 2 == 1:
                continue
            count += 1
            k = 0
            while k < j:
                k += 1
                if k == 2:
                    continue
                if k > 3:
                    break
                count += 10
        rows += 1
        last = i
        if count > limit:
            break
    return [count, rows, last]


@given(x=i32_arrays(max_size=8, lo=-3, hi=6), limit=st.integers(0, 200))
@settings(deadline=None)
def test_nested_break_and_continue(x: np.ndarray, limit: int) -> None:
    z = zeros(3)
    run(k_nested_break_continue, {"x": x, "limit": limit, "z": z})
    assert z.tolist() == py_nested(x.tolist(), limit)


# ------------------------------------------------------------------------------------------ x if c else y, and/or


@pytest.mark.parametrize("a", [-3, 0, 2, 4, 11])
@pytest.mark.parametrize("f", [2.5, -1.25])
def test_conditional_expression(a: int, f: float) -> None:
    x = np.array([5, 6, 7, 8], dtype=np.int32)
    z, w = zeros(3, F32), zeros(2)
    run(k_ifexp, {"a": a, "f": f, "x": x, "z": z, "w": w})  # x[a] is only read when 0 <= a < 4
    assert z.tolist() == [f if a > 0 else a, 1.5 if a > 10 else (2.5 if a > 0 else -0.5), a if a < 0 else 0]
    assert w.tolist() == [int(x[a]) if 0 <= a < 4 else -1, a if f > 0 else -a]


def py_short_circuit(x: list[int], i: int) -> list[int]:
    n = len(x)
    j = 0
    while j < n and x[j] != 0:
        j += 1
    return [
        int(i < n and x[i] > 0),
        int(i >= n or x[i] == 0),
        int(i >= 0 and i < n and x[i] != 7),
        int(not (i < n) or x[i] < 0),
        j,
    ]


@given(x=i32_arrays(lo=-2, hi=8), data=st.data())
@settings(deadline=None)
def test_and_or_short_circuit_out_of_bounds_reads(x: np.ndarray, data: st.DataObject) -> None:
    i = data.draw(st.integers(0, len(x) + 2))  # i >= len(x) would read out of bounds without short-circuit
    z = zeros(5)
    run(k_short_circuit, {"x": x, "i": i, "z": z})
    assert z.tolist() == py_short_circuit(x.tolist(), i)


def test_chained_comparison() -> None:
    x = np.array([3, -1], dtype=np.int32)
    for a, want in [(-1, [0, 0]), (0, [1, 1]), (1, [1, 0]), (2, [0, 0])]:
        z = zeros(2)
        run(k_chained, {"a": a, "x": x, "z": z})
        assert z.tolist() == want, a


def test_and_or_short_circuit_division_by_zero() -> None:
    z = zeros(2)
    run(k_short_circuit_division, {"a": 7, "b": 0, "z": z})
    assert z.tolist() == [0, 1]


def test_and_or_with_division_when_defined() -> None:
    z = zeros(2)
    run(k_short_circuit_division, {"a": 7, "b": 2, "z": z})
    assert z.tolist() == [1, 1]
    run(k_short_circuit_division, {"a": 7, "b": 3, "z": z})
    assert z.tolist() == [0, 1]


def test_inout_read_modify_write() -> None:
    y = np.array([10, 20, 30], dtype=np.int32)
    run(k_counter, {"y": y})
    assert y.tolist() == [10, 21, 32]

"""Global-memory views and data movement on the CPU interpreter, checked against numpy indexing.

Every out-of-bounds access is an error that names the tensor, the index and the DSL file:line of the
statement; a failed run leaves the caller's out/inout arrays bit-identical.
"""

from __future__ import annotations

import numpy as np
import pytest
from ascdsl.runtime import run
from hypothesis import given, settings
from hypothesis import strategies as st

from ascdsl import (
    Attr,
    DeviceRuntimeError,
    DslError,
    InOut,
    Out,
    Tensor,
    copy,
    f16,
    f32,
    fill,
    i8,
    i32,
    load,
    parallel,
    reduce_sum,
    store,
)
from ascdsl import kernel as dsl_kernel

# ------------------------------------------------------------------------------------------ kernels


@dsl_kernel
def k_window(x: Tensor[T, N], off: Attr[int], n: Attr[int], z: Out[Tensor[T, N]]):
    store(z[0:n], load(x[off : off + n]))


@dsl_kernel
def k_step(x: Tensor[f32, N], a: Attr[int], b: Attr[int], z: Out[Tensor[f32, N]]):
    store(z[0 : (b - a + 1) // 2], load(x[a:b:2]))


@dsl_kernel
def k_step_dest(x: Tensor[f32, N], z: Out[Tensor[f32, M]]):
    store(z[1::3], load(x))


@dsl_kernel
def k_step_2d(x: Tensor[f32, M, N], z: Out[Tensor[f32, P, Q]]):
    store(z, load(x[1::2, ::3]))


@dsl_kernel
def k_loop_windows(x: Tensor[f32, N], z: Out[Tensor[f32, N]]):
    for i in range(N // 2):
        store(z[2 * i : 2 * i + 2], load(x[2 * i : 2 * i + 2]) + 1.0)


@dsl_kernel
def k_row_col(x: Tensor[f32, M, N], i: Attr[int], j: Attr[int], r: Out[Tensor[f32, N]], c: Out[Tensor[f32, M]]):
    store(r, load(x[i]))
    store(c, load(x[:, j]))


@dsl_kernel
def k_mixed_index(x: Tensor[f32, A, B, C], i: Attr[int], a: Attr[int], b: Attr[int], z: Out[Tensor[f32, A, C]]):
    store(z[a:b], load(x[a:b, i, :]))


@dsl_kernel
def k_view_of_view(x: Tensor[f32, M, N], z: Out[Tensor[f32, 2, 2]]):
    v = x[1:4]
    w = v[1:3, 2:4]
    store(z, load(w))


@dsl_kernel
def k_permute(x: Tensor[f32, A, B, C], z: Out[Tensor[f32, C, A, B]]):
    store(z, load(x.permute(2, 0, 1)))


@dsl_kernel
def k_permute_slice(x: Tensor[f32, M, N], z: Out[Tensor[f32, 2, M]]):
    store(z, load(x.permute(1, 0)[1:3]))


@dsl_kernel
def k_reshape(x: Tensor[f32, M, N], z: Out[Tensor[f32, K]], w: Out[Tensor[f32, N, M]]):
    store(z, load(x.reshape(M * N)))
    store(w, load(x.reshape(N, M)))


@dsl_kernel
def k_reshape_rows(x: Tensor[f32, M, N], z: Out[Tensor[f32, K]]):
    store(z, load(x[1:3].reshape(2 * N)))


@dsl_kernel
def k_reshape_strided(x: Tensor[f32, M, N], z: Out[Tensor[f32, K]]):
    store(z, load(x[:, 0:2].reshape(M * 2)))


@dsl_kernel
def k_reshape_count(x: Tensor[f32, M, N], z: Out[Tensor[f32, K]]):
    store(z, load(x.reshape(M * N + 1)))


@dsl_kernel
def k_scalar_rw(x: Tensor[f32, M, N], z: Out[Tensor[f32, N, M]], y: InOut[Tensor[i32, M]]):
    for i in range(M):
        for j in range(N):
            z[j, i] = x[i, j] * 2.0
        y[i] = y[i] + i
    y[0] = 100


@dsl_kernel
def k_write_float_into_int(z: Out[Tensor[i32, N]]):
    z[0] = 2.5


@dsl_kernel
def k_write_big_into_i8(v: Attr[int], z: Out[Tensor[i8, N]]):
    z[0] = v


@dsl_kernel
def k_write_f16(v: Attr[float], z: Out[Tensor[f16, N]]):
    z[1] = v


@dsl_kernel
def k_copy(x: Tensor[T, N], a: Attr[int], b: Attr[int], c: Attr[int], z: Out[Tensor[T, N]]):
    copy(z[c : c + b - a], x[a:b])


@dsl_kernel
def k_assign_copy(x: Tensor[T, M, N], z: Out[Tensor[T, N, M]]):
    z[1:3] = x.permute(1, 0)[0:2]


@dsl_kernel
def k_copy_overlap(y: InOut[Tensor[f32, N]]):
    copy(y[1:N], y[0 : N - 1])


@dsl_kernel
def k_copy_mismatch(x: Tensor[f32, N], z: Out[Tensor[f32, N]]):
    copy(z[0:2], x[0:3])


@dsl_kernel
def k_fill(a: Attr[int], b: Attr[int], z: Out[Tensor[f32, N]], w: Out[Tensor[i32, M, N]], q: Out[Tensor[bool, N]]):
    fill(z[a:b], 7)
    w[1] = -3
    w[0, a:b] = 5
    fill(q, True)
    q[a:b] = False


@dsl_kernel
def k_fill_f16(v: Attr[float], z: Out[Tensor[f16, N]]):
    fill(z, v)
    z[0:1] = 0.1


@dsl_kernel
def k_fill_int_with_float(z: Out[Tensor[i32, N]]):
    fill(z, 1.5)


@dsl_kernel
def k_assign_tile(x: Tensor[f32, N], a: Attr[int], b: Attr[int], z: Out[Tensor[f32, N]]):
    z[a:b] = load(x[0 : b - a]) * 2.0


@dsl_kernel
def k_store_mismatch(x: Tensor[f32, N], z: Out[Tensor[f32, N]]):
    z[0:2] = load(x)


@dsl_kernel
def k_empty(x: Tensor[f32, N], a: Attr[int], b: Attr[int], z: Out[Tensor[f32, N]]):
    store(z[a:b], load(x[a:b]))
    fill(z[a:b], 5.0)
    z[a:b] = 6.0


@dsl_kernel
def k_read(x: Tensor[f32, M, N], i: Attr[int], j: Attr[int], z: Out[Tensor[f32, 1]]):
    z[0] = x[i, j]


@dsl_kernel
def k_write(i: Attr[int], z: Out[Tensor[f32, N]]):
    z[0] = 1.0
    z[i] = 2.0


@dsl_kernel
def k_row_index(x: Tensor[f32, M, N], i: Attr[int], z: Out[Tensor[f32, N]]):
    store(z, load(x[i]))


@dsl_kernel
def k_const_negative(x: Tensor[f32, N], z: Out[Tensor[f32, 1]]):
    z[0] = x[-1]


@dsl_kernel
def k_partial_then_fail(x: Tensor[f32, N], y: InOut[Tensor[f32, N]], z: Out[Tensor[f32, N]]):
    for i in range(N + 1):
        z[i] = x[i] + 1.0  # the last iteration reads x[N]
        y[i] = 0.0


@dsl_kernel
def k_parallel(x: Tensor[f32, B, N], z: Out[Tensor[f32, B, N]], s: Out[Tensor[f32, B]]):
    for b in parallel(B):
        row = load(x[b])
        store(z[b], row * 2.0)
        s[b] = reduce_sum(row)


# ------------------------------------------------------------------------------------------ helpers

F32 = np.dtype(np.float32)


def line_of(k, text: str) -> int:
    """The line number, in this file, of the kernel source line that contains `text`."""
    lines = k.source.splitlines()
    return k.first_line + next(i for i, line in enumerate(lines) if text in line)


def where(k, text: str) -> str:
    return f"{__file__}:{line_of(k, text)}:"


def sentinel(shape: tuple[int, ...], dtype=F32) -> np.ndarray:
    return np.full(shape, 99, dtype=dtype)


def random_bits(shape: tuple[int, ...], seed: int) -> np.ndarray:
    """float32 arrays of arbitrary bit patterns (NaNs with payloads included)."""
    return np.random.default_rng(seed).integers(0, 2**32, size=shape, dtype=np.uint32).view(np.float32)


# ------------------------------------------------------------------------------------------ views


@given(data=st.data())
@settings(deadline=None)
def test_window_with_dynamic_offsets(data: st.DataObject) -> None:
    n_total = data.draw(st.integers(1, 20))
    off = data.draw(st.integers(0, n_total))
    n = data.draw(st.integers(0, n_total - off))
    x = np.arange(100, 100 + n_total, dtype=np.int32)
    z = sentinel((n_total,), np.int32)
    run(k_window, {"x": x, "off": off, "n": n, "z": z})
    want = [100 + off + k for k in range(n)] + [99] * (n_total - n)
    assert z.tolist() == want


@given(data=st.data())
@settings(deadline=None)
def test_step_slices(data: st.DataObject) -> None:
    n_total = data.draw(st.integers(1, 16))
    a = data.draw(st.integers(0, n_total - 1))
    b = data.draw(st.integers(a + 1, n_total))
    x = np.arange(n_total, dtype=np.float32) * 1.5
    z = sentinel((n_total,))
    run(k_step, {"x": x, "a": a, "b": b, "z": z})
    picked = [1.5 * k for k in range(a, b, 2)]
    assert z.tolist() == picked + [99.0] * (n_total - len(picked))


def test_step_on_destination_and_2d() -> None:
    x = np.array([1.0, 2.0, 3.0], dtype=np.float32)
    z = sentinel((8,))
    run(k_step_dest, {"x": x, "z": z})  # z[1::3] has indices 1, 4, 7
    assert z.tolist() == [99, 1, 99, 99, 2, 99, 99, 3]
    x = np.arange(5 * 7, dtype=np.float32).reshape(5, 7)
    z = sentinel((2, 3))
    run(k_step_2d, {"x": x, "z": z})  # rows 1, 3; cols 0, 3, 6
    assert z.tolist() == [[7 * r + c for c in (0, 3, 6)] for r in (1, 3)]


def test_step_view_with_wrong_size_is_rejected() -> None:
    x = np.arange(5 * 7, dtype=np.float32).reshape(5, 7)
    z = sentinel((3, 3))  # x[1::2, ::3] is [2, 3]
    with pytest.raises(DeviceRuntimeError) as exc:
        run(k_step_2d, {"x": x, "z": z})
    assert "[2, 3]" in str(exc.value) and "z" in str(exc.value)
    assert np.all(z == 99)


def test_views_in_a_loop() -> None:
    x = np.arange(7, dtype=np.float32)
    z = sentinel((7,))
    run(k_loop_windows, {"x": x, "z": z})
    assert z.tolist() == [1, 2, 3, 4, 5, 6, 99]


def test_scalar_indices_drop_dims() -> None:
    x = np.arange(12, dtype=np.float32).reshape(3, 4)
    r, c = sentinel((4,)), sentinel((3,))
    run(k_row_col, {"x": x, "i": 2, "j": 1, "r": r, "c": c})
    assert r.tolist() == [8, 9, 10, 11]
    assert c.tolist() == [1, 5, 9]
    x = np.arange(2 * 3 * 4, dtype=np.float32).reshape(2, 3, 4)
    z = sentinel((2, 4))
    run(k_mixed_index, {"x": x, "i": 1, "a": 1, "b": 2, "z": z})
    assert z.tolist() == [[99] * 4, [12 + 4 + k for k in range(4)]]


def test_view_of_a_view() -> None:
    x = np.arange(5 * 6, dtype=np.float32).reshape(5, 6)
    z = sentinel((2, 2))
    run(k_view_of_view, {"x": x, "z": z})  # rows 2, 3 of x; cols 2, 3
    assert z.tolist() == [[14, 15], [20, 21]]


def test_permute() -> None:
    x = np.arange(2 * 3 * 4, dtype=np.float32).reshape(2, 3, 4)
    z = sentinel((4, 2, 3))
    run(k_permute, {"x": x, "z": z})
    assert z.tolist() == [[[12 * a + 4 * b + c for b in range(3)] for a in range(2)] for c in range(4)]
    x = np.arange(12, dtype=np.float32).reshape(3, 4)
    z = sentinel((2, 3))
    run(k_permute_slice, {"x": x, "z": z})  # columns 1 and 2 of x
    assert z.tolist() == [[1, 5, 9], [2, 6, 10]]


def test_reshape() -> None:
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    z, w = sentinel((6,)), sentinel((3, 2))
    run(k_reshape, {"x": x, "z": z, "w": w})
    assert z.tolist() == [0, 1, 2, 3, 4, 5]
    assert w.tolist() == [[0, 1], [2, 3], [4, 5]]
    x = np.arange(12, dtype=np.float32).reshape(4, 3)
    z = sentinel((6,))
    run(k_reshape_rows, {"x": x, "z": z})  # rows 1 and 2 are contiguous
    assert z.tolist() == [3, 4, 5, 6, 7, 8]


def test_reshape_of_a_strided_view_is_an_error() -> None:
    x = np.arange(12, dtype=np.float32).reshape(3, 4)
    z = sentinel((6,))
    with pytest.raises(DeviceRuntimeError) as exc:
        run(k_reshape_strided, {"x": x, "z": z})
    msg = str(exc.value)
    assert "strided" in msg and "x" in msg and "[3, 2]" in msg and "[6]" in msg
    assert where(k_reshape_strided, "x[:, 0:2].reshape") in msg
    assert np.all(z == 99)


def test_reshape_to_another_element_count_is_an_error() -> None:
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    with pytest.raises(DeviceRuntimeError, match=r"\[7\]"):
        run(k_reshape_count, {"x": x, "z": sentinel((7,))})


def test_empty_and_reversed_slices_do_nothing() -> None:
    x = np.arange(4, dtype=np.float32)
    z = sentinel((4,))
    run(k_empty, {"x": x, "a": 3, "b": 1, "z": z})  # x[3:1] is empty, as in Python
    assert np.all(z == 99)
    run(k_empty, {"x": x, "a": 4, "b": 4, "z": z})  # an empty slice at the end is fine
    assert np.all(z == 99)


# ------------------------------------------------------------------------------------------ scalar access


def test_scalar_read_and_write() -> None:
    x = np.arange(6, dtype=np.float32).reshape(2, 3) - 2.5
    z = sentinel((3, 2))
    y = np.array([10, 20], dtype=np.int32)
    run(k_scalar_rw, {"x": x, "z": z, "y": y})
    assert z.tolist() == [[2 * float(x[i, j]) for i in range(2)] for j in range(3)]
    assert y.tolist() == [100, 21]


def test_scalar_write_converts_to_the_element_type() -> None:
    z = np.zeros(2, np.float16)
    run(k_write_f16, {"v": 1.0 + 2.0**-11 + 2.0**-20, "z": z})  # rounds to nearest f16
    assert z.tolist() == [0.0, 1.0 + 2.0**-10]
    with pytest.raises(DeviceRuntimeError, match=r"2\.5"):
        run(k_write_float_into_int, {"z": np.zeros(2, np.int32)})
    z8 = np.zeros(2, np.int8)
    with pytest.raises(DeviceRuntimeError, match="128"):
        run(k_write_big_into_i8, {"v": 128, "z": z8})
    run(k_write_big_into_i8, {"v": -128, "z": z8})
    assert z8.tolist() == [-128, 0]


# ------------------------------------------------------------------------------------------ copy, fill, x[a:b] = ...


@given(data=st.data())
@settings(deadline=None)
def test_copy(data: st.DataObject) -> None:
    n = data.draw(st.integers(1, 12))
    a = data.draw(st.integers(0, n))
    b = data.draw(st.integers(a, n))
    c = data.draw(st.integers(0, n - (b - a)))
    x = random_bits((n,), data.draw(st.integers(0, 1000)))
    z = sentinel((n,))
    run(k_copy, {"x": x, "a": a, "b": b, "c": c, "z": z})
    want = np.full(n, 99, np.float32)
    want[c : c + b - a] = x[a:b]
    assert z.tobytes() == want.tobytes()  # copy moves bits: NaN payloads survive


def test_copy_by_assignment_of_a_view() -> None:
    x = np.arange(6, dtype=np.int32).reshape(2, 3)
    z = sentinel((3, 2), np.int32)
    run(k_assign_copy, {"x": x, "z": z})
    assert z.tolist() == [[99, 99], [0, 3], [1, 4]]  # rows 0 and 1 of x transposed


def test_copy_between_overlapping_views_of_one_tensor() -> None:
    y = np.array([1, 2, 3, 4, 5], dtype=np.float32)
    run(k_copy_overlap, {"y": y})
    assert y.tolist() == [1, 1, 2, 3, 4]  # as if staged: every element read before any is written


def test_copy_of_another_shape_is_an_error() -> None:
    # static sizes that differ: caught when the kernel is compiled, at the copy
    z = sentinel((4,))
    with pytest.raises(DslError) as exc:
        run(k_copy_mismatch, {"x": np.zeros(4, np.float32), "z": z})
    assert "[3]" in str(exc.value) and "[2]" in str(exc.value)
    assert where(k_copy_mismatch, "copy(z[0:2]") in str(exc.value)
    assert np.all(z == 99)


def test_fill() -> None:
    z, w, q = sentinel((5,)), sentinel((2, 5), np.int32), np.zeros(5, bool)
    run(k_fill, {"a": 1, "b": 3, "z": z, "w": w, "q": q})
    assert z.tolist() == [99, 7, 7, 99, 99]
    assert w.tolist() == [[99, 5, 5, 99, 99], [-3] * 5]
    assert q.tolist() == [True, False, False, True, True]


def test_fill_rounds_to_the_element_type() -> None:
    z = np.zeros(3, np.float16)
    run(k_fill_f16, {"v": 65519.0, "z": z})  # below the overflow midpoint: 65504
    assert z.tolist() == [float(np.float16(0.1)), 65504.0, 65504.0]
    run(k_fill_f16, {"v": 65520.0, "z": z})  # the midpoint rounds to even: inf
    assert z.tolist()[1:] == [float("inf")] * 2


def test_fill_int_with_a_float_is_an_error() -> None:
    z = np.zeros(3, np.int32)
    with pytest.raises(DeviceRuntimeError, match=r"1\.5"):
        run(k_fill_int_with_float, {"z": z})


def test_assign_tile_to_a_slice() -> None:
    x = np.array([1, 2, 3, 4, 5], dtype=np.float32)
    z = sentinel((5,))
    run(k_assign_tile, {"x": x, "a": 2, "b": 5, "z": z})
    assert z.tolist() == [99, 99, 2, 4, 6]


def test_store_of_another_shape_is_an_error() -> None:
    z = sentinel((4,))
    with pytest.raises(DeviceRuntimeError) as exc:
        run(k_store_mismatch, {"x": np.zeros(4, np.float32), "z": z})
    assert "[4]" in str(exc.value) and "[2]" in str(exc.value) and "z" in str(exc.value)
    assert np.all(z == 99)


# ------------------------------------------------------------------------------------------ bounds errors


@pytest.mark.parametrize(("i", "j", "bad"), [(2, 0, "2"), (0, 3, "3"), (5, 7, "5")])
def test_out_of_bounds_read(i: int, j: int, bad: str) -> None:
    x = np.zeros((2, 3), np.float32)
    z = sentinel((1,))
    with pytest.raises(DeviceRuntimeError) as exc:
        run(k_read, {"x": x, "i": i, "j": j, "z": z})
    msg = str(exc.value)
    assert "x" in msg and f"[{i}, {j}]" in msg and "[2, 3]" in msg
    assert where(k_read, "z[0] = x[i, j]") in msg
    assert "z[0] = x[i, j]" in msg  # the offending line is shown
    assert np.all(z == 99)


def test_out_of_bounds_write() -> None:
    z = sentinel((4,))
    with pytest.raises(DeviceRuntimeError) as exc:
        run(k_write, {"i": 4, "z": z})
    msg = str(exc.value)
    assert "z" in msg and "[4]" in msg and "out of range" in msg
    assert where(k_write, "z[i] = 2.0") in msg
    assert np.all(z == 99)  # z[0] = 1.0 ran, but a failed run writes nothing back


@pytest.mark.parametrize(("off", "n"), [(3, 2), (5, 1), (0, 5)])
def test_out_of_bounds_slice(off: int, n: int) -> None:
    x = np.zeros(4, np.float32)
    z = sentinel((4,))
    with pytest.raises(DeviceRuntimeError) as exc:
        run(k_window, {"x": x, "off": off, "n": n, "z": np.zeros(4, np.float32) if n > 4 else z})
    msg = str(exc.value)
    assert "x" in msg and f"{off}:{off + n}" in msg and "size 4" in msg
    assert where(k_window, "x[off : off + n]") in msg


def test_out_of_bounds_destination_slice() -> None:
    z = sentinel((4,))
    with pytest.raises(DeviceRuntimeError) as exc:
        run(k_assign_tile, {"x": np.zeros(4, np.float32), "a": 3, "b": 5, "z": z})
    msg = str(exc.value)
    assert "z" in msg and "3:5" in msg
    assert where(k_assign_tile, "z[a:b] = load") in msg
    assert np.all(z == 99)


def test_out_of_bounds_row_index() -> None:
    with pytest.raises(DeviceRuntimeError) as exc:
        run(k_row_index, {"x": np.zeros((3, 2), np.float32), "i": 3, "z": sentinel((2,))})
    msg = str(exc.value)
    assert "index 3" in msg and "x" in msg and where(k_row_index, "load(x[i])") in msg


def test_negative_index_does_not_count_from_the_end() -> None:
    with pytest.raises(DeviceRuntimeError) as exc:
        run(k_const_negative, {"x": np.zeros(3, np.float32), "z": sentinel((1,))})
    msg = str(exc.value)
    assert "-1" in msg and "x" in msg and where(k_const_negative, "x[-1]") in msg


def test_failed_run_leaves_outputs_bit_identical() -> None:
    x = random_bits((6,), 1)
    y = random_bits((6,), 2)
    z = random_bits((6,), 3)
    y0, z0 = y.tobytes(), z.tobytes()
    with pytest.raises(DeviceRuntimeError) as exc:
        run(k_partial_then_fail, {"x": x, "y": y, "z": z})
    msg = str(exc.value)
    assert "x" in msg and "[6]" in msg and where(k_partial_then_fail, "z[i] = x[i] + 1.0") in msg
    assert y.tobytes() == y0 and z.tobytes() == z0
    assert x.tobytes() == random_bits((6,), 1).tobytes()


def test_inputs_are_never_written() -> None:
    x = np.arange(4, dtype=np.float32)
    z = sentinel((4,))
    run(k_window, {"x": x, "off": 0, "n": 4, "z": z})
    assert x.flags.writeable  # the caller's array keeps its flags
    assert x.tolist() == [0, 1, 2, 3]


# ------------------------------------------------------------------------------------------ parallel


@pytest.mark.parametrize("b", [0, 1, 4])
def test_parallel_iterations_write_their_own_views(b: int) -> None:
    x = np.arange(b * 3, dtype=np.float32).reshape(b, 3)
    z, s = sentinel((b, 3)), sentinel((b,))
    run(k_parallel, {"x": x, "z": z, "s": s})
    assert z.tolist() == [[2.0 * v for v in row] for row in x.tolist()]
    assert s.tolist() == [sum(row) for row in x.tolist()]

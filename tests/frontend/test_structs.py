"""@struct layouts and the DSL's struct, device-address and volatile features in kernels.

Layouts are checked against offsets computed by hand (packed, little-endian, no implicit padding); every bad
layout and every misuse in a kernel is a DslError at the exact file:line:col with a hint.
"""

from __future__ import annotations

import inspect
import struct as pystruct
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ascdsl import (
    Array,
    DslError,
    InOut,
    Reserved,
    Tensor,
    as_struct,
    at,
    count_equal,
    f32,
    gm_tensor,
    i8,
    i16,
    i32,
    kernel,
    struct,
    u8,
    u32,
    u64,
    volatile,
)
from ascdsl.dialects import tile_ops as t
from ascdsl.dialects.tile_memory import VOLATILE, CountEqOp, GmAtOp, ReinterpretOp


@struct(size=8)
class Pair:
    lo: u32
    hi: i32


@struct(size=48)
class Record:
    tag: u8
    pad0: Reserved[1]
    small: i16
    count: u32 = at(4)
    pair: Pair
    ptr: u64 = at(16)
    items: Array[i32, 4]
    tail: Reserved[8]


def test_offsets_and_size() -> None:
    lay = Record.layout
    assert Record.size == 48
    assert [(f.name, f.offset, f.nbytes) for f in lay.fields] == [
        ("tag", 0, 1), ("pad0", 1, 1), ("small", 2, 2), ("count", 4, 4), ("pair", 8, 8), ("ptr", 16, 8),
        ("items", 24, 16), ("tail", 40, 8),
    ]
    assert lay.accessible() == ["tag", "small", "count", "pair", "ptr", "items"]
    assert Record.numpy_dtype().itemsize == 48


def test_numpy_view_is_packed_little_endian() -> None:
    raw = np.zeros(48, np.int8)
    rec = Record.view(raw)
    rec["tag"] = 0xAB
    rec["small"] = -2
    rec["count"] = 0x01020304
    rec["pair"]["hi"] = -5
    rec["ptr"] = 0x1122334455667788
    rec["items"][2] = 9
    b = raw.tobytes()
    assert b[0] == 0xAB and b[1] == 0
    assert pystruct.unpack_from("<h", b, 2)[0] == -2
    assert pystruct.unpack_from("<I", b, 4)[0] == 0x01020304
    assert pystruct.unpack_from("<i", b, 12)[0] == -5
    assert pystruct.unpack_from("<Q", b, 16)[0] == 0x1122334455667788
    assert pystruct.unpack_from("<i", b, 24 + 8)[0] == 9
    assert not any(b[40:])


# ------------------------------------------------------------------ bad layouts


def _line_of(obj: object, text: str) -> tuple[int, int]:
    lines, first = inspect.getsourcelines(obj)  # type: ignore[arg-type]
    for i, line in enumerate(lines):
        if text in line:
            return first + i, line.index(text) + 1
    raise AssertionError(text)


def test_size_mismatch_is_located_at_the_class() -> None:
    with pytest.raises(DslError, match=r"has 8 bytes, but size=12 is declared") as info:

        @struct(size=12)
        class Short:
            a: u32
            b: u32

    assert info.value.span is not None
    assert info.value.span.file == __file__
    assert "Reserved[4]" in (info.value.hint or "")


def test_stated_offset_mismatch_is_located_at_the_offset() -> None:
    with pytest.raises(DslError, match=r"field b is at byte 4, but the declaration says at\(8\)") as info:

        @struct
        class Shifted:
            a: u32
            b: u32 = at(8)

    src = inspect.getsource(test_stated_offset_mismatch_is_located_at_the_offset)
    first = inspect.getsourcelines(test_stated_offset_mismatch_is_located_at_the_offset)[1]
    line = next(i for i, text in enumerate(src.splitlines()) if "b: u32 = at(8)" in text)
    col = src.splitlines()[line].index("at(8)") + 1
    assert (info.value.span.line, info.value.span.col) == (first + line, col)  # type: ignore[union-attr]
    assert "Reserved[4]" in (info.value.hint or "")


def test_misaligned_scalar() -> None:
    with pytest.raises(DslError, match=r"field b \(u32\) is at byte 1, not a multiple of its 4 bytes") as info:

        @struct
        class Packed:
            a: u8
            b: u32

    assert info.value.span is not None and info.value.span.col > 1


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("a: f99\n", "cannot read its type"),
        ("a: Reserved[0]\n", "reserved area of 0 bytes"),
        ("a: Array[i32]\n", "Array takes a dtype and a length"),
        ("a: u32\na: u32\n", "declared twice"),
        ("a = 3\n", "only field declarations"),
        ("a: u32 = 4\n", "the only value a field takes is its offset"),
    ],
)
def test_bad_fields(tmp_path: object, body: str, message: str) -> None:
    import importlib.util
    from pathlib import Path

    path = Path(str(tmp_path)) / "bad_struct.py"
    lines = "".join("    " + line for line in body.splitlines(keepends=True))
    path.write_text(
        "from __future__ import annotations\nfrom ascdsl import struct, u32, i32, Reserved, Array, at\n\n@struct\nclass Bad:\n" + lines
    )
    spec = importlib.util.spec_from_file_location("bad_struct", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bad_struct"] = module
    try:
        with pytest.raises(DslError, match=message) as info:
            spec.loader.exec_module(module)
    finally:
        del sys.modules["bad_struct"]
    assert info.value.span is not None and info.value.span.file == str(path) and info.value.span.line >= 6


# ------------------------------------------------------------------ kernels


@kernel
def k_fields(buf: InOut[Tensor[i8, N]]):
    r = as_struct(buf, Record)
    data = gm_tensor(r.ptr, i32, r.count)
    r.pair.hi = volatile(data[0]) + r.items[3]
    r.items[0:2] = 7


def test_field_reads_and_writes_build_reinterpret_read_write() -> None:
    ops = list(k_fields.ir.walk())
    reinterprets = [op for op in ops if isinstance(op, ReinterpretOp)]
    offsets = sorted(int(op.byte_offset.owner.value.value.data) for op in reinterprets)  # type: ignore[union-attr]
    assert offsets == [4, 12, 16, 24, 24]  # count, pair.hi, ptr, items (read), items (fill)
    assert len([op for op in ops if isinstance(op, GmAtOp)]) == 1
    reads = [op for op in ops if isinstance(op, t.ReadOp)]
    assert [VOLATILE in op.attributes for op in reads].count(True) == 1
    assert any(isinstance(op, t.WriteOp) for op in ops) and any(isinstance(op, t.FillOp) for op in ops)


@kernel
def k_unknown_field(buf: InOut[Tensor[i8, N]]):
    r = as_struct(buf, Record)
    r.pair.hj = 1


@kernel
def k_reserved_field(buf: InOut[Tensor[i8, N]]):
    r = as_struct(buf, Record)
    x = r.tail
    r.pair.lo = x


@kernel
def k_write_input(buf: Tensor[i8, N], out: InOut[Tensor[i8, M]]):
    r = as_struct(buf, Record)
    r.count = 1


@kernel
def k_float_bytes(buf: InOut[Tensor[f32, N]]):
    r = as_struct(buf, Record)
    r.count = 1


@kernel
def k_short_static(buf: InOut[Tensor[u8, 16]]):
    r = as_struct(buf, Record)
    r.count = 1


@kernel
def k_volatile_not_a_read(buf: InOut[Tensor[i8, N]]):
    r = as_struct(buf, Record)
    r.count = volatile(r.count + 1)


@kernel
def k_address_float(buf: InOut[Tensor[i8, N]]):
    data = gm_tensor(1.5, i32, 4)
    data[0] = 1


@kernel
def k_attribute_of_tensor(buf: InOut[Tensor[i8, N]]):
    buf.shape = 3


@kernel
def k_whole_struct(buf: InOut[Tensor[i8, N]]):
    r = as_struct(buf, Record)
    r.pair = 3


@kernel
def k_count_float(buf: InOut[Tensor[f32, N]]):
    buf[0] = count_equal(buf, 1)


@pytest.mark.parametrize(
    ("k", "marker", "message", "hint"),
    [
        (k_unknown_field, "r.pair.hj", "struct Pair has no field 'hj'", "did you mean hi"),
        (k_reserved_field, "r.tail", "reserved area 'tail'", "padding"),
        (k_write_input, "r.count", "cannot write into buf: it is an input", "InOut"),
        (k_float_bytes, "buf, Record", "must be i8 or u8, got f32", "Tensor[i8, N]"),
        (k_short_static, "buf, Record", "Record has 48 bytes, the tensor only 16", None),
        (k_volatile_not_a_read, "r.count + 1", r"volatile\(\.\.\.\) takes one scalar read", "volatile(flags[i])"),
        (k_address_float, "1.5", "address of gm_tensor must be an integer", None),
        (k_attribute_of_tensor, "buf.shape", "cannot assign to an attribute of a GM view", "only struct fields"),
        (k_whole_struct, "r.pair", "field pair is a struct", None),
        (k_count_float, "buf, 1", "count_equal counts integer elements", None),
    ],
)
def test_kernel_errors_are_located(k: object, marker: str, message: str, hint: str | None) -> None:
    from locate import where

    with pytest.raises(DslError, match=message) as info:
        _ = k.ir  # type: ignore[attr-defined]
    span = info.value.span
    assert span is not None
    assert (span.line, span.col) == where(k, marker)  # type: ignore[arg-type]
    if hint is not None:
        assert hint in (info.value.hint or "")


def test_count_equal_builds_one_op() -> None:
    @kernel
    def k_count(buf: InOut[Tensor[i32, N]]):
        buf[0] = count_equal(buf[1:N], 1)

    assert len([op for op in k_count.ir.walk() if isinstance(op, CountEqOp)]) == 1


# ------------------------------------------------------------------ property: any aligned layout is packed exactly

_SCALARS = {"i8": ("b", 1), "u8": ("B", 1), "i16": ("h", 2), "u16": ("H", 2), "i32": ("i", 4), "u32": ("I", 4),
            "i64": ("q", 8), "u64": ("Q", 8), "f32": ("f", 4)}


@settings(max_examples=15, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(sorted(_SCALARS)), st.integers(0, 3), st.integers(0, 2)), min_size=1, max_size=8))
def test_random_layouts_are_packed_at_declared_offsets(fields: list[tuple[str, int, int]]) -> None:
    """Fields (dtype, array length or 0 for a scalar, padding before it in units of the element) in order:
    offsets follow a running sum, and values written through the numpy view land where Python's struct puts them."""
    import importlib.util
    import tempfile
    from pathlib import Path

    lines, expect, offset = [], [], 0
    for i, (dt, n, pad) in enumerate(fields):
        size = _SCALARS[dt][1]
        gap = pad * size + (-offset) % size  # reserved bytes that keep the field aligned
        if gap:
            lines.append(f"    r{i}: Reserved[{gap}]\n")
            offset += gap
        lines.append(f"    f{i}: {dt}\n" if n == 0 else f"    f{i}: Array[{dt}, {n}]\n")
        expect.append((f"f{i}", offset, dt, n))
        offset += size * max(n, 1)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "rand_struct.py"
        path.write_text("from __future__ import annotations\nfrom ascdsl import *\n\n"
                        f"@struct(size={offset})\nclass R:\n" + "".join(lines))
        spec = importlib.util.spec_from_file_location("rand_struct", path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules["rand_struct"] = module
        try:
            spec.loader.exec_module(module)
        finally:
            del sys.modules["rand_struct"]
    layout = module.R.layout
    assert layout.size == offset
    assert [(f.name, f.offset) for f in layout.fields if f.kind != "reserved"] == [(n, o) for n, o, _, _ in expect]
    raw = np.zeros(offset, np.int8)
    view = module.R.view(raw)
    for i, (name, _, _, n) in enumerate(expect):
        view[name] = (i + 1) if n == 0 else np.arange(i + 1, i + 1 + n)
    data = raw.tobytes()
    for i, (_, off, dt, n) in enumerate(expect):
        fmt = "<" + _SCALARS[dt][0] * max(n, 1)
        got = pystruct.unpack_from(fmt, data, off)
        assert list(got) == list(range(i + 1, i + 1 + max(n, 1)))

"""Buffer allocation: every strip-mined group gets exactly the UB buffers of its buffer model.

The model, restated here independently of ascdsl.analysis.buffers:
* copy -> one VECIN->VECOUT bound queue (TQueBind), depth 2, holding the copy's element type;
* fill -> one VECOUT queue, depth 2;
* store of a plain load -> one bound queue, depth 2;
* store of a computation -> one VECIN queue (depth 2) per load, one VECOUT queue (depth 2) for the stored
  result, one VECCALC buffer (depth 1) for every intermediate.
The floor that cannot shrink is one 32-byte block per buffer slot; over the budget is a DslError at the
user's line that lists the buffers.
"""

from __future__ import annotations

import dataclasses
import re
from functools import cache

import numpy as np
import pytest
from ascdsl.runtime.binding import bind
from ascdsl.runtime.interpreter.engine import find_kernel, launch, run
from hypothesis import given, settings
from hypothesis import strategies as st
from kernels_for_passes import column_copy, count_visits
from locate import where
from xdsl.dialects.builtin import StringAttr

from ascdsl import Out, Tensor, cast, copy, exp, f16, f32, fill, i8, kernel, load, store
from ascdsl import dtypes as dt
from ascdsl.dialects import ascendc as ac
from ascdsl.dialects import tile_ops as t
from ascdsl.errors import AscdslError, DslError
from ascdsl.ir_text import context
from ascdsl.passes.allocate_buffers import AllocateBuffers, allocate_kernel
from ascdsl.pipeline import lower
from ascdsl.targets import get_target

BUFFER_ATTR = "ascdsl.buffer"
CHUNK_ATTR = "ascdsl.chunk"


@kernel
def copy_only(x: Tensor[f16, N], z: Out[Tensor[f16, N]]):
    copy(z, x)


@kernel
def fill_only(z: Out[Tensor[i8, N]]):
    fill(z, 5)


@kernel
def pass_through(x: Tensor[f32, N], z: Out[Tensor[f32, N]]):
    store(z, load(x))


@kernel
def chain(x: Tensor[f32, N], y: Tensor[f32, N], z: Out[Tensor[f32, N]]):
    store(z, exp(load(x) * 2.0 + load(y)) - 1.0)


@kernel
def widen(x: Tensor[f16, N], z: Out[Tensor[f32, N]]):
    store(z, cast(load(x), f32) * 0.5)


@kernel
def store_and_fill(x: Tensor[f32, N], z: Out[Tensor[f32, N]], w: Out[Tensor[f16, N]]):
    store(z, load(x) + 1.0)
    fill(w, 0.0)


@kernel
def many_loads(x: Tensor[f32, N], z: Out[Tensor[f32, N]]):
    a = load(x) + load(x) + load(x) + load(x) + load(x) + load(x) + load(x) + load(x)
    b = load(x) + load(x) + load(x) + load(x) + load(x) + load(x) + load(x) + load(x)
    c = load(x) + load(x) + load(x) + load(x) + load(x) + load(x) + load(x) + load(x)
    d = load(x) + load(x) + load(x) + load(x) + load(x) + load(x) + load(x) + load(x)
    e = load(x) + load(x) + load(x) + load(x) + load(x) + load(x) + load(x) + load(x)
    f = load(x) + load(x) + load(x) + load(x) + load(x) + load(x) + load(x) + load(x)
    g = load(x) + load(x) + load(x) + load(x) + load(x) + load(x) + load(x) + load(x)
    h = load(x) + load(x) + load(x) + load(x) + load(x) + load(x) + load(x) + load(x)
    store(z, a + b + c + d + e + f + g + h)  # 64 loads (in) and the result (out), whatever VECCALC buffers are shared


@kernel
def wide_and_copy(x: Tensor[f32, N], z: Out[Tensor[f32, N]], w: Out[Tensor[f32, N]]):
    store(z, load(x) + load(x) + load(x) + load(x) + load(x) + load(x) + load(x) + load(x) + load(x) + load(x))
    copy(w, x)


def _target(ub: int | None = None, cores: int = 1, **kw):
    base = get_target("ascend910b")
    return dataclasses.replace(base, aiv_cores=cores, ub_budget=base.ub_budget if ub is None else ub, **kw)


@cache
def _allocated(k):
    return lower(k.ir, "allocated")


def _kernel_op(module) -> t.KernelOp:
    return next(op for op in module.ops if isinstance(op, t.KernelOp))


def _decls(module) -> list[ac.BufferOp]:
    return [op for op in _kernel_op(module).body.walk() if isinstance(op, ac.BufferOp)]


def _desc(decl: ac.BufferOp) -> tuple[str, int, str]:
    d = dt.from_mlir(decl.element)
    return (decl.role.data, decl.depth.data, d.name if d is not None else str(decl.element))


def _tagged(module) -> list:
    return [op for op in _kernel_op(module).body.walk() if BUFFER_ATTR in op.attributes]


def _buffer_of(op) -> str:
    attr = op.attributes[BUFFER_ATTR]
    assert isinstance(attr, StringAttr)
    return attr.data


# ---------------------------------------------------------------- the buffer model per group kind


def test_copy_gets_one_bound_queue_of_depth_two() -> None:
    m = _allocated(copy_only)
    decls = _decls(m)
    assert [_desc(d) for d in decls] == [("bind", 2, "f16")]
    tagged = _tagged(m)
    assert tagged and all(isinstance(op, t.CopyOp) for op in tagged)
    assert {_buffer_of(op) for op in tagged} == {decls[0].sym.data}


def test_fill_gets_one_vecout_queue_of_depth_two() -> None:
    m = _allocated(fill_only)
    decls = _decls(m)
    assert [_desc(d) for d in decls] == [("out", 2, "i8")]
    tagged = _tagged(m)
    assert tagged and all(isinstance(op, t.FillOp) for op in tagged)
    assert {_buffer_of(op) for op in tagged} == {decls[0].sym.data}


def test_store_of_a_plain_load_streams_through_one_bound_queue() -> None:
    m = _allocated(pass_through)
    assert [_desc(d) for d in _decls(m)] == [("bind", 2, "f32")]
    tagged = _tagged(m)
    assert len(tagged) == 1 and isinstance(tagged[0], t.LoadOp)
    # the store itself holds nothing: the load's buffer is the one that goes out
    assert not [op for op in _kernel_op(m).body.walk() if isinstance(op, t.StoreOp) and BUFFER_ATTR in op.attributes]


def test_store_of_a_computation_gets_in_per_load_out_for_result_calc_for_intermediates() -> None:
    m = _allocated(chain)
    decls = {d.sym.data: d for d in _decls(m)}
    by_kind: dict[str, list[tuple[str, int, str]]] = {}
    for op in _tagged(m):
        by_kind.setdefault(type(op).__name__, []).append(_desc(decls[_buffer_of(op)]))
    assert by_kind == {
        "LoadOp": [("in", 2, "f32"), ("in", 2, "f32")],
        "MulOp": [("calc", 1, "f32")],
        "AddOp": [("calc", 1, "f32")],
        "UnaryOp": [("calc", 1, "f32")],
        "SubOp": [("out", 2, "f32")],  # the stored result
    }
    # exp(...) reads the add, which read the mul: the mul's tile is dead, so exp takes its VECCALC buffer
    ops = {type(op).__name__: _buffer_of(op) for op in _tagged(m)}
    assert ops["UnaryOp"] == ops["MulOp"] != ops["AddOp"]
    assert len(decls) == 5


def test_buffer_elements_follow_each_op_result_type() -> None:
    m = _allocated(widen)
    decls = {d.sym.data: d for d in _decls(m)}
    got = {type(op).__name__: _desc(decls[_buffer_of(op)]) for op in _tagged(m)}
    assert got == {"LoadOp": ("in", 2, "f16"), "CastOp": ("calc", 1, "f32"), "MulOp": ("out", 2, "f32")}


@pytest.mark.parametrize("k", [copy_only, fill_only, pass_through, chain, widen, store_and_fill], ids=lambda k: k.name)
def test_declarations_sit_at_the_top_with_unique_names_and_their_group_chunk_field(k) -> None:
    m = _allocated(k)
    kop = _kernel_op(m)
    decls = _decls(m)
    top = list(kop.body.block.ops)[: len(decls)]
    assert top == decls, "buffers are declared first, once per kernel"
    names = [d.sym.data for d in decls]
    assert len(set(names)) == len(names)
    decl_by_name = {d.sym.data: d for d in decls}
    for op in _tagged(m):
        chunk = op.attributes[CHUNK_ATTR]
        assert isinstance(chunk, StringAttr)
        assert decl_by_name[_buffer_of(op)].count_field.data == chunk.data
    # every declared buffer is used by some op, and every tagged op names a declared buffer
    assert {_buffer_of(op) for op in _tagged(m)} == set(names)


def test_two_groups_each_get_their_own_buffers_and_chunk_fields() -> None:
    m = _allocated(store_and_fill)
    decls = _decls(m)
    assert sorted(_desc(d) for d in decls) == [("in", 2, "f32"), ("out", 2, "f16"), ("out", 2, "f32")]
    fields = {d.count_field.data for d in decls}
    assert len(fields) == 2
    (fill_decl,) = [d for d in decls if _desc(d) == ("out", 2, "f16")]
    assert {d.count_field.data for d in decls if d is not fill_decl}.isdisjoint({fill_decl.count_field.data})


def test_strided_copy_variants_of_one_group_share_its_buffer() -> None:
    m = _allocated(column_copy)
    decls = _decls(m)
    copies = [op for op in _kernel_op(m).body.walk() if isinstance(op, t.CopyOp)]
    assert len(copies) >= 1
    assert [_desc(d) for d in decls] == [("bind", 2, "f32")]
    assert {_buffer_of(op) for op in copies} == {decls[0].sym.data}


def test_a_kernel_without_groups_declares_no_buffer() -> None:
    m = _allocated(count_visits)
    assert _decls(m) == []
    assert _tagged(m) == []


def test_the_soc_option_picks_the_target_and_an_unknown_soc_fails() -> None:
    m = lower(chain.ir, "tiled")
    AllocateBuffers(soc="ascend910_93").apply(context(), m)
    assert [_desc(d) for d in _decls(m)] == [_desc(d) for d in _decls(_allocated(chain))]
    with pytest.raises(AscdslError, match="unknown SoC 'ascend000'"):
        AllocateBuffers(soc="ascend000").apply(context(), lower(chain.ir, "tiled"))


# ---------------------------------------------------------------- the floor and its error


CHAIN_SLOTS = 2 + 1 + 2 + 1 + 2  # in, calc, in, calc, out (exp reuses the mul's VECCALC buffer)


def test_floor_exactly_at_the_budget_is_accepted() -> None:
    kop = find_kernel(lower(chain.ir, "tiled"))
    decls = allocate_kernel(kop, _target(ub=CHAIN_SLOTS * 32))
    assert sum(d.depth.data for d in decls) == CHAIN_SLOTS


def test_floor_over_a_tiny_budget_is_an_error_at_the_users_line_listing_the_buffers() -> None:
    kop = find_kernel(lower(chain.ir, "tiled"))
    budget = CHAIN_SLOTS * 32 - 1
    with pytest.raises(DslError) as info:
        allocate_kernel(kop, _target(ub=budget))
    err = info.value
    assert f"at least {CHAIN_SLOTS * 32} bytes" in err.message
    assert f"{budget}-byte budget" in err.message
    for role, depth, n in (("in", 2, 2), ("calc", 1, 2), ("out", 2, 1)):
        assert err.message.count(f"({role}, depth {depth},") == n, err.message
    assert re.findall(r"\bbuf\d+\b", err.message) == [f"buf{i}" for i in range(5)]
    line, _ = where(chain, "store(")
    assert err.span is not None and err.span.file == chain.filename and err.span.line == line
    assert str(err).startswith(f"{chain.filename}:{line}:")
    # nothing was inserted into the kernel when it failed
    assert not [op for op in kop.body.walk() if isinstance(op, ac.BufferOp)]


def test_the_floor_uses_the_targets_block_size() -> None:
    kop = find_kernel(lower(chain.ir, "tiled"))
    with pytest.raises(DslError, match=f"at least {CHAIN_SLOTS * 64} bytes"):
        allocate_kernel(kop, _target(ub=CHAIN_SLOTS * 64 - 1, block_bytes=64))


def test_more_buffers_than_a_tpipe_holds_is_a_located_error() -> None:
    kop = find_kernel(lower(many_loads.ir, "tiled"))
    with pytest.raises(DslError) as info:
        allocate_kernel(kop, _target())
    err = info.value
    found = re.search(r"needs (\d+) UB buffers, more than the 64", err.message)
    assert found and int(found.group(1)) >= 65, err.message
    line, _ = where(many_loads, "store(")
    # located at the user's line of the 65th buffer (a load of the last lines)
    assert err.span is not None and line - 8 <= err.span.line <= line and err.span.file == many_loads.filename


# ---------------------------------------------------------------- the allocation runs within the budget


@settings(deadline=None)
@given(n=st.integers(1, 700), ub=st.integers(CHAIN_SLOTS * 32, 6000), cores=st.integers(1, 3))
def test_a_single_group_fits_any_budget_at_or_above_its_floor(n: int, ub: int, cores: int) -> None:
    rng = np.random.default_rng(n * 7 + ub)
    x = rng.standard_normal(n).astype(np.float32)
    y = rng.standard_normal(n).astype(np.float32)
    z = np.zeros(n, np.float32)
    module = _lowered_chain()
    k = find_kernel(module)
    bound = bind(k, {"x": x, "y": y, "z": z})
    env = launch(k, bound, target=_target(ub=ub, cores=cores))
    bound.commit()
    expected = np.exp(x * np.float32(2.0) + y) - np.float32(1.0)
    np.testing.assert_array_equal(z, expected)
    assert env.counters and max(c.ub_bytes for c in env.counters) <= ub


@cache
def _lowered_chain():
    return lower(chain.ir, "ascendc")


def test_a_budget_the_allocator_accepts_is_one_the_kernel_runs_in() -> None:
    target = _target(ub=1024)
    module = lower(wide_and_copy.ir, "tiled")
    allocate_kernel(find_kernel(module), target)  # accepted: the floor is 32 slots x 32 B = 1024 B
    x = np.arange(100, dtype=np.float32)
    z = np.zeros_like(x)
    w = np.zeros_like(x)
    run(module, {"x": x, "z": z, "w": w}, target=target)
    np.testing.assert_array_equal(z, x * np.float32(10))
    np.testing.assert_array_equal(w, x)

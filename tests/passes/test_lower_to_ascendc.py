"""Lowering to the ascendc dialect: queue traffic, DMA forms, scalar GM access, and located refusals.

After the pass the kernel holds no tile data op (only tiling_field / block_idx / block_num / return); each
1-D load or store is a DataCopy under an "whole 32-byte blocks" test with DataCopyPad in the other branch;
every queue buffer sees AllocTensor, EnQue, DeQue, FreeTensor in that order; scalar GM reads are GetValue;
what the A2 vector unit cannot do is a DslError at the user's statement.
"""

from __future__ import annotations

import dataclasses
from functools import cache

import numpy as np
import pytest
from ascdsl.ops.gather_pa_kv_cache import gather_pa_kv_cache_norm
from ascdsl.runtime.binding import bind
from ascdsl.runtime.interpreter.engine import find_kernel, launch
from hypothesis import given, settings
from hypothesis import strategies as st
from kernels_for_passes import column_copy, count_visits
from locate import where as locate_text
from xdsl.dialects import arith, scf

from ascdsl import (
    Out,
    Tensor,
    cast,
    copy,
    exp,
    f16,
    f32,
    fill,
    i8,
    i32,
    kernel,
    load,
    parallel,
    reduce_max,
    reduce_sum,
    require,
    store,
    where,
)
from ascdsl.dialects import ascendc as ac
from ascdsl.dialects import host
from ascdsl.dialects import tile_ops as t
from ascdsl.errors import DslError
from ascdsl.pipeline import lower
from ascdsl.targets import get_target


@kernel
def add2(x: Tensor[T, N], y: Tensor[T, N], z: Out[Tensor[T, N]]):
    require(T in (f16, f32, i32), code=161002, msg="x, y and z must be FLOAT16, FLOAT or INT32")
    store(z, load(x) + load(y))


@kernel
def chain(x: Tensor[f32, N], y: Tensor[f32, N], z: Out[Tensor[f32, N]]):
    store(z, exp(load(x) * 2.0 + load(y)) - 1.0)


@kernel
def copy_and_fill(x: Tensor[f16, N], z: Out[Tensor[f16, N]], w: Out[Tensor[i8, N]]):
    copy(z, x)
    fill(w, -3)


@kernel
def prefix(lens: Tensor[i32, B], out: Out[Tensor[i32, B]]):
    for b in parallel(B):
        out[b] = reduce_sum(load(lens[0:b])) + lens[b]


@kernel
def add_i8(x: Tensor[i8, N], y: Tensor[i8, N], z: Out[Tensor[i8, N]]):
    store(z, load(x) + load(y))


@kernel
def add_f16_or_i8(x: Tensor[T, N], y: Tensor[T, N], z: Out[Tensor[T, N]]):
    require(T in (f16, i8), code=161002, msg="x must be FLOAT16 or INT8")
    store(z, load(x) + load(y))


@kernel
def narrow(x: Tensor[f32, N], z: Out[Tensor[i8, N]]):
    store(z, cast(load(x), i8, round="rint"))


@kernel
def pick(x: Tensor[f32, N], y: Tensor[f32, N], z: Out[Tensor[f32, N]]):
    store(z, where(load(x) > load(y), load(x), load(y)))


@kernel
def float_column_total(x: Tensor[f32, N, C], z: Out[Tensor[f32, 1]]):
    z[0] = reduce_sum(load(x[:, 0]))  # a strided column: float reductions are strip-mined over contiguous runs only


@kernel
def running_max(lens: Tensor[i32, B], out: Out[Tensor[i32, B]]):
    for b in parallel(B):
        out[b] = reduce_max(load(lens[0 : b + 1]))


@kernel
def row_broadcast(x: Tensor[f32, R, C], b: Tensor[f32, C], z: Out[Tensor[f32, R, C]]):
    store(z, load(x) + load(b)[None, :])


@kernel
def square(x: Tensor[f32, N], z: Out[Tensor[f32, N]]):
    a = load(x)
    store(z, a * a)


LOWERED = [add2, chain, copy_and_fill, prefix, count_visits, column_copy, gather_pa_kv_cache_norm]
ALLOWED_TILE_OPS = {"tile.tiling_field", "tile.block_idx", "tile.block_num", "tile.return"}
QUEUE_CYCLE = ("alloc", "enque", "deque", "free")


@cache
def _ascendc(k):
    return lower(k.ir, "ascendc")


def _kernel_op(module) -> t.KernelOp:
    return next(op for op in module.ops if isinstance(op, t.KernelOp))


def _ops(module, cls) -> list:
    return [op for op in _kernel_op(module).body.walk() if isinstance(op, cls)]


def _arg_name(kop: t.KernelOp, value) -> str:
    return kop.names[kop.body.block.args.index(value)]


def _target(cores: int = 1, ub: int | None = None):
    base = get_target("ascend910b")
    return dataclasses.replace(base, aiv_cores=cores, ub_budget=base.ub_budget if ub is None else ub)


def _launch(module, args, target):
    k = find_kernel(module)
    bound = bind(k, args)
    env = launch(k, bound, target=target)
    bound.commit()
    return env


# ---------------------------------------------------------------- what is left after lowering


@pytest.mark.parametrize("k", LOWERED, ids=lambda k: k.name)
def test_no_tile_data_op_remains_in_the_kernel(k) -> None:
    kop = _kernel_op(_ascendc(k))
    left = {op.name for op in kop.body.walk() if op.dialect_name() == "tile"}
    assert left <= ALLOWED_TILE_OPS, left - ALLOWED_TILE_OPS


@pytest.mark.parametrize("k", LOWERED, ids=lambda k: k.name)
def test_every_tiling_field_the_kernel_reads_is_set_by_the_host(k) -> None:
    m = _ascendc(k)
    read = {op.field.data for op in _ops(m, t.TilingFieldOp)}
    func = next(op for op in m.ops if isinstance(op, host.TilingFuncOp))
    written = {op.field.data for op in func.body.walk() if isinstance(op, host.SetFieldOp)}
    assert read <= written, read - written
    # SetGlobalBuffer needs the element count of every GM tensor the device touches
    kop = _kernel_op(m)
    for arg, name, role in zip(kop.body.block.args, kop.names, kop.roles, strict=True):
        if role in ("in", "out", "inout") and arg.uses:
            assert f"{name}_numel" in written


# ---------------------------------------------------------------- DMA forms


def _branch_pairs(module) -> list[tuple[type, type]]:
    pairs = []
    for op in _ops(module, scf.IfOp):
        then_ops = [o for o in op.true_region.block.ops if not isinstance(o, scf.YieldOp)]
        else_ops = [o for o in op.false_region.block.ops if not isinstance(o, scf.YieldOp)]
        if len(then_ops) == 1 and isinstance(then_ops[0], ac.DataCopyInOp | ac.DataCopyOutOp):
            (pad,) = else_ops
            assert list(pad.operands) == list(then_ops[0].operands), "the two branches move the same elements"
            pairs.append((type(then_ops[0]), type(pad)))
            cond = op.cond.owner
            assert isinstance(cond, arith.CmpiOp) and cond.predicate.value.data == 0  # eq
            zero = [v.owner for v in cond.operands if isinstance(v.owner, arith.ConstantOp)]
            assert zero and zero[0].value.value.data == 0, "the test is: bytes mod 32 == 0"
    return pairs


@pytest.mark.parametrize("k", [add2, chain, copy_and_fill], ids=lambda k: k.name)
def test_1d_loads_and_stores_are_data_copy_when_whole_blocks_and_data_copy_pad_otherwise(k) -> None:
    m = _ascendc(k)
    pairs = _branch_pairs(m)
    n_in, n_out = len(_ops(m, ac.DataCopyInOp)), len(_ops(m, ac.DataCopyOutOp))
    assert sorted(pairs, key=str) == sorted(
        [(ac.DataCopyInOp, ac.DataCopyPadInOp)] * n_in + [(ac.DataCopyOutOp, ac.DataCopyPadOutOp)] * n_out, key=str
    )
    assert len(_ops(m, ac.DataCopyPadInOp)) == n_in and len(_ops(m, ac.DataCopyPadOutOp)) == n_out
    expected_in = {"add2": 2, "chain": 2, "copy_and_fill": 1}[k.name]
    expected_out = {"add2": 1, "chain": 1, "copy_and_fill": 2}[k.name]
    assert (n_in, n_out) == (expected_in, expected_out)


@pytest.mark.parametrize(
    ("n", "dtype"), [(37, np.float16), (48, np.float16), (7, np.float32), (8, np.float32), (1, np.int32)]
)
def test_a_tail_moves_exactly_its_bytes_and_a_whole_chunk_whole_blocks(n: int, dtype: type) -> None:
    rng = np.random.default_rng(n)
    x = rng.integers(-100, 100, n).astype(dtype)
    y = rng.integers(-100, 100, n).astype(dtype)
    z = np.zeros(n, dtype)
    env = _launch(_ascendc(add2), {"x": x, "y": y, "z": z}, _target(cores=1))
    np.testing.assert_array_equal(z, (x + y).astype(dtype))
    nbytes = n * np.dtype(dtype).itemsize
    assert env.counters[0].dma_sizes == [nbytes] * 3  # x in, y in, z out: one transfer each, nothing rounded away


# ---------------------------------------------------------------- queue discipline


def _queue_events(module) -> dict[str, list[tuple[str, object]]]:
    kinds = {
        ac.AllocTensorOp: "alloc",
        ac.EnQueOp: "enque",
        ac.DeQueOp: "deque",
        ac.FreeTensorOp: "free",
        ac.GetBufOp: "get",
    }
    events: dict[str, list[tuple[str, object]]] = {}
    for op in _kernel_op(module).body.walk():
        kind = kinds.get(type(op))
        if kind is not None:
            events.setdefault(op.buffer.data, []).append((kind, op))
    return events


def _check_balanced(module) -> None:
    roles = {d.sym.data: d.role.data for d in _ops(module, ac.BufferOp)}
    events = _queue_events(module)
    assert set(events) <= set(roles)
    for buf, seq in events.items():
        kinds = [k for k, _ in seq]
        if roles[buf] == "calc":
            assert set(kinds) == {"get"}, (buf, kinds)
            continue
        assert len(kinds) % 4 == 0 and all(kinds[i : i + 4] == list(QUEUE_CYCLE) for i in range(0, len(kinds), 4)), (
            buf,
            kinds,
        )
        for i in range(0, len(seq), 4):
            alloc, enque, deque, free = (op for _, op in seq[i : i + 4])
            assert enque.tensor is alloc.result, "EnQue takes what AllocTensor gave"
            assert free.tensor is deque.result, "FreeTensor releases what DeQue gave"


@pytest.mark.parametrize("k", [add2, chain, copy_and_fill, column_copy, gather_pa_kv_cache_norm], ids=lambda k: k.name)
def test_enque_deque_free_balance_per_buffer(k) -> None:
    m = _ascendc(k)
    _check_balanced(m)
    assert _queue_events(m), "the kernel moves data through queues"


def test_inputs_are_freed_after_their_last_vector_use() -> None:
    m = _ascendc(chain)
    roles = {d.sym.data: d.role.data for d in _ops(m, ac.BufferOp)}
    body = list(next(op for op in _ops(m, scf.ForOp) if _queue_events_in(op)).body.block.ops)
    for free in [op for op in body if isinstance(op, ac.FreeTensorOp) and roles[op.buffer.data] == "in"]:
        readers = [i for i, op in enumerate(body) if free.tensor in op.operands and not isinstance(op, ac.FreeTensorOp)]
        assert readers and body.index(free) > max(readers)


def _queue_events_in(op) -> bool:
    return any(isinstance(o, ac.AllocTensorOp) for o in op.walk())


def test_a_tile_used_twice_by_one_op_is_freed_once() -> None:
    m = lower(square.ir, "ascendc")
    _check_balanced(m)
    x = np.arange(40, dtype=np.float32)
    z = np.zeros_like(x)
    _launch(m, {"x": x, "z": z}, _target(cores=2))
    np.testing.assert_array_equal(z, x * x)


# ---------------------------------------------------------------- scalar GM access


def test_scalar_gm_reads_and_writes_become_get_value_and_set_value() -> None:
    m = _ascendc(count_visits)
    kop = _kernel_op(m)
    assert not _ops(m, t.ReadOp) and not _ops(m, t.WriteOp)
    assert [_arg_name(kop, op.gm) for op in _ops(m, ac.GetValueOp)] == ["hits"]
    assert [_arg_name(kop, op.gm) for op in _ops(m, ac.SetValueOp)] == ["hits"]
    hits = np.arange(7, dtype=np.int32)
    _launch(m, {"n_items": np.zeros(7, np.int32), "hits": hits, "scale": 3}, _target(cores=3))
    assert hits.tolist() == [3, 4, 5, 6, 7, 8, 9]


def test_gather_reads_its_index_tensors_through_get_value_only() -> None:
    m = _ascendc(gather_pa_kv_cache_norm)
    kop = _kernel_op(m)
    assert {_arg_name(kop, op.gm) for op in _ops(m, ac.GetValueOp)} == {"seq_lens", "block_tables", "seq_offset"}
    assert not _ops(m, ac.SetValueOp)


def test_int_reduce_sum_of_a_load_becomes_a_get_value_loop() -> None:
    m = _ascendc(prefix)
    kop = _kernel_op(m)
    assert not _ops(m, t.ReduceOp) and not _ops(m, t.LoadOp)
    loops = [op for op in _ops(m, scf.ForOp) if len(op.iter_args) == 1]
    assert len(loops) == 1
    (loop,) = loops
    gets = [op for op in loop.body.walk() if isinstance(op, ac.GetValueOp)]
    assert [_arg_name(kop, op.gm) for op in gets] == ["lens"]
    yielded = loop.body.block.last_op
    assert isinstance(yielded, scf.YieldOp)
    acc = yielded.operands[0].owner
    assert isinstance(acc, arith.AddiOp)
    assert set(acc.operands) == {loop.body.block.args[1], gets[0].result}


@settings(deadline=None)
@given(lens=st.lists(st.integers(-1000, 1000), min_size=1, max_size=40), cores=st.integers(1, 5))
def test_the_get_value_loop_computes_prefix_sums(lens: list[int], cores: int) -> None:
    a = np.array(lens, np.int32)
    out = np.full(len(lens), -1, np.int32)
    _launch(_ascendc(prefix), {"lens": a, "out": out}, _target(cores=cores))
    expected = [sum(lens[:b]) + lens[b] for b in range(len(lens))]
    assert out.tolist() == expected


# ---------------------------------------------------------------- refusals, at the user's statement


@pytest.mark.parametrize(
    ("k", "message", "anchor"),
    [
        (add_i8, r"Add on i8 is not supported by the Atlas A2 vector unit", "store("),
        (add_f16_or_i8, r"error: Add on i8 is not supported", "store("),
        (narrow, r"no direct Cast from f32 to i8", "store("),
        (pick, r"tile\.cmp is not supported by the Ascend C backend", "store("),
        (float_column_total, r"reduce_sum of this tile is not supported", "reduce_sum("),
        (running_max, r"reduce_max of this tile is not supported", "reduce_max("),
        (row_broadcast, r"cannot strip-mine", "store("),
    ],
    ids=lambda v: v.name if hasattr(v, "name") else None,
)
def test_unsupported_constructs_are_located_errors(k, message: str, anchor: str) -> None:
    lower(k.ir, "allocated")  # the earlier passes accept the kernel: the refusal is this pass's
    with pytest.raises(DslError, match=message) as info:
        lower(k.ir, "ascendc")
    err = info.value
    line, _ = locate_text(k, anchor)
    assert err.span is not None
    assert (err.span.file, err.span.line) == (k.filename, line)
    assert str(err).startswith(f"{k.filename}:{line}:")
    assert err.hint, "a refusal says what to do instead"


def test_the_dtype_check_covers_every_dtype_a_variable_may_take() -> None:
    with pytest.raises(DslError) as info:
        lower(add_f16_or_i8.ir, "ascendc")
    assert "f16" not in info.value.message.split("supported")[0]

"""The interpreter at the ascendc stage enforces the rules the device enforces (or silently breaks on).

Each test takes a correctly lowered kernel, breaks one rule by editing its IR (drop a FreeTensor, allocate
past a queue's depth, DeQue an empty queue, DataCopy an unaligned tail, ...) and checks the failure: a
DeviceRuntimeError naming the buffer and the rule, at the user's line, with no output written; or, for
DataCopy, the hardware's behaviour (only whole 32-byte blocks move).
"""

from __future__ import annotations

import dataclasses
from functools import cache

import numpy as np
import pytest
from ascdsl.runtime.binding import bind
from ascdsl.runtime.interpreter.engine import find_kernel, launch, run
from hypothesis import given, settings
from hypothesis import strategies as st
from locate import where as locate_text
from xdsl.dialects import arith
from xdsl.dialects.builtin import IndexType, IntegerAttr, StringAttr

from ascdsl import Out, Tensor, copy, f16, f32, i32, kernel, load, parallel, reduce_sum, require, store
from ascdsl.dialects import ascendc as ac
from ascdsl.dialects import host
from ascdsl.dialects import tile_ops as t
from ascdsl.errors import DeviceRuntimeError
from ascdsl.pipeline import lower
from ascdsl.targets import get_target


@kernel
def add2(x: Tensor[T, N], y: Tensor[T, N], z: Out[Tensor[T, N]]):
    require(T in (f16, f32, i32), code=161002, msg="x, y and z must be FLOAT16, FLOAT or INT32")
    store(z, load(x) + load(y))


@kernel
def add_half(x: Tensor[f16, N], z: Out[Tensor[f16, N]]):
    store(z, load(x) + 0.1)


@kernel
def mirror(x: Tensor[f32, N], z: Out[Tensor[f32, N]]):
    copy(z, x)


@kernel
def prefix(lens: Tensor[i32, B], out: Out[Tensor[i32, B]]):
    for b in parallel(B):
        out[b] = reduce_sum(load(lens[0:b])) + lens[b]


@cache
def _lowered(k):
    return lower(k.ir, "ascendc")


def _fresh(k=add2):
    """A private copy of the kernel's ascendc stage, to edit."""
    return _lowered(k).clone()


def _target(cores: int = 1, ub: int | None = None):
    base = get_target("ascend910b")
    return dataclasses.replace(base, aiv_cores=cores, ub_budget=base.ub_budget if ub is None else ub)


def _kernel_ops(module, cls, buffer: str | None = None) -> list:
    kop = find_kernel(module)
    return [op for op in kop.body.walk() if isinstance(op, cls) and (buffer is None or op.buffer.data == buffer)]


def _buffer(module, role: str, nth: int = 0) -> str:
    return [op.sym.data for op in _kernel_ops(module, ac.BufferOp) if op.role.data == role][nth]


def _erase(op) -> None:
    op.detach()
    op.erase()


def _insert_after(anchor, op) -> None:
    op.location = anchor.location
    anchor.parent_block().insert_op_after(op, anchor)


def _insert_before(anchor, op) -> None:
    op.location = anchor.location
    anchor.parent_block().insert_op_before(op, anchor)


def _index_const(anchor, value: int):
    c = arith.ConstantOp(IntegerAttr(value, IndexType()))
    _insert_before(anchor, c)
    return c.result


def _add_args(n: int, dtype=np.float16, seed: int = 0):
    rng = np.random.default_rng(seed)
    x = rng.integers(1, 50, n).astype(dtype)
    y = rng.integers(1, 50, n).astype(dtype)
    return {"x": x, "y": y, "z": np.full(n, -7, dtype)}


def _launch(module, args, target):
    k = find_kernel(module)
    bound = bind(k, args)
    env = launch(k, bound, target=target)
    bound.commit()
    return env


STORE_LINE = locate_text(add2, "store(")[0]


def _at_store_line(err: DeviceRuntimeError) -> None:
    assert err.span is not None and (err.span.file, err.span.line) == (add2.filename, STORE_LINE)


# ---------------------------------------------------------------- the unbroken kernel


def test_the_lowered_kernel_runs_releases_its_buffers_and_counts_its_traffic() -> None:
    args = _add_args(37)
    env = _launch(_fresh(), args, _target(cores=1))
    np.testing.assert_array_equal(args["z"], args["x"] + args["y"])
    (c,) = env.counters
    assert (c.gm_read_bytes, c.gm_write_bytes, c.vector_ops) == (2 * 74, 74, 1)
    chunk = env.fields["chunk0"]
    assert c.ub_bytes == 3 * 2 * (-(-chunk * 2 // 32) * 32)


# ---------------------------------------------------------------- queue discipline


def test_a_missing_free_tensor_exhausts_the_queue_at_the_third_chunk() -> None:
    m = _fresh()
    out = _buffer(m, "out")
    (free,) = _kernel_ops(m, ac.FreeTensorOp, out)
    _erase(free)
    args = _add_args(200, np.float32)
    with pytest.raises(
        DeviceRuntimeError, match=rf"AllocTensor on {out}: all 2 buffers are in use \(FreeTensor missing\?\)"
    ) as info:
        run(m, args, target=_target(cores=1, ub=1024))  # 40-element chunks: 5 per core
    _at_store_line(info.value)
    assert (args["z"] == -7).all(), "a failed run writes nothing back"


def test_a_missing_free_tensor_in_a_single_chunk_is_caught_when_the_core_ends() -> None:
    m = _fresh()
    out = _buffer(m, "out")
    _erase(_kernel_ops(m, ac.FreeTensorOp, out)[0])
    with pytest.raises(DeviceRuntimeError, match=rf"the kernel ended with a tensor of {out} still allocated or queued"):
        run(m, _add_args(5), target=_target(cores=1))


def test_allocating_past_the_queue_depth_fails() -> None:
    m = _fresh()
    inp = _buffer(m, "in")
    (alloc,) = _kernel_ops(m, ac.AllocTensorOp, inp)
    for _ in range(2):
        _insert_before(alloc, ac.AllocTensorOp(inp, alloc.result.type.element))
    with pytest.raises(DeviceRuntimeError, match=rf"AllocTensor on {inp}: all 2 buffers are in use") as info:
        run(m, _add_args(5), target=_target(cores=1))
    _at_store_line(info.value)


def test_dequeue_of_an_empty_queue_fails() -> None:
    m = _fresh()
    inp = _buffer(m, "in")
    (deque,) = _kernel_ops(m, ac.DeQueOp, inp)
    _insert_after(deque, ac.DeQueOp(inp, deque.result.type.element))
    with pytest.raises(DeviceRuntimeError, match=rf"DeQue on {inp}: the queue is empty") as info:
        run(m, _add_args(5), target=_target(cores=1))
    _at_store_line(info.value)


def test_enqueue_into_another_buffers_queue_fails() -> None:
    m = _fresh()
    first, second = _buffer(m, "in", 0), _buffer(m, "in", 1)
    (enque,) = _kernel_ops(m, ac.EnQueOp, first)
    enque.properties["buffer"] = StringAttr(second)
    with pytest.raises(DeviceRuntimeError, match=rf"EnQue on {second} of a tensor it did not allocate"):
        run(m, _add_args(5), target=_target(cores=1))


def test_freeing_a_tensor_twice_fails() -> None:
    m = _fresh()
    out = _buffer(m, "out")
    (free,) = _kernel_ops(m, ac.FreeTensorOp, out)
    _insert_after(free, ac.FreeTensorOp(out, free.tensor))
    args = _add_args(5)
    with pytest.raises(DeviceRuntimeError, match=rf"FreeTensor on {out} of a tensor it does not hold") as info:
        run(m, args, target=_target(cores=1))
    _at_store_line(info.value)
    assert str(info.value).startswith(f"{add2.filename}:{STORE_LINE}:")
    assert (args["z"] == -7).all()


def test_freeing_a_tensor_that_was_enqueued_but_not_dequeued_fails() -> None:
    m = _fresh(mirror)
    bind_buf = _buffer(m, "bind")
    (enque,) = _kernel_ops(m, ac.EnQueOp, bind_buf)
    _insert_after(enque, ac.FreeTensorOp(bind_buf, enque.tensor))
    with pytest.raises(DeviceRuntimeError, match=rf"FreeTensor on {bind_buf} of a tensor it does not hold"):
        run(m, {"x": np.ones(8, np.float32), "z": np.zeros(8, np.float32)}, target=_target(cores=1))


# ---------------------------------------------------------------- DMA


def _replace(op, cls):
    new = cls(*op.operands)
    _insert_before(op, new)
    _erase(op)


@settings(deadline=None)
@given(n=st.integers(1, 300), dtype=st.sampled_from([np.float16, np.float32, np.int32]))
def test_data_copy_out_of_an_unaligned_tail_writes_only_whole_blocks(n: int, dtype: type) -> None:
    m = _fresh()
    (pad,) = _kernel_ops(m, ac.DataCopyPadOutOp)
    _replace(pad, ac.DataCopyOutOp)
    args = _add_args(n, dtype, seed=n)
    _launch(m, args, _target(cores=1))  # one core, one chunk: the whole tensor is one transfer
    itemsize = np.dtype(dtype).itemsize
    whole = (n * itemsize // 32) * 32 // itemsize
    np.testing.assert_array_equal(args["z"][:whole], (args["x"] + args["y"])[:whole])
    assert (args["z"][whole:] == -7).all(), "DataCopy rounds the bytes down to whole 32-byte blocks, like the hardware"


def test_data_copy_in_of_an_unaligned_tail_never_brings_the_tail_into_ub() -> None:
    m = _fresh()
    x_pad = next(op for op in _kernel_ops(m, ac.DataCopyPadInOp) if find_kernel(m).names[op.gm.index] == "x")
    _replace(x_pad, ac.DataCopyInOp)
    args = _add_args(37)  # 74 bytes of f16: two whole blocks (32 elements) and a 5-element tail
    _launch(m, args, _target(cores=1))
    expected = args["x"] + args["y"]
    np.testing.assert_array_equal(args["z"][:32], expected[:32])
    assert (args["z"][32:] != expected[32:]).all()


def test_the_pad_branch_is_what_copies_the_tail() -> None:
    args = _add_args(37)
    _launch(_fresh(), args, _target(cores=1))
    np.testing.assert_array_equal(args["z"], args["x"] + args["y"])


def test_a_copy_outside_its_gm_tensor_fails() -> None:
    m = _fresh()
    pad = next(op for op in _kernel_ops(m, ac.DataCopyPadInOp) if find_kernel(m).names[op.gm.index] == "x")
    pad.operands = [pad.operands[0], _index_const(pad, 1000), *pad.operands[2:]]
    with pytest.raises(
        DeviceRuntimeError, match=r"data_copy_pad_in: elements \[1000, 1037\) are outside x \(37 elements\)"
    ) as info:
        run(m, _add_args(37), target=_target(cores=1))
    _at_store_line(info.value)


def test_a_copy_larger_than_its_local_tensor_fails() -> None:
    m = _fresh()
    (pad,) = _kernel_ops(m, ac.DataCopyPadOutOp)
    pad.operands = [*pad.operands[:3], _index_const(pad, 10**6)]
    with pytest.raises(DeviceRuntimeError, match=r"data_copy_pad_out: 1000000 elements do not fit buf\d+"):
        run(m, _add_args(37), target=_target(cores=1))


def test_a_scalar_read_outside_its_gm_tensor_fails() -> None:
    m = _fresh(prefix)
    get = _kernel_ops(m, ac.GetValueOp)[-1]
    get.operands = [get.operands[0], _index_const(get, 99)]
    with pytest.raises(DeviceRuntimeError, match=r"GetValue: elements \[99, 100\) are outside lens \(4 elements\)"):
        run(m, {"lens": np.arange(4, dtype=np.int32), "out": np.zeros(4, np.int32)}, target=_target(cores=2))


# ---------------------------------------------------------------- UB, tiling data, launch


def test_init_buffer_past_the_ub_budget_fails_naming_the_buffer() -> None:
    m = _fresh()
    second = [op.sym.data for op in _kernel_ops(m, ac.BufferOp)][1]
    # f16 chunks are at least 16 elements (one block): each double-buffered queue takes 2 x 32 bytes
    with pytest.raises(
        DeviceRuntimeError, match=rf"InitBuffer of {second} \(2 x 32 B\) exceeds the UB budget: 128 > 100 bytes"
    ):
        run(m, _add_args(5), target=_target(cores=1, ub=100))


def _drop_field(module, name: str) -> None:
    func = next(op for op in module.ops if isinstance(op, host.TilingFuncOp))
    (setter,) = [op for op in func.body.walk() if isinstance(op, host.SetFieldOp) and op.field.data == name]
    _erase(setter)


def test_a_tiling_field_the_host_never_set_fails() -> None:
    m = _fresh()
    _drop_field(m, "z_dim0")
    with pytest.raises(DeviceRuntimeError, match=r"the tiling data has no field 'z_dim0'") as info:
        run(m, _add_args(5), target=_target(cores=1))
    assert info.value.span is not None


def test_a_buffer_size_field_the_host_never_set_fails_with_the_tiling_data_message() -> None:
    m = _fresh()
    _drop_field(m, "chunk0")
    with pytest.raises(DeviceRuntimeError, match=r"the tiling data has no field 'chunk0'"):
        run(m, _add_args(5), target=_target(cores=1))


def test_a_block_dim_beyond_the_core_count_fails() -> None:
    m = _fresh()
    func = next(op for op in m.ops if isinstance(op, host.TilingFuncOp))
    (setter,) = [op for op in func.body.walk() if isinstance(op, host.SetBlockDimOp)]
    setter.operands = [_index_const(setter, 9)]
    with pytest.raises(DeviceRuntimeError, match=r"block dim 9 is outside \[1, 4\] \(the AIV core count\)"):
        run(m, _add_args(5), target=_target(cores=4))


def test_vector_scalars_are_converted_to_the_element_type_first() -> None:
    x = np.linspace(-4, 4, 301).astype(np.float16)
    z = np.zeros_like(x)
    _launch(_fresh(add_half), {"x": x, "z": z}, _target(cores=2))
    np.testing.assert_array_equal(z, x + np.float16(0.1))
    via_f32 = (x.astype(np.float32) + np.float32(0.1)).astype(np.float16)
    assert (via_f32 != z).any(), "the check above distinguishes Adds(f16) from an f32 add"


def test_a_hand_built_kernel_dequeue_before_enqueue_fails() -> None:
    m = _fresh(mirror)
    bind_buf = _buffer(m, "bind")
    (enque,) = _kernel_ops(m, ac.EnQueOp, bind_buf)
    (deque,) = _kernel_ops(m, ac.DeQueOp, bind_buf)
    deque.detach()
    _insert_before(enque, deque)  # DeQue moved before its EnQue
    with pytest.raises(DeviceRuntimeError, match=rf"DeQue on {bind_buf}: the queue is empty"):
        run(m, {"x": np.ones(8, np.float32), "z": np.zeros(8, np.float32)}, target=_target(cores=1))


def test_every_core_starts_with_an_empty_ub() -> None:
    x = np.arange(4096, dtype=np.float32)
    z = np.zeros_like(x)
    env = _launch(_fresh(mirror), {"x": x, "z": z}, _target(cores=4))
    np.testing.assert_array_equal(z, x)
    assert env.block_dim == 4 and len(env.counters) == 4
    assert len({c.ub_bytes for c in env.counters}) == 1  # each core's TPipe starts from zero
    assert sum(c.gm_write_bytes for c in env.counters) == x.nbytes
    assert isinstance(find_kernel(_fresh(mirror)), t.KernelOp)

"""The tile dialect: MLIR text round trip with locations, verifiers, and that parsed IR runs the same."""

from __future__ import annotations

import numpy as np
import pytest
from ascdsl.ops.gather_pa_kv_cache import gather_pa_kv_cache_norm
from ascdsl.runtime.interpreter.engine import run
from xdsl.dialects.builtin import IndexType, ModuleOp
from xdsl.ir import Block, Region
from xdsl.utils.exceptions import VerifyException

from ascdsl import InOut, Out, Tensor, cast, f16, f32, i32, kernel, load, parallel, reduce_sum, store, where
from ascdsl.dialects import tile_ops as t
from ascdsl.dialects.tile_types import TensorType, TileType, ViewType, make_element, shape_attr
from ascdsl.ir_text import parse_module, print_module


@kernel
def mixed(x: Tensor[f32, R, C], w: Tensor[f32, C], flags: InOut[Tensor[i32, R]], y: Out[Tensor[f16, R, C]]):
    for r in parallel(R):
        row = load(x[r : r + 1])
        acc = row * load(w)[None, :]
        total = reduce_sum(acc)
        i = 0
        while i < 3 and total > 0.0:
            i += 1
            if i == 2:
                break
        flags[r] = i if total > 1.0 else -1
        store(y[r : r + 1, 0:C], cast(where(acc > 0.5, acc, 0.0), f16, round="rint"))


def _text(k) -> str:
    return print_module(k.ir)


@pytest.mark.parametrize("k", [mixed, gather_pa_kv_cache_norm], ids=lambda k: k.name)
def test_print_parse_print_is_stable(k) -> None:
    text = _text(k)
    again = print_module(parse_module(text))
    assert again == text
    assert f'loc("{k.filename}":' in text  # DSL locations are part of the text


def test_parsed_module_runs_like_the_original() -> None:
    rng = np.random.default_rng(7)
    x = rng.random((5, 4), dtype=np.float32)
    w = rng.random(4, dtype=np.float32)
    outs = []
    for module in (mixed.ir, parse_module(_text(mixed))):
        flags = np.zeros(5, np.int32)
        y = np.zeros((5, 4), np.float16)
        run(module, {"x": x, "w": w, "flags": flags, "y": y})
        outs.append((flags, y))
    np.testing.assert_array_equal(outs[0][0], outs[1][0])
    np.testing.assert_array_equal(outs[0][1].view(np.uint16), outs[1][1].view(np.uint16))
    acc = x * w[None, :]
    expected_y = np.where(acc > 0.5, acc, np.float32(0)).astype(np.float16)
    np.testing.assert_array_equal(outs[0][1].view(np.uint16), expected_y.view(np.uint16))


def test_locations_survive_clone() -> None:
    module = mixed.ir.clone()
    locs = {str(op.location) for op in module.walk() if not isinstance(op, ModuleOp)}
    assert all("test_tile_ir.py" in loc for loc in locs)


def _kernel_with(ops_for: callable, arg_types: list) -> ModuleOp:
    block = Block(arg_types=arg_types)
    for op in ops_for(block):
        block.add_op(op)
    block.add_op(t.ReturnOp())
    n = len(arg_types)
    k = t.KernelOp("k", [f"a{i}" for i in range(n)], ["inout"] * n, [False] * n, {}, Region(block))
    return ModuleOp([k])


F32_TENSOR = TensorType(make_element("f32"), shape_attr(["N", 4]))


def _verify_all(module: ModuleOp) -> None:
    for op in module.walk():
        op.verify(verify_nested_ops=False)


def test_view_needs_an_offset_per_dim() -> None:
    def ops(block: Block) -> list:
        from xdsl.dialects import arith
        from xdsl.dialects.builtin import IntegerAttr

        c = arith.ConstantOp(IntegerAttr(0, IndexType()))
        bad = t.ViewOp(block.args[0], [c.result], [c.result], [1], [False], ViewType(make_element("f32"), shape_attr(["?"])))
        return [c, bad]

    with pytest.raises(VerifyException, match="one offset, size, step and drop flag per source dim"):
        _verify_all(_kernel_with(ops, [F32_TENSOR]))


def test_store_checks_element_types() -> None:
    def ops(block: Block) -> list:
        tile = t.LoadOp(block.args[0], TileType(make_element("f32"), shape_attr(["N", 4])))
        store16 = t.StoreOp(tile.result, block.args[1])
        return [tile, store16]

    f16_tensor = TensorType(make_element("f16"), shape_attr(["N", 4]))
    with pytest.raises(VerifyException, match="element type must be the destination's"):
        _verify_all(_kernel_with(ops, [F32_TENSOR, f16_tensor]))


def test_cast_rejects_unknown_rounding() -> None:
    def ops(block: Block) -> list:
        tile = t.LoadOp(block.args[0], TileType(make_element("f32"), shape_attr(["N", 4])))
        cast = t.CastOp(tile.result, "sideways", TileType(make_element("f16"), shape_attr(["N", 4])))
        return [tile, cast]

    with pytest.raises(VerifyException, match="unknown rounding mode"):
        _verify_all(_kernel_with(ops, [F32_TENSOR]))


def test_dim_axis_in_range() -> None:
    with pytest.raises(VerifyException, match="axis 2 is outside rank 2"):
        _verify_all(_kernel_with(lambda b: [t.DimOp(b.args[0], 2)], [F32_TENSOR]))


def test_kernel_roles_need_tensors() -> None:
    block = Block(arg_types=[IndexType()])
    block.add_op(t.ReturnOp())
    k = t.KernelOp("k", ["n"], ["in"], [False], {}, Region(block))
    with pytest.raises(VerifyException, match=r"must be a !tile\.tensor"):
        k.verify()


def test_parser_rejects_malformed_type() -> None:
    text = _text(mixed).replace("!tile.tensor<f32, [R, C]>", "!tile.tensor<f32, R, C>", 1)
    with pytest.raises(Exception, match="'\\['"):
        parse_module(text)




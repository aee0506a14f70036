"""The OpDef class and the InferShape/InferDataType functions printed from an OpSpec."""

from __future__ import annotations

import re

import pytest
from ascdsl.lowering.ge_types import DTYPES, ge_dtype, ge_format
from ascdsl.lowering.opdef_printer import attr_default_literal, print_infer_functions, print_opdef
from ascdsl.lowering.opspec import AttrParam, OpSpec, TensorParam
from golden_files import check_golden
from lowering_examples import ADD_CUSTOM, GATHER_PA_KV_CACHE, TWO_OUTPUTS

from ascdsl import dtypes


def test_add_custom_opdef_golden() -> None:
    check_golden("add_custom_opdef.cpp", print_opdef(ADD_CUSTOM))


def test_add_custom_infer_golden() -> None:
    check_golden("add_custom_infer.cpp", print_infer_functions(ADD_CUSTOM))


def test_gather_opdef_golden() -> None:
    check_golden("gather_pa_kv_cache_opdef.cpp", print_opdef(GATHER_PA_KV_CACHE))
    check_golden("gather_pa_kv_cache_infer.cpp", print_infer_functions(GATHER_PA_KV_CACHE))


def test_dtype_table_covers_exactly_the_dsl_dtypes() -> None:
    assert set(DTYPES) == set(dtypes.BY_NAME)
    assert ge_dtype("bf16") == "ge::DT_BF16"
    assert ge_dtype("f32") == "ge::DT_FLOAT"
    assert ge_format("FRACTAL_NZ") == "ge::FORMAT_FRACTAL_NZ"
    with pytest.raises(ValueError, match="unknown dtype 'f64'"):
        ge_dtype("f64")


def test_inputs_then_outputs_then_attrs_in_spec_order() -> None:
    text = print_opdef(GATHER_PA_KV_CACHE)
    names = re.findall(r'this->(Input|Output|Attr)\("(\w+)"\)', text)
    assert names == [
        ("Input", "key_cache"),
        ("Input", "value_cache"),
        ("Input", "block_tables"),
        ("Input", "seq_lens"),
        ("Input", "key"),
        ("Input", "value"),
        ("Input", "seq_offset"),
        ("Output", "key"),
        ("Output", "value"),
        ("Attr", "cache_mode"),
        ("Attr", "is_seq_lens_cumsum"),
    ]
    assert 'this->Input("seq_offset")\n            .ParamType(OPTIONAL)' in text
    assert 'this->Attr("cache_mode").AttrType(REQUIRED).String();' in text
    assert text.index('AddConfig("ascend910b")') < text.index('AddConfig("ascend910_93")')
    assert text.rstrip().endswith("OP_ADD(GatherPaKvCache);\n}  // namespace ops")


def test_dtype_and_format_vectors_are_index_aligned() -> None:
    text = print_opdef(TWO_OUTPUTS)
    vectors = re.findall(r"\.DataType\(\{([^}]*)\}\)", text)
    assert vectors == [
        "ge::DT_FLOAT16, ge::DT_BF16",
        "ge::DT_FLOAT, ge::DT_FLOAT",
        "ge::DT_FLOAT16, ge::DT_BF16",
        "ge::DT_FLOAT, ge::DT_FLOAT",
    ]
    assert all(f == "ge::FORMAT_ND, ge::FORMAT_ND" for f in re.findall(r"\.Format\(\{([^}]*)\}\)", text))


def test_typed_attribute_defaults() -> None:
    text = print_opdef(TWO_OUTPUTS)
    assert 'this->Attr("mode").AttrType(OPTIONAL).String("round_half");' in text
    assert 'this->Attr("axis").AttrType(OPTIONAL).Int(-1);' in text
    assert 'this->Attr("epsilon").AttrType(OPTIONAL).Float(1e-05f);' in text
    assert 'this->Attr("transpose").AttrType(OPTIONAL).Bool(false);' in text


@pytest.mark.parametrize(
    ("attr", "literal"),
    [
        (AttrParam("a", "float", 1), "1.0f"),
        (AttrParam("a", "float", 2.5e20), "2.5e+20f"),
        (AttrParam("a", "int", 2**63 - 1), "9223372036854775807"),
        (AttrParam("a", "bool", True), "true"),
        (AttrParam("a", "str", 'say "hi" \\ bye'), '"say \\"hi\\" \\\\ bye"'),
    ],
)
def test_attr_default_literals(attr: AttrParam, literal: str) -> None:
    assert attr_default_literal(attr) == literal


@pytest.mark.parametrize(
    ("attr", "message"),
    [
        (AttrParam("a", "int", True), "cannot take the default True"),
        (AttrParam("a", "bool", 1), "cannot take the default 1"),
        (AttrParam("a", "int", 2**63), "does not fit int64_t"),
        (AttrParam("a", "float", float("nan")), "not a finite float32"),
        (AttrParam("a", "float", 1e39), "not a finite float32"),
        (AttrParam("a", "str", "tab\there"), "printable ASCII"),
    ],
)
def test_bad_attr_defaults_are_rejected(attr: AttrParam, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        attr_default_literal(attr)


def test_infer_functions_copy_from_the_followed_input() -> None:
    text = print_infer_functions(TWO_OUTPUTS)
    # Required accessors take the OpDef (IR) index, which stays right when optional inputs are absent.
    assert "const gert::Shape* xInShape = context->GetRequiredInputShape(0);" in text
    assert "gert::Shape* yOutShape = context->GetOutputShape(0);" in text
    assert "const gert::Shape* scaleInShape = context->GetRequiredInputShape(1);" in text
    assert "gert::Shape* yScaleOutShape = context->GetOutputShape(1);" in text
    assert "context->SetOutputDataType(1, context->GetRequiredInputDataType(1))" in text


def test_inout_outputs_follow_their_own_input() -> None:
    text = print_infer_functions(GATHER_PA_KV_CACHE)
    assert "const gert::Shape* keyInShape = context->GetRequiredInputShape(4);" in text
    assert "gert::Shape* keyOutShape = context->GetOutputShape(0);" in text
    assert "context->SetOutputDataType(1, context->GetRequiredInputDataType(5))" in text


def test_two_outputs_may_follow_one_input() -> None:
    spec = OpSpec(
        "Twice",
        (
            TensorParam("x", "in", False, ("f16",), ("ND",)),
            TensorParam("a", "out", False, ("f16",), ("ND",), like="x"),
            TensorParam("b", "out", False, ("f16",), ("ND",), like="x"),
        ),
        (),
    )
    text = print_infer_functions(spec)
    # each output has its own block, so xInShape is declared once per block
    assert text.count("{  // output") == 2
    assert text.count("const gert::Shape* xInShape") == 2


def _spec(*tensors: TensorParam, attrs: tuple[AttrParam, ...] = ()) -> OpSpec:
    return OpSpec("Bad", tensors, attrs)


X = TensorParam("x", "in", False, ("f16",), ("ND",))


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (_spec(X, TensorParam("y", "out", False, ("f16",), ("ND",))), "output 'y' needs like="),
        (_spec(X, TensorParam("y", "out", False, ("f16",), ("ND",), like="nope")), "follows 'nope', which is not"),
        (
            _spec(
                TensorParam("o", "in", True, ("f16",), ("ND",)),
                TensorParam("y", "out", False, ("f16",), ("ND",), like="o"),
            ),
            "cannot follow optional input 'o'",
        ),
    ],
)
def test_infer_needs_a_required_input_to_follow(spec: OpSpec, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        print_infer_functions(spec)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (_spec(X, TensorParam("y", "out", False, ("f16", "f32"), ("ND", "ND"), like="x")), "same number"),
        (_spec(X, TensorParam("k", "inout", True, ("f16",), ("ND",))), "inout tensor 'k' cannot be optional"),
        (_spec(X, TensorParam("x", "out", False, ("f16",), ("ND",), like="x")), "declared twice"),
        (_spec(X, TensorParam("y", "bidir", False, ("f16",), ("ND",))), "role 'bidir'"),
        (_spec(X, TensorParam("y_", "out", False, ("f16",), ("ND",), like="x")), "not snake_case"),
        (
            _spec(X, TensorParam("y", "out", False, ("f16",), ("ND",), like="x"), attrs=(AttrParam("x", "int"),)),
            "reuses",
        ),
        (
            _spec(X, TensorParam("y", "out", False, ("f16",), ("ND",), like="x"), attrs=(AttrParam("n", "list_int"),)),
            "unsupported type",
        ),
        (_spec(X), "at least one input and one output"),
    ],
)
def test_invalid_specs_are_rejected(spec: OpSpec, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        print_opdef(spec)

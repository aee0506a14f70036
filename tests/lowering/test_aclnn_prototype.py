"""The aclnn two-stage API computed from an OpSpec with opbuild's naming rules (ascendc_api.md 3.5)."""

from __future__ import annotations

import re

from ascdsl.lowering.aclnn_prototype import aclnn_params, aclnn_prototypes
from ascdsl.lowering.opspec import AttrParam, OpSpec, TensorParam
from lowering_examples import ADD_CUSTOM, GATHER_PA_KV_CACHE, OPTIONAL_STR_ATTR, TWO_OUTPUTS

EXECUTE = "(void *workspace, uint64_t workspaceSize, aclOpExecutor *executor, aclrtStream stream)"

# op_semantics.md 2.1, as the operator's doc prints it.
GATHER_DOC = (
    "aclnnStatus aclnnGatherPaKvCacheGetWorkspaceSize(const aclTensor* keyCache, const aclTensor* valueCache, "
    "const aclTensor* blockTables, const aclTensor* seqLens, const aclTensor* keyRef, const aclTensor* valueRef, "
    "const aclTensor* seqOffsetOptional, char* cacheMode, const bool isSeqLensCumsum, uint64_t* workspaceSize, "
    "aclOpExecutor** executor)"
)


def test_gather_pa_kv_cache_golden() -> None:
    first, second = aclnn_prototypes(GATHER_PA_KV_CACHE)
    assert first == (
        "aclnnStatus aclnnGatherPaKvCacheGetWorkspaceSize(const aclTensor *keyCache, const aclTensor *valueCache, "
        "const aclTensor *blockTables, const aclTensor *seqLens, aclTensor *keyRef, aclTensor *valueRef, "
        "const aclTensor *seqOffsetOptional, char *cacheMode, bool isSeqLensCumsum, uint64_t *workspaceSize, "
        "aclOpExecutor **executor)"
    )
    assert second == "aclnnStatus aclnnGatherPaKvCache" + EXECUTE


def test_gather_pa_kv_cache_matches_the_doc_up_to_the_generators_spelling() -> None:
    """The doc and the generated header differ only in spelling the generator fixes: `T *x` instead of
    `T* x`, `bool` instead of `const bool`, and non-const Ref tensors (the generator writes `aclTensor *` for
    every parameter whose name ends in Ref). Names, order and types otherwise agree."""
    doc = re.sub(r"(\w)(\*+) (\w)", r"\1 \2\3", GATHER_DOC)  # T* x -> T *x
    doc = doc.replace("const bool ", "bool ")
    doc = re.sub(r"const aclTensor (\*\w+Ref)\b", r"aclTensor \1", doc)
    assert aclnn_prototypes(GATHER_PA_KV_CACHE)[0] == doc


def test_gather_with_the_official_opdef_attribute_defaults() -> None:
    """ops-transformer declares cache_mode as AttrType(OPTIONAL).String("Norm") and is_seq_lens_cumsum as
    AttrType(OPTIONAL).Bool(true). With those, opbuild names the string `cacheModeOptional` (optional str
    attributes get the suffix, bools do not), unlike the doc's `cacheMode`: a spec that wants the doc's name
    must declare the attribute required, as GATHER_PA_KV_CACHE does."""
    spec = OpSpec(
        GATHER_PA_KV_CACHE.op_type,
        GATHER_PA_KV_CACHE.tensors,
        (AttrParam("cache_mode", "str", "Norm"), AttrParam("is_seq_lens_cumsum", "bool", True)),
    )
    decls = [p.decl for p in aclnn_params(spec)]
    assert decls[7:9] == ["char *cacheModeOptional", "bool isSeqLensCumsum"]


def test_add_custom_single_output_is_out() -> None:
    first, second = aclnn_prototypes(ADD_CUSTOM)
    assert first == (
        "aclnnStatus aclnnAddCustomGetWorkspaceSize(const aclTensor *x, const aclTensor *y, const aclTensor *out, "
        "uint64_t *workspaceSize, aclOpExecutor **executor)"
    )
    assert second == "aclnnStatus aclnnAddCustom" + EXECUTE


def test_two_outputs_are_named_out_and_attrs_come_before_them() -> None:
    first, _ = aclnn_prototypes(TWO_OUTPUTS)
    assert first == (
        "aclnnStatus aclnnSplitScaleGetWorkspaceSize(const aclTensor *x, const aclTensor *scale, "
        "char *modeOptional, int64_t axis, double epsilon, bool transpose, "
        "const aclTensor *yOut, const aclTensor *yScaleOut, uint64_t *workspaceSize, aclOpExecutor **executor)"
    )


def test_optional_str_attr_gets_the_optional_suffix() -> None:
    first, _ = aclnn_prototypes(OPTIONAL_STR_ATTR)
    assert first == (
        "aclnnStatus aclnnRoundModeGetWorkspaceSize(const aclTensor *x, char *roundModeOptional, char *layout, "
        "const aclTensor *out, uint64_t *workspaceSize, aclOpExecutor **executor)"
    )


def test_ref_outputs_count_when_choosing_out() -> None:
    # One inout and one pure output: the OpDef has two outputs, so the pure one is `<name>Out`, not `out`.
    spec = OpSpec(
        "Accumulate",
        (
            TensorParam("acc", "inout", False, ("f32",), ("ND",)),
            TensorParam("x", "in", False, ("f32",), ("ND",)),
            TensorParam("norm", "out", False, ("f32",), ("ND",), like="x"),
        ),
        (AttrParam("alpha", "float", 1.0),),
    )
    assert [p.decl for p in aclnn_params(spec)] == [
        "aclTensor *accRef",
        "const aclTensor *x",
        "double alpha",
        "const aclTensor *normOut",
        "uint64_t *workspaceSize",
        "aclOpExecutor **executor",
    ]


def test_only_the_first_letter_is_lowered() -> None:
    spec = OpSpec(
        "Camel",
        (
            TensorParam("QKV_proj", "in", False, ("f16",), ("ND",)),
            TensorParam("x2d", "out", False, ("f16",), ("ND",), like="QKV_proj"),
        ),
        (),
    )
    assert aclnn_params(spec)[0].name == "qKVProj"

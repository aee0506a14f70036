"""The aclnn two-stage API that CANN's opbuild generates from the OpDef, computed here so docs can show it.

The rules mirror asc-devkit `tools/build/opbuild/op_aclnn_generator.cpp` (AclnnOpGenCodeFun*Comment,
AclnnOpGenFunProto*), not the hand-formatted prototypes in operator docs:

* parameter order: OpDef inputs, then attributes, then the outputs that are not Ref, then
  `uint64_t *workspaceSize`, `aclOpExecutor **executor`;
* names are the OpDef names in lowerCamel; an input that is also an output gets `Ref`; an OPTIONAL input
  or output gets `Optional` (after `Ref`); outputs are `out` when the OpDef has exactly one output
  (Ref outputs count) and `<name>Out` otherwise;
* a Ref input is `aclTensor *` (the generator tests the `Ref` suffix, so an optional Ref input, whose
  name ends in `Optional`, stays `const aclTensor *`); every other tensor is `const aclTensor *`;
* attributes: str `char *`, bool `bool`, float `double`, int `int64_t`, never `const`; only optional str
  (and list) attributes get `Optional`.

Docs sometimes print `const bool` or `const aclTensor* xRef`; the generated header says `bool` and
`aclTensor *xRef`, and that header is what callers compile against, so this module follows the generator.
"""

from __future__ import annotations

from dataclasses import dataclass

from ascdsl.lowering.names import lower_camel
from ascdsl.lowering.opspec import AttrParam, OpSpec, TensorParam

_ATTR_CTYPES: dict[str, str] = {"str": "char *", "bool": "bool ", "float": "double ", "int": "int64_t "}
# Attribute types whose optional form gets the `Optional` suffix (IsBaseTypeOfAttr in the generator).
_SUFFIXED_OPTIONAL_ATTRS = frozenset({"str"})


@dataclass(frozen=True)
class AclnnParam:
    ctype: str  # with the trailing space or `*`, so that `ctype + name` is the C declaration
    name: str
    origin: str  # what it comes from: "input x", "attr cache_mode", "output z", or the executor plumbing

    @property
    def decl(self) -> str:
        return self.ctype + self.name


def _input_param(t: TensorParam) -> AclnnParam:
    name = lower_camel(t.name)
    if t.is_output:
        name += "Ref"
    if t.optional:
        name += "Optional"
    ctype = "aclTensor *" if name.endswith("Ref") else "const aclTensor *"
    return AclnnParam(ctype, name, f"input {t.name}")


def _attr_param(a: AttrParam) -> AclnnParam:
    if a.type not in _ATTR_CTYPES:
        raise ValueError(f"attribute {a.name!r}: unsupported type {a.type!r}; known: {', '.join(_ATTR_CTYPES)}")
    name = lower_camel(a.name)
    if a.default is not None and a.type in _SUFFIXED_OPTIONAL_ATTRS:
        name += "Optional"
    return AclnnParam(_ATTR_CTYPES[a.type], name, f"attr {a.name}")


def _output_param(t: TensorParam, n_outputs: int) -> AclnnParam:
    name = "out" if n_outputs == 1 else lower_camel(t.name) + "Out"
    if t.optional:
        name += "Optional"
    return AclnnParam("const aclTensor *", name, f"output {t.name}")


def aclnn_params(spec: OpSpec) -> list[AclnnParam]:
    """The parameters of aclnn<OpType>GetWorkspaceSize, in order."""
    params = [_input_param(t) for t in spec.inputs]
    params += [_attr_param(a) for a in spec.attrs]
    outputs = spec.outputs
    params += [_output_param(t, len(outputs)) for t in outputs if not t.is_input]
    params.append(AclnnParam("uint64_t *", "workspaceSize", "workspace size (out)"))
    params.append(AclnnParam("aclOpExecutor **", "executor", "executor (out)"))
    return params


def aclnn_prototypes(spec: OpSpec) -> tuple[str, str]:
    """The two aclnn declarations on one line each, without the trailing `;` (the form operator docs use)."""
    first = ", ".join(p.decl for p in aclnn_params(spec))
    return (
        f"aclnnStatus aclnn{spec.op_type}GetWorkspaceSize({first})",
        f"aclnnStatus aclnn{spec.op_type}(void *workspace, uint64_t workspaceSize, aclOpExecutor *executor, "
        "aclrtStream stream)",
    )

"""The operator description in the JSON format `msopgen gen -i <file>.json` reads.

build.sh feeds it to the toolkit's msopgen to obtain a project skeleton whose CMake files match the
installed toolkit, then replaces the skeleton's op_host/op_kernel sources with ours. So the JSON only has
to be accepted by msopgen and name the same operator, parameters and SoCs; the OpDef we print stays the
single source of truth for dtypes and formats.

Format (msopgen `interface/op_info_ir_json.py`): a list of
`{"op": OpType, "language": "cpp", "input_desc": [...], "output_desc": [...], "attr": [...]}`; tensors are
`{"name", "param_type": required|optional, "format": [...], "type": [...]}` and attributes
`{"name", "param_type", "type": int|float|bool|string, "default_value"}`. An inout tensor appears in both
lists under one name, which is how msopgen (and the OpDef) mark a Ref parameter.
"""

from __future__ import annotations

import json

from ascdsl.lowering.ge_types import host_dtype
from ascdsl.lowering.opspec import AttrParam, OpSpec, TensorParam

# msopgen has no name for these dtypes; a same-width stand-in keeps the JSON acceptable. It never reaches
# the built operator: the skeleton's op_host/op_kernel files that msopgen derives from it are overwritten.
_STAND_INS: dict[str, str] = {"f8e5m2": "uint8", "f8e4m3fn": "uint8"}

_ATTR_TYPES: dict[str, str] = {"int": "int", "float": "float", "bool": "bool", "str": "string"}

# `-c ai_core-<chip>`: msopgen wants a chip name and maps it to the SoC family itself (its
# SOC_VERSION_TYPE table). Passing the family name does not work for every SoC: "ascend910b" is an alias
# of the old "ascend910" there. One chip of each family is enough; the kernel is built per family.
MSOPGEN_CHIPS: dict[str, str] = {
    "ascend910b": "Ascend910B1",
    "ascend910_93": "Ascend910_9391",
    "ascend310p": "Ascend310P1",
    "ascend310b": "Ascend310B1",
    "ascend950": "Ascend950PR",
}


def msopgen_compute_units(spec: OpSpec) -> str:
    """The `-c` argument of `msopgen gen` for the spec's SoCs."""
    chips = [MSOPGEN_CHIPS.get(soc, soc[:1].upper() + soc[1:]) for soc in spec.socs]
    return ",".join(f"ai_core-{chip}" for chip in chips)


def _dtype_name(name: str) -> str:
    msopgen = host_dtype(name).msopgen
    return msopgen if msopgen is not None else _STAND_INS[name]


def _tensor(t: TensorParam) -> dict[str, object]:
    return {
        "name": t.name,
        "param_type": "optional" if t.optional else "required",
        "format": list(t.formats),
        "type": [_dtype_name(d) for d in t.dtypes],
    }


def _attr(a: AttrParam) -> dict[str, object]:
    out: dict[str, object] = {"name": a.name, "param_type": "required" if a.default is None else "optional"}
    out["type"] = _ATTR_TYPES[a.type]
    if a.default is not None:
        out["default_value"] = a.default
    return out


def print_msopgen_json(spec: OpSpec) -> str:
    desc = {
        "op": spec.op_type,
        "language": "cpp",
        "input_desc": [_tensor(t) for t in spec.inputs],
        "output_desc": [_tensor(t) for t in spec.outputs],
        "attr": [_attr(a) for a in spec.attrs],
    }
    return json.dumps([desc], indent=4) + "\n"

"""How the host side of a CANN operator spells the DSL's dtypes and formats.

One table per concept. `ascdsl.dtypes` owns the DSL dtype names; this table adds, for each of them, the
`ge::DataType` enumerator that OpDef takes and the name msopgen's op-description JSON takes
(tests check that both tables cover the same names).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class HostDType:
    ge: str  # the ge::DataType enumerator (graph/types.h), without the namespace
    # msopgen's name (its config/transform.json INPUT_OUTPUT_DTYPE_MAP). msopgen has no name for the fp8
    # types; the JSON then carries a same-width stand-in (see msopgen_json.py for why that is harmless).
    msopgen: str | None


DTYPES: dict[str, HostDType] = {
    "f16": HostDType("DT_FLOAT16", "float16"),
    "bf16": HostDType("DT_BF16", "bfloat16"),
    "f32": HostDType("DT_FLOAT", "float"),
    "f8e5m2": HostDType("DT_FLOAT8_E5M2", None),
    "f8e4m3fn": HostDType("DT_FLOAT8_E4M3FN", None),
    "hif8": HostDType("DT_HIFLOAT8", None),
    "i8": HostDType("DT_INT8", "int8"),
    "u8": HostDType("DT_UINT8", "uint8"),
    "i16": HostDType("DT_INT16", "int16"),
    "u16": HostDType("DT_UINT16", "uint16"),
    "i32": HostDType("DT_INT32", "int32"),
    "u32": HostDType("DT_UINT32", "uint32"),
    "i64": HostDType("DT_INT64", "int64"),
    "u64": HostDType("DT_UINT64", "uint64"),
    "bool": HostDType("DT_BOOL", "bool"),
}

# OpSpec format name -> ge::Format enumerator. msopgen's JSON takes the OpSpec name itself.
FORMATS: dict[str, str] = {
    "ND": "FORMAT_ND",
    "FRACTAL_NZ": "FORMAT_FRACTAL_NZ",
}


def host_dtype(name: str) -> HostDType:
    try:
        return DTYPES[name]
    except KeyError:
        raise ValueError(f"unknown dtype {name!r}; known: {', '.join(DTYPES)}") from None


def ge_dtype(name: str) -> str:
    """`ge::DT_...` for a DSL dtype name."""
    return "ge::" + host_dtype(name).ge


def ge_format(name: str) -> str:
    """`ge::FORMAT_...` for an OpSpec format name."""
    try:
        return "ge::" + FORMATS[name]
    except KeyError:
        raise ValueError(f"unknown format {name!r}; known: {', '.join(FORMATS)}") from None

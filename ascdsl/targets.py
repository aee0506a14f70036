"""Targets are data: every pass and printer asks the target, never a constant of its own."""

from __future__ import annotations

from dataclasses import dataclass

from ascdsl.errors import AscdslError


@dataclass(frozen=True)
class Target:
    soc: str  # the SoC name CANN's AddConfig and ASCEND_COMPUTE_UNIT use
    product: str
    aiv_cores: int
    ub_bytes: int  # what PlatformAscendC reports for the UB (196,608 minus 256 reserved bytes)
    ub_budget: int  # what generated allocations may use: below the 184 KiB scratch area some APIs use
    block_bytes: int = 32  # DMA and UB alignment unit
    repeat_bytes: int = 256  # one vector repeat
    # Element types the SoC's Ascend C has no type for (the 8-bit floats and HiFloat8 exist on Ascend 950 only): an
    # operator built for this SoC does not list them, and aclnn rejects them with 161002.
    missing_dtypes: frozenset[str] = frozenset({"f8e5m2", "f8e4m3fn", "hif8"})


TARGETS: dict[str, Target] = {
    "ascend910b": Target("ascend910b", "Atlas A2", aiv_cores=40, ub_bytes=196_352, ub_budget=184 * 1024),
    "ascend910_93": Target("ascend910_93", "Atlas A3", aiv_cores=48, ub_bytes=196_352, ub_budget=184 * 1024),
}
DEFAULT_TARGET = "ascend910b"


def get_target(name: str | None = None) -> Target:
    key = name or DEFAULT_TARGET
    if key not in TARGETS:
        raise AscdslError(f"unknown SoC {key!r}; known: {', '.join(sorted(TARGETS))}")
    return TARGETS[key]

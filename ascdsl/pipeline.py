"""The pass pipeline, stage by stage: every stage is a module the CPU interpreter runs with the same results."""

from __future__ import annotations

import os

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.passes import ModulePass

from ascdsl.errors import AscdslError
from ascdsl.frontend.irgen import verify_located
from ascdsl.ir_text import context
from ascdsl.passes.allocate_buffers import AllocateBuffers
from ascdsl.passes.cleanup import Cleanup
from ascdsl.passes.distribute import DistributeCores
from ascdsl.passes.host_device_split import HostDeviceSplit
from ascdsl.passes.insert_sync import InsertSync
from ascdsl.passes.lower_to_ascendc import LowerToAscendC
from ascdsl.passes.specialize import Specialize
from ascdsl.passes.ub_tiling import TileToUB

# (stage name, the pass that produces it from the previous stage)
PIPELINE: tuple[tuple[str, ModulePass | None], ...] = (
    ("tile", None),
    ("split", HostDeviceSplit()),
    ("distributed", DistributeCores()),
    ("tiled", TileToUB()),
    ("allocated", AllocateBuffers()),
    ("ascendc", LowerToAscendC()),
    ("synced", InsertSync()),
    ("clean", Cleanup()),
    ("specialized", Specialize()),
)
STAGES = tuple(name for name, _ in PIPELINE)


def verify_each_pass() -> bool:
    """Verify the IR after every pass (the test suite turns this on) or only at the end (the default: verifying
    costs as much as the passes themselves)."""
    return os.environ.get("ASCDSL_VERIFY_EACH_PASS", "") not in ("", "0")


def lower(module: ModuleOp, stage: str = STAGES[-1], ctx: Context | None = None) -> ModuleOp:
    """A copy of `module` (a tile-stage module) run through the passes up to and including `stage`."""
    if stage not in STAGES:
        raise AscdslError(f"unknown stage {stage!r}; stages: {', '.join(STAGES)}")
    ctx = ctx or context()
    out = module.clone()
    each = verify_each_pass()
    for name, p in PIPELINE:
        if p is not None:
            p.apply(ctx, out)
            if each:
                verify_located(out)
        if name == stage:
            break
    if not each:
        verify_located(out)
    return out

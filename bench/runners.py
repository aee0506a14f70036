"""Running a case on each CPU runner: the tile-stage interpreter (the operator entry, backend="interp"), the
ascendc-stage interpreter (the kernel lowered to the last stage, with per-core counters) and the emulator."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ascdsl.runtime import run as run_kernel
from ascdsl.runtime.interpreter.engine import bind, find_kernel, launch
from cases import Case
from launch_stats import LaunchStats, from_emulator, from_interpreter

from ascdsl.kernel import Kernel
from ascdsl.pipeline import lower
from ascdsl.targets import get_target

TARGET = get_target("ascend910b")


def _gather_entry(args: dict[str, Any]) -> None:
    from ascdsl.ops import gather_pa_kv_cache

    gather_pa_kv_cache(
        args["key_cache"],
        args["value_cache"],
        args["block_tables"],
        args["seq_lens"],
        args["key"],
        args["value"],
        args["seq_offset"],
        cache_mode=args["cache_mode"],
        is_seq_lens_cumsum=args["is_seq_lens_cumsum"],
        backend="interp",
    )


def _nsa_entry(args: dict[str, Any]) -> None:
    from ascdsl.ops import nsa_compress_with_cache

    nsa_compress_with_cache(
        args["input"], args["weight"], args["slot_mapping"], args["act_seq_len"].tolist(), args["block_table"],
        args["layout"], args["compress_block_size"], args["compress_stride"], args["act_seq_len_type"],
        args["page_block_size"], args["output_cache"], backend="interp",
    )


def tile_runner(case: Case, kernel: Kernel) -> Callable[[dict[str, Any]], None]:
    """The user-facing CPU path: the operator's Python entry where it has one, else ascdsl.runtime.run."""
    if case.op.startswith("gather_pa_kv_cache"):
        return _gather_entry
    if case.op == "nsa_compress_with_cache":
        return _nsa_entry
    return lambda args: run_kernel(kernel, args, backend="interp")


@dataclass
class AscendcRunner:
    """The kernel lowered once to the last stage (the Ascend C the printer reads), run per core."""

    kernel: Kernel
    scalar_itemsize: int

    def __post_init__(self) -> None:
        self.op = find_kernel(lower(self.kernel.ir))  # the last stage: what the printer reads
        self.last: LaunchStats | None = None

    def __call__(self, args: dict[str, Any]) -> None:
        bound = bind(self.op, args)
        env = launch(self.op, bound, target=TARGET)
        bound.commit()
        self.last = from_interpreter(env.block_dim, env.counters, self.scalar_itemsize)


@dataclass
class EmulatorRunner:
    """The printed CANN project compiled with g++ against the emulator (built on the first call, then cached)."""

    run_project: Callable[..., Any]
    project: Path
    spec: Any  # OpSpec

    def __post_init__(self) -> None:
        self.last: LaunchStats | None = None

    def __call__(self, args: dict[str, Any]) -> None:
        tensors = {t.name: args.get(t.name) for t in self.spec.tensors}
        attrs = {a.name: args[a.name] for a in self.spec.attrs if a.name in args}
        report = self.run_project(
            self.project, self.spec, tensors, attrs, core_num=TARGET.aiv_cores, ub_bytes=TARGET.ub_bytes
        )
        self.last = from_emulator(report)

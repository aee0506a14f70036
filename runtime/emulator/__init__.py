"""The Ascend C CPU emulator: printed CANN op projects compiled with g++ against our headers and run per core."""

from __future__ import annotations

from ascdsl.runtime.emulator.build import EmuCompileError, cache_dir
from ascdsl.runtime.emulator.driver import run_project
from ascdsl.runtime.emulator.report import CoreCounters, EmuReport

__all__ = ["CoreCounters", "EmuCompileError", "EmuReport", "cache_dir", "run_project"]

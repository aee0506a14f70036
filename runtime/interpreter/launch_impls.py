"""Interpretation of what a launch adds to a kernel: the host tiling function and the per-core view."""

from __future__ import annotations

from ascdsl.runtime.interpreter.tile_impls import kenv
from xdsl.interpreter import (
    Interpreter,
    InterpreterFunctions,
    PythonValues,
    ReturnedValues,
    TerminatorValue,
    impl,
    impl_terminator,
    register_impls,
)

from ascdsl.dialects import ascendc as ac
from ascdsl.dialects import host
from ascdsl.dialects import tile_ops as t
from ascdsl.errors import DeviceRuntimeError


@register_impls
class LaunchFunctions(InterpreterFunctions):
    @impl(host.SetFieldOp)
    def run_set_field(self, interpreter: Interpreter, op: host.SetFieldOp, args: PythonValues) -> PythonValues:
        kenv(interpreter).fields[op.field.data] = args[0]
        return ()

    @impl(host.SetBlockDimOp)
    def run_set_block_dim(self, interpreter: Interpreter, op: host.SetBlockDimOp, args: PythonValues) -> PythonValues:
        env = kenv(interpreter)
        if not 1 <= args[0] <= env.core_num:
            raise DeviceRuntimeError(f"block dim {args[0]} is outside [1, {env.core_num}] (the AIV core count)")
        env.block_dim = int(args[0])
        return ()

    @impl(host.SetTilingKeyOp)
    def run_set_tiling_key(self, interpreter: Interpreter, op: host.SetTilingKeyOp, args: PythonValues) -> PythonValues:
        kenv(interpreter).tiling_key = int(args[0])
        return ()

    @impl(ac.TilingKeySwitchOp)
    def run_tiling_key_switch(self, interpreter: Interpreter, op: ac.TilingKeySwitchOp, args: PythonValues) -> PythonValues:
        key = kenv(interpreter).tiling_key
        if not 0 <= key < len(op.variants):
            raise DeviceRuntimeError(f"tiling key {key} names no specialisation of the kernel (it has {len(op.variants)})")
        interpreter.run_ssacfg_region(op.variants[key], (), "specialisation")
        return ()

    @impl(host.CoreNumOp)
    def run_core_num(self, interpreter: Interpreter, op: host.CoreNumOp, args: PythonValues) -> PythonValues:
        return (kenv(interpreter).core_num,)

    @impl(host.UbBytesOp)
    def run_ub_bytes(self, interpreter: Interpreter, op: host.UbBytesOp, args: PythonValues) -> PythonValues:
        return (kenv(interpreter).ub_budget,)

    @impl_terminator(host.ReturnOp)
    def run_return(self, interpreter: Interpreter, op: host.ReturnOp, args: PythonValues) -> tuple[TerminatorValue, PythonValues]:
        return ReturnedValues(()), ()

    @impl(t.TilingFieldOp)
    def run_tiling_field(self, interpreter: Interpreter, op: t.TilingFieldOp, args: PythonValues) -> PythonValues:
        fields = kenv(interpreter).fields
        if op.field.data not in fields:
            raise DeviceRuntimeError(f"the tiling data has no field {op.field.data!r}")
        return (fields[op.field.data],)

    @impl(t.BlockIdxOp)
    def run_block_idx(self, interpreter: Interpreter, op: t.BlockIdxOp, args: PythonValues) -> PythonValues:
        return (kenv(interpreter).block_idx,)

    @impl(t.BlockNumOp)
    def run_block_num(self, interpreter: Interpreter, op: t.BlockNumOp, args: PythonValues) -> PythonValues:
        return (kenv(interpreter).block_dim,)

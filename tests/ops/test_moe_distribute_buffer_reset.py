"""MoeDistributeBufferReset on simulated ranks (interp and emu) against the numpy golden of op_semantics.md 4.

Windows start as random bytes; after the call every rank's windows are compared bit for bit with the golden.
Data windows are 8 KiB here (the real ones are hundreds of MiB) to keep the runs short; state windows have
the real 1 MiB, since the operator clears 1,024,032 bytes of them and puts its flags after that.
"""

from __future__ import annotations

import shutil
from typing import Any

import numpy as np
import pytest
from ascdsl.ops.moe_distribute_buffer_reset import moe_distribute_buffer_reset
from ascdsl.runtime import CommDomain
from moe_distribute_buffer_reset_golden import STATE_CLEAN_BYTES, buffer_reset_golden

from ascdsl.errors import AclnnError, DeviceRuntimeError

DATA_BYTES = 8 << 10
BACKENDS = ["interp", pytest.param("emu", marks=pytest.mark.skipif(shutil.which("g++") is None, reason="needs g++"))]


class World:
    """A domain with random windows and what they held before the call."""

    def __init__(self, name: str, world: int, seed: int) -> None:
        self.dom = CommDomain(name, world, DATA_BYTES)
        self.world = world
        rng = np.random.default_rng(seed)
        for r in range(world):
            self.dom.data_window(r)[:] = rng.integers(0, 256, DATA_BYTES, dtype=np.uint8)
            self.dom.state_window(r)[:] = rng.integers(0, 256, 1 << 20, dtype=np.uint8)
        self.data0 = [self.dom.data_window(r).copy() for r in range(world)]
        self.state0 = [self.dom.state_window(r).copy() for r in range(world)]

    def run(self, elastic: dict[int, np.ndarray], running: list[int], need_sync: int, backend: str, **kw: Any) -> None:
        self.dom.run(
            lambda r: moe_distribute_buffer_reset(elastic[r], self.dom.name, self.world, need_sync, rank=r, backend=backend, **kw),
            ranks=running,
        )

    def check(self, elastic: dict[int, np.ndarray], running: list[int], need_sync: int) -> None:
        data, state = buffer_reset_golden(self.data0, self.state0, elastic, running, need_sync)
        for r in range(self.world):
            assert np.array_equal(self.dom.data_window(r), data[r]), f"data window of rank {r}"
            got, want = self.dom.state_window(r), state[r]
            if not np.array_equal(got, want):
                first = int(np.flatnonzero(got != want)[0])
                raise AssertionError(f"state window of rank {r} differs first at byte {first}: {got[first]} != {want[first]}")


@pytest.fixture
def worlds():
    made: list[World] = []

    def make(world: int, seed: int = 0) -> World:
        w = World(f"test_ep_{len(made)}_{world}", world, seed)
        made.append(w)
        return w

    yield make
    for w in made:
        w.dom.close()


def all_linked(world: int) -> dict[int, np.ndarray]:
    return {r: np.ones(world, np.int32) for r in range(world)}


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("world", [16, 32])
@pytest.mark.parametrize("need_sync", [0, 1])
def test_every_rank_clears_its_windows(worlds, backend: str, world: int, need_sync: int) -> None:
    w = worlds(world, seed=world + need_sync)
    elastic = all_linked(world)
    w.run(elastic, list(range(world)), need_sync, backend)
    w.check(elastic, list(range(world)), need_sync)


@pytest.mark.parametrize("backend", BACKENDS)
def test_world_128_without_sync(worlds, backend: str) -> None:
    w = worlds(128, seed=1)
    elastic = all_linked(128)
    w.run(elastic, list(range(128)), 0, backend)
    w.check(elastic, list(range(128)), 0)


@pytest.mark.parametrize("backend", BACKENDS)
def test_world_128_with_sync_on_a_linked_group(worlds, backend: str) -> None:
    """16 linked ranks of 128 exchange flags; the others are isolated and do not run."""
    w = worlds(128, seed=2)
    group = list(range(0, 128, 8))
    row = np.zeros(128, np.int32)
    row[group] = 1
    elastic = {r: row for r in group}
    w.run(elastic, group, 1, backend)
    w.check(elastic, group, 1)


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("g++") is None, reason="needs g++")
def test_world_128_with_sync_emu(worlds) -> None:
    """All 128 ranks, each an emulator process of 40 core threads, on however few CPUs the machine has."""
    w = worlds(128, seed=3)
    elastic = all_linked(128)
    w.run(elastic, list(range(128)), 1, "emu", timeout=300)
    w.check(elastic, list(range(128)), 1)


@pytest.mark.parametrize("backend", BACKENDS)
def test_isolated_ranks_are_not_waited_for(worlds, backend: str) -> None:
    """Ranks 5 and 11 are isolated (marked 0 by everyone, and not running): the others complete without them."""
    w = worlds(16, seed=4)
    isolated = [5, 11]
    row = np.ones(16, np.int32)
    row[isolated] = 0
    running = [r for r in range(16) if r not in isolated]
    elastic = {r: row for r in running}
    w.run(elastic, running, 1, backend)
    w.check(elastic, running, 1)
    for r in isolated:  # nobody touched them
        assert np.array_equal(w.dom.data_window(r), w.data0[r])
        assert np.array_equal(w.dom.state_window(r), w.state0[r])


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_missing_peer_times_out_naming_it(worlds, backend: str) -> None:
    """Rank 3 is marked linked but never runs: every other rank fails after the timeout, naming rank 3."""
    w = worlds(16, seed=5)
    elastic = all_linked(16)
    running = [r for r in range(16) if r != 3]
    with pytest.raises(DeviceRuntimeError, match=r"ranks \[3\] did not arrive within 1\.5 s"):
        w.run(elastic, running, 1, backend, timeout=1.5)
    for r in running:  # the local clean happened before the wait
        assert not w.dom.data_window(r).any()
        assert not w.dom.state_window(r)[:STATE_CLEAN_BYTES].any()


@pytest.mark.parametrize("stage", ["split", "distributed", "tiled", "allocated", "ascendc", "synced", "clean"])
def test_every_pipeline_stage(worlds, stage: str) -> None:
    """4 linked ranks of 16 with need_sync 1 at each stage (the cores of a rank run concurrently from 'distributed')."""
    w = worlds(16, seed=6)
    group = [0, 1, 2, 9]
    row = np.zeros(16, np.int32)
    row[group] = 1
    elastic = {r: row for r in group}
    w.run(elastic, group, 1, "interp", stage=stage)
    w.check(elastic, group, 1)


ERRORS = [
    # (what, kwargs changed from a valid call, code)
    ("elastic_info null", {"elastic_info": None}, 161001),
    ("group_ep null", {"group_ep": None}, 161001),
    ("group_ep empty", {"group_ep": ""}, 161002),
    ("group_ep of 128 characters", {"group_ep": "g" * 128}, 161002),
    ("elastic_info int64", {"elastic_info": np.ones(16, np.int64)}, 161002),
    ("elastic_info float32", {"elastic_info": np.ones(16, np.float32)}, 161002),
    ("elastic_info 2-D", {"elastic_info": np.ones((1, 16), np.int32)}, 161002),
    ("elastic_info of 32 for W 16", {"elastic_info": np.ones(32, np.int32)}, 161002),
    ("W 15", {"elastic_info": np.ones(15, np.int32), "ep_world_size": 15}, 561002),
    ("W 144", {"elastic_info": np.ones(144, np.int32), "ep_world_size": 144}, 561002),
    ("W 0", {"elastic_info": np.ones(0, np.int32), "ep_world_size": 0}, 561002),
    ("W 24", {"elastic_info": np.ones(24, np.int32), "ep_world_size": 24}, 561002),
    ("need_sync 2", {"need_sync": 2}, 561002),
    ("need_sync -1", {"need_sync": -1}, 561002),
]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(("what", "change", "code"), ERRORS, ids=[e[0] for e in ERRORS])
def test_invalid_calls_write_nothing(worlds, backend: str, what: str, change: dict[str, Any], code: int) -> None:
    w = worlds(16, seed=7)
    call: dict[str, Any] = {"elastic_info": np.ones(16, np.int32), "group_ep": w.dom.name, "ep_world_size": 16, "need_sync": 1}
    call.update(change)
    with pytest.raises(AclnnError) as info:
        moe_distribute_buffer_reset(**call, rank=0, backend=backend)
    assert info.value.code == code, info.value
    for r in range(16):
        assert np.array_equal(w.dom.data_window(r), w.data0[r])
        assert np.array_equal(w.dom.state_window(r), w.state0[r])


def test_the_call_needs_a_domain_and_a_rank(worlds) -> None:
    w = worlds(16, seed=8)
    with pytest.raises(Exception, match="no communication domain named 'nowhere'"):
        moe_distribute_buffer_reset(np.ones(16, np.int32), "nowhere", 16, 0, rank=0)
    with pytest.raises(Exception, match="outside the communication domain"):
        moe_distribute_buffer_reset(np.ones(16, np.int32), w.dom.name, 16, 0, rank=16)
    assert np.array_equal(w.dom.data_window(0), w.data0[0])


def test_the_printed_project_is_an_mc2_operator() -> None:
    """OpDef names group_ep as the HCCL group; the kernel takes its windows from the HCCL context, polls with a
    cache invalidate before each scalar read of its window, and the host sets batch mode for SyncAll."""
    from ascdsl.lowering.compile import compile_sources
    from ascdsl.lowering.opdef_printer import print_opdef
    from ascdsl.ops.moe_distribute_buffer_reset import moe_distribute_buffer_reset_kernel

    c = compile_sources(moe_distribute_buffer_reset_kernel)
    assert 'this->MC2().HcclGroup("group_ep");' in print_opdef(c.sig.spec)
    assert not c.sig.spec.outputs and [t.name for t in c.sig.spec.inputs] == ["elastic_info"]
    cpp = c.kernel_cpp
    assert "AscendC::GetHcclContext<AscendC::HCCL_GROUP_ID_0>()" in cpp
    assert "AscendC::SyncAll<true>();" in cpp
    lines = cpp.splitlines()
    polls = [i for i, line in enumerate(lines) if "stateWin" in line and ".GetValue(" in line]
    assert polls, "the wait reads its state window"
    for i in polls:
        assert "DataCacheCleanAndInvalid" in lines[i - 1], lines[i - 1 : i + 1]
    assert "context->SetScheduleMode(1);" in c.tiling_func_cpp

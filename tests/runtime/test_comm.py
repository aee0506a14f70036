"""Communication in the DSL, independent of any operator: ranks, windows, peer stores, the core barrier.

Kernels here are small and generic; each runs on the interpreter (tile and ascendc stages) and the emulator.
"""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import numpy as np
import pytest
from ascdsl.lowering.compile import compile_sources
from ascdsl.runtime import CommDomain, run

from ascdsl import (  # noqa: F401
    Attr,
    InOut,
    Tensor,
    comm_rank,
    comm_size,
    data_window,
    f32,
    fill,
    i32,
    kernel,
    state_window,
    store,
    sync_all,
)
from ascdsl.errors import AscdslError, DslError

needs_gxx = pytest.mark.skipif(shutil.which("g++") is None, reason="needs g++")
BACKENDS = [("interp", "tile"), ("interp", "clean"), pytest.param(("emu", None), marks=needs_gxx)]


@kernel(op_type="RingPut")
def ring_put(token: Tensor[i32, K], group: Attr[str]):
    """Each rank stores its token, then its rank id, at the start of the next rank's data window (as i32),
    and zeroes the first 64 bytes of its own state window."""
    me = comm_rank(group)
    n = comm_size(group)
    nxt = (me + 1) % n
    peer = data_window(group, nxt, i32)
    peer[0:K] = token[0:K]
    peer[K] = me
    fill(state_window(group, me)[0:64], 0)


def _run(k, args: dict, backend: tuple[str, str | None], rank: int):
    name, stage = backend
    if name == "interp":
        return run(k, args, backend="interp", stage=stage, rank=rank)
    return run(k, args, backend="emu", rank=rank)


@pytest.mark.parametrize("backend", BACKENDS)
def test_ranks_store_into_their_peers_windows(backend: tuple[str, str | None]) -> None:
    world = 5
    with CommDomain("ring", world, 256, state_window_bytes=256) as dom:
        for r in range(world):
            dom.data_window(r)[:] = 0xEE
            dom.state_window(r)[:] = 0xEE
        tokens = {r: np.arange(3, dtype=np.int32) + 100 * r for r in range(world)}
        dom.run(lambda r: _run(ring_put, {"token": tokens[r], "group": "ring"}, backend, r))
        for r in range(world):
            prev = (r - 1) % world
            got = dom.data_window(r)[:16].view(np.int32)
            assert list(got) == [*tokens[prev], prev], f"rank {r}"
            assert (dom.data_window(r)[16:] == 0xEE).all()
            assert not dom.state_window(r)[:64].any() and (dom.state_window(r)[64:] == 0xEE).all()


def test_a_communicating_kernel_needs_a_domain_and_a_rank() -> None:
    args = {"token": np.zeros(2, np.int32), "group": "no_such_ring"}
    with pytest.raises(AscdslError, match="pass rank="):
        run(ring_put, args)
    with pytest.raises(AscdslError, match="no communication domain named 'no_such_ring'"):
        run(ring_put, args, rank=0)


def test_the_printed_kernel_reads_windows_from_the_hccl_context() -> None:
    c = compile_sources(ring_put)
    cpp = c.kernel_cpp
    assert "AscendC::GetHcclContext<AscendC::HCCL_GROUP_ID_0>()" in cpp
    assert "commCtx->localUsrRankId" in cpp and "commCtx->rankSize" in cpp
    assert "CommWindow(commCtx," in cpp and "remoteRes[rank].nextDevicePtr" in cpp
    assert "commCtx->winSize / sizeof(int32_t)" in cpp and "commCtx->winExpSize / sizeof(uint8_t)" in cpp
    assert "SetScheduleMode" not in c.tiling_func_cpp  # no barrier, no batch mode


@kernel(op_type="BarrierProbe")
def barrier_probe(x: InOut[Tensor[f32, N]], y: InOut[Tensor[f32, M]]):
    """Every core fills its share of x, then core 0 reads the last element (another core's share)."""
    fill(x, 2.0)
    sync_all()
    y[0] = x[N - 1]


@pytest.mark.parametrize("stage", ["tile", "distributed", "ascendc", "clean"])
def test_the_core_barrier_orders_the_cores_interp(stage: str) -> None:
    x = np.zeros(64 * 1024, np.float32)
    y = np.zeros(4, np.float32)
    launch = run(barrier_probe, {"x": x, "y": y}, stage=stage)
    assert (x == 2.0).all()
    assert y[0] == 2.0  # without the barrier, core 0 would read x[N-1] before the last core wrote it
    if stage != "tile":
        assert launch.block_dim > 1


@needs_gxx
def test_the_core_barrier_orders_the_cores_emu() -> None:
    x = np.zeros(64 * 1024, np.float32)
    y = np.zeros(4, np.float32)
    report = run(barrier_probe, {"x": x, "y": y}, backend="emu")
    assert y[0] == 2.0 and (x == 2.0).all()
    assert report.schedule_mode == 1 and report.block_dim > 1


def test_the_printed_barrier_waits_for_the_dma_and_sets_batch_mode() -> None:
    c = compile_sources(barrier_probe)
    assert "AscendC::PipeBarrier<PIPE_ALL>();\n    AscendC::SyncAll<true>();" in c.kernel_cpp
    assert "context->SetScheduleMode(1);" in c.tiling_func_cpp


def _kernel_from(tmp_path: Path, body: str, params: str = "x: InOut[Tensor[f32, N]], group: Attr[str]"):
    src = f"""
from __future__ import annotations
from ascdsl import *
from ascdsl import comm_rank, data_window, sync_all

@kernel
def k({params}):
{textwrap.indent(textwrap.dedent(body), "    ")}
"""
    path = tmp_path / "k.py"
    path.write_text(src)
    ns: dict = {}
    exec(compile(src, str(path), "exec"), ns)
    return ns["k"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("me = comm_rank(x)", "must be the kernel's string attribute naming the communicator"),
        ("for i in range(2):\n    sync_all()", r"sync_all\(\) inside a loop"),
        ("w = data_window(group, 0, T)", "concrete dtype"),
    ],
)
def test_comm_builtins_report_misuse_at_the_line(tmp_path: Path, body: str, message: str) -> None:
    k = _kernel_from(tmp_path, body, "x: InOut[Tensor[T, N]], group: Attr[str]")
    with pytest.raises(DslError, match=message) as info:
        _ = k.ir
    assert info.value.span is not None and info.value.span.file.endswith("k.py")


def test_comm_domain_windows_are_shared_files() -> None:
    with CommDomain("files", 2, 64, state_window_bytes=96) as dom:
        dom.state_window(1)[:4] = [1, 2, 3, 4]
        dom.state_window(1).flush()
        assert dom.window_path("state", 1).read_bytes()[:4] == b"\x01\x02\x03\x04"
        assert dom.data_window(0).shape == (64,) and dom.state_window(0).shape == (96,)
        assert dom.owns(dom.data_window(1)[8:16]) and not dom.owns(np.zeros(4, np.uint8))
        assert CommDomain.find("files") is dom
        with pytest.raises(AscdslError, match="outside the communication domain"):
            dom.data_window(2)
        folder = dom.dir
    assert not folder.exists()
    with pytest.raises(AscdslError, match="no communication domain named 'files'"):
        CommDomain.find("files")


def test_comm_domain_run_reraises_the_first_error_after_all_ranks_stop() -> None:
    done: list[int] = []

    def fn(r: int) -> int:
        if r == 2:
            raise ValueError("rank 2 failed")
        done.append(r)
        return r * 10

    with CommDomain("runs", 4, 32, state_window_bytes=32) as dom:
        assert dom.run(lambda r: r * 10, ranks=[3, 1]) == [30, 10]
        with pytest.raises(ValueError, match="rank 2 failed"):
            dom.run(fn)
        assert sorted(done) == [0, 1, 3]

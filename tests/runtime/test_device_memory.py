"""runtime.DeviceMemory: a flat simulated address space, bounds-checked, shared by threads and processes."""

from __future__ import annotations

import itertools
import subprocess
import sys
import threading
import time

import numpy as np
import pytest
from ascdsl.runtime import DeviceMemory, run
from ascdsl.runtime.device_memory import ALIGN, DEFAULT_BASE

from ascdsl import DeviceRuntimeError, InOut, Tensor, gm_tensor, i32, i64, kernel, volatile
from ascdsl.errors import AscdslError, KernelTimeout


@pytest.fixture
def mem() -> DeviceMemory:
    with DeviceMemory(1 << 20) as m:
        yield m


def test_malloc_is_aligned_zeroed_disjoint_and_never_null(mem: DeviceMemory) -> None:
    mem.write(mem.malloc(64), np.full(64, 7, np.uint8))  # dirty bytes a later allocation must not see
    addrs = [mem.malloc(n) for n in (1, 100, 512, 4096, 3)]
    assert all(a % ALIGN == 0 and a >= DEFAULT_BASE for a in addrs)
    spans = sorted((a, a + n) for a, n in mem.allocations())
    assert all(e <= s for (_, e), (s, _) in itertools.pairwise(spans))
    for a in addrs:
        assert not mem.read(a, np.uint8, 1).any()


def test_write_read_round_trip_and_shared_views(mem: DeviceMemory) -> None:
    a = mem.malloc(40)
    mem.write(a, np.arange(10, dtype=np.int32))
    np.testing.assert_array_equal(mem.read(a, np.int32, 10), np.arange(10))
    view = mem.array(a, np.int32, (2, 5))
    view[1, 4] = -1
    assert mem.read(a + 36, np.int32, 1)[0] == -1
    assert mem.address_of(view) == a and mem.address_of(view[1]) == a + 20
    assert mem.address_of(np.zeros(4)) is None


@pytest.mark.parametrize(
    ("offset", "nbytes", "message"),
    [
        (0, 41, "1 bytes past its end"),
        (36, 8, "4 bytes past its end"),
        (-4, 4, "outside every allocation"),
    ],
)
def test_bounds_are_checked(mem: DeviceMemory, offset: int, nbytes: int, message: str) -> None:
    a = mem.malloc(40)
    with pytest.raises(DeviceRuntimeError, match=message):
        mem.read(a + offset, np.uint8, nbytes)


def test_null_and_freed_addresses(mem: DeviceMemory) -> None:
    with pytest.raises(DeviceRuntimeError, match="null address"):
        mem.read(0, np.int32, 1)
    a = mem.malloc(16)
    mem.free(a)
    with pytest.raises(DeviceRuntimeError, match="outside every allocation"):
        mem.read(a, np.int32, 1)
    with pytest.raises(DeviceRuntimeError, match="not the address of a live allocation"):
        mem.free(a)


def test_free_space_is_reused_and_full_memory_is_an_error() -> None:
    with DeviceMemory(64 * 1024) as m:
        a = m.malloc(8 * 1024)
        m.malloc(8 * 1024)
        m.free(a)
        assert m.malloc(4 * 1024) == a  # first fit
        with pytest.raises(DeviceRuntimeError, match="device memory is full"):
            m.malloc(64 * 1024)
    with pytest.raises(AscdslError, match="positive"):
        m.malloc(0)


def test_concurrent_mallocs_never_overlap(mem: DeviceMemory) -> None:
    got: list[tuple[int, int]] = []
    lock = threading.Lock()

    def worker(seed: int) -> None:
        rng = np.random.default_rng(seed)
        for _ in range(50):
            n = int(rng.integers(1, 300))
            a = mem.malloc(n)
            with lock:
                got.append((a, n))

    threads = [threading.Thread(target=worker, args=(s,)) for s in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    spans = sorted((a, a + n) for a, n in got)
    assert len(spans) == 400 and all(e <= s for (_, e), (s, _) in itertools.pairwise(spans))


def test_another_process_sees_the_same_bytes(mem: DeviceMemory) -> None:
    """The arena is a shared file: what one process writes, another process mapping it reads."""
    a = mem.malloc(8)
    mem.write(a, np.array([0x1234], np.int64))
    off = a - mem.base
    code = (
        "import numpy as np, sys; m = np.memmap(sys.argv[1], dtype=np.uint8, mode='r+'); "
        f"o = {off}; v = int(m[o:o+8].view(np.int64)[0]); m[o:o+8].view(np.int64)[0] = v + 1"
    )
    subprocess.run([sys.executable, "-c", code, str(mem.path)], check=True)
    assert mem.read(a, np.int64, 1)[0] == 0x1235


def test_close_removes_the_file() -> None:
    m = DeviceMemory(1 << 16)
    path = m.path
    assert path.exists()
    m.close()
    assert not path.exists()
    with pytest.raises(AscdslError, match="closed"):
        m.malloc(4)


# ------------------------------------------------------------------ kernels on device memory (interp)


@kernel
def sum_at(ptr: InOut[Tensor[i64, N]]):
    data = gm_tensor(ptr[0], i32, ptr[1])
    s = 0
    for i in range(ptr[1]):
        s += data[i]
    ptr[2] = s


@kernel
def wait_for(box: InOut[Tensor[i32, N]]):
    n = 0
    while volatile(box[0]) != 7:
        n += 1
    box[1] = 1


@pytest.mark.parametrize("backend", ["interp", "emu"])
def test_a_kernel_follows_an_address_into_device_memory(mem: DeviceMemory, backend: str) -> None:
    a = mem.malloc(40)
    mem.write(a, np.arange(10, dtype=np.int32))
    ptr = np.array([a, 10, 0], np.int64)
    run(sum_at, {"ptr": ptr}, memory=mem, backend=backend)
    assert ptr[2] == 45


@pytest.mark.parametrize("backend", ["interp", "emu"])
def test_reading_past_an_allocation_is_an_error_and_writes_nothing(mem: DeviceMemory, backend: str) -> None:
    a = mem.malloc(40)
    ptr = np.array([a, 11, -1], np.int64)
    with pytest.raises(DeviceRuntimeError, match="past its end"):
        run(sum_at, {"ptr": ptr}, memory=mem, backend=backend)
    assert ptr[2] == -1


def test_gm_tensor_without_memory_is_a_located_error() -> None:
    with pytest.raises(DeviceRuntimeError, match="pass memory=DeviceMemory") as info:
        run(sum_at, {"ptr": np.array([4096, 1, 0], np.int64)})
    assert info.value.span is not None and info.value.span.line > 0


@pytest.mark.parametrize("backend", ["interp", "emu"])
def test_a_thread_releases_a_polling_kernel(mem: DeviceMemory, backend: str) -> None:
    box = mem.array(mem.malloc(16), np.int32, 4)
    th = threading.Thread(target=lambda: (time.sleep(0.4), box.__setitem__(0, 7)), daemon=True)
    th.start()
    run(wait_for, {"box": box}, memory=mem, backend=backend, timeout=60)
    th.join()
    assert box[1] == 1


@pytest.mark.parametrize("backend", ["interp", "emu"])
def test_timeout_is_kernel_timeout_and_writes_nothing(mem: DeviceMemory, backend: str) -> None:
    box = mem.array(mem.malloc(16), np.int32, 4)
    start = time.monotonic()
    with pytest.raises(KernelTimeout):
        run(wait_for, {"box": box}, memory=mem, backend=backend, timeout=0.5)
    assert time.monotonic() - start < 30
    assert not box.any()

"""What the real headers reject at compile time is rejected here too, and g++ errors come back short."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from ascdsl.runtime.emulator import EmuCompileError
from ascdsl.runtime.emulator.build import first_errors
from emu_probe_project import KERNEL_HEAD, run_probe, write_probe_project

KERNEL = """
extern "C" __global__ __aicore__ void emu_probe(GM_ADDR x, GM_ADDR w, GM_ADDR y, GM_ADDR workspace, GM_ADDR tiling)
{
    TPipe pipe;
    TBuf<TPosition::VECCALC> buf;
    pipe.InitBuffer(buf, 1024);
    LocalTensor<float> f = buf.Get<float>();
    LocalTensor<half> h = buf.Get<half>();
    LocalTensor<int8_t> i8 = buf.Get<int8_t>();
    LocalTensor<bfloat16_t> bf = buf.Get<bfloat16_t>();
    Adds(f, f, 0.5, 8);                                // a double scalar for float tensors
    Muls(h, h, 0.5f, 8);                               // a float scalar for half tensors
    Cast(i8, f, RoundMode::CAST_RINT, 8);              // no float -> int8_t on A2
    Cast(h, bf, RoundMode::CAST_NONE, 8);              // no bfloat16_t -> half on A2
    pipe.InitBuffer(buf, 2, 1024);                     // a TBuf takes InitBuffer(buf, len)
}
"""


@pytest.fixture(scope="module")
def message(tmp_path_factory: pytest.TempPathFactory) -> str:
    project = write_probe_project(tmp_path_factory.mktemp("compile"), KERNEL)
    with pytest.raises(EmuCompileError) as info:
        run_probe(project, 0, np.zeros(8, np.float32), np.zeros(8, np.float32))
    return str(info.value)


def _line(message: str, text: str) -> str:
    return next(ln for ln in message.splitlines() if text in ln)


def _source_line(text: str) -> int:
    return next(i + 1 for i, ln in enumerate((KERNEL_HEAD + KERNEL).splitlines()) if text in ln)


def test_scalar_must_have_the_element_type(message: str) -> None:
    assert f"emu_probe.cpp:{_source_line('Adds(f, f, 0.5')}:" in _line(message, "for call to 'Adds")
    assert f"emu_probe.cpp:{_source_line('Muls(h, h')}:" in _line(message, "for call to 'Muls")


def test_missing_cast_pairs_do_not_compile(message: str) -> None:
    assert "static assertion failed: Cast float -> int8_t does not exist on Atlas A2" in message
    assert "static assertion failed: Cast bfloat16_t -> half does not exist on Atlas A2" in message


def test_initbuffer_of_a_tbuf_takes_no_count(message: str) -> None:
    assert "takes a TQue or TQueBind; a TBuf takes InitBuffer(buf, len)" in message


def test_errors_are_trimmed(message: str) -> None:
    assert message.startswith("g++ could not compile the kernel emu_probe.cpp")
    assert len(message.splitlines()) <= 11
    assert "note:" not in message


def test_first_errors_keeps_errors_and_instantiation_sites() -> None:
    spew = "\n".join(
        [
            "In file included from a.h:1,",
            "a.cpp:3:5: error: bad",
            "x.h:9: note: candidate",
            "a.cpp:7:1:   required from here",
            "   12 | code",
        ]
    )
    assert first_errors(spew) == "a.cpp:3:5: error: bad\na.cpp:7:1:   required from here"


def test_a_missing_kernel_file_is_reported(tmp_path: Path) -> None:
    project = write_probe_project(tmp_path, KERNEL)
    (project / "op_kernel/emu_probe.cpp").unlink()
    with pytest.raises(Exception, match=r"the kernel source .*emu_probe\.cpp does not exist"):
        run_probe(project, 0, np.zeros(8, np.float32), np.zeros(8, np.float32))

"""The printed Ascend C of struct fields, device addresses, volatile reads and count_equal.

Fields are GlobalTensors at exact byte offsets of the context buffer; a tensor at a device address is a
GlobalTensor on that address; every volatile read is preceded by DataCacheCleanAndInvalid on its line; a
count over flags moves them with DataCopy (one DMA per chunk) and never reads them one by one.
"""

from __future__ import annotations

import re
from pathlib import Path

from ascdsl.lowering.compile import compile_sources
from ascdsl.ops.attention_worker_scheduler import attention_worker_scheduler
from golden_files import check_golden
from test_kernel_printer import _syntax_check, needs_gxx

SCHED = attention_worker_scheduler


def _text() -> str:
    return compile_sources(SCHED).kernel_cpp


def test_printed_sources_match_their_golden_files() -> None:
    c = compile_sources(SCHED)
    name = c.sig.spec.kernel_name
    check_golden(f"kernels/{name}/{name}.cpp", c.kernel_cpp)
    check_golden(f"kernels/{name}/{name}_tiling.h", c.tiling_h)
    check_golden(f"kernels/{name}/{name}_tiling_func.cpp", c.tiling_func_cpp)


def test_fields_are_global_tensors_at_their_byte_offsets() -> None:
    text = _text()
    found = {name: ty for ty, name in re.findall(r"AscendC::GlobalTensor<(\w+)> (\w+);", text)}
    at_offset = r"(\w+)\.SetGlobalBuffer\(reinterpret_cast<__gm__ \w+\*>\(reinterpret_cast<__gm__ uint8_t\*>\(schedule_contextGm\.GetPhyAddr\(\)\) \+ (\d+)\)"
    offsets = {name: int(off) for name, off in re.findall(at_offset, text)}
    # the doc's table: micro_batch_num 4, schedule_mode 28, run_flag 128, token_info_buf 256, micro_batch_id 288
    assert offsets["micro_batch_num"] == 4 and found["micro_batch_num"] == "uint32_t"
    assert offsets["schedule_mode"] == 28 and found["schedule_mode"] == "int32_t"
    assert offsets["run_flag"] == 128 and found["run_flag"] == "int32_t"
    assert offsets["token_info_buf"] == 256 and found["token_info_buf"] == "uint64_t"
    assert offsets["micro_batch_id"] == 288


def test_flags_are_a_global_tensor_at_the_address_read_from_the_context() -> None:
    text = _text()
    assert re.search(r"flags\.SetGlobalBuffer\(reinterpret_cast<__gm__ int32_t\*>\(static_cast<uint64_t>\(\w+\)\), static_cast<uint64_t>\(flag_num\)\);", text)


def test_every_volatile_read_is_preceded_by_a_cache_invalidate() -> None:
    lines = _text().splitlines()
    reads = [i for i, line in enumerate(lines) if re.search(r"run_flag(_\d+)?\.GetValue", line)]
    assert len(reads) == 2  # before the loop and in every iteration
    for i in reads:
        assert "DataCacheCleanAndInvalid" in lines[i - 1] and "run_flag" in lines[i - 1]


def test_the_poll_moves_flags_by_dma_not_one_scalar_read_each() -> None:
    text = _text()
    loop = text[text.index("while (true)") :]
    assert "flags.GetValue" not in text
    assert re.search(r"AscendC::DataCopy\(\w+, flags\[\w+\], ", loop)
    assert re.search(r"AscendC::DataCopyPad\(\w+, flags\[\w+\], ", loop)
    assert "AscendC::ReduceSum(" in loop
    assert "AscendC::SetFlag<AscendC::HardEvent::V_S>" in loop  # before the scalar read of the sum


def test_the_id_is_published_after_the_flags_and_flushed() -> None:
    lines = _text().splitlines()
    (i,) = [i for i, line in enumerate(lines) if ".SetValue(0, static_cast<uint32_t>(target))" in line]
    assert "WaitFlag<AscendC::HardEvent::MTE3_S>" in lines[i - 1]  # the flags' DMA reset is done first
    assert "DataCacheCleanAndInvalid" in lines[i + 1]  # then the id leaves the data cache


@needs_gxx
def test_printed_kernel_compiles_against_the_ascend_c_stub(tmp_path: Path) -> None:
    result = _syntax_check(tmp_path, compile_sources(SCHED))
    assert result.returncode == 0, result.stderr[:4000]

"""The printed Ascend C kernel, tiling header and tiling function.

Golden files (golden/kernels/<kernel>/) pin the text of vadd and GatherPaKvCache byte for byte; rewrite them
with ASCDSL_UPDATE_GOLDEN=1 and review the diff. Independently of the goldens: every Cast names its
RoundMode, GM moves only through DataCopy / DataCopyPad, no `std::` on the device, `__aicore__` on every
helper, the entry lists inputs, outputs (`<name>_ref` for in-place tensors), workspace, tiling, and the
tiling struct holds exactly the fields the tiling function assigns. The kernel and its tiling header must
pass `g++ -fsyntax-only` against stubs_kernel/kernel_operator.h (the Ascend C names the printer uses,
declared with their real parameter types), for each dtype the kernel supports.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from functools import cache
from pathlib import Path

import pytest
from ascdsl.lowering import cann
from ascdsl.lowering.compile import CompiledKernel, compile_sources
from ascdsl.ops.gather_pa_kv_cache import GATHER_PA_KV_CACHE, gather_pa_kv_cache_norm
from ascdsl.ops.nsa_compress_with_cache import nsa_compress_with_cache_kernel
from golden_files import check_golden

from ascdsl import (
    Attr,
    InOut,
    Out,
    Tensor,
    bf16,
    cast,
    f16,
    f32,
    fill,
    i8,
    kernel,
    load,
    parallel,
    require,
    store,
    zeros,
)
from ascdsl import dtypes as dt
from ascdsl.cli import load_kernels, main
from ascdsl.operator import Operator

REPO = Path(__file__).resolve().parents[2]
VADD_FILE = REPO / "examples" / "vadd.py"
VADD = load_kernels(str(VADD_FILE))["vadd"]
GATHER = gather_pa_kv_cache_norm  # the "Norm" kernel on its own
GATHER_OP = GATHER_PA_KV_CACHE  # the operator: Norm and PA_NZ kernels, one tiling key each
HOST_STUBS = Path(__file__).parent / "stubs"
KERNEL_STUBS = Path(__file__).parent / "stubs_kernel"
GXX = shutil.which("g++")
needs_gxx = pytest.mark.skipif(GXX is None, reason="g++ not installed")


@kernel
def casts(x: Tensor[f32, N], h: Out[Tensor[f16, N]], w: Out[Tensor[f32, N]]):
    store(h, cast(load(x), f16, round="rint"))
    store(w, cast(cast(load(x), f16, round="floor"), f32) * 0.5)


@kernel
def scalar_forms(x: Tensor[T, N], z: Out[Tensor[T, N]], w: Out[Tensor[T, N]], s: Attr[float]):
    require(T in (f16, f32), code=161002, msg="x must be FLOAT16 or FLOAT")
    store(z, 3.0 - load(x))
    store(w, max(load(x) - s, 0.0))


@kernel
def fills(z: Out[Tensor[i8, N]], v: Out[Tensor[bf16, N]]):
    fill(z, -3)
    fill(v, 1.5)


@kernel
def scalar_rw(x: Tensor[f16, N], z: InOut[Tensor[f16, N]]):
    for i in parallel(N):
        z[i] = x[i] * 2.0 + z[i]


@kernel
def strided(x: Tensor[f32, R, C], z: InOut[Tensor[f32, R, C]], c0: Attr[int], width: Attr[int]):
    require(c0 >= 0 and width >= 0 and c0 + width <= C, code=561002, msg="columns out of range")
    z[:, c0 : c0 + width] = load(x[:, c0 : c0 + width]) * 2.0


@kernel
def accumulate(x: Tensor[T, K, N], w: Tensor[f32, K], z: InOut[Tensor[T, N]]):
    require(T in (f16, bf16), code=161002, msg="x must be FLOAT16 or BFLOAT16")
    acc = zeros([N], f32)
    for k in range(K):
        acc += cast(load(x[k]), f32) * w[k]
    store(z, cast(acc, T, round="rint"))


NSA = nsa_compress_with_cache_kernel
PRINTED = [VADD, GATHER, GATHER_OP, casts, scalar_forms, fills, scalar_rw, strided, accumulate, NSA]


@cache
def _compiled(k) -> CompiledKernel:
    return compile_sources(k)


def _ids(k) -> str:
    return k.op_type if isinstance(k, Operator) else k.name


def _functions(text: str) -> dict[str, list[str]]:
    """Top-level C++ functions of a printed file: head line -> body lines (a head, then `{` ... `}` at column 0)."""
    lines = text.splitlines()
    out: dict[str, list[str]] = {}
    i = 0
    while i < len(lines) - 1:
        if lines[i + 1] == "{" and lines[i].rstrip().endswith(")"):
            end = lines.index("}", i + 2)
            out[lines[i]] = lines[i + 2 : end]
            i = end
        i += 1
    return out


# ---------------------------------------------------------------- goldens


@pytest.mark.parametrize("k", [VADD, GATHER_OP, NSA], ids=_ids)
def test_printed_sources_match_their_golden_files(k) -> None:
    c = _compiled(k)
    name = c.sig.spec.kernel_name
    check_golden(f"kernels/{name}/{name}.cpp", c.kernel_cpp)
    check_golden(f"kernels/{name}/{name}_tiling.h", c.tiling_h)
    check_golden(f"kernels/{name}/{name}_tiling_func.cpp", c.tiling_func_cpp)


def test_printing_is_deterministic() -> None:
    a, b = compile_sources(VADD), compile_sources(VADD)
    assert (a.kernel_cpp, a.tiling_h, a.tiling_func_cpp) == (b.kernel_cpp, b.tiling_h, b.tiling_func_cpp)


# ---------------------------------------------------------------- structure of the kernel


@pytest.mark.parametrize("k", PRINTED, ids=_ids)
def test_every_cast_names_its_round_mode(k) -> None:
    for line in _compiled(k).kernel_cpp.splitlines():
        if "// mode: named by the caller" in line or "inline void CastOrCopy(" in line:
            continue  # the CastOrCopy helper: its call sites name the mode
        if "AscendC::Cast(" in line or "CastOrCopy(" in line:
            assert re.search(
                r"(AscendC::Cast|CastOrCopy)\([^,]+, [^,]+, AscendC::RoundMode::CAST_(NONE|RINT|FLOOR|CEIL|ROUND|TRUNC|ODD), ", line
            ), line


def test_the_cast_kernel_prints_the_modes_the_dsl_asked_for() -> None:
    modes = re.findall(r"AscendC::RoundMode::(CAST_\w+)", _compiled(casts).kernel_cpp)
    assert sorted(modes) == ["CAST_FLOOR", "CAST_NONE", "CAST_RINT"]  # f16 -> f32 is exact: CAST_NONE


@pytest.mark.parametrize("k", PRINTED, ids=_ids)
def test_gm_moves_only_through_data_copy_and_data_copy_pad(k) -> None:
    text = _compiled(k).kernel_cpp
    called = set(re.findall(r"AscendC::(\w*Copy\w*)\s*\(", text))
    assert called <= {"DataCopy", "DataCopyPad"}, called
    assert called or k is scalar_rw, "every kernel but the scalar one moves tiles"


@pytest.mark.parametrize("k", PRINTED, ids=_ids)
def test_no_std_library_on_the_device(k) -> None:
    c = _compiled(k)
    assert "std::" not in c.kernel_cpp
    assert "std::" not in c.tiling_h
    assert re.findall(r"#include [<\"]([^>\"]+)[>\"]", c.kernel_cpp) == [
        "kernel_operator.h",
        f"{c.sig.spec.kernel_name}_tiling.h",
    ]


@pytest.mark.parametrize("k", PRINTED, ids=_ids)
def test_every_function_of_the_kernel_file_is_aicore(k) -> None:
    lines = _compiled(k).kernel_cpp.splitlines()
    heads = [lines[i] for i in range(len(lines) - 1) if lines[i + 1].strip() == "{" and lines[i].rstrip().endswith(")")]
    assert len(heads) >= 3, heads  # FloorDiv, FillLocal, the entry
    for head in heads:
        assert "__aicore__" in head, head
    entry = [h for h in heads if h.startswith('extern "C"')]
    assert len(entry) == 1 and "__global__ __aicore__ void" in entry[0]


ENTRY_PARAMS = {
    "vadd": ["x", "y", "z"],
    "gather_pa_kv_cache": [
        "key_cache",
        "value_cache",
        "block_tables",
        "seq_lens",
        "key",
        "value",
        "seq_offset",
        "key_ref",
        "value_ref",
    ],
    "casts": ["x", "h", "w"],
    "scalar_forms": ["x", "z", "w"],
    "fills": ["z", "v"],
    "scalar_rw": ["x", "z", "z_ref"],
    "strided": ["x", "z", "z_ref"],
    "accumulate": ["x", "w", "z", "z_ref"],
    # op_semantics.md 3.1: input, weight, slot_mapping, output_cache (in), act_seq_len, block_table, output_cache (out)
    "nsa_compress_with_cache": ["input", "weight", "slot_mapping", "output_cache", "act_seq_len", "block_table", "output_cache_ref"],
}


@pytest.mark.parametrize("k", PRINTED, ids=_ids)
def test_entry_lists_inputs_then_outputs_then_workspace_and_tiling(k) -> None:
    c = _compiled(k)
    name = c.sig.spec.kernel_name
    m = re.search(rf'extern "C" __global__ __aicore__ void {name}\(([^)]*)\)', c.kernel_cpp)
    assert m, f"no entry named {name}"
    params = [p.strip() for p in m.group(1).split(",")]
    assert all(p.startswith("GM_ADDR ") for p in params), params
    names = [p.removeprefix("GM_ADDR ") for p in params]
    assert names == [*ENTRY_PARAMS[name], "workspace", "tiling"]
    # the entry hands its parameters, in order, to the device function of each tiling key
    keys = len(k.kernels) if isinstance(k, Operator) else 1
    for key in range(1, keys + 1):
        assert f"__aicore__ inline void {name}_key{key}({m.group(1)})" in c.kernel_cpp
        assert f"{name}_key{key}({', '.join(names)});" in c.kernel_cpp


def _struct_fields(header: str) -> dict[str, list[tuple[str, str]]]:
    structs = {}
    for m in re.finditer(r"struct (\w+) \{\n(.*?)\n\};", header, re.S):
        fields = []
        for line in m.group(2).splitlines():
            fm = re.fullmatch(r"    (bool|float|u?int(?:8|16|32|64)_t) (\w+);", line)
            assert fm, f"not a plain field: {line!r}"
            fields.append((fm.group(1), fm.group(2)))
        structs[m.group(1)] = fields
    return structs


@pytest.mark.parametrize("k", PRINTED, ids=_ids)
def test_tiling_struct_fields_are_exactly_those_the_tiling_function_assigns(k) -> None:
    c = _compiled(k)
    structs = _struct_fields(c.tiling_h)
    keys = len(k.kernels) if isinstance(k, Operator) else 1
    assert len(structs) == keys
    setters = {}
    for body in _functions(c.tiling_func_cpp).values():
        text = "\n".join(body)
        m = re.search(r"GetTilingData<(\w+)>\(\)", text)
        if m:
            setters[m.group(1)] = text
    readers = {}
    for body in _functions(c.kernel_cpp).values():
        text = "\n".join(body)
        m = re.search(r"GET_TILING_DATA_WITH_STRUCT\((\w+), td, tiling\);", text)
        if m:  # every specialisation of a kernel reads the same struct
            readers[m.group(1)] = readers.get(m.group(1), "") + text
    assert set(setters) == set(readers) == set(structs)
    for struct, fields in structs.items():
        names = [n for _, n in fields]
        assert len(names) == len(set(names)), f"{struct}: a field declared twice"
        assigned = re.findall(r"^\s+tiling->(\w+) = ", setters[struct], re.M)
        assert set(assigned) == set(names), (struct, set(assigned) ^ set(names))
        assert len(assigned) == len(set(assigned)), f"{struct}: a field assigned twice"
        read = set(re.findall(r"\btd\.(\w+)", readers[struct]))
        assert read <= set(names), read - set(names)
    if keys > 1:  # a kernel's struct is named after its first tiling key, which its tiling function sets
        for struct, body in setters.items():
            key = re.search(r"Key(\d+)TilingData$", struct).group(1)  # type: ignore[union-attr]
            assert f"context->SetTilingKey({key});" in body or f"context->SetTilingKey(static_cast<uint64_t>({key} + " in body


def test_every_gm_tensor_the_kernel_touches_gets_its_element_count() -> None:
    c = _compiled(GATHER)
    for tensor in ("key_cache", "value_cache", "block_tables", "seq_lens", "key", "value", "seq_offset"):
        assert f"{tensor}Gm.SetGlobalBuffer(reinterpret_cast<__gm__ " in c.kernel_cpp
        assert f"td.{tensor}_numel" in c.kernel_cpp


# ---------------------------------------------------------------- g++ against the stub kernel_operator.h


def _column(c: CompiledKernel, which: int | str) -> int:
    """A dtype column of the OpDef: an index, or the first column whose first tensor has dtype `which`."""
    if isinstance(which, int):
        return which
    return list(c.sig.spec.tensors[0].dtypes).index(which)


def _macro_defs(c: CompiledKernel, column: int) -> list[str]:
    """-DDTYPE_<NAME>=<Ascend C type> for the macros the kernel uses, in dtype column `column` of the OpDef."""
    defs = []
    for macro in sorted(set(re.findall(r"\bDTYPE_[A-Z0-9_]+\b", c.kernel_cpp))):
        base = macro.removeprefix("DTYPE_")
        pname = base.removesuffix("_REF").lower()
        p = next(p for p in c.sig.spec.tensors if p.name == pname)
        d = dt.BY_NAME[p.dtypes[column]]
        defs.append(f"-D{macro}={'uint8_t' if d.name.startswith('f8') else d.ascendc}")
    return defs


def _syntax_check(
    tmp_path: Path, c: CompiledKernel, column: int = 0, kernel_cpp: str | None = None
) -> subprocess.CompletedProcess:
    assert GXX is not None
    name = c.sig.spec.kernel_name
    (tmp_path / f"{name}.cpp").write_text(c.kernel_cpp if kernel_cpp is None else kernel_cpp)
    (tmp_path / f"{name}_tiling.h").write_text(c.tiling_h)
    cmd = [
        GXX,
        "-fsyntax-only",
        "-std=c++17",
        "-Wall",
        "-Wextra",
        "-Wno-unused-parameter",
        "-Werror",
        "-I",
        str(KERNEL_STUBS),
        "-I",
        str(tmp_path),
    ]
    return subprocess.run(
        [*cmd, *_macro_defs(c, column), str(tmp_path / f"{name}.cpp")], capture_output=True, text=True, timeout=120
    )


SYNTAX_CASES = [
    (VADD, "f16"),
    (VADD, "f32"),
    (VADD, "i32"),
    (GATHER, "f16"),
    (GATHER_OP, "bf16"),
    (GATHER_OP, "i8"),
    (GATHER_OP, -1),  # the last column: 64-bit indices
    (casts, 0),
    (scalar_forms, "f16"),
    (scalar_forms, "f32"),
    (fills, 0),
    (scalar_rw, 0),
    (strided, 0),
]


@needs_gxx
@pytest.mark.parametrize(("k", "which"), SYNTAX_CASES, ids=[f"{_ids(k)}-{w}" for k, w in SYNTAX_CASES])
def test_printed_kernel_compiles_against_the_ascend_c_stub(tmp_path: Path, k, which: int | str) -> None:
    c = _compiled(k)
    result = _syntax_check(tmp_path, c, _column(c, which))
    assert result.returncode == 0, result.stderr[:4000]


@needs_gxx
@pytest.mark.parametrize(
    ("old", "new", "error"),
    [
        ("AscendC::Add(", "AscendC::Addd(", "Addd"),
        ("AscendC::DataCopyPadExtParams<DTYPE_X>", "AscendC::DataCopyPadExtParams<float>", "DataCopyPad"),
        ("buf0.DeQue<DTYPE_X>()", "buf0.DeQue()", "DeQue"),
        ("AscendC::TQue<AscendC::TPosition::VECIN, 2> buf0;", "AscendC::TQue<AscendC::TPosition::VECIN> buf0;", "TQue"),
    ],
)
def test_the_stub_catches_printer_slips(tmp_path: Path, old: str, new: str, error: str) -> None:
    c = _compiled(VADD)
    assert old in c.kernel_cpp
    result = _syntax_check(tmp_path, c, 0, c.kernel_cpp.replace(old, new, 1))  # DTYPE_X = half
    assert result.returncode != 0 and error in result.stderr


def _host_syntax(project: Path, name: str) -> subprocess.CompletedProcess:
    assert GXX is not None
    cmd = [GXX, "-fsyntax-only", "-std=c++17", "-I", str(HOST_STUBS), str(project / "op_host" / f"{name}.cpp")]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


@needs_gxx
def test_vadd_op_host_with_the_printed_tiling_function_compiles(tmp_path: Path) -> None:
    from ascdsl.lowering.compile import compile_project

    compile_project(VADD, tmp_path)
    result = _host_syntax(tmp_path, "vadd")
    assert result.returncode == 0, result.stderr[:4000]


@needs_gxx
def test_gather_op_host_with_the_printed_tiling_function_compiles(tmp_path: Path) -> None:
    from ascdsl.lowering.compile import compile_project

    compile_project(GATHER_OP, tmp_path)
    result = _host_syntax(tmp_path, "gather_pa_kv_cache")
    assert result.returncode == 0, result.stderr[:4000]


# ---------------------------------------------------------------- the CLI


def test_cli_compile_writes_a_cann_project(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "vadd_project"
    assert main(["compile", str(VADD_FILE), "-o", str(out)]) == 0
    assert "vadd" in capsys.readouterr().out
    for d in ("op_host", "op_kernel"):
        assert (out / d).is_dir()
    for f in ("CMakePresets.json", "build.sh", "op_host/vadd.cpp", "op_kernel/vadd.cpp", "op_kernel/vadd_tiling.h"):
        assert (out / f).is_file(), f
    c = _compiled(VADD)
    assert (out / "op_kernel" / "vadd.cpp").read_text() == c.kernel_cpp
    assert (out / "op_kernel" / "vadd_tiling.h").read_text() == c.tiling_h
    assert c.tiling_func_cpp.strip() in (out / "op_host" / "vadd.cpp").read_text()


def test_cli_build_without_cann_fails_naming_ascend_home_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for var in cann.TOOLKIT_ENV_VARS:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setattr(cann, "DEFAULT_TOOLKIT_PATHS", (tmp_path / "no-ascend-toolkit",))
    out = tmp_path / "vadd_project"
    assert main(["compile", str(VADD_FILE), "-o", str(out)]) == 0
    capsys.readouterr()
    code = main(["build", str(out)])
    err = capsys.readouterr().err
    assert code != 0
    assert "ASCEND_HOME_PATH" in err and "no CANN toolkit found" in err
    assert "Traceback" not in err


def test_cli_build_of_a_directory_without_build_sh_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["build", str(tmp_path)]) != 0
    assert "build.sh" in capsys.readouterr().err

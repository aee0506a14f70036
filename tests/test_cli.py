"""The `ascdsl` command: ir, run, check; user mistakes exit 1 with one message and no traceback.

Most tests call `ascdsl.cli.main([...])` in-process (fast); a few run `python -m ascdsl.cli` to see exactly
what a user sees on stderr.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from ascdsl.cli import main

REPO = Path(__file__).resolve().parents[1]
VADD = REPO / "examples" / "vadd.py"

HEADER = """\
from __future__ import annotations

from ascdsl import Attr, InOut, Out, Tensor, f32, i32, kernel, load, store
"""

TWO_KERNELS = (
    HEADER
    + """

@kernel
def scale(x: Tensor[f32, N], z: Out[Tensor[f32, N]], s: Attr[float]):
    store(z, load(x) * s)


@kernel
def bump(y: InOut[Tensor[i32, N]], k: Attr[int], name: Attr[str]):
    for i in range(N):
        y[i] = y[i] + k
    if name == "twice":
        store(y, load(y) + k)
"""
)

DSL_ERROR = (
    HEADER
    + """

@kernel
def broken(x: Tensor[f32, N], z: Out[Tensor[f32, N]]):
    store(z, load(x) + undefined_name)
"""
)

OUT_OF_BOUNDS = (
    HEADER
    + """

@kernel
def oob(x: Tensor[f32, N], z: Out[Tensor[f32, N]]):
    z[0] = x[N]
"""
)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


def line_of(path: Path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def assert_one_message(err: str, *words: str) -> None:
    assert "Traceback" not in err, err
    assert err.strip(), "no message on stderr"
    for w in words:
        assert w in err, (w, err)


# ------------------------------------------------------------------------------------------ ir


def test_ir_prints_the_tile_ir(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "ir", str(VADD))
    assert code == 0, err
    assert "tile.kernel" in out and '"vadd"' in out and "tile.add" in out
    assert str(VADD) in out  # DSL locations
    code, out, _ = run_cli(capsys, "ir", str(VADD), "--no-locations")
    assert code == 0 and "tile.kernel" in out and str(VADD) not in out


def test_ir_picks_a_kernel_by_name(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "two.py", TWO_KERNELS)
    code, out, err = run_cli(capsys, "ir", f"{path}:bump")
    assert code == 0, err
    assert "tile.kernel" in out and '"bump"' in out and '"scale"' not in out
    code, out, err = run_cli(capsys, "ir", f"{path}:scale")
    assert code == 0, err
    assert '"scale"' in out and '"bump"' not in out


def test_ir_of_a_file_with_several_kernels_needs_a_name(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "two.py", TWO_KERNELS)
    code, out, err = run_cli(capsys, "ir", str(path))
    assert code == 1 and out == ""
    assert_one_message(err, "bump", "scale", "FILE:KERNEL")


def test_ir_unknown_stage(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "ir", str(VADD), "--emit", "bogus")
    assert code == 1
    assert_one_message(err, "unknown stage 'bogus'")


def test_ir_of_a_later_stage(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "ir", str(VADD), "--emit", "ascendc")
    assert code == 0
    assert "ascendc.data_copy_in" in out and "host.tiling_func" in out


# ------------------------------------------------------------------------------------------ run


def test_run_writes_the_outputs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    x = np.array([1.0, 2.5, -3.0], dtype=np.float32)
    y = np.array([0.5, 0.5, 4.0], dtype=np.float32)
    inputs, output = tmp_path / "in.npz", tmp_path / "out.npz"
    np.savez(inputs, x=x, y=y, z=np.zeros(3, np.float32))
    code, out, err = run_cli(capsys, "run", str(VADD), "--inputs", str(inputs), "--output", str(output))
    assert code == 0, err
    assert "z" in out and str(output) in out
    with np.load(output) as data:
        assert data.files == ["z"]  # the outputs only
        assert data["z"].dtype == np.float32
        assert data["z"].tolist() == [1.5, 3.0, 1.0]


def test_run_with_attrs_and_inout(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "two.py", TWO_KERNELS)
    inputs, output = tmp_path / "in.npz", tmp_path / "out.npz"
    np.savez(inputs, y=np.array([1, 2, 3], dtype=np.int32))
    argv = ["run", f"{path}:bump", "--inputs", str(inputs), "--output", str(output), "--attr", "k=10"]
    code, _, err = run_cli(capsys, *argv, "--attr", "name=twice")  # a bare word is a string
    assert code == 0, err
    with np.load(output) as data:
        assert data["y"].tolist() == [21, 22, 23]
    np.savez(inputs, x=np.array([1.0, 2.0], dtype=np.float32), z=np.zeros(2, np.float32))
    argv = ["run", f"{path}:scale", "--inputs", str(inputs), "--output", str(output), "--attr", "s=0.25"]
    code, _, err = run_cli(capsys, *argv)
    assert code == 0, err
    with np.load(output) as data:
        assert data["z"].tolist() == [0.25, 0.5]


def test_run_invalid_call_reports_the_aclnn_code(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    inputs, output = tmp_path / "in.npz", tmp_path / "out.npz"
    np.savez(inputs, x=np.ones(3, np.float64), y=np.ones(3, np.float64), z=np.zeros(3, np.float64))
    code, _, err = run_cli(capsys, "run", str(VADD), "--inputs", str(inputs), "--output", str(output))
    assert code == 1
    assert_one_message(err, "161002", "x")
    assert not output.exists()


def test_run_device_error_names_the_dsl_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "oob.py", OUT_OF_BOUNDS)
    inputs, output = tmp_path / "in.npz", tmp_path / "out.npz"
    np.savez(inputs, x=np.ones(3, np.float32), z=np.zeros(3, np.float32))
    code, _, err = run_cli(capsys, "run", str(path), "--inputs", str(inputs), "--output", str(output))
    assert code == 1
    assert_one_message(err, f"{path}:{line_of(path, 'z[0] = x[N]')}:", "out of range", "x")
    assert not output.exists()


def test_run_missing_inputs_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nope.npz"
    code, _, err = run_cli(capsys, "run", str(VADD), "--inputs", str(missing), "--output", str(tmp_path / "o.npz"))
    assert code == 1
    assert_one_message(err, str(missing))


def test_run_bad_attr_syntax_and_unknown_backend(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    inputs = tmp_path / "in.npz"
    np.savez(inputs, x=np.ones(2, np.float32), y=np.ones(2, np.float32), z=np.zeros(2, np.float32))
    base = ["run", str(VADD), "--inputs", str(inputs), "--output", str(tmp_path / "o.npz")]
    code, _, err = run_cli(capsys, *base, "--attr", "oops")
    assert code == 1
    assert_one_message(err, "NAME=VALUE")
    code, _, err = run_cli(capsys, *base, "--backend", "tpu")
    assert code == 1
    assert_one_message(err, "unknown backend 'tpu'")


def test_run_on_the_emulator(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    inputs, output = tmp_path / "in.npz", tmp_path / "o.npz"
    np.savez(inputs, x=np.array([1.0, 2.0], np.float32), y=np.array([0.5, 0.25], np.float32), z=np.zeros(2, np.float32))
    code, _, _ = run_cli(capsys, "run", str(VADD), "--inputs", str(inputs), "--output", str(output), "--backend", "emu")
    assert code == 0
    with np.load(output) as out:
        assert out["z"].tolist() == [1.5, 2.25]


def test_run_unwritable_output_is_one_message(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    inputs = tmp_path / "in.npz"
    np.savez(inputs, x=np.ones(2, np.float32), y=np.ones(2, np.float32), z=np.zeros(2, np.float32))
    output = tmp_path / "no" / "such" / "dir" / "out.npz"
    code, _, err = run_cli(capsys, "run", str(VADD), "--inputs", str(inputs), "--output", str(output))
    assert code == 1
    assert_one_message(err, str(output))


# ------------------------------------------------------------------------------------------ user mistakes


def test_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nope.py"
    code, out, err = run_cli(capsys, "ir", str(missing))
    assert code == 1 and out == ""
    assert_one_message(err, "no such file", str(missing))


def test_dsl_error_in_a_kernel_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "broken.py", DSL_ERROR)
    code, out, err = run_cli(capsys, "ir", str(path))
    assert code == 1 and out == ""
    line = line_of(path, "undefined_name")
    assert_one_message(err, f"{path}:{line}:", "undefined_name")
    assert err.count("error:") == 1


def test_unknown_kernel_name(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "two.py", TWO_KERNELS)
    code, out, err = run_cli(capsys, "ir", f"{path}:nope")
    assert code == 1 and out == ""
    assert_one_message(err, "'nope'", "bump", "scale")


def test_python_syntax_error_and_import_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "syntax.py", HEADER + "\ndef f(:\n    pass\n")
    code, _, err = run_cli(capsys, "ir", str(path))
    assert code == 1
    assert_one_message(err, str(path), "syntax error")
    path = write(tmp_path, "raises.py", HEADER + "\nraise RuntimeError('boom at import')\n")
    code, _, err = run_cli(capsys, "ir", str(path))
    assert code == 1
    assert_one_message(err, "boom at import")
    path = write(tmp_path, "empty.py", HEADER)
    code, _, err = run_cli(capsys, "ir", str(path))
    assert code == 1
    assert_one_message(err, "no @kernel")


def test_debug_shows_the_traceback(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nope.py"
    code, _, err = run_cli(capsys, "--debug", "ir", str(missing))
    assert code == 1
    assert "Traceback" in err and "no such file" in err
    path = write(tmp_path, "broken.py", DSL_ERROR)
    code, _, err = run_cli(capsys, "--debug", "ir", str(path))
    assert code == 1
    assert "Traceback" in err and "DslError" in err and "undefined_name" in err


def test_as_a_process(tmp_path: Path) -> None:
    """What a user sees: `python -m ascdsl.cli` with a DSL error (--debug is checked in-process above)."""
    path = write(tmp_path, "broken.py", DSL_ERROR)
    cmd = [sys.executable, "-m", "ascdsl.cli"]
    done = subprocess.run([*cmd, "ir", str(path)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and done.stdout == ""
    assert_one_message(done.stderr, f"{path}:{line_of(path, 'undefined_name')}:", "undefined_name")
    assert done.stderr.count("error:") == 1


# ------------------------------------------------------------------------------------------ check


def test_check_exits_0(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)  # anything check writes relative to the working directory lands here
    code, out, err = run_cli(capsys, "check")
    assert code == 0, out + err
    assert "PASS" in out and "FAIL" not in out

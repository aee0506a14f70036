"""Regression tests for the bugs the DSL fuzzing found: one test each.

Frontend and CLI bugs are fixed; each test here failed before its fix. Bugs whose cause is in the passes or
the lowering are strict xfails whose reason is the diagnosis: they start passing (and so failing as XPASS)
when the bug is fixed, and then become plain regression tests.
"""

from __future__ import annotations

import time
import warnings
from pathlib import Path

import numpy as np
import pytest
from fuzz_harness import assert_located_in, assert_user_result, known_bug, run_cli

import ascdsl
from ascdsl import cli
from ascdsl.errors import DslError
from ascdsl.kernel import Kernel
from ascdsl.pipeline import lower

HEADER = """\
from __future__ import annotations

from ascdsl import Attr, InOut, Out, Tensor, f16, f32, i32, kernel, load, reduce_sum, require, store, zeros

"""
SIGNATURE = "x: Tensor[f32, N], y: Out[Tensor[f32, N]], k: Attr[int], mode: Attr[str]"
GLOBALS = {**vars(ascdsl), "NEG": -3, "BIG": 2**70}


def make_kernel(tmp_path: Path, body: str, signature: str = SIGNATURE, name: str = "kk") -> tuple[Kernel, Path]:
    """A kernel from text, as @kernel makes it but without Python compiling it (so any text reaches the DSL)."""
    text = f"@kernel\ndef {name}({signature}):\n" + "".join(f"    {line}\n" for line in body.splitlines())
    path = tmp_path / f"{name}.py"
    path.write_text(HEADER + text)
    return Kernel(text, str(path), HEADER.count("\n") + 1, GLOBALS, name), path


def dsl_error(tmp_path: Path, body: str, signature: str = SIGNATURE) -> tuple[DslError, Path]:
    k, path = make_kernel(tmp_path, body, signature)
    with pytest.raises(DslError) as info:
        lower(k.ir, "clean")
    err = info.value
    assert err.span is not None and err.span.file == str(path), str(err)
    return err, path


def assert_error_at(tmp_path: Path, body: str, marker: str, message: str, signature: str = SIGNATURE) -> DslError:
    """`body` fails with `message` at the first occurrence of `marker` in the kernel ("|" in it marks the column)."""
    err, path = dsl_error(tmp_path, body, signature)
    lines = path.read_text().splitlines()
    text = marker.replace("|", "")
    line = next(i for i, t in enumerate(lines, 1) if text in t and i > HEADER.count("\n"))
    col = lines[line - 1].index(text) + 1 + max(marker.find("|"), 0)
    assert err.span is not None
    assert (err.span.line, err.span.col) == (line, col), str(err)
    assert message in err.message, str(err)
    return err


def assert_compiles(tmp_path: Path, body: str, signature: str = SIGNATURE) -> None:
    k, _ = make_kernel(tmp_path, body, signature)
    lower(k.ir, "clean")


# ------------------------------------------------------------------------------------ constants and builtins


def test_min_max_of_constants_that_are_not_numbers(tmp_path: Path) -> None:
    """Was a TypeError from Python's min(1, 'a')."""
    assert_error_at(tmp_path, "y[0] = min(1, 'a')", "min(1, 'a')", "min() takes numbers or tiles, got a str")
    assert_error_at(tmp_path, "y[0] = max(None, 2)", "max(None, 2)", "max() takes numbers or tiles, got a None")


def test_int_of_inf_and_float_of_a_huge_int(tmp_path: Path) -> None:
    """Were an OverflowError (int(inf)) and an OverflowError (float of a 400-digit int)."""
    assert_error_at(tmp_path, "y[0] = int(1e400)", "1e400", "int() of inf has no integer value")
    huge = "1" + "0" * 400
    assert_error_at(tmp_path, f"y[0] = float({huge})", huge[:20], "float() of this integer overflows a float")


def test_comparing_constants_python_cannot_order(tmp_path: Path) -> None:
    """Was a TypeError from `None < 1`."""
    assert_error_at(tmp_path, "y[0] = 1.0 if None < 1 else 2.0", "None < 1", "cannot compare a None with a int scalar")


@pytest.mark.parametrize(
    "condition",
    ['"a" < "b"', '"a" in "abc"', '"z" not in "abc"', '"b" >= "a"', '"a" in ("a", "b")', '"c" not in ("a", "b")'],
)
def test_constant_string_comparisons_follow_python(tmp_path: Path, condition: str) -> None:
    """`"a" < "b"` was folded as a membership test ("a" in ["b"]): False, so the require always failed."""
    assert_compiles(tmp_path, f'require({condition}, code=161002, msg="m")\ny[0] = 1.0')


def test_string_attribute_on_either_side_and_inside_a_tuple(tmp_path: Path) -> None:
    """`"a" in (mode,)` and `"a" == (1, 2)` were AttributeErrors; `"Norm" == mode` was refused."""
    assert_compiles(tmp_path, 'if "Norm" == mode:\n    y[0] = 1.0\nif "a" in (mode, "b"):\n    y[0] = 2.0')
    assert_error_at(
        tmp_path, 'y[0] = 1.0 if "a" == (1, 2) else 2.0', '"a" == (1, 2)', "cannot compare a str with a tuple"
    )
    err = assert_error_at(tmp_path, "y[0] = 1.0 if mode == 1 else 2.0", "mode == 1", "compared with string literals")
    assert err.hint is not None and 'mode == "Norm"' in err.hint


@pytest.mark.parametrize("expr", ["2 ** 10 ** 10", "1 << 10 ** 10", "(10 ** 300) ** 300"])
def test_huge_integer_constants_are_refused_quickly(tmp_path: Path, expr: str) -> None:
    """Folding these took minutes and gigabytes (and a 10**5000 index then failed in str())."""
    start = time.monotonic()
    assert_error_at(tmp_path, f"n = {expr}", expr, "is too large")
    assert time.monotonic() - start < 5


def test_a_huge_integer_literal_index(tmp_path: Path) -> None:
    """Was a ValueError: the message printed the 4000-digit value, over Python's int-to-str limit."""
    digits = "7" * 4000
    err = assert_error_at(tmp_path, f"y[0] = x[{digits}]", digits[:10], "does not fit in 64 bits")
    assert len(err.message) < 200


def test_complex_and_huge_string_constants(tmp_path: Path) -> None:
    assert_error_at(tmp_path, "q = (-8) ** 0.5", "(-8) ** 0.5", "complex number")
    assert_error_at(tmp_path, 'q = "ab" * 10 ** 12', '"ab" * 10 ** 12', "string constant is too long")


def test_float32_overflow_in_a_constant_prints_no_warning(tmp_path: Path) -> None:
    """numpy's "overflow encountered in cast" RuntimeWarning was a second message on stderr."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert_compiles(tmp_path, "q = 1e38 * 1e10\ny[0] = q")


def test_reduce_axis_out_of_range_or_repeated(tmp_path: Path) -> None:
    """axis=5 of a rank-1 tile silently became axis 0; axis=(0, 0) crashed numpy in the interpreter."""
    assert_error_at(
        tmp_path, "v = reduce_sum(load(x), axis=5)", "axis=|5", "axis 5 is out of range for a tile of rank 1"
    )
    assert_error_at(tmp_path, "v = reduce_sum(load(x), axis=(0, 0))", "axis=|(0, 0)", "axis 0 is repeated")


def test_negative_sizes_and_an_empty_reshape(tmp_path: Path) -> None:
    """Negative constant sizes built tiles and views of negative size; .reshape() built a rank-0 view."""
    assert_error_at(tmp_path, "store(y, zeros((-1,), f32))", "(-1,)", "a tile size is negative (-1)")
    assert_error_at(tmp_path, "store(y, load(x.reshape(-1)))", "x.reshape(-1)", "a reshape size is negative (-1)")
    assert_error_at(tmp_path, "store(y, load(x.reshape()))", "x.reshape()", ".reshape(...) takes the new sizes")


def test_require_code_out_of_range(tmp_path: Path) -> None:
    """A code of 10**30 (or 0, or negative) was accepted as an aclnn status code."""
    for code in ("10 ** 30", "0", "-1"):
        assert_error_at(
            tmp_path, f'require(N > 0, code={code}, msg="m")', f"code=|{code}", "positive 32-bit aclnn status code"
        )


def test_a_shape_is_described_as_a_shape(tmp_path: Path) -> None:
    """`x.shape == x.shape` said "cannot compare a method with a method"."""
    assert_error_at(tmp_path, "y[0] = 1.0 if x.shape == x.shape else 2.0", "x.shape == x.shape", "a shape with a shape")


def test_deeply_nested_statement(tmp_path: Path) -> None:
    """200 nested min(...) parse, but generating their IR overflowed Python's stack: a RecursionError."""
    body = "y[0] = " + "min(" * 200 + "1.0" + ", 2.0)" * 200
    assert_error_at(tmp_path, body, "y[0] =", "nested too deeply")


# ------------------------------------------------------------------------------------ the signature


def test_default_that_is_not_a_number(tmp_path: Path) -> None:
    """`n: Attr[int] = -"a"` was a TypeError in the signature reader."""
    err, _ = dsl_error(tmp_path, "pass", f'{SIGNATURE}, n: Attr[int] = -"a"')
    assert "a default value must be a literal" in err.message


def test_default_that_does_not_fit_64_bits(tmp_path: Path) -> None:
    err, _ = dsl_error(tmp_path, "pass", f"{SIGNATURE}, n: Attr[int] = {10**30}")
    assert "the default of n does not fit in 64 bits" in err.message


@pytest.mark.parametrize(
    ("dim", "message"),
    [
        ("NEG", "is negative (-3)"),
        ("BIG", "does not fit in 64 bits"),
        (str(2**64), "does not fit in 64 bits"),
        ("-4", "is negative"),
    ],
)
def test_dimension_from_a_global_or_literal_out_of_range(tmp_path: Path, dim: str, message: str) -> None:
    """A global NEG = -3 (or 2**70) used as a dimension was accepted; only negative literals were checked."""
    err, _ = dsl_error(tmp_path, "store(y, load(x))", f"x: Tensor[f32, {dim}], y: Out[Tensor[f32, N]]")
    assert f"dimension of x {message}" in err.message


def test_a_blank_kernel_source_through_the_api() -> None:
    """`Kernel("   \\n", ...).ir` was a StopIteration from looking for the first line's indentation."""
    with pytest.raises(DslError, match="expected a function definition"):
        _ = Kernel("   \n", "<blank>", 1, {}, "f").ir


# ------------------------------------------------------------------------------------ the CLI


def write(tmp_path: Path, body: str, name: str = "user.py", before: str = "") -> Path:
    path = tmp_path / name
    path.write_text(
        HEADER + before + f"\n@kernel\ndef kk({SIGNATURE}):\n" + "".join(f"    {b}\n" for b in body.splitlines())
    )
    return path


def line_of(path: Path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def test_python_compile_warnings_are_not_a_second_message(tmp_path: Path) -> None:
    """Python's SyntaxWarning ('"is" with a literal') was printed before the DSL error."""
    path = write(tmp_path, "y[0] = 1.0 if k is 0 else 2.0")
    r = run_cli("ir", str(path))
    assert_user_result(r, path, located=True)
    assert r.code == 1 and "SyntaxWarning" not in r.err and r.err.count("error:") == 1, r
    assert assert_located_in(r.err, path, r)[0] == line_of(path, "k is 0")


def test_python_syntax_error_has_a_column(tmp_path: Path) -> None:
    """An IndentationError of a line at column 0 was printed as `file:line:0:`: no column 0 exists."""
    path = write(tmp_path, "if k > 0:")
    path.write_text(path.read_text() + "y[0] = 1.0\n")
    r = run_cli("ir", str(path))
    assert_user_result(r, path, located=True)
    line, col = assert_located_in(r.err, path, r)
    assert (line, col) == (line_of(path, "y[0] = 1.0"), 1) and "Python syntax error" in r.err and "^" in r.err, r


def test_an_exception_at_import_is_located(tmp_path: Path) -> None:
    """`importing F failed: NameError: ...` did not say where."""
    path = write(tmp_path, "pass", before="\nLIMIT = undefined_constant * 2\n")
    r = run_cli("ir", str(path))
    assert_user_result(r, path, located=True)
    assert assert_located_in(r.err, path, r)[0] == line_of(path, "undefined_constant"), r
    assert "NameError" in r.err


def test_sys_exit_at_import(tmp_path: Path) -> None:
    """A file calling sys.exit(3) at import made `ascdsl` exit 3 without a word (SystemExit is no Exception)."""
    path = write(tmp_path, "pass", before="\nimport sys\nsys.exit(3)\n")
    r = run_cli("ir", str(path))
    assert_user_result(r, path, located=True)
    assert r.code == 1 and "sys.exit(3)" in r.err, r


def test_run_with_a_corrupt_npz(tmp_path: Path) -> None:
    """A file that is not a zip was a BadZipFile traceback."""
    inputs = tmp_path / "in.npz"
    inputs.write_bytes(b"PK\x03\x04 not really a zip")
    vadd = Path(__file__).resolve().parents[2] / "examples" / "vadd.py"
    r = run_cli("run", str(vadd), "--inputs", str(inputs), "--output", str(tmp_path / "out.npz"))
    assert r.code == 1 and f"cannot read {inputs}" in r.err and "Traceback" not in r.err, r
    assert not (tmp_path / "out.npz").exists()
    np.savez(inputs, x=np.ones(2, np.float32))  # a good file still works up to the binding
    assert run_cli("run", str(vadd), "--inputs", str(inputs), "--output", str(tmp_path / "o.npz")).code == 1


def test_compile_into_a_place_that_cannot_be_a_directory(tmp_path: Path) -> None:
    """`-o` naming an existing file (or a path under one) was a FileExistsError / NotADirectoryError traceback."""
    vadd = Path(__file__).resolve().parents[2] / "examples" / "vadd.py"
    blocker = tmp_path / "file"
    blocker.write_text("x")
    for out in (blocker, blocker / "sub"):
        r = run_cli("compile", str(vadd), "-o", str(out))
        assert r.code == 1 and f"cannot write the project to {out}" in r.err and "Traceback" not in r.err, r


def test_any_other_exception_is_an_internal_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A bug of ascdsl is one "internal error: ... (please report)" line and exit 2; --debug adds the traceback."""

    def broken(args: object) -> int:
        raise KeyError("some_internal_key")

    monkeypatch.setattr(cli, "cmd_ir", broken)
    vadd = str(Path(__file__).resolve().parents[2] / "examples" / "vadd.py")
    assert cli.main(["ir", vadd]) == 2
    err = capsys.readouterr().err
    assert err == "internal error: KeyError: 'some_internal_key' (please report)\n"
    assert cli.main(["--debug", "ir", vadd]) == 2
    err = capsys.readouterr().err
    assert "Traceback" in err and "some_internal_key" in err and err.rstrip().endswith("(please report)")


def test_user_errors_still_exit_1(tmp_path: Path) -> None:
    path = write(tmp_path, "store(y, laod(x))")
    r = run_cli("ir", str(path))
    assert r.code == 1 and "did you mean load" in r.err, r


# ------------------------------------------------------------------------------------ outside the frontend


def test_compile_of_a_dtype_variable_without_a_domain(tmp_path: Path) -> None:
    path = tmp_path / "nodomain.py"
    path.write_text(HEADER + "\n@kernel\ndef nodomain(x: Tensor[T, N], y: Out[Tensor[T, N]]):\n    store(y, load(x))\n")
    assert run_cli("ir", str(path), "--emit", "clean").code == 0  # the device lowering itself is fine
    r = run_cli("compile", str(path), "-o", str(tmp_path / "project"))
    assert known_bug(r.err) is None, r
    assert r.code == 1 and "T" in r.err, r
    assert assert_located_in(r.err, path, r)[0] == line_of(path, "def nodomain"), r


def test_a_long_chain_of_scalar_statements(tmp_path: Path) -> None:
    path = write(tmp_path, "n = k\n" + "n = n + 1\n" * 300 + "y[0] = float(n)")
    r = run_cli("ir", str(path), "--emit", "split")
    assert r.code == 0, r


def test_an_unused_tile_compiles(tmp_path: Path) -> None:
    path = write(tmp_path, "t = exp(load(x))\nstore(y, load(x))", before="from ascdsl import exp\n")
    r = run_cli("ir", str(path), "--emit", "clean")
    assert r.code == 0, r

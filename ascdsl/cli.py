"""The `ascdsl` command.

    ascdsl ir FILE[:KERNEL] [--emit tile] [--no-locations]     print a kernel's IR
    ascdsl run FILE[:KERNEL] --inputs in.npz --output out.npz [--attr NAME=VALUE ...]
    ascdsl compile FILE[:KERNEL] -o DIR [--soc SOC ...]       write a CANN custom-operator project
    ascdsl check                                              run every operator's doc examples and check them

A user mistake prints one message (file:line:col for DSL errors, Python syntax errors and exceptions raised
while importing the file) and exits 1; anything else is a bug of ascdsl and prints one
"internal error: ... (please report)" line and exits 2. --debug shows the traceback of either.
"""

from __future__ import annotations

import argparse
import ast as pyast
import importlib.util
import sys
import traceback
import warnings
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ascdsl.errors import AscdslError, DslError, Span
from ascdsl.kernel import Kernel
from ascdsl.pipeline import STAGES


def load_kernels(path: str) -> dict[str, Kernel]:
    """Import a kernel file as Python (its top level runs; kernel bodies never do) and list its kernels."""
    file = Path(path)
    if not file.is_file():
        raise AscdslError(f"no such file: {path}")
    name = f"_ascdsl_user_{abs(hash(file.resolve()))}"
    spec = importlib.util.spec_from_file_location(name, file)
    if spec is None or spec.loader is None:
        raise AscdslError(f"cannot load {path} as a Python file")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        with warnings.catch_warnings():
            # Python's compile-time warnings ("is" with a literal, invalid escapes) would be a second message;
            # the DSL frontend reports what matters in a kernel.
            warnings.simplefilter("ignore", SyntaxWarning)
            warnings.simplefilter("ignore", DeprecationWarning)
            spec.loader.exec_module(module)
    except AscdslError:
        raise
    except SyntaxError as exc:
        raise _syntax_error(exc, str(file)) from None
    except SystemExit as exc:  # the file calls sys.exit() at import: it is a script, not a kernel module
        span = _user_frame(exc, file)
        message = f"importing {path} failed: it calls sys.exit({exc.code!r}) at import"
        hint = "keep scripts under `if __name__ == \"__main__\":`"
        raise (DslError(message, span, hint) if span is not None else AscdslError(f"{message}; {hint}")) from None
    except Exception as exc:
        message = f"importing {path} failed: {type(exc).__name__}: {exc}"
        span = _user_frame(exc, file)
        raise (DslError(message, span) if span is not None else AscdslError(message)) from None
    return {k: v for k, v in vars(module).items() if isinstance(v, Kernel)}


def _syntax_error(exc: SyntaxError, default_file: str) -> AscdslError:
    """A Python syntax error of a kernel file, at its line and column (Python gives column 0 or None at times)."""
    file = exc.filename or default_file
    if exc.lineno is None:
        return AscdslError(f"{file}: Python syntax error: {exc.msg}")
    line, col = exc.lineno, max(exc.offset or 1, 1)
    end_line, end_col = exc.end_lineno or line, exc.end_offset or col + 1
    if (end_line, end_col) <= (line, col):
        end_line, end_col = line, col + 1
    return DslError(f"Python syntax error: {exc.msg}", Span(file, line, col, end_line, end_col))


def _user_frame(exc: BaseException, file: Path) -> Span | None:
    """Where in the user's file (the innermost frame there) an exception raised while importing it came from."""
    found = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.lineno is not None and Path(frame.filename).resolve() == file.resolve():
            found = frame
    if found is None:
        return None
    line = found.lineno or 1
    col = (found.colno or 0) + 1
    end_col = (found.end_colno or col) + 1 if found.end_lineno == line else col + 1
    return Span(str(file), line, col, line, max(end_col, col + 1))


def pick_kernel(target: str) -> Kernel:
    path, wanted = target, ""
    if not Path(target).is_file() and ":" in target:
        path, _, wanted = target.rpartition(":")
    kernels = load_kernels(path)
    if not kernels:
        raise AscdslError(f"{path} defines no @kernel")
    if wanted:
        if wanted not in kernels:
            raise AscdslError(f"{path} has no kernel {wanted!r}; it has: {', '.join(sorted(kernels))}")
        return kernels[wanted]
    if len(kernels) > 1:
        raise AscdslError(f"{path} has several kernels ({', '.join(sorted(kernels))}); name one as FILE:KERNEL")
    return next(iter(kernels.values()))


def cmd_ir(args: argparse.Namespace) -> int:
    from ascdsl.ir_text import print_module
    from ascdsl.pipeline import lower

    k = pick_kernel(args.target)
    module = k.ir if args.emit == "tile" else lower(k.ir, args.emit)
    sys.stdout.write(print_module(module, locations=not args.no_locations))
    return 0


def _attr_value(text: str) -> Any:
    try:
        return pyast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text  # a bare word is a string attribute


def cmd_run(args: argparse.Namespace) -> int:
    from ascdsl.runtime import run
    from ascdsl.runtime.interpreter.engine import find_kernel

    k = pick_kernel(args.target)
    try:
        with np.load(args.inputs, allow_pickle=False) as data:
            values: dict[str, Any] = {n: data[n] for n in data.files}
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as exc:
        raise AscdslError(f"cannot read {args.inputs}: {exc}") from None
    for item in args.attr:
        name, sep, text = item.partition("=")
        if not sep:
            raise AscdslError(f"--attr {item!r}: write NAME=VALUE")
        values[name] = _attr_value(text)
    run(k, values, backend=args.backend)
    op = find_kernel(k.ir)
    outputs = {n: values[n] for n, r in zip(op.names, op.roles, strict=True) if r in ("out", "inout") and values.get(n) is not None}
    try:
        np.savez(args.output, **outputs)
    except OSError as exc:
        raise AscdslError(f"cannot write {args.output}: {exc.strerror or exc}") from None
    print(f"wrote {', '.join(outputs)} to {args.output}")
    return 0


def cmd_compile(args: argparse.Namespace) -> int:
    from ascdsl.lowering.compile import compile_project

    k = pick_kernel(args.target)
    try:
        files = compile_project(k, Path(args.output), socs=tuple(args.soc), op_type=args.op_type)
    except OSError as exc:
        raise AscdslError(f"cannot write the project to {args.output}: {exc.strerror or exc}") from None
    print(f"wrote {len(files)} files of the {k.name} project to {args.output}")
    return 0


def cmd_build(args: argparse.Namespace) -> int:
    from ascdsl.lowering.cann import build_project

    return build_project(Path(args.project))


def cmd_check(args: argparse.Namespace) -> int:
    from ascdsl.main_job import check_everything, check_file

    if args.target:
        return 0 if check_file(args.target, pick_kernel(args.target)) else 1
    return 0 if check_everything(Path(args.build_dir)) else 1


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="ascdsl", description="Compile and run Ascend NPU operators written in the ascdsl DSL.")
    p.add_argument("--debug", action="store_true", help="show the Python traceback of an error")
    sub = p.add_subparsers(dest="command", required=True)
    ir = sub.add_parser("ir", help="print a kernel's IR")
    ir.add_argument("target", help="FILE or FILE:KERNEL")
    ir.add_argument("--emit", default="tile", help="the stage to print: " + ", ".join(STAGES))
    ir.add_argument("--no-locations", action="store_true", help="leave out the DSL source locations")
    ir.set_defaults(func=cmd_ir)
    rn = sub.add_parser("run", help="run a kernel on inputs from an .npz file")
    rn.add_argument("target", help="FILE or FILE:KERNEL")
    rn.add_argument("--inputs", required=True, help=".npz with one array per tensor parameter")
    rn.add_argument("--output", required=True, help=".npz to write the Out/InOut tensors to")
    rn.add_argument("--attr", action="append", default=[], metavar="NAME=VALUE", help="an attribute or host list")
    rn.add_argument("--backend", default="interp", help="interp (default), emu or npu")
    rn.set_defaults(func=cmd_run)
    cp = sub.add_parser("compile", help="compile a kernel to a CANN custom-operator project")
    cp.add_argument("target", help="FILE or FILE:KERNEL")
    cp.add_argument("-o", "--output", required=True, help="the project directory to write")
    cp.add_argument("--soc", action="append", default=None, help="ascend910b (default) and/or ascend910_93")
    cp.add_argument("--op-type", default=None, help="the CamelCase OpType (default: from the kernel name)")
    cp.set_defaults(func=cmd_compile)
    bd = sub.add_parser("build", help="build a compiled project with the CANN toolkit (bash build.sh)")
    bd.add_argument("project", help="a directory written by ascdsl compile")
    bd.set_defaults(func=cmd_build)
    ck = sub.add_parser("check", help="compile and check kernels at every stage on the CPU (all operators when no FILE)")
    ck.add_argument("target", nargs="?", default=None, help="FILE or FILE:KERNEL")
    ck.add_argument("--build-dir", default="build", help="where the operators' projects are written (default: build)")
    ck.set_defaults(func=cmd_check)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if getattr(args, "soc", "x") is None:
        args.soc = ["ascend910b", "ascend910_93"]
    try:
        return int(args.func(args))
    except AscdslError as exc:
        if args.debug:
            traceback.print_exc()
        print(str(exc), file=sys.stderr)
        return 1
    except Exception as exc:  # a bug of ascdsl, not of the user: one line, and the traceback with --debug
        if args.debug:
            traceback.print_exc()
        text = str(exc).strip().splitlines()
        detail = f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__
        print(f"internal error: {detail} (please report)", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())

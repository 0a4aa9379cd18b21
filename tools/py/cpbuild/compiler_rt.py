"""//tools/py:compiler_rt, the CompilerRt action of a CPython build (//bazel/private:cpython.bzl):
zig's compiler_rt for the target, without the C library functions it also defines.

zig's compiler_rt is one object. Besides the compiler's helpers (__aeabi_dmul, __udivti3, ...)
it defines C library functions weakly: fma, log2, sin, ... and memcpy, memset, .... A link
that needs any helper (32-bit ARM needs them everywhere) takes the whole object, and a
definition in the output wins over the C library's shared one: every armv7 extension module
and libpython computed math.fma and math.log2 with zig's copies, which lose a zero's sign and
are inexact for subnormal powers of two. This action builds the object with those functions
made local (they still serve compiler_rt's own calls), so that a program's calls go to the C
library; CPython's links then take it instead of zig's (-rtlib=none). The object goes into an
archive, as zig's does, so that a link takes it only when it needs a helper.

    python -m cpbuild.compiler_rt --zig ZIG --ar AR --target-flags "-target T -mcpu=C" \\
        --llvm-nm NM --llvm-objcopy OBJCOPY --output libcompiler_rt.a --libc-symbols libc.txt

Every path is relative to the action's execution root.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from cpbuild.steps import BuildError, run_build

# Optimised as zig builds its own compiler_rt for an optimised program, position-independent
# (libpython and extension modules link it), without debug information (it would name this
# action's directories).
BUILD_FLAGS = ("-OReleaseFast", "-fPIC", "-fstrip")


def zig_target_arguments(target_flags: Sequence[str]) -> list[str]:
    """zig build-obj's target arguments from the C compiler's (`-target T`, `-mcpu=C`): the same
    words, which build-obj reads too. Anything else is a ValueError naming it."""
    arguments: list[str] = []
    words = iter(target_flags)
    for word in words:
        if word == "-target":
            arguments += [word, next(words, "")]
            if not arguments[-1]:
                raise ValueError("target flags: -target names no target")
        elif word.startswith("-mcpu="):
            arguments.append(word)
        else:
            raise ValueError(f"target flags: {word!r} is neither -target nor -mcpu=")
    if "-target" not in arguments:
        raise ValueError(f"target flags: no -target in {' '.join(target_flags)!r}")
    return arguments


def build_command(zig: str, lib_dir: str, target_flags: Sequence[str], output: Path) -> list[str]:
    """`zig build-obj` of lib/compiler_rt.zig for the target."""
    return [zig, "build-obj", *zig_target_arguments(target_flags), *BUILD_FLAGS, f"{lib_dir}/compiler_rt.zig",
            "--name", "compiler_rt", f"-femit-bin={output}"]


def libc_symbols(nm_output: str) -> list[str]:
    """The C library functions among an object's symbols (`llvm-nm --defined-only --extern-only`
    lines, `ADDRESS TYPE NAME`): the defined global names that do not begin with an underscore
    (compiler helpers and everything else of compiler_rt's own do), sorted."""
    names = set()
    for line in nm_output.splitlines():
        fields = line.split()
        if not fields:
            continue
        if len(fields) != 3:
            raise ValueError(f"llvm-nm: unexpected line {line!r}")
        if not fields[2].startswith("_"):
            names.add(fields[2])
    return sorted(names)


def _run(command: list[str], what: str, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(command, capture_output=True, text=True, env=env)
    if result.returncode != 0:
        raise BuildError(f"compiler_rt: {what} failed (exit {result.returncode}): {' '.join(command)}\n"
                         f"{result.stdout}{result.stderr}")
    return result.stdout


def build(*, zig: Path, ar: str, target_flags: Sequence[str], llvm_nm: str, llvm_objcopy: str, output: Path,
          libc_list: Path) -> list[str]:
    """Build compiler_rt for the target into the archive `output` with its C library functions
    local, and write their names to `libc_list` (one per line); return them."""
    with tempfile.TemporaryDirectory(prefix="compiler_rt.", dir=output.parent) as scratch:
        # zig's caches in the action's own tree: nothing is shared with another action.
        env = {**os.environ, "ZIG_GLOBAL_CACHE_DIR": f"{scratch}/cache", "ZIG_LOCAL_CACHE_DIR": f"{scratch}/cache"}
        env.pop("ZIG_LIB_DIR", None)
        built = Path(scratch, "compiler_rt.o")
        try:
            command = build_command(str(zig), str(zig.parent / "lib"), target_flags, built)
        except ValueError as error:
            raise BuildError(f"compiler_rt: {error}") from None
        _run(command, "zig build-obj", env)
        names = libc_symbols(_run([llvm_nm, "--defined-only", "--extern-only", str(built)], "llvm-nm"))
        if not names:
            raise BuildError(f"compiler_rt: {built.name} defines no C library function; zig changed what "
                             "compiler_rt holds, look again at why this action exists")
        libc_list.write_text("".join(f"{name}\n" for name in names))
        localized = Path(scratch, "member", "compiler_rt.o")
        localized.parent.mkdir()
        _run([llvm_objcopy, f"--localize-symbols={libc_list}", str(built), str(localized)], "llvm-objcopy")
        left = libc_symbols(_run([llvm_nm, "--defined-only", "--extern-only", str(localized)], "llvm-nm"))
        if left:
            raise BuildError(f"compiler_rt: still global after llvm-objcopy: {' '.join(left)}")
        output.unlink(missing_ok=True)
        # D: no time stamps, owners or modes in the archive.
        _run([ar, "rcsD", str(output), str(localized)], "ar")
    return names


def parser() -> argparse.ArgumentParser:
    """compiler_rt's command line."""
    parser = argparse.ArgumentParser(prog="compiler_rt", description=__doc__, allow_abbrev=False,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--zig", required=True, help="the zig binary (its lib/ directory beside it)")
    parser.add_argument("--ar", required=True, help="the target toolchain's archiver")
    parser.add_argument("--target-flags", required=True, help="the target's -target and -mcpu= flags, one string")
    for flag in ("--llvm-nm", "--llvm-objcopy", "--output", "--libc-symbols"):
        parser.add_argument(flag, required=True)
    return parser


def _build_from_arguments(args: argparse.Namespace, execroot: Path) -> None:
    build(zig=execroot / args.zig, ar=args.ar, target_flags=args.target_flags.split(), llvm_nm=args.llvm_nm,
          llvm_objcopy=args.llvm_objcopy, output=execroot / args.output, libc_list=execroot / args.libc_symbols)


def main(argv: list[str] | None = None) -> int:
    return run_build(parser(), _build_from_arguments, argv)


if __name__ == "__main__":
    sys.exit(main())

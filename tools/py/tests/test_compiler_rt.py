"""compiler_rt without its C library functions (cpbuild.compiler_rt): the command it runs and the
symbols it makes local. The object itself is built and checked in every dynamic distribution
build (the smoke test's Math check fails on zig's copies)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cpbuild import compiler_rt

# `llvm-nm --defined-only --extern-only` of zig 0.15.2's compiler_rt for armv7, abridged.
NM = """\
00000000 W __aeabi_dmul
00000010 W __aeabi_ldivmod
00000020 W __udivmoddi4
00000030 W bcmp
00000040 W fma
00000050 W fmaf
00000060 W log2
00000070 W memcpy
00000080 T __zig_probe_stack
"""


def test_libc_symbols_are_the_defined_names_without_a_leading_underscore() -> None:
    assert compiler_rt.libc_symbols(NM) == ["bcmp", "fma", "fmaf", "log2", "memcpy"]
    assert compiler_rt.libc_symbols("") == []


def test_an_nm_line_of_another_shape_is_an_error_naming_it() -> None:
    with pytest.raises(ValueError, match="unexpected line 'U fma'"):
        compiler_rt.libc_symbols("U fma\n")


def test_build_obj_takes_the_c_compilers_target_words() -> None:
    command = compiler_rt.build_command("zig", "/z/lib", ["-target", "arm-linux-gnueabihf.2.17",
                                                          "-mcpu=generic+v7a+vfp3d16-neon-d32"], Path("out/c.o"))
    assert command == ["zig", "build-obj", "-target", "arm-linux-gnueabihf.2.17", "-mcpu=generic+v7a+vfp3d16-neon-d32",
                       "-OReleaseFast", "-fPIC", "-fstrip", "/z/lib/compiler_rt.zig", "--name", "compiler_rt",
                       "-femit-bin=out/c.o"]


@pytest.mark.parametrize(("flags", "message"), [
    (["-mcpu=baseline"], "no -target"),
    (["-target"], "-target names no target"),
    (["-target", "x86_64-linux-gnu", "-O2"], "'-O2' is neither -target nor -mcpu="),
])
def test_target_flags_that_build_obj_would_misread_are_refused(flags: list[str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        compiler_rt.zig_target_arguments(flags)


def test_help_names_every_argument(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        compiler_rt.main(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    for flag in ("--zig", "--ar", "--target-flags", "--llvm-nm", "--llvm-objcopy", "--output", "--libc-symbols"):
        assert flag in out

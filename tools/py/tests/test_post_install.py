"""The CPython build's post-install steps (cpbuild.post_install)."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from builders import DT_RPATH, DT_RUNPATH, ET_EXEC, build_elf
from cpbuild import elf, post_install
from cpbuild.layout import Layout

WORK = Path("/tmp/cpython_build.cpython_3_13.Ab3dE9")
EXECROOT = Path("/root/.cache/x/sandbox/processwrapper-sandbox/7/execroot/_main")
DEP = f"{EXECROOT}/bazel-out/k8-fastbuild/bin/third_party/zlib/zlib"
REAL_DEP = "/root/.cache/x/execroot/_main/bazel-out/k8-fastbuild/bin/third_party/zlib/zlib"
BUILD_PYTHON = f"{EXECROOT}/bazel-out/k8-opt-exec/bin/cpython/cpython_3_13/install"


def rules() -> list[post_install.Rule]:
    return post_install.scrub_rules(work=WORK, execroot=EXECROOT, dep_dirs=[DEP, REAL_DEP], build_python=BUILD_PYTHON,
                                    version="3.13")


def test_the_interpreters_runpath_becomes_rpath_in_place(tmp: Path) -> None:
    interpreter = tmp / "python3.13"
    interpreter.write_bytes(build_elf(file_type=ET_EXEC, runpath="$ORIGIN/../lib"))
    interpreter.chmod(0o755)
    inode = interpreter.stat().st_ino
    assert post_install.retag_interpreter(interpreter) == 1
    info = elf.parse_elf(interpreter.read_bytes(), "python3.13")
    assert (info.rpath, info.runpath) == (("$ORIGIN/../lib",), ())
    assert interpreter.stat().st_ino == inode and os.access(interpreter, os.X_OK)
    assert [tag for tag, _ in info.dynamic].count(DT_RPATH) == 1 and DT_RUNPATH not in dict(info.dynamic)


def test_retagging_a_script_fails_naming_it(tmp: Path) -> None:
    (tmp / "python3.13").write_text("#!/bin/sh\n")
    with pytest.raises(ValueError, match=r"python3\.13: not an ELF file"):
        post_install.retag_interpreter(tmp / "python3.13")


@pytest.mark.parametrize("head, expected", [
    (b"#!/install/bin/python3.13\nimport sys\n", True),
    (b"#! /usr/bin/env python3\n", True),
    (b"#!/bin/sh\n# python\n", False),
    (b"#!/bin/sh" + b" " * 60 + b"python\n", False),  # python beyond the first 64 bytes
    (b"\x7fELF\x02\x01", False),
    (b"", False),
])
def test_python_scripts_are_recognised_by_their_first_line(head: bytes, expected: bool) -> None:
    assert post_install.is_python_script(head) is expected


def test_trampolines_run_bin_python_relative_to_the_script_wherever_the_tree_is(tmp: Path) -> None:
    staged = tmp / "install"
    (staged / "bin").mkdir(parents=True)
    config = staged / "lib" / "python3.13" / "config-3.13-x86_64-linux-gnu"
    config.mkdir(parents=True)
    # A stand-in interpreter that shows what it was asked to run.
    (staged / "bin" / "python3.13").write_text('#!/bin/sh\necho "ran $*"\n')
    (staged / "bin" / "python3.13").chmod(0o755)
    (staged / "bin" / "pip").write_bytes(b"#!/install/bin/python3.13\nimport sys\n")
    (staged / "bin" / "pip").chmod(0o755)
    (staged / "bin" / "python3-config").symlink_to("pip")
    (staged / "bin" / "python3.13-config").write_bytes(b"#!/bin/sh\necho config\n")
    (config / "python-config.py").write_bytes(b"#!/install/bin/python3.13\n# -*- python -*-\n")
    (config / "python-config.py").chmod(0o755)
    rewritten = post_install.make_trampolines(staged, Layout("3.13"))
    assert rewritten == [staged / "bin" / "pip", config / "python-config.py"]
    assert (staged / "bin" / "pip").read_bytes() == (
        b"#!/bin/sh\n"
        b"'''exec' \"$(dirname -- \"$(readlink -f -- \"$0\")\")/./python3.13\" \"$0\" \"$@\"\n"
        b"' '''\nimport sys\n")
    assert b"/../../../bin/python3.13\"" in (config / "python-config.py").read_bytes()
    assert (staged / "bin" / "python3.13-config").read_bytes() == b"#!/bin/sh\necho config\n"
    moved = tmp / "elsewhere"
    staged.rename(moved)
    scripts = ["bin/pip", "bin/python3-config", f"{config.relative_to(staged)}/python-config.py"]
    for path in (moved / script for script in scripts):
        done = subprocess.run([str(path), "--help"], capture_output=True, text=True, check=True, cwd=tmp)
        assert done.stdout == f"ran {path} --help\n"
    assert os.access(moved / "bin" / "pip", os.X_OK)


SYSCONFIGDATA = f"""build_time_vars = {{'CONFIG_ARGS': "'--prefix=/install' 'PKG_CONFIG_LIBDIR={DEP}/lib/pkgconfig'",
 'CPPFLAGS': '-I. -I./Include  -I{DEP}/include -I{REAL_DEP}/include',
 'LDFLAGS': ' -L{DEP}/lib',
 'PYTHON_FOR_BUILD': '{BUILD_PYTHON}/bin/python3.13 -E',
 'srcdir': '{WORK}/src',
 'abs_builddir': '{WORK}/src/build',
 'CC': 'cc', 'OPT': '-ffile-prefix-map={EXECROOT}=.'}}
""".encode()


def test_scrubbing_removes_every_build_path_as_the_sed_script_did() -> None:
    scrubbed = post_install.scrub(SYSCONFIGDATA, rules())
    assert scrubbed == b"""build_time_vars = {'CONFIG_ARGS': "'--prefix=/install' 'PKG_CONFIG_LIBDIR='",
 'CPPFLAGS': '-I. -I./Include',
 'LDFLAGS': '',
 'PYTHON_FOR_BUILD': 'python3.13 -E',
 'srcdir': '/build/cpython',
 'abs_builddir': '/build/cpython/build',
 'CC': 'cc', 'OPT': '-ffile-prefix-map=.=.'}
"""
    makefile = f"PKG_CONFIG_LIBDIR={DEP}/lib/pkgconfig:{REAL_DEP}/lib/pkgconfig\nX=1\n".encode()
    assert post_install.scrub(makefile, rules()) == b"PKG_CONFIG_LIBDIR=\nX=1\n"


def test_a_profile_guided_builds_own_files_are_named_by_their_file_names_under_build() -> None:
    profile = f"{WORK}/pgo-{'e' * 64}.profdata"
    rules = post_install.scrub_rules(work=WORK, execroot=EXECROOT, dep_dirs=[], build_python=None, version="3.13",
                                     build_files=[profile])
    flags = f"'CFLAGS_NODIST': '-flto=thin -fprofile-instr-use={profile}'"
    assert post_install.scrub(flags.encode(), rules) == (
        f"'CFLAGS_NODIST': '-flto=thin -fprofile-instr-use=/build/pgo-{'e' * 64}.profdata'").encode()


def test_config_files_are_scrubbed_pc_files_relocated_and_sysconfig_bytecode_dropped(tmp: Path) -> None:
    lib = tmp / "lib" / "python3.13"
    (lib / "__pycache__").mkdir(parents=True)
    (lib / "_sysconfigdata__linux_x86_64-linux-gnu.py").write_bytes(SYSCONFIGDATA)
    (lib / "__pycache__" / "_sysconfigdata__linux_x86_64-linux-gnu.cpython-313.pyc").write_bytes(b"x")
    (lib / "__pycache__" / "os.cpython-313.pyc").write_bytes(b"x")
    (lib / "notes.txt").write_bytes(f"{WORK}/src".encode())
    (tmp / "lib" / "pkgconfig").mkdir()
    (tmp / "lib" / "pkgconfig" / "python-3.13.pc").write_bytes(f"prefix=/install\nLibs: -L{DEP}/lib\n".encode())
    (tmp / "bin").mkdir()
    (tmp / "bin" / "python3.13-config").write_bytes(f"LIBPL={WORK}/src\n".encode())
    post_install.scrub_config_files(tmp, rules())
    assert b"/build/cpython'" in (lib / "_sysconfigdata__linux_x86_64-linux-gnu.py").read_bytes()
    assert sorted(p.name for p in (lib / "__pycache__").iterdir()) == ["os.cpython-313.pyc"]
    assert (lib / "notes.txt").read_bytes() == f"{WORK}/src".encode()  # not a configuration file
    assert (tmp / "lib" / "pkgconfig" / "python-3.13.pc").read_bytes() == b"prefix=${pcfiledir}/../..\nLibs:\n"
    assert (tmp / "bin" / "python3.13-config").read_bytes() == b"LIBPL=/build/cpython\n"


def test_the_leak_scan_names_files_with_this_builds_paths_or_any_bazel_path(tmp: Path) -> None:
    (tmp / "lib").mkdir()
    (tmp / "lib" / "ok.py").write_text("print('/build/cpython')\n")
    assert post_install.leak_report(tmp, [str(EXECROOT), str(WORK)]) is None
    (tmp / "lib" / "a.txt").write_text(f"{WORK}/src/Lib\n")
    (tmp / "lib" / "b.so").write_bytes(b"\0\0bazel-out/k8-fastbuild/bin\0")
    report = post_install.leak_report(tmp, [str(EXECROOT), str(WORK)])
    assert report is not None and report.startswith("build paths remain in:\n  lib/a.txt:\n    ")
    assert str(WORK) in report and re.search(r"\n  lib/b\.so:\n    bazel-out/", report)


def test_the_build_tree_has_objects_libraries_and_the_scrubbed_makefile(tmp: Path) -> None:
    src, dest = tmp / "src", tmp / "build"
    (src / "Modules" / "_decimal").mkdir(parents=True)
    (src / "Python").mkdir()
    (src / "Python" / "ceval.o").write_bytes(b"o")
    (src / "Python" / "ceval.c").write_bytes(b"c")
    (src / "Modules" / "_decimal" / "libmpdec.a").write_bytes(b"a")
    os.utime(src / "Python" / "ceval.o", (1_000_000, 1_000_000))
    for name in ("Modules/Setup.local", "Modules/Setup.stdlib", "Modules/Setup.bootstrap", "Modules/config.c",
                 "pyconfig.h"):
        (src / name).write_text(name)
    (src / "Modules" / "Setup.local").chmod(0o555)
    (src / "Makefile").write_bytes(f"srcdir={WORK}/src\n".encode())
    dest.mkdir()
    post_install.export_build_tree(src, dest, rules())
    assert sorted(p.relative_to(dest).as_posix() for p in dest.rglob("*") if p.is_file()) == [
        "Makefile", "Modules/_decimal/libmpdec.a", "Python/ceval.o", "Setup.bootstrap", "Setup.local", "Setup.stdlib",
        "config.c", "pyconfig.h"]
    assert (dest / "Python" / "ceval.o").stat().st_mtime == 1_000_000
    assert os.access(dest / "Setup.local", os.X_OK)  # cp keeps the mode
    assert (dest / "Makefile").read_bytes() == b"srcdir=/build/cpython\n"


def test_configure_missing_lines_are_greps() -> None:
    log = (b"checking for stdlib.h... yes\nchecking for libb2... missing\nconfigure: _gdbm disabled\n"
           b"make: missing is not here\nchecking for x... disabled")
    assert post_install.configure_missing(log) == b"checking for libb2... missing\nconfigure: _gdbm disabled\n" \
                                                  b"checking for x... disabled\n"


ZIG_HOME = "/tmp/cpython-bazel-zig-0123456789abcdef"


def test_zig_builtin_directories_get_one_name_in_elf_files_only(tmp: Path) -> None:
    names = [f"{ZIG_HOME}/cache.3/b/{h}".encode() for h in ("a16900d814978daa721af530eadc7328",
                                                             "926e6fa03bf9d98886f7343760b20175")]
    lib = tmp / "lib" / "python3.13" / "lib-dynload"
    lib.mkdir(parents=True)
    for name, path in zip(names, ("_decimal.so", "_tkinter.so"), strict=True):
        (lib / path).write_bytes(build_elf() + b"\0" + name + b"\0builtin.zig\0")
    (tmp / "notes.txt").write_bytes(names[0])  # not an ELF file: left alone
    unrelated = build_elf() + b"\0/elsewhere/cache.3/b/a16900d814978daa721af530eadc7328\0"
    (lib / "other.so").write_bytes(unrelated)

    changed = post_install.fix_zig_builtin_paths(tmp, ZIG_HOME)

    assert sorted(p.name for p in changed) == ["_decimal.so", "_tkinter.so"]
    fixed = [(lib / name).read_bytes() for name in ("_decimal.so", "_tkinter.so")]
    assert fixed[0] == fixed[1]  # the two builds' files agree now
    assert f"{ZIG_HOME}/cache.3/b/{'0' * 32}\0builtin.zig".encode() in fixed[0]
    assert len(fixed[0]) == len(build_elf() + b"\0" + names[0] + b"\0builtin.zig\0")
    assert (tmp / "notes.txt").read_bytes() == names[0] and (lib / "other.so").read_bytes() == unrelated
    # The leak scan finds a name left as zig made it, and accepts the fixed one.
    assert post_install.leak_report(tmp, []) is not None
    (tmp / "notes.txt").unlink()
    (lib / "other.so").unlink()
    assert post_install.leak_report(tmp, []) is None


def test_hard_links_to_the_interpreter_become_symbolic_links(tmp: Path) -> None:
    bin_dir = tmp / "bin"
    bin_dir.mkdir()
    (bin_dir / "python3.13t").write_bytes(b"ELF")
    os.link(bin_dir / "python3.13t", bin_dir / "python3.13")
    (bin_dir / "pip3").write_bytes(b"ELF")  # the same content, another file: kept
    (bin_dir / "python3").symlink_to("python3.13")
    assert post_install.hard_links_to_symlinks(bin_dir / "python3.13t") == ["python3.13"]
    assert os.readlink(bin_dir / "python3.13") == "python3.13t"
    assert not (bin_dir / "pip3").is_symlink() and (bin_dir / "python3.13t").stat().st_nlink == 1
    assert post_install.hard_links_to_symlinks(bin_dir / "python3.13t") == []

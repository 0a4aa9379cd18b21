"""CPython's build action (cpbuild.build_cpython) end to end, on a stand-in source tree whose
configure and Makefile install what CPython's do (an ELF interpreter with DT_RUNPATH, sysconfig
data naming build paths, .pc files, scripts), so that every post-install step runs for real."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from builders import ET_EXEC, build_elf
from cpbuild import build_cpython, elf
from cpbuild.manifest import Manifest
from cpbuild.steps import BuildError
from test_install_wheel import make_wheel

CONFIGURE = """#!/bin/sh
echo "checking for libb2... missing"
echo "checking for stdlib.h... yes"
printf '%s\\n' "$@" > configure.args
env | sort > configure.env
cp Makefile.in Makefile
echo '#define X 1' > pyconfig.h
"""

MAKEFILE = """\
all:
\ttest -f Programs/_testembed || { echo 'the test embedder was not linked first'; exit 1; }
\tmkdir -p Python Modules/_decimal
\tprintf o > Python/ceval.o
\tprintf a > Modules/_decimal/libmpdec.a
\tprintf '{"posix", PyInit_posix},\\n' > Modules/config.c
\tprintf '*static*\\n' > Modules/Setup.stdlib
\tprintf '*static*\\nposix posixmodule.c\\n' > Modules/Setup.bootstrap
Programs/_testembed:
\tmkdir -p Programs
\tprintf 'linked to the shared libpython' > $@
I = $(DESTDIR)/install
L = $(I)/lib/python3.13
install:
\tmkdir -p $(I)/bin $(L)/lib-dynload $(L)/__pycache__ $(I)/lib/pkgconfig $(L)/config-3.13-x86_64-linux-gnu
\tinstall -m 755 interpreter.elf $(I)/bin/python3.13
\tln -s python3.13 $(I)/bin/python3
\tprintf '#!/bin/sh\\necho config\\n' > $(I)/bin/python3.13-config
\tprintf "build_time_vars = {'srcdir': '%s', 'CC': 'cc'}\\n" "$(CURDIR)" \\
\t  > $(L)/_sysconfigdata__linux_x86_64-linux-gnu.py
\ttouch $(L)/__pycache__/_sysconfigdata__linux_x86_64-linux-gnu.cpython-313.pyc
\tprintf '#!/install/bin/python3.13\\nprint(1)\\n' > $(L)/config-3.13-x86_64-linux-gnu/python-config.py
\tprintf 'prefix=/install\\nlibdir=$${prefix}/lib\\n' > $(I)/lib/pkgconfig/python-3.13.pc
\tln -s python-3.13.pc $(I)/lib/pkgconfig/python3.pc
\ttouch $(L)/lib-dynload/array.cpython-313-x86_64-linux-gnu.so $(L)/lib-dynload/_tkinter.cpython-313-x86_64-linux-gnu.so
"""


def execroot(tmp: Path, *, plan: dict[str, str]) -> Path:
    root = tmp / "execroot"
    src = root / "external" / "cpython_3_13"
    (src / "Modules").mkdir(parents=True)
    (src / "configure").write_text(CONFIGURE)
    (src / ".executables").write_text("configure\n")  # its mode comes from this list, not the file's
    (src / "Makefile.in").write_text(MAKEFILE)
    (src / "interpreter.elf").write_bytes(build_elf(file_type=ET_EXEC, runpath="$ORIGIN/../lib"))
    (src / "README.rst").write_text("This is Python version 3.13.0\n")
    (src / "Lib" / "ensurepip" / "_bundled").mkdir(parents=True)
    make_wheel(src / "Lib" / "ensurepip" / "_bundled" / "pip-25.0-py3-none-any.whl")
    (root / "fix.patch").write_text("--- a/README.rst\n+++ b/README.rst\n@@ -1 +1 @@\n-This is Python version 3.13.0\n"
                                    "+This is Python version 3.13.0 (patched)\n")
    out = root / "out"
    (out / "cpython").mkdir(parents=True)
    (out / "cpython" / "Setup.local").write_text("*shared*\narray arraymodule.c\n")
    (out / "cpython" / "modules.json").write_text(json.dumps({name: {"state": state, "reason": ""}
                                                              for name, state in plan.items()}))
    (out / "tcl" / "lib" / "tcl9.0").mkdir(parents=True)
    (out / "tcl" / "lib" / "tcl9.0" / "init.tcl").write_text("# tcl\n")
    (out / "tcl" / "lib" / "tcl9.0" / "init.tcl").chmod(0o555)  # as every Bazel output
    (out / "tcl" / "lib" / "pkgconfig").mkdir()
    (out / "tk" / "lib" / "tk9.0").mkdir(parents=True)
    (out / "tk" / "lib" / "tk9.0" / "tk.tcl").write_text("# tk\n")
    (out / "build_python" / "bin").mkdir(parents=True)
    return root


ARGV = ["--name", "cpython_3_13", "--src", "external/cpython_3_13",
        "--src-executables", "external/cpython_3_13/.executables", "--version", "3.13",
        "--install", "out/cpython/install", "--install-manifest", "out/cpython/install-manifest.txt",
        "--build-tree", "out/cpython/build", "--setup-local", "out/cpython/Setup.local",
        "--modules-json", "out/cpython/modules.json", "--patch", "fix.patch", "--cc", "/usr/bin/cc", "--ar", "ar",
        "--ranlib", "ranlib", "--gnu-host", "aarch64-unknown-linux-gnu", "--target-flags=-target aarch64-linux-gnu",
        "--cflags=-O2", "--ldflags=", "--dep", "out/tcl", "--dep", "out/tk",
        "--config-cache", "ac_cv_file__dev_ptmx=yes",
        "--build-python", "out/build_python", "--zig-home", "/tmp/cpython-bazel-zig-0123456789abcdef"]
PLAN = {"array": "shared", "posix": "builtin", "_tkinter": "shared", "_gdbm": "disabled"}


def run(root: Path, tmp: Path, argv: list[str]) -> None:
    environ = {"PATH": "/usr/bin:/bin", "TMPDIR": str(tmp), "PYTHONPATH": "/stub", "RUNFILES_DIR": "/r",
               "SOURCE_DATE_EPOCH": "315532800"}
    build_cpython.build(build_cpython.from_arguments(build_cpython.parser().parse_args(argv)), root, environ)


def test_cpython_builds_checks_and_exports(tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = execroot(tmp, plan=PLAN)
    monkeypatch.chdir(root)
    run(root, tmp, ARGV)
    install = root / "out" / "cpython" / "install"
    # The interpreter's DT_RUNPATH is a DT_RPATH.
    info = elf.parse_elf((install / "bin" / "python3.13").read_bytes(), "python3.13")
    assert (info.rpath, info.runpath) == (("$ORIGIN/../lib",), ())
    # pip from the bundled wheel, as trampolines; the config directory's script too.
    assert (install / "bin" / "pip3.13").read_text().startswith("#!/bin/sh\n'''exec' ")
    assert (install / "lib" / "python3.13" / "site-packages" / "pip" / "__init__.py").exists()
    config = install / "lib" / "python3.13" / "config-3.13-x86_64-linux-gnu" / "python-config.py"
    assert '/../../../bin/python3.13" "$0" "$@"\n' in config.read_text()
    # Tcl/Tk scripts, bin/python, links listed; python3.pc became a file, as sed -i made it.
    assert (install / "lib" / "tcl9.0" / "init.tcl").exists() and (install / "lib" / "tk9.0" / "tk.tcl").exists()
    assert not (install / "lib" / "pkgconfig" / "python3.pc").is_symlink()
    manifest = Manifest.parse((root / "out" / "cpython" / "install-manifest.txt").read_text(), "manifest")
    assert manifest.links == {"bin/python": "python3.13", "bin/python3": "python3.13"}
    assert {"bin/python3.13", "bin/pip3.13"} <= manifest.executables
    assert not {"lib/python3.13/site-packages/pip/__init__.py", "lib/tcl9.0/init.tcl"} & manifest.executables
    pc = (install / "lib" / "pkgconfig" / "python3.pc").read_text()
    assert pc == "prefix=${pcfiledir}/../..\nlibdir=${prefix}/lib\n"
    # No build path; no bytecode of the sysconfig data.
    sysconfigdata = install / "lib" / "python3.13" / "_sysconfigdata__linux_x86_64-linux-gnu.py"
    assert sysconfigdata.read_text() == "build_time_vars = {'srcdir': '/build/cpython', 'CC': 'cc'}\n"
    assert list((install / "lib" / "python3.13" / "__pycache__").iterdir()) == []
    # The build tree.
    tree = root / "out" / "cpython" / "build"
    assert sorted(p.relative_to(tree).as_posix() for p in tree.rglob("*") if p.is_file()) == [
        "Makefile", "Modules/_decimal/libmpdec.a", "Python/ceval.o", "Setup.bootstrap", "Setup.local", "Setup.stdlib",
        "config.c", "configure-missing.txt", "pyconfig.h"]
    assert (tree / "configure-missing.txt").read_text() == "checking for libb2... missing\n"
    assert (tree / "Setup.local").read_text() == "*shared*\narray arraymodule.c\n"
    assert not [p for p in tmp.iterdir() if p.name.startswith("cpython_build.")]


def test_configure_is_a_cross_build_with_the_build_python_and_config_site(tmp: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    root = execroot(tmp, plan=PLAN)
    monkeypatch.chdir(root)
    src = root / "external" / "cpython_3_13"
    # What configure saw, kept outside the tree (it names build paths, which the tree may not).
    seen = tmp / "seen"
    (src / "Makefile.in").write_text(MAKEFILE + f"\tmkdir -p {seen}\n"
                                     f"\tcp configure.args configure.env README.rst {seen}/\n")
    run(root, tmp, ARGV)
    args = (seen / "configure.args").read_text().splitlines()
    assert args[0] == "--prefix=/install" and args[-3:] == [
        "--build=x86_64-pc-linux-gnu", "--host=aarch64-unknown-linux-gnu",
        f"--with-build-python={root}/out/build_python/bin/python3.13"]
    assert r"LDFLAGS_NODIST=-dynamic -Wl,--disable-new-dtags -Wl,-rpath,\$$ORIGIN/../lib" in args
    assert "MODULE_BUILDTYPE=static" in args and not [a for a in args if a.startswith("CFLAGS_NODIST")]
    env = dict(line.split("=", 1) for line in (seen / "configure.env").read_text().splitlines() if "=" in line)
    assert (env["CFLAGS"], env["PKG_CONFIG"], env["CC"]) == ("-O2", "pkg-config --static", "cc")
    # Nothing of the action's Python environment; a fixed hash seed, for deterministic bytecode.
    assert [key for key in env if key.startswith(("PYTHON", "RUNFILES"))] == ["PYTHONHASHSEED"]
    assert env["PYTHONHASHSEED"] == "0"
    assert Path(env["CONFIG_SITE"]).name == "config.site"
    assert (seen / "README.rst").read_text() == "This is Python version 3.13.0 (patched)\n"


def seeing_configure(tmp: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """An execution root (the current directory) whose fake make copies configure's arguments into
    <tmp>/seen: (the root, seen)."""
    root = execroot(tmp, plan=PLAN)
    monkeypatch.chdir(root)
    seen = tmp / "seen"
    (root / "external" / "cpython_3_13" / "Makefile.in").write_text(
        MAKEFILE + f"\tmkdir -p {seen}\n\tcp configure.args {seen}/\n")
    return root, seen


def test_build_options_reach_configure_and_name_the_interpreter(tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root, seen = seeing_configure(tmp, monkeypatch)
    options = ["--build-options", "freethreaded+lto", "--abi-flags", "t", "--configure-arg=--disable-gil",
               "--cflags-nodist=-flto=thin", "--ldflags-nodist=-flto=thin"]
    # The fake make install installs bin/python3.13 only: a free-threaded build must name python3.13t.
    with pytest.raises(BuildError, match=r"freethreaded\+lto: make install installed no bin/python3.13t "
                                         r"\(bin/ has: python3 python3.13 python3.13-config\)"):
        run(root, tmp, ARGV + options)
    args = (seen / "configure.args").read_text().splitlines()
    assert "--disable-gil" in args and "CFLAGS_NODIST=-flto=thin" in args
    assert r"LDFLAGS_NODIST=-dynamic -Wl,--disable-new-dtags -Wl,-rpath,\$$ORIGIN/../lib -flto=thin" in args


def test_a_static_build_links_statically(tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root, seen = seeing_configure(tmp, monkeypatch)
    with pytest.raises(BuildError):  # the fake make install installs no libpython, no lib-dynload
        run(root, tmp, [*ARGV, "--build-options", "lto+static", "--static", "--configure-arg=--disable-shared",
                        "--ldflags-nodist=-flto=thin"])
    args = (seen / "configure.args").read_text().splitlines()
    ldflags = [a for a in args if a.startswith("LDFLAGS_NODIST=")]
    assert "--disable-shared" in args and len(ldflags) == 1
    assert ldflags[0].startswith("LDFLAGS_NODIST=-static -Wl,-u,ceil -Wl,-u,ceilf -Wl,-u,ceill ")
    assert " -Wl,-u,fma " in ldflags[0] and ldflags[0].endswith(" -Wl,-u,truncl -flto=thin")
    # After CONFIGURE_ARGS' --enable-shared: configure takes the last one.
    assert args.index("--disable-shared") > args.index("--enable-shared")


def test_a_profile_guided_build_reads_a_copy_of_the_profile_named_by_its_content(
        tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root, seen = seeing_configure(tmp, monkeypatch)
    (root / "out" / "cpython.profdata").write_bytes(b"profile")
    run(root, tmp, [*ARGV, "--build-options", "pgo+lto", "--cflags-nodist=-flto=thin", "--ldflags-nodist=-flto=thin",
                    "--profile", "out/cpython.profdata"])
    cflags = [a for a in (seen / "configure.args").read_text().splitlines() if a.startswith("CFLAGS_NODIST=")]
    digest = hashlib.sha256(b"profile").hexdigest()
    assert len(cflags) == 1 and cflags[0].startswith("CFLAGS_NODIST=-flto=thin -fprofile-instr-use=")
    assert cflags[0].endswith(f"/pgo-{digest}.profdata")
    # The profile is a compile flag only: the links add nothing of their own.
    ldflags = [a for a in (seen / "configure.args").read_text().splitlines() if a.startswith("LDFLAGS_NODIST=")]
    assert len(ldflags) == 1 and ldflags[0].endswith(" -flto=thin")


def test_an_instrumented_build_links_the_profile_runtime_everywhere(tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root, seen = seeing_configure(tmp, monkeypatch)
    run(root, tmp, [*ARGV, "--build-options", "pgo", "--profile-runtime", "external/rt/libclang_rt.profile-aarch64.a"])
    args = (seen / "configure.args").read_text().splitlines()
    assert "CFLAGS_NODIST=-fprofile-instr-generate" in args
    assert (r"LDFLAGS_NODIST=-dynamic -Wl,--disable-new-dtags -Wl,-rpath,\$$ORIGIN/../lib -fprofile-instr-generate "
            f"{root}/external/rt/libclang_rt.profile-aarch64.a -Wl,-u,__llvm_profile_runtime") in args


def test_a_dynamic_build_links_the_compiler_rt_it_is_given_instead_of_zigs(tmp: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    root, seen = seeing_configure(tmp, monkeypatch)
    run(root, tmp, [*ARGV, "--compiler-rt", "out/cpython/libcompiler_rt.a", "--ldflags-nodist=-flto=thin"])
    args = (seen / "configure.args").read_text().splitlines()
    assert (r"LDFLAGS_NODIST=-dynamic -Wl,--disable-new-dtags -Wl,-rpath,\$$ORIGIN/../lib -rtlib=none "
            f"{root}/out/cpython/libcompiler_rt.a -flto=thin") in args


def test_a_static_build_given_a_compiler_rt_fails_naming_it(tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root, seen = seeing_configure(tmp, monkeypatch)
    with pytest.raises(BuildError, match=r"lto\+static: a static build links zig's compiler_rt .*libcompiler_rt\.a"):
        run(root, tmp, [*ARGV, "--build-options", "lto+static", "--static", "--compiler-rt",
                        "out/cpython/libcompiler_rt.a"])
    assert not (seen / "configure.args").exists()


def test_a_module_the_table_did_not_plan_fails_the_build(tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = execroot(tmp, plan={**PLAN, "array": "disabled"})
    monkeypatch.chdir(root)
    with pytest.raises(BuildError, match=r"^check_modules: CPython's build differs .*\n  array: planned as disabled"):
        run(root, tmp, ARGV)
    assert not [p for p in tmp.iterdir() if p.name.startswith("cpython_build.")]


def test_a_build_path_left_in_the_tree_fails_the_build_naming_the_file(tmp: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    root = execroot(tmp, plan=PLAN)
    monkeypatch.chdir(root)
    src = root / "external" / "cpython_3_13"
    (src / "Makefile.in").write_text(MAKEFILE + "\tprintf '%s\\n' '$(CURDIR)' > $(L)/notes.txt\n")
    with pytest.raises(BuildError, match=r"(?s)^cpython_build: cpython_3_13: build paths remain in:\n"
                                         r"  lib/python3\.13/notes\.txt:\n    cpython_build\."):
        run(root, tmp, ARGV)


def test_a_failing_configure_shows_the_end_of_the_log(tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = execroot(tmp, plan=PLAN)
    monkeypatch.chdir(root)
    (root / "external" / "cpython_3_13" / "configure").write_text("#!/bin/sh\necho 'configure: error: no cc'\nexit 1\n")
    with pytest.raises(BuildError, match=r"^cpython_build: cpython_3_13: \./configure failed; last lines of its "
                                         r"output:\nconfigure: error: no cc\n$"):
        run(root, tmp, ARGV)
    assert sorted(os.listdir(root / "out" / "cpython")) == ["Setup.local", "modules.json"]

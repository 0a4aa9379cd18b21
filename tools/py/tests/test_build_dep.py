"""A dependency's build (cpbuild.build_dep), through the driver's command line."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from builders import make_ar
from cpbuild import build_dep, buildenv
from cpbuild.steps import BuildError

TOOLCHAIN = buildenv.Toolchain(cc="cc", ar="ar", ranlib="ranlib", target_flags="", cflags="-O2", ldflags="-s")
ENV = {"CC": "cc", "AR": "ar", "RANLIB": "ranlib", "CFLAGS": "-O2 -fPIC", "CPPFLAGS": " -I/d/include",
       "LDFLAGS": "-s -L/d/lib"}


def spec(build_system: str, **fields: object) -> build_dep.DepBuild:
    values: dict[str, object] = {"name": "x", "src": "external/x", "src_executables": "external/x/.executables",
                                 "install": "out/x", "build_system": build_system,
                                 "toolchain": TOOLCHAIN, "gnu_host": "aarch64-unknown-linux-musl",
                                 "openssl_target": "linux-aarch64", "install_targets": ("install",)}
    values.update(fields)
    return build_dep.DepBuild(**values)  # type: ignore[arg-type]


def test_the_command_line_parses_flags_that_start_with_a_dash_and_configure_arguments() -> None:
    args = build_dep.parser().parse_args([
        "--name", "ncurses", "--src", "external/ncurses", "--src-executables", "external/ncurses/.executables",
        "--install", "out/ncurses",
        "--build-system", "autotools", "--cc", "cc", "--ar", "ar", "--ranlib", "ranlib",
        "--target-flags=-target x86_64-linux-gnu.2.17", "--cflags=-O2", "--ldflags=", "--build-host-flags=-O1",
        "--dep", "out/zlib", "--named-dep", "zlib=out/zlib", "--library", "libncursesw.a=out/_lib/libncursesw.a",
        "--bootstrap", "config-sub", "--", "--with-shared=no", "--", "CC=x"])
    parsed = build_dep.from_arguments(args)
    assert parsed.toolchain == buildenv.Toolchain(cc="cc", ar="ar", ranlib="ranlib",
                                                  target_flags="-target x86_64-linux-gnu.2.17", cflags="-O2",
                                                  ldflags="", build_host_flags="-O1")
    assert parsed.named_deps == (("zlib", "out/zlib"),)
    assert parsed.libraries == (("libncursesw.a", "out/_lib/libncursesw.a"),)
    assert parsed.configure_args == ("--with-shared=no", "--", "CC=x") and parsed.bootstrap == ("config-sub",)
    assert (parsed.subdir, parsed.configure_script) == (".", "./configure")
    assert (parsed.make_targets, parsed.install_targets) == ((), ())
    with pytest.raises(SystemExit):
        build_dep.parser().parse_args(["--name", "x", "--named-dep", "novalue"])


def test_dep_placeholders_expand_to_absolute_install_trees() -> None:
    named = (("tcl", "bazel-out/bin/tcl"), ("tk", "/abs/tk"))
    assert build_dep.expand_deps("--with-tcl={dep:tcl}/lib {dep:tk} {dep:zlib}", named, Path("/e")) == \
        "--with-tcl=/e/bazel-out/bin/tcl/lib /abs/tk {dep:zlib}"


def test_include_subdirs_and_python_path_come_from_the_deps(tmp: Path) -> None:
    ncurses, xcb = tmp / "ncurses", tmp / "xcb_proto"
    (ncurses / "include" / "ncursesw").mkdir(parents=True)
    (xcb / "lib" / "python3" / "dist-packages").mkdir(parents=True)
    deps = [str(ncurses), str(xcb)]
    assert build_dep.include_subdir_flags(("ncursesw",), deps) == f" -I{ncurses}/include/ncursesw"
    with pytest.raises(ValueError, match=r"^no dep has include/readline$"):
        build_dep.include_subdir_flags(("readline",), deps)
    assert build_dep.python_path(deps) == {"PYTHONPATH": f"{xcb}/lib/python3/dist-packages",
                                           "PYTHONDONTWRITEBYTECODE": "1", "PYTHONNOUSERSITE": "1"}
    assert build_dep.python_path([str(ncurses)]) == {}


def test_configure_command_per_build_system() -> None:
    args = ["--enable-x"]
    assert build_dep.configure_command(spec("configure"), ENV, args) == [
        "./configure", "--prefix=/install", "--enable-x"]
    assert build_dep.configure_command(spec("autotools", configure_script="../configure"), ENV, args) == [
        "../configure", "--prefix=/install", "--build=x86_64-pc-linux-gnu", "--host=aarch64-unknown-linux-musl",
        "--disable-shared", "--enable-static", "--enable-x"]
    assert build_dep.configure_command(spec("openssl"), ENV, args) == [
        "./Configure", "linux-aarch64", "--prefix=/install", "--libdir=lib", "--enable-x", "-O2", "-fPIC",
        "-I/d/include"]
    assert build_dep.configure_command(spec("make"), ENV, args) is None
    assert build_dep.configure_command(spec("prebuilt-data"), ENV, args) is None
    with pytest.raises(ValueError, match="unknown build system 'cmake'"):
        build_dep.configure_command(spec("cmake"), ENV, args)


def test_plain_makefiles_get_the_toolchain_as_make_variables() -> None:
    make, install = build_dep.make_commands(spec("make"), ENV, Path("/w/destdir"), ["libbz2.a"], ["install"])
    toolchain = ["CC=cc", "AR=ar", "RANLIB=ranlib", "CFLAGS=-O2 -fPIC  -I/d/include", "LDFLAGS=-s -L/d/lib"]
    assert make == [*toolchain, "PREFIX=/install", "libbz2.a"]
    assert install == [*toolchain, "PREFIX=/w/destdir/install", "install"]
    assert build_dep.make_commands(spec("autotools"), ENV, Path("/w/destdir"), [], ["install"]) == (
        [], ["DESTDIR=/w/destdir", "install"])


MAKEFILE = """\
all:
\t@mkdir -p out
\t@echo '$(CC)|$(CFLAGS)|$(LDFLAGS)|$(PREFIX)' > out/flags.txt
\t@printf 'prefix=$(PREFIX)\\nlibdir=$(PREFIX)/lib\\nCflags: -I$(PREFIX)/include\\n' > out/x.pc
\t@printf 'X_SRC=%s\\n' "$$(pwd)" > out/xConfig.sh
\t@printf '!<arch>\\n' > out/libx.a
install:
\tmkdir -p $(PREFIX)/lib $(PREFIX)/share/pkgconfig $(PREFIX)/bin
\tcp out/libx.a out/xConfig.sh $(PREFIX)/lib/
\tcp out/x.pc $(PREFIX)/share/pkgconfig/
\tcp out/flags.txt $(PREFIX)/
\ttouch $(PREFIX)/lib/libx.la
\tln -s $(PREFIX)/bin/real $(PREFIX)/bin/absolute
\tln -s libx.a $(PREFIX)/lib/liby.a
"""


def execroot_with_source(tmp: Path) -> Path:
    execroot = tmp / "execroot"
    src = execroot / "external" / "x"
    src.mkdir(parents=True)
    (src / "Makefile").write_text(MAKEFILE)
    (src / "README").write_text("old\n")
    (src / ".executables").write_text("")
    os.utime(src / "README", (1_000_000, 1_000_000))
    (execroot / "fix.patch").write_text("--- a/README\n+++ b/README\n@@ -1 +1 @@\n-old\n+new\n")
    (execroot / "out" / "_x_lib").mkdir(parents=True)
    return execroot


def test_a_plain_makefile_dependency_builds_installs_and_exports(tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    execroot = execroot_with_source(tmp)
    monkeypatch.chdir(execroot)
    environ = {"PATH": "/usr/bin:/bin", "TMPDIR": str(tmp), "PYTHONSAFEPATH": "1", "SOURCE_DATE_EPOCH": "315532800"}
    argv = ["--name", "x", "--src", "external/x", "--src-executables", "external/x/.executables",
            "--install", "out/x", "--build-system", "make",
            "--cc", "/usr/bin/cc", "--ar", "/usr/bin/ar", "--ranlib", "/usr/bin/ranlib", "--cflags=-O2",
            "--ldflags=-s", "--patch", "fix.patch", "--install-target", "install",
            "--library", "libx.a=out/_x_lib/libx.a"]
    build_dep.build(build_dep.from_arguments(build_dep.parser().parse_args(argv)), execroot, environ)
    tree = execroot / "out" / "x"
    assert (tree / "flags.txt").read_text() == "cc|-O2 -fPIC -fvisibility=hidden |-s|/install\n"
    # .pc files in lib/pkgconfig, relative; no libtool archive, no absolute link; relative links kept.
    assert (tree / "lib" / "pkgconfig" / "x.pc").read_text() == \
        "prefix=${pcfiledir}/../..\nlibdir=${prefix}/lib\nCflags: -I${prefix}/include\n"
    assert not (tree / "share").exists() and not (tree / "lib" / "libx.la").exists()
    assert not (tree / "bin" / "absolute").is_symlink() and os.readlink(tree / "lib" / "liby.a") == "libx.a"
    # The private source copy is /build/<name> in installed text files.
    assert (tree / "lib" / "xConfig.sh").read_text() == "X_SRC=/build/x\n"
    assert (execroot / "out" / "_x_lib" / "libx.a").read_bytes() == b"!<arch>\n"
    # The work directory is gone.
    assert [p for p in tmp.iterdir() if p.name.startswith("configure_make.")] == []


def test_a_failing_build_names_its_step_and_a_missing_library_what_there_is(tmp: Path,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    execroot = execroot_with_source(tmp)
    monkeypatch.chdir(execroot)
    environ = {"PATH": "/usr/bin:/bin", "TMPDIR": str(tmp), "SOURCE_DATE_EPOCH": "315532800"}
    failing = spec("make", src="external/x", make_targets=("no-such-target",))
    with pytest.raises(BuildError, match=r"(?s)^configure_make: x: make failed; last lines of its output:\n"
                                         r".*no-such-target"):
        build_dep.build(failing, execroot, environ)
    missing = spec("make", src="external/x", libraries=(("libz.a", "out/_x_lib/libz.a"),))
    with pytest.raises(BuildError, match=r"^configure_make: x installed no lib/libz\.a "
                                         r"\(it has: libx\.a liby\.a pkgconfig xConfig\.sh\)$"):
        build_dep.build(missing, execroot, environ)
    assert [p for p in tmp.iterdir() if p.name.startswith("configure_make.")] == []


def test_the_private_copy_is_dated_source_date_epoch(tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    execroot = execroot_with_source(tmp)
    monkeypatch.chdir(execroot)
    seen = tmp / "seen"
    makefile = "all:\n\tstat -c %Y README > " + str(seen) + "\ninstall:\n\tmkdir -p $(DESTDIR)/install\n"
    (execroot / "external" / "x" / "Makefile").write_text(makefile)
    build_dep.build(spec("configure", src="external/x", configure_script="true"), execroot,
                    {"PATH": "/usr/bin:/bin", "TMPDIR": str(tmp), "SOURCE_DATE_EPOCH": "315532800"})
    assert seen.read_text() == "315532800\n"
    assert stat.S_ISDIR((execroot / "out" / "x").stat().st_mode)


def test_configure_sees_the_build_environment_and_not_the_drivers(tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    execroot = execroot_with_source(tmp)
    monkeypatch.chdir(execroot)
    seen = tmp / "seen"
    configure = execroot / "external" / "x" / "configure"
    configure.write_text(f'#!/bin/sh\nprintf "%s\\n" "$*" > {seen}\nenv | sort >> {seen}\n')
    (configure.parent / ".executables").write_text("configure\n")
    (execroot / "external" / "x" / "Makefile").write_text("all:\ninstall:\n\tmkdir -p $(DESTDIR)/install\n")
    ncurses = execroot / "out" / "ncurses"
    (ncurses / "include" / "ncursesw").mkdir(parents=True)
    (ncurses / "lib" / "python3" / "dist-packages").mkdir(parents=True)
    environ = {"PATH": "/usr/bin:/bin", "TMPDIR": str(tmp), "PYTHONSAFEPATH": "1", "RUNFILES_DIR": "/r",
               "SOURCE_DATE_EPOCH": "315532800"}
    build_dep.build(spec("autotools", src="external/x", deps=("out/ncurses",), dep_include_subdirs=("ncursesw",),
                         named_deps=(("ncurses", "out/ncurses"),), configure_args=("--with-x={dep:ncurses}",)),
                    execroot, environ)
    lines = seen.read_text().splitlines()
    assert lines[0] == ("--prefix=/install --build=x86_64-pc-linux-gnu --host=aarch64-unknown-linux-musl "
                        f"--disable-shared --enable-static --with-x={ncurses}")
    env = dict(line.split("=", 1) for line in lines[1:] if "=" in line)
    assert env["CFLAGS"] == "-O2 -fPIC -fvisibility=hidden"
    assert env["CPPFLAGS"] == f" -I{ncurses}/include -I{ncurses}/include/ncursesw"
    assert env["PYTHONPATH"] == f"{ncurses}/lib/python3/dist-packages" and "PYTHONSAFEPATH" not in env
    # As after the scripts `cd "$work/src"; cd "$subdir"` (subdir "."): OLDPWD is the source copy too.
    assert "RUNFILES_DIR" not in env and env["PWD"].endswith("/src") and env["OLDPWD"] == env["PWD"]
    assert env["PATH"].endswith("/bin:/usr/bin:/bin") and env["CC"] == "cc"


def test_installed_static_libraries_get_ar_d_headers(tmp: Path) -> None:
    dated = bytearray(make_ar({"a.o": b"obj"}))
    dated[8 + 16:8 + 28] = b"%-12d" % 1796225616  # the first member's date, as ar U writes it
    (tmp / "lib").mkdir()
    (tmp / "lib" / "libtinfo.a").write_bytes(bytes(dated))
    (tmp / "lib" / "notes.a").write_bytes(b"not an archive")
    build_dep.deterministic_static_libraries(tmp)
    assert (tmp / "lib" / "libtinfo.a").read_bytes() == make_ar({"a.o": b"obj"})
    assert (tmp / "lib" / "notes.a").read_bytes() == b"not an archive"

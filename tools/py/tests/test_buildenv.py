"""The build actions' toolchain environment (cpbuild.buildenv)."""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

import pytest

from cpbuild import build_paths, buildenv

TOOLCHAIN = buildenv.Toolchain(cc="external/zig/cc", ar="external/zig/ar", ranlib="/abs/ranlib",
                               target_flags="-target x86_64-linux-gnu.2.17 -mcpu=x86_64", cflags="-O2 -g",
                               ldflags="-Wl,-z,relro -Wl,-z,now")


def dep_tree(root: Path, name: str, pc: bool = True) -> Path:
    tree = root / "bazel-out" / "bin" / name
    (tree / "include").mkdir(parents=True)
    if pc:
        (tree / "lib" / "pkgconfig").mkdir(parents=True)
        (tree / "lib" / "pkgconfig" / f"{name}.pc").write_text("prefix=${pcfiledir}/../..\n")
    return tree


@pytest.mark.parametrize("kind", ["configure_make", "cpython_build"])
def test_work_dir_is_mktemp_s_pattern_which_the_leak_scan_knows(tmp: Path, kind: str) -> None:
    work = buildenv.make_work_dir(kind, "zlib", {"TMPDIR": str(tmp)})
    assert work.parent == tmp and work.is_dir() and stat.S_IMODE(work.stat().st_mode) == 0o700
    prefix, name, suffix = work.name.split(".")
    assert (prefix, name, len(suffix), suffix.isalnum() and suffix.isascii()) == (kind, "zlib", 6, True)
    assert build_paths.find_build_paths(f"-ffile-prefix-map={work}/src=/build/zlib".encode())
    assert buildenv.make_work_dir(kind, "zlib", {"TMPDIR": str(tmp)}) != work


def test_work_dir_defaults_to_tmp() -> None:
    work = buildenv.make_work_dir("configure_make", "buildenv-test", {"TMPDIR": ""})
    try:
        assert work.parent == Path("/tmp")
    finally:
        work.rmdir()


def test_work_dir_is_removed_when_the_build_ends_or_fails(tmp: Path) -> None:
    with buildenv.work_dir("configure_make", "zlib", {"TMPDIR": str(tmp)}) as work:
        (work / "src").mkdir()
    assert not work.exists()
    with pytest.raises(RuntimeError), buildenv.work_dir("cpython_build", "x", {"TMPDIR": str(tmp)}) as work:
        raise RuntimeError("make failed")
    assert not work.exists() and list(tmp.iterdir()) == []


def test_dep_dirs_add_the_real_tree_pkg_config_resolves_through_staging_links(tmp: Path) -> None:
    real = dep_tree(tmp / "real", "zlib")
    staged = tmp / "sandbox" / "bazel-out" / "bin" / "zlib"
    (staged / "lib" / "pkgconfig").mkdir(parents=True)
    (staged / "lib" / "pkgconfig" / "zlib.pc").symlink_to(real / "lib" / "pkgconfig" / "zlib.pc")
    plain = dep_tree(tmp / "sandbox", "xz")
    bare = dep_tree(tmp / "sandbox", "xorgproto", pc=False)
    execroot = tmp / "sandbox"
    assert buildenv.dep_dirs(["bazel-out/bin/zlib", "bazel-out/bin/xz", str(bare)], execroot) == [
        (str(staged), "/build/deps/zlib"), (str(real), "/build/deps/zlib"),
        (str(plain), "/build/deps/xz"),
        (str(bare), "/build/deps/xorgproto"),
    ]


def test_prefix_maps_source_copy_then_execroot_then_deps() -> None:
    assert buildenv.prefix_maps(Path("/tmp/w"), Path("/x/execroot/_main"), "zlib", [("/x/dep", "/build/deps/dep")]) == [
        "-ffile-prefix-map=/tmp/w/src=/build/zlib",
        "-ffile-prefix-map=/x/execroot/_main=.",
        "-ffile-prefix-map=/x/dep=/build/deps/dep",
    ]


def test_environment_sees_declared_deps_only_with_the_scripts_spacing(tmp: Path) -> None:
    execroot = tmp / "execroot"
    zlib = dep_tree(execroot, "zlib")
    xz = dep_tree(execroot, "xz")
    environ = {"PATH": "/usr/bin:/bin", "LC_ALL": "C", "PYTHONPATH": "/stub", "PYTHONSAFEPATH": "1",
               "RUNFILES_DIR": "/r", "RUNFILES_MANIFEST_FILE": "/m", "SOURCE_DATE_EPOCH": "315532800"}
    build = buildenv.toolchain_env(TOOLCHAIN, work=tmp / "work", execroot=execroot, src_label="libedit",
                                   deps=["bazel-out/bin/zlib", "bazel-out/bin/xz"], environ=environ)
    env = build.env
    assert not [key for key in env if key.startswith(("PYTHON", "RUNFILES"))]
    assert env["PATH"] == f"{tmp}/work/bin:/usr/bin:/bin"
    assert (env["CC"], env["CXX"], env["AR"], env["RANLIB"]) == ("cc", "cc", "ar", "ranlib")
    assert "CC_FOR_BUILD" not in env and not (tmp / "work" / "bin" / "build-cc").exists()
    assert env["CFLAGS"] == "-O2 -g"
    assert env["CPPFLAGS"] == f" -I{zlib}/include -I{xz}/include"
    assert env["LDFLAGS"] == f"-Wl,-z,relro -Wl,-z,now -L{zlib}/lib -L{xz}/lib"
    assert env["PKG_CONFIG_LIBDIR"] == f"{zlib}/lib/pkgconfig:{xz}/lib/pkgconfig"
    assert (env["PKG_CONFIG_PATH"], env["PKG_CONFIG_SYSROOT_DIR"]) == ("", "")
    assert (env["LIBS"], env["ZERO_AR_DATE"]) == ("", "1")
    assert (env["LC_ALL"], env["SOURCE_DATE_EPOCH"]) == ("C", "315532800")
    assert build.deps == [str(zlib), str(xz)]
    assert build.scrub_pairs() == [(f"{tmp}/work/src".encode(), b"/build/libedit"), (str(execroot).encode(), b".")]


def test_no_deps_means_no_pkg_config_directory(tmp: Path) -> None:
    env = buildenv.toolchain_env(TOOLCHAIN, work=tmp / "w", execroot=tmp, src_label="zlib", deps=[],
                                 environ={"PATH": "/usr/bin"}).env
    assert (env["PKG_CONFIG_LIBDIR"], env["CPPFLAGS"], env["LDFLAGS"]) == ("/nonexistent", "", TOOLCHAIN.ldflags)


def run_tool(path: Path, *args: str) -> list[str]:
    return subprocess.run([str(path), *args], check=True, capture_output=True, text=True).stdout.split("\0")[:-1]


def test_tools_run_the_toolchain_with_flags_and_prefix_maps(tmp: Path) -> None:
    # A stand-in compiler that prints its arguments, one per NUL-terminated field.
    printer = tmp / "execroot" / "external" / "zig" / "cc"
    printer.parent.mkdir(parents=True)
    printer.write_text("#!/bin/sh\nprintf '%s\\0' \"$@\"\n")
    printer.chmod(0o755)
    toolchain = buildenv.Toolchain(cc="external/zig/cc", ar="external/zig/cc", ranlib="external/zig/cc",
                                   target_flags="-target aarch64-linux-musl", cflags="", ldflags="",
                                   build_host_flags="-target x86_64-linux-gnu.2.17")
    work = tmp / "w 1"  # a space: the wrapper quotes its words
    build = buildenv.toolchain_env(toolchain, work=work, execroot=tmp / "execroot", src_label="ncurses", deps=[],
                                   environ={})
    maps = [f"-ffile-prefix-map={work}/src=/build/ncurses", f"-ffile-prefix-map={tmp}/execroot=."]
    assert run_tool(work / "bin" / "cc", "-c", "a b.c") == ["-target", "aarch64-linux-musl", *maps, "-c", "a b.c"]
    assert run_tool(work / "bin" / "build-cc", "x.c") == [
        "-target", "x86_64-linux-gnu.2.17", "-O2", "-fno-sanitize=undefined", *maps, "x.c"]
    assert run_tool(work / "bin" / "ar", "rcs") == ["rcs"]
    assert (build.env["CC_FOR_BUILD"], build.env["BUILD_CC"]) == ("build-cc", "build-cc")
    assert all(os.access(work / "bin" / tool, os.X_OK) for tool in ("cc", "build-cc", "ar", "ranlib"))

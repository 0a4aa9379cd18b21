"""The build-path leak scan: every leak pattern is found, and the deliberate paths pass."""

from __future__ import annotations

from pathlib import Path

import pytest

from cpbuild import build_paths


@pytest.mark.parametrize("content", [
    b"\0\0/var/cache/bazel/_bazel_root/0123/execroot/_main/external/zlib/x.h\0",
    b"\0./bazel-out/k8-opt-exec/bin/third_party/zlib/zlib/include/zlib.h\0",
    b"DW_AT_comp_dir /proc/self/cwd\0",
    b"/var/cache/bazel/output_user_root/x/sandbox/processwrapper-sandbox/12/execroot\0",
    b"'CONFIG_ARGS': \"'--prefix=/install' 'CC=/tmp/cpython_build.cpython_3_13.AbC123/cc'\",",
    b"\0/tmp/configure_make.zlib.x9YzQ1/src/inflate.c\0",
    b"#!/install/bin/python3.13\nimport sys\n",
    b"#! /build/venv/bin/python\n",
])
def test_leaked_build_paths_are_found(content: bytes) -> None:
    assert build_paths.find_build_paths(content)


@pytest.mark.parametrize("content", [
    b"\0/build/cpython/Python/ceval.c\0/build/zlib/inflate.c\0",  # the deliberate debug prefixes
    b"build_time_vars = {'prefix': '/install', 'LIBDIR': '/install/lib'}\n",  # prefix=/install stays (as PBS)
    b"#!/bin/sh\n'''exec' \"$(dirname -- \"$(readlink -f -- \"$0\")\")/python3.13\" \"$0\" \"$@\"\n' '''\n",
    b"/tmp/cpython-bazel-zig-0123456789ab/lib/libc/glibc/csu/init.c\0",  # zig's fixed lib directory
    b"see bazel/private/configure_make.sh and cpython_build.sh\n",  # names, not mktemp directories
])
def test_deliberate_paths_pass(content: bytes) -> None:
    assert build_paths.find_build_paths(content) == []


def test_a_leak_names_the_string_and_shows_it() -> None:
    (leak,) = build_paths.find_build_paths(b"\x01\x02-I/x/execroot/_main/include\x00")
    assert leak == "/execroot/ (a Bazel execution root): '-I/x/execroot/_main/include'"


def test_paths_the_caller_knows_are_found_too() -> None:
    content = b"LIBDIR=/home/u/ws/out/lib\n"
    assert build_paths.find_build_paths(content) == []
    assert build_paths.find_build_paths(content, [b"/home/u/ws", b""]) == [
        "/home/u/ws (a path of this build): 'LIBDIR=/home/u/ws/out/lib'"]


def test_a_tree_scan_names_each_file_with_a_leak(tmp: Path) -> None:
    (tmp / "lib" / "pkgconfig").mkdir(parents=True)
    (tmp / "lib" / "pkgconfig" / "x.pc").write_bytes(b"prefix=/w/execroot/_main\n")
    (tmp / "lib" / "ok.py").write_bytes(b"prefix = '/install'\n")
    (tmp / "bin").mkdir()
    (tmp / "bin" / "tool").write_bytes(b"#!/install/bin/python3\n")
    (tmp / "bin" / "link").symlink_to("/w/execroot/_main")  # a link's target is not a file's content
    leaks = build_paths.scan_tree(tmp, [b"/w/"])
    assert list(leaks) == ["bin/tool", "lib/pkgconfig/x.pc"]
    assert leaks["lib/pkgconfig/x.pc"] == [
        "/execroot/ (a Bazel execution root): 'prefix=/w/execroot/_main'",
        "/w/ (a path of this build): 'prefix=/w/execroot/_main'"]

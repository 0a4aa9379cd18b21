"""The macros that the BUILD files of pinned-source repositories call."""

load("@rules_python//python:defs.bzl", "py_library")

def source_files(license_files):
    """A source tree: every file, for configure/make actions, plus its licence files."""
    native.filegroup(
        name = "all_files",
        srcs = native.glob(["**"], exclude = ["BUILD.bazel", "WORKSPACE.bazel"]),
        visibility = ["//visibility:public"],
    )
    native.exports_files(license_files, visibility = ["//visibility:public"])

def wheel_library():
    """An unpacked wheel as a py_library."""
    py_library(
        name = "lib",
        srcs = native.glob(["**/*.py"]),
        data = native.glob(["**"], exclude = ["**/*.py", "**/*.pyc", "BUILD.bazel", "WORKSPACE.bazel"]),
        imports = ["."],
        visibility = ["//visibility:public"],
    )

    # The wheel's programs (<name>-<version>.data/scripts/*: uv's binary), for tests that run them.
    native.exports_files(native.glob(["*.data/scripts/*"], allow_empty = True), visibility = ["//visibility:public"])

def zig_sdk(license_files):
    """zig (from the ziglang wheel): the compiler and its lib/ dir, and the wrappers that call it."""
    native.filegroup(
        name = "zig_files",
        srcs = native.glob(["ziglang/**", "bin/*"]),
        visibility = ["//visibility:public"],
    )
    native.exports_files(
        ["ziglang/zig", "bin/zig-cc", "bin/zig-c++", "bin/zig-ar", "bin/zig-ranlib", "bin/zig-objcopy"] + license_files,
        visibility = ["//visibility:public"],
    )

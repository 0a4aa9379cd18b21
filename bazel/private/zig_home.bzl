"""The zig home: the fixed directory where zig's lib directory and caches live."""

load("//third_party:sources.bzl", "SOURCES")

def zig_home():
    """/tmp/cpython-bazel-zig-<first 16 hex digits of the ziglang pin's sha256>.

    zig compiles parts of libc and compiler_rt from its lib directory with debug information
    naming it: a fixed path (one per zig release) means every output names that one path, never
    a sandbox that differs on every run. The zig wrappers (zig_wrapper.sh.tpl) copy the lib
    directory there; the cc toolchain declares its headers there.
    """
    return "/tmp/cpython-bazel-zig-" + SOURCES["ziglang"]["archives"][0]["sha256"][:16]

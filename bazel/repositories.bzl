"""WORKSPACE-mode entry points: the repositories and toolchains MODULE.bazel declares."""

load("//bazel/private:pinned_source.bzl", "pinned_sources")

def cpython_bazel_dependencies():
    """One repository per pin of //third_party:sources.bzl, named after the pin."""
    pinned_sources()

def cpython_bazel_register_toolchains():
    native.register_toolchains("@cpython_bazel//bazel/toolchains:all")

"""WORKSPACE-mode entry points: the repositories and toolchains MODULE.bazel declares."""

load("//bazel/private:llvm_tools.bzl", "llvm_tools")
load("//bazel/private:pinned_source.bzl", "pinned_sources")

def cpython_bazel_dependencies():
    """One repository per pin of //third_party:sources.bzl, named after the pin, and llvm_tools."""
    pinned_sources()
    llvm_tools(name = "llvm_tools")

def cpython_bazel_register_toolchains():
    native.register_toolchains("@cpython_bazel//bazel/toolchains:all")

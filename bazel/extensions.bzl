"""Module extension `sources`: one repository per pin of //third_party:sources.bzl, and
`llvm_tools` (the build root's LLVM tools that go with the profile runtime pins)."""

load("//bazel/private:llvm_tools.bzl", "llvm_tools")
load("//bazel/private:pinned_source.bzl", "pinned_source")
load("//third_party:sources.bzl", "SOURCES")

def _sources_impl(module_ctx):
    for name in SOURCES:
        pinned_source(name = name, pin = name)
    llvm_tools(name = "llvm_tools")
    return module_ctx.extension_metadata(reproducible = True) if hasattr(module_ctx, "extension_metadata") else None

sources = module_extension(
    implementation = _sources_impl,
    doc = "Creates one repository per pinned source, and llvm_tools; each is fetched only when a target needs it.",
)

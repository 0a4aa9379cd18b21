"""Repository rule `llvm_tools`: LLVM's own command-line tools, which zig does not ship.

llvm-profdata (merging the raw profiles of a training run: //bazel/private:pgo.bzl), llvm-nm and
llvm-objcopy (compiler_rt without its C library functions: //bazel/private:cpython.bzl) come from the
build root (llvm-<major> in tools/buildroot/packages.txt), of the LLVM major version of the
profile runtime pins in //third_party:sources.bzl: a raw profile is read by the llvm-profdata of
its runtime's release. The repository links each tool by path, so that actions declare it as an
input (its contents are part of their keys); `local`, so that a new build root is looked at
again.
"""

load("//third_party:sources.bzl", "SOURCES")

# The tools the repository links, as bin/<name>.
TOOLS = ["llvm-profdata", "llvm-nm", "llvm-objcopy"]

# The pin whose LLVM release the tools must match (every profile runtime pin is of one release).
PROFILE_RUNTIME_PIN = "llvm_profile_runtime_x86_64"

def llvm_major():
    """The LLVM major version of the profile runtime pins ("21")."""
    return SOURCES[PROFILE_RUNTIME_PIN]["version"].split(".")[0]

def _llvm_tools_impl(rctx):
    major = llvm_major()
    for name in TOOLS:
        tool = rctx.path("/usr/lib/llvm-{}/bin/{}".format(major, name))
        if not tool.exists:
            fail(("llvm_tools: {} is missing. The build root installs it (llvm-{} in " +
                  "tools/buildroot/packages.txt); run Bazel through tools/bazel, or install LLVM {}'s " +
                  "tools at that path.").format(tool, major, major))
        result = rctx.execute([tool, "--version"])
        if result.return_code != 0 or "LLVM version {}.".format(major) not in result.stdout:
            fail("llvm_tools: {} --version says {!r}, not LLVM {}: {}".format(tool, result.stdout.strip(), major, result.stderr))
        rctx.symlink(tool, "bin/" + name)
    rctx.file("BUILD.bazel", "\n".join([
        "# Created by the llvm_tools repository rule: LLVM {}'s tools from the build root.".format(major),
        "exports_files({}, visibility = [\"//visibility:public\"])".format(repr(["bin/" + name for name in TOOLS])),
        "",
    ]))
    rctx.file("WORKSPACE.bazel", "")

llvm_tools = repository_rule(
    implementation = _llvm_tools_impl,
    local = True,
    doc = "Links the build root's LLVM tools (TOOLS, of the profile runtime pins' LLVM major version).",
)

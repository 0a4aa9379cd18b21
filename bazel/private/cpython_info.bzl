"""CPythonInfo: what a cpython target provides (//bazel/private:cpython.bzl)."""

CPythonInfo = provider(
    doc = "A CPython built for one target.",
    fields = {
        "version": "minor version, e.g. 3.13",
        "full_version": "the pinned release, e.g. 3.13.15",
        "triple": "the target's LLVM triple",
        "build_options": "the build-options string, e.g. freethreaded+lto (cpython/build_options.bzl)",
        "variants": "the build options' variants, e.g. [\"freethreaded\"]",
        "instrumented": "True for an instrumented build (-fprofile-instr-generate), which only trains a profile",
        "abi_flags": "sys.abiflags of this build (t, d)",
        "install": "File: the install prefix (tree artifact)",
        "install_manifest": "File: the install tree's links and executable files as the build left them (cpbuild/manifest.py: Bazel makes outputs r-x, and a tree fetched from a cache has copies in place of links)",
        "build_tree": "File: objects and static libraries for re-linking (tree artifact)",
        "setup_local": "File: the Setup.local used",
        "modules": "File: JSON, each extension module's fate (builtin, shared, disabled, missing)",
        "deps": "list of DependencyInfo",
    },
)
